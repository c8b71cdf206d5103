//! KMS keys through aws-sdk-kms: the AWS managed key behind `alias/aws/s3`, create, describe and
//! list, aliases, the lifecycle states that refuse cryptography, and keys surviving a restart
//! with their material sealed.

use crate::common::*;
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::{KeySpec, KeyState};

/// As in AWS, describing `alias/aws/s3` before S3 ever used it creates the AWS managed key, the
/// one S3 then encrypts with.
#[tokio::test]
pub async fn describing_the_s3_managed_alias_creates_the_managed_key() {
    let s = Server::start().await;
    let k = s.kms();
    let meta = k
        .describe_key()
        .key_id("alias/aws/s3")
        .send()
        .await
        .unwrap()
        .key_metadata
        .unwrap();
    assert_eq!(
        meta.key_manager(),
        Some(&aws_sdk_kms::types::KeyManagerType::Aws)
    );
    let by_arn = k
        .describe_key()
        .key_id(format!(
            "arn:aws:kms:us-east-1:{}:alias/aws/s3",
            meta.aws_account_id().unwrap()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(by_arn.key_metadata.unwrap().key_id, meta.key_id);
    let c = s.with_bucket("managed").await;
    c.put_object()
        .bucket("managed")
        .key("k")
        .server_side_encryption(aws_sdk_s3::types::ServerSideEncryption::AwsKms)
        .body(aws_sdk_s3::primitives::ByteStream::from_static(b"x"))
        .send()
        .await
        .unwrap();
    let head = c
        .head_object()
        .bucket("managed")
        .key("k")
        .send()
        .await
        .unwrap();
    assert_eq!(head.ssekms_key_id(), meta.arn());
}

#[tokio::test]
pub async fn create_describe_list_and_aliases() {
    let s = Server::start().await;
    let k = s.kms();
    let key = k
        .create_key()
        .description("first")
        .send()
        .await
        .unwrap()
        .key_metadata
        .unwrap();
    assert_eq!(key.key_state(), Some(&KeyState::Enabled));
    assert!(key
        .arn()
        .unwrap()
        .starts_with("arn:aws:kms:us-east-1:000000000000:key/"));
    assert_eq!(key.key_spec(), Some(&KeySpec::SymmetricDefault));
    let id = key.key_id().to_string();
    k.create_alias()
        .alias_name("alias/first")
        .target_key_id(&id)
        .send()
        .await
        .unwrap();
    let by_alias = k
        .describe_key()
        .key_id("alias/first")
        .send()
        .await
        .unwrap()
        .key_metadata
        .unwrap();
    assert_eq!(by_alias.key_id(), id);
    let arn = key.arn().unwrap();
    assert_eq!(
        k.describe_key()
            .key_id(arn)
            .send()
            .await
            .unwrap()
            .key_metadata
            .unwrap()
            .key_id(),
        id
    );
    assert_eq!(
        fails!(k
            .create_alias()
            .alias_name("alias/first")
            .target_key_id(&id)),
        "AlreadyExistsException"
    );
    assert_eq!(
        fails!(k
            .create_alias()
            .alias_name("alias/aws/s3")
            .target_key_id(&id)),
        "NotAuthorizedException"
    );
    assert_eq!(
        fails!(k.describe_key().key_id("alias/nope")),
        "NotFoundException"
    );
    assert_eq!(
        fails!(k.enable_key().key_id("alias/first")),
        "NotFoundException"
    );
    for _ in 0..3 {
        k.create_key().send().await.unwrap();
    }
    let page = k.list_keys().limit(2).send().await.unwrap();
    assert_eq!(page.keys().len(), 2);
    assert!(page.truncated());
    let rest = k
        .list_keys()
        .marker(page.next_marker().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(rest.keys().len(), 2);
    let aliases = k.list_aliases().key_id(&id).send().await.unwrap();
    assert_eq!(aliases.aliases().len(), 1);
    k.delete_alias()
        .alias_name("alias/first")
        .send()
        .await
        .unwrap();
    assert!(k.list_aliases().send().await.unwrap().aliases().is_empty());
}

#[tokio::test]
pub async fn disabled_and_pending_deletion_keys_refuse_crypto() {
    let s = Server::start().await;
    let k = s.kms();
    let id = new_key_id(&k).await;
    let blob = encrypt(&k, &id, b"x").await;
    k.disable_key().key_id(&id).send().await.unwrap();
    assert_eq!(
        fails!(k.encrypt().key_id(&id).plaintext(Blob::new(b"x".to_vec()))),
        "DisabledException"
    );
    assert_eq!(
        fails!(k.decrypt().ciphertext_blob(blob.clone())),
        "DisabledException"
    );
    k.enable_key().key_id(&id).send().await.unwrap();
    decrypt(&k, blob.clone()).await;
    let sched = k
        .schedule_key_deletion()
        .key_id(&id)
        .pending_window_in_days(7)
        .send()
        .await
        .unwrap();
    assert_eq!(sched.key_state(), Some(&KeyState::PendingDeletion));
    assert_eq!(
        fails!(k.decrypt().ciphertext_blob(blob.clone())),
        "KMSInvalidStateException"
    );
    assert_eq!(
        fails!(k.enable_key().key_id(&id)),
        "KMSInvalidStateException"
    );
    assert_eq!(
        fails!(k
            .schedule_key_deletion()
            .key_id(&id)
            .pending_window_in_days(3)),
        "ValidationException"
    );
    k.cancel_key_deletion().key_id(&id).send().await.unwrap();
    let meta = k
        .describe_key()
        .key_id(&id)
        .send()
        .await
        .unwrap()
        .key_metadata
        .unwrap();
    assert_eq!(meta.key_state(), Some(&KeyState::Disabled));
    let e = k
        .cancel_key_deletion()
        .key_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "KMSInvalidStateException");
}

#[tokio::test]
pub async fn keys_survive_restart_and_material_is_sealed() {
    let s = Server::start().await;
    let k = s.kms();
    let id = new_key_id(&k).await;
    let dk = k
        .generate_data_key()
        .key_id(&id)
        .number_of_bytes(32)
        .send()
        .await
        .unwrap();
    let plain = dk.plaintext().unwrap().as_ref().to_vec();
    let blob = dk.ciphertext_blob().unwrap().clone();
    let dir = s.stop();
    // The data key's plaintext appears nowhere in the data dir.
    let mut stack = vec![dir.path().to_path_buf()];
    while let Some(p) = stack.pop() {
        for e in std::fs::read_dir(&p).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            } else {
                let bytes = std::fs::read(e.path()).unwrap();
                assert!(
                    !bytes.windows(32).any(|w| w == plain.as_slice()),
                    "{:?}",
                    e.path()
                );
            }
        }
    }
    let s = Server::start_in(dir).await;
    let dec = s
        .kms()
        .decrypt()
        .ciphertext_blob(blob)
        .send()
        .await
        .unwrap();
    assert_eq!(dec.plaintext().unwrap().as_ref(), plain);
}
