//! The social rules: tags, posts and their audiences, who sees what, pages.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::ValidationError;
use super::ids::{TagId, UserId};

/// Most tags one person may have.
pub const MAX_TAGS: usize = 50;
/// Tag name length bounds (characters, after trimming).
pub const TAG_NAME_MAX_LEN: usize = 24;
/// Post length bound (characters, after trimming).
pub const POST_MAX_LEN: usize = 5_000;
/// How many tags a `tags` post may name.
pub const POST_MAX_TAGS: usize = 10;
/// Most pending outgoing connection requests.
pub const MAX_PENDING_REQUESTS: u32 = 100;
/// Most pending incoming connection requests: past it a sender is told the
/// person's requests are full, and listing them stays one small Query.
pub const MAX_INCOMING_REQUESTS: u32 = 100;

/// Most people one person may block: far more than a calm network needs,
/// and what keeps the list (and the export's first part) bounded.
pub const MAX_BLOCKS: u32 = 1_000;
/// Default and largest page size.
pub const DEFAULT_PAGE: usize = 20;
/// See [`DEFAULT_PAGE`].
pub const MAX_PAGE: usize = 50;

/// Whether `text` holds a bidirectional override or isolate (U+202A–U+202E,
/// U+2066–U+2069): with one, a name or a post can display as something it is
/// not (text that reads backwards, a tag that looks like another).
pub fn has_bidi_control(text: &str) -> bool {
    text.chars()
        .any(|c| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
}

/// A tag's name: 1–24 characters after trimming, compared case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagName(String);

impl TagName {
    /// Validates `raw`.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let name = raw.trim();
        let len = name.chars().count();
        if len == 0 || len > TAG_NAME_MAX_LEN {
            return Err(ValidationError::new(
                "name",
                "invalid_tag_name",
                format!("Field `name`: a tag name has 1 to {TAG_NAME_MAX_LEN} characters."),
            ));
        }
        if name.chars().any(char::is_control) {
            return Err(ValidationError::new(
                "name",
                "invalid_tag_name",
                "Field `name`: a tag name cannot contain control characters.",
            ));
        }
        if has_bidi_control(name) {
            return Err(ValidationError::new(
                "name",
                "invalid_tag_name",
                "Field `name`: remove the text-direction controls (U+202A–U+202E, U+2066–U+2069).",
            ));
        }
        Ok(Self(name.to_owned()))
    }

    /// As the person wrote it (trimmed).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form uniqueness is checked on.
    pub fn folded(&self) -> String {
        self.0.to_lowercase()
    }

    /// A name read back from our own table, where only parsed ones are
    /// written.
    pub fn from_stored(raw: String) -> Self {
        Self(raw)
    }
}

/// The fixed palette of tag colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TagColor {
    /// Family.
    Family,
    /// Friends.
    Friends,
    /// Inner circle.
    Inner,
    /// Work.
    Work,
    /// Custom.
    Custom,
    /// Generic.
    Generic,
}

impl TagColor {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            TagColor::Family => "family",
            TagColor::Friends => "friends",
            TagColor::Inner => "inner",
            TagColor::Work => "work",
            TagColor::Custom => "custom",
            TagColor::Generic => "generic",
        }
    }

    /// Parses a stored or requested colour.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        Ok(match raw {
            "family" => TagColor::Family,
            "friends" => TagColor::Friends,
            "inner" => TagColor::Inner,
            "work" => TagColor::Work,
            "custom" => TagColor::Custom,
            "generic" => TagColor::Generic,
            _ => {
                return Err(ValidationError::new(
                    "color",
                    "invalid_color",
                    "Field `color`: choose one of family, friends, inner, work, custom, generic.",
                ));
            }
        })
    }
}

/// Who a post is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// Every current connection.
    Connections,
    /// Connections the author has tagged, now, with one of the post's tags.
    Tags,
    /// The author alone.
    Private,
}

impl Audience {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Connections => "connections",
            Audience::Tags => "tags",
            Audience::Private => "private",
        }
    }

    /// Parses a stored name.
    pub fn from_stored(raw: &str) -> Option<Self> {
        match raw {
            "connections" => Some(Audience::Connections),
            "tags" => Some(Audience::Tags),
            "private" => Some(Audience::Private),
            _ => None,
        }
    }
}

