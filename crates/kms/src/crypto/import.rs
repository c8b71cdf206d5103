//! Imported key material (GetParametersForImport / ImportKeyMaterial): RSA wrapping key pairs,
//! unwrapping with every `WrappingAlgorithm` (RSAES-OAEP directly, or RSA-OAEP around an AES
//! key that wraps the material with AES key wrap with padding, RFC 5649), the client-side wrap
//! (for tests and tools), and the check that unwrapped material fits the KMS key's spec.

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::key_wrap::{AesKek, KeyWrapPadded, AES_128, AES_256};
use aws_lc_rs::rsa::KeyPair as RsaKeyPair;

use super::{ecc, random_bytes, rsa, CryptoError, KeyMaterial, KeySpec, WrappingAlgorithm};

/// Generates an RSA wrapping key pair of `spec` (`RSA_2048`, `RSA_3072` or `RSA_4096`):
/// the PKCS#8 private key (kept by KMS until the import token expires) and the
/// SubjectPublicKeyInfo DER (GetParametersForImport's `PublicKey`).
pub fn generate_wrapping_key(spec: KeySpec) -> Result<(KeyMaterial, Vec<u8>), CryptoError> {
    if !spec.is_wrapping_key_spec() {
        return Err(CryptoError::usage(spec, "a wrapping key"));
    }
    let private = super::generate(spec)?;
    let public = super::public_key_der(spec, &private)?;
    Ok((private, public))
}

/// The AES key-encryption key for an unwrapped AES key of 16 or 32 bytes.
fn aes_kek(key: &[u8]) -> Result<AesKek, CryptoError> {
    let cipher = match key.len() {
        16 => &AES_128,
        32 => &AES_256,
        _ => return Err(CryptoError::InvalidCiphertext),
    };
    AesKek::new(cipher, key).map_err(|_| CryptoError::InvalidCiphertext)
}

/// ImportKeyMaterial: recovers the key material from `wrapped` (`EncryptedKeyMaterial`) with
/// the private wrapping key of `wrapping_spec`. Anything that does not unwrap is
/// [`CryptoError::InvalidCiphertext`]; check the result with [`validate_imported`].
pub fn unwrap_imported(
    wrapping: &KeyMaterial,
    wrapping_spec: KeySpec,
    algorithm: WrappingAlgorithm,
    wrapped: &[u8],
) -> Result<KeyMaterial, CryptoError> {
    if !wrapping_spec.is_wrapping_key_spec() {
        return Err(CryptoError::usage(wrapping_spec, "a wrapping key"));
    }
    let oaep = algorithm.oaep();
    if !algorithm.is_aes_key_wrap() {
        return rsa::rsa_decrypt(wrapping_spec, wrapping, oaep, wrapped)
            .map(KeyMaterial::from_bytes);
    }
    let k = wrapping_spec.rsa_bits().unwrap_or(0) / 8;
    // The RSA-encrypted AES key (one modulus) followed by at least one KWP block pair.
    if wrapped.len() < k + 16 {
        return Err(CryptoError::InvalidCiphertext);
    }
    let (encrypted_key, kwp) = wrapped.split_at(k);
    let aes_key = KeyMaterial::from_bytes(rsa::rsa_decrypt(
        wrapping_spec,
        wrapping,
        oaep,
        encrypted_key,
    )?);
    let mut out = KeyMaterial::from_bytes(vec![0u8; kwp.len()]);
    let len = aes_kek(aes_key.as_bytes())?
        .unwrap_with_padding(kwp, out.as_mut_bytes())
        .map_err(|_| CryptoError::InvalidCiphertext)?
        .len();
    out.truncate(len);
    Ok(out)
}

