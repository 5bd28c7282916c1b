//! App-level rate limits through the real HTTP path: each limit answers `429`
//! with `rate_limited` and an honest `Retry-After`, applies to its own subject
//! only (an IP, an email address, an account), and lets requests under the
//! limit through.
//!
//! The limits are fixed windows aligned to the epoch, so a test that needs its
//! requests to share one window first waits out a window that is about to end
//! (see [`fresh_window`]). Counters live in the table, so every test uses fresh
//! IPs, addresses and accounts.

use std::time::Duration;

use crate::common::*;
use reqwest::StatusCode;
use serde_json::json;
use shared::config::{RateLimit, RateLimits};

const MINUTE: Duration = Duration::from_secs(60);
const QUARTER_HOUR: Duration = Duration::from_secs(15 * 60);
const HOUR: Duration = Duration::from_secs(3600);

/// A gateway with the production default limits, whatever the environment says.
async fn stack_with_default_limits() -> Stack {
    let mut config = test_config();
    config.rate_limits = RateLimits::default();
    Stack::start_with(config).await
}

fn login(login: &str, password: &str) -> serde_json::Value {
    json!({ "login": login, "password": password })
}

#[test]
fn the_default_limits_are_the_documented_ones() {
    let per = |max, seconds| RateLimit {
        max,
        window: Duration::from_secs(seconds),
    };
    let limits = RateLimits::default();
    assert_eq!(limits.login_per_ip, per(5, 60));
    assert_eq!(limits.login_failures_per_account, per(10, 15 * 60));
    assert_eq!(limits.code_per_email, per(3, 3600));
    assert_eq!(limits.code_per_ip, per(10, 3600));
    assert_eq!(limits.register_per_ip, per(3, 3600));
    assert_eq!(limits.reset_per_email, per(3, 3600));
    assert_eq!(limits.wrong_codes_per_ip, per(10, 3600));
    assert_eq!(limits.calls_per_client, per(100, 60));
}

#[tokio::test]
async fn sign_in_is_limited_to_five_attempts_a_minute_per_ip() {
    let stack = stack_with_default_limits().await;
    let mut ann = stack.person();
    ann.sign_up().await;
    let guesser = stack.person();
    fresh_window(MINUTE, 30).await;

    // Five attempts, right or wrong, are answered on their merits.
    for attempt in 0..5 {
        let (password, expected) = if attempt < 3 {
            ("not-her-password-at-all", StatusCode::UNAUTHORIZED)
        } else {
            (PASSWORD, StatusCode::OK)
        };
        let reply = guesser
            .post("/api/auth/login", login(&ann.username, password))
            .await;
        assert_eq!(
            reply.status,
            expected,
            "attempt {}: {:?}",
            attempt + 1,
            reply.body
        );
    }
    // The sixth is refused before the password is even looked at.
    let reply = guesser
        .post("/api/auth/login", login(&ann.username, PASSWORD))
        .await;
    assert_rate_limited(&reply, MINUTE);
    let reply = guesser
        .post("/api/auth/login", login(&ann.email, PASSWORD))
        .await;
    assert_rate_limited(&reply, MINUTE);

    // Another IP signs in to the very same account.
    let reply = stack
        .person()
        .post("/api/auth/login", login(&ann.username, PASSWORD))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
}

#[tokio::test]
async fn ten_failures_lock_the_account_even_for_the_right_password_from_a_fresh_ip() {
    let stack = stack_with_default_limits().await;
    let mut ann = stack.person();
    ann.sign_up().await;
    let mut bob = stack.person();
    bob.sign_up().await;
    fresh_window(QUARTER_HOUR, 60).await;

    // Ten wrong passwords, each from its own IP (so the per-IP limit is not
    // what stops them): all are plain failures.
    for attempt in 1..=10 {
        let reply = stack
            .person()
            .post(
                "/api/auth/login",
                login(&ann.username, &format!("wrong-password-number-{attempt}")),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNAUTHORIZED,
            "attempt {attempt}: {:?}",
            reply.body
        );
        assert_eq!(reply.code(), "invalid_credentials");
    }

    // Now the account is locked: the right password, by username or email,
    // from an IP that never failed, is refused.
    for identifier in [&ann.username, &ann.email] {
        let reply = stack
            .person()
            .post("/api/auth/login", login(identifier, PASSWORD))
            .await;
        assert_rate_limited(&reply, QUARTER_HOUR);
    }
    let reply = stack
        .person()
        .post(
            "/api/auth/login",
            login(&ann.username, "yet-another-guess-1"),
        )
        .await;
    assert_rate_limited(&reply, QUARTER_HOUR);

    // Ann's existing session is not touched: she stays signed in.
    assert_eq!(ann.get("/api/auth/me").await.status, StatusCode::OK);
    // Another account is unaffected.
    let reply = stack
        .person()
        .post("/api/auth/login", login(&bob.username, PASSWORD))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(reply.body["user"]["id"], bob.id.as_str());
}

