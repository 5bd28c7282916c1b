//! Test harness: a real local gateway (in-process, on a free port) in front of
//! the real functions, talking to the local DynamoDB (Dynoxide, or moto for
//! the cross-check run) and the SES emulator that `make test` starts.
//!
//! Each [`Stack`] gets a table of its own, created like the one `make test`
//! made from the template: tests cannot see each other's data, and an
//! engine whose cost grows with the table (moto scans and copies whole
//! tables) stays fast. Each test person has their own loopback source
//! address, so per-IP limits apply to them as to separate people.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use shared::config::Config;

/// The repository root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn require_env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!(
            "{name} is not set: these tests need the local emulators. Run them with `make test` \
             (or start them with `infra/local/stack.sh start` and export the variables test.sh sets)."
        )
    })
}

/// A running gateway.
pub struct Stack {
    pub base: String,
    pub app: shared::App,
}

/// Configuration from the environment with limits relaxed so that unrelated
/// tests do not trip them; rate-limit tests set their own.
pub fn test_config() -> Config {
    let mut config = Config::from_env().expect("test configuration");
    config.expose_metrics = true;
    // A test person makes far more calls a minute than a person would (the
    // per-client limit has its own tests, at its default).
    config.rate_limits.calls_per_client.max = 100_000;
    // Notice emails carry links, so they are sent only with an address.
    config.site_url = Some("http://localhost:3000".into());
    config
}

impl Stack {
    /// A gateway with the given configuration, on a new table.
    pub async fn start_with(mut config: Config) -> Self {
        require_env("AWS_ENDPOINT_URL_DYNAMODB");
        shared::http::init_tracing();
        config.table_name = new_table_like(&config.table_name).await;
        let app = shared::App::from_config(config).await.expect("app state");
        Self::serving(app).await
    }

    /// A gateway in front of `app` (whose table the caller chose).
    pub async fn serving(app: shared::App) -> Self {
        let api = local_gateway::template::HttpApi::from_file(&repo_root().join("template.yaml"))
            .expect("template.yaml");
        let router = local_gateway::build(api, local_gateway::function_routers(&app), None)
            .expect("gateway");
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
        Self {
            base: format!("http://{address}"),
            app,
        }
    }

    /// A gateway with the default test configuration.
    pub async fn start() -> Self {
        Self::start_with(test_config()).await
    }

    /// A new person (HTTP client) with their own source address.
    pub fn person(&self) -> Person {
        Person::new(&self.base)
    }

    /// A stack whose configuration names one operator, who is returned
    /// signed in: they sign up on a first gateway, and a second one on the
    /// same table, whose configuration (changed by `configure` too) names
    /// their id, serves everyone from then on.
    pub async fn with_operator(configure: impl FnOnce(&mut Config)) -> (Self, Person) {
        let first = Self::start().await;
        let mut operator = first.person();
        operator.sign_up().await;
        let mut config = test_config();
        config.table_name = first.app.config.table_name.clone();
        config.operators =
            shared::domain::moderation::Operators::parse(&operator.id).expect("an id");
        configure(&mut config);
        let app = shared::App::from_config(config).await.expect("app state");
        let stack = Self::serving(app).await;
        let operator = operator.on(&stack);
        (stack, operator)
    }
}

static NEXT_ADDRESS: AtomicU32 = AtomicU32::new(0);

/// The DynamoDB client of the tests' own set-up (tables, raw requests).
pub async fn dynamodb() -> aws_sdk_dynamodb::Client {
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(shared::app::https_client())
        .load()
        .await;
    aws_sdk_dynamodb::Client::new(&sdk)
}

/// Creates a table with the keys and indexes of `model` (the one `make test`
/// created from template.yaml) and returns its name.
pub async fn new_table_like(model: &str) -> String {
    let client = dynamodb().await;
    let model_table = client
        .describe_table()
        .table_name(model)
        .send()
        .await
        .unwrap_or_else(|e| panic!("table {model} (made by make test): {e:?}"))
        .table
        .expect("a table description");
    let name = format!("{model}-{}", unique());
    let indexes = model_table.global_secondary_indexes().iter().map(|index| {
        aws_sdk_dynamodb::types::GlobalSecondaryIndex::builder()
            .index_name(index.index_name().unwrap_or_default())
            .set_key_schema(index.key_schema.clone())
            .set_projection(index.projection.clone())
            .build()
            .expect("an index")
    });
    client
        .create_table()
        .table_name(&name)
        .billing_mode(aws_sdk_dynamodb::types::BillingMode::PayPerRequest)
        .set_key_schema(model_table.key_schema.clone())
        .set_attribute_definitions(model_table.attribute_definitions.clone())
        .set_global_secondary_indexes(Some(indexes.collect()).filter(|v: &Vec<_>| !v.is_empty()))
        .send()
        .await
        .unwrap_or_else(|e| panic!("create table {name}: {e:?}"));
    name
}

