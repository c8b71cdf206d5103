//! GenerateDataKeyPair(WithoutPlaintext) and DeriveSharedSecret, checked by Python.

use super::{assert_agrees_with, ecdh_peer};
use crate::common::*;
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::{
    DataKeyPairSpec, KeyAgreementAlgorithmSpec, KeySpec, KeyUsageType, OriginType,
    SigningAlgorithmSpec,
};
use serde_json::json;

const PAIRS: [(DataKeyPairSpec, &str); 7] = [
    (DataKeyPairSpec::Rsa2048, "RSA-2048"),
    (DataKeyPairSpec::Rsa3072, "RSA-3072"),
    (DataKeyPairSpec::Rsa4096, "RSA-4096"),
    (DataKeyPairSpec::EccNistP256, "EC-secp256r1"),
    (DataKeyPairSpec::EccNistP384, "EC-secp384r1"),
    (DataKeyPairSpec::EccNistP521, "EC-secp521r1"),
    (DataKeyPairSpec::EccSecgP256K1, "EC-secp256k1"),
];

#[tokio::test]
async fn data_key_pairs_match_in_python() {
    let (_s, k) = start_kms().await;
    let key = new_key(&k).await;
    let (id, arn) = (key.key_id().to_string(), key.arn().unwrap().to_string());
    for (spec, kind) in PAIRS {
        let pair = ok!(k
            .generate_data_key_pair()
            .key_id(&id)
            .key_pair_spec(spec.clone())
            .encryption_context("purpose", "pairs"));
        assert_eq!(pair.key_id(), Some(arn.as_str()));
        assert_eq!(pair.key_pair_spec(), Some(&spec));
        let private = pair.private_key_plaintext().unwrap().as_ref().to_vec();
        let public = pair.public_key().unwrap().as_ref().to_vec();
        let check = py(
            "key_pair_matches.py",
            json!({"private_key": b64(&private), "public_key": b64(&public)}),
        );
        assert_eq!(check["matches"], true, "{spec:?}");
        assert_eq!(check["kind"], kind);
        // The ciphertext decrypts (with the context) to the same private key.
        let dec = ok!(k
            .decrypt()
            .ciphertext_blob(pair.private_key_ciphertext_blob().unwrap().clone())
            .encryption_context("purpose", "pairs"));
        assert_eq!(dec.plaintext().unwrap().as_ref(), private.as_slice());
        assert_fails!(
            k.decrypt()
                .ciphertext_blob(pair.private_key_ciphertext_blob().unwrap().clone()),
            "InvalidCiphertextException"
        );
    }
    // Without plaintext: only the ciphertext and public key come back.
    assert_fails!(
        k.generate_data_key_pair_without_plaintext()
            .key_id("alias/missing")
            .key_pair_spec(DataKeyPairSpec::EccNistP256),
        "NotFoundException"
    );
    let pair = ok!(k
        .generate_data_key_pair_without_plaintext()
        .key_id(&arn)
        .key_pair_spec(DataKeyPairSpec::EccNistP256));
    assert_eq!(pair.key_pair_spec(), Some(&DataKeyPairSpec::EccNistP256));
    let dec = decrypt(&k, pair.private_key_ciphertext_blob().unwrap().clone()).await;
    let check = py(
        "key_pair_matches.py",
        json!({"private_key": b64(dec.plaintext().unwrap().as_ref()),
               "public_key": b64(pair.public_key().unwrap().as_ref())}),
    );
    assert_eq!(check["matches"], true);

    // Errors: spec, key usage, key state.
    assert_fails!(
        k.generate_data_key_pair()
            .key_id(&id)
            .key_pair_spec(DataKeyPairSpec::from("RSA_1024")),
        "ValidationException"
    );
    assert_fails!(
        k.generate_data_key_pair()
            .key_id(&id)
            .key_pair_spec(DataKeyPairSpec::Sm2),
        "UnsupportedOperationException"
    );
    assert_fails!(
        k.generate_data_key_pair().key_id(&id),
        "ValidationException"
    );
    let rsa = new_key_of(&k, KeySpec::Rsa2048, KeyUsageType::EncryptDecrypt).await;
    assert_fails!(
        k.generate_data_key_pair()
            .key_id(&rsa)
            .key_pair_spec(DataKeyPairSpec::EccNistP256),
        "InvalidKeyUsageException"
    );
    let pending = ok!(k.create_key().origin(OriginType::External))
        .key_metadata
        .unwrap()
        .key_id;
    assert_fails!(
        k.generate_data_key_pair()
            .key_id(&pending)
            .key_pair_spec(DataKeyPairSpec::EccNistP256),
        "KMSInvalidStateException"
    );
    k.disable_key().key_id(&id).send().await.unwrap();
    assert_fails!(
        k.generate_data_key_pair_without_plaintext()
            .key_id(&id)
            .key_pair_spec(DataKeyPairSpec::EccNistP256),
        "DisabledException"
    );
}

