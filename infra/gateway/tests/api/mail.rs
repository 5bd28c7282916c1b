//! When SES cannot be reached, asking for a code answers 503 `email_unavailable`
//! with `Retry-After`, and leaves nothing behind: no stored code.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::json;
use shared::domain::account::Email;
use shared::domain::one_time_code::CodePurpose;

#[tokio::test]
async fn an_email_that_cannot_be_sent_changes_nothing() {
    // This stack's mailer talks to a closed port.
    let mut config = test_config();
    config.table_name = new_table_like(&config.table_name).await;
    let unreachable = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(shared::app::https_client())
        .endpoint_url("http://127.0.0.1:9")
        .load()
        .await;
    let mailer = shared::email::Mailer::new(&unreachable, config.sender_email.clone(), None);
    let app = shared::App::from_config(config).await.unwrap();
    let stack = Stack::serving(app.with_mailer(mailer)).await;
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
