//! Authentication and body framing on the wire: signature failures, clock skew, presigned URLs,
//! aws-chunked bodies (signed, unsigned with trailer, signed with trailer), payload hashes,
//! anonymous requests, `Expect: 100-continue`, `Transfer-Encoding: chunked`, virtual-hosted
//! addressing and request ids.

use crate::common::*;
use aws_sdk_s3::presigning::PresigningConfig;
use base64::Engine;
use std::time::Duration;
use time::OffsetDateTime;
use trailstack_sigv4::{
    encode_signed_chunks, encode_unsigned_chunks, STREAMING_PAYLOAD, STREAMING_PAYLOAD_TRAILER,
    STREAMING_UNSIGNED_PAYLOAD_TRAILER, UNSIGNED_PAYLOAD,
};

fn crc32_b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(crc32fast::hash(b).to_be_bytes())
}

/// Undoes the XML escapes the server uses in error details.
fn unescape(s: &str) -> String {
    s.replace("&#10;", "\n")
        .replace("&#13;", "\r")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Files in the data dir's `tmp/` and blob files under `blobs/`.
fn tmp_and_blob_files(s: &Server) -> (usize, usize) {
    fn count(dir: &std::path::Path) -> usize {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return 0;
        };
        rd.flatten()
            .map(|e| {
                if e.path().is_dir() {
                    count(&e.path())
                } else {
                    1
                }
            })
            .sum()
    }
    (
        count(&s.data_dir().join("tmp")),
        count(&s.data_dir().join("blobs")),
    )
}

/// Asserts an S3 error response: status, code, and a request id header equal to the XML's.
fn assert_error(r: &RawResponse, status: u16, code: &str) {
    assert_eq!(r.status, status, "{}", r.text());
    assert_eq!(r.xml("Code").as_deref(), Some(code), "{}", r.text());
    let id = r.header("x-amz-request-id").expect("x-amz-request-id");
    assert!(!id.is_empty());
    assert_eq!(r.xml("RequestId").as_deref(), Some(id));
}

async fn head_status(s: &Server, path: &str) -> u16 {
    Raw::new(s, "HEAD", path).signed().send(s).await.status
}

#[tokio::test]
async fn wrong_secret_unknown_key_and_skew() {
    let s = Server::start().await;
    s.with_bucket("auth").await;

    // SDK with a wrong secret.
    let bad = s.s3_with("test", "wrong-secret");
    let e = bad
        .list_objects_v2()
        .bucket("auth")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "SignatureDoesNotMatch");
    assert_eq!(status(&e), 403);

    // Raw: the error names the string to sign the server computed, which is what we signed.
    let signer = Signer {
        access_key: "test",
        secret: "wrong-secret",
        time: OffsetDateTime::now_utc(),
    };
    let (req, _) = Raw::new(&s, "GET", "/auth?list-type=2").sign_with(&signer, None);
    let r = req.send(&s).await;
    assert_error(&r, 403, "SignatureDoesNotMatch");
    let sts = unescape(&r.xml("StringToSign").expect("StringToSign"));
    let amz = trailstack_sigv4::format_amz_date(signer.time);
    assert!(
        sts.starts_with(&format!(
            "AWS4-HMAC-SHA256\n{amz}\n{}/us-east-1/s3/aws4_request\n",
            &amz[..8]
        )),
        "{sts}"
    );
    assert_eq!(sts.lines().count(), 4);
    let canonical = unescape(&r.xml("CanonicalRequest").expect("CanonicalRequest"));
    assert!(
        canonical.starts_with("GET\n/auth\nlist-type=2\n"),
        "{canonical}"
    );
    assert_eq!(
        sts.lines().last().unwrap(),
        trailstack_sigv4::sha256_hex(canonical.as_bytes())
    );
    assert_eq!(r.xml("AWSAccessKeyId").as_deref(), Some("test"));

    // A tampered request signed with the right secret.
    let (mut req, _) = Raw::new(&s, "GET", "/auth?list-type=2").sign_with(&Signer::now(), None);
    req.query = "list-type=2&prefix=x".into();
    assert_error(&req.send(&s).await, 403, "SignatureDoesNotMatch");

    // Unknown access key.
    let e = s
        .s3_with("AKIDUNKNOWN", "whatever")
        .list_objects_v2()
        .bucket("auth")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidAccessKeyId");
    assert_eq!(status(&e), 403);
    let signer = Signer {
        access_key: "AKIDUNKNOWN",
        secret: "whatever",
        time: OffsetDateTime::now_utc(),
    };
    let r = Raw::new(&s, "GET", "/auth")
        .sign_with(&signer, None)
        .0
        .send(&s)
        .await;
    assert_error(&r, 403, "InvalidAccessKeyId");
    assert_eq!(r.xml("AWSAccessKeyId").as_deref(), Some("AKIDUNKNOWN"));

    // Dated 20 minutes ago, and 20 minutes ahead.
    for minutes in [-20i64, 20] {
        let signer = Signer {
            access_key: "test",
            secret: "test",
            time: OffsetDateTime::now_utc() + time::Duration::minutes(minutes),
        };
        let r = Raw::new(&s, "GET", "/auth")
            .sign_with(&signer, None)
            .0
            .send(&s)
            .await;
        assert_error(&r, 403, "RequestTimeTooSkewed");
        assert!(r.xml("RequestTime").is_some());
        assert!(r.xml("ServerTime").is_some());
    }
    // Four minutes is within the allowed skew.
    let signer = Signer {
        access_key: "test",
        secret: "test",
        time: OffsetDateTime::now_utc() - time::Duration::minutes(4),
    };
    let r = Raw::new(&s, "GET", "/auth")
        .sign_with(&signer, None)
        .0
        .send(&s)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());

    // Anonymous requests are denied.
    for (m, p) in [("GET", "/auth"), ("GET", "/auth/k"), ("GET", "/")] {
        let r = Raw::new(&s, m, p).send(&s).await;
        assert_error(&r, 403, "AccessDenied");
    }
    let r = Raw::new(&s, "PUT", "/auth/anon").body("x").send(&s).await;
    assert_error(&r, 403, "AccessDenied");
    assert_eq!(head_status(&s, "/auth/anon").await, 404);
    let r = Raw::new(&s, "HEAD", "/auth").send(&s).await;
    assert_eq!(r.status, 403);
    assert!(r.header("x-amz-request-id").is_some());
}

