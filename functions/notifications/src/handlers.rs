//! Request handlers for the `notifications` group.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use shared::api::{ErrorBody, Notification, NotificationPage, PageParams, UnreadCount};
use shared::domain::conversation::{EmailSettings, EmailTopic};
use shared::http::{CurrentUser, JsonBody, QueryParams, page};
use shared::service::notifications;
use shared::{ApiError, App};

/// The caller's notifications, newest first, as they may see them now, with
/// the unread count (3 DynamoDB requests, 2 deep).
#[utoipa::path(get, path = "/api/notifications", tag = "notifications", params(PageParams),
    security(("bearer" = [])),
    responses((status = 200, body = NotificationPage), (status = 400, body = ErrorBody)))]
pub async fn list_notifications(
    State(app): State<App>,
    caller: CurrentUser,
    QueryParams(params): QueryParams<PageParams>,
) -> Result<Json<NotificationPage>, ApiError> {
    let (page, unread) = notifications::list(
        &app,
        &caller.user_id,
        params.limit,
        params.cursor.as_deref(),
    )
    .await?;
    Ok(Json(NotificationPage {
        notifications: page.items.into_iter().map(Notification::from).collect(),
        next_cursor: page.next_cursor,
        unread,
    }))
}

/// How many notifications are unread, as the caller may see them now (1
/// DynamoDB request: what takes a source away takes its notifications).
#[utoipa::path(get, path = "/api/notifications/unread", tag = "notifications",
    security(("bearer" = [])), responses((status = 200, body = UnreadCount)))]
pub async fn unread_count(
    State(app): State<App>,
    caller: CurrentUser,
) -> Result<Json<UnreadCount>, ApiError> {
    let unread = notifications::unread(&app, &caller.user_id).await?;
    Ok(Json(UnreadCount { unread }))
}

/// `POST /api/notifications/read`: these, or all.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkRead {
    /// 1–50 notification ids.
    #[serde(default)]
    pub ids: Option<Vec<String>>,
    /// `true`: every unread notification.
    #[serde(default)]
    pub all: Option<bool>,
}

/// Marks notifications read.
#[utoipa::path(post, path = "/api/notifications/read", tag = "notifications", request_body = MarkRead,
    security(("bearer" = [])),
    responses((status = 204, description = "Marked read"), (status = 400, body = ErrorBody)))]
pub async fn mark_read(
    State(app): State<App>,
    caller: CurrentUser,
    JsonBody(body): JsonBody<MarkRead>,
) -> Result<StatusCode, ApiError> {
    let which = match (body.ids, body.all) {
        (Some(ids), None | Some(false)) => Some(ids),
        (None, Some(true)) => None,
        _ => {
            return Err(ApiError::bad_request(
                "invalid_body",
                "Send either `ids` (the notifications to mark read) or `\"all\": true`.",
            ));
        }
    };
    notifications::mark_read(&app, &caller.user_id, which.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's email settings (1 DynamoDB request).
#[utoipa::path(get, path = "/api/account/email-settings", tag = "notifications",
    security(("bearer" = [])), responses((status = 200, body = EmailSettings)))]
pub async fn email_settings(
    State(app): State<App>,
    caller: CurrentUser,
) -> Result<Json<EmailSettings>, ApiError> {
    Ok(Json(
        notifications::email_settings(&app, &caller.user_id).await?,
    ))
}

/// Saves the caller's email settings (1 DynamoDB request).
#[utoipa::path(put, path = "/api/account/email-settings", tag = "notifications",
    request_body = EmailSettings, security(("bearer" = [])),
    responses((status = 200, body = EmailSettings), (status = 400, body = ErrorBody)))]
pub async fn set_email_settings(
    State(app): State<App>,
    caller: CurrentUser,
    JsonBody(settings): JsonBody<EmailSettings>,
) -> Result<Json<EmailSettings>, ApiError> {
    Ok(Json(
        notifications::set_email_settings(&app, &caller.user_id, settings).await?,
    ))
}

/// `?token=` of an unsubscribe link.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnsubscribeParams {
    /// From the email's link.
    pub token: String,
}

/// The confirmation page an unsubscribe link opens: one button. Opening a
/// link changes nothing, since mail scanners open links too.
#[utoipa::path(get, path = "/api/unsubscribe", tag = "notifications", params(UnsubscribeParams),
    responses((status = 200, description = "An HTML page with one button", content_type = "text/html"),
        (status = 400, body = ErrorBody)))]
pub async fn unsubscribe_page(
    State(app): State<App>,
    QueryParams(params): QueryParams<UnsubscribeParams>,
) -> Result<Response, ApiError> {
    let topic = notifications::unsubscribe_link(&app, &params.token)?;
    // The token is ours (verified above): URL-safe base64, nothing to escape.
    Ok(page(
        "Unsubscribe",
        format!(
            "<p>Stop {}?</p><form method=\"post\" action=\"?token={}\">\
             <button type=\"submit\">Unsubscribe</button></form>\
             <p>You can turn them on again on the Account screen.</p>",
            topic.describe(),
            params.token
        ),
    ))
}

/// One-click unsubscribe (RFC 8058: what a mail client posts, and what the
/// confirmation page's button posts): turns the email off.
#[utoipa::path(post, path = "/api/unsubscribe", tag = "notifications", params(UnsubscribeParams),
    responses((status = 200, description = "An HTML page saying it is done", content_type = "text/html"),
        (status = 400, body = ErrorBody)))]
pub async fn unsubscribe(
    State(app): State<App>,
    QueryParams(params): QueryParams<UnsubscribeParams>,
) -> Result<Response, ApiError> {
    let topic: EmailTopic = notifications::unsubscribe(&app, &params.token).await?;
    Ok(page(
        "Unsubscribed",
        format!(
            "<p>You will get no more {}.</p><p>You can turn them on again on the Account screen.</p>",
            topic.describe()
        ),
    ))
}
