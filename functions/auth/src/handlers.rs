//! Request handlers: parse, apply the domain rules, call the store, answer.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use shared::api::{ErrorBody, User};
use shared::auth::hash_password;
use shared::domain::Timestamp;
use shared::domain::account::{Email, Password, Username};
use shared::domain::ids::{FamilyId, UserId};
use shared::domain::one_time_code::{self, CODE_TTL_SECONDS, CodeCheck, CodePurpose, OneTimeCode};
use shared::domain::session::{RefreshToken, Rotation, decide_rotation};
use shared::email::Email as Message;
use shared::http::{ClientIp, CurrentUser, JsonBody, cookie};
use shared::rate_limit;
use shared::service::accounts::{self, rule};
use shared::store::{CodeToConsume, CreateUserError, UserRecord};
use shared::{ApiError, App};

/// Name of the refresh-token cookie (scoped to `/api/auth`).
pub const REFRESH_COOKIE: &str = "refresh_token";
/// Longest sign-in identifier we read (an email address at most).
const LOGIN_MAX_LEN: usize = 254;

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
    let email = Email::parse(&body.email)?;
    let limits = app.config.rate_limits;
    rate_limit::count(&app.store, rule("code-ip", limits.code_per_ip), &ip.0).await?;
    rate_limit::count(
        &app.store,
        rule("code-email", limits.code_per_email),
        email.as_str(),
    )
    .await?;

    if app.store.user_id_by_email(&email).await?.is_some() {
        app.mailer
            .send(email.as_str(), Message::already_registered())
            .await?;
    } else {
        send_code(&app, CodePurpose::Register, &email).await?;
    }
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

/// Stores a fresh code (replacing any earlier one) and emails it. If the
/// email fails, the code is removed again: nothing half-done remains.
async fn send_code(app: &App, purpose: CodePurpose, email: &Email) -> Result<(), ApiError> {
    let code = OneTimeCode::generate();
    let hash = one_time_code::hash_code(app.keys.code_key(), purpose, email, code.digits());
    let expires_at = Timestamp::now().plus_seconds(CODE_TTL_SECONDS);
    app.store
        .put_code(purpose, email, &hash, expires_at)
        .await?;
    if let Err(error) = app
        .mailer
        .send(email.as_str(), Message::code(purpose, code.digits()))
        .await
    {
        if let Err(cleanup) = app.store.delete_code(purpose, email).await {
            tracing::error!(%cleanup, "could not remove a code whose email failed");
        }
        return Err(error.into());
    }
    Ok(())
}

/// Checks a presented code against the stored one, counting a wrong try.
/// Returns the hash to consume atomically with the caller's write.
async fn check_code(
    app: &App,
    purpose: CodePurpose,
    email: &Email,
    code: &str,
) -> Result<String, ApiError> {
    let hash = one_time_code::hash_code(app.keys.code_key(), purpose, email, code);
    let stored = app.store.code(purpose, email).await?;
    match one_time_code::check_code(stored.as_ref(), &hash, Timestamp::now()) {
        CodeCheck::Valid => Ok(hash),
        CodeCheck::Wrong => {
            app.store.record_wrong_code(purpose, email).await?;
            let left = stored.map_or(0, |s| {
                one_time_code::MAX_WRONG_ATTEMPTS.saturating_sub(s.wrong_attempts + 1)
            });
            Err(ApiError::bad_request(
                "invalid_code",
                if left == 0 {
                    "That code is not right, and it has now been used up. Ask for a new code."
                        .to_owned()
                } else {
                    format!("That code is not right. Check the latest email; {left} tries left.")
                },
            ))
        }
        CodeCheck::ExpiredOrMissing => Err(code_expired()),
        CodeCheck::Exhausted => Err(ApiError::bad_request(
            "code_exhausted",
            "This code was entered wrongly too many times. Ask for a new code.",
        )),
    }
}

fn code_expired() -> ApiError {
    ApiError::bad_request(
        "code_expired",
        "This code has expired or was replaced by a newer one. Ask for a new code.",
    )
}

