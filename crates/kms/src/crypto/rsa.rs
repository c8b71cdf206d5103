//! RSA key specs (`RSA_2048/3072/4096`): key generation as PKCS#8, the SubjectPublicKeyInfo,
//! RSAES-OAEP encryption and decryption, and RSASSA-PSS / PKCS#1 v1.5 signatures over a
//! digest. Callers reach this through the dispatching functions in `mod.rs` and `sign.rs`.

use aws_lc_rs::digest::Digest;
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{
    KeyPair, KeySize, OaepAlgorithm, OaepPrivateDecryptingKey, OaepPublicEncryptingKey,
    PrivateDecryptingKey, PublicEncryptingKey, OAEP_SHA1_MGF1SHA1, OAEP_SHA256_MGF1SHA256,
};
use aws_lc_rs::signature::{self, KeyPair as _, RsaEncoding, RsaParameters, UnparsedPublicKey};

use super::{CryptoError, EncryptionAlgorithm, KeyMaterial, KeySpec, SigningAlgorithm};

fn key_size(spec: KeySpec) -> Result<KeySize, CryptoError> {
    match spec {
        KeySpec::Rsa2048 => Ok(KeySize::Rsa2048),
        KeySpec::Rsa3072 => Ok(KeySize::Rsa3072),
        KeySpec::Rsa4096 => Ok(KeySize::Rsa4096),
        other => Err(CryptoError::usage(other, "an RSA operation")),
    }
}

/// Modulus length in bytes for an RSA spec.
fn modulus_len(spec: KeySpec) -> Result<usize, CryptoError> {
    Ok(key_size(spec)?.len())
}

fn oaep(spec: KeySpec, alg: EncryptionAlgorithm) -> Result<&'static OaepAlgorithm, CryptoError> {
    key_size(spec)?;
    match alg {
        EncryptionAlgorithm::RsaesOaepSha1 => Ok(&OAEP_SHA1_MGF1SHA1),
        EncryptionAlgorithm::RsaesOaepSha256 => Ok(&OAEP_SHA256_MGF1SHA256),
        EncryptionAlgorithm::SymmetricDefault => Err(CryptoError::usage(spec, alg)),
    }
}

/// Generates an RSA private key of the spec's size, as PKCS#8 DER.
pub(super) fn generate(spec: KeySpec) -> Result<KeyMaterial, CryptoError> {
    let pair = KeyPair::generate(key_size(spec)?)
        .map_err(|_| CryptoError::Internal("RSA key generation failed".into()))?;
    let der = pair
        .as_der()
        .map_err(|_| CryptoError::Internal("RSA key encoding failed".into()))?;
    Ok(KeyMaterial::from_bytes(der.as_ref().to_vec()))
}

/// Parses the spec's private key (PKCS#8) for signing, checking its size.
fn signing_pair(spec: KeySpec, material: &KeyMaterial) -> Result<KeyPair, CryptoError> {
    let expected = modulus_len(spec)?;
    let pair = KeyPair::from_pkcs8(material.as_bytes()).map_err(|_| CryptoError::bad_key(spec))?;
    if pair.public_modulus_len() != expected {
        return Err(CryptoError::bad_key(spec));
    }
    Ok(pair)
}

/// Parses the spec's private key (PKCS#8) for decryption, checking its size.
fn decrypting_key(
    spec: KeySpec,
    material: &KeyMaterial,
) -> Result<PrivateDecryptingKey, CryptoError> {
    let expected = modulus_len(spec)?;
    let key = PrivateDecryptingKey::from_pkcs8(material.as_bytes())
        .map_err(|_| CryptoError::bad_key(spec))?;
    if key.key_size_bytes() != expected {
        return Err(CryptoError::bad_key(spec));
    }
    Ok(key)
}

/// The X.509 SubjectPublicKeyInfo DER of an RSA private key.
pub(super) fn public_key_der(
    spec: KeySpec,
    material: &KeyMaterial,
) -> Result<Vec<u8>, CryptoError> {
    let pair = signing_pair(spec, material)?;
    let der = pair
        .public_key()
        .as_der()
        .map_err(|_| CryptoError::Internal("RSA public key encoding failed".into()))?;
    Ok(der.as_ref().to_vec())
}

