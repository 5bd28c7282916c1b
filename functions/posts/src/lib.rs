//! Posts: writing one for an audience (all connections, chosen tags, or only
//! oneself), reading one if the rule allows, editing and deleting one's own,
//! and listing one's own.
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
        .routes(routes!(handlers::create_post))
        .routes(routes!(handlers::my_posts))
        .routes(routes!(
            handlers::get_post,
            handlers::edit_post,
            handlers::delete_post
        ))
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
