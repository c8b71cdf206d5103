//! Sign and Verify for every asymmetric spec: checks that the algorithm fits the spec, turns
//! the message into the digest to sign (`RAW`: hash it; `DIGEST`: take it as the hash, which
//! must have the algorithm's digest length) and hands it to the RSA or ECC module. Signing a
//! digest and signing the raw message give interchangeable signatures, as in KMS.

use aws_lc_rs::digest::{self, Digest};

use super::{ecc, rsa, CryptoError, KeyMaterial, KeySpec, MessageType, SigningAlgorithm};

fn hash(alg: SigningAlgorithm) -> &'static digest::Algorithm {
    match alg.digest_len() {
        32 => &digest::SHA256,
        48 => &digest::SHA384,
        _ => &digest::SHA512,
    }
}

/// The digest to sign or verify for `message` read as `msg_type`.
fn message_digest(
    spec: KeySpec,
    alg: SigningAlgorithm,
    msg_type: MessageType,
    message: &[u8],
) -> Result<Digest, CryptoError> {
    if !spec.signing_algorithms().contains(&alg) {
        return Err(CryptoError::usage(spec, alg));
    }
    match msg_type {
        MessageType::Raw => Ok(digest::digest(hash(alg), message)),
        MessageType::Digest => Digest::import_less_safe(message, hash(alg)).map_err(|_| {
            CryptoError::InvalidInput(format!("Digest is invalid length for algorithm {alg}."))
        }),
    }
}

/// Sign: the signature of `message` with the private `material`. RSA signatures are one
/// modulus long (PSS with a salt as long as the hash, or PKCS#1 v1.5); ECDSA signatures are
/// DER `Ecdsa-Sig-Value`. Errors: [`CryptoError::InvalidKeyUsage`] if `alg` does not fit
/// `spec`, [`CryptoError::InvalidInput`] for a `DIGEST` of the wrong length.
pub fn sign(
    spec: KeySpec,
    material: &KeyMaterial,
    alg: SigningAlgorithm,
    msg_type: MessageType,
    message: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let digest = message_digest(spec, alg, msg_type, message)?;
    if spec.is_rsa() {
        rsa::sign_digest(spec, material, alg, &digest)
    } else {
        ecc::sign_digest(spec, material, &digest)
    }
}

