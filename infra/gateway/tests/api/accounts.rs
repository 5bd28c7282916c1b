//! The account journey and its rules, through the real HTTP path:
//! local gateway → functions → the local DynamoDB / SES emulator.

use crate::common::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn sign_up_sign_in_me_refresh_logout() {
    let stack = Stack::start().await;
    let mut ann = stack.person();
    let reply = ann.sign_up().await;

    // The user, the token, and a refresh cookie with every protective attribute.
    assert_eq!(reply.body["user"]["username"], ann.username.as_str());
    assert_eq!(reply.body["user"]["email"], ann.email.as_str());
    assert_eq!(reply.body["token_type"], "Bearer");
    assert_eq!(reply.body["expires_in"], 900);
    let (_, cookie) = reply.refresh_cookie().expect("refresh cookie");
    for attribute in [
        "HttpOnly",
        "Secure",
        "SameSite=Strict",
        "Path=/api/auth",
        "Max-Age=2592000",
    ] {
        assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
    }

    let me = ann.get("/api/auth/me").await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["id"], ann.id.as_str());
    // id, username, email, display_name, bio, created_at, operator:
    // nothing else.
    assert_eq!(me.body.as_object().unwrap().len(), 7, "{:?}", me.body);
    assert_eq!(me.body["operator"], false);
    assert!(me.body["created_at"].as_str().unwrap().ends_with('Z'));

    // Sign in by username and by email, in any case.
    let mut fresh = stack.person();
    for login in [ann.username.to_uppercase(), ann.email.to_uppercase()] {
        let reply = fresh
            .post(
                "/api/auth/login",
                json!({ "login": login, "password": PASSWORD }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
        assert_eq!(reply.body["user"]["id"], ann.id.as_str());
    }
    fresh.keep_session(
        &fresh
            .post(
                "/api/auth/login",
                json!({ "login": ann.username, "password": PASSWORD }),
            )
            .await,
    );

    // Refresh rotates the cookie and gives a working token.
    let before = ann.refresh.clone().unwrap();
    let reply = ann.post("/api/auth/refresh", json!({})).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    ann.keep_session(&reply);
    assert_ne!(ann.refresh.as_deref(), Some(before.as_str()));
    assert_eq!(ann.get("/api/auth/me").await.status, StatusCode::OK);

    // Logout ends this session only and clears the cookie.
    let reply = ann.post("/api/auth/logout", json!({})).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    let (value, header) = reply.refresh_cookie().expect("cleared cookie");
    assert!(value.is_empty() && header.contains("Max-Age=0"), "{header}");
    let reply = ann.post("/api/auth/refresh", json!({})).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    // The other device is still signed in.
    assert_eq!(
        fresh.post("/api/auth/refresh", json!({})).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn replaying_a_rotated_refresh_token_revokes_the_session() {
    let stack = Stack::start().await;
    let mut ann = stack.person();
    ann.sign_up().await;
    let stolen = ann.refresh.clone().unwrap();
    let reply = ann.post("/api/auth/refresh", json!({})).await;
    ann.keep_session(&reply);

    let mut thief = stack.person();
    thief.refresh = Some(stolen);
    let reply = thief.post("/api/auth/refresh", json!({})).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.code(), "session_expired");
    // The whole family is gone: the legitimate current token no longer works either.
    assert_eq!(
        ann.post("/api/auth/refresh", json!({})).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn sign_out_everywhere_ends_every_session() {
    let stack = Stack::start().await;
    let mut ann = stack.person();
    ann.sign_up().await;
    let mut phone = stack.person();
    phone.keep_session(
        &phone
            .post(
                "/api/auth/login",
                json!({ "login": ann.email, "password": PASSWORD }),
            )
            .await,
    );
    assert!(phone.refresh.is_some());

    assert_eq!(
        ann.post("/api/auth/logout-all", json!({})).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        phone.post("/api/auth/refresh", json!({})).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        ann.post("/api/auth/refresh", json!({})).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_registered_address_gets_a_notice_not_a_code_and_the_same_answer() {
    let stack = Stack::start().await;
    let mut ann = stack.person();
    ann.sign_up().await;
    let stranger = stack.person();

    let for_ann = stranger
        .post("/api/auth/otp", json!({ "email": ann.email }))
        .await;
    let fresh_address = format!("new-{}@example.com", unique());
    let for_new = stranger
        .post("/api/auth/otp", json!({ "email": fresh_address }))
        .await;
    assert_eq!(for_ann.status, StatusCode::ACCEPTED);
    assert_eq!(for_new.status, StatusCode::ACCEPTED);
    let strip = |s: &str, email: &str| s.replace(email, "");
    assert_eq!(
        strip(for_ann.body["message"].as_str().unwrap(), &ann.email),
        strip(for_new.body["message"].as_str().unwrap(), &fresh_address)
    );

    let notice = mailbox(&ann.email).await.pop().unwrap();
    assert!(notice["subject"].as_str().unwrap().contains("already have"));
    assert_eq!(code_in(&notice), None);
    assert!(code_in(&mailbox(&fresh_address).await.pop().unwrap()).is_some());
}

#[tokio::test]
async fn wrong_codes_count_and_the_fifth_kills_the_code() {
    let stack = Stack::start().await;
    let ann = stack.person();
    let code = ann.request_code().await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let register = |code: &str| json!({ "email": ann.email, "username": ann.username, "password": PASSWORD, "code": code });
    for _ in 0..5 {
        let reply = ann.post("/api/auth/register", register(wrong)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        assert_eq!(reply.code(), "invalid_code");
    }
    let reply = ann.post("/api/auth/register", register(&code)).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.code(), "code_exhausted");
}

#[tokio::test]
async fn a_new_code_replaces_the_old_one() {
    let stack = Stack::start().await;
    let mut ann = stack.person();
    let first = ann.request_code().await;
    let second = loop {
        let code = ann.request_code().await;
        if code != first {
            break code;
        }
    };
    let body = |code: &str| json!({ "email": ann.email, "username": ann.username, "password": PASSWORD, "code": code });
    let reply = ann.post("/api/auth/register", body(&first)).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.code(), "invalid_code");
    let reply = ann.post("/api/auth/register", body(&second)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    ann.keep_session(&reply);
}

#[tokio::test]
async fn an_expired_code_is_refused() {
    use shared::domain::Timestamp;
    use shared::domain::account::Email;
    use shared::domain::one_time_code::{CodePurpose, hash_code};

    let stack = Stack::start().await;
    let ann = stack.person();
    // DynamoDB deletes expired items only eventually (up to days later), so
    // the code checks the expiry itself; waiting ten minutes is no test:
    // store a code whose lifetime is already over, as the function would.
    let email = Email::parse(&ann.email).unwrap();
    let hash = hash_code(
        stack.app.keys.code_key(),
        CodePurpose::Register,
        &email,
        "424242",
    );
    stack
        .app
        .store
        .put_code(
            CodePurpose::Register,
            &email,
            &hash,
            Timestamp::now().plus_seconds(-1),
        )
        .await
        .unwrap();
    let reply = ann
        .post(
            "/api/auth/register",
            json!({ "email": ann.email, "username": ann.username, "password": PASSWORD, "code": "424242" }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.code(), "code_expired");
    // A live one with the same digits works.
    stack
        .app
        .store
        .put_code(
            CodePurpose::Register,
            &email,
            &hash,
            Timestamp::now().plus_seconds(600),
        )
        .await
        .unwrap();
    let reply = ann
        .post(
            "/api/auth/register",
            json!({ "email": ann.email, "username": ann.username, "password": PASSWORD, "code": "424242" }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
}

#[tokio::test]
async fn wrong_password_and_unknown_user_look_the_same() {
    let stack = Stack::start().await;
    let mut ann = stack.person();
    ann.sign_up().await;
    let wrong_password = stack
        .person()
        .post(
            "/api/auth/login",
            json!({ "login": ann.username, "password": "not-her-password-at-all" }),
        )
        .await;
    let unknown_user = stack
        .person()
        .post(
            "/api/auth/login",
            json!({ "login": format!("nobody_{}", unique()), "password": PASSWORD }),
        )
        .await;
    assert_eq!(wrong_password.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong_password.body, unknown_user.body);
    assert_eq!(wrong_password.code(), "invalid_credentials");
}

#[tokio::test]
async fn password_reset_changes_the_password_and_ends_every_session() {
    let stack = Stack::start().await;
    let mut ann = stack.person();
    ann.sign_up().await;
    let old_cookie = ann.refresh.clone();

    let reply = ann
        .post(
            "/api/auth/password-reset",
            json!({ "email": ann.email.to_uppercase() }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED);
    let code = latest_code(&ann.email).await;
    let new_password = "amber-meadow-compass-88";
    let confirm = json!({ "email": ann.email, "code": code, "new_password": new_password });
    assert_eq!(
        ann.post("/api/auth/password-reset/confirm", confirm.clone())
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    // The address hears of it: a notice with no code and no link (nothing in
    // it gets anyone in), saying what to do if it was not its owner.
    let emails = mailbox(&ann.email).await;
    let notice = emails.last().unwrap();
    assert!(
        notice["subject"]
            .as_str()
            .unwrap()
            .contains("password was changed"),
        "{notice}"
    );
    let text = notice["body"]["text"].as_str().unwrap();
    assert_eq!(code_in(notice), None, "{text}");
    assert!(!text.contains(&code), "{text}");
    assert!(!text.contains("http") && !text.contains("www."), "{text}");
    assert!(text.contains("If it was not you"), "{text}");
    assert!(text.contains("Forgot password"), "{text}");

    // Single use.
    let again = ann.post("/api/auth/password-reset/confirm", confirm).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert_eq!(again.code(), "invalid_code");

    ann.refresh = old_cookie;
    assert_eq!(
        ann.post("/api/auth/refresh", json!({})).await.status,
        StatusCode::UNAUTHORIZED
    );
    let login = |password: &str| json!({ "login": ann.username, "password": password });
    assert_eq!(
        stack
            .person()
            .post("/api/auth/login", login(PASSWORD))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        stack
            .person()
            .post("/api/auth/login", login(new_password))
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn reset_for_an_unknown_address_answers_the_same_and_sends_no_code() {
    let stack = Stack::start().await;
    let address = format!("ghost-{}@example.com", unique());
    let reply = stack
        .person()
        .post("/api/auth/password-reset", json!({ "email": address }))
        .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED);
    let emails = mailbox(&address).await;
    assert_eq!(emails.len(), 1);
    assert_eq!(code_in(&emails[0]), None);
    let reply = stack
        .person()
        .post("/api/auth/password-reset/confirm", json!({ "email": address, "code": "123456", "new_password": "amber-meadow-compass-88" }))
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.code(), "invalid_code");
}

#[tokio::test]
async fn search_finds_exact_usernames_without_emails_and_never_the_caller() {
    let stack = Stack::start().await;
    let mut ann = stack.person();
    ann.sign_up().await;
    let mut bob = stack.person();
    bob.sign_up().await;

    let reply = ann
        .get(&format!(
            "/api/users/search?q={}",
            bob.username.to_uppercase()
        ))
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.body,
        json!({ "users": [{ "id": bob.id, "username": bob.username, "display_name": null, "relationship": "none" }] })
    );
    let partial = &bob.username[..bob.username.len() - 1];
    assert_eq!(
        ann.get(&format!("/api/users/search?q={partial}"))
            .await
            .body,
        json!({ "users": [] })
    );
    assert_eq!(
        ann.get(&format!("/api/users/search?q={}", ann.username))
            .await
            .body,
        json!({ "users": [] })
    );
    assert_eq!(
        ann.get("/api/users/search?q=not%20a%20name!").await.body,
        json!({ "users": [] })
    );
    assert_eq!(
        ann.get("/api/users/search?q=").await.code(),
        "invalid_query"
    );

    let anonymous = stack.person();
    assert_eq!(
        anonymous
            .get(&format!("/api/users/search?q={}", bob.username))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn bad_tokens_are_refused() {
    let stack = Stack::start().await;
    let mut ann = stack.person();
    ann.sign_up().await;
    let good = ann.token.clone().unwrap();
    let expired = stack.app.keys.issue_access(
        &ann.user_id(),
        &shared::domain::ids::FamilyId::new(),
        shared::domain::Timestamp::now().plus_seconds(-3600),
    );
    let foreign = shared::auth::Keys::new(
        "some-other-deployment-secret-0123456789",
        std::time::Duration::from_secs(900),
    )
    .issue_access(
        &ann.user_id(),
        &shared::domain::ids::FamilyId::new(),
        shared::domain::Timestamp::now(),
    );
    for token in [
        None,
        Some(expired),
        Some(foreign),
        Some(format!("{good}x")),
        Some("garbage".to_owned()),
    ] {
        ann.token = token;
        let reply = ann.get("/api/auth/me").await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{:?}", ann.token);
        assert_eq!(reply.code(), "unauthenticated");
    }
}

#[tokio::test]
async fn bad_input_gets_a_clear_error_and_changes_nothing() {
    let stack = Stack::start().await;
    let ann = stack.person();
    let code = ann.request_code().await;
    let valid =
        json!({ "email": ann.email, "username": ann.username, "password": PASSWORD, "code": code });
    let with = |field: &str, value: serde_json::Value| {
        let mut body = valid.clone();
        body[field] = value;
        body
    };
    let cases = [
        (
            with("email", json!("not-an-email")),
            "invalid_email",
            "email",
        ),
        (
            with("username", json!("no spaces")),
            "invalid_username",
            "username",
        ),
        (
            with("username", json!("x".repeat(31))),
            "invalid_username",
            "username",
        ),
        (
            with("password", json!("short")),
            "invalid_password",
            "password",
        ),
        (
            with("password", json!("x".repeat(129))),
            "invalid_password",
            "password",
        ),
        (
            with("password", json!("password1234")),
            "weak_password",
            "password",
        ),
        (with("code", json!("12ab56")), "invalid_code", "code"),
        (with("code", json!(123456)), "invalid_field", "code"),
        (with("extra", json!(true)), "invalid_field", "extra"),
    ];
    for (body, code, field) in cases {
        let reply = ann.post("/api/auth/register", body).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{field}: {:?}",
            reply.body
        );
        assert_eq!(reply.code(), code, "{field}: {:?}", reply.body);
        let message = reply.body["error"]["message"]
            .as_str()
            .unwrap()
            .to_lowercase();
        assert!(
            message.contains(field) || field == "email" && message.contains("email address"),
            "{message}"
        );
    }
    let missing = ann
        .post("/api/auth/register", json!({ "email": ann.email }))
        .await;
    assert_eq!(missing.code(), "invalid_field");
    assert!(
        missing.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("username")
    );

    let not_json = Person::reply(
        ann.raw(Method::POST, "/api/auth/register")
            .header("content-type", "application/json")
            .body("{nope"),
    )
    .await;
    assert_eq!(
        (not_json.status, not_json.code()),
        (StatusCode::BAD_REQUEST, "invalid_json")
    );
    let form = Person::reply(
        ann.raw(Method::POST, "/api/auth/register")
            .header("content-type", "text/plain")
            .body("email=x"),
    )
    .await;
    assert_eq!(
        (form.status, form.code()),
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
    );
    let huge = Person::reply(
        ann.raw(Method::POST, "/api/auth/register")
            .header("content-type", "application/json")
            .body(format!("{{\"email\":\"{}\"}}", "a".repeat(70 * 1024))),
    )
    .await;
    assert_eq!(
        (huge.status, huge.code()),
        (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large")
    );

    // Nothing was written: the code is intact and the account can still be made.
    let reply = ann.post("/api/auth/register", valid).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
}

#[tokio::test]
async fn every_api_response_carries_the_security_headers() {
    let stack = Stack::start().await;
    let person = stack.person();
    for reply in [
        person.get("/api/health").await,
        person.get("/api/auth/me").await,
        person.post("/api/auth/login", json!({})).await,
    ] {
        for (name, value) in [
            ("x-content-type-options", "nosniff"),
            ("cache-control", "no-store"),
            ("x-frame-options", "DENY"),
        ] {
            assert_eq!(reply.headers[name], value, "{name}");
        }
        assert!(
            reply.headers["strict-transport-security"]
                .to_str()
                .unwrap()
                .contains("max-age=")
        );
        assert!(
            reply.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json")
        );
    }
}

#[tokio::test]
async fn the_password_hash_lives_apart_from_the_profile() {
    use aws_sdk_dynamodb::types::AttributeValue;
    let stack = Stack::start().await;
    let mut ann = stack.person();
    ann.sign_up().await;
    let item = |pk: String, sk: &str| {
        let table = stack.app.store.table().to_owned();
        let sk = sk.to_owned();
        async move {
            dynamodb()
                .await
                .get_item()
                .table_name(table)
                .key("PK", AttributeValue::S(pk))
                .key("SK", AttributeValue::S(sk))
                .send()
                .await
                .unwrap()
                .item
        }
    };
    // What every function reads of Ann (her profile, in her partition) has
    // no hash; the hash is in a partition of its own, which IAM keeps every
    // function but auth out of (tests-template).
    let profile = item(format!("USER#{}", ann.id), "PROFILE").await.unwrap();
    assert!(!profile.contains_key("password_hash"), "{profile:?}");
    let credentials = item(format!("CREDENTIALS#{}", ann.id), "PASSWORD")
        .await
        .unwrap();
    assert!(
        credentials["password_hash"]
            .as_s()
            .unwrap()
            .starts_with("$argon2id$")
    );

    // An account from before the move (its hash on the profile, no
    // credentials item) still signs in, and a reset moves the hash.
    let hash = credentials["password_hash"].clone();
    let client = dynamodb().await;
    let table = stack.app.store.table();
    client
        .delete_item()
        .table_name(table)
        .key("PK", AttributeValue::S(format!("CREDENTIALS#{}", ann.id)))
        .key("SK", AttributeValue::S("PASSWORD".into()))
        .send()
        .await
        .unwrap();
    client
        .update_item()
        .table_name(table)
        .key("PK", AttributeValue::S(format!("USER#{}", ann.id)))
        .key("SK", AttributeValue::S("PROFILE".into()))
        .update_expression("SET password_hash = :h")
        .expression_attribute_values(":h", hash)
        .send()
        .await
        .unwrap();
    let login = |password: &str| json!({ "login": ann.username, "password": password });
    let reply = stack
        .person()
        .post("/api/auth/login", login(PASSWORD))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    ann.post("/api/auth/password-reset", json!({ "email": ann.email }))
        .await;
    let code = latest_code(&ann.email).await;
    let new_password = "amber-meadow-compass-88";
    let reply = ann
        .post(
            "/api/auth/password-reset/confirm",
            json!({ "email": ann.email, "code": code, "new_password": new_password }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{:?}", reply.body);
    let profile = item(format!("USER#{}", ann.id), "PROFILE").await.unwrap();
    assert!(!profile.contains_key("password_hash"), "{profile:?}");
    assert!(
        item(format!("CREDENTIALS#{}", ann.id), "PASSWORD")
            .await
            .is_some()
    );
    let reply = stack
        .person()
        .post("/api/auth/login", login(new_password))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
}
