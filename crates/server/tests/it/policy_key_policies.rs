//! Key policies end to end: who may decrypt is what the key policy says, and a key policy
//! can lock out even the account's root.

use crate::common::{assert_fails, code, decrypt, err, new_key_id, ok};
use crate::policy::*;

#[tokio::test]
async fn key_policy_decides_who_decrypts() {
    let s = start().await;
    let root = s.kms_with("AKROOTA", "root-a");
    // Only the security team (alice) may decrypt; the account may do everything else.
    let policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[
          {{"Sid":"Admin","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{A}:root"}},"NotAction":"kms:Decrypt","Resource":"*"}},
          {{"Sid":"SecurityDecrypts","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{A}:user/alice"}},"Action":"kms:Decrypt","Resource":"*"}}]}}"#
    );
    let key = ok!(root.create_key().policy(policy))
        .key_metadata
        .unwrap()
        .arn
        .unwrap();
    let blob = ok!(root
        .encrypt()
        .key_id(&key)
        .plaintext(aws_sdk_kms::primitives::Blob::new(b"secret".to_vec())))
    .ciphertext_blob
    .unwrap();
    let alice = s.kms_with("AKALICE", "alice");
    let out = decrypt(&alice, blob.clone()).await;
    assert_eq!(out.plaintext.unwrap().as_ref(), b"secret");
    let bob = s.kms_with("AKBOB", "bob");
    let err = err!(bob.decrypt().ciphertext_blob(blob.clone()));
    assert_eq!(code(&err), "AccessDeniedException");
    assert_eq!(
        err.as_service_error().and_then(|e| aws_sdk_kms::error::ProvideErrorMetadata::message(e)),
        Some(format!("User: arn:aws:iam::{A}:user/bob is not authorized to perform: kms:Decrypt on resource: {key} because no resource-based policy allows the kms:Decrypt action").as_str())
    );
    // Bob's kms:* identity policy works where the key policy delegates to the account.
    ok!(bob
        .encrypt()
        .key_id(&key)
        .plaintext(aws_sdk_kms::primitives::Blob::new(b"x".to_vec())));
    // The root has no implicit right on a key: the policy leaves Decrypt to alice.
    assert_fails!(
        root.decrypt().ciphertext_blob(blob),
        "AccessDeniedException"
    );
    // B's users cannot even describe it.
    assert_fails!(
        s.kms_with("AKCAROL", "carol").describe_key().key_id(&key),
        "AccessDeniedException"
    );
}

#[tokio::test]
async fn key_policy_can_lock_out_the_root() {
    let s = start().await;
    let root = s.kms_with("AKROOTA", "root-a");
    let key = new_key_id(&root).await;
    let alice_only = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{A}:user/alice"}},"Action":"kms:*","Resource":"*"}}]}}"#
    );
    // Without the bypass, KMS refuses a policy that would lock its author out.
    assert_fails!(
        root.put_key_policy().key_id(&key).policy(&alice_only),
        "MalformedPolicyDocumentException"
    );
    ok!(root
        .put_key_policy()
        .key_id(&key)
        .policy(&alice_only)
        .bypass_policy_lockout_safety_check(true));
    assert_fails!(root.describe_key().key_id(&key), "AccessDeniedException");
    assert_fails!(
        root.schedule_key_deletion().key_id(&key),
        "AccessDeniedException"
    );
    ok!(s.kms_with("AKALICE", "alice").describe_key().key_id(&key));
    // Dave in B has no identity policy: CreateKey needs one.
    let err = err!(s.kms_with("AKDAVE", "dave").create_key());
    assert_eq!(
        err.as_service_error().and_then(|e| aws_sdk_kms::error::ProvideErrorMetadata::message(e)),
        Some(format!("User: arn:aws:iam::{B}:user/dave is not authorized to perform: kms:CreateKey because no identity-based policy allows the kms:CreateKey action").as_str())
    );
}