/// Verify: whether `signature` is a valid signature of `message` by the key's public half.
/// `Ok(false)` for any signature that does not verify; errors as for [`sign`].
pub fn verify(
    spec: KeySpec,
    material: &KeyMaterial,
    alg: SigningAlgorithm,
    msg_type: MessageType,
    message: &[u8],
    signature: &[u8],
) -> Result<bool, CryptoError> {
    let digest = message_digest(spec, alg, msg_type, message)?;
    if spec.is_rsa() {
        rsa::verify_digest(spec, material, alg, &digest, signature)
    } else {
        ecc::verify_digest(spec, material, &digest, signature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::{generate, test_key};

    fn signing_specs() -> impl Iterator<Item = KeySpec> {
        KeySpec::ALL
            .iter()
            .copied()
            .filter(|s| !s.signing_algorithms().is_empty())
    }

    #[test]
    fn every_spec_and_algorithm_round_trips_in_both_message_types() {
        let message = b"The quick brown fox jumps over the lazy dog";
        for spec in signing_specs() {
            let key = test_key(spec);
            for &alg in spec.signing_algorithms() {
                let digest = digest::digest(hash(alg), message);
                let digest = digest.as_ref();
                assert_eq!(digest.len(), alg.digest_len());
                let raw_sig = sign(spec, &key, alg, MessageType::Raw, message).unwrap();
                let dig_sig = sign(spec, &key, alg, MessageType::Digest, digest).unwrap();
                for sig in [&raw_sig, &dig_sig] {
                    assert!(
                        verify(spec, &key, alg, MessageType::Raw, message, sig).unwrap(),
                        "{spec} {alg}"
                    );
                    assert!(
                        verify(spec, &key, alg, MessageType::Digest, digest, sig).unwrap(),
                        "{spec} {alg}"
                    );
                    assert!(
                        !verify(spec, &key, alg, MessageType::Raw, b"another message", sig)
                            .unwrap()
                    );
                }
                if let Some(bits) = spec.rsa_bits() {
                    assert_eq!(raw_sig.len(), bits / 8);
                } else {
                    assert_eq!(raw_sig[0], 0x30, "ECDSA signatures are DER");
                }
            }
        }
    }

    #[test]
    fn wrong_digest_length_is_invalid_input() {
        for spec in signing_specs() {
            let key = test_key(spec);
            for &alg in spec.signing_algorithms() {
                let n = alg.digest_len();
                for len in [0, n - 1, n + 1, 20] {
                    let msg = vec![1u8; len];
                    let err = sign(spec, &key, alg, MessageType::Digest, &msg).unwrap_err();
                    assert!(
                        matches!(err, CryptoError::InvalidInput(_)),
                        "{spec} {alg} {len}"
                    );
                    let err =
                        verify(spec, &key, alg, MessageType::Digest, &msg, &[0; 8]).unwrap_err();
                    assert!(matches!(err, CryptoError::InvalidInput(_)));
                }
            }
        }
    }

    #[test]
    fn tampered_or_foreign_signatures_do_not_verify() {
        for spec in [
            KeySpec::Rsa2048,
            KeySpec::EccNistP256,
            KeySpec::EccSecgP256k1,
        ] {
            let key = test_key(spec);
            let other = generate(spec).unwrap();
            let alg = spec.signing_algorithms()[0];
            let sig = sign(spec, &key, alg, MessageType::Raw, b"m").unwrap();
            for i in [0, sig.len() / 2, sig.len() - 1] {
                let mut bad = sig.clone();
                bad[i] ^= 0x40;
                assert!(!verify(spec, &key, alg, MessageType::Raw, b"m", &bad).unwrap());
            }
            assert!(!verify(spec, &other, alg, MessageType::Raw, b"m", &sig).unwrap());
            assert!(!verify(spec, &key, alg, MessageType::Raw, b"m", &[]).unwrap());
            assert!(!verify(
                spec,
                &key,
                alg,
                MessageType::Raw,
                b"m",
                &sig[..sig.len() - 1]
            )
            .unwrap());
        }
    }

    #[test]
    fn pss_and_pkcs1_signatures_are_not_interchangeable() {
        let spec = KeySpec::Rsa2048;
        let key = test_key(spec);
        let sign_m = |alg| sign(spec, &key, alg, MessageType::Raw, b"m").unwrap();
        let verify_m =
            |alg, sig: &[u8]| verify(spec, &key, alg, MessageType::Raw, b"m", sig).unwrap();
        let pss = sign_m(SigningAlgorithm::RsassaPssSha256);
        assert!(!verify_m(SigningAlgorithm::RsassaPkcs1V15Sha256, &pss));
        assert!(!verify_m(SigningAlgorithm::RsassaPssSha384, &pss));
        // PKCS#1 v1.5 is deterministic, PSS is randomised.
        let a = sign_m(SigningAlgorithm::RsassaPkcs1V15Sha512);
        let b = sign_m(SigningAlgorithm::RsassaPkcs1V15Sha512);
        assert_eq!(a, b);
        assert_ne!(pss, sign_m(SigningAlgorithm::RsassaPssSha256));
    }

    #[test]
    fn algorithm_must_fit_the_spec() {
        let p256 = test_key(KeySpec::EccNistP256);
        let rsa = test_key(KeySpec::Rsa2048);
        let hmac = test_key(KeySpec::Hmac256);
        let usage = |r: Result<Vec<u8>, CryptoError>| {
            assert!(matches!(r, Err(CryptoError::InvalidKeyUsage(_))))
        };
        usage(sign(
            KeySpec::EccNistP256,
            &p256,
            SigningAlgorithm::EcdsaSha384,
            MessageType::Raw,
            b"m",
        ));
        usage(sign(
            KeySpec::EccNistP256,
            &p256,
            SigningAlgorithm::RsassaPssSha256,
            MessageType::Raw,
            b"m",
        ));
        usage(sign(
            KeySpec::Rsa2048,
            &rsa,
            SigningAlgorithm::EcdsaSha256,
            MessageType::Raw,
            b"m",
        ));
        usage(sign(
            KeySpec::Hmac256,
            &hmac,
            SigningAlgorithm::EcdsaSha256,
            MessageType::Raw,
            b"m",
        ));
        usage(sign(
            KeySpec::SymmetricDefault,
            &hmac,
            SigningAlgorithm::RsassaPssSha256,
            MessageType::Raw,
            b"m",
        ));
        // Material of another spec is an invalid key, not a panic.
        let r = sign(
            KeySpec::EccNistP256,
            &rsa,
            SigningAlgorithm::EcdsaSha256,
            MessageType::Raw,
            b"m",
        );
        assert!(matches!(r, Err(CryptoError::InvalidKey(_))));
        let r = verify(
            KeySpec::Rsa4096,
            &rsa,
            SigningAlgorithm::RsassaPssSha256,
            MessageType::Raw,
            b"m",
            b"s",
        );
        assert!(matches!(r, Err(CryptoError::InvalidKey(_))));
    }
}
