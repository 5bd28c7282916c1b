//! Reporting and the moderation desk: what may be reported and how often,
//! the desk for operators only (`404` for everyone else on every route),
//! dismissing, removing content with the author told why, suspension on
//! every path, and the audit.

use crate::common::*;
use crate::social_common::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A well-formed id that is nobody's.
const NOBODY: &str = "01JD4Q8Z9X2V7K3M5N6P8R0T2W";

async fn report(person: &Person, target: Value, reason: &str) -> Reply {
    person
        .post(
            "/api/reports",
            json!({ "target": target, "reason": reason }),
        )
        .await
}

async fn comment(person: &Person, post: &str, content: &str) -> String {
    let reply = person
        .post(
            &format!("/api/posts/{post}/comments"),
            json!({ "content": content }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    reply.body["id"].as_str().unwrap().to_owned()
}

async fn open_reports(operator: &Person) -> Vec<Value> {
    let reply = operator.get("/api/moderation/reports").await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.body["reports"].as_array().unwrap().clone()
}

/// The audit records of the stack's table, oldest first.
async fn audit(stack: &Stack) -> Vec<Value> {
    let output = dynamodb()
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
        .unwrap();
    output
        .items
        .unwrap_or_default()
        .iter()
        .map(|item| {
            let text = |name: &str| item.get(name).and_then(|v| v.as_s().ok()).cloned();
            json!({
                "operator_id": text("operator_id"),
                "action": text("action"),
                "target_kind": text("target_kind"),
                "target_id": text("target_id"),
                "reason": text("reason"),
            })
        })
        .collect()
}

#[tokio::test]
async fn people_report_what_they_can_see_once_and_only_operators_find_the_desk() {
    let (stack, olive) = Stack::with_operator(|_| {}).await;
    let ann = signed_up(&stack).await;
    let bob = signed_up(&stack).await;
    let cat = signed_up(&stack).await;
    connect(&ann, &bob).await;
    let post = write(
        &bob,
        "Buy cheap watches at example dot com.",
        "connections",
        &[],
    )
    .await;
    let reply_id = comment(&bob, &post, "Really cheap.").await;

    // Only what the reporter can see: Cat is not Bob's connection.
    let reply = report(&cat, json!({ "type": "post", "id": post }), "spam").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.code(), "post_not_found");
    let reply = report(&cat, json!({ "type": "post", "id": NOBODY }), "spam").await;
    assert_eq!(
        reply.code(),
        "post_not_found",
        "a foreign id is a missing one"
    );
    let target = json!({ "type": "comment", "id": reply_id, "post_id": post });
    let reply = report(&cat, target.clone(), "spam").await;
    assert_eq!(reply.code(), "comment_not_found");
    // Bad input changes nothing.
    for (body, code) in [
        (
            json!({ "target": { "type": "post", "id": post }, "reason": "dull" }),
            "invalid_json",
        ),
        (
            json!({ "target": { "type": "thing", "id": post }, "reason": "spam" }),
            "invalid_target",
        ),
        (
            json!({ "target": { "type": "comment", "id": reply_id }, "reason": "spam" }),
            "invalid_target",
        ),
        (
            json!({ "target": { "type": "post", "id": post }, "reason": "spam", "note": "n".repeat(501) }),
            "invalid_note",
        ),
        (
            json!({ "target": { "type": "user", "id": ann.id }, "reason": "spam" }),
            "cannot_report_yourself",
        ),
    ] {
        let reply = ann.post("/api/reports", body.clone()).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{body}: {:?}",
            reply.body
        );
        assert!(
            reply.code() == code || (code == "invalid_json" && reply.code().starts_with("invalid")),
            "{body}: {:?}",
            reply.body
        );
    }
    let reply = report(&bob, json!({ "type": "post", "id": post }), "spam").await;
    assert_eq!(reply.code(), "cannot_report_yourself");
    assert!(open_reports(&olive).await.is_empty());

    // Ann reports the post, the comment and Bob himself; the same post
    // again, even several times at once, is one open report.
    let reply = ann
        .post(
            "/api/reports",
            json!({ "target": { "type": "post", "id": post }, "reason": "spam", "note": "He posts this daily." }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    // The rate limit, the post and its edge, the transaction (and the
    // alert, which is not DynamoDB): 4 requests, 3 deep.
    reply.assert_write_cost(4, 3);
    let again = futures::future::join_all(
        (0..4).map(|_| report(&ann, json!({ "type": "post", "id": post }), "hate")),
    )
    .await;
    for reply in &again {
        assert_eq!(reply.status, StatusCode::CONFLICT, "{:?}", reply.body);
        assert_eq!(reply.code(), "already_reported");
    }
    let reply = report(&ann, target.clone(), "harassment").await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    let reply = report(
        &ann,
        json!({ "type": "user", "id": bob.id }),
        "impersonation",
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    // Cat can find Bob, so she may report him too.
    let reply = report(&cat, json!({ "type": "user", "id": bob.id }), "spam").await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);

    // Bob is told nothing: no notification, no email about it.
    let notifications = bob.get("/api/notifications").await;
    assert_eq!(notifications.body["notifications"], json!([]));
    assert!(
        mailbox(&bob.email)
            .await
            .iter()
            .all(|mail| !mail.to_string().contains("report")),
    );

    // Everyone but the operator: 404 on every route of the desk, with a
    // good body or a bad one.
    let routes = [
        (Method::GET, "/api/moderation/reports".to_owned(), None),
        (
            Method::GET,
            "/api/moderation/reports?status=bogus".to_owned(),
            None,
        ),
        (
            Method::POST,
            format!("/api/moderation/reports/{NOBODY}/dismiss"),
            Some(json!({})),
        ),
        (
            Method::DELETE,
            format!("/api/moderation/posts/{post}"),
            Some(json!({ "reason": "spam" })),
        ),
        (
            Method::DELETE,
            format!("/api/moderation/posts/{post}"),
            Some(json!([1])),
        ),
        (
            Method::DELETE,
            format!("/api/moderation/posts/{post}/comments/{reply_id}"),
            Some(json!({ "reason": "spam" })),
        ),
        (
            Method::POST,
            format!("/api/moderation/users/{}/suspend", bob.id),
            Some(json!({ "reason": "spam" })),
        ),
        (
            Method::POST,
            format!("/api/moderation/users/{}/suspend", bob.id),
            None,
        ),
        (
            Method::POST,
            format!("/api/moderation/users/{}/unsuspend", bob.id),
            None,
        ),
    ];
    for person in [&ann, &bob, &cat] {
        for (method, path, body) in &routes {
            let reply = person.call(method.clone(), path, body.clone()).await;
            assert_eq!(
                reply.status,
                StatusCode::NOT_FOUND,
                "{method} {path}: {:?}",
                reply.body
            );
            assert_eq!(reply.code(), "not_found", "{method} {path}");
        }
    }
    assert_eq!(ann.get("/api/auth/me").await.body["operator"], false);
    assert_eq!(olive.get("/api/auth/me").await.body["operator"], true);
    // Nothing of that changed anything.
    assert_eq!(
        bob.get(&format!("/api/posts/{post}")).await.status,
        StatusCode::OK
    );

    // The operator's queue: oldest first, with what was reported as it is
    // now and the people concerned (the Query and one BatchGetItem).
    let reply = olive.get("/api/moderation/reports").await;
    reply.assert_read_cost(2, 2);
    let reports = reply.body["reports"].as_array().unwrap();
    assert_eq!(reports.len(), 4, "{reports:?}");
    let first = &reports[0];
    assert_eq!(first["status"], "open");
    assert_eq!(first["reason"], "spam");
    assert_eq!(first["note"], "He posts this daily.");
    assert_eq!(
        first["target"],
        json!({ "type": "post", "id": post, "post_id": null })
    );
    assert_eq!(first["reporter"]["id"], ann.id.as_str());
    assert_eq!(first["subject"]["id"], bob.id.as_str());
    assert_eq!(first["subject_suspended"], false);
    assert_eq!(
        first["content"]["text"],
        "Buy cheap watches at example dot com."
    );
    assert_eq!(reports[1]["content"]["text"], "Really cheap.");
    assert_eq!(reports[1]["target"]["post_id"], post.as_str());
    assert_eq!(reports[2]["target"]["type"], "user");
    assert_eq!(reports[3]["reporter"]["id"], cat.id.as_str());
    let closed = olive.get("/api/moderation/reports?status=closed").await;
    assert_eq!(closed.body["reports"], json!([]));
    let reply = olive.get("/api/moderation/reports?status=bogus").await;
    assert_eq!(reply.code(), "invalid_status");
}

#[tokio::test]
async fn reports_are_limited_per_person() {
    let (stack, _olive) = Stack::with_operator(|config| {
        config.rate_limits.reports_per_account =
            shared::config::RateLimit::parse("2/86400").unwrap();
    })
    .await;
    let ann = signed_up(&stack).await;
    let people = [
        signed_up(&stack).await,
        signed_up(&stack).await,
        signed_up(&stack).await,
    ];
    for (n, person) in people.iter().enumerate() {
        let reply = report(&ann, json!({ "type": "user", "id": person.id }), "spam").await;
        if n < 2 {
            assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
        } else {
            assert_eq!(
                reply.status,
                StatusCode::TOO_MANY_REQUESTS,
                "{:?}",
                reply.body
            );
            assert!(reply.headers.get("retry-after").is_some());
        }
    }
}

#[tokio::test]
async fn dismissing_closes_a_report_and_lets_its_reporter_report_again() {
    let (stack, olive) = Stack::with_operator(|_| {}).await;
    let ann = signed_up(&stack).await;
    let bob = signed_up(&stack).await;
    let reply = report(&ann, json!({ "type": "user", "id": bob.id }), "other").await;
    let id = reply.body["id"].as_str().unwrap().to_owned();
    let path = format!("/api/moderation/reports/{id}/dismiss");
    let reply = olive
        .post(&path, json!({ "note": "A joke between friends." }))
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{:?}", reply.body);
    // The Query of the queue, then the transaction with the audit record.
    reply.assert_write_cost(2, 2);
    assert!(open_reports(&olive).await.is_empty());
    let closed = olive.get("/api/moderation/reports?status=closed").await;
    let closed = &closed.body["reports"][0];
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["resolution"], "dismissed");
    assert_eq!(closed["closing_note"], "A joke between friends.");
    assert!(closed["closed_at"].is_string());
    // Twice, or a made-up id: no open report there.
    for path in [
        path.clone(),
        format!("/api/moderation/reports/{NOBODY}/dismiss"),
        "/api/moderation/reports/x/dismiss".into(),
    ] {
        let reply = olive.post(&path, json!({})).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(reply.code(), "report_not_found");
    }
    let reply = report(&ann, json!({ "type": "user", "id": bob.id }), "other").await;
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "closed: Ann may report again"
    );
    let audit = audit(&stack).await;
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0]["action"], "dismiss_report");
    assert_eq!(audit[0]["operator_id"], olive.id.as_str());
    assert_eq!(audit[0]["reason"], "A joke between friends.");
}

