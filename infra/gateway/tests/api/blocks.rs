//! Blocking: what it ends, what it hides from the blocked person (with the
//! answers for nobody there), the list and unblocking, and a block racing an
//! accept.

use crate::common::*;
use crate::social_common::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

async fn block(person: &Person, other: &Person) -> Reply {
    person
        .post("/api/blocks", json!({ "user_id": other.id }))
        .await
}

fn count(reply: &Reply) -> u64 {
    reply.body["count"].as_u64().unwrap()
}

/// A well-formed id that is nobody's.
const NOBODY: &str = "01JD4Q8Z9X2V7K3M5N6P8R0T2W";

#[tokio::test]
async fn a_block_ends_what_was_between_them_and_the_blocker_is_not_there_for_the_blocked() {
    let stack = Stack::start().await;
    let ann = signed_up(&stack).await;
    let bob = signed_up(&stack).await;
    let cat = signed_up(&stack).await;
    let dan = signed_up(&stack).await;
    connect(&ann, &bob).await;
    write(&ann, "Ann's news.", "connections", &[]).await;
    assert!(
        bob.get("/api/feed")
            .await
            .body
            .to_string()
            .contains("Ann's news.")
    );
    let reply = cat
        .post("/api/connections/requests", json!({ "user_id": ann.id }))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    let reply = ann
        .post("/api/connections/requests", json!({ "user_id": dan.id }))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED);

    // A connection: both edges and both counts go, and both feeds lose the
    // other's posts.
    let reply = block(&ann, &bob).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    assert_eq!(count(&ann.get("/api/connections").await), 0);
    assert_eq!(count(&bob.get("/api/connections").await), 0);
    assert!(
        !bob.get("/api/feed")
            .await
            .body
            .to_string()
            .contains("Ann's news.")
    );
    // A request either way: gone on both sides (the profiles, what is
    // between them, the transaction; then a Query of each one's
    // notifications and the deletion of Cat's request notice to Ann: 6, 4
    // deep).
    let reply = block(&ann, &cat).await;
    assert_eq!(reply.status, StatusCode::CREATED);
    reply.assert_write_cost(6, 4);
    let reply = block(&ann, &dan).await;
    assert_eq!(reply.status, StatusCode::CREATED);
    for (person, direction) in [
        (&cat, "outgoing"),
        (&ann, "incoming"),
        (&ann, "outgoing"),
        (&dan, "incoming"),
    ] {
        let reply = person
            .get(&format!("/api/connections/requests?direction={direction}"))
            .await;
        assert_eq!(
            reply.body["requests"],
            json!([]),
            "{}'s {direction}",
            person.username
        );
    }
    // Idempotent.
    assert_eq!(block(&ann, &bob).await.status, StatusCode::CREATED);

    // Ann's list (newest first; these three are within a second), with
    // names; Bob's own list is empty.
    let list = ann.get("/api/blocks").await;
    assert_eq!(list.status, StatusCode::OK);
    list.assert_read_cost(2, 2);
    let mut names: Vec<&str> = list.body["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["user"]["username"].as_str().unwrap())
        .collect();
    names.sort();
    let mut expected = [
        dan.username.as_str(),
        cat.username.as_str(),
        bob.username.as_str(),
    ];
    expected.sort();
    assert_eq!(names, expected);
    assert_eq!(bob.get("/api/blocks").await.body["blocks"], json!([]));

    // For Bob, Ann is not there: search, her profile and a request answer
    // exactly as for nobody.
    let found = bob
        .get(&format!("/api/users/search?q={}", ann.username))
        .await;
    assert_eq!(found.status, StatusCode::OK);
    assert_eq!(found.body["users"], json!([]));
    let nobody = bob.get(&format!("/api/users/{NOBODY}")).await;
    let profile = bob.get(&format!("/api/users/{}", ann.id)).await;
    assert_eq!(
        (profile.status, &profile.body),
        (nobody.status, &nobody.body)
    );
    assert_eq!(profile.status, StatusCode::NOT_FOUND);
    let nobodys_posts = bob.get(&format!("/api/users/{NOBODY}/posts")).await;
    let anns_posts = bob.get(&format!("/api/users/{}/posts", ann.id)).await;
    assert_eq!(
        (anns_posts.status, &anns_posts.body),
        (nobodys_posts.status, &nobodys_posts.body)
    );
    let to_nobody = bob
        .post("/api/connections/requests", json!({ "user_id": NOBODY }))
        .await;
    let to_ann = bob
        .post("/api/connections/requests", json!({ "user_id": ann.id }))
        .await;
    assert_eq!(
        (to_ann.status, &to_ann.body),
        (to_nobody.status, &to_nobody.body)
    );
    assert_eq!(to_ann.status, StatusCode::NOT_FOUND);
    // Ann sees Bob as blocked, and is told why she cannot ask him.
    let seen = ann.get(&format!("/api/users/{}", bob.id)).await;
    assert_eq!(seen.body["relationship"], "blocked", "{:?}", seen.body);
    let reply = ann
        .post("/api/connections/requests", json!({ "user_id": bob.id }))
        .await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    assert_eq!(reply.code(), "you_blocked_them");
    // Blocking someone who blocked you is allowed (a refusal would tell).
    assert_eq!(block(&bob, &ann).await.status, StatusCode::CREATED);
    assert_eq!(
        ann.get(&format!("/api/users/{}", bob.id)).await.status,
        StatusCode::NOT_FOUND
    );
    let reply = bob
        .call(Method::DELETE, &format!("/api/blocks/{}", ann.id), None)
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);

    // Unblocking does not reconnect; then Bob can find and ask her again.
    let reply = ann
        .call(Method::DELETE, &format!("/api/blocks/{}", bob.id), None)
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert_eq!(count(&ann.get("/api/connections").await), 0);
    let found = bob
        .get(&format!("/api/users/search?q={}", ann.username))
        .await;
    assert_eq!(found.body["users"][0]["id"], ann.id.as_str());
    let reply = bob
        .post("/api/connections/requests", json!({ "user_id": ann.id }))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    let reply = ann
        .call(Method::DELETE, &format!("/api/blocks/{}", bob.id), None)
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.code(), "not_blocked");

    // Bad input.
    let reply = block(&ann, &ann).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let reply = ann.post("/api/blocks", json!({ "user_id": NOBODY })).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.code(), "user_not_found");
    let reply = ann.post("/api/blocks", json!([NOBODY])).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
}