/// The largest plaintext RSAES-OAEP with `alg` accepts for `spec` (k − 2·hLen − 2 bytes):
/// 214/190 (2048), 342/318 (3072), 470/446 (4096) for SHA-1/SHA-256. `None` unless `spec` is
/// RSA and `alg` is OAEP.
pub fn rsa_max_plaintext(spec: KeySpec, alg: EncryptionAlgorithm) -> Option<usize> {
    let k = modulus_len(spec).ok()?;
    let h = alg.oaep_hash_len()?;
    k.checked_sub(2 * h + 2)
}

fn encrypt_with(
    spec: KeySpec,
    public: PublicEncryptingKey,
    alg: EncryptionAlgorithm,
    plaintext: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let algorithm = oaep(spec, alg)?;
    let max = rsa_max_plaintext(spec, alg).unwrap_or(0);
    if plaintext.len() > max {
        return Err(CryptoError::InvalidInput(format!(
            "plaintext of {} bytes is too long for {spec} with {alg} (at most {max} bytes)",
            plaintext.len()
        )));
    }
    if public.key_size_bytes() != modulus_len(spec)? {
        return Err(CryptoError::bad_key(spec));
    }
    let key = OaepPublicEncryptingKey::new(public)
        .map_err(|_| CryptoError::Internal("RSA-OAEP key setup failed".into()))?;
    let mut out = vec![0u8; key.ciphertext_size()];
    let len = key
        .encrypt(algorithm, plaintext, &mut out, None)
        .map_err(|_| CryptoError::Internal("RSA-OAEP encryption failed".into()))?
        .len();
    out.truncate(len);
    Ok(out)
}

/// Encrypts `plaintext` with RSAES-OAEP under the public half of the key's private `material`
/// (what KMS Encrypt does with an asymmetric `ENCRYPT_DECRYPT` key). A plaintext longer than
/// [`rsa_max_plaintext`] is [`CryptoError::InvalidInput`].
pub fn rsa_encrypt(
    spec: KeySpec,
    material: &KeyMaterial,
    alg: EncryptionAlgorithm,
    plaintext: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let public = decrypting_key(spec, material)?.public_key();
    encrypt_with(spec, public, alg, plaintext)
}

/// Encrypts `plaintext` with RSAES-OAEP under a SubjectPublicKeyInfo DER public key of `spec`'s
/// size (what a client does with GetPublicKey's answer).
pub fn rsa_encrypt_public(
    spec: KeySpec,
    public_der: &[u8],
    alg: EncryptionAlgorithm,
    plaintext: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let not_spec = || CryptoError::InvalidInput(format!("the public key is not a {spec} key"));
    let public = PublicEncryptingKey::from_der(public_der).map_err(|_| not_spec())?;
    if public.key_size_bytes() != modulus_len(spec)? {
        return Err(not_spec());
    }
    encrypt_with(spec, public, alg, plaintext)
}

/// Decrypts an RSAES-OAEP `ciphertext` with the private `material`. A ciphertext that is not
/// exactly one modulus long, or does not decrypt under `alg`, is
/// [`CryptoError::InvalidCiphertext`].
pub fn rsa_decrypt(
    spec: KeySpec,
    material: &KeyMaterial,
    alg: EncryptionAlgorithm,
    ciphertext: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let algorithm = oaep(spec, alg)?;
    let key = decrypting_key(spec, material)?;
    if ciphertext.len() != key.key_size_bytes() {
        return Err(CryptoError::InvalidCiphertext);
    }
    let key = OaepPrivateDecryptingKey::new(key)
        .map_err(|_| CryptoError::Internal("RSA-OAEP key setup failed".into()))?;
    let mut out = vec![0u8; key.min_output_size()];
    let len = key
        .decrypt(algorithm, ciphertext, &mut out, None)
        .map_err(|_| CryptoError::InvalidCiphertext)?
        .len();
    out.truncate(len);
    Ok(out)
}

