//! Uniqueness and session rotation under real concurrency: many requests in
//! flight at once through the gateway (multi-thread runtime) to the local DynamoDB.
//!
//! What the code guarantees, from `Store::create_user` (one
//! `TransactWriteItems`: profile, email claim and username claim each
//! `attribute_not_exists`, plus the conditional delete of the code) and from
//! `refresh_session` (a conditional `UpdateItem` on the family's secret hash):
//! - of N registrations of one email or one username, exactly one commits;
//! - a loser on the email sees `409 email_taken` (that condition is reported
//!   first) — or `400 code_expired` if it read the shared code only after the
//!   winner had consumed it;
//! - a loser on the username alone sees `409 username_taken`, and its own code
//!   is not consumed (the transaction is all or nothing);
//! - of N refreshes with one token exactly one rotates; every other one is
//!   refused as a replay, which revokes the whole family;
//! - of N registrations from one address, each with its own valid code, only
//!   as many commit as the per-address limit admits (the count is part of the
//!   registration's transaction); the rest see `429 rate_limited`;
//! - of N wrong passwords at once for one account, only as many are checked
//!   as the account's failure limit admits (each try is counted before its
//!   check); the rest see `429 rate_limited`, and so does the right password.

use crate::common::*;
use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::json;

const N: usize = 8;

