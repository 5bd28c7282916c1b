//! Intentional Social's shared crate: the domain, the DynamoDB store, auth,
//! email, rate limiting, configuration, errors and the HTTP glue that every
//! function crate builds on.
//!
//! A function crate is thin: its routes call handlers, handlers call the
//! domain and the store here, and [`http::finish`] turns the router into a
//! Lambda-ready service with the cross-cutting behaviour (errors, security
//! headers, request logging, DynamoDB request counting).

#![warn(missing_docs)]

pub mod api;
pub mod app;
pub mod auth;
pub mod config;
pub mod domain;
pub mod email;
pub mod error;
pub mod fanout;
pub mod http;
pub mod rate_limit;
pub mod store;

pub use app::App;
pub use error::ApiError;
