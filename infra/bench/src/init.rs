//! Each function's init time, CPU and memory: its release binary started
//! against the Runtime API of `runtime.rs`. The functions are the crates
//! bench.sh found in template.yaml (`BENCH_CRATES`), so a new function group
//! is measured without an edit here.

use std::time::Duration;

use serde_json::{Value, json};

use crate::runtime::{Run, event, run_function};
use crate::{PASSWORD, repo_root};

/// Sizing requests per run, after the first.
const SIZING_EVENTS: usize = 20;

/// What a function is sent: a first request that is cheap and does no I/O
/// (so "init" is the start alone), then the sizing request (its real work).
struct Requests {
    first: String,
    sizing: String,
    signed_in: bool,
    body: Option<Value>,
}

/// The resource of template.yaml whose `Binary` is `binary` (its logical id).
fn template_logical(template: &str, binary: &str) -> Option<String> {
    let mut resource = None;
    for line in template.lines() {
        // A resource is a two-space-indented key with nothing after the colon.
        if let Some(name) = line.strip_prefix("  ").and_then(|l| l.strip_suffix(':')) {
            if !name.starts_with([' ', '#']) {
                resource = Some(name);
            }
        }
        if line.trim() == format!("Binary: {binary}") {
            return resource.map(str::to_owned);
        }
    }
    None
}

/// A resource's lines of template.yaml (up to the next blank-line-separated
/// resource).
fn template_section<'a>(template: &'a str, logical: &str) -> Option<&'a str> {
    let section = template.split(&format!("\n  {logical}:\n")).nth(1)?;
    section.split("\n\n  ").next()
}

fn template_memory(section: &str) -> Option<u32> {
    let line = section
        .lines()
        .find(|l| l.trim_start().starts_with("MemorySize:"))?;
    line.split(':').nth(1)?.trim().parse().ok()
}

/// The glibc malloc settings (`MALLOC_*`) a function's template section
/// gives it, so the measured process allocates as the deployed one does.
fn template_malloc_env(section: &str) -> Vec<(String, String)> {
    section
        .lines()
        .filter_map(|line| {
            let (key, value) = line.trim().split_once(':')?;
            key.starts_with("MALLOC_")
                .then(|| (key.to_owned(), value.trim().trim_matches('"').to_owned()))
        })
        .collect()
}

/// Lambda gives a function CPU in proportion to its memory: one full vCPU
/// at 1,769 MB. A CPU-bound step that takes `cpu` on one core here takes
/// about `cpu × 1769 / memory` there (lower bound: Lambda's cores are not
/// faster than this machine's).
fn at_memory(cpu: Duration, memory_mb: u32) -> f64 {
    cpu.as_secs_f64() * 1000.0 * 1769.0 / f64::from(memory_mb.min(1769))
}

/// The requests for `crate_name`. Those whose real work is not their first
/// plain GET route are named; any other function (a new group too) gets its
/// first GET route without path parameters, signed in, after the same route
/// unsigned as the first request (refused before any I/O).
fn requests_for(
    crate_name: &str,
    logical: &str,
    api: &local_gateway::template::HttpApi,
) -> Requests {
    let named = |first: &str, sizing: &str, signed_in, body| Requests {
        first: first.to_owned(),
        sizing: sizing.to_owned(),
        signed_in,
        body,
    };
    match crate_name {
        // Sign-in of an unknown name: argon2 runs all the same (no account
        // enumeration by timing), the function's heaviest work.
        "auth" => named(
            "GET /api/auth/me",
            "POST /api/auth/login",
            false,
            Some(
                json!({ "login": format!("nobody{}", rand::random::<u32>()), "password": PASSWORD }),
            ),
        ),
        "users" => named(
            "GET /api/users/search",
            "GET /api/users/search?q=nobody",
            true,
            None,
        ),
        "health" => named("GET /api/health", "GET /api/health", false, None),
        _ => {
            let routes = api.routes.iter().filter(|r| r.function == logical);
            let route = routes
                .clone()
                .find(|r| r.method == "GET" && !r.path.contains('{'))
                .or_else(|| routes.clone().next())
                .map_or_else(|| "GET /api/health".to_owned(), |r| r.key());
            named(&route, &route, true, None)
        }
    }
}

/// The functions to measure: `BENCH_CRATES` (set by bench.sh from
/// template.yaml), or every `Binary:` of the template when run by hand.
fn crates(template: &str) -> Vec<String> {
    match std::env::var("BENCH_CRATES") {
        Ok(list) if !list.trim().is_empty() => list.split_whitespace().map(str::to_owned).collect(),
        _ => template
            .lines()
            .filter_map(|l| l.trim().strip_prefix("Binary: "))
            .map(str::to_owned)
            .collect(),
    }
}

