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
        function: "NotificationsFunction",
        router: notifications_function::router,
        openapi: notifications_function::openapi,
    },
    Group {
        function: "ModerationFunction",
        router: moderation_function::router,
        openapi: moderation_function::openapi,
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
            document_the_shared_answers(&mut part);
            doc.merge(part);
        }
        add_links(&mut doc);
        let components = doc.components.get_or_insert_with(Default::default);
        components.schemas.insert(
            <shared::api::GatewayMessage as utoipa::ToSchema>::name().into(),
            <shared::api::GatewayMessage as utoipa::PartialSchema>::schema(),
        );
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

/// The answers every operation of a data group can give besides its own,
/// documented once here so that the document says what the deployed API
/// really answers (a schema fuzzer checks every status against it):
/// - `429` from the per-client limit (`shared::http::finish`) or a route's
///   own limit, in our shape with `Retry-After`, or from API Gateway's
///   throttle in its shape (`GatewayMessage`);
/// - `503` with `Retry-After` when DynamoDB or SES is throttling or down;
/// - `500` for a bug of ours (logged);
/// - `401` on every operation that needs the bearer token;
/// - `400`, `413` and `415` on every operation with a JSON body.
fn document_the_shared_answers(part: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{
        ContentBuilder, HeaderBuilder, Ref, Response, ResponseBuilder, Type,
        schema::{ObjectBuilder, OneOfBuilder},
    };
    let retry_after = |what: &str| {
        HeaderBuilder::new()
            .schema(
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .minimum(Some(1)),
            )
            .description(Some(what))
            .build()
    };
    let ours = || {
        ContentBuilder::new()
            .schema(Some(Ref::from_schema_name("ErrorBody")))
            .build()
    };
    let error = |description: &str| -> Response {
        ResponseBuilder::new()
            .description(description)
            .content("application/json", ours())
            .build()
    };
    let too_many = ResponseBuilder::new()
        .description(
            "Too many requests: past this client's limit (100 a minute by default) or one of \
             the route's own limits (our error shape, with `Retry-After`), or past API \
             Gateway's throttle for the route (its shape: `{\"message\": \"Too Many Requests\"}`).",
        )
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(
                    OneOfBuilder::new()
                        .item(Ref::from_schema_name("ErrorBody"))
                        .item(Ref::from_schema_name("GatewayMessage")),
                ))
                .build(),
        )
        .header(
            "Retry-After",
            retry_after("Seconds until the limit lets this client in again (our answers only)."),
        )
        .build();
    let unavailable = ResponseBuilder::new()
        .description("DynamoDB or email is throttling or unreachable: nothing was changed; retry after `Retry-After`.")
        .content("application/json", ours())
        .header("Retry-After", retry_after("Seconds to wait before retrying."))
        .build();
    let internal = error("A bug of ours (logged): nothing to retry.");
    let unauthenticated = error("No valid access token: sign in, or refresh the session.");
    let bad_request = error("The request is malformed: the message names what to fix.");
    let too_large = error("The body is larger than 64 KiB.");
    let not_json = error("The body is not sent as `Content-Type: application/json`.");
    for item in part.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            let signed_in = operation
                .security
                .as_ref()
                .is_some_and(|requirements| !requirements.is_empty());
            let has_body = operation.request_body.is_some();
            let responses = &mut operation.responses.responses;
            let mut add = |status: &str, response: &Response| {
                responses
                    .entry(status.to_owned())
                    .or_insert_with(|| response.clone().into());
            };
            add("500", &internal);
            add("503", &unavailable);
            if signed_in {
                add("401", &unauthenticated);
            }
            if has_body {
                add("400", &bad_request);
                add("413", &too_large);
                add("415", &not_json);
            }
            // Always ours: the route's own 429 entries say less than this.
            responses.insert("429".into(), too_many.clone().into());
        }
    }
}

