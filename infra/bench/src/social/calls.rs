//! The measured social calls, as data: the same call is sent one after
//! another, by concurrent clients, and to the slowed gateway.

use std::ops::Range;

use serde_json::{Value, json};
use shared::domain::Timestamp;
use shared::domain::ids::FamilyId;

use super::seed::{CONNECTIONS, Seeded};
use crate::Gateway;
use crate::measure::{Sample, timed};

/// Posts per feed page asked for.
pub const PAGE: usize = 20;

/// One API request, independent of the gateway it is sent to.
#[derive(Clone)]
pub struct Request {
    method: reqwest::Method,
    path: String,
    token: String,
    body: Option<Value>,
}

impl Request {
    fn get(path: String, token: &str) -> Self {
        Self {
            method: reqwest::Method::GET,
            path,
            token: token.to_owned(),
            body: None,
        }
    }

    fn post(path: String, token: &str, body: Value) -> Self {
        Self::with_body(reqwest::Method::POST, path, token, body)
    }

    fn with_body(method: reqwest::Method, path: String, token: &str, body: Value) -> Self {
        Self {
            method,
            path,
            token: token.to_owned(),
            body: Some(body),
        }
    }

    fn to(&self, gateway: &Gateway) -> reqwest::RequestBuilder {
        let url = format!("{}{}", gateway.base, self.path);
        let builder = gateway
            .client
            .request(self.method.clone(), url)
            .bearer_auth(&self.token);
        match &self.body {
            Some(body) => builder.json(body),
            None => builder,
        }
    }
}

/// A measured call: `request(i)` is its i-th request (accept needs a
/// different friend each time; reads ignore `i`).
pub struct Call {
    pub name: String,
    request: Box<dyn Fn(usize) -> Request + Send + Sync>,
    /// Posts each answer must hold: a short page would time less work.
    full_page: Option<usize>,
    /// How many times it runs one after another, per gateway.
    pub times: usize,
    /// Also measured with concurrent clients.
    pub under_load: bool,
}

impl Call {
    /// Sends the i-th request and checks the answer.
    pub async fn send(&self, gateway: &Gateway, i: usize) -> Sample {
        let (sample, body) = timed((self.request)(i).to(gateway)).await;
        if let Some(posts) = self.full_page {
            assert_eq!(posts_in(&body), posts, "{}: a full page", self.name);
        }
        sample
    }

    /// The requests `indices`, one after another.
    pub async fn sequential(&self, gateway: &Gateway, indices: Range<usize>) -> Vec<Sample> {
        let mut samples = Vec::with_capacity(indices.len());
        for i in indices {
            samples.push(self.send(gateway, i).await);
        }
        samples
    }
}

pub fn posts_in(body: &Value) -> usize {
    body["posts"].as_array().map_or(0, Vec::len)
}

/// A read of a full page, `rounds` times one after another.
fn read(name: String, path: String, token: &str, rounds: usize) -> Call {
    let request = Request::get(path, token);
    Call {
        name,
        request: Box::new(move |_| request.clone()),
        full_page: Some(PAGE),
        times: rounds,
        under_load: false,
    }
}

/// Accept: friend i (1 connection, 32 posts) accepts the newcomer (30
/// posts), so both feeds are backfilled. Each friend's request is accepted
/// once: `accepts` per gateway, tokens minted with the app's keys (access
/// tokens are stateless JWTs).
fn accept(gateway: &Gateway, seeded: &Seeded, accepts: usize) -> Call {
    let path = format!("/api/connections/requests/{}/accept", seeded.newcomer.id);
    let requests: Vec<Request> = seeded
        .friends
        .iter()
        .map(|friend| {
            let token =
                gateway
                    .app
                    .keys
                    .issue_access(&friend.id, &FamilyId::new(), Timestamp::now());
            Request::post(path.clone(), &token, json!({}))
        })
        .collect();
    Call {
        name: "accept a request".to_owned(),
        request: Box::new(move |i| requests[i].clone()),
        full_page: None,
        times: accepts,
        under_load: false,
    }
}

/// The calls of the social table, in its order.
#[allow(clippy::too_many_arguments)]
pub fn all(
    gateway: &Gateway,
    seeded: &Seeded,
    token: &str,
    deep: &Deep,
    friends_post: &str,
    rounds: usize,
    accepts: usize,
) -> Vec<Call> {
    let work = &seeded.tags.work;
    let tagged = seeded.tags.work_people;
    let deep_path = format!("/api/feed?limit={PAGE}&cursor={}", deep.cursor);
    vec![
        Call {
            under_load: true,
            ..read(
                "feed, first page".into(),
                format!("/api/feed?limit={PAGE}"),
                token,
                rounds,
            )
        },
        Call {
            under_load: true,
            ..read(
                format!("feed, page {}", deep.page),
                deep_path,
                token,
                rounds,
            )
        },
        // The filter applies after DynamoDB's page limit: a page may be short.
        Call {
            full_page: None,
            ..read(
                format!("feed, tag filter ({tagged} people)"),
                format!("/api/feed?limit={PAGE}&tag_ids={work}"),
                token,
                rounds,
            )
        },
        read(
            "my posts".into(),
            format!("/api/posts/mine?limit={PAGE}"),
            token,
            rounds,
        ),
        accept(gateway, seeded, accepts),
        conversation(
            "comment on a friend's post".into(),
            friends_post,
            token,
            rounds,
            |post, token, n| {
                let body = json!({ "content": format!("Bench comment {n}.") });
                Request::post(format!("/api/posts/{post}/comments"), token, body)
            },
        ),
        Call {
            full_page: None,
            ..read(
                "its comments, first page".into(),
                format!("/api/posts/{friends_post}/comments?limit={PAGE}"),
                token,
                rounds,
            )
        },
        conversation(
            "react to it".into(),
            friends_post,
            token,
            rounds,
            |post, token, n| {
                let kind = ["heart", "thanks", "wow"][n % 3];
                let path = format!("/api/posts/{post}/reaction");
                Request::with_body(reqwest::Method::PUT, path, token, json!({ "kind": kind }))
            },
        ),
        Call {
            full_page: None,
            under_load: true,
            ..read(
                "unread count".into(),
                "/api/notifications/unread".into(),
                token,
                rounds,
            )
        },
        Call {
            full_page: None,
            ..read(
                "notifications page".into(),
                "/api/notifications".into(),
                token,
                rounds,
            )
        },
        create_post(token, rounds),
    ]
}

/// A write under one post, the n-th request made by `request`.
fn conversation(
    name: String,
    post: &str,
    token: &str,
    rounds: usize,
    request: fn(&str, &str, usize) -> Request,
) -> Call {
    let (post, token) = (post.to_owned(), token.to_owned());
    Call {
        name,
        request: Box::new(move |n| request(&post, &token, n)),
        full_page: None,
        times: rounds,
        under_load: false,
    }
}

/// The reader writes to all their connections: the post, and its entry in
/// their own feed and in each connection's.
fn create_post(token: &str, rounds: usize) -> Call {
    let token = token.to_owned();
    Call {
        name: format!("create a post ({CONNECTIONS} conns)"),
        request: Box::new(move |n| {
            let content = format!("Bench post {n}: a calm note to everyone.");
            let body = json!({ "content": content, "audience": "connections" });
            Request::post("/api/posts".into(), &token, body)
        }),
        full_page: None,
        times: rounds,
        under_load: false,
    }
}

/// A fixed position several pages into the reader's feed.
pub struct Deep {
    pub page: usize,
    pub cursor: String,
}
