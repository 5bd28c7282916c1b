//! Faults in the store, and nothing half-written: every write that takes
//! more than one DynamoDB request is run with its n-th request failing —
//! connection refused, throttled, an internal error, a timeout — on every
//! attempt the SDK's retries make (`shared::faults`, an HTTP connector in
//! front of the real engine). Each test asserts the answer (the call's own
//! success when only best-effort upkeep failed, else `503` with
//! `Retry-After` in our error shape) and the state left behind, which
//! `docs/data-model.md` ("When the store fails part-way") explains step by
//! step.
//!
//! Every step of a call is failed once, the kind of fault turning with the
//! step; the first step also meets every kind.

use crate::common::*;
use crate::social_common::*;
use reqwest::{Method, StatusCode};
use serde_json::json;
use shared::faults::{Fault, Faults};

/// A gateway whose app sends DynamoDB requests through `faults`.
async fn faulty_stack() -> (Stack, Faults) {
    let faults = Faults::default();
    let mut config = test_config();
    config.table_name = new_table_like(&config.table_name).await;
    let app = shared::App::with_store_faults(config, &faults)
        .await
        .expect("app state");
    (Stack::serving(app).await, faults)
}

/// The faults to try at step `n` (1-based) of a call.
fn faults_at(n: u32) -> Vec<Fault> {
    if n == 1 {
        Fault::ALL.to_vec()
    } else {
        vec![Fault::ALL[(n as usize) % Fault::ALL.len()]]
    }
}

/// The answer to a call that met a fault at step `n`: its own success
/// (only upkeep failed), or our 503 with `Retry-After`. Returns whether it
/// succeeded. Step 1 is the per-client count, before anything is done, so
/// there the answer is always the 503.
#[track_caller]
fn assert_answer(n: u32, reply: &Reply, success: StatusCode, what: &str) -> bool {
    if reply.status == success && n > 1 {
        return true;
    }
    assert_eq!(
        reply.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{what}: {:?}",
        reply.body
    );
    assert!(
        matches!(reply.code(), "service_busy" | "service_unavailable"),
        "{what}: {:?}",
        reply.body
    );
    assert!(
        reply.body["error"]["message"].is_string(),
        "{what}: {:?}",
        reply.body
    );
    let wait: u64 = reply.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(wait >= 1, "{what}");
    false
}

/// Counts equal edges and requests, and every edge has its mirror.
async fn assert_graph_consistent(stack: &Stack, people: &[&Person]) {
    let store = &stack.app.store;
    for person in people {
        let id = person.user_id();
        let counts = store.counts(&id).await.unwrap();
        let edges = store.connections(&id).await.unwrap();
        let outgoing = store.requests(&id, false).await.unwrap();
        let incoming = store.requests(&id, true).await.unwrap();
        assert_eq!(
            (
                counts.connections as usize,
                counts.pending_out as usize,
                counts.pending_in as usize
            ),
            (edges.len(), outgoing.len(), incoming.len()),
            "{}'s counts against their edges and requests",
            person.username
        );
        for edge in &edges {
            let mirror = store
                .edge(shared::store::EdgeOf {
                    owner: &edge.other_id,
                    other: &id,
                })
                .await
                .unwrap();
            assert!(mirror.is_some(), "{}'s edge has no mirror", person.username);
        }
    }
}

/// What `viewer` reads in their feed is only what they may open: no entry
/// shows a post to someone outside its audience.
async fn assert_feed_true(viewer: &Person) {
    let feed = viewer.get("/api/feed?limit=50").await;
    assert_eq!(feed.status, StatusCode::OK, "{:?}", feed.body);
    for post in feed.body["posts"].as_array().unwrap() {
        let id = post["id"].as_str().unwrap();
        let opened = viewer.get(&format!("/api/posts/{id}")).await;
        assert_eq!(
            opened.status,
            StatusCode::OK,
            "{}'s feed shows {id}, which they may not open",
            viewer.username
        );
    }
}

#[tokio::test]
async fn registration_is_all_or_nothing() {
    let (stack, faults) = faulty_stack().await;
    for n in 1..=8 {
        for fault in faults_at(n) {
            let mut ann = stack.person();
            let code = ann.request_code().await;
            let body = json!({ "email": ann.email, "username": ann.username, "password": PASSWORD, "code": code });
            faults.fail_nth(n, fault);
            let reply = ann.post("/api/auth/register", body.clone()).await;
            let struck = faults.struck();
            faults.clear();
            let what = format!("registration, step {n}, {fault:?}");
            if assert_answer(n, &reply, StatusCode::CREATED, &what) {
                continue;
            }
            assert!(struck, "{what}: failed with no fault");
            // Either nothing happened (the same code registers), or the
            // account is whole (its owner signs in).
            let again = ann.post("/api/auth/register", body).await;
            if again.status != StatusCode::CREATED {
                let signed_in = stack
                    .person()
                    .post(
                        "/api/auth/login",
                        json!({ "login": ann.username, "password": PASSWORD }),
                    )
                    .await;
                assert_eq!(
                    signed_in.status,
                    StatusCode::OK,
                    "{what}: {:?} then {:?}",
                    again.body,
                    signed_in.body
                );
            }
            ann.keep_session(&again);
        }
    }
}