/// The engine the tests run on (`DYNAMODB_ENGINE`, set by `make test`).
pub fn engine() -> String {
    std::env::var("DYNAMODB_ENGINE").unwrap_or_else(|_| "dynoxide".into())
}

/// A unique loopback address (127.0.0.0/8 is all ours on Linux).
pub fn unique_loopback() -> IpAddr {
    let salt = u32::from(rand::random::<u16>()) << 8;
    let n = NEXT_ADDRESS.fetch_add(1, Ordering::Relaxed) + salt;
    IpAddr::V4(Ipv4Addr::new(
        127,
        ((n >> 16) & 0xff) as u8 | 1,
        (n >> 8) as u8,
        (n as u8).max(2),
    ))
}

/// Returns once at least `needed` seconds are left in the current window of
/// length `window`, so that the requests that follow all fall in one window.
pub async fn fresh_window(window: Duration, needed: u64) {
    let limit = shared::config::RateLimit { max: 1, window };
    let (_, left) = shared::rate_limit::window(limit, shared::domain::Timestamp::now());
    if left < needed {
        // `left` counts from the start of the current second: sleeping it
        // (and a little more) always reaches the next window.
        tokio::time::sleep(Duration::from_secs(left) + Duration::from_millis(100)).await;
    }
}

/// The reply is the app's `429` (`rate_limited`: ours, not API Gateway's
/// `{"message":"Too Many Requests"}`), with a `Retry-After` of
/// 1..=window seconds; returns the `Retry-After`.
#[track_caller]
pub fn assert_rate_limited(reply: &Reply, window: Duration) -> u64 {
    assert_eq!(
        reply.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{:?}",
        reply.body
    );
    assert_eq!(reply.code(), "rate_limited", "{:?}", reply.body);
    let header = reply
        .headers
        .get("retry-after")
        .unwrap_or_else(|| panic!("a 429 without Retry-After: {:?}", reply.headers));
    let seconds: u64 = header
        .to_str()
        .unwrap()
        .parse()
        .unwrap_or_else(|_| panic!("Retry-After is not a whole number of seconds: {header:?}"));
    assert!(
        (1..=window.as_secs()).contains(&seconds),
        "Retry-After {seconds} is outside 1..={}",
        window.as_secs()
    );
    seconds
}

/// What the per-client limit costs every call: one UpdateItem.
pub const CLIENT_COUNT: u32 = 1;

/// A unique suffix for emails and usernames.
pub fn unique() -> String {
    format!("{:x}", rand::random::<u64>())
}

/// A strong password for test accounts.
pub const PASSWORD: &str = "quiet-harbour-lantern-71";

