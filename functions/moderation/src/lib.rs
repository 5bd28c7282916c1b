//! Moderation: reporting a person, post or comment, and the operators'
//! desk (the open and closed reports, dismissing, removing content,
//! suspending and unsuspending accounts). The desk's routes answer `404`
//! to everyone but the operators the template's `OperatorUserIds` names.
//!
//! Routes → [`handlers`] → `shared::service::moderation` → response.

pub mod handlers;

use axum::Router;
use shared::App;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The group's routes with their OpenAPI operations.
pub fn api() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(handlers::report))
        .routes(routes!(handlers::desk))
        .routes(routes!(handlers::dismiss))
        .routes(routes!(handlers::remove_post))
        .routes(routes!(handlers::remove_comment))
        .routes(routes!(handlers::suspend))
        .routes(routes!(handlers::unsuspend))
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