/// What a client does before ImportKeyMaterial: wraps `material` for the wrapping public key
/// (SubjectPublicKeyInfo DER of `wrapping_spec`) with `algorithm`. The `RSA_AES_KEY_WRAP_*`
/// algorithms use a fresh 256-bit AES key.
pub fn wrap_for_import(
    public_der: &[u8],
    wrapping_spec: KeySpec,
    algorithm: WrappingAlgorithm,
    material: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    if !wrapping_spec.is_wrapping_key_spec() {
        return Err(CryptoError::usage(wrapping_spec, "a wrapping key"));
    }
    let oaep = algorithm.oaep();
    if !algorithm.is_aes_key_wrap() {
        return rsa::rsa_encrypt_public(wrapping_spec, public_der, oaep, material);
    }
    if material.is_empty() {
        return Err(CryptoError::InvalidInput(
            "the key material is empty".into(),
        ));
    }
    let aes_key = KeyMaterial::from_bytes(random_bytes(32)?);
    let mut out = rsa::rsa_encrypt_public(wrapping_spec, public_der, oaep, aes_key.as_bytes())?;
    let start = out.len();
    out.resize(start + material.len() + 15, 0);
    let len = aes_kek(aes_key.as_bytes())
        .map_err(|_| CryptoError::Internal("AES key wrap setup failed".into()))?
        .wrap_with_padding(material, &mut out[start..])
        .map_err(|_| CryptoError::InvalidInput("the key material cannot be wrapped".into()))?
        .len();
    out.truncate(start + len);
    Ok(out)
}

/// The accepted lengths of imported HMAC key material: from the key length of the spec up to
/// the block size of its hash (AWS: HMAC_224 28–64, HMAC_256 32–64, HMAC_384 48–128,
/// HMAC_512 64–128 bytes).
fn hmac_import_range(spec: KeySpec) -> Option<(usize, usize)> {
    match spec {
        KeySpec::Hmac224 => Some((28, 64)),
        KeySpec::Hmac256 => Some((32, 64)),
        KeySpec::Hmac384 => Some((48, 128)),
        KeySpec::Hmac512 => Some((64, 128)),
        _ => None,
    }
}

