//! The cryptographic primitives of SigV4, all delegated to aws-lc-rs: SHA-256, the HMAC key
//! derivation chain, the final HMAC signature and constant-time signature comparison.
//!
//! Nothing here knows about requests or strings to sign; callers pass bytes.

use aws_lc_rs::{constant_time, digest, hmac};
use std::collections::HashMap;
use std::sync::Arc;

use crate::Scope;

/// Hex SHA-256 of the empty string: the payload hash of a request without a body, and the
/// fixed line in every chunk string to sign.
pub const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// A derived SigV4 signing key: `HMAC("AWS4"+secret, date) -> region -> service ->
/// "aws4_request"`. Valid for one credential scope; `Debug` never prints the bytes. Holds the
/// HMAC key ready to sign with: setting one up costs as much as the signature itself.
#[derive(Clone)]
pub struct SigningKey {
    bytes: [u8; 32],
    mac: Arc<hmac::Key>,
}

impl SigningKey {
    /// Wraps raw key bytes (for tests and for callers that cache derived keys).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self {
            bytes,
            mac: Arc::new(hmac::Key::new(hmac::HMAC_SHA256, &bytes)),
        }
    }

    /// The raw key bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.bytes
    }
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey(..)")
    }
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    let key = hmac::Key::new(hmac::HMAC_SHA256, key);
    let tag = hmac::sign(&key, data);
    let mut out = [0u8; 32];
    for (o, b) in out.iter_mut().zip(tag.as_ref()) {
        *o = *b;
    }
    out
}

/// Derives the signing key for `scope` from a secret access key.
pub fn derive_signing_key(secret_key: &str, scope: &Scope) -> SigningKey {
    let mut first = Vec::with_capacity(4 + secret_key.len());
    first.extend_from_slice(b"AWS4");
    first.extend_from_slice(secret_key.as_bytes());
    let k_date = hmac_sha256(&first, scope.date.as_bytes());
    let k_region = hmac_sha256(&k_date, scope.region.as_bytes());
    let k_service = hmac_sha256(&k_region, scope.service.as_bytes());
    SigningKey::from_bytes(hmac_sha256(&k_service, b"aws4_request"))
}

/// Most derived keys [`cached_signing_key`] keeps; past it the cache starts over. A client
/// uses one key a day per region and service, so a few dozen cover any local set-up.
const CACHED_KEYS: usize = 256;

/// [`derive_signing_key`], remembered per secret and scope: the four HMACs of the derivation
/// were a seventh of a small request's work on the server, and every request of a day signs
/// with the same key.
pub fn cached_signing_key(secret_key: &str, scope: &Scope) -> SigningKey {
    type Id = (String, String, String, String);
    static CACHE: std::sync::Mutex<Option<HashMap<Id, SigningKey>>> = std::sync::Mutex::new(None);
    let id = (
        scope.date.clone(),
        scope.region.clone(),
        scope.service.clone(),
        secret_key.to_string(),
    );
    let mut cache = CACHE.lock().unwrap_or_else(|p| p.into_inner());
    let map = cache.get_or_insert_with(HashMap::new);
    if let Some(k) = map.get(&id) {
        return k.clone();
    }
    let key = derive_signing_key(secret_key, scope);
    if map.len() >= CACHED_KEYS {
        map.clear();
    }
    map.insert(id, key.clone());
    key
}

/// Signs a string to sign: lowercase hex of `HMAC-SHA256(signing_key, string_to_sign)`.
pub fn sign(signing_key: &SigningKey, string_to_sign: &str) -> String {
    hex::encode(hmac::sign(&signing_key.mac, string_to_sign.as_bytes()))
}

/// Lowercase hex SHA-256 of `data`.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(digest::digest(&digest::SHA256, data))
}

/// Compares a computed signature with the one provided, in time independent of where they
/// differ (lengths may leak, contents do not).
pub(crate) fn signatures_equal(computed: &str, provided: &str) -> bool {
    constant_time::verify_slices_are_equal(computed.as_bytes(), provided.as_bytes()).is_ok()
}

/// Whether `s` is 64 lowercase or uppercase hex digits (a SHA-256 in hex).
pub(crate) fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_hash_constant_is_right() {
        assert_eq!(sha256_hex(b""), EMPTY_SHA256);
    }

    #[test]
    fn comparison() {
        assert!(signatures_equal("abc", "abc"));
        assert!(!signatures_equal("abc", "abd"));
        assert!(!signatures_equal("abc", "ab"));
    }

    #[test]
    fn cached_keys_are_the_derived_ones_per_secret_and_scope() {
        let scope = |date: &str| Scope {
            date: date.into(),
            region: "us-east-1".into(),
            service: "s3".into(),
        };
        for (secret, date) in [("a", "20261128"), ("b", "20261128"), ("a", "20261129")] {
            for _ in 0..2 {
                let cached = cached_signing_key(secret, &scope(date));
                let derived = derive_signing_key(secret, &scope(date));
                assert_eq!(cached.as_bytes(), derived.as_bytes());
                assert_eq!(sign(&cached, "x"), sign(&derived, "x"));
            }
        }
    }

    #[test]
    fn debug_hides_key() {
        let k = SigningKey::from_bytes([7; 32]);
        assert_eq!(format!("{k:?}"), "SigningKey(..)");
    }
}
