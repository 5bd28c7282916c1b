//! Accounts: emailed one-time codes, registration, sign-in, refresh-token
//! sessions, password reset, and one's account as a whole: its export and
//! its deletion.
//!
//! Routes → [`handlers`] → `shared` domain and store → response.

pub mod handlers;

use axum::Router;
use shared::App;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The group's routes, each registered together with its OpenAPI operation so
/// the document cannot drift from what is served.
pub fn api() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(handlers::request_code))
        .routes(routes!(handlers::register))
        .routes(routes!(handlers::login))
        .routes(routes!(handlers::refresh))
        .routes(routes!(handlers::logout))
        .routes(routes!(handlers::logout_all))
        .routes(routes!(handlers::me, handlers::update_me))
        .routes(routes!(handlers::request_password_reset))
        .routes(routes!(handlers::confirm_password_reset))
        .routes(routes!(handlers::change_password))
        .routes(routes!(handlers::request_email_change))
        .routes(routes!(handlers::confirm_email_change))
        .routes(routes!(handlers::request_deletion_code))
        .routes(routes!(handlers::delete_account))
        .routes(routes!(handlers::export))
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
