//! Request handlers for the `connections` group.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use shared::api::{Connection, ErrorBody, UserRef, known_id};
use shared::domain::Timestamp;
use shared::domain::social::{Audience, MAX_PENDING_REQUESTS};
use shared::fanout;
use shared::http::{CurrentUser, JsonBody, QueryParams};
use shared::store::{GraphError, StoreError, TagError, UserRecord};
use shared::{ApiError, App};

fn user_not_found() -> ApiError {
    ApiError::not_found("user_not_found", "There is no such person.")
}

fn request_not_found() -> ApiError {
    ApiError::not_found(
        "request_not_found",
        "There is no pending request between you and this person.",
    )
}

fn connection_not_found() -> ApiError {
    ApiError::not_found(
        "connection_not_found",
        "You are not connected with this person.",
    )
}

fn graph_error(app: &App, error: GraphError) -> ApiError {
    let max = app.config.max_connections;
    match error {
        GraphError::CallerAtLimit => ApiError::conflict(
            "connection_limit_reached",
            format!(
                "You have {max} connections, the most anyone can have. Disconnect from someone to make room."
            ),
        ),
        GraphError::OtherAtLimit => ApiError::conflict(
            "their_connection_limit_reached",
            format!("This person already has {max} connections, the most anyone can have."),
        ),
        GraphError::TooManyPending => ApiError::conflict(
            "too_many_pending_requests",
            format!(
                "You have {MAX_PENDING_REQUESTS} requests waiting for an answer. Cancel some before sending more."
            ),
        ),
        GraphError::AlreadyConnected => ApiError::conflict(
            "already_connected",
            "You are already connected with this person.",
        ),
        GraphError::AlreadyRequested => ApiError::conflict(
            "request_already_sent",
            "You have already asked this person; they will see your request.",
        ),
        GraphError::TheyAsked | GraphError::NotFound => request_not_found(),
        GraphError::Store(error) => error.into(),
    }
}

/// `POST /api/connections/requests`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestBody {
    /// The person to connect with.
    pub user_id: String,
}

/// The outcome of a request.
#[derive(Serialize, ToSchema)]
pub struct RequestOutcome {
    /// `pending`, or `connected` when they had already asked you.
    pub status: &'static str,
    /// The new connection, when `connected`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connection: Option<Connection>,
}

/// Asks someone to connect. If they had already asked you, you are connected
/// at once (mutual requests connect).
#[utoipa::path(post, path = "/api/connections/requests", tag = "connections", request_body = RequestBody,
    security(("bearer" = [])),
    responses((status = 201, body = RequestOutcome, description = "Request pending"),
              (status = 200, body = RequestOutcome, description = "They had asked you: now connected"),
              (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn send_request(
    State(app): State<App>,
    caller: CurrentUser,
    JsonBody(body): JsonBody<RequestBody>,
) -> Result<Response, ApiError> {
    if body.user_id == caller.user_id {
        return Err(ApiError::bad_request(
            "cannot_connect_to_self",
            "You cannot connect with yourself.",
        ));
    }
    let other_id = known_id(&body.user_id, user_not_found())?;
    let (me, other) = both(&app, &caller.user_id, other_id).await?;
    match app
        .store
        .send_request(&me, &other, app.config.max_connections, Timestamp::now())
        .await
    {
        Ok(()) => Ok((
            StatusCode::CREATED,
            Json(RequestOutcome {
                status: "pending",
                connection: None,
            }),
        )
            .into_response()),
        Err(GraphError::TheyAsked) => {
            let connection = connect(&app, &me, &other).await?;
            Ok(Json(RequestOutcome {
                status: "connected",
                connection: Some(connection),
            })
            .into_response())
        }
        Err(GraphError::NotFound) => Err(user_not_found()),
        Err(error) => Err(graph_error(&app, error)),
    }
}

async fn both(app: &App, me: &str, other: &str) -> Result<(UserRecord, UserRecord), ApiError> {
    let mut users = app.store.users(&[me, other]).await?;
    let me = users.remove(me).ok_or_else(ApiError::unauthenticated)?;
    let other = users.remove(other).ok_or_else(user_not_found)?;
    Ok((me, other))
}

/// Accepts `requester`'s request to `me`, then backfills both feeds.
async fn connect(
    app: &App,
    me: &UserRecord,
    requester: &UserRecord,
) -> Result<Connection, ApiError> {
    let now = Timestamp::now();
    // A new connection sees the other's earlier posts the rule allows. What
    // those are does not depend on the accept, so both reads run beside its
    // transaction, and both feeds are written at once after it commits:
    // 3 round trips in all (profiles, transaction + reads, writes).
    let (accepted, for_me, for_them) = tokio::join!(
        app.store
            .accept_request(me, requester, app.config.max_connections, now),
        fanout::posts_to_backfill(&app.store, &me.id, &requester.id, &[]),
        fanout::posts_to_backfill(&app.store, &requester.id, &me.id, &[]),
    );
    accepted.map_err(|error| graph_error(app, error))?;
    tokio::join!(
        fanout::best_effort("backfill", fanout::give(&app.store, &me.id, for_me)),
        fanout::best_effort(
            "backfill",
            fanout::give(&app.store, &requester.id, for_them)
        ),
    );
    Ok(Connection {
        user: UserRef {
            id: requester.id.clone(),
            username: requester.username.clone(),
        },
        connected_at: now.to_rfc3339(),
        tag_ids: Vec::new(),
    })
}

/// `GET /api/connections/requests` parameters.
#[derive(Deserialize, IntoParams)]
pub struct DirectionParams {
    /// `incoming` (default) or `outgoing`.
    pub direction: Option<String>,
}

/// A pending request.
#[derive(Serialize, ToSchema)]
pub struct PendingRequest {
    /// The other person.
    pub user: UserRef,
    /// RFC 3339.
    pub created_at: String,
}

/// Pending requests.
#[derive(Serialize, ToSchema)]
pub struct RequestList {
    /// Newest first.
    pub requests: Vec<PendingRequest>,
}

/// The caller's pending requests, incoming or outgoing.
#[utoipa::path(get, path = "/api/connections/requests", tag = "connections", params(DirectionParams),
    security(("bearer" = [])),
    responses((status = 200, body = RequestList), (status = 400, body = ErrorBody)))]
