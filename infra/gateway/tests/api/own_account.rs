//! A signed-in person changes their password or their email address.

use crate::common::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

async fn sign_in(person: &Person, login: &str, password: &str) -> Reply {
    person
        .post(
            "/api/auth/login",
            json!({ "login": login, "password": password }),
        )
        .await
}

/// Another device of the same person: signed in on its own session.
async fn second_device(stack: &Stack, person: &Person) -> Person {
    let mut other = stack.person();
    let reply = sign_in(&other, &person.username, PASSWORD).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    other.keep_session(&reply);
    other
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one_and_ends_the_other_sessions() {
    let stack = Stack::start().await;
    let mut ann = stack.person();
    ann.sign_up().await;
    let phone = second_device(&stack, &ann).await;
    let change =
        |current: &str, new: &str| json!({ "current_password": current, "new_password": new });

    // Refusals change nothing.
    let reply = ann
        .post(
            "/api/auth/password",
            change("not-my-password-9", "new-quiet-river-stone-44"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{:?}", reply.body);
    assert_eq!(reply.code(), "wrong_password");
    let reply = ann
        .post("/api/auth/password", change(PASSWORD, "short"))
        .await;
    assert_eq!(reply.code(), "invalid_password", "{:?}", reply.body);
    let reply = ann
        .post(
            "/api/auth/password",
            change(PASSWORD, &ann.username.clone()),
        )
        .await;
    assert_eq!(reply.code(), "weak_password", "not the username");
    assert_eq!(
        sign_in(&ann, &ann.username, PASSWORD).await.status,
        StatusCode::OK
    );
    let mut anonymous = stack.person();
    anonymous.token = None;
    let reply = anonymous
        .post(
            "/api/auth/password",
            change(PASSWORD, "new-quiet-river-stone-44"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);

    // The change: 204 with a new refresh cookie for this device.
    let new_password = "new-quiet-river-stone-44";
    let reply = ann
        .post("/api/auth/password", change(PASSWORD, new_password))
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{:?}", reply.body);
    let (cookie, header) = reply.refresh_cookie().expect("a new refresh cookie");
    assert!(
        !cookie.is_empty() && header.contains("HttpOnly"),
        "{header}"
    );
    ann.keep_session(&reply);
    // This device goes on; the other one cannot refresh any more.
    let refreshed = ann.post("/api/auth/refresh", json!({})).await;
    assert_eq!(refreshed.status, StatusCode::OK, "{:?}", refreshed.body);
    let refused = phone.post("/api/auth/refresh", json!({})).await;
    assert_eq!(
        refused.status,
        StatusCode::UNAUTHORIZED,
        "{:?}",
        refused.body
    );
    // The old password no longer signs in; the new one does.
    let reply = sign_in(&stack.person(), &ann.username, PASSWORD).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    let reply = sign_in(&stack.person(), &ann.email, new_password).await;
    assert_eq!(reply.status, StatusCode::OK);
    // The owner is told, without a code or a link.
    let mails = mailbox(&ann.email).await;
    let notice = mails
        .iter()
        .find(|m| m["subject"] == "Your Intentional Social password was changed")
        .expect("the notice");
    assert!(code_in(notice).is_none());
}

#[tokio::test]
async fn wrong_current_passwords_count_toward_the_sign_in_lock() {
    let mut config = test_config();
    config.rate_limits.login_failures_per_account = shared::config::RateLimit {
        max: 3,
        window: std::time::Duration::from_secs(900),
    };
    let stack = Stack::start_with(config).await;
    let mut ann = stack.person();
    ann.sign_up().await;
    for _ in 0..3 {
        let reply = ann
            .post(
                "/api/auth/password",
                json!({ "current_password": "guess-guess-guess-1", "new_password": "new-quiet-river-stone-44" }),
            )
            .await;
        assert_eq!(reply.code(), "wrong_password");
    }
    let reply = ann
        .post(
            "/api/auth/password",
            json!({ "current_password": PASSWORD, "new_password": "new-quiet-river-stone-44" }),
        )
        .await;
    assert_rate_limited(&reply, std::time::Duration::from_secs(900));
    // The same lock as sign-in's: this route guesses no faster.
    let reply = sign_in(&stack.person(), &ann.username, PASSWORD).await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
}

async fn request_change(person: &Person, new_email: &str, password: &str) -> Reply {
    person
        .post(
            "/api/auth/email",
            json!({ "new_email": new_email, "password": password }),
        )
        .await
}

async fn confirm_change(person: &Person, new_email: &str, code: &str) -> Reply {
    person
        .post(
            "/api/auth/email/confirm",
            json!({ "new_email": new_email, "code": code }),
        )
        .await
}

#[tokio::test]
async fn an_email_change_is_confirmed_with_a_code_sent_to_the_new_address() {
    let stack = Stack::start().await;
    let mut ann = stack.person();
    ann.sign_up().await;
    let new_email = format!("ann-new-{}@example.com", unique());

    // Refusals.
    let reply = request_change(&ann, &new_email, "not-my-password-9").await;
    assert_eq!(reply.code(), "wrong_password", "{:?}", reply.body);
    let reply = request_change(&ann, "not an address", PASSWORD).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.code(), "invalid_email");
    let reply = request_change(&ann, &ann.email.to_uppercase(), PASSWORD).await;
    assert_eq!(reply.code(), "same_email");
    assert!(mailbox(&new_email).await.is_empty(), "nothing sent yet");

    // The code goes to the new address.
    let reply = request_change(&ann, &new_email, PASSWORD).await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{:?}", reply.body);
    let code = latest_code(&new_email).await;
    // Someone else, even with the code, cannot take the address with it:
    // the code is bound to Ann's account.
    let mut bob = stack.person();
    bob.sign_up().await;
    let reply = confirm_change(&bob, &new_email, &code).await;
    assert_eq!(reply.code(), "invalid_code", "{:?}", reply.body);
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let reply = confirm_change(&ann, &new_email, wrong).await;
    assert_eq!(reply.code(), "invalid_code");

    let reply = confirm_change(&ann, &new_email, &code).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(reply.body["email"], new_email.as_str());
    assert_eq!(
        ann.get("/api/auth/me").await.body["email"],
        new_email.as_str()
    );
    // The code is used up.
    assert_eq!(
        confirm_change(&ann, &new_email, &code).await.code(),
        "code_expired"
    );
    // The new address signs in, the old one does not, and the old one was told.
    assert_eq!(
        sign_in(&stack.person(), &new_email, PASSWORD).await.status,
        StatusCode::OK
    );
    let old = ann.email.clone();
    assert_eq!(
        sign_in(&stack.person(), &old, PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert!(
        mailbox(&old)
            .await
            .iter()
            .any(|m| m["subject"] == "Your Intentional Social email address was changed")
    );
    // The old address is free: signing up with it gets a code.
    let mut newcomer = stack.person();
    newcomer.email = old.clone();
    let code = newcomer.request_code().await;
    assert_eq!(code.len(), 6);
}

#[tokio::test]
async fn an_address_with_an_account_is_not_revealed_and_cannot_be_taken() {
    let stack = Stack::start().await;
    let mut ann = stack.person();
    ann.sign_up().await;
    let mut bob = stack.person();
    bob.sign_up().await;
    let before = mailbox(&bob.email).await.len();
    let reply = request_change(&ann, &bob.email, PASSWORD).await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "the same answer");
    let mails = mailbox(&bob.email).await;
    assert_eq!(mails.len(), before + 1);
    let notice = mails.last().unwrap();
    assert!(code_in(notice).is_none(), "a notice, not a code: {notice}");
    for guess in ["123456", "654321"] {
        let reply = confirm_change(&ann, &bob.email, guess).await;
        assert_eq!(reply.code(), "invalid_code");
    }
    assert_eq!(
        ann.get("/api/auth/me").await.body["email"],
        ann.email.as_str()
    );
}

#[tokio::test]
async fn an_email_change_racing_a_registration_of_the_address_lets_exactly_one_have_it() {
    let stack = Stack::start().await;
    for _ in 0..3 {
        let mut ann = stack.person();
        ann.sign_up().await;
        let address = format!("wanted-{}@example.com", unique());
        // Ann's change code, and a newcomer's sign-up code, for one address.
        assert_eq!(
            request_change(&ann, &address, PASSWORD).await.status,
            StatusCode::ACCEPTED
        );
        let change_code = latest_code(&address).await;
        let mut newcomer = stack.person();
        newcomer.email = address.clone();
        let signup_code = newcomer.request_code().await;
        let register = newcomer.post(
            "/api/auth/register",
            json!({ "email": address, "username": newcomer.username, "password": PASSWORD, "code": signup_code }),
        );
        let (changed, registered) =
            tokio::join!(confirm_change(&ann, &address, &change_code), register);
        let won = [changed.status, registered.status]
            .iter()
            .filter(|s| s.is_success())
            .count();
        assert_eq!(won, 1, "{:?} / {:?}", changed.body, registered.body);
        let loser = if changed.status.is_success() {
            &registered
        } else {
            &changed
        };
        assert_eq!(loser.status, StatusCode::CONFLICT, "{:?}", loser.body);
        assert_eq!(loser.code(), "email_taken");
        // The claim names whoever won.
        let claim = dynamodb()
            .await
            .get_item()
            .table_name(stack.app.store.table())
            .key(
                "PK",
                aws_sdk_dynamodb::types::AttributeValue::S(format!("EMAIL#{address}")),
            )
            .key(
                "SK",
                aws_sdk_dynamodb::types::AttributeValue::S("CLAIM".into()),
            )
            .consistent_read(true)
            .send()
            .await
            .unwrap()
            .item
            .expect("the address is claimed");
        let owner = claim["user_id"].as_s().unwrap().clone();
        let winner = if changed.status.is_success() {
            ann.id.clone()
        } else {
            registered.body["user"]["id"].as_str().unwrap().to_owned()
        };
        assert_eq!(owner, winner);
    }
}

#[tokio::test]
async fn the_own_account_calls_cost_what_data_model_says() {
    let stack = Stack::start().await;
    let mut ann = stack.person();
    ann.sign_up().await;
    let new_email = format!("ann-cost-{}@example.com", unique());
    // The request: the lock's count beside the profile and password reads,
    // the count given back; the code windows (client, address) beside the
    // address's claim; the code's PutItem: 8 requests, 4 deep.
    let reply = request_change(&ann, &new_email, PASSWORD).await;
    reply.assert_write_cost(8, 4);
    let code = latest_code(&new_email).await;
    // The confirmation: the wrong-code budget beside the code, the budget
    // back, the profile, the transaction.
    let reply = confirm_change(&ann, &new_email, &code).await;
    assert_eq!(reply.status, StatusCode::OK);
    reply.assert_write_cost(5, 4);
    // A password change: the password check (4 requests, 2 deep), the
    // transaction, the sessions' Query and their deletion, the profile
    // read again (its new credential version), the new session: 9, 7 deep.
    let reply = ann
        .call(
            Method::POST,
            "/api/auth/password",
            Some(
                json!({ "current_password": PASSWORD, "new_password": "new-quiet-river-stone-44" }),
            ),
        )
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    reply.assert_write_cost(9, 7);
}

#[tokio::test]
async fn a_person_sets_and_removes_their_display_name_and_bio() {
    let stack = Stack::start().await;
    let mut ann = stack.person();
    ann.sign_up().await;
    let me = ann.get("/api/auth/me").await;
    assert_eq!(me.body["display_name"], serde_json::Value::Null);
    assert_eq!(me.body["bio"], serde_json::Value::Null);
    let patch = |body: serde_json::Value| ann.call(Method::PATCH, "/api/auth/me", Some(body));

    // Set both: 1 UpdateItem.
    let reply =
        patch(json!({ "display_name": "  Ann Lind ", "bio": "Gardener.\nBakes on Sundays." }))
            .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.assert_write_cost(1, 1);
    assert_eq!(reply.body["display_name"], "Ann Lind");
    assert_eq!(reply.body["bio"], "Gardener.\nBakes on Sundays.");
    assert_eq!(reply.body["email"], ann.email.as_str(), "the whole account");
    // Absent keeps, null removes.
    let reply = patch(json!({ "bio": null })).await;
    assert_eq!(reply.body["display_name"], "Ann Lind");
    assert_eq!(reply.body["bio"], serde_json::Value::Null);
    assert_eq!(
        ann.get("/api/auth/me").await.body["bio"],
        serde_json::Value::Null
    );
    let reply = patch(json!({ "display_name": null, "bio": "" })).await;
    assert_eq!(reply.body["display_name"], serde_json::Value::Null);
    assert_eq!(reply.body["bio"], serde_json::Value::Null);
    // Any script; one line; no text-direction controls; bounded.
    assert_eq!(
        patch(json!({ "display_name": "عائشة" })).await.status,
        StatusCode::OK
    );
    for (body, code) in [
        (json!({ "display_name": "" }), "invalid_display_name"),
        (
            json!({ "display_name": "x".repeat(51) }),
            "invalid_display_name",
        ),
        (
            json!({ "display_name": "Ann\nLind" }),
            "invalid_display_name",
        ),
        (
            json!({ "display_name": "Ann\u{202E}dniL" }),
            "invalid_display_name",
        ),
        (json!({ "bio": "é".repeat(301) }), "invalid_bio"),
        (json!({ "bio": "bell\u{7}" }), "invalid_bio"),
    ] {
        let reply = patch(body.clone()).await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::BAD_REQUEST, code),
            "{body}"
        );
    }
    let reply = patch(json!({ "email": "x@example.com" })).await;
    assert_eq!(
        reply.status,
        StatusCode::BAD_REQUEST,
        "unknown fields are refused"
    );
    assert_eq!(
        ann.get("/api/auth/me").await.body["display_name"],
        "عائشة",
        "nothing changed"
    );
}
