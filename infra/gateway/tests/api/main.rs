//! The integration tests: the whole stack over HTTP, one module per
//! capability. `make test` runs them on Dynoxide, then again on moto.

mod common;
mod social_common;

mod accounts;
mod blocks;
mod client_limit;
mod concurrency;
mod connections;
mod contract;
mod conversation;
mod deletion;
mod engine_limits;
mod export;
mod faults;
mod feed;
mod fuzz_findings;
mod guessing;
mod invitations;
mod limits;
mod logs;
mod mail;
mod moderation;
mod own_account;
mod posts;
mod profiles;
mod sessions;
mod tags;
mod transactions;
