//! Posts: written once for an audience, edited, deleted, read one at a time.

use crate::domain::Timestamp;
use crate::domain::ids::{PostId, UserId};
use crate::domain::social::{Audience, RequestedTags, can_see, post_content, post_tags};
use crate::service::{fanout, tags};
use crate::store::{EdgeOf, PostRecord};
use crate::{ApiError, App};

/// Writes a post for `audience` and puts it in the feeds of the people it is
/// for. With 100 connections this costs at most 7 DynamoDB requests, 3 deep:
/// 1 Query of the author's partition, ⌈101 / 25⌉ batch writes of the feed
/// entries at once, then the post itself (last, so that a failure part-way
/// leaves only entries every read skips).
pub async fn create(
    app: &App,
    me: &UserId,
    content: &str,
    audience: Audience,
    tag_ids: &[String],
) -> Result<PostRecord, ApiError> {
    let content = post_content(content)?;
    let requested = RequestedTags::new(tag_ids.iter().map(String::as_str));
    let tag_ids = post_tags(audience, requested)?.ids()?;
    let (profile, connections, own_tags) = app.store.author_context(me).await?;
    let author = profile.ok_or_else(ApiError::unauthenticated)?;
    tags::all_mine(&tag_ids, &own_tags)?;
    let post = PostRecord {
        id: PostId::new(),
        author_id: author.id,
        author_username: author.username,
        content,
        audience,
        tag_ids,
        created_at: Timestamp::now(),
        edited_at: None,
    };
    let viewers = fanout::recipients(&post, &connections);
    app.store.create_post(&post, &viewers).await?;
    Ok(post)
}

/// A post, if the caller may see it now; otherwise it does not exist for
/// them (1 GetItem, and 1 more for the author's edge to the caller).
pub async fn visible(app: &App, me: &UserId, id: &PostId) -> Result<PostRecord, ApiError> {
    let post = app
        .store
        .post(id)
        .await?
        .ok_or_else(ApiError::post_not_found)?;
    let edge = if post.author_id == *me || post.audience == Audience::Private {
        None
    } else {
        app.store
            .edge(EdgeOf {
                owner: &post.author_id,
                other: me,
            })
            .await?
    };
    let edge_tags = edge.as_ref().map(|e| e.tag_ids.as_slice());
    match can_see(me, &post.author_id, post.audience, &post.tag_ids, edge_tags) {
        true => Ok(post),
        false => Err(ApiError::post_not_found()),
    }
}

/// Edits the text of one's own post (1 conditional UpdateItem); the
/// audience never changes.
pub async fn edit(
    app: &App,
    me: &UserId,
    id: &PostId,
    content: &str,
) -> Result<PostRecord, ApiError> {
    let content = post_content(content)?;
    app.store
        .edit_post(me, id, &content, Timestamp::now())
        .await?
        .ok_or_else(ApiError::post_not_found)
}

/// Deletes one's own post; it disappears from every feed at once (reads
/// skip it), and its feed entries are removed after.
pub async fn delete(app: &App, me: &UserId, id: &PostId) -> Result<(), ApiError> {
    if !app.store.delete_post(me, id).await? {
        return Err(ApiError::post_not_found());
    }
    fanout::best_effort("remove entries", fanout::withdraw(&app.store, me, id)).await;
    Ok(())
}
