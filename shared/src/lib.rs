//! Intentional Social's shared crate: the domain, the DynamoDB store, auth,
//! email, rate limiting, configuration, errors and the HTTP glue that every
//! function crate builds on.
//!
//! A function crate is thin: its routes call handlers, each handler calls one
//! use case in [`service`] (which applies the [`domain`]'s rules through the
//! [`store`]), and [`http::finish`] turns the router into a
//! Lambda-ready service with the cross-cutting behaviour (errors, security
//! headers, request logging, DynamoDB request counting).

#![warn(missing_docs)]

pub mod alerts;
pub mod api;
pub mod app;
pub mod auth;
pub mod config;
pub mod domain;
pub mod email;
pub mod error;
#[cfg(feature = "faults")]
pub mod faults;
pub mod http;
pub mod rate_limit;
pub mod service;
pub mod store;

pub use app::App;
pub use error::ApiError;