#[tokio::test]
async fn accept_and_disconnect_keep_counts_equal_to_edges() {
    let (stack, faults) = faulty_stack().await;
    for n in 1..=6 {
        for fault in faults_at(n) {
            let ann = signed_up(&stack).await;
            let bob = signed_up(&stack).await;
            bob.post(
                "/api/posts",
                json!({ "content": "for my connections", "audience": "connections" }),
            )
            .await;
            let asked = ann
                .post("/api/connections/requests", json!({ "user_id": bob.id }))
                .await;
            assert_eq!(asked.status, StatusCode::CREATED);
            faults.fail_nth(n, fault);
            let reply = bob
                .post(
                    &format!("/api/connections/requests/{}/accept", ann.id),
                    json!({}),
                )
                .await;
            faults.clear();
            let what = format!("accept, step {n}, {fault:?}");
            assert_answer(n, &reply, StatusCode::OK, &what);
            assert_graph_consistent(&stack, &[&ann, &bob]).await;
            assert_feed_true(&ann).await;

            // Connected for sure, then disconnected with the same fault.
            if reply.status != StatusCode::OK {
                let retried = bob
                    .post(
                        &format!("/api/connections/requests/{}/accept", ann.id),
                        json!({}),
                    )
                    .await;
                assert_eq!(
                    retried.status,
                    StatusCode::OK,
                    "{what}: the retry {:?}",
                    retried.body
                );
            }
            faults.fail_nth(n, fault);
            let reply = ann
                .call(
                    Method::DELETE,
                    &format!("/api/connections/{}", bob.id),
                    None,
                )
                .await;
            faults.clear();
            let what = format!("disconnect, step {n}, {fault:?}");
            assert_answer(n, &reply, StatusCode::NO_CONTENT, &what);
            assert_graph_consistent(&stack, &[&ann, &bob]).await;
            assert_feed_true(&ann).await;
            assert_feed_true(&bob).await;
        }
    }
}

#[tokio::test]
async fn a_post_is_never_shown_outside_its_audience() {
    let (stack, faults) = faulty_stack().await;
    let ann = signed_up(&stack).await;
    let mut friends = Vec::new();
    // 30 connections: the fan-out is two batches of feed entries (and the
    // post).
    for _ in 0..30 {
        let friend = signed_up(&stack).await;
        connect(&ann, &friend).await;
        friends.push(friend);
    }
    let close = create_tag(&ann, "close").await;
    let tagged = set_tags(&ann, &friends[0], &[close.as_str()]).await;
    assert_eq!(tagged.status, StatusCode::OK, "{:?}", tagged.body);
    let mut failed = Vec::new();
    // Each case three times: the batches go out together, so which one a
    // step's fault meets varies from run to run.
    for (n, round) in (1..=5).flat_map(|n| (0..3).map(move |round| (n, round))) {
        for fault in faults_at(n) {
            let content = format!("step {n}, {fault:?}, round {round}");
            faults.fail_nth(n, fault);
            let reply = ann
                .post(
                    "/api/posts",
                    // Two rounds for all connections (two batches of
                    // entries), one for the tag (one batch).
                    if round < 2 {
                        json!({ "content": content, "audience": "connections" })
                    } else {
                        json!({ "content": content, "audience": "tags", "tag_ids": [close] })
                    },
                )
                .await;
            faults.clear();
            if !assert_answer(
                n,
                &reply,
                StatusCode::CREATED,
                &format!("create post, {content}"),
            ) {
                failed.push(content);
            }
        }
    }
    // A creation that failed left nothing anyone sees: not in the author's
    // posts, not in the feed of the person it was for.
    for reader in [
        ann.get("/api/posts/mine?limit=50").await,
        friends[0].get("/api/feed?limit=50").await,
        friends[29].get("/api/feed?limit=50").await,
    ] {
        for post in reader.body["posts"].as_array().unwrap() {
            let content = post["content"].as_str().unwrap();
            assert!(
                !failed.iter().any(|f| f == content),
                "a failed post shows: {content}"
            );
        }
    }
    assert!(failed.len() >= 5, "the faults struck: {failed:?}");
    // Friend 0 may see the tagged posts; friend 1 sees none of them.
    assert_feed_true(&friends[0]).await;
    assert_feed_true(&friends[1]).await;
    let feed = friends[1].get("/api/feed?limit=50").await;
    for post in feed.body["posts"].as_array().unwrap() {
        assert_eq!(post["audience"], "connections", "{post}");
    }
}