#[tokio::test]
async fn presigned_urls() {
    let s = Server::start().await;
    let c = s.with_bucket("pre").await;
    c.put_object()
        .bucket("pre")
        .key("a b/obj")
        .body(b"presigned body".to_vec().into())
        .send()
        .await
        .unwrap();

    // Presigned with our signer.
    let r = Raw::new(&s, "GET", "/pre/a%20b/obj")
        .presigned(&Signer::now(), 300)
        .send(&s)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.body, b"presigned body");
    assert!(r.header("x-amz-request-id").is_some());

    // Presigned by the SDK.
    let req = c
        .get_object()
        .bucket("pre")
        .key("a b/obj")
        .presigned(PresigningConfig::expires_in(Duration::from_secs(60)).unwrap())
        .await
        .unwrap();
    let url = req.uri().strip_prefix(&s.endpoint).unwrap().to_string();
    let r = Raw::new(&s, "GET", &url).send(&s).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.body, b"presigned body");

    // A presigned PUT.
    let req = c
        .put_object()
        .bucket("pre")
        .key("put-by-url")
        .presigned(PresigningConfig::expires_in(Duration::from_secs(60)).unwrap())
        .await
        .unwrap();
    let url = req.uri().strip_prefix(&s.endpoint).unwrap().to_string();
    let mut raw = Raw::new(&s, "PUT", &url).body("via url");
    for (k, v) in req.headers() {
        if k != "host" {
            raw = raw.header(k, v);
        }
    }
    let r = raw.send(&s).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(get_bytes(&c, "pre", "put-by-url").await, b"via url");

    // Expired: signed two hours ago for one hour.
    let old = Signer {
        access_key: "test",
        secret: "test",
        time: OffsetDateTime::now_utc() - time::Duration::hours(2),
    };
    let r = Raw::new(&s, "GET", "/pre/a%20b/obj")
        .presigned(&old, 3600)
        .send(&s)
        .await;
    assert_error(&r, 403, "AccessDenied");
    assert_eq!(r.xml("Message").as_deref(), Some("Request has expired"));
    // The SDK's presigned URL with a start time in the past.
    let req = c
        .get_object()
        .bucket("pre")
        .key("a b/obj")
        .presigned(
            PresigningConfig::builder()
                .start_time(std::time::SystemTime::now() - Duration::from_secs(7200))
                .expires_in(Duration::from_secs(60))
                .build()
                .unwrap(),
        )
        .await
        .unwrap();
    let url = req.uri().strip_prefix(&s.endpoint).unwrap().to_string();
    let r = Raw::new(&s, "GET", &url).send(&s).await;
    assert_error(&r, 403, "AccessDenied");
    assert_eq!(r.xml("Message").as_deref(), Some("Request has expired"));

    // X-Amz-Expires=0 is well formed and expired once used (403); a negative value or more
    // than a week is a malformed URL (400), as S3 answers them.
    let zero = Signer {
        access_key: "test",
        secret: "test",
        time: OffsetDateTime::now_utc() - time::Duration::seconds(2),
    };
    let r = Raw::new(&s, "GET", "/pre/a%20b/obj")
        .presigned(&zero, 0)
        .send(&s)
        .await;
    assert_error(&r, 403, "AccessDenied");
    assert_eq!(r.xml("Message").as_deref(), Some("Request has expired"));
    for (expires, message) in [
        (
            "609901",
            "X-Amz-Expires must be less than a week (in seconds); that is, the given \
             X-Amz-Expires must be less than 604800 seconds",
        ),
        ("-7", "X-Amz-Expires must be non-negative"),
    ] {
        let mut req = Raw::new(&s, "GET", "/pre/a%20b/obj").presigned(&Signer::now(), 60);
        req.query = req
            .query
            .replace("X-Amz-Expires=60", &format!("X-Amz-Expires={expires}"));
        let r = req.send(&s).await;
        assert_error(&r, 400, "AuthorizationQueryParametersError");
        assert_eq!(r.xml("Message").as_deref(), Some(message));
    }

    // Keys with characters that need encoding, presigned by the SDK.
    for key in ["a+b=c&d", "sp ace/ü~(x)!*'", "dir//double", "%41"] {
        c.put_object()
            .bucket("pre")
            .key(key)
            .body(key.as_bytes().to_vec().into())
            .send()
            .await
            .unwrap();
        let req = c
            .get_object()
            .bucket("pre")
            .key(key)
            .presigned(PresigningConfig::expires_in(Duration::from_secs(60)).unwrap())
            .await
            .unwrap();
        let url = req.uri().strip_prefix(&s.endpoint).unwrap().to_string();
        let r = Raw::new(&s, "GET", &url).send(&s).await;
        assert_eq!(r.status, 200, "{key}: {}", r.text());
        assert_eq!(r.body, key.as_bytes(), "{key}");
    }

    // A presigned URL with a wrong secret, and one whose path was changed.
    let bad = Signer {
        access_key: "test",
        secret: "nope",
        time: OffsetDateTime::now_utc(),
    };
    let r = Raw::new(&s, "GET", "/pre/a%20b/obj")
        .presigned(&bad, 300)
        .send(&s)
        .await;
    assert_error(&r, 403, "SignatureDoesNotMatch");
    let mut req = Raw::new(&s, "GET", "/pre/a%20b/obj").presigned(&Signer::now(), 300);
    req.path = "/pre/other".into();
    assert_error(&req.send(&s).await, 403, "SignatureDoesNotMatch");
}

