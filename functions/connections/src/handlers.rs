//! Request handlers for the `connections` group.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use shared::api::{Connection, ErrorBody, UserRef};
use shared::domain::ids::{InvitationId, UserId};
use shared::domain::invitation::INVITATION_DAYS;
use shared::http::{CurrentUser, JsonBody, QueryParams, page};
use shared::service::graph::{self, Asked};
use shared::service::{blocks, invitations};
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

// ---- invitations ------------------------------------------------------------

/// `POST /api/invitations`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationBody {
    /// The friend's address.
    pub email: String,
}

/// The answer to an invitation, whatever the address.
#[derive(Serialize, ToSchema)]
pub struct InvitationSent {
    /// "Invitation sent", in words.
    pub message: String,
}

/// Invites a friend by email address, one at a time: they get one email
/// with a link valid for 14 days, and joining through it connects you. The
/// answer is the same whatever the address (an address with an account
/// gets a connection request instead; one that opted out, or that you
/// invited already, gets nothing new). Limited per day.
#[utoipa::path(post, path = "/api/invitations", tag = "invitations", request_body = InvitationBody,
    security(("bearer" = [])),
    responses((status = 202, body = InvitationSent), (status = 400, body = ErrorBody),
              (status = 429, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn invite(
    State(app): State<App>,
    caller: CurrentUser,
    JsonBody(body): JsonBody<InvitationBody>,
) -> Result<(StatusCode, Json<InvitationSent>), ApiError> {
    let email = invitations::invite(&app, &caller.user_id, &body.email).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(InvitationSent {
            message: format!(
                "Invitation sent to {}. Its link works for {INVITATION_DAYS} days.",
                email.as_str()
            ),
        }),
    ))
}

/// One of your invitations.
#[derive(Serialize, ToSchema)]
pub struct Invitation {
    /// Its id (to cancel it).
    pub id: String,
    /// The address.
    pub email: String,
    /// `pending`, `joined`, `cancelled` or `expired`.
    pub status: &'static str,
    /// Sent (RFC 3339).
    pub created_at: String,
    /// Its link works until then.
    pub expires_at: String,
}

/// Your invitations.
#[derive(Serialize, ToSchema)]
pub struct InvitationList {
    /// Newest first; lines are kept for 30 days after their link ran out.
    pub invitations: Vec<Invitation>,
}

/// Your invitations and where each stands.
#[utoipa::path(get, path = "/api/invitations", tag = "invitations", security(("bearer" = [])),
    responses((status = 200, body = InvitationList)))]
pub async fn list_invitations(
    State(app): State<App>,
    caller: CurrentUser,
) -> Result<Json<InvitationList>, ApiError> {
    let list = invitations::list(&app, &caller.user_id).await?;
    Ok(Json(InvitationList {
        invitations: list
            .into_iter()
            .map(|i| Invitation {
                id: i.id.into_string(),
                email: i.email.into_string(),
                status: i.status.as_str(),
                created_at: i.created_at.to_rfc3339(),
                expires_at: i.valid_until.to_rfc3339(),
            })
            .collect(),
    }))
}

/// Takes back a pending invitation: its link stops working.
#[utoipa::path(delete, path = "/api/invitations/{id}", tag = "invitations",
    params(("id" = String, Path, description = "The invitation")),
    security(("bearer" = [])),
    responses((status = 204, description = "Cancelled"), (status = 404, body = ErrorBody)))]
pub async fn cancel_invitation(
    State(app): State<App>,
    caller: CurrentUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = InvitationId::parse(&id).ok_or_else(invitations::invitation_not_found)?;
    invitations::cancel(&app, &caller.user_id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `?token=` of an opt-out link.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OptOutParams {
    /// From the invitation email.
    pub token: String,
}

/// The page an invitation's opt-out link opens: one button. Opening it
/// changes nothing, since mail scanners open links too.
#[utoipa::path(get, path = "/api/invitations/opt-out", tag = "invitations", params(OptOutParams),
    responses((status = 200, description = "An HTML page with one button", content_type = "text/html"),
        (status = 400, body = ErrorBody)))]
pub async fn opt_out_page(
    State(app): State<App>,
    QueryParams(params): QueryParams<OptOutParams>,
) -> Result<Response, ApiError> {
    invitations::opt_out_link(&app, &params.token)?;
    // The token is ours (verified above): URL-safe base64, nothing to escape.
    Ok(page(
        "No more invitations",
        format!(
            "<p>Receive no more invitations to Intentional Social, from anyone?</p>\
             <form method=\"post\" action=\"?token={}\"><button type=\"submit\">Send me no more</button></form>",
            params.token
        ),
    ))
}

/// One-click opt-out (RFC 8058: what a mail client posts, and what the
/// page's button posts): the address receives no invitation again.
#[utoipa::path(post, path = "/api/invitations/opt-out", tag = "invitations", params(OptOutParams),
    responses((status = 200, description = "An HTML page saying it is done", content_type = "text/html"),
        (status = 400, body = ErrorBody)))]
pub async fn opt_out(
    State(app): State<App>,
    QueryParams(params): QueryParams<OptOutParams>,
) -> Result<Response, ApiError> {
    invitations::opt_out(&app, &params.token).await?;
    Ok(page(
        "No more invitations",
        "<p>Done: this address will receive no more invitations to Intentional Social.</p>".into(),
    ))
}
