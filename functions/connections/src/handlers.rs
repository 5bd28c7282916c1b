//! Request handlers for the `connections` group.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use shared::api::{Connection, ErrorBody, UserRef};
use shared::domain::ids::UserId;
use shared::http::{CurrentUser, JsonBody, QueryParams};
use shared::service::blocks;
use shared::service::graph::{self, Asked};
use shared::{ApiError, App};

/// The other person named in a path or body; an id that is not one is
/// answered as `missing` answers a well-formed id that does not exist.
fn other(raw: &str, missing: fn() -> ApiError) -> Result<UserId, ApiError> {
    UserId::parse(raw).ok_or_else(missing)
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
    let other = other(&body.user_id, ApiError::user_not_found)?;
    Ok(match graph::ask(&app, &caller.user_id, &other).await? {
        Asked::Pending => (
            StatusCode::CREATED,
            Json(RequestOutcome {
                status: "pending",
                connection: None,
            }),
        )
            .into_response(),
        Asked::Connected(edge) => Json(RequestOutcome {
            status: "connected",
            connection: Some(edge.into()),
        })
        .into_response(),
    })
}

/// `GET /api/connections/requests` parameters.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DirectionParams {
    /// `incoming` (default) or `outgoing`.
    #[param(value_type = String, required = false, pattern = "^(incoming|outgoing)$")]
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
    let requests = graph::requests(&app, &caller.user_id, incoming).await?;
    Ok(Json(RequestList {
        requests: requests
            .into_iter()
            .map(|r| PendingRequest {
                user: UserRef::new(r.other_id, r.other_username, r.other_display_name),
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
    responses((status = 200, body = ConnectionBody), (status = 400, body = ErrorBody, description = "Your own id"), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn accept_request(
    State(app): State<App>,
    caller: CurrentUser,
    Path(user_id): Path<String>,
) -> Result<Json<ConnectionBody>, ApiError> {
    let requester = other(&user_id, ApiError::request_not_found)?;
    let edge = graph::accept(&app, &caller.user_id, &requester).await?;
    Ok(Json(ConnectionBody {
        connection: edge.into(),
    }))
}

/// Declines an incoming request or cancels an outgoing one.
#[utoipa::path(delete, path = "/api/connections/requests/{user_id}", tag = "connections",
    params(("user_id" = String, Path, description = "The other person")),
    security(("bearer" = [])),
    responses((status = 204, description = "Request removed"), (status = 400, body = ErrorBody, description = "Your own id"), (status = 404, body = ErrorBody)))]
pub async fn remove_request(
    State(app): State<App>,
    caller: CurrentUser,
    Path(user_id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let other = other(&user_id, ApiError::request_not_found)?;
    graph::remove_request(&app, &caller.user_id, &other).await?;
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
    let edges = graph::connections(&app, &caller.user_id).await?;
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
    responses((status = 204, description = "Disconnected"), (status = 400, body = ErrorBody, description = "Your own id"), (status = 404, body = ErrorBody)))]
pub async fn disconnect(
    State(app): State<App>,
    caller: CurrentUser,
    Path(user_id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let other = other(&user_id, ApiError::connection_not_found)?;
    graph::disconnect(&app, &caller.user_id, &other).await?;
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
    let other = other(&user_id, ApiError::connection_not_found)?;
    let edge = graph::set_tags(&app, &caller.user_id, &other, &body.tag_ids).await?;
    Ok(Json(ConnectionBody {
        connection: edge.into(),
    }))
}

// ---- blocks -------------------------------------------------------------------

/// `POST /api/blocks`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BlockBody {
    /// The person to block.
    pub user_id: String,
}

/// Someone the caller blocked.
#[derive(Serialize, ToSchema)]
pub struct Block {
    /// Who.
    pub user: UserRef,
    /// RFC 3339.
    pub created_at: String,
}

/// The people the caller blocked.
#[derive(Serialize, ToSchema)]
pub struct BlockList {
    /// Most recent first.
    pub blocks: Vec<Block>,
}

/// Blocks someone: any connection and any request between you end at once,
/// and from then on they cannot find you, open your profile, ask you to
/// connect or see anything of yours. They are not told. Blocking again is
/// the same as blocking once.
#[utoipa::path(post, path = "/api/blocks", tag = "blocks", request_body = BlockBody,
    security(("bearer" = [])),
    responses((status = 201, description = "Blocked"), (status = 400, body = ErrorBody, description = "Your own id"),
              (status = 404, body = ErrorBody)))]
pub async fn block(
    State(app): State<App>,
    caller: CurrentUser,
    JsonBody(body): JsonBody<BlockBody>,
) -> Result<StatusCode, ApiError> {
    let other = other(&body.user_id, ApiError::user_not_found)?;
    blocks::block(&app, &caller.user_id, &other).await?;
    Ok(StatusCode::CREATED)
}

/// The people you blocked.
#[utoipa::path(get, path = "/api/blocks", tag = "blocks", security(("bearer" = [])),
    responses((status = 200, body = BlockList)))]
pub async fn list_blocks(
    State(app): State<App>,
    caller: CurrentUser,
) -> Result<Json<BlockList>, ApiError> {
    let list = blocks::blocks(&app, &caller.user_id).await?;
    Ok(Json(BlockList {
        blocks: list
            .into_iter()
            .map(|b| Block {
                user: UserRef::new(b.other_id, b.other_username, b.other_display_name),
                created_at: b.created_at.to_rfc3339(),
            })
            .collect(),
    }))
}

/// Lifts a block. It does not reconnect you: either of you may ask again.
#[utoipa::path(delete, path = "/api/blocks/{user_id}", tag = "blocks",
    params(("user_id" = String, Path, description = "The blocked person")),
    security(("bearer" = [])),
    responses((status = 204, description = "Unblocked"), (status = 400, body = ErrorBody, description = "Your own id"),
              (status = 404, body = ErrorBody)))]
pub async fn unblock(
    State(app): State<App>,
    caller: CurrentUser,
    Path(user_id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let not_blocked = || ApiError::not_found("not_blocked", "You have not blocked this person.");
    let other = other(&user_id, not_blocked)?;
    blocks::unblock(&app, &caller.user_id, &other).await?;
    Ok(StatusCode::NO_CONTENT)
}
