//! A person's data export, served in parts (`GET /api/account/export`).
//!
//! Each part is one round of reads after its rate count: the person's
//! profile every time (an account deleted meanwhile exports nothing more),
//! the short lists in the first part, and the next page of each long list
//! that is not finished (posts, comments, reactions), each cut to a byte
//! budget so that a part stays far below Lambda's 6 MB response limit
//! whatever the text holds. The position travels in the signed cursor:
//! the server keeps no export state.
//!
//! Requests: the first part 1 UpdateItem (the count), then at most 10 at
//! once (GetItem profile; Queries of connections, requests each way,
//! blocks, invitations, tags, and one page each of posts, comments and
//! reactions): 11, 2 deep.
//! A later part at most 1 + 5 (profile, tags while posts remain, and the
//! unfinished lists), 2 deep.

use std::collections::BTreeMap;
use std::io;

use serde::Serialize;

use super::accounts::rule;
use crate::api::export::{
    ExportBlock, ExportComment, ExportConnection, ExportInvitation, ExportPart, ExportPost,
    ExportReaction, ExportRequest, ExportRequests, ExportSettings,
};
use crate::api::{Tag, User};
use crate::domain::Timestamp;
use crate::domain::export::{
    Budget, COMMENTS_BUDGET, ExportPosition, FORMAT, ITEMS_PER_QUERY, ListPosition, POSTS_BUDGET,
    REACTIONS_BUDGET, VERSION,
};
use crate::domain::ids::{TagId, UserId};
use crate::domain::social::Cursors;
use crate::store::{Page, StoreError};
use crate::{ApiError, App, rate_limit};

/// The list name export cursors are bound to.
const LIST: &str = "export";

