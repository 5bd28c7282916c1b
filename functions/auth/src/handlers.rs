//! Request handlers: parse, apply the domain rules, call the store, answer.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use shared::api::export::ExportPart;
use shared::api::{ErrorBody, User};
use shared::domain::one_time_code::CODE_TTL_SECONDS;
use shared::http::{ClientIp, CurrentUser, JsonBody, QueryParams, cookie};
use shared::service::accounts::{self, NewAccount};
use shared::service::sessions::{self, Signed};
use shared::service::{deletion, export};
use shared::{ApiError, App};

/// Name of the refresh-token cookie (scoped to `/api/auth`).
pub const REFRESH_COOKIE: &str = "refresh_token";

// ---- request and response bodies --------------------------------------------

/// `POST /api/auth/otp`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeRequest {
    /// The address to send the sign-up code to.
    pub email: String,
}

/// A plain acknowledgement.
#[derive(Serialize, ToSchema)]
pub struct Accepted {
    /// What happens next.
    pub message: String,
}

/// `POST /api/auth/register`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    /// The address the code was sent to.
    pub email: String,
    /// 3–30 of a–z, 0–9, `_`.
    pub username: String,
    /// 10–128 characters, not easily guessed.
    pub password: String,
    /// The six digits from the email.
    pub code: String,
    /// The token of the invitation link followed (`/join?invitation=`):
    /// the new account is connected to the inviter. Only for the address
    /// the invitation was sent to.
    #[serde(default)]
    pub invitation: Option<String>,
}

/// `POST /api/auth/login`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Username or email address (any case).
    pub login: String,
    /// The password.
    pub password: String,
}

/// A signed-in session: the access token (the refresh token is in an HttpOnly cookie).
#[derive(Serialize, ToSchema)]
pub struct Session {
    /// The signed-in person.
    pub user: User,
    /// Short-lived bearer token for `Authorization: Bearer …`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until `access_token` expires.
    pub expires_in: u64,
}

/// `POST /api/auth/password-reset`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetRequest {
    /// The account's email address.
    pub email: String,
}

/// `POST /api/auth/password-reset/confirm`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetConfirmation {
    /// The account's email address.
    pub email: String,
    /// The six digits from the email.
    pub code: String,
    /// The new password (same rules as at sign-up).
    pub new_password: String,
}

// ---- one-time codes ---------------------------------------------------------

/// Sends a sign-up code — or, if the address already has an account, an email
/// saying so. The answer is the same either way, so it reveals nothing.
#[utoipa::path(post, path = "/api/auth/otp", tag = "auth", request_body = CodeRequest,
    responses((status = 202, body = Accepted), (status = 400, body = ErrorBody),
              (status = 429, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn request_code(
    State(app): State<App>,
    ip: ClientIp,
    JsonBody(body): JsonBody<CodeRequest>,
) -> Result<(StatusCode, Json<Accepted>), ApiError> {
    let email = accounts::request_sign_up_code(&app, &ip.0, &body.email).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(Accepted {
            message: format!(
                "We sent a message to {}. If it carries a code, it is valid for {} minutes.",
                email.as_str(),
                CODE_TTL_SECONDS / 60
            ),
        }),
    ))
}

// ---- registration and sign-in -----------------------------------------------

/// Creates the account, consuming the code, and signs the person in.
#[utoipa::path(post, path = "/api/auth/register", tag = "auth", request_body = RegisterRequest,
    responses((status = 201, body = Session, description = "Signed in; refresh cookie set"),
              (status = 400, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 429, body = ErrorBody)))]
pub async fn register(
    State(app): State<App>,
    ip: ClientIp,
    JsonBody(body): JsonBody<RegisterRequest>,
) -> Result<Response, ApiError> {
    let account = NewAccount {
        email: &body.email,
        username: &body.username,
        password: &body.password,
        code: &body.code,
        invitation: body.invitation.as_deref(),
    };
    let user = accounts::register(&app, &ip.0, account).await?;
    let signed = sessions::start(&app, user).await?;
    Ok(session_response(&app, signed, StatusCode::CREATED))
}

