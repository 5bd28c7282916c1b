//! Sessions end when they should, and only then: a made-up refresh cookie
//! cannot sign anyone out, rotation never extends a session's lifetime, and
//! a password reset ends every session, even one opened by a sign-in that
//! raced the reset.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::json;
use shared::domain::Timestamp;
use shared::domain::session::RefreshToken;
use shared::service::sessions;

fn session_of(person: &Person) -> RefreshToken {
    RefreshToken::parse(person.refresh.as_deref().expect("a refresh cookie")).unwrap()
}

#[tokio::test]
async fn a_made_up_refresh_cookie_is_refused_and_ends_nothing() {
    let stack = Stack::start().await;
    let mut ann = stack.person();
    ann.sign_up().await;
    // Ann has rotated once, so her session has a previous secret too.
    let reply = ann.post("/api/auth/refresh", json!({})).await;
    ann.keep_session(&reply);
    // Someone who saw an access token knows her user id and session id; the
    // secret they cannot know.
    let real = session_of(&ann);
    let forged = RefreshToken::issue(&real.user_id, &real.family_id);
    let mut stranger = stack.person();
    stranger.refresh = Some(forged.encode());
    let reply = stranger.post("/api/auth/refresh", json!({})).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.code(), "session_expired");
    // A forged sign-out is ignored too.
    let reply = stranger.post("/api/auth/logout", json!({})).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    // Ann's session is untouched.
    let reply = ann.post("/api/auth/refresh", json!({})).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
}

#[tokio::test]
async fn refreshing_never_extends_a_session() {
    let stack = Stack::start().await;
    let mut ann = stack.person();
    let signed_up = ann.sign_up().await;
    let max_age = |reply: &Reply| -> i64 {
        let (_, header) = reply.refresh_cookie().expect("a refresh cookie");
        let age = header.split("Max-Age=").nth(1).unwrap();
        age.split(';').next().unwrap().trim().parse().unwrap()
    };
    let lifetime = stack.app.config.refresh_token_ttl.as_secs() as i64;
    assert!((lifetime - 5..=lifetime).contains(&max_age(&signed_up)));
    let token = session_of(&ann);
    let stored = |now| {
        let store = stack.app.store.clone();
        let token = token.clone();
        async move {
            store
                .session(&token.user_id, &token.family_id, now)
                .await
                .unwrap()
                .expect("a live session")
        }
    };
    let before = stored(Timestamp::now()).await;
    let reply = ann.post("/api/auth/refresh", json!({})).await;
    assert_eq!(reply.status, StatusCode::OK);
    ann.keep_session(&reply);
    // The cookie's lifetime is what is left of the session, not a new one,
    // and the stored end (also its TTL) did not move.
    assert!(max_age(&reply) <= max_age(&signed_up));
    let after = stored(Timestamp::now()).await;
    assert_eq!(after.expires_at, before.expires_at);
    // Past its end it is over, however recently it was refreshed.
    assert!(
        stack
            .app
            .store
            .session(&token.user_id, &token.family_id, before.expires_at)
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn a_sign_in_that_raced_a_reset_cannot_refresh() {
    let stack = Stack::start().await;
    let mut ann = stack.person();
    ann.sign_up().await;
    // A sign-in that read Ann's profile (and checked the old password) just
    // before her reset committed...
    let read_before_reset = stack.app.store.user(&ann.user_id()).await.unwrap().unwrap();
    ann.post("/api/auth/password-reset", json!({ "email": ann.email }))
        .await;
    let code = latest_code(&ann.email).await;
    let reply = ann
        .post(
            "/api/auth/password-reset/confirm",
            json!({ "email": ann.email, "code": code, "new_password": "amber-meadow-compass-88" }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{:?}", reply.body);
    // ...opens its session after the reset ended every other one.
    let late = sessions::start(&stack.app, read_before_reset)
        .await
        .unwrap();
    let mut racer = stack.person();
    racer.refresh = Some(late.refresh.encode());
    let reply = racer.post("/api/auth/refresh", json!({})).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{:?}", reply.body);
    assert_eq!(reply.code(), "session_expired");
    // A sign-in with the new password works, and refreshes.
    let mut again = stack.person();
    let reply = again
        .post(
            "/api/auth/login",
            json!({ "login": ann.username, "password": "amber-meadow-compass-88" }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    again.keep_session(&reply);
    assert_eq!(
        again.post("/api/auth/refresh", json!({})).await.status,
        StatusCode::OK
    );
}