#[tokio::test]
async fn an_operator_removes_a_post_or_a_comment_and_its_author_is_told_why() {
    let (stack, olive) = Stack::with_operator(|_| {}).await;
    let ann = signed_up(&stack).await;
    let bob = signed_up(&stack).await;
    let cat = signed_up(&stack).await;
    connect(&ann, &bob).await;
    connect(&cat, &bob).await;
    let post = write(&bob, "Something hateful.", "connections", &[]).await;
    let kept = write(&ann, "A kind post.", "connections", &[]).await;
    let bad_comment = comment(&bob, &kept, "A cruel comment.").await;
    let good_comment = comment(&ann, &post, "Please stop.").await;
    for person in [&ann, &cat] {
        let reply = report(person, json!({ "type": "post", "id": post }), "hate").await;
        assert_eq!(reply.status, StatusCode::CREATED);
    }
    let reply = report(
        &ann,
        json!({ "type": "comment", "id": bad_comment, "post_id": kept }),
        "harassment",
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    // A report on a comment under the post to be removed goes with it.
    let reply = report(
        &bob,
        json!({ "type": "comment", "id": good_comment, "post_id": post }),
        "other",
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED);

    let reply = olive
        .call(
            Method::DELETE,
            &format!("/api/moderation/posts/{post}"),
            Some(json!({ "reason": "" })),
        )
        .await;
    assert_eq!(reply.code(), "invalid_reason");
    assert_eq!(
        ann.get(&format!("/api/posts/{post}")).await.status,
        StatusCode::OK
    );
    let reply = olive
        .call(
            Method::DELETE,
            &format!("/api/moderation/posts/{post}"),
            Some(json!({ "reason": "Hate against a group breaks the rules." })),
        )
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{:?}", reply.body);
    // The post beside the open reports on it and its comments, one
    // transaction (its deletion, the audit, the reports closed), then at
    // once what went with it (up to 3 deep) and the author's address.
    reply.assert_write_cost_within(11, 5);
    // Gone for everyone, with what was under it.
    for person in [&ann, &bob, &cat] {
        assert_eq!(
            person.get(&format!("/api/posts/{post}")).await.status,
            StatusCode::NOT_FOUND
        );
        assert!(
            !person
                .get("/api/feed")
                .await
                .body
                .to_string()
                .contains("Something hateful.")
        );
    }
    let reply = ann.get(&format!("/api/posts/{post}/comments")).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    // Both reports on it are closed as removed, with the reason.
    let reports = open_reports(&olive).await;
    assert_eq!(reports.len(), 1, "the comment's report is still open");
    let closed = olive.get("/api/moderation/reports?status=closed").await;
    let closed = closed.body["reports"].as_array().unwrap().clone();
    assert_eq!(closed.len(), 3, "the post's two, its comment's one");
    for report in &closed {
        assert_eq!(report["resolution"], "removed");
        assert_eq!(report["content"], Value::Null, "the post is gone");
        assert_eq!(
            report["closing_note"],
            "Hate against a group breaks the rules."
        );
    }
    // Bob is told why, never with the text of what he wrote.
    let mails = mailbox(&bob.email).await;
    let notice = mails.last().unwrap();
    let text = notice["body"]["text"].as_str().unwrap();
    assert!(
        notice["subject"]
            .as_str()
            .unwrap_or_default()
            .contains("post")
            || text.contains("post")
    );
    assert!(
        text.contains("Hate against a group breaks the rules."),
        "{text}"
    );
    assert!(!text.contains("Something hateful."), "{text}");

    let reply = olive
        .call(
            Method::DELETE,
            &format!("/api/moderation/posts/{kept}/comments/{bad_comment}"),
            Some(json!({ "reason": "Harassment." })),
        )
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{:?}", reply.body);
    // The post and the comment beside the open reports on it, one
    // transaction (its deletion and count, the audit, the reports closed),
    // then its notifications beside the author's address.
    reply.assert_write_cost_within(6, 3);
    let thread = ann.get(&format!("/api/posts/{kept}/comments")).await;
    assert!(!thread.body.to_string().contains("A cruel comment."));
    assert!(open_reports(&olive).await.is_empty());
    assert_eq!(
        ann.get(&format!("/api/posts/{kept}")).await.body["comment_count"],
        0
    );
    let text = mailbox(&bob.email).await.last().unwrap()["body"]["text"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        text.contains("comment") && text.contains("Harassment."),
        "{text}"
    );
    assert!(!text.contains("A cruel comment."));
    // Again: nothing there.
    let reply = olive
        .call(
            Method::DELETE,
            &format!("/api/moderation/posts/{post}"),
            Some(json!({ "reason": "again" })),
        )
        .await;
    assert_eq!(reply.code(), "post_not_found");

    let audit = audit(&stack).await;
    let actions: Vec<_> = audit
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["remove_post", "remove_comment"]);
    assert_eq!(audit[0]["target_id"], post.as_str());
    assert_eq!(audit[0]["reason"], "Hate against a group breaks the rules.");
    assert_eq!(audit[1]["target_kind"], "comment");
}

