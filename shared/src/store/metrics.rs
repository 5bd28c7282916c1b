//! Counts and times DynamoDB requests per API call.
//!
//! The request count decides cost, and the round-trip depth (how many
//! requests ran one after another) decides latency in AWS, so both are
//! measured, not guessed: an SDK interceptor adds every DynamoDB operation
//! (when it started and ended) to a task-local tally that the HTTP layer
//! opens per request.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Instant;

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};

/// What one API call spent on DynamoDB.
#[derive(Debug, Default)]
pub struct StoreTally {
    requests: AtomicU32,
    micros: AtomicU64,
    operations: Mutex<Vec<&'static str>>,
    /// The IAM actions the operations need (a transaction needs one per
    /// kind of item it writes: IAM has no `TransactWriteItems` action).
    actions: Mutex<Vec<&'static str>>,
    /// When each request started and ended, to find the depth.
    spans: Mutex<Vec<(Instant, Instant)>>,
}

impl StoreTally {
    /// DynamoDB requests made (retries are not counted separately).
    pub fn requests(&self) -> u32 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Wall time spent inside DynamoDB calls, in microseconds.
    pub fn micros(&self) -> u64 {
        self.micros.load(Ordering::Relaxed)
    }

    /// The operation names, in order (e.g. `GetItem`, `TransactWriteItems`).
    pub fn operations(&self) -> Vec<&'static str> {
        self.operations
            .lock()
            .map(|o| o.clone())
            .unwrap_or_default()
    }

    /// The IAM actions the call's requests needed, each once, sorted.
    pub fn iam_actions(&self) -> Vec<&'static str> {
        let mut actions = self.actions.lock().map(|a| a.clone()).unwrap_or_default();
        actions.sort_unstable();
        actions.dedup();
        actions
    }

    /// The round-trip depth: the longest chain of requests each of which
    /// started only after the one before it had ended. Requests sent
    /// together (`join`, bounded concurrency) count once; in AWS each level
    /// costs one network round trip, whatever the local store's speed.
    pub fn depth(&self) -> u32 {
        let mut spans = self.spans.lock().map(|s| s.clone()).unwrap_or_default();
        spans.sort_by_key(|(start, _)| *start);
        chain_depth(&spans)
    }
}

/// Longest chain in `spans` (sorted by start) where each span starts at or
/// after the end of the one before; O(n²) on the few requests of one call.
fn chain_depth(spans: &[(Instant, Instant)]) -> u32 {
    let mut depth = vec![0u32; spans.len()];
    for i in 0..spans.len() {
        let before = (0..i)
            .filter(|&j| spans[j].1 <= spans[i].0)
            .map(|j| depth[j])
            .max()
            .unwrap_or(0);
        depth[i] = before + 1;
    }
    depth.into_iter().max().unwrap_or(0)
}

tokio::task_local! {
    /// The tally of the API call being served on this task, if any.
    pub static TALLY: std::sync::Arc<StoreTally>;
}

#[derive(Debug, Clone)]
struct Started(Instant);

impl Storable for Started {
    type Storer = StoreReplace<Self>;
}

/// The IAM actions one request needs, found from its input before it is sent.
#[derive(Debug, Clone)]
struct Needs(Vec<&'static str>);

impl Storable for Needs {
    type Storer = StoreReplace<Self>;
}

/// What IAM authorises a `TransactWriteItems` by: each item's own action.
fn transaction_actions(
    context: &BeforeSerializationInterceptorContextRef<'_>,
) -> Option<Vec<&'static str>> {
    use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsInput;
    let input = context.input().downcast_ref::<TransactWriteItemsInput>()?;
    Some(
        input
            .transact_items()
            .iter()
            .map(|item| {
                if item.put().is_some() {
                    "PutItem"
                } else if item.update().is_some() {
                    "UpdateItem"
                } else if item.delete().is_some() {
                    "DeleteItem"
                } else {
                    "ConditionCheckItem"
                }
            })
            .collect(),
    )
}

/// The interceptor installed on the DynamoDB client.
#[derive(Debug)]
pub(crate) struct CountRequests;

impl Intercept for CountRequests {
    fn name(&self) -> &'static str {
        "CountRequests"
    }

    fn read_before_execution(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        cfg.interceptor_state().store_put(Started(Instant::now()));
        if let Some(actions) = transaction_actions(context) {
            cfg.interceptor_state().store_put(Needs(actions));
        }
        Ok(())
    }

    fn read_after_execution(
        &self,
        _context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let ended = Instant::now();
        let started = cfg.load::<Started>().map_or(ended, |s| s.0);
        let elapsed = ended.duration_since(started).as_micros() as u64;
        let operation = cfg
            .load::<aws_smithy_runtime_api::client::orchestrator::Metadata>()
            .map(|m| m.name())
            .unwrap_or("unknown");
        let operation: &'static str = static_name(operation);
        let _ = TALLY.try_with(|tally| {
            tally.requests.fetch_add(1, Ordering::Relaxed);
            tally.micros.fetch_add(elapsed, Ordering::Relaxed);
            if let Ok(mut ops) = tally.operations.lock() {
                ops.push(operation);
            }
            if let Ok(mut actions) = tally.actions.lock() {
                match cfg.load::<Needs>() {
                    Some(needs) => actions.extend(needs.0.iter().copied()),
                    None if operation == "TransactGetItems" => actions.push("GetItem"),
                    None => actions.push(operation),
                }
            }
            if let Ok(mut spans) = tally.spans.lock() {
                spans.push((started, ended));
            }
        });
        Ok(())
    }
}

/// Operation names come from the SDK as borrowed strings; we keep the handful
/// we use as statics so the tally needs no allocation per call.
fn static_name(name: &str) -> &'static str {
    const KNOWN: &[&str] = &[
        "GetItem",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "Query",
        "Scan",
        "BatchGetItem",
        "BatchWriteItem",
        "TransactWriteItems",
        "TransactGetItems",
        "ConditionCheckItem",
    ];
    KNOWN
        .iter()
        .find(|known| **known == name)
        .copied()
        .unwrap_or("Other")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn at(base: Instant, from_ms: u64, to_ms: u64) -> (Instant, Instant) {
        (
            base + Duration::from_millis(from_ms),
            base + Duration::from_millis(to_ms),
        )
    }

    #[test]
    fn depth_counts_requests_one_after_another_and_overlapping_ones_once() {
        let t = Instant::now();
        assert_eq!(chain_depth(&[]), 0);
        // Three in a row.
        assert_eq!(chain_depth(&[at(t, 0, 4), at(t, 4, 8), at(t, 9, 12)]), 3);
        // A query, then five batches at once: two deep.
        let mut spans = vec![at(t, 0, 4)];
        spans.extend((0..5).map(|i| at(t, 4, 8 + i)));
        assert_eq!(chain_depth(&spans), 2);
        // A long request beside a short chain: the chain decides.
        assert_eq!(chain_depth(&[at(t, 0, 20), at(t, 1, 3), at(t, 3, 5)]), 2);
    }
}
