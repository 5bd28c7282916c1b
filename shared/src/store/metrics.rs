//! Counts and times DynamoDB requests per API call.
//!
//! The request count decides cost and latency in AWS, so it is measured, not
//! guessed: an SDK interceptor adds every DynamoDB operation (and the time it
//! took) to a task-local tally that the HTTP layer opens per request.

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

/// The interceptor installed on the DynamoDB client.
#[derive(Debug)]
pub(crate) struct CountRequests;

impl Intercept for CountRequests {
    fn name(&self) -> &'static str {
        "CountRequests"
    }

    fn read_before_execution(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        cfg.interceptor_state().store_put(Started(Instant::now()));
        Ok(())
    }

    fn read_after_execution(
        &self,
        _context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let elapsed = cfg
            .load::<Started>()
            .map(|s| s.0.elapsed().as_micros() as u64)
            .unwrap_or(0);
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
    ];
    KNOWN
        .iter()
        .find(|known| **known == name)
        .copied()
        .unwrap_or("Other")
}
