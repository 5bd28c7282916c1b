//! Request handlers for the `posts` group.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

use shared::api::{ErrorBody, PageParams, Post, PostAudience, PostPage, UserRef};
use shared::domain::ids::PostId;
use shared::domain::social::Audience;
use shared::http::{CurrentUser, JsonBody, QueryParams};
use shared::service::{posts, reading};
use shared::{ApiError, App};

fn post_id(raw: &str) -> Result<PostId, ApiError> {
    PostId::parse(raw).ok_or_else(ApiError::post_not_found)
}

/// `POST /api/posts`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPost {
    /// 1–5,000 characters.
    pub content: String,
    /// `connections`, `tags` or `private`.
    pub audience: Audience,
    /// For `tags`: 1–10 of your tag ids.
    #[serde(default)]
    pub tag_ids: Vec<String>,
}

/// Writes a post and puts it in the feeds of the people it is for. With 100
/// connections this costs at most 6 DynamoDB requests: 1 Query of the
/// author's partition and ⌈102 / 25⌉ batch writes.
#[utoipa::path(post, path = "/api/posts", tag = "posts", request_body = NewPost, security(("bearer" = [])),
    responses((status = 201, body = Post), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn create_post(
    State(app): State<App>,
    caller: CurrentUser,
    JsonBody(body): JsonBody<NewPost>,
) -> Result<(StatusCode, Json<Post>), ApiError> {
    let me = &caller.user_id;
    let post = posts::create(&app, me, &body.content, body.audience, &body.tag_ids).await?;
    Ok((StatusCode::CREATED, Json(Post::for_caller(post, me))))
}

/// Reads a post if the caller may see it; otherwise it does not exist for them.
#[utoipa::path(get, path = "/api/posts/{id}", tag = "posts",
    params(("id" = String, Path, description = "Post id")), security(("bearer" = [])),
    responses((status = 200, body = Post), (status = 404, body = ErrorBody)))]
pub async fn get_post(
    State(app): State<App>,
    caller: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Post>, ApiError> {
    let me = &caller.user_id;
    let post = posts::visible(&app, me, &post_id(&id)?).await?;
    Ok(Json(Post::for_caller(post, me)))
}

/// `PATCH /api/posts/{id}`: any of the text and the audience.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostEdit {
    /// New text, 1–5,000 characters.
    #[serde(default)]
    pub content: Option<String>,
    /// A new audience: `connections`, `tags` or `private`.
    #[serde(default)]
    pub audience: Option<Audience>,
    /// With `audience: tags`, 1–10 of your tag ids.
    #[serde(default)]
    pub tag_ids: Option<Vec<String>>,
}

/// Changes one's own post: its text, its audience, or both. Narrowing holds
/// on every path at the next read; widening puts the post in the new
/// viewers' feeds at its original time.
#[utoipa::path(patch, path = "/api/posts/{id}", tag = "posts", request_body = PostEdit,
    params(("id" = String, Path, description = "Post id")), security(("bearer" = [])),
    responses((status = 200, body = Post), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn edit_post(
    State(app): State<App>,
    caller: CurrentUser,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<PostEdit>,
) -> Result<Json<Post>, ApiError> {
    let me = &caller.user_id;
    let post = posts::change(
        &app,
        me,
        &post_id(&id)?,
        body.content.as_deref(),
        body.audience,
        body.tag_ids.as_deref(),
    )
    .await?;
    Ok(Json(Post::for_caller(post, me)))
}

/// Who can see one's own post now, by username; `404` for anyone else.
#[utoipa::path(get, path = "/api/posts/{id}/audience", tag = "posts",
    params(("id" = String, Path, description = "Post id")), security(("bearer" = [])),
    responses((status = 200, body = PostAudience), (status = 404, body = ErrorBody)))]
pub async fn post_audience(
    State(app): State<App>,
    caller: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<PostAudience>, ApiError> {
    let viewers = posts::audience(&app, &caller.user_id, &post_id(&id)?).await?;
    let users: Vec<UserRef> = viewers
        .into_iter()
        .map(|edge| UserRef::new(edge.other_id, edge.other_username, edge.other_display_name))
        .collect();
    Ok(Json(PostAudience {
        count: users.len(),
        users,
    }))
}

/// Deletes one's own post; it disappears from every feed at once.
#[utoipa::path(delete, path = "/api/posts/{id}", tag = "posts",
    params(("id" = String, Path, description = "Post id")), security(("bearer" = [])),
    responses((status = 204, description = "Deleted"), (status = 404, body = ErrorBody)))]
pub async fn delete_post(
    State(app): State<App>,
    caller: CurrentUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    posts::delete(&app, &caller.user_id, &post_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's own posts, newest first, with their audiences (1 Query).
#[utoipa::path(get, path = "/api/posts/mine", tag = "posts", params(PageParams), security(("bearer" = [])),
    responses((status = 200, body = PostPage), (status = 400, body = ErrorBody)))]
pub async fn my_posts(
    State(app): State<App>,
    caller: CurrentUser,
    QueryParams(params): QueryParams<PageParams>,
) -> Result<Json<PostPage>, ApiError> {
    let me = &caller.user_id;
    let page = reading::my_posts(&app, me, params.limit, params.cursor.as_deref()).await?;
    Ok(Json(PostPage::for_caller(page, me)))
}
