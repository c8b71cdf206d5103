//! HMAC key specs (`HMAC_224/256/384/512`): GenerateMac and VerifyMac (RFC 2104 HMAC with the
//! spec's SHA-2 hash; verification in constant time).

use aws_lc_rs::hmac;

use super::{CryptoError, KeyMaterial, KeySpec, MacAlgorithm};

/// The HMAC key for `material`, after checking that `alg` is the spec's MAC algorithm.
fn key(spec: KeySpec, material: &KeyMaterial, alg: MacAlgorithm) -> Result<hmac::Key, CryptoError> {
    if !spec.mac_algorithms().contains(&alg) {
        return Err(CryptoError::usage(spec, alg));
    }
    if material.is_empty() {
        return Err(CryptoError::bad_key(spec));
    }
    let algorithm = match alg {
        MacAlgorithm::HmacSha224 => hmac::HMAC_SHA224,
        MacAlgorithm::HmacSha256 => hmac::HMAC_SHA256,
        MacAlgorithm::HmacSha384 => hmac::HMAC_SHA384,
        MacAlgorithm::HmacSha512 => hmac::HMAC_SHA512,
    };
    Ok(hmac::Key::new(algorithm, material.as_bytes()))
}

/// GenerateMac: the HMAC tag of `message` (28, 32, 48 or 64 bytes).
pub fn mac(
    spec: KeySpec,
    material: &KeyMaterial,
    alg: MacAlgorithm,
    message: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let key = key(spec, material, alg)?;
    Ok(hmac::sign(&key, message).as_ref().to_vec())
}

/// VerifyMac: whether `tag` is the HMAC of `message`, compared in constant time; `false` for
/// a wrong tag of any length.
pub fn verify_mac(
    spec: KeySpec,
    material: &KeyMaterial,
    alg: MacAlgorithm,
    message: &[u8],
    tag: &[u8],
) -> Result<bool, CryptoError> {
    let key = key(spec, material, alg)?;
    Ok(hmac::verify(&key, message, tag).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::generate;

    const HMAC: [(KeySpec, MacAlgorithm, usize); 4] = [
        (KeySpec::Hmac224, MacAlgorithm::HmacSha224, 28),
        (KeySpec::Hmac256, MacAlgorithm::HmacSha256, 32),
        (KeySpec::Hmac384, MacAlgorithm::HmacSha384, 48),
        (KeySpec::Hmac512, MacAlgorithm::HmacSha512, 64),
    ];

    #[test]
    fn generated_key_and_tag_lengths() {
        for (spec, alg, len) in HMAC {
            let key = generate(spec).unwrap();
            assert_eq!(key.len(), len, "{spec} key length");
            assert_eq!(Some(key.len()), spec.raw_key_len());
            let tag = mac(spec, &key, alg, b"message").unwrap();
            assert_eq!(tag.len(), len);
            assert_eq!(tag.len(), alg.tag_len());
            assert!(verify_mac(spec, &key, alg, b"message", &tag).unwrap());
        }
    }

    #[test]
    fn wrong_message_tag_or_key_does_not_verify() {
        for (spec, alg, _) in HMAC {
            let key = generate(spec).unwrap();
            let tag = mac(spec, &key, alg, b"message").unwrap();
            assert!(!verify_mac(spec, &key, alg, b"messagf", &tag).unwrap());
            let mut bad = tag.clone();
            bad[0] ^= 1;
            assert!(!verify_mac(spec, &key, alg, b"message", &bad).unwrap());
            assert!(!verify_mac(spec, &key, alg, b"message", &tag[..tag.len() - 1]).unwrap());
            assert!(!verify_mac(spec, &key, alg, b"message", &[]).unwrap());
            let other = generate(spec).unwrap();
            assert!(!verify_mac(spec, &other, alg, b"message", &tag).unwrap());
        }
    }

    #[test]
    fn rfc4231_test_case_2() {
        // Key "Jefe", data "what do ya want for nothing?".
        let key = KeyMaterial::from_bytes(b"Jefe".to_vec());
        let data = b"what do ya want for nothing?";
        let tag = mac(KeySpec::Hmac256, &key, MacAlgorithm::HmacSha256, data).unwrap();
        assert_eq!(
            hex::encode(tag),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let tag = mac(KeySpec::Hmac224, &key, MacAlgorithm::HmacSha224, data).unwrap();
        assert_eq!(
            hex::encode(tag),
            "a30e01098bc6dbbf45690f3a7e9e6d0f8bbea2a39e6148008fd05e44"
        );
    }

    #[test]
    fn mismatched_algorithm_spec_or_empty_key_is_rejected() {
        let key = generate(KeySpec::Hmac256).unwrap();
        assert!(matches!(
            mac(KeySpec::Hmac256, &key, MacAlgorithm::HmacSha512, b"m"),
            Err(CryptoError::InvalidKeyUsage(_))
        ));
        assert!(matches!(
            mac(
                KeySpec::SymmetricDefault,
                &key,
                MacAlgorithm::HmacSha256,
                b"m"
            ),
            Err(CryptoError::InvalidKeyUsage(_))
        ));
        let empty = KeyMaterial::from_bytes(Vec::new());
        assert!(matches!(
            verify_mac(
                KeySpec::Hmac256,
                &empty,
                MacAlgorithm::HmacSha256,
                b"m",
                &[0; 32]
            ),
            Err(CryptoError::InvalidKey(_))
        ));
    }
}
