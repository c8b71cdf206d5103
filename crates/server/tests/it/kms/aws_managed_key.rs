//! The AWS managed key `alias/aws/s3`: created through the KeyService port when S3 first needs
//! it, usable only through S3, visible but not changeable by the customer.

use super::caller;
use crate::common::*;
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::{DataKeyPairSpec, GrantOperation, KeyManagerType, KeyState};
use std::collections::BTreeMap;
use trailstack_core::{KeyRef, KeyService};

#[tokio::test]
async fn aws_managed_s3_key_is_for_s3_only() {
    let h = Server::start().await;
    let via_s3 = caller().on_behalf_of("s3.amazonaws.com");
    let ctx: BTreeMap<String, String> =
        [("aws:s3:arn".to_string(), "arn:aws:s3:::b/k".to_string())].into();
    let s3_data_key = || {
        h.app
            .kms
            .generate_data_key(&via_s3, &KeyRef::Managed("s3"), &ctx)
    };
    let dk = s3_data_key().await.unwrap();
    assert_eq!(dk.plaintext.len(), 32);
    assert!(dk
        .key_arn
        .starts_with("arn:aws:kms:us-east-1:000000000000:key/"));
    // A second use finds the same key.
    let again = s3_data_key().await.unwrap();
    assert_eq!(again.key_arn, dk.key_arn);
    let back = h
        .app
        .kms
        .decrypt(&via_s3, &dk.ciphertext, &ctx)
        .await
        .unwrap();
    assert_eq!(*back.plaintext, *dk.plaintext);

    let k = h.kms();
    let meta = ok!(k.describe_key().key_id("alias/aws/s3"))
        .key_metadata
        .unwrap();
    assert_eq!(meta.arn(), Some(dk.key_arn.as_str()));
    assert_eq!(meta.key_manager(), Some(&KeyManagerType::Aws));
    assert_eq!(meta.key_state(), Some(&KeyState::Enabled));
    assert_eq!(
        meta.description(),
        Some("Default KMS key that protects my S3 objects when no other key is defined")
    );
    let aliases = k.list_aliases().send().await.unwrap();
    let alias = aliases
        .aliases()
        .iter()
        .find(|a| a.alias_name() == Some("alias/aws/s3"))
        .unwrap();
    assert_eq!(alias.target_key_id(), Some(meta.key_id()));
    // The policy lets account principals use it only via S3, and read it directly.
    let policy = ok!(k.get_key_policy().key_id(meta.key_id()));
    let doc: serde_json::Value = serde_json::from_str(policy.policy().unwrap()).unwrap();
    let statements = doc["Statement"].as_array().unwrap();
    let via = statements
        .iter()
        .find(|s| s["Condition"]["StringEquals"]["kms:ViaService"].is_string())
        .unwrap();
    assert_eq!(via["Effect"], "Allow");
    assert_eq!(
        via["Condition"]["StringEquals"]["kms:ViaService"],
        "s3.us-east-1.amazonaws.com"
    );
    assert_eq!(
        via["Condition"]["StringEquals"]["kms:CallerAccount"],
        "000000000000"
    );
    let actions: Vec<&str> = via["Action"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a.as_str())
        .collect();
    assert!(actions.contains(&"kms:Decrypt") && actions.contains(&"kms:GenerateDataKey*"));
    assert!(!statements.iter().any(|s| s["Action"] == "kms:*"));

    // The customer cannot use it directly...
    assert_fails!(
        k.encrypt()
            .key_id("alias/aws/s3")
            .plaintext(Blob::new("direct")),
        "AccessDeniedException"
    );
    assert_fails!(
        k.decrypt()
            .ciphertext_blob(Blob::new(dk.ciphertext.clone()))
            .encryption_context("aws:s3:arn", "arn:aws:s3:::b/k"),
        "AccessDeniedException"
    );
    assert_fails!(
        k.generate_data_key()
            .key_id(meta.key_id())
            .number_of_bytes(32),
        "AccessDeniedException"
    );
    assert_fails!(
        k.generate_data_key_pair()
            .key_id("alias/aws/s3")
            .key_pair_spec(DataKeyPairSpec::EccNistP256),
        "AccessDeniedException"
    );
    assert_fails!(
        k.create_grant()
            .key_id(meta.key_id())
            .grantee_principal("arn:aws:iam::000000000000:user/alice")
            .operations(GrantOperation::Decrypt),
        "AccessDeniedException"
    );
    // ...nor delete or move its alias.
    assert_fails!(
        k.delete_alias().alias_name("alias/aws/s3"),
        "NotAuthorizedException"
    );
    let mine = new_key_id(&k).await;
    assert_fails!(
        k.update_alias()
            .alias_name("alias/aws/s3")
            .target_key_id(&mine),
        "NotAuthorizedException"
    );
    // It is still there and still serves S3.
    ok!(k.describe_key().key_id("alias/aws/s3"));
    h.app
        .kms
        .decrypt(&via_s3, &dk.ciphertext, &ctx)
        .await
        .unwrap();
}
