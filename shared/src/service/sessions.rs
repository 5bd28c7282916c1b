//! Sessions: a sign-in opens a session family; its refresh token rotates on
//! every use, and a replayed one ends the family (see
//! [`crate::domain::session`]).

use axum::http::StatusCode;

use crate::domain::Timestamp;
use crate::domain::ids::{FamilyId, UserId};
use crate::domain::session::{RefreshToken, Rotation, decide_rotation};
use crate::store::UserRecord;
use crate::{ApiError, App};

/// A signed-in session, as a sign-in or a refresh hands it out.
pub struct Signed {
    /// Who.
    pub user: UserRecord,
    /// The refresh token, for the cookie.
    pub refresh: RefreshToken,
    /// The access token.
    pub access_token: String,
}

fn signed(app: &App, user: UserRecord, refresh: RefreshToken, now: Timestamp) -> Signed {
    let access_token = app.keys.issue_access(&user.id, &refresh.family_id, now);
    Signed {
        user,
        refresh,
        access_token,
    }
}

fn refresh_expiry(app: &App, now: Timestamp) -> Timestamp {
    now.plus_seconds(app.config.refresh_token_ttl.as_secs() as i64)
}

/// Opens a new session family for `user` (1 PutItem).
pub async fn start(app: &App, user: UserRecord) -> Result<Signed, ApiError> {
    let now = Timestamp::now();
    let family_id = FamilyId::new();
    let token = RefreshToken::issue(&user.id, &family_id);
    app.store
        .create_session(
            &user.id,
            &family_id,
            &token.secret_hash(),
            refresh_expiry(app, now),
        )
        .await?;
    Ok(signed(app, user, token, now))
}

/// 401 `session_expired`: the refresh token is missing, unknown, expired,
/// revoked or replayed. The HTTP layer also clears the cookie.
pub fn signed_out() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "session_expired",
        "Your session has ended. Please sign in again.",
    )
}

/// Exchanges a refresh token (the cookie's value) for the next one and a new
/// access token: 1 GetItem, 1 conditional UpdateItem, 1 GetItem of the
/// profile. Replaying an already-rotated token revokes its whole family.
pub async fn refresh(app: &App, cookie: Option<&str>) -> Result<Signed, ApiError> {
    let token = cookie
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
    let rotated = app
        .store
        .rotate_session(
            &token.user_id,
            &token.family_id,
            &token.secret_hash(),
            &next.secret_hash(),
            refresh_expiry(app, now),
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
    Ok(signed(app, user, next, now))
}

/// Ends the session a refresh token (the cookie's value) belongs to. Any
/// token of the family may end it (an old one means it leaked anyway); a
/// made-up token for someone else's family cannot match and is ignored.
pub async fn sign_out(app: &App, cookie: Option<&str>) -> Result<(), ApiError> {
    let Some(token) = cookie.and_then(RefreshToken::parse) else {
        return Ok(());
    };
    let stored = app
        .store
        .session_secret_hash(&token.user_id, &token.family_id, Timestamp::now())
        .await?;
    if decide_rotation(&token, stored.as_deref()) != Rotation::Refuse {
        app.store
            .delete_session(&token.user_id, &token.family_id)
            .await?;
    }
    Ok(())
}

/// Ends every session of `me` (1 Query, BatchWriteItem per 25).
pub async fn sign_out_everywhere(app: &App, me: &UserId) -> Result<(), ApiError> {
    let revoked = app.store.delete_all_sessions(me).await?;
    tracing::info!(revoked, "signed out everywhere");
    Ok(())
}
