//! The social core through the real HTTP path: connections under the cap,
//! tags, posts with audiences and who sees them, the feed and its pages.

use crate::common::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn signed_up(stack: &Stack) -> Person {
    let mut person = stack.person();
    person.sign_up().await;
    person
}

/// `a` asks `b`, `b` accepts.
async fn connect(a: &Person, b: &Person) {
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

async fn create_tag(person: &Person, name: &str) -> String {
    let reply = person
        .post("/api/tags", json!({ "name": name, "color": "family" }))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    reply.body["id"].as_str().unwrap().to_owned()
}

async fn set_tags(person: &Person, other: &Person, tags: &[&str]) -> Reply {
    person
        .call(
            Method::PUT,
            &format!("/api/connections/{}/tags", other.id),
            Some(json!({ "tag_ids": tags })),
        )
        .await
}

async fn write(person: &Person, content: &str, audience: &str, tags: &[&str]) -> String {
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
async fn all_ids(person: &Person, path: &str) -> Vec<String> {
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

/// What `viewer` sees of `post`: in the feed, on the author's page, by id.
async fn sees(viewer: &Person, author: &Person, post: &str) -> [bool; 3] {
    let in_feed = all_ids(viewer, "/api/feed")
        .await
        .contains(&post.to_owned());
    let on_page = all_ids(viewer, &format!("/api/users/{}/posts", author.id))
        .await
        .contains(&post.to_owned());
    let reply = viewer.get(&format!("/api/posts/{post}")).await;
    let by_id = match reply.status {
        StatusCode::OK => true,
        StatusCode::NOT_FOUND => {
            assert_eq!(reply.code(), "post_not_found");
            false
        }
        other => panic!("unexpected {other}: {:?}", reply.body),
    };
    [in_feed, on_page, by_id]
}

#[tokio::test]
async fn two_people_find_each_other_and_connect() {
    let stack = Stack::start().await;
    let ann = signed_up(&stack).await;
    let bob = signed_up(&stack).await;

    let found = ann
        .get(&format!("/api/users/search?q={}", bob.username))
        .await;
    assert_eq!(found.body["users"][0]["relationship"], "none");
    assert_eq!(
        ann.get(&format!("/api/users/{}", ann.id)).await.body["relationship"],
        "self"
    );

    let reply = ann
        .post("/api/connections/requests", json!({ "user_id": bob.id }))
        .await;
    assert_eq!(
        (reply.status, reply.body.clone()),
        (StatusCode::CREATED, json!({ "status": "pending" }))
    );
    assert_eq!(
        ann.get(&format!("/api/users/{}", bob.id)).await.body["relationship"],
        "outgoing_request"
    );
    assert_eq!(
        bob.get(&format!("/api/users/{}", ann.id)).await.body["relationship"],
        "incoming_request"
    );
    let incoming = bob
        .get("/api/connections/requests?direction=incoming")
        .await;
    assert_eq!(
        incoming.body["requests"][0]["user"],
        json!({ "id": ann.id, "username": ann.username })
    );
    let outgoing = ann
        .get("/api/connections/requests?direction=outgoing")
        .await;
    assert_eq!(outgoing.body["requests"][0]["user"]["id"], bob.id.as_str());

    let accepted = bob
        .post(
            &format!("/api/connections/requests/{}/accept", ann.id),
            json!({}),
        )
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{:?}", accepted.body);
    assert_eq!(accepted.body["connection"]["user"]["id"], ann.id.as_str());
    for (me, other) in [(&ann, &bob), (&bob, &ann)] {
        let list = me.get("/api/connections").await;
        assert_eq!(list.body["count"], 1);
        assert_eq!(list.body["limit"], 100);
        assert_eq!(
            list.body["connections"][0]["user"]["username"],
            other.username.as_str()
        );
        let profile = me.get(&format!("/api/users/{}", other.id)).await;
        assert_eq!(profile.body["relationship"], "connected");
        assert!(profile.body["connected_at"].is_string());
    }
    assert_eq!(
        bob.get("/api/connections/requests").await.body["requests"],
        json!([])
    );
}

#[tokio::test]
async fn mutual_requests_connect() {
    let stack = Stack::start().await;
    let ann = signed_up(&stack).await;
    let bob = signed_up(&stack).await;
    ann.post("/api/connections/requests", json!({ "user_id": bob.id }))
        .await;
    let reply = bob
        .post("/api/connections/requests", json!({ "user_id": ann.id }))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(reply.body["status"], "connected");
    assert_eq!(ann.get("/api/connections").await.body["count"], 1);
    assert_eq!(
        ann.get("/api/connections/requests?direction=outgoing")
            .await
            .body["requests"],
        json!([])
    );
}

#[tokio::test]
async fn request_errors_are_precise_and_change_nothing() {
    let stack = Stack::start().await;
    let ann = signed_up(&stack).await;
    let bob = signed_up(&stack).await;
    let cases = [
        (
            json!({ "user_id": ann.id }),
            StatusCode::BAD_REQUEST,
            "cannot_connect_to_self",
        ),
        (
            json!({ "user_id": "01J00000000000000000000000" }),
            StatusCode::NOT_FOUND,
            "user_not_found",
        ),
        (
            json!({ "user_id": "../../etc" }),
            StatusCode::NOT_FOUND,
            "user_not_found",
        ),
        (
            json!({ "user_id": 5 }),
            StatusCode::BAD_REQUEST,
            "invalid_field",
        ),
    ];
    for (body, status, code) in cases {
        let reply = ann.post("/api/connections/requests", body).await;
        assert_eq!(
            (reply.status, reply.code()),
            (status, code),
            "{:?}",
            reply.body
        );
    }
    assert_eq!(
        ann.post("/api/connections/requests", json!({ "user_id": bob.id }))
            .await
            .status,
        StatusCode::CREATED
    );
    let again = ann
        .post("/api/connections/requests", json!({ "user_id": bob.id }))
        .await;
    assert_eq!(
        (again.status, again.code()),
        (StatusCode::CONFLICT, "request_already_sent")
    );
    // Only the recipient can accept.
    let wrong_side = ann
        .post(
            &format!("/api/connections/requests/{}/accept", bob.id),
            json!({}),
        )
        .await;
    assert_eq!(
        (wrong_side.status, wrong_side.code()),
        (StatusCode::NOT_FOUND, "request_not_found")
    );
    // Cancel, then there is nothing to cancel or accept.
    assert_eq!(
        ann.call(
            Method::DELETE,
            &format!("/api/connections/requests/{}", bob.id),
            None
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    let gone = bob
        .post(
            &format!("/api/connections/requests/{}/accept", ann.id),
            json!({}),
        )
        .await;
    assert_eq!(
        (gone.status, gone.code()),
        (StatusCode::NOT_FOUND, "request_not_found")
    );
    assert_eq!(
        ann.call(
            Method::DELETE,
            &format!("/api/connections/requests/{}", bob.id),
            None
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    // Decline from the other side.
    ann.post("/api/connections/requests", json!({ "user_id": bob.id }))
        .await;
    assert_eq!(
        bob.call(
            Method::DELETE,
            &format!("/api/connections/requests/{}", ann.id),
            None
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    // Connected: no second request, either way.
    connect(&ann, &bob).await;
    for (from, to) in [(&ann, &bob), (&bob, &ann)] {
        let reply = from
            .post("/api/connections/requests", json!({ "user_id": to.id }))
            .await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::CONFLICT, "already_connected")
        );
    }
    assert_eq!(ann.get("/api/connections").await.body["count"], 1);
    // Disconnect is two-sided; a second one is a 404.
    assert_eq!(
        bob.call(
            Method::DELETE,
            &format!("/api/connections/{}", ann.id),
            None
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(ann.get("/api/connections").await.body["count"], 0);
    let reply = ann
        .call(
            Method::DELETE,
            &format!("/api/connections/{}", bob.id),
            None,
        )
        .await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::NOT_FOUND, "connection_not_found")
    );
}

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

#[tokio::test]
async fn who_sees_what_before_and_after_every_change() {
    let stack = Stack::start().await;
    let ann = signed_up(&stack).await; // the author
    let bob = signed_up(&stack).await; // connected, tagged Family
    let carol = signed_up(&stack).await; // connected, not tagged
    let dave = signed_up(&stack).await; // a stranger
    connect(&ann, &bob).await;
    connect(&carol, &ann).await;
    let family = create_tag(&ann, "Family").await;
    let work = create_tag(&ann, "Work").await;
    set_tags(&ann, &bob, &[&family]).await;

    let everyone = write(&ann, "Hello all", "connections", &[]).await;
    let kin = write(&ann, "Family only", "tags", &[&family, &work]).await;
    let diary = write(&ann, "Just me", "private", &[]).await;

    let yes = [true; 3];
    let no = [false; 3];
    for (post, [a, b, c, d]) in [
        (&everyone, [yes, yes, yes, no]),
        (&kin, [yes, yes, no, no]),
        (&diary, [yes, no, no, no]),
    ] {
        assert_eq!(sees(&ann, &ann, post).await, a, "ann/{post}");
        assert_eq!(sees(&bob, &ann, post).await, b, "bob/{post}");
        assert_eq!(sees(&carol, &ann, post).await, c, "carol/{post}");
        assert_eq!(sees(&dave, &ann, post).await, d, "dave/{post}");
    }
    // Only the author sees the post's tags.
    assert_eq!(
        ann.get(&format!("/api/posts/{kin}")).await.body["tag_ids"],
        json!([family, work])
    );
    assert!(
        bob.get(&format!("/api/posts/{kin}"))
            .await
            .body
            .get("tag_ids")
            .is_none()
    );

    // Tagging Carol now shows her the earlier Work post.
    set_tags(&ann, &carol, &[&work]).await;
    assert_eq!(sees(&carol, &ann, &kin).await, yes);
    // Untagging Bob hides it from him at once.
    set_tags(&ann, &bob, &[]).await;
    assert_eq!(sees(&bob, &ann, &kin).await, no);
    assert_eq!(sees(&bob, &ann, &everyone).await, yes);
    // Deleting the Work tag hides it from Carol.
    ann.call(Method::DELETE, &format!("/api/tags/{work}"), None)
        .await;
    assert_eq!(sees(&carol, &ann, &kin).await, no);
    // Disconnecting hides everything, both ways.
    let carols = write(&carol, "Carol's news", "connections", &[]).await;
    assert_eq!(sees(&ann, &carol, &carols).await, yes);
    carol
        .call(
            Method::DELETE,
            &format!("/api/connections/{}", ann.id),
            None,
        )
        .await;
    assert_eq!(sees(&carol, &ann, &everyone).await, no);
    assert_eq!(sees(&ann, &carol, &carols).await, no);
    // Editing shows the new text; deleting removes it everywhere.
    let edited = ann
        .call(
            Method::PATCH,
            &format!("/api/posts/{everyone}"),
            Some(json!({ "content": "Hello, all" })),
        )
        .await;
    assert_eq!(edited.body["content"], "Hello, all");
    assert!(edited.body["edited_at"].is_string());
    assert_eq!(
        bob.get(&format!("/api/posts/{everyone}")).await.body["content"],
        "Hello, all"
    );
    let not_author = bob
        .call(
            Method::PATCH,
            &format!("/api/posts/{everyone}"),
            Some(json!({ "content": "mine now" })),
        )
        .await;
    assert_eq!(not_author.status, StatusCode::NOT_FOUND);
    assert_eq!(
        bob.call(Method::DELETE, &format!("/api/posts/{everyone}"), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        ann.call(Method::DELETE, &format!("/api/posts/{everyone}"), None)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(sees(&bob, &ann, &everyone).await, no);
    assert_eq!(sees(&ann, &ann, &everyone).await, no);
}

#[tokio::test]
async fn a_new_connection_sees_earlier_posts_the_rule_allows() {
    let stack = Stack::start().await;
    let ann = signed_up(&stack).await;
    let bob = signed_up(&stack).await;
    let family = create_tag(&ann, "Family").await;
    let open = write(&ann, "Before we met", "connections", &[]).await;
    let tagged = write(&ann, "Family news", "tags", &[&family]).await;
    connect(&bob, &ann).await;
    let feed = all_ids(&bob, "/api/feed").await;
    assert!(feed.contains(&open));
    assert!(!feed.contains(&tagged));
}

#[tokio::test]
async fn posts_are_validated() {
    let stack = Stack::start().await;
    let ann = signed_up(&stack).await;
    let bob = signed_up(&stack).await;
    let bobs_tag = create_tag(&bob, "Bob's").await;
    let cases = [
        (
            json!({ "content": "  ", "audience": "connections" }),
            "invalid_content",
        ),
        (
            json!({ "content": "x".repeat(5001), "audience": "connections" }),
            "invalid_content",
        ),
        (
            json!({ "content": "bell \u{7}", "audience": "connections" }),
            "invalid_content",
        ),
        (
            json!({ "content": "hi", "audience": "everyone" }),
            "invalid_field",
        ),
        (
            json!({ "content": "hi", "audience": "tags", "tag_ids": [] }),
            "invalid_tag_ids",
        ),
        (
            json!({ "content": "hi", "audience": "private", "tag_ids": [bobs_tag] }),
            "invalid_tag_ids",
        ),
    ];
    for (body, code) in cases {
        let reply = ann.post("/api/posts", body).await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::BAD_REQUEST, code),
            "{:?}",
            reply.body
        );
    }
    let foreign = ann
        .post(
            "/api/posts",
            json!({ "content": "hi", "audience": "tags", "tag_ids": [bobs_tag] }),
        )
        .await;
    assert_eq!(
        (foreign.status, foreign.code()),
        (StatusCode::NOT_FOUND, "tag_not_found")
    );
    assert_eq!(all_ids(&ann, "/api/posts/mine").await, Vec::<String>::new());
    let reply = ann.get("/api/posts/not-an-id").await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::NOT_FOUND, "post_not_found")
    );
    let max = "é".repeat(5000);
    let reply = ann
        .post(
            "/api/posts",
            json!({ "content": format!("  {max}\n"), "audience": "private" }),
        )
        .await;
    assert_eq!(reply.body["content"], max.as_str());
}

#[tokio::test]
async fn pages_are_full_ordered_and_cursors_are_bound_to_their_owner() {
    let stack = Stack::start().await;
    let ann = signed_up(&stack).await;
    let bob = signed_up(&stack).await;
    connect(&ann, &bob).await;
    let mut written = Vec::new();
    for i in 0..12 {
        let author = if i % 3 == 0 { &bob } else { &ann };
        written.push(write(author, &format!("post {i}"), "connections", &[]).await);
    }
    written.reverse();
    let first = ann.get("/api/feed?limit=5").await;
    let ids: Vec<&str> = first.body["posts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        written[..5].iter().map(String::as_str).collect::<Vec<_>>()
    );
    let cursor = first.body["next_cursor"].as_str().unwrap().to_owned();
    // Posting meanwhile neither duplicates nor skips anything on later pages.
    write(&bob, "late news", "connections", &[]).await;
    let second = ann.get(&format!("/api/feed?limit=5&cursor={cursor}")).await;
    let ids: Vec<&str> = second.body["posts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        written[5..10]
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
    );
    // The whole feed, page by page, is exactly every post once, newest first.
    let everything = all_ids(&ann, "/api/feed").await;
    assert_eq!(everything.len(), 13);
    let mut sorted = everything.clone();
    sorted.sort();
    sorted.reverse();
    assert_eq!(everything, sorted);
    // A cursor is bound to its owner and its list.
    let foreign = bob.get(&format!("/api/feed?cursor={cursor}")).await;
    assert_eq!(
        (foreign.status, foreign.code()),
        (StatusCode::BAD_REQUEST, "invalid_cursor")
    );
    let other_list = ann.get(&format!("/api/posts/mine?cursor={cursor}")).await;
    assert_eq!(other_list.code(), "invalid_cursor");
    assert_eq!(
        ann.get("/api/feed?cursor=forged").await.code(),
        "invalid_cursor"
    );
    for limit in ["0", "51", "many"] {
        let reply = ann.get(&format!("/api/feed?limit={limit}")).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{limit}");
    }
}

#[tokio::test]
async fn the_tag_filter_narrows_the_feed_to_tagged_people() {
    let stack = Stack::start().await;
    let ann = signed_up(&stack).await;
    let bob = signed_up(&stack).await;
    let carol = signed_up(&stack).await;
    connect(&ann, &bob).await;
    connect(&ann, &carol).await;
    let close = create_tag(&ann, "Close").await;
    set_tags(&ann, &bob, &[&close]).await;
    let from_bob = write(&bob, "bob", "connections", &[]).await;
    let from_carol = write(&carol, "carol", "connections", &[]).await;
    let mine = write(&ann, "mine", "connections", &[]).await;
    let filtered = all_ids(&ann, &format!("/api/feed?tag_ids={close}")).await;
    assert_eq!(filtered, vec![from_bob.clone()]);
    let all = all_ids(&ann, "/api/feed").await;
    assert_eq!(all, vec![mine, from_carol, from_bob]);
    let foreign = bob.get(&format!("/api/feed?tag_ids={close}")).await;
    assert_eq!(
        (foreign.status, foreign.code()),
        (StatusCode::NOT_FOUND, "tag_not_found")
    );
}

#[tokio::test]
async fn the_cap_holds_for_requests_and_accepts() {
    let mut config = test_config();
    config.max_connections = 2;
    let stack = Stack::start_with(config).await;
    let ann = signed_up(&stack).await;
    let mut others = Vec::new();
    for _ in 0..4 {
        others.push(signed_up(&stack).await);
    }
    // Two get in; Ann is then at the cap.
    connect(&others[0], &ann).await;
    connect(&others[1], &ann).await;
    others[2]
        .post("/api/connections/requests", json!({ "user_id": ann.id }))
        .await;
    let accept = ann
        .post(
            &format!("/api/connections/requests/{}/accept", others[2].id),
            json!({}),
        )
        .await;
    assert_eq!(
        (accept.status, accept.code()),
        (StatusCode::CONFLICT, "connection_limit_reached")
    );
    let send = ann
        .post(
            "/api/connections/requests",
            json!({ "user_id": others[3].id }),
        )
        .await;
    assert_eq!(
        (send.status, send.code()),
        (StatusCode::CONFLICT, "connection_limit_reached")
    );
    // Someone at the cap cannot be connected to either.
    let bob = signed_up(&stack).await;
    bob.post(
        "/api/connections/requests",
        json!({ "user_id": others[0].id }),
    )
    .await;
    let reply = others[0]
        .post(
            &format!("/api/connections/requests/{}/accept", bob.id),
            json!({}),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "others[0] has one connection: {:?}",
        reply.body
    );
    ann.post("/api/connections/requests", json!({ "user_id": bob.id }))
        .await;
    let _ = ann
        .call(
            Method::DELETE,
            &format!("/api/connections/{}", others[1].id),
            None,
        )
        .await;
    ann.post("/api/connections/requests", json!({ "user_id": bob.id }))
        .await;
    let full = others[3]
        .post(
            "/api/connections/requests",
            json!({ "user_id": others[0].id }),
        )
        .await;
    assert_eq!(full.status, StatusCode::CREATED);
    let reply = others[0]
        .post(
            &format!("/api/connections/requests/{}/accept", others[3].id),
            json!({}),
        )
        .await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::CONFLICT, "connection_limit_reached")
    );
    let reply = others[3]
        .call(
            Method::DELETE,
            &format!("/api/connections/requests/{}", others[0].id),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    // Accepting someone who reached the cap since asking: their limit, not mine.
    let erin = signed_up(&stack).await;
    let fred = signed_up(&stack).await;
    erin.post("/api/connections/requests", json!({ "user_id": fred.id }))
        .await;
    let g = signed_up(&stack).await;
    let h = signed_up(&stack).await;
    connect(&g, &erin).await;
    connect(&h, &erin).await;
    let reply = fred
        .post(
            &format!("/api/connections/requests/{}/accept", erin.id),
            json!({}),
        )
        .await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::CONFLICT, "their_connection_limit_reached")
    );
    others[0]
        .post(
            "/api/connections/requests",
            json!({ "user_id": others[3].id }),
        )
        .await;
    let _ = others[0]
        .call(
            Method::DELETE,
            &format!("/api/connections/requests/{}", others[3].id),
            None,
        )
        .await;
    assert!(
        ann.get("/api/connections").await.body["count"]
            .as_u64()
            .unwrap()
            <= 2
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_accepts_never_pass_the_cap_and_counts_equal_edges() {
    let mut config = test_config();
    config.max_connections = 3;
    let stack = Stack::start_with(config).await;
    let ann = signed_up(&stack).await;
    let mut askers = Vec::new();
    for _ in 0..8 {
        let asker = signed_up(&stack).await;
        let reply = asker
            .post("/api/connections/requests", json!({ "user_id": ann.id }))
            .await;
        assert_eq!(reply.status, StatusCode::CREATED);
        askers.push(asker);
    }
    let paths: Vec<String> = askers
        .iter()
        .map(|asker| format!("/api/connections/requests/{}/accept", asker.id))
        .collect();
    let replies =
        futures::future::join_all(paths.iter().map(|path| ann.post(path, json!({})))).await;
    let ok = replies
        .iter()
        .filter(|r| r.status == StatusCode::OK)
        .count();
    let capped = replies
        .iter()
        .filter(|r| r.code() == "connection_limit_reached")
        .count();
    assert_eq!(
        (ok, capped),
        (3, 5),
        "{:?}",
        replies
            .iter()
            .map(|r| r.body.clone())
            .collect::<Vec<Value>>()
    );
    // Counts equal edges, and edges come in pairs.
    let list = ann.get("/api/connections").await;
    assert_eq!(list.body["count"], 3);
    assert_eq!(
        stack.app.store.counts(&ann.id).await.unwrap().connections,
        3
    );
    for connection in list.body["connections"].as_array().unwrap() {
        let other = connection["user"]["id"].as_str().unwrap();
        assert!(
            stack
                .app
                .store
                .edge(other, &ann.id)
                .await
                .unwrap()
                .is_some()
        );
        assert_eq!(stack.app.store.counts(other).await.unwrap().connections, 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn accept_racing_cancel_and_disconnect_racing_request_stay_consistent() {
    let stack = Stack::start().await;
    for _ in 0..4 {
        let ann = signed_up(&stack).await;
        let bob = signed_up(&stack).await;
        ann.post("/api/connections/requests", json!({ "user_id": bob.id }))
            .await;
        let accept_path = format!("/api/connections/requests/{}/accept", ann.id);
        let cancel_path = format!("/api/connections/requests/{}", bob.id);
        let (accept, cancel) = tokio::join!(
            bob.post(&accept_path, json!({})),
            ann.call(Method::DELETE, &cancel_path, None),
        );
        // Exactly one wins.
        assert!(
            (accept.status == StatusCode::OK) != (cancel.status == StatusCode::NO_CONTENT),
            "accept {:?} / cancel {:?}",
            accept.status,
            cancel.status
        );
        let connected = accept.status == StatusCode::OK;
        let counts = (
            stack.app.store.counts(&ann.id).await.unwrap(),
            stack.app.store.counts(&bob.id).await.unwrap(),
        );
        assert_eq!(counts.0.connections, u32::from(connected));
        assert_eq!(counts.1.connections, u32::from(connected));
        assert_eq!(counts.0.pending_out, 0);
        if connected {
            let disconnect_path = format!("/api/connections/{}", bob.id);
            let (disconnect, request) = tokio::join!(
                ann.call(Method::DELETE, &disconnect_path, None),
                bob.post("/api/connections/requests", json!({ "user_id": ann.id })),
            );
            assert_eq!(disconnect.status, StatusCode::NO_CONTENT);
            let edges = (
                stack
                    .app
                    .store
                    .edge(&ann.id, &bob.id)
                    .await
                    .unwrap()
                    .is_some(),
                stack
                    .app
                    .store
                    .edge(&bob.id, &ann.id)
                    .await
                    .unwrap()
                    .is_some(),
            );
            assert_eq!(edges, (false, false));
            assert_eq!(
                stack.app.store.counts(&ann.id).await.unwrap().connections,
                0
            );
            assert_eq!(
                stack.app.store.counts(&bob.id).await.unwrap().connections,
                0
            );
            let pending = stack.app.store.counts(&bob.id).await.unwrap().pending_out;
            assert_eq!(
                pending,
                u32::from(request.status == StatusCode::CREATED),
                "{:?}",
                request.body
            );
        }
    }
}

/// A person made directly in the store (no argon2, no email): for tests that
/// need many people and only use them as others' connections.
async fn seeded_person(stack: &Stack) -> shared::store::UserRecord {
    use shared::domain::Timestamp;
    use shared::domain::account::Email;
    use shared::domain::one_time_code::{CodePurpose, hash_code};
    use shared::domain::session::new_id;
    use shared::store::{CodeToConsume, CountInWindow, UserRecord};
    let suffix = unique();
    let user = UserRecord {
        id: new_id(),
        username: format!("s_{suffix}"),
        email: format!("seeded-{suffix}@example.com"),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2VlZGVkc2VlZGVk$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".into(),
        created_at: Timestamp::now(),
    };
    let email = Email::parse(&user.email).unwrap();
    let store = &stack.app.store;
    let hash = hash_code(
        stack.app.keys.code_key(),
        CodePurpose::Register,
        &email,
        "000000",
    );
    store
        .put_code(
            CodePurpose::Register,
            &email,
            &hash,
            Timestamp::now().plus_seconds(600),
        )
        .await
        .unwrap();
    let consume = CodeToConsume {
        purpose: CodePurpose::Register,
        email: &email,
        code_hash: &hash,
        now: Timestamp::now(),
    };
    // Seeded directly: counted in a window of its own, never full.
    let count = CountInWindow {
        rule: "register-seeded",
        subject: &user.id,
        window_start: 0,
        expires_at: Timestamp::now().plus_seconds(600),
        max: u32::MAX,
    };
    store.create_user(&user, consume, count).await.unwrap();
    user
}

#[tokio::test]
async fn dynamodb_requests_per_call_stay_within_the_bounds() {
    use shared::domain::Timestamp;
    let stack = Stack::start().await;
    let ann = signed_up(&stack).await;
    let me = stack.app.store.user(&ann.id).await.unwrap().unwrap();
    // Ann has 100 connections, each with posts in her feed.
    for i in 0..100 {
        let other = seeded_person(&stack).await;
        stack
            .app
            .store
            .send_request(&other, &me, 100, Timestamp::now())
            .await
            .unwrap();
        stack
            .app
            .store
            .accept_request(&me, &other, 100, Timestamp::now())
            .await
            .unwrap();
        if i % 10 == 0 {
            let post = shared::store::PostRecord {
                id: shared::domain::session::new_id(),
                author_id: other.id.clone(),
                author_username: other.username.clone(),
                content: format!("news {i}"),
                audience: shared::domain::social::Audience::Connections,
                tag_ids: vec![],
                created_at: Timestamp::now(),
                edited_at: None,
            };
            stack
                .app
                .store
                .create_post(&post, std::slice::from_ref(&me.id))
                .await
                .unwrap();
        }
    }
    assert_eq!(ann.get("/api/connections").await.body["count"], 100);

    // The connections list: 1 Query (each edge carries the other's username).
    ann.get("/api/connections").await.assert_cost(1, 1);
    // Creating a post for 100 connections: 1 Query + ⌈102 / 25⌉ BatchWriteItem = 6
    // (bound: 7), the five batches at once: 2 deep.
    let reply = ann
        .post(
            "/api/posts",
            json!({ "content": "to all of you", "audience": "connections" }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    reply.assert_cost(6, 2);
    // An unfiltered feed page: 1 Query + 1 BatchGetItem, whatever the connections (bound: 2).
    let reply = ann.get("/api/feed").await;
    assert_eq!(reply.body["posts"].as_array().unwrap().len(), 11);
    reply.assert_cost(2, 2);
    let reply = ann.get("/api/feed?limit=5").await;
    reply.assert_cost(2, 2);
    let reply = ann
        .get(&format!(
            "/api/feed?limit=5&cursor={}",
            reply.body["next_cursor"].as_str().unwrap()
        ))
        .await;
    assert_eq!(reply.body["posts"].as_array().unwrap().len(), 5);
    reply.assert_cost(2, 2);
    // My posts: 1 Query.
    ann.get("/api/posts/mine").await.assert_cost(1, 1);
    // Accepting commits in one transaction: BatchGetItem, then
    // TransactWriteItems beside the two backfill reads (Query GSI1 each;
    // nobody has posts to copy here, so no writes follow): 2 deep.
    let bob = signed_up(&stack).await;
    let carol = signed_up(&stack).await;
    bob.post("/api/connections/requests", json!({ "user_id": carol.id }))
        .await;
    let reply = carol
        .post(
            &format!("/api/connections/requests/{}/accept", bob.id),
            json!({}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    reply.assert_cost(4, 2);
    // At most 100 pending outgoing requests: Dan asks 100 of Ann's connections
    // (through the store, to keep the test quick), then once more through the API.
    let dan = signed_up(&stack).await;
    let dan_record = stack.app.store.user(&dan.id).await.unwrap().unwrap();
    let connections = ann.get("/api/connections").await;
    for connection in connections.body["connections"].as_array().unwrap() {
        let other = stack
            .app
            .store
            .user(connection["user"]["id"].as_str().unwrap())
            .await
            .unwrap()
            .unwrap();
        stack
            .app
            .store
            .send_request(&dan_record, &other, 100, Timestamp::now())
            .await
            .unwrap();
    }
    let reply = dan
        .post("/api/connections/requests", json!({ "user_id": bob.id }))
        .await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::CONFLICT, "too_many_pending_requests")
    );
    assert_eq!(
        stack.app.store.counts(&dan.id).await.unwrap().pending_out,
        100
    );
    // Disconnecting: one TransactWriteItems, then the two prunes (Query each) at once.
    let reply = carol
        .call(
            Method::DELETE,
            &format!("/api/connections/{}", bob.id),
            None,
        )
        .await;
    reply.assert_cost(3, 2);

    // A tag on 20 of Ann's connections, then deleted: its GetItem beside the
    // connections Query; the 20 UpdateItems that take it off them beside the
    // 20 feed Queries (25 may be in flight); then the TransactWriteItems (no
    // feed entries to remove): 3 deep. (Past 25 the depth depends on which
    // requests finish first: at least one more level per 25.)
    let tag = create_tag(&ann, "close").await;
    let connections = ann.get("/api/connections").await;
    for connection in connections.body["connections"]
        .as_array()
        .unwrap()
        .iter()
        .take(20)
    {
        let other = connection["user"]["id"].as_str().unwrap();
        let reply = ann
            .call(
                Method::PUT,
                &format!("/api/connections/{other}/tags"),
                Some(json!({ "tag_ids": [tag] })),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK);
        // Edge GetItem, then the TransactWriteItems beside the backfill read
        // (nothing to copy): 2 deep.
        reply.assert_cost(3, 2);
    }
    // A tag-filtered feed page: the caller's edges (1 Query), then one round
    // of up to 100 entries (1 Query, the author filter in DynamoDB) and, if
    // any matched, their posts (1 BatchGetItem): at most 3 deep, where a
    // round limited to the page size took up to 8.
    // (A page of 1: the newest entry, her own post, never passes a tag filter.)
    let reply = ann.get(&format!("/api/feed?tag_ids={tag}&limit=1")).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        reply.dynamodb_requests() <= 3 && reply.dynamodb_depth() <= 3,
        "{} requests, {} deep",
        reply.dynamodb_requests(),
        reply.dynamodb_depth()
    );
    let reply = ann
        .call(Method::DELETE, &format!("/api/tags/{tag}"), None)
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    reply.assert_cost(2 + 20 + 20 + 1, 3);
}

#[tokio::test]
async fn unknown_and_malformed_ids_are_not_found_never_errors() {
    let stack = Stack::start().await;
    let ann = signed_up(&stack).await;
    let missing = "01J00000000000000000000000";
    for (method, path, code) in [
        (
            Method::GET,
            format!("/api/users/{missing}"),
            "user_not_found",
        ),
        (
            Method::GET,
            format!("/api/users/{missing}/posts"),
            "user_not_found",
        ),
        (
            Method::GET,
            "/api/users/nonsense".to_owned(),
            "user_not_found",
        ),
        (
            Method::GET,
            format!("/api/posts/{missing}"),
            "post_not_found",
        ),
        (
            Method::DELETE,
            "/api/posts/not-a-post-id".to_owned(),
            "post_not_found",
        ),
        (
            Method::PATCH,
            format!("/api/tags/{missing}"),
            "tag_not_found",
        ),
        (
            Method::DELETE,
            format!("/api/connections/{missing}"),
            "connection_not_found",
        ),
        (
            Method::POST,
            format!("/api/connections/requests/{missing}/accept"),
            "request_not_found",
        ),
        (
            Method::DELETE,
            format!("/api/connections/requests/{missing}"),
            "request_not_found",
        ),
    ] {
        let body = (method == Method::PATCH).then(|| json!({ "name": "x" }));
        let reply = ann.call(method.clone(), &path, body).await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::NOT_FOUND, code),
            "{method} {path}: {:?}",
            reply.body
        );
    }
    let reply = ann
        .call(
            Method::PUT,
            &format!("/api/connections/{missing}/tags"),
            Some(json!({ "tag_ids": [] })),
        )
        .await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::NOT_FOUND, "connection_not_found")
    );
}