/// Post text: 1–5,000 characters after trimming; newline and tab are the
/// only control characters allowed.
pub fn post_content(raw: &str) -> Result<String, ValidationError> {
    written_text(raw, POST_MAX_LEN, "a post")
}

/// The text rules of everything people write for others to read (posts,
/// comments): at most `max` characters after trimming, not empty, no control
/// characters but line breaks and tabs, no text-direction controls.
pub(crate) fn written_text(raw: &str, max: usize, what: &str) -> Result<String, ValidationError> {
    let content = raw.trim();
    let len = content.chars().count();
    if len == 0 {
        return Err(ValidationError::new(
            "content",
            "invalid_content",
            "Field `content`: write something first.",
        ));
    }
    if len > max {
        return Err(ValidationError::new(
            "content",
            "invalid_content",
            format!("Field `content`: {what} has at most {max} characters; this one has {len}."),
        ));
    }
    if content
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(ValidationError::new(
            "content",
            "invalid_content",
            "Field `content`: remove the control characters (only line breaks and tabs are allowed).",
        ));
    }
    if has_bidi_control(content) {
        return Err(ValidationError::new(
            "content",
            "invalid_content",
            "Field `content`: remove the text-direction controls (U+202A–U+202E, U+2066–U+2069).",
        ));
    }
    Ok(content.to_owned())
}

/// Tag ids as a request names them (a post's audience, a connection's tags,
/// the feed's filter): every list is read the same way, sorted and without
/// repeats, so two spellings of one set are one set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestedTags<'a>(Vec<&'a str>);

/// A requested tag is not one of the caller's: a malformed id, someone
/// else's tag and a deleted one are all answered alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("one of these tags does not exist")]
pub struct UnknownTag;

impl<'a> RequestedTags<'a> {
    /// The distinct ids of `raw`, sorted.
    pub fn new(raw: impl IntoIterator<Item = &'a str>) -> Self {
        let mut ids: Vec<&str> = raw.into_iter().collect();
        ids.sort_unstable();
        ids.dedup();
        Self(ids)
    }

    /// How many distinct ids.
    pub fn count(&self) -> usize {
        self.0.len()
    }

    /// Refuses more than `most` (field `tag_ids`).
    pub fn at_most(self, most: usize) -> Result<Self, ValidationError> {
        if self.count() > most {
            return Err(ValidationError::new(
                "tag_ids",
                "invalid_tag_ids",
                format!("Field `tag_ids`: at most {most} tags."),
            ));
        }
        Ok(self)
    }

    /// The ids, parsed: one that is not even shaped like an id is nobody's.
    pub fn ids(self) -> Result<Vec<TagId>, UnknownTag> {
        self.0
            .into_iter()
            .map(|id| TagId::parse(id).ok_or(UnknownTag))
            .collect()
    }
}

/// Checks a post's tag list against its audience: 1–10 distinct ids for
/// `tags`, none otherwise.
pub fn post_tags(
    audience: Audience,
    tag_ids: RequestedTags<'_>,
) -> Result<RequestedTags<'_>, ValidationError> {
    let count = tag_ids.count();
    match audience {
        Audience::Tags if count == 0 || count > POST_MAX_TAGS => Err(ValidationError::new(
            "tag_ids",
            "invalid_tag_ids",
            format!("Field `tag_ids`: a post for tags names 1 to {POST_MAX_TAGS} of your tags."),
        )),
        Audience::Tags => Ok(tag_ids),
        _ if count > 0 => Err(ValidationError::new(
            "tag_ids",
            "invalid_tag_ids",
            "Field `tag_ids`: only a post whose audience is `tags` names tags.",
        )),
        _ => Ok(tag_ids),
    }
}

/// The rule, evaluated against the current state: may `viewer` see a post by
/// `author` with this audience and these tags? `edge_tags` is `Some(the
/// author's tags on the viewer)` when they are connected now, `None` if not.
pub fn can_see(
    viewer: &UserId,
    author: &UserId,
    audience: Audience,
    post_tags: &[TagId],
    edge_tags: Option<&[TagId]>,
) -> bool {
    if viewer == author {
        return true;
    }
    match (audience, edge_tags) {
        (_, None) | (Audience::Private, _) => false,
        (Audience::Connections, Some(_)) => true,
        (Audience::Tags, Some(tags)) => post_tags.iter().any(|t| tags.contains(t)),
    }
}