/// A signed-in caller for the sizing runs: a random user, so the functions
/// answer from empty lists after verifying the token and reading the table.
fn caller_token() -> String {
    let secret = std::env::var("APP_SECRET").unwrap_or_default();
    let keys = shared::auth::Keys::new(&secret, Duration::from_secs(900));
    keys.issue_access(
        &shared::domain::ids::UserId::new(),
        &shared::domain::ids::FamilyId::new(),
        shared::domain::Timestamp::now(),
    )
}

/// The fastest of five starts, and one run serving the sizing request
/// repeatedly after the first (CPU per request and peak memory: argon2's
/// 19 MiB for auth). `None` when the binary is not built.
async fn measure(
    crate_name: &str,
    section: &str,
    requests: &Requests,
    token: &str,
) -> Option<(Run, Option<Run>)> {
    let binary = repo_root().join("target/release").join(crate_name);
    if !binary.exists() {
        return None;
    }
    let env = template_malloc_env(section);
    let first = event(&requests.first, None, None);
    let token = requests.signed_in.then_some(token);
    let sizing = event(&requests.sizing, token, requests.body.clone());
    let mut best: Option<Run> = None;
    for _ in 0..5 {
        if let Some(run) = run_function(&binary, &env, vec![first.clone()]).await {
            if best.as_ref().is_none_or(|b| run.init < b.init) {
                best = Some(run);
            }
        }
    }
    let mut events = vec![first];
    events.extend(std::iter::repeat_n(sizing, SIZING_EVENTS));
    Some((best?, run_function(&binary, &env, events).await))
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

async fn function_row(
    crate_name: &str,
    template: &str,
    api: &local_gateway::template::HttpApi,
    token: &str,
) {
    let logical = template_logical(template, crate_name).unwrap_or_default();
    let section = template_section(template, &logical).unwrap_or_default();
    let requests = requests_for(crate_name, &logical, api);
    let measured = measure(crate_name, section, &requests, token).await;
    let (init, init_cpu) = measured.as_ref().map_or_else(
        || ("not built".to_owned(), "-".to_owned()),
        |(run, _)| (ms(run.init), ms(run.init_cpu)),
    );
    let sizing = measured.as_ref().and_then(|(_, sizing)| sizing.as_ref());
    let per_request = sizing.map_or("-".to_owned(), |r| {
        let cpu = r.cpu_per_later_event.map_or("-".to_owned(), ms);
        format!("{cpu} ({})", r.last_status)
    });
    let peak = sizing
        .and_then(|r| r.peak_rss_kib)
        .map_or("-".to_owned(), |kib| format!("{:.1}", kib as f64 / 1024.0));
    let memory = template_memory(section);
    let projected = match (&measured, memory) {
        (Some((run, _)), Some(mb)) => format!("{:.0} ms", at_memory(run.init_cpu, mb)),
        _ => "-".to_owned(),
    };
    let bootstrap = repo_root()
        .join(".aws-sam/build")
        .join(&logical)
        .join("bootstrap");
    let size = std::fs::metadata(bootstrap).map_or_else(
        |_| "not built".to_owned(),
        |m| format!("{:.2} MiB", m.len() as f64 / 1_048_576.0),
    );
    let memory = memory.map_or("-".to_owned(), |mb| format!("{mb} MB"));
    let route = &requests.sizing;
    println!(
        "| {crate_name:<11} | {route:<30} | {init:>18} | {init_cpu:>11} | {per_request:>25} | {peak:>12} | {memory:>10} | {projected:>21} | {size:>9} |"
    );
}

pub async fn bench() {
    let path = repo_root().join("template.yaml");
    let template = std::fs::read_to_string(&path).expect("template.yaml");
    let api = local_gateway::template::HttpApi::from_yaml(&template).expect("template");
    let token = caller_token();
    println!(
        "\n## Functions: init, CPU and memory (release build of this machine; stripped arm64 size from the Lambda build)\n"
    );
    println!(
        "| function    | sizing request ({SIZING_EVENTS}×)           | init ms (min of 5) | init CPU ms | CPU ms / request (status) | peak RSS MiB | MemorySize | init CPU at that size | bootstrap |"
    );
    println!(
        "|-------------|--------------------------------|--------------------|-------------|---------------------------|--------------|------------|-----------------------|-----------|"
    );
    for crate_name in crates(&template) {
        function_row(&crate_name, &template, &api, &token).await;
    }
    println!(
        "\nCPU is the sum over the process's threads (/proc/<pid>/task/*/schedstat). Lambda gives one vCPU at 1,769 MB and a proportional share below it, so a CPU-bound step takes about CPU × 1769 / MemorySize there; \"init CPU at that size\" applies that to the measured init CPU. \
        Peak RSS is VmHWM after the sizing run. Bootstraps come from `sam build` (.aws-sam/build; `make lambda-build`). \
        Targets: init under 50 ms, bootstrap under 8 MB. In Lambda, auth and the signed-in functions also read the app secret from Secrets Manager at init."
    );
}
