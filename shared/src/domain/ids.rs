//! Every id of the product, as its own type: a person's id cannot be passed
//! where a post's is expected, and an id is parsed once, at the edge.
//!
//! All ids are ULIDs (26 Crockford base-32 characters, time-ordered), which
//! is why a feed keyed by post id reads newest first. A string that is not
//! shaped like one is nobody's id: the HTTP layer answers it exactly as it
//! answers a well-formed id that does not exist (see [`crate::api::known_id`]).

use std::fmt;

/// A new random, time-ordered id.
fn new_ulid() -> String {
    ulid::Ulid::new().to_string()
}

/// Whether `raw` is shaped like one of our ids.
pub fn is_id(raw: &str) -> bool {
    raw.len() == 26 && ulid::Ulid::from_string(raw).is_ok()
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// A new, unique id.
            #[allow(clippy::new_without_default)]
            pub fn new() -> Self {
                Self(new_ulid())
            }

            /// `raw`, if it is shaped like an id.
            pub fn parse(raw: &str) -> Option<Self> {
                is_id(raw).then(|| Self(raw.to_owned()))
            }

            /// An id read back from our own table, which only ever holds
            /// ids this code made: trusted as it is.
            pub fn from_stored(raw: String) -> Self {
                Self(raw)
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The id as an owned string (for a response body).
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }
    };
}

id_type!(
    /// A person (an account).
    UserId
);
id_type!(
    /// A post.
    PostId
);
id_type!(
    /// One of a person's private tags.
    TagId
);
id_type!(
    /// A session family: one sign-in on one device, across its rotations.
    FamilyId
);
id_type!(
    /// A comment under a post.
    CommentId
);
id_type!(
    /// A report to the operators.
    ReportId
);
id_type!(
    /// An invitation by email.
    InvitationId
);

/// Ids as the text a response or a stored string set holds.
pub fn strings<T: AsRef<str>>(ids: &[T]) -> Vec<String> {
    ids.iter().map(|id| id.as_ref().to_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_parsed_by_shape() {
        let id = UserId::new();
        assert_eq!(UserId::parse(id.as_str()), Some(id.clone()));
        assert!(UserId::parse("not-an-id").is_none());
        assert!(UserId::parse(&format!("{id}x")).is_none());
        assert!(is_id(id.as_str()));
        assert!(PostId::new() != PostId::new());
    }
}
