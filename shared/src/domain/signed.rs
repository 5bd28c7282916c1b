//! Signed tokens for links in emails: a short text and a truncated
//! HMAC-SHA256 of it, URL-safe. A link then works without signing in and
//! cannot be made for anyone else; these do not expire (an old email's
//! link must still work).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

const MAC_LEN: usize = 16;

fn mac(key: &[u8], purpose: &[u8], body: &str) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
    mac.update(purpose);
    mac.update(body.as_bytes());
    mac.finalize().into_bytes()[..MAC_LEN].to_vec()
}

/// `body`, signed with `key` for `purpose` (a prefix that keeps one kind
/// of token from passing for another).
pub(crate) fn sign(key: &[u8], purpose: &[u8], body: &str) -> String {
    let mut bytes = body.as_bytes().to_vec();
    bytes.extend(mac(key, purpose, body));
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The body of `token`, if `key` signed it for `purpose`.
pub(crate) fn verify(key: &[u8], purpose: &[u8], token: &str) -> Option<String> {
    let bytes = URL_SAFE_NO_PAD.decode(token).ok()?;
    if bytes.len() <= MAC_LEN {
        return None;
    }
    let (body, signature) = bytes.split_at(bytes.len() - MAC_LEN);
    let body = std::str::from_utf8(body).ok()?;
    use subtle::ConstantTimeEq;
    bool::from(mac(key, purpose, body).ct_eq(signature)).then(|| body.to_owned())
}
