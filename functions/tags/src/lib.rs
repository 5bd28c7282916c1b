//! Tags: each person's private labels for their connections (Family, Work,
//! …), which posts can be addressed to.
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
        .routes(routes!(handlers::list_tags, handlers::create_tag))
        .routes(routes!(handlers::update_tag, handlers::delete_tag))
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
