//! The social benchmark (issue 3): a reader with 100 connections who each
//! wrote 30+ posts; feed pages, my posts, accept and create post timed
//! through the gateway, with their DynamoDB requests per call.
//!
//! Seeding ~3,300 posts through the HTTP API would take minutes of argon2
//! and rate limits, so the data is written straight through the store, with
//! the same store calls (and the same fan-out) the functions use. Only the
//! measured calls go through the gateway.

use std::future::Future;
use std::time::Instant;

use serde_json::{Value, json};
use shared::App;
use shared::domain::Timestamp;
use shared::domain::account::{Email, Password};
use shared::domain::one_time_code::{self, CODE_TTL_SECONDS, CodePurpose};
use shared::domain::session::new_id;
use shared::domain::social::{Audience, TagColor};
use shared::fanout;
use shared::store::{CodeToConsume, CountInWindow, Edge, PostRecord, TagRecord, UserRecord};

use crate::{Gateway, PASSWORD, summarise, timed};

/// The reader's connections.
const CONNECTIONS: usize = 100;
/// Posts each connection writes: 30 the reader may see, and 2 private ones.
const POSTS_VISIBLE: usize = 30;
const POSTS_PRIVATE: usize = 2;
/// The reader's own posts before the run.
const READER_POSTS: usize = 30;
/// moto scans the whole table for every Query and copies it for every
/// transaction, so on ~10,000 items each call costs a few hundred ms (and
/// an accept seconds): the social calls are timed at most this many times...
const ROUNDS: usize = 40;
/// ...and accept at most this many times.
const ACCEPTS: usize = 10;
/// Store calls in flight while seeding (moto serves one at a time anyway;
/// this only overlaps the client side).
const PARALLEL: usize = 8;

/// Runs `work` on every item, `PARALLEL` at a time, and returns the results
/// in the order they finished; a panic in one fails the whole run.
async fn each<T, R, F, Fut>(items: impl IntoIterator<Item = T>, work: F) -> Vec<R>
where
    F: Fn(T) -> Fut,
    Fut: Future<Output = R> + Send + 'static,
    R: Send + 'static,
{
    let mut running = tokio::task::JoinSet::new();
    let mut results = Vec::new();
    for item in items {
        if running.len() >= PARALLEL {
            results.push(running.join_next().await.expect("a task").expect("seeding"));
        }
        running.spawn(work(item));
    }
    while let Some(done) = running.join_next().await {
        results.push(done.expect("seeding"));
    }
    results
}

/// An account as registration writes it (code, then profile and claims in
/// one transaction), without argon2 per person: every seeded account shares
/// one precomputed hash of [`PASSWORD`].
async fn create_user(app: &App, username: String, password_hash: String) -> UserRecord {
    let email = Email::parse(&format!("{username}@bench.example.com")).expect("email");
    let code_hash =
        one_time_code::hash_code(app.keys.code_key(), CodePurpose::Register, &email, "000000");
    let now = Timestamp::now();
    app.store
        .put_code(
            CodePurpose::Register,
            &email,
            &code_hash,
            now.plus_seconds(CODE_TTL_SECONDS),
        )
        .await
        .expect("put code");
    let user = UserRecord {
        id: new_id(),
        username,
        email: email.as_str().to_owned(),
        password_hash,
        created_at: now,
    };
    app.store
        .create_user(
            &user,
            CodeToConsume {
                purpose: CodePurpose::Register,
                email: &email,
                code_hash: &code_hash,
                now,
            },
            // Seeded directly: counted in a window of its own, never full.
            CountInWindow {
                rule: "register-seeded",
                subject: &user.id,
                window_start: 0,
                expires_at: now.plus_seconds(600),
                max: u32::MAX,
            },
        )
        .await
        .expect("create user");
    user
}

async fn create_tag(app: &App, owner: &str, name: &str, color: TagColor) -> String {
    let tag = TagRecord {
        id: new_id(),
        name: name.to_owned(),
        color,
        created_at: Timestamp::now(),
    };
    app.store
        .create_tag(owner, &tag, &name.to_lowercase())
        .await
        .expect("create tag");
    tag.id
}

