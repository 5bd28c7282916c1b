//! The use cases: what a person can do, each one function that takes the
//! [`App`](crate::App) and the caller, applies the domain's rules, makes the
//! store calls (as few round trips as the rule allows) and returns domain
//! values. Handlers only extract the request, call one of these, and turn the
//! result into a response; errors reach the client through
//! [`ApiError`](crate::ApiError)'s `From` impls.
//!
//! | module | what |
//! |---|---|
//! | [`accounts`] | sign-up codes, registration, sign-in, password reset, one's account |
//! | [`codes`] | one-time codes: sent, checked, consumed with the write they allow |
//! | [`sessions`] | session families: opened, refreshed (rotated), ended |
//! | [`graph`] | requests, connections and the tags on them |
//! | [`blocks`] | blocking someone, the list, unblocking |
//! | [`people`] | finding people, how one relates to them |
//! | [`tags`] | a person's own tags |
//! | [`posts`] | writing, editing, deleting, reading one post |
//! | [`reading`] | the feed, a person's posts, one's own posts |
//! | [`fanout`] | feed upkeep after a write or a change of the graph |
//! | [`conversation`] | comments and reactions under a post one may see |
//! | [`notifications`] | notifications, shown as their sources are now; notice emails |
//! | [`export`] | one's data export, in parts |
//! | [`deletion`] | deleting one's account, and the clean-up after |

pub mod accounts;
pub mod blocks;
pub mod codes;
pub mod conversation;
pub mod deletion;
pub mod export;
pub mod fanout;
pub mod graph;
pub mod invitations;
pub mod moderation;
pub mod notifications;
pub mod people;
pub mod posts;
pub mod reading;
pub mod sessions;
pub mod tags;

/// A page of a list and the cursor of the next one.
#[derive(Debug)]
pub struct Listing<T> {
    /// Newest first.
    pub items: Vec<T>,
    /// Pass as `?cursor=` for the next page; `None` at the end.
    pub next_cursor: Option<String>,
}

impl<T> Listing<T> {
    /// An empty list.
    pub fn empty() -> Self {
        Self {
            items: Vec::new(),
            next_cursor: None,
        }
    }
}