/// An accept and a block of the same pair at once: whichever commits
/// first, the pair ends blocked with no edge, no request and counters equal
/// to their edges — never a connection beside a block.
#[tokio::test]
async fn a_block_racing_an_accept_never_leaves_a_connection_beside_it() {
    let stack = Stack::start().await;
    for _ in 0..6 {
        let ann = signed_up(&stack).await;
        let bob = signed_up(&stack).await;
        let reply = bob
            .post("/api/connections/requests", json!({ "user_id": ann.id }))
            .await;
        assert_eq!(reply.status, StatusCode::CREATED);
        let path = format!("/api/connections/requests/{}/accept", bob.id);
        let accept = ann.post(&path, json!({}));
        let (accepted, blocked) = tokio::join!(accept, block(&bob, &ann));
        assert!(
            [StatusCode::OK, StatusCode::NOT_FOUND].contains(&accepted.status),
            "{:?}",
            accepted.body
        );
        assert_eq!(blocked.status, StatusCode::CREATED, "{:?}", blocked.body);
        for person in [&ann, &bob] {
            let connections = person.get("/api/connections").await;
            assert_eq!(count(&connections), 0, "{}", person.username);
            let counts = stack.app.store.counts(&person.user_id()).await.unwrap();
            assert_eq!(
                (counts.connections, counts.pending_in, counts.pending_out),
                (0, 0, 0),
                "{}",
                person.username
            );
        }
        let between = stack
            .app
            .store
            .between(&bob.user_id(), &ann.user_id())
            .await
            .unwrap();
        assert!(between.blocked && !between.connected && !between.asked && !between.asked_by);
    }
}

fn comment_texts(reply: &Reply) -> Vec<String> {
    reply.body["comments"]
        .as_array()
        .unwrap_or_else(|| panic!("{:?}", reply.body))
        .iter()
        .map(|c| c["content"].as_str().unwrap().to_owned())
        .collect()
}

