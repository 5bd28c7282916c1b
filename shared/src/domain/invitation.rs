//! Inviting a friend by email: a single-use token in a link, valid for 14
//! days, that only signs up the address it was sent to; and the signed
//! one-click opt-out an invited address uses to receive no more.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::account::Email;
use super::one_time_code::hex;

/// How long an invitation's link signs up its address.
pub const INVITATION_DAYS: i64 = 14;
/// How long an invitation's line is kept on the inviter's list after its
/// link ran out (shown `expired`), before the table's TTL removes it.
pub const KEPT_AFTER_EXPIRY_SECONDS: i64 = 30 * 24 * 3600;

/// The secret of an invitation link. Only its hash is stored, so the
/// table never holds a working link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationToken(String);

impl InvitationToken {
    /// A new random token (256 bits).
    pub fn issue() -> Self {
        let mut secret = [0u8; 32];
        rand::rng().fill_bytes(&mut secret);
        Self(URL_SAFE_NO_PAD.encode(secret))
    }

    /// A token as a link carries it; `None` if it cannot be one of ours.
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        (raw.len() == 43 && URL_SAFE_NO_PAD.decode(raw).is_ok_and(|b| b.len() == 32))
            .then(|| Self(raw.to_owned()))
    }

    /// The text in the link.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What the table keys it by.
    pub fn hash(&self) -> String {
        hex(&Sha256::digest(self.0.as_bytes()))
    }
}

/// Signed opt-out tokens for invited addresses (RFC 8058 one-click): the
/// address, signed, so that a link works without an account and cannot be
/// made for another address. They do not expire.
pub struct OptOutTokens<'a> {
    key: &'a [u8],
}

impl<'a> OptOutTokens<'a> {
    /// Tokens signed with `key`.
    pub fn new(key: &'a [u8]) -> Self {
        Self { key }
    }

    /// The token that opts `email` out of invitations.
    pub fn issue(&self, email: &Email) -> String {
        super::signed::sign(self.key, PURPOSE, email.as_str())
    }

    /// The address a token names, if we signed it.
    pub fn verify(&self, token: &str) -> Option<Email> {
        super::signed::verify(self.key, PURPOSE, token).map(Email::from_stored)
    }
}

/// What keeps an opt-out token from passing for an unsubscribe token.
const PURPOSE: &[u8] = b"invitation-opt-out\0";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_parse_back_and_are_stored_hashed() {
        let token = InvitationToken::issue();
        assert_ne!(token, InvitationToken::issue());
        assert_eq!(InvitationToken::parse(token.as_str()), Some(token.clone()));
        assert_eq!(token.hash().len(), 64);
        assert!(!token.hash().contains(token.as_str()));
        assert_eq!(InvitationToken::parse("short"), None);
        assert_eq!(InvitationToken::parse(&"!".repeat(43)), None);
    }

    #[test]
    fn opt_out_tokens_name_one_address_and_cannot_be_forged() {
        let tokens = OptOutTokens::new(b"a key of some length, for tests");
        let email = Email::parse("Friend@Example.com").unwrap();
        let token = tokens.issue(&email);
        assert_eq!(tokens.verify(&token), Some(email));
        let other = OptOutTokens::new(b"another key");
        assert_eq!(other.verify(&token), None);
        let mut forged = URL_SAFE_NO_PAD.decode(&token).unwrap();
        forged[0] ^= 1;
        assert_eq!(tokens.verify(&URL_SAFE_NO_PAD.encode(forged)), None);
        assert_eq!(tokens.verify("!!"), None);
    }
}
