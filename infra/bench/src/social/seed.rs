//! The standard dataset: a reader with 100 connections who each wrote 30+
//! posts (3,000+ entries in the reader's feed), some of them tagged.
//!
//! Seeding ~3,300 posts through the HTTP API would take minutes of argon2
//! and rate limits, so the data is written straight through the store, with
//! the same store calls (and the same fan-out) the functions use. Only the
//! measured calls go through the gateway.

use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use shared::App;
use shared::domain::Timestamp;
use shared::domain::account::{Email, Password, Username};
use shared::domain::ids::{PostId, TagId, UserId};
use shared::domain::one_time_code::{self, CODE_TTL_SECONDS, CodePurpose};
use shared::domain::social::{Audience, TagColor, TagName};
use shared::service::fanout;
use shared::store::{
    CodeToConsume, CountInWindow, Edge, EdgeOf, PostRecord, TagRecord, UserRecord,
};

use crate::PASSWORD;

/// The reader's connections.
pub const CONNECTIONS: usize = 100;
/// Posts each connection writes: 30 the reader may see, and 2 private ones.
pub const POSTS_VISIBLE: usize = 30;
const POSTS_PRIVATE: usize = 2;
/// The reader's own posts before the run.
pub const READER_POSTS: usize = 30;
/// Store calls in flight while seeding: overlaps the round trips without
/// queueing more on the local store than its few threads serve.
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
        id: UserId::new(),
        username: Username::parse(&username).expect("username"),
        email: email.clone(),
        credentials: 0,
        created_at: now,
        email_settings: Default::default(),
        display_name: None,
        bio: None,
        suspended: false,
    };
    app.store
        .create_user(
            &user,
            &password_hash,
            CodeToConsume {
                purpose: CodePurpose::Register,
                email: &email,
                code_hash: &code_hash,
                now,
            },
            // Seeded directly: counted in a window of its own, never full.
            CountInWindow {
                rule: "register-seeded",
                subject: user.id.as_str(),
                window_start: 0,
                expires_at: now.plus_seconds(600),
                max: u32::MAX,
            },
        )
        .await
        .expect("create user");
    user
}

async fn create_tag(app: &App, owner: &UserId, name: &str, color: TagColor) -> TagId {
    let tag = TagRecord {
        id: TagId::new(),
        name: TagName::parse(name).expect("tag name"),
        color,
        created_at: Timestamp::now(),
    };
    app.store.create_tag(owner, &tag).await.expect("create tag");
    tag.id
}