/// A page size from `?limit=`: 1–50, default 20.
pub fn page_size(limit: Option<usize>) -> Result<usize, ValidationError> {
    match limit {
        None => Ok(DEFAULT_PAGE),
        Some(n) if (1..=MAX_PAGE).contains(&n) => Ok(n),
        Some(_) => Err(ValidationError::new(
            "limit",
            "invalid_limit",
            format!("Parameter `limit`: choose 1 to {MAX_PAGE}."),
        )),
    }
}

/// One page of a list: its size (`?limit=`), where it starts (`?cursor=`),
/// and the cursor of the page after it.
pub struct Pager<'a> {
    cursors: Cursors<'a>,
    caller: &'a UserId,
    list: String,
    /// How many items the page holds at most.
    pub limit: usize,
    /// The position to continue before, from the cursor; `None` on page one.
    pub start: Option<String>,
}

impl<'a> Pager<'a> {
    /// The page `limit` and `cursor` ask for, of `list` as `caller` reads it.
    /// A cursor is only valid for the caller and the list it came from.
    pub fn open(
        key: &'a [u8],
        caller: &'a UserId,
        list: String,
        limit: Option<usize>,
        cursor: Option<&str>,
    ) -> Result<Self, ValidationError> {
        let limit = page_size(limit)?;
        let cursors = Cursors::new(key);
        let start = cursor
            .map(|c| cursors.decode(caller.as_str(), &list, c))
            .transpose()?;
        Ok(Self {
            cursors,
            caller,
            list,
            limit,
            start,
        })
    }

    /// The cursor of the next page, which starts before `position`; `None`
    /// at the end of the list.
    pub fn next_cursor(&self, position: Option<&str>) -> Option<String> {
        position.map(|p| self.cursors.encode(self.caller.as_str(), &self.list, p))
    }
}

/// Opaque pagination cursors, signed and bound to the caller and the list
/// they came from, so they can be neither forged nor reused by someone else.
pub struct Cursors<'a> {
    key: &'a [u8],
}

impl<'a> Cursors<'a> {
    /// Cursors signed with `key`.
    pub fn new(key: &'a [u8]) -> Self {
        Self { key }
    }

    fn mac(&self, caller: &str, list: &str, position: &str) -> Vec<u8> {
        let mut mac = Hmac::<Sha256>::new_from_slice(self.key).expect("any key length");
        for part in [caller, list, position] {
            mac.update(part.as_bytes());
            mac.update(b"\0");
        }
        mac.finalize().into_bytes()[..16].to_vec()
    }