#[tokio::test]
async fn after_a_reset_or_signing_out_everywhere_no_session_refreshes() {
    let (stack, faults) = faulty_stack().await;
    for n in 1..=9 {
        for fault in faults_at(n) {
            let mut ann = signed_up(&stack).await;
            let mut other_device = stack.person().behind(unique_loopback());
            let signed_in = other_device
                .post(
                    "/api/auth/login",
                    json!({ "login": ann.username, "password": PASSWORD }),
                )
                .await;
            other_device.keep_session(&signed_in);
            let asked = ann
                .post("/api/auth/password-reset", json!({ "email": ann.email }))
                .await;
            assert_eq!(asked.status, StatusCode::ACCEPTED, "{:?}", asked.body);
            let code = latest_code(&ann.email).await;
            let new_password = "copper-willow-harvest-93";
            faults.fail_nth(n, fault);
            let reply = ann
                .post(
                    "/api/auth/password-reset/confirm",
                    json!({ "email": ann.email, "code": code, "new_password": new_password }),
                )
                .await;
            faults.clear();
            let what = format!("reset, step {n}, {fault:?}");
            let done = assert_answer(n, &reply, StatusCode::NO_CONTENT, &what);
            let refreshed = other_device
                .call(Method::POST, "/api/auth/refresh", None)
                .await;
            let new_password_works = stack
                .person()
                .post(
                    "/api/auth/login",
                    json!({ "login": ann.username, "password": new_password }),
                )
                .await
                .status
                == StatusCode::OK;
            if done || new_password_works {
                // The password changed: no older session refreshes.
                assert_eq!(
                    refreshed.status,
                    StatusCode::UNAUTHORIZED,
                    "{what}: {:?}",
                    refreshed.body
                );
            } else {
                // Nothing happened: the old password still works.
                let old = stack
                    .person()
                    .post(
                        "/api/auth/login",
                        json!({ "login": ann.username, "password": PASSWORD }),
                    )
                    .await;
                assert_eq!(old.status, StatusCode::OK, "{what}");
                other_device.keep_session(&refreshed);
            }

            // Signing out everywhere, failing at the same step.
            let mut third = stack.person().behind(unique_loopback());
            let password = if done || new_password_works {
                new_password
            } else {
                PASSWORD
            };
            let signed_in = third
                .post(
                    "/api/auth/login",
                    json!({ "login": ann.username, "password": password }),
                )
                .await;
            third.keep_session(&signed_in);
            faults.fail_nth(n, fault);
            let reply = third.call(Method::POST, "/api/auth/logout-all", None).await;
            faults.clear();
            let what = format!("sign out everywhere, step {n}, {fault:?}");
            if assert_answer(n, &reply, StatusCode::NO_CONTENT, &what) {
                // Done, even if deleting the items failed: no session of
                // Ann's refreshes, on any device.
                for device in [&third, &other_device] {
                    let refreshed = device.call(Method::POST, "/api/auth/refresh", None).await;
                    assert_eq!(refreshed.status, StatusCode::UNAUTHORIZED, "{what}");
                }
            } else {
                // Only the count and the retirement of the sessions can fail
                // it, and then nothing happened: this device still refreshes.
                assert!(n <= 2, "{what}: failed after the sessions were retired");
                let refreshed = third.call(Method::POST, "/api/auth/refresh", None).await;
                assert_eq!(
                    refreshed.status,
                    StatusCode::OK,
                    "{what}: {:?}",
                    refreshed.body
                );
            }
            ann.keep_session(&reply);
        }
    }
}