/// The answer to one request.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    /// `error.code` of an error body.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }

    /// Asserts the call's DynamoDB cost: requests made, and how many of them
    /// ran one after another (the round trips that set its latency in AWS).
    #[track_caller]
    pub fn assert_cost(&self, requests: u32, depth: u32) {
        assert_eq!(
            (self.dynamodb_requests(), self.dynamodb_depth()),
            (requests, depth),
            "(DynamoDB requests, round-trip depth) of a call answering {}",
            self.status
        );
    }

    /// [`Reply::assert_cost`] of a read (GET) whose own work is `requests`
    /// requests, `depth` deep: the per-client count adds one request, sent
    /// beside the read's first ones (so no depth beyond the first level).
    #[track_caller]
    pub fn assert_read_cost(&self, requests: u32, depth: u32) {
        self.assert_cost(requests + CLIENT_COUNT, depth.max(1));
    }

    /// [`Reply::assert_cost`] of a write (POST, PUT, PATCH, DELETE) whose own
    /// work is `requests` requests, `depth` deep: the per-client count adds
    /// one request, made first, so one level more.
    #[track_caller]
    pub fn assert_write_cost(&self, requests: u32, depth: u32) {
        self.assert_cost(requests + CLIENT_COUNT, depth + CLIENT_COUNT);
    }

    /// [`Reply::assert_write_cost`] for a write whose branches run side by
    /// side and end at different times: its requests exactly, its depth at
    /// most `depth` (a request of one branch that starts after another
    /// branch's ended is measured as coming after it).
    #[track_caller]
    pub fn assert_write_cost_within(&self, requests: u32, depth: u32) {
        assert_eq!(
            self.dynamodb_requests(),
            requests + CLIENT_COUNT,
            "DynamoDB requests of a call answering {}",
            self.status
        );
        assert!(
            self.dynamodb_depth() <= depth + CLIENT_COUNT,
            "round-trip depth {} > {} of a call answering {}",
            self.dynamodb_depth(),
            depth + CLIENT_COUNT,
            self.status
        );
    }

    /// The DynamoDB requests the call made (from `X-DynamoDB-Requests`).
    pub fn dynamodb_requests(&self) -> u32 {
        self.number_header("x-dynamodb-requests")
    }

    /// How many of them ran one after another (from `X-DynamoDB-Depth`).
    pub fn dynamodb_depth(&self) -> u32 {
        self.number_header("x-dynamodb-depth")
    }

    fn number_header(&self, name: &str) -> u32 {
        self.headers[name].to_str().unwrap().parse().unwrap()
    }

    /// The refresh cookie the response set, if any (value, whole header).
    pub fn refresh_cookie(&self) -> Option<(String, String)> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("refresh_token="))
            .map(|header| {
                let value = header["refresh_token=".len()..]
                    .split(';')
                    .next()
                    .unwrap()
                    .to_owned();
                (value, header.to_owned())
            })
    }
}

/// One person using the API: their own source IP, access token and cookie.
pub struct Person {
    base: String,
    client: reqwest::Client,
    pub token: Option<String>,
    pub refresh: Option<String>,
    pub email: String,
    pub username: String,
    pub id: String,
}

impl Person {
    /// Their id, typed, for calls on the store.
    pub fn user_id(&self) -> shared::domain::ids::UserId {
        shared::domain::ids::UserId::parse(&self.id).expect("a signed-up person's id")
    }
}

/// An HTTP client whose requests come from `ip`.
fn client_from(ip: IpAddr) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(ip)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

impl Person {
    fn new(base: &str) -> Self {
        let ip = unique_loopback();
        let suffix = unique();
        Self {
            base: base.to_owned(),
            client: client_from(ip),
            token: None,
            refresh: None,
            email: format!("person-{suffix}@example.com"),
            username: format!("p_{suffix}"),
            id: String::new(),
        }
    }

    /// The same person (email, username, session) sending from `ip`, e.g.
    /// many people behind one address.
    pub fn behind(&self, ip: IpAddr) -> Person {
        Self {
            base: self.base.clone(),
            client: client_from(ip),
            token: self.token.clone(),
            refresh: self.refresh.clone(),
            email: self.email.clone(),
            username: self.username.clone(),
            id: self.id.clone(),
        }
    }

    /// The same person (address, session) calling another gateway.
    pub fn on(&self, stack: &Stack) -> Person {
        Self {
            base: stack.base.clone(),
            ..self.behind(unique_loopback())
        }
    }

    /// Sends a request; JSON body if given; bearer token and cookie if held.
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        if let Some(cookie) = &self.refresh {
            request = request.header("cookie", format!("refresh_token={cookie}"));
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        Self::reply(request).await
    }

    /// Sends a prepared request builder (for raw bodies and headers).
    pub fn raw(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.client.request(method, format!("{}{path}", self.base))
    }

    pub async fn reply(request: reqwest::RequestBuilder) -> Reply {
        let (client, request) = request.build_split();
        let request = request.expect("a well-formed request");
        let (method, path) = (request.method().clone(), request.url().path().to_owned());
        let response = client.execute(request).await.expect("gateway reachable");
        let status = response.status();
        let headers = response.headers().clone();
        assert_iam_allows(method.as_str(), &path, &headers);
        let text = response.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Reply {
            status,
            headers,
            body,
        }
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.call(Method::POST, path, Some(body)).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.call(Method::GET, path, None).await
    }

    /// Keeps the session a sign-in/refresh response carries.
    pub fn keep_session(&mut self, reply: &Reply) {
        if let Some(token) = reply.body["access_token"].as_str() {
            self.token = Some(token.to_owned());
        }
        if let Some((value, _)) = reply.refresh_cookie() {
            self.refresh = (!value.is_empty()).then_some(value);
        }
        if let Some(id) = reply.body["user"]["id"].as_str() {
            self.id = id.to_owned();
        }
    }

