//! Blocking: keeping someone out. A block ends the connection and any
//! request between the two at once, and from then on the blocked person
//! cannot find the blocker, open their profile or ask them to connect (the
//! same answers as for nobody there). They are never told.

use super::fanout::best_effort;
use super::graph::{both, someone_else};
use super::{fanout, notifications};
use crate::domain::Timestamp;
use crate::domain::ids::UserId;
use crate::domain::social::MAX_BLOCKS;
use crate::store::{BlockRecord, Blocked, StoreError};
use crate::{ApiError, App};

/// Reads before a block gives up on a pair whose state keeps changing
/// under it (a request sent or accepted between its read and its write).
const ATTEMPTS: usize = 3;

/// Blocks `other` (idempotent: blocking again changes nothing). Allowed
/// whoever they are to the caller, even someone who blocked the caller: a
/// refusal would tell. BatchGetItem (profiles); BatchGetItem (what is
/// between them) beside a Query of each one's notifications from the
/// other; TransactWriteItems; then those notifications' deletion (and,
/// after a connection, both feeds pruned): 4 deep.
pub async fn block(app: &App, me: &UserId, other: &UserId) -> Result<(), ApiError> {
    someone_else(me, other)?;
    let (me, other) = both(app, me, other, ApiError::user_not_found).await?;
    // What each caused the other to be told is read beside the first look
    // at the pair, and deleted once the block holds, so that no unread
    // count still holds it (the lists hide it already). Nothing new can
    // come between: the blocked person can no longer reach the blocker.
    let (first_look, told_me, told_them) = tokio::join!(
        app.store.between(&me.id, &other.id),
        app.store.notices_from(&me.id, &other.id),
        app.store.notices_from(&other.id, &me.id),
    );
    let mut look = Some(first_look);
    for _ in 0..ATTEMPTS {
        let seen = match look.take() {
            Some(seen) => seen?,
            None => app.store.between(&me.id, &other.id).await?,
        };
        // Nothing can be between them beside a block.
        if seen.blocked {
            return Ok(());
        }
        let blocked = app.store.block(&me, &other, seen, Timestamp::now()).await?;
        if blocked == Blocked::AtLimit {
            return Err(ApiError::conflict(
                "too_many_blocks",
                format!(
                    "You have blocked {MAX_BLOCKS} people, the most there can be. Unblock someone under Blocked people to block someone else."
                ),
            ));
        }
        if blocked == Blocked::Done {
            tracing::info!(event = "user_blocked", user_id = %me.id, "a person was blocked");
            let told: Vec<_> = [told_me, told_them]
                .into_iter()
                .filter_map(Result::ok)
                .flatten()
                .map(|r| (r.recipient, r.key))
                .collect();
            best_effort("forget notifications", app.store.forget(&told)).await;
            if seen.connected {
                tokio::join!(
                    fanout::best_effort(
                        "prune",
                        fanout::prune(&app.store, &me.id, &other.id, None)
                    ),
                    fanout::best_effort(
                        "prune",
                        fanout::prune(&app.store, &other.id, &me.id, None)
                    ),
                    notifications::forget_unseen_under(app, &me.id, &other.id, None),
                    notifications::forget_unseen_under(app, &other.id, &me.id, None),
                );
            }
            return Ok(());
        }
        // The pair changed (or a profile went) between the read and the
        // transaction: read again.
        if app.store.user(&other.id).await?.is_none() {
            return Err(ApiError::user_not_found());
        }
    }
    Err(StoreError::Throttled.into())
}

/// Lifts the caller's block of `other` (1 TransactWriteItems). It does not
/// reconnect them.
pub async fn unblock(app: &App, me: &UserId, other: &UserId) -> Result<(), ApiError> {
    someone_else(me, other)?;
    match app.store.unblock(me, other).await? {
        true => Ok(()),
        false => Err(ApiError::not_found(
            "not_blocked",
            "You have not blocked this person.",
        )),
    }
}

/// The people the caller blocked, most recent first, with their names (1
/// Query, then 1 BatchGetItem of their profiles; accounts deleted since
/// are left out).
pub async fn blocks(app: &App, me: &UserId) -> Result<Vec<BlockRecord>, ApiError> {
    let mut blocks = app.store.blocks(me).await?;
    let names = app.store.names(blocks.iter().map(|b| &b.other_id)).await?;
    blocks.retain(|b| names.known(&b.other_id));
    for block in &mut blocks {
        block.other_display_name = names.display_name(&block.other_id);
    }
    blocks.sort_by_key(|b| std::cmp::Reverse(b.created_at));
    Ok(blocks)
}