fn well_formed_code(code: &str) -> Result<(), ApiError> {
    if one_time_code::is_well_formed(code.trim()) {
        Ok(())
    } else {
        Err(ApiError::bad_request(
            "invalid_code",
            "Field `code`: enter the six digits from the email.",
        ))
    }
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
    let email = Email::parse(&body.email)?;
    let username = Username::parse(&body.username)?;
    well_formed_code(&body.code)?;
    let password = Password::parse(
        "password",
        &body.password,
        &[email.as_str(), username.as_str()],
    )?;
    // The limit counts accounts created, not attempts: a mistyped code must
    // not lock a person out for an hour, and code guessing is already capped
    // by the code's own five tries.
    let registrations = rule("register-ip", app.config.rate_limits.register_per_ip);
    // A cheap early answer that spares the password hash; the registration
    // itself is counted inside its own transaction (`create_user`), so a
    // burst from one address cannot all pass this check together.
    rate_limit::ensure_not_exhausted(&app.store, registrations, &ip.0).await?;
    let (count, retry_after) = rate_limit::count_with_write(registrations, &ip.0);

    let code_hash = check_code(&app, CodePurpose::Register, &email, body.code.trim()).await?;
    let user = UserRecord {
        id: UserId::new(),
        username: username.clone(),
        email: email.clone(),
        password_hash: hash_password(password).await.map_err(|error| {
            tracing::error!(%error, "hashing failed");
            ApiError::internal()
        })?,
        created_at: Timestamp::now(),
    };
    let consume = CodeToConsume {
        purpose: CodePurpose::Register,
        email: &email,
        code_hash: &code_hash,
        now: Timestamp::now(),
    };
    app.store
        .create_user(&user, consume, count)
        .await
        .map_err(|error| match error {
            CreateUserError::LimitReached => ApiError::rate_limited(retry_after),
            CreateUserError::EmailTaken => ApiError::conflict(
                "email_taken",
                "This email address already has an account. Sign in instead, or reset your password.",
            ),
            CreateUserError::UsernameTaken => ApiError::conflict(
                "username_taken",
                "This username is taken. Please choose another; your code still works.",
            ),
            CreateUserError::CodeGone => code_expired(),
            CreateUserError::Store(error) => error.into(),
        })?;
    tracing::info!(user_id = %user.id, "account created");
    start_session(&app, user, StatusCode::CREATED).await
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
    if body.login.chars().count() > LOGIN_MAX_LEN {
        return Err(ApiError::bad_request(
            "invalid_field",
            format!("Field `login`: at most {LOGIN_MAX_LEN} characters."),
        ));
    }
    if body.password.chars().count() > shared::domain::account::PASSWORD_MAX_LEN {
        return Err(ApiError::bad_request(
            "invalid_field",
            "Field `password`: at most 128 characters.",
        ));
    }
    let user = accounts::sign_in(&app, &ip.0, &body.login, body.password).await?;
    start_session(&app, user, StatusCode::OK).await
}

/// Opens a new session family and answers with the access token and cookie.
async fn start_session(
    app: &App,
    user: UserRecord,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let now = Timestamp::now();
    let family_id = FamilyId::new();
    let token = RefreshToken::issue(&user.id, &family_id);
    let expires_at = now.plus_seconds(app.config.refresh_token_ttl.as_secs() as i64);
    app.store
        .create_session(&user.id, &family_id, &token.secret_hash(), expires_at)
        .await?;
    Ok(session_response(app, user, &token, now, status))
}

fn session_response(
    app: &App,
    user: UserRecord,
    token: &RefreshToken,
    now: Timestamp,
    status: StatusCode,
) -> Response {
    let access_token = app.keys.issue_access(&user.id, &token.family_id, now);
    let body = Session {
        user: user.into(),
        access_token,
        token_type: "Bearer",
        expires_in: app.keys.access_ttl_seconds(),
    };
    let mut response = (status, Json(body)).into_response();
    set_refresh_cookie(
        response.headers_mut(),
        &token.encode(),
        app.config.refresh_token_ttl.as_secs(),
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
pub async fn refresh(State(app): State<App>, headers: HeaderMap) -> Response {
    match refresh_session(&app, &headers).await {
        Ok(response) => response,
        Err(error) if error.status == StatusCode::UNAUTHORIZED => {
            with_cleared_cookie(error.into_response())
        }
        Err(error) => error.into_response(),
    }
}

async fn refresh_session(app: &App, headers: &HeaderMap) -> Result<Response, ApiError> {
    let signed_out = || {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "session_expired",
            "Your session has ended. Please sign in again.",
        )
    };
    let token = cookie(headers, REFRESH_COOKIE)
        .and_then(RefreshToken::parse)
        .ok_or_else(signed_out)?;
    let now = Timestamp::now();
    let stored = app
        .store
        .session_secret_hash(&token.user_id, &token.family_id, now)
        .await?;
    let revoke = || async {
        tracing::warn!(user_id = %token.user_id, "refresh token replayed; session revoked");
        app.store
            .delete_session(&token.user_id, &token.family_id)
            .await
    };
    match decide_rotation(&token, stored.as_deref()) {
        Rotation::Refuse => return Err(signed_out()),
        Rotation::RevokeFamily => {
            revoke().await?;
            return Err(signed_out());
        }
        Rotation::Rotate => {}
    }
    let next = RefreshToken::issue(&token.user_id, &token.family_id);
    let expires_at = now.plus_seconds(app.config.refresh_token_ttl.as_secs() as i64);
    let rotated = app
        .store
        .rotate_session(
            &token.user_id,
            &token.family_id,
            &token.secret_hash(),
            &next.secret_hash(),
            expires_at,
        )
        .await?;
    if !rotated {
        // Someone else presented this same token a moment ago: a replay.
        revoke().await?;
        return Err(signed_out());
    }
    let user = app
        .store
        .user(&token.user_id)
        .await?
        .ok_or_else(signed_out)?;
    Ok(session_response(app, user, &next, now, StatusCode::OK))
}

/// Signs out this browser: revokes its session and clears the cookie.
#[utoipa::path(post, path = "/api/auth/logout", tag = "auth",
    responses((status = 204, description = "Signed out; cookie cleared")))]
