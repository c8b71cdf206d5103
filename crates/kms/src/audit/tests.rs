//! Shaping of representative KMS operations (the key lookups run against a real store in the
//! server's integration tests).

use super::*;
use crate::shapes::*;
use std::collections::BTreeMap;

fn ctx() -> BTreeMap<String, String> {
    BTreeMap::from([("Department".to_string(), "Engineering".to_string())])
}

#[test]
fn encrypt_logs_key_context_and_algorithm_never_the_plaintext() {
    let p = EncryptInput {
        key_id: Some("alias/app".into()),
        plaintext: Some(Secret::new(b"top secret".to_vec())),
        encryption_context: Some(ctx()),
        grant_tokens: Some(vec!["token".into()]),
        ..Default::default()
    };
    let v = request::parameters(&Op::Encrypt(p)).unwrap();
    assert_eq!(
        v,
        json!({"keyId": "alias/app", "encryptionContext": {"Department": "Engineering"}})
    );
    let text = v.to_string();
    assert!(!text.contains("top secret") && !text.contains("dG9w") && !text.contains("token"));
}

#[test]
fn decrypt_and_re_encrypt_always_name_their_algorithms() {
    let p = DecryptInput {
        ciphertext_blob: Some(vec![1, 2, 3]),
        ..Default::default()
    };
    assert_eq!(
        request::parameters(&Op::Decrypt(p)),
        Some(json!({"encryptionAlgorithm": "SYMMETRIC_DEFAULT"}))
    );
    let p = ReEncryptInput {
        destination_key_id: Some("k2".into()),
        destination_encryption_context: Some(ctx()),
        ..Default::default()
    };
    assert_eq!(
        request::parameters(&Op::ReEncrypt(p)),
        Some(json!({
            "destinationKeyId": "k2",
            "destinationEncryptionContext": {"Department": "Engineering"},
            "sourceEncryptionAlgorithm": "SYMMETRIC_DEFAULT",
            "destinationEncryptionAlgorithm": "SYMMETRIC_DEFAULT",
        }))
    );
}

#[test]
fn management_parameters_are_camel_case() {
    let p = CreateKeyInput {
        description: Some("d".into()),
        key_usage: Some(Named::Known(crate::crypto::KeyUsage::EncryptDecrypt)),
        bypass_policy_lockout_safety_check: Some(false),
        tags: Some(vec![Tag {
            tag_key: "a".into(),
            tag_value: "1".into(),
        }]),
        ..Default::default()
    };
    assert_eq!(
        request::parameters(&Op::CreateKey(p)),
        Some(json!({
            "description": "d",
            "keyUsage": "ENCRYPT_DECRYPT",
            "bypassPolicyLockoutSafetyCheck": false,
            "tags": [{"tagKey": "a", "tagValue": "1"}],
        }))
    );
    // A name outside the set is recorded as sent (the call fails with AWS's validation error).
    let p = CreateKeyInput {
        key_spec: Some(Named::Unknown("AES_9".into())),
        ..Default::default()
    };
    assert_eq!(
        request::parameters(&Op::CreateKey(p)),
        Some(json!({"keySpec": "AES_9"}))
    );
    let p = CreateGrantInput {
        key_id: Some("k".into()),
        grantee_principal: Some("arn:aws:iam::1:user/bob".into()),
        operations: Some(vec![Named::Known(
            crate::model::grants::GrantOperation::Encrypt,
        )]),
        constraints: Some(GrantConstraints {
            encryption_context_subset: Some(ctx()),
            encryption_context_equals: None,
        }),
        ..Default::default()
    };
    let v = request::parameters(&Op::CreateGrant(p)).unwrap();
    assert_eq!(
        v["constraints"],
        json!({"encryptionContextSubset": {"Department": "Engineering"}})
    );
    assert_eq!(v["operations"], json!(["Encrypt"]));
}

#[test]
fn import_logs_its_expiry_as_a_date_and_never_the_material() {
    let p = ImportKeyMaterialInput {
        key_id: Some("k".into()),
        import_token: Some(vec![7; 8]),
        encrypted_key_material: Some(vec![8; 8]),
        valid_to: Some(1609531200.0),
        expiration_model: Some(Named::Known(crate::model::keys::ExpirationModel::Expires)),
    };
    assert_eq!(
        request::parameters(&Op::ImportKeyMaterial(p)),
        Some(json!({
            "keyId": "k",
            "validTo": "Jan 1, 2021 8:00:00 PM",
            "expirationModel": "KEY_MATERIAL_EXPIRES",
        }))
    );
}

#[test]
fn calls_without_parameters_log_null() {
    assert_eq!(
        request::parameters(&Op::ListKeys(ListKeysInput::default())),
        None
    );
}

#[test]
fn cryptographic_calls_are_read_only_and_changes_are_not() {
    for k in [
        OpKind::Encrypt,
        OpKind::Decrypt,
        OpKind::GenerateDataKey,
        OpKind::Sign,
        OpKind::DescribeKey,
    ] {
        assert!(read_only(k), "{k:?}");
    }
    for k in [
        OpKind::CreateKey,
        OpKind::ScheduleKeyDeletion,
        OpKind::CreateAlias,
        OpKind::PutKeyPolicy,
        OpKind::ImportKeyMaterial,
    ] {
        assert!(!read_only(k), "{k:?}");
    }
}

#[test]
fn key_resources_carry_the_account_of_their_arn() {
    let r = key_resource("arn:aws:kms:us-east-1:444455556666:key/k");
    assert_eq!(r.kind, "AWS::KMS::Key");
    assert_eq!(r.account.unwrap().as_str(), "444455556666");
}

#[test]
fn java_dates_are_medium_format_utc() {
    assert_eq!(java_date(1_593_484_447_000), "Jun 30, 2020 2:34:07 AM");
    assert_eq!(java_date(1_618_253_910_000), "Apr 12, 2021 6:58:30 PM");
}
