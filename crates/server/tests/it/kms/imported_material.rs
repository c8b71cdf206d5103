//! Imported key material: GetParametersForImport, ImportKeyMaterial with material wrapped by
//! Python, DeleteImportedKeyMaterial and re-import, and expiry by the clock.

use super::with_fixed_clock;
use crate::common::*;
use aws_sdk_kms::primitives::{Blob, DateTime};
use aws_sdk_kms::types::{
    AlgorithmSpec, ExpirationModelType, KeyState, OriginType, WrappingKeySpec,
};
use serde_json::json;
use trailstack_core::Clock;
use trailstack_kms::crypto::{wrap_for_import, KeySpec, WrappingAlgorithm};

/// Wraps `material` in Python for the parameters of `key`.
async fn python_wrapped(
    k: &aws_sdk_kms::Client,
    key: &str,
    alg: AlgorithmSpec,
    spec: WrappingKeySpec,
    material: &[u8],
) -> (Blob, Blob) {
    let params = ok!(k
        .get_parameters_for_import()
        .key_id(key)
        .wrapping_algorithm(alg.clone())
        .wrapping_key_spec(spec));
    let wrapped = py(
        "wrap_key_material.py",
        json!({
            "public_key": b64(params.public_key().unwrap().as_ref()),
            "algorithm": alg.as_str(),
            "material": b64(material),
        }),
    );
    (
        params.import_token().unwrap().clone(),
        Blob::new(unb64(&wrapped["wrapped"])),
    )
}

async fn external_key(k: &aws_sdk_kms::Client) -> String {
    let meta = ok!(k.create_key().origin(OriginType::External))
        .key_metadata
        .unwrap();
    assert_eq!(meta.key_state(), Some(&KeyState::PendingImport));
    meta.key_id
}

async fn state(k: &aws_sdk_kms::Client, key: &str) -> KeyState {
    ok!(k.describe_key().key_id(key))
        .key_metadata
        .unwrap()
        .key_state
        .unwrap()
}

