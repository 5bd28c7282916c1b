//! Response shapes used by more than one function group, with their OpenAPI schemas.

pub mod export;

use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::account::Username;
use crate::domain::conversation::ReactionKind;
use crate::domain::ids::{UserId, strings};
use crate::store::UserRecord;

/// The signed-in person's own account. Only ever returned to that person.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct User {
    /// Opaque id (ULID).
    pub id: String,
    /// Lower-case username.
    pub username: String,
    /// Normalised email address.
    pub email: String,
    /// What they call themselves; `null` when not set.
    pub display_name: Option<String>,
    /// A few words about them; `null` when not set.
    pub bio: Option<String>,
    /// RFC 3339 creation time.
    pub created_at: String,
    /// Whether they are one of the network's operators (who see the
    /// moderation desk).
    pub operator: bool,
}

impl User {
    /// The caller's own account, as `app`'s configuration names its
    /// operators.
    pub fn of(record: UserRecord, app: &crate::App) -> Self {
        let operator = app.config.operators.includes(&record.id);
        Self {
            operator,
            ..record.into()
        }
    }
}

impl From<UserRecord> for User {
    fn from(record: UserRecord) -> Self {
        Self {
            id: record.id.into_string(),
            username: record.username.into_string(),
            email: record.email.into_string(),
            display_name: record.display_name.map(|n| n.as_str().to_owned()),
            bio: record.bio.map(|b| b.as_str().to_owned()),
            created_at: record.created_at.to_rfc3339(),
            operator: false,
        }
    }
}

/// Another person, as anyone may see them: no email.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserRef {
    /// Opaque id (ULID).
    pub id: String,
    /// Lower-case username.
    pub username: String,
    /// What they call themselves; `null` when they have not said. Shown
    /// with the username to whoever is shown the person.
    pub display_name: Option<String>,
}

impl UserRef {
    /// The public view of a person.
    pub fn new(id: UserId, username: Username, display_name: Option<String>) -> Self {
        Self {
            id: id.into_string(),
            username: username.into_string(),
            display_name,
        }
    }
}

/// Every error response: `{"error": {"code", "message"}}`.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// API Gateway's own answers, before any function runs: its throttle
/// answers `429` with `{"message": "Too Many Requests"}`.
#[derive(Serialize, ToSchema)]
pub struct GatewayMessage {
    /// What API Gateway says, e.g. `Too Many Requests`.
    pub message: String,
}

/// The inside of [`ErrorBody`].
#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable snake_case code, e.g. `invalid_credentials`.
    pub code: String,
    /// What went wrong and how to fix it.
    pub message: String,
}

/// A post as the caller sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Post {
    /// Opaque id.
    pub id: String,
    /// Who wrote it.
    pub author: UserRef,
    /// The text (plain text: clients must not render it as HTML).
    pub content: String,
    /// `connections`, `tags` or `private`.
    pub audience: crate::domain::social::Audience,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339, if edited.
    pub edited_at: Option<String>,
    /// The author's tags the post is for; only shown to the author.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag_ids: Option<Vec<String>>,
    /// Comments under it.
    pub comment_count: i64,
    /// Its reactions.
    pub reactions: ReactionSummary,
}

/// A post's reactions as the caller sees them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReactionSummary {
    /// How many of each kind (kinds nobody chose are left out).
    #[schema(value_type = std::collections::BTreeMap<String, i64>)]
    pub counts: std::collections::BTreeMap<&'static str, i64>,
    /// The caller's own, if any.
    pub mine: Option<ReactionKind>,
}

impl From<crate::service::conversation::Reactions> for ReactionSummary {
    fn from(reactions: crate::service::conversation::Reactions) -> Self {
        Self {
            counts: reactions
                .counts
                .into_iter()
                .map(|(kind, count)| (kind.as_str(), count))
                .collect(),
            mine: reactions.mine,
        }
    }
}

impl Post {
    /// The view of `record` for `caller` (tags only for the author).
    pub fn for_caller(record: crate::store::PostRecord, caller: &UserId) -> Self {
        let mine = record.author_id == *caller;
        Self {
            id: record.id.into_string(),
            author: UserRef::new(
                record.author_id,
                record.author_username,
                record.author_display_name,
            ),
            content: record.content,
            audience: record.audience,
            created_at: record.created_at.to_rfc3339(),
            edited_at: record.edited_at.map(|t| t.to_rfc3339()),
            tag_ids: mine.then(|| strings(&record.tag_ids)),
            comment_count: record.conversation.comments,
            reactions: crate::service::conversation::Reactions {
                counts: record.conversation.reactions,
                mine: record.conversation.mine,
            }
            .into(),
        }
    }
}

/// A page of posts.
#[derive(Debug, Serialize, ToSchema)]
pub struct PostPage {
    /// Newest first.
    pub posts: Vec<Post>,
    /// Pass as `?cursor=` for the next page; `null` at the end.
    pub next_cursor: Option<String>,
}

impl PostPage {
    /// A page of posts as `caller` sees it.
    pub fn for_caller(
        page: crate::service::Listing<crate::store::PostRecord>,
        caller: &UserId,
    ) -> Self {
        Self {
            posts: page
                .items
                .into_iter()
                .map(|post| Post::for_caller(post, caller))
                .collect(),
            next_cursor: page.next_cursor,
        }
    }
}

