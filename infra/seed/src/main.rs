//! `make seed`: fills a running local stack with a small, living demo network
//! (see `network.rs`) through the real HTTP API of the local gateway, exactly
//! as people would: sign-up with the one-time code from the SES emulator's
//! mailbox, connection requests and accepts, tags, posts of every audience.
//!
//! Re-running is safe: existing accounts sign in instead of signing up, and
//! connections, tags and posts that exist are left as they are.
//!
//! Each person talks from their own loopback address (127.x.y.z), so the
//! per-IP limits on codes and registrations apply to them one by one, as they
//! would to twelve different people.
//!
//! Environment: `GATEWAY_URL` (http://127.0.0.1:3000), `SES_STORE_URL`
//! (http://127.0.0.1:8005).

mod network;

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, Ipv4Addr};
use std::process::ExitCode;
use std::time::Duration;

use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

use network::For;

/// The password of every demo account: a passphrase zxcvbn rates strong.
const PASSWORD: &str = "amber-kettle-meadow-lantern-58";
/// Demo email addresses: `<name>@DOMAIN`.
const DOMAIN: &str = "example.com";

type Result<T> = std::result::Result<T, String>;

/// One answer from the API.
struct Reply {
    status: StatusCode,
    body: Value,
}

impl Reply {
    fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }

    fn describe(&self) -> String {
        let message = self.body["error"]["message"]
            .as_str()
            .or_else(|| self.body["message"].as_str())
            .unwrap_or("");
        format!("{} {} {message}", self.status, self.code())
    }
}

/// A demo person signed in, with their own HTTP client and source address.
struct Person {
    name: &'static str,
    id: String,
    token: String,
    client: Client,
}

struct Seeder {
    base: String,
    ses: String,
    /// Octets 2 and 3 of this run's loopback addresses (127.b.c.<10 + person>);
    /// `None` when the gateway is not on loopback (then everyone shares this
    /// machine's address).
    loopback: Option<(u8, u8)>,
}

impl Seeder {
    fn client_for(&self, index: usize) -> Result<Client> {
        let mut builder = Client::builder().timeout(Duration::from_secs(30));
        if let Some((b, c)) = self.loopback {
            let last = u8::try_from(10 + index).map_err(|_| "too many people".to_owned())?;
            builder = builder.local_address(IpAddr::V4(Ipv4Addr::new(127, b, c, last)));
        }
        builder.build().map_err(|e| e.to_string())
    }

