//! The data export (`GET /api/account/export`): everything of the person
//! and nothing of anyone else's, in parts whose size and DynamoDB cost stay
//! bounded for an account with 10,000 posts.

use crate::common::*;
use crate::social_common::*;
use aws_sdk_dynamodb::types::{PutRequest, WriteRequest};
use futures::StreamExt;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use shared::domain::Timestamp;
use shared::domain::export::POSTS_BUDGET;
use shared::domain::social::POST_MAX_LEN;
use std::collections::HashSet;
use std::time::Duration;

/// Lambda refuses a response over 6 MB (the payload-2.0 envelope, in which
/// the body is a JSON string and so escaped once more).
const LAMBDA_RESPONSE_LIMIT: usize = 6 * 1024 * 1024;

/// The parts of `person`'s export, first to last.
async fn export_parts(person: &Person) -> Vec<Reply> {
    let mut parts = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/account/export?cursor={c}"),
            None => "/api/account/export".to_owned(),
        };
        let reply = person.get(&path).await;
        assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
        cursor = reply.body["next_cursor"].as_str().map(str::to_owned);
        parts.push(reply);
        if cursor.is_none() {
            return parts;
        }
        assert!(parts.len() < 100, "an export that does not end");
    }
}

/// The parts merged as the documented rule says (and the SPA does).
fn merged(parts: &[Reply]) -> Value {
    let mut whole = serde_json::Map::new();
    for part in parts {
        for (key, value) in part.body.as_object().unwrap() {
            if key == "next_cursor" {
                continue;
            }
            match (whole.get_mut(key), value) {
                (Some(Value::Array(all)), Value::Array(more)) => all.extend(more.iter().cloned()),
                (None, _) => {
                    whole.insert(key.clone(), value.clone());
                }
                _ => {}
            }
        }
    }
    Value::Object(whole)
}

