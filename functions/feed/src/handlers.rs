//! Request handlers for the `feed` group.

use std::collections::HashSet;

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;

use shared::api::{ErrorBody, Post, PostPage, known_id};
use shared::domain::social::{Cursors, can_see, page_size};
use shared::http::{CurrentUser, QueryParams};
use shared::{ApiError, App};

/// Rounds of (Query + BatchGetItem) before a short page is returned: only
/// entries that became invisible since they were written cost a round, and
/// feed upkeep removes those.
const MAX_ROUNDS: usize = 4;

/// Entries a tag-filtered round reads. DynamoDB applies the author filter
/// after its page limit, so a Query limited to the page size returns only
/// the matches among that many entries, and a filter on a third of one's
/// connections then took every round there is (8 requests one after
/// another). Reading this many entries per round fills a page in one round
/// when a few percent of the feed matches, for a few read units: the extra
/// matches are cut off, and the cursor resumes after the last one kept.
const FILTERED_ROUND_ENTRIES: usize = 100;

/// `GET /api/feed` parameters.
#[derive(Deserialize, IntoParams)]
pub struct FeedParams {
    /// Comma-separated ids of the caller's tags: only posts by connections the
    /// caller tagged with one of them.
    pub tag_ids: Option<String>,
    /// 1–50, default 20.
    pub limit: Option<usize>,
    /// From the previous page's `next_cursor`.
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
    let me = caller.user_id.as_str();
    let limit = page_size(params.limit)?;

    // The tag filter: which authors it lets through.
    let mut filter: Vec<String> = params
        .tag_ids
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    filter.sort();
    filter.dedup();
    let tag_not_found =
        || ApiError::not_found("tag_not_found", "One of these tags does not exist.");
    let authors: Option<Vec<String>> = if filter.is_empty() {
        None
    } else {
        for id in &filter {
            known_id(id, tag_not_found())?;
        }
        let (_, edges, tags) = app.store.author_context(me).await?;
        if filter.iter().any(|id| !tags.iter().any(|t| &t.id == id)) {
            return Err(tag_not_found());
        }
        Some(
            edges
                .into_iter()
                .filter(|edge| edge.tag_ids.iter().any(|t| filter.contains(t)))
                .map(|edge| edge.other_id)
                .collect(),
        )
    };
    let list = format!("feed:{}", filter.join(","));
    let cursors = Cursors::new(app.keys.cursor_key());
    let mut before = params
        .cursor
        .as_deref()
        .map(|c| cursors.decode(me, &list, c))
        .transpose()?;

    let mut posts = Vec::with_capacity(limit);
    let mut more = true;
    if authors.as_ref().is_some_and(Vec::is_empty) {
        more = false; // nobody carries these tags
    }
    for _ in 0..MAX_ROUNDS {
        if !more || posts.len() >= limit {
            break;
        }
        let wanted = limit - posts.len();
        let reading = match authors {
            Some(_) => wanted.max(FILTERED_ROUND_ENTRIES),
            None => wanted,
        };
        let mut page = app
            .store
            .feed_page(me, before.as_deref(), reading, authors.as_deref())
            .await?;
        if page.items.len() > wanted {
            page.items.truncate(wanted);
            // Entries are keyed by post id (a ULID): the next page starts
            // below the last one kept.
            page.next = page.items.last().map(|entry| entry.post_id.clone());
        }
        more = page.next.is_some();
        before = page.next.or(before);
        if page.items.is_empty() {
            continue;
        }
        let post_ids: Vec<String> = page.items.iter().map(|e| e.post_id.clone()).collect();
        let others: HashSet<String> = page
            .items
            .iter()
            .filter(|e| e.author_id != me)
            .map(|e| e.author_id.clone())
            .collect();
        let (mut found, edges) = app.store.posts_and_edges(&post_ids, &others, me).await?;
        for entry in &page.items {
            // Deleted posts are simply gone.
            let Some(post) = found.remove(&entry.post_id) else {
                continue;
            };
            let edge_tags = edges.get(&post.author_id).map(|e| e.tag_ids.as_slice());
            if can_see(me, &post.author_id, post.audience, &post.tag_ids, edge_tags) {
                posts.push(Post::for_caller(post, me));
            }
        }
    }
    let next_cursor = match (more, before) {
        (true, Some(position)) => Some(cursors.encode(me, &list, &position)),
        _ => None,
    };
    Ok(Json(PostPage { posts, next_cursor }))
}
