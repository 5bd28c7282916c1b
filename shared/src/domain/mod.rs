//! The domain: Intentional Social's types and rules, with no I/O.
//!
//! Everything here is pure and unit-tested; the store, the HTTP layer and the
//! functions call into it but it never calls out.

pub mod account;
pub mod conversation;
pub mod export;
pub mod ids;
pub mod invitation;
pub mod moderation;
pub mod one_time_code;
pub mod profile;
pub mod session;
pub mod social;

mod signed;

use std::fmt;

/// A rule broken by a request's input. Carries the field that broke it so the
/// client can show the message next to the right control.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ValidationError {
    /// The request field at fault, as the client spelled it (`email`, `password`, ...).
    pub field: &'static str,
    /// A stable snake_case code such as `invalid_email` or `weak_password`.
    pub code: &'static str,
    /// What went wrong and how to fix it, for people.
    pub message: String,
}

impl ValidationError {
    /// A broken rule on `field`.
    pub fn new(field: &'static str, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            code,
            message: message.into(),
        }
    }
}

/// Seconds since the Unix epoch: the one clock type the domain speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// The current wall-clock time.
    pub fn now() -> Self {
        Self(time::OffsetDateTime::now_utc().unix_timestamp())
    }

    /// This instant plus `seconds`.
    pub fn plus_seconds(self, seconds: i64) -> Self {
        Self(self.0 + seconds)
    }

    /// RFC 3339 in UTC, the form every API response uses.
    pub fn to_rfc3339(self) -> String {
        time::OffsetDateTime::from_unix_timestamp(self.0)
            .ok()
            .and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
            .unwrap_or_default()
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_format_as_rfc3339_utc() {
        assert_eq!(Timestamp(0).to_rfc3339(), "1970-01-01T00:00:00Z");
        assert_eq!(
            Timestamp(1_700_000_000).plus_seconds(5).to_rfc3339(),
            "2023-11-14T22:13:25Z"
        );
    }
}
