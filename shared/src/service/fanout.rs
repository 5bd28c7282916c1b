//! Feed upkeep: fan-out on write and the backfill and clean-up that follow a
//! change of the graph.
//!
//! Feeds are an optimisation, never the authority: every read applies the
//! visibility rule against the current state (`domain::social::can_see`).
//! Keeping feeds close to that rule is what keeps feed pages full in two
//! requests. A failure here is logged and leaves correctness intact.

use crate::domain::ids::{PostId, TagId, UserId};
use crate::domain::social::{Audience, can_see};
use crate::store::{Edge, PostRecord, Store, StoreError};

/// How many of an author's most recent posts a backfill considers.
pub const BACKFILL_POSTS: usize = 100;

/// Who gets a new post in their feed: every connection for `connections`,
/// the connections tagged with one of its tags for `tags`, nobody for
/// `private` (the author's own feed entry is always written).
pub fn recipients(post: &PostRecord, connections: &[Edge]) -> Vec<UserId> {
    connections
        .iter()
        .filter(|edge| match post.audience {
            Audience::Connections => true,
            Audience::Tags => post.tag_ids.iter().any(|t| edge.tag_ids.contains(t)),
            Audience::Private => false,
        })
        .map(|edge| edge.other_id.clone())
        .collect()
}

/// Gives `viewer` the posts of `author` they may now see (after connecting,
/// or after `author` tagged them): 1 Query + BatchWriteItem per 25, 2 deep.
pub async fn backfill(
    store: &Store,
    viewer: &UserId,
    author: &UserId,
    author_tags_on_viewer: &[TagId],
) -> Result<usize, StoreError> {
    let posts = posts_to_backfill(store, viewer, author, author_tags_on_viewer).await;
    give(store, viewer, posts).await
}

/// The read half of [`backfill`] (1 Query): what `viewer` may see of
/// `author`'s recent posts. It does not depend on the change it follows, so
/// a caller runs it beside that change's transaction and calls [`give`] once
/// the change has committed: one round trip less.
pub async fn posts_to_backfill(
    store: &Store,
    viewer: &UserId,
    author: &UserId,
    author_tags_on_viewer: &[TagId],
) -> Result<Vec<PostRecord>, StoreError> {
    let page = store
        .posts_by_author(author, None, BACKFILL_POSTS, Some(author_tags_on_viewer))
        .await?;
    Ok(page
        .items
        .into_iter()
        .filter(|post| {
            can_see(
                viewer,
                author,
                post.audience,
                &post.tag_ids,
                Some(author_tags_on_viewer),
            )
        })
        .collect())
}

/// The write half of [`backfill`]: BatchWriteItem per 25, all at once.
pub async fn give(
    store: &Store,
    viewer: &UserId,
    posts: Result<Vec<PostRecord>, StoreError>,
) -> Result<usize, StoreError> {
    let posts = posts?;
    store.add_feed_entries(viewer, &posts).await?;
    Ok(posts.len())
}

/// Removes from `viewer`'s feed the posts of `author` they may no longer see
/// (after disconnecting: `now_tags` is `None`; after untagging: the author's
/// current tags on them). 1 Query + BatchWriteItem per 25, 2 deep.
pub async fn prune(
    store: &Store,
    viewer: &UserId,
    author: &UserId,
    now_tags: Option<&[TagId]>,
) -> Result<usize, StoreError> {
    let stale = stale_entries(store, viewer, author, now_tags).await;
    take_away(store, viewer, stale).await
}

/// The read half of [`prune`] (1 Query): the post ids of `author` in
/// `viewer`'s feed that the rule no longer lets them see.
pub async fn stale_entries(
    store: &Store,
    viewer: &UserId,
    author: &UserId,
    now_tags: Option<&[TagId]>,
) -> Result<Vec<PostId>, StoreError> {
    Ok(store
        .feed_entries_by(viewer, author)
        .await?
        .into_iter()
        .filter(|entry| !can_see(viewer, author, entry.audience, &entry.tag_ids, now_tags))
        .map(|entry| entry.post_id)
        .collect())
}

