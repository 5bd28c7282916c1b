//! Feed upkeep: fan-out on write and the backfill and clean-up that follow a
//! change of the graph.
//!
//! Feeds are an optimisation, never the authority: every read applies the
//! visibility rule against the current state (`domain::social::can_see`).
//! Keeping feeds close to that rule is what keeps feed pages full in two
//! requests. A failure here is logged and leaves correctness intact.

use crate::domain::social::{Audience, can_see};
use crate::store::{PostRecord, Store, StoreError};

/// How many of an author's most recent posts a backfill considers.
pub const BACKFILL_POSTS: usize = 100;

/// Who gets a new post in their feed: every connection for `connections`,
/// the connections tagged with one of its tags for `tags`, nobody for
/// `private` (the author's own feed entry is always written).
pub fn recipients(post: &PostRecord, connections: &[crate::store::Edge]) -> Vec<String> {
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
/// or after `author` tagged them): 1 Query + BatchWriteItem per 25.
pub async fn backfill(
    store: &Store,
    viewer: &str,
    author: &str,
    author_tags_on_viewer: &[String],
) -> Result<usize, StoreError> {
    let page = store
        .posts_by_author(author, None, BACKFILL_POSTS, Some(author_tags_on_viewer))
        .await?;
    let visible: Vec<PostRecord> = page
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
        .collect();
    store.add_feed_entries(viewer, &visible).await?;
    Ok(visible.len())
}

/// Removes from `viewer`'s feed the posts of `author` they may no longer see
/// (after disconnecting: `now_tags` is `None`; after untagging: the author's
/// current tags on them). 1 Query + BatchWriteItem per 25.
pub async fn prune(
    store: &Store,
    viewer: &str,
    author: &str,
    now_tags: Option<&[String]>,
) -> Result<usize, StoreError> {
    let stale: Vec<String> = store
        .feed_entries_by(viewer, author)
        .await?
        .into_iter()
        .filter(|entry| !can_see(viewer, author, entry.audience, &entry.tag_ids, now_tags))
        .map(|entry| entry.post_id)
        .collect();
    store.remove_entries_from_feed(viewer, &stale).await?;
    Ok(stale.len())
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
