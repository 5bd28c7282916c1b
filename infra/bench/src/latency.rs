//! Sign-in (argon2 included), `me`, search and health through the gateway,
//! for one account made through the real sign-up path.

use serde_json::{Value, json};

use crate::measure::{COLUMNS, Sample, Summary, table_header, timed};
use crate::{Gateway, PASSWORD};

/// Sign-in runs argon2 (~100 ms of CPU): fewer rounds keep the section short.
const MAX_LOGINS: usize = 60;

/// The six-digit code the local SES received for `email`.
async fn mailed_code(client: &reqwest::Client, email: &str) -> String {
    let url = std::env::var("SES_STORE_URL").expect("SES_STORE_URL");
    let store: Value = client
        .get(format!("{url}/store"))
        .send()
        .await
        .expect("local SES reachable")
        .json()
        .await
        .expect("local SES store");
    store["emails"]
        .as_array()
        .expect("emails")
        .iter()
        .rev()
        .find(|e| e["destination"]["to"][0] == email)
        .and_then(|e| e["body"]["text"].as_str())
        .and_then(|t| {
            t.split(|c: char| !c.is_ascii_digit())
                .find(|p| p.len() == 6)
                .map(str::to_owned)
        })
        .expect("code in the mailbox")
}

/// Signs up a new account; returns its username and access token.
async fn sign_up(gateway: &Gateway) -> (String, String) {
    let (base, client) = (&gateway.base, &gateway.client);
    let suffix = format!("{:x}", rand::random::<u32>());
    let email = format!("bench-{suffix}@example.com");
    let username = format!("bench_{suffix}");
    client
        .post(format!("{base}/api/auth/otp"))
        .json(&json!({ "email": email }))
        .send()
        .await
        .expect("gateway reachable");
    let code = mailed_code(client, &email).await;
    let (_, session) = timed(client.post(format!("{base}/api/auth/register")).json(
        &json!({ "email": email, "username": username, "password": PASSWORD, "code": code }),
    ))
    .await;
    let token = session["access_token"].as_str().expect("access token");
    (username, token.to_owned())
}

/// `rounds` calls, one after another.
async fn repeat(rounds: usize, request: impl Fn() -> reqwest::RequestBuilder) -> Vec<Sample> {
    let mut samples = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        samples.push(timed(request()).await.0);
    }
    samples
}

pub async fn bench(gateway: &Gateway, rounds: usize, engine: &str) {
    let (base, client) = (&gateway.base, &gateway.client);
    let (username, token) = sign_up(gateway).await;
    let login = repeat(rounds.min(MAX_LOGINS), || {
        client
            .post(format!("{base}/api/auth/login"))
            .json(&json!({ "login": username, "password": PASSWORD }))
    })
    .await;
    let me = repeat(rounds, || {
        client
            .get(format!("{base}/api/auth/me"))
            .bearer_auth(&token)
    })
    .await;
    let search = repeat(rounds, || {
        client
            .get(format!("{base}/api/users/search?q={username}"))
            .bearer_auth(&token)
    })
    .await;
    let health = repeat(rounds, || client.get(format!("{base}/api/health"))).await;

    println!("## Latency through the local gateway ({engine} on loopback)\n");
    table_header();
    for (label, samples) in [
        ("POST /api/auth/login (argon2)", &login),
        ("GET /api/auth/me", &me),
        ("GET /api/users/search", &search),
        ("GET /api/health", &health),
    ] {
        Summary::new(label, samples, None).print();
    }
    println!("\n{COLUMNS}");
}
