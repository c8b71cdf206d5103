//! Objects: put/get/head/delete, ranges, conditions, metadata, checksums, copy, tagging,
//! attributes, and data surviving a restart.

use crate::common::*;
use aws_sdk_s3::types::{ChecksumAlgorithm, MetadataDirective, ObjectAttributes, Tag, Tagging};

#[tokio::test]
async fn put_get_head_delete() {
    let (_s, c) = Server::start_with_bucket("objs").await;
    let body = data(100_000, 1);
    let put = ok!(put_req(&c, "objs", "dir/a b+c.bin", &body)
        .content_type("application/x-test")
        .metadata("color", "blue"));
    let md5 = format!("\"{:x}\"", md5_of(&body));
    assert_eq!(put.e_tag(), Some(md5.as_str()));
    let got = get_out(&c, "objs", "dir/a b+c.bin").await;
    assert_eq!(got.content_type(), Some("application/x-test"));
    assert_eq!(
        got.metadata().unwrap().get("color").map(String::as_str),
        Some("blue")
    );
    assert_eq!(got.content_length(), Some(100_000));
    assert_eq!(body_bytes(got).await, body);
    let head = head_of(&c, "objs", "dir/a b+c.bin").await;
    assert_eq!(head.content_length(), Some(100_000));
    assert_eq!(head.e_tag(), Some(md5.as_str()));
    delete_key(&c, "objs", "dir/a b+c.bin").await;
    let e = get_err(&c, "objs", "dir/a b+c.bin").await;
    assert_eq!(code(&e), "NoSuchKey");
    assert_eq!(status(&e), 404);
    let e = head_err(&c, "objs", "nope").await;
    assert_eq!(status(&e), 404);
    let e = get_err(&c, "no-such-bucket", "k").await;
    assert_eq!(code(&e), "NoSuchBucket");
}

fn md5_of(b: &[u8]) -> u128 {
    use md5::Digest;
    u128::from_be_bytes(md5::Md5::digest(b).into())
}

#[tokio::test]
async fn ranges_and_conditions() {
    let (_s, c) = Server::start_with_bucket("ranges").await;
    let body = data(50_000, 2);
    let put = ok!(put_req(&c, "ranges", "k", &body));
    let etag = put.e_tag().unwrap().to_string();
    for (range, want) in [
        ("bytes=0-9", &body[0..10]),
        ("bytes=49990-", &body[49990..]),
        ("bytes=-5", &body[49995..]),
        ("bytes=100-99999", &body[100..]),
    ] {
        let got = ok!(get_req(&c, "ranges", "k").range(range));
        assert!(got.content_range().is_some(), "{range}");
        assert_eq!(body_bytes(got).await, want, "{range}");
    }
    assert_outcome!(
        get_req(&c, "ranges", "k").range("bytes=50000-"),
        "InvalidRange 416"
    );
    let e = err!(get_req(&c, "ranges", "k").if_match("\"nope\""));
    assert_eq!(status(&e), 412);
    ok!(get_req(&c, "ranges", "k").if_match(&etag));
    let e = err!(get_req(&c, "ranges", "k").if_none_match(&etag));
    assert_eq!(status(&e), 304);
    let later = aws_sdk_s3::primitives::DateTime::from_secs(4_000_000_000);
    let e = err!(get_req(&c, "ranges", "k").if_modified_since(later));
    assert_eq!(status(&e), 304);
    let earlier = aws_sdk_s3::primitives::DateTime::from_secs(1_000_000_000);
    let e = err!(get_req(&c, "ranges", "k").if_unmodified_since(earlier));
    assert_eq!(status(&e), 412);
    let got = ok!(get_req(&c, "ranges", "k")
        .response_content_type("text/plain")
        .response_content_disposition("attachment"));
    assert_eq!(got.content_type(), Some("text/plain"));
    assert_eq!(got.content_disposition(), Some("attachment"));
    // Conditional write: If-None-Match: * refuses to overwrite.
    let e = err!(put_req(&c, "ranges", "k", b"x").if_none_match("*"));
    assert_eq!(status(&e), 412);
}

