//! `make bench`: a report, not a test. It prints
//!
//! 1. latency (p50/p99) of sign-in (argon2 included) and `me` through the
//!    local gateway against moto, with the share spent in the store (from the
//!    functions' `Server-Timing`) and the DynamoDB requests per call;
//! 2. the same for the social calls (feed page, my posts, accept, create
//!    post) on seeded data where the reader has 100 connections with 30+
//!    posts each (`social.rs`);
//! 3. each function's init time: the release binary is started against a
//!    minimal Lambda Runtime API served here, and timed from process start to
//!    its first response;
//! 4. each function's `bootstrap` size (stripped, arm64) where `sam build` or
//!    `cargo lambda build --arm64` has produced one.
//!
//! Environment: as for the tests (see infra/local/test.sh); `BENCH_ROUNDS`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Path as UrlPath, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use serde_json::{Value, json};
use tokio::sync::mpsc;

mod social;

const PASSWORD: &str = "quiet-harbour-lantern-71";

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

struct Sample {
    total_ms: f64,
    store_ms: f64,
    requests: u32,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn summarise(name: &str, samples: &[Sample]) {
    let mut totals: Vec<f64> = samples.iter().map(|s| s.total_ms).collect();
    totals.sort_by(f64::total_cmp);
    let store: f64 = samples.iter().map(|s| s.store_ms).sum::<f64>() / samples.len() as f64;
    let mean: f64 = totals.iter().sum::<f64>() / totals.len() as f64;
    let most = samples.iter().map(|s| s.requests).max().unwrap_or(0);
    let least = samples.iter().map(|s| s.requests).min().unwrap_or(0);
    let requests = if least == most {
        most.to_string()
    } else {
        format!("{least}–{most}")
    };
    println!(
        "| {name:<28} | {:>5} | {:>8.2} | {:>8.2} | {:>9.2} | {:>11.2} | {:>17} |",
        samples.len(),
        percentile(&totals, 0.50),
        percentile(&totals, 0.99),
        store,
        (mean - store).max(0.0),
        requests
    );
}

fn server_timing(headers: &HeaderMap, metric: &str) -> f64 {
    headers
        .get("server-timing")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.split(',').find_map(|part| {
                let part = part.trim();
                part.strip_prefix(metric)?
                    .strip_prefix(";dur=")?
                    .parse()
                    .ok()
            })
        })
        .unwrap_or(0.0)
}

async fn timed(request: reqwest::RequestBuilder) -> (Sample, Value) {
    let started = Instant::now();
    let response = request.send().await.expect("gateway reachable");
    let headers = response.headers().clone();
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    let total_ms = started.elapsed().as_secs_f64() * 1000.0;
    assert!(status.is_success(), "{status}: {body}");
    let requests = headers
        .get("x-dynamodb-requests")
        .and_then(|v| v.to_str().ok()?.parse().ok())
        .unwrap_or(0);
    (
        Sample {
            total_ms,
            store_ms: server_timing(&headers, "store"),
            requests,
        },
        body,
    )
}

/// The in-process gateway every measured call goes through.
pub(crate) struct Gateway {
    base: String,
    app: shared::App,
    client: reqwest::Client,
}

fn table_header() {
    println!(
        "| call                         | n     | p50 ms   | p99 ms   | store ms  | our code ms | DynamoDB requests |"
    );
    println!(
        "|------------------------------|-------|----------|----------|-----------|-------------|-------------------|"
    );
}

async fn start_gateway() -> Gateway {
    let mut config =
        shared::config::Config::from_env().expect("configuration (run through make bench)");
    config.expose_metrics = true;
    // The benchmark measures the path, not the limiter.
    let generous = shared::config::RateLimit {
        max: 1_000_000,
        window: Duration::from_secs(60),
    };
    config.rate_limits.login_per_ip = generous;
    let app = shared::App::from_config(config).await.expect("app");
    let api = local_gateway::template::HttpApi::from_file(&repo_root().join("template.yaml"))
        .expect("template");
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
    Gateway {
        base,
        app,
        client: reqwest::Client::new(),
    }
}

