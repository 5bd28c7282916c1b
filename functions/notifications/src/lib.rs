//! Notifications: the caller's list and unread count, shown as their sources
//! are now, marking them read; the notice emails a person chooses, and the
//! one-click unsubscribe link those emails carry.
//!
//! Routes → [`handlers`] → `shared` use cases → response.

pub mod handlers;

use axum::Router;
use shared::App;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The group's routes with their OpenAPI operations.
pub fn api() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(handlers::list_notifications))
        .routes(routes!(handlers::unread_count))
        .routes(routes!(handlers::mark_read))
        .routes(routes!(
            handlers::email_settings,
            handlers::set_email_settings
        ))
        .routes(routes!(handlers::unsubscribe_page, handlers::unsubscribe))
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