#[tokio::test]
async fn checksums_are_verified_stored_and_returned() {
    let (_s, c) = Server::start_with_bucket("sums").await;
    for (i, alg) in [
        ChecksumAlgorithm::Crc32,
        ChecksumAlgorithm::Crc32C,
        ChecksumAlgorithm::Sha1,
        ChecksumAlgorithm::Sha256,
        ChecksumAlgorithm::Crc64Nvme,
    ]
    .into_iter()
    .enumerate()
    {
        let key = format!("k{i}");
        let body = data(70_000 + i, i as u64);
        ok!(c
            .put_object()
            .bucket("sums")
            .key(&key)
            .checksum_algorithm(alg.clone())
            .body(body.clone().into()));
        let got = get_with_checksums(&c, "sums", &key).await;
        let present = got.checksum_crc32().is_some()
            || got.checksum_crc32_c().is_some()
            || got.checksum_sha1().is_some()
            || got.checksum_sha256().is_some()
            || got.checksum_crc64_nvme().is_some();
        assert!(present, "{alg:?}");
        assert_eq!(body_bytes(got).await, body);
    }
    assert_fails!(
        put_req(&c, "sums", "bad", b"hello").checksum_crc32("AAAAAA=="),
        "BadDigest"
    );
    let e = get_err(&c, "sums", "bad").await;
    assert_eq!(code(&e), "NoSuchKey");
    assert_fails!(
        put_req(&c, "sums", "bad", b"hello").content_md5("1B2M2Y8AsgTpgAmY7PhCfg=="),
        "BadDigest"
    );
}

#[tokio::test]
async fn copy_tagging_attributes() {
    let (_s, c) = Server::start_with_bucket("copies").await;
    let body = data(30_000, 3);
    let tagging = "a=1&b=2";
    ok!(put_req(&c, "copies", "src", &body)
        .metadata("m", "1")
        .tagging(tagging));
    let out = ok!(copy_req(&c, "copies", "dst", "copies/src"));
    assert!(out.copy_object_result().unwrap().e_tag().is_some());
    let got = get_out(&c, "copies", "dst").await;
    assert_eq!(
        got.metadata().unwrap().get("m").map(String::as_str),
        Some("1")
    );
    assert_eq!(got.tag_count(), Some(2));
    assert_eq!(body_bytes(got).await, body);
    ok!(copy_req(&c, "copies", "dst2", "copies/src")
        .metadata_directive(MetadataDirective::Replace)
        .metadata("m", "2"));
    let head = head_of(&c, "copies", "dst2").await;
    assert_eq!(
        head.metadata().unwrap().get("m").map(String::as_str),
        Some("2")
    );
    assert_fails!(
        copy_req(&c, "copies", "src", "copies/src"),
        "InvalidRequest"
    );
    assert_fails!(copy_req(&c, "copies", "x", "copies/missing"), "NoSuchKey");
    let e = err!(copy_req(&c, "copies", "x", "copies/src").copy_source_if_match("\"zzz\""));
    assert_eq!(status(&e), 412);

    let tags = ok!(c.get_object_tagging().bucket("copies").key("src"));
    assert_eq!(tags.tag_set().len(), 2);
    let t = Tagging::builder()
        .tag_set(Tag::builder().key("x").value("y").build().unwrap())
        .build()
        .unwrap();
    ok!(c
        .put_object_tagging()
        .bucket("copies")
        .key("src")
        .tagging(t));
    assert_eq!(
        ok!(c.get_object_tagging().bucket("copies").key("src")).tag_set()[0].key(),
        "x"
    );
    ok!(c.delete_object_tagging().bucket("copies").key("src"));
    assert!(c
        .get_object_tagging()
        .bucket("copies")
        .key("src")
        .send()
        .await
        .unwrap()
        .tag_set()
        .is_empty());

    let attrs = ok!(attributes_req(
        &c,
        "copies",
        "src",
        &[ObjectAttributes::ObjectSize, ObjectAttributes::Etag]
    ));
    assert_eq!(attrs.object_size(), Some(30_000));
    assert!(attrs.e_tag().is_some());
}

