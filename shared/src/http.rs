//! HTTP glue: extractors that turn requests into domain input (or a clean
//! error), the middleware every route shares, and the Lambda entry point.

use std::net::{IpAddr, Ipv6Addr};
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::{FromRef, FromRequest, FromRequestParts, MatchedPath, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, header};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use futures::future::{self, Either};
use lambda_http::RequestExt;
use lambda_http::request::RequestContext;
use serde::de::DeserializeOwned;
use tracing::Instrument;

use crate::App;
use crate::auth::Claims;
use crate::config::{ClientIpSource, Config};
use crate::domain::ids::{FamilyId, UserId};
use crate::error::ApiError;
use crate::rate_limit::{self, Call};
use crate::store::StoreError;
use crate::store::metrics::{StoreTally, TALLY};

/// Largest request body we read.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Starts the Lambda runtime with `router` (what each function's `main` calls).
pub async fn run_lambda(router: Router) -> Result<(), lambda_http::Error> {
    lambda_http::run(router).await
}

/// Starts the Lambda runtime with `router` for API Gateway's events, and
/// `scheduled` for the EventBridge schedule's (`"source": "aws.events"`):
/// how the auth function also runs the account clean-up's passes.
pub async fn run_lambda_with_schedule<F, Fut>(
    router: Router,
    scheduled: F,
) -> Result<(), lambda_http::Error>
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = serde_json::Value> + Send,
{
    use lambda_http::lambda_runtime::{self, LambdaEvent};
    use tower::ServiceExt;
    lambda_runtime::run(lambda_runtime::service_fn(
        move |event: LambdaEvent<serde_json::Value>| {
            let router = router.clone();
            let scheduled = scheduled.clone();
            async move {
                let (payload, context) = event.into_parts();
                if payload.get("source").and_then(|s| s.as_str()) == Some("aws.events") {
                    return Ok::<_, lambda_http::Error>(scheduled().await);
                }
                let request: lambda_http::request::LambdaRequest = serde_json::from_value(payload)?;
                let adapter = lambda_http::Adapter::from(router);
                let response = adapter.oneshot(LambdaEvent::new(request, context)).await?;
                Ok(serde_json::to_value(response)?)
            }
        },
    ))
    .await
}

/// Logs as JSON (CloudWatch) unless `LOG_FORMAT=pretty`; level from `RUST_LOG`.
pub fn init_tracing() {
    if std::env::var("LOG_FORMAT").as_deref() == Ok("pretty") {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(log_filter())
            .with_target(false)
            .compact()
            .try_init(); // already initialised (tests, the local gateway)
    } else {
        init_json_tracing(std::io::stdout);
    }
}

/// The production log format, written to `writer`: one JSON object per line
/// with the event's fields at the top and the request span's (request id,
/// method, route, user id) under `span`. Request and response bodies, headers and query strings are
/// never logged, so tokens, passwords, codes and posts cannot reach the logs
/// (`infra/gateway/tests/logs.rs` checks). Does nothing if a subscriber is
/// already installed.
pub fn init_json_tracing<W>(writer: W)
where
    W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    let _ = tracing::subscriber::set_global_default(json_subscriber(writer));
}

/// The subscriber [`init_json_tracing`] installs, for a caller that scopes it
/// (a test capturing one thread's logs).
pub fn json_subscriber<W>(writer: W) -> impl tracing::Subscriber + Send + Sync + 'static
where
    W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    tracing_subscriber::fmt()
        .with_env_filter(log_filter())
        .with_target(false)
        .with_writer(writer)
        .json()
        .with_ansi(false)
        .with_current_span(true)
        .with_span_list(false)
        .flatten_event(true)
        .without_time() // CloudWatch stamps every line
        .finish()
}

fn log_filter() -> tracing_subscriber::EnvFilter {
    tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"))
}

/// Wraps a function's routes with what every route shares: JSON 404/405,
/// security headers, a request span (request id, route, user id), the
/// DynamoDB request tally and the per-client limit.
pub fn finish(router: Router<App>, app: App) -> Router {
    let observe_config = Observe {
        expose_metrics: app.config.expose_metrics,
    };
    let limited = router
        .layer(from_fn_with_state(app.clone(), limit_client))
        .with_state(app);
    decorate(limited, observe_config)
}

/// What the shared middleware needs to know.
#[derive(Debug, Clone, Copy)]
pub struct Observe {
    /// Add `X-DynamoDB-Requests`, `X-DynamoDB-Depth`, `X-DynamoDB-Actions`
    /// (the IAM actions the call needed) and `Server-Timing` to responses.
    pub expose_metrics: bool,
}

