//! Tags through the real HTTP path: private, unique, bounded, and on one's
//! own connections only.

use crate::common::*;
use crate::social_common::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn tags_are_private_unique_and_bounded() {
    let stack = Stack::start().await;
    let ann = signed_up(&stack).await;
    let bob = signed_up(&stack).await;
    let family = create_tag(&ann, "Family").await;
    let dup = ann
        .post("/api/tags", json!({ "name": " family ", "color": "work" }))
        .await;
    assert_eq!(
        (dup.status, dup.code()),
        (StatusCode::CONFLICT, "tag_name_taken")
    );
    let bad = ann
        .post("/api/tags", json!({ "name": "Red", "color": "red" }))
        .await;
    assert_eq!(
        (bad.status, bad.code()),
        (StatusCode::BAD_REQUEST, "invalid_color")
    );
    let long = ann
        .post(
            "/api/tags",
            json!({ "name": "x".repeat(25), "color": "work" }),
        )
        .await;
    assert_eq!(
        (long.status, long.code()),
        (StatusCode::BAD_REQUEST, "invalid_tag_name")
    );
    // Bob has his own "Family"; he cannot see, change or use Ann's.
    create_tag(&bob, "Family").await;
    assert_eq!(
        bob.get("/api/tags").await.body["tags"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let foreign = bob
        .call(
            Method::PATCH,
            &format!("/api/tags/{family}"),
            Some(json!({ "name": "Mine" })),
        )
        .await;
    assert_eq!(
        (foreign.status, foreign.code()),
        (StatusCode::NOT_FOUND, "tag_not_found")
    );
    assert_eq!(
        bob.call(Method::DELETE, &format!("/api/tags/{family}"), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Rename and recolour; the old name is free again.
    let renamed = ann
        .call(
            Method::PATCH,
            &format!("/api/tags/{family}"),
            Some(json!({ "name": "Kin", "color": "inner" })),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{:?}", renamed.body);
    assert_eq!(
        (
            renamed.body["name"].as_str(),
            renamed.body["color"].as_str()
        ),
        (Some("Kin"), Some("inner"))
    );
    create_tag(&ann, "Family").await;
    // Up to 50.
    for i in 2..50 {
        create_tag(&ann, &format!("Tag {i}")).await;
    }
    let over = ann
        .post(
            "/api/tags",
            json!({ "name": "One too many", "color": "generic" }),
        )
        .await;
    assert_eq!(
        (over.status, over.code()),
        (StatusCode::CONFLICT, "tag_limit_reached")
    );
    assert_eq!(
        ann.get("/api/tags").await.body["tags"]
            .as_array()
            .unwrap()
            .len(),
        50
    );
    // Tags go only on one's own connections, and only one's own tags.
    connect(&ann, &bob).await;
    let bobs_tag = bob.get("/api/tags").await.body["tags"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let reply = set_tags(&ann, &bob, &[&bobs_tag]).await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::NOT_FOUND, "tag_not_found")
    );
    let carol = signed_up(&stack).await;
    let reply = set_tags(&ann, &carol, &[&family]).await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::NOT_FOUND, "connection_not_found")
    );
    let reply = set_tags(&ann, &bob, &[&family]).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(reply.body["connection"]["tag_ids"], json!([family]));
    // Deleting a tag takes it off every connection.
    assert_eq!(
        ann.call(Method::DELETE, &format!("/api/tags/{family}"), None)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        ann.get("/api/connections").await.body["connections"][0]["tag_ids"],
        json!([])
    );
}
