//! Random tokens, their hashes, and sealing a token for idempotent replay.
//!
//! Owns how secrets are made (256 random bits from the OS), shown (base64url, no padding) and
//! stored (hex SHA-256). Nothing else in the app hashes or compares secrets.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A new secret of 256 random bits, as shown to its holder.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Hex SHA-256 of `domain` and `value`. The domain keeps hashes of different kinds of secret
/// from ever being interchangeable.
pub fn hash(domain: &str, value: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(domain.as_bytes());
    hasher.update([0]);
    hasher.update(value);
    hex(&hasher.finalize())
}

/// Hash of a session cookie or tracking token for lookup. These tokens carry 256 random bits,
/// so a fast hash is enough: there is nothing to brute-force.
pub fn token_hash(kind: &str, token: &str) -> String {
    hash(kind, token.as_bytes())
}

/// The signature of a webhook: `sha256=` and the hex HMAC-SHA256, under the partner's key, of
/// the timestamp (unix seconds), a dot, and the body — so a receiver can refuse a replayed old
/// delivery as well as a forged one.
pub fn webhook_signature(key: &str, timestamp: i64, body: &str) -> String {
    use hmac::Mac;
    let mut mac = hmac::Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    format!("sha256={}", hex(&mac.finalize().into_bytes()))
}

/// Seal `token` with a one-time pad derived from the idempotency key. The database keeps only
/// the sealed form and the key's hash, so it can answer a replay with the original token without
/// ever holding the token itself.
pub fn seal_with_key(token: &str, idempotency_key: &str) -> String {
    let pad = Sha256::digest([b"opsroom-idempotency-pad\0".as_slice(), idempotency_key.as_bytes()].concat());
    let bytes = URL_SAFE_NO_PAD.decode(token).expect("tokens are base64url");
    hex(&xor(&bytes, &pad))
}

/// Undo [`seal_with_key`]. `None` if `sealed` is not a sealed token.
pub fn unseal_with_key(sealed: &str, idempotency_key: &str) -> Option<String> {
    let pad = Sha256::digest([b"opsroom-idempotency-pad\0".as_slice(), idempotency_key.as_bytes()].concat());
    let bytes = unhex(sealed)?;
    (bytes.len() == pad.len()).then(|| URL_SAFE_NO_PAD.encode(xor(&bytes, &pad)))
}

fn xor(a: &[u8], b: &[u8]) -> Vec<u8> {
    a.iter().zip(b).map(|(x, y)| x ^ y).collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_have_256_bits_and_differ() {
        let a = new_token();
        assert_eq!(URL_SAFE_NO_PAD.decode(&a).unwrap().len(), 32);
        assert_ne!(a, new_token());
    }

    #[test]
    fn sealing_round_trips_only_with_the_right_key() {
        let token = new_token();
        let sealed = seal_with_key(&token, "key-1");
        assert!(!sealed.contains(&token));
        assert_eq!(unseal_with_key(&sealed, "key-1").as_deref(), Some(token.as_str()));
        assert_ne!(unseal_with_key(&sealed, "key-2").as_deref(), Some(token.as_str()));
        assert_eq!(unseal_with_key("zz", "key-1"), None);
    }

    #[test]
    fn hashes_are_domain_separated() {
        assert_ne!(token_hash("session", "x"), token_hash("tracking", "x"));
        assert_eq!(token_hash("a", "x"), token_hash("a", "x"));
        assert_ne!(token_hash("a", "x"), token_hash("a", "y"));
    }
}
