//! Reading posts: the feed, one person's posts, one's own. Every page applies
//! the visibility rule against the current state, whatever the feed holds.

use std::collections::HashSet;
use std::future::Future;

use super::Listing;
use crate::domain::ids::{PostId, UserId, strings};
use crate::domain::social::{Pager, RequestedTags, can_see};
use crate::store::{EdgeOf, PostRecord, StoreError};
use crate::{ApiError, App};

/// Rounds of reads before a short page is returned: only entries that became
/// invisible since they were written cost a round, and feed upkeep removes
/// those. A person's posts filter by audience in DynamoDB, after its page
/// limit, so those pages may need a few rounds too.
const MAX_ROUNDS: usize = 4;

/// Entries a tag-filtered feed round reads. DynamoDB applies the author
/// filter after its page limit, so a Query limited to the page size returns
/// only the matches among that many entries, and a filter on a third of
/// one's connections then took every round there is (8 requests one after
/// another). Reading this many entries per round fills a page in one round
/// when a few percent of the feed matches, for a few read units: the extra
/// matches are cut off, and the cursor resumes after the last one kept.
const FILTERED_ROUND_ENTRIES: usize = 100;

/// Fills a page of `limit` posts from rounds of reads, each given where to
/// start and how many posts are still wanted, and returning the visible
/// posts it found and where the next round starts (`None` at the end).
/// Returns the posts and the position the next page starts before, if there
/// may be more.
async fn fill_page<F, Fut>(
    limit: usize,
    mut before: Option<String>,
    mut round: F,
) -> Result<(Vec<PostRecord>, Option<String>), StoreError>
where
    F: FnMut(Option<String>, usize) -> Fut,
    Fut: Future<Output = Result<(Vec<PostRecord>, Option<String>), StoreError>>,
{
    let mut posts = Vec::with_capacity(limit);
    let mut more = true;
    for _ in 0..MAX_ROUNDS {
        if !more || posts.len() >= limit {
            break;
        }
        let (found, next) = round(before.clone(), limit - posts.len()).await?;
        more = next.is_some();
        before = next.or(before);
        posts.extend(found);
    }
    Ok((posts, if more { before } else { None }))
}

/// The caller's feed, optionally only the posts of the connections they
/// tagged with one of `tag_filter` (comma-separated tag ids). Unfiltered, a
/// page costs 2 DynamoDB requests whatever the number of connections: 1
/// Query of the caller's feed partition and 1 BatchGetItem of the posts and
/// of their authors' current edges to the caller, against which the rule is
/// applied (with the caller's own reactions: a default page of 20 is 1
/// BatchGetItem; 50 posts need 2, sent at once). The filter adds 1 Query of
/// the caller's partition.
pub async fn feed(
    app: &App,
    me: &UserId,
    tag_filter: Option<&str>,
    limit: Option<usize>,
    cursor: Option<&str>,
) -> Result<Listing<PostRecord>, ApiError> {
    let raw = tag_filter.unwrap_or_default().split(',').map(str::trim);
    let filter = RequestedTags::new(raw.filter(|s| !s.is_empty())).ids()?;
    let list = format!("feed:{}", strings(&filter).join(","));
    let pager = Pager::open(app.keys.cursor_key(), me, list, limit, cursor)?;
    // The tag filter: which authors it lets through.
    let authors: Option<Vec<UserId>> = if filter.is_empty() {
        None
    } else {
        let (_, edges, tags) = app.store.author_context(me).await?;
        super::tags::all_mine(&filter, &tags)?;
        let tagged = edges
            .into_iter()
            .filter(|edge| edge.tag_ids.iter().any(|t| filter.contains(t)));
        Some(tagged.map(|edge| edge.other_id).collect())
    };
    if authors.as_ref().is_some_and(Vec::is_empty) {
        return Ok(Listing::empty()); // nobody carries these tags
    }
    let authors = authors.as_deref();
    let (posts, last) = fill_page(pager.limit, pager.start.clone(), |before, wanted| {
        feed_round(app, me, authors, before, wanted)
    })
    .await?;
    Ok(Listing {
        items: posts,
        next_cursor: pager.next_cursor(last.as_deref()),
    })
}

