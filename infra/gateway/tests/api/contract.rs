//! Contracts between the pieces: the event files and their documented
//! statuses, template.yaml and the functions' routes, the OpenAPI document,
//! the gateway's throttling and SPA serving, and the DynamoDB requests each
//! call costs.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use crate::common::*;
use local_gateway::template::{HttpApi, Throttle};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn template() -> HttpApi {
    HttpApi::from_file(&repo_root().join("template.yaml")).expect("template.yaml")
}

/// Serves a gateway router on a free port; returns its address.
async fn serve(router: axum::Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    address
}

async fn get(address: SocketAddr, path: &str) -> Reply {
    Person::reply(reqwest::Client::new().get(format!("http://{address}{path}"))).await
}

/// The body of API Gateway's own 404.
fn gateway_not_found() -> Value {
    json!({ "message": "Not Found" })
}

/// `METHOD /path` of every template route.
fn template_routes(api: &HttpApi) -> BTreeSet<(String, String)> {
    api.routes
        .iter()
        .map(|r| (r.method.clone(), r.path.clone()))
        .collect()
}

/// A concrete path for a route template (`{id}` and `{proxy+}` filled in).
fn fill(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            if segment.starts_with('{') && segment.ends_with("+}") {
                "a/b".to_owned()
            } else if segment.starts_with('{') && segment.ends_with('}') {
                "01J00000000000000000000000".to_owned()
            } else {
                segment.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

// ---- event files --------------------------------------------------------------

/// The `| file | expected status |` table of an events/README.md.
fn expected_statuses(readme: &str) -> BTreeMap<String, u16> {
    let mut table = BTreeMap::new();
    for line in readme.lines().map(str::trim).filter(|l| l.starts_with('|')) {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        if cells.len() < 2 || cells[0] == "file" || cells[0].starts_with("---") {
            continue;
        }
        let status = cells[1]
            .parse()
            .unwrap_or_else(|_| panic!("README row {line:?}: {:?} is not a status", cells[1]));
        assert!(
            table.insert(cells[0].to_owned(), status).is_none(),
            "README lists {} twice",
            cells[0]
        );
    }
    table
}

fn function_of_group(group: &str) -> String {
    let mut chars = group.chars();
    let first = chars.next().unwrap().to_uppercase();
    format!("{first}{}Function", chars.as_str())
}

#[tokio::test]
async fn every_event_file_gets_the_status_its_readme_documents() {
    let stack = Stack::start().await;
    let api = template();
    let routers = local_gateway::function_routers(&stack.app);
    let mut route_keys_with_events = BTreeMap::new();
    let mut checked = 0;

    let mut groups: Vec<PathBuf> = std::fs::read_dir(repo_root().join("functions"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.join("events").is_dir())
        .collect();
    groups.sort();
    assert!(!groups.is_empty(), "no functions/*/events folders");
    for group_dir in groups {
        let group = group_dir.file_name().unwrap().to_str().unwrap().to_owned();
        let events_dir = group_dir.join("events");
        let readme = std::fs::read_to_string(events_dir.join("README.md"))
            .unwrap_or_else(|_| panic!("functions/{group}/events has no README.md"));
        let expected = expected_statuses(&readme);
        let mut files: Vec<String> = std::fs::read_dir(&events_dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_str().unwrap().to_owned())
            .filter(|name| name.ends_with(".json"))
            .collect();
        files.sort();
        for row in expected.keys() {
            assert!(
                files.contains(row),
                "functions/{group}/events/README.md lists {row}, which does not exist"
            );
        }

        for file in files {
            let Some(&status) = expected.get(&file) else {
                panic!("functions/{group}/events/{file} has no row in the README table");
            };
            let text = std::fs::read_to_string(events_dir.join(&file)).unwrap();
            let raw: Value = serde_json::from_str(&text).unwrap();
            let route_key = raw["routeKey"]
                .as_str()
                .unwrap_or_else(|| panic!("{file}: no routeKey"));
            let (method, path) = route_key.split_once(' ').unwrap();
            let (route, _) = api
                .find(method, path)
                .unwrap_or_else(|| panic!("{group}/{file}: {route_key} is not a template route"));
            assert_eq!(
                route.key(),
                route_key,
                "{group}/{file}: routeKey is not exactly a template route"
            );
            assert_eq!(
                route.function,
                function_of_group(&group),
                "{group}/{file} is for another function"
            );
            assert!(
                route
                    .match_path(raw["rawPath"].as_str().unwrap_or_default())
                    .is_some(),
                "{group}/{file}: rawPath does not match routeKey"
            );
            if let Some(previous) =
                route_keys_with_events.insert(route_key.to_owned(), file.clone())
            {
                panic!("{route_key} has two event files: {previous} and {file}");
            }

            // What Lambda does: lambda_http deserialises the event, the adapter
            // (what `lambda_http::run` wraps the router in) answers it.
            let request: lambda_http::request::LambdaRequest = serde_json::from_str(&text)
                .unwrap_or_else(|e| {
                    panic!("{group}/{file} does not deserialise as lambda_http does: {e}")
                });
            let router = routers[&route.function].clone();
            let invocation = {
                let mut adapter = lambda_http::Adapter::from(router);
                lambda_http::Service::call(
                    &mut adapter,
                    lambda_http::LambdaEvent::new(request, lambda_http::Context::default()),
                )
            };
            let response = invocation
                .await
                .unwrap_or_else(|e| panic!("{group}/{file}: the function failed: {e:?}"));
            let response = serde_json::to_value(&response).unwrap();
            assert_eq!(
                response["statusCode"].as_u64(),
                Some(u64::from(status)),
                "{group}/{file}: {response}"
            );
            checked += 1;
        }
    }
    assert!(checked > 0);
}

/// Every `routeKey` of every `functions/*/events/*.json`.
fn event_route_keys() -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    for group in std::fs::read_dir(repo_root().join("functions")).unwrap() {
        let events = group.unwrap().path().join("events");
        let Ok(files) = std::fs::read_dir(&events) else {
            continue;
        };
        for file in files {
            let path = file.unwrap().path();
            if path.extension().is_some_and(|e| e == "json") {
                let event: Value =
                    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
                keys.insert(event["routeKey"].as_str().unwrap_or_default().to_owned());
            }
        }
    }
    keys
}

#[test]
fn every_template_route_has_an_event_file() {
    // The events READMEs promise one file per route (for `sam local invoke`
    // and the test above).
    let routes: BTreeSet<String> = template().routes.iter().map(|r| r.key()).collect();
    let with_events = event_route_keys();
    let missing: Vec<&String> = routes.difference(&with_events).collect();
    assert!(
        missing.is_empty(),
        "routes without a functions/<group>/events/*.json: {missing:?}"
    );
}

// ---- template routes, functions and the OpenAPI document -------------------------

#[tokio::test]
async fn every_template_route_is_served_by_its_function() {
    let stack = Stack::start().await;
    let api = template();
    assert!(!api.routes.is_empty());
    let person = stack.person();
    for route in &api.routes {
        let method = if route.method == "ANY" {
            "GET"
        } else {
            route.method.as_str()
        };
        let path = fill(&route.path);
        let reply = person
            .call(Method::from_bytes(method.as_bytes()).unwrap(), &path, None)
            .await;
        let what = format!(
            "{} ({}): {} {:?}",
            route.key(),
            route.function,
            reply.status,
            reply.body
        );
        assert_ne!(
            reply.body,
            gateway_not_found(),
            "the gateway did not route {what}"
        );
        assert!(
            !(reply.status == StatusCode::NOT_FOUND && reply.code() == "not_found"),
            "the function has no such route: {what}"
        );
        assert!(
            !(reply.status == StatusCode::METHOD_NOT_ALLOWED
                && reply.code() == "method_not_allowed"),
            "the function does not accept the method: {what}"
        );
        assert!(!reply.status.is_server_error(), "{what}");
        // It is the function answering: its middleware adds the API headers.
        assert_eq!(reply.headers["cache-control"], "no-store", "{what}");
    }
}

#[tokio::test]
async fn the_openapi_document_describes_exactly_the_template_routes() {
    let stack = Stack::start().await;
    let reply = stack.person().get("/api/openapi.json").await;
    assert_eq!(reply.status, StatusCode::OK);
    let document = &reply.body;
    let version = document["openapi"].as_str().unwrap_or_default();
    assert!(version.starts_with("3.1."), "OpenAPI version {version:?}");
    assert!(document["info"]["title"].is_string());

    let mut operations = BTreeSet::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for method in [
            "get", "put", "post", "delete", "options", "head", "patch", "trace",
        ] {
            let Some(operation) = item.get(method) else {
                continue;
            };
            let responses = operation["responses"].as_object();
            assert!(
                responses.is_some_and(|r| !r.is_empty()),
                "{method} {path} documents no response"
            );
            operations.insert((method.to_uppercase(), path.clone()));
        }
    }
    let routes = template_routes(&template());
    let undocumented: Vec<_> = routes.difference(&operations).collect();
    let unrouted: Vec<_> = operations.difference(&routes).collect();
    assert!(
        undocumented.is_empty(),
        "template routes missing from the document: {undocumented:?}"
    );
    assert!(
        unrouted.is_empty(),
        "documented operations the template does not route: {unrouted:?}"
    );
}

// ---- the gateway ------------------------------------------------------------------

#[tokio::test]
async fn the_gateway_throttles_each_route_as_the_template_says() {
    let stack = Stack::start().await;
    let mut api = template();
    let health_throttle = Throttle {
        rate: 0.001,
        burst: 3.0,
    };
    api.route_throttles
        .insert("GET /api/health".into(), health_throttle);
    // Routes without settings of their own get the default...
    api.default_throttle = Some(Throttle {
        rate: 0.001,
        burst: 2.0,
    });
    // ...and routes with their own settings keep them (the template gives
    // POST /api/auth/login its own).
    assert!(api.route_throttles.contains_key("POST /api/auth/login"));
    let address = serve(
        local_gateway::build(api, local_gateway::function_routers(&stack.app), None).unwrap(),
    )
    .await;

    for n in 1..=3 {
        assert_eq!(
            get(address, "/api/health").await.status,
            StatusCode::OK,
            "request {n}"
        );
    }
    let throttled = get(address, "/api/health").await;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(throttled.body, json!({ "message": "Too Many Requests" }));

    // The default applies to a route without settings, in its own bucket.
    for n in 1..=2 {
        assert_eq!(
            get(address, "/api/openapi.json").await.status,
            StatusCode::OK,
            "request {n}"
        );
    }
    let throttled = get(address, "/api/openapi.json").await;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(throttled.body, json!({ "message": "Too Many Requests" }));

    // A route with its own (template) settings is unaffected by both.
    let client = reqwest::Client::new();
    for n in 1..=5 {
        let reply = Person::reply(
            client
                .post(format!("http://{address}/api/auth/login"))
                .json(&json!({})),
        )
        .await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::BAD_REQUEST, "invalid_field"),
            "request {n}"
        );
    }
}