/// The tests of this file run one at a time: each one's parallel requests
/// should race each other, not another test's.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn register(email: &str, username: &str, code: &str) -> serde_json::Value {
    json!({ "email": email, "username": username, "password": PASSWORD, "code": code })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_registrations_of_one_email_make_exactly_one_account() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let stack = Stack::start().await;
    let owner = stack.person();
    let code = owner.request_code().await;
    // N people, each from their own IP with their own username, all using the
    // one code sent to the one address.
    let people: Vec<Person> = (0..N).map(|_| stack.person()).collect();
    let replies = join_all(people.iter().map(|p| {
        p.post(
            "/api/auth/register",
            register(&owner.email, &p.username, &code),
        )
    }))
    .await;

    let winners: Vec<usize> = (0..N)
        .filter(|&i| replies[i].status == StatusCode::CREATED)
        .collect();
    assert_eq!(winners.len(), 1, "{replies:#?}");
    let winner = winners[0];
    for (i, reply) in replies.iter().enumerate().filter(|(i, _)| *i != winner) {
        let outcome = (reply.status, reply.code());
        assert!(
            outcome == (StatusCode::CONFLICT, "email_taken")
                || outcome == (StatusCode::BAD_REQUEST, "code_expired"),
            "loser {i}: {outcome:?} {:?}",
            reply.body
        );
    }
    let mut winner_person = stack.person();
    winner_person.keep_session(&replies[winner]);
    assert_eq!(
        replies[winner].body["user"]["username"],
        people[winner].username.as_str()
    );

    // The address now belongs to the winner's account, and only to it.
    let reply = stack
        .person()
        .post(
            "/api/auth/login",
            json!({ "login": owner.email, "password": PASSWORD }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(reply.body["user"]["id"], winner_person.id.as_str());
    assert_eq!(
        reply.body["user"]["username"],
        people[winner].username.as_str()
    );
    // The losers' usernames were not claimed: nobody has them.
    for (i, person) in people.iter().enumerate().filter(|(i, _)| *i != winner) {
        let reply = winner_person
            .get(&format!("/api/users/search?q={}", person.username))
            .await;
        assert_eq!(
            reply.body,
            json!({ "users": [] }),
            "loser {i}'s username was claimed"
        );
    }
    // A new sign-up for the address gets the "already registered" notice, not a code.
    let reply = stack
        .person()
        .post("/api/auth/otp", json!({ "email": owner.email }))
        .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED);
    assert_eq!(code_in(&mailbox(&owner.email).await.pop().unwrap()), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_registrations_of_one_username_make_exactly_one_account() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let stack = Stack::start().await;
    let username = format!("race_{}", unique());
    // N people, each with their own address and their own code.
    let people: Vec<Person> = (0..N).map(|_| stack.person()).collect();
    let codes = join_all(people.iter().map(Person::request_code)).await;
    let replies = join_all(
        people
            .iter()
            .zip(&codes)
            .map(|(p, code)| p.post("/api/auth/register", register(&p.email, &username, code))),
    )
    .await;

    let winners: Vec<usize> = (0..N)
        .filter(|&i| replies[i].status == StatusCode::CREATED)
        .collect();
    assert_eq!(winners.len(), 1, "{replies:#?}");
    let winner = winners[0];
    let losers: Vec<usize> = (0..N).filter(|&i| i != winner).collect();
    for &i in &losers {
        assert_eq!(
            (replies[i].status, replies[i].code()),
            (StatusCode::CONFLICT, "username_taken"),
            "loser {i}: {:?}",
            replies[i].body
        );
    }
    let winner_id = replies[winner].body["user"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Exactly one account has the username: signing in with it finds the
    // winner, and no loser's address has an account.
    let reply = stack
        .person()
        .post(
            "/api/auth/login",
            json!({ "login": username, "password": PASSWORD }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(reply.body["user"]["id"], winner_id.as_str());
    assert_eq!(reply.body["user"]["email"], people[winner].email.as_str());
    let (stack_ref, people_ref) = (&stack, &people);
    let loser_logins = join_all(losers.iter().map(|&i| async move {
        stack_ref
            .person()
            .post(
                "/api/auth/login",
                json!({ "login": people_ref[i].email, "password": PASSWORD }),
            )
            .await
    }))
    .await;
    for (i, reply) in losers.iter().zip(&loser_logins) {
        assert_eq!(
            reply.status,
            StatusCode::UNAUTHORIZED,
            "loser {i} has an account: {:?}",
            reply.body
        );
    }

    // The cancelled transactions consumed nothing: every loser's code still
    // works with another username (and these distinct registrations, made in
    // parallel too, all succeed).
    let retries = join_all(losers.iter().map(|&i| {
        let person = &people[i];
        person.post(
            "/api/auth/register",
            register(&person.email, &person.username, &codes[i]),
        )
    }))
    .await;
    for (i, reply) in losers.iter().zip(&retries) {
        assert_eq!(
            reply.status,
            StatusCode::CREATED,
            "loser {i} retrying: {:?}",
            reply.body
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_refreshes_of_one_token_rotate_once_and_revoke_the_session() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let stack = Stack::start().await;
    let mut ann = stack.person();
    ann.sign_up().await;
    // Another device of Ann's: a separate session family.
    let mut phone = stack.person();
    phone.keep_session(
        &phone
            .post(
                "/api/auth/login",
                json!({ "login": ann.username, "password": PASSWORD }),
            )
            .await,
    );
    assert!(phone.refresh.is_some());

    let token = ann.refresh.clone().unwrap();
    let tabs: Vec<Person> = (0..N)
        .map(|_| {
            let mut tab = stack.person();
            tab.refresh = Some(token.clone());
            tab
        })
        .collect();
    let replies = join_all(
        tabs.iter()
            .map(|tab| tab.post("/api/auth/refresh", json!({}))),
    )
    .await;

    // Exactly one rotation: the conditional update lets one through, and no
    // refusal can happen before a rotation (a refusal needs the stored hash to
    // differ from the token's, or the family to be gone after one).
    let rotated: Vec<&Reply> = replies
        .iter()
        .filter(|r| r.status == StatusCode::OK)
        .collect();
    assert_eq!(rotated.len(), 1, "{replies:#?}");
    for reply in replies.iter().filter(|r| r.status != StatusCode::OK) {
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::UNAUTHORIZED, "session_expired"),
            "{:?}",
            reply.body
        );
        let (value, header) = reply
            .refresh_cookie()
            .expect("a refused refresh clears the cookie");
        assert!(value.is_empty() && header.contains("Max-Age=0"), "{header}");
    }
    let (next, _) = rotated[0]
        .refresh_cookie()
        .expect("the rotation sets a new cookie");
    assert_ne!(next, token);

    // The losers are replays, so the family is revoked: neither the old token
    // nor the one just issued refreshes any more.
    let mut winner = stack.person();
    winner.refresh = Some(next);
    let reply = winner.post("/api/auth/refresh", json!({})).await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::UNAUTHORIZED, "session_expired"),
        "{:?}",
        reply.body
    );
    let reply = ann.post("/api/auth/refresh", json!({})).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{:?}", reply.body);
    // Only that family: the phone's session lives on.
    let reply = phone.post("/api/auth/refresh", json!({})).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_registrations_from_one_address_stop_at_its_limit() {
    const LIMIT: u32 = 3;
    let _turn = ONE_AT_A_TIME.lock().await;
    let mut config = test_config();
    config.rate_limits.register_per_ip = shared::config::RateLimit {
        max: LIMIT,
        window: std::time::Duration::from_secs(3600),
    };
    let stack = Stack::start_with(config).await;
    // N different people, each with a valid code of their own (asked for
    // from their own address), then all registering at once from one.
    let people: Vec<Person> = (0..N).map(|_| stack.person()).collect();
    let mut codes = Vec::new();
    for person in &people {
        codes.push(person.request_code().await);
    }
    let address = unique_loopback();
    let behind_one: Vec<Person> = people.iter().map(|p| p.behind(address)).collect();
    let replies = join_all(
        behind_one
            .iter()
            .zip(&codes)
            .map(|(p, code)| p.post("/api/auth/register", register(&p.email, &p.username, code))),
    )
    .await;

    let created = replies
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .count();
    assert_eq!(created, LIMIT as usize, "{replies:#?}");
    for reply in replies.iter().filter(|r| r.status != StatusCode::CREATED) {
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            "{reply:#?}"
        );
        assert!(reply.headers.contains_key("retry-after"), "{reply:#?}");
    }
    // Exactly the accepted ones have accounts: the others sign in as nobody.
    let mut accounts = 0;
    for person in &people {
        let reply = person
            .post(
                "/api/auth/login",
                json!({ "login": person.username, "password": PASSWORD }),
            )
            .await;
        match reply.status {
            StatusCode::OK => accounts += 1,
            StatusCode::UNAUTHORIZED => {}
            other => panic!("sign-in answered {other}: {reply:#?}"),
        }
    }
    assert_eq!(accounts, LIMIT, "accounts created");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_wrong_passwords_are_checked_only_up_to_the_account_limit() {
    const LIMIT: u32 = 3;
    let _turn = ONE_AT_A_TIME.lock().await;
    let mut config = test_config();
    config.rate_limits.login_failures_per_account = shared::config::RateLimit {
        max: LIMIT,
        window: std::time::Duration::from_secs(900),
    };
    let stack = Stack::start_with(config).await;
    let mut ann = stack.person();
    ann.sign_up().await;
    // A right password first: it must not count against the limit.
    let right = json!({ "login": ann.username, "password": PASSWORD });
    let reply = stack.person().post("/api/auth/login", right.clone()).await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:#?}");

    // N guesses at once, each from its own address (the per-IP limit is not
    // what is tested here).
    let guessers: Vec<Person> = (0..N).map(|_| stack.person()).collect();
    let replies = join_all(guessers.iter().enumerate().map(|(i, p)| {
        p.post(
            "/api/auth/login",
            json!({ "login": ann.username, "password": format!("wrong-guess-number-{i}") }),
        )
    }))
    .await;
    let checked = replies
        .iter()
        .filter(|r| (r.status, r.code()) == (StatusCode::UNAUTHORIZED, "invalid_credentials"))
        .count();
    let refused = replies
        .iter()
        .filter(|r| (r.status, r.code()) == (StatusCode::TOO_MANY_REQUESTS, "rate_limited"))
        .count();
    assert_eq!(
        (checked, refused),
        (LIMIT as usize, N - LIMIT as usize),
        "{replies:#?}"
    );
    // The account is now locked, even for the right password.
    let reply = stack.person().post("/api/auth/login", right).await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
        "{reply:#?}"
    );
}