#[tokio::test]
async fn python_wrapped_material_imports_and_encrypts() {
    let (_s, k) = start_kms().await;
    let key = external_key(&k).await;
    let params = ok!(k
        .get_parameters_for_import()
        .key_id(&key)
        .wrapping_algorithm(AlgorithmSpec::RsaesOaepSha256)
        .wrapping_key_spec(WrappingKeySpec::Rsa2048));
    assert!(params.key_id().unwrap().ends_with(&key));
    let valid_to = params.parameters_valid_to().unwrap().secs();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    assert!((valid_to - now - 24 * 3600).abs() < 120, "{valid_to} {now}");
    let material = data(32, 77);
    let wrapped = py(
        "wrap_key_material.py",
        json!({
            "public_key": b64(params.public_key().unwrap().as_ref()),
            "algorithm": "RSAES_OAEP_SHA_256",
            "material": b64(&material),
        }),
    );
    let imported = ok!(k
        .import_key_material()
        .key_id(&key)
        .import_token(params.import_token().unwrap().clone())
        .encrypted_key_material(Blob::new(unb64(&wrapped["wrapped"])))
        .expiration_model(ExpirationModelType::KeyMaterialDoesNotExpire));
    assert!(imported.key_id().unwrap().ends_with(&key));
    let material_id = imported.key_material_id().unwrap().to_string();
    assert_eq!(material_id.len(), 64);
    let meta = ok!(k.describe_key().key_id(&key)).key_metadata.unwrap();
    assert_eq!(meta.key_state(), Some(&KeyState::Enabled));
    assert_eq!(
        meta.expiration_model(),
        Some(&ExpirationModelType::KeyMaterialDoesNotExpire)
    );
    assert_eq!(meta.origin(), Some(&OriginType::External));
    // Encrypt/Decrypt work, and the ciphertext really is AES-GCM under the imported material.
    let enc = ok!(k
        .encrypt()
        .key_id(&key)
        .plaintext(Blob::new("imported secret")));
    let blob = enc.ciphertext_blob().unwrap().as_ref().to_vec();
    let dec = decrypt(&k, Blob::new(blob.clone())).await;
    assert_eq!(dec.plaintext().unwrap().as_ref(), b"imported secret");
    // Blob v1: version, key-id length, key id, material version (u32), 12-byte nonce, sealed.
    let id_len = blob[1] as usize;
    let nonce = &blob[2 + id_len + 4..2 + id_len + 16];
    let sealed = &blob[2 + id_len + 16..];
    let opened = py(
        "aes_gcm_open.py",
        json!({"key": b64(&material), "nonce": b64(nonce), "ciphertext": b64(sealed), "aad": ""}),
    );
    assert_eq!(unb64(&opened["plaintext"]), b"imported secret");

    // Deleting the material: PendingImport, ciphertexts stop decrypting.
    let deleted = ok!(k.delete_imported_key_material().key_id(&key));
    assert!(deleted.key_id().unwrap().ends_with(&key));
    assert_eq!(state(&k, &key).await, KeyState::PendingImport);
    assert_fails!(
        k.decrypt().ciphertext_blob(Blob::new(blob.clone())),
        "KMSInvalidStateException"
    );
    // Other material is refused; the same material, wrapped with AES key wrap, is accepted.
    let (token, other) = python_wrapped(
        &k,
        &key,
        AlgorithmSpec::RsaesOaepSha1,
        WrappingKeySpec::Rsa3072,
        &data(32, 78),
    )
    .await;
    assert_fails!(
        k.import_key_material()
            .key_id(&key)
            .import_token(token)
            .encrypted_key_material(other)
            .expiration_model(ExpirationModelType::KeyMaterialDoesNotExpire),
        "IncorrectKeyMaterialException"
    );
    let (token, same) = python_wrapped(
        &k,
        &key,
        AlgorithmSpec::RsaAesKeyWrapSha256,
        WrappingKeySpec::Rsa4096,
        &material,
    )
    .await;
    let again = ok!(k
        .import_key_material()
        .key_id(&key)
        .import_token(token)
        .encrypted_key_material(same)
        .valid_to(DateTime::from_secs(now + 30 * 24 * 3600)));
    assert_eq!(again.key_material_id(), Some(material_id.as_str()));
    let meta = ok!(k.describe_key().key_id(&key)).key_metadata.unwrap();
    assert_eq!(meta.key_state(), Some(&KeyState::Enabled));
    assert_eq!(
        meta.expiration_model(),
        Some(&ExpirationModelType::KeyMaterialExpires)
    );
    assert_eq!(
        meta.valid_to().map(|t| t.secs()),
        Some(now + 30 * 24 * 3600)
    );
    let dec = decrypt(&k, Blob::new(blob)).await;
    assert_eq!(dec.plaintext().unwrap().as_ref(), b"imported secret");
    // Pending deletion then cancelled without material: back to PendingImport.
    ok!(k.delete_imported_key_material().key_id(&key));
    k.schedule_key_deletion().key_id(&key).send().await.unwrap();
    k.cancel_key_deletion().key_id(&key).send().await.unwrap();
    assert_eq!(state(&k, &key).await, KeyState::PendingImport);
}

