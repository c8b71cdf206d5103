//! Elliptic-curve key specs (`ECC_NIST_P256/P384/P521`, `ECC_SECG_P256K1`): key generation as
//! PKCS#8, the SubjectPublicKeyInfo, ECDSA over a digest with DER (ASN.1) signatures as KMS
//! returns them, and ECDH (DeriveSharedSecret) on the NIST curves.

use aws_lc_rs::agreement::{self, PrivateKey as AgreementKey};
use aws_lc_rs::digest::Digest;
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::signature::{
    self, EcdsaKeyPair, EcdsaSigningAlgorithm, EcdsaVerificationAlgorithm, KeyPair as _,
    UnparsedPublicKey,
};

use super::{CryptoError, KeyMaterial, KeySpec};

/// The ECDSA signing and verification algorithms of a curve (its one KMS signing algorithm).
fn ecdsa(
    spec: KeySpec,
) -> Result<
    (
        &'static EcdsaSigningAlgorithm,
        &'static EcdsaVerificationAlgorithm,
    ),
    CryptoError,
> {
    match spec {
        KeySpec::EccNistP256 => Ok((
            &signature::ECDSA_P256_SHA256_ASN1_SIGNING,
            &signature::ECDSA_P256_SHA256_ASN1,
        )),
        KeySpec::EccNistP384 => Ok((
            &signature::ECDSA_P384_SHA384_ASN1_SIGNING,
            &signature::ECDSA_P384_SHA384_ASN1,
        )),
        KeySpec::EccNistP521 => Ok((
            &signature::ECDSA_P521_SHA512_ASN1_SIGNING,
            &signature::ECDSA_P521_SHA512_ASN1,
        )),
        KeySpec::EccSecgP256k1 => Ok((
            &signature::ECDSA_P256K1_SHA256_ASN1_SIGNING,
            &signature::ECDSA_P256K1_SHA256_ASN1,
        )),
        other => Err(CryptoError::usage(other, "an elliptic-curve operation")),
    }
}

/// Generates a private key on the spec's curve, as PKCS#8 DER.
pub(super) fn generate(spec: KeySpec) -> Result<KeyMaterial, CryptoError> {
    let (alg, _) = ecdsa(spec)?;
    let pair = EcdsaKeyPair::generate(alg)
        .map_err(|_| CryptoError::Internal("EC key generation failed".into()))?;
    let doc = pair
        .to_pkcs8v1()
        .map_err(|_| CryptoError::Internal("EC key encoding failed".into()))?;
    Ok(KeyMaterial::from_bytes(doc.as_ref().to_vec()))
}

/// Parses the private key (PKCS#8, or RFC 5915 `ECPrivateKey`) on the spec's curve; a key on
/// another curve is rejected.
fn key_pair(spec: KeySpec, material: &KeyMaterial) -> Result<EcdsaKeyPair, CryptoError> {
    let (alg, _) = ecdsa(spec)?;
    EcdsaKeyPair::from_private_key_der(alg, material.as_bytes())
        .map_err(|_| CryptoError::bad_key(spec))
}

/// Re-encodes a private key as PKCS#8 v1 (used to normalise imported material).
pub(super) fn normalize(spec: KeySpec, material: &KeyMaterial) -> Result<KeyMaterial, CryptoError> {
    let doc = key_pair(spec, material)?
        .to_pkcs8v1()
        .map_err(|_| CryptoError::Internal("EC key encoding failed".into()))?;
    Ok(KeyMaterial::from_bytes(doc.as_ref().to_vec()))
}

/// The X.509 SubjectPublicKeyInfo DER of an EC private key (named-curve parameters,
/// uncompressed point).
pub(super) fn public_key_der(
    spec: KeySpec,
    material: &KeyMaterial,
) -> Result<Vec<u8>, CryptoError> {
    let der = key_pair(spec, material)?
        .public_key()
        .as_der()
        .map_err(|_| CryptoError::Internal("EC public key encoding failed".into()))?;
    Ok(der.as_ref().to_vec())
}

/// Signs a digest of the curve's hash with ECDSA; the signature is DER `Ecdsa-Sig-Value`.
pub(super) fn sign_digest(
    spec: KeySpec,
    material: &KeyMaterial,
    digest: &Digest,
) -> Result<Vec<u8>, CryptoError> {
    let sig = key_pair(spec, material)?
        .sign_digest(digest)
        .map_err(|_| CryptoError::Internal("ECDSA signing failed".into()))?;
    Ok(sig.as_ref().to_vec())
}

/// Verifies a DER ECDSA signature over a digest with the public half of `material`; `false`
/// for any signature that does not verify (including malformed DER).
pub(super) fn verify_digest(
    spec: KeySpec,
    material: &KeyMaterial,
    digest: &Digest,
    sig: &[u8],
) -> Result<bool, CryptoError> {
    let (_, verification) = ecdsa(spec)?;
    let pair = key_pair(spec, material)?;
    let public = UnparsedPublicKey::new(verification, pair.public_key().as_ref());
    Ok(public.verify_digest(digest, sig).is_ok())
}