#[tokio::test]
async fn derive_shared_secret_agrees_with_python() {
    let (_s, k) = start_kms().await;
    for spec in [
        KeySpec::EccNistP256,
        KeySpec::EccNistP384,
        KeySpec::EccNistP521,
    ] {
        let meta = ok!(k
            .create_key()
            .key_spec(spec.clone())
            .key_usage(KeyUsageType::KeyAgreement))
        .key_metadata
        .unwrap();
        assert_eq!(meta.key_usage(), Some(&KeyUsageType::KeyAgreement));
        assert_eq!(
            meta.key_agreement_algorithms(),
            &[KeyAgreementAlgorithmSpec::Ecdh]
        );
        let id = meta.key_id().to_string();
        let public = k.get_public_key().key_id(&id).send().await.unwrap();
        assert_eq!(public.key_usage(), Some(&KeyUsageType::KeyAgreement));
        let peer = ecdh_peer(public.public_key().unwrap().as_ref());
        let out = assert_agrees_with(&k, &id, &peer, &format!("{spec:?}")).await;
        assert_eq!(out.key_id(), meta.arn());
        assert_eq!(
            out.key_agreement_algorithm(),
            Some(&KeyAgreementAlgorithmSpec::Ecdh)
        );
        assert_eq!(out.key_origin(), Some(&OriginType::AwsKms));
        // A KEY_AGREEMENT key does not sign.
        assert_fails!(
            k.sign()
                .key_id(&id)
                .message(Blob::new("m"))
                .signing_algorithm(SigningAlgorithmSpec::EcdsaSha256),
            "InvalidKeyUsageException"
        );
    }
    let agree = new_key_of(&k, KeySpec::EccNistP256, KeyUsageType::KeyAgreement).await;
    ok!(k
        .create_alias()
        .alias_name("alias/agree")
        .target_key_id(&agree));
    // A peer key on another curve, junk, another algorithm.
    let p384 = new_key_of(&k, KeySpec::EccNistP384, KeyUsageType::KeyAgreement).await;
    let p384_public = k.get_public_key().key_id(&p384).send().await.unwrap();
    let derive = |peer: Blob| {
        k.derive_shared_secret()
            .key_id("alias/agree")
            .key_agreement_algorithm(KeyAgreementAlgorithmSpec::Ecdh)
            .public_key(peer)
            .send()
    };
    let e = derive(p384_public.public_key().unwrap().clone())
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ValidationException");
    let e = derive(Blob::new(data(65, 4))).await.unwrap_err();
    assert_eq!(code(&e), "ValidationException");
    assert_fails!(
        k.derive_shared_secret()
            .key_id(&agree)
            .key_agreement_algorithm(KeyAgreementAlgorithmSpec::from("DH"))
            .public_key(p384_public.public_key().unwrap().clone()),
        "ValidationException"
    );
    // Only KEY_AGREEMENT keys derive; only NIST curves agree.
    let signer = new_key_of(&k, KeySpec::EccNistP256, KeyUsageType::SignVerify).await;
    assert_fails!(
        k.derive_shared_secret()
            .key_id(&signer)
            .key_agreement_algorithm(KeyAgreementAlgorithmSpec::Ecdh)
            .public_key(p384_public.public_key().unwrap().clone()),
        "InvalidKeyUsageException"
    );
    for (spec, usage) in [
        (KeySpec::EccSecgP256K1, KeyUsageType::KeyAgreement),
        (KeySpec::Rsa2048, KeyUsageType::KeyAgreement),
        (KeySpec::SymmetricDefault, KeyUsageType::KeyAgreement),
    ] {
        assert_fails!(
            k.create_key().key_spec(spec).key_usage(usage),
            "ValidationException"
        );
    }
    k.disable_key().key_id(&agree).send().await.unwrap();
    let e = derive(p384_public.public_key().unwrap().clone())
        .await
        .unwrap_err();
    assert_eq!(code(&e), "DisabledException");
}