async fn latency(gateway: &Gateway, rounds: usize) {
    let (base, client) = (&gateway.base, &gateway.client);

    // One account, made through the real sign-up path.
    let suffix = format!("{:x}", rand::random::<u32>());
    let email = format!("bench-{suffix}@example.com");
    let username = format!("bench_{suffix}");
    client
        .post(format!("{base}/api/auth/otp"))
        .json(&json!({ "email": email }))
        .send()
        .await
        .unwrap();
    let store: Value = client
        .get(format!(
            "{}/store",
            std::env::var("SES_STORE_URL").expect("SES_STORE_URL")
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let code = store["emails"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|e| e["destination"]["to"][0] == email.as_str())
        .and_then(|e| e["body"]["text"].as_str())
        .and_then(|t| {
            t.split(|c: char| !c.is_ascii_digit())
                .find(|p| p.len() == 6)
                .map(str::to_owned)
        })
        .expect("code in the mailbox");
    let (_, session) = timed(client.post(format!("{base}/api/auth/register")).json(
        &json!({ "email": email, "username": username, "password": PASSWORD, "code": code }),
    ))
    .await;
    let token = session["access_token"].as_str().unwrap().to_owned();

    let mut login = Vec::new();
    for _ in 0..rounds.min(60) {
        login.push(
            timed(
                client
                    .post(format!("{base}/api/auth/login"))
                    .json(&json!({ "login": username, "password": PASSWORD })),
            )
            .await
            .0,
        );
    }
    let mut me = Vec::new();
    for _ in 0..rounds {
        me.push(
            timed(
                client
                    .get(format!("{base}/api/auth/me"))
                    .bearer_auth(&token),
            )
            .await
            .0,
        );
    }
    let mut search = Vec::new();
    for _ in 0..rounds {
        search.push(
            timed(
                client
                    .get(format!("{base}/api/users/search?q={username}"))
                    .bearer_auth(&token),
            )
            .await
            .0,
        );
    }
    let mut health = Vec::new();
    for _ in 0..rounds {
        health.push(timed(client.get(format!("{base}/api/health"))).await.0);
    }

    println!("## Latency through the local gateway (moto on loopback)\n");
    table_header();
    summarise("POST /api/auth/login", &login);
    summarise("GET /api/auth/me", &me);
    summarise("GET /api/users/search", &search);
    summarise("GET /api/health", &health);
    println!(
        "\n`store ms` is the mean time inside DynamoDB calls (SDK interceptor); `our code ms` is the mean rest \
         (routing, JSON, JWT, argon2 for login, the gateway's payload-2.0 round trip and HTTP on loopback)."
    );
}

// ---- init time: a minimal Lambda Runtime API ------------------------------

#[derive(Clone)]
struct Runtime {
    event: Value,
    served: mpsc::Sender<Instant>,
}

async fn next_invocation(State(runtime): State<Runtime>) -> (HeaderMap, axum::Json<Value>) {
    let mut headers = HeaderMap::new();
    headers.insert("lambda-runtime-aws-request-id", "bench-1".parse().unwrap());
    let deadline = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis()
        + 30_000;
    headers.insert(
        "lambda-runtime-deadline-ms",
        deadline.to_string().parse().unwrap(),
    );
    headers.insert(
        "lambda-runtime-invoked-function-arn",
        "arn:aws:lambda:us-east-1:000000000000:function:bench"
            .parse()
            .unwrap(),
    );
    headers.insert(
        "lambda-runtime-trace-id",
        "Root=1-00000000-000000000000000000000000".parse().unwrap(),
    );
    (headers, axum::Json(runtime.event.clone()))
}

async fn invocation_response(
    State(runtime): State<Runtime>,
    UrlPath(_id): UrlPath<String>,
) -> &'static str {
    let _ = runtime.served.send(Instant::now()).await;
    "{}"
}

async fn init_time(binary: &Path, event: Value) -> Option<Duration> {
    let (served, mut first) = mpsc::channel(4);
    let router = Router::new()
        .route("/2018-06-01/runtime/invocation/next", get(next_invocation))
        .route(
            "/2018-06-01/runtime/invocation/{id}/response",
            post(invocation_response),
        )
        .route(
            "/2018-06-01/runtime/invocation/{id}/error",
            post(invocation_response),
        )
        .route("/2018-06-01/runtime/init/error", post(|| async { "{}" }))
        .with_state(Runtime { event, served });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.ok()?;
    let address = listener.local_addr().ok()?;
    let server = tokio::spawn(async move { axum::serve(listener, router).await });
    let started = Instant::now();
    let mut child = tokio::process::Command::new(binary)
        .env("AWS_LAMBDA_RUNTIME_API", address.to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", "bench")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("RUST_LOG", "warn")
        .kill_on_drop(true)
        .spawn()
        .ok()?;
    let served_at = tokio::time::timeout(Duration::from_secs(20), first.recv())
        .await
        .ok()??;
    let _ = child.kill().await;
    server.abort();
    Some(served_at - started)
}

fn event(route_key: &str) -> Value {
    let (method, path) = route_key.split_once(' ').unwrap();
    json!({
        "version": "2.0", "routeKey": route_key, "rawPath": path, "rawQueryString": "",
        "headers": { "host": "bench.local" },
        "requestContext": { "accountId": "000000000000", "apiId": "bench", "domainName": "bench.local",
            "http": { "method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "bench" },
            "requestId": "bench-1", "routeKey": route_key, "stage": "$default", "time": "28/Nov/2026:00:00:00 +0000", "timeEpoch": 0 },
        "isBase64Encoded": false
    })
}

async fn cold_starts() {
    println!(
        "\n## Function init (process start → first response served), release build of this machine\n"
    );
    println!(
        "| function    | first request         | init ms (min of 5) | stripped arm64 bootstrap |"
    );
    println!(
        "|-------------|-----------------------|--------------------|--------------------------|"
    );
    let root = repo_root();
    for (function, logical, route) in [
        ("auth", "AuthFunction", "GET /api/auth/me"),
        ("users", "UsersFunction", "GET /api/users/search"),
        ("connections", "ConnectionsFunction", "GET /api/connections"),
        ("tags", "TagsFunction", "GET /api/tags"),
        ("posts", "PostsFunction", "GET /api/posts/mine"),
        ("feed", "FeedFunction", "GET /api/feed"),
        ("health", "HealthFunction", "GET /api/health"),
    ] {
        let binary = root.join("target/release").join(function);
        let mut best: Option<Duration> = None;
        if binary.exists() {
            for _ in 0..5 {
                if let Some(t) = init_time(&binary, event(route)).await {
                    best = Some(best.map_or(t, |b| b.min(t)));
                }
            }
        }
        let init = best.map_or_else(
            || "not built (cargo build --release)".to_owned(),
            |d| format!("{:.1}", d.as_secs_f64() * 1000.0),
        );
        let size = [
            root.join(".aws-sam/build").join(logical).join("bootstrap"),
            root.join("target/lambda").join(function).join("bootstrap"),
        ]
        .iter()
        .find_map(|p| std::fs::metadata(p).ok())
        .map_or_else(
            || "not built (make lambda-build)".to_owned(),
            |m| format!("{:.2} MB", m.len() as f64 / 1_048_576.0),
        );
        println!("| {function:<11} | {route:<21} | {init:>18} | {size:>24} |");
    }
    println!(
        "\nTargets: init under 50 ms, bootstrap under 8 MB. In Lambda, init adds the runtime's own start and, for auth/users, the Secrets Manager read."
    );
}

#[tokio::main]
async fn main() {
    let rounds = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    // BENCH_SECTIONS=latency,social,init (default: all) runs a part of the report.
    let sections = std::env::var("BENCH_SECTIONS").unwrap_or_else(|_| "latency,social,init".into());
    let wants = |name: &str| sections.split(',').any(|s| s.trim() == name);
    if wants("latency") || wants("social") {
        let gateway = start_gateway().await;
        if wants("latency") {
            latency(&gateway, rounds).await;
        }
        if wants("social") {
            social::bench(&gateway, rounds).await;
        }
    }
    if wants("init") {
        cold_starts().await;
    }
}