    /// The cursor continuing `list` for `caller` after `position`.
    pub fn encode(&self, caller: &str, list: &str, position: &str) -> String {
        let mut bytes = position.as_bytes().to_vec();
        bytes.extend(self.mac(caller, list, position));
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// The position a cursor names, if it was made for this caller and list.
    pub fn decode(
        &self,
        caller: &str,
        list: &str,
        cursor: &str,
    ) -> Result<String, ValidationError> {
        let invalid = || {
            ValidationError::new(
                "cursor",
                "invalid_cursor",
                "Parameter `cursor`: this cursor is not valid here; start again from the first page.",
            )
        };
        let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
        if bytes.len() <= 16 {
            return Err(invalid());
        }
        let (position, mac) = bytes.split_at(bytes.len() - 16);
        let position = std::str::from_utf8(position).map_err(|_| invalid())?;
        use subtle::ConstantTimeEq;
        if bool::from(self.mac(caller, list, position).ct_eq(mac)) {
            Ok(position.to_owned())
        } else {
            Err(invalid())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(list: &[&str]) -> Vec<TagId> {
        list.iter()
            .map(|s| TagId::from_stored(s.to_string()))
            .collect()
    }

    fn person(name: &str) -> UserId {
        UserId::from_stored(name.to_owned())
    }

    #[test]
    fn the_visibility_matrix() {
        let (a, c, s) = (person("a"), person("c"), person("s"));
        let family = tags(&["family"]);
        let work = tags(&["work"]);
        for audience in [Audience::Connections, Audience::Tags, Audience::Private] {
            // The author always sees their own posts.
            assert!(can_see(&a, &a, audience, &family, None));
            // A stranger never does.
            assert!(!can_see(&s, &a, audience, &family, None));
        }
        // A connection: all `connections` posts, `tags` posts only when tagged now.
        assert!(can_see(&c, &a, Audience::Connections, &[], Some(&[])));
        assert!(can_see(&c, &a, Audience::Tags, &family, Some(&family)));
        assert!(!can_see(&c, &a, Audience::Tags, &family, Some(&work)));
        assert!(!can_see(&c, &a, Audience::Tags, &family, Some(&[])));
        assert!(!can_see(&c, &a, Audience::Private, &[], Some(&family)));
    }

    #[test]
    fn content_rules() {
        assert_eq!(
            post_content("  hello\n\tworld  ").unwrap(),
            "hello\n\tworld"
        );
        assert!(post_content("   ").is_err());
        assert!(post_content(&"é".repeat(5_000)).is_ok());
        assert!(post_content(&"é".repeat(5_001)).is_err());
        assert!(post_content("bell\u{7}").is_err());
        for control in ['\u{202A}', '\u{202E}', '\u{2066}', '\u{2069}'] {
            assert!(post_content(&format!("abc{control}def")).is_err());
            assert!(TagName::parse(&format!("ab{control}")).is_err());
        }
        // Right-to-left text itself is fine; the marks U+200E/U+200F too.
        assert!(post_content("שלום \u{200F}").is_ok());
        assert!(TagName::parse("عائلة").is_ok());
    }

    #[test]
    fn tags_must_fit_the_audience() {
        let (a, b) = (TagId::new(), TagId::new());
        let requested = RequestedTags::new([b.as_str(), a.as_str(), b.as_str()]);
        let mut sorted = vec![a.clone(), b.clone()];
        sorted.sort();
        assert_eq!(
            post_tags(Audience::Tags, requested).unwrap().ids().unwrap(),
            sorted
        );
        assert!(post_tags(Audience::Tags, RequestedTags::new([])).is_err());
        let eleven: Vec<String> = (0..11).map(|_| TagId::new().into_string()).collect();
        let eleven = RequestedTags::new(eleven.iter().map(String::as_str));
        assert!(post_tags(Audience::Tags, eleven).is_err());
        assert!(post_tags(Audience::Connections, RequestedTags::new([a.as_str()])).is_err());
        assert!(post_tags(Audience::Private, RequestedTags::new([])).is_ok());
        // A malformed id is nobody's tag; a list can be capped.
        assert_eq!(RequestedTags::new(["nope"]).ids(), Err(UnknownTag));
        assert!(
            RequestedTags::new([a.as_str(), b.as_str()])
                .at_most(1)
                .is_err()
        );
    }

    #[test]
    fn tag_names_and_colours() {
        assert_eq!(TagName::parse("  Family ").unwrap().folded(), "family");
        assert!(TagName::parse("").is_err());
        assert!(TagName::parse(&"x".repeat(25)).is_err());
        assert!(TagColor::parse("work").is_ok());
        assert!(TagColor::parse("red").is_err());
    }

    #[test]
    fn cursors_are_bound_to_caller_and_list() {
        let cursors = Cursors::new(b"key");
        let cursor = cursors.encode("ann", "feed", "01HPOSITION");
        assert_eq!(
            cursors.decode("ann", "feed", &cursor).unwrap(),
            "01HPOSITION"
        );
        assert!(cursors.decode("bob", "feed", &cursor).is_err());
        assert!(cursors.decode("ann", "mine", &cursor).is_err());
        assert!(
            Cursors::new(b"other")
                .decode("ann", "feed", &cursor)
                .is_err()
        );
        assert!(cursors.decode("ann", "feed", "garbage!").is_err());
        let mut tampered = cursor.clone();
        tampered.replace_range(0..1, if cursor.starts_with('A') { "B" } else { "A" });
        assert!(cursors.decode("ann", "feed", &tampered).is_err());
    }

    #[test]
    fn page_sizes() {
        assert_eq!(page_size(None).unwrap(), 20);
        assert_eq!(page_size(Some(50)).unwrap(), 50);
        assert!(page_size(Some(0)).is_err());
        assert!(page_size(Some(51)).is_err());
    }
}