    /// Sends a request, waiting out the gateway's throttling (its own 429).
    async fn call(
        &self,
        client: &Client,
        token: Option<&str>,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Reply> {
        let mut wait = Duration::from_millis(200);
        loop {
            let mut request = client.request(method.clone(), format!("{}{path}", self.base));
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            if let Some(body) = &body {
                request = request.json(body);
            }
            let response = request
                .send()
                .await
                .map_err(|e| format!("{method} {path}: {}", error_chain(&e)))?;
            let status = response.status();
            let text = response.text().await.map_err(|e| e.to_string())?;
            let body = if text.is_empty() {
                Value::Null
            } else {
                serde_json::from_str(&text).unwrap_or(Value::String(text))
            };
            let throttled = status == StatusCode::TOO_MANY_REQUESTS && body["error"].is_null();
            if throttled && wait < Duration::from_secs(10) {
                tokio::time::sleep(wait).await;
                wait *= 2;
                continue;
            }
            return Ok(Reply { status, body });
        }
    }

    async fn as_person(
        &self,
        person: &Person,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Reply> {
        self.call(&person.client, Some(&person.token), method, path, body)
            .await
    }

    /// Every email the SES emulator holds for `to`, oldest first.
    async fn mailbox(&self, to: &str) -> Result<Vec<Value>> {
        let store: Value = reqwest::get(format!("{}/store", self.ses))
            .await
            .map_err(|e| format!("the SES emulator at {}: {}", self.ses, error_chain(&e)))?
            .json()
            .await
            .map_err(|e| format!("the SES emulator's /store is not JSON: {e}"))?;
        Ok(store["emails"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter(|email| {
                email["destination"]["to"]
                    .as_array()
                    .is_some_and(|list| list.iter().any(|a| a.as_str() == Some(to)))
            })
            .cloned()
            .collect())
    }

    /// Signs `name` in, or signs them up if there is no such account yet.
    /// `Ok(None)`: the username or address belongs to someone else.
    async fn account(&self, index: usize, name: &'static str) -> Result<Option<Person>> {
        let client = self.client_for(index)?;
        let email = format!("{name}@{DOMAIN}");
        let login = self
            .call(
                &client,
                None,
                Method::POST,
                "/api/auth/login",
                Some(json!({ "login": name, "password": PASSWORD })),
            )
            .await?;
        if login.status == StatusCode::OK {
            println!("  {name:<5} signed in (account exists)");
            return Ok(Some(person(name, client, &login.body)?));
        }
        if login.status != StatusCode::UNAUTHORIZED {
            return Err(format!("signing in as {name}: {}", login.describe()));
        }

        let before = self.mailbox(&email).await?.len();
        let otp = self
            .call(
                &client,
                None,
                Method::POST,
                "/api/auth/otp",
                Some(json!({ "email": email })),
            )
            .await?;
        if otp.status != StatusCode::ACCEPTED {
            return Err(format!("asking a code for {email}: {}", otp.describe()));
        }
        let mut code = None;
        for _ in 0..50 {
            let mail = self.mailbox(&email).await?;
            if mail.len() > before {
                code = Some(code_in(mail.last().expect("newer mail")));
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let Some(code) = code else {
            return Err(format!(
                "no email reached {email} in the SES emulator at {} within 10 s; is SES_STORE_URL the stack's SES port?",
                self.ses
            ));
        };
        let Some(code) = code else {
            // The notice sent to an address that already has an account.
            println!("  {name:<5} skipped: {email} already has an account with another password");
            return Ok(None);
        };
        let register = self
            .call(
                &client,
                None,
                Method::POST,
                "/api/auth/register",
                Some(
                    json!({ "email": email, "username": name, "password": PASSWORD, "code": code }),
                ),
            )
            .await?;
        match (register.status, register.code()) {
            (StatusCode::CREATED, _) => {
                println!("  {name:<5} signed up as {email}");
                Ok(Some(person(name, client, &register.body)?))
            }
            (StatusCode::CONFLICT, "username_taken" | "email_taken") => {
                println!("  {name:<5} skipped: the username or address belongs to another account");
                Ok(None)
            }
            _ => Err(format!("signing up {name}: {}", register.describe())),
        }
    }
}

fn person(name: &'static str, client: Client, session: &Value) -> Result<Person> {
    let token = session["access_token"].as_str();
    let id = session["user"]["id"].as_str();
    match (token, id) {
        (Some(token), Some(id)) => Ok(Person {
            name,
            id: id.to_owned(),
            token: token.to_owned(),
            client,
        }),
        _ => Err(format!("unexpected session for {name}: {session}")),
    }
}

/// The six-digit code in an email, if it carries one.
fn code_in(email: &Value) -> Option<String> {
    email["body"]["text"]
        .as_str()
        .unwrap_or_default()
        .split(|c: char| !c.is_ascii_digit())
        .find(|part| part.len() == 6)
        .map(str::to_owned)
}

/// An error with its causes ("error sending request: ... Connection refused").
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn is_loopback_host(base: &str) -> bool {
    let Ok(url) = reqwest::Url::parse(base) else {
        return false;
    };
    let host = url.host_str().unwrap_or_default();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost" || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<()> {
    let base = std::env::var("GATEWAY_URL")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "http://127.0.0.1:3000".into())
        .trim_end_matches('/')
        .to_owned();
    let ses = std::env::var("SES_STORE_URL")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "http://127.0.0.1:8005".into())
        .trim_end_matches('/')
        .to_owned();
    let mut seeder = Seeder {
        base,
        ses,
        loopback: None,
    };

    // Is the stack there?
    let probe = Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .map_err(|e| e.to_string())?;
    match probe
        .get(format!("{}/api/health", seeder.base))
        .send()
        .await
    {
        Ok(response) if response.status().is_success() => {}
        Ok(response) => {
            return Err(format!(
                "{}/api/health answered {}: is this the Intentional Social gateway? Start `make dev` first.",
                seeder.base,
                response.status()
            ));
        }
        Err(error) => {
            return Err(format!(
                "the gateway at {} is not reachable ({}): start `make dev` first (in another terminal), then run `make seed` again.",
                seeder.base,
                error_chain(&error)
            ));
        }
    }
    if let Err(error) = probe.get(format!("{}/store", seeder.ses)).send().await {
        return Err(format!(
            "the SES emulator's mailbox at {} is not reachable ({}): start `make dev` first, or set SES_STORE_URL.",
            seeder.ses,
            error_chain(&error)
        ));
    }

    // One loopback address per person, fresh for each run.
    if is_loopback_host(&seeder.base) {
        seeder.loopback = Some((rand::random_range(2..=254), rand::random()));
        let client = seeder.client_for(0)?;
        if let Err(error) = client
            .get(format!("{}/api/health", seeder.base))
            .send()
            .await
        {
            eprintln!(
                "warning: cannot send from a second loopback address ({}); everyone shares one address, \
                 so the per-IP limits (3 sign-ups per hour) may stop the seeding",
                error_chain(&error)
            );
            seeder.loopback = None;
        }
    }

    println!("Seeding a demo network through {}", seeder.base);
    println!("\nPeople");
    let mut people: HashMap<&'static str, Person> = HashMap::new();
    for (index, &name) in network::PEOPLE.iter().enumerate() {
        if let Some(person) = seeder.account(index, name).await? {
            people.insert(name, person);
        }
    }

    println!("\nConnections");
    let mut made = 0;
    let mut had = 0;
    for &(from, to) in network::CONNECTIONS {
        let (Some(a), Some(b)) = (people.get(from), people.get(to)) else {
            continue;
        };
        match request(&seeder, a, b).await? {
            Requested::Pending => {
                let reply = seeder
                    .as_person(
                        b,
                        Method::POST,
                        &format!("/api/connections/requests/{}/accept", a.id),
                        Some(json!({})),
                    )
                    .await?;
                if reply.status != StatusCode::OK {
                    return Err(format!("{to} accepting {from}: {}", reply.describe()));
                }
                made += 1;
            }
            Requested::Connected => made += 1,
            Requested::AlreadyConnected => had += 1,
            Requested::AlreadyPending => {
                // An earlier run stopped between request and accept.
                let reply = seeder
                    .as_person(
                        b,
                        Method::POST,
                        &format!("/api/connections/requests/{}/accept", a.id),
                        Some(json!({})),
                    )
                    .await?;
                if reply.status == StatusCode::OK {
                    made += 1;
                } else {
                    had += 1;
                }
            }
        }
    }
    println!("  {made} new, {had} already there");

    let mut pending_new = 0;
    let mut pending_had = 0;
    for &(from, to) in network::PENDING {
        let (Some(a), Some(b)) = (people.get(from), people.get(to)) else {
            continue;
        };
        match request(&seeder, a, b).await? {
            Requested::Pending => pending_new += 1,
            _ => pending_had += 1,
        }
    }
    println!("  pending requests: {pending_new} new, {pending_had} already there");

    println!("\nTags");
    let mut tag_ids: HashMap<(&str, &str), String> = HashMap::new();
    let mut tags_new = 0;
    for person in people.values() {
        let reply = seeder
            .as_person(person, Method::GET, "/api/tags", None)
            .await?;
        for tag in reply.body["tags"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            if let (Some(name), Some(id)) = (tag["name"].as_str(), tag["id"].as_str()) {
                if let Some(&(_, known, _)) = network::TAGS
                    .iter()
                    .find(|(o, n, _)| *o == person.name && n.eq_ignore_ascii_case(name))
                {
                    tag_ids.insert((person.name, known), id.to_owned());
                }
            }
        }
    }
    for &(owner, name, color) in network::TAGS {
        let Some(person) = people.get(owner) else {
            continue;
        };
        if tag_ids.contains_key(&(owner, name)) {
            continue;
        }
        let reply = seeder
            .as_person(
                person,
                Method::POST,
                "/api/tags",
                Some(json!({ "name": name, "color": color })),
            )
            .await?;
        if reply.status != StatusCode::CREATED {
            return Err(format!("{owner} creating tag {name}: {}", reply.describe()));
        }
        let id = reply.body["id"].as_str().unwrap_or_default().to_owned();
        tag_ids.insert((owner, name), id);
        tags_new += 1;
    }
    // Tags already on connections: (owner, other's id) → tag ids.
    let mut on_connections: HashMap<(&str, String), Vec<String>> = HashMap::new();
    for person in people.values() {
        let reply = seeder
            .as_person(person, Method::GET, "/api/connections", None)
            .await?;
        for connection in reply.body["connections"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            let other = connection["user"]["id"].as_str().unwrap_or_default();
            let tags = connection["tag_ids"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .filter_map(|t| t.as_str().map(str::to_owned))
                .collect();
            on_connections.insert((person.name, other.to_owned()), tags);
        }
    }
    let mut tagged = 0;
    let mut tagged_had = 0;
    for &(owner, other, names) in network::TAGGED {
        let (Some(a), Some(b)) = (people.get(owner), people.get(other)) else {
            continue;
        };
        // Added to what is there, so tags put on by hand stay.
        let mut ids = on_connections
            .get(&(owner, b.id.clone()))
            .cloned()
            .unwrap_or_default();
        let before = ids.len();
        for id in names.iter().filter_map(|name| tag_ids.get(&(owner, *name))) {
            if !ids.contains(id) {
                ids.push(id.clone());
            }
        }
        if ids.len() == before {
            tagged_had += 1;
            continue;
        }
        let reply = seeder
            .as_person(
                a,
                Method::PUT,
                &format!("/api/connections/{}/tags", b.id),
                Some(json!({ "tag_ids": ids })),
            )
            .await?;
        if reply.status != StatusCode::OK {
            return Err(format!("{owner} tagging {other}: {}", reply.describe()));
        }
        tagged += 1;
    }
    println!("  {tags_new} tags created; {tagged} connections tagged, {tagged_had} already tagged");

    println!("\nPosts");
    let mut written: HashSet<(&str, String)> = HashSet::new();
    for person in people.values() {
        let reply = seeder
            .as_person(person, Method::GET, "/api/posts/mine?limit=50", None)
            .await?;
        for post in reply.body["posts"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            if let Some(content) = post["content"].as_str() {
                written.insert((person.name, content.to_owned()));
            }
        }
    }
    let mut counts = [0usize; 3];
    let mut posts_had = 0;
    for &(author, audience, text) in network::POSTS {
        let Some(person) = people.get(author) else {
            continue;
        };
        if written.contains(&(author, text.to_owned())) {
            posts_had += 1;
            continue;
        }
        let (name, tags, slot) = match audience {
            For::Connections => ("connections", Vec::new(), 0),
            For::Tags(names) => (
                "tags",
                names
                    .iter()
                    .filter_map(|n| tag_ids.get(&(author, *n)).cloned())
                    .collect(),
                1,
            ),
            For::Private => ("private", Vec::new(), 2),
        };
        let reply = seeder
            .as_person(
                person,
                Method::POST,
                "/api/posts",
                Some(json!({ "content": text, "audience": name, "tag_ids": tags })),
            )
            .await?;
        if reply.status != StatusCode::CREATED {
            return Err(format!("{author} posting: {}", reply.describe()));
        }
        counts[slot] += 1;
    }
    println!(
        "  {} new ({} to all connections, {} to tags, {} private), {posts_had} already there",
        counts.iter().sum::<usize>(),
        counts[0],
        counts[1],
        counts[2]
    );

    let mut names: Vec<&str> = network::PEOPLE
        .iter()
        .copied()
        .filter(|n| people.contains_key(n))
        .collect();
    names.sort_unstable();
    let showcase = if people.contains_key(network::SHOWCASE) {
        network::SHOWCASE
    } else {
        names.first().copied().unwrap_or(network::SHOWCASE)
    };
    println!(
        "\nDone: {} demo people ({}), all with the password\n\n    {PASSWORD}\n",
        names.len(),
        names.join(", ")
    );
    println!(
        "Sign in at {}/ as `{showcase}` (or {showcase}@{DOMAIN}) with that password: {showcase}'s feed holds posts \
         for all connections and for tags, with requests waiting, tags on connections and private notes \
         under My posts. Every other name works the same way.",
        seeder.base,
    );
    println!(
        "Every demo address's mail is in the local mailbox, {}/.",
        seeder.ses
    );
    Ok(())
}

enum Requested {
    Pending,
    Connected,
    AlreadyConnected,
    AlreadyPending,
}

/// `a` asks `b` to connect.
async fn request(seeder: &Seeder, a: &Person, b: &Person) -> Result<Requested> {
    let reply = seeder
        .as_person(
            a,
            Method::POST,
            "/api/connections/requests",
            Some(json!({ "user_id": b.id })),
        )
        .await?;
    match (reply.status, reply.code()) {
        (StatusCode::CREATED, _) => Ok(Requested::Pending),
        (StatusCode::OK, _) => Ok(Requested::Connected),
        (StatusCode::CONFLICT, "already_connected") => Ok(Requested::AlreadyConnected),
        (StatusCode::CONFLICT, "request_already_sent") => Ok(Requested::AlreadyPending),
        _ => Err(format!(
            "{} asking {} to connect: {}",
            a.name,
            b.name,
            reply.describe()
        )),
    }
}
