//! Helpers shared by the social tests (connections, tags, posts, feed):
//! people, connecting them, tags, posts, and reading whole lists.

use crate::common::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

pub async fn signed_up(stack: &Stack) -> Person {
    let mut person = stack.person();
    person.sign_up().await;
    person
}

/// `a` asks `b`, `b` accepts.
pub async fn connect(a: &Person, b: &Person) {
    let reply = a
        .post("/api/connections/requests", json!({ "user_id": b.id }))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    let reply = b
        .post(
            &format!("/api/connections/requests/{}/accept", a.id),
            json!({}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
}

pub async fn create_tag(person: &Person, name: &str) -> String {
    let reply = person
        .post("/api/tags", json!({ "name": name, "color": "family" }))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    reply.body["id"].as_str().unwrap().to_owned()
}

pub async fn set_tags(person: &Person, other: &Person, tags: &[&str]) -> Reply {
    person
        .call(
            Method::PUT,
            &format!("/api/connections/{}/tags", other.id),
            Some(json!({ "tag_ids": tags })),
        )
        .await
}

pub async fn write(person: &Person, content: &str, audience: &str, tags: &[&str]) -> String {
    let reply = person
        .post(
            "/api/posts",
            json!({ "content": content, "audience": audience, "tag_ids": tags }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    reply.body["id"].as_str().unwrap().to_owned()
}

/// Every post id of a list, following cursors.
pub async fn all_ids(person: &Person, path: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let separator = if path.contains('?') { '&' } else { '?' };
        let url = match &cursor {
            Some(c) => format!("{path}{separator}limit=7&cursor={c}"),
            None => format!("{path}{separator}limit=7"),
        };
        let reply = person.get(&url).await;
        assert_eq!(reply.status, StatusCode::OK, "{url}: {:?}", reply.body);
        ids.extend(
            reply.body["posts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["id"].as_str().unwrap().to_owned()),
        );
        match reply.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return ids,
        }
    }
}