/// A PUT with aws-chunked headers for `data_len` decoded bytes (body and signing to add).
fn chunked_put(s: &Server, path: &str, data_len: usize, trailer: Option<&str>) -> Raw {
    let mut r = Raw::new(s, "PUT", path)
        .header("content-encoding", "aws-chunked")
        .header("x-amz-decoded-content-length", &data_len.to_string());
    if let Some(t) = trailer {
        r = r.header("x-amz-trailer", t);
    }
    r
}

#[tokio::test]
async fn signed_aws_chunked_bodies() {
    let s = Server::start().await;
    let c = s.with_bucket("chunks").await;
    let data = data(200_000, 7);

    // Build, sign, then frame the body with the request's seed signature.
    let signed_put = |key: &str, flip: Option<usize>, trailers: Option<Vec<(&str, String)>>| {
        let signer = Signer::now();
        let mode = if trailers.is_some() {
            STREAMING_PAYLOAD_TRAILER
        } else {
            STREAMING_PAYLOAD
        };
        let trailer_name = trailers.as_ref().map(|t| t[0].0);
        let chunk = 64 * 1024;
        // The framed length does not depend on signatures (all 64 hex chars).
        let probe_signer = signer.chunk_signer(&"0".repeat(64));
        let tr: Option<Vec<(&str, &str)>> = trailers
            .as_ref()
            .map(|t| t.iter().map(|(k, v)| (*k, v.as_str())).collect());
        let framed_len = encode_signed_chunks(&probe_signer, &data, chunk, tr.as_deref()).len();
        let req = chunked_put(&s, &format!("/chunks/{key}"), data.len(), trailer_name)
            .header("content-length", &framed_len.to_string());
        let (req, seed) = req.sign_with(&signer, Some(mode));
        let mut body =
            encode_signed_chunks(&signer.chunk_signer(&seed), &data, chunk, tr.as_deref());
        assert_eq!(body.len(), framed_len);
        if let Some(at) = flip {
            // The data byte `at` sits after the first chunk header line.
            let header_len = body.iter().position(|&b| b == b'\n').unwrap() + 1;
            let chunk_n = at / chunk;
            let pos = at + header_len * (chunk_n + 1) + chunk_n * 2;
            body[pos] ^= 0x01;
        }
        req.body(body)
    };

    let r = signed_put("good", None, None).send(&s).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let md5 = {
        use md5::Digest;
        hex::encode(md5::Md5::digest(&data))
    };
    assert_eq!(r.header("etag"), Some(format!("\"{md5}\"").as_str()));
    let got = c
        .get_object()
        .bucket("chunks")
        .key("good")
        .send()
        .await
        .unwrap();
    assert_eq!(got.content_length(), Some(data.len() as i64));
    assert!(body_bytes(got).await == data);
    let (tmp, blobs_before) = tmp_and_blob_files(&s);
    assert_eq!(tmp, 0);

    // One flipped data byte (in the third chunk, after two chunks were accepted).
    let r = signed_put("bad", Some(150_000), None).send(&s).await;
    assert_error(&r, 403, "SignatureDoesNotMatch");
    assert_eq!(head_status(&s, "/chunks/bad").await, 404);
    assert_eq!(tmp_and_blob_files(&s), (0, blobs_before));
    // And in the first chunk.
    let r = signed_put("bad", Some(10), None).send(&s).await;
    assert_error(&r, 403, "SignatureDoesNotMatch");
    assert_eq!(head_status(&s, "/chunks/bad").await, 404);
    assert_eq!(tmp_and_blob_files(&s), (0, blobs_before));

    // Signed chunks with a signed checksum trailer.
    let crc = crc32_b64(&data);
    let r = signed_put(
        "trailer",
        None,
        Some(vec![("x-amz-checksum-crc32", crc.clone())]),
    )
    .send(&s)
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("x-amz-checksum-crc32"), Some(crc.as_str()));
    let got = c
        .get_object()
        .bucket("chunks")
        .key("trailer")
        .checksum_mode(aws_sdk_s3::types::ChecksumMode::Enabled)
        .send()
        .await
        .unwrap();
    assert_eq!(got.checksum_crc32(), Some(crc.as_str()));
    assert!(body_bytes(got).await == data);
    // The signed trailer with a wrong (but correctly signed) checksum.
    let r = signed_put(
        "trailer-bad",
        None,
        Some(vec![("x-amz-checksum-crc32", crc32_b64(b"other"))]),
    )
    .send(&s)
    .await;
    assert_error(&r, 400, "BadDigest");
    assert_eq!(head_status(&s, "/chunks/trailer-bad").await, 404);
    // A flipped byte with a trailer.
    let r = signed_put(
        "trailer-flip",
        Some(70_000),
        Some(vec![("x-amz-checksum-crc32", crc.clone())]),
    )
    .send(&s)
    .await;
    assert_error(&r, 403, "SignatureDoesNotMatch");
    assert_eq!(head_status(&s, "/chunks/trailer-flip").await, 404);
    let (tmp, _) = tmp_and_blob_files(&s);
    assert_eq!(tmp, 0);

    // A decoded length that does not match the chunks.
    let signer = Signer::now();
    let small = b"twelve bytes";
    let framed_len =
        encode_signed_chunks(&signer.chunk_signer(&"0".repeat(64)), small, 64, None).len();
    let (req, seed) = chunked_put(&s, "/chunks/short", small.len() + 5, None)
        .header("content-length", &framed_len.to_string())
        .sign_with(&signer, Some(STREAMING_PAYLOAD));
    let body = encode_signed_chunks(&signer.chunk_signer(&seed), small, 64, None);
    let r = req.body(body).send(&s).await;
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(head_status(&s, "/chunks/short").await, 404);
    // A chunked body cut short.
    let (req, seed) = chunked_put(&s, "/chunks/cut", data.len(), None)
        .header("content-length", &(framed_len).to_string())
        .sign_with(&signer, Some(STREAMING_PAYLOAD));
    let mut body = encode_signed_chunks(&signer.chunk_signer(&seed), &data, 64 * 1024, None);
    body.truncate(framed_len);
    let r = req.body(body).send(&s).await;
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(head_status(&s, "/chunks/cut").await, 404);
    assert_eq!(tmp_and_blob_files(&s).0, 0);
}

