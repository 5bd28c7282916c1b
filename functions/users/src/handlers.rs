//! Request handlers for the `users` group.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use shared::api::{ErrorBody, UserRef};
use shared::domain::account::{USERNAME_MAX_LEN, Username};
use shared::http::{CurrentUser, QueryParams};
use shared::{ApiError, App};

/// `GET /api/users/search` parameters.
#[derive(Deserialize, IntoParams)]
pub struct SearchParams {
    /// The exact username to look for (any case).
    pub q: Option<String>,
}

/// Search results: at most one person, since usernames are unique.
#[derive(Serialize, ToSchema)]
pub struct SearchResults {
    /// People whose username is exactly `q`, never including the caller.
    pub users: Vec<UserRef>,
}

/// Finds a person by exact, case-insensitive username (1 GetItem). There is
/// no fuzzy search on purpose: you find people you already know.
#[utoipa::path(get, path = "/api/users/search", tag = "users", params(SearchParams),
    security(("bearer" = [])),
    responses((status = 200, body = SearchResults), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody)))]
pub async fn search(
    State(app): State<App>,
    caller: CurrentUser,
    QueryParams(params): QueryParams<SearchParams>,
) -> Result<Json<SearchResults>, ApiError> {
    let query = params.q.unwrap_or_default();
    let query = query.trim();
    if query.is_empty() {
        return Err(ApiError::bad_request(
            "invalid_query",
            "Parameter `q`: enter the username you are looking for.",
        ));
    }
    if query.chars().count() > USERNAME_MAX_LEN + 1 {
        return Err(ApiError::bad_request(
            "invalid_query",
            format!("Parameter `q`: a username has at most {USERNAME_MAX_LEN} characters."),
        ));
    }
    // Tolerate a leading "@", as people write usernames that way.
    let query = query.strip_prefix('@').unwrap_or(query);
    let users = match Username::parse(query) {
        Ok(username) => app
            .store
            .user_by_username(&username)
            .await?
            .filter(|(id, _)| *id != caller.user_id)
            .map(|(id, username)| vec![UserRef { id, username }])
            .unwrap_or_default(),
        // Not a possible username, so certainly nobody's.
        Err(_) => Vec::new(),
    };
    Ok(Json(SearchResults { users }))
}
