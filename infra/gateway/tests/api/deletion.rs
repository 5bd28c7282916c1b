//! Deleting one's account: gone for everyone at once, and, once the
//! clean-up has run, nothing of the person left anywhere in the table.

use crate::common::*;
use crate::social_common::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use shared::domain::Timestamp;

type Item = std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>;

/// Every item of the stack's table (its own table: nobody else's items).
async fn whole_table(stack: &Stack) -> Vec<Item> {
    let client = dynamodb().await;
    let mut items = Vec::new();
    let mut start = None;
    loop {
        let page = client
            .scan()
            .table_name(stack.app.store.table())
            .set_exclusive_start_key(start)
            .consistent_read(true)
            .send()
            .await
            .unwrap();
        items.extend(page.items.unwrap_or_default());
        start = page.last_evaluated_key;
        if start.is_none() {
            return items;
        }
    }
}

fn mentions(item: &Item, needles: &[&str]) -> bool {
    let text = format!("{item:?}").to_lowercase();
    needles.iter().any(|n| text.contains(&n.to_lowercase()))
}

/// A person's counters and the edges and requests that they count.
async fn assert_counters_equal_edges(stack: &Stack, person: &Person) {
    let items = whole_table(stack).await;
    let pk = format!("USER#{}", person.id);
    let mine = |prefix: &str| {
        items
            .iter()
            .filter(|i| {
                i["PK"].as_s().unwrap() == &pk && i["SK"].as_s().unwrap().starts_with(prefix)
            })
            .count() as i64
    };
    let profile = items
        .iter()
        .find(|i| i["PK"].as_s().unwrap() == &pk && i["SK"].as_s().unwrap() == "PROFILE")
        .expect("profile");
    let counter = |name: &str| {
        profile
            .get(name)
            .map(|v| v.as_n().unwrap().parse::<i64>().unwrap())
            .unwrap_or(0)
    };
    assert_eq!(
        counter("connections"),
        mine("CONN#"),
        "{}: connections",
        person.username
    );
    assert_eq!(
        counter("pending_out"),
        mine("REQ#OUT#"),
        "{}: pending_out",
        person.username
    );
    assert_eq!(
        counter("pending_in"),
        mine("REQ#IN#"),
        "{}: pending_in",
        person.username
    );
}

async fn delete_account(person: &Person, body: Value) -> Reply {
    person
        .call(Method::DELETE, "/api/account", Some(body))
        .await
}