#[tokio::test]
async fn unsigned_trailer_bodies() {
    let s = Server::start().await;
    let c = s.with_bucket("utrail").await;
    let data = data(100_000, 9);
    let put = |key: &str, crc: &str| {
        let body = encode_unsigned_chunks(&data, 8192, &[("x-amz-checksum-crc32", crc)]);
        chunked_put(
            &s,
            &format!("/utrail/{key}"),
            data.len(),
            Some("x-amz-checksum-crc32"),
        )
        .header("content-length", &body.len().to_string())
        .body(body)
        .sign_with(&Signer::now(), Some(STREAMING_UNSIGNED_PAYLOAD_TRAILER))
        .0
    };
    let crc = crc32_b64(&data);
    let r = put("ok", &crc).send(&s).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("x-amz-checksum-crc32"), Some(crc.as_str()));
    let got = c
        .get_object()
        .bucket("utrail")
        .key("ok")
        .checksum_mode(aws_sdk_s3::types::ChecksumMode::Enabled)
        .send()
        .await
        .unwrap();
    assert_eq!(got.checksum_crc32(), Some(crc.as_str()));
    assert!(body_bytes(got).await == data);
    let attrs = c
        .get_object_attributes()
        .bucket("utrail")
        .key("ok")
        .object_attributes(aws_sdk_s3::types::ObjectAttributes::Checksum)
        .send()
        .await
        .unwrap();
    assert_eq!(
        attrs.checksum().and_then(|c| c.checksum_crc32()),
        Some(crc.as_str())
    );
    let (_, blobs_before) = tmp_and_blob_files(&s);

    // A wrong trailer value: BadDigest, nothing stored, nothing left behind.
    let r = put("wrong", &crc32_b64(b"not the data")).send(&s).await;
    assert_error(&r, 400, "BadDigest");
    assert_eq!(head_status(&s, "/utrail/wrong").await, 404);
    assert_eq!(tmp_and_blob_files(&s), (0, blobs_before));
    // Overwriting an existing key with a bad upload keeps the old object.
    let r = put("ok", &crc32_b64(b"nope")).send(&s).await;
    assert_error(&r, 400, "BadDigest");
    let got = c
        .get_object()
        .bucket("utrail")
        .key("ok")
        .send()
        .await
        .unwrap();
    assert!(body_bytes(got).await == data);
}