/// Signs in with a username or email and a password.
#[utoipa::path(post, path = "/api/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = Session, description = "Signed in; refresh cookie set"),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 429, body = ErrorBody)))]
pub async fn login(
    State(app): State<App>,
    ip: ClientIp,
    JsonBody(body): JsonBody<LoginRequest>,
) -> Result<Response, ApiError> {
    let user = accounts::sign_in(&app, &ip.0, &body.login, body.password).await?;
    let signed = sessions::start(&app, user).await?;
    Ok(session_response(&app, signed, StatusCode::OK))
}

/// The session as a response: the access token in the body, the refresh
/// token in its cookie.
fn session_response(app: &App, signed: Signed, status: StatusCode) -> Response {
    let body = Session {
        user: User::of(signed.user, app),
        access_token: signed.access_token,
        token_type: "Bearer",
        expires_in: app.keys.access_ttl_seconds(),
    };
    let mut response = (status, Json(body)).into_response();
    set_refresh_cookie(
        response.headers_mut(),
        &signed.refresh.encode(),
        signed.refresh_seconds,
    );
    response
}

fn set_refresh_cookie(headers: &mut HeaderMap, value: &str, max_age: u64) {
    let cookie = format!(
        "{REFRESH_COOKIE}={value}; HttpOnly; Secure; SameSite=Strict; Path=/api/auth; Max-Age={max_age}"
    );
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        headers.append(header::SET_COOKIE, value);
    }
}

fn with_cleared_cookie(mut response: Response) -> Response {
    set_refresh_cookie(response.headers_mut(), "", 0);
    response
}

// ---- sessions ---------------------------------------------------------------

/// Exchanges the refresh cookie for a new access token, rotating the cookie.
/// Replaying an already-rotated token revokes that whole session.
#[utoipa::path(post, path = "/api/auth/refresh", tag = "auth",
    responses((status = 200, body = Session, description = "New access token; refresh cookie rotated"),
              (status = 401, body = ErrorBody)))]
pub async fn refresh(State(app): State<App>, ip: ClientIp, headers: HeaderMap) -> Response {
    match sessions::refresh(&app, &ip.0, cookie(&headers, REFRESH_COOKIE)).await {
        Ok(signed) => session_response(&app, signed, StatusCode::OK),
        Err(error) if error.status == StatusCode::UNAUTHORIZED => {
            with_cleared_cookie(error.into_response())
        }
        Err(error) => error.into_response(),
    }
}

/// Signs out this browser: revokes its session and clears the cookie.
#[utoipa::path(post, path = "/api/auth/logout", tag = "auth",
    responses((status = 204, description = "Signed out; cookie cleared")))]
pub async fn logout(State(app): State<App>, headers: HeaderMap) -> Result<Response, ApiError> {
    sessions::sign_out(&app, cookie(&headers, REFRESH_COOKIE)).await?;
    Ok(with_cleared_cookie(StatusCode::NO_CONTENT.into_response()))
}

/// Signs out everywhere: revokes every session of the caller.
#[utoipa::path(post, path = "/api/auth/logout-all", tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "Every session revoked; cookie cleared"),
              (status = 401, body = ErrorBody)))]
pub async fn logout_all(
    State(app): State<App>,
    ip: ClientIp,
    caller: CurrentUser,
) -> Result<Response, ApiError> {
    sessions::sign_out_everywhere(&app, &ip.0, &caller.user_id).await?;
    Ok(with_cleared_cookie(StatusCode::NO_CONTENT.into_response()))
}

/// The signed-in person's account.
#[utoipa::path(get, path = "/api/auth/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = User), (status = 401, body = ErrorBody)))]
pub async fn me(State(app): State<App>, caller: CurrentUser) -> Result<Json<User>, ApiError> {
    let user = accounts::account(&app, &caller.user_id).await?;
    Ok(Json(User::of(user, &app)))
}

/// `PATCH /api/auth/me`: each field left out is kept, `null` removes it.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileChange {
    /// 1–50 characters, one line; `null` removes it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, nullable)]
    pub display_name: Option<Option<String>>,
    /// Up to 300 characters; `null` (or empty) removes it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, nullable)]
    pub bio: Option<Option<String>>,
}

