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
//!
//! The modules: `network` is the data, `steps` plays it through the API,
//! `stack` finds the running stack, `client` sends the requests and reads
//! the mailbox, `accounts` signs people in or up.

mod accounts;
mod client;
mod network;
mod stack;
mod steps;

use std::process::ExitCode;

/// The password of every demo account: a passphrase zxcvbn rates strong.
const PASSWORD: &str = "amber-kettle-meadow-lantern-58";
/// Demo email addresses: `<name>@DOMAIN`.
const DOMAIN: &str = "example.com";

type Result<T> = std::result::Result<T, String>;

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
    let seeder = stack::open().await?;

    println!("Seeding a demo network through {}", seeder.base);
    let people = steps::people(&seeder).await?;
    steps::connections(&seeder, &people).await?;
    steps::pending(&seeder, &people).await?;
    let tag_ids = steps::tags(&seeder, &people).await?;
    steps::posts(&seeder, &people, &tag_ids).await?;
    steps::done(&seeder, &people);
    Ok(())
}
