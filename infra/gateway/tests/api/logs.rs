//! What reaches the logs: every request is one JSON line with its request
//! id, route and status, signed-in calls carry the user id, and no secret or
//! private content ever appears — not the password, the one-time code, the
//! access or refresh token, the email address or a post's text.
//!
//! The gateway runs in this test's thread (a current-thread runtime) with
//! the production log format (`shared::http::json_subscriber`) as that
//! thread's subscriber, writing into a buffer: other tests of the binary,
//! on other threads, log elsewhere.

use std::sync::{Arc, Mutex};

use crate::common::{PASSWORD, Stack, latest_code};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Log lines, kept in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn logs_carry_request_and_user_ids_and_never_secrets() {
    let captured = Captured::default();
    let writer = captured.clone();
    let _logs =
        tracing::subscriber::set_default(shared::http::json_subscriber(move || writer.clone()));
    let mut config = crate::common::test_config();
    let limit = |max| shared::config::RateLimit {
        max,
        window: std::time::Duration::from_secs(3600),
    };
    config.rate_limits.login_failures_per_account = limit(3);
    config.rate_limits.wrong_codes_per_ip = limit(2);
    // Ann makes 6 signed-in calls, the thief 7 anonymous ones before the
    // last three below.
    config.rate_limits.calls_per_client = limit(8);
    let stack = Stack::start_with(config).await;

    // A whole life: sign-up code, registration, a post, sign-in, refresh,
    // a password reset with its code, and a wrong password.
    let mut ann = stack.person();
    let signed_up = ann.sign_up().await;
    let sign_up_code = latest_code(&ann.email).await;
    let first_access = signed_up.body["access_token"].as_str().unwrap().to_owned();
    let secret_post = format!("ring-the-lighthouse-{}", crate::common::unique());
    let posted = ann
        .post(
            "/api/posts",
            json!({ "content": secret_post, "audience": "private" }),
        )
        .await;
    assert_eq!(posted.status, StatusCode::CREATED, "{:?}", posted.body);

    let wrong = ann
        .post(
            "/api/auth/login",
            json!({ "login": ann.username, "password": "not-my-password-at-all" }),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let signed_in = ann
        .post(
            "/api/auth/login",
            json!({ "login": ann.email, "password": PASSWORD }),
        )
        .await;
    assert_eq!(signed_in.status, StatusCode::OK, "{:?}", signed_in.body);
    ann.keep_session(&signed_in);
    let first_refresh = ann.refresh.clone().expect("a refresh cookie");
    let refreshed = ann.call(Method::POST, "/api/auth/refresh", None).await;
    assert_eq!(refreshed.status, StatusCode::OK, "{:?}", refreshed.body);
    ann.keep_session(&refreshed);
    // A stolen refresh token (the one the refresh replaced) replayed.
    let mut replayer = stack.person();
    replayer.refresh = Some(first_refresh.clone());
    let replayed = replayer.call(Method::POST, "/api/auth/refresh", None).await;
    assert_eq!(replayed.status, StatusCode::UNAUTHORIZED);

    let reset_requested = ann
        .post("/api/auth/password-reset", json!({ "email": ann.email }))
        .await;
    assert_eq!(
        reset_requested.status,
        StatusCode::ACCEPTED,
        "{:?}",
        reset_requested.body
    );
    let reset_code = latest_code(&ann.email).await;
    let new_password = "copper-willow-harvest-93";
    let reset = ann
        .post(
            "/api/auth/password-reset/confirm",
            json!({ "email": ann.email, "code": reset_code, "new_password": new_password }),
        )
        .await;
    assert!(reset.status.is_success(), "{:?}", reset.body);

    // And what an attacker does: made-up logins until the lock, wrong reset
    // codes until the client's limit.
    let thief = stack.person();
    let made_up = format!("nobody_{}", crate::common::unique());
    for expected in [401, 401, 401, 429] {
        let reply = thief
            .post(
                "/api/auth/login",
                json!({ "login": made_up, "password": "guess-guess-guess" }),
            )
            .await;
        assert_eq!(reply.status.as_u16(), expected, "{:?}", reply.body);
    }
    let wrong_code = if reset_code == "000000" {
        "111111"
    } else {
        "000000"
    };
    for expected in [400, 400, 429] {
        let reply = thief
            .post(
                "/api/auth/password-reset/confirm",
                json!({ "email": ann.email, "code": wrong_code, "new_password": new_password }),
            )
            .await;
        assert_eq!(reply.status.as_u16(), expected, "{:?}", reply.body);
    }
    // Then past the per-client limit: one line for the window, not per call.
    for expected in [401, 429, 429] {
        let reply = thief.get("/api/auth/me").await;
        assert_eq!(reply.status.as_u16(), expected, "{:?}", reply.body);
    }

    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}")))
        .collect();

    // Every request served is logged once, with its request id and route.
    let served: Vec<&Value> = lines
        .iter()
        .filter(|l| l["message"] == "request served")
        .collect();
    // otp, register, post, two sign-ins, refresh, reset request and confirm;
    // the replay, 4 made-up sign-ins, 3 wrong codes, 3 calls on the limit.
    assert_eq!(served.len(), 19, "one line per request:\n{text}");
    for line in &served {
        assert!(
            line["span"]["request_id"]
                .as_str()
                .is_some_and(|id| !id.is_empty()),
            "{line}"
        );
        assert!(
            line["span"]["route"]
                .as_str()
                .is_some_and(|r| r.starts_with("/api/")),
            "{line}"
        );
        assert!(line["status"].is_u64(), "{line}");
    }
    // Signed-in calls say whose they were (the id, never the email).
    assert!(
        served
            .iter()
            .any(|l| l["span"]["route"] == "/api/posts" && l["span"]["user_id"] == ann.id.as_str()),
        "the post's line names its author's id"
    );

    // One line per security event, with the client's address and, where
    // known, the account's id.
    let event = |name: &str| -> Vec<&Value> {
        lines
            .iter()
            .filter(|l| l["fields"]["event"] == name || l["event"] == name)
            .collect()
    };
    let field = |line: &Value, name: &str| -> Value {
        let value = &line["fields"][name];
        if value.is_null() {
            line[name].clone()
        } else {
            value.clone()
        }
    };
    for (name, count, with_user) in [
        ("sign_in_failed", 4, None),
        ("sign_in_locked", 1, None),
        ("code_rejected", 2, None),
        ("code_limit_hit", 1, None),
        ("reset_requested", 1, Some(ann.id.as_str())),
        ("reset_completed", 1, Some(ann.id.as_str())),
        ("refresh_reuse_detected", 1, Some(ann.id.as_str())),
        ("session_revoked", 1, Some(ann.id.as_str())),
        ("client_limit_hit", 1, None),
    ] {
        let found = event(name);
        assert_eq!(found.len(), count, "{name} lines:\n{text}");
        for line in found {
            if name != "refresh_reuse_detected" && name != "session_revoked" {
                assert!(
                    field(line, "client_ip")
                        .as_str()
                        .is_some_and(|ip| ip.starts_with("127.")),
                    "{name} names the client: {line}"
                );
            }
            if let Some(user) = with_user {
                assert_eq!(field(line, "user_id"), user, "{name}: {line}");
            }
        }
    }
    // Ann's wrong password is one of the failures, with her id.
    assert!(
        event("sign_in_failed")
            .iter()
            .any(|l| field(l, "user_id") == ann.id.as_str())
    );

    for (what, secret) in [
        ("password", PASSWORD),
        ("new password", new_password),
        ("wrong password", "not-my-password-at-all"),
        ("sign-up code", sign_up_code.as_str()),
        ("reset code", reset_code.as_str()),
        ("access token", first_access.as_str()),
        ("refresh token", first_refresh.as_str()),
        ("email address", ann.email.as_str()),
        ("post text", secret_post.as_str()),
    ] {
        assert!(!text.contains(secret), "the {what} appears in the logs");
    }
}