#[tokio::test]
async fn unknown_api_addresses_get_api_gateways_not_found() {
    let stack = Stack::start().await;
    let person = stack.person();
    for (method, path) in [
        (Method::GET, "/api"),
        (Method::GET, "/api/"),
        (Method::GET, "/api/nothing-here"),
        (Method::GET, "/api/users/search/extra"),
        (Method::GET, "/api/auth/login"),
        (Method::POST, "/api/health"),
        (Method::DELETE, "/api/auth/me"),
    ] {
        let reply = person.call(method.clone(), path, None).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{method} {path}");
        assert_eq!(reply.body, gateway_not_found(), "{method} {path}");
    }
}

// ---- the SPA ----------------------------------------------------------------------

/// A GET sent byte for byte (HTTP clients normalise `..` away): status,
/// lower-cased headers, body.
async fn raw_get(address: SocketAddr, target: &str) -> (u16, BTreeMap<String, String>, String) {
    let request = format!("GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    let response = tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut bytes = Vec::new();
        stream.read_to_end(&mut bytes).unwrap();
        String::from_utf8_lossy(&bytes).into_owned()
    })
    .await
    .unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_lowercase(), value.trim().to_owned()))
        .collect();
    (status, headers, body.to_owned())
}

fn assert_spa_security_headers(what: &str, headers: &reqwest::header::HeaderMap) {
    for (name, value) in local_gateway::spa::SECURITY_HEADERS {
        assert_eq!(
            headers.get(*name).map(|v| v.to_str().unwrap()),
            Some(*value),
            "{what}: {name}"
        );
    }
    let header = |name: &str| headers[name].to_str().unwrap().to_owned();
    let csp = header("content-security-policy");
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
        "{what}: {csp}"
    );
    for directive in [
        "default-src 'self'",
        "script-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
    ] {
        assert!(
            csp.split(';').any(|d| d.trim() == directive),
            "{what}: CSP lacks {directive}: {csp}"
        );
    }
    let hsts = header("strict-transport-security");
    assert!(
        hsts.contains("max-age=63072000") && hsts.contains("includeSubDomains"),
        "{what}: {hsts}"
    );
    assert_eq!(header("x-frame-options"), "DENY", "{what}");
    assert_eq!(header("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(
        header("referrer-policy"),
        "strict-origin-when-cross-origin",
        "{what}"
    );
    let permissions = header("permissions-policy");
    assert!(
        permissions.contains("camera=()") && permissions.contains("geolocation=()"),
        "{what}: {permissions}"
    );
}

struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        let path = std::env::temp_dir().join(format!("spa-test-{}", unique()));
        std::fs::create_dir_all(&path).unwrap();
        Self(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[tokio::test]
async fn the_spa_is_served_as_cloudfront_serves_it() {
    let stack = Stack::start().await;
    let dir = TempDir::new();
    let spa = dir.0.join("dist");
    const INDEX: &str = "<!doctype html><title>Intentional</title><script type=module src=/assets/app-abc123.js></script>";
    const SCRIPT: &str = "console.log('app');";
    const SECRET: &str = "not for the web";
    write(&spa.join("index.html"), INDEX);
    write(&spa.join("assets/app-abc123.js"), SCRIPT);
    write(&spa.join("robots.txt"), "User-agent: *");
    write(&dir.0.join("secret.txt"), SECRET);
    let address = serve(
        local_gateway::build(
            template(),
            local_gateway::function_routers(&stack.app),
            Some(spa.clone()),
        )
        .unwrap(),
    )
    .await;

    // The app and its client-side routes: index.html, always revalidated.
    for path in ["/", "/index.html", "/u/ann", "/settings/account"] {
        let reply = get(address, path).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        assert_eq!(reply.body, Value::String(INDEX.into()), "{path}");
        assert_eq!(reply.headers["cache-control"], "no-cache", "{path}");
        assert!(
            reply.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html"),
            "{path}"
        );
        assert_spa_security_headers(path, &reply.headers);
    }
    // A hashed asset: cached for good, served as JavaScript.
    let reply = get(address, "/assets/app-abc123.js").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body, Value::String(SCRIPT.into()));
    let cache = reply.headers["cache-control"].to_str().unwrap();
    assert!(
        cache.contains("immutable") && cache.contains("max-age=31536000"),
        "{cache}"
    );
    assert!(
        reply.headers["content-type"]
            .to_str()
            .unwrap()
            .contains("javascript")
    );
    assert_spa_security_headers("asset", &reply.headers);
    // Another file: served, but not as immutable.
    let reply = get(address, "/robots.txt").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        !reply.headers["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );

    // A missing file is a 404, not the app.
    for path in ["/assets/missing.js", "/missing.css"] {
        let reply = get(address, path).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
        assert_ne!(reply.body, Value::String(INDEX.into()), "{path}");
        assert_spa_security_headers(path, &reply.headers);
    }

    // Nothing outside the folder is reachable.
    for target in [
        "/../secret.txt",
        "/assets/../../secret.txt",
        "/..%2fsecret.txt",
        "/assets/..%2f..%2fsecret.txt",
        "/../Cargo.toml",
        "/./index.html/../../secret.txt",
    ] {
        let (status, headers, body) = raw_get(address, target).await;
        assert!(!body.contains(SECRET), "{target} escaped the SPA folder");
        assert_eq!(status, 404, "{target}: {body}");
        assert_eq!(
            headers.get("x-frame-options").map(String::as_str),
            Some("DENY"),
            "{target}"
        );
    }
}

#[test]
fn the_spa_headers_are_the_ones_cloudfront_adds_in_aws() {
    // template.yaml's response-headers policy of the SPA and spa.rs must agree,
    // so the SPA is tested locally under the CSP it gets in AWS.
    let text = std::fs::read_to_string(repo_root().join("template.yaml")).unwrap();
    let root: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let policy = &root["Resources"]["SpaSecurityHeadersPolicy"];
    assert_eq!(
        policy["Type"].as_str(),
        Some("AWS::CloudFront::ResponseHeadersPolicy"),
        "template.yaml has no SpaSecurityHeadersPolicy response-headers policy"
    );
    let config = &policy["Properties"]["ResponseHeadersPolicyConfig"];
    let security = &config["SecurityHeadersConfig"];
    let text_of = |value: &serde_yaml::Value| value.as_str().map(str::to_owned);
    let hsts = &security["StrictTransportSecurity"];
    let mut from_template: BTreeMap<String, Option<String>> = BTreeMap::from([
        (
            "content-security-policy".into(),
            text_of(&security["ContentSecurityPolicy"]["ContentSecurityPolicy"]),
        ),
        (
            "strict-transport-security".into(),
            hsts["AccessControlMaxAgeSec"].as_u64().map(|age| {
                let mut value = format!("max-age={age}");
                if hsts["IncludeSubdomains"].as_bool() == Some(true) {
                    value.push_str("; includeSubDomains");
                }
                if hsts["Preload"].as_bool() == Some(true) {
                    value.push_str("; preload");
                }
                value
            }),
        ),
        (
            "x-frame-options".into(),
            text_of(&security["FrameOptions"]["FrameOption"]),
        ),
        (
            "x-content-type-options".into(),
            security
                .get("ContentTypeOptions")
                .map(|_| "nosniff".to_owned()),
        ),
        (
            "referrer-policy".into(),
            text_of(&security["ReferrerPolicy"]["ReferrerPolicy"]),
        ),
    ]);
    for item in config["CustomHeadersConfig"]["Items"]
        .as_sequence()
        .into_iter()
        .flatten()
    {
        let name = item["Header"].as_str().unwrap().to_lowercase();
        from_template.insert(name, text_of(&item["Value"]));
    }
    let local: BTreeMap<String, Option<String>> = local_gateway::spa::SECURITY_HEADERS
        .iter()
        .map(|(name, value)| (name.to_string(), Some(value.to_string())))
        .collect();
    assert_eq!(local, from_template);
}

// ---- DynamoDB requests per call -----------------------------------------------

#[tokio::test]
async fn each_call_makes_exactly_the_dynamodb_requests_it_needs() {
    let stack = Stack::start().await;
    let mut ann = stack.person();
    ann.sign_up().await;
    let login = |login: &str, password: &str| json!({ "login": login, "password": password });

    // Every call below also makes the per-client count (`CLIENT_COUNT`, one
    // UpdateItem): beside a read's first requests, before a write's.
    // GET /api/auth/me: GetItem profile (the token is checked without the table).
    let reply = ann.get("/api/auth/me").await;
    assert_eq!(reply.status, StatusCode::OK);
    reply.assert_read_cost(1, 1);
    // Without a token: refused with nothing but the count.
    let reply = stack.person().get("/api/auth/me").await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    reply.assert_read_cost(0, 0);

    // POST /api/auth/login, success (by username, then by email): UpdateItem
    // login-ip counter beside GetItem username (or email) claim; GetItem
    // profile and GetItem password hash (its own item) beside UpdateItem
    // login-failures counter (the try, counted before the check); UpdateItem
    // again (given back: the password was right); PutItem session. 7
    // requests, 4 deep.
    for identifier in [&ann.username, &ann.email] {
        let reply = stack
            .person()
            .post("/api/auth/login", login(identifier, PASSWORD))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
        reply.assert_write_cost(7, 4);
    }
    // Wrong password: the same reads and the failure count, 5 requests, 2
    // deep; an unknown login makes exactly the same requests (its claim
    // missing, a profile and a hash nobody has, its own failure count), so neither its
    // answer nor its work tells which accounts exist.
    let reply = stack
        .person()
        .post(
            "/api/auth/login",
            login(&ann.username, "not-her-password-at-all"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    reply.assert_write_cost(5, 2);
    let reply = stack
        .person()
        .post(
            "/api/auth/login",
            login(&format!("nobody_{}", unique()), PASSWORD),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    reply.assert_write_cost(5, 2);

    // POST /api/auth/refresh: GetItem session beside GetItem profile, then
    // the conditional UpdateItem rotating it: 3 requests, 2 deep.
    let reply = ann.post("/api/auth/refresh", json!({})).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.assert_write_cost(3, 2);
    ann.keep_session(&reply);
    // Without a cookie: refused before the table.
    let reply = stack.person().post("/api/auth/refresh", json!({})).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    reply.assert_write_cost(0, 0);

    // POST /api/auth/otp, new address: UpdateItem code-ip counter, UpdateItem
    // code-email counter, GetItem email claim, PutItem code.
    let reply = stack
        .person()
        .post(
            "/api/auth/otp",
            json!({ "email": format!("count-{}@example.com", unique()) }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED);
    assert_eq!(reply.dynamodb_requests(), 4 + CLIENT_COUNT);
    // A registered address: the same requests (a notice instead of the code,
    // and a code stored that nobody receives).
    let reply = stack
        .person()
        .post("/api/auth/otp", json!({ "email": ann.email }))
        .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED);
    assert_eq!(reply.dynamodb_requests(), 4 + CLIENT_COUNT);

    // POST /api/auth/password-reset: UpdateItem code-ip and reset-email
    // counters, GetItem email claim, PutItem code: the same for an address
    // with an account (the code is sent) and one without (a notice is).
    for email in [ann.email.clone(), format!("none-{}@example.com", unique())] {
        let reply = stack
            .person()
            .post("/api/auth/password-reset", json!({ "email": email }))
            .await;
        assert_eq!(reply.status, StatusCode::ACCEPTED);
        assert_eq!(reply.dynamodb_requests(), 4 + CLIENT_COUNT, "{email}");
    }

    // GET /api/users/search: GetItem username claim.
    let reply = ann.get(&format!("/api/users/search?q={}", unique())).await;
    assert_eq!(reply.status, StatusCode::OK);
    reply.assert_read_cost(1, 1);
    // Something that cannot be a username: answered without looking.
    let reply = ann.get("/api/users/search?q=not%20a%20name!").await;
    assert_eq!(reply.status, StatusCode::OK);
    reply.assert_read_cost(0, 0);

    // GET /api/health: no table access at all. The health function has no
    // application state, and its router is built with `expose_metrics: false`
    // (functions/health/src/lib.rs), so it sends no X-DynamoDB-Requests header;
    // an absent header means no requests.
    let reply = stack.person().get("/api/health").await;
    assert_eq!(reply.status, StatusCode::OK);
    let requests = reply
        .headers
        .get("x-dynamodb-requests")
        .map_or(0, |v| v.to_str().unwrap().parse::<u32>().unwrap());
    assert_eq!(requests, 0);
}
