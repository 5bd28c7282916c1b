//! When SES cannot be reached, asking for a code answers 503 `email_unavailable`
//! with `Retry-After`, and leaves nothing behind: no stored code. Its own test
//! binary, because it points this process's SES client at a closed port.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::json;
use shared::domain::account::Email;
use shared::domain::one_time_code::CodePurpose;

#[tokio::test]
async fn an_email_that_cannot_be_sent_changes_nothing() {
    // SAFETY: the only test in this binary, run before any thread reads the variable.
    unsafe { std::env::set_var("AWS_ENDPOINT_URL_SESV2", "http://127.0.0.1:9") };
    let stack = Stack::start().await;
    let ann = stack.person();
    let reply = ann
        .post("/api/auth/otp", json!({ "email": ann.email }))
        .await;
    assert_eq!(
        reply.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{:?}",
        reply.body
    );
    assert_eq!(reply.code(), "email_unavailable");
    assert!(
        reply.headers["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            > 0
    );
    let email = Email::parse(&ann.email).unwrap();
    let stored = stack
        .app
        .store
        .code(CodePurpose::Register, &email)
        .await
        .unwrap();
    assert_eq!(
        stored, None,
        "the code of an email that was never sent must not stay"
    );
}
