//! Request handlers for the `posts` group.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

use shared::api::{ErrorBody, PageParams, Post, PostPage, known_id};
use shared::domain::Timestamp;
use shared::domain::session::new_id;
use shared::domain::social::{Audience, Cursors, can_see, page_size, post_content, post_tags};
use shared::fanout;
use shared::http::{CurrentUser, JsonBody, QueryParams};
use shared::store::PostRecord;
use shared::{ApiError, App};

fn post_not_found() -> ApiError {
    ApiError::not_found(
        "post_not_found",
        "There is no such post, or it is not shared with you.",
    )
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
    let content = post_content(&body.content)?;
    let tag_ids = post_tags(body.audience, &body.tag_ids)?;
    let (profile, connections, tags) = app.store.author_context(&caller.user_id).await?;
    let author = profile.ok_or_else(ApiError::unauthenticated)?;
    if tag_ids.iter().any(|id| !tags.iter().any(|t| &t.id == id)) {
        return Err(ApiError::not_found(
            "tag_not_found",
            "One of these tags does not exist.",
        ));
    }
    let post = PostRecord {
        id: new_id(),
        author_id: author.id,
        author_username: author.username,
        content,
        audience: body.audience,
        tag_ids,
        created_at: Timestamp::now(),
        edited_at: None,
    };
    let viewers = fanout::recipients(&post, &connections);
    app.store.create_post(&post, &viewers).await?;
    Ok((
        StatusCode::CREATED,
        Json(Post::for_caller(post, &caller.user_id)),
    ))
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
    let id = known_id(&id, post_not_found())?;
    let post = app.store.post(id).await?.ok_or_else(post_not_found)?;
    let edge = if post.author_id == caller.user_id || post.audience == Audience::Private {
        None
    } else {
        app.store.edge(&post.author_id, &caller.user_id).await?
    };
    let visible = can_see(
        &caller.user_id,
        &post.author_id,
        post.audience,
        &post.tag_ids,
        edge.as_ref().map(|e| e.tag_ids.as_slice()),
    );
    if !visible {
        return Err(post_not_found());
    }
    Ok(Json(Post::for_caller(post, &caller.user_id)))
}

/// `PATCH /api/posts/{id}`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostEdit {
    /// The new text (the audience cannot change).
    pub content: String,
}

/// Edits the text of one's own post.
#[utoipa::path(patch, path = "/api/posts/{id}", tag = "posts", request_body = PostEdit,
    params(("id" = String, Path, description = "Post id")), security(("bearer" = [])),
    responses((status = 200, body = Post), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn edit_post(
    State(app): State<App>,
    caller: CurrentUser,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<PostEdit>,
) -> Result<Json<Post>, ApiError> {
    let id = known_id(&id, post_not_found())?;
    let content = post_content(&body.content)?;
    let post = app
        .store
        .edit_post(&caller.user_id, id, &content, Timestamp::now())
        .await?
        .ok_or_else(post_not_found)?;
    Ok(Json(Post::for_caller(post, &caller.user_id)))
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
    let id = known_id(&id, post_not_found())?;
    if !app.store.delete_post(&caller.user_id, id).await? {
        return Err(post_not_found());
    }
    // Reads already skip a deleted post; removing its entries keeps pages full.
    let store = app.store.clone();
    let me = caller.user_id.clone();
    let post_id = id.to_owned();
    fanout::best_effort("remove entries", async move {
        let mut viewers: Vec<String> = store
            .connections(&me)
            .await?
            .into_iter()
            .map(|e| e.other_id)
            .collect();
        viewers.push(me);
        store.remove_feed_entries(&post_id, &viewers).await
    })
    .await;
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
    let limit = page_size(params.limit)?;
    let cursors = Cursors::new(app.keys.cursor_key());
    let before = params
        .cursor
        .as_deref()
        .map(|c| cursors.decode(&caller.user_id, "mine", c))
        .transpose()?;
    let page = app
        .store
        .posts_by_author(&caller.user_id, before.as_deref(), limit, None)
        .await?;
    Ok(Json(PostPage {
        next_cursor: page
            .next
            .map(|p| cursors.encode(&caller.user_id, "mine", &p)),
        posts: page
            .items
            .into_iter()
            .map(|p| Post::for_caller(p, &caller.user_id))
            .collect(),
    }))
}