/// [`finish`] for a function with no application state (health, docs).
pub fn decorate(router: Router, observe_config: Observe) -> Router {
    router
        .fallback(route_not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(from_fn_with_state(observe_config, observe))
}

async fn route_not_found() -> ApiError {
    ApiError::not_found("not_found", "There is nothing at this address.")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "This address does not accept that method.",
    )
}

/// The API Gateway request id (or the Lambda one, or `local`).
fn request_id(parts_ext: &axum::http::Extensions) -> String {
    match parts_ext.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => context.request_id.clone(),
        _ => None,
    }
    .or_else(|| parts_ext.lambda_context_ref().map(|c| c.request_id.clone()))
    .unwrap_or_else(|| "local".into())
}

async fn observe(State(config): State<Observe>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".into());
    let span = tracing::info_span!(
        "request",
        request_id = %request_id(request.extensions()),
        method = %request.method(),
        route = %route,
        user_id = tracing::field::Empty,
    );
    let tally = Arc::new(StoreTally::default());
    let mut response = TALLY
        .scope(tally.clone(), next.run(request))
        .instrument(span.clone())
        .await;
    let elapsed = started.elapsed();

    let headers = response.headers_mut();
    for (name, value) in SECURITY_HEADERS {
        headers.insert(name.clone(), HeaderValue::from_static(value));
    }
    if config.expose_metrics {
        let store_ms = tally.micros() as f64 / 1000.0;
        let total_ms = elapsed.as_micros() as f64 / 1000.0;
        headers.insert(
            HeaderName::from_static("x-dynamodb-requests"),
            HeaderValue::from(tally.requests()),
        );
        headers.insert(
            HeaderName::from_static("x-dynamodb-depth"),
            HeaderValue::from(tally.depth()),
        );
        if let Ok(value) = HeaderValue::from_str(&tally.iam_actions().join(",")) {
            headers.insert(HeaderName::from_static("x-dynamodb-actions"), value);
        }
        if let Ok(value) = HeaderValue::from_str(&format!(
            "store;dur={store_ms:.3}, app;dur={:.3}, total;dur={total_ms:.3}",
            (total_ms - store_ms).max(0.0)
        )) {
            headers.insert(HeaderName::from_static("server-timing"), value);
        }
    }
    span.in_scope(|| {
        tracing::info!(
            status = response.status().as_u16(),
            latency_ms = elapsed.as_millis() as u64,
            dynamodb_requests = tally.requests(),
            dynamodb_ms = tally.micros() / 1000,
            "request served"
        )
    });
    response
}

/// Sent on every API response: nothing here is cacheable, sniffable or frameable.
const SECURITY_HEADERS: &[(HeaderName, &str)] = &[
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::CACHE_CONTROL, "no-store"),
    (
        header::STRICT_TRANSPORT_SECURITY,
        "max-age=63072000; includeSubDomains; preload",
    ),
    (header::X_FRAME_OPTIONS, "DENY"),
    (
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; frame-ancestors 'none'",
    ),
    (header::REFERRER_POLICY, "no-referrer"),
];

/// A JSON request body, with every way it can be wrong turned into a clear
/// 400/413/415 that names the field.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, _state: &S) -> Result<Self, ApiError> {
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"));
        if !is_json {
            return Err(ApiError::new(
                axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Send the body as JSON with the header Content-Type: application/json.",
            ));
        }
        let too_large = || {
            ApiError::new(
                axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                format!(
                    "The request body is larger than {} KiB.",
                    MAX_BODY_BYTES / 1024
                ),
            )
        };
        let bytes = axum::body::to_bytes(request.into_body(), MAX_BODY_BYTES)
            .await
            .map_err(|_| too_large())?;
        parse_json(&bytes).map(JsonBody)
    }
}

/// Parses a JSON body, naming the field at fault in the error.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request(
            "invalid_json",
            "The request body is empty; send a JSON object.",
        ));
    }
    // Every body we take is an object: serde would read a struct from an
    // array (`[null, null]`) too, which no document describes.
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first != Some(&b'{') {
        return Err(ApiError::bad_request(
            "invalid_json",
            "The request body must be a JSON object, like {\"name\": \"value\"}.",
        ));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        let detail = inner.to_string();
        // serde_json appends the position; people need the field, not the column.
        let detail = detail
            .split(" at line ")
            .next()
            .unwrap_or(&detail)
            .to_owned();
        if inner.is_syntax() || inner.is_eof() {
            ApiError::bad_request(
                "invalid_json",
                format!("The request body is not valid JSON ({detail})."),
            )
        } else if path == "." {
            ApiError::bad_request("invalid_field", format!("{}.", capitalise(&detail)))
        } else {
            ApiError::bad_request("invalid_field", format!("Field `{path}`: {detail}."))
        }
    })
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Query-string parameters, with a clean 400 when they do not parse.
pub struct QueryParams<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for QueryParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or_default();
        serde_urlencoded_query(query).map(QueryParams)
    }
}