#[tokio::test]
async fn payload_hash_and_plain_bodies() {
    let s = Server::start().await;
    let c = s.with_bucket("plain").await;

    // A hex x-amz-content-sha256 that does not match the body.
    let body = data(50_000, 3);
    let wrong = trailstack_sigv4::sha256_hex(b"something else");
    let r = Raw::new(&s, "PUT", "/plain/mismatch")
        .body(body.clone())
        .sign_with(&Signer::now(), Some(&wrong))
        .0
        .send(&s)
        .await;
    assert_error(&r, 400, "XAmzContentSHA256Mismatch");
    assert_eq!(head_status(&s, "/plain/mismatch").await, 404);
    assert_eq!(tmp_and_blob_files(&s), (0, 0));
    // The same with a small (inline) body.
    let r = Raw::new(&s, "PUT", "/plain/mismatch")
        .body("tiny")
        .sign_with(&Signer::now(), Some(&wrong))
        .0
        .send(&s)
        .await;
    assert_error(&r, 400, "XAmzContentSHA256Mismatch");
    assert_eq!(head_status(&s, "/plain/mismatch").await, 404);
    // The right hash.
    let r = Raw::new(&s, "PUT", "/plain/match")
        .body(body.clone())
        .signed()
        .send(&s)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());

    // Expect: 100-continue.
    let mut req = Raw::new(&s, "PUT", "/plain/continue")
        .header("expect", "100-continue")
        .body(body.clone())
        .signed();
    req.expect_continue = true;
    let r = req.send(&s).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let got = c
        .get_object()
        .bucket("plain")
        .key("continue")
        .send()
        .await
        .unwrap();
    assert!(body_bytes(got).await == body);

    // Transfer-Encoding: chunked with UNSIGNED-PAYLOAD.
    let mut framed = Vec::new();
    for piece in body.chunks(10_000) {
        framed.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
        framed.extend_from_slice(piece);
        framed.extend_from_slice(b"\r\n");
    }
    framed.extend_from_slice(b"0\r\n\r\n");
    let r = Raw::new(&s, "PUT", "/plain/te")
        .header("transfer-encoding", "chunked")
        .sign_with(&Signer::now(), Some(UNSIGNED_PAYLOAD))
        .0
        .body(framed)
        .send(&s)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let got = c
        .get_object()
        .bucket("plain")
        .key("te")
        .send()
        .await
        .unwrap();
    assert_eq!(got.content_length(), Some(body.len() as i64));
    assert!(body_bytes(got).await == body);

    // UNSIGNED-PAYLOAD with Content-Length.
    let r = Raw::new(&s, "PUT", "/plain/unsigned")
        .body("unsigned")
        .sign_with(&Signer::now(), Some(UNSIGNED_PAYLOAD))
        .0
        .send(&s)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(get_bytes(&c, "plain", "unsigned").await, b"unsigned");
}

