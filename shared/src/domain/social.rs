//! The social rules: tags, posts and their audiences, who sees what, pages.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::ValidationError;

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
/// Default and largest page size.
pub const DEFAULT_PAGE: usize = 20;
/// See [`DEFAULT_PAGE`].
pub const MAX_PAGE: usize = 50;

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
    let content = raw.trim();
    let len = content.chars().count();
    if len == 0 {
        return Err(ValidationError::new(
            "content",
            "invalid_content",
            "Field `content`: write something first.",
        ));
    }
    if len > POST_MAX_LEN {
        return Err(ValidationError::new(
            "content",
            "invalid_content",
            format!(
                "Field `content`: a post has at most {POST_MAX_LEN} characters; this one has {len}."
            ),
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
    Ok(content.to_owned())
}

/// Checks a post's tag list against its audience: 1–10 distinct ids for
/// `tags`, none otherwise. Returns them sorted and de-duplicated.
pub fn post_tags(audience: Audience, tag_ids: &[String]) -> Result<Vec<String>, ValidationError> {
    let mut ids: Vec<String> = tag_ids.to_vec();
    ids.sort();
    ids.dedup();
    match audience {
        Audience::Tags if ids.is_empty() || ids.len() > POST_MAX_TAGS => Err(ValidationError::new(
            "tag_ids",
            "invalid_tag_ids",
            format!("Field `tag_ids`: a post for tags names 1 to {POST_MAX_TAGS} of your tags."),
        )),
        Audience::Tags => Ok(ids),
        _ if !ids.is_empty() => Err(ValidationError::new(
            "tag_ids",
            "invalid_tag_ids",
            "Field `tag_ids`: only a post whose audience is `tags` names tags.",
        )),
        _ => Ok(ids),
    }
}

/// The rule, evaluated against the current state: may `viewer` see a post by
/// `author` with this audience and these tags? `edge_tags` is `Some(the
/// author's tags on the viewer)` when they are connected now, `None` if not.
pub fn can_see(
    viewer: &str,
    author: &str,
    audience: Audience,
    post_tags: &[String],
    edge_tags: Option<&[String]>,
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

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_visibility_matrix() {
        let family = ids(&["family"]);
        let work = ids(&["work"]);
        for audience in [Audience::Connections, Audience::Tags, Audience::Private] {
            // The author always sees their own posts.
            assert!(can_see("a", "a", audience, &family, None));
            // A stranger never does.
            assert!(!can_see("s", "a", audience, &family, None));
        }
        // A connection: all `connections` posts, `tags` posts only when tagged now.
        assert!(can_see("c", "a", Audience::Connections, &[], Some(&[])));
        assert!(can_see("c", "a", Audience::Tags, &family, Some(&family)));
        assert!(!can_see("c", "a", Audience::Tags, &family, Some(&work)));
        assert!(!can_see("c", "a", Audience::Tags, &family, Some(&[])));
        assert!(!can_see("c", "a", Audience::Private, &[], Some(&family)));
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
    }

    #[test]
    fn tags_must_fit_the_audience() {
        assert_eq!(
            post_tags(Audience::Tags, &ids(&["b", "a", "b"])).unwrap(),
            ids(&["a", "b"])
        );
        assert!(post_tags(Audience::Tags, &[]).is_err());
        assert!(
            post_tags(
                Audience::Tags,
                &ids(&["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"])
            )
            .is_err()
        );
        assert!(post_tags(Audience::Connections, &ids(&["a"])).is_err());
        assert!(post_tags(Audience::Private, &[]).is_ok());
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
