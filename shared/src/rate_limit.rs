//! App-level rate limits: fixed-window counters in DynamoDB with TTL.
//!
//! API Gateway's throttling protects the whole API; these limits protect each
//! person and address (brute force, code spam) and survive across Lambda
//! instances because the counters live in the table.

use crate::config::RateLimit;
use crate::domain::Timestamp;
use crate::error::ApiError;
use crate::store::{CountInWindow, Store, StoreError};

/// A named rule; the name is part of the counter's key.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// Stable name, e.g. `login-ip`.
    pub name: &'static str,
    /// Its limit.
    pub limit: RateLimit,
}

/// The window `now` falls in: (start, seconds until it ends).
pub fn window(limit: RateLimit, now: Timestamp) -> (i64, u64) {
    let length = limit.window.as_secs().max(1) as i64;
    let start = now.0.div_euclid(length) * length;
    (start, (start + length - now.0) as u64)
}

/// Counts one event against `rule` for `subject`; `429` once over the limit (1 UpdateItem).
pub async fn count(store: &Store, rule: Rule, subject: &str) -> Result<(), ApiError> {
    // An event that always counts: taken, never given back.
    take(store, rule, subject).await.map(|_taken| ())
}

/// What counting one API call against the per-client limit found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    /// Within the limit: serve it.
    Admitted,
    /// Over the limit until the window ends.
    Refused {
        /// Seconds until the window ends.
        retry_after: u64,
        /// This is the window's first refusal (the one worth a log line: a
        /// flood then writes one line per client per window, not per call).
        first: bool,
    },
}

/// Counts one API call of `subject` against `limit` (1 UpdateItem).
pub async fn count_call(
    store: &Store,
    limit: RateLimit,
    subject: &str,
) -> Result<Call, StoreError> {
    let (window_start, retry_after) = window(limit, Timestamp::now());
    let expires_at = Timestamp(window_start + limit.window.as_secs() as i64);
    let calls = store
        .count_event(CLIENT_CALLS, subject, window_start, expires_at)
        .await?;
    Ok(if calls > limit.max {
        Call::Refused {
            retry_after,
            first: calls == limit.max.saturating_add(1),
        }
    } else {
        Call::Admitted
    })
}

/// The per-client limit's rule name (part of its counters' keys).
pub const CLIENT_CALLS: &str = "client";

/// An event counted before its outcome was known (see [`take`]).
#[derive(Debug, Clone, Copy)]
#[must_use = "give the event back if it turns out not to count"]
pub struct Taken {
    window_start: i64,
}

/// Counts an event against `rule` for `subject` *before* knowing whether it
/// should count, `429` once over the limit (1 UpdateItem). Because the count
/// comes first, N concurrent attempts cannot all pass a check made before any
/// of them was recorded. Give it back with [`give_back`] when the outcome
/// says it should not count (a correct password).
pub async fn take(store: &Store, rule: Rule, subject: &str) -> Result<Taken, ApiError> {
    let (window_start, retry_after) = window(rule.limit, Timestamp::now());
    let expires_at = Timestamp(window_start + rule.limit.window.as_secs() as i64);
    let events = store
        .count_event(rule.name, subject, window_start, expires_at)
        .await?;
    if events > rule.limit.max {
        return Err(ApiError::rate_limited(retry_after));
    }
    Ok(Taken { window_start })
}

/// Uncounts an event [`take`] counted (1 UpdateItem).
pub async fn give_back(
    store: &Store,
    rule: Rule,
    subject: &str,
    taken: Taken,
) -> Result<(), StoreError> {
    store
        .uncount_event(rule.name, subject, taken.window_start)
        .await
}

/// Empties `subject`'s current window of `rule` (1 DeleteItem): a password
/// reset lifts the sign-in lock this way.
pub async fn clear(store: &Store, rule: Rule, subject: &str) -> Result<(), StoreError> {
    let (window_start, _) = window(rule.limit, Timestamp::now());
    store.clear_events(rule.name, subject, window_start).await
}

/// `429` if `subject` already used up `rule` this window, without counting (1 GetItem).
pub async fn ensure_not_exhausted(
    store: &Store,
    rule: Rule,
    subject: &str,
) -> Result<(), ApiError> {
    let (start, retry_after) = window(rule.limit, Timestamp::now());
    if store.event_count(rule.name, subject, start).await? >= rule.limit.max {
        return Err(ApiError::rate_limited(retry_after));
    }
    Ok(())
}

/// The current window of `rule` for `subject`, for a store write that counts
/// itself in it atomically (a full window is refused with the seconds until
/// it ends: see `CreateUserError::LimitReached`).
pub fn count_with_write<'a>(rule: Rule, subject: &'a str) -> CountInWindow<'a> {
    let (start, _) = window(rule.limit, Timestamp::now());
    CountInWindow {
        rule: rule.name,
        subject,
        window_start: start,
        expires_at: Timestamp(start + rule.limit.window.as_secs() as i64),
        max: rule.limit.max,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn windows_align_and_report_the_wait() {
        let limit = RateLimit {
            max: 5,
            window: Duration::from_secs(60),
        };
        assert_eq!(window(limit, Timestamp(120)), (120, 60));
        assert_eq!(window(limit, Timestamp(179)), (120, 1));
        assert_eq!(window(limit, Timestamp(180)), (180, 60));
    }
}
