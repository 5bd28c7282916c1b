//! `make bench`: a report, not a test. It prints
//!
//! 1. latency (p50/p99) of sign-in (argon2 included), `me`, search and health
//!    through the local gateway, with the share spent in the store (from the
//!    functions' `Server-Timing`), the DynamoDB requests per call and their
//!    round-trip depth (`latency.rs`);
//! 2. the social calls (feed pages, a tag-filtered feed page, my posts,
//!    accept, create post) on seeded data where the reader has 100
//!    connections with 30+ posts each: one after another, the feed pages
//!    under 8 concurrent clients, and all again through a gateway whose store
//!    answers a fixed delay later, as one table (`social/`);
//! 3. each function's init time: the release binary is started against a
//!    minimal Lambda Runtime API served here, and timed from process start to
//!    its first response (`init.rs`, `runtime.rs`);
//! 4. each function's CPU per request, peak memory (the basis of its
//!    MemorySize) and `bootstrap` size (stripped, arm64) where `sam build`
//!    (`make lambda-build`, a step of `make test`) has produced one.
//!
//! Environment: as for the tests (see infra/local/test.sh), and
//! - `BENCH_SECTIONS` (`latency,social,init`): the parts to run;
//! - `BENCH_ROUNDS` (200): calls per sequential measurement;
//! - `BENCH_LOAD_SECONDS` (20): how long each load run lasts (0: none);
//! - `BENCH_STORE_DELAY_MS` (4): the slowed store's delay per DynamoDB
//!   request (0: no slowed runs);
//! - `BENCH_ENGINE`, `BENCH_CRATES`: set by bench.sh (the local DynamoDB
//!   engine, the function crates of template.yaml).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

mod init;
mod latency;
mod measure;
mod runtime;
mod social;

const PASSWORD: &str = "quiet-harbour-lantern-71";

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A numeric setting from the environment, or its default.
fn setting(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(value) => value
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={value}: expected a whole number")),
        Err(_) => default,
    }
}

/// An in-process gateway every measured call goes through (cheap to clone:
/// the app and the client are shared handles).
#[derive(Clone)]
pub(crate) struct Gateway {
    base: String,
    app: shared::App,
    client: reqwest::Client,
}

/// Serves the template's routes on a loopback port, with the function
/// routers built on an app whose every DynamoDB request waits `store_delay`.
async fn start_gateway(store_delay: Duration) -> Gateway {
    let mut config =
        shared::config::Config::from_env().expect("configuration (run through make bench)");
    config.expose_metrics = true;
    // The benchmark measures the path, not the limits: every call still
    // makes the per-client count (its cost is part of every call), but the
    // load never reaches a limit.
    let generous = shared::config::RateLimit {
        max: 1_000_000,
        window: Duration::from_secs(60),
    };
    config.rate_limits.login_per_ip = generous;
    config.rate_limits.calls_per_client = generous;
    let app = shared::App::with_store_delay(config, store_delay)
        .await
        .expect("app");
    let mut api = local_gateway::template::HttpApi::from_file(&repo_root().join("template.yaml"))
        .expect("template");
    // Nor API Gateway's throttle: the load runs exceed its per-route rates.
    api.default_throttle = None;
    api.route_throttles.clear();
    let router =
        local_gateway::build(api, local_gateway::function_routers(&app), None).expect("gateway");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    // A call that has not answered in a minute has hung: fail the run.
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .expect("HTTP client");
    Gateway { base, app, client }
}

#[tokio::main]
async fn main() {
    let rounds = setting("BENCH_ROUNDS", 200).max(1) as usize;
    let engine = std::env::var("BENCH_ENGINE").unwrap_or_else(|_| "local DynamoDB".into());
    let sections = std::env::var("BENCH_SECTIONS").unwrap_or_else(|_| "latency,social,init".into());
    let wants = |name: &str| sections.split(',').any(|s| s.trim() == name);
    if wants("latency") || wants("social") {
        let gateway = start_gateway(Duration::ZERO).await;
        if wants("latency") {
            latency::bench(&gateway, rounds, &engine).await;
        }
        if wants("social") {
            let options = social::Options {
                rounds,
                engine,
                load: Duration::from_secs(setting("BENCH_LOAD_SECONDS", 20)),
                store_delay: Duration::from_millis(setting("BENCH_STORE_DELAY_MS", 4)),
            };
            let slowed = if options.store_delay.is_zero() {
                None
            } else {
                Some(start_gateway(options.store_delay).await)
            };
            social::bench(&gateway, slowed.as_ref(), &options).await;
        }
    }
    if wants("init") {
        init::bench().await;
    }
}
