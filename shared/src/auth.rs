//! Authentication: password hashing (argon2id) and access tokens (JWT).

use std::sync::OnceLock;
use std::time::Duration;

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use hmac::{Hmac, Mac};
use jsonwebtoken::{Algorithm as JwtAlgorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::domain::Timestamp;
use crate::domain::account::Password;
use crate::domain::ids::{FamilyId, UserId};

/// OWASP's argon2id recommendation: 19 MiB, 2 iterations, 1 lane.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password on the blocking pool (argon2 takes tens of
/// milliseconds of CPU and must not stall the async runtime).
pub async fn hash_password(password: Password) -> Result<String, AuthError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        argon2()
            .hash_password(password.expose().as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| AuthError::Hashing(e.to_string()))
    })
    .await
    .map_err(|e| AuthError::Hashing(e.to_string()))?
}

/// Checks `password` against `stored` on the blocking pool. When there is no
/// account (`stored` is `None`) it verifies against a dummy hash, so a wrong
/// username costs the same time as a wrong password.
pub async fn verify_password(stored: Option<String>, password: String) -> bool {
    tokio::task::spawn_blocking(move || {
        let exists = stored.is_some();
        let hash = stored.unwrap_or_else(|| dummy_hash().to_owned());
        let matches = PasswordHash::new(&hash)
            .map(|parsed| {
                argon2()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false);
        exists && matches
    })
    .await
    .unwrap_or(false)
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::encode_b64(b"intentional-dummy").expect("valid salt");
        argon2()
            .hash_password(b"no account has this password", &salt)
            .expect("hashing a constant succeeds")
            .to_string()
    })
}

/// Authentication failures (all but hashing become a plain 401).
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The access token is missing, malformed, expired or not ours.
    #[error("invalid access token")]
    InvalidToken,
    /// Hashing failed (out of memory, pool shut down).
    #[error("password hashing failed: {0}")]
    Hashing(String),
}

/// The claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    /// The user id.
    pub sub: String,
    /// The session family the token was issued under.
    pub sid: String,
    /// Issued at (epoch seconds).
    pub iat: i64,
    /// Expires at (epoch seconds).
    pub exp: i64,
    /// Issuer.
    pub iss: String,
}

const ISSUER: &str = "intentional-social";

/// Keys derived from the application secret.
pub struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    access_ttl: Duration,
    code_key: Vec<u8>,
    cursor_key: Vec<u8>,
    unsubscribe_key: Vec<u8>,
    hold_key: Vec<u8>,
}

/// Derives a purpose-specific key, so the JWT key and the code-hash key are
/// independent even though one secret is stored.
fn derive(secret: &[u8], purpose: &str) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(purpose.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

impl Keys {
    /// Keys from the application secret.
    pub fn new(secret: &str, access_ttl: Duration) -> Self {
        let jwt_key = derive(secret.as_bytes(), "jwt-hs256-v1");
        let mut validation = Validation::new(JwtAlgorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "sub", "iss"]);
        validation.leeway = 5;
        Self {
            encoding: EncodingKey::from_secret(&jwt_key),
            decoding: DecodingKey::from_secret(&jwt_key),
            validation,
            access_ttl,
            code_key: derive(secret.as_bytes(), "one-time-code-v1"),
            cursor_key: derive(secret.as_bytes(), "cursor-v1"),
            unsubscribe_key: derive(secret.as_bytes(), "unsubscribe-v1"),
            hold_key: derive(secret.as_bytes(), "username-hold-v1"),
        }
    }

    /// The key one-time codes are hashed with.
    pub fn code_key(&self) -> &[u8] {
        &self.code_key
    }

    /// The key pagination cursors are signed with.
    pub fn cursor_key(&self) -> &[u8] {
        &self.cursor_key
    }

    /// The name of a deleted account's username hold: a keyed hash, so the
    /// hold never stores the username itself.
    pub fn username_hold(&self, username: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.hold_key).expect("any key length");
        mac.update(username.as_bytes());
        mac.finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// The key one-click unsubscribe links are signed with.
    pub fn unsubscribe_key(&self) -> &[u8] {
        &self.unsubscribe_key
    }

    /// Seconds an access token lives.
    pub fn access_ttl_seconds(&self) -> u64 {
        self.access_ttl.as_secs()
    }

    /// Signs an access token for `user_id` in session `family_id`.
    pub fn issue_access(&self, user_id: &UserId, family_id: &FamilyId, now: Timestamp) -> String {
        let claims = Claims {
            sub: user_id.to_string(),
            sid: family_id.to_string(),
            iat: now.0,
            exp: now.0 + self.access_ttl.as_secs() as i64,
            iss: ISSUER.to_owned(),
        };
        jsonwebtoken::encode(&Header::new(JwtAlgorithm::HS256), &claims, &self.encoding)
            .expect("HS256 signing cannot fail")
    }

    /// Verifies signature, algorithm, issuer and expiry.
    pub fn verify_access(&self, token: &str) -> Result<Claims, AuthError> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|_| AuthError::InvalidToken)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> Keys {
        Keys::new(
            "a-test-secret-that-is-long-enough-123",
            Duration::from_secs(900),
        )
    }

    #[test]
    fn issued_tokens_verify_and_carry_their_claims() {
        let now = Timestamp::now();
        let (user, family) = (UserId::new(), FamilyId::new());
        let token = keys().issue_access(&user, &family, now);
        let claims = keys().verify_access(&token).unwrap();
        assert_eq!(
            (claims.sub.as_str(), claims.sid.as_str()),
            (user.as_str(), family.as_str())
        );
        assert_eq!(claims.exp - claims.iat, 900);
    }

    #[test]
    fn expired_forged_and_foreign_tokens_are_rejected() {
        let expired = keys().issue_access(
            &UserId::new(),
            &FamilyId::new(),
            Timestamp::now().plus_seconds(-1000),
        );
        assert!(keys().verify_access(&expired).is_err());
        let foreign = Keys::new(
            "another-secret-that-is-long-enough-456",
            Duration::from_secs(900),
        )
        .issue_access(&UserId::new(), &FamilyId::new(), Timestamp::now());
        assert!(keys().verify_access(&foreign).is_err());
        let token = keys().issue_access(&UserId::new(), &FamilyId::new(), Timestamp::now());
        let mut tampered = token.clone();
        tampered.pop();
        tampered.push(if token.ends_with('A') { 'B' } else { 'A' });
        assert!(keys().verify_access(&tampered).is_err());
        assert!(keys().verify_access("not.a.jwt").is_err());
        // `alg: none` must never be accepted.
        let none = format!(
            "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{}.",
            token.split('.').nth(1).unwrap()
        );
        assert!(keys().verify_access(&none).is_err());
    }

    #[test]
    fn code_and_jwt_keys_differ() {
        let keys = keys();
        let jwt = derive(b"a-test-secret-that-is-long-enough-123", "jwt-hs256-v1");
        assert_ne!(keys.code_key(), jwt.as_slice());
    }

    #[tokio::test]
    async fn passwords_hash_and_verify_and_unknown_users_never_match() {
        let password = Password::parse("password", "quiet-harbour-lantern-71", &[]).unwrap();
        let hash = hash_password(password).await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password(Some(hash.clone()), "quiet-harbour-lantern-71".into()).await);
        assert!(!verify_password(Some(hash), "quiet-harbour-lantern-72".into()).await);
        assert!(!verify_password(None, "no account has this password".into()).await);
    }
}