/// Checks unwrapped material against the KMS key's `spec` and returns it in the form this
/// module stores: `SYMMETRIC_DEFAULT` exactly 32 bytes; HMAC within its length range; RSA and
/// ECC a PKCS#8 (or, for ECC, RFC 5915) DER private key of that size or curve, re-encoded as
/// PKCS#8 v1. A mismatch is [`CryptoError::InvalidKey`].
pub fn validate_imported(
    spec: KeySpec,
    material: &KeyMaterial,
) -> Result<KeyMaterial, CryptoError> {
    let n = material.len();
    if spec.is_symmetric() {
        if n != 32 {
            return Err(CryptoError::InvalidKey(format!(
                "{spec} key material must be 32 bytes, not {n}"
            )));
        }
        return Ok(material.clone());
    }
    if let Some((min, max)) = hmac_import_range(spec) {
        if n < min || n > max {
            return Err(CryptoError::InvalidKey(format!(
                "{spec} key material must be {min} to {max} bytes, not {n}"
            )));
        }
        return Ok(material.clone());
    }
    if spec.is_rsa() {
        // Parses the key and checks its size; then re-encode canonically.
        super::public_key_der(spec, material)?;
        let pair =
            RsaKeyPair::from_pkcs8(material.as_bytes()).map_err(|_| CryptoError::bad_key(spec))?;
        let der = pair
            .as_der()
            .map_err(|_| CryptoError::Internal("RSA key encoding failed".into()))?;
        return Ok(KeyMaterial::from_bytes(der.as_ref().to_vec()));
    }
    ecc::normalize(spec, material)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::{public_key_der, test_key};

    const ALGS: [WrappingAlgorithm; 4] = [
        WrappingAlgorithm::RsaesOaepSha1,
        WrappingAlgorithm::RsaesOaepSha256,
        WrappingAlgorithm::RsaAesKeyWrapSha1,
        WrappingAlgorithm::RsaAesKeyWrapSha256,
    ];

    #[test]
    fn every_algorithm_round_trips_for_every_wrapping_spec() {
        for spec in [KeySpec::Rsa2048, KeySpec::Rsa3072, KeySpec::Rsa4096] {
            // Any RSA key of the spec serves as a wrapping key; generation is tested below.
            let private = test_key(spec);
            let public = public_key_der(spec, &private).unwrap();
            for alg in ALGS {
                for len in [1usize, 7, 8, 28, 32, 64, 128] {
                    let material = random_bytes(len).unwrap();
                    let wrapped = wrap_for_import(&public, spec, alg, &material).unwrap();
                    let back = unwrap_imported(&private, spec, alg, &wrapped).unwrap();
                    assert_eq!(back.as_bytes(), &material[..], "{spec} {alg} {len}");
                }
            }
        }
    }

    #[test]
    fn rsa_private_keys_need_the_aes_key_wrap_algorithms() {
        let private = test_key(KeySpec::Rsa4096);
        let public = public_key_der(KeySpec::Rsa4096, &private).unwrap();
        let rsa_key = test_key(KeySpec::Rsa2048);
        let direct = wrap_for_import(
            &public,
            KeySpec::Rsa4096,
            WrappingAlgorithm::RsaesOaepSha256,
            rsa_key.as_bytes(),
        );
        assert!(matches!(direct, Err(CryptoError::InvalidInput(_))));
        let alg = WrappingAlgorithm::RsaAesKeyWrapSha256;
        let wrapped = wrap_for_import(&public, KeySpec::Rsa4096, alg, rsa_key.as_bytes()).unwrap();
        let back = unwrap_imported(&private, KeySpec::Rsa4096, alg, &wrapped).unwrap();
        let imported = validate_imported(KeySpec::Rsa2048, &back).unwrap();
        assert_eq!(
            public_key_der(KeySpec::Rsa2048, &imported).unwrap(),
            public_key_der(KeySpec::Rsa2048, &rsa_key).unwrap()
        );
    }

    #[test]
    fn wrong_key_algorithm_or_tampering_is_invalid_ciphertext() {
        let spec = KeySpec::Rsa2048;
        let (private, public) = generate_wrapping_key(spec).unwrap();
        let (other, _) = generate_wrapping_key(spec).unwrap();
        let material = [5u8; 32];
        for alg in ALGS {
            let wrapped = wrap_for_import(&public, spec, alg, &material).unwrap();
            let bad = |r: Result<KeyMaterial, CryptoError>| {
                assert_eq!(r.err(), Some(CryptoError::InvalidCiphertext))
            };
            bad(unwrap_imported(&other, spec, alg, &wrapped));
            let mut tampered = wrapped.clone();
            let last = tampered.len() - 1;
            tampered[last] ^= 1;
            bad(unwrap_imported(&private, spec, alg, &tampered));
            bad(unwrap_imported(
                &private,
                spec,
                alg,
                &wrapped[..wrapped.len() - 8],
            ));
            bad(unwrap_imported(&private, spec, alg, &[]));
            let swapped = match alg {
                WrappingAlgorithm::RsaesOaepSha1 => WrappingAlgorithm::RsaesOaepSha256,
                WrappingAlgorithm::RsaesOaepSha256 => WrappingAlgorithm::RsaesOaepSha1,
                WrappingAlgorithm::RsaAesKeyWrapSha1 => WrappingAlgorithm::RsaAesKeyWrapSha256,
                WrappingAlgorithm::RsaAesKeyWrapSha256 => WrappingAlgorithm::RsaAesKeyWrapSha1,
            };
            bad(unwrap_imported(&private, spec, swapped, &wrapped));
        }
        assert!(matches!(
            generate_wrapping_key(KeySpec::EccNistP256),
            Err(CryptoError::InvalidKeyUsage(_))
        ));
    }

    #[test]
    fn imported_material_must_fit_the_spec() {
        let ok = |spec, len: usize| {
            validate_imported(spec, &KeyMaterial::from_bytes(vec![1; len])).is_ok()
        };
        assert!(ok(KeySpec::SymmetricDefault, 32));
        assert!(!ok(KeySpec::SymmetricDefault, 16));
        assert!(!ok(KeySpec::SymmetricDefault, 33));
        assert!(ok(KeySpec::Hmac224, 28) && ok(KeySpec::Hmac224, 64) && !ok(KeySpec::Hmac224, 27));
        assert!(ok(KeySpec::Hmac256, 32) && !ok(KeySpec::Hmac256, 65));
        assert!(ok(KeySpec::Hmac384, 128) && !ok(KeySpec::Hmac384, 47));
        assert!(ok(KeySpec::Hmac512, 64) && !ok(KeySpec::Hmac512, 129));
        assert!(!ok(KeySpec::Rsa2048, 64) && !ok(KeySpec::EccNistP256, 32));
        let p256 = test_key(KeySpec::EccNistP256);
        assert!(validate_imported(KeySpec::EccNistP256, &p256).is_ok());
        assert!(validate_imported(KeySpec::EccNistP384, &p256).is_err());
        let rsa3072 = test_key(KeySpec::Rsa3072);
        assert!(validate_imported(KeySpec::Rsa3072, &rsa3072).is_ok());
        assert!(validate_imported(KeySpec::Rsa2048, &rsa3072).is_err());
        assert!(validate_imported(KeySpec::EccNistP256, &rsa3072).is_err());
    }
}
