//! The conversation under a post: comments, reactions, and the notifications
//! that tell people about them and about their requests. Who may see any of
//! it is the post's rule ([`super::social::can_see`]), evaluated when it is
//! read; this module holds the shapes and the text rules.

use serde::{Deserialize, Serialize};

use super::ValidationError;
use super::ids::{CommentId, PostId, UserId};
use super::social::written_text;

/// Comment length bound (characters, after trimming).
pub const COMMENT_MAX_LEN: usize = 2_000;

/// How long a notification is kept (30 days): older ones expire (TTL), and
/// every read checks the expiry itself, since DynamoDB deletes late.
pub const NOTIFICATION_TTL_SECONDS: i64 = 30 * 24 * 3600;

/// Comment text: 1–2,000 characters, the text rules of posts.
pub fn comment_content(raw: &str) -> Result<String, ValidationError> {
    written_text(raw, COMMENT_MAX_LEN, "a comment")
}

/// The fixed set of reactions: small on purpose, and none of them a score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReactionKind {
    /// ❤️
    Heart,
    /// 👍
    ThumbsUp,
    /// 😂
    Laugh,
    /// 😮
    Wow,
    /// 😢
    Sad,
    /// 🙏
    Thanks,
}

impl ReactionKind {
    /// Every kind, in the order clients show them.
    pub const ALL: [ReactionKind; 6] = [
        ReactionKind::Heart,
        ReactionKind::ThumbsUp,
        ReactionKind::Laugh,
        ReactionKind::Wow,
        ReactionKind::Sad,
        ReactionKind::Thanks,
    ];

    /// The stored and the API name.
    pub fn as_str(self) -> &'static str {
        match self {
            ReactionKind::Heart => "heart",
            ReactionKind::ThumbsUp => "thumbs_up",
            ReactionKind::Laugh => "laugh",
            ReactionKind::Wow => "wow",
            ReactionKind::Sad => "sad",
            ReactionKind::Thanks => "thanks",
        }
    }

    /// A stored name.
    pub fn from_stored(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == raw)
    }
}

/// What a notification is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// Someone asked the recipient to connect.
    ConnectionRequest,
    /// Someone accepted the recipient's request.
    RequestAccepted,
    /// Someone commented on the recipient's post.
    CommentOnMyPost,
    /// Someone commented on a post the recipient commented on.
    CommentOnThread,
    /// People reacted to the recipient's post (one notification per post).
    ReactionsOnMyPost,
}

/// Which notification, by what it points at: the key of its item in the
/// recipient's partition, and its id in the API (`<kind>:<id>`). One item per
/// source, so a repeat (a second reaction on a post) updates it in place.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum NotificationKey {
    /// [`NotificationKind::ConnectionRequest`] from this person.
    Request(UserId),
    /// [`NotificationKind::RequestAccepted`] by this person.
    Accepted(UserId),
    /// [`NotificationKind::CommentOnMyPost`]: this comment.
    Comment(CommentId),
    /// [`NotificationKind::CommentOnThread`]: this comment.
    Thread(CommentId),
    /// [`NotificationKind::ReactionsOnMyPost`]: on this post.
    Reactions(PostId),
}

impl NotificationKey {
    /// Its kind.
    pub fn kind(&self) -> NotificationKind {
        match self {
            NotificationKey::Request(_) => NotificationKind::ConnectionRequest,
            NotificationKey::Accepted(_) => NotificationKind::RequestAccepted,
            NotificationKey::Comment(_) => NotificationKind::CommentOnMyPost,
            NotificationKey::Thread(_) => NotificationKind::CommentOnThread,
            NotificationKey::Reactions(_) => NotificationKind::ReactionsOnMyPost,
        }
    }

    /// The id clients see and send back (`request:01H…`).
    pub fn id(&self) -> String {
        let id = match self {
            NotificationKey::Request(id) | NotificationKey::Accepted(id) => id.as_str(),
            NotificationKey::Comment(id) | NotificationKey::Thread(id) => id.as_str(),
            NotificationKey::Reactions(id) => id.as_str(),
        };
        format!("{}:{id}", self.tag())
    }

    /// Its kind's word in ids and keys (`request`).
    pub(crate) fn tag(&self) -> &'static str {
        match self {
            NotificationKey::Request(_) => "request",
            NotificationKey::Accepted(_) => "accepted",
            NotificationKey::Comment(_) => "comment",
            NotificationKey::Thread(_) => "thread",
            NotificationKey::Reactions(_) => "reactions",
        }
    }

    /// An id as [`NotificationKey::id`] writes it; anything else is no
    /// notification at all.
    pub fn parse(raw: &str) -> Option<Self> {
        let (tag, id) = raw.split_once(':')?;
        if !super::ids::is_id(id) {
            return None;
        }
        let id = id.to_owned();
        Some(match tag {
            "request" => NotificationKey::Request(UserId::from_stored(id)),
            "accepted" => NotificationKey::Accepted(UserId::from_stored(id)),
            "comment" => NotificationKey::Comment(CommentId::from_stored(id)),
            "thread" => NotificationKey::Thread(CommentId::from_stored(id)),
            "reactions" => NotificationKey::Reactions(PostId::from_stored(id)),
            _ => return None,
        })
    }
}

