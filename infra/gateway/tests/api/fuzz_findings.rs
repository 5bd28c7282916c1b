//! What the schema fuzzer (schemathesis, `make test`'s `schemathesis`
//! step) found, each pinned by a test of its own: acting on oneself is bad
//! input (it was a 503, from a transaction DynamoDB refused), a request
//! DynamoDB refuses is our bug (`500`, never a 503 that invites a retry),
//! and a body must be a JSON object (serde would read a struct from an
//! array).

use crate::common::*;
use crate::social_common::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn acting_on_oneself_is_bad_input_and_changes_nothing() {
    let stack = Stack::start().await;
    let ann = signed_up(&stack).await;
    let tag = create_tag(&ann, "me").await;
    let me = &ann.id;
    for (method, path, body) in [
        (Method::DELETE, format!("/api/connections/{me}"), None),
        (
            Method::DELETE,
            format!("/api/connections/requests/{me}"),
            None,
        ),
        (
            Method::POST,
            format!("/api/connections/requests/{me}/accept"),
            Some(json!({})),
        ),
        (
            Method::PUT,
            format!("/api/connections/{me}/tags"),
            Some(json!({ "tag_ids": [tag] })),
        ),
    ] {
        let reply = ann.call(method.clone(), &path, body).await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::BAD_REQUEST, "cannot_connect_to_self"),
            "{method} {path}: {:?}",
            reply.body
        );
    }
    let counts = stack.app.store.counts(&ann.user_id()).await.unwrap();
    assert_eq!(
        (counts.connections, counts.pending_out, counts.pending_in),
        (0, 0, 0)
    );
}

#[tokio::test]
async fn a_request_dynamodb_refuses_is_our_bug_not_an_outage() {
    let stack = Stack::start().await;
    let ann = signed_up(&stack).await;
    // The transaction that used to reach DynamoDB: one item named twice.
    let refused = stack
        .app
        .store
        .disconnect(&ann.user_id(), &ann.user_id())
        .await
        .unwrap_err();
    assert!(
        matches!(refused, shared::store::StoreError::Refused(_)),
        "{refused:?}"
    );
    let answer = shared::ApiError::from(refused);
    assert_eq!(
        (answer.status, answer.code),
        (StatusCode::INTERNAL_SERVER_ERROR, "internal_error")
    );
    assert_eq!(answer.retry_after, None, "a bug is not worth retrying");
}

#[tokio::test]
async fn a_body_must_be_a_json_object() {
    let stack = Stack::start().await;
    let ann = signed_up(&stack).await;
    let tag = create_tag(&ann, "close").await;
    for body in ["[null, null]", "[]", "\"close\"", "5", "null"] {
        let reply = Person::reply(
            ann.raw(Method::PATCH, &format!("/api/tags/{tag}"))
                .bearer_auth(ann.token.as_deref().unwrap())
                .header("content-type", "application/json")
                .body(body),
        )
        .await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::BAD_REQUEST, "invalid_json"),
            "{body}: {:?}",
            reply.body
        );
    }
    let tags = ann.get("/api/tags").await;
    assert_eq!(tags.body["tags"][0]["name"], "close", "{:?}", tags.body);
}
