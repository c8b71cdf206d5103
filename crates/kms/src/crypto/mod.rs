//! The pure cryptography of KMS, on aws-lc-rs alone (no hand-rolled primitives): key
//! generation for every key spec, AES-256-GCM with encryption-context AAD, RSAES-OAEP,
//! RSASSA-PSS / PKCS#1 v1.5 and ECDSA signatures (raw message or digest), HMAC, ECDH, data key
//! pairs and imported key material.
//!
//! Owns: the key spec and algorithm name tables, [`KeyMaterial`] and [`CryptoError`].
//! Must not touch: storage, sealing at rest (the root key belongs to the store), key state,
//! policies, the ciphertext blob format or the wire; every function here is a pure function of
//! its arguments and the system random source. Secret material lives in [`KeyMaterial`], which
//! is zeroized on drop and never printed.

mod algorithm;
mod ecc;
mod error;
mod hmac;
mod import;
mod rsa;
mod sign;
mod spec;
mod symmetric;

#[cfg(test)]
mod crosscheck;

pub(crate) use algorithm::named_enum;
pub use algorithm::{
    DataKeySpec, EncryptionAlgorithm, KeyAgreementAlgorithm, MacAlgorithm, MessageType,
    SigningAlgorithm, WireName, WrappingAlgorithm,
};
pub use ecc::derive_shared_secret;
pub use error::CryptoError;
pub use hmac::{mac, verify_mac};
pub use import::{generate_wrapping_key, unwrap_imported, validate_imported, wrap_for_import};
pub use rsa::{rsa_decrypt, rsa_encrypt, rsa_encrypt_public, rsa_max_plaintext};
pub use sign::{sign, verify};
pub use spec::{KeySpec, KeyUsage};
pub use symmetric::{
    aes_gcm_decrypt, aes_gcm_encrypt, context_aad, AES_KEY_LEN, GCM_NONCE_LEN, GCM_TAG_LEN,
};

use std::fmt;
use zeroize::Zeroizing;

/// Secret key material, zeroized on drop and redacted in `Debug`: 32 raw bytes for
/// `SYMMETRIC_DEFAULT`, the raw key for HMAC specs (28/32/48/64 bytes when generated), and a
/// PKCS#8 DER private key for RSA and ECC specs (also for data key pairs and wrapping keys).
#[derive(Clone, Default)]
pub struct KeyMaterial(Zeroizing<Vec<u8>>);

impl KeyMaterial {
    /// Takes ownership of `bytes` (for example material unsealed from storage).
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        KeyMaterial(Zeroizing::new(bytes))
    }

    /// The material's bytes (to seal for storage, or to return as a data key's plaintext).
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True if there are no bytes.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(crate) fn as_mut_bytes(&mut self) -> &mut [u8] {
        &mut self.0
    }

    pub(crate) fn truncate(&mut self, len: usize) {
        self.0.truncate(len);
    }
}

impl fmt::Debug for KeyMaterial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyMaterial(<{} bytes redacted>)", self.len())
    }
}

/// `n` bytes from the system's cryptographically secure random source (GenerateRandom,
/// GenerateDataKey's plaintext, nonces).
pub fn random_bytes(n: usize) -> Result<Vec<u8>, CryptoError> {
    let mut out = vec![0u8; n];
    aws_lc_rs::rand::fill(&mut out)
        .map_err(|_| CryptoError::Internal("the random source failed".into()))?;
    Ok(out)
}

/// A random fixed-size array (nonces).
pub(crate) fn random_array<const N: usize>() -> Result<[u8; N], CryptoError> {
    let mut out = [0u8; N];
    aws_lc_rs::rand::fill(&mut out)
        .map_err(|_| CryptoError::Internal("the random source failed".into()))?;
    Ok(out)
}

/// Generates fresh key material for `spec` (CreateKey, rotation): random bytes for
/// `SYMMETRIC_DEFAULT` and HMAC ([`KeySpec::raw_key_len`]), a PKCS#8 private key for RSA/ECC.
pub fn generate(spec: KeySpec) -> Result<KeyMaterial, CryptoError> {
    if let Some(len) = spec.raw_key_len() {
        return random_bytes(len).map(KeyMaterial::from_bytes);
    }
    if spec.is_rsa() {
        rsa::generate(spec)
    } else {
        ecc::generate(spec)
    }
}

