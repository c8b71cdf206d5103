//! The cryptographic primitives of SigV4, all delegated to aws-lc-rs: SHA-256, the HMAC key
//! derivation chain, the final HMAC signature and constant-time signature comparison.
//!
//! Nothing here knows about requests or strings to sign; callers pass bytes.

use aws_lc_rs::{constant_time, digest, hmac};

use crate::Scope;

/// Hex SHA-256 of the empty string: the payload hash of a request without a body, and the
/// fixed line in every chunk string to sign.
pub const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// A derived SigV4 signing key: `HMAC("AWS4"+secret, date) -> region -> service ->
/// "aws4_request"`. Valid for one credential scope; `Debug` never prints the bytes.
#[derive(Clone)]
pub struct SigningKey([u8; 32]);

impl SigningKey {
    /// Wraps raw key bytes (for tests and for callers that cache derived keys).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The raw key bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
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
    SigningKey(hmac_sha256(&k_service, b"aws4_request"))
}

/// Signs a string to sign: lowercase hex of `HMAC-SHA256(signing_key, string_to_sign)`.
pub fn sign(signing_key: &SigningKey, string_to_sign: &str) -> String {
    hex::encode(hmac_sha256(&signing_key.0, string_to_sign.as_bytes()))
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
    fn debug_hides_key() {
        let k = SigningKey::from_bytes([7; 32]);
        assert_eq!(format!("{k:?}"), "SigningKey(..)");
    }
}