fn serde_urlencoded_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    axum::extract::Query::<T>::try_from_uri(
        &format!("/?{query}").parse().map_err(|_| {
            ApiError::bad_request("invalid_query", "The query string is malformed.")
        })?,
    )
    .map(|q| q.0)
    .map_err(|rejection| {
        ApiError::bad_request(
            "invalid_query",
            format!("The query string is invalid: {}.", rejection.body_text()),
        )
    })
}

/// The client's address, from the source the configuration trusts, as the
/// per-address limits count it: an IPv4 address as it is, an IPv6 address
/// by its /64 (`2001:db8:1:2::/64`), since one host commonly holds a whole
/// /64 and could otherwise take a fresh address per request. Logs carry the
/// same form, so a spray from one /64 groups as one client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientIp(pub String);

impl ClientIp {
    /// The client as the limits see it, from the address the source gave
    /// (`unknown` if it gave none, or something that is not an address).
    pub fn from_address(address: Option<&str>) -> Self {
        let parsed = address.and_then(|a| a.trim().parse::<IpAddr>().ok());
        Self(match parsed {
            None => "unknown".into(),
            Some(IpAddr::V4(v4)) => v4.to_string(),
            Some(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
                Some(v4) => v4.to_string(),
                None => {
                    let network = u128::from(v6) & !(u128::MAX >> 64);
                    format!("{}/64", Ipv6Addr::from(network))
                }
            },
        })
    }

    fn of(config: &Config, headers: &HeaderMap, extensions: &axum::http::Extensions) -> Self {
        let address = match config.client_ip_source {
            ClientIpSource::CloudFront => headers
                .get("cloudfront-viewer-address")
                .and_then(|v| v.to_str().ok())
                // "203.0.113.7:4711" or "2001:db8::1:4711": the port follows the last colon.
                .and_then(|v| v.rsplit_once(':').map(|(ip, _port)| ip.to_owned())),
            ClientIpSource::SourceIp => match extensions.request_context_ref() {
                Some(RequestContext::ApiGatewayV2(context)) => context.http.source_ip.clone(),
                _ => None,
            },
        };
        Self::from_address(address.as_deref())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientIp
where
    App: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        if let Some(ip) = parts.extensions.get::<ClientIp>() {
            return Ok(ip.clone()); // found by the per-client limit
        }
        let app = App::from_ref(state);
        Ok(Self::of(&app.config, &parts.headers, &parts.extensions))
    }
}

/// The bearer token of `headers`, if there is one.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
}

/// Holds every call to the per-client limit (`RATE_LIMIT_CLIENT`, 100 a
/// minute). The client is the signed-in person when the call carries a
/// valid access token (so people behind one NAT do not share a budget, and
/// accounts cannot be minted freely: sign-up is limited per address), and
/// the address otherwise. One UpdateItem per call: a read (GET) counts
/// beside the handler's first reads, so its depth does not grow, and is
/// cancelled if the count refuses it; a write counts first, so a refused
/// call changes nothing.
async fn limit_client(State(app): State<App>, mut request: Request, next: Next) -> Response {
    let ip = ClientIp::of(&app.config, request.headers(), request.extensions());
    let caller = bearer(request.headers())
        .and_then(|token| app.keys.verify_access(token).ok())
        .map(CurrentUser::from);
    let user = caller.as_ref().map(|c| c.user_id.as_str().to_owned());
    let subject = match &user {
        Some(user_id) => format!("user:{user_id}"),
        None => format!("ip:{}", ip.0),
    };
    // What was found here is what the handler's extractors would find
    // again: they take it from here instead of verifying the token twice.
    request.extensions_mut().insert(ip.clone());
    request.extensions_mut().insert(Verified(caller));
    let limit = app.config.rate_limits.calls_per_client;
    let count = rate_limit::count_call(&app.store, limit, &subject);
    let answer = |call: Result<Call, StoreError>| -> Option<Response> {
        match call {
            Ok(Call::Admitted) => None,
            Ok(Call::Refused { retry_after, first }) => {
                if first {
                    let user_id = user.as_deref();
                    tracing::warn!(event = "client_limit_hit", client_ip = %ip.0, user_id, max = limit.max, window_seconds = limit.window.as_secs(), "per-client limit reached");
                }
                Some(ApiError::too_many_calls(retry_after).into_response())
            }
            Err(error) => Some(ApiError::from(error).into_response()),
        }
    };
    let reads_only = matches!(*request.method(), Method::GET | Method::HEAD);
    if !reads_only {
        return match answer(count.await) {
            Some(refused) => refused,
            None => next.run(request).await,
        };
    }
    let serve = std::pin::pin!(next.run(request));
    let count = std::pin::pin!(count);
    match future::select(count, serve).await {
        // Dropping `serve` cancels the reads still in flight.
        Either::Left((call, serve)) => match answer(call) {
            Some(refused) => refused,
            None => serve.await,
        },
        Either::Right((response, count)) => answer(count.await).unwrap_or(response),
    }
}