/// GetPublicKey: the X.509 SubjectPublicKeyInfo DER of an RSA or ECC key's private
/// `material`. [`CryptoError::InvalidKeyUsage`] for symmetric and HMAC specs.
pub fn public_key_der(spec: KeySpec, material: &KeyMaterial) -> Result<Vec<u8>, CryptoError> {
    if spec.is_rsa() {
        rsa::public_key_der(spec, material)
    } else if spec.is_ecc() {
        ecc::public_key_der(spec, material)
    } else {
        Err(CryptoError::usage(spec, "a public key"))
    }
}

/// GenerateDataKeyPair: a fresh key pair of `spec` (a `DataKeyPairSpec`: an RSA or ECC spec,
/// secp256k1 included), as (PKCS#8 DER private key, SubjectPublicKeyInfo DER public key).
pub fn generate_data_key_pair(spec: KeySpec) -> Result<(KeyMaterial, Vec<u8>), CryptoError> {
    if !spec.is_asymmetric() {
        return Err(CryptoError::usage(spec, "a data key pair"));
    }
    let private = generate(spec)?;
    let public = public_key_der(spec, &private)?;
    Ok((private, public))
}

/// A key of `spec` generated once per test run and shared by the tests (RSA-4096 generation
/// is slow); tests that need two distinct keys call [`generate`] for the second.
#[cfg(test)]
pub(crate) fn test_key(spec: KeySpec) -> KeyMaterial {
    use std::sync::OnceLock;
    static KEYS: [OnceLock<KeyMaterial>; 12] = [const { OnceLock::new() }; 12];
    let i = KeySpec::ALL.iter().position(|s| *s == spec).unwrap_or(0);
    KEYS[i].get_or_init(|| generate(spec).unwrap()).clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_material_has_the_expected_shape() {
        for &spec in KeySpec::ALL {
            let key = test_key(spec);
            match spec.raw_key_len() {
                Some(len) => assert_eq!(key.len(), len, "{spec}"),
                // PKCS#8 PrivateKeyInfo is a DER SEQUENCE.
                None => assert_eq!(key.as_bytes()[0], 0x30, "{spec}"),
            }
            assert_eq!(
                public_key_der(spec, &key).is_ok(),
                spec.is_asymmetric(),
                "{spec}"
            );
        }
        assert_ne!(
            generate(KeySpec::SymmetricDefault).unwrap().as_bytes(),
            [0u8; 32]
        );
    }

    #[test]
    fn data_key_pairs_for_every_asymmetric_spec() {
        for &spec in KeySpec::ALL {
            match generate_data_key_pair(spec) {
                Ok((private, public)) => {
                    assert!(spec.is_asymmetric());
                    assert_eq!(public_key_der(spec, &private).unwrap(), public);
                }
                Err(e) => {
                    assert!(!spec.is_asymmetric());
                    assert!(matches!(e, CryptoError::InvalidKeyUsage(_)));
                }
            }
        }
    }

    #[test]
    fn random_bytes_have_the_asked_length_and_differ() {
        assert!(random_bytes(0).unwrap().is_empty());
        assert_eq!(random_bytes(1024).unwrap().len(), 1024);
        assert_ne!(random_bytes(32).unwrap(), random_bytes(32).unwrap());
    }

    #[test]
    fn key_material_is_redacted_in_debug() {
        let key = KeyMaterial::from_bytes(vec![0x42; 4]);
        assert_eq!(format!("{key:?}"), "KeyMaterial(<4 bytes redacted>)");
        assert!(KeyMaterial::default().is_empty());
    }

    #[test]
    fn garbage_material_never_panics() {
        let inputs: [&[u8]; 5] = [b"", b"\x30", b"\x30\x82\xff\xff", &[0u8; 64], &[0xff; 600]];
        for &spec in KeySpec::ALL {
            for input in inputs {
                let key = KeyMaterial::from_bytes(input.to_vec());
                let _ = public_key_der(spec, &key);
                for &alg in spec.signing_algorithms() {
                    let _ = sign(spec, &key, alg, MessageType::Raw, b"m");
                    let _ = verify(spec, &key, alg, MessageType::Raw, b"m", input);
                }
                for &alg in EncryptionAlgorithm::ALL {
                    let _ = rsa_encrypt(spec, &key, alg, b"m");
                    let _ = rsa_decrypt(spec, &key, alg, input);
                }
                for &alg in MacAlgorithm::ALL {
                    let _ = mac(spec, &key, alg, input);
                }
                let _ = derive_shared_secret(spec, &key, input);
                let _ = validate_imported(spec, &key);
                for &alg in WrappingAlgorithm::ALL {
                    let _ = unwrap_imported(&key, spec, alg, input);
                    let _ = wrap_for_import(input, spec, alg, input);
                }
            }
        }
    }
}