/// A field that is in the body, `null` or not: `Some(None)` for `null`
/// (left out, `#[serde(default)]` makes it `None`).
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Changes what the caller says about themselves.
#[utoipa::path(patch, path = "/api/auth/me", tag = "auth", request_body = ProfileChange,
    security(("bearer" = [])),
    responses((status = 200, body = User), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn update_me(
    State(app): State<App>,
    caller: CurrentUser,
    JsonBody(body): JsonBody<ProfileChange>,
) -> Result<Json<User>, ApiError> {
    let edit = accounts::ProfileEdit {
        display_name: body.display_name.as_ref().map(Option::as_deref),
        bio: body.bio.as_ref().map(Option::as_deref),
    };
    let user = accounts::update_profile(&app, &caller.user_id, edit).await?;
    Ok(Json(User::of(user, &app)))
}

// ---- password reset ---------------------------------------------------------

/// Sends a reset code if the address has an account (and a notice if not);
/// the answer is always `202`.
#[utoipa::path(post, path = "/api/auth/password-reset", tag = "auth", request_body = ResetRequest,
    responses((status = 202, body = Accepted), (status = 400, body = ErrorBody),
              (status = 429, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn request_password_reset(
    State(app): State<App>,
    ip: ClientIp,
    JsonBody(body): JsonBody<ResetRequest>,
) -> Result<(StatusCode, Json<Accepted>), ApiError> {
    let email = accounts::request_password_reset(&app, &ip.0, &body.email).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(Accepted {
            message: format!(
                "If {} has an account, we sent it a code, valid for {} minutes.",
                email.as_str(),
                CODE_TTL_SECONDS / 60
            ),
        }),
    ))
}

/// Sets a new password with the emailed code; every session of the account ends.
#[utoipa::path(post, path = "/api/auth/password-reset/confirm", tag = "auth",
    request_body = ResetConfirmation,
    responses((status = 204, description = "Password changed; every session revoked; sign-in lock lifted"),
              (status = 400, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn confirm_password_reset(
    State(app): State<App>,
    ip: ClientIp,
    JsonBody(body): JsonBody<ResetConfirmation>,
) -> Result<Response, ApiError> {
    let (email, code) = (&body.email, &body.code);
    accounts::reset_password(&app, &ip.0, email, code, &body.new_password).await?;
    Ok(with_cleared_cookie(StatusCode::NO_CONTENT.into_response()))
}

// ---- one's own password and address -----------------------------------------

/// `POST /api/auth/password`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    /// The password the account has now.
    pub current_password: String,
    /// The new one (same rules as at sign-up).
    pub new_password: String,
}

/// Changes the caller's password. Every other session ends; this one goes
/// on under a new refresh cookie.
#[utoipa::path(post, path = "/api/auth/password", tag = "auth", request_body = PasswordChange,
    security(("bearer" = [])),
    responses((status = 204, description = "Password changed; other sessions revoked; a new refresh cookie set"),
              (status = 400, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn change_password(
    State(app): State<App>,
    ip: ClientIp,
    caller: CurrentUser,
    JsonBody(body): JsonBody<PasswordChange>,
) -> Result<Response, ApiError> {
    let user = accounts::change_password(
        &app,
        &ip.0,
        &caller.user_id,
        body.current_password,
        &body.new_password,
    )
    .await?;
    let signed = sessions::start(&app, user).await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    set_refresh_cookie(
        response.headers_mut(),
        &signed.refresh.encode(),
        signed.refresh_seconds,
    );
    Ok(response)
}

/// `POST /api/auth/email`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailChange {
    /// The address to move to.
    pub new_email: String,
    /// The account's password.
    pub password: String,
}

/// Sends a code to the new address (an address with an account gets a
/// notice instead: the answer is the same).
#[utoipa::path(post, path = "/api/auth/email", tag = "auth", request_body = EmailChange,
    security(("bearer" = [])),
    responses((status = 202, body = Accepted), (status = 400, body = ErrorBody),
              (status = 429, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn request_email_change(
    State(app): State<App>,
    ip: ClientIp,
    caller: CurrentUser,
    JsonBody(body): JsonBody<EmailChange>,
) -> Result<(StatusCode, Json<Accepted>), ApiError> {
    let email = accounts::request_email_change(
        &app,
        &ip.0,
        &caller.user_id,
        &body.new_email,
        body.password,
    )
    .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(Accepted {
            message: format!(
                "We sent a code to {}, valid for {} minutes. Enter it to move your account there.",
                email.as_str(),
                CODE_TTL_SECONDS / 60
            ),
        }),
    ))
}

/// `POST /api/auth/email/confirm`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailConfirmation {
    /// The address the code was sent to.
    pub new_email: String,
    /// The six digits from the email.
    pub code: String,
}

/// Moves the account to the new address; the old one is told.
#[utoipa::path(post, path = "/api/auth/email/confirm", tag = "auth", request_body = EmailConfirmation,
    security(("bearer" = [])),
    responses((status = 200, body = User), (status = 400, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn confirm_email_change(
    State(app): State<App>,
    ip: ClientIp,
    caller: CurrentUser,
    JsonBody(body): JsonBody<EmailConfirmation>,
) -> Result<Json<User>, ApiError> {
    let user =
        accounts::confirm_email_change(&app, &ip.0, &caller.user_id, &body.new_email, &body.code)
            .await?;
    Ok(Json(User::of(user, &app)))
}

// ---- deleting one's account -------------------------------------------------

/// `DELETE /api/account`: exactly one of the two.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountDeletion {
    /// The account's password.
    pub password: Option<String>,
    /// Or the code `POST /api/account/deletion-code` sent to its address.
    pub code: Option<String>,
}

/// Sends a code to the account's own address, to delete it without the
/// password.
#[utoipa::path(post, path = "/api/account/deletion-code", tag = "account",
    security(("bearer" = [])),
    responses((status = 202, body = Accepted, description = "A code was sent to the account's address"),
              (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn request_deletion_code(
    State(app): State<App>,
    ip: ClientIp,
    caller: CurrentUser,
) -> Result<(StatusCode, Json<Accepted>), ApiError> {
    deletion::send_code(&app, &ip.0, &caller.user_id).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(Accepted {
            message: "We sent a code to your account's email address. It expires in 10 minutes."
                .into(),
        }),
    ))
}

/// Deletes the caller's account and everything in it, for good. The
/// sessions end, the refresh cookie is cleared, and a confirmation goes to
/// the address.
#[utoipa::path(delete, path = "/api/account", tag = "account", request_body = AccountDeletion,
    security(("bearer" = [])),
    responses((status = 204, description = "The account is gone; cookie cleared"),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 429, body = ErrorBody)))]