fn agreement_alg(spec: KeySpec) -> Result<&'static agreement::Algorithm, CryptoError> {
    match spec {
        KeySpec::EccNistP256 => Ok(&agreement::ECDH_P256),
        KeySpec::EccNistP384 => Ok(&agreement::ECDH_P384),
        KeySpec::EccNistP521 => Ok(&agreement::ECDH_P521),
        other => Err(CryptoError::usage(other, "ECDH key agreement")),
    }
}

/// ECDH (DeriveSharedSecret): the raw shared secret (the x coordinate of the shared point,
/// big-endian, the curve's field size long) between the private `material` and the peer's
/// public key, which must be a SubjectPublicKeyInfo DER on the same curve.
pub fn derive_shared_secret(
    spec: KeySpec,
    material: &KeyMaterial,
    peer_public_der: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let alg = agreement_alg(spec)?;
    // KMS takes only SubjectPublicKeyInfo (a DER SEQUENCE); refuse bare curve points.
    if peer_public_der.first() != Some(&0x30) {
        return Err(CryptoError::InvalidInput(
            "the public key must be a DER-encoded X.509 SubjectPublicKeyInfo".into(),
        ));
    }
    let private = AgreementKey::from_private_key_der(alg, material.as_bytes())
        .map_err(|_| CryptoError::bad_key(spec))?;
    let peer = agreement::UnparsedPublicKey::new(alg, peer_public_der);
    let wrong_peer =
        CryptoError::InvalidInput(format!("the public key is not a valid {spec} public key"));
    agreement::agree(&private, peer, wrong_peer, |secret| Ok(secret.to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::generate;

    const NIST: [KeySpec; 3] = [
        KeySpec::EccNistP256,
        KeySpec::EccNistP384,
        KeySpec::EccNistP521,
    ];

    #[test]
    fn ecdh_two_keys_derive_the_same_secret() {
        for (spec, len) in NIST.into_iter().zip([32, 48, 66]) {
            let a = generate(spec).unwrap();
            let b = generate(spec).unwrap();
            let a_pub = public_key_der(spec, &a).unwrap();
            let b_pub = public_key_der(spec, &b).unwrap();
            let ab = derive_shared_secret(spec, &a, &b_pub).unwrap();
            let ba = derive_shared_secret(spec, &b, &a_pub).unwrap();
            assert_eq!(ab, ba);
            assert_eq!(ab.len(), len);
            let c = generate(spec).unwrap();
            assert_ne!(derive_shared_secret(spec, &c, &b_pub).unwrap(), ab);
        }
    }

    #[test]
    fn ecdh_rejects_other_curves_raw_points_junk_and_non_nist_specs() {
        let a = generate(KeySpec::EccNistP256).unwrap();
        let p384_pub = public_key_der(
            KeySpec::EccNistP384,
            &generate(KeySpec::EccNistP384).unwrap(),
        )
        .unwrap();
        let k1_pub = public_key_der(
            KeySpec::EccSecgP256k1,
            &generate(KeySpec::EccSecgP256k1).unwrap(),
        )
        .unwrap();
        for peer in [
            &p384_pub[..],
            &k1_pub[..],
            b"",
            b"\x30\x00",
            b"\x30\x82\xff\xff",
        ] {
            assert!(matches!(
                derive_shared_secret(KeySpec::EccNistP256, &a, peer),
                Err(CryptoError::InvalidInput(_))
            ));
        }
        // The bare uncompressed point of a valid P-256 key is not accepted.
        let pair = key_pair(
            KeySpec::EccNistP256,
            &generate(KeySpec::EccNistP256).unwrap(),
        )
        .unwrap();
        let point = pair.public_key().as_ref().to_vec();
        assert_eq!(point[0], 0x04);
        assert!(matches!(
            derive_shared_secret(KeySpec::EccNistP256, &a, &point),
            Err(CryptoError::InvalidInput(_))
        ));
        let k1 = generate(KeySpec::EccSecgP256k1).unwrap();
        assert!(matches!(
            derive_shared_secret(KeySpec::EccSecgP256k1, &k1, &k1_pub),
            Err(CryptoError::InvalidKeyUsage(_))
        ));
        assert!(matches!(
            derive_shared_secret(KeySpec::EccNistP384, &a, &p384_pub),
            Err(CryptoError::InvalidKey(_))
        ));
    }

    #[test]
    fn keys_on_another_curve_are_invalid_key() {
        let p256 = generate(KeySpec::EccNistP256).unwrap();
        assert!(public_key_der(KeySpec::EccNistP256, &p256).is_ok());
        for spec in [
            KeySpec::EccNistP384,
            KeySpec::EccNistP521,
            KeySpec::EccSecgP256k1,
        ] {
            assert!(matches!(
                public_key_der(spec, &p256),
                Err(CryptoError::InvalidKey(_))
            ));
        }
        let rsa = generate(KeySpec::Rsa2048).unwrap();
        assert!(matches!(
            public_key_der(KeySpec::EccNistP256, &rsa),
            Err(CryptoError::InvalidKey(_))
        ));
    }

    #[test]
    fn normalize_keeps_the_key() {
        for spec in [KeySpec::EccNistP256, KeySpec::EccSecgP256k1] {
            let key = generate(spec).unwrap();
            let norm = normalize(spec, &key).unwrap();
            assert_eq!(
                public_key_der(spec, &norm).unwrap(),
                public_key_der(spec, &key).unwrap()
            );
        }
    }
}
