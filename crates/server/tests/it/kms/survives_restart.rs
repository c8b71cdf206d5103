//! After a restart over the same data dir every key, alias, grant, rotation, imported material
//! and pending import still works, and no secret was written in plaintext.

use super::{assert_agrees_with, ecdh_peer};
use crate::common::*;
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::{
    AlgorithmSpec, DataKeyPairSpec, ExpirationModelType, GrantOperation, KeySpec, KeyState,
    KeyUsageType, MacAlgorithmSpec, OriginType, RotationType, SigningAlgorithmSpec,
    WrappingKeySpec,
};
use serde_json::json;

async fn new_key(k: &aws_sdk_kms::Client, spec: KeySpec, usage: KeyUsageType) -> String {
    new_key_of(k, spec, usage).await
}

/// An EXTERNAL key and `material` wrapped in Python for fresh import parameters.
async fn pending_import(k: &aws_sdk_kms::Client, material: &[u8]) -> (String, Blob, Blob) {
    let key = ok!(k.create_key().origin(OriginType::External))
        .key_metadata
        .unwrap()
        .key_id;
    let params = ok!(k
        .get_parameters_for_import()
        .key_id(&key)
        .wrapping_algorithm(AlgorithmSpec::RsaesOaepSha256)
        .wrapping_key_spec(WrappingKeySpec::Rsa2048));
    let wrapped = py(
        "wrap_key_material.py",
        json!({"public_key": b64(params.public_key().unwrap().as_ref()),
               "algorithm": "RSAES_OAEP_SHA_256", "material": b64(material)}),
    );
    (
        key,
        params.import_token().unwrap().clone(),
        Blob::new(unb64(&wrapped["wrapped"])),
    )
}

fn files_contain(dir: &std::path::Path, needle: &[u8]) -> Option<std::path::PathBuf> {
    let mut stack = vec![dir.to_path_buf()];
    while let Some(p) = stack.pop() {
        for e in std::fs::read_dir(&p).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            } else if std::fs::read(e.path())
                .unwrap()
                .windows(needle.len())
                .any(|w| w == needle)
            {
                return Some(e.path());
            }
        }
    }
    None
}

