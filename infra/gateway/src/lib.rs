//! The local API Gateway.
//!
//! It reads `template.yaml`, serves every `AWS::Serverless::HttpApi` route by
//! invoking the owning function's router in-process with an HTTP API
//! payload-2.0 event (deserialised by `lambda_http` exactly as in Lambda),
//! applies the template's route throttling, and serves the built SPA with the
//! security headers, client-route fallback and compression CloudFront gives
//! it in AWS.

pub mod compression;
pub mod spa;
pub mod template;
pub mod throttle;

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use lambda_http::Service;
use lambda_http::request::LambdaRequest;
use lambda_http::{Context, LambdaEvent};
use serde_json::{Map, Value, json};

use template::{HttpApi, Route};
use throttle::Buckets;

/// API Gateway's payload limit for HTTP APIs.
const MAX_PAYLOAD_BYTES: usize = 10 * 1024 * 1024;

/// The function routers, by the logical id the template gives each function.
pub fn function_routers(app: &shared::App) -> HashMap<String, Router> {
    health_function::GROUPS
        .iter()
        .map(|group| (group.function.to_owned(), (group.router)(app.clone())))
        .collect()
}

/// The gateway cannot start.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// The template names a function this gateway cannot run.
    #[error(
        "template.yaml routes to {0}, but the gateway has no router for it (add it to health_function::GROUPS)"
    )]
    UnknownFunction(String),
}

struct Gateway {
    api: HttpApi,
    functions: HashMap<String, Router>,
    buckets: Buckets,
    spa_dir: Option<PathBuf>,
}

/// The gateway as an axum router (serve it with `ConnectInfo<SocketAddr>`).
pub fn build(
    api: HttpApi,
    functions: HashMap<String, Router>,
    spa_dir: Option<PathBuf>,
) -> Result<Router, GatewayError> {
    if let Some(missing) = api
        .routes
        .iter()
        .find(|route| !functions.contains_key(&route.function))
    {
        return Err(GatewayError::UnknownFunction(missing.function.clone()));
    }
    let gateway = Arc::new(Gateway {
        api,
        functions,
        buckets: Buckets::default(),
        spa_dir,
    });
    Ok(Router::new()
        .fallback(handle)
        .with_state(gateway)
        .layer(compression::layer()))
}

async fn handle(
    State(gateway): State<Arc<Gateway>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
) -> Response {
    let path = request.uri().path();
    if path == "/api" || path.starts_with("/api/") {
        invoke(&gateway, peer, request).await
    } else {
        spa::serve(gateway.spa_dir.as_deref(), request).await
    }
}

/// API Gateway's own error bodies are `{"message": ...}`; we keep them so the
/// local stack behaves like the deployed one.
fn gateway_error(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(json!({ "message": message }))).into_response()
}