/// `?limit=&cursor=` of every list.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// 1–50, default 20.
    // Not nullable: a query value is there or not.
    #[param(value_type = u32, required = false, minimum = 1, maximum = 50)]
    pub limit: Option<usize>,
    /// From the previous page's `next_cursor`.
    #[param(value_type = String, required = false)]
    pub cursor: Option<String>,
}

/// A connection, from the caller's side.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Connection {
    /// The other person.
    pub user: UserRef,
    /// RFC 3339.
    pub connected_at: String,
    /// The caller's own tags on this person.
    pub tag_ids: Vec<String>,
}

impl From<crate::store::Edge> for Connection {
    fn from(edge: crate::store::Edge) -> Self {
        Self {
            user: UserRef::new(edge.other_id, edge.other_username, edge.other_display_name),
            connected_at: edge.connected_at.to_rfc3339(),
            tag_ids: strings(&edge.tag_ids),
        }
    }
}

/// A tag (private to its owner).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Tag {
    /// Opaque id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Palette colour.
    pub color: crate::domain::social::TagColor,
    /// RFC 3339.
    pub created_at: String,
}

impl From<crate::store::TagRecord> for Tag {
    fn from(tag: crate::store::TagRecord) -> Self {
        Self {
            id: tag.id.into_string(),
            name: tag.name.as_str().to_owned(),
            color: tag.color,
            created_at: tag.created_at.to_rfc3339(),
        }
    }
}

/// A comment as anyone who may see its post sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Comment {
    /// Opaque id.
    pub id: String,
    /// The post it is under.
    pub post_id: String,
    /// Who wrote it.
    pub author: UserRef,
    /// The text (plain text: clients must not render it as HTML).
    pub content: String,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339, if edited.
    pub edited_at: Option<String>,
}

impl From<crate::store::CommentRecord> for Comment {
    fn from(record: crate::store::CommentRecord) -> Self {
        Self {
            id: record.id.into_string(),
            post_id: record.post_id.into_string(),
            author: UserRef::new(
                record.author_id,
                record.author_username,
                record.author_display_name,
            ),
            content: record.content,
            created_at: record.created_at.to_rfc3339(),
            edited_at: record.edited_at.map(|t| t.to_rfc3339()),
        }
    }
}

/// A page of a thread.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommentPage {
    /// Oldest first.
    pub comments: Vec<Comment>,
    /// Pass as `?cursor=` for the next page; `null` at the end.
    pub next_cursor: Option<String>,
}

/// The answer to setting or removing one's reaction.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReactionsBody {
    /// The post's reactions after the change.
    pub reactions: ReactionSummary,
}

/// One person's reaction.
#[derive(Debug, Serialize, ToSchema)]
pub struct Reaction {
    /// Who.
    pub user: UserRef,
    /// How.
    pub kind: ReactionKind,
    /// RFC 3339.
    pub created_at: String,
}

impl From<crate::store::ReactionRecord> for Reaction {
    fn from(record: crate::store::ReactionRecord) -> Self {
        Self {
            user: UserRef::new(record.user_id, record.username, record.display_name),
            kind: record.kind,
            created_at: record.created_at.to_rfc3339(),
        }
    }
}

/// A page of who reacted.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReactionPage {
    /// By person.
    pub reactions: Vec<Reaction>,
    /// Pass as `?cursor=` for the next page; `null` at the end.
    pub next_cursor: Option<String>,
}

/// Who can see a post now (for its author).
#[derive(Debug, Serialize, ToSchema)]
pub struct PostAudience {
    /// The connections the post reaches, by username.
    pub users: Vec<UserRef>,
    /// How many.
    pub count: usize,
}

/// A notification, as its recipient may see it now.
#[derive(Debug, Serialize, ToSchema)]
pub struct Notification {
    /// Opaque id (for marking it read).
    pub id: String,
    /// What happened.
    pub kind: crate::domain::conversation::NotificationKind,
    /// Who did it (the latest one, for reactions).
    pub actor: UserRef,
    /// How many others did the same (reactions on a post: the others now).
    pub others: i64,
    /// The post it is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub post_id: Option<String>,
    /// The comment it is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment_id: Option<String>,
    /// RFC 3339: when it last happened.
    pub created_at: String,
    /// Whether it was marked read.
    pub read: bool,
}

impl From<crate::service::notifications::Notice> for Notification {
    fn from(notice: crate::service::notifications::Notice) -> Self {
        Self {
            id: notice.key.id(),
            kind: notice.kind(),
            actor: UserRef {
                id: notice.actor_id.into_string(),
                username: notice.actor_username,
                display_name: notice.actor_display_name,
            },
            others: notice.others,
            post_id: notice.post_id.map(|id| id.into_string()),
            comment_id: notice.comment_id.map(|id| id.into_string()),
            created_at: notice.created_at.to_rfc3339(),
            read: notice.read,
        }
    }
}

/// A page of notifications.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationPage {
    /// Newest first.
    pub notifications: Vec<Notification>,
    /// Pass as `?cursor=` for the next page; `null` at the end.
    pub next_cursor: Option<String>,
    /// Unread notifications (at most 50; more show as 50).
    pub unread: usize,
}

/// How many notifications are unread.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnreadCount {
    /// At most 50; more show as 50.
    pub unread: usize,
}
