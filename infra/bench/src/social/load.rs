//! A call under load: a fixed number of clients, each sending its next
//! request as soon as the last one answered, for a fixed time.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::calls::Call;
use crate::Gateway;
use crate::measure::Sample;

/// Concurrent clients (the "8 concurrent clients").
pub const CLIENTS: usize = 8;

/// Runs `call` from `CLIENTS` clients for `duration`; returns every sample
/// and the time from the first request to the last answer. A client starts
/// no request after the deadline, so the run ends one call after it.
pub async fn under_load(
    gateway: &Gateway,
    call: Arc<Call>,
    duration: Duration,
) -> (Vec<Sample>, Duration) {
    let started = Instant::now();
    let deadline = started + duration;
    let mut clients = tokio::task::JoinSet::new();
    for client in 0..CLIENTS {
        let (gateway, call) = (gateway.clone(), call.clone());
        clients.spawn(async move {
            let mut samples = Vec::new();
            let mut i = client;
            while Instant::now() < deadline {
                samples.push(call.send(&gateway, i).await);
                i += CLIENTS;
            }
            samples
        });
    }
    let mut samples = Vec::new();
    while let Some(done) = clients.join_next().await {
        samples.extend(done.expect("a load client failed"));
    }
    (samples, started.elapsed())
}