async fn invoke(gateway: &Gateway, peer: SocketAddr, request: Request) -> Response {
    let method = request.method().as_str().to_owned();
    let path = request.uri().path().to_owned();
    let Some((route, path_parameters)) = gateway.api.find(&method, &path) else {
        return gateway_error(StatusCode::NOT_FOUND, "Not Found");
    };
    if let Some(throttle) = gateway.api.throttle_for(route) {
        if !gateway.buckets.admit(&route.key(), throttle) {
            return gateway_error(StatusCode::TOO_MANY_REQUESTS, "Too Many Requests");
        }
    }
    let request_id = ulid::Ulid::new().to_string().to_lowercase();
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, MAX_PAYLOAD_BYTES).await else {
        return gateway_error(StatusCode::PAYLOAD_TOO_LARGE, "Request Entity Too Large");
    };
    let event = payload_v2(route, &parts, &body, path_parameters, peer, &request_id);
    let lambda_request: LambdaRequest = match serde_json::from_value(event) {
        Ok(request) => request,
        Err(error) => {
            tracing::error!(%error, "payload did not deserialise as lambda_http does");
            return gateway_error(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error");
        }
    };
    let router = gateway.functions[&route.function].clone();
    let mut context = Context::default();
    context.request_id = request_id.clone();
    // The adapter is what `lambda_http::run` wraps a function in. It is not
    // `Send` (it names the non-`Sync` response body type), so it is dropped
    // before the await; axum routers are always ready, so no `poll_ready`.
    let invocation = {
        let mut adapter = lambda_http::Adapter::from(router);
        adapter.call(LambdaEvent::new(lambda_request, context))
    };
    let lambda_response = match invocation.await {
        Ok(response) => response,
        Err(error) => {
            tracing::error!(?error, function = %route.function, "function failed");
            return gateway_error(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error");
        }
    };
    let mut response = match serde_json::to_value(&lambda_response) {
        Ok(value) => response_from_v2(&value),
        Err(_) => gateway_error(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error"),
    };
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("apigw-requestid", value);
    }
    response
}

fn is_text(content_type: Option<&str>) -> bool {
    content_type.is_none_or(|ct| {
        let ct = ct.to_ascii_lowercase();
        ct.starts_with("text/")
            || ct.contains("json")
            || ct.contains("xml")
            || ct.contains("x-www-form-urlencoded")
            || ct.contains("javascript")
    })
}

/// The HTTP API payload format 2.0 event for a request.
pub fn payload_v2(
    route: &Route,
    parts: &http::request::Parts,
    body: &[u8],
    path_parameters: BTreeMap<String, String>,
    peer: SocketAddr,
    request_id: &str,
) -> Value {
    let mut headers = Map::new();
    let mut cookies = Vec::new();
    for (name, value) in &parts.headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        if name == header::COOKIE {
            // API Gateway moves cookies out of the headers into `cookies`.
            cookies.extend(
                value
                    .split(';')
                    .map(|c| c.trim().to_owned())
                    .filter(|c| !c.is_empty()),
            );
            continue;
        }
        headers
            .entry(name.as_str().to_owned())
            .and_modify(|existing| {
                if let Value::String(s) = existing {
                    s.push(',');
                    s.push_str(&value);
                }
            })
            .or_insert(Value::String(value));
    }
    let raw_query = parts.uri.query().unwrap_or_default().to_owned();
    let mut query = Map::new();
    for pair in raw_query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let decode = |s: &str| percent_decode(&s.replace('+', " "));
        let (key, value) = (decode(key), decode(value));
        query
            .entry(key)
            .and_modify(|existing| {
                if let Value::String(s) = existing {
                    s.push(',');
                    s.push_str(&value);
                }
            })
            .or_insert(Value::String(value));
    }
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let (body_value, base64_encoded) = if body.is_empty() {
        (Value::Null, false)
    } else if let (true, Ok(text)) = (is_text(content_type), std::str::from_utf8(body)) {
        (Value::String(text.to_owned()), false)
    } else {
        (Value::String(BASE64.encode(body)), true)
    };
    let now = time::OffsetDateTime::now_utc();
    let route_key = route.key();
    let mut event = json!({
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": parts.uri.path(),
        "rawQueryString": raw_query,
        "headers": headers,
        "requestContext": {
            "accountId": "000000000000",
            "apiId": "local",
            "domainName": parts.headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost"),
            "domainPrefix": "local",
            "http": {
                "method": parts.method.as_str(),
                "path": parts.uri.path(),
                "protocol": "HTTP/1.1",
                "sourceIp": peer.ip().to_string(),
                "userAgent": parts.headers.get(header::USER_AGENT).and_then(|h| h.to_str().ok()).unwrap_or(""),
            },
            "requestId": request_id,
            "routeKey": route_key,
            "stage": "$default",
            "time": now.format(time::macros::format_description!("[day]/[month repr:short]/[year]:[hour]:[minute]:[second] +0000")).unwrap_or_default(),
            "timeEpoch": now.unix_timestamp() * 1000 + i64::from(now.millisecond()),
        },
        "isBase64Encoded": base64_encoded,
    });
    let object = event.as_object_mut().expect("an object literal");
    if !cookies.is_empty() {
        object.insert("cookies".into(), json!(cookies));
    }
    if !query.is_empty() {
        object.insert("queryStringParameters".into(), Value::Object(query));
    }
    if !path_parameters.is_empty() {
        object.insert("pathParameters".into(), json!(path_parameters));
    }
    if !body_value.is_null() {
        object.insert("body".into(), body_value);
    }
    event
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            if let (Some(high), Some(low)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((high * 16 + low) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// An HTTP response from a payload-2.0 Lambda response.
pub fn response_from_v2(value: &Value) -> Response {
    let status = value
        .get("statusCode")
        .and_then(Value::as_u64)
        .and_then(|s| StatusCode::from_u16(s as u16).ok())
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut headers = HeaderMap::new();
    let mut add = |name: &str, value: &str| {
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(name), HeaderValue::from_str(value)) {
            headers.append(name, value);
        }
    };
    if let Some(map) = value.get("headers").and_then(Value::as_object) {
        for (name, v) in map {
            if let Some(v) = v.as_str() {
                add(name, v);
            }
        }
    }
    if let Some(map) = value.get("multiValueHeaders").and_then(Value::as_object) {
        for (name, values) in map {
            for v in values
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                add(name, v);
            }
        }
    }
    for cookie in value
        .get("cookies")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        add("set-cookie", cookie);
    }
    let body = value
        .get("body")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let body = if value.get("isBase64Encoded").and_then(Value::as_bool) == Some(true) {
        BASE64.decode(body).unwrap_or_default()
    } else {
        body.as_bytes().to_vec()
    };
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    // A header present in both maps would otherwise appear twice.
    let mut deduplicated = HeaderMap::new();
    for name in headers.keys() {
        let mut seen = Vec::new();
        for value in headers.get_all(name) {
            if !seen.contains(&value) {
                seen.push(value);
                deduplicated.append(name.clone(), value.clone());
            }
        }
    }
    *response.headers_mut() = deduplicated;
    response
}
