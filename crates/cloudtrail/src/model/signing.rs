//! Digest signing keys: one RSA-2048 key pair per region at a time, each valid for 30 days, created
//! on first need. The public half is stored as PKCS#1 RSAPublicKey DER (what ListPublicKeys returns
//! and `aws cloudtrail validate-logs` loads); its fingerprint is the hex MD5 of those bytes
//! (docs/aws/cloudtrail-delivery.md §B.5). The private half (PKCS#8) is stored only sealed by the
//! root key, bound to its region and fingerprint.

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256};
use md5::Digest;
use trailstack_store::sql::{decode, Result};
use trailstack_store::{Conn, RootKey, StoreError};

/// How long one key signs: 30 days, as AWS's published keys are.
pub const VALIDITY_MS: i64 = 30 * 24 * 3600 * 1000;

/// A stored key pair's public facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKeyRow {
    /// Hex MD5 of `public_der`.
    pub fingerprint: String,
    /// Region.
    pub region: String,
    /// Start of validity (epoch ms).
    pub valid_from_ms: i64,
    /// End of validity (epoch ms).
    pub valid_to_ms: i64,
    /// PKCS#1 RSAPublicKey DER.
    pub public_der: Vec<u8>,
}

trailstack_store::from_row! {
    PublicKeyRow { fingerprint, region, valid_from_ms, valid_to_ms, public_der }
}

/// A private signing key, ready to sign digests (RSASSA-PKCS1-v1_5 with SHA-256).
pub struct SigningKey {
    /// Hex MD5 of the public key DER (the digest's `digestPublicKeyFingerprint`).
    pub fingerprint: String,
    /// Start of validity (epoch ms).
    pub valid_from_ms: i64,
    /// End of validity (epoch ms).
    pub valid_to_ms: i64,
    pair: KeyPair,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({})", self.fingerprint)
    }
}

impl SigningKey {
    /// Signs `message` with SHA256withRSA.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        let mut sig = vec![0u8; self.pair.public_modulus_len()];
        self.pair
            .sign(
                &RSA_PKCS1_SHA256,
                &aws_lc_rs::rand::SystemRandom::new(),
                message,
                &mut sig,
            )
            .map_err(|_| StoreError::Corrupt("digest signing failed".into()))?;
        Ok(sig)
    }

    /// The PKCS#1 RSAPublicKey DER of the key.
    pub fn public_der(&self) -> Vec<u8> {
        self.pair.public_key().as_ref().to_vec()
    }
}

/// The hex MD5 fingerprint of a public key DER.
pub fn fingerprint(public_der: &[u8]) -> String {
    hex::encode(md5::Md5::digest(public_der))
}

fn purpose(region: &str, fingerprint: &str) -> String {
    format!("cloudtrail:signing:{region}:{fingerprint}")
}

/// Keys of `region` whose validity overlaps `[from_ms, to_ms]`, oldest first.
pub fn overlapping(c: &Conn, region: &str, from_ms: i64, to_ms: i64) -> Result<Vec<PublicKeyRow>> {
    c.query(
        "SELECT fingerprint, region, valid_from_ms, valid_to_ms, public_der FROM ct_signing_keys \
         WHERE region = $1 AND valid_to_ms >= $2 AND valid_from_ms <= $3 ORDER BY valid_from_ms",
        &[&region, &from_ms, &to_ms],
        decode,
    )
}

