//! Posts: written once for an audience, edited, deleted, read one at a time.

use crate::domain::Timestamp;
use crate::domain::ids::{PostId, UserId};
use crate::domain::social::{Audience, RequestedTags, can_see, post_content, post_tags};
use crate::service::{conversation, fanout, notifications, tags};
use crate::store::{Edge, PostChange, PostRecord};
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
        author_display_name: author.display_name.map(|n| n.as_str().to_owned()),
        content,
        audience,
        tag_ids,
        created_at: Timestamp::now(),
        edited_at: None,
        conversation: Default::default(),
    };
    let viewers = fanout::recipients(&post, &connections);
    app.store.create_post(&post, &viewers).await?;
    Ok(post)
}

/// A post, if the caller may see it now; otherwise it does not exist for
/// them (1 GetItem beside 1 of the caller's reaction, then 1 more for the
/// author's edge to the caller).
pub async fn visible(app: &App, me: &UserId, id: &PostId) -> Result<PostRecord, ApiError> {
    let (post, mine) = tokio::join!(
        conversation::visible(app, me, id),
        app.store.reaction(id, me)
    );
    let mut post = post?;
    post.conversation.mine = mine?.map(|reaction| reaction.kind);
    Ok(post)
}

/// Changes one's own post: its text (1 conditional UpdateItem), its
/// audience, or both. A new audience costs 1 Query of the author's partition
/// (their connections and tags) first, and after the update the feeds are
/// set to match: every viewer's entry written again with the new audience
/// (a widening puts the post in the new viewers' feeds at its original
/// time), and the entries of those who lost it removed, BatchWriteItem per
/// 25, all at once: 3 round trips, ⌈(1 + viewers) / 25⌉ + ⌈lost / 25⌉ + 2
/// requests. A narrowing holds on every read path at once, whatever the
/// feeds hold: each read applies the rule to the post as it is now.
pub async fn change(
    app: &App,
    me: &UserId,
    id: &PostId,
    content: Option<&str>,
    audience: Option<Audience>,
    tag_ids: Option<&[String]>,
) -> Result<PostRecord, ApiError> {
    let content = content.map(post_content).transpose()?;
    let audience = match (audience, tag_ids) {
        (None, None) => None,
        (None, Some(_)) => {
            return Err(ApiError::bad_request(
                "invalid_tag_ids",
                "Field `tag_ids`: send `audience` with them (\"tags\" and the tag ids).",
            ));
        }
        (Some(audience), tag_ids) => {
            let requested =
                RequestedTags::new(tag_ids.unwrap_or_default().iter().map(String::as_str));
            Some((audience, post_tags(audience, requested)?.ids()?))
        }
    };
    if content.is_none() && audience.is_none() {
        return Err(ApiError::bad_request(
            "nothing_to_change",
            "Send `content`, or `audience` (with `tag_ids` for \"tags\"), to change the post.",
        ));
    }
    let connections = match &audience {
        None => None,
        Some((_, tag_ids)) => {
            let (_, connections, own_tags) = app.store.author_context(me).await?;
            tags::all_mine(tag_ids, &own_tags)?;
            Some(connections)
        }
    };
    let change = PostChange { content, audience };
    // The caller's own reaction is read beside the update, for the answer.
    let (changed, mine) = tokio::join!(
        app.store.change_post(me, id, &change, Timestamp::now()),
        app.store.reaction(id, me),
    );
    let (before, mut after) = changed?.ok_or_else(ApiError::post_not_found)?;
    after.conversation.mine = mine?.map(|reaction| reaction.kind);
    if let Some(connections) = connections {
        // Those who commented and may no longer see it lose its
        // notifications, beside the feeds' upkeep.
        let still: Vec<UserId> = fanout::recipients(&after, &connections);
        let lost: Vec<UserId> = after
            .conversation
            .commenters
            .iter()
            .filter(|c| **c != after.author_id && !still.contains(c))
            .cloned()
            .collect();
        tokio::join!(
            fanout::best_effort(
                "audience",
                fanout::readdress(&app.store, &before, &after, &connections),
            ),
            notifications::forget_post(app, id, lost),
        );
    }
    Ok(after)
}

/// Who can see one's own post now: the connections the rule lets through
/// (1 GetItem of the post beside 1 Query of the author's partition, then 1
/// BatchGetItem of their profiles, for their names). To
/// anyone but the author the post's audience does not exist.
pub async fn audience(app: &App, me: &UserId, id: &PostId) -> Result<Vec<Edge>, ApiError> {
    let (post, context) = tokio::join!(app.store.post(id), app.store.author_context(me));
    let post = post?
        .filter(|post| post.author_id == *me)
        .ok_or_else(ApiError::post_not_found)?;
    let (_, connections, _) = context?;
    let mut viewers: Vec<Edge> = connections
        .into_iter()
        .filter(|edge| {
            can_see(
                &edge.other_id,
                me,
                post.audience,
                &post.tag_ids,
                Some(&edge.tag_ids),
            )
        })
        .collect();
    super::graph::named_edges(app, &mut viewers).await?;
    viewers.sort_by(|a, b| a.other_username.as_str().cmp(b.other_username.as_str()));
    Ok(viewers)
}

/// Deletes one's own post; it disappears from every feed at once (reads
/// skip it), and its feed entries, comments, reactions and the
/// notifications about it (its author's and its commenters') are removed
/// after.
pub async fn delete(app: &App, me: &UserId, id: &PostId) -> Result<(), ApiError> {
    let post = app
        .store
        .delete_post(me, id)
        .await?
        .ok_or_else(ApiError::post_not_found)?;
    clear_after(app, &post).await;
    Ok(())
}

/// What goes once `post` is deleted (by its author, or by an operator):
/// its feed entries, its comments and reactions, and the notifications
/// about it.
pub(crate) async fn clear_after(app: &App, post: &PostRecord) {
    let mut told = vec![post.author_id.clone()];
    told.extend(post.conversation.commenters.iter().cloned());
    tokio::join!(
        fanout::best_effort(
            "remove entries",
            fanout::withdraw(&app.store, &post.author_id, &post.id)
        ),
        fanout::best_effort(
            "remove conversation",
            app.store.remove_conversation(&post.id)
        ),
        notifications::forget_post(app, &post.id, told),
    );
}