fn post(
    author: &UserRecord,
    audience: Audience,
    tag_ids: Vec<TagId>,
    content: String,
) -> PostRecord {
    PostRecord {
        id: PostId::new(),
        author_id: author.id.clone(),
        author_username: author.username.clone(),
        author_display_name: None,
        content,
        audience,
        tag_ids,
        created_at: Timestamp::now(),
        edited_at: None,
        conversation: Default::default(),
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

/// The tags the reader keeps on their connections.
pub struct ReaderTags {
    pub family: TagId,
    /// On every third connection: the tag the filtered feed is measured with.
    pub work: TagId,
    /// How many connections carry `work`.
    pub work_people: usize,
    pub close_friends: TagId,
}

/// What was seeded.
pub struct Seeded {
    pub reader: UserRecord,
    pub friends: Vec<UserRecord>,
    /// Asked the first `accepts` friends to connect.
    pub newcomer: UserRecord,
    pub tags: ReaderTags,
    pub posts: usize,
}

/// The reader, their connections and a newcomer, sharing one password hash.
async fn people(app: &App, run: &str) -> (UserRecord, Vec<UserRecord>, UserRecord) {
    let password = Password::parse("password", PASSWORD, &[]).expect("strong password");
    let hash = shared::auth::hash_password(password).await.expect("argon2");
    let reader = create_user(app, format!("r{run}"), hash.clone()).await;
    let newcomer = create_user(app, format!("n{run}"), hash.clone()).await;
    let mut friends = each(0..CONNECTIONS, |i| {
        let (app, hash) = (app.clone(), hash.clone());
        let name = format!("f{run}_{i:03}");
        async move { (i, create_user(&app, name, hash).await) }
    })
    .await;
    friends.sort_by_key(|(i, _)| *i);
    let friends = friends.into_iter().map(|(_, user)| user).collect();
    (reader, friends, newcomer)
}

/// Every friend asks the reader to connect, and the reader accepts.
async fn connect(app: &App, reader: &UserRecord, friends: &[UserRecord]) {
    let max = app.config.max_connections;
    each(friends.to_vec(), |friend| {
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
}

/// Whether the reader tags friend `i` with `Work`.
fn works(i: usize) -> bool {
    i % 3 == 0
}

/// The reader's three tags on overlapping sets of friends; every fifth
/// friend keeps a tag on the reader (and posts some notes to it).
async fn tag(app: &App, reader: &UserRecord, friends: &[UserRecord]) -> ReaderTags {
    let tags = ReaderTags {
        family: create_tag(app, &reader.id, "Family", TagColor::Family).await,
        work: create_tag(app, &reader.id, "Work", TagColor::Work).await,
        work_people: (0..friends.len()).filter(|i| works(*i)).count(),
        close_friends: create_tag(app, &reader.id, "Friends", TagColor::Friends).await,
    };
    each(friends.iter().cloned().enumerate(), |(i, friend)| {
        let (app, reader) = (app.clone(), reader.clone());
        let chosen: Vec<TagId> = [
            (i % 10 == 0, &tags.family),
            (works(i), &tags.work),
            (i % 4 == 1, &tags.close_friends),
        ]
        .into_iter()
        .filter(|(on, _)| *on)
        .map(|(_, id)| id.clone())
        .collect();
        async move {
            if !chosen.is_empty() {
                app.store
                    .set_edge_tags(&reader.id, &friend.id, &chosen)
                    .await
                    .expect("tag connection");
            }
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
    tags
}

/// Each friend's edge to the reader, with the tags they keep on the reader
/// (what `POST /api/posts` reads from the author's partition).
async fn edges_to_reader(app: &App, friends: &[UserRecord], reader: &UserRecord) -> Vec<Edge> {
    let mut edges = Vec::with_capacity(friends.len());
    for friend in friends {
        let edge = app
            .store
            .edge(EdgeOf {
                owner: &friend.id,
                other: &reader.id,
            })
            .await
            .expect("edge read")
            .expect("friend is connected to the reader");
        edges.push(edge);
    }
    edges
}

/// The friends' posts, fanned out as `POST /api/posts` does, interleaved
/// across authors so the reader's feed mixes them.
async fn friends_posts(app: &App, reader: &UserRecord, friends: &[UserRecord]) {
    let mut writes = Vec::new();
    for n in 0..POSTS_VISIBLE + POSTS_PRIVATE {
        for (i, friend) in friends.iter().enumerate() {
            writes.push((n, i, friend.clone()));
        }
    }
    let edges = Arc::new(edges_to_reader(app, friends, reader).await);
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
}

/// The reader's own posts (some for tags, some private) and the newcomer's.
async fn own_posts(app: &App, reader: &UserRecord, tags: &ReaderTags, newcomer: &UserRecord) {
    let (_, reader_edges, _) = app
        .store
        .author_context(&reader.id)
        .await
        .expect("reader's partition");
    for n in 0..READER_POSTS {
        let (audience, for_tags) = match n % 5 {
            0 => (Audience::Tags, vec![tags.family.clone()]),
            1 => (
                Audience::Tags,
                vec![tags.work.clone(), tags.close_friends.clone()],
            ),
            2 => (Audience::Private, Vec::new()),
            _ => (Audience::Connections, Vec::new()),
        };
        let record = post(reader, audience, for_tags, content(CONNECTIONS, n));
        let viewers = fanout::recipients(&record, &reader_edges);
        app.store
            .create_post(&record, &viewers)
            .await
            .expect("reader's post");
    }
    for n in 0..POSTS_VISIBLE {
        let record = post(newcomer, Audience::Connections, Vec::new(), content(0, n));
        app.store
            .create_post(&record, &[])
            .await
            .expect("newcomer's post");
    }
}

/// Seeds the dataset; the newcomer asks the first `accepts` friends to
/// connect (the accepts measured).
pub async fn seed(app: &App, accepts: usize) -> Seeded {
    let max = app.config.max_connections;
    assert!(
        max as usize >= CONNECTIONS,
        "MAX_CONNECTIONS is {max}: the benchmark needs at least {CONNECTIONS}"
    );
    assert!(accepts <= CONNECTIONS, "one accept per friend at most");
    let run = format!("{:08x}", rand::random::<u32>());
    let clock = Instant::now();
    let (reader, friends, newcomer) = people(app, &run).await;
    step(&clock, "people");
    connect(app, &reader, &friends).await;
    step(&clock, "connections");
    let tags = tag(app, &reader, &friends).await;
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
    friends_posts(app, &reader, &friends).await;
    step(&clock, "connections' posts");
    own_posts(app, &reader, &tags, &newcomer).await;
    step(&clock, "own posts");
    Seeded {
        reader,
        friends,
        newcomer,
        tags,
        posts: CONNECTIONS * (POSTS_VISIBLE + POSTS_PRIVATE) + READER_POSTS + POSTS_VISIBLE,
    }
}
