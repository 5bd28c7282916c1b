//! Reports and the operators' answers to them: what may be reported, why,
//! and the rules of the words that come with it.

use serde::{Deserialize, Serialize};

use super::ValidationError;
use super::ids::{CommentId, PostId, UserId};
use super::social::written_text;

/// The longest note a reporter may add.
pub const REPORT_NOTE_MAX_LEN: usize = 500;
/// The longest reason an operator gives for an action (the author of
/// removed content reads it in an email).
pub const MODERATION_REASON_MAX_LEN: usize = 500;
/// Reports listed per page of the moderation desk: the page's targets,
/// their authors and the reporters fit one BatchGetItem (3 × 25 ≤ 100).
pub const REPORTS_PAGE: usize = 25;

/// Why something was reported: a short, fixed list, so that a report is
/// quick to make and easy to sort.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportReason {
    /// Unwanted advertising or repetition.
    Spam,
    /// Harassment or bullying.
    Harassment,
    /// Hate against a group.
    Hate,
    /// Violence, or self-harm.
    ViolenceOrSelfHarm,
    /// Sexual content.
    SexualContent,
    /// Pretending to be someone else.
    Impersonation,
    /// Anything else (the note says what).
    Other,
}

impl ReportReason {
    /// Every reason, in the order the SPA offers them.
    pub const ALL: [ReportReason; 7] = [
        ReportReason::Spam,
        ReportReason::Harassment,
        ReportReason::Hate,
        ReportReason::ViolenceOrSelfHarm,
        ReportReason::SexualContent,
        ReportReason::Impersonation,
        ReportReason::Other,
    ];

    /// The wire and stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            ReportReason::Spam => "spam",
            ReportReason::Harassment => "harassment",
            ReportReason::Hate => "hate",
            ReportReason::ViolenceOrSelfHarm => "violence_or_self_harm",
            ReportReason::SexualContent => "sexual_content",
            ReportReason::Impersonation => "impersonation",
            ReportReason::Other => "other",
        }
    }

    /// The reason a request names, or the error that lists the choices.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|reason| reason.as_str() == raw)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|r| r.as_str()).collect();
                ValidationError::new(
                    "reason",
                    "invalid_reason",
                    format!("Field `reason`: choose one of {}.", names.join(", ")),
                )
            })
    }
}

/// What a report is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ReportTarget {
    /// A person.
    User(UserId),
    /// A post.
    Post(PostId),
    /// A comment, under its post.
    Comment(PostId, CommentId),
}

impl ReportTarget {
    /// `user`, `post` or `comment`.
    pub fn kind(&self) -> &'static str {
        match self {
            ReportTarget::User(_) => "user",
            ReportTarget::Post(_) => "post",
            ReportTarget::Comment(..) => "comment",
        }
    }

    /// The id of the person, post or comment.
    pub fn id(&self) -> &str {
        match self {
            ReportTarget::User(id) => id.as_str(),
            ReportTarget::Post(id) => id.as_str(),
            ReportTarget::Comment(_, id) => id.as_str(),
        }
    }

    /// The post a comment is under.
    pub fn post_id(&self) -> Option<&PostId> {
        match self {
            ReportTarget::Comment(post, _) => Some(post),
            _ => None,
        }
    }

    /// The target as it was stored: its kind, id and post.
    pub fn from_stored(kind: &str, id: String, post_id: Option<String>) -> Option<Self> {
        match (kind, post_id) {
            ("user", _) => Some(ReportTarget::User(UserId::from_stored(id))),
            ("post", _) => Some(ReportTarget::Post(PostId::from_stored(id))),
            ("comment", Some(post)) => Some(ReportTarget::Comment(
                PostId::from_stored(post),
                CommentId::from_stored(id),
            )),
            _ => None,
        }
    }
}

/// How a report was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    /// An operator found nothing to do.
    Dismissed,
    /// The reported post or comment was removed.
    Removed,
    /// The reported person (or the author) was suspended.
    Suspended,
}

