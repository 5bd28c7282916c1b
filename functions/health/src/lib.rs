//! Liveness (`/api/health`) and the OpenAPI 3.1 document of the whole API
//! (`/api/openapi.json`), assembled from every group's routes.

use std::sync::OnceLock;

use axum::Json;
use axum::Router;
use serde::Serialize;
use shared::App;
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

/// One endpoint group: a function of template.yaml, its Lambda router, and
/// its part of the OpenAPI document.
pub struct Group {
    /// The function's logical id in template.yaml.
    pub function: &'static str,
    /// Its router on the shared state, with the shared middleware.
    pub router: fn(App) -> Router,
    /// Its part of the OpenAPI document.
    pub openapi: fn() -> utoipa::openapi::OpenApi,
}

/// Every endpoint group: the one list that this document, the local gateway
/// and the bench read. A new group is a line here (and a dependency in this
/// crate's Cargo.toml), beside its template entry, its crate and its events
/// (docs/architecture.md, "Adding an endpoint group").
pub const GROUPS: &[Group] = &[
    Group {
        function: "AuthFunction",
        router: auth_function::router,
        openapi: auth_function::openapi,
    },
    Group {
        function: "UsersFunction",
        router: users_function::router,
        openapi: users_function::openapi,
    },
    Group {
        function: "ConnectionsFunction",
        router: connections_function::router,
        openapi: connections_function::openapi,
    },
    Group {
        function: "TagsFunction",
        router: tags_function::router,
        openapi: tags_function::openapi,
    },
    Group {
        function: "PostsFunction",
        router: posts_function::router,
        openapi: posts_function::openapi,
    },
    Group {
        function: "FeedFunction",
        router: feed_function::router,
        openapi: feed_function::openapi,
    },
    Group {
        function: "HealthFunction",
        router: stateless_router,
        openapi: own_openapi,
    },
];

fn stateless_router(_: App) -> Router {
    router()
}

fn own_openapi() -> utoipa::openapi::OpenApi {
    api().split_for_parts().1
}

/// The whole API's document: every group's routes, built once.
pub fn document() -> &'static utoipa::openapi::OpenApi {
    static DOCUMENT: OnceLock<utoipa::openapi::OpenApi> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        // This group's part first: it carries the document's info.
        let mut doc = own_openapi();
        for group in GROUPS.iter().filter(|g| g.function != "HealthFunction") {
            let mut part = (group.openapi)();
            document_the_client_limit(&mut part);
            doc.merge(part);
        }
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

/// Every operation of a group that touches data can answer `429`: the
/// per-client limit holds each of them (`shared::http::finish`), besides the
/// limits some routes have of their own. The same response everywhere, with
/// its `Retry-After`.
fn document_the_client_limit(part: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{
        ContentBuilder, HeaderBuilder, Ref, ResponseBuilder, Type, schema::ObjectBuilder,
    };
    let too_many = ResponseBuilder::new()
        .description(
            "Too many requests: past this client's limit (100 a minute by default) or one of \
             the route's own limits. `Retry-After` says when to try again.",
        )
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build(),
        )
        .header(
            "Retry-After",
            HeaderBuilder::new()
                .schema(
                    ObjectBuilder::new()
                        .schema_type(Type::Integer)
                        .minimum(Some(1)),
                )
                .description(Some("Seconds until the limit lets this client in again."))
                .build(),
        )
        .build();
    for item in part.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            operation
                .responses
                .responses
                .insert("429".into(), too_many.clone().into());
        }
    }
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