fn texts(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|item| item["content"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn the_export_holds_everything_of_the_person_and_nothing_of_anyone_else() {
    let stack = Stack::start().await;
    let ann = signed_up(&stack).await;
    let bob = signed_up(&stack).await;
    let cat = signed_up(&stack).await;
    let dan = signed_up(&stack).await;
    let eve = signed_up(&stack).await;

    let reply = ann
        .call(
            Method::PATCH,
            "/api/auth/me",
            Some(json!({ "display_name": "Ann Lee", "bio": "Potter." })),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let reply = ann
        .call(
            Method::PUT,
            "/api/account/email-settings",
            Some(json!({ "on_request": false, "on_accept": true })),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    connect(&ann, &bob).await;
    connect(&cat, &ann).await;
    let reply = ann
        .post("/api/connections/requests", json!({ "user_id": dan.id }))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    let reply = eve
        .post("/api/connections/requests", json!({ "user_id": ann.id }))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    let family = create_tag(&ann, "Family").await;
    let gone = create_tag(&ann, "Old friends").await;
    assert_eq!(
        set_tags(&ann, &bob, &[&family]).await.status,
        StatusCode::OK
    );
    // Bob's own tag on Ann is his, not hers.
    let bobs_tag = create_tag(&bob, "Pottery class").await;
    assert_eq!(
        set_tags(&bob, &ann, &[&bobs_tag]).await.status,
        StatusCode::OK
    );
    // Someone Ann blocked.
    let fay = signed_up(&stack).await;
    let reply = ann.post("/api/blocks", json!({ "user_id": fay.id })).await;
    assert_eq!(reply.status, StatusCode::CREATED);
    // A friend Ann invited by email.
    let friend = format!("friend-{}@example.com", unique());
    let reply = ann
        .post("/api/invitations", json!({ "email": friend }))
        .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{:?}", reply.body);
    let everyone = write(&ann, "For all of you.", "connections", &[]).await;
    let for_family = write(&ann, "Family only.", "tags", &[&family, &gone]).await;
    write(&ann, "Just me.", "private", &[]).await;
    let reply = ann
        .call(Method::DELETE, &format!("/api/tags/{gone}"), None)
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{:?}", reply.body);
    let bobs = write(&bob, "Bob's own news.", "connections", &[]).await;
    for (who, post, text) in [
        (&ann, &bobs, "Congratulations!"),
        (&bob, &everyone, "Thanks from Bob."),
        (&ann, &everyone, "Glad you like it."),
    ] {
        let reply = who
            .post(
                &format!("/api/posts/{post}/comments"),
                json!({ "content": text }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    }
    for (who, post, kind) in [
        (&ann, &bobs, "heart"),
        (&bob, &everyone, "laugh"),
        (&ann, &everyone, "heart"),
    ] {
        let reply = who
            .call(
                Method::PUT,
                &format!("/api/posts/{post}/reaction"),
                Some(json!({ "kind": kind })),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    }

    let parts = export_parts(&ann).await;
    assert_eq!(parts.len(), 1, "a small account's export is one part");
    // 1 UpdateItem (the export count), then the profile, connections,
    // requests each way, blocks, invitations, tags, and a page each of
    // posts, comments and reactions, at once.
    parts[0].assert_read_cost(11, 2);
    assert_eq!(
        parts[0].headers["cache-control"], "no-store",
        "{:?}",
        parts[0].headers
    );
    let export = merged(&parts);
    assert_eq!(export["format"], "intentional-social-export");
    assert_eq!(export["version"], 1);
    assert!(export["exported_at"].as_str().unwrap().ends_with('Z'));

    let profile = &export["profile"];
    assert_eq!(profile["id"], ann.id.as_str());
    assert_eq!(profile["username"], ann.username.as_str());
    assert_eq!(profile["email"], ann.email.as_str());
    assert_eq!(profile["display_name"], "Ann Lee");
    assert_eq!(profile["bio"], "Potter.");
    assert_eq!(
        export["settings"],
        json!({ "email": { "on_request": false, "on_accept": true } })
    );
    let tag_names: Vec<&str> = export["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(tag_names, ["Family"]);

    let connections = export["connections"].as_array().unwrap();
    assert_eq!(connections.len(), 2);
    let with_bob = connections
        .iter()
        .find(|c| c["user"]["id"] == bob.id.as_str())
        .unwrap();
    assert_eq!(with_bob["user"]["username"], bob.username.as_str());
    assert_eq!(
        with_bob["tags"],
        json!([{ "id": family, "name": "Family" }])
    );
    assert!(with_bob["connected_at"].is_string());
    let with_cat = connections
        .iter()
        .find(|c| c["user"]["id"] == cat.id.as_str())
        .unwrap();
    assert_eq!(with_cat["tags"], json!([]));
    assert_eq!(
        export["requests"]["outgoing"][0]["user"]["username"],
        dan.username.as_str()
    );
    assert_eq!(
        export["requests"]["incoming"][0]["user"]["username"],
        eve.username.as_str()
    );
    assert_eq!(export["requests"]["outgoing"].as_array().unwrap().len(), 1);
    assert_eq!(export["requests"]["incoming"].as_array().unwrap().len(), 1);

    assert_eq!(
        export["blocks"][0]["user"]["username"],
        fay.username.as_str()
    );
    assert_eq!(export["blocks"].as_array().unwrap().len(), 1);
    assert_eq!(export["invitations"][0]["email"], friend.as_str());
    assert_eq!(export["invitations"][0]["status"], "pending");
    assert_eq!(export["invitations"].as_array().unwrap().len(), 1);
    let posts = &export["posts"];
    let mut post_texts = texts(posts);
    post_texts.sort();
    assert_eq!(post_texts, ["Family only.", "For all of you.", "Just me."]);
    let family_post = posts
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == for_family.as_str())
        .unwrap();
    assert_eq!(family_post["audience"], "tags");
    let mut post_tags = family_post["tags"].as_array().unwrap().clone();
    post_tags.sort_by_key(|t| t["id"].as_str().unwrap().to_owned());
    let mut expected = vec![
        json!({ "id": family, "name": "Family" }),
        json!({ "id": gone, "name": null }),
    ];
    expected.sort_by_key(|t| t["id"].as_str().unwrap().to_owned());
    assert_eq!(
        post_tags, expected,
        "a deleted tag keeps its id, not a name"
    );
    let first_post = posts
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == everyone.as_str())
        .unwrap();
    assert_eq!(first_post["audience"], "connections");
    assert_eq!(first_post["comment_count"], 2);
    assert_eq!(
        first_post["reaction_counts"],
        json!({ "heart": 1, "laugh": 1 })
    );

    let mut comment_texts = texts(&export["comments"]);
    comment_texts.sort();
    assert_eq!(comment_texts, ["Congratulations!", "Glad you like it."]);
    let on_bobs = export["comments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["content"] == "Congratulations!")
        .unwrap();
    assert_eq!(on_bobs["post_id"], bobs.as_str());
    let mut reactions: Vec<(String, String)> = export["reactions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["post_id"].as_str().unwrap().to_owned(),
                r["kind"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    reactions.sort();
    let mut expected = vec![
        (bobs.clone(), "heart".to_owned()),
        (everyone.clone(), "heart".to_owned()),
    ];
    expected.sort();
    assert_eq!(reactions, expected);

    // Nothing of anyone else's: not Bob's post or comment, not his tag on
    // Ann, not anybody's email address or display name.
    let text = export.to_string();
    for other in [
        "Bob's own news.",
        "Thanks from Bob.",
        "Pottery class",
        bobs_tag.as_str(),
        bob.email.as_str(),
        cat.email.as_str(),
        dan.email.as_str(),
        eve.email.as_str(),
    ] {
        assert!(!text.contains(other), "{other} is in Ann's export");
    }

    // Bob's export is his own.
    let bobs_export = merged(&export_parts(&bob).await);
    assert_eq!(texts(&bobs_export["posts"]), ["Bob's own news."]);
    assert_eq!(texts(&bobs_export["comments"]), ["Thanks from Bob."]);
}

/// Writes `count` posts of `person` straight into the table, 25 a request
/// (through the API this would take minutes): every tenth as long as a
/// post may be, and made of the character JSON must escape, the worst case
/// for a part's size.
async fn seed_posts(stack: &Stack, person: &Person, count: usize) -> Vec<String> {
    use shared::domain::social::Audience;
    use shared::store::PostRecord;
    let author = stack
        .app
        .store
        .user(&person.user_id())
        .await
        .unwrap()
        .unwrap();
    let posts: Vec<PostRecord> = (0..count)
        .map(|i| PostRecord {
            id: shared::domain::ids::PostId::new(),
            author_id: author.id.clone(),
            author_username: author.username.clone(),
            author_display_name: None,
            content: if i % 10 == 0 {
                "\"".repeat(POST_MAX_LEN)
            } else {
                format!("Post number {i}, a few words long like most.")
            },
            audience: Audience::Connections,
            tag_ids: vec![],
            created_at: Timestamp::now(),
            edited_at: None,
            conversation: Default::default(),
        })
        .collect();
    let ids = posts.iter().map(|p| p.id.as_str().to_owned()).collect();
    let client = dynamodb().await;
    let table = stack.app.store.table();
    let batches: Vec<Vec<WriteRequest>> = posts
        .chunks(25)
        .map(|chunk| {
            chunk
                .iter()
                .map(|post| {
                    let put = PutRequest::builder()
                        .set_item(Some(shared::store::post_item(post)))
                        .build()
                        .unwrap();
                    WriteRequest::builder().put_request(put).build()
                })
                .collect()
        })
        .collect();
    futures::stream::iter(batches)
        .map(|batch| {
            let client = &client;
            async move {
                let output = client
                    .batch_write_item()
                    .request_items(table, batch)
                    .send()
                    .await
                    .unwrap();
                let left = output.unprocessed_items.unwrap_or_default();
                assert!(left.values().all(Vec::is_empty), "unprocessed seed items");
            }
        })
        .buffer_unordered(8)
        .collect::<Vec<()>>()
        .await;
    ids
}

#[tokio::test]
async fn an_export_of_10_000_posts_comes_in_a_few_parts_each_bounded() {
    let stack = Stack::start().await;
    let ann = signed_up(&stack).await;
    let bob = signed_up(&stack).await;
    connect(&ann, &bob).await;
    // 10,000 posts on Dynoxide; moto, much slower to write to, checks the
    // same on fewer.
    let count = if engine() == "moto" { 2_000 } else { 10_000 };
    let seeded = seed_posts(&stack, &ann, count).await;
    let bobs = write(&bob, "Bob's own news.", "connections", &[]).await;
    for i in 0..3 {
        let reply = ann
            .post(
                &format!("/api/posts/{bobs}/comments"),
                json!({ "content": format!("Comment {i}") }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    }

    let parts = export_parts(&ann).await;
    let mut posts = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        // The first part reads the short lists too (11 requests); a later
        // one the profile, the tags and a page of each unfinished list.
        if i == 0 {
            part.assert_read_cost(11, 2);
        } else {
            assert!(part.dynamodb_requests() <= 1 + 5 + CLIENT_COUNT, "part {i}");
            assert_eq!(part.dynamodb_depth(), 2, "part {i}");
        }
        let body = part.body.to_string();
        let envelope = serde_json::to_string(&Value::String(body.clone())).unwrap();
        assert!(
            envelope.len() < LAMBDA_RESPONSE_LIMIT / 2,
            "part {i}: {} bytes as a Lambda response",
            envelope.len()
        );
        assert!(
            body.len() < 2 * 1024 * 1024,
            "part {i}: {} bytes",
            body.len()
        );
        assert_eq!(part.body["exported_at"], parts[0].body["exported_at"]);
        // Posts are cut to their byte budget (one post may go over it).
        let posts_bytes = part.body["posts"].to_string().len();
        assert!(
            posts_bytes <= POSTS_BUDGET + 2 * POST_MAX_LEN + 1024,
            "part {i}: {posts_bytes} bytes of posts"
        );
        eprintln!(
            "part {i}: {} bytes, {posts_bytes} of posts, {} as a Lambda response, {} posts, {} DynamoDB requests",
            body.len(),
            envelope.len(),
            part.body["posts"].as_array().map_or(0, Vec::len),
            part.dynamodb_requests()
        );
        posts.extend(
            part.body["posts"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| p["id"].as_str().unwrap().to_owned()),
        );
    }
    // About 850 of these posts fit a part's budget.
    assert!(
        (count / 1000..=count / 500 + 1).contains(&parts.len()),
        "{} parts for {count} posts",
        parts.len()
    );
    let unique: HashSet<&String> = posts.iter().collect();
    assert_eq!(unique.len(), posts.len(), "a post in two parts");
    assert_eq!(unique, seeded.iter().collect::<HashSet<_>>());
    let export = merged(&parts);
    assert_eq!(export["comments"].as_array().unwrap().len(), 3);
    assert!(export["profile"].is_object());

    // A cursor is Ann's, for this export, unaltered and fresh.
    let cursor = parts[0].body["next_cursor"].as_str().unwrap();
    let reply = bob
        .get(&format!("/api/account/export?cursor={cursor}"))
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{:?}", reply.body);
    assert_eq!(reply.code(), "invalid_cursor");
    let mut altered = cursor.to_owned();
    altered.replace_range(..1, if cursor.starts_with('A') { "B" } else { "A" });
    let reply = ann
        .get(&format!("/api/account/export?cursor={altered}"))
        .await;
    assert_eq!(reply.code(), "invalid_cursor", "{:?}", reply.body);
    let old = shared::domain::export::ExportPosition {
        exported_at: Timestamp::now().plus_seconds(-3601),
        posts: shared::domain::export::ListPosition::Before(seeded[0].clone()),
        comments: shared::domain::export::ListPosition::Done,
        reactions: shared::domain::export::ListPosition::Done,
    };
    let expired = shared::domain::social::Cursors::new(stack.app.keys.cursor_key()).encode(
        &ann.id,
        "export",
        &old.encode(),
    );
    let reply = ann
        .get(&format!("/api/account/export?cursor={expired}"))
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{:?}", reply.body);
    assert_eq!(reply.code(), "export_expired");
    let reply = ann.get("/api/account/export?cursor=&limit=3").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{:?}", reply.body);
}

#[tokio::test]
async fn exports_are_counted_part_by_part_per_account() {
    let mut config = test_config();
    let window = Duration::from_secs(3600);
    config.rate_limits.export_parts_per_account = shared::config::RateLimit { max: 2, window };
    let stack = Stack::start_with(config).await;
    let ann = signed_up(&stack).await;
    let bob = signed_up(&stack).await;
    fresh_window(window, 60).await;
    for _ in 0..2 {
        assert_eq!(ann.get("/api/account/export").await.status, StatusCode::OK);
    }
    let refused = ann.get("/api/account/export").await;
    assert_rate_limited(&refused, window);
    // Per account: Bob's export is his own count.
    assert_eq!(bob.get("/api/account/export").await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_deleted_account_exports_nothing_more() {
    let stack = Stack::start().await;
    let ann = signed_up(&stack).await;
    write(&ann, "Soon gone.", "connections", &[]).await;
    let reply = ann
        .call(
            Method::DELETE,
            "/api/account",
            Some(json!({ "password": PASSWORD })),
        )
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{:?}", reply.body);
    // Her access token is still unexpired; the account behind it is gone.
    let reply = ann.get("/api/account/export").await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{:?}", reply.body);
    assert!(!reply.body.to_string().contains("Soon gone."));
}
