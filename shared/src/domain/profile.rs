//! What a person says about themselves: a display name and a bio, both
//! optional. The display name is shown wherever the username is, always
//! with the `@username` beside it; the bio only to connections.

use super::ValidationError;
use super::social::{has_bidi_control, written_text};

/// Display name length bound (characters, after trimming).
pub const DISPLAY_NAME_MAX_LEN: usize = 50;
/// Bio length bound (characters, after trimming).
pub const BIO_MAX_LEN: usize = 300;

/// A display name: 1–50 characters of any script after trimming, on one
/// line (no control characters at all), no text-direction controls, so it
/// cannot make the username beside it read as something else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    /// Validates `raw`.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let name = raw.trim();
        let invalid =
            |message: String| ValidationError::new("display_name", "invalid_display_name", message);
        let len = name.chars().count();
        if len == 0 || len > DISPLAY_NAME_MAX_LEN {
            return Err(invalid(format!(
                "Field `display_name`: 1 to {DISPLAY_NAME_MAX_LEN} characters (send null to remove it)."
            )));
        }
        if name.chars().any(char::is_control) {
            return Err(invalid(
                "Field `display_name`: one line, without control characters.".into(),
            ));
        }
        if has_bidi_control(name) {
            return Err(invalid(
                "Field `display_name`: remove the text-direction controls (U+202A–U+202E, U+2066–U+2069)."
                    .into(),
            ));
        }
        Ok(Self(name.to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A name read back from our own table, where only parsed ones are written.
    pub fn from_stored(raw: String) -> Self {
        Self(raw)
    }
}

/// A bio: up to 300 characters, the text rules of posts; empty is none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bio(String);

impl Bio {
    /// Validates `raw`; `None` for an empty bio.
    pub fn parse(raw: &str) -> Result<Option<Self>, ValidationError> {
        if raw.trim().is_empty() {
            return Ok(None);
        }
        written_text(raw, BIO_MAX_LEN, "a bio")
            .map(|text| Some(Self(text)))
            .map_err(|error| ValidationError {
                field: "bio",
                code: "invalid_bio",
                message: error.message.replace("`content`", "`bio`"),
            })
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A bio read back from our own table.
    pub fn from_stored(raw: String) -> Self {
        Self(raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_are_one_line_of_any_script() {
        assert_eq!(
            DisplayName::parse("  Ann Smith ").unwrap().as_str(),
            "Ann Smith"
        );
        assert!(DisplayName::parse("عائشة").is_ok());
        assert!(DisplayName::parse("李小龍").is_ok());
        assert!(DisplayName::parse(&"é".repeat(50)).is_ok());
        assert!(DisplayName::parse(&"é".repeat(51)).is_err());
        assert!(DisplayName::parse("  ").is_err());
        assert!(DisplayName::parse("Ann\nSmith").is_err());
        assert!(DisplayName::parse("Ann\u{202E}htims").is_err());
    }

    #[test]
    fn bios_follow_the_text_rules_of_posts() {
        assert_eq!(Bio::parse("  ").unwrap(), None);
        assert!(Bio::parse("Gardener.\nBaker.").unwrap().is_some());
        assert!(Bio::parse(&"é".repeat(300)).unwrap().is_some());
        let too_long = Bio::parse(&"é".repeat(301)).unwrap_err();
        assert_eq!((too_long.field, too_long.code), ("bio", "invalid_bio"));
        assert!(too_long.message.contains("`bio`"));
        assert!(Bio::parse("bell\u{7}").is_err());
    }
}
