//! Every key layout of the single table, in one place.
//!
//! The table has a string partition key `PK`, a string sort key `SK`, one
//! global secondary index `GSI1` (`GSI1PK`/`GSI1SK`) and a TTL attribute
//! `expires_at` (epoch seconds). `docs/data-model.md` lists every item type
//! and access pattern; keep the two in step.
//!
//! | item | PK | SK |
//! |---|---|---|
//! | user profile | `USER#<user_id>` | `PROFILE` |
//! | password hash (auth only) | `CREDENTIALS#<user_id>` | `PASSWORD` |
//! | email claim (uniqueness) | `EMAIL#<email>` | `CLAIM` |
//! | username claim (uniqueness) | `USERNAME#<username>` | `CLAIM` |
//! | one-time code | `CODE#<purpose>#<email>` | `CODE` |
//! | session family | `USER#<user_id>` | `SESSION#<family_id>` |
//! | rate-limit counter | `RATE#<rule>#<subject>` | `<window start, epoch s>` |

use crate::domain::account::{Email, Username};
use crate::domain::conversation::NotificationKey;
use crate::domain::ids::{CommentId, FamilyId, InvitationId, PostId, ReportId, TagId, UserId};
use crate::domain::moderation::ReportTarget;
use crate::domain::one_time_code::CodePurpose;

/// Partition key attribute.
pub const PK: &str = "PK";
/// Sort key attribute.
pub const SK: &str = "SK";
/// TTL attribute (epoch seconds); DynamoDB deletes expired items eventually,
/// so every read of a TTL item also checks it.
pub const EXPIRES_AT: &str = "expires_at";

/// Sort key of the single item in claim partitions.
pub const CLAIM: &str = "CLAIM";
/// Sort key of a user's profile.
pub const PROFILE: &str = "PROFILE";
/// Sort key of a one-time code.
pub const CODE: &str = "CODE";
/// Prefix of session sort keys.
pub const SESSION_PREFIX: &str = "SESSION#";

/// `USER#<id>`: a user's partition (profile, sessions).
pub fn user(user_id: &UserId) -> String {
    format!("USER#{user_id}")
}

/// `EMAIL#<email>`: the item that makes an email address unique.
pub fn email_claim(email: &Email) -> String {
    format!("EMAIL#{}", email.as_str())
}

/// `USERNAME#<username>`: the item that makes a username unique.
pub fn username_claim(username: &Username) -> String {
    format!("USERNAME#{}", username.as_str())
}

/// `CODE#<purpose>#<email>`: the one live code for an address and purpose.
pub fn code(purpose: CodePurpose, email: &Email) -> String {
    format!("CODE#{}#{}", purpose.as_str(), email.as_str())
}

/// `CREDENTIALS#<id>`: a user's password hash, in a partition of its own so
/// that no read of the user's partition (the profile, the connections, the
/// tags) ever carries it, and IAM can keep every function but `auth` out of
/// it (`dynamodb:LeadingKeys`).
pub fn credentials(user_id: &UserId) -> String {
    format!("{CREDENTIALS_PREFIX}{user_id}")
}

/// Prefix of the credentials partitions.
pub const CREDENTIALS_PREFIX: &str = "CREDENTIALS#";
/// Sort key of the password hash.
pub const PASSWORD: &str = "PASSWORD";

/// `SESSION#<family_id>`.
pub fn session(family_id: &FamilyId) -> String {
    format!("{SESSION_PREFIX}{family_id}")
}

/// `RATE#<rule>#<subject>`: one rate-limit rule applied to one subject (an IP, an email, an account).
pub fn rate(rule: &str, subject: &str) -> String {
    format!("RATE#{rule}#{subject}")
}

// ---- the social graph ----------------------------------------------------
//
// | item | PK | SK | GSI1PK / GSI1SK |
// |---|---|---|---|
// | connection edge (one per direction) | `USER#<owner>` | `CONN#<other>` | |
// | outgoing request | `USER#<from>` | `REQ#OUT#<to>` | |
// | incoming request | `USER#<to>` | `REQ#IN#<from>` | |
// | tag | `USER#<owner>` | `TAG#<tag_id>` | |
// | tag name claim | `USER#<owner>` | `TAGNAME#<folded name>` | |
// | post | `POST#<post_id>` | `POST` | `AUTHOR#<author>` / `<post_id>` |
// | feed entry | `FEED#<viewer>` | `<post_id>` | |
// | comment | `POST#<post_id>` | `POST#COMMENT#<comment_id>` | `COMMENTS#<author>` / `<comment_id>` |
// | reaction | `POST#<post_id>` | `POST#REACTION#<user_id>` | `REACTIONS#<user>` / `<post_id>` |
// | notification | `USER#<recipient>` | `NOTIF#<kind>#<id>` | `NOTIFS#<recipient>` / `<ULID of its last change>` |
// | notice sent (request, accepted) | `USER#<actor>` | `NOTICE#<kind>#<recipient>` | |
// | block | `USER#<blocker>` | `BLOCK#<blocked>` | |
// | block's twin | `USER#<blocked>` | `BLOCKEDBY#<blocker>` | |
//
// A post's comments and reactions live in its partition, sorted after the
// post itself (`POST` < `POST#…`): the first page of a thread is one Query
// that returns the post with it, and deleting the post finds them all by
// key. Comment ids are ULIDs, so the thread reads oldest first.

