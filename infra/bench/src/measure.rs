//! One timed API call, and the table row a set of them makes.

use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use serde_json::Value;

/// What one API call cost, from the client's clock and the function's
/// metrics headers (`Server-Timing`, `X-DynamoDB-Requests`, `X-DynamoDB-Depth`).
#[derive(Clone, Copy)]
pub struct Sample {
    pub total_ms: f64,
    pub store_ms: f64,
    pub requests: u32,
    pub depth: u32,
}

fn server_timing(headers: &HeaderMap, metric: &str) -> f64 {
    headers
        .get("server-timing")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.split(',').find_map(|part| {
                part.trim()
                    .strip_prefix(metric)?
                    .strip_prefix(";dur=")?
                    .parse()
                    .ok()
            })
        })
        .unwrap_or(0.0)
}

fn header_count(headers: &HeaderMap, name: &str) -> u32 {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok()?.parse().ok())
        .unwrap_or(0)
}

/// Sends `request`, times it to the end of the body and fails the run on an
/// error status: a benchmark of failing calls would measure nothing.
pub async fn timed(request: reqwest::RequestBuilder) -> (Sample, Value) {
    let started = Instant::now();
    let response = request.send().await.expect("gateway reachable");
    let headers = response.headers().clone();
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    let total_ms = started.elapsed().as_secs_f64() * 1000.0;
    assert!(status.is_success(), "{status}: {body}");
    let sample = Sample {
        total_ms,
        store_ms: server_timing(&headers, "store"),
        requests: header_count(&headers, "x-dynamodb-requests"),
        depth: header_count(&headers, "x-dynamodb-depth"),
    };
    (sample, body)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

/// `3`, or `2–4` when it varied between calls.
fn range(values: impl Iterator<Item = u32> + Clone) -> String {
    let (least, most) = (values.clone().min(), values.max());
    match (least, most) {
        (Some(least), Some(most)) if least != most => format!("{least}–{most}"),
        (_, Some(most)) => most.to_string(),
        _ => "-".to_owned(),
    }
}

/// The samples of one call under one condition, as one table row.
pub struct Summary {
    pub label: String,
    pub n: usize,
    /// Calls per second, when clients ran for a fixed time.
    pub rate: Option<f64>,
    pub p50: f64,
    pub p99: f64,
    pub store: f64,
    /// `None` when the store's sum exceeds the call's time (its requests
    /// overlapped), so the difference says nothing about our code.
    pub ours: Option<f64>,
    pub requests: String,
    pub depth: String,
    pub depth_mean: f64,
}

impl Summary {
    pub fn new(label: impl Into<String>, samples: &[Sample], elapsed: Option<Duration>) -> Self {
        assert!(!samples.is_empty(), "no samples");
        let mut totals: Vec<f64> = samples.iter().map(|s| s.total_ms).collect();
        totals.sort_by(f64::total_cmp);
        let n = samples.len();
        let mean = totals.iter().sum::<f64>() / n as f64;
        let store = samples.iter().map(|s| s.store_ms).sum::<f64>() / n as f64;
        Self {
            label: label.into(),
            n,
            rate: elapsed.map(|e| n as f64 / e.as_secs_f64()),
            p50: percentile(&totals, 0.50),
            p99: percentile(&totals, 0.99),
            store,
            ours: (mean > store).then_some(mean - store),
            requests: range(samples.iter().map(|s| s.requests)),
            depth: range(samples.iter().map(|s| s.depth)),
            depth_mean: samples.iter().map(|s| f64::from(s.depth)).sum::<f64>() / n as f64,
        }
    }

    pub fn print(&self) {
        let rate = self.rate.map_or("-".to_owned(), |r| format!("{r:.0}"));
        let ours = self.ours.map_or("-".to_owned(), |ms| format!("{ms:.2}"));
        println!(
            "| {:<42} | {:>5} | {rate:>6} | {:>8.2} | {:>8.2} | {:>8.2} | {ours:>11} | {:>8} | {:>5} |",
            self.label, self.n, self.p50, self.p99, self.store, self.requests, self.depth
        );
    }
}

pub fn table_header() {
    println!(
        "| call                                       | n     | req/s  | p50 ms   | p99 ms   | store ms | our code ms | requests | depth |"
    );
    println!(
        "|--------------------------------------------|-------|--------|----------|----------|----------|-------------|----------|-------|"
    );
}

/// Under every table: what its columns mean.
pub const COLUMNS: &str = "`store ms` is the mean time inside DynamoDB calls (`Server-Timing: store`, \
    the sum over the call's requests, so requests sent together each count), `our code ms` the mean rest \
    of the call as the client saw it (routing, JSON, JWT, the gateway's payload-2.0 round trip, HTTP on \
    loopback); `-` where overlapping requests make the sum exceed the call's time. `requests` is \
    the DynamoDB requests per call (`X-DynamoDB-Requests`); `depth` how many of them ran one after \
    another (`X-DynamoDB-Depth`; requests sent together count once): in AWS each level is one network \
    round trip, so depth, not the count, sets a call's latency.";
