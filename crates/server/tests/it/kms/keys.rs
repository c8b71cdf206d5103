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
    let (s, k) = start_kms().await;
    let meta = ok!(k.describe_key().key_id("alias/aws/s3"))
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
    ok!(c
        .put_object()
        .bucket("managed")
        .key("k")
        .server_side_encryption(aws_sdk_s3::types::ServerSideEncryption::AwsKms)
        .body(aws_sdk_s3::primitives::ByteStream::from_static(b"x")));
    let head = head_of(&c, "managed", "k").await;
    assert_eq!(head.ssekms_key_id(), meta.arn());
}

#[tokio::test]
pub async fn create_describe_list_and_aliases() {
    let (_s, k) = start_kms().await;
    let key = ok!(k.create_key().description("first"))
        .key_metadata
        .unwrap();
    assert_eq!(key.key_state(), Some(&KeyState::Enabled));
    assert!(key
        .arn()
        .unwrap()
        .starts_with("arn:aws:kms:us-east-1:000000000000:key/"));
    assert_eq!(key.key_spec(), Some(&KeySpec::SymmetricDefault));
    let id = key.key_id().to_string();
    ok!(k
        .create_alias()
        .alias_name("alias/first")
        .target_key_id(&id));
    let by_alias = ok!(k.describe_key().key_id("alias/first"))
        .key_metadata
        .unwrap();
    assert_eq!(by_alias.key_id(), id);
    let arn = key.arn().unwrap();
    assert_eq!(
        ok!(k.describe_key().key_id(arn))
            .key_metadata
            .unwrap()
            .key_id(),
        id
    );
    assert_fails!(
        k.create_alias()
            .alias_name("alias/first")
            .target_key_id(&id),
        "AlreadyExistsException"
    );
    assert_fails!(
        k.create_alias()
            .alias_name("alias/aws/s3")
            .target_key_id(&id),
        "NotAuthorizedException"
    );
    assert_fails!(k.describe_key().key_id("alias/nope"), "NotFoundException");
    assert_fails!(k.enable_key().key_id("alias/first"), "NotFoundException");
    for _ in 0..3 {
        k.create_key().send().await.unwrap();
    }
    let page = k.list_keys().limit(2).send().await.unwrap();
    assert_eq!(page.keys().len(), 2);
    assert!(page.truncated());
    let rest = ok!(k.list_keys().marker(page.next_marker().unwrap()));
    assert_eq!(rest.keys().len(), 2);
    let aliases = k.list_aliases().key_id(&id).send().await.unwrap();
    assert_eq!(aliases.aliases().len(), 1);
    ok!(k.delete_alias().alias_name("alias/first"));
    assert!(k.list_aliases().send().await.unwrap().aliases().is_empty());
}

#[tokio::test]
pub async fn disabled_and_pending_deletion_keys_refuse_crypto() {
    let (_s, k) = start_kms().await;
    let id = new_key_id(&k).await;
    let blob = encrypt(&k, &id, b"x").await;
    k.disable_key().key_id(&id).send().await.unwrap();
    assert_fails!(
        k.encrypt().key_id(&id).plaintext(Blob::new(b"x".to_vec())),
        "DisabledException"
    );
    assert_fails!(
        k.decrypt().ciphertext_blob(blob.clone()),
        "DisabledException"
    );
    k.enable_key().key_id(&id).send().await.unwrap();
    decrypt(&k, blob.clone()).await;
    let sched = ok!(k
        .schedule_key_deletion()
        .key_id(&id)
        .pending_window_in_days(7));
    assert_eq!(sched.key_state(), Some(&KeyState::PendingDeletion));
    assert_fails!(
        k.decrypt().ciphertext_blob(blob.clone()),
        "KMSInvalidStateException"
    );
    assert_fails!(k.enable_key().key_id(&id), "KMSInvalidStateException");
    assert_fails!(
        k.schedule_key_deletion()
            .key_id(&id)
            .pending_window_in_days(3),
        "ValidationException"
    );
    k.cancel_key_deletion().key_id(&id).send().await.unwrap();
    let meta = ok!(k.describe_key().key_id(&id)).key_metadata.unwrap();
    assert_eq!(meta.key_state(), Some(&KeyState::Disabled));
    let e = err!(k.cancel_key_deletion().key_id(&id));
    assert_eq!(code(&e), "KMSInvalidStateException");
}

#[tokio::test]
pub async fn keys_survive_restart_and_material_is_sealed() {
    let (s, k) = start_kms().await;
    let id = new_key_id(&k).await;
    let dk = ok!(k.generate_data_key().key_id(&id).number_of_bytes(32));
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
    let dec = ok!(s.kms().decrypt().ciphertext_blob(blob));
    assert_eq!(dec.plaintext().unwrap().as_ref(), plain);
}
