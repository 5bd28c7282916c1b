//! Liveness (`/api/health`) and the OpenAPI 3.1 document of the whole API
//! (`/api/openapi.json`), assembled from every group's routes.

use std::sync::OnceLock;

use axum::Json;
use axum::Router;
use serde::Serialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// `{"status": "ok"}`.
#[derive(Serialize, ToSchema)]
pub struct Health {
    /// Always `ok` when the function answers.
    pub status: &'static str,
}

/// Liveness: answers without touching the table, so it measures the edge,
/// API Gateway and Lambda, and costs nothing.
#[utoipa::path(get, path = "/api/health", tag = "health",
    responses((status = 200, body = Health)))]
pub async fn health() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// The OpenAPI 3.1 document of the whole API.
#[utoipa::path(get, path = "/api/openapi.json", tag = "health",
    responses((status = 200, description = "OpenAPI 3.1 document", content_type = "application/json")))]
pub async fn openapi_json() -> Json<&'static utoipa::openapi::OpenApi> {
    Json(document())
}

#[derive(OpenApi)]
#[openapi(info(
    title = "Intentional Social API",
    description = "A calm, human-scale social network: at most 100 mutual connections, a chronological feed, and you choose who sees each post.",
    license(name = "Apache-2.0")
))]
struct Info;

/// The group's routes with their OpenAPI operations.
pub fn api() -> OpenApiRouter {
    OpenApiRouter::with_openapi(Info::openapi())
        .routes(routes!(health))
        .routes(routes!(openapi_json))
}

/// The whole API's document: every group's routes, built once.
pub fn document() -> &'static utoipa::openapi::OpenApi {
    static DOCUMENT: OnceLock<utoipa::openapi::OpenApi> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        let mut doc = api().split_for_parts().1;
        doc.merge(auth_function::openapi());
        doc.merge(users_function::openapi());
        doc.merge(connections_function::openapi());
        doc.merge(tags_function::openapi());
        doc.merge(posts_function::openapi());
        doc.merge(feed_function::openapi());
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
        doc
    })
}

/// The Lambda's router, with the shared middleware.
pub fn router() -> Router {
    let (router, _) = api().split_for_parts();
    shared::http::decorate(
        router,
        shared::http::Observe {
            // Health has no other configuration; it reads this one switch itself.
            expose_metrics: std::env::var("EXPOSE_METRICS").is_ok_and(|v| v == "true" || v == "1"),
        },
    )
}
