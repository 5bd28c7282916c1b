//! The graph: asking to connect, accepting, declining, disconnecting, and the
//! caller's tags on a connection. Each change keeps both feeds close to the
//! visibility rule (see [`fanout`]).

use crate::domain::Timestamp;
use crate::domain::ids::{TagId, UserId};
use crate::domain::social::{Audience, MAX_TAGS, RequestedTags};
use crate::service::{fanout, notifications};
use crate::store::{Edge, EdgeOf, PendingRequest, RequestError, UserRecord};
use crate::{ApiError, App};

/// What asking someone to connect did.
#[derive(Debug)]
pub enum Asked {
    /// The request waits for their answer.
    Pending,
    /// They had asked the caller already: now connected (mutual requests
    /// connect).
    Connected(Edge),
}

/// Asks `other` to connect (1 BatchGetItem of both profiles, 1
/// TransactWriteItems), or connects at once when they had asked already.
pub async fn ask(app: &App, me: &UserId, other: &UserId) -> Result<Asked, ApiError> {
    someone_else(me, other)?;
    let (me, other) = both(app, me, other, ApiError::user_not_found).await?;
    if other.suspended {
        return Err(ApiError::user_not_found());
    }
    let max = app.config.max_connections;
    let notice = notifications::request_notice(&me, &other);
    // The notice's note beside the transaction (a note of a request that
    // was refused is harmless and expires).
    let (sent, noted) = tokio::join!(
        app.store.send_request(&me, &other, max, Timestamp::now()),
        app.store.note_notice_sent(&notice),
    );
    match sent {
        Ok(()) => {
            notifications::asked(app, notice, noted, &me, &other).await;
            Ok(Asked::Pending)
        }
        Err(RequestError::TheyAsked) => Ok(Asked::Connected(connect(app, &me, &other).await?)),
        Err(error) => Err(error.into()),
    }
}

/// `400` for a request or a connection with oneself, which cannot exist:
/// bad input, answered before the store is asked (a transaction naming one
/// item twice is refused by DynamoDB).
pub(crate) fn someone_else(me: &UserId, other: &UserId) -> Result<(), ApiError> {
    if me == other {
        return Err(ApiError::bad_request(
            "cannot_connect_to_self",
            "You cannot connect with yourself, so there is no request or connection with yourself \
             to act on. Use another person's id.",
        ));
    }
    Ok(())
}

/// Accepts `requester`'s request to the caller: connected, both under the
/// cap, both feeds backfilled.
pub async fn accept(app: &App, me: &UserId, requester: &UserId) -> Result<Edge, ApiError> {
    someone_else(me, requester)?;
    let (me, requester) = both(app, me, requester, ApiError::request_not_found).await?;
    if requester.suspended {
        return Err(ApiError::request_not_found());
    }
    connect(app, &me, &requester).await
}

/// The caller's and the other person's profiles (1 BatchGetItem).
pub(crate) async fn both(
    app: &App,
    me: &UserId,
    other: &UserId,
    missing: fn() -> ApiError,
) -> Result<(UserRecord, UserRecord), ApiError> {
    let mut users = app.store.users(&[me, other]).await?;
    let me = users.remove(me).ok_or_else(ApiError::unauthenticated)?;
    let other = users.remove(other).ok_or_else(missing)?;
    Ok((me, other))
}

/// Accepts `requester`'s request to `me`, then backfills both feeds.
async fn connect(app: &App, me: &UserRecord, requester: &UserRecord) -> Result<Edge, ApiError> {
    let now = Timestamp::now();
    // A new connection sees the other's earlier posts the rule allows. What
    // those are does not depend on the accept, so both reads run beside its
    // transaction, and both feeds are written at once after it commits:
    // 3 round trips in all (profiles, transaction + reads, writes).
    // The acceptance notice's note goes beside them too.
    let notice = notifications::acceptance_notice(me, requester);
    let (accepted, for_me, for_them, noted) = tokio::join!(
        app.store
            .accept_request(me, requester, app.config.max_connections, now),
        fanout::posts_to_backfill(&app.store, &me.id, &requester.id, &[]),
        fanout::posts_to_backfill(&app.store, &requester.id, &me.id, &[]),
        app.store.note_notice_sent(&notice),
    );
    accepted?;
    // Their request was answered: they hear of it beside the backfills.
    tokio::join!(
        fanout::best_effort("backfill", fanout::give(&app.store, &me.id, for_me)),
        fanout::best_effort(
            "backfill",
            fanout::give(&app.store, &requester.id, for_them)
        ),
        notifications::accepted(app, notice, noted, me, requester),
    );
    Ok(Edge {
        other_id: requester.id.clone(),
        other_username: requester.username.clone(),
        other_display_name: requester
            .display_name
            .as_ref()
            .map(|n| n.as_str().to_owned()),
        connected_at: now,
        tag_ids: Vec::new(),
    })
}

