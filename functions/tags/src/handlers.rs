//! Request handlers for the `tags` group.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use shared::api::{ErrorBody, Tag, known_id};
use shared::domain::Timestamp;
use shared::domain::session::new_id;
use shared::domain::social::{MAX_TAGS, TagColor, TagName};
use shared::fanout;
use shared::http::{CurrentUser, JsonBody};
use shared::store::{TagError, TagRecord};
use shared::{ApiError, App};

fn tag_not_found() -> ApiError {
    ApiError::not_found("tag_not_found", "There is no such tag.")
}

fn tag_error(error: TagError) -> ApiError {
    match error {
        TagError::NameTaken => ApiError::conflict(
            "tag_name_taken",
            "You already have a tag with this name. Choose another name.",
        ),
        TagError::TooMany => ApiError::conflict(
            "tag_limit_reached",
            format!("You have {MAX_TAGS} tags, the most allowed. Delete one to make room."),
        ),
        TagError::NotFound => tag_not_found(),
        TagError::Store(error) => error.into(),
    }
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
    let mut tags = app.store.tags(&caller.user_id).await?;
    tags.sort_by_key(|t| t.name.to_lowercase());
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
    let name = TagName::parse(&body.name)?;
    let color = TagColor::parse(&body.color)?;
    let tag = TagRecord {
        id: new_id(),
        name: name.as_str().to_owned(),
        color,
        created_at: Timestamp::now(),
    };
    app.store
        .create_tag(&caller.user_id, &tag, &name.folded())
        .await
        .map_err(tag_error)?;
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
    let id = known_id(&id, tag_not_found())?;
    let name = body.name.as_deref().map(TagName::parse).transpose()?;
    let color = body.color.as_deref().map(TagColor::parse).transpose()?;
    let mut tag = app
        .store
        .tag(&caller.user_id, id)
        .await?
        .ok_or_else(tag_not_found)?;
    let rename = name
        .as_ref()
        .map(|name| (name.as_str(), tag.name.trim().to_lowercase(), name.folded()));
    app.store
        .update_tag(&caller.user_id, &tag, rename, color.unwrap_or(tag.color))
        .await
        .map_err(tag_error)?;
    if let Some(name) = name {
        tag.name = name.as_str().to_owned();
    }
    if let Some(color) = color {
        tag.color = color;
    }
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
    let id = known_id(&id, tag_not_found())?;
    let me = caller.user_id.as_str();
    let (tag, connections) = tokio::join!(app.store.tag(me, id), app.store.connections(me));
    let (tag, connections) = (tag?.ok_or_else(tag_not_found)?, connections?);
    // Who carries the tag, and the tags each keeps once it is gone.
    let carrying: Vec<(&str, Vec<String>)> = connections
        .iter()
        .filter(|edge| edge.tag_ids.contains(&tag.id))
        .map(|edge| {
            let remaining = edge.tag_ids.iter().filter(|t| **t != tag.id).cloned();
            (edge.other_id.as_str(), remaining.collect())
        })
        .collect();
    // Round trip 2: the tag comes off every carrying connection (it stops
    // granting visibility), while the feed entries it granted are read.
    let others: Vec<&str> = carrying.iter().map(|(other, _)| *other).collect();
    let (stripped, stale) = tokio::join!(
        app.store.strip_tag(me, &tag.id, &others),
        fanout::stale_entries_of(&app.store, me, &carrying),
    );
    stripped?;
    // Round trip 3: the tag itself goes, and so do those entries.
    let (deleted, ()) = tokio::join!(
        app.store.delete_tag(me, &tag),
        fanout::best_effort("prune", fanout::take_away_all(&app.store, stale)),
    );
    deleted.map_err(tag_error)?;
    Ok(StatusCode::NO_CONTENT)
}