pub async fn delete_account(
    State(app): State<App>,
    ip: ClientIp,
    caller: CurrentUser,
    JsonBody(body): JsonBody<AccountDeletion>,
) -> Result<Response, ApiError> {
    let confirmation = match (body.password, body.code) {
        (Some(password), None) => deletion::Confirmation::Password(password),
        (None, Some(code)) => deletion::Confirmation::Code(code),
        _ => {
            return Err(ApiError::bad_request(
                "invalid_body",
                "Send either `password` (your password) or `code` (the code we emailed you), not both.",
            ));
        }
    };
    deletion::delete_account(&app, &ip.0, &caller.user_id, confirmation).await?;
    Ok(with_cleared_cookie(StatusCode::NO_CONTENT.into_response()))
}

// ---- one's data -------------------------------------------------------------

/// `GET /api/account/export` parameters.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// The previous part's `next_cursor`; none for the first part.
    #[param(value_type = String, required = false)]
    pub cursor: Option<String>,
}

/// One part of the caller's data export: everything of theirs, nothing of
/// anyone else's. Follow `next_cursor` until it is `null` and merge the
/// parts (arrays concatenated key by key, objects from the part that has
/// them). Each part is counted against the account's export limit.
#[utoipa::path(get, path = "/api/account/export", tag = "account", params(ExportParams),
    security(("bearer" = [])),
    responses((status = 200, body = ExportPart), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn export(
    State(app): State<App>,
    caller: CurrentUser,
    QueryParams(params): QueryParams<ExportParams>,
) -> Result<Json<ExportPart>, ApiError> {
    let part = export::export_part(&app, &caller.user_id, params.cursor.as_deref()).await?;
    Ok(Json(part))
}
