//! Accounts: each demo person signs in, or signs up with the one-time code
//! from the SES emulator's mailbox.

use std::time::Duration;

use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

use crate::client::{Person, Seeder};
use crate::{DOMAIN, PASSWORD, Result};

impl Seeder {
    /// Signs `name` in, or signs them up if there is no such account yet.
    /// `Ok(None)`: the username or address belongs to someone else.
    pub async fn account(&self, index: usize, name: &'static str) -> Result<Option<Person>> {
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
