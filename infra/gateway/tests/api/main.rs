//! The integration tests: the whole stack over HTTP, one module per
//! capability. `make test` runs them on Dynoxide, then again on moto.

mod common;

mod accounts;
mod concurrency;
mod contract;
mod engine_limits;
mod limits;
mod logs;
mod mail;
mod social;
mod transactions;