/// The padding and verification parameters of an RSA signing algorithm.
fn signature_params(
    alg: SigningAlgorithm,
) -> Option<(&'static dyn RsaEncoding, &'static RsaParameters)> {
    use SigningAlgorithm as S;
    Some(match alg {
        S::RsassaPssSha256 => (
            &signature::RSA_PSS_SHA256,
            &signature::RSA_PSS_2048_8192_SHA256,
        ),
        S::RsassaPssSha384 => (
            &signature::RSA_PSS_SHA384,
            &signature::RSA_PSS_2048_8192_SHA384,
        ),
        S::RsassaPssSha512 => (
            &signature::RSA_PSS_SHA512,
            &signature::RSA_PSS_2048_8192_SHA512,
        ),
        S::RsassaPkcs1V15Sha256 => (
            &signature::RSA_PKCS1_SHA256,
            &signature::RSA_PKCS1_2048_8192_SHA256,
        ),
        S::RsassaPkcs1V15Sha384 => (
            &signature::RSA_PKCS1_SHA384,
            &signature::RSA_PKCS1_2048_8192_SHA384,
        ),
        S::RsassaPkcs1V15Sha512 => (
            &signature::RSA_PKCS1_SHA512,
            &signature::RSA_PKCS1_2048_8192_SHA512,
        ),
        S::EcdsaSha256 | S::EcdsaSha384 | S::EcdsaSha512 => return None,
    })
}

/// Signs a digest (already of `alg`'s hash) with RSASSA-PSS (salt = hash length) or PKCS#1 v1.5.
pub(super) fn sign_digest(
    spec: KeySpec,
    material: &KeyMaterial,
    alg: SigningAlgorithm,
    digest: &Digest,
) -> Result<Vec<u8>, CryptoError> {
    let (encoding, _) = signature_params(alg).ok_or_else(|| CryptoError::usage(spec, alg))?;
    let pair = signing_pair(spec, material)?;
    let mut sig = vec![0u8; pair.public_modulus_len()];
    pair.sign_digest(encoding, digest, &mut sig)
        .map_err(|_| CryptoError::Internal("RSA signing failed".into()))?;
    Ok(sig)
}

