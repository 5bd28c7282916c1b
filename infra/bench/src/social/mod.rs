//! The social benchmark: on the standard dataset (`seed.rs`: a reader with
//! 100 connections × 30 posts), the feed's first page, a deep page, a
//! tag-filtered page, my posts, accept and create post, each timed one after
//! another; the feed pages also under concurrent clients (`load.rs`); and
//! all of them again through a second gateway whose store answers a fixed
//! delay later, on the same data. One table: a row per call and condition.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use shared::store::UserRecord;

use crate::measure::{COLUMNS, Summary, table_header, timed};
use crate::{Gateway, PASSWORD};
use calls::{Call, Deep, PAGE, posts_in};
use load::{CLIENTS, under_load};
use seed::{CONNECTIONS, POSTS_VISIBLE, READER_POSTS, Seeded};

mod calls;
mod load;
mod seed;

/// The deep page: this many pages into the reader's feed of ~150.
const DEEP_PAGE: usize = 10;

pub struct Options {
    /// Sequential calls per measurement.
    pub rounds: usize,
    /// The local DynamoDB engine, for the title.
    pub engine: String,
    /// How long each load run lasts (zero: none).
    pub load: Duration,
    /// The slowed gateway's delay per DynamoDB request.
    pub store_delay: Duration,
}

/// The reader signs in through the API, as a person would.
async fn sign_in(gateway: &Gateway, reader: &UserRecord) -> String {
    let login = json!({ "login": reader.username.as_str(), "password": PASSWORD });
    let url = format!("{}/api/auth/login", gateway.base);
    let (_, session) = timed(gateway.client.post(url).json(&login)).await;
    let token = session["access_token"].as_str().expect("access token");
    token.to_owned()
}

/// The cursor of page `DEEP_PAGE`, found by paging there once. It is a
/// position in the feed, so posts created later do not move it.
async fn deep_cursor(gateway: &Gateway, token: &str) -> Deep {
    let mut cursor: Option<String> = None;
    for _ in 1..DEEP_PAGE {
        let after = cursor.map(|c| format!("&cursor={c}")).unwrap_or_default();
        let url = format!("{}/api/feed?limit={PAGE}{after}", gateway.base);
        let (_, body) = timed(gateway.client.get(url).bearer_auth(token)).await;
        cursor = body["next_cursor"].as_str().map(str::to_owned);
        assert!(cursor.is_some(), "the feed has {DEEP_PAGE} pages");
    }
    Deep {
        page: DEEP_PAGE,
        cursor: cursor.expect("a cursor"),
    }
}

/// The newest post of one of the reader's connections (the last one, whose
/// posts the reader may all see): what the conversation calls comment and
/// react on.
async fn friends_post(gateway: &Gateway, token: &str, seeded: &Seeded) -> String {
    let friend = seeded.friends.last().expect("connections");
    let url = format!("{}/api/users/{}/posts?limit=1", gateway.base, friend.id);
    let (_, body) = timed(gateway.client.get(url).bearer_auth(token)).await;
    body["posts"][0]["id"]
        .as_str()
        .expect("a connection's post the reader may see")
        .to_owned()
}

/// How many posts the tag-filtered page holds (it may be short: the filter
/// applies after DynamoDB's page limit).
async fn tag_page_posts(gateway: &Gateway, token: &str, seeded: &Seeded) -> usize {
    let url = format!(
        "{}/api/feed?limit={PAGE}&tag_ids={}",
        gateway.base, seeded.tags.work
    );
    posts_in(&timed(gateway.client.get(url).bearer_auth(token)).await.1)
}

/// One call's rows: one after another, under load, and on the slowed store.
struct Measured {
    sequential: Summary,
    loaded: Option<Summary>,
    slowed: Option<Summary>,
}

impl Measured {
    fn print(&self) {
        self.sequential.print();
        for row in [&self.loaded, &self.slowed].into_iter().flatten() {
            row.print();
        }
    }
}

/// Measures `call` under every condition before the next call runs, so the
/// conditions see the same data (create post, last, adds to the feeds).
/// The slowed run takes its requests after the first run's (accept needs
/// fresh ones).
async fn measure(
    call: &Arc<Call>,
    gateway: &Gateway,
    slowed: Option<&Gateway>,
    options: &Options,
) -> Measured {
    let label = |condition: &str| format!("{} · {condition}", call.name);
    let samples = call.sequential(gateway, 0..call.times).await;
    let sequential = Summary::new(label("sequential"), &samples, None);
    let mut loaded = None;
    if call.under_load && !options.load.is_zero() {
        let (samples, elapsed) = under_load(gateway, call.clone(), options.load).await;
        loaded = Some(Summary::new(
            label(&format!("{CLIENTS} clients")),
            &samples,
            Some(elapsed),
        ));
    }
    let mut delayed = None;
    if let Some(slowed) = slowed {
        let samples = call.sequential(slowed, call.times..2 * call.times).await;
        let condition = format!("store +{} ms", options.store_delay.as_millis());
        delayed = Some(Summary::new(label(&condition), &samples, None));
    }
    Measured {
        sequential,
        loaded,
        slowed: delayed,
    }
}

