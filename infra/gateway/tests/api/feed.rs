//! The feed through the real HTTP path: its pages and cursors, the tag
//! filter, and the DynamoDB requests each social call makes.

use crate::common::*;
use crate::social_common::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

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

/// A person made directly in the store (no argon2, no email): for tests that
/// need many people and only use them as others' connections.
async fn seeded_person(stack: &Stack) -> shared::store::UserRecord {
    use shared::domain::Timestamp;
    use shared::domain::account::{Email, Username};
    use shared::domain::ids::UserId;
    use shared::domain::one_time_code::{CodePurpose, hash_code};
    use shared::store::{CodeToConsume, CountInWindow, UserRecord};
    let suffix = unique();
    let user = UserRecord {
        id: UserId::new(),
        username: Username::parse(&format!("s_{suffix}")).unwrap(),
        email: Email::parse(&format!("seeded-{suffix}@example.com")).unwrap(),
        credentials: 0,
        created_at: Timestamp::now(),
        email_settings: Default::default(),
        display_name: None,
        bio: None,
        suspended: false,
    };
    let email = user.email.clone();
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
        subject: user.id.as_str(),
        window_start: 0,
        expires_at: Timestamp::now().plus_seconds(600),
        max: u32::MAX,
    };
    store
        .create_user(&user, "$argon2id$v=19$m=19456,t=2,p=1$c2VlZGVkc2VlZGVk$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", consume, count)
        .await
        .unwrap();
    user
}

#[tokio::test]
async fn dynamodb_requests_per_call_stay_within_the_bounds() {
    use shared::domain::Timestamp;
    let stack = Stack::start().await;
    let ann = signed_up(&stack).await;
    let me = stack.app.store.user(&ann.user_id()).await.unwrap().unwrap();
    // The counts below are each call's own work; `assert_read_cost` and
    // `assert_write_cost` add the per-client count (common.rs).
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
                id: shared::domain::ids::PostId::new(),
                author_id: other.id.clone(),
                author_username: other.username.clone(),
                author_display_name: None,
                content: format!("news {i}"),
                audience: shared::domain::social::Audience::Connections,
                tag_ids: vec![],
                created_at: Timestamp::now(),
                edited_at: None,
                conversation: Default::default(),
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

    // The connections list: 1 Query (each edge carries the other's
    // username), then 1 BatchGetItem of the 100 profiles (display names are
    // read, never copied, so a new name shows at once everywhere).
    ann.get("/api/connections").await.assert_read_cost(2, 2);
    // Creating a post for 100 connections: 1 Query + ⌈101 / 25⌉ BatchWriteItem
    // (the feed entries, the five batches at once) + 1 PutItem (the post,
    // last: see data-model.md) = 7, 3 deep.
    let reply = ann
        .post(
            "/api/posts",
            json!({ "content": "to all of you", "audience": "connections" }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    reply.assert_write_cost(7, 3);
    // An unfiltered feed page: 1 Query + 1 BatchGetItem, whatever the connections (bound: 2).
    let reply = ann.get("/api/feed").await;
    assert_eq!(reply.body["posts"].as_array().unwrap().len(), 11);
    reply.assert_read_cost(2, 2);
    let reply = ann.get("/api/feed?limit=5").await;
    reply.assert_read_cost(2, 2);
    let reply = ann
        .get(&format!(
            "/api/feed?limit=5&cursor={}",
            reply.body["next_cursor"].as_str().unwrap()
        ))
        .await;
    assert_eq!(reply.body["posts"].as_array().unwrap().len(), 5);
    reply.assert_read_cost(2, 2);
    // My posts: 1 Query, then 1 BatchGetItem of my own reactions to them.
    ann.get("/api/posts/mine").await.assert_read_cost(2, 2);
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
    // The notification's note (1 PutItem) beside them, then the
    // requester's notification (1 PutItem): 3 deep.
    reply.assert_write_cost(6, 3);
    // At most 100 pending outgoing requests: Dan asks 100 of Ann's connections
    // (through the store, to keep the test quick), then once more through the API.
    let dan = signed_up(&stack).await;
    let dan_record = stack.app.store.user(&dan.user_id()).await.unwrap().unwrap();
    let connections = ann.get("/api/connections").await;
    for connection in connections.body["connections"].as_array().unwrap() {
        let other = stack
            .app
            .store
            .user(
                &shared::domain::ids::UserId::parse(connection["user"]["id"].as_str().unwrap())
                    .unwrap(),
            )
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
        stack
            .app
            .store
            .counts(&dan.user_id())
            .await
            .unwrap()
            .pending_out,
        100
    );
    // Disconnecting: one TransactWriteItems, then the two prunes (Query
    // each) beside the two reads of thread notifications to take away
    // (Query each; none here, so no deletions): 2 deep.
    let reply = carol
        .call(
            Method::DELETE,
            &format!("/api/connections/{}", bob.id),
            None,
        )
        .await;
    reply.assert_write_cost(5, 2);

    // A tag on 20 of Ann's connections, then deleted: its GetItem beside the
    // connections Query; the 20 UpdateItems that take it off them beside the
    // 20 feed Queries (25 may be in flight); then the TransactWriteItems (no
    // feed entries to remove) beside the 20 reads of thread notifications
    // the tag took away (Query each; none here): 3 deep. (Past 25 the depth depends on which
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
        reply.assert_write_cost(3, 2);
    }
    // A tag-filtered feed page: the caller's edges (1 Query), then one round
    // of up to 100 entries (1 Query, the author filter in DynamoDB) and, if
    // any matched, their posts (1 BatchGetItem): at most 3 deep, where a
    // round limited to the page size took up to 8.
    // (A page of 1: the newest entry, her own post, never passes a tag filter.)
    let reply = ann.get(&format!("/api/feed?tag_ids={tag}&limit=1")).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        reply.dynamodb_requests() <= 3 + CLIENT_COUNT && reply.dynamodb_depth() <= 3,
        "{} requests, {} deep",
        reply.dynamodb_requests(),
        reply.dynamodb_depth()
    );
    let reply = ann
        .call(Method::DELETE, &format!("/api/tags/{tag}"), None)
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    reply.assert_write_cost(2 + 20 + 20 + 1 + 20, 3);
}