/// The write half of [`prune`]: BatchWriteItem per 25, all at once.
pub async fn take_away(
    store: &Store,
    viewer: &UserId,
    stale: Result<Vec<PostId>, StoreError>,
) -> Result<usize, StoreError> {
    let stale = stale?;
    store.remove_entries_from_feed(viewer, &stale).await?;
    Ok(stale.len())
}

/// [`stale_entries`] for many viewers of one author (each with the tags the
/// author keeps on them), up to [`crate::store::REQUESTS_IN_FLIGHT`] Queries
/// at once.
pub async fn stale_entries_of(
    store: &Store,
    author: &UserId,
    viewers: &[(&UserId, Vec<TagId>)],
) -> Result<Vec<(UserId, Vec<PostId>)>, StoreError> {
    use futures::{StreamExt, TryStreamExt};
    let viewers: Vec<(UserId, Vec<TagId>)> = viewers
        .iter()
        .map(|(viewer, tags)| ((*viewer).clone(), tags.clone()))
        .collect();
    futures::stream::iter(viewers)
        .map(|(viewer, now_tags)| async move {
            let stale = stale_entries(store, &viewer, author, Some(&now_tags)).await?;
            Ok::<_, StoreError>((viewer, stale))
        })
        .buffer_unordered(crate::store::REQUESTS_IN_FLIGHT)
        .try_collect()
        .await
}

/// [`take_away`] for many viewers: every deletion at once, in batches of 25
/// per viewer.
pub async fn take_away_all(
    store: &Store,
    stale: Result<Vec<(UserId, Vec<PostId>)>, StoreError>,
) -> Result<usize, StoreError> {
    use futures::{StreamExt, TryStreamExt};
    let counts: Vec<usize> = futures::stream::iter(stale?)
        .map(|(viewer, posts)| async move { take_away(store, &viewer, Ok(posts)).await })
        .buffer_unordered(crate::store::BATCHES_IN_FLIGHT)
        .try_collect()
        .await?;
    Ok(counts.into_iter().sum())
}

/// Sets the feeds to a post's new audience: every viewer's entry (and the
/// author's) written again with it, so that later upkeep (a prune after
/// untagging) judges the entry by the audience the post has now, and the
/// entries of the viewers it no longer reaches removed. BatchWriteItem per
/// 25, all at once.
pub async fn readdress(
    store: &Store,
    before: &PostRecord,
    after: &PostRecord,
    connections: &[Edge],
) -> Result<(), StoreError> {
    let viewers = recipients(after, connections);
    let lost: Vec<UserId> = recipients(before, connections)
        .into_iter()
        .filter(|viewer| !viewers.contains(viewer))
        .collect();
    let mut addressed = viewers;
    addressed.push(after.author_id.clone());
    let (written, removed) = tokio::join!(
        store.write_feed_entries(after, &addressed),
        store.remove_feed_entries(&after.id, &lost),
    );
    written.and(removed)
}

/// Removes a deleted post's entries from its author's feed and from every
/// connection's (1 Query of the connections, then BatchWriteItem per 25, all
/// at once). Reads already skip a deleted post; this keeps pages full.
pub async fn withdraw(store: &Store, author: &UserId, post_id: &PostId) -> Result<(), StoreError> {
    let mut viewers: Vec<UserId> = store
        .connections(author)
        .await?
        .into_iter()
        .map(|edge| edge.other_id)
        .collect();
    viewers.push(author.clone());
    store.remove_feed_entries(post_id, &viewers).await
}

/// Runs a follow-up whose failure must not fail the request that committed
/// the change: logged, and the read-time rule keeps what people see right.
pub async fn best_effort<T>(
    what: &str,
    work: impl std::future::Future<Output = Result<T, StoreError>>,
) {
    if let Err(error) = work.await {
        tracing::warn!(%error, task = what, "feed upkeep failed; reads stay correct");
    }
}
