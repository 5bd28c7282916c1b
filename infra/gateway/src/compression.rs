//! Compresses responses as CloudFront does for a cache behaviour with
//! `Compress: true` (both of the template's behaviours, the SPA's and
//! `/api/*`): Brotli or gzip, as the viewer's `Accept-Encoding` allows, for
//! the content types CloudFront compresses, when the size is known and
//! between 1,000 and 10,000,000 bytes, and never over an origin's own
//! `Content-Encoding`. Locally this is what lets the browser tests and
//! Lighthouse see the bytes a visitor downloads, not the origin's.
//! (tower-http does the encoding, the negotiation and the `Vary` header;
//! CloudFront's conditions are the predicate.)

use axum::body::HttpBody;
use axum::http::{Response, header};
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::Predicate;

/// The smallest and largest body CloudFront compresses, in bytes.
const SIZES: std::ops::RangeInclusive<u64> = 1_000..=10_000_000;

/// The `Content-Type`s CloudFront compresses (its developer guide, "File types
/// that CloudFront compresses"). Not `application/manifest+json`, not images
/// but SVG, not WOFF2 (already compressed).
const CONTENT_TYPES: &[&str] = &[
    "application/dash+xml",
    "application/eot",
    "application/font",
    "application/font-sfnt",
    "application/javascript",
    "application/json",
    "application/opentype",
    "application/otf",
    "application/pkcs7-mime",
    "application/protobuf",
    "application/rss+xml",
    "application/truetype",
    "application/ttf",
    "application/vnd.apple.mpegurl",
    "application/vnd.ms-fontobject",
    "application/xhtml+xml",
    "application/xml",
    "application/x-font-opentype",
    "application/x-font-truetype",
    "application/x-font-ttf",
    "application/x-httpd-cgi",
    "application/x-javascript",
    "application/x-mpegurl",
    "application/x-opentype",
    "application/x-otf",
    "application/x-perl",
    "application/x-ttf",
    "font/eot",
    "font/opentype",
    "font/otf",
    "font/ttf",
    "image/svg+xml",
    "text/css",
    "text/csv",
    "text/html",
    "text/javascript",
    "text/js",
    "text/plain",
    "text/richtext",
    "text/tab-separated-values",
    "text/xml",
    "text/x-component",
    "text/x-java-source",
    "text/x-script",
    "vnd.apple.mpegurl",
];

/// CloudFront's conditions for compressing a response.
#[derive(Debug, Clone, Copy, Default)]
pub struct CloudFrontCompressible;

impl Predicate for CloudFrontCompressible {
    fn should_compress<B: HttpBody>(&self, response: &Response<B>) -> bool {
        let headers = response.headers();
        let essence = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| v.trim().to_ascii_lowercase());
        let compressible_type =
            essence.is_some_and(|essence| CONTENT_TYPES.contains(&essence.as_str()));
        // CloudFront reads Content-Length; a response that has none is sent
        // as it is. Ours are whole bodies, so their exact size stands in.
        let size = response.body().size_hint().exact().or_else(|| {
            headers
                .get(header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse().ok())
        });
        compressible_type
            && size.is_some_and(|size| SIZES.contains(&size))
            && !headers.contains_key(header::CONTENT_ENCODING)
    }
}

