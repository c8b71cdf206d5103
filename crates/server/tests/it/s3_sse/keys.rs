//! SSE-KMS key states, Bucket Keys, SSE-C, header validation and the TLS flag.

use super::*;

/// Disabled, pending-deletion and unknown keys: GET fails with `KMS.*`, HEAD still works.
#[tokio::test]
async fn key_states_reach_s3_reads_and_writes() {
    let (s, c) = Server::start_with_bucket("keystates").await;
    let kms = s.kms();
    let k = new_key(&s).await;
    let body = data(3000, 6);
    ok!(put_req(&c, "keystates", "a", &body).kms_key(&k));
    kms.disable_key().key_id(&k).send().await.unwrap();
    let e = get_err(&c, "keystates", "a").await;
    assert_eq!(code(&e), "KMS.DisabledException");
    assert_eq!(status(&e), 400);
    let h = head_of(&c, "keystates", "a").await;
    assert_eq!(h.ssekms_key_id(), Some(k.as_str()));
    assert_fails!(
        put_req(&c, "keystates", "b", &body).kms_key(&k),
        "KMS.DisabledException"
    );
    // A failed PUT stores nothing.
    let e = head_err(&c, "keystates", "b").await;
    assert_eq!(status(&e), 404);
    kms.enable_key().key_id(&k).send().await.unwrap();
    assert_eq!(
        read_back(&c, "keystates", "a", &body).await.1,
        Some(k.clone())
    );
    ok!(kms
        .schedule_key_deletion()
        .key_id(&k)
        .pending_window_in_days(7));
    let e = get_err(&c, "keystates", "a").await;
    assert_eq!(code(&e), "KMS.KMSInvalidStateException");
    head_of(&c, "keystates", "a").await;
    assert_outcome!(
        put_req(&c, "keystates", "c", &body).kms_key("alias/does-not-exist"),
        "KMS.NotFoundException 400"
    );
}
/// With a Bucket Key, S3 reuses one KMS data key per bucket, key and principal: once cached,
/// writes and reads make no KMS call (shown by disabling the key), and the header is returned.
#[tokio::test]
async fn bucket_keys_spare_kms_calls() {
    let (s, c) = Server::start_with_bucket("bkeys").await;
    let k = new_key(&s).await;
    default_kms(&c, "bkeys", Some(&k), true).await;
    let body = data(90_000, 15);
    let out = ok!(put_req(&c, "bkeys", "a", &body));
    assert_eq!(out.bucket_key_enabled(), Some(true));
    ok!(put_req(&c, "bkeys", "plain-kms", &body).kms_key(&k));
    let sse = stored_sse(&s, "bkeys", "a");
    assert_eq!(sse["context"]["aws:s3:arn"], "arn:aws:s3:::bkeys");
    s.kms().disable_key().key_id(&k).send().await.unwrap();
    // The cached bucket key still serves this principal...
    put(&c, "bkeys", "b", &body).await;
    assert_eq!(read_back(&c, "bkeys", "a", &body).await.1, Some(k.clone()));
    assert_eq!(read_back(&c, "bkeys", "b", &body).await.1, Some(k.clone()));
    // ...while an object without a Bucket Key needs KMS.
    let e = get_err(&c, "bkeys", "plain-kms").await;
    assert_eq!(code(&e), "KMS.DisabledException");
}
/// SSE-C: the key is needed to read (and to HEAD); a wrong key is 403; headers echo.
#[tokio::test]
async fn customer_keys() {
    let (_s, c) = Server::start_with_bucket("custkeys").await;
    let key = CustomerKey::seeded(9);
    let other = CustomerKey::seeded(10);
    let body = data(100_000, 11);
    let out = ok!(put_req(&c, "custkeys", "a", &body).customer_key(&key));
    assert_eq!(out.sse_customer_algorithm(), Some("AES256"));
    assert_eq!(out.sse_customer_key_md5(), Some(key.md5.as_str()));
    assert_eq!(out.server_side_encryption(), None);
    let e = get_err(&c, "custkeys", "a").await;
    assert_eq!((status(&e), code(&e).as_str()), (400, "InvalidRequest"));
    let e = head_err(&c, "custkeys", "a").await;
    assert_eq!(status(&e), 400);
    assert_outcome!(
        get_req(&c, "custkeys", "a").customer_key(&other),
        "AccessDenied 403"
    );
    let got = ok!(get_req(&c, "custkeys", "a")
        .range("bytes=65530-65545")
        .customer_key(&key));
    assert_eq!(got.sse_customer_key_md5(), Some(key.md5.as_str()));
    assert_eq!(body_bytes(got).await, &body[65530..=65545]);
    let h = ok!(head_req(&c, "custkeys", "a").customer_key(&key));
    assert_eq!(h.sse_customer_algorithm(), Some("AES256"));
    // A bad MD5 is refused before anything is stored.
    assert_fails!(
        put_req(&c, "custkeys", "b", b"x").customer_key(&key.with_md5_of(&other)),
        "InvalidArgument"
    );
}
/// Header validation (docs/aws/s3-encryption.md §1).
#[tokio::test]
async fn header_errors() {
    let (_s, c) = Server::start_with_bucket("headers").await;
    assert_fails!(
        put_req(&c, "headers", "a", b"x").server_side_encryption(Sse::from("AES128")),
        "InvalidArgument"
    );
    assert_fails!(
        put_req(&c, "headers", "a", b"x").ssekms_key_id("alias/x"),
        "InvalidArgument"
    );
}
/// With `require_tls_for_sse`, SSE-KMS and SSE-C over plain HTTP get AWS's 400; SSE-S3 works.
#[tokio::test]
async fn require_tls_for_sse_flag() {
    // Off (the default): SSE-KMS over plain HTTP is accepted.
    let (s, c) = Server::start_with_bucket("tls").await;
    ok!(put_req(&c, "tls", "kms", b"secret").server_side_encryption(Sse::AwsKms));
    let dir = s.stop();
    // On: SSE-KMS writes and reads over plain HTTP get AWS's 400.
    let s = Server::start_configured(dir, |c| c.require_tls_for_sse = true).await;
    let c = s.s3();
    let e = get_err(&c, "tls", "kms").await;
    assert_eq!((status(&e), code(&e).as_str()), (400, "InvalidArgument"));
    assert_outcome!(
        put_req(&c, "tls", "a", b"x").server_side_encryption(Sse::AwsKms),
        "InvalidArgument 400"
    );
    let key = CustomerKey::seeded(14);
    assert_outcome!(
        put_req(&c, "tls", "a", b"x").customer_key(&key),
        "InvalidRequest 400"
    );
    put(&c, "tls", "a", b"fine").await;
    assert_eq!(
        read_back(&c, "tls", "a", b"fine").await.0.as_deref(),
        Some("AES256")
    );
    // A DSSE-KMS bucket default applies, and needs TLS too.
    set_default_encryption(&c, "tls", Sse::AwsKmsDsse, None, false).await;
    assert_outcome!(put_req(&c, "tls", "b", b"x"), "InvalidArgument 400");
}
/// SSE-C multipart: a part sent with another key than the upload's is a 400 InvalidRequest
/// (not the 403 of a read with a wrong key); GetObjectAttributes of an SSE-C object needs the
/// key, as its HEAD does.
#[tokio::test]
async fn customer_key_parts_and_attributes() {
    let (_s, c) = Server::start_with_bucket("custparts").await;
    let key = CustomerKey::seeded(21);
    let other = CustomerKey::seeded(22);
    let up = ok!(create_upload_req(&c, "custparts", "mp").customer_key(&key));
    let id = up.upload_id().unwrap();
    let part = |k: &CustomerKey| {
        c.upload_part()
            .bucket("custparts")
            .key("mp")
            .upload_id(id)
            .part_number(1)
            .customer_key(k)
            .body(ByteStream::from_static(b"part one"))
    };
    let e = part(&other).send().await.unwrap_err();
    assert_eq!((status(&e), code(&e).as_str()), (400, "InvalidRequest"));
    assert_eq!(
        e.as_service_error().and_then(|e| e.meta().message()),
        Some("The provided encryption parameters did not match the ones used originally.")
    );
    let p = part(&key).send().await.unwrap();
    assert_eq!(p.sse_customer_key_md5(), Some(key.md5.as_str()));
    ok!(c
        .abort_multipart_upload()
        .bucket("custparts")
        .key("mp")
        .upload_id(id));

    ok!(put_req(&c, "custparts", "one", &data(1000, 23)).customer_key(&key));
    let attrs = || {
        attributes_req(
            &c,
            "custparts",
            "one",
            &[aws_sdk_s3::types::ObjectAttributes::ObjectSize],
        )
    };
    assert_outcome!(attrs(), "InvalidRequest 400");
    assert_outcome!(attrs().customer_key(&other), "AccessDenied 403");
    let got = attrs().customer_key(&key).send().await.unwrap();
    assert_eq!(got.object_size(), Some(1000));
}
/// CompleteMultipartUpload of an SSE-C upload: the key is needed only when the upload was
/// created with a checksum algorithm (as S3 documents), and a key sent must be the upload's.
#[tokio::test]
async fn customer_key_on_completion() {
    use aws_sdk_s3::types::{ChecksumAlgorithm, CompletedMultipartUpload, CompletedPart};
    let (_s, c) = Server::start_with_bucket("custdone").await;
    let key = CustomerKey::seeded(31);
    let other = CustomerKey::seeded(32);
    for (name, algorithm) in [("plain", None), ("summed", Some(ChecksumAlgorithm::Crc32))] {
        let id = ok!(create_upload_req(&c, "custdone", name)
            .set_checksum_algorithm(algorithm.clone())
            .customer_key(&key))
        .upload_id()
        .unwrap()
        .to_string();
        let p = ok!(c
            .upload_part()
            .bucket("custdone")
            .key(name)
            .upload_id(&id)
            .part_number(1)
            .set_checksum_algorithm(algorithm.clone())
            .customer_key(&key)
            .body(ByteStream::from_static(b"only part")));
        let part = CompletedPart::builder()
            .part_number(1)
            .e_tag(p.e_tag().unwrap())
            .set_checksum_crc32(p.checksum_crc32().map(str::to_string))
            .build();
        let complete = || {
            complete_req(&c, "custdone", name, &id).multipart_upload(
                CompletedMultipartUpload::builder()
                    .parts(part.clone())
                    .build(),
            )
        };
        let e = complete().customer_key(&other).send().await.unwrap_err();
        assert_eq!(
            (status(&e), code(&e).as_str()),
            (400, "InvalidRequest"),
            "{name}"
        );
        if algorithm.is_some() {
            assert_outcome!(complete(), "InvalidRequest 400");
            complete().customer_key(&key).send().await.unwrap();
        } else {
            complete().send().await.unwrap();
        }
        let got = ok!(get_req(&c, "custdone", name).customer_key(&key));
        assert_eq!(body_bytes(got).await, b"only part");
    }
}
