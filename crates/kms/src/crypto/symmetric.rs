//! `SYMMETRIC_DEFAULT`: AES-256-GCM with a fresh random 96-bit nonce per message, and the
//! canonical encoding of an encryption context used as its AAD. The ciphertext blob layout
//! (version, key id, material id, ...) belongs to the caller, not to this module.

use std::collections::BTreeMap;

use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM};

use super::{random_array, CryptoError};

/// AES-256 key length in bytes.
pub const AES_KEY_LEN: usize = 32;
/// AES-GCM nonce length in bytes.
pub const GCM_NONCE_LEN: usize = 12;
/// AES-GCM tag length in bytes (appended to the ciphertext).
pub const GCM_TAG_LEN: usize = 16;

fn gcm_key(key: &[u8]) -> Result<LessSafeKey, CryptoError> {
    if key.len() != AES_KEY_LEN {
        return Err(CryptoError::InvalidKey(format!(
            "an AES-256 key has {AES_KEY_LEN} bytes, not {}",
            key.len()
        )));
    }
    let unbound = UnboundKey::new(&AES_256_GCM, key)
        .map_err(|_| CryptoError::InvalidKey("AES-256 key rejected".into()))?;
    Ok(LessSafeKey::new(unbound))
}

/// Encrypts `plaintext` under the 32-byte `key`, authenticating `aad`. Returns the random
/// nonce and the ciphertext with the 16-byte tag appended.
pub fn aes_gcm_encrypt(
    key: &[u8],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<([u8; GCM_NONCE_LEN], Vec<u8>), CryptoError> {
    let key = gcm_key(key)?;
    let nonce: [u8; GCM_NONCE_LEN] = random_array()?;
    let mut in_out = Vec::with_capacity(plaintext.len() + GCM_TAG_LEN);
    in_out.extend_from_slice(plaintext);
    key.seal_in_place_append_tag(
        Nonce::assume_unique_for_key(nonce),
        Aad::from(aad),
        &mut in_out,
    )
    .map_err(|_| CryptoError::Internal("AES-GCM encryption failed".into()))?;
    Ok((nonce, in_out))
}

/// Decrypts what [`aes_gcm_encrypt`] produced. Any tampering, a wrong key, nonce or `aad`
/// gives [`CryptoError::InvalidCiphertext`].
pub fn aes_gcm_decrypt(
    key: &[u8],
    nonce: &[u8; GCM_NONCE_LEN],
    aad: &[u8],
    ciphertext_with_tag: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let key = gcm_key(key)?;
    if ciphertext_with_tag.len() < GCM_TAG_LEN {
        return Err(CryptoError::InvalidCiphertext);
    }
    let mut in_out = ciphertext_with_tag.to_vec();
    let plain_len = key
        .open_in_place(
            Nonce::assume_unique_for_key(*nonce),
            Aad::from(aad),
            &mut in_out,
        )
        .map_err(|_| CryptoError::InvalidCiphertext)?
        .len();
    in_out.truncate(plain_len);
    Ok(in_out)
}

/// The canonical encoding of an encryption context, for use as AAD: the pairs in key order
/// (a `BTreeMap` is sorted by byte-wise key comparison), each key and then its value written
/// as a 4-byte big-endian length followed by the UTF-8 bytes. The empty context encodes to
/// nothing, so "no context" and "empty context" are the same context, as in AWS.
/// Never change this encoding: stored ciphertexts depend on it.
pub fn context_aad(ctx: &BTreeMap<String, String>) -> Vec<u8> {
    let size: usize = ctx.iter().map(|(k, v)| 8 + k.len() + v.len()).sum();
    let mut out = Vec::with_capacity(size);
    for (k, v) in ctx {
        for s in [k, v] {
            // A string longer than 4 GiB cannot arrive in a request (bodies are far smaller).
            let len = u32::try_from(s.len()).unwrap_or(u32::MAX);
            out.extend_from_slice(&len.to_be_bytes());
            out.extend_from_slice(s.as_bytes());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::ctx;

    #[test]
    fn round_trip_and_fresh_nonces() {
        let key = [7u8; 32];
        let aad = context_aad(&ctx(&[("aws:s3:arn", "arn:aws:s3:::b/k")]));
        for len in [0usize, 1, 15, 16, 4096, 70_000] {
            let plain: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            let (n1, c1) = aes_gcm_encrypt(&key, &aad, &plain).unwrap();
            let (n2, c2) = aes_gcm_encrypt(&key, &aad, &plain).unwrap();
            assert_ne!(n1, n2);
            assert_eq!(c1.len(), len + GCM_TAG_LEN);
            assert_eq!(aes_gcm_decrypt(&key, &n1, &aad, &c1).unwrap(), plain);
            assert_eq!(aes_gcm_decrypt(&key, &n2, &aad, &c2).unwrap(), plain);
        }
    }

    #[test]
    fn tampering_wrong_key_nonce_or_aad_is_invalid_ciphertext() {
        let key = [1u8; 32];
        let (nonce, ct) = aes_gcm_encrypt(&key, b"aad", b"secret data").unwrap();
        for i in 0..ct.len() {
            let mut bad = ct.clone();
            bad[i] ^= 0x01;
            assert_eq!(
                aes_gcm_decrypt(&key, &nonce, b"aad", &bad),
                Err(CryptoError::InvalidCiphertext)
            );
        }
        let bad =
            |r: Result<Vec<u8>, CryptoError>| assert_eq!(r, Err(CryptoError::InvalidCiphertext));
        bad(aes_gcm_decrypt(&key, &nonce, b"aae", &ct));
        bad(aes_gcm_decrypt(&key, &nonce, b"", &ct));
        bad(aes_gcm_decrypt(&[2u8; 32], &nonce, b"aad", &ct));
        let mut other_nonce = nonce;
        other_nonce[0] ^= 0x80;
        bad(aes_gcm_decrypt(&key, &other_nonce, b"aad", &ct));
        bad(aes_gcm_decrypt(&key, &nonce, b"aad", &ct[..ct.len() - 1]));
        bad(aes_gcm_decrypt(&key, &nonce, b"aad", &ct[..5]));
        bad(aes_gcm_decrypt(&key, &nonce, b"aad", &[]));
    }

    #[test]
    fn wrong_key_length_is_invalid_key() {
        assert!(matches!(
            aes_gcm_encrypt(&[0u8; 16], b"", b"x"),
            Err(CryptoError::InvalidKey(_))
        ));
        assert!(matches!(
            aes_gcm_decrypt(&[0u8; 31], &[0u8; 12], b"", &[0u8; 32]),
            Err(CryptoError::InvalidKey(_))
        ));
    }

    #[test]
    fn context_encoding_is_sorted_length_prefixed_and_unambiguous() {
        assert!(context_aad(&BTreeMap::new()).is_empty());
        let enc = context_aad(&ctx(&[("b", "2"), ("a", "1")]));
        assert_eq!(
            enc,
            b"\0\0\0\x01a\0\0\0\x011\0\0\0\x01b\0\0\0\x012".to_vec()
        );
        // Pairs that a plain concatenation would confuse encode differently.
        assert_ne!(
            context_aad(&ctx(&[("ab", "c")])),
            context_aad(&ctx(&[("a", "bc")]))
        );
        assert_ne!(
            context_aad(&ctx(&[("a", ""), ("b", "")])),
            context_aad(&ctx(&[("a", "\0\0\0\x01b")]))
        );
        // Case matters; insertion order does not.
        assert_ne!(
            context_aad(&ctx(&[("K", "v")])),
            context_aad(&ctx(&[("k", "v")]))
        );
        assert_eq!(
            context_aad(&ctx(&[("x", "1"), ("y", "2")])),
            context_aad(&ctx(&[("y", "2"), ("x", "1")]))
        );
    }

    #[test]
    fn context_mismatch_fails_decryption() {
        let key = [9u8; 32];
        let a = context_aad(&ctx(&[("purpose", "test")]));
        let b = context_aad(&ctx(&[("purpose", "Test")]));
        let (nonce, ct) = aes_gcm_encrypt(&key, &a, b"p").unwrap();
        assert_eq!(
            aes_gcm_decrypt(&key, &nonce, &b, &ct),
            Err(CryptoError::InvalidCiphertext)
        );
        assert_eq!(aes_gcm_decrypt(&key, &nonce, &a, &ct).unwrap(), b"p");
    }
}
