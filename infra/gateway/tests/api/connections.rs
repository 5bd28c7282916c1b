//! Connections through the real HTTP path: finding people, requests and
//! their errors, the cap under requests, accepts and races, and unknown ids.

use crate::common::*;
use crate::social_common::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use shared::domain::ids::UserId;
use shared::store::EdgeOf;

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
        json!({ "id": ann.id, "username": ann.username, "display_name": null })
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
        stack
            .app
            .store
            .counts(&ann.user_id())
            .await
            .unwrap()
            .connections,
        3
    );
    for connection in list.body["connections"].as_array().unwrap() {
        let other = &UserId::parse(connection["user"]["id"].as_str().unwrap()).unwrap();
        assert!(
            stack
                .app
                .store
                .edge(EdgeOf {
                    owner: other,
                    other: &ann.user_id()
                })
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
            stack.app.store.counts(&ann.user_id()).await.unwrap(),
            stack.app.store.counts(&bob.user_id()).await.unwrap(),
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
                    .edge(EdgeOf {
                        owner: &ann.user_id(),
                        other: &bob.user_id(),
                    })
                    .await
                    .unwrap()
                    .is_some(),
                stack
                    .app
                    .store
                    .edge(EdgeOf {
                        owner: &bob.user_id(),
                        other: &ann.user_id(),
                    })
                    .await
                    .unwrap()
                    .is_some(),
            );
            assert_eq!(edges, (false, false));
            assert_eq!(
                stack
                    .app
                    .store
                    .counts(&ann.user_id())
                    .await
                    .unwrap()
                    .connections,
                0
            );
            assert_eq!(
                stack
                    .app
                    .store
                    .counts(&bob.user_id())
                    .await
                    .unwrap()
                    .connections,
                0
            );
            let pending = stack
                .app
                .store
                .counts(&bob.user_id())
                .await
                .unwrap()
                .pending_out;
            assert_eq!(
                pending,
                u32::from(request.status == StatusCode::CREATED),
                "{:?}",
                request.body
            );
        }
    }
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

#[tokio::test]
async fn incoming_requests_are_counted_and_capped() {
    use shared::domain::social::MAX_INCOMING_REQUESTS;
    let stack = Stack::start().await;
    let [ann, bob, carol, dan, erin] = [
        signed_up(&stack).await,
        signed_up(&stack).await,
        signed_up(&stack).await,
        signed_up(&stack).await,
        signed_up(&stack).await,
    ];
    let incoming = || async {
        stack
            .app
            .store
            .counts(&dan.user_id())
            .await
            .unwrap()
            .pending_in
    };
    async fn ask(from: &Person, to: &Person) -> Reply {
        from.post("/api/connections/requests", json!({ "user_id": to.id }))
            .await
    }
    for from in [&ann, &bob, &carol] {
        assert_eq!(ask(from, &dan).await.status, StatusCode::CREATED);
    }
    assert_eq!(incoming().await, 3);
    // Declined, cancelled, accepted: each one comes off.
    let reply = dan
        .call(
            Method::DELETE,
            &format!("/api/connections/requests/{}", bob.id),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    let reply = carol
        .call(
            Method::DELETE,
            &format!("/api/connections/requests/{}", dan.id),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    let reply = dan
        .post(
            &format!("/api/connections/requests/{}/accept", ann.id),
            json!({}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(incoming().await, 0);

    // Dan's requests are full (the count written directly: asking him a
    // hundred times would only slow the test).
    set_pending_in(stack.app.store.table(), &dan.id, MAX_INCOMING_REQUESTS).await;
    let reply = ask(&erin, &dan).await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "{:?}", reply.body);
    assert_eq!(reply.code(), "their_requests_full");
    // Nothing was written on either side.
    let outgoing = erin
        .get("/api/connections/requests?direction=outgoing")
        .await;
    assert_eq!(outgoing.body["requests"].as_array().unwrap().len(), 0);
    assert_eq!(
        stack
            .app
            .store
            .counts(&erin.user_id())
            .await
            .unwrap()
            .pending_out,
        0
    );
    // Listing one's requests stays one Query.
    let listed = dan.get("/api/connections/requests").await;
    assert_eq!(listed.status, StatusCode::OK);
    listed.assert_read_cost(1, 1);

    // Room for two, and four people ask at once: exactly two get in.
    set_pending_in(stack.app.store.table(), &dan.id, MAX_INCOMING_REQUESTS - 2).await;
    let askers = [
        signed_up(&stack).await,
        signed_up(&stack).await,
        signed_up(&stack).await,
        signed_up(&stack).await,
    ];
    let replies = futures::future::join_all(askers.iter().map(|from| ask(from, &dan))).await;
    let created = replies
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .count();
    let full = replies
        .iter()
        .filter(|r| r.code() == "their_requests_full")
        .count();
    assert_eq!((created, full), (2, 2));
    assert_eq!(incoming().await, MAX_INCOMING_REQUESTS);
}

/// Overwrites a person's count of incoming requests.
async fn set_pending_in(table: &str, user_id: &str, value: u32) {
    use aws_sdk_dynamodb::types::AttributeValue;
    dynamodb()
        .await
        .update_item()
        .table_name(table)
        .key("PK", AttributeValue::S(format!("USER#{user_id}")))
        .key("SK", AttributeValue::S("PROFILE".into()))
        .update_expression("SET pending_in = :n")
        .expression_attribute_values(":n", AttributeValue::N(value.to_string()))
        .send()
        .await
        .unwrap();
}