#[tokio::test]
async fn codes_are_limited_to_three_an_hour_per_email_address() {
    let stack = stack_with_default_limits().await;
    let address = format!("codes-{}@example.com", unique());
    fresh_window(HOUR, 60).await;

    // Three requests, each from its own IP, each get a code.
    for attempt in 1..=3 {
        let reply = stack
            .person()
            .post("/api/auth/otp", json!({ "email": address }))
            .await;
        assert_eq!(
            reply.status,
            StatusCode::ACCEPTED,
            "request {attempt}: {:?}",
            reply.body
        );
    }
    let requester = stack.person();
    // The address counts however it is written.
    let reply = requester
        .post("/api/auth/otp", json!({ "email": address.to_uppercase() }))
        .await;
    assert_rate_limited(&reply, HOUR);
    let emails = mailbox(&address).await;
    assert_eq!(
        emails.len(),
        3,
        "the refused request must not send an email"
    );
    assert!(emails.iter().all(|email| code_in(email).is_some()));

    // Another address, from the very IP that was just refused, is fine.
    let other = format!("codes-{}@example.com", unique());
    let reply = requester
        .post("/api/auth/otp", json!({ "email": other }))
        .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{:?}", reply.body);
    assert!(code_in(&mailbox(&other).await.pop().unwrap()).is_some());
}

#[tokio::test]
async fn codes_are_limited_to_ten_an_hour_per_ip() {
    let stack = stack_with_default_limits().await;
    let requester = stack.person();
    fresh_window(HOUR, 60).await;

    for attempt in 1..=10 {
        let address = format!("ip-{attempt}-{}@example.com", unique());
        let reply = requester
            .post("/api/auth/otp", json!({ "email": address }))
            .await;
        assert_eq!(
            reply.status,
            StatusCode::ACCEPTED,
            "request {attempt}: {:?}",
            reply.body
        );
    }
    let eleventh = format!("ip-11-{}@example.com", unique());
    let reply = requester
        .post("/api/auth/otp", json!({ "email": eleventh }))
        .await;
    assert_rate_limited(&reply, HOUR);
    assert!(
        mailbox(&eleventh).await.is_empty(),
        "the refused request must not send an email"
    );
    // Password-reset codes draw on the same per-IP budget: alternating the
    // two endpoints does not double it.
    let reply = requester
        .post("/api/auth/password-reset", json!({ "email": eleventh }))
        .await;
    assert_rate_limited(&reply, HOUR);

    // Another IP asks for the very same address without trouble.
    let reply = stack
        .person()
        .post("/api/auth/otp", json!({ "email": eleventh }))
        .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{:?}", reply.body);
    assert_eq!(mailbox(&eleventh).await.len(), 1);
}