fn post(
    author: &UserRecord,
    audience: Audience,
    tag_ids: Vec<String>,
    content: String,
) -> PostRecord {
    PostRecord {
        id: new_id(),
        author_id: author.id.clone(),
        author_username: author.username.clone(),
        content,
        audience,
        tag_ids,
        created_at: Timestamp::now(),
        edited_at: None,
    }
}

const LINES: &[&str] = &[
    "Slow morning: coffee on the balcony and the first chapter of a new book.",
    "The allotment gave us more courgettes than we can eat. Anyone nearby want some?",
    "Walked the long way home along the river. The herons are back.",
    "Finished the jigsaw puzzle that has lived on the dining table since March.",
    "Bread attempt number four: finally something I'd serve to guests.",
    "Quiet weekend ahead. Phone on silent, boots by the door.",
];

fn content(author: usize, n: usize) -> String {
    format!(
        "{} (note {n} from friend {author})",
        LINES[(author + n) % LINES.len()]
    )
}

/// Progress on stderr (the report is stdout).
fn step(clock: &Instant, done: &str) {
    eprintln!("  seeded {done} ({:.1} s)", clock.elapsed().as_secs_f64());
}

/// What was seeded.
struct Seeded {
    reader: UserRecord,
    friends: Vec<UserRecord>,
    newcomer: UserRecord,
    posts: usize,
}

