//! Accounts: the rules for emails, usernames and passwords.

use super::ValidationError;

/// Longest email address we accept (RFC 5321 path limit).
pub const EMAIL_MAX_LEN: usize = 254;
/// Username length bounds, in characters.
pub const USERNAME_MIN_LEN: usize = 3;
/// See [`USERNAME_MIN_LEN`].
pub const USERNAME_MAX_LEN: usize = 30;
/// Password length bounds, in characters.
pub const PASSWORD_MIN_LEN: usize = 10;
/// See [`PASSWORD_MIN_LEN`].
pub const PASSWORD_MAX_LEN: usize = 128;
/// zxcvbn's score (0–4) a password needs: 3 is "safely unguessable".
const PASSWORD_MIN_SCORE: u8 = 3;

/// A syntactically valid, normalised (trimmed, lower-cased) email address.
///
/// Lower-casing the local part is not what RFC 5321 says, but it is what
/// people expect: `Ann@Example.com` and `ann@example.com` are one account.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    /// Validates and normalises `raw`.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let normalised = raw.trim().to_lowercase();
        if normalised.is_empty() {
            return Err(ValidationError::new(
                "email",
                "invalid_email",
                "Enter your email address.",
            ));
        }
        if normalised.chars().count() > EMAIL_MAX_LEN {
            return Err(ValidationError::new(
                "email",
                "invalid_email",
                format!("An email address has at most {EMAIL_MAX_LEN} characters."),
            ));
        }
        // `email_address` implements RFC 5322 syntax; we additionally insist on a
        // dotted domain because codes can only be delivered to real mailboxes.
        let valid = email_address::EmailAddress::parse_with_options(
            &normalised,
            email_address::Options::default()
                .without_display_text()
                .without_domain_literal(),
        )
        .map(|address| address.domain().contains('.'))
        .unwrap_or(false);
        if !valid {
            return Err(ValidationError::new(
                "email",
                "invalid_email",
                "That does not look like an email address; check it for typos (like name@example.com).",
            ));
        }
        Ok(Self(normalised))
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// One read back from our own table, where only parsed ones are written.
    pub fn from_stored(raw: String) -> Self {
        Self(raw)
    }

    /// The owned string (for a response body).
    pub fn into_string(self) -> String {
        self.0
    }
}

impl AsRef<str> for Email {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// A valid username: 3–30 of `[a-z0-9_]`, stored lower-case.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Username(String);

impl Username {
    /// Validates `raw`, accepting upper-case letters and lower-casing them.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let normalised = raw.trim().to_lowercase();
        let len = normalised.chars().count();
        if !(USERNAME_MIN_LEN..=USERNAME_MAX_LEN).contains(&len) {
            return Err(ValidationError::new(
                "username",
                "invalid_username",
                format!(
                    "A username has {USERNAME_MIN_LEN} to {USERNAME_MAX_LEN} characters; this one has {len}."
                ),
            ));
        }
        if !normalised
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            return Err(ValidationError::new(
                "username",
                "invalid_username",
                "A username may only use letters a–z, digits and underscores.",
            ));
        }
        Ok(Self(normalised))
    }

    /// The stored, lower-case form.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// One read back from our own table, where only parsed ones are written.
    pub fn from_stored(raw: String) -> Self {
        Self(raw)
    }

    /// The owned string (for a response body).
    pub fn into_string(self) -> String {
        self.0
    }
}