/// The signed-in caller, from `Authorization: Bearer <access token>`.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    /// Their user id.
    pub user_id: UserId,
    /// The session family the token belongs to.
    pub session_id: FamilyId,
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser
where
    App: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let caller = match parts.extensions.get::<Verified>() {
            // The per-client limit verified the token already.
            Some(Verified(caller)) => caller.clone(),
            None => {
                let app = App::from_ref(state);
                bearer(&parts.headers)
                    .and_then(|token| app.keys.verify_access(token).ok())
                    .map(CurrentUser::from)
            }
        };
        let caller = caller.ok_or_else(ApiError::unauthenticated)?;
        tracing::Span::current().record("user_id", caller.user_id.as_str());
        Ok(caller)
    }
}

impl From<Claims> for CurrentUser {
    fn from(Claims { sub, sid, .. }: Claims) -> Self {
        // The token is signed by us, so its ids are ones we made.
        CurrentUser {
            user_id: UserId::from_stored(sub),
            session_id: FamilyId::from_stored(sid),
        }
    }
}

/// The caller the per-client limit found from the bearer token, if the
/// token was valid (a request extension).
#[derive(Clone)]
struct Verified(Option<CurrentUser>);

/// A cookie's value from the request's `Cookie` headers.
pub fn cookie<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// `204 No Content` with extra headers (e.g. a cleared cookie).
pub fn no_content() -> Response {
    axum::http::StatusCode::NO_CONTENT.into_response()
}

/// A page of our own, for the links in emails that open in a browser
/// (unsubscribing, opting out of invitations): nothing loads from
/// elsewhere, no script runs, and its form posts back to the same address.
pub fn page(title: &str, body: String) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · Intentional Social</title></head>\
         <body><main><h1>{title}</h1>{body}</main></body></html>"
    );
    (
        [
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; form-action 'self'; frame-ancestors 'none'",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        axum::response::Html(html),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Login {
        login: String,
        password: String,
    }

    #[test]
    fn json_errors_name_the_field() {
        let error = parse_json::<Login>(br#"{"login": 5, "password": "x"}"#).unwrap_err();
        assert_eq!(error.code, "invalid_field");
        assert!(error.message.contains("`login`"), "{}", error.message);

        let error = parse_json::<Login>(br#"{"login": "a"}"#).unwrap_err();
        assert!(
            error
                .message
                .to_lowercase()
                .contains("missing field `password`"),
            "{}",
            error.message
        );

        let error =
            parse_json::<Login>(br#"{"login": "a", "password": "b", "extra": 1}"#).unwrap_err();
        assert!(
            error
                .message
                .to_lowercase()
                .contains("unknown field `extra`"),
            "{}",
            error.message
        );

        assert_eq!(
            parse_json::<Login>(b"{not json").unwrap_err().code,
            "invalid_json"
        );
        assert_eq!(parse_json::<Login>(b"  ").unwrap_err().code, "invalid_json");
        // A struct is never read from an array.
        let error = parse_json::<Login>(br#"["a", "b"]"#).unwrap_err();
        assert_eq!(error.code, "invalid_json");
        assert!(error.message.contains("JSON object"), "{}", error.message);
    }

    #[test]
    fn clients_are_counted_by_address_and_ipv6_by_its_slash_64() {
        let key = |address: Option<&str>| ClientIp::from_address(address).0;
        assert_eq!(key(Some("203.0.113.7")), "203.0.113.7");
        assert_eq!(key(Some("2001:db8:1:2:3:4:5:6")), "2001:db8:1:2::/64");
        assert_eq!(key(Some("2001:db8:1:2::9")), "2001:db8:1:2::/64");
        assert_eq!(key(Some("2001:db8:1:3::9")), "2001:db8:1:3::/64");
        // An IPv4 client reaching us over IPv6 is still its IPv4 address.
        assert_eq!(key(Some("::ffff:203.0.113.7")), "203.0.113.7");
        assert_eq!(key(Some("not an address")), "unknown");
        assert_eq!(key(None), "unknown");
    }

    #[test]
    fn cookies_are_found_among_several() {
        let mut headers = axum::http::HeaderMap::new();
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; refresh_token=xyz"),
        );
        headers.append(header::COOKIE, HeaderValue::from_static("b=2"));
        assert_eq!(cookie(&headers, "refresh_token"), Some("xyz"));
        assert_eq!(cookie(&headers, "b"), Some("2"));
        assert_eq!(cookie(&headers, "c"), None);
    }
}
