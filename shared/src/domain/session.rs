//! Sessions: long-lived refresh tokens, rotated on every use.
//!
//! A refresh token names its session *family* (one sign-in on one device) and
//! carries a random secret. The store keeps only hashes: of the current
//! secret and of the one it replaced. Presenting the current token rotates
//! it. Presenting the previous one means a token that was really issued is
//! being used twice — stolen, or a race we cannot tell apart from theft — so
//! the whole family is revoked. Any other secret was never issued for this
//! family (someone who knows the ids made it up) and is simply refused: it
//! must not let a stranger end someone's session.

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

/// What to do with a presented refresh token, given the family's stored hashes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rotation {
    /// It is the current token: issue the next one.
    Rotate,
    /// It is the token the current one replaced: a replay — revoke the family.
    RevokeFamily,
    /// No such family (signed out, expired, revoked), or a secret never
    /// issued for it: just refuse.
    Refuse,
}

/// The hashes a session family keeps.
#[derive(Debug, Clone, Copy)]
pub struct StoredSecrets<'a> {
    /// Of the current secret.
    pub current: &'a str,
    /// Of the secret the current one replaced, once the family has rotated.
    pub previous: Option<&'a str>,
}

/// Decides a refresh attempt.
pub fn decide_rotation(token: &RefreshToken, stored: Option<StoredSecrets<'_>>) -> Rotation {
    use subtle::ConstantTimeEq;
    let presented = token.secret_hash();
    let is = |hash: &str| bool::from(hash.as_bytes().ct_eq(presented.as_bytes()));
    match stored {
        None => Rotation::Refuse,
        Some(secrets) if is(secrets.current) => Rotation::Rotate,
        Some(StoredSecrets {
            previous: Some(previous),
            ..
        }) if is(previous) => Rotation::RevokeFamily,
        Some(_) => Rotation::Refuse,
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
    fn current_token_rotates_previous_revokes_made_up_and_missing_refuse() {
        let (user, family) = (UserId::new(), FamilyId::new());
        let older = RefreshToken::issue(&user, &family);
        let previous = RefreshToken::issue(&user, &family);
        let current = RefreshToken::issue(&user, &family);
        let made_up = RefreshToken::issue(&user, &family);
        let (current_hash, previous_hash) = (current.secret_hash(), previous.secret_hash());
        let stored = Some(StoredSecrets {
            current: &current_hash,
            previous: Some(&previous_hash),
        });
        assert_eq!(decide_rotation(&current, stored), Rotation::Rotate);
        assert_eq!(decide_rotation(&previous, stored), Rotation::RevokeFamily);
        assert_eq!(decide_rotation(&made_up, stored), Rotation::Refuse);
        assert_eq!(decide_rotation(&older, stored), Rotation::Refuse);
        assert_eq!(decide_rotation(&current, None), Rotation::Refuse);
        let never_rotated = Some(StoredSecrets {
            current: &current_hash,
            previous: None,
        });
        assert_eq!(decide_rotation(&made_up, never_rotated), Rotation::Refuse);
    }
}
