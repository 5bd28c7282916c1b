//! The data export's format (`intentional-social-export`, version 1), as
//! the parts of `GET /api/account/export` carry it. `docs/api.md` describes
//! it for people; the types here are what is served, and the use case
//! (`service::export`) measures its byte budgets on them.
//!
//! Only the person's own data: other people appear by id and username
//! (whom they are connected to or asked), never with anything of theirs.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

use super::{Tag, User};
use crate::domain::conversation::{EmailSettings, ReactionKind};
use crate::domain::ids::TagId;
use crate::domain::social::Audience;
use crate::store::{
    BlockRecord, CommentRecord, Edge, InvitationRecord, PendingRequest, PostRecord, ReactionRecord,
};

/// One part of the export. The whole export is the parts merged: arrays
/// concatenated key by key, objects taken from the part that has them. The
/// first part has the profile, settings, tags, connections, requests and
/// blocks;
/// invitations;
/// every part continues the posts, comments and reactions (a list left out
/// is complete).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExportPart {
    /// Always `intentional-social-export`.
    pub format: &'static str,
    /// The format's version (1).
    pub version: u32,
    /// RFC 3339: when the export's first part was made (the same in every part).
    pub exported_at: String,
    /// The account (first part).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<User>,
    /// The notification settings (first part).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub settings: Option<ExportSettings>,
    /// The person's tags (first part).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<Tag>>,
    /// The person's connections, with their own tags on each (first part).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connections: Option<Vec<ExportConnection>>,
    /// Pending requests both ways (first part).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requests: Option<ExportRequests>,
    /// The people the person blocked (first part).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blocks: Option<Vec<ExportBlock>>,
    /// The invitations the person sent by email, newest first (first part).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invitations: Option<Vec<ExportInvitation>>,
    /// The next of their posts, newest first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub posts: Option<Vec<ExportPost>>,
    /// The next of what they wrote under posts, newest first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comments: Option<Vec<ExportComment>>,
    /// The next of their reactions, by post, newest first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reactions: Option<Vec<ExportReaction>>,
    /// Pass as `?cursor=` for the next part; `null` on the last. Valid for
    /// an hour from `exported_at`.
    pub next_cursor: Option<String>,
}

/// Someone the person is connected to or has a request with: who, and no more.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExportPerson {
    /// Their id.
    pub id: String,
    /// Their username.
    pub username: String,
}

/// One of the person's tags, where it is used.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExportTagRef {
    /// The tag's id.
    pub id: String,
    /// Its name; `null` if the tag was deleted since.
    pub name: Option<String>,
}

impl ExportTagRef {
    fn all(ids: &[TagId], names: &BTreeMap<TagId, String>) -> Vec<Self> {
        ids.iter()
            .map(|id| Self {
                id: id.as_str().to_owned(),
                name: names.get(id).cloned(),
            })
            .collect()
    }
}

/// Settings.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExportSettings {
    /// Which notice emails are on.
    pub email: EmailSettings,
}

/// A connection.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExportConnection {
    /// The other person.
    pub user: ExportPerson,
    /// RFC 3339.
    pub connected_at: String,
    /// The person's own tags on them.
    pub tags: Vec<ExportTagRef>,
}

impl ExportConnection {
    /// `edge` with its tags named.
    pub fn new(edge: Edge, tag_names: &BTreeMap<TagId, String>) -> Self {
        Self {
            tags: ExportTagRef::all(&edge.tag_ids, tag_names),
            user: ExportPerson {
                id: edge.other_id.into_string(),
                username: edge.other_username.into_string(),
            },
            connected_at: edge.connected_at.to_rfc3339(),
        }
    }
}

/// Pending requests.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExportRequests {
    /// Asked of the person, not yet answered.
    pub incoming: Vec<ExportRequest>,
    /// Asked by the person, not yet answered.
    pub outgoing: Vec<ExportRequest>,
}

/// One pending request.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExportRequest {
    /// The person on the other side.
    pub user: ExportPerson,
    /// RFC 3339.
    pub created_at: String,
}

