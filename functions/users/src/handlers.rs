//! Request handlers for the `users` group.

use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use shared::api::{ErrorBody, PageParams, PostPage, UserRef};
use shared::domain::ids::UserId;
use shared::http::{CurrentUser, QueryParams};
use shared::service::{people, reading};
use shared::store::Relationship;
use shared::{ApiError, App};

/// How the caller relates to someone.
#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RelationshipName {
    /// The caller.
    #[serde(rename = "self")]
    SelfView,
    /// Nothing.
    None,
    /// The caller asked them.
    OutgoingRequest,
    /// They asked the caller.
    IncomingRequest,
    /// Connected.
    Connected,
    /// The caller blocked them.
    Blocked,
}

fn describe(relationship: Relationship) -> (RelationshipName, Option<String>) {
    match relationship {
        Relationship::SelfView => (RelationshipName::SelfView, None),
        Relationship::None => (RelationshipName::None, None),
        Relationship::OutgoingRequest => (RelationshipName::OutgoingRequest, None),
        Relationship::IncomingRequest => (RelationshipName::IncomingRequest, None),
        Relationship::Connected(at) => (RelationshipName::Connected, Some(at.to_rfc3339())),
        Relationship::Blocked => (RelationshipName::Blocked, None),
    }
}

/// `GET /api/users/search` parameters.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// The exact username to look for (any case).
    #[param(required = true, value_type = String, min_length = 1)]
    pub q: Option<String>,
}

/// A search hit.
#[derive(Serialize, ToSchema)]
pub struct Found {
    /// Opaque id.
    pub id: String,
    /// Username.
    pub username: String,
    /// What they call themselves (`null` when not set): shown with the
    /// username to whoever finds it.
    pub display_name: Option<String>,
    /// How the caller relates to them.
    pub relationship: RelationshipName,
}

/// Search results: at most one person, since usernames are unique.
#[derive(Serialize, ToSchema)]
pub struct SearchResults {
    /// People whose username is exactly `q`, never including the caller.
    pub users: Vec<Found>,
}

/// Finds a person by exact, case-insensitive username (1 GetItem, plus 1
/// BatchGetItem for the relationship when found). No fuzzy search on purpose:
/// you find people you already know.
#[utoipa::path(get, path = "/api/users/search", tag = "users", params(SearchParams),
    security(("bearer" = [])),
    responses((status = 200, body = SearchResults), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody)))]
pub async fn search(
    State(app): State<App>,
    caller: CurrentUser,
    QueryParams(params): QueryParams<SearchParams>,
) -> Result<Json<SearchResults>, ApiError> {
    let found = people::find(
        &app,
        &caller.user_id,
        params.q.as_deref().unwrap_or_default(),
    )
    .await?;
    Ok(Json(SearchResults {
        users: found
            .into_iter()
            .map(|(user, relationship)| Found {
                id: user.id.into_string(),
                username: user.username.into_string(),
                display_name: user.display_name.map(|n| n.as_str().to_owned()),
                relationship: describe(relationship).0,
            })
            .collect(),
    }))
}

/// A person's page.
#[derive(Serialize, ToSchema)]
pub struct Profile {
    /// Who.
    pub user: UserRef,
    /// How the caller relates to them.
    pub relationship: RelationshipName,
    /// RFC 3339, when connected.
    pub connected_at: Option<String>,
    /// What they say about themselves: for their connections (and
    /// themselves) only, `null` for everyone else and when not set.
    pub bio: Option<String>,
}

/// A person and how the caller relates to them (1 BatchGetItem).
#[utoipa::path(get, path = "/api/users/{id}", tag = "users",
    params(("id" = String, Path, description = "User id")), security(("bearer" = [])),
    responses((status = 200, body = Profile), (status = 404, body = ErrorBody)))]
pub async fn profile(
    State(app): State<App>,
    caller: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Profile>, ApiError> {
    let id = UserId::parse(&id).ok_or_else(ApiError::user_not_found)?;
    let (user, relationship) = people::person(&app, &caller.user_id, &id).await?;
    let close = matches!(
        relationship,
        Relationship::Connected(_) | Relationship::SelfView
    );
    let bio = user.bio.filter(|_| close).map(|b| b.as_str().to_owned());
    let (relationship, connected_at) = describe(relationship);
    Ok(Json(Profile {
        user: UserRef::new(
            user.id,
            user.username,
            user.display_name.map(|n| n.as_str().to_owned()),
        ),
        relationship,
        connected_at,
        bio,
    }))
}

/// A person's posts that the caller may see, newest first: all of one's own;
/// of a connection, their `connections` posts and the `tags` posts naming a
/// tag they have on the caller now; of anyone else, none.
#[utoipa::path(get, path = "/api/users/{id}/posts", tag = "users", params(PageParams,
    ("id" = String, Path, description = "User id")), security(("bearer" = [])),
    responses((status = 200, body = PostPage), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn posts(
    State(app): State<App>,
    caller: CurrentUser,
    Path(id): Path<String>,
    QueryParams(params): QueryParams<PageParams>,
) -> Result<Json<PostPage>, ApiError> {
    let author = UserId::parse(&id).ok_or_else(ApiError::user_not_found)?;
    let me = &caller.user_id;
    let page = reading::posts_of(&app, me, &author, params.limit, params.cursor.as_deref()).await?;
    Ok(Json(PostPage::for_caller(page, me)))
}
