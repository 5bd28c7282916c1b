//! Display names and bios: a name shows beside the username wherever the
//! person is shown, read from the profile at that moment; a bio only to
//! connections.

use crate::common::*;
use crate::social_common::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn name_myself(person: &Person, display_name: Value, bio: Value) {
    let reply = person
        .call(
            Method::PATCH,
            "/api/auth/me",
            Some(json!({ "display_name": display_name, "bio": bio })),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
}

/// Every place `viewer` is shown `ann` now, as (where, the UserRef there).
async fn everywhere(viewer: &Person, ann: &Person, post: &str) -> Vec<(&'static str, Value)> {
    let pick = |list: &Value, field: &str| -> Value {
        list.as_array()
            .unwrap()
            .iter()
            .map(|item| item[field].clone())
            .find(|user| user["id"] == ann.id.as_str())
            .unwrap_or(Value::Null)
    };
    let feed = viewer.get("/api/feed").await.body;
    let thread = viewer
        .get(&format!("/api/posts/{post}/comments"))
        .await
        .body;
    let reactions = viewer
        .get(&format!("/api/posts/{post}/reactions"))
        .await
        .body;
    let connections = viewer.get("/api/connections").await.body;
    let person = viewer.get(&format!("/api/users/{}", ann.id)).await.body;
    let found = viewer
        .get(&format!("/api/users/search?q={}", ann.username))
        .await
        .body;
    let notifications = viewer.get("/api/notifications").await.body;
    let one = viewer.get(&format!("/api/posts/{post}")).await.body;
    vec![
        ("feed", pick(&feed["posts"], "author")),
        ("post", one["author"].clone()),
        ("comments", pick(&thread["comments"], "author")),
        ("reactions", pick(&reactions["reactions"], "user")),
        ("connections", pick(&connections["connections"], "user")),
        ("person", person["user"].clone()),
        (
            "notifications",
            pick(&notifications["notifications"], "actor"),
        ),
        (
            "search",
            json!({
                "id": found["users"][0]["id"],
                "username": found["users"][0]["username"],
                "display_name": found["users"][0]["display_name"],
            }),
        ),
    ]
}

#[tokio::test]
async fn a_display_name_shows_beside_the_username_everywhere_and_a_bio_only_to_connections() {
    let stack = Stack::start().await;
    let ann = signed_up(&stack).await;
    let bob = signed_up(&stack).await;
    let eve = signed_up(&stack).await;
    name_myself(&ann, json!("Ann Lee 李安"), json!("Potter. Slow mornings.")).await;

    // Before they connect: the request shows who is asking.
    let reply = ann
        .post("/api/connections/requests", json!({ "user_id": bob.id }))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    let incoming = bob
        .get("/api/connections/requests?direction=incoming")
        .await;
    assert_eq!(
        incoming.body["requests"][0]["user"]["display_name"],
        "Ann Lee 李安"
    );
    // 1 Query, then the profiles of the people asking (1 BatchGetItem).
    incoming.assert_read_cost(2, 2);
    let reply = bob
        .post(
            &format!("/api/connections/requests/{}/accept", ann.id),
            json!({}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    // The accept names the person too.
    assert_eq!(
        reply.body["connection"]["user"]["display_name"],
        "Ann Lee 李安"
    );

    // Ann posts, comments and reacts; Bob reacts so she is notified.
    let post = write(&ann, "Kiln day.", "connections", &[]).await;
    let reply = ann
        .post(
            &format!("/api/posts/{post}/comments"),
            json!({ "content": "Glaze came out blue." }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    assert_eq!(reply.body["author"]["display_name"], "Ann Lee 李安");
    let reply = ann
        .call(
            Method::PUT,
            &format!("/api/posts/{post}/reaction"),
            Some(json!({ "kind": "heart" })),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let bobs = write(&bob, "Hello.", "connections", &[]).await;
    let reply = ann
        .post(
            &format!("/api/posts/{bobs}/comments"),
            json!({ "content": "Hi Bob." }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED);

    let named = json!({ "id": ann.id, "username": ann.username, "display_name": "Ann Lee 李安" });
    for (place, shown) in everywhere(&bob, &ann, &post).await {
        assert_eq!(shown, named, "{place}");
    }
    // A connection reads the bio; a stranger finds the name with the
    // username (as search shows it) but no bio and nothing else.
    let page = bob.get(&format!("/api/users/{}", ann.id)).await;
    assert_eq!(page.body["bio"], "Potter. Slow mornings.");
    let page = eve.get(&format!("/api/users/{}", ann.id)).await;
    assert_eq!(page.body["user"], named);
    assert_eq!(page.body["bio"], Value::Null, "{:?}", page.body);
    assert!(!page.body.to_string().contains("Potter"));
    assert!(!page.body.to_string().contains(&ann.email));
    let found = eve
        .get(&format!("/api/users/search?q={}", ann.username))
        .await;
    assert_eq!(found.body["users"][0]["display_name"], "Ann Lee 李安");

    // A new name is one write and shows everywhere on the next read; so
    // does removing it.
    name_myself(&ann, json!("Ann"), Value::Null).await;
    let renamed = json!({ "id": ann.id, "username": ann.username, "display_name": "Ann" });
    for (place, shown) in everywhere(&bob, &ann, &post).await {
        assert_eq!(shown, renamed, "{place}");
    }
    name_myself(&ann, Value::Null, Value::Null).await;
    let plain = json!({ "id": ann.id, "username": ann.username, "display_name": null });
    for (place, shown) in everywhere(&bob, &ann, &post).await {
        assert_eq!(shown, plain, "{place}");
    }
    let page = bob.get(&format!("/api/users/{}", ann.id)).await;
    assert_eq!(page.body["bio"], Value::Null);
}