    /// Asks for a sign-up code and reads it from the mailbox.
    pub async fn request_code(&self) -> String {
        let reply = self
            .post("/api/auth/otp", json!({ "email": self.email }))
            .await;
        assert_eq!(reply.status, StatusCode::ACCEPTED, "{:?}", reply.body);
        latest_code(&self.email).await
    }

    /// Signs up through the API with a code from the mailbox.
    pub async fn sign_up(&mut self) -> Reply {
        let code = self.request_code().await;
        let reply = self
            .post(
                "/api/auth/register",
                json!({ "email": self.email, "username": self.username, "password": PASSWORD, "code": code }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
        self.keep_session(&reply);
        reply
    }
}

/// The DynamoDB actions each function's IAM policy allows, from
/// template.yaml's `Allow` statements (conditions aside: a `LeadingKeys`
/// condition is checked by the template tests).
fn allowed_actions() -> &'static std::collections::HashMap<String, std::collections::HashSet<String>>
{
    static ALLOWED: std::sync::OnceLock<
        std::collections::HashMap<String, std::collections::HashSet<String>>,
    > = std::sync::OnceLock::new();
    ALLOWED.get_or_init(|| {
        let text = std::fs::read_to_string(repo_root().join("template.yaml")).unwrap();
        let template: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
        let as_list = |value: &serde_yaml::Value| -> Vec<String> {
            match value {
                serde_yaml::Value::String(one) => vec![one.clone()],
                serde_yaml::Value::Sequence(many) => many
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect(),
                _ => Vec::new(),
            }
        };
        let mut allowed = std::collections::HashMap::new();
        for (name, resource) in template["Resources"].as_mapping().unwrap() {
            if resource["Type"] != "AWS::Serverless::Function" {
                continue;
            }
            let mut actions = std::collections::HashSet::new();
            for policy in resource["Properties"]["Policies"]
                .as_sequence()
                .into_iter()
                .flatten()
            {
                for statement in policy["Statement"].as_sequence().into_iter().flatten() {
                    if statement["Effect"] == "Allow" {
                        actions.extend(as_list(&statement["Action"]));
                    }
                }
            }
            allowed.insert(name.as_str().unwrap().to_owned(), actions);
        }
        allowed
    })
}

/// Every call the tests make checks that the function serving it may make
/// the DynamoDB requests it made: the local engines check no IAM, so a
/// missing action would otherwise first fail in AWS (a post's PutItem once
/// did).
#[track_caller]
fn assert_iam_allows(method: &str, path: &str, headers: &reqwest::header::HeaderMap) {
    static API: std::sync::OnceLock<local_gateway::template::HttpApi> = std::sync::OnceLock::new();
    let Some(actions) = headers
        .get("x-dynamodb-actions")
        .and_then(|v| v.to_str().ok())
    else {
        return;
    };
    let api = API.get_or_init(|| {
        local_gateway::template::HttpApi::from_file(&repo_root().join("template.yaml")).unwrap()
    });
    let Some((route, _)) = api.find(method, path) else {
        return;
    };
    let allowed = &allowed_actions()[&route.function];
    for action in actions.split(',').filter(|a| !a.is_empty()) {
        assert!(
            allowed.contains(&format!("dynamodb:{action}")),
            "{method} {path} made a DynamoDB {action}, which {}'s IAM policy does not allow (template.yaml)",
            route.function
        );
    }
}

/// Every email the SES emulator received for `to`, oldest first.
pub async fn mailbox(to: &str) -> Vec<Value> {
    let store: Value = reqwest::get(format!("{}/store", require_env("SES_STORE_URL")))
        .await
        .expect("SES emulator reachable")
        .json()
        .await
        .unwrap();
    store["emails"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|email| {
            email["destination"]["to"]
                .as_array()
                .is_some_and(|list| list.iter().any(|a| a.as_str() == Some(to)))
        })
        .cloned()
        .collect()
}

/// The six digits of the newest email to `to`.
pub async fn latest_code(to: &str) -> String {
    let emails = mailbox(to).await;
    let email = emails.last().unwrap_or_else(|| panic!("no email to {to}"));
    code_in(email).unwrap_or_else(|| panic!("no code in the newest email to {to}: {email}"))
}

/// The code in an email, if it carries one.
pub fn code_in(email: &Value) -> Option<String> {
    let text = email["body"]["text"].as_str().unwrap_or_default();
    text.split(|c: char| !c.is_ascii_digit())
        .find(|part| part.len() == 6)
        .map(str::to_owned)
}