/// One round of [`feed`]: a Query of feed entries, then one BatchGetItem of
/// their posts and their authors' edges to the caller.
async fn feed_round(
    app: &App,
    me: &UserId,
    authors: Option<&[UserId]>,
    before: Option<String>,
    wanted: usize,
) -> Result<(Vec<PostRecord>, Option<String>), StoreError> {
    let reading = match authors {
        Some(_) => wanted.max(FILTERED_ROUND_ENTRIES),
        None => wanted,
    };
    let mut page = app
        .store
        .feed_page(me, before.as_deref(), reading, authors)
        .await?;
    if page.items.len() > wanted {
        page.items.truncate(wanted);
        // Entries are keyed by post id (a ULID): the next page starts below
        // the last one kept.
        page.next = page.items.last().map(|entry| entry.post_id.to_string());
    }
    if page.items.is_empty() {
        return Ok((Vec::new(), page.next));
    }
    let post_ids: Vec<PostId> = page.items.iter().map(|e| e.post_id.clone()).collect();
    let others: HashSet<UserId> = page
        .items
        .iter()
        .filter(|e| e.author_id != *me)
        .map(|e| e.author_id.clone())
        .collect();
    let named: HashSet<UserId> = page.items.iter().map(|e| e.author_id.clone()).collect();
    let (mut found, edges, names) = app
        .store
        .posts_and_edges(&post_ids, &others, &named, me)
        .await?;
    let mut visible = Vec::with_capacity(page.items.len());
    for entry in &page.items {
        // Deleted posts are simply gone, and so is everything of a deleted
        // account, whatever its clean-up has reached.
        let Some(mut post) = found.remove(&entry.post_id) else {
            continue;
        };
        let edge_tags = edges.get(&post.author_id).map(|e| e.tag_ids.as_slice());
        if names.exists(&post.author_id)
            && can_see(me, &post.author_id, post.audience, &post.tag_ids, edge_tags)
        {
            post.author_display_name = names.display_name(&post.author_id);
            visible.push(post);
        }
    }
    Ok((visible, page.next))
}

/// A person's posts that the caller may see, newest first: all of one's own;
/// of a connection, their `connections` posts and the `tags` posts naming a
/// tag they have on the caller now; of anyone else, none (1 GetItem of the
/// edge, then 1 Query per round, then 1 BatchGetItem of the caller's
/// reactions to the page; 1 more BatchGetItem when not connected, to tell
/// a stranger from nobody, and from someone who blocked the caller).
pub async fn posts_of(
    app: &App,
    me: &UserId,
    author: &UserId,
    limit: Option<usize>,
    cursor: Option<&str>,
) -> Result<Listing<PostRecord>, ApiError> {
    let list = format!("user:{author}");
    let pager = Pager::open(app.keys.cursor_key(), me, list, limit, cursor)?;
    let filter = if author == me {
        None
    } else {
        // The author's edge to the caller with the author's profile and the
        // blocks between them, in one BatchGetItem: someone who blocked the
        // caller, or whom an operator suspended, is not there for them.
        let edge = EdgeOf {
            owner: author,
            other: me,
        };
        let (edge, names) = app
            .store
            .edge_and_names(Some(edge), me, author, [author])
            .await?;
        if !names.exists(author) {
            return Err(ApiError::user_not_found());
        }
        match edge {
            Some(edge) => Some(edge.tag_ids),
            // Not connected: nothing to see.
            None => return Ok(Listing::empty()),
        }
    };
    let filter = filter.as_deref();
    let (posts, last) = fill_page(
        pager.limit,
        pager.start.clone(),
        |before, wanted| async move {
            let page = app
                .store
                .posts_by_author(author, before.as_deref(), wanted, filter)
                .await?;
            Ok((page.items, page.next))
        },
    )
    .await?;
    let mut posts = posts;
    app.store.with_my_reactions(me, &mut posts).await?;
    Ok(Listing {
        items: posts,
        next_cursor: pager.next_cursor(last.as_deref()),
    })
}

/// The caller's own posts, newest first, with their audiences (1 Query, then
/// 1 BatchGetItem of the caller's reactions to them).
pub async fn my_posts(
    app: &App,
    me: &UserId,
    limit: Option<usize>,
    cursor: Option<&str>,
) -> Result<Listing<PostRecord>, ApiError> {
    let pager = Pager::open(app.keys.cursor_key(), me, "mine".into(), limit, cursor)?;
    let mut page = app
        .store
        .posts_by_author(me, pager.start.as_deref(), pager.limit, None)
        .await?;
    app.store.with_my_reactions(me, &mut page.items).await?;
    Ok(Listing {
        next_cursor: pager.next_cursor(page.next.as_deref()),
        items: page.items,
    })
}