#[tokio::test]
async fn import_errors() {
    let (_s, k) = start_kms().await;
    let key = external_key(&k).await;
    let other_key = external_key(&k).await;
    let plain_key = new_key_id(&k).await;
    let gpfi = |key: &str, alg: &str, spec: &str| {
        k.get_parameters_for_import()
            .key_id(key)
            .wrapping_algorithm(AlgorithmSpec::from(alg))
            .wrapping_key_spec(WrappingKeySpec::from(spec))
            .send()
    };
    let e = gpfi(&plain_key, "RSAES_OAEP_SHA_256", "RSA_2048")
        .await
        .unwrap_err();
    assert_eq!(code(&e), "UnsupportedOperationException");
    let e = gpfi(&key, "RSAES_OAEP_SHA_256", "RSA_1024")
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ValidationException");
    let e = gpfi(&key, "ROT13", "RSA_2048").await.unwrap_err();
    assert_eq!(code(&e), "ValidationException");
    let e = gpfi(&key, "RSAES_PKCS1_V1_5", "RSA_2048")
        .await
        .unwrap_err();
    assert_eq!(code(&e), "UnsupportedOperationException");
    let e = gpfi("alias/nope", "RSAES_OAEP_SHA_256", "RSA_2048")
        .await
        .unwrap_err();
    assert_eq!(code(&e), "NotFoundException");
    let material = data(32, 5);
    let (token, wrapped) = python_wrapped(
        &k,
        &key,
        AlgorithmSpec::RsaesOaepSha256,
        WrappingKeySpec::Rsa2048,
        &material,
    )
    .await;
    let import = |key: &str, token: Blob, wrapped: Blob| {
        k.import_key_material()
            .key_id(key)
            .import_token(token)
            .encrypted_key_material(wrapped)
            .expiration_model(ExpirationModelType::KeyMaterialDoesNotExpire)
            .send()
    };
    // A token of another key, a made-up token, garbage material.
    let e = import(&other_key, token.clone(), wrapped.clone())
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidImportTokenException");
    let e = import(&key, Blob::new(data(32, 1)), wrapped.clone())
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidImportTokenException");
    let e = import(&key, token.clone(), Blob::new(data(256, 2)))
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidCiphertextException");
    // Material of the wrong size for a symmetric key.
    let (t16, w16) = python_wrapped(
        &k,
        &key,
        AlgorithmSpec::RsaesOaepSha256,
        WrappingKeySpec::Rsa2048,
        &data(16, 3),
    )
    .await;
    let e = import(&key, t16, w16).await.unwrap_err();
    assert_eq!(code(&e), "IncorrectKeyMaterialException");
    // ExpirationModel and ValidTo must agree; ValidTo within a year.
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    assert_fails!(
        k.import_key_material()
            .key_id(&key)
            .import_token(token.clone())
            .encrypted_key_material(wrapped.clone()),
        "ValidationException"
    );
    for t in [now - 60, now + 400 * 24 * 3600] {
        assert_fails!(
            k.import_key_material()
                .key_id(&key)
                .import_token(token.clone())
                .encrypted_key_material(wrapped.clone())
                .valid_to(DateTime::from_secs(t)),
            "ValidationException",
            "{t}"
        );
    }
    assert_fails!(
        k.import_key_material()
            .key_id(&key)
            .import_token(token.clone())
            .encrypted_key_material(wrapped.clone())
            .expiration_model(ExpirationModelType::KeyMaterialDoesNotExpire)
            .valid_to(DateTime::from_secs(now + 3600)),
        "ValidationException"
    );
    // Not yet imported: unusable; EnableKey refused.
    assert_fails!(
        k.encrypt().key_id(&key).plaintext(Blob::new("x")),
        "KMSInvalidStateException"
    );
    assert_fails!(k.enable_key().key_id(&key), "KMSInvalidStateException");
    // Importing succeeds once; re-importing the same material into the enabled key too.
    import(&key, token.clone(), wrapped.clone()).await.unwrap();
    import(&key, token, wrapped).await.unwrap();
    assert_fails!(
        k.delete_imported_key_material().key_id(&plain_key),
        "UnsupportedOperationException"
    );
    // Pending deletion: no parameters, no import.
    k.schedule_key_deletion().key_id(&key).send().await.unwrap();
    let e = gpfi(&key, "RSAES_OAEP_SHA_256", "RSA_2048")
        .await
        .unwrap_err();
    assert_eq!(code(&e), "KMSInvalidStateException");
    ok!(k.delete_imported_key_material().key_id(&key));
    assert_eq!(state(&k, &key).await, KeyState::PendingDeletion);
}