impl Resolution {
    /// The wire and stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Resolution::Dismissed => "dismissed",
            Resolution::Removed => "removed",
            Resolution::Suspended => "suspended",
        }
    }

    /// A stored name read back.
    pub fn from_stored(raw: &str) -> Option<Self> {
        [
            Resolution::Dismissed,
            Resolution::Removed,
            Resolution::Suspended,
        ]
        .into_iter()
        .find(|r| r.as_str() == raw)
    }
}

/// A reporter's optional note: up to 500 characters, the text rules of
/// posts (an empty note is no note).
pub fn report_note(raw: Option<&str>) -> Result<Option<String>, ValidationError> {
    optional_words(raw, "note", REPORT_NOTE_MAX_LEN, "a note")
}

/// An operator's reason for an action: 1–500 characters, the text rules of
/// posts.
pub fn moderation_reason(raw: &str) -> Result<String, ValidationError> {
    written_text(raw, MODERATION_REASON_MAX_LEN, "a reason")
        .map_err(|error| renamed(error, "reason"))
}

/// An operator's optional note on a dismissal.
pub fn closing_note(raw: Option<&str>) -> Result<Option<String>, ValidationError> {
    optional_words(raw, "note", MODERATION_REASON_MAX_LEN, "a note")
}

fn optional_words(
    raw: Option<&str>,
    field: &'static str,
    max: usize,
    what: &str,
) -> Result<Option<String>, ValidationError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => written_text(text, max, what)
            .map(Some)
            .map_err(|error| renamed(error, field)),
    }
}

/// The text rules speak of `content`; here the field has another name.
fn renamed(error: ValidationError, field: &'static str) -> ValidationError {
    ValidationError {
        field,
        code: if field == "reason" {
            "invalid_reason"
        } else {
            "invalid_note"
        },
        message: error
            .message
            .replacen("Field `content`", &format!("Field `{field}`"), 1),
    }
}

/// The operators, as configured: a set of user ids.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Operators(Vec<UserId>);

impl Operators {
    /// The operators a comma-separated list of user ids names (blanks
    /// ignored); `Err` names the first entry that is not an id.
    pub fn parse(raw: &str) -> Result<Self, String> {
        raw.split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| UserId::parse(entry).ok_or_else(|| entry.to_owned()))
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    /// Whether `id` is one of them.
    pub fn includes(&self, id: &UserId) -> bool {
        self.0.contains(id)
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether none are named.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_the_short_list_and_nothing_else() {
        for reason in ReportReason::ALL {
            assert_eq!(ReportReason::parse(reason.as_str()), Ok(reason));
        }
        let error = ReportReason::parse("boring").unwrap_err();
        assert_eq!(error.code, "invalid_reason");
        assert!(error.message.contains("violence_or_self_harm"));
    }

    #[test]
    fn a_note_is_optional_and_bounded() {
        assert_eq!(report_note(None), Ok(None));
        assert_eq!(report_note(Some("   ")), Ok(None));
        assert_eq!(report_note(Some(" why ")), Ok(Some("why".into())));
        let long = "a".repeat(REPORT_NOTE_MAX_LEN + 1);
        let error = report_note(Some(&long)).unwrap_err();
        assert_eq!((error.field, error.code), ("note", "invalid_note"));
        assert!(
            error.message.starts_with("Field `note`"),
            "{}",
            error.message
        );
        assert!(report_note(Some("a\u{202E}b")).is_err());
    }

    #[test]
    fn an_operator_gives_a_reason() {
        assert!(moderation_reason("  ").is_err());
        assert_eq!(moderation_reason(" spam ").as_deref(), Ok("spam"));
        let error = moderation_reason(&"r".repeat(501)).unwrap_err();
        assert_eq!((error.field, error.code), ("reason", "invalid_reason"));
    }

    #[test]
    fn operators_are_a_list_of_ids() {
        let id = UserId::new();
        let operators = Operators::parse(&format!(" {id} , ,")).unwrap();
        assert!(operators.includes(&id));
        assert!(!operators.includes(&UserId::new()));
        assert_eq!(Operators::parse("").unwrap().len(), 0);
        assert_eq!(
            Operators::parse(&format!("{id},ann")),
            Err("ann".to_owned())
        );
    }
}