/// What `tokio::time::sleep(delay)` really waits here (the timer ticks in
/// whole milliseconds, so a little more than `delay`).
async fn actual_delay(delay: Duration) -> Duration {
    const SLEEPS: u32 = 50;
    let started = Instant::now();
    for _ in 0..SLEEPS {
        tokio::time::sleep(delay).await;
    }
    started.elapsed() / SLEEPS
}

pub async fn bench(gateway: &Gateway, slowed: Option<&Gateway>, options: &Options) {
    // Half the friends' requests for each gateway: one accept each.
    let accepts = options.rounds.min(CONNECTIONS / 2);
    let started = Instant::now();
    let seeded = seed::seed(&gateway.app, 2 * accepts).await;
    let seeding = started.elapsed();
    let token = sign_in(gateway, &seeded.reader).await;
    let deep = deep_cursor(gateway, &token).await;
    let tag_posts = tag_page_posts(gateway, &token, &seeded).await;
    let friends_post = friends_post(gateway, &token, &seeded).await;
    let calls = calls::all(
        gateway,
        &seeded,
        &token,
        &deep,
        &friends_post,
        options.rounds,
        accepts,
    );
    if let Some(slowed) = slowed {
        // Its app's first store request opens the connection to the store.
        calls[0].send(slowed, 0).await;
    }
    let mut rows = Vec::new();
    for call in calls.into_iter().map(Arc::new) {
        rows.push(measure(&call, gateway, slowed, options).await);
    }

    println!(
        "\n## Social: a reader with {CONNECTIONS} connections × {POSTS_VISIBLE} posts each ({} on loopback)\n",
        options.engine
    );
    println!(
        "Seeded through the store in {:.1} s: {} people, {} posts ({} entries in the reader's feed).\n",
        seeding.as_secs_f64(),
        seeded.friends.len() + 2,
        seeded.posts,
        CONNECTIONS * POSTS_VISIBLE + READER_POSTS,
    );
    table_header();
    rows.iter().for_each(Measured::print);
    explain(options, &seeded, tag_posts);
    if slowed.is_some() {
        depth_costs(&rows, actual_delay(options.store_delay).await);
    }
}

fn explain(options: &Options, seeded: &Seeded, tag_posts: usize) {
    let delay = options.store_delay.as_millis();
    let cpus = std::thread::available_parallelism().map_or(0, usize::from);
    println!(
        "\nConditions: `sequential`, one call after another ({} times; accept once per pending request); \
         `{CLIENTS} clients`, each sending its next call as soon as the last answered, for {} s, without \
         API Gateway's throttle ({cpus} CPUs serve the clients, the gateway and the store, so latency \
         includes queueing); `store +{delay} ms`, through a second gateway on the same data whose every \
         DynamoDB request is sent {delay} ms late (about DynamoDB's in-region p50): a call of depth d \
         should cost about d × {delay} ms more.\n\
         Calls: page {DEEP_PAGE} from a fixed cursor; the tag filter is the reader's `Work` tag ({} of \
         {CONNECTIONS} connections), and its page held {tag_posts} of {PAGE} posts (the filter applies \
         after DynamoDB's page limit, and the reader's own posts, the newest, never pass it); accept: a \
         connection of the reader (32 posts) accepts a newcomer (30 posts), backfilling both feeds; \
         create: the reader writes to all {CONNECTIONS} connections.\n\n{COLUMNS}",
        options.rounds,
        options.load.as_secs(),
        seeded.tags.work_people,
    );
}

/// What the slowed store added to each call, per level of its depth (at
/// the median, which a busy machine moves less than the mean).
fn depth_costs(rows: &[Measured], slept: Duration) {
    let slept = slept.as_secs_f64() * 1000.0;
    println!(
        "\nWhat the slowed store added (p50, slowed − sequential), per level of depth; \
         each delay is a tokio sleep, {slept:.2} ms on this machine:"
    );
    for row in rows {
        let Some(slowed) = &row.slowed else { continue };
        let added = slowed.p50 - row.sequential.p50;
        let call = row.sequential.label.split(" · ").next().unwrap_or_default();
        println!(
            "- {call}: {added:+.1} ms at depth {} = {:.1} ms per level (requests: {})",
            slowed.depth,
            added / slowed.depth_mean.max(1.0),
            slowed.requests,
        );
    }
}
