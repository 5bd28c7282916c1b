//! The running stack: the gateway's and the SES emulator's addresses from the
//! environment, a probe of each, and a loopback address per person when the
//! gateway is on loopback.

use std::net::IpAddr;
use std::time::Duration;

use reqwest::Client;

use crate::Result;
use crate::client::{Seeder, error_chain};

/// The seeder for the stack at `GATEWAY_URL` and `SES_STORE_URL`, once both
/// answer.
pub async fn open() -> Result<Seeder> {
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
    Ok(seeder)
}

fn is_loopback_host(base: &str) -> bool {
    let Ok(url) = reqwest::Url::parse(base) else {
        return false;
    };
    let host = url.host_str().unwrap_or_default();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost" || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}
