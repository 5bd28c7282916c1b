//! One-time codes: six digits sent by email to prove someone owns an address.
//!
//! Codes are stored only as a keyed hash, live ten minutes, are single use and
//! die after five wrong tries. Sending a new code replaces the old one.

use hmac::{Hmac, Mac};
use rand::Rng;
use sha2::Sha256;

use super::{Timestamp, account::Email};

/// How long a code stays valid.
pub const CODE_TTL_SECONDS: i64 = 10 * 60;
/// Wrong tries after which a code is dead.
pub const MAX_WRONG_ATTEMPTS: u32 = 5;
/// Digits in a code.
pub const CODE_DIGITS: usize = 6;

/// What a code proves ownership of the address *for*. A sign-up code cannot
/// reset a password and vice versa.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodePurpose {
    /// Creating an account.
    Register,
    /// Choosing a new password.
    PasswordReset,
    /// Moving a signed-in account to a new address (the code goes there, and
    /// is bound to the account that asked).
    EmailChange,
    /// Deleting one's account without the password (the code goes to the
    /// account's address, bound to the account).
    AccountDeletion,
}

impl CodePurpose {
    /// Stable name used in storage keys and hashes.
    pub fn as_str(self) -> &'static str {
        match self {
            CodePurpose::Register => "register",
            CodePurpose::PasswordReset => "reset",
            CodePurpose::EmailChange => "email",
            CodePurpose::AccountDeletion => "deletion",
        }
    }
}

/// A freshly drawn code, in clear: it exists only long enough to be hashed
/// and emailed.
pub struct OneTimeCode(String);

impl OneTimeCode {
    /// Draws six digits from the thread-local CSPRNG.
    pub fn generate() -> Self {
        let n: u32 = rand::rng().random_range(0..1_000_000);
        Self(format!("{n:06}"))
    }

    /// The digits, for the email.
    pub fn digits(&self) -> &str {
        &self.0
    }
}

/// Checks the shape of a code someone typed: exactly six ASCII digits.
pub fn is_well_formed(code: &str) -> bool {
    code.len() == CODE_DIGITS && code.bytes().all(|b| b.is_ascii_digit())
}

/// HMAC-SHA256 of (purpose, email, code) under the server's code key, hex.
///
/// Binding purpose and email into the hash means a stored hash is useless for
/// any other address or flow, and without the key six digits cannot be
/// brute-forced offline from a table export.
pub fn hash_code(key: &[u8], purpose: CodePurpose, email: &Email, code: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(purpose.as_str().as_bytes());
    mac.update(b"\0");
    mac.update(email.as_str().as_bytes());
    mac.update(b"\0");
    mac.update(code.as_bytes());
    hex(&mac.finalize().into_bytes())
}

/// A stored code as the store hands it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCode {
    /// [`hash_code`] of the code that was sent.
    pub code_hash: String,
    /// When it stops being accepted.
    pub expires_at: Timestamp,
    /// Wrong tries so far.
    pub wrong_attempts: u32,
}

/// The verdict on a presented code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeCheck {
    /// Matches, in time, with tries left.
    Valid,
    /// Does not match; the caller must record the wrong attempt.
    Wrong,
    /// Past its ten minutes, or no code was ever sent.
    ExpiredOrMissing,
    /// Five wrong tries already: dead even if this one is right.
    Exhausted,
}

/// Decides whether `presented_hash` unlocks `stored` at `now`.
pub fn check_code(stored: Option<&StoredCode>, presented_hash: &str, now: Timestamp) -> CodeCheck {
    let Some(stored) = stored else {
        return CodeCheck::ExpiredOrMissing;
    };
    if now >= stored.expires_at {
        return CodeCheck::ExpiredOrMissing;
    }
    if stored.wrong_attempts >= MAX_WRONG_ATTEMPTS {
        return CodeCheck::Exhausted;
    }
    // Constant-time comparison: the hash must not leak through timing.
    use subtle::ConstantTimeEq;
    if bool::from(stored.code_hash.as_bytes().ct_eq(presented_hash.as_bytes())) {
        CodeCheck::Valid
    } else {
        CodeCheck::Wrong
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email() -> Email {
        Email::parse("ann@example.com").unwrap()
    }

    fn stored(code: &str, expires_at: i64, wrong_attempts: u32) -> StoredCode {
        StoredCode {
            code_hash: hash_code(b"key", CodePurpose::Register, &email(), code),
            expires_at: Timestamp(expires_at),
            wrong_attempts,
        }
    }

    #[test]
    fn codes_are_six_digits() {
        for _ in 0..200 {
            let code = OneTimeCode::generate();
            assert!(is_well_formed(code.digits()), "{}", code.digits());
        }
        assert!(!is_well_formed("12345"));
        assert!(!is_well_formed("12345a"));
        assert!(!is_well_formed("１２３４５６"));
    }

    #[test]
    fn hashes_bind_key_purpose_email_and_code() {
        let base = hash_code(b"key", CodePurpose::Register, &email(), "123456");
        assert_eq!(base.len(), 64);
        assert_ne!(
            base,
            hash_code(b"other", CodePurpose::Register, &email(), "123456")
        );
        assert_ne!(
            base,
            hash_code(b"key", CodePurpose::PasswordReset, &email(), "123456")
        );
        let other = Email::parse("bob@example.com").unwrap();
        assert_ne!(
            base,
            hash_code(b"key", CodePurpose::Register, &other, "123456")
        );
        assert_ne!(
            base,
            hash_code(b"key", CodePurpose::Register, &email(), "123457")
        );
    }

    #[test]
    fn a_right_code_in_time_is_valid() {
        let presented = hash_code(b"key", CodePurpose::Register, &email(), "123456");
        let code = stored("123456", 1_000, 0);
        assert_eq!(
            check_code(Some(&code), &presented, Timestamp(999)),
            CodeCheck::Valid
        );
    }

    #[test]
    fn codes_expire_after_their_ten_minutes() {
        let presented = hash_code(b"key", CodePurpose::Register, &email(), "123456");
        let code = stored("123456", 1_000, 0);
        assert_eq!(
            check_code(Some(&code), &presented, Timestamp(1_000)),
            CodeCheck::ExpiredOrMissing
        );
        assert_eq!(
            check_code(None, &presented, Timestamp(0)),
            CodeCheck::ExpiredOrMissing
        );
    }

    #[test]
    fn wrong_codes_count_and_five_kill_the_code() {
        let wrong = hash_code(b"key", CodePurpose::Register, &email(), "000000");
        let right = hash_code(b"key", CodePurpose::Register, &email(), "123456");
        assert_eq!(
            check_code(Some(&stored("123456", 1_000, 4)), &wrong, Timestamp(0)),
            CodeCheck::Wrong
        );
        assert_eq!(
            check_code(Some(&stored("123456", 1_000, 4)), &right, Timestamp(0)),
            CodeCheck::Valid
        );
        assert_eq!(
            check_code(
                Some(&stored("123456", 1_000, MAX_WRONG_ATTEMPTS)),
                &right,
                Timestamp(0)
            ),
            CodeCheck::Exhausted
        );
    }
}