/// Prefix of connection edges in a user's partition.
pub const CONN_PREFIX: &str = "CONN#";
/// Prefix of outgoing requests.
pub const REQ_OUT_PREFIX: &str = "REQ#OUT#";
/// Prefix of incoming requests.
pub const REQ_IN_PREFIX: &str = "REQ#IN#";
/// Prefix of tags.
pub const TAG_PREFIX: &str = "TAG#";
/// Sort key of a post.
pub const POST: &str = "POST";
/// GSI1 attribute names.
pub const GSI1: &str = "GSI1";
/// See [`GSI1`].
pub const GSI1PK: &str = "GSI1PK";
/// See [`GSI1`].
pub const GSI1SK: &str = "GSI1SK";

/// `CONN#<other>`.
pub fn connection(other: &UserId) -> String {
    format!("{CONN_PREFIX}{other}")
}

/// `REQ#OUT#<to>`.
pub fn request_out(to: &UserId) -> String {
    format!("{REQ_OUT_PREFIX}{to}")
}

/// `REQ#IN#<from>`.
pub fn request_in(from: &UserId) -> String {
    format!("{REQ_IN_PREFIX}{from}")
}

/// `TAG#<id>`.
pub fn tag(tag_id: &TagId) -> String {
    format!("{TAG_PREFIX}{tag_id}")
}

/// `TAGNAME#<folded name>`.
pub fn tag_name(folded: &str) -> String {
    format!("TAGNAME#{folded}")
}

/// `POST#<id>`.
pub fn post(post_id: &PostId) -> String {
    format!("POST#{post_id}")
}

/// `AUTHOR#<author>` (GSI1 partition of an author's posts).
pub fn author(author_id: &UserId) -> String {
    format!("AUTHOR#{author_id}")
}

/// Prefix of a post's comments, in its partition.
pub const COMMENT_PREFIX: &str = "POST#COMMENT#";
/// Sorts after every comment key (ULIDs are Crockford base 32: `~` is above
/// all of its characters), to bound a Query of the thread.
pub const COMMENTS_END: &str = "POST#COMMENT#~";
/// Prefix of a post's reactions, in its partition.
pub const REACTION_PREFIX: &str = "POST#REACTION#";
/// Prefix of notifications, in the recipient's partition.
pub const NOTIFICATION_PREFIX: &str = "NOTIF#";

/// `POST#COMMENT#<id>`.
pub fn comment(comment_id: &CommentId) -> String {
    format!("{COMMENT_PREFIX}{comment_id}")
}

/// `POST#REACTION#<user>`: one per person per post.
pub fn reaction(user_id: &UserId) -> String {
    format!("{REACTION_PREFIX}{user_id}")
}

/// `NOTIF#<kind>#<id>`: one per source, so a repeat updates it in place.
pub fn notification(key: &NotificationKey) -> String {
    format!("{NOTIFICATION_PREFIX}{}", key.id().replacen(':', "#", 1))
}

/// `COMMENTS#<author>`: the GSI1 partition of everything a person wrote
/// under posts, so that their export and their account's deletion find
/// their comments by key.
pub fn comments_by(author: &UserId) -> String {
    format!("COMMENTS#{author}")
}

/// `REACTIONS#<user>`: the GSI1 partition of a person's reactions (as
/// [`comments_by`]).
pub fn reactions_by(user: &UserId) -> String {
    format!("REACTIONS#{user}")
}

/// Prefix of the notices a person caused that may outlive what they were
/// about, in the person's own partition.
pub const NOTICE_SENT_PREFIX: &str = "NOTICE#";

