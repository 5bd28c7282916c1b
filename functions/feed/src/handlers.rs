//! Request handlers for the `feed` group.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;

use shared::api::{ErrorBody, PostPage};
use shared::http::{CurrentUser, QueryParams};
use shared::service::reading;
use shared::{ApiError, App};

/// `GET /api/feed` parameters.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedParams {
    /// Comma-separated ids of the caller's tags: only posts by connections the
    /// caller tagged with one of them.
    #[param(value_type = String, required = false)]
    pub tag_ids: Option<String>,
    /// 1–50, default 20.
    // Not nullable: a query value is there or not.
    #[param(value_type = u32, required = false, minimum = 1, maximum = 50)]
    pub limit: Option<usize>,
    /// From the previous page's `next_cursor`.
    #[param(value_type = String, required = false)]
    pub cursor: Option<String>,
}

/// The feed. An unfiltered page costs 2 DynamoDB requests whatever the number
/// of connections: 1 Query of the caller's feed partition and 1 BatchGetItem
/// of the posts and of their authors' current edges to the caller, against
/// which the visibility rule is applied.
#[utoipa::path(get, path = "/api/feed", tag = "feed", params(FeedParams), security(("bearer" = [])),
    responses((status = 200, body = PostPage), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn feed(
    State(app): State<App>,
    caller: CurrentUser,
    QueryParams(params): QueryParams<FeedParams>,
) -> Result<Json<PostPage>, ApiError> {
    let me = &caller.user_id;
    let page = reading::feed(
        &app,
        me,
        params.tag_ids.as_deref(),
        params.limit,
        params.cursor.as_deref(),
    )
    .await?;
    Ok(Json(PostPage::for_caller(page, me)))
}
