//! Serves the built single-page app as CloudFront does in AWS: static files,
//! `index.html` for client routes, long caching for hashed assets, and the
//! same security headers (strict CSP) as the CloudFront response-headers policy.

use std::path::{Component, Path, PathBuf};

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The security headers of the SPA (kept equal to the template's
/// `ResponseHeadersPolicy`; a test compares them).
pub const SECURITY_HEADERS: &[(&str, &str)] = &[
    (
        "content-security-policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'; upgrade-insecure-requests",
    ),
    (
        "strict-transport-security",
        "max-age=63072000; includeSubDomains; preload",
    ),
    ("x-frame-options", "DENY"),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "strict-origin-when-cross-origin"),
    (
        "permissions-policy",
        "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
    ),
];

fn content_type(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
    {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "webmanifest" => "application/manifest+json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Serves `request` from `root`.
pub async fn serve(root: Option<&Path>, request: Request) -> Response {
    let mut response = match root {
        Some(root) => file_response(root, request.uri().path()).await,
        None => (
            StatusCode::NOT_FOUND,
            "The web app is not built: run `npm run build` in frontend/ (make dev does it).",
        )
            .into_response(),
    };
    for (name, value) in SECURITY_HEADERS {
        response
            .headers_mut()
            .insert(*name, HeaderValue::from_static(value));
    }
    response
}

async fn file_response(root: &Path, uri_path: &str) -> Response {
    let relative: PathBuf = uri_path
        .trim_start_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    // Never leave the SPA folder.
    if relative
        .components()
        .any(|c| !matches!(c, Component::Normal(_)))
    {
        return StatusCode::NOT_FOUND.into_response();
    }
    let candidate = root.join(&relative);
    let is_file = tokio::fs::metadata(&candidate)
        .await
        .map(|m| m.is_file())
        .unwrap_or(false);
    let (path, cache) = if is_file && relative.as_os_str() != "index.html" {
        let immutable = relative.starts_with("assets");
        (
            candidate,
            if immutable {
                "public, max-age=31536000, immutable"
            } else {
                "public, max-age=3600"
            },
        )
    } else if relative.extension().is_none() || relative.as_os_str() == "index.html" {
        // A client-side route: the app decides what to show.
        (root.join("index.html"), "no-cache")
    } else {
        return (StatusCode::NOT_FOUND, "Not found").into_response();
    };
    match tokio::fs::read(&path).await {
        Ok(bytes) => {
            let mut response = Response::new(Body::from(bytes));
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(content_type(&path)),
            );
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
            response
        }
        Err(_) => (
            StatusCode::NOT_FOUND,
            "The web app is not built: run `npm run build` in frontend/ (make dev does it).",
        )
            .into_response(),
    }
}