pub async fn logout(State(app): State<App>, headers: HeaderMap) -> Result<Response, ApiError> {
    if let Some(token) = cookie(&headers, REFRESH_COOKIE).and_then(RefreshToken::parse) {
        let stored = app
            .store
            .session_secret_hash(&token.user_id, &token.family_id, Timestamp::now())
            .await?;
        // Any token of the family may end it (an old one means it leaked anyway);
        // a made-up token for someone else's family cannot match and is ignored.
        if decide_rotation(&token, stored.as_deref()) != Rotation::Refuse {
            app.store
                .delete_session(&token.user_id, &token.family_id)
                .await?;
        }
    }
    Ok(with_cleared_cookie(StatusCode::NO_CONTENT.into_response()))
}

/// Signs out everywhere: revokes every session of the caller.
#[utoipa::path(post, path = "/api/auth/logout-all", tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "Every session revoked; cookie cleared"),
              (status = 401, body = ErrorBody)))]
pub async fn logout_all(State(app): State<App>, caller: CurrentUser) -> Result<Response, ApiError> {
    let revoked = app.store.delete_all_sessions(&caller.user_id).await?;
    tracing::info!(revoked, "signed out everywhere");
    Ok(with_cleared_cookie(StatusCode::NO_CONTENT.into_response()))
}

/// The signed-in person's account.
#[utoipa::path(get, path = "/api/auth/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = User), (status = 401, body = ErrorBody)))]
pub async fn me(State(app): State<App>, caller: CurrentUser) -> Result<Json<User>, ApiError> {
    let user = app
        .store
        .user(&caller.user_id)
        .await?
        .ok_or_else(ApiError::unauthenticated)?;
    Ok(Json(user.into()))
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
    let email = Email::parse(&body.email)?;
    let limits = app.config.rate_limits;
    rate_limit::count(&app.store, rule("code-ip", limits.code_per_ip), &ip.0).await?;
    rate_limit::count(
        &app.store,
        rule("reset-email", limits.reset_per_email),
        email.as_str(),
    )
    .await?;
    if app.store.user_id_by_email(&email).await?.is_some() {
        send_code(&app, CodePurpose::PasswordReset, &email).await?;
    } else {
        app.mailer
            .send(email.as_str(), Message::no_account())
            .await?;
    }
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
    responses((status = 204, description = "Password changed; every session revoked"),
              (status = 400, body = ErrorBody)))]
pub async fn confirm_password_reset(
    State(app): State<App>,
    JsonBody(body): JsonBody<ResetConfirmation>,
) -> Result<Response, ApiError> {
    let email = Email::parse(&body.email)?;
    well_formed_code(&body.code)?;
    let Some(user_id) = app.store.user_id_by_email(&email).await? else {
        // Same answer as for a wrong or missing code: nothing to enumerate.
        return Err(code_expired());
    };
    let user = app.store.user(&user_id).await?.ok_or_else(code_expired)?;
    let password = Password::parse(
        "new_password",
        &body.new_password,
        &[email.as_str(), user.username.as_str()],
    )?;
    let code_hash = check_code(&app, CodePurpose::PasswordReset, &email, body.code.trim()).await?;
    let password_hash = hash_password(password).await.map_err(|error| {
        tracing::error!(%error, "hashing failed");
        ApiError::internal()
    })?;
    let consume = CodeToConsume {
        purpose: CodePurpose::PasswordReset,
        email: &email,
        code_hash: &code_hash,
        now: Timestamp::now(),
    };
    app.store
        .reset_password(&user_id, &password_hash, consume)
        .await
        .map_err(|error| match error {
            CreateUserError::Store(error) => error.into(),
            _ => code_expired(),
        })?;
    let revoked = app.store.delete_all_sessions(&user_id).await?;
    tracing::info!(user_id = %user_id, revoked, "password reset");
    Ok(with_cleared_cookie(StatusCode::NO_CONTENT.into_response()))
}
