//! Request handlers for the `tags` group.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use shared::api::{ErrorBody, Tag};
use shared::domain::ids::TagId;
use shared::http::{CurrentUser, JsonBody};
use shared::service::tags;
use shared::{ApiError, App};

fn tag_id(raw: &str) -> Result<TagId, ApiError> {
    TagId::parse(raw).ok_or_else(ApiError::tag_not_found)
}

/// The caller's tags.
#[derive(Serialize, ToSchema)]
pub struct TagList {
    /// Alphabetical.
    pub tags: Vec<Tag>,
}

/// The caller's tags.
#[utoipa::path(get, path = "/api/tags", tag = "tags", security(("bearer" = [])),
    responses((status = 200, body = TagList)))]
pub async fn list_tags(
    State(app): State<App>,
    caller: CurrentUser,
) -> Result<Json<TagList>, ApiError> {
    let tags = tags::list(&app, &caller.user_id).await?;
    Ok(Json(TagList {
        tags: tags.into_iter().map(Tag::from).collect(),
    }))
}

/// `POST /api/tags`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTag {
    /// 1–24 characters, unique (ignoring case) among your tags.
    pub name: String,
    /// One of family, friends, inner, work, custom, generic.
    pub color: String,
}

/// Creates a tag.
#[utoipa::path(post, path = "/api/tags", tag = "tags", request_body = NewTag, security(("bearer" = [])),
    responses((status = 201, body = Tag), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn create_tag(
    State(app): State<App>,
    caller: CurrentUser,
    JsonBody(body): JsonBody<NewTag>,
) -> Result<(StatusCode, Json<Tag>), ApiError> {
    let tag = tags::create(&app, &caller.user_id, &body.name, &body.color).await?;
    Ok((StatusCode::CREATED, Json(tag.into())))
}

/// `PATCH /api/tags/{id}`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TagChanges {
    /// A new name.
    pub name: Option<String>,
    /// A new colour.
    pub color: Option<String>,
}

/// Renames and/or recolours a tag.
#[utoipa::path(patch, path = "/api/tags/{id}", tag = "tags", request_body = TagChanges,
    params(("id" = String, Path, description = "Tag id")), security(("bearer" = [])),
    responses((status = 200, body = Tag), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
pub async fn update_tag(
    State(app): State<App>,
    caller: CurrentUser,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<TagChanges>,
) -> Result<Json<Tag>, ApiError> {
    let id = tag_id(&id)?;
    let (name, color) = (body.name.as_deref(), body.color.as_deref());
    let tag = tags::update(&app, &caller.user_id, &id, name, color).await?;
    Ok(Json(tag.into()))
}

/// Deletes a tag: it is taken off every connection first, so posts addressed
/// only to it stop being visible to them at once.
#[utoipa::path(delete, path = "/api/tags/{id}", tag = "tags",
    params(("id" = String, Path, description = "Tag id")), security(("bearer" = [])),
    responses((status = 204, description = "Deleted and removed from every connection"),
              (status = 404, body = ErrorBody)))]
pub async fn delete_tag(
    State(app): State<App>,
    caller: CurrentUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    tags::delete(&app, &caller.user_id, &tag_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
