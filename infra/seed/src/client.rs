//! The HTTP client: one answer from the API, a signed-in person, and the
//! [`Seeder`] that sends requests (waiting out the gateway's throttling) and
//! reads the SES emulator's mailbox.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use reqwest::{Client, Method, StatusCode};
use serde_json::Value;

use crate::Result;

/// One answer from the API.
pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
}

impl Reply {
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }

    pub fn describe(&self) -> String {
        let message = self.body["error"]["message"]
            .as_str()
            .or_else(|| self.body["message"].as_str())
            .unwrap_or("");
        format!("{} {} {message}", self.status, self.code())
    }
}

/// A demo person signed in, with their own HTTP client and source address.
pub struct Person {
    pub name: &'static str,
    pub id: String,
    pub token: String,
    pub client: Client,
}

pub struct Seeder {
    pub base: String,
    pub ses: String,
    /// Octets 2 and 3 of this run's loopback addresses (127.b.c.<10 + person>);
    /// `None` when the gateway is not on loopback (then everyone shares this
    /// machine's address).
    pub loopback: Option<(u8, u8)>,
}

impl Seeder {
    pub fn client_for(&self, index: usize) -> Result<Client> {
        let mut builder = Client::builder().timeout(Duration::from_secs(30));
        if let Some((b, c)) = self.loopback {
            let last = u8::try_from(10 + index).map_err(|_| "too many people".to_owned())?;
            builder = builder.local_address(IpAddr::V4(Ipv4Addr::new(127, b, c, last)));
        }
        builder.build().map_err(|e| e.to_string())
    }

    /// Sends a request, waiting out the gateway's throttling (its own 429).
    pub async fn call(
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

    pub async fn as_person(
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
    pub async fn mailbox(&self, to: &str) -> Result<Vec<Value>> {
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
}

/// An error with its causes ("error sending request: ... Connection refused").
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