async fn seed(app: &App, accepts: usize) -> Seeded {
    let max = app.config.max_connections;
    assert!(
        max as usize >= CONNECTIONS,
        "MAX_CONNECTIONS is {max}: the benchmark needs at least {CONNECTIONS}"
    );
    let password = Password::parse("password", PASSWORD, &[]).expect("strong password");
    let hash = shared::auth::hash_password(password).await.expect("argon2");
    let run = format!("{:08x}", rand::random::<u32>());
    let clock = Instant::now();

    // People: the reader, their 100 connections, and a newcomer who asked
    // some of them to connect (the accepts measured below).
    let reader = create_user(app, format!("r{run}"), hash.clone()).await;
    let newcomer = create_user(app, format!("n{run}"), hash.clone()).await;
    let mut friends = each(0..CONNECTIONS, |i| {
        let (app, hash) = (app.clone(), hash.clone());
        let name = format!("f{run}_{i:03}");
        async move { (i, create_user(&app, name, hash).await) }
    })
    .await;
    friends.sort_by_key(|(i, _)| *i);
    let friends: Vec<UserRecord> = friends.into_iter().map(|(_, user)| user).collect();
    step(&clock, "people");

    // The graph (transactions first, while the table is small: moto copies
    // the whole table for each transaction it runs).
    each(friends.clone(), |friend| {
        let (app, reader) = (app.clone(), reader.clone());
        async move {
            let now = Timestamp::now();
            app.store
                .send_request(&friend, &reader, max, now)
                .await
                .expect("request");
            app.store
                .accept_request(&reader, &friend, max, now)
                .await
                .expect("accept");
        }
    })
    .await;
    step(&clock, "connections");
    let family = create_tag(app, &reader.id, "Family", TagColor::Family).await;
    let work = create_tag(app, &reader.id, "Work", TagColor::Work).await;
    let close_friends = create_tag(app, &reader.id, "Friends", TagColor::Friends).await;
    each(friends.iter().cloned().enumerate(), |(i, friend)| {
        let (app, reader) = (app.clone(), reader.clone());
        let mut tags = Vec::new();
        if i % 10 == 0 {
            tags.push(family.clone());
        }
        if i % 3 == 0 {
            tags.push(work.clone());
        }
        if i % 4 == 1 {
            tags.push(close_friends.clone());
        }
        async move {
            if !tags.is_empty() {
                app.store
                    .set_edge_tags(&reader.id, &friend.id, &tags)
                    .await
                    .expect("tag connection");
            }
            // Every fifth friend keeps a tag on the reader and posts to it.
            if i % 5 == 0 {
                let close = create_tag(&app, &friend.id, "Close", TagColor::Inner).await;
                app.store
                    .set_edge_tags(&friend.id, &reader.id, std::slice::from_ref(&close))
                    .await
                    .expect("tag reader");
            }
        }
    })
    .await;
    step(&clock, "tags");
    each(friends.iter().take(accepts).cloned(), |friend| {
        let (app, newcomer) = (app.clone(), newcomer.clone());
        async move {
            app.store
                .send_request(&newcomer, &friend, max, Timestamp::now())
                .await
                .expect("newcomer's request");
        }
    })
    .await;
    step(&clock, "requests");

    // Posts, fanned out as `POST /api/posts` does, interleaved across authors
    // so the reader's feed mixes them.
    let mut writes = Vec::new();
    for n in 0..POSTS_VISIBLE + POSTS_PRIVATE {
        for (i, friend) in friends.iter().enumerate() {
            writes.push((n, i, friend.clone()));
        }
    }
    let edges = std::sync::Arc::new(edges_to_reader(app, &friends, &reader).await);
    each(writes, |(n, i, friend)| {
        let (app, edges) = (app.clone(), edges.clone());
        async move {
            let edge = &edges[i];
            // The friends who keep a tag on the reader post every sixth note to it.
            let (audience, tags) = if n >= POSTS_VISIBLE {
                (Audience::Private, Vec::new())
            } else if n % 6 == 0 && !edge.tag_ids.is_empty() {
                (Audience::Tags, edge.tag_ids.clone())
            } else {
                (Audience::Connections, Vec::new())
            };
            let record = post(&friend, audience, tags, content(i, n));
            let viewers = fanout::recipients(&record, std::slice::from_ref(edge));
            app.store
                .create_post(&record, &viewers)
                .await
                .expect("create post");
        }
    })
    .await;
    step(&clock, "connections' posts");
    let (_, reader_edges, _) = app
        .store
        .author_context(&reader.id)
        .await
        .expect("reader's partition");
    for n in 0..READER_POSTS {
        let (audience, tags) = match n % 5 {
            0 => (Audience::Tags, vec![family.clone()]),
            1 => (Audience::Tags, vec![work.clone(), close_friends.clone()]),
            2 => (Audience::Private, Vec::new()),
            _ => (Audience::Connections, Vec::new()),
        };
        let record = post(&reader, audience, tags, content(CONNECTIONS, n));
        let viewers = fanout::recipients(&record, &reader_edges);
        app.store
            .create_post(&record, &viewers)
            .await
            .expect("reader's post");
    }
    for n in 0..POSTS_VISIBLE {
        let record = post(&newcomer, Audience::Connections, Vec::new(), content(0, n));
        app.store
            .create_post(&record, &[])
            .await
            .expect("newcomer's post");
    }
    step(&clock, "own posts");
    Seeded {
        reader,
        friends,
        newcomer,
        posts: CONNECTIONS * (POSTS_VISIBLE + POSTS_PRIVATE) + READER_POSTS + POSTS_VISIBLE,
    }
}

/// Each friend's edge to the reader, with the tags they keep on the reader
/// (what `POST /api/posts` reads from the author's partition).
async fn edges_to_reader(app: &App, friends: &[UserRecord], reader: &UserRecord) -> Vec<Edge> {
    let mut edges = Vec::with_capacity(friends.len());
    for friend in friends {
        let edge = app
            .store
            .edge(&friend.id, &reader.id)
            .await
            .expect("edge read")
            .expect("friend is connected to the reader");
        edges.push(edge);
    }
    edges
}

fn posts_in(body: &Value) -> usize {
    body["posts"].as_array().map_or(0, Vec::len)
}