#[tokio::test]
async fn registration_is_limited_to_three_accounts_an_hour_per_ip_counting_accounts_not_attempts() {
    let stack = stack_with_default_limits().await;
    let mut ann = stack.person();
    ann.sign_up().await;
    // Four new people, each asking for their code from their own IP...
    let mut newcomers = Vec::new();
    for _ in 0..4 {
        let person = stack.person();
        let code = person.request_code().await;
        newcomers.push((person, code));
    }
    let body = |person: &Person, username: &str, code: &str| json!({ "email": person.email, "username": username, "password": PASSWORD, "code": code });
    // ...and all registering from one shared IP (a household, say).
    let household = stack.person();
    fresh_window(HOUR, 60).await;

    // Failed attempts do not count: two wrong codes, and two attempts that get
    // as far as the write but lose on a taken username.
    let (first, code) = &newcomers[0];
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..2 {
        let reply = household
            .post("/api/auth/register", body(first, &first.username, wrong))
            .await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::BAD_REQUEST, "invalid_code"),
            "{:?}",
            reply.body
        );
    }
    for _ in 0..2 {
        let reply = household
            .post("/api/auth/register", body(first, &ann.username, code))
            .await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::CONFLICT, "username_taken"),
            "{:?}",
            reply.body
        );
    }

    // Three accounts are made.
    for (person, code) in &newcomers[..3] {
        let reply = household
            .post("/api/auth/register", body(person, &person.username, code))
            .await;
        assert_eq!(
            reply.status,
            StatusCode::CREATED,
            "{}: {:?}",
            person.username,
            reply.body
        );
    }
    // The fourth is refused, before its code is looked at...
    let (fourth, code) = &newcomers[3];
    let reply = household
        .post("/api/auth/register", body(fourth, &fourth.username, code))
        .await;
    assert_rate_limited(&reply, HOUR);
    // ...so the code still works, from another IP.
    let reply = fourth
        .post("/api/auth/register", body(fourth, &fourth.username, code))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
}

#[tokio::test]
async fn password_reset_is_limited_to_three_an_hour_per_email_address() {
    let stack = stack_with_default_limits().await;
    let mut ann = stack.person();
    ann.sign_up().await;
    let mut bob = stack.person();
    bob.sign_up().await;
    let sign_up_emails = mailbox(&ann.email).await.len();
    fresh_window(HOUR, 60).await;

    for attempt in 1..=3 {
        let reply = stack
            .person()
            .post("/api/auth/password-reset", json!({ "email": ann.email }))
            .await;
        assert_eq!(
            reply.status,
            StatusCode::ACCEPTED,
            "request {attempt}: {:?}",
            reply.body
        );
    }
    let requester = stack.person();
    let reply = requester
        .post("/api/auth/password-reset", json!({ "email": ann.email }))
        .await;
    assert_rate_limited(&reply, HOUR);
    let emails = mailbox(&ann.email).await;
    assert_eq!(
        emails.len(),
        sign_up_emails + 3,
        "the refused request must not send an email"
    );
    assert!(
        emails[sign_up_emails..]
            .iter()
            .all(|email| code_in(email).is_some())
    );

    // Another address, from the IP just refused, still gets its code.
    let reply = requester
        .post("/api/auth/password-reset", json!({ "email": bob.email }))
        .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{:?}", reply.body);
    assert!(code_in(&mailbox(&bob.email).await.pop().unwrap()).is_some());
    // And the codes already sent to Ann still work.
    let code = code_in(emails.last().unwrap()).unwrap();
    let reply = ann
        .post(
            "/api/auth/password-reset/confirm",
            json!({ "email": ann.email, "code": code, "new_password": "amber-meadow-compass-88" }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{:?}", reply.body);
}

#[tokio::test]
async fn waiting_out_retry_after_is_enough() {
    // A small configured limit, so that the window can be waited out.
    let window = Duration::from_secs(4);
    let mut config = test_config();
    config.rate_limits.login_per_ip = RateLimit { max: 2, window };
    let stack = Stack::start_with(config).await;
    let person = stack.person();
    let nobody = format!("nobody_{}", unique());
    fresh_window(window, 3).await;

    for _ in 0..2 {
        let reply = person
            .post("/api/auth/login", login(&nobody, PASSWORD))
            .await;
        assert_eq!(reply.code(), "invalid_credentials", "{:?}", reply.body);
    }
    let reply = person
        .post("/api/auth/login", login(&nobody, PASSWORD))
        .await;
    let retry_after = assert_rate_limited(&reply, window);

    tokio::time::sleep(Duration::from_secs(retry_after)).await;
    let reply = person
        .post("/api/auth/login", login(&nobody, PASSWORD))
        .await;
    assert_eq!(
        reply.code(),
        "invalid_credentials",
        "after Retry-After: {:?}",
        reply.body
    );
}