/// The caller's pending requests in one direction, newest first, with the
/// other people's names (1 Query, then 1 BatchGetItem of their profiles:
/// the cap keeps it one).
pub async fn requests(
    app: &App,
    me: &UserId,
    incoming: bool,
) -> Result<Vec<PendingRequest>, ApiError> {
    let mut requests = app.store.requests(me, incoming).await?;
    let names = app
        .store
        .names(requests.iter().map(|r| &r.other_id))
        .await?;
    requests.retain(|r| names.exists(&r.other_id));
    for request in &mut requests {
        request.other_display_name = names.display_name(&request.other_id);
    }
    requests.sort_by_key(|r| std::cmp::Reverse(r.created_at));
    Ok(requests)
}

/// Declines an incoming request or cancels an outgoing one.
pub async fn remove_request(app: &App, me: &UserId, other: &UserId) -> Result<(), ApiError> {
    someone_else(me, other)?;
    match app.store.remove_request(me, other).await? {
        true => Ok(()),
        false => Err(ApiError::request_not_found()),
    }
}

/// The caller's connections, most recent first, with their names (1 Query,
/// then 1 BatchGetItem of their profiles: the cap keeps it one).
pub async fn connections(app: &App, me: &UserId) -> Result<Vec<Edge>, ApiError> {
    let mut edges = app.store.connections(me).await?;
    named_edges(app, &mut edges).await?;
    edges.sort_by(|a, b| {
        b.connected_at
            .cmp(&a.connected_at)
            .then(a.other_username.as_str().cmp(b.other_username.as_str()))
    });
    Ok(edges)
}

/// The other people's names set on `edges`, and the edges to accounts being
/// deleted left out (1 BatchGetItem; none for no edges).
pub(crate) async fn named_edges(app: &App, edges: &mut Vec<Edge>) -> Result<(), ApiError> {
    let names = app.store.names(edges.iter().map(|e| &e.other_id)).await?;
    edges.retain(|e| names.exists(&e.other_id));
    for edge in edges {
        edge.other_display_name = names.display_name(&edge.other_id);
    }
    Ok(())
}

/// Ends a connection on both sides; neither sees the other's posts any
/// more, and both feeds lose the other's entries (3 round trips:
/// transaction, reads, writes).
pub async fn disconnect(app: &App, me: &UserId, other: &UserId) -> Result<(), ApiError> {
    someone_else(me, other)?;
    if !app.store.disconnect(me, other).await? {
        return Err(ApiError::connection_not_found());
    }
    tokio::join!(
        fanout::best_effort("prune", fanout::prune(&app.store, me, other, None)),
        fanout::best_effort("prune", fanout::prune(&app.store, other, me, None)),
        notifications::forget_unseen_under(app, me, other, None),
        notifications::forget_unseen_under(app, other, me, None),
    );
    Ok(())
}

/// Replaces the caller's tags on a connection (at most [`MAX_TAGS`], each
/// one of theirs). The other person's feed follows: posts they may now see
/// come in, posts they may no longer see go. Both reads run beside the
/// transaction, the writes after it commits: 3 round trips (edge,
/// transaction + reads, writes).
pub async fn set_tags(
    app: &App,
    me: &UserId,
    other: &UserId,
    tag_ids: &[String],
) -> Result<Edge, ApiError> {
    someone_else(me, other)?;
    let tag_ids: Vec<TagId> = RequestedTags::new(tag_ids.iter().map(String::as_str))
        .at_most(MAX_TAGS)?
        .ids()?;
    let before = app
        .store
        .edge(EdgeOf { owner: me, other })
        .await?
        .ok_or_else(ApiError::connection_not_found)?;
    let gained = tag_ids.iter().any(|t| !before.tag_ids.contains(t));
    let lost = before.tag_ids.iter().any(|t| !tag_ids.contains(t));
    let (changed, to_add, to_remove) = tokio::join!(
        app.store.set_edge_tags(me, other, &tag_ids),
        async {
            match gained {
                // Only `tags` posts: the `connections` ones are in their feed already.
                true => fanout::posts_to_backfill(&app.store, other, me, &tag_ids)
                    .await
                    .map(|posts| {
                        let tagged = posts.into_iter().filter(|p| p.audience == Audience::Tags);
                        Some(tagged.collect::<Vec<_>>())
                    }),
                false => Ok(None),
            }
        },
        async {
            match lost {
                true => fanout::stale_entries(&app.store, other, me, Some(&tag_ids))
                    .await
                    .map(Some),
                false => Ok(None),
            }
        },
    );
    // The edge vanished (a disconnect) or a tag is not the caller's.
    if !changed? {
        return Err(crate::domain::social::UnknownTag.into());
    }
    tokio::join!(
        fanout::best_effort("backfill", async {
            match to_add.transpose() {
                Some(posts) => fanout::give(&app.store, other, posts).await,
                None => Ok(0),
            }
        }),
        fanout::best_effort("prune", async {
            match to_remove.transpose() {
                Some(stale) => fanout::take_away(&app.store, other, stale).await,
                None => Ok(0),
            }
        }),
        async {
            if lost {
                notifications::forget_unseen_under(app, other, me, Some(&tag_ids)).await;
            }
        },
    );
    Ok(Edge { tag_ids, ..before })
}
