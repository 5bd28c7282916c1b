//! Request handlers for the `users` group.

use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use shared::api::{ErrorBody, PageParams, Post, PostPage, UserRef, known_id};
use shared::domain::account::{USERNAME_MAX_LEN, Username};
use shared::domain::social::{Cursors, page_size};
use shared::http::{CurrentUser, QueryParams};
use shared::store::Relationship;
use shared::{ApiError, App};

fn user_not_found() -> ApiError {
    ApiError::not_found("user_not_found", "There is no such person.")
}

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
}

fn describe(relationship: Relationship) -> (RelationshipName, Option<String>) {
    match relationship {
        Relationship::SelfView => (RelationshipName::SelfView, None),
        Relationship::None => (RelationshipName::None, None),
        Relationship::OutgoingRequest => (RelationshipName::OutgoingRequest, None),
        Relationship::IncomingRequest => (RelationshipName::IncomingRequest, None),
        Relationship::Connected(at) => (RelationshipName::Connected, Some(at.to_rfc3339())),
    }
}

/// `GET /api/users/search` parameters.
#[derive(Deserialize, IntoParams)]
pub struct SearchParams {
    /// The exact username to look for (any case).
    pub q: Option<String>,
}

/// A search hit.
#[derive(Serialize, ToSchema)]
pub struct Found {
    /// Opaque id.
    pub id: String,
    /// Username.
    pub username: String,
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
    let Ok(username) = Username::parse(query) else {
        // Not a possible username, so certainly nobody's.
        return Ok(Json(SearchResults { users: Vec::new() }));
    };
    let Some((id, username)) = app
        .store
        .user_by_username(&username)
        .await?
        .filter(|(id, _)| *id != caller.user_id)
    else {
        return Ok(Json(SearchResults { users: Vec::new() }));
    };
    let (_, relationship) = app.store.relationship(&caller.user_id, &id).await?;
    Ok(Json(SearchResults {
        users: vec![Found {
            id,
            username,
            relationship: describe(relationship).0,
        }],
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
    let id = known_id(&id, user_not_found())?;
    let (user, relationship) = app.store.relationship(&caller.user_id, id).await?;
    let user = user.ok_or_else(user_not_found)?;
    let (relationship, connected_at) = describe(relationship);
    Ok(Json(Profile {
        user: UserRef {
            id: user.id,
            username: user.username,
        },
        relationship,
        connected_at,
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
    let author = known_id(&id, user_not_found())?;
    let me = caller.user_id.as_str();
    let limit = page_size(params.limit)?;
    let list = format!("user:{author}");
    let cursors = Cursors::new(app.keys.cursor_key());
    let mut before = params
        .cursor
        .as_deref()
        .map(|c| cursors.decode(me, &list, c))
        .transpose()?;
    let filter = if author == me {
        None
    } else {
        match app.store.edge(author, me).await? {
            Some(edge) => Some(edge.tag_ids),
            // Not connected: nothing to see, if they exist at all.
            None => {
                app.store.user(author).await?.ok_or_else(user_not_found)?;
                return Ok(Json(PostPage {
                    posts: Vec::new(),
                    next_cursor: None,
                }));
            }
        }
    };
    // The audience filter runs in DynamoDB after `Limit`, so a page may need a
    // few queries to fill.
    let mut posts = Vec::with_capacity(limit);
    let mut more = true;
    for _ in 0..4 {
        if !more || posts.len() >= limit {
            break;
        }
        let page = app
            .store
            .posts_by_author(
                author,
                before.as_deref(),
                limit - posts.len(),
                filter.as_deref(),
            )
            .await?;
        more = page.next.is_some();
        before = page.next.or(before);
        posts.extend(page.items.into_iter().map(|p| Post::for_caller(p, me)));
    }
    let next_cursor = match (more, before) {
        (true, Some(position)) => Some(cursors.encode(me, &list, &position)),
        _ => None,
    };
    Ok(Json(PostPage { posts, next_cursor }))
}