impl From<PendingRequest> for ExportRequest {
    fn from(request: PendingRequest) -> Self {
        Self {
            user: ExportPerson {
                id: request.other_id.into_string(),
                username: request.other_username.into_string(),
            },
            created_at: request.created_at.to_rfc3339(),
        }
    }
}

/// Someone the person blocked.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExportBlock {
    /// Who.
    pub user: ExportPerson,
    /// RFC 3339.
    pub created_at: String,
}

impl From<BlockRecord> for ExportBlock {
    fn from(block: BlockRecord) -> Self {
        Self {
            user: ExportPerson {
                id: block.other_id.into_string(),
                username: block.other_username.into_string(),
            },
            created_at: block.created_at.to_rfc3339(),
        }
    }
}

/// An invitation the person sent.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExportInvitation {
    /// The address.
    pub email: String,
    /// `pending`, `joined`, `cancelled` or `expired`.
    pub status: &'static str,
    /// Sent (RFC 3339).
    pub created_at: String,
    /// Its link worked until then.
    pub expires_at: String,
}

impl From<InvitationRecord> for ExportInvitation {
    fn from(invitation: InvitationRecord) -> Self {
        Self {
            email: invitation.email.into_string(),
            status: invitation.status.as_str(),
            created_at: invitation.created_at.to_rfc3339(),
            expires_at: invitation.valid_until.to_rfc3339(),
        }
    }
}

/// One of the person's posts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExportPost {
    /// Its id.
    pub id: String,
    /// The text.
    pub content: String,
    /// `connections`, `tags` or `private`.
    pub audience: Audience,
    /// For `tags`: the tags it is for, with their names.
    pub tags: Vec<ExportTagRef>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339, if edited.
    pub edited_at: Option<String>,
    /// How many comments are under it (the comments are their authors').
    pub comment_count: i64,
    /// How many reactions of each kind it has.
    #[schema(value_type = BTreeMap<String, i64>)]
    pub reaction_counts: BTreeMap<&'static str, i64>,
}

impl ExportPost {
    /// `post` with its tags named.
    pub fn new(post: PostRecord, tag_names: &BTreeMap<TagId, String>) -> Self {
        Self {
            tags: ExportTagRef::all(&post.tag_ids, tag_names),
            id: post.id.into_string(),
            content: post.content,
            audience: post.audience,
            created_at: post.created_at.to_rfc3339(),
            edited_at: post.edited_at.map(|t| t.to_rfc3339()),
            comment_count: post.conversation.comments,
            reaction_counts: post
                .conversation
                .reactions
                .into_iter()
                .filter(|(_, count)| *count > 0)
                .map(|(kind, count)| (kind.as_str(), count))
                .collect(),
        }
    }
}

/// Something the person wrote under a post (theirs or a connection's).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExportComment {
    /// Its id.
    pub id: String,
    /// The post it is under.
    pub post_id: String,
    /// The text.
    pub content: String,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339, if edited.
    pub edited_at: Option<String>,
}

impl From<CommentRecord> for ExportComment {
    fn from(comment: CommentRecord) -> Self {
        Self {
            id: comment.id.into_string(),
            post_id: comment.post_id.into_string(),
            content: comment.content,
            created_at: comment.created_at.to_rfc3339(),
            edited_at: comment.edited_at.map(|t| t.to_rfc3339()),
        }
    }
}

/// One of the person's reactions.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExportReaction {
    /// The post it is on.
    pub post_id: String,
    /// Which.
    pub kind: ReactionKind,
    /// RFC 3339.
    pub created_at: String,
}

impl ExportReaction {
    /// `reaction`, on `post_id`.
    pub fn new(post_id: crate::domain::ids::PostId, reaction: ReactionRecord) -> Self {
        Self {
            post_id: post_id.into_string(),
            kind: reaction.kind,
            created_at: reaction.created_at.to_rfc3339(),
        }
    }
}