/// Brotli and gzip, the encodings the template's cache policies enable
/// (`EnableAcceptEncodingBrotli`, `EnableAcceptEncodingGzip`), on CloudFront's
/// conditions (tower-http's own default, anything over 32 bytes, is not).
pub fn layer() -> CompressionLayer<CloudFrontCompressible> {
    CompressionLayer::new()
        .br(true)
        .gzip(true)
        .compress_when(CloudFrontCompressible)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::net::SocketAddr;
    use std::path::PathBuf;

    use axum::Router;
    use axum::body::Body;
    use axum::extract::ConnectInfo;
    use axum::http::{HeaderMap, Request, header};
    use axum::routing::get;
    use tower::ServiceExt;

    use crate::template::HttpApi;

    const TEMPLATE: &str = r#"
Resources:
  Api:
    Type: AWS::Serverless::HttpApi
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Report: { Type: HttpApi, Properties: { ApiId: !Ref Api, Method: GET, Path: /api/report } }
"#;

    /// A gateway over a built SPA of a large script, a tiny text file and a
    /// large image, and an API route that answers 5 kB of JSON.
    fn gateway() -> (Router, PathBuf) {
        let spa = std::env::temp_dir().join(format!("gateway-compression-{}", ulid::Ulid::new()));
        std::fs::create_dir_all(spa.join("assets")).unwrap();
        std::fs::write(spa.join("index.html"), "<!doctype html><title>x</title>").unwrap();
        std::fs::write(
            spa.join("assets/app.js"),
            "console.log('hi');\n".repeat(300),
        )
        .unwrap();
        std::fs::write(spa.join("robots.txt"), "User-agent: *\nAllow: /\n").unwrap();
        std::fs::write(spa.join("icon.png"), vec![7u8; 5_000]).unwrap();
        let report = serde_json::json!({ "lines": vec!["the same line"; 400] });
        let functions = HashMap::from([(
            "Fn".to_owned(),
            Router::new().route(
                "/api/report",
                get(move || async move { axum::Json(report) }),
            ),
        )]);
        let api = HttpApi::from_yaml(TEMPLATE).unwrap();
        (
            crate::build(api, functions, Some(spa.clone())).unwrap(),
            spa,
        )
    }

    /// GET `path` with `accept_encoding`: the headers and the body.
    async fn fetch(
        router: &Router,
        path: &str,
        accept_encoding: Option<&str>,
    ) -> (HeaderMap, Vec<u8>) {
        let mut request = Request::get(path);
        if let Some(value) = accept_encoding {
            request = request.header(header::ACCEPT_ENCODING, value);
        }
        let mut request = request.body(Body::empty()).unwrap();
        request
            .extensions_mut()
            .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 5000))));
        let response = router.clone().oneshot(request).await.unwrap();
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
        let headers = response.headers().clone();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        (headers, body.to_vec())
    }

    fn encoding(headers: &HeaderMap) -> Option<&str> {
        headers
            .get(header::CONTENT_ENCODING)
            .map(|v| v.to_str().unwrap())
    }

    #[tokio::test]
    async fn compresses_what_cloudfront_compresses() {
        let (router, spa) = gateway();

        let (headers, body) = fetch(&router, "/assets/app.js", Some("gzip, deflate")).await;
        assert_eq!(encoding(&headers), Some("gzip"));
        assert_eq!(headers[header::VARY], "accept-encoding");
        assert_eq!(&body[..2], [0x1f, 0x8b], "a gzip stream");
        assert!(body.len() < 1_000, "compressed: {} bytes", body.len());

        // Brotli when the viewer takes both (Chrome offers it over HTTPS).
        let (headers, _) = fetch(&router, "/assets/app.js", Some("gzip, deflate, br")).await;
        assert_eq!(encoding(&headers), Some("br"));
        // The API's behaviour compresses too.
        let (headers, body) = fetch(&router, "/api/report", Some("gzip")).await;
        assert_eq!(encoding(&headers), Some("gzip"));
        assert_eq!(headers[header::VARY], "accept-encoding");
        assert_eq!(&body[..2], [0x1f, 0x8b]);

        std::fs::remove_dir_all(spa).unwrap();
    }

    #[tokio::test]
    async fn leaves_the_rest_as_it_is() {
        let (router, spa) = gateway();
        // Without Accept-Encoding: the file as it is.
        let (headers, body) = fetch(&router, "/assets/app.js", None).await;
        assert_eq!(encoding(&headers), None);
        assert_eq!(body.len(), 19 * 300);
        // Under 1,000 bytes, and a type CloudFront does not compress.
        for path in ["/robots.txt", "/icon.png"] {
            let (headers, body) = fetch(&router, path, Some("gzip, br")).await;
            assert_eq!(encoding(&headers), None, "{path}");
            assert_eq!(
                headers[header::CONTENT_LENGTH],
                body.len().to_string().as_str(),
                "{path}"
            );
        }
        std::fs::remove_dir_all(spa).unwrap();
    }
}
