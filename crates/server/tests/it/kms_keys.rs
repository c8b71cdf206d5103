//! KMS through aws-sdk-kms: keys, aliases, lifecycle states, symmetric encryption and data keys.

use crate::common::*;
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::{DataKeySpec, KeySpec, KeyState, KeyUsageType};

/// As in AWS, describing `alias/aws/s3` before S3 ever used it creates the AWS managed key, the
/// one S3 then encrypts with.
#[tokio::test]
async fn describing_the_s3_managed_alias_creates_the_managed_key() {
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
async fn create_describe_list_and_aliases() {
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
    let e = k
        .create_alias()
        .alias_name("alias/first")
        .target_key_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(kms_code(&e), "AlreadyExistsException");
    let e = k
        .create_alias()
        .alias_name("alias/aws/s3")
        .target_key_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(kms_code(&e), "NotAuthorizedException");
    let e = k
        .describe_key()
        .key_id("alias/nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(kms_code(&e), "NotFoundException");
    let e = k
        .enable_key()
        .key_id("alias/first")
        .send()
        .await
        .unwrap_err();
    assert_eq!(kms_code(&e), "NotFoundException");
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
async fn encrypt_decrypt_with_context() {
    let s = Server::start().await;
    let k = s.kms();
    let key = k.create_key().send().await.unwrap().key_metadata.unwrap();
    let id = key.key_id();
    let enc = k
        .encrypt()
        .key_id(id)
        .plaintext(Blob::new(b"attack at dawn".to_vec()))
        .encryption_context("purpose", "test")
        .send()
        .await
        .unwrap();
    assert_eq!(enc.key_id(), key.arn());
    let blob = enc.ciphertext_blob().unwrap().clone();
    assert!(!blob.as_ref().windows(6).any(|w| w == b"attack"));
    let dec = k
        .decrypt()
        .ciphertext_blob(blob.clone())
        .encryption_context("purpose", "test")
        .send()
        .await
        .unwrap();
    assert_eq!(dec.plaintext().unwrap().as_ref(), b"attack at dawn");
    assert_eq!(dec.key_id(), key.arn());
    let e = k
        .decrypt()
        .ciphertext_blob(blob.clone())
        .send()
        .await
        .unwrap_err();
    assert_eq!(kms_code(&e), "InvalidCiphertextException");
    let e = k
        .decrypt()
        .ciphertext_blob(blob.clone())
        .encryption_context("purpose", "other")
        .send()
        .await
        .unwrap_err();
    assert_eq!(kms_code(&e), "InvalidCiphertextException");
    let mut tampered = blob.as_ref().to_vec();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    let e = k
        .decrypt()
        .ciphertext_blob(Blob::new(tampered))
        .encryption_context("purpose", "test")
        .send()
        .await
        .unwrap_err();
    assert_eq!(kms_code(&e), "InvalidCiphertextException");
    let other = k.create_key().send().await.unwrap().key_metadata.unwrap();
    let e = k
        .decrypt()
        .key_id(other.key_id())
        .ciphertext_blob(blob.clone())
        .encryption_context("purpose", "test")
        .send()
        .await
        .unwrap_err();
    assert_eq!(kms_code(&e), "IncorrectKeyException");
    let e = k
        .encrypt()
        .key_id(id)
        .plaintext(Blob::new(vec![0u8; 4097]))
        .send()
        .await
        .unwrap_err();
    assert_eq!(kms_code(&e), "ValidationException");
    let re = k
        .re_encrypt()
        .ciphertext_blob(blob)
        .source_encryption_context("purpose", "test")
        .destination_key_id(other.key_id())
        .send()
        .await
        .unwrap();
    let dec = k
        .decrypt()
        .ciphertext_blob(re.ciphertext_blob().unwrap().clone())
        .send()
        .await
        .unwrap();
    assert_eq!(dec.plaintext().unwrap().as_ref(), b"attack at dawn");
    assert_eq!(dec.key_id(), other.arn());
}

#[tokio::test]
async fn data_keys_and_random() {
    let s = Server::start().await;
    let k = s.kms();
    let id = k
        .create_key()
        .send()
        .await
        .unwrap()
        .key_metadata
        .unwrap()
        .key_id()
        .to_string();
    let dk = k
        .generate_data_key()
        .key_id(&id)
        .key_spec(DataKeySpec::Aes256)
        .send()
        .await
        .unwrap();
    let plain = dk.plaintext().unwrap().as_ref().to_vec();
    assert_eq!(plain.len(), 32);
    let dec = k
        .decrypt()
        .ciphertext_blob(dk.ciphertext_blob().unwrap().clone())
        .send()
        .await
        .unwrap();
    assert_eq!(dec.plaintext().unwrap().as_ref(), plain);
    let dk = k
        .generate_data_key_without_plaintext()
        .key_id(&id)
        .number_of_bytes(64)
        .send()
        .await
        .unwrap();
    let dec = k
        .decrypt()
        .ciphertext_blob(dk.ciphertext_blob().unwrap().clone())
        .send()
        .await
        .unwrap();
    assert_eq!(dec.plaintext().unwrap().as_ref().len(), 64);
    let e = k.generate_data_key().key_id(&id).send().await.unwrap_err();
    assert_eq!(kms_code(&e), "ValidationException");
    assert_eq!(
        k.generate_random()
            .number_of_bytes(1024)
            .send()
            .await
            .unwrap()
            .plaintext()
            .unwrap()
            .as_ref()
            .len(),
        1024
    );
    let e = k
        .generate_random()
        .number_of_bytes(1025)
        .send()
        .await
        .unwrap_err();
    assert_eq!(kms_code(&e), "ValidationException");
}

#[tokio::test]
async fn disabled_and_pending_deletion_keys_refuse_crypto() {
    let s = Server::start().await;
    let k = s.kms();
    let id = k
        .create_key()
        .send()
        .await
        .unwrap()
        .key_metadata
        .unwrap()
        .key_id()
        .to_string();
    let blob = k
        .encrypt()
        .key_id(&id)
        .plaintext(Blob::new(b"x".to_vec()))
        .send()
        .await
        .unwrap()
        .ciphertext_blob
        .unwrap();
    k.disable_key().key_id(&id).send().await.unwrap();
    let e = k
        .encrypt()
        .key_id(&id)
        .plaintext(Blob::new(b"x".to_vec()))
        .send()
        .await
        .unwrap_err();
    assert_eq!(kms_code(&e), "DisabledException");
    let e = k
        .decrypt()
        .ciphertext_blob(blob.clone())
        .send()
        .await
        .unwrap_err();
    assert_eq!(kms_code(&e), "DisabledException");
    k.enable_key().key_id(&id).send().await.unwrap();
    k.decrypt()
        .ciphertext_blob(blob.clone())
        .send()
        .await
        .unwrap();
    let sched = k
        .schedule_key_deletion()
        .key_id(&id)
        .pending_window_in_days(7)
        .send()
        .await
        .unwrap();
    assert_eq!(sched.key_state(), Some(&KeyState::PendingDeletion));
    let e = k
        .decrypt()
        .ciphertext_blob(blob.clone())
        .send()
        .await
        .unwrap_err();
    assert_eq!(kms_code(&e), "KMSInvalidStateException");
    let e = k.enable_key().key_id(&id).send().await.unwrap_err();
    assert_eq!(kms_code(&e), "KMSInvalidStateException");
    let e = k
        .schedule_key_deletion()
        .key_id(&id)
        .pending_window_in_days(3)
        .send()
        .await
        .unwrap_err();
    assert_eq!(kms_code(&e), "ValidationException");
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
    assert_eq!(kms_code(&e), "KMSInvalidStateException");
}

#[tokio::test]
async fn sign_verify_and_macs() {
    let s = Server::start().await;
    let k = s.kms();
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
        let id = k
            .create_key()
            .key_spec(spec.clone())
            .key_usage(KeyUsageType::SignVerify)
            .send()
            .await
            .unwrap()
            .key_metadata
            .unwrap()
            .key_id()
            .to_string();
        let sig = k
            .sign()
            .key_id(&id)
            .message(Blob::new(b"msg".to_vec()))
            .signing_algorithm(alg.clone())
            .send()
            .await
            .unwrap();
        let sig = sig.signature().unwrap().clone();
        let ok = k
            .verify()
            .key_id(&id)
            .message(Blob::new(b"msg".to_vec()))
            .signature(sig.clone())
            .signing_algorithm(alg.clone())
            .send()
            .await
            .unwrap();
        assert!(ok.signature_valid());
        let e = k
            .verify()
            .key_id(&id)
            .message(Blob::new(b"other".to_vec()))
            .signature(sig)
            .signing_algorithm(alg.clone())
            .send()
            .await
            .unwrap_err();
        assert_eq!(kms_code(&e), "KMSInvalidSignatureException", "{spec:?}");
        let pk = k.get_public_key().key_id(&id).send().await.unwrap();
        assert!(pk.public_key().unwrap().as_ref().len() > 50);
        let e = k
            .encrypt()
            .key_id(&id)
            .plaintext(Blob::new(b"x".to_vec()))
            .send()
            .await
            .unwrap_err();
        assert_eq!(kms_code(&e), "InvalidKeyUsageException");
    }
    let id = k
        .create_key()
        .key_spec(KeySpec::Hmac256)
        .key_usage(KeyUsageType::GenerateVerifyMac)
        .send()
        .await
        .unwrap()
        .key_metadata
        .unwrap()
        .key_id()
        .to_string();
    let mac = k
        .generate_mac()
        .key_id(&id)
        .message(Blob::new(b"m".to_vec()))
        .mac_algorithm(aws_sdk_kms::types::MacAlgorithmSpec::HmacSha256)
        .send()
        .await
        .unwrap();
    let mac = mac.mac().unwrap().clone();
    k.verify_mac()
        .key_id(&id)
        .message(Blob::new(b"m".to_vec()))
        .mac(mac.clone())
        .mac_algorithm(aws_sdk_kms::types::MacAlgorithmSpec::HmacSha256)
        .send()
        .await
        .unwrap();
    let e = k
        .verify_mac()
        .key_id(&id)
        .message(Blob::new(b"n".to_vec()))
        .mac(mac)
        .mac_algorithm(aws_sdk_kms::types::MacAlgorithmSpec::HmacSha256)
        .send()
        .await
        .unwrap_err();
    assert_eq!(kms_code(&e), "KMSInvalidMacException");
}

#[tokio::test]
async fn rotation_keeps_old_ciphertexts_readable() {
    let s = Server::start().await;
    let k = s.kms();
    let id = k
        .create_key()
        .send()
        .await
        .unwrap()
        .key_metadata
        .unwrap()
        .key_id()
        .to_string();
    let old = k
        .encrypt()
        .key_id(&id)
        .plaintext(Blob::new(b"before".to_vec()))
        .send()
        .await
        .unwrap()
        .ciphertext_blob
        .unwrap();
    k.enable_key_rotation()
        .key_id(&id)
        .rotation_period_in_days(90)
        .send()
        .await
        .unwrap();
    let st = k
        .get_key_rotation_status()
        .key_id(&id)
        .send()
        .await
        .unwrap();
    assert!(st.key_rotation_enabled());
    assert_eq!(st.rotation_period_in_days(), Some(90));
    k.rotate_key_on_demand().key_id(&id).send().await.unwrap();
    let new = k
        .encrypt()
        .key_id(&id)
        .plaintext(Blob::new(b"after".to_vec()))
        .send()
        .await
        .unwrap()
        .ciphertext_blob
        .unwrap();
    assert_eq!(
        k.decrypt()
            .ciphertext_blob(old)
            .send()
            .await
            .unwrap()
            .plaintext()
            .unwrap()
            .as_ref(),
        b"before"
    );
    assert_eq!(
        k.decrypt()
            .ciphertext_blob(new)
            .send()
            .await
            .unwrap()
            .plaintext()
            .unwrap()
            .as_ref(),
        b"after"
    );
    let rots = k.list_key_rotations().key_id(&id).send().await.unwrap();
    assert_eq!(rots.rotations().len(), 1);
    let e = k
        .enable_key_rotation()
        .key_id(&id)
        .rotation_period_in_days(30)
        .send()
        .await
        .unwrap_err();
    assert_eq!(kms_code(&e), "ValidationException");
}

#[tokio::test]
async fn keys_survive_restart_and_material_is_sealed() {
    let s = Server::start().await;
    let k = s.kms();
    let id = k
        .create_key()
        .send()
        .await
        .unwrap()
        .key_metadata
        .unwrap()
        .key_id()
        .to_string();
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
