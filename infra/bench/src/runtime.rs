//! A minimal Lambda Runtime API, to start a release function binary as
//! Lambda does and measure its init, CPU and memory.

use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Path as UrlPath, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use serde_json::{Value, json};
use tokio::sync::mpsc::{self, Receiver};
use tokio::task::JoinHandle;

/// The part of the Lambda Runtime API a function uses: it hands out `events`
/// in order (and then keeps the function waiting, as an idle sandbox does)
/// and reports when each response arrives.
#[derive(Clone)]
struct Runtime {
    events: std::sync::Arc<Vec<Value>>,
    next: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    served: mpsc::Sender<(Instant, u16)>,
}

async fn next_invocation(State(runtime): State<Runtime>) -> (HeaderMap, axum::Json<Value>) {
    let index = runtime
        .next
        .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let Some(event) = runtime.events.get(index).cloned() else {
        // No more work: park the long poll until the process is killed.
        std::future::pending::<()>().await;
        unreachable!()
    };
    let mut headers = HeaderMap::new();
    headers.insert(
        "lambda-runtime-aws-request-id",
        format!("bench-{index}").parse().unwrap(),
    );
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
    (headers, axum::Json(event))
}

async fn invocation_response(
    State(runtime): State<Runtime>,
    UrlPath(_id): UrlPath<String>,
    body: axum::body::Bytes,
) -> &'static str {
    let at = Instant::now();
    // A payload-2.0 response: {"statusCode": 200, ...}; 0 for an error report.
    let status = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v["statusCode"].as_u64())
        .unwrap_or(0) as u16;
    let _ = runtime.served.send((at, status)).await;
    "{}"
}

/// What one run of a function binary measured.
pub struct Run {
    /// Process start → first response.
    pub init: Duration,
    /// CPU time (user + system) the process had used when its first response
    /// arrived: the CPU-bound part of a cold start.
    pub init_cpu: Duration,
    /// CPU time per event after the first.
    pub cpu_per_later_event: Option<Duration>,
    /// Peak resident memory over the run (VmHWM).
    pub peak_rss_kib: Option<u64>,
    /// The HTTP status of the last response (proof the request did its work).
    pub last_status: u16,
}

/// CPU time the process's threads have used so far (the sum of
/// `/proc/<pid>/task/*/schedstat`, in ns: argon2 runs on tokio's blocking
/// threads, which stay alive between requests).
fn cpu_time(pid: u32) -> Option<Duration> {
    let mut total = 0u64;
    for task in std::fs::read_dir(format!("/proc/{pid}/task")).ok()? {
        let text = std::fs::read_to_string(task.ok()?.path().join("schedstat")).ok()?;
        total += text.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(Duration::from_nanos(total))
}

fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Serves the Runtime API for `events` on a loopback port; the receiver gets
/// the time and status of each response.
async fn serve_runtime(
    events: Vec<Value>,
) -> Option<(
    SocketAddr,
    JoinHandle<std::io::Result<()>>,
    Receiver<(Instant, u16)>,
)> {
    let (served, responses) = mpsc::channel(events.len().max(1));
    let runtime = Runtime {
        events: std::sync::Arc::new(events),
        next: Default::default(),
        served,
    };
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
        .with_state(runtime);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.ok()?;
    let address = listener.local_addr().ok()?;
    let server = tokio::spawn(async move { axum::serve(listener, router).await });
    Some((address, server, responses))
}

/// Starts `binary` against a Runtime API serving `events`, waits for every
/// response and measures the run.
pub async fn run_function(
    binary: &Path,
    env: &[(String, String)],
    events: Vec<Value>,
) -> Option<Run> {
    let count = events.len();
    let (address, server, mut responses) = serve_runtime(events).await?;
    let started = Instant::now();
    let mut child = tokio::process::Command::new(binary)
        .env("AWS_LAMBDA_RUNTIME_API", address.to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", "bench")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("RUST_LOG", "warn")
        // The sizing run signs in many times from one address, with one
        // made-up login: neither the address's limits nor the lock (which
        // counts made-up logins too) may cut the argon2 work it measures.
        .env("RATE_LIMIT_LOGIN_IP", "10000/60")
        .env("RATE_LIMIT_LOGIN_ACCOUNT_FAILURES", "10000/900")
        .env("RATE_LIMIT_CLIENT", "1000000/60")
        .envs(env.iter().cloned())
        .kill_on_drop(true)
        .spawn()
        .ok()?;
    let pid = child.id()?;
    let limit = Duration::from_secs(60);
    let (first, mut last_status) = tokio::time::timeout(limit, responses.recv()).await.ok()??;
    let init_cpu = cpu_time(pid)?;
    for _ in 1..count {
        (_, last_status) = tokio::time::timeout(limit, responses.recv()).await.ok()??;
    }
    let total_cpu = cpu_time(pid)?;
    let peak = peak_rss_kib(pid);
    let _ = child.kill().await;
    server.abort();
    Some(Run {
        init: first - started,
        init_cpu,
        cpu_per_later_event: (count > 1).then(|| (total_cpu - init_cpu) / (count as u32 - 1)),
        peak_rss_kib: peak,
        last_status,
    })
}

/// A payload-2.0 event for `route_key` ("GET /path?query"), optionally signed
/// in and with a body.
pub fn event(route_key: &str, token: Option<&str>, body: Option<Value>) -> Value {
    let (method, target) = route_key.split_once(' ').unwrap();
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let route_key = format!("{method} {path}");
    let mut headers = json!({ "host": "bench.local" });
    if let Some(token) = token {
        headers["authorization"] = json!(format!("Bearer {token}"));
    }
    if body.is_some() {
        headers["content-type"] = json!("application/json");
    }
    json!({
        "version": "2.0", "routeKey": route_key, "rawPath": path, "rawQueryString": query,
        "headers": headers,
        "body": body.map(|b| b.to_string()),
        "requestContext": { "accountId": "000000000000", "apiId": "bench", "domainName": "bench.local",
            "http": { "method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "bench" },
            "requestId": "bench-1", "routeKey": route_key, "stage": "$default", "time": "28/Nov/2026:00:00:00 +0000", "timeEpoch": 0 },
        "isBase64Encoded": false
    })
}
