//! Posts: writing one for an audience (all connections, chosen tags, or only
//! oneself), reading one if the rule allows, editing it and changing its
//! audience, deleting one's own, and listing one's own; and the
//! conversation under a post: comments and reactions.
//!
//! Routes → [`handlers`] → `shared` domain and store → response.

pub mod conversation;
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
        .routes(routes!(handlers::post_audience))
        .routes(routes!(
            conversation::list_comments,
            conversation::add_comment
        ))
        .routes(routes!(
            conversation::edit_comment,
            conversation::delete_comment
        ))
        .routes(routes!(
            conversation::set_reaction,
            conversation::remove_reaction
        ))
        .routes(routes!(conversation::list_reactions))
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