#[tokio::test]
async fn delete_objects_and_odd_keys() {
    let (s, c) = Server::start_with_bucket("odd").await;
    let keys = [
        "../../etc/passwd",
        "ünïcödé/ключ",
        "a%2Fb",
        "sp ace",
        "x".repeat(1024).as_str().to_owned().leak(),
    ];
    for k in keys {
        ok!(put_req(&c, "odd", k, k.as_bytes()));
        assert_eq!(get_bytes(&c, "odd", k).await, k.as_bytes());
    }
    assert_fails!(
        put_req(&c, "odd", "y".repeat(1025), b"x"),
        "KeyTooLongError"
    );
    let objects: Vec<_> = keys
        .iter()
        .chain(["never-existed"].iter())
        .map(|k| {
            aws_sdk_s3::types::ObjectIdentifier::builder()
                .key(*k)
                .build()
                .unwrap()
        })
        .collect();
    let del = aws_sdk_s3::types::Delete::builder()
        .set_objects(Some(objects))
        .build()
        .unwrap();
    let out = ok!(c.delete_objects().bucket("odd").delete(del));
    assert_eq!(out.deleted().len(), 6);
    assert!(c
        .list_objects_v2()
        .bucket("odd")
        .send()
        .await
        .unwrap()
        .contents()
        .is_empty());
    // Nothing escaped the data dir.
    assert!(!s.data_dir().join("../etc").exists());
}

#[tokio::test]
async fn objects_survive_restart() {
    let (s, c) = Server::start_with_bucket("durable").await;
    let big = data(300_000, 9);
    put_bytes(&c, "durable", "big", &big).await;
    put_bytes(&c, "durable", "small", b"tiny").await;
    let dir = s.stop();
    let s = Server::start_in(dir).await;
    let c = s.s3();
    assert_eq!(get_bytes(&c, "durable", "big").await, big);
    assert_eq!(get_bytes(&c, "durable", "small").await, b"tiny");
}

/// Non-ASCII user metadata, as S3 documents it: a value sent raw (UTF-8) or as RFC 2047
/// encoded words is stored decoded, and returned as one base64 encoded word of its UTF-8
/// bytes so that response headers stay ASCII; ASCII values travel unchanged.
#[tokio::test]
async fn non_ascii_metadata_comes_back_as_encoded_words() {
    let (s, c) = Server::start_with_bucket("meta").await;
    for (key, sent, back) in [
        (
            "raw",
            "Hello World\u{e9}",
            "=?UTF-8?B?SGVsbG8gV29ybGTDqQ==?=",
        ),
        (
            "b",
            "=?UTF-8?B?SGVsbG8gV29ybGTDqQ==?=",
            "=?UTF-8?B?SGVsbG8gV29ybGTDqQ==?=",
        ),
        ("q", "=?UTF-8?Q?caf=C3=A9?=", "=?UTF-8?B?Y2Fmw6k=?="),
        ("ascii", "plain =?not a word", "plain =?not a word"),
    ] {
        ok!(put_req(&c, "meta", key, b"x").metadata("m", sent));
        let h = head_of(&c, "meta", key).await;
        assert_eq!(h.metadata().unwrap()["m"], back, "{key}");
        let g = get_out(&c, "meta", key).await;
        assert_eq!(g.metadata().unwrap()["m"], back, "{key}");
    }
    // The raw response header is ASCII.
    let r = Raw::new(&s, "GET", "/meta/raw").signed().send(&s).await;
    assert_eq!(
        r.header("x-amz-meta-m"),
        Some("=?UTF-8?B?SGVsbG8gV29ybGTDqQ==?=")
    );
}
