//! Connections: requests (mutual requests connect), accepting under the cap,
//! declining and cancelling, the list with its count, disconnecting, and the
//! caller's tags on each connection; blocking someone, and the list of the
//! people one blocked; inviting a friend by email, the list of one's
//! invitations, and an invited address's opt-out.
//!
//! Routes → [`handlers`] → `shared` domain and store → response.

pub mod handlers;

use axum::Router;
use shared::App;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The group's routes with their OpenAPI operations.
pub fn api() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(handlers::send_request, handlers::list_requests))
        .routes(routes!(handlers::accept_request))
        .routes(routes!(handlers::remove_request))
        .routes(routes!(handlers::list_connections))
        .routes(routes!(handlers::disconnect))
        .routes(routes!(handlers::set_tags))
        .routes(routes!(handlers::block, handlers::list_blocks))
        .routes(routes!(handlers::unblock))
        .routes(routes!(handlers::invite, handlers::list_invitations))
        .routes(routes!(handlers::cancel_invitation))
        .routes(routes!(handlers::opt_out_page, handlers::opt_out))
}

/// The Lambda's router, with the shared middleware.
pub fn router(app: App) -> Router {
    let (router, _) = api().split_for_parts();
    shared::http::finish(router, app)
}

/// This group's part of the OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api().split_for_parts().1
}