/// The key of `region` that signs at `now_ms` (the newest valid one), creating one if none
/// is valid. Runs in the caller's write transaction.
pub fn current(c: &Conn, root: &RootKey, region: &str, now_ms: i64) -> Result<SigningKey> {
    let row: Option<(String, i64, i64, Vec<u8>)> = c.query_opt(
        "SELECT fingerprint, valid_from_ms, valid_to_ms, sealed_private FROM ct_signing_keys \
         WHERE region = $1 AND valid_from_ms <= $2 AND valid_to_ms > $2 \
         ORDER BY valid_from_ms DESC LIMIT 1",
        &[&region, &now_ms],
        decode,
    )?;
    if let Some((fingerprint, valid_from_ms, valid_to_ms, sealed)) = row {
        let pkcs8 = root.open(&purpose(region, &fingerprint), &sealed)?;
        let pair = KeyPair::from_pkcs8(&pkcs8).map_err(|_| {
            StoreError::Corrupt(format!("signing key {fingerprint} does not parse"))
        })?;
        return Ok(SigningKey {
            fingerprint,
            valid_from_ms,
            valid_to_ms,
            pair,
        });
    }
    let pair = KeyPair::generate(KeySize::Rsa2048)
        .map_err(|_| StoreError::Corrupt("RSA key generation failed".into()))?;
    let pkcs8 = pair
        .as_der()
        .map_err(|_| StoreError::Corrupt("RSA key encoding failed".into()))?;
    let public_der = pair.public_key().as_ref().to_vec();
    let fp = fingerprint(&public_der);
    let sealed = root.seal(&purpose(region, &fp), pkcs8.as_ref())?;
    let valid_to_ms = now_ms + VALIDITY_MS;
    c.execute(
        "INSERT INTO ct_signing_keys (fingerprint, region, valid_from_ms, valid_to_ms, \
         public_der, sealed_private) VALUES ($1, $2, $3, $4, $5, $6)",
        &[&fp, &region, &now_ms, &valid_to_ms, &public_der, &sealed],
    )?;
    Ok(SigningKey {
        fingerprint: fp,
        valid_from_ms: now_ms,
        valid_to_ms,
        pair,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::test_db;
    use aws_lc_rs::signature::{UnparsedPublicKey, RSA_PKCS1_2048_8192_SHA256};
    use base64::Engine;
    use std::sync::Arc;

    #[tokio::test]
    async fn keys_are_pkcs1_fingerprinted_sealed_and_rotated() {
        let (_d, db) = test_db();
        let root = Arc::new(RootKey::from_bytes(&[7u8; 32]).unwrap());
        let r = root.clone();
        let (k1, k1_again, k2) = db
            .write(move |c| {
                let k1 = current(c, &r, "us-east-1", 1_000)?;
                let again = current(c, &r, "us-east-1", 2_000)?;
                let k2 = current(c, &r, "us-east-1", 1_000 + VALIDITY_MS)?;
                Ok::<_, StoreError>((k1, again, k2))
            })
            .await
            .unwrap();
        assert_eq!(k1.fingerprint, k1_again.fingerprint);
        assert_ne!(k1.fingerprint, k2.fingerprint);
        let der = k1.public_der();
        assert_eq!(der.len(), 270);
        let b64 = base64::engine::general_purpose::STANDARD.encode(&der);
        assert!(b64.starts_with("MIIBCgKCAQEA"), "{b64}");
        assert_eq!(k1.fingerprint, fingerprint(&der));
        assert_eq!(k1.fingerprint.len(), 32);
        let sig = k1.sign(b"digest").unwrap();
        assert_eq!(sig.len(), 256);
        UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, &der)
            .verify(b"digest", &sig)
            .unwrap();
        let listed = db
            .read(|c| overlapping(c, "us-east-1", 0, i64::MAX))
            .unwrap();
        assert_eq!(listed.len(), 2);
        assert_eq!(listed[0].public_der, der);
        let other = db
            .read(|c| overlapping(c, "eu-west-1", 0, i64::MAX))
            .unwrap();
        assert!(other.is_empty());
        let sealed: Vec<u8> = db
            .read(|c| {
                c.query_one(
                    "SELECT sealed_private FROM ct_signing_keys LIMIT 1",
                    &[],
                    |r| r.get(0),
                )
            })
            .unwrap();
        assert_eq!(sealed[0], 1, "sealed by the root key");
    }
}