/// Verifies an RSA signature over a digest with the public half of `material`; `false` for
/// any signature that does not verify.
pub(super) fn verify_digest(
    spec: KeySpec,
    material: &KeyMaterial,
    alg: SigningAlgorithm,
    digest: &Digest,
    sig: &[u8],
) -> Result<bool, CryptoError> {
    let (_, params) = signature_params(alg).ok_or_else(|| CryptoError::usage(spec, alg))?;
    let pair = signing_pair(spec, material)?;
    let public = UnparsedPublicKey::new(params, pair.public_key().as_ref());
    Ok(public.verify_digest(digest, sig).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::{generate, test_key};

    const RSA: [KeySpec; 3] = [KeySpec::Rsa2048, KeySpec::Rsa3072, KeySpec::Rsa4096];
    const OAEP: [EncryptionAlgorithm; 2] = [
        EncryptionAlgorithm::RsaesOaepSha1,
        EncryptionAlgorithm::RsaesOaepSha256,
    ];

    #[test]
    fn max_plaintext_matches_the_kms_table() {
        let table = [
            (KeySpec::Rsa2048, 214, 190),
            (KeySpec::Rsa3072, 342, 318),
            (KeySpec::Rsa4096, 470, 446),
        ];
        for (spec, sha1, sha256) in table {
            assert_eq!(rsa_max_plaintext(spec, OAEP[0]), Some(sha1));
            assert_eq!(rsa_max_plaintext(spec, OAEP[1]), Some(sha256));
            assert_eq!(
                rsa_max_plaintext(spec, EncryptionAlgorithm::SymmetricDefault),
                None
            );
        }
        assert_eq!(rsa_max_plaintext(KeySpec::EccNistP256, OAEP[1]), None);
        assert_eq!(rsa_max_plaintext(KeySpec::SymmetricDefault, OAEP[0]), None);
    }

    #[test]
    fn oaep_round_trips_at_the_limit_and_rejects_one_byte_more() {
        for spec in RSA {
            let key = test_key(spec);
            let public = public_key_der(spec, &key).unwrap();
            for alg in OAEP {
                let max = rsa_max_plaintext(spec, alg).unwrap();
                for len in [0, 1, max] {
                    let plain = vec![0xa5u8; len];
                    let ct = rsa_encrypt(spec, &key, alg, &plain).unwrap();
                    assert_eq!(ct.len(), modulus_len(spec).unwrap());
                    assert_eq!(rsa_decrypt(spec, &key, alg, &ct).unwrap(), plain);
                    let ct = rsa_encrypt_public(spec, &public, alg, &plain).unwrap();
                    assert_eq!(rsa_decrypt(spec, &key, alg, &ct).unwrap(), plain);
                }
                let too_long = vec![0u8; max + 1];
                assert!(matches!(
                    rsa_encrypt(spec, &key, alg, &too_long),
                    Err(CryptoError::InvalidInput(_))
                ));
                assert!(matches!(
                    rsa_encrypt_public(spec, &public, alg, &too_long),
                    Err(CryptoError::InvalidInput(_))
                ));
            }
        }
    }

    #[test]
    fn wrong_algorithm_tampering_and_bad_lengths_are_invalid_ciphertext() {
        let spec = KeySpec::Rsa2048;
        let key = test_key(spec);
        let ct = rsa_encrypt(spec, &key, OAEP[1], b"hello").unwrap();
        assert_eq!(
            rsa_decrypt(spec, &key, OAEP[0], &ct),
            Err(CryptoError::InvalidCiphertext)
        );
        let mut bad = ct.clone();
        bad[100] ^= 1;
        assert_eq!(
            rsa_decrypt(spec, &key, OAEP[1], &bad),
            Err(CryptoError::InvalidCiphertext)
        );
        assert_eq!(
            rsa_decrypt(spec, &key, OAEP[1], &ct[1..]),
            Err(CryptoError::InvalidCiphertext)
        );
        assert_eq!(
            rsa_decrypt(spec, &key, OAEP[1], &[]),
            Err(CryptoError::InvalidCiphertext)
        );
        assert_eq!(
            rsa_decrypt(spec, &key, OAEP[1], &[0xff; 256]),
            Err(CryptoError::InvalidCiphertext)
        );
        let other = generate(spec).unwrap();
        assert_eq!(
            rsa_decrypt(spec, &other, OAEP[1], &ct),
            Err(CryptoError::InvalidCiphertext)
        );
    }

    #[test]
    fn spec_and_material_mismatches_are_rejected() {
        let key = test_key(KeySpec::Rsa2048);
        assert!(matches!(
            rsa_encrypt(KeySpec::Rsa3072, &key, OAEP[0], b"x"),
            Err(CryptoError::InvalidKey(_))
        ));
        assert!(matches!(
            public_key_der(KeySpec::Rsa4096, &key),
            Err(CryptoError::InvalidKey(_))
        ));
        assert!(matches!(
            rsa_encrypt(
                KeySpec::Rsa2048,
                &key,
                EncryptionAlgorithm::SymmetricDefault,
                b"x"
            ),
            Err(CryptoError::InvalidKeyUsage(_))
        ));
        assert!(matches!(
            rsa_encrypt(KeySpec::EccNistP256, &key, OAEP[0], b"x"),
            Err(CryptoError::InvalidKeyUsage(_))
        ));
        let junk = KeyMaterial::from_bytes(vec![0x30, 0x03, 0x02, 0x01, 0x00]);
        assert!(matches!(
            rsa_decrypt(KeySpec::Rsa2048, &junk, OAEP[0], &[0; 256]),
            Err(CryptoError::InvalidKey(_))
        ));
        let public3072 = public_key_der(KeySpec::Rsa3072, &test_key(KeySpec::Rsa3072)).unwrap();
        assert!(matches!(
            rsa_encrypt_public(KeySpec::Rsa2048, &public3072, OAEP[0], b"x"),
            Err(CryptoError::InvalidInput(_))
        ));
        assert!(matches!(
            rsa_encrypt_public(KeySpec::Rsa2048, b"not der", OAEP[0], b"x"),
            Err(CryptoError::InvalidInput(_))
        ));
    }
}