pub async fn list_requests(
    State(app): State<App>,
    caller: CurrentUser,
    QueryParams(params): QueryParams<DirectionParams>,
) -> Result<Json<RequestList>, ApiError> {
    let incoming = match params.direction.as_deref() {
        None | Some("incoming") => true,
        Some("outgoing") => false,
        Some(_) => {
            return Err(ApiError::bad_request(
                "invalid_query",
                "Parameter `direction`: use incoming or outgoing.",
            ));
        }
    };
    let mut requests = app.store.requests(&caller.user_id, incoming).await?;
    requests.sort_by_key(|r| std::cmp::Reverse(r.created_at));
    Ok(Json(RequestList {
        requests: requests
            .into_iter()
            .map(|r| PendingRequest {
                user: UserRef {
                    id: r.other_id,
                    username: r.other_username,
                },
                created_at: r.created_at.to_rfc3339(),
            })
            .collect(),
    }))
}

/// The new connection.
#[derive(Serialize, ToSchema)]
pub struct ConnectionBody {
    /// It.
    pub connection: Connection,
}

/// Accepts someone's request: you are connected, both under the cap.
#[utoipa::path(post, path = "/api/connections/requests/{user_id}/accept", tag = "connections",
    params(("user_id" = String, Path, description = "The person who asked")),
    security(("bearer" = [])),
    responses((status = 200, body = ConnectionBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn accept_request(
    State(app): State<App>,
    caller: CurrentUser,
    Path(user_id): Path<String>,
) -> Result<Json<ConnectionBody>, ApiError> {
    let requester_id = known_id(&user_id, request_not_found())?;
    let mut users = app.store.users(&[&caller.user_id, requester_id]).await?;
    let me = users
        .remove(&caller.user_id)
        .ok_or_else(ApiError::unauthenticated)?;
    let requester = users.remove(requester_id).ok_or_else(request_not_found)?;
    let connection = connect(&app, &me, &requester).await?;
    Ok(Json(ConnectionBody { connection }))
}

/// Declines an incoming request or cancels an outgoing one.
#[utoipa::path(delete, path = "/api/connections/requests/{user_id}", tag = "connections",
    params(("user_id" = String, Path, description = "The other person")),
    security(("bearer" = [])),
    responses((status = 204, description = "Request removed"), (status = 404, body = ErrorBody)))]
pub async fn remove_request(
    State(app): State<App>,
    caller: CurrentUser,
    Path(user_id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let other = known_id(&user_id, request_not_found())?;
    app.store
        .remove_request(&caller.user_id, other)
        .await
        .map_err(|error| graph_error(&app, error))?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's connections.
#[derive(Serialize, ToSchema)]
pub struct ConnectionList {
    /// Most recent first.
    pub connections: Vec<Connection>,
    /// How many.
    pub count: usize,
    /// The most anyone may have.
    pub limit: u32,
}

/// The caller's connections, with their count and the cap.
#[utoipa::path(get, path = "/api/connections", tag = "connections", security(("bearer" = [])),
    responses((status = 200, body = ConnectionList)))]
pub async fn list_connections(
    State(app): State<App>,
    caller: CurrentUser,
) -> Result<Json<ConnectionList>, ApiError> {
    let mut edges = app.store.connections(&caller.user_id).await?;
    edges.sort_by(|a, b| {
        b.connected_at
            .cmp(&a.connected_at)
            .then(a.other_username.cmp(&b.other_username))
    });
    Ok(Json(ConnectionList {
        count: edges.len(),
        limit: app.config.max_connections,
        connections: edges.into_iter().map(Connection::from).collect(),
    }))
}