pub async fn bench(gateway: &Gateway, rounds: usize) {
    let app = &gateway.app;
    let base = &gateway.base;
    let client = &gateway.client;

    let accepts = rounds.min(ACCEPTS);
    let rounds = rounds.min(ROUNDS);
    let started = Instant::now();
    let seeded = seed(app, accepts).await;
    let seeding = started.elapsed();

    // The reader signs in through the API; the others get tokens minted
    // with the app's keys (access tokens are stateless JWTs).
    let (_, session) = timed(
        client
            .post(format!("{base}/api/auth/login"))
            .json(&json!({ "login": seeded.reader.username, "password": PASSWORD })),
    )
    .await;
    let token = session["access_token"]
        .as_str()
        .expect("access token")
        .to_owned();

    let mut feed = Vec::new();
    for _ in 0..rounds {
        let (sample, body) = timed(
            client
                .get(format!("{base}/api/feed?limit=20"))
                .bearer_auth(&token),
        )
        .await;
        assert_eq!(posts_in(&body), 20, "a full first page");
        feed.push(sample);
    }
    let mut feed_next = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..rounds {
        let url = match &cursor {
            Some(c) => format!("{base}/api/feed?limit=20&cursor={c}"),
            None => format!("{base}/api/feed?limit=20"),
        };
        let (sample, body) = timed(client.get(url).bearer_auth(&token)).await;
        if cursor.is_some() {
            feed_next.push(sample);
        }
        cursor = body["next_cursor"].as_str().map(str::to_owned);
    }
    let mut mine = Vec::new();
    for _ in 0..rounds {
        let (sample, body) = timed(
            client
                .get(format!("{base}/api/posts/mine?limit=20"))
                .bearer_auth(&token),
        )
        .await;
        assert_eq!(posts_in(&body), 20, "a full page of my posts");
        mine.push(sample);
    }
    // Accept: connection i (1 connection, 32 posts) accepts the newcomer (30
    // posts): both feeds are backfilled.
    let mut accept = Vec::new();
    for friend in seeded.friends.iter().take(accepts) {
        let friend_token = app
            .keys
            .issue_access(&friend.id, &new_id(), Timestamp::now());
        let (sample, _) = timed(
            client
                .post(format!(
                    "{base}/api/connections/requests/{}/accept",
                    seeded.newcomer.id
                ))
                .bearer_auth(&friend_token)
                .json(&json!({})),
        )
        .await;
        accept.push(sample);
    }
    let mut create = Vec::new();
    for n in 0..rounds {
        let (sample, _) = timed(
            client
                .post(format!("{base}/api/posts"))
                .bearer_auth(&token)
                .json(&json!({ "content": format!("Bench post {n}: a calm note to everyone."), "audience": "connections" })),
        )
        .await;
        create.push(sample);
    }

    println!(
        "\n## Social: a reader with {CONNECTIONS} connections × {POSTS_VISIBLE} posts each (moto on loopback)\n"
    );
    println!(
        "Seeded through the store in {:.1} s: {} people, {} posts ({} entries in the reader's feed).\n",
        seeding.as_secs_f64(),
        seeded.friends.len() + 2,
        seeded.posts,
        CONNECTIONS * POSTS_VISIBLE + READER_POSTS,
    );
    crate::table_header();
    summarise("GET /api/feed?limit=20", &feed);
    summarise("GET /api/feed (next pages)", &feed_next);
    summarise("GET /api/posts/mine?limit=20", &mine);
    summarise("POST …/requests/{id}/accept", &accept);
    summarise("POST /api/posts (100 conns)", &create);
    println!(
        "\n`accept`: a connection of the reader (32 posts) accepts a newcomer (30 posts); its requests include \
         the backfill of both feeds, 2 × (Query + BatchWriteItem per 25 posts): 8, or 7 when the connection \
         keeps 5 of its posts for a tag the newcomer does not have. `POST /api/posts` fans out to the reader's \
         {CONNECTIONS} connections: 1 Query + ⌈102 / 25⌉ BatchWriteItem. moto scans the whole table \
         (~10,000 items) for every Query and copies it for every transaction item, which is why the store \
         times here are hundreds of ms (seconds for accept's 6-item transaction) and why these calls run \
         at most {ROUNDS} times ({ACCEPTS} accepts) whatever BENCH_ROUNDS says; in DynamoDB a Query costs \
         the same whatever the table size. The request counts and `our code ms` are what carry over."
    );
}
