//! KMS cryptography through aws-sdk-kms: Encrypt, Decrypt and ReEncrypt with encryption
//! context, data keys and random bytes, signatures and MACs, and rotation keeping old ciphertexts
//! readable.

use crate::common::*;
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::{DataKeySpec, KeySpec, KeyUsageType};

#[tokio::test]
async fn encrypt_decrypt_with_context() {
    let (_s, k) = start_kms().await;
    let key = new_key(&k).await;
    let id = key.key_id();
    let enc = ok!(k
        .encrypt()
        .key_id(id)
        .plaintext(Blob::new(b"attack at dawn".to_vec()))
        .encryption_context("purpose", "test"));
    assert_eq!(enc.key_id(), key.arn());
    let blob = enc.ciphertext_blob().unwrap().clone();
    assert!(!blob.as_ref().windows(6).any(|w| w == b"attack"));
    let dec = ok!(k
        .decrypt()
        .ciphertext_blob(blob.clone())
        .encryption_context("purpose", "test"));
    assert_eq!(dec.plaintext().unwrap().as_ref(), b"attack at dawn");
    assert_eq!(dec.key_id(), key.arn());
    assert_fails!(
        k.decrypt().ciphertext_blob(blob.clone()),
        "InvalidCiphertextException"
    );
    assert_fails!(
        k.decrypt()
            .ciphertext_blob(blob.clone())
            .encryption_context("purpose", "other"),
        "InvalidCiphertextException"
    );
    let mut tampered = blob.as_ref().to_vec();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    assert_fails!(
        k.decrypt()
            .ciphertext_blob(Blob::new(tampered))
            .encryption_context("purpose", "test"),
        "InvalidCiphertextException"
    );
    let other = new_key(&k).await;
    assert_fails!(
        k.decrypt()
            .key_id(other.key_id())
            .ciphertext_blob(blob.clone())
            .encryption_context("purpose", "test"),
        "IncorrectKeyException"
    );
    let e = err!(k.encrypt().key_id(id).plaintext(Blob::new(vec![0u8; 4097])));
    assert_eq!(code(&e), "ValidationException");
    let re = ok!(k
        .re_encrypt()
        .ciphertext_blob(blob)
        .source_encryption_context("purpose", "test")
        .destination_key_id(other.key_id()));
    let dec = decrypt(&k, re.ciphertext_blob().unwrap().clone()).await;
    assert_eq!(dec.plaintext().unwrap().as_ref(), b"attack at dawn");
    assert_eq!(dec.key_id(), other.arn());
}

#[tokio::test]
async fn data_keys_and_random() {
    let (_s, k) = start_kms().await;
    let id = new_key_id(&k).await;
    let dk = ok!(k
        .generate_data_key()
        .key_id(&id)
        .key_spec(DataKeySpec::Aes256));
    let plain = dk.plaintext().unwrap().as_ref().to_vec();
    assert_eq!(plain.len(), 32);
    let dec = decrypt(&k, dk.ciphertext_blob().unwrap().clone()).await;
    assert_eq!(dec.plaintext().unwrap().as_ref(), plain);
    let dk = ok!(k
        .generate_data_key_without_plaintext()
        .key_id(&id)
        .number_of_bytes(64));
    let dec = decrypt(&k, dk.ciphertext_blob().unwrap().clone()).await;
    assert_eq!(dec.plaintext().unwrap().as_ref().len(), 64);
    assert_fails!(k.generate_data_key().key_id(&id), "ValidationException");
    assert_eq!(
        ok!(k.generate_random().number_of_bytes(1024))
            .plaintext()
            .unwrap()
            .as_ref()
            .len(),
        1024
    );
    assert_fails!(
        k.generate_random().number_of_bytes(1025),
        "ValidationException"
    );
}

#[tokio::test]
async fn sign_verify_and_macs() {
    let (_s, k) = start_kms().await;
    for (spec, alg) in [
        (
            KeySpec::Rsa2048,
            aws_sdk_kms::types::SigningAlgorithmSpec::RsassaPssSha256,
        ),
        (
            KeySpec::EccNistP256,
            aws_sdk_kms::types::SigningAlgorithmSpec::EcdsaSha256,
        ),
        (
            KeySpec::EccSecgP256K1,
            aws_sdk_kms::types::SigningAlgorithmSpec::EcdsaSha256,
        ),
    ] {
        let id = new_key_of(&k, spec.clone(), KeyUsageType::SignVerify).await;
        let sig = ok!(k
            .sign()
            .key_id(&id)
            .message(Blob::new(b"msg".to_vec()))
            .signing_algorithm(alg.clone()));
        let sig = sig.signature().unwrap().clone();
        let ok = ok!(k
            .verify()
            .key_id(&id)
            .message(Blob::new(b"msg".to_vec()))
            .signature(sig.clone())
            .signing_algorithm(alg.clone()));
        assert!(ok.signature_valid());
        assert_fails!(
            k.verify()
                .key_id(&id)
                .message(Blob::new(b"other".to_vec()))
                .signature(sig)
                .signing_algorithm(alg.clone()),
            "KMSInvalidSignatureException",
            "{spec:?}"
        );
        let pk = k.get_public_key().key_id(&id).send().await.unwrap();
        assert!(pk.public_key().unwrap().as_ref().len() > 50);
        assert_fails!(
            k.encrypt().key_id(&id).plaintext(Blob::new(b"x".to_vec())),
            "InvalidKeyUsageException"
        );
    }
    let id = new_key_of(&k, KeySpec::Hmac256, KeyUsageType::GenerateVerifyMac).await;
    let mac = ok!(k
        .generate_mac()
        .key_id(&id)
        .message(Blob::new(b"m".to_vec()))
        .mac_algorithm(aws_sdk_kms::types::MacAlgorithmSpec::HmacSha256));
    let mac = mac.mac().unwrap().clone();
    ok!(k
        .verify_mac()
        .key_id(&id)
        .message(Blob::new(b"m".to_vec()))
        .mac(mac.clone())
        .mac_algorithm(aws_sdk_kms::types::MacAlgorithmSpec::HmacSha256));
    assert_fails!(
        k.verify_mac()
            .key_id(&id)
            .message(Blob::new(b"n".to_vec()))
            .mac(mac)
            .mac_algorithm(aws_sdk_kms::types::MacAlgorithmSpec::HmacSha256),
        "KMSInvalidMacException"
    );
}

#[tokio::test]
async fn rotation_keeps_old_ciphertexts_readable() {
    let (_s, k) = start_kms().await;
    let id = new_key_id(&k).await;
    let old = encrypt(&k, &id, b"before").await;
    ok!(k
        .enable_key_rotation()
        .key_id(&id)
        .rotation_period_in_days(90));
    let st = ok!(k.get_key_rotation_status().key_id(&id));
    assert!(st.key_rotation_enabled());
    assert_eq!(st.rotation_period_in_days(), Some(90));
    k.rotate_key_on_demand().key_id(&id).send().await.unwrap();
    let new = encrypt(&k, &id, b"after").await;
    assert_eq!(
        ok!(k.decrypt().ciphertext_blob(old))
            .plaintext()
            .unwrap()
            .as_ref(),
        b"before"
    );
    assert_eq!(
        ok!(k.decrypt().ciphertext_blob(new))
            .plaintext()
            .unwrap()
            .as_ref(),
        b"after"
    );
    let rots = k.list_key_rotations().key_id(&id).send().await.unwrap();
    assert_eq!(rots.rotations().len(), 1);
    assert_fails!(
        k.enable_key_rotation()
            .key_id(&id)
            .rotation_period_in_days(30),
        "ValidationException"
    );
}