async fn comment(person: &Person, post: &str, text: &str) {
    let reply = person
        .post(
            &format!("/api/posts/{post}/comments"),
            json!({ "content": text }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
}

/// After Ann blocks Bob: his comments under her posts are gone for everyone,
/// his comments elsewhere are gone for her, hers are gone for him, and so
/// are the reactions and notifications between them; the thread still
/// costs 2 requests.
#[tokio::test]
async fn a_block_hides_the_blocked_persons_comments_reactions_and_notifications() {
    let stack = Stack::start().await;
    let ann = signed_up(&stack).await;
    let bob = signed_up(&stack).await;
    let cat = signed_up(&stack).await;
    connect(&ann, &bob).await;
    connect(&ann, &cat).await;
    connect(&bob, &cat).await;
    let anns = write(&ann, "Ann's post.", "connections", &[]).await;
    let cats = write(&cat, "Cat's post.", "connections", &[]).await;
    comment(&bob, &anns, "Bob under Ann's.").await;
    comment(&cat, &anns, "Cat under Ann's.").await;
    comment(&bob, &cats, "Bob under Cat's.").await;
    comment(&ann, &cats, "Ann under Cat's.").await;
    for (who, post) in [(&bob, &cats), (&ann, &cats), (&cat, &cats)] {
        let reply = who
            .call(
                Method::PUT,
                &format!("/api/posts/{post}/reaction"),
                Some(json!({ "kind": "heart" })),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK);
    }
    let before = ann.get("/api/notifications").await.body.to_string();
    assert!(before.contains(&bob.id), "{before}");

    assert_eq!(block(&ann, &bob).await.status, StatusCode::CREATED);

    async fn thread(person: &Person, post: &str) -> Reply {
        person.get(&format!("/api/posts/{post}/comments")).await
    }
    // Under Ann's post, for everyone.
    let reply = thread(&cat, &anns).await;
    assert_eq!(comment_texts(&reply), ["Cat under Ann's."]);
    reply.assert_read_cost(2, 2);
    assert_eq!(
        comment_texts(&thread(&ann, &anns).await),
        ["Cat under Ann's."]
    );
    // Under Cat's: Cat sees both; Ann does not see Bob; Bob does not see Ann.
    assert_eq!(
        comment_texts(&thread(&cat, &cats).await),
        ["Bob under Cat's.", "Ann under Cat's."]
    );
    assert_eq!(
        comment_texts(&thread(&ann, &cats).await),
        ["Ann under Cat's."]
    );
    assert_eq!(
        comment_texts(&thread(&bob, &cats).await),
        ["Bob under Cat's."]
    );
    // Who reacted.
    let reacted = |reply: Reply| -> Vec<String> {
        reply.body["reactions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["user"]["username"].as_str().unwrap().to_owned())
            .collect()
    };
    let path = format!("/api/posts/{cats}/reactions");
    let mut for_ann = reacted(ann.get(&path).await);
    for_ann.sort();
    let mut expected = vec![ann.username.clone(), cat.username.clone()];
    expected.sort();
    assert_eq!(for_ann, expected);
    assert!(!reacted(bob.get(&path).await).contains(&ann.username));
    assert_eq!(reacted(cat.get(&path).await).len(), 3);
    // Notifications: nothing of Bob's for Ann, nothing of Ann's for Bob, in
    // the unread count as in the list.
    let unread = ann.get("/api/notifications/unread").await.body["unread"].clone();
    let list = ann.get("/api/notifications").await;
    assert_eq!(list.body["unread"], unread, "{:?}", list.body);
    let after = list.body.to_string();
    assert!(!after.contains(&bob.id), "{after}");
    let bobs = bob.get("/api/notifications").await.body.to_string();
    assert!(!bobs.contains(&ann.id), "{bobs}");
}

/// Blocks are counted on the blocker's profile, at most `MAX_BLOCKS`; the
/// same block made several times at once counts once.
#[tokio::test]
async fn blocks_are_counted_once_each_and_capped() {
    use shared::domain::social::MAX_BLOCKS;
    let stack = Stack::start().await;
    let ann = signed_up(&stack).await;
    let bob = signed_up(&stack).await;
    let cat = signed_up(&stack).await;
    let replies = futures::future::join_all((0..4).map(|_| block(&ann, &bob))).await;
    for reply in &replies {
        assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    }
    let blocks = |person: &Person| {
        let store = &stack.app.store;
        let id = person.user_id();
        async move { store.counts(&id).await.unwrap().blocks }
    };
    assert_eq!(blocks(&ann).await, 1);
    // At the limit (the count set straight in the table: a thousand blocks
    // through the API would only take long).
    dynamodb()
        .await
        .update_item()
        .table_name(stack.app.store.table())
        .key(
            "PK",
            aws_sdk_dynamodb::types::AttributeValue::S(format!("USER#{}", ann.id)),
        )
        .key(
            "SK",
            aws_sdk_dynamodb::types::AttributeValue::S("PROFILE".into()),
        )
        .update_expression("SET blocks = :max")
        .expression_attribute_values(
            ":max",
            aws_sdk_dynamodb::types::AttributeValue::N(MAX_BLOCKS.to_string()),
        )
        .send()
        .await
        .unwrap();
    let reply = block(&ann, &cat).await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "{:?}", reply.body);
    assert_eq!(reply.code(), "too_many_blocks");
    let reply = ann
        .call(Method::DELETE, &format!("/api/blocks/{}", bob.id), None)
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert_eq!(blocks(&ann).await, MAX_BLOCKS - 1);
    assert_eq!(block(&ann, &cat).await.status, StatusCode::CREATED);
    assert_eq!(blocks(&ann).await, MAX_BLOCKS);
}