#[tokio::test]
async fn a_tag_deleted_part_way_only_ever_narrows_who_sees_its_posts() {
    let (stack, faults) = faulty_stack().await;
    let ann = signed_up(&stack).await;
    let mut friends = Vec::new();
    for _ in 0..3 {
        let friend = signed_up(&stack).await;
        connect(&ann, &friend).await;
        friends.push(friend);
    }
    for n in 1..=11 {
        for fault in faults_at(n) {
            let name = format!("t{n}{fault:?}").to_lowercase();
            let tag = create_tag(&ann, &name).await;
            for friend in &friends {
                let reply = set_tags(&ann, friend, &[tag.as_str()]).await;
                assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
            }
            let posted = ann
                .post("/api/posts", json!({ "content": format!("for {name}"), "audience": "tags", "tag_ids": [tag] }))
                .await;
            assert_eq!(posted.status, StatusCode::CREATED);
            faults.fail_nth(n, fault);
            let reply = ann
                .call(Method::DELETE, &format!("/api/tags/{tag}"), None)
                .await;
            faults.clear();
            let what = format!("delete tag, step {n}, {fault:?}");
            // Part-way, some connections may have lost the tag already: their
            // view narrows, never widens, and what they read matches it.
            for friend in &friends {
                assert_feed_true(friend).await;
            }
            if !assert_answer(n, &reply, StatusCode::NO_CONTENT, &what) {
                let retried = ann
                    .call(Method::DELETE, &format!("/api/tags/{tag}"), None)
                    .await;
                assert_eq!(
                    retried.status,
                    StatusCode::NO_CONTENT,
                    "{what}: the retry {:?}",
                    retried.body
                );
            }
            // Gone for good: no connection carries it, nobody but Ann sees
            // the post.
            let tags = ann.get("/api/tags").await;
            assert!(
                !tags.body["tags"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|t| t["id"] == tag.as_str()),
                "{what}"
            );
            for edge in stack.app.store.connections(&ann.user_id()).await.unwrap() {
                assert!(
                    !edge.tag_ids.iter().any(|t| t.as_str() == tag),
                    "{what}: an edge keeps it"
                );
            }
            let post_id = posted.body["id"].as_str().unwrap();
            for friend in &friends {
                let opened = friend.get(&format!("/api/posts/{post_id}")).await;
                assert_eq!(opened.status, StatusCode::NOT_FOUND, "{what}");
            }
            assert_graph_consistent(&stack, &[&ann]).await;
        }
    }
}

/// An operator's removal of a post is one transaction with its audit
/// record and the closing of the reports on it: whichever step fails, the
/// post, the record and the report agree (all as before, or all done), and
/// asking again finishes it.
#[tokio::test]
async fn a_removal_is_never_without_its_audit_record() {
    let first = Stack::start().await;
    let mut olive = first.person();
    olive.sign_up().await;
    let faults = Faults::default();
    let mut config = test_config();
    config.table_name = first.app.config.table_name.clone();
    config.operators = shared::domain::moderation::Operators::parse(&olive.id).unwrap();
    let app = shared::App::with_store_faults(config, &faults)
        .await
        .expect("app state");
    let stack = Stack::serving(app).await;
    let olive = olive.on(&stack);
    let ann = signed_up(&stack).await;
    let bob = signed_up(&stack).await;
    connect(&ann, &bob).await;
    let audited = |post: String| {
        let stack = &stack;
        async move {
            let items = dynamodb()
                .await
                .query()
                .table_name(&stack.app.config.table_name)
                .key_condition_expression("PK = :audit")
                .expression_attribute_values(
                    ":audit",
                    aws_sdk_dynamodb::types::AttributeValue::S("AUDIT".into()),
                )
                .send()
                .await
                .unwrap()
                .items
                .unwrap_or_default();
            items
                .iter()
                .filter(|item| item.get("target_id").and_then(|v| v.as_s().ok()) == Some(&post))
                .count()
        }
    };
    for n in 1..=11 {
        for fault in faults_at(n) {
            let post = write(&ann, "Reported.", "connections", &[]).await;
            let reply = bob
                .post(
                    "/api/reports",
                    json!({ "target": { "type": "post", "id": post }, "reason": "spam" }),
                )
                .await;
            assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
            let path = format!("/api/moderation/posts/{post}");
            let body = json!({ "reason": "Spam." });
            faults.fail_nth(n, fault);
            let reply = olive.call(Method::DELETE, &path, Some(body.clone())).await;
            faults.clear();
            let what = format!("removal, step {n}, {fault:?}");
            let done = assert_answer(n, &reply, StatusCode::NO_CONTENT, &what);
            let there = ann.get(&format!("/api/posts/{post}")).await.status == StatusCode::OK;
            let open = olive
                .get("/api/moderation/reports")
                .await
                .body
                .to_string()
                .contains(&post);
            let records = audited(post.clone()).await;
            assert_eq!(
                (there, open, records),
                if there {
                    (true, true, 0)
                } else {
                    (false, false, 1)
                },
                "{what}: the post, its report and the audit disagree"
            );
            assert!(!done || !there, "{what}: 204 but the post is there");
            if there {
                let again = olive.call(Method::DELETE, &path, Some(body)).await;
                assert_eq!(
                    again.status,
                    StatusCode::NO_CONTENT,
                    "{what}: {:?}",
                    again.body
                );
                assert_eq!(audited(post.clone()).await, 1, "{what}");
            }
        }
    }
}