#[tokio::test]
async fn a_deleted_account_is_gone_for_everyone_at_once_and_nothing_of_it_is_left() {
    let stack = Stack::start().await;
    let ann = signed_up(&stack).await;
    let bob = signed_up(&stack).await;
    let cat = signed_up(&stack).await;
    let dan = signed_up(&stack).await;
    let eve = signed_up(&stack).await;

    // Ann has every kind of item there is.
    let reply = ann
        .call(
            Method::PATCH,
            "/api/auth/me",
            Some(json!({ "display_name": "Ann Lee", "bio": "Potter." })),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
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
    assert_eq!(
        set_tags(&ann, &bob, &[&family]).await.status,
        StatusCode::OK
    );
    // Notices that outlive what they were about (kept, read, so that asking
    // again within their 30 days mails nobody twice): Fay declined Ann's
    // request; Gus's connection with Ann, whose acceptance told him, ended;
    // Ann declined Hal's request; Ivy accepted Ann's, then Ann disconnected.
    let fay = signed_up(&stack).await;
    let gus = signed_up(&stack).await;
    let hal = signed_up(&stack).await;
    let ivy = signed_up(&stack).await;
    connect(&ann, &ivy).await;
    let reply = ann
        .call(
            Method::DELETE,
            &format!("/api/connections/{}", ivy.id),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{:?}", reply.body);
    let reply = ann
        .post("/api/connections/requests", json!({ "user_id": fay.id }))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    let reply = fay
        .call(
            Method::DELETE,
            &format!("/api/connections/requests/{}", ann.id),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{:?}", reply.body);
    connect(&gus, &ann).await;
    let reply = gus
        .call(
            Method::DELETE,
            &format!("/api/connections/{}", ann.id),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{:?}", reply.body);
    let reply = hal
        .post("/api/connections/requests", json!({ "user_id": ann.id }))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    let reply = ann
        .call(
            Method::DELETE,
            &format!("/api/connections/requests/{}", hal.id),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{:?}", reply.body);
    // Blocks both ways: Ann blocked Jay; Kim blocked Ann.
    let jay = signed_up(&stack).await;
    let kim = signed_up(&stack).await;
    for (who, whom) in [(&ann, &jay), (&kim, &ann)] {
        let reply = who.post("/api/blocks", json!({ "user_id": whom.id })).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    }
    let everyone = write(&ann, "For all of you.", "connections", &[]).await;
    write(&ann, "Family only.", "tags", &[&family]).await;
    write(&ann, "Just me.", "private", &[]).await;
    let bobs = write(&bob, "Bob's news.", "connections", &[]).await;
    for (who, post, text) in [
        (&ann, &bobs, "Congratulations!"),
        (&bob, &everyone, "Thanks Ann."),
        (&cat, &everyone, "Lovely."),
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
    for (who, post) in [(&ann, &bobs), (&bob, &everyone), (&ann, &everyone)] {
        let reply = who
            .call(
                Method::PUT,
                &format!("/api/posts/{post}/reaction"),
                Some(json!({ "kind": "heart" })),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK);
    }
    // An invitation (its link and the address's note of it, outside her
    // partition), and an open report she filed (in its target's
    // partition).
    let reply = ann
        .post(
            "/api/invitations",
            json!({ "email": format!("friend-{}@example.com", unique()) }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{:?}", reply.body);
    let reply = ann
        .post(
            "/api/reports",
            json!({ "target": { "type": "post", "id": bobs }, "reason": "other", "note": "Ann's note." }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    // A wrong sign-in (the lock window keyed by her) and a deletion code
    // (a code and its rate windows, keyed by her address).
    let reply = stack
        .person()
        .post(
            "/api/auth/login",
            json!({ "login": ann.username, "password": "not-her-password-1" }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    let reply = ann.post("/api/account/deletion-code", json!(null)).await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{:?}", reply.body);
    let needles = [ann.id.as_str(), ann.username.as_str(), ann.email.as_str()];
    assert!(
        whole_table(&stack)
            .await
            .iter()
            .filter(|i| mentions(i, &needles))
            .count()
            > 20
    );

    // Refusals change nothing.
    let reply = delete_account(&ann, json!({ "password": "not-her-password-1" })).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{:?}", reply.body);
    assert_eq!(reply.code(), "wrong_password");
    let reply = delete_account(&ann, json!({ "password": PASSWORD, "code": "123456" })).await;
    assert_eq!(reply.code(), "invalid_body");
    let reply = delete_account(&ann, json!({ "code": "000000" })).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(bob.get("/api/connections").await.body["count"], 1);

    // Deleted.
    let reply = delete_account(&ann, json!({ "password": PASSWORD })).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{:?}", reply.body);
    assert!(
        reply
            .headers
            .get_all("set-cookie")
            .iter()
            .any(|c| c.to_str().unwrap().contains("Max-Age=0")),
        "the refresh cookie is cleared"
    );
    let mail = mailbox(&ann.email).await;
    assert!(
        mail.iter()
            .any(|m| m.to_string().contains("account was deleted")),
        "a confirmation goes to the address"
    );
    let reply = stack
        .person()
        .post(
            "/api/auth/login",
            json!({ "login": ann.username, "password": PASSWORD }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "sign-in fails");

    // Nobody sees anything of her.
    for person in [&bob, &cat] {
        let feed = person.get("/api/feed").await.body.to_string();
        assert!(!feed.contains(&ann.id), "{feed}");
        let connections = person.get("/api/connections").await.body.to_string();
        assert!(!connections.contains(&ann.id), "{connections}");
        let notifications = person.get("/api/notifications").await.body.to_string();
        assert!(!notifications.contains(&ann.id), "{notifications}");
        let thread = person
            .get(&format!("/api/posts/{bobs}/comments"))
            .await
            .body
            .to_string();
        assert!(!thread.contains(&ann.id), "{thread}");
        let reply = person.get(&format!("/api/users/{}", ann.id)).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND);
        let reply = person.get(&format!("/api/posts/{everyone}")).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND);
        let found = person
            .get(&format!("/api/users/search?q={}", ann.username))
            .await;
        assert_eq!(found.body["users"], json!([]));
    }
    let requests = dan
        .get("/api/connections/requests?direction=incoming")
        .await;
    assert_eq!(requests.body["requests"], json!([]));
    let post = bob.get(&format!("/api/posts/{bobs}")).await;
    assert_eq!(post.body["comment_count"], 0, "{:?}", post.body);
    assert_eq!(post.body["reactions"]["counts"], json!({}));

    // The clean-up's last pass, once every access token issued before the
    // deletion has expired, finishes the job.
    let later = Timestamp::now().plus_seconds(2 * 3600);
    assert_eq!(
        shared::service::deletion::resume(&stack.app, later)
            .await
            .unwrap(),
        1
    );
    let left: Vec<Item> = whole_table(&stack)
        .await
        .into_iter()
        .filter(|i| mentions(i, &needles))
        .collect();
    assert!(left.is_empty(), "left behind: {left:#?}");
    for person in [&bob, &cat, &dan, &eve, &fay, &gus, &hal, &ivy, &jay, &kim] {
        assert_counters_equal_edges(&stack, person).await;
    }

    // The username is held; the address is free at once.
    let mut again = stack.person();
    again.username = ann.username.clone();
    let code = again.request_code().await;
    let reply = again
        .post(
            "/api/auth/register",
            json!({ "email": again.email, "username": ann.username, "password": PASSWORD, "code": code }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "{:?}", reply.body);
    assert_eq!(reply.code(), "username_taken");
    let mut back = stack.person();
    back.email = ann.email.clone();
    assert_eq!(back.sign_up().await.status, StatusCode::CREATED);
}

/// A deletion whose clean-up a fault in the store stops part-way is gone
/// for everyone all the same, and the next pass finishes it: at every step
/// of the call, the answer is `204` (confirmed: clean-up resumes) or `503`
/// (nothing done: the account is whole and can be deleted again).
#[tokio::test]
async fn a_deletion_a_fault_interrupts_resumes_and_finishes() {
    use shared::faults::{Fault, Faults};
    let faults = Faults::default();
    let mut config = test_config();
    config.table_name = new_table_like(&config.table_name).await;
    let app = shared::App::with_store_faults(config, &faults)
        .await
        .expect("app state");
    let stack = Stack::serving(app).await;

    let mut n = 0;
    let mut steps = u32::MAX;
    let mut confirmed_runs = 0;
    while n < steps {
        let ann = signed_up(&stack).await;
        let bob = signed_up(&stack).await;
        let cat = signed_up(&stack).await;
        connect(&ann, &bob).await;
        let reply = ann
            .post("/api/connections/requests", json!({ "user_id": cat.id }))
            .await;
        assert_eq!(reply.status, StatusCode::CREATED);
        let hers = write(&ann, "Mine.", "connections", &[]).await;
        let his = write(&bob, "His.", "connections", &[]).await;
        for (who, post) in [(&bob, &hers), (&ann, &his)] {
            let reply = who
                .post(
                    &format!("/api/posts/{post}/comments"),
                    json!({ "content": "Hi." }),
                )
                .await;
            assert_eq!(reply.status, StatusCode::CREATED);
            let reply = who
                .call(
                    Method::PUT,
                    &format!("/api/posts/{post}/reaction"),
                    Some(json!({ "kind": "thanks" })),
                )
                .await;
            assert_eq!(reply.status, StatusCode::OK);
        }
        let fault = Fault::ALL[(n as usize) % Fault::ALL.len()];
        if steps == u32::MAX {
            // The first run has no fault: how many requests the call makes.
            faults.clear();
        } else {
            faults.fail_nth(n, fault);
        }
        let reply = delete_account(&ann, json!({ "password": PASSWORD })).await;
        let seen = faults.seen();
        faults.clear();
        if steps == u32::MAX {
            steps = seen;
            n = 1;
        }
        let what = format!("step {n} of {steps}, {fault:?}");
        if reply.status == StatusCode::SERVICE_UNAVAILABLE {
            // Nothing was confirmed: she is whole, and deletes again.
            let signed_in = stack
                .person()
                .post(
                    "/api/auth/login",
                    json!({ "login": ann.username, "password": PASSWORD }),
                )
                .await;
            assert_eq!(signed_in.status, StatusCode::OK, "{what}");
            let reply = delete_account(&ann, json!({ "password": PASSWORD })).await;
            assert_eq!(
                reply.status,
                StatusCode::NO_CONTENT,
                "{what}: {:?}",
                reply.body
            );
        } else {
            assert_eq!(
                reply.status,
                StatusCode::NO_CONTENT,
                "{what}: {:?}",
                reply.body
            );
            confirmed_runs += 1;
        }
        // Gone for everyone, whatever the clean-up reached.
        let feed = bob.get("/api/feed").await.body.to_string();
        assert!(!feed.contains(&ann.id), "{what}: {feed}");
        let connections = bob.get("/api/connections").await.body.to_string();
        assert!(!connections.contains(&ann.id), "{what}");
        let thread = bob
            .get(&format!("/api/posts/{his}/comments"))
            .await
            .body
            .to_string();
        assert!(!thread.contains(&ann.id), "{what}");
        let requests = cat
            .get("/api/connections/requests?direction=incoming")
            .await;
        assert_eq!(requests.body["requests"], json!([]), "{what}");

        // The next pass finishes it.
        let later = Timestamp::now().plus_seconds(2 * 3600);
        shared::service::deletion::resume(&stack.app, later)
            .await
            .unwrap();
        let needles = [ann.id.as_str(), ann.username.as_str(), ann.email.as_str()];
        let left: Vec<Item> = whole_table(&stack)
            .await
            .into_iter()
            .filter(|i| mentions(i, &needles))
            .collect();
        assert!(left.is_empty(), "{what}: left behind: {left:#?}");
        for person in [&bob, &cat] {
            assert_counters_equal_edges(&stack, person).await;
        }
        n += (steps / 7).max(1);
    }
    assert!(steps > 20, "the clean-up makes {steps} requests");
    assert!(confirmed_runs >= 4, "the fault met the clean-up itself");
}