/// `NOTICE#<kind>#<recipient>`, in the actor's partition: written before
/// every `request#`/`accepted#` notification the actor causes, which is kept
/// (read) for its 30 days after the request is declined or the connection
/// ends, so that asking again mails nobody twice. Deleting the actor's
/// account finds the recipient's notification through it, and deleting the
/// recipient's finds it through the notification: by key, both ways.
pub fn notice_sent(key: &NotificationKey, recipient: &UserId) -> String {
    format!("{NOTICE_SENT_PREFIX}{}#{recipient}", key.tag())
}

/// Prefix of the blocks a person made, in their partition.
pub const BLOCK_PREFIX: &str = "BLOCK#";
/// Prefix of the blocks made of a person, in their partition.
pub const BLOCKED_BY_PREFIX: &str = "BLOCKEDBY#";

/// `BLOCK#<blocked>`, in the blocker's partition: checked by key from
/// either side (the blocker's reads and the blocked person's).
pub fn block(blocked: &UserId) -> String {
    format!("{BLOCK_PREFIX}{blocked}")
}

/// `BLOCKEDBY#<blocker>`, in the blocked person's partition: how deleting
/// that account finds the block by key.
pub fn blocked_by(blocker: &UserId) -> String {
    format!("{BLOCKED_BY_PREFIX}{blocker}")
}

// ---- moderation ----------------------------------------------------------
//
// | item | PK | SK | GSI1PK / GSI1SK |
// |---|---|---|---|
// | report | `REPORTS#<kind>#<target id>` | `REPORT#<report_id>` | `REPORTS#<open\|closed>` / `<report_id>` |
// | a reporter's open report on a target | `USER#<reporter>` | `REPORTED#<kind>#<target id>` | |
// | operator action (audit) | `AUDIT` | `<ULID>` | |
//
// A target's reports share a partition, so that an operator's action on it
// closes them all by key; the desk lists them through GSI1, open ones
// oldest first.

/// `REPORTS#<kind>#<target id>`: every report on one person, post or comment.
pub fn reports_on(target: &ReportTarget) -> String {
    format!("REPORTS#{}#{}", target.kind(), target.id())
}

/// `REPORT#<report_id>`.
pub fn report(report_id: &ReportId) -> String {
    format!("REPORT#{report_id}")
}

/// `REPORTS#open` or `REPORTS#closed`: the GSI1 partition of the desk's queue.
pub fn report_queue(open: bool) -> &'static str {
    if open {
        "REPORTS#open"
    } else {
        "REPORTS#closed"
    }
}

/// Prefix of a reporter's claims on the targets of their open reports.
pub const REPORTED_PREFIX: &str = "REPORTED#";

/// `REPORTED#<kind>#<target id>`, in the reporter's partition: what makes
/// one open report per reporter per target.
pub fn reported(target: &ReportTarget) -> String {
    format!("{REPORTED_PREFIX}{}#{}", target.kind(), target.id())
}

/// The audit partition: every operator action, in the order taken.
pub const AUDIT: &str = "AUDIT";

// ---- invitations ---------------------------------------------------------
//
// | item | PK | SK |
// |---|---|---|
// | invitation (the inviter's list) | `USER#<inviter>` | `INVITATION#<invitation_id>` |
// | invitation link (by its token's hash) | `INVITE#<token hash>` | `INVITE` |
// | an inviter's live invitation of an address | `INVITED#<email>` | `FROM#<inviter>` |
// | an address that wants no invitations | `INVITED#<email>` | `OPTOUT` |

/// Prefix of a person's invitations, in their partition.
pub const INVITATION_PREFIX: &str = "INVITATION#";

/// `INVITATION#<id>`.
pub fn invitation(id: &InvitationId) -> String {
    format!("{INVITATION_PREFIX}{id}")
}

/// `INVITE#<token hash>`: what a link's token finds.
pub fn invite(token_hash: &str) -> String {
    format!("INVITE#{token_hash}")
}

/// Sort key of an invitation link.
pub const INVITE: &str = "INVITE";

/// `INVITED#<email>`: what is known of an address that was invited.
pub fn invited(email: &Email) -> String {
    format!("INVITED#{}", email.as_str())
}

/// `FROM#<inviter>`: an inviter's live invitation of the address.
pub fn invited_by(inviter: &UserId) -> String {
    format!("FROM#{inviter}")
}

/// Sort key of an address's opt-out.
pub const OPT_OUT: &str = "OPTOUT";

/// `NOTIFS#<recipient>`: the GSI1 partition listing notifications newest first.
pub fn notifications(recipient: &UserId) -> String {
    format!("NOTIFS#{recipient}")
}

/// `FEED#<viewer>`.
pub fn feed(viewer: &UserId) -> String {
    format!("FEED#{viewer}")
}