/// GetParametersForImport in-process; returns (token, wrapped material).
async fn wrapped_in_process(h: &Server, key: &str, material: &[u8]) -> (String, String) {
    let params = h
        .kms_ok(
            "GetParametersForImport",
            json!({"KeyId": key, "WrappingAlgorithm": "RSAES_OAEP_SHA_1", "WrappingKeySpec": "RSA_2048"}),
        )
        .await;
    let public = unb64(&params["PublicKey"]);
    let wrapped = wrap_for_import(
        &public,
        KeySpec::Rsa2048,
        WrappingAlgorithm::RsaesOaepSha1,
        material,
    )
    .unwrap();
    (
        params["ImportToken"].as_str().unwrap().to_string(),
        b64(&wrapped),
    )
}

#[tokio::test]
async fn material_and_tokens_expire_by_the_clock() {
    let (h, clock) = with_fixed_clock().await;
    let key = h.kms_ok("CreateKey", json!({"Origin": "EXTERNAL"})).await["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap()
        .to_string();
    let material = data(32, 9);
    let (token, wrapped) = wrapped_in_process(&h, &key, &material).await;
    let now = clock.now().unix_timestamp();
    h.kms_ok(
        "ImportKeyMaterial",
        json!({"KeyId": key, "ImportToken": token, "EncryptedKeyMaterial": wrapped,
               "ExpirationModel": "KEY_MATERIAL_EXPIRES", "ValidTo": now + 3600}),
    )
    .await;
    let meta = h.kms_ok("DescribeKey", json!({"KeyId": key})).await;
    assert_eq!(meta["KeyMetadata"]["KeyState"], "Enabled");
    assert_eq!(
        meta["KeyMetadata"]["ValidTo"].as_f64(),
        Some((now + 3600) as f64)
    );
    let blob = h
        .kms_ok(
            "Encrypt",
            json!({"KeyId": key, "Plaintext": b64(b"until an hour")}),
        )
        .await["CiphertextBlob"]
        .clone();
    // An hour later the material is gone.
    clock.advance(time::Duration::minutes(61));
    let meta = h.kms_ok("DescribeKey", json!({"KeyId": key})).await;
    assert_eq!(meta["KeyMetadata"]["KeyState"], "PendingImport");
    assert!(meta["KeyMetadata"].get("ValidTo").is_none());
    assert_eq!(
        h.kms_err("Decrypt", json!({"CiphertextBlob": blob})).await,
        "KMSInvalidStateException"
    );
    // The same parameters still import (they last 24 hours), without expiry this time.
    h.kms_ok(
        "ImportKeyMaterial",
        json!({"KeyId": key, "ImportToken": token, "EncryptedKeyMaterial": wrapped,
               "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}),
    )
    .await;
    let dec = h.kms_ok("Decrypt", json!({"CiphertextBlob": blob})).await;
    assert_eq!(unb64(&dec["Plaintext"]), b"until an hour");
    // Parameters are good for 24 hours.
    clock.advance(time::Duration::hours(23));
    assert_eq!(
        h.kms_err(
            "ImportKeyMaterial",
            json!({"KeyId": key, "ImportToken": token, "EncryptedKeyMaterial": wrapped,
                   "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}),
        )
        .await,
        "ExpiredImportTokenException"
    );
    let (fresh, fresh_wrapped) = wrapped_in_process(&h, &key, &material).await;
    clock.advance(time::Duration::hours(24) + time::Duration::seconds(1));
    assert_eq!(
        h.kms_err(
            "ImportKeyMaterial",
            json!({"KeyId": key, "ImportToken": fresh, "EncryptedKeyMaterial": fresh_wrapped,
                   "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}),
        )
        .await,
        "ExpiredImportTokenException"
    );
    // Material without expiry stays.
    assert_eq!(
        h.kms_ok("DescribeKey", json!({"KeyId": key})).await["KeyMetadata"]["KeyState"],
        "Enabled"
    );
}
