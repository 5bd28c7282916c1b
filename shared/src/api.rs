//! Response shapes used by more than one function group, with their OpenAPI schemas.

use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::account::Username;
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
    /// RFC 3339 creation time.
    pub created_at: String,
}

impl From<UserRecord> for User {
    fn from(record: UserRecord) -> Self {
        Self {
            id: record.id.into_string(),
            username: record.username.into_string(),
            email: record.email.into_string(),
            created_at: record.created_at.to_rfc3339(),
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
}

impl UserRef {
    /// The public view of a person.
    pub fn new(id: UserId, username: Username) -> Self {
        Self {
            id: id.into_string(),
            username: username.into_string(),
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
}

impl Post {
    /// The view of `record` for `caller` (tags only for the author).
    pub fn for_caller(record: crate::store::PostRecord, caller: &UserId) -> Self {
        let mine = record.author_id == *caller;
        Self {
            id: record.id.into_string(),
            author: UserRef::new(record.author_id, record.author_username),
            content: record.content,
            audience: record.audience,
            created_at: record.created_at.to_rfc3339(),
            edited_at: record.edited_at.map(|t| t.to_rfc3339()),
            tag_ids: mine.then(|| strings(&record.tag_ids)),
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
            user: UserRef::new(edge.other_id, edge.other_username),
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
