//! S3's (and KMS's) limits as AWS states them, each answered with AWS's error: user metadata
//! (2 KiB), keys per DeleteObjects (1,000), part numbers (1..=10,000), a single PUT (5 GiB,
//! refused from its Content-Length before any body byte), tags (10 per object, 50 per bucket
//! and per KMS key), the request header section (8 KiB), key length (1,024 bytes).

use crate::common::*;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{Delete, ObjectIdentifier, Tag, Tagging};
use std::time::Duration;

/// A raw PUT of `key` in `bucket` declaring `len` body bytes it never sends, signed with
/// UNSIGNED-PAYLOAD. The answer must come without the body.
async fn put_declaring(s: &Server, path: &str, len: u64) -> RawResponse {
    let req = Raw::new(s, "PUT", path)
        .header("content-length", &len.to_string())
        .sign_with(&Signer::now(), Some("UNSIGNED-PAYLOAD"))
        .0;
    tokio::time::timeout(Duration::from_secs(20), req.send(s))
        .await
        .expect("the server waited for a body it should refuse")
}

#[tokio::test]
async fn limits_user_metadata_over_2_kib_is_metadata_too_large() {
    let (_s, c) = Server::start_with_bucket("meta").await;
    // 2,048 bytes of names and values: the most S3 takes.
    let put = |value: String| {
        c.put_object()
            .bucket("meta")
            .key("k")
            .metadata("a", "1")
            .metadata("big", value)
            .body(ByteStream::from_static(b"x"))
            .send()
    };
    put("v".repeat(2048 - 1 - 1 - 3)).await.unwrap();
    let e = put("v".repeat(2048 - 1 - 1 - 3 + 1)).await.unwrap_err();
    assert_eq!(code(&e), "MetadataTooLarge");
    assert_eq!(status(&e), 400);
}

#[tokio::test]
async fn limits_delete_objects_over_1000_keys_is_malformed_xml() {
    let (_s, c) = Server::start_with_bucket("many").await;
    let delete = |n: usize| {
        let objects = (0..n)
            .map(|i| {
                ObjectIdentifier::builder()
                    .key(format!("k{i}"))
                    .build()
                    .unwrap()
            })
            .collect();
        let d = Delete::builder()
            .set_objects(Some(objects))
            .quiet(true)
            .build()
            .unwrap();
        c.delete_objects().bucket("many").delete(d).send()
    };
    let out = delete(1000).await.unwrap();
    assert!(out.errors().is_empty());
    let e = delete(1001).await.unwrap_err();
    assert_eq!(code(&e), "MalformedXML");
    assert_eq!(status(&e), 400);
}

#[tokio::test]
async fn limits_part_numbers_outside_1_to_10000_are_invalid_argument() {
    let (_s, c) = Server::start_with_bucket("parts").await;
    let up = ok!(create_upload_req(&c, "parts", "big"));
    let id = up.upload_id().unwrap();
    let part = |n: i32| {
        c.upload_part()
            .bucket("parts")
            .key("big")
            .upload_id(id)
            .part_number(n)
            .body(ByteStream::from_static(b"part"))
            .send()
    };
    part(10_000).await.unwrap();
    for n in [0, 10_001] {
        let e = part(n).await.unwrap_err();
        assert_eq!(code(&e), "InvalidArgument", "part {n}");
        assert_eq!(status(&e), 400);
    }
}

#[tokio::test]
async fn limits_a_put_over_5_gib_is_entity_too_large_before_its_body() {
    let (s, c) = Server::start_with_bucket("huge").await;
    let max = 5u64 * 1024 * 1024 * 1024;
    let r = put_declaring(&s, "/huge/object", max + 1).await;
    r.assert_code(400, "EntityTooLarge");
    assert_eq!(r.xml("MaxSizeAllowed"), Some(max.to_string()));
    assert_eq!(r.xml("ProposedSize"), Some((max + 1).to_string()));

    // A part has the same bound.
    let up = ok!(create_upload_req(&c, "huge", "parted"));
    let path = format!(
        "/huge/parted?partNumber=1&uploadId={}",
        up.upload_id().unwrap()
    );
    let r = put_declaring(&s, &path, max + 1).await;
    assert_eq!(
        r.xml("Code").as_deref(),
        Some("EntityTooLarge"),
        "{}",
        r.text()
    );
}

fn tags(n: usize) -> Tagging {
    let set = (0..n)
        .map(|i| {
            Tag::builder()
                .key(format!("t{i}"))
                .value("v")
                .build()
                .unwrap()
        })
        .collect();
    Tagging::builder().set_tag_set(Some(set)).build().unwrap()
}