#[tokio::test]
async fn a_suspended_person_cannot_sign_in_and_is_hidden_everywhere_until_it_is_lifted() {
    let (stack, olive) = Stack::with_operator(|_| {}).await;
    let mut ann = signed_up(&stack).await;
    let mut bob = signed_up(&stack).await;
    let cat = signed_up(&stack).await;
    connect(&ann, &bob).await;
    let bobs = write(&bob, "Bob's post.", "connections", &[]).await;
    let anns = write(&ann, "Ann's post.", "connections", &[]).await;
    comment(&bob, &anns, "Bob's comment.").await;
    let reply = bob
        .call(
            Method::PUT,
            &format!("/api/posts/{anns}/reaction"),
            Some(json!({ "kind": "heart" })),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    let reply = cat
        .post("/api/connections/requests", json!({ "user_id": bob.id }))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    let reply = report(&ann, json!({ "type": "user", "id": bob.id }), "spam").await;
    assert_eq!(reply.status, StatusCode::CREATED);
    let reply = report(&ann, json!({ "type": "post", "id": bobs }), "spam").await;
    assert_eq!(reply.status, StatusCode::CREATED);

    // What everyone sees of Bob, before and after.
    async fn sees_bob(
        ann: &Person,
        cat: &Person,
        bob: &Person,
        bobs: &str,
        anns: &str,
    ) -> Vec<bool> {
        let search = ann
            .get(&format!("/api/users/search?q={}", bob.username))
            .await;
        vec![
            ann.get("/api/feed")
                .await
                .body
                .to_string()
                .contains("Bob's post."),
            ann.get(&format!("/api/posts/{bobs}")).await.status == StatusCode::OK,
            ann.get(&format!("/api/posts/{anns}/comments"))
                .await
                .body
                .to_string()
                .contains("Bob's comment."),
            ann.get(&format!("/api/posts/{anns}/reactions"))
                .await
                .body
                .to_string()
                .contains(&bob.id),
            ann.get("/api/notifications")
                .await
                .body
                .to_string()
                .contains(&bob.id),
            search.body["users"]
                .as_array()
                .is_some_and(|u| !u.is_empty()),
            ann.get(&format!("/api/users/{}", bob.id)).await.status == StatusCode::OK,
            ann.get(&format!("/api/users/{}/posts", bob.id))
                .await
                .status
                == StatusCode::OK,
            ann.get("/api/connections")
                .await
                .body
                .to_string()
                .contains(&bob.id),
            bob.get("/api/connections/requests?direction=incoming")
                .await
                .body
                .to_string()
                .contains(&cat.id)
                && cat
                    .get("/api/connections/requests?direction=outgoing")
                    .await
                    .body
                    .to_string()
                    .contains(&bob.id),
        ]
    }
    assert_eq!(
        sees_bob(&ann, &cat, &bob, &bobs, &anns).await,
        vec![true; 10]
    );

    let reply = olive
        .post(
            &format!("/api/moderation/users/{}/suspend", bob.id),
            json!({ "reason": "A spam account." }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{:?}", reply.body);
    // The open reports about him, then one transaction: the profile's
    // flag, the audit, the reports closed.
    reply.assert_write_cost(2, 2);
    // Operators cannot be suspended from the desk, nor nobody.
    let reply = olive
        .post(
            &format!("/api/moderation/users/{}/suspend", olive.id),
            json!({ "reason": "oops" }),
        )
        .await;
    assert_eq!(reply.code(), "cannot_suspend_operator");
    let reply = olive
        .post(
            &format!("/api/moderation/users/{NOBODY}/suspend"),
            json!({ "reason": "oops" }),
        )
        .await;
    assert_eq!(reply.code(), "user_not_found");

    // Bob's live access token still reads (for its 15 minutes), but Ann,
    // Cat and everyone else see nothing of him: every path.
    let seen = sees_bob(&ann, &cat, &bob, &bobs, &anns).await;
    assert_eq!(seen[..9], [false; 9], "{seen:?}");
    let reply = cat
        .get("/api/connections/requests?direction=outgoing")
        .await;
    assert!(
        !reply.body.to_string().contains(&bob.id),
        "Cat's request to Bob is hidden"
    );
    let reply = ann
        .post("/api/connections/requests", json!({ "user_id": bob.id }))
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    // He cannot refresh or sign in again; the answer comes only after his
    // password (or cookie) proved it is him.
    let reply = bob.post("/api/auth/refresh", json!({})).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{:?}", reply.body);
    assert_eq!(reply.code(), "account_suspended");
    let reply = bob
        .post(
            "/api/auth/login",
            json!({ "login": bob.username, "password": PASSWORD }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{:?}", reply.body);
    assert_eq!(reply.code(), "account_suspended");
    let reply = bob
        .post(
            "/api/auth/login",
            json!({ "login": bob.username, "password": "not-his-password-at-all" }),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNAUTHORIZED,
        "a wrong password says nothing more"
    );
    // The reports about him (on him, on his post) are closed as suspended,
    // and the desk says so.
    let closed = olive.get("/api/moderation/reports?status=closed").await;
    let closed = closed.body["reports"].as_array().unwrap().clone();
    assert_eq!(closed.len(), 2, "{closed:?}");
    for report in &closed {
        assert_eq!(report["resolution"], "suspended");
        assert_eq!(report["subject_suspended"], true);
    }
    assert!(open_reports(&olive).await.is_empty());

    let reply = olive
        .post(
            &format!("/api/moderation/users/{}/unsuspend", bob.id),
            json!({}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{:?}", reply.body);
    // One transaction: the profile and the audit record.
    reply.assert_write_cost(1, 1);
    let reply = bob
        .post(
            "/api/auth/login",
            json!({ "login": bob.username, "password": PASSWORD }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    bob.keep_session(&reply);
    ann.keep_session(
        &ann.post(
            "/api/auth/login",
            json!({ "login": ann.username, "password": PASSWORD }),
        )
        .await,
    );
    assert_eq!(
        sees_bob(&ann, &cat, &bob, &bobs, &anns).await,
        vec![true; 10]
    );

    let actions: Vec<_> = audit(&stack)
        .await
        .iter()
        .map(|a| a["action"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(actions, ["suspend_user", "unsuspend_user"]);
}

/// moto serves SNS and SQS beside DynamoDB, so on the moto pass of `make
/// test` (which sets `AWS_ENDPOINT_URL_SNS` to it) a new report's alert is
/// read back from a queue subscribed to the moderation topic. Dynoxide has
/// no SNS: there the test says so and ends.
#[tokio::test]
async fn a_new_report_is_announced_to_the_operators_without_anything_that_was_written() {
    let Ok(endpoint) = std::env::var("AWS_ENDPOINT_URL_SNS") else {
        eprintln!(
            "no SNS emulator here (AWS_ENDPOINT_URL_SNS unset): the moto pass runs this test"
        );
        return;
    };
    let region = require_env("AWS_REGION");
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(shared::app::https_client())
        .load()
        .await;
    let sns = aws_sdk_sns::Client::new(&sdk);
    let name = format!("reports-{}", unique());
    let topic = sns.create_topic().name(&name).send().await.unwrap();
    let topic_arn = topic.topic_arn.unwrap();
    // The queue, through SQS's JSON protocol (moto reads the service from
    // the credential scope and checks no signature).
    let sqs = |target: &str, body: Value| {
        reqwest::Client::new()
            .post(&endpoint)
            .header("x-amz-target", format!("AmazonSQS.{target}"))
            .header("content-type", "application/x-amz-json-1.0")
            .header(
                "authorization",
                format!(
                    "AWS4-HMAC-SHA256 Credential=local/20260101/{region}/sqs/aws4_request, \
                     SignedHeaders=host, Signature=0"
                ),
            )
            .json(&body)
            .send()
    };
    let queue: Value = sqs("CreateQueue", json!({ "QueueName": name }))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let queue_url = queue["QueueUrl"].as_str().unwrap().to_owned();
    sns.subscribe()
        .topic_arn(&topic_arn)
        .protocol("sqs")
        .endpoint(format!("arn:aws:sqs:{region}:123456789012:{name}"))
        .attributes("RawMessageDelivery", "false")
        .send()
        .await
        .unwrap();

    let (stack, _olive) = Stack::with_operator(|config| {
        config.moderation_topic_arn = Some(topic_arn.clone());
    })
    .await;
    let ann = signed_up(&stack).await;
    let bob = signed_up(&stack).await;
    connect(&ann, &bob).await;
    let post = write(&bob, "A very secret sentence.", "connections", &[]).await;
    let reply = ann
        .post(
            "/api/reports",
            json!({ "target": { "type": "post", "id": post }, "reason": "harassment", "note": "My private note." }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);

    let received: Value = sqs(
        "ReceiveMessage",
        json!({ "QueueUrl": queue_url, "MaxNumberOfMessages": 10, "WaitTimeSeconds": 2 }),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let messages = received["Messages"].as_array().cloned().unwrap_or_default();
    assert_eq!(messages.len(), 1, "{received}");
    let envelope: Value = serde_json::from_str(messages[0]["Body"].as_str().unwrap()).unwrap();
    let (subject, message) = (
        envelope["Subject"].as_str().unwrap_or_default(),
        envelope["Message"].as_str().unwrap_or_default(),
    );
    assert!(subject.contains("new report"), "{envelope}");
    assert!(
        message.contains("A post was reported (harassment)"),
        "{message}"
    );
    for secret in [
        "A very secret sentence.",
        "My private note.",
        &ann.username,
        &bob.username,
        &ann.id,
        &bob.id,
        &post,
    ] {
        assert!(
            !envelope.to_string().contains(secret),
            "{secret} in {envelope}"
        );
    }
}
