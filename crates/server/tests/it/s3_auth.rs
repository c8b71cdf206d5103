//! Authentication on the wire: signature failures, clock skew, presigned URLs, payload hashes,
//! anonymous requests, `Expect: 100-continue`, `Transfer-Encoding: chunked`, virtual-hosted
//! addressing and request ids. aws-chunked bodies are in `s3_auth_chunked`.

use crate::common::*;
use aws_sdk_s3::presigning::{PresignedRequest, PresigningConfig};
use base64::Engine;
use std::time::Duration;
use time::OffsetDateTime;
use trailstack_sigv4::UNSIGNED_PAYLOAD;

pub fn crc32_b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(crc32fast::hash(b).to_be_bytes())
}

/// Undoes the XML escapes the server uses in error details.
pub fn unescape(s: &str) -> String {
    s.replace("&#10;", "\n")
        .replace("&#13;", "\r")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Files in the data dir's `tmp/` and blob files under `blobs/`.
pub fn tmp_and_blob_files(s: &Server) -> (usize, usize) {
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
pub fn assert_error(r: &RawResponse, status: u16, code: &str) {
    assert_eq!(r.status, status, "{}", r.text());
    assert_eq!(r.xml("Code").as_deref(), Some(code), "{}", r.text());
    let id = r.header("x-amz-request-id").expect("x-amz-request-id");
    assert!(!id.is_empty());
    assert_eq!(r.xml("RequestId").as_deref(), Some(id));
}

/// A presigning configuration valid for a minute.
fn one_minute() -> PresigningConfig {
    PresigningConfig::expires_in(Duration::from_secs(60)).unwrap()
}

/// The path and query of the SDK's presigned request `req` on `s`.
fn presigned_path(s: &Server, req: &PresignedRequest) -> String {
    req.uri().strip_prefix(&s.endpoint).unwrap().to_string()
}

/// GETs the SDK's presigned URL `req` as it is.
async fn get_presigned(s: &Server, req: &PresignedRequest) -> RawResponse {
    Raw::new(s, "GET", &presigned_path(s, req)).send(s).await
}

/// Asserts `r` is S3's refusal of an expired presigned URL.
fn assert_expired(r: &RawResponse) {
    assert_error(r, 403, "AccessDenied");
    assert_eq!(r.xml("Message").as_deref(), Some("Request has expired"));
}

pub async fn head_status(s: &Server, path: &str) -> u16 {
    Raw::new(s, "HEAD", path).signed().send(s).await.status
}

#[tokio::test]
async fn wrong_secret_unknown_key_and_skew() {
    let s = Server::start().await;
    s.with_bucket("auth").await;

    // SDK with a wrong secret.
    let bad = s.s3_with("test", "wrong-secret");
    assert_outcome!(
        bad.list_objects_v2().bucket("auth"),
        "SignatureDoesNotMatch 403"
    );

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
    assert_outcome!(
        s.s3_with("AKIDUNKNOWN", "whatever")
            .list_objects_v2()
            .bucket("auth"),
        "InvalidAccessKeyId 403"
    );
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
        let signer = Signer::at(OffsetDateTime::now_utc() + time::Duration::minutes(minutes));
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
    let signer = Signer::at(OffsetDateTime::now_utc() - time::Duration::minutes(4));
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
    let (s, c) = Server::start_with_bucket("pre").await;
    put_bytes(&c, "pre", "a b/obj", b"presigned body").await;

    // Presigned with our signer.
    let r = Raw::new(&s, "GET", "/pre/a%20b/obj")
        .presigned(&Signer::now(), 300)
        .send(&s)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.body, b"presigned body");
    assert!(r.header("x-amz-request-id").is_some());

    // Presigned by the SDK.
    let req = get_req(&c, "pre", "a b/obj")
        .presigned(one_minute())
        .await
        .unwrap();
    let r = get_presigned(&s, &req).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.body, b"presigned body");

    // A presigned PUT.
    let req = put_req(&c, "pre", "put-by-url", b"")
        .presigned(one_minute())
        .await
        .unwrap();
    let mut raw = Raw::new(&s, "PUT", &presigned_path(&s, &req)).body("via url");
    for (k, v) in req.headers() {
        if k != "host" {
            raw = raw.header(k, v);
        }
    }
    let r = raw.send(&s).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(get_bytes(&c, "pre", "put-by-url").await, b"via url");

    // Expired: signed two hours ago for one hour; and X-Amz-Expires=0, well formed and
    // expired once used (403).
    for (ago, expires) in [
        (time::Duration::hours(2), 3600),
        (time::Duration::seconds(2), 0),
    ] {
        let signer = Signer::at(OffsetDateTime::now_utc() - ago);
        let r = Raw::new(&s, "GET", "/pre/a%20b/obj")
            .presigned(&signer, expires)
            .send(&s)
            .await;
        assert_expired(&r);
    }
    // The SDK's presigned URL with a start time in the past.
    let req = get_req(&c, "pre", "a b/obj")
        .presigned(
            PresigningConfig::builder()
                .start_time(std::time::SystemTime::now() - Duration::from_secs(7200))
                .expires_in(Duration::from_secs(60))
                .build()
                .unwrap(),
        )
        .await
        .unwrap();
    assert_expired(&get_presigned(&s, &req).await);

    // A negative X-Amz-Expires or more than a week is a malformed URL (400), as S3 answers them.
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
        ok!(put_req(&c, "pre", key, key.as_bytes()));
        let req = get_req(&c, "pre", key)
            .presigned(one_minute())
            .await
            .unwrap();
        let r = get_presigned(&s, &req).await;
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

#[tokio::test]
async fn payload_hash_and_plain_bodies() {
    let (s, c) = Server::start_with_bucket("plain").await;

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
        .send_signed(&s)
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
    let got = get_out(&c, "plain", "continue").await;
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
    let got = get_out(&c, "plain", "te").await;
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
    let (s, c) = Server::start_with_bucket("vhost").await;
    put_bytes(&c, "vhost", "dir/k", b"virtual").await;
    let port = host_of(&s).rsplit_once(':').unwrap().1.to_string();
    let host = format!("vhost.localhost:{port}");

    let r = Raw::new(&s, "GET", "/dir/k")
        .header("host", &host)
        .send_signed(&s)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.body, b"virtual");
    let r = Raw::new(&s, "GET", "/?list-type=2")
        .header("host", &host)
        .send_signed(&s)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.xml("Name").as_deref(), Some("vhost"));
    assert_eq!(r.xml("Key").as_deref(), Some("dir/k"));
    let r = Raw::new(&s, "PUT", "/put-vh")
        .header("host", &host)
        .body("by host")
        .send_signed(&s)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(get_bytes(&c, "vhost", "put-vh").await, b"by host");
    // A bucket that does not exist, addressed by host.
    let r = Raw::new(&s, "GET", "/k")
        .header("host", &format!("nope-bucket.localhost:{port}"))
        .send_signed(&s)
        .await;
    assert_error(&r, 404, "NoSuchBucket");

    // The SDK in virtual-hosted mode against bucket.localhost.
    let vc = Via::new(&format!("http://localhost:{port}"))
        .virtual_hosted()
        .s3();
    match get_req(&vc, "vhost", "dir/k").send().await {
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
    let e = get_err(&c, "vhost", "missing").await;
    let raw = e.raw_response().unwrap();
    let header = raw.headers().get("x-amz-request-id").unwrap().to_string();
    use aws_sdk_s3::operation::RequestId;
    assert_eq!(
        e.as_service_error().unwrap().request_id(),
        Some(header.as_str())
    );
}
