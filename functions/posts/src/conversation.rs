//! Request handlers for a post's conversation: its comments and reactions.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

use shared::api::{
    Comment, CommentPage, ErrorBody, PageParams, Reaction, ReactionPage, ReactionsBody,
};
use shared::domain::conversation::ReactionKind;
use shared::domain::ids::{CommentId, PostId};
use shared::http::{CurrentUser, JsonBody, QueryParams};
use shared::service::conversation;
use shared::{ApiError, App};

fn post_id(raw: &str) -> Result<PostId, ApiError> {
    PostId::parse(raw).ok_or_else(ApiError::post_not_found)
}

fn comment_id(raw: &str) -> Result<CommentId, ApiError> {
    CommentId::parse(raw).ok_or_else(ApiError::comment_not_found)
}

/// A page of a post's comments, oldest first (2 DynamoDB requests).
#[utoipa::path(get, path = "/api/posts/{id}/comments", tag = "posts",
    params(("id" = String, Path, description = "Post id"), PageParams), security(("bearer" = [])),
    responses((status = 200, body = CommentPage), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_comments(
    State(app): State<App>,
    caller: CurrentUser,
    Path(id): Path<String>,
    QueryParams(params): QueryParams<PageParams>,
) -> Result<Json<CommentPage>, ApiError> {
    let (_, page) = conversation::comments(
        &app,
        &caller.user_id,
        &post_id(&id)?,
        params.limit,
        params.cursor.as_deref(),
    )
    .await?;
    Ok(Json(CommentPage {
        comments: page.items.into_iter().map(Comment::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// `POST` and `PATCH /api/posts/{id}/comments…`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentText {
    /// 1–2,000 characters.
    pub content: String,
}

/// Comments on a post the caller may see.
#[utoipa::path(post, path = "/api/posts/{id}/comments", tag = "posts", request_body = CommentText,
    params(("id" = String, Path, description = "Post id")), security(("bearer" = [])),
    responses((status = 201, body = Comment), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn add_comment(
    State(app): State<App>,
    caller: CurrentUser,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<CommentText>,
) -> Result<(StatusCode, Json<Comment>), ApiError> {
    let comment =
        conversation::add_comment(&app, &caller.user_id, &post_id(&id)?, &body.content).await?;
    Ok((StatusCode::CREATED, Json(comment.into())))
}

/// Edits one's own comment (it is marked edited).
#[utoipa::path(patch, path = "/api/posts/{id}/comments/{comment_id}", tag = "posts", request_body = CommentText,
    params(("id" = String, Path, description = "Post id"), ("comment_id" = String, Path, description = "Comment id")),
    security(("bearer" = [])),
    responses((status = 200, body = Comment), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn edit_comment(
    State(app): State<App>,
    caller: CurrentUser,
    Path((id, comment)): Path<(String, String)>,
    JsonBody(body): JsonBody<CommentText>,
) -> Result<Json<Comment>, ApiError> {
    let (post, comment) = (post_id(&id)?, comment_id(&comment)?);
    let edited =
        conversation::edit_comment(&app, &caller.user_id, &post, &comment, &body.content).await?;
    Ok(Json(edited.into()))
}

/// Deletes a comment: one's own, or any under one's own post.
#[utoipa::path(delete, path = "/api/posts/{id}/comments/{comment_id}", tag = "posts",
    params(("id" = String, Path, description = "Post id"), ("comment_id" = String, Path, description = "Comment id")),
    security(("bearer" = [])),
    responses((status = 204, description = "Deleted"), (status = 404, body = ErrorBody)))]
pub async fn delete_comment(
    State(app): State<App>,
    caller: CurrentUser,
    Path((id, comment)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let (post, comment) = (post_id(&id)?, comment_id(&comment)?);
    conversation::delete_comment(&app, &caller.user_id, &post, &comment).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `PUT /api/posts/{id}/reaction`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReaction {
    /// `heart`, `thumbs_up`, `laugh`, `wow`, `sad` or `thanks`.
    pub kind: ReactionKind,
}

/// Sets the caller's reaction to a post, replacing the one they had.
#[utoipa::path(put, path = "/api/posts/{id}/reaction", tag = "posts", request_body = NewReaction,
    params(("id" = String, Path, description = "Post id")), security(("bearer" = [])),
    responses((status = 200, body = ReactionsBody), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn set_reaction(
    State(app): State<App>,
    caller: CurrentUser,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<NewReaction>,
) -> Result<Json<ReactionsBody>, ApiError> {
    let reactions = conversation::react(&app, &caller.user_id, &post_id(&id)?, body.kind).await?;
    Ok(Json(ReactionsBody {
        reactions: reactions.into(),
    }))
}

/// Removes the caller's reaction, if any.
#[utoipa::path(delete, path = "/api/posts/{id}/reaction", tag = "posts",
    params(("id" = String, Path, description = "Post id")), security(("bearer" = [])),
    responses((status = 200, body = ReactionsBody), (status = 404, body = ErrorBody)))]
pub async fn remove_reaction(
    State(app): State<App>,
    caller: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<ReactionsBody>, ApiError> {
    let reactions = conversation::unreact(&app, &caller.user_id, &post_id(&id)?).await?;
    Ok(Json(ReactionsBody {
        reactions: reactions.into(),
    }))
}

/// Who reacted to a post, and how.
#[utoipa::path(get, path = "/api/posts/{id}/reactions", tag = "posts",
    params(("id" = String, Path, description = "Post id"), PageParams), security(("bearer" = [])),
    responses((status = 200, body = ReactionPage), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_reactions(
    State(app): State<App>,
    caller: CurrentUser,
    Path(id): Path<String>,
    QueryParams(params): QueryParams<PageParams>,
) -> Result<Json<ReactionPage>, ApiError> {
    let page = conversation::reactions(
        &app,
        &caller.user_id,
        &post_id(&id)?,
        params.limit,
        params.cursor.as_deref(),
    )
    .await?;
    Ok(Json(ReactionPage {
        reactions: page.items.into_iter().map(Reaction::from).collect(),
        next_cursor: page.next_cursor,
    }))
}
