//! A person's data export: where a paged export has got to, and how much
//! one part may carry. No I/O: the use case is `service::export`.
//!
//! An export is read in parts. Every part continues the person's three
//! long lists (posts, comments, reactions) from where the last one stopped,
//! each as far as a byte budget allows; the first part also carries the
//! short ones (profile, settings, tags, connections, requests). Where the
//! export has got to travels in the signed cursor, so the server keeps no
//! export state.

use super::{Timestamp, ValidationError};

/// The `format` every part names.
pub const FORMAT: &str = "intentional-social-export";
/// The format's version: bumped by any change a reader could trip on.
pub const VERSION: u32 = 1;
/// How long the parts of one export may be fetched: an export started
/// longer ago than this starts again, so its `exported_at` stays true.
pub const LIFETIME_SECONDS: i64 = 3600;

/// Items asked of DynamoDB per list and part. A Query stops at 1 MB
/// anyway; the budgets below decide how many of them the part carries.
pub const ITEMS_PER_QUERY: usize = 1000;

/// JSON bytes of posts one part carries at most (one post more than this
/// only if it is the first: a part always moves on).
pub const POSTS_BUDGET: usize = 1024 * 1024;
/// JSON bytes of comments one part carries at most.
pub const COMMENTS_BUDGET: usize = 512 * 1024;
/// JSON bytes of reactions one part carries at most.
pub const REACTIONS_BUDGET: usize = 256 * 1024;

/// Where one list of the export has got to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListPosition {
    /// Nothing read yet.
    Start,
    /// Continue with the items sorting before this one (its GSI1 sort key:
    /// a post id, a comment id, the post id of a reaction).
    Before(String),
    /// All read.
    Done,
}

impl ListPosition {
    /// Whether anything of the list is left to read.
    pub fn is_done(&self) -> bool {
        matches!(self, ListPosition::Done)
    }

    /// Where the Query starts: `None` at the top.
    pub fn before(&self) -> Option<&str> {
        match self {
            ListPosition::Before(key) => Some(key),
            _ => None,
        }
    }

    fn encode(&self) -> &str {
        match self {
            ListPosition::Start => "",
            ListPosition::Before(key) => key,
            ListPosition::Done => "-",
        }
    }

    fn decode(raw: &str) -> Option<Self> {
        match raw {
            "" => Some(ListPosition::Start),
            "-" => Some(ListPosition::Done),
            key if super::ids::is_id(key) => Some(ListPosition::Before(key.to_owned())),
            _ => None,
        }
    }
}

/// Where an export has got to: when it started, and each long list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportPosition {
    /// When the first part was made; every part says this time.
    pub exported_at: Timestamp,
    /// The person's posts.
    pub posts: ListPosition,
    /// What they wrote under posts.
    pub comments: ListPosition,
    /// Their reactions.
    pub reactions: ListPosition,
}

impl ExportPosition {
    /// A new export, started `now`.
    pub fn start(now: Timestamp) -> Self {
        Self {
            exported_at: now,
            posts: ListPosition::Start,
            comments: ListPosition::Start,
            reactions: ListPosition::Start,
        }
    }

    /// Whether this is the first part (it carries the short lists).
    pub fn is_first(&self) -> bool {
        [&self.posts, &self.comments, &self.reactions]
            .iter()
            .all(|list| **list == ListPosition::Start)
    }

    /// Whether every list is read: the export is complete.
    pub fn is_done(&self) -> bool {
        self.posts.is_done() && self.comments.is_done() && self.reactions.is_done()
    }

    /// The cursor's signed content: `<exported_at>|<posts>|<comments>|<reactions>`.
    pub fn encode(&self) -> String {
        format!(
            "{}|{}|{}|{}",
            self.exported_at.0,
            self.posts.encode(),
            self.comments.encode(),
            self.reactions.encode()
        )
    }

    /// The position a cursor's content names, if it is still fresh at `now`.
    pub fn decode(raw: &str, now: Timestamp) -> Result<Self, ValidationError> {
        let parts: Vec<&str> = raw.split('|').collect();
        let position = match parts[..] {
            [at, posts, comments, reactions] => (|| {
                Some(Self {
                    exported_at: Timestamp(at.parse().ok()?),
                    posts: ListPosition::decode(posts)?,
                    comments: ListPosition::decode(comments)?,
                    reactions: ListPosition::decode(reactions)?,
                })
            })(),
            _ => None,
        }
        .filter(|position| !position.is_first() && !position.is_done())
        .ok_or_else(|| {
            ValidationError::new(
                "cursor",
                "invalid_cursor",
                "Parameter `cursor`: this cursor is not valid here; start the export again without one.",
            )
        })?;
        if now.0 - position.exported_at.0 > LIFETIME_SECONDS {
            return Err(ValidationError::new(
                "cursor",
                "export_expired",
                format!(
                    "Parameter `cursor`: this export was started more than {} minutes ago; start it again without a cursor.",
                    LIFETIME_SECONDS / 60
                ),
            ));
        }
        Ok(position)
    }
}

/// What is left of one list's byte budget in a part.
#[derive(Debug)]
pub struct Budget {
    left: usize,
    taken: usize,
}

impl Budget {
    /// `bytes` to spend.
    pub fn new(bytes: usize) -> Self {
        Self {
            left: bytes,
            taken: 0,
        }
    }

    /// Takes an item of `size` bytes if it fits, or if nothing has been
    /// taken yet (so that every part moves its list on).
    pub fn take(&mut self, size: usize) -> bool {
        if size <= self.left || self.taken == 0 {
            self.left = self.left.saturating_sub(size);
            self.taken += 1;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "01JAAAAAAAAAAAAAAAAAAAAAAA";

    #[test]
    fn positions_round_trip_and_expire() {
        let now = Timestamp(1_000_000);
        let position = ExportPosition {
            exported_at: now,
            posts: ListPosition::Before(ID.into()),
            comments: ListPosition::Done,
            reactions: ListPosition::Start,
        };
        let raw = position.encode();
        assert_eq!(raw, format!("1000000|{ID}|-|"));
        assert_eq!(ExportPosition::decode(&raw, now).unwrap(), position);
        let later = Timestamp(now.0 + LIFETIME_SECONDS);
        assert_eq!(ExportPosition::decode(&raw, later).unwrap(), position);
        let expired = ExportPosition::decode(&raw, Timestamp(later.0 + 1)).unwrap_err();
        assert_eq!(expired.code, "export_expired");
    }

    #[test]
    fn a_cursor_names_a_part_after_the_first_and_before_the_end() {
        let now = Timestamp(5);
        for raw in [
            "5|||",
            "5|-|-|-",
            "5|x|-|-",
            "5|-|-",
            "x|-|-|",
            "",
            &format!("5|{ID}|-|-|-"),
        ] {
            assert_eq!(
                ExportPosition::decode(raw, now).unwrap_err().code,
                "invalid_cursor",
                "{raw}"
            );
        }
        assert!(ExportPosition::start(now).is_first());
    }

    #[test]
    fn a_budget_takes_what_fits_and_always_one() {
        let mut budget = Budget::new(10);
        assert!(budget.take(25), "the first item goes, whatever its size");
        assert!(!budget.take(1));
        let mut budget = Budget::new(10);
        assert!(budget.take(6));
        assert!(budget.take(4));
        assert!(!budget.take(1));
    }
}