impl AsRef<str> for Username {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Username {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A password that passed the length and strength rules. Never logged, never
/// serialised: it exists only between the request and the hasher.
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

impl Password {
    /// Checks length, then strength with zxcvbn, penalising passwords built
    /// from the person's own email or username (`context`).
    pub fn parse(
        field: &'static str,
        raw: &str,
        context: &[&str],
    ) -> Result<Self, ValidationError> {
        let len = raw.chars().count();
        if !(PASSWORD_MIN_LEN..=PASSWORD_MAX_LEN).contains(&len) {
            return Err(ValidationError::new(
                field,
                "invalid_password",
                format!(
                    "A password has {PASSWORD_MIN_LEN} to {PASSWORD_MAX_LEN} characters; this one has {len}."
                ),
            ));
        }
        let estimate = zxcvbn::zxcvbn(raw, context);
        if u8::from(estimate.score()) < PASSWORD_MIN_SCORE {
            let hint = estimate
                .feedback()
                .and_then(|feedback| feedback.warning().map(|w| w.to_string()))
                .unwrap_or_else(|| "It would be easy to guess.".to_owned());
            return Err(ValidationError::new(
                field,
                "weak_password",
                format!(
                    "This password is too weak. {hint} Try a few unrelated words or a longer phrase."
                ),
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    /// The password itself, for hashing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// What someone typed to sign in: a username or an email address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Login {
    /// Looks like an email (has an `@`).
    Email(Email),
    /// Anything else is taken as a username.
    Username(Username),
}

impl Login {
    /// Parses the sign-in identifier. Invalid input is not an error here: it
    /// simply cannot match an account, and saying so would only help guessing.
    pub fn parse(raw: &str) -> Option<Self> {
        if raw.contains('@') {
            Email::parse(raw).ok().map(Login::Email)
        } else {
            Username::parse(raw).ok().map(Login::Username)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lower_cased() {
        assert_eq!(
            Email::parse("  Ann@Example.COM ").unwrap().as_str(),
            "ann@example.com"
        );
    }

    #[test]
    fn bad_emails_are_rejected_with_the_field_named() {
        for raw in [
            "",
            "no-at-sign",
            "a@b",
            "two@@example.com",
            "Name <a@example.com>",
        ] {
            let error = Email::parse(raw).unwrap_err();
            assert_eq!(error.field, "email", "{raw}");
            assert_eq!(error.code, "invalid_email", "{raw}");
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert_eq!(Email::parse(&long).unwrap_err().code, "invalid_email");
    }

    #[test]
    fn usernames_follow_the_rules() {
        assert_eq!(Username::parse("Ann_99").unwrap().as_str(), "ann_99");
        assert!(Username::parse("ab").is_err());
        assert!(Username::parse(&"a".repeat(31)).is_err());
        assert!(Username::parse(&"a".repeat(30)).is_ok());
        assert!(Username::parse("ann-99").is_err());
        assert!(Username::parse("änn").is_err());
    }

    #[test]
    fn passwords_need_length_and_strength() {
        assert_eq!(
            Password::parse("password", "short", &[]).unwrap_err().code,
            "invalid_password"
        );
        assert_eq!(
            Password::parse("password", &"x".repeat(129), &[])
                .unwrap_err()
                .code,
            "invalid_password"
        );
        assert_eq!(
            Password::parse("password", "password123", &[])
                .unwrap_err()
                .code,
            "weak_password"
        );
        assert!(Password::parse("password", "quiet-harbour-lantern-71", &[]).is_ok());
    }

    #[test]
    fn passwords_made_of_the_username_are_weak() {
        let username = "marguerite_villeneuve";
        assert_eq!(
            Password::parse("password", "marguerite_villeneuve1", &[username])
                .unwrap_err()
                .code,
            "weak_password"
        );
    }

    #[test]
    fn password_debug_never_shows_the_secret() {
        let password = Password::parse("password", "quiet-harbour-lantern-71", &[]).unwrap();
        assert!(!format!("{password:?}").contains("harbour"));
    }

    #[test]
    fn login_tells_email_from_username() {
        assert!(matches!(
            Login::parse("Ann@Example.com"),
            Some(Login::Email(_))
        ));
        assert!(matches!(Login::parse("ANN"), Some(Login::Username(u)) if u.as_str() == "ann"));
        assert_eq!(Login::parse("x"), None);
    }
}
