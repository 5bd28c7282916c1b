//! Guessing codes and passwords, and finding out who has an account: a
//! client's wrong codes are counted across every address, a wrong code is
//! one answer whoever the address belongs to, the sign-in lock answers alike
//! for made-up logins, and a completed reset lets the owner back in.

use std::time::Duration;

use crate::common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use shared::config::RateLimit;

const HOUR: Duration = Duration::from_secs(3600);
const NEW_PASSWORD: &str = "amber-meadow-compass-88";

fn limit(max: u32, seconds: u64) -> RateLimit {
    RateLimit {
        max,
        window: Duration::from_secs(seconds),
    }
}

fn wrong(code: &str) -> &'static str {
    if code == "000000" { "111111" } else { "000000" }
}

#[tokio::test]
async fn wrong_codes_are_counted_per_client_across_addresses_and_purposes() {
    let mut config = test_config();
    config.rate_limits.wrong_codes_per_ip = limit(3, 3600);
    let stack = Stack::start_with(config).await;
    // Ann has an account and asked for a reset; Bob asked for a sign-up code.
    let mut ann = stack.person();
    ann.sign_up().await;
    ann.post("/api/auth/password-reset", json!({ "email": ann.email }))
        .await;
    let reset_code = latest_code(&ann.email).await;
    let bob = stack.person();
    let sign_up_code = bob.request_code().await;

    // One client guesses: two wrong sign-up codes for Bob, one wrong reset
    // code for Ann: each answered as a wrong code...
    let guesser = stack.person();
    let register = |code: &str| json!({ "email": bob.email, "username": bob.username, "password": PASSWORD, "code": code });
    let reset =
        |code: &str| json!({ "email": ann.email, "code": code, "new_password": NEW_PASSWORD });
    for _ in 0..2 {
        let reply = guesser
            .post("/api/auth/register", register(wrong(&sign_up_code)))
            .await;
        assert_eq!(reply.code(), "invalid_code", "{:?}", reply.body);
    }
    let reply = guesser
        .post(
            "/api/auth/password-reset/confirm",
            reset(wrong(&reset_code)),
        )
        .await;
    assert_eq!(reply.code(), "invalid_code", "{:?}", reply.body);
    // ...and past the limit, refused without looking at the code, even the
    // right one, on both routes.
    assert_rate_limited(
        &guesser
            .post("/api/auth/password-reset/confirm", reset(&reset_code))
            .await,
        HOUR,
    );
    assert_rate_limited(
        &guesser
            .post("/api/auth/register", register(&sign_up_code))
            .await,
        HOUR,
    );
    // Nothing changed: the owners, from their own addresses, still use their
    // codes (a right code does not use up a client's budget).
    let reply = ann
        .post("/api/auth/password-reset/confirm", reset(&reset_code))
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{:?}", reply.body);
    let reply = bob
        .post("/api/auth/register", register(&sign_up_code))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
}

/// The answer to a reset confirmation, without what differs by request.
fn answer(reply: &Reply) -> (StatusCode, Value) {
    (reply.status, reply.body.clone())
}

#[tokio::test]
async fn a_wrong_reset_code_is_one_answer_for_every_address() {
    let stack = Stack::start().await;
    let mut ann = stack.person();
    ann.sign_up().await;
    let ghost = format!("ghost-{}@example.com", unique());
    // Someone asks for a reset of both: an address with an account, and one
    // without.
    for email in [&ann.email, &ghost] {
        let reply = stack
            .person()
            .post("/api/auth/password-reset", json!({ "email": email }))
            .await;
        assert_eq!(reply.status, StatusCode::ACCEPTED);
    }
    let code = latest_code(&ann.email).await;
    let confirm = |email: &str, code: &str, password: &str| json!({ "email": email, "code": code, "new_password": password });
    let never_asked = format!("never-{}@example.com", unique());
    // A wrong code, with a strong password and with a weak one (the code is
    // judged first), for each address, and the never-asked one: one answer.
    let mut answers = Vec::new();
    for email in [ann.email.as_str(), ghost.as_str(), never_asked.as_str()] {
        for password in [NEW_PASSWORD, "password", ann.username.as_str()] {
            let reply = stack
                .person()
                .post(
                    "/api/auth/password-reset/confirm",
                    confirm(email, wrong(&code), password),
                )
                .await;
            answers.push((email.to_owned(), password.to_owned(), answer(&reply)));
        }
    }
    let first = answers[0].2.clone();
    assert_eq!(first.0, StatusCode::BAD_REQUEST);
    assert_eq!(first.1["error"]["code"], "invalid_code");
    for (email, password, reply) in &answers {
        assert_eq!(reply, &first, "{email} with {password:?}");
    }
    // The right code, then, is judged with the password.
    let reply = ann
        .post(
            "/api/auth/password-reset/confirm",
            confirm(&ann.email, &code, "password"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.code(), "invalid_password", "{:?}", reply.body);
}

#[tokio::test]
async fn the_sign_in_lock_answers_alike_for_made_up_logins_and_a_reset_lifts_it() {
    let mut config = test_config();
    config.rate_limits.login_failures_per_account = limit(3, 900);
    let stack = Stack::start_with(config).await;
    let mut ann = stack.person();
    ann.sign_up().await;
    let made_up = format!("nobody_{}", unique());
    let login = |login: &str, password: &str| json!({ "login": login, "password": password });

    // Three failures each, from three different clients.
    let mut replies = Vec::new();
    for identifier in [ann.username.as_str(), made_up.as_str()] {
        for _ in 0..3 {
            let reply = stack
                .person()
                .post("/api/auth/login", login(identifier, "not-the-password-1"))
                .await;
            assert_eq!(reply.code(), "invalid_credentials", "{:?}", reply.body);
        }
        replies.push(
            stack
                .person()
                .post("/api/auth/login", login(identifier, "not-the-password-1"))
                .await,
        );
    }
    // Both locked, the same way: the lock tells nobody which one exists.
    assert_rate_limited(&replies[0], HOUR);
    assert_rate_limited(&replies[1], HOUR);
    // (The wait it names counts down between the two replies, made seconds
    // apart on a slow engine: only the words are compared.)
    let words = |body: &serde_json::Value| -> String {
        body.to_string()
            .chars()
            .map(|c| if c.is_ascii_digit() { '#' } else { c })
            .collect::<String>()
            .split('#')
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join("#")
    };
    assert_eq!(words(&replies[0].body), words(&replies[1].body));
    // And the answer says how the owner gets back in at once.
    let message = replies[0].body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("reset your password") && message.contains("at once"),
        "{message}"
    );
    // Locked, even the right password is refused...
    let reply = stack
        .person()
        .post("/api/auth/login", login(&ann.email, PASSWORD))
        .await;
    assert_rate_limited(&reply, HOUR);
    // ...until Ann resets her password: the owner always gets back in.
    ann.post("/api/auth/password-reset", json!({ "email": ann.email }))
        .await;
    let code = latest_code(&ann.email).await;
    let reply = ann
        .post(
            "/api/auth/password-reset/confirm",
            json!({ "email": ann.email, "code": code, "new_password": NEW_PASSWORD }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{:?}", reply.body);
    let reply = stack
        .person()
        .post("/api/auth/login", login(&ann.username, NEW_PASSWORD))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
}