/// Where a response's ids lead: OpenAPI links from the answers that carry
/// ids (search, lists, creations) to the operations that take them, so that
/// a client reading only the document (a fuzzer's stateful phase) can reach
/// the routes on real people, requests, connections, tags and posts.
/// (from operation, status, link name, to operation, its parameter or
/// body field, the runtime expression of the id.)
const LINKS: &[(&str, &str, &str, &str, Target, &str)] = &[
    (
        "search",
        "200",
        "ProfileOfFound",
        "profile",
        Target::Path("id"),
        "$response.body#/users/0/id",
    ),
    (
        "search",
        "200",
        "PostsOfFound",
        "posts",
        Target::Path("id"),
        "$response.body#/users/0/id",
    ),
    (
        "search",
        "200",
        "AskFound",
        "send_request",
        Target::Body("user_id"),
        "$response.body#/users/0/id",
    ),
    (
        "send_request",
        "201",
        "CancelRequest",
        "remove_request",
        Target::Path("user_id"),
        "$request.body#/user_id",
    ),
    (
        "list_requests",
        "200",
        "AcceptRequest",
        "accept_request",
        Target::Path("user_id"),
        "$response.body#/requests/0/user/id",
    ),
    (
        "list_requests",
        "200",
        "RemoveRequest",
        "remove_request",
        Target::Path("user_id"),
        "$response.body#/requests/0/user/id",
    ),
    (
        "list_connections",
        "200",
        "Disconnect",
        "disconnect",
        Target::Path("user_id"),
        "$response.body#/connections/0/user/id",
    ),
    (
        "list_connections",
        "200",
        "TagConnection",
        "set_tags",
        Target::Path("user_id"),
        "$response.body#/connections/0/user/id",
    ),
    (
        "list_connections",
        "200",
        "ProfileOfConnection",
        "profile",
        Target::Path("id"),
        "$response.body#/connections/0/user/id",
    ),
    (
        "accept_request",
        "200",
        "TagNewConnection",
        "set_tags",
        Target::Path("user_id"),
        "$response.body#/connection/user/id",
    ),
    (
        "list_tags",
        "200",
        "UpdateTag",
        "update_tag",
        Target::Path("id"),
        "$response.body#/tags/0/id",
    ),
    (
        "list_tags",
        "200",
        "DeleteTag",
        "delete_tag",
        Target::Path("id"),
        "$response.body#/tags/0/id",
    ),
    (
        "create_tag",
        "201",
        "UpdateNewTag",
        "update_tag",
        Target::Path("id"),
        "$response.body#/id",
    ),
    (
        "create_tag",
        "201",
        "DeleteNewTag",
        "delete_tag",
        Target::Path("id"),
        "$response.body#/id",
    ),
    (
        "create_post",
        "201",
        "GetNewPost",
        "get_post",
        Target::Path("id"),
        "$response.body#/id",
    ),
    (
        "create_post",
        "201",
        "EditNewPost",
        "edit_post",
        Target::Path("id"),
        "$response.body#/id",
    ),
    (
        "create_post",
        "201",
        "DeleteNewPost",
        "delete_post",
        Target::Path("id"),
        "$response.body#/id",
    ),
    (
        "my_posts",
        "200",
        "GetMyPost",
        "get_post",
        Target::Path("id"),
        "$response.body#/posts/0/id",
    ),
    (
        "feed",
        "200",
        "GetFeedPost",
        "get_post",
        Target::Path("id"),
        "$response.body#/posts/0/id",
    ),
];

/// What a link fills in.
#[derive(Clone, Copy)]
enum Target {
    /// A path parameter.
    Path(&'static str),
    /// A field of the JSON body.
    Body(&'static str),
}

fn add_links(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{RefOr, link::LinkBuilder};
    for &(from, status, name, to, target, expression) in LINKS {
        // utoipa 5.5 serialises a link's `operation_id` and `request_body`
        // in snake case, which no OpenAPI reader knows: the two fields go in
        // as raw entries of the link's extensions map, spelled as the
        // specification spells them.
        let mut fields = utoipa::openapi::extensions::Extensions::default();
        fields.insert("operationId".into(), to.into());
        let mut link = LinkBuilder::new();
        match target {
            Target::Path(parameter) => link = link.parameter(parameter, expression),
            Target::Body(field) => {
                fields.insert(
                    "requestBody".into(),
                    serde_json::json!({ field: expression }),
                );
            }
        }
        let link = link.extensions(Some(fields)).build();
        let response = doc
            .paths
            .paths
            .values_mut()
            .flat_map(|item| {
                [
                    &mut item.get,
                    &mut item.put,
                    &mut item.post,
                    &mut item.delete,
                    &mut item.patch,
                ]
            })
            .flatten()
            .find(|operation| operation.operation_id.as_deref() == Some(from))
            .and_then(|operation| operation.responses.responses.get_mut(status));
        match response {
            Some(RefOr::T(response)) => {
                response.links.insert(name.into(), link.into());
            }
            _ => panic!("link {name}: no {status} answer of {from} to link from"),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every link leads to an operation of the document, filling in one of
    /// its path parameters or a field of its JSON body.
    #[test]
    fn every_link_leads_somewhere_real() {
        let doc = serde_json::to_value(document()).unwrap();
        let operations: Vec<&serde_json::Value> = doc["paths"]
            .as_object()
            .unwrap()
            .values()
            .flat_map(|item| item.as_object().unwrap().values())
            .collect();
        for &(from, _, name, to, target, _) in LINKS {
            let operation = operations
                .iter()
                .find(|o| o["operationId"] == to)
                .unwrap_or_else(|| panic!("link {name} from {from}: no operation {to}"));
            let link = operations
                .iter()
                .find(|o| o["operationId"] == from)
                .and_then(|o| {
                    o["responses"]
                        .as_object()?
                        .values()
                        .find_map(|r| r["links"].get(name))
                })
                .unwrap_or_else(|| panic!("link {name} is not in the document"));
            // Spelled as OpenAPI spells it (utoipa's own field would not be).
            assert_eq!(link["operationId"], to, "{link}");
            match target {
                Target::Path(parameter) => assert!(
                    operation["parameters"].as_array().is_some_and(|ps| ps
                        .iter()
                        .any(|p| p["name"] == parameter && p["in"] == "path")),
                    "link {name}: {to} has no path parameter {parameter}"
                ),
                Target::Body(field) => {
                    assert!(link["requestBody"][field].is_string(), "{link}");
                    let schema =
                        &operation["requestBody"]["content"]["application/json"]["schema"]["$ref"];
                    let schema_name = schema.as_str().unwrap().rsplit('/').next().unwrap();
                    assert!(
                        doc["components"]["schemas"][schema_name]["properties"][field].is_object(),
                        "link {name}: {to}'s body has no field {field}"
                    );
                }
            }
        }
    }
}
