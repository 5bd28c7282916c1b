//! Posts through the real HTTP path: audiences and who sees them, before and
//! after every change, and their validation.

use crate::common::*;
use crate::social_common::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

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
async fn text_direction_controls_are_refused_in_posts_and_tag_names() {
    let stack = Stack::start().await;
    let ann = signed_up(&stack).await;
    let post = write(&ann, "plain words", "connections", &[]).await;
    let tag = create_tag(&ann, "Family").await;
    for control in ['\u{202A}', '\u{202E}', '\u{2066}', '\u{2069}'] {
        // "evil\u{202E}gpj.exe" displays as "evilexe.jpg".
        let text = format!("evil{control}gpj.exe");
        for (method, path, body, code) in [
            (
                Method::POST,
                "/api/posts".to_owned(),
                json!({ "content": text, "audience": "private" }),
                "invalid_content",
            ),
            (
                Method::PATCH,
                format!("/api/posts/{post}"),
                json!({ "content": text }),
                "invalid_content",
            ),
            (
                Method::POST,
                "/api/tags".to_owned(),
                json!({ "name": format!("ab{control}", ), "color": "work" }),
                "invalid_tag_name",
            ),
            (
                Method::PATCH,
                format!("/api/tags/{tag}"),
                json!({ "name": format!("ab{control}") }),
                "invalid_tag_name",
            ),
        ] {
            let reply = ann.call(method.clone(), &path, Some(body)).await;
            assert_eq!(
                reply.status,
                StatusCode::BAD_REQUEST,
                "{method} {path}: {:?}",
                reply.body
            );
            assert_eq!(reply.code(), code, "{method} {path}");
        }
    }
    // Nothing changed.
    let reply = ann.get(&format!("/api/posts/{post}")).await;
    assert_eq!(reply.body["content"], "plain words");
    let tags = ann.get("/api/tags").await;
    assert_eq!(tags.body["tags"][0]["name"], "Family");
    assert_eq!(tags.body["tags"].as_array().unwrap().len(), 1);
    // Right-to-left writing itself is welcome.
    let reply = ann
        .post(
            "/api/posts",
            json!({ "content": "שלום עולם", "audience": "private" }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
}