/// The two emails a person can turn off: both are on until they do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailSettings {
    /// Email me when someone asks to connect.
    pub on_request: bool,
    /// Email me when my request is accepted.
    pub on_accept: bool,
}

impl Default for EmailSettings {
    fn default() -> Self {
        Self {
            on_request: true,
            on_accept: true,
        }
    }
}

/// Which email an unsubscribe link turns off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailTopic {
    /// [`EmailSettings::on_request`].
    Requests,
    /// [`EmailSettings::on_accept`].
    Accepts,
}

impl EmailTopic {
    fn as_str(self) -> &'static str {
        match self {
            EmailTopic::Requests => "requests",
            EmailTopic::Accepts => "accepts",
        }
    }

    /// The settings with this email turned off.
    pub fn off(self, settings: EmailSettings) -> EmailSettings {
        match self {
            EmailTopic::Requests => EmailSettings {
                on_request: false,
                ..settings
            },
            EmailTopic::Accepts => EmailSettings {
                on_accept: false,
                ..settings
            },
        }
    }

    /// What it is, for the confirmation page.
    pub fn describe(self) -> &'static str {
        match self {
            EmailTopic::Requests => "emails when someone asks to connect with you",
            EmailTopic::Accepts => "emails when someone accepts your request to connect",
        }
    }
}

/// One-click unsubscribe tokens (RFC 8058): the person and the email they
/// turn off, signed, so a link works without signing in and cannot be made
/// for anyone else. They do not expire: an old email's link must still work.
pub struct UnsubscribeTokens<'a> {
    key: &'a [u8],
}

impl<'a> UnsubscribeTokens<'a> {
    /// Tokens signed with `key`.
    pub fn new(key: &'a [u8]) -> Self {
        Self { key }
    }

    /// The token turning `topic` off for `user`.
    pub fn issue(&self, user: &UserId, topic: EmailTopic) -> String {
        super::signed::sign(self.key, b"", &format!("{user}.{}", topic.as_str()))
    }

    /// Who and what a token names, if we signed it.
    pub fn verify(&self, token: &str) -> Option<(UserId, EmailTopic)> {
        let body = super::signed::verify(self.key, b"", token)?;
        let (user, topic) = body.split_once('.')?;
        let topic = match topic {
            "requests" => EmailTopic::Requests,
            "accepts" => EmailTopic::Accepts,
            _ => return None,
        };
        Some((UserId::parse(user)?, topic))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_follow_the_text_rules_of_posts() {
        assert_eq!(comment_content("  yes!\n ").unwrap(), "yes!");
        assert!(comment_content(" ").is_err());
        assert!(comment_content(&"é".repeat(2_000)).is_ok());
        assert!(comment_content(&"é".repeat(2_001)).is_err());
        assert!(comment_content("bell\u{7}").is_err());
        assert!(comment_content("abc\u{202E}def").is_err());
    }

    #[test]
    fn reaction_kinds_round_trip() {
        for kind in ReactionKind::ALL {
            assert_eq!(ReactionKind::from_stored(kind.as_str()), Some(kind));
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
        }
        assert!(ReactionKind::from_stored("angry").is_none());
    }

    #[test]
    fn notification_ids_round_trip_and_refuse_anything_else() {
        let user = UserId::new();
        let post = PostId::new();
        let comment = CommentId::new();
        for key in [
            NotificationKey::Request(user.clone()),
            NotificationKey::Accepted(user),
            NotificationKey::Comment(comment.clone()),
            NotificationKey::Thread(comment),
            NotificationKey::Reactions(post.clone()),
        ] {
            assert_eq!(NotificationKey::parse(&key.id()), Some(key));
        }
        assert!(NotificationKey::parse("reactions").is_none());
        assert!(NotificationKey::parse(&format!("other:{post}")).is_none());
        assert!(NotificationKey::parse("reactions:not-an-id").is_none());
    }

    #[test]
    fn unsubscribe_tokens_are_signed_and_name_one_email() {
        let tokens = UnsubscribeTokens::new(b"key");
        let user = UserId::new();
        let token = tokens.issue(&user, EmailTopic::Requests);
        assert_eq!(
            tokens.verify(&token),
            Some((user.clone(), EmailTopic::Requests))
        );
        assert!(UnsubscribeTokens::new(b"other").verify(&token).is_none());
        let mut tampered = token.clone();
        tampered.replace_range(0..1, if token.starts_with('A') { "B" } else { "A" });
        assert!(tokens.verify(&tampered).is_none());
        assert!(tokens.verify("garbage!").is_none());
        let settings = EmailTopic::Accepts.off(EmailSettings::default());
        assert_eq!(
            settings,
            EmailSettings {
                on_request: true,
                on_accept: false
            }
        );
    }
}