#[tokio::test]
async fn limits_tags_10_per_object_50_per_bucket_and_kms_key() {
    let (s, c) = Server::start_with_bucket("tagged").await;
    put_bytes(&c, "tagged", "k", b"x").await;
    let object = |n| {
        c.put_object_tagging()
            .bucket("tagged")
            .key("k")
            .tagging(tags(n))
            .send()
    };
    object(10).await.unwrap();
    let e = object(11).await.unwrap_err();
    assert_eq!(code(&e), "BadRequest");
    assert_eq!(status(&e), 400);
    assert_eq!(
        e.as_service_error().and_then(|e| e.meta().message()),
        Some("Object tags cannot be greater than 10")
    );
    let header: Vec<String> = (0..11).map(|i| format!("t{i}=v")).collect();
    assert_fails!(
        put_req(&c, "tagged", "by-header", b"x").tagging(header.join("&")),
        "BadRequest"
    );

    let bucket = |n| {
        c.put_bucket_tagging()
            .bucket("tagged")
            .tagging(tags(n))
            .send()
    };
    bucket(50).await.unwrap();
    let e = bucket(51).await.unwrap_err();
    assert_eq!(code(&e), "BadRequest");
    assert_eq!(
        e.as_service_error().and_then(|e| e.meta().message()),
        Some("Bucket tag count cannot be greater than 50")
    );

    let kms = s.kms();
    let key = kms.create_key().send().await.unwrap();
    let id = key.key_metadata().unwrap().key_id();
    let kms_tags = |n: usize| {
        (0..n)
            .map(|i| {
                aws_sdk_kms::types::Tag::builder()
                    .tag_key(format!("t{i}"))
                    .tag_value("v")
                    .build()
                    .unwrap()
            })
            .collect::<Vec<_>>()
    };
    ok!(kms.tag_resource().key_id(id).set_tags(Some(kms_tags(50))));
    assert_fails!(
        kms.tag_resource().key_id(id).set_tags(Some(kms_tags(51))),
        "TagException"
    );
}

#[tokio::test]
async fn limits_a_header_section_over_8_kib_is_refused_not_hung() {
    let s = Server::start().await;
    s.with_bucket("headers").await;
    let s = &s;
    let send = |req: Raw| async move {
        tokio::time::timeout(Duration::from_secs(20), req.send(s))
            .await
            .expect("no answer to an oversized request")
    };
    let ok = send(
        Raw::new(s, "GET", "/headers")
            .header("x-pad", &"p".repeat(6000))
            .signed(),
    )
    .await;
    assert_eq!(ok.status, 200, "{}", ok.text());

    let r = send(
        Raw::new(s, "GET", "/headers")
            .header("x-pad", &"p".repeat(9000))
            .signed(),
    )
    .await;
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(
        r.xml("Code").as_deref(),
        Some("RequestHeaderSectionTooLarge")
    );
    assert_eq!(r.xml("MaxSizeAllowed").as_deref(), Some("8192"));

    // Past what the HTTP parser buffers, or with more headers than it takes, the answer is
    // HTTP's own 431 rather than a stalled connection. (A client still writing a megabyte of
    // headers may see the connection reset before it reads the 431.)
    let huge = format!(
        "GET /headers HTTP/1.1\r\nhost: {}\r\nx-pad: {}\r\n\r\n",
        host_of(s),
        "p".repeat(1 << 20)
    );
    let answer = tokio::time::timeout(Duration::from_secs(20), exchange(s, huge.as_bytes()))
        .await
        .expect("no answer to a megabyte of headers");
    assert!(
        answer.is_empty() || answer.starts_with(b"HTTP/1.1 431"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
    let mut many = Raw::new(s, "GET", "/headers");
    for i in 0..600 {
        many = many.header(&format!("x-h{i}"), "v");
    }
    assert_eq!(send(many).await.status, 431);
}

#[tokio::test]
async fn limits_a_key_over_1024_bytes_is_key_too_long() {
    let (_s, c) = Server::start_with_bucket("keys").await;
    let put = |key: String| put_req(&c, "keys", key, b"x").send();
    put("k".repeat(1024)).await.unwrap();
    // 1,025 bytes in UTF-8, fewer characters.
    let e = put(format!("{}é", "k".repeat(1023))).await.unwrap_err();
    assert_eq!(code(&e), "KeyTooLongError");
    assert_eq!(status(&e), 400);
}

/// Writes `request` (ignoring a write the server cut short) and reads until the server closes;
/// returns what was read before the close or a reset.
async fn exchange(s: &Server, request: &[u8]) -> Vec<u8> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(host_of(s)).await.unwrap();
    let _ = stream.write_all(request).await;
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(n @ 1..) = stream.read(&mut buf).await {
        answer.extend_from_slice(&buf[..n]);
    }
    answer
}