#[tokio::test]
async fn everything_survives_a_restart() {
    let (s, k) = start_kms().await;
    // Symmetric key, alias, ciphertexts before and after an on-demand rotation.
    let sym = new_key_id(&k).await;
    ok!(k
        .create_alias()
        .alias_name("alias/restart")
        .target_key_id(&sym));
    let encrypt = |text: &'static str| {
        k.encrypt()
            .key_id("alias/restart")
            .plaintext(Blob::new(text))
            .encryption_context("app", "restart")
            .send()
    };
    let before = encrypt("before rotation").await.unwrap();
    k.rotate_key_on_demand().key_id(&sym).send().await.unwrap();
    let after = encrypt("after rotation").await.unwrap();
    // A grant.
    let grant = ok!(k
        .create_grant()
        .key_id(&sym)
        .grantee_principal("arn:aws:iam::000000000000:user/alice")
        .operations(GrantOperation::Decrypt)
        .name("survivor"));
    let (grant_id, token) = (
        grant.grant_id().unwrap().to_string(),
        grant.grant_token().unwrap().to_string(),
    );
    // Asymmetric, HMAC and key agreement keys.
    let signer = new_key(&k, KeySpec::Rsa2048, KeyUsageType::SignVerify).await;
    let sig = ok!(k
        .sign()
        .key_id(&signer)
        .message(Blob::new("signed"))
        .signing_algorithm(SigningAlgorithmSpec::RsassaPssSha256));
    let mac_key = new_key(&k, KeySpec::Hmac256, KeyUsageType::GenerateVerifyMac).await;
    let mac = ok!(k
        .generate_mac()
        .key_id(&mac_key)
        .message(Blob::new("maced"))
        .mac_algorithm(MacAlgorithmSpec::HmacSha256));
    let agree = new_key(&k, KeySpec::EccNistP256, KeyUsageType::KeyAgreement).await;
    let agree_public = k.get_public_key().key_id(&agree).send().await.unwrap();
    let peer = ecdh_peer(agree_public.public_key().unwrap().as_ref());
    // Imported material, and import parameters used only after the restart.
    let material = data(32, 2024);
    let (imported, token1, wrapped1) = pending_import(&k, &material).await;
    ok!(k
        .import_key_material()
        .key_id(&imported)
        .import_token(token1)
        .encrypted_key_material(wrapped1)
        .expiration_model(ExpirationModelType::KeyMaterialDoesNotExpire));
    let imported_ct = ok!(k
        .encrypt()
        .key_id(&imported)
        .plaintext(Blob::new("imported")));
    let later_material = data(32, 2025);
    let (later, token2, wrapped2) = pending_import(&k, &later_material).await;
    // A data key pair.
    let pair = ok!(k
        .generate_data_key_pair()
        .key_id(&sym)
        .key_pair_spec(DataKeyPairSpec::EccNistP256));
    let pair_private = pair.private_key_plaintext().unwrap().as_ref().to_vec();

    let dir = s.stop();
    for secret in [&material, &later_material, &pair_private] {
        assert_eq!(files_contain(dir.path(), secret), None);
    }
    let s = Server::start_in(dir).await;
    let k = s.kms();

    for (out, text) in [(before, "before rotation"), (after, "after rotation")] {
        let dec = ok!(k
            .decrypt()
            .key_id("alias/restart")
            .ciphertext_blob(out.ciphertext_blob().unwrap().clone())
            .encryption_context("app", "restart")
            .grant_tokens(&token));
        assert_eq!(dec.plaintext().unwrap().as_ref(), text.as_bytes());
    }
    let rotations = k.list_key_rotations().key_id(&sym).send().await.unwrap();
    assert_eq!(rotations.rotations().len(), 1);
    assert_eq!(
        rotations.rotations()[0].rotation_type(),
        Some(&RotationType::OnDemand)
    );
    let grants = k.list_grants().key_id(&sym).send().await.unwrap();
    assert_eq!(grants.grants().len(), 1);
    assert_eq!(grants.grants()[0].grant_id(), Some(grant_id.as_str()));
    let same = ok!(k
        .create_grant()
        .key_id(&sym)
        .grantee_principal("arn:aws:iam::000000000000:user/alice")
        .operations(GrantOperation::Decrypt)
        .name("survivor"));
    assert_eq!(same.grant_id(), Some(grant_id.as_str()));
    ok!(k
        .verify()
        .key_id(&signer)
        .message(Blob::new("signed"))
        .signature(sig.signature().unwrap().clone())
        .signing_algorithm(SigningAlgorithmSpec::RsassaPssSha256));
    ok!(k
        .verify_mac()
        .key_id(&mac_key)
        .message(Blob::new("maced"))
        .mac(mac.mac().unwrap().clone())
        .mac_algorithm(MacAlgorithmSpec::HmacSha256));
    assert_agrees_with(&k, &agree, &peer, "after the restart").await;
    let dec = decrypt(&k, imported_ct.ciphertext_blob().unwrap().clone()).await;
    assert_eq!(dec.plaintext().unwrap().as_ref(), b"imported");
    ok!(k
        .import_key_material()
        .key_id(&later)
        .import_token(token2)
        .encrypted_key_material(wrapped2)
        .expiration_model(ExpirationModelType::KeyMaterialDoesNotExpire));
    let later_meta = k.describe_key().key_id(&later).send().await.unwrap();
    assert_eq!(
        later_meta.key_metadata().unwrap().key_state(),
        Some(&KeyState::Enabled)
    );
    let dec = decrypt(&k, pair.private_key_ciphertext_blob().unwrap().clone()).await;
    assert_eq!(dec.plaintext().unwrap().as_ref(), pair_private.as_slice());
    // The grant token issued before the restart still retires the grant.
    k.retire_grant().grant_token(&token).send().await.unwrap();
    assert!(k
        .list_grants()
        .key_id(&sym)
        .send()
        .await
        .unwrap()
        .grants()
        .is_empty());
}
