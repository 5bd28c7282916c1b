//! The per-client limit (`RATE_LIMIT_CLIENT`, 100 calls a minute): one
//! client, the signed-in person or else the address (an IPv6 address by its
//! /64), cannot use up the API for everyone. Past the limit it gets `429`
//! with `Retry-After`, a refused write changes nothing, and everyone else
//! keeps being served.

use std::time::Duration;

use crate::common::*;
use reqwest::{Method, StatusCode};
use serde_json::json;
use shared::config::{ClientIpSource, RateLimit, RateLimits};

const MINUTE: Duration = Duration::from_secs(60);

/// The per-client limit's `429`, with a message that says what happened.
#[track_caller]
fn assert_held(reply: &Reply) {
    assert_rate_limited(reply, MINUTE);
    assert!(
        reply.body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("Too many requests from this client")),
        "{:?}",
        reply.body
    );
}

#[tokio::test]
async fn a_signed_in_client_gets_a_hundred_calls_a_minute_and_everyone_else_is_served() {
    let mut config = test_config();
    config.rate_limits = RateLimits::default();
    let stack = Stack::start_with(config).await;
    let mut ann = stack.person();
    ann.sign_up().await;
    let mut bob = stack.person();
    bob.sign_up().await;
    fresh_window(MINUTE, 40).await;

    // A page load's burst, all at once, is served: the whole minute's
    // allowance may be spent together.
    let page = [
        "/api/auth/me",
        "/api/feed",
        "/api/connections",
        "/api/connections/requests",
        "/api/tags",
        "/api/posts/mine",
    ];
    let replies = futures::future::join_all(page.iter().map(|path| ann.get(path))).await;
    for (path, reply) in page.iter().zip(&replies) {
        assert_eq!(reply.status, StatusCode::OK, "{path}: {:?}", reply.body);
    }
    // Up to 100 in the minute are answered on their merits.
    for call in page.len()..100 {
        let reply = ann.get("/api/auth/me").await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "call {}: {:?}",
            call + 1,
            reply.body
        );
    }
    // The 101st is held, whatever the route.
    assert_held(&ann.get("/api/feed").await);
    // A refused write changes nothing.
    let refused = ann
        .post(
            "/api/posts",
            json!({ "content": "a post past the limit", "audience": "private" }),
        )
        .await;
    assert_held(&refused);
    let posts = stack
        .app
        .store
        .posts_by_author(&ann.user_id(), None, 10, None)
        .await
        .unwrap()
        .items;
    assert!(posts.is_empty(), "a refused write wrote {posts:?}");
    // The limit follows the person, not the address.
    assert_held(&ann.behind(unique_loopback()).get("/api/auth/me").await);

    // Everyone else is served: another person, and someone anonymous at
    // Ann's own address (signed-in calls count on the person).
    let reply = bob.get("/api/auth/me").await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    let mut signed_out = ann.behind(unique_loopback());
    signed_out.token = None;
    let reply = signed_out.get("/api/auth/me").await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{:?}", reply.body);
}

/// A stack that reads the client's address from `CloudFront-Viewer-Address`,
/// as in AWS, with `max` calls a minute per client.
async fn behind_cloudfront(max: u32) -> Stack {
    let mut config = test_config();
    config.client_ip_source = ClientIpSource::CloudFront;
    config.rate_limits.calls_per_client = RateLimit {
        max,
        window: MINUTE,
    };
    Stack::start_with(config).await
}

/// An anonymous call from `viewer` (CloudFront's `address:port`).
async fn call_from(stack: &Stack, viewer: &str) -> Reply {
    let person = stack.person();
    Person::reply(
        person
            .raw(Method::GET, "/api/auth/me")
            .header("cloudfront-viewer-address", viewer),
    )
    .await
}

#[tokio::test]
async fn an_anonymous_client_is_its_address_and_an_ipv6_client_its_slash_64() {
    let stack = behind_cloudfront(3).await;
    fresh_window(MINUTE, 20).await;

    // Three calls from anywhere in one /64 are answered on their merits
    // (401: no token); the fourth, from yet another address in it, is held.
    for viewer in [
        "2001:db8:7:1::10:443",
        "2001:db8:7:1::11:443",
        "2001:db8:7:1:ffff:ffff:ffff:fffe:50000",
    ] {
        let reply = call_from(&stack, viewer).await;
        assert_eq!(
            reply.status,
            StatusCode::UNAUTHORIZED,
            "{viewer}: {:?}",
            reply.body
        );
    }
    assert_held(&call_from(&stack, "2001:db8:7:1:1234:5678:9abc:def0:443").await);
    // The next /64 is another client.
    let reply = call_from(&stack, "2001:db8:7:2::10:443").await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{:?}", reply.body);

    // IPv4 clients are their whole address.
    for _ in 0..3 {
        let reply = call_from(&stack, "203.0.113.7:443").await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{:?}", reply.body);
    }
    assert_held(&call_from(&stack, "203.0.113.7:9000").await);
    let reply = call_from(&stack, "203.0.113.8:443").await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{:?}", reply.body);
}

#[tokio::test]
async fn the_other_per_address_limits_count_an_ipv6_client_by_its_slash_64() {
    let mut config = test_config();
    config.client_ip_source = ClientIpSource::CloudFront;
    config.rate_limits.login_per_ip = RateLimit {
        max: 2,
        window: MINUTE,
    };
    let stack = Stack::start_with(config).await;
    fresh_window(MINUTE, 20).await;
    let login = |viewer: &'static str| {
        let person = stack.person();
        async move {
            Person::reply(
                person
                    .raw(Method::POST, "/api/auth/login")
                    .header("cloudfront-viewer-address", viewer)
                    .json(&json!({ "login": "nobody_here", "password": "guess-guess-guess" })),
            )
            .await
        }
    };
    for viewer in ["2001:db8:9:1::1:443", "2001:db8:9:1::2:443"] {
        assert_eq!(login(viewer).await.status, StatusCode::UNAUTHORIZED);
    }
    let held = login("2001:db8:9:1::3:443").await;
    assert_eq!(
        held.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{:?}",
        held.body
    );
    assert_eq!(
        login("2001:db8:9:2::1:443").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_read_counts_beside_its_own_reads_and_a_write_before_its_writes() {
    let stack = Stack::start().await;
    let mut ann = stack.person();
    ann.sign_up().await;
    // `me` is one GetItem: the count runs beside it (2 requests, 1 deep).
    let reply = ann.get("/api/auth/me").await;
    assert_eq!(reply.status, StatusCode::OK);
    reply.assert_read_cost(1, 1);
    reply.assert_cost(2, 1);
    // A write is counted first: creating a post costs one request and one
    // round trip more than its own work.
    let reply = ann
        .post(
            "/api/posts",
            json!({ "content": "counted", "audience": "private" }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    // A private post to nobody: 3 requests, 3 deep, of its own (the
    // author's partition, the author's feed entry, the post).
    reply.assert_write_cost(3, 3);
    reply.assert_cost(4, 4);
}
