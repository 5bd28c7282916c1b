//! Sessions: a sign-in opens a session family; its refresh token rotates on
//! every use, and a replayed one ends the family (see
//! [`crate::domain::session`]). A session ends at the latest
//! `REFRESH_TOKEN_TTL_DAYS` after its sign-in, however often it is refreshed,
//! and at once when the account's password is reset.

use axum::http::StatusCode;

use crate::domain::Timestamp;
use crate::domain::ids::{FamilyId, UserId};
use crate::domain::session::{RefreshToken, Rotation, StoredSecrets, decide_rotation};
use crate::store::{SessionRecord, UserRecord};
use crate::{ApiError, App};

/// A signed-in session, as a sign-in or a refresh hands it out.
pub struct Signed {
    /// Who.
    pub user: UserRecord,
    /// The refresh token, for the cookie.
    pub refresh: RefreshToken,
    /// Seconds the refresh token (the session) has left: the cookie's
    /// `Max-Age`.
    pub refresh_seconds: u64,
    /// The access token.
    pub access_token: String,
}

fn signed(
    app: &App,
    user: UserRecord,
    refresh: RefreshToken,
    ends_at: Timestamp,
    now: Timestamp,
) -> Signed {
    let access_token = app.keys.issue_access(&user.id, &refresh.family_id, now);
    Signed {
        user,
        refresh,
        refresh_seconds: (ends_at.0 - now.0).max(0) as u64,
        access_token,
    }
}

/// Opens a new session family for `user` (1 PutItem), under the account's
/// current credential version, for the configured lifetime.
pub async fn start(app: &App, user: UserRecord) -> Result<Signed, ApiError> {
    let now = Timestamp::now();
    let family_id = FamilyId::new();
    let token = RefreshToken::issue(&user.id, &family_id);
    let session = SessionRecord {
        secret_hash: token.secret_hash(),
        previous_hash: None,
        expires_at: now.plus_seconds(app.config.refresh_token_ttl.as_secs() as i64),
        credentials: user.credentials,
    };
    app.store
        .create_session(&user.id, &family_id, &session)
        .await?;
    Ok(signed(app, user, token, session.expires_at, now))
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
/// access token: the session and the profile read at once (1 GetItem each),
/// then 1 conditional UpdateItem; 2 round trips. Replaying the token the
/// current one replaced revokes the whole family; a secret never issued for
/// it is refused and changes nothing. A session begun before the account's
/// last password reset is over.
pub async fn refresh(app: &App, client_ip: &str, cookie: Option<&str>) -> Result<Signed, ApiError> {
    let token = cookie
        .and_then(RefreshToken::parse)
        .ok_or_else(signed_out)?;
    let now = Timestamp::now();
    let (session, user) = tokio::join!(
        app.store.session(&token.user_id, &token.family_id, now),
        app.store.user(&token.user_id),
    );
    let (session, user) = (session?, user?);
    let token = &token;
    let revoke = |why: &'static str| async move {
        tracing::warn!(
            event = "session_revoked",
            client_ip,
            user_id = %token.user_id,
            reason = why,
            "session revoked"
        );
        app.store
            .delete_session(&token.user_id, &token.family_id)
            .await
    };
    let secrets = session.as_ref().map(|s| StoredSecrets {
        current: &s.secret_hash,
        previous: s.previous_hash.as_deref(),
    });
    match decide_rotation(token, secrets) {
        Rotation::Refuse => return Err(signed_out()),
        Rotation::RevokeFamily => {
            tracing::warn!(event = "refresh_reuse_detected", client_ip, user_id = %token.user_id, "refresh token replayed");
            revoke("refresh token replayed").await?;
            return Err(signed_out());
        }
        Rotation::Rotate => {}
    }
    let (Some(session), Some(user)) = (session, user) else {
        return Err(signed_out());
    };
    if session.credentials != user.credentials {
        revoke("password reset since sign-in").await?;
        return Err(signed_out());
    }
    if user.suspended {
        revoke("account suspended").await?;
        return Err(ApiError::account_suspended());
    }
    let next = RefreshToken::issue(&token.user_id, &token.family_id);
    let rotated = app
        .store
        .rotate_session(
            &token.user_id,
            &token.family_id,
            &token.secret_hash(),
            &next.secret_hash(),
        )
        .await?;
    if !rotated {
        // Someone else presented this same token a moment ago: a replay.
        tracing::warn!(event = "refresh_reuse_detected", client_ip, user_id = %token.user_id, "refresh token raced");
        revoke("refresh token replayed").await?;
        return Err(signed_out());
    }
    Ok(signed(app, user, next, session.expires_at, now))
}

/// Ends the session a refresh token (the cookie's value) belongs to: its
/// current token, or the one before (which means it leaked anyway); a
/// made-up token for someone else's family matches neither and is ignored.
pub async fn sign_out(app: &App, cookie: Option<&str>) -> Result<(), ApiError> {
    let Some(token) = cookie.and_then(RefreshToken::parse) else {
        return Ok(());
    };
    let session = app
        .store
        .session(&token.user_id, &token.family_id, Timestamp::now())
        .await?;
    let secrets = session.as_ref().map(|s| StoredSecrets {
        current: &s.secret_hash,
        previous: s.previous_hash.as_deref(),
    });
    if decide_rotation(&token, secrets) != Rotation::Refuse {
        app.store
            .delete_session(&token.user_id, &token.family_id)
            .await?;
    }
    Ok(())
}

/// Ends every session of `me`: the credential version moves on first (1
/// UpdateItem), so that no session can refresh even if deleting their items
/// fails part-way; then the items go (1 Query, BatchWriteItem per 25), as
/// upkeep (docs/data-model.md, "When the store fails part-way").
pub async fn sign_out_everywhere(app: &App, client_ip: &str, me: &UserId) -> Result<(), ApiError> {
    if !app.store.retire_sessions(me).await? {
        return Err(ApiError::unauthenticated());
    }
    let revoked = match app.store.delete_all_sessions(me).await {
        Ok(revoked) => revoked,
        Err(error) => {
            // They can no longer refresh: the items are only clutter, which
            // their TTL and the next sign-out everywhere clear.
            tracing::warn!(%error, user_id = %me, "sessions retired; deleting their items failed");
            0
        }
    };
    tracing::info!(event = "session_revoked", client_ip, user_id = %me, revoked, reason = "signed out everywhere", "sessions revoked");
    Ok(())
}