/// Ends a connection, on both sides. Neither sees the other's posts any more.
#[utoipa::path(delete, path = "/api/connections/{user_id}", tag = "connections",
    params(("user_id" = String, Path, description = "The other person")),
    security(("bearer" = [])),
    responses((status = 204, description = "Disconnected"), (status = 404, body = ErrorBody)))]
pub async fn disconnect(
    State(app): State<App>,
    caller: CurrentUser,
    Path(user_id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let other = known_id(&user_id, connection_not_found())?;
    app.store
        .disconnect(&caller.user_id, other)
        .await
        .map_err(|error| match error {
            GraphError::NotFound => connection_not_found(),
            other => graph_error(&app, other),
        })?;
    // Both feeds at once: 3 round trips (transaction, reads, writes).
    tokio::join!(
        fanout::best_effort(
            "prune",
            fanout::prune(&app.store, &caller.user_id, other, None)
        ),
        fanout::best_effort(
            "prune",
            fanout::prune(&app.store, other, &caller.user_id, None)
        ),
    );
    Ok(StatusCode::NO_CONTENT)
}

/// `PUT /api/connections/{user_id}/tags`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TagsBody {
    /// The caller's own tag ids to put on this connection (replacing the old set).
    pub tag_ids: Vec<String>,
}

/// Replaces the caller's tags on a connection.
#[utoipa::path(put, path = "/api/connections/{user_id}/tags", tag = "connections", request_body = TagsBody,
    params(("user_id" = String, Path, description = "The other person")),
    security(("bearer" = [])),
    responses((status = 200, body = ConnectionBody), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn set_tags(
    State(app): State<App>,
    caller: CurrentUser,
    Path(user_id): Path<String>,
    JsonBody(body): JsonBody<TagsBody>,
) -> Result<Json<ConnectionBody>, ApiError> {
    let other = known_id(&user_id, connection_not_found())?;
    let mut tag_ids = body.tag_ids;
    tag_ids.sort();
    tag_ids.dedup();
    if tag_ids.len() > shared::domain::social::MAX_TAGS {
        return Err(ApiError::bad_request(
            "invalid_tag_ids",
            "Field `tag_ids`: at most 50 tags.",
        ));
    }
    let tag_not_found =
        || ApiError::not_found("tag_not_found", "One of these tags does not exist.");
    for id in &tag_ids {
        known_id(id, tag_not_found())?;
    }
    let before = app
        .store
        .edge(&caller.user_id, other)
        .await?
        .ok_or_else(connection_not_found)?;
    // The other person's feed follows: posts they may now see come in, posts
    // they may no longer see go. Both reads run beside the transaction, the
    // writes after it commits: 3 round trips (edge, transaction + reads,
    // writes).
    let gained = tag_ids.iter().any(|t| !before.tag_ids.contains(t));
    let lost = before.tag_ids.iter().any(|t| !tag_ids.contains(t));
    let (changed, to_add, to_remove) = tokio::join!(
        app.store.set_edge_tags(&caller.user_id, other, &tag_ids),
        async {
            match gained {
                // Only `tags` posts: the `connections` ones are in their feed already.
                true => fanout::posts_to_backfill(&app.store, other, &caller.user_id, &tag_ids)
                    .await
                    .map(|posts| {
                        let tagged = posts.into_iter().filter(|p| p.audience == Audience::Tags);
                        Some(tagged.collect::<Vec<_>>())
                    }),
                false => Ok(None),
            }
        },
        async {
            match lost {
                true => fanout::stale_entries(&app.store, other, &caller.user_id, Some(&tag_ids))
                    .await
                    .map(Some),
                false => Ok(None),
            }
        },
    );
    changed.map_err(|error| match error {
        // The edge vanished (disconnect) or a tag is not the caller's.
        TagError::NotFound => tag_not_found(),
        TagError::Store(error) => error.into(),
        _ => ApiError::from(StoreError::Corrupt("unexpected tag error".into())),
    })?;
    tokio::join!(
        fanout::best_effort("backfill", async {
            match to_add.transpose() {
                Some(posts) => fanout::give(&app.store, other, posts).await,
                None => Ok(0),
            }
        }),
        fanout::best_effort("prune", async {
            match to_remove.transpose() {
                Some(stale) => fanout::take_away(&app.store, other, stale).await,
                None => Ok(0),
            }
        }),
    );
    Ok(Json(ConnectionBody {
        connection: Connection {
            user: UserRef {
                id: before.other_id,
                username: before.other_username,
            },
            connected_at: before.connected_at.to_rfc3339(),
            tag_ids,
        },
    }))
}
