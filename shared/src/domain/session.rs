//! Sessions: long-lived refresh tokens, rotated on every use.
//!
//! A refresh token names its session *family* (one sign-in on one device) and
//! carries a random secret. The store keeps only a hash of the current
//! secret. Presenting the current token rotates it; presenting any other token
//! of a live family means an old token was replayed — stolen, or a race we
//! cannot tell apart from theft — so the whole family is revoked.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::ids::{FamilyId, UserId};
use super::one_time_code::hex;

/// A refresh token as parsed from the cookie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshToken {
    /// The account.
    pub user_id: UserId,
    /// The session family (one sign-in).
    pub family_id: FamilyId,
    secret: String,
}

const VERSION: &str = "v1";

impl RefreshToken {
    /// A new token for a new or rotated family.
    pub fn issue(user_id: &UserId, family_id: &FamilyId) -> Self {
        let mut secret = [0u8; 32];
        rand::rng().fill_bytes(&mut secret);
        Self {
            user_id: user_id.clone(),
            family_id: family_id.clone(),
            secret: URL_SAFE_NO_PAD.encode(secret),
        }
    }

    /// Parses the cookie value; anything malformed is simply not a token.
    pub fn parse(raw: &str) -> Option<Self> {
        let mut parts = raw.split('.');
        let (version, user_id, family_id, secret) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        let well_formed = version == VERSION
            && parts.next().is_none()
            && secret.len() == 43
            && URL_SAFE_NO_PAD.decode(secret).is_ok();
        if !well_formed {
            return None;
        }
        Some(Self {
            user_id: UserId::parse(user_id)?,
            family_id: FamilyId::parse(family_id)?,
            secret: secret.to_owned(),
        })
    }

    /// The cookie value.
    pub fn encode(&self) -> String {
        format!(
            "{VERSION}.{}.{}.{}",
            self.user_id, self.family_id, self.secret
        )
    }

    /// What the store keeps: SHA-256 of the secret. A plain hash is enough
    /// because the secret has 256 bits of entropy.
    pub fn secret_hash(&self) -> String {
        hex(&Sha256::digest(self.secret.as_bytes()))
    }
}

/// What to do with a presented refresh token, given the family's stored hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rotation {
    /// It is the current token: issue the next one.
    Rotate,
    /// It belongs to a live family but is not current: replay — revoke the family.
    RevokeFamily,
    /// No such family (signed out, expired, revoked): just refuse.
    Refuse,
}

/// Decides a refresh attempt.
pub fn decide_rotation(token: &RefreshToken, stored_hash: Option<&str>) -> Rotation {
    use subtle::ConstantTimeEq;
    match stored_hash {
        None => Rotation::Refuse,
        Some(hash) if bool::from(hash.as_bytes().ct_eq(token.secret_hash().as_bytes())) => {
            Rotation::Rotate
        }
        Some(_) => Rotation::RevokeFamily,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_through_the_cookie() {
        let token = RefreshToken::issue(&UserId::new(), &FamilyId::new());
        assert_eq!(RefreshToken::parse(&token.encode()), Some(token));
    }

    #[test]
    fn malformed_tokens_are_not_tokens() {
        let good = RefreshToken::issue(&UserId::new(), &FamilyId::new()).encode();
        assert!(RefreshToken::parse("").is_none());
        assert!(RefreshToken::parse("v1.a.b.c").is_none());
        assert!(RefreshToken::parse(&good.replacen("v1", "v2", 1)).is_none());
        assert!(RefreshToken::parse(&format!("{good}.extra")).is_none());
        assert!(RefreshToken::parse(&good[..good.len() - 1]).is_none());
    }

    #[test]
    fn each_issue_has_a_fresh_secret() {
        let (user, family) = (UserId::new(), FamilyId::new());
        let a = RefreshToken::issue(&user, &family);
        let b = RefreshToken::issue(&user, &family);
        assert_ne!(a.secret_hash(), b.secret_hash());
    }

    #[test]
    fn current_token_rotates_old_token_revokes_missing_family_refuses() {
        let (user, family) = (UserId::new(), FamilyId::new());
        let old = RefreshToken::issue(&user, &family);
        let current = RefreshToken::issue(&user, &family);
        let stored = current.secret_hash();
        assert_eq!(decide_rotation(&current, Some(&stored)), Rotation::Rotate);
        assert_eq!(decide_rotation(&old, Some(&stored)), Rotation::RevokeFamily);
        assert_eq!(decide_rotation(&current, None), Rotation::Refuse);
    }
}