/// The part of `me`'s export that `cursor` asks for (the first without).
/// Counted against the account's export limit, part by part: what a part
/// costs is its reads.
pub async fn export_part(
    app: &App,
    me: &UserId,
    cursor: Option<&str>,
) -> Result<ExportPart, ApiError> {
    let now = Timestamp::now();
    let cursors = Cursors::new(app.keys.cursor_key());
    let position = match cursor {
        None => ExportPosition::start(now),
        Some(cursor) => ExportPosition::decode(&cursors.decode(me.as_str(), LIST, cursor)?, now)?,
    };
    let limit = app.config.rate_limits.export_parts_per_account;
    rate_limit::count(&app.store, rule("export", limit), me.as_str()).await?;

    let store = &app.store;
    let first = position.is_first();
    let short_lists = async {
        if !first {
            return Ok(None);
        }
        let (connections, incoming, outgoing, blocks, invitations) = tokio::try_join!(
            store.connections(me),
            store.requests(me, true),
            store.requests(me, false),
            store.blocks(me),
            store.invitations(me, Timestamp::now()),
        )?;
        Ok::<_, StoreError>(Some((connections, incoming, outgoing, blocks, invitations)))
    };
    let tags = async {
        if first || !position.posts.is_done() {
            store.tags(me).await.map(Some)
        } else {
            Ok(None)
        }
    };
    let posts = async {
        match &position.posts {
            ListPosition::Done => Ok(None),
            list => store
                .posts_by_author(me, list.before(), ITEMS_PER_QUERY, None)
                .await
                .map(Some),
        }
    };
    let comments = async {
        match &position.comments {
            ListPosition::Done => Ok(None),
            list => store
                .comments_by_author(me, list.before(), ITEMS_PER_QUERY)
                .await
                .map(Some),
        }
    };
    let reactions = async {
        match &position.reactions {
            ListPosition::Done => Ok(None),
            list => store
                .reactions_by_user(me, list.before(), ITEMS_PER_QUERY)
                .await
                .map(Some),
        }
    };
    let (profile, short_lists, tags, posts, comments, reactions) = tokio::try_join!(
        store.user(me),
        short_lists,
        tags,
        posts,
        comments,
        reactions
    )?;
    // Deleted since the token was issued: nothing more of it goes out.
    let profile = profile.ok_or_else(ApiError::unauthenticated)?;

    let tags = tags.unwrap_or_default();
    let tag_names: BTreeMap<TagId, String> = tags
        .iter()
        .map(|tag| (tag.id.clone(), tag.name.as_str().to_owned()))
        .collect();
    let mut next = position.clone();
    let posts = posts.map(|page| {
        let page = page_map(page, |post| post.id.as_str().to_owned());
        let (items, after) = fill(page, POSTS_BUDGET, |post| ExportPost::new(post, &tag_names));
        next.posts = after;
        items
    });
    let comments = comments.map(|page| {
        let page = page_map(page, |comment| comment.id.as_str().to_owned());
        let (items, after) = fill(page, COMMENTS_BUDGET, ExportComment::from);
        next.comments = after;
        items
    });
    let reactions = reactions.map(|page| {
        let page = page_map(page, |(post, _)| post.as_str().to_owned());
        let (items, after) = fill(page, REACTIONS_BUDGET, |(post, reaction)| {
            ExportReaction::new(post, reaction)
        });
        next.reactions = after;
        items
    });
    let mut part = ExportPart {
        format: FORMAT,
        version: VERSION,
        exported_at: position.exported_at.to_rfc3339(),
        profile: None,
        settings: None,
        tags: None,
        connections: None,
        requests: None,
        blocks: None,
        invitations: None,
        posts,
        comments,
        reactions,
        next_cursor: (!next.is_done()).then(|| cursors.encode(me.as_str(), LIST, &next.encode())),
    };
    if let Some((connections, incoming, outgoing, blocks, invitations)) = short_lists {
        part.blocks = Some(blocks.into_iter().map(ExportBlock::from).collect());
        part.invitations = Some(
            invitations
                .into_iter()
                .map(ExportInvitation::from)
                .collect(),
        );
        part.settings = Some(ExportSettings {
            email: profile.email_settings,
        });
        part.profile = Some(User::from(profile));
        part.connections = Some(
            connections
                .into_iter()
                .map(|edge| ExportConnection::new(edge, &tag_names))
                .collect(),
        );
        part.requests = Some(ExportRequests {
            incoming: incoming.into_iter().map(ExportRequest::from).collect(),
            outgoing: outgoing.into_iter().map(ExportRequest::from).collect(),
        });
        part.tags = Some(tags.into_iter().map(Tag::from).collect());
    }
    tracing::info!(
        event = "export_part",
        user_id = %me,
        first,
        last = part.next_cursor.is_none(),
        "export part served"
    );
    Ok(part)
}

/// A page's items with the GSI1 sort key each sorts by (where a list
/// continues after it).
fn page_map<T>(
    page: Page<T>,
    sort_key: impl Fn(&T) -> String,
) -> (Vec<(String, T)>, Option<String>) {
    let items = page
        .items
        .into_iter()
        .map(|item| (sort_key(&item), item))
        .collect();
    (items, page.next)
}

/// As many of `items` as `budget` JSON bytes hold (at least one), and
/// where the list continues: before the last one taken if the budget ran
/// out, else where the Query stopped, else nowhere (done).
fn fill<T, U: Serialize>(
    (items, next): (Vec<(String, T)>, Option<String>),
    budget: usize,
    shape: impl Fn(T) -> U,
) -> (Vec<U>, ListPosition) {
    let mut budget = Budget::new(budget);
    let mut taken = Vec::new();
    let mut last = None;
    for (sort_key, item) in items {
        let item = shape(item);
        if !budget.take(json_size(&item)) {
            let before = last.expect("a budget always takes the first item");
            return (taken, ListPosition::Before(before));
        }
        taken.push(item);
        last = Some(sort_key);
    }
    let after = match next {
        Some(key) => ListPosition::Before(key),
        None => ListPosition::Done,
    };
    (taken, after)
}

/// The bytes `value` takes as JSON, without building the string.
fn json_size(value: &impl Serialize) -> usize {
    struct Count(usize);
    impl io::Write for Count {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.0 += bytes.len();
            Ok(bytes.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    // Writing to a counter cannot fail, and these types always serialise.
    let _ = serde_json::to_writer(&mut count, value);
    count.0
}
