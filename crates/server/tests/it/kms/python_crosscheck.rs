//! Acceptance cross-checks against Python `cryptography`: KMS signatures verify with the DER
//! public key GetPublicKey returns, and OAEP ciphertexts made in Python decrypt through KMS.

use crate::common::*;
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::{
    EncryptionAlgorithmSpec, KeySpec, KeyUsageType, MessageType, SigningAlgorithmSpec,
};
use serde_json::json;

async fn signing_key(k: &aws_sdk_kms::Client, spec: KeySpec) -> (String, Vec<u8>) {
    let id = new_key_of(k, spec, KeyUsageType::SignVerify).await;
    let public = k.get_public_key().key_id(&id).send().await.unwrap();
    (id, public.public_key().unwrap().as_ref().to_vec())
}

#[tokio::test]
async fn signatures_verify_in_python() {
    let (_s, k) = start_kms().await;
    let message = b"trailstack signs this".to_vec();
    let cases = [
        (
            KeySpec::Rsa2048,
            vec![
                SigningAlgorithmSpec::RsassaPssSha256,
                SigningAlgorithmSpec::RsassaPssSha512,
                SigningAlgorithmSpec::RsassaPkcs1V15Sha256,
                SigningAlgorithmSpec::RsassaPkcs1V15Sha384,
            ],
            None,
        ),
        (
            KeySpec::EccNistP256,
            vec![SigningAlgorithmSpec::EcdsaSha256],
            Some("secp256r1"),
        ),
        (
            KeySpec::EccSecgP256K1,
            vec![SigningAlgorithmSpec::EcdsaSha256],
            Some("secp256k1"),
        ),
        (
            KeySpec::EccNistP384,
            vec![SigningAlgorithmSpec::EcdsaSha384],
            Some("secp384r1"),
        ),
    ];
    for (spec, algorithms, curve) in cases {
        let (id, public) = signing_key(&k, spec.clone()).await;
        for alg in algorithms {
            let sig = ok!(k
                .sign()
                .key_id(&id)
                .message(Blob::new(message.clone()))
                .signing_algorithm(alg.clone()));
            let signature = sig.signature().unwrap().as_ref().to_vec();
            let verify = |msg: &[u8], msg_type: &str, signature: &[u8]| {
                py(
                    "verify_signature.py",
                    json!({
                        "public_key": b64(&public),
                        "algorithm": alg.as_str(),
                        "message": b64(msg),
                        "message_type": msg_type,
                        "signature": b64(signature),
                    }),
                )
            };
            let ok = verify(&message, "RAW", &signature);
            assert_eq!(ok["valid"], true, "{spec:?} {alg:?}");
            if let Some(curve) = curve {
                assert_eq!(ok["curve"], curve);
            }
            // A different message does not verify: Python is really checking.
            assert_eq!(
                verify(b"another message", "RAW", &signature)["valid"],
                false
            );
        }
    }
    // MessageType DIGEST: KMS signs the given SHA-256 digest; Python verifies it prehashed.
    let (id, public) = signing_key(&k, KeySpec::EccNistP256).await;
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &message);
    let sig = ok!(k
        .sign()
        .key_id(&id)
        .message(Blob::new(digest.as_ref()))
        .message_type(MessageType::Digest)
        .signing_algorithm(SigningAlgorithmSpec::EcdsaSha256));
    let ok = py(
        "verify_signature.py",
        json!({
            "public_key": b64(&public),
            "algorithm": "ECDSA_SHA_256",
            "message": b64(digest.as_ref()),
            "message_type": "DIGEST",
            "signature": b64(sig.signature().unwrap().as_ref()),
        }),
    );
    assert_eq!(ok["valid"], true);
}

#[tokio::test]
async fn python_oaep_ciphertexts_decrypt_through_kms() {
    let (_s, k) = start_kms().await;
    for spec in [KeySpec::Rsa2048, KeySpec::Rsa3072] {
        let id = new_key_of(&k, spec.clone(), KeyUsageType::EncryptDecrypt).await;
        let public = k.get_public_key().key_id(&id).send().await.unwrap();
        for alg in [
            EncryptionAlgorithmSpec::RsaesOaepSha1,
            EncryptionAlgorithmSpec::RsaesOaepSha256,
        ] {
            let plaintext = data(100, 3);
            let ct = py(
                "oaep_encrypt.py",
                json!({
                    "public_key": b64(public.public_key().unwrap().as_ref()),
                    "algorithm": alg.as_str(),
                    "plaintext": b64(&plaintext),
                }),
            );
            let ciphertext = unb64(&ct["ciphertext"]);
            let dec = ok!(k
                .decrypt()
                .key_id(&id)
                .ciphertext_blob(Blob::new(ciphertext.clone()))
                .encryption_algorithm(alg.clone()));
            assert_eq!(dec.plaintext().unwrap().as_ref(), plaintext.as_slice());
            assert_eq!(dec.encryption_algorithm(), Some(&alg));
            // The other OAEP hash does not decrypt it.
            let other = if alg == EncryptionAlgorithmSpec::RsaesOaepSha1 {
                EncryptionAlgorithmSpec::RsaesOaepSha256
            } else {
                EncryptionAlgorithmSpec::RsaesOaepSha1
            };
            assert_fails!(
                k.decrypt()
                    .key_id(&id)
                    .ciphertext_blob(Blob::new(ciphertext))
                    .encryption_algorithm(other),
                "InvalidCiphertextException",
                "{spec:?}"
            );
        }
    }
}
