//! Inviting a friend by email: the one email and its link, joining through
//! it (connected, or a request at the inviter's cap), a link used once and
//! only by its address, expired and cancelled links, an address that has
//! an account or opted out (the same answer every time), and the limit.

use crate::common::*;
use crate::social_common::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn invite(person: &Person, email: &str) -> Reply {
    person
        .post("/api/invitations", json!({ "email": email }))
        .await
}

fn fresh_address() -> String {
    format!("friend-{}@example.com", unique())
}

/// The invitation emails `to` received, oldest first.
async fn invitations_to(to: &str) -> Vec<Value> {
    mailbox(to)
        .await
        .into_iter()
        .filter(|mail| {
            mail["subject"]
                .as_str()
                .unwrap_or_default()
                .contains("invites you")
        })
        .collect()
}

/// The token in the link of the newest invitation to `to`.
async fn token_for(to: &str) -> String {
    let mails = invitations_to(to).await;
    let text = mails.last().expect("an invitation")["body"]["text"]
        .as_str()
        .unwrap()
        .to_owned();
    let start = text.find("/join?invitation=").expect("a link") + "/join?invitation=".len();
    text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

/// Signs `person` up (their own address and a fresh code), through the
/// invitation `token` if given.
async fn join(person: &mut Person, token: Option<&str>) -> Reply {
    let code = person.request_code().await;
    let mut body = json!({ "email": person.email, "username": person.username, "password": PASSWORD, "code": code });
    if let Some(token) = token {
        body["invitation"] = json!(token);
    }
    let reply = person.post("/api/auth/register", body).await;
    if reply.status == StatusCode::CREATED {
        person.keep_session(&reply);
    }
    reply
}

fn connection_ids(reply: &Reply) -> Vec<String> {
    reply.body["connections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["user"]["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn statuses(person: &Person) -> Vec<(String, String)> {
    let reply = person.get("/api/invitations").await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.assert_read_cost(1, 1);
    reply.body["invitations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["email"].as_str().unwrap().to_owned(),
                i["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn an_invited_friend_joins_through_the_link_and_is_connected_at_once() {
    let stack = Stack::start().await;
    let ann = signed_up(&stack).await;
    let shared_post = write(&ann, "Ann's earlier news.", "connections", &[]).await;
    let mut friend = stack.person();
    friend.email = fresh_address();

    let reply = invite(&ann, &friend.email.to_uppercase()).await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{:?}", reply.body);
    assert!(
        reply.body["message"]
            .as_str()
            .unwrap()
            .starts_with("Invitation sent")
    );
    // The count beside the address's state, then the transaction (the
    // email is SES's).
    reply.assert_write_cost(3, 2);
    let mails = invitations_to(&friend.email).await;
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert_eq!(
        mail["subject"],
        format!("@{} invites you to Intentional Social", ann.username)
    );
    let text = mail["body"]["text"].as_str().unwrap();
    assert!(
        text.contains("http://localhost:3000/join?invitation="),
        "{text}"
    );
    assert!(!text.contains(&ann.email), "no address of the inviter");
    let headers = mail["headers"].to_string();
    assert!(
        headers.contains("List-Unsubscribe") && headers.contains("One-Click"),
        "{headers}"
    );
    assert!(
        headers.contains("/api/invitations/opt-out?token="),
        "{headers}"
    );
    assert_eq!(
        statuses(&ann).await,
        [(friend.email.clone(), "pending".to_owned())]
    );

    // Inviting again within the window sends nothing new, same answer.
    let again = invite(&ann, &friend.email).await;
    assert_eq!(again.status, StatusCode::ACCEPTED);
    assert_eq!(again.body, reply.body);
    assert_eq!(invitations_to(&friend.email).await.len(), 1);

    // The link signs up only its own address, and still needs the code.
    let token = token_for(&friend.email).await;
    let mut stranger = stack.person();
    let refused = join(&mut stranger, Some(&token)).await;
    assert_eq!(
        refused.status,
        StatusCode::BAD_REQUEST,
        "{:?}",
        refused.body
    );
    assert_eq!(refused.code(), "invitation_not_valid");
    let code = friend.request_code().await;
    let wrong_code = friend
        .post(
            "/api/auth/register",
            json!({ "email": friend.email, "username": friend.username, "password": PASSWORD,
                    "code": if code == "000000" { "111111" } else { "000000" }, "invitation": token }),
        )
        .await;
    assert_eq!(
        wrong_code.status,
        StatusCode::BAD_REQUEST,
        "{:?}",
        wrong_code.body
    );
    assert_ne!(
        wrong_code.code(),
        "invitation_not_valid",
        "the code is asked first"
    );

    let joined = join(&mut friend, Some(&token)).await;
    assert_eq!(joined.status, StatusCode::CREATED, "{:?}", joined.body);
    // A registration's 6, then the link, the inviter, the transaction that
    // uses the link and connects them, and Ann's earlier posts into the
    // new feed (a Query, a BatchWriteItem).
    joined.assert_write_cost(11, 10);
    // Connected both ways, with Ann's earlier posts in the new feed.
    assert_eq!(
        connection_ids(&friend.get("/api/connections").await),
        vec![ann.id.clone()]
    );
    assert_eq!(
        connection_ids(&ann.get("/api/connections").await),
        vec![friend.id.clone()]
    );
    assert_eq!(all_ids(&friend, "/api/feed").await, [shared_post]);
    assert_eq!(
        statuses(&ann).await,
        [(friend.email.clone(), "joined".to_owned())]
    );

    // Used once: its link is gone from the table.
    let hash = shared::domain::invitation::InvitationToken::parse(&token)
        .unwrap()
        .hash();
    assert_eq!(stack.app.store.invite_link(&hash).await.unwrap(), None);
}

#[tokio::test]
async fn at_the_inviters_cap_joining_leaves_a_request_from_them() {
    let mut config = test_config();
    config.max_connections = 1;
    let stack = Stack::start_with(config).await;
    let ann = signed_up(&stack).await;
    let bob = signed_up(&stack).await;
    connect(&ann, &bob).await;
    let mut friend = stack.person();
    friend.email = fresh_address();
    assert_eq!(
        invite(&ann, &friend.email).await.status,
        StatusCode::ACCEPTED
    );
    let token = token_for(&friend.email).await;
    let joined = join(&mut friend, Some(&token)).await;
    assert_eq!(joined.status, StatusCode::CREATED, "{:?}", joined.body);
    assert_eq!(
        connection_ids(&friend.get("/api/connections").await),
        Vec::<String>::new()
    );
    let incoming = friend
        .get("/api/connections/requests?direction=incoming")
        .await;
    assert_eq!(
        incoming.body["requests"][0]["user"]["id"],
        ann.id.as_str(),
        "{:?}",
        incoming.body
    );
    assert_eq!(
        statuses(&ann).await,
        [(friend.email.clone(), "joined".to_owned())]
    );
    // Told as any request is, and counted on both sides.
    let notifications = friend.get("/api/notifications").await;
    assert_eq!(
        notifications.body["notifications"][0]["kind"],
        "connection_request"
    );
    let mine = ann
        .get("/api/connections/requests?direction=outgoing")
        .await;
    assert_eq!(mine.body["requests"][0]["user"]["id"], friend.id.as_str());
    // Accepting waits for Ann to have room.
    let reply = friend
        .post(
            &format!("/api/connections/requests/{}/accept", ann.id),
            json!({}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "{:?}", reply.body);
}

#[tokio::test]
async fn cancelled_and_expired_links_sign_nobody_up_but_the_account_can_still_be_made() {
    let stack = Stack::start().await;
    let ann = signed_up(&stack).await;
    let bob = signed_up(&stack).await;
    let mut cancelled = stack.person();
    cancelled.email = fresh_address();
    let mut expired = stack.person();
    expired.email = fresh_address();
    for friend in [&cancelled, &expired] {
        assert_eq!(
            invite(&ann, &friend.email).await.status,
            StatusCode::ACCEPTED
        );
    }
    let list = ann.get("/api/invitations").await;
    let id_of = |email: &str| {
        list.body["invitations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["email"] == email)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let cancel_path = format!("/api/invitations/{}", id_of(&cancelled.email));
    // Only the inviter can cancel it; for anyone else it is not there.
    let reply = bob.call(Method::DELETE, &cancel_path, None).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.code(), "invitation_not_found");
    let reply = ann.call(Method::DELETE, &cancel_path, None).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{:?}", reply.body);
    reply.assert_write_cost(2, 2);
    let reply = ann.call(Method::DELETE, &cancel_path, None).await;
    assert_eq!(reply.code(), "invitation_not_found", "not pending any more");

    // Run out: the link's items say so (as 14 days would).
    let expired_id = id_of(&expired.email);
    let expired_token = token_for(&expired.email).await;
    let client = dynamodb().await;
    let table = &stack.app.config.table_name;
    let hash = shared::domain::invitation::InvitationToken::parse(&expired_token)
        .unwrap()
        .hash();
    for (pk, sk) in [
        (format!("INVITE#{hash}"), "INVITE".to_owned()),
        (
            format!("USER#{}", ann.id),
            format!("INVITATION#{expired_id}"),
        ),
    ] {
        client
            .update_item()
            .table_name(table)
            .key("PK", aws_sdk_dynamodb::types::AttributeValue::S(pk))
            .key("SK", aws_sdk_dynamodb::types::AttributeValue::S(sk))
            .update_expression("SET valid_until = :past")
            .expression_attribute_values(
                ":past",
                aws_sdk_dynamodb::types::AttributeValue::N("1000".into()),
            )
            .send()
            .await
            .unwrap();
    }
    let mut statuses = statuses(&ann).await;
    statuses.sort();
    let mut expected = vec![
        (cancelled.email.clone(), "cancelled".to_owned()),
        (expired.email.clone(), "expired".to_owned()),
    ];
    expected.sort();
    assert_eq!(statuses, expected);

    let token = token_for(&cancelled.email).await;
    for (friend, token) in [(&mut cancelled, token), (&mut expired, expired_token)] {
        let reply = join(friend, Some(&token)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{:?}", reply.body);
        assert_eq!(reply.code(), "invitation_not_valid");
        // The code was not used up: the account can be made without it.
        let code = latest_code(&friend.email).await;
        let reply = friend
            .post(
                "/api/auth/register",
                json!({ "email": friend.email, "username": friend.username, "password": PASSWORD, "code": code }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    }
    // An expired invitation may be sent again.
    let mut again = stack.person();
    again.email = fresh_address();
    assert_eq!(
        invite(&ann, &again.email).await.status,
        StatusCode::ACCEPTED
    );
    let reply = join(&mut again, Some("not-a-token")).await;
    assert_eq!(reply.code(), "invitation_not_valid");
}

#[tokio::test]
async fn a_member_gets_a_request_an_opted_out_address_nothing_and_the_answer_never_differs() {
    let mut config = test_config();
    config.rate_limits.invitations_per_account =
        shared::config::RateLimit::parse("5/86400").unwrap();
    let stack = Stack::start_with(config).await;
    let ann = signed_up(&stack).await;
    let bob = signed_up(&stack).await;
    let fresh = fresh_address();

    let to_member = invite(&ann, &bob.email).await;
    let to_fresh = invite(&ann, &fresh).await;
    let to_self = invite(&ann, &ann.email).await;
    for reply in [&to_member, &to_fresh, &to_self] {
        assert_eq!(reply.status, StatusCode::ACCEPTED, "{:?}", reply.body);
        assert!(
            reply.body["message"]
                .as_str()
                .unwrap()
                .starts_with("Invitation sent to ")
        );
    }
    // Bob, a member, gets no invitation but a request from Ann.
    assert!(invitations_to(&bob.email).await.is_empty());
    let incoming = bob
        .get("/api/connections/requests?direction=incoming")
        .await;
    assert_eq!(incoming.body["requests"][0]["user"]["id"], ann.id.as_str());
    assert!(
        invitations_to(&ann.email).await.is_empty(),
        "nothing to oneself"
    );
    // The lines look alike.
    let mut listed: Vec<_> = statuses(&ann).await;
    listed.sort();
    let mut expected = vec![
        (bob.email.clone(), "pending".to_owned()),
        (fresh.clone(), "pending".to_owned()),
    ];
    expected.sort();
    assert_eq!(listed, expected);

    // The fresh address opts out: the link, opened, changes nothing; posted
    // (as a mail client does) it ends every invitation to it, from anyone.
    let mail = invitations_to(&fresh).await.pop().unwrap();
    let link = mail["headers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["name"] == "List-Unsubscribe")
        .unwrap()["value"]
        .as_str()
        .unwrap()
        .trim_matches(|c| c == '<' || c == '>')
        .replace("http://localhost:3000", "");
    let page = ann.raw(Method::GET, &link).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("<form method=\"post\""));
    let forged = ann
        .raw(
            Method::POST,
            "/api/invitations/opt-out?token=AAAAAAAAAAAAAAAAAAAAAAAA",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::BAD_REQUEST);
    let done = ann
        .raw(Method::POST, &link)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::OK);
    // The per-client count (by address), then 1 PutItem.
    assert_eq!(done.headers()["x-dynamodb-requests"], "2");
    let reply = invite(&bob, &fresh).await;
    assert_eq!(reply.status, StatusCode::ACCEPTED);
    assert_eq!(
        invitations_to(&fresh).await.len(),
        1,
        "no invitation after opting out"
    );

    // Bad input changes nothing; the limit counts every try.
    let reply = invite(&ann, "not an address").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.code(), "invalid_email");
    let extra = fresh_address();
    for n in 0..3 {
        let reply = invite(&ann, &extra).await;
        if n < 2 {
            assert_eq!(
                reply.status,
                StatusCode::ACCEPTED,
                "try {n}: {:?}",
                reply.body
            );
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