#[tokio::test]
async fn virtual_hosted_style_and_request_ids() {
    let s = Server::start().await;
    let c = s.with_bucket("vhost").await;
    c.put_object()
        .bucket("vhost")
        .key("dir/k")
        .body(b"virtual".to_vec().into())
        .send()
        .await
        .unwrap();
    let port = host_of(&s).rsplit_once(':').unwrap().1.to_string();
    let host = format!("vhost.localhost:{port}");

    let r = Raw::new(&s, "GET", "/dir/k")
        .header("host", &host)
        .signed()
        .send(&s)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.body, b"virtual");
    let r = Raw::new(&s, "GET", "/?list-type=2")
        .header("host", &host)
        .signed()
        .send(&s)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.xml("Name").as_deref(), Some("vhost"));
    assert_eq!(r.xml("Key").as_deref(), Some("dir/k"));
    let r = Raw::new(&s, "PUT", "/put-vh")
        .header("host", &host)
        .body("by host")
        .signed()
        .send(&s)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(get_bytes(&c, "vhost", "put-vh").await, b"by host");
    // A bucket that does not exist, addressed by host.
    let r = Raw::new(&s, "GET", "/k")
        .header("host", &format!("nope-bucket.localhost:{port}"))
        .signed()
        .send(&s)
        .await;
    assert_error(&r, 404, "NoSuchBucket");

    // The SDK in virtual-hosted mode against bucket.localhost.
    let vc = Via::new(&format!("http://localhost:{port}"))
        .virtual_hosted()
        .s3();
    match vc.get_object().bucket("vhost").key("dir/k").send().await {
        Ok(got) => assert_eq!(body_bytes(got).await, b"virtual"),
        // vhost.localhost may not resolve on this machine; the raw requests above cover it.
        Err(e) => assert!(e.raw_response().is_none(), "{e:?}"),
    }

    // Request ids: on successes, unique per request; on errors equal to the XML's RequestId.
    let mut ids = std::collections::HashSet::new();
    for path in ["/vhost", "/vhost/dir/k", "/vhost?versioning", "/"] {
        let r = Raw::new(&s, "GET", path).signed().send(&s).await;
        assert_eq!(r.status, 200, "{path}: {}", r.text());
        let id = r.header("x-amz-request-id").expect("x-amz-request-id");
        assert!(ids.insert(id.to_string()), "duplicate request id {id}");
    }
    for (path, status, code) in [
        ("/vhost/missing", 404, "NoSuchKey"),
        ("/no-such-bucket-x", 404, "NoSuchBucket"),
        ("/no-such-bucket-x/k", 404, "NoSuchBucket"),
        ("/vhost?list-type=9", 400, "InvalidArgument"),
    ] {
        let r = Raw::new(&s, "GET", path).signed().send(&s).await;
        assert_error(&r, status, code);
        assert!(ids.insert(r.header("x-amz-request-id").unwrap().to_string()));
    }
    // The SDK sees the same id.
    let e = c
        .get_object()
        .bucket("vhost")
        .key("missing")
        .send()
        .await
        .unwrap_err();
    let raw = e.raw_response().unwrap();
    let header = raw.headers().get("x-amz-request-id").unwrap().to_string();
    use aws_sdk_s3::operation::RequestId;
    assert_eq!(
        e.as_service_error().unwrap().request_id(),
        Some(header.as_str())
    );
}
