//! S3 requests signed with Signature Version 2, built by hand from AWS's guide: the
//! `Authorization: AWS key:signature` header (path-style and virtual-hosted), presigned query
//! URLs and their expiry, POST forms, AWS's errors (a blank `Authorization` is none), a bucket
//! policy denying SigV2 through `s3:signatureversion`, the CloudTrail record, and KMS refusing
//! SigV2.

use crate::common::*;
use std::sync::Arc;
use time::OffsetDateTime;
use trailstack_core::FixedClock;
use trailstack_sigv4::v2::sign_v2;

/// `Date` as HTTP writes it (RFC 1123).
fn http_date(t: OffsetDateTime) -> String {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{}, {:02} {} {} {:02}:{:02}:{:02} GMT",
        DAYS[t.weekday().number_days_from_monday() as usize],
        t.day(),
        MONTHS[u8::from(t.month()) as usize - 1],
        t.year(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// The SigV2 string to sign of `r`, as AWS's guide spells it: verb, Content-MD5, Content-Type,
/// the date line, the sorted `x-amz-*` headers, then `resource` (the canonicalized resource).
fn string_to_sign(r: &Raw, date_line: &str, resource: &str) -> String {
    let header = |name: &str| {
        r.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut amz: Vec<String> = r
        .headers
        .iter()
        .filter(|(k, _)| k.starts_with("x-amz-"))
        .map(|(k, v)| format!("{k}:{}\n", v.trim()))
        .collect();
    amz.sort();
    format!(
        "{}\n{}\n{}\n{date_line}\n{}{resource}",
        r.method,
        header("content-md5"),
        header("content-type"),
        amz.concat()
    )
}

/// `r` signed with an `Authorization: AWS` header by `key`/`secret` at `at` over `resource`.
fn signed_v2(r: Raw, key: &str, secret: &str, at: OffsetDateTime, resource: &str) -> Raw {
    let date = http_date(at);
    let r = r.header("date", &date);
    let sig = sign_v2(secret, &string_to_sign(&r, &date, resource));
    r.header("authorization", &format!("AWS {key}:{sig}"))
}

/// `r` signed by the default credentials now.
fn v2(r: Raw, resource: &str) -> Raw {
    signed_v2(r, "test", "test", OffsetDateTime::now_utc(), resource)
}

/// Sends `method` `path` signed with SigV2 as the default user over `path` as the resource.
async fn send_v2(s: &Server, method: &str, path: &str) -> RawResponse {
    v2(Raw::new(s, method, path), path).send(s).await
}

/// `r` presigned with SigV2 until `expires` (epoch seconds) over `resource`.
fn presigned_v2(mut r: Raw, secret: &str, expires: i64, resource: &str) -> Raw {
    let sig = sign_v2(secret, &string_to_sign(&r, &expires.to_string(), resource));
    let sig = trailstack_sigv4::uri_encode(sig.as_bytes());
    let auth = format!("AWSAccessKeyId=test&Expires={expires}&Signature={sig}");
    r.query = if r.query.is_empty() {
        auth
    } else {
        format!("{}&{auth}", r.query)
    };
    r
}

#[tokio::test]
async fn header_signed_requests_write_read_and_list() {
    let s = Server::start().await;
    let r = send_v2(&s, "PUT", "/old-tools").await;
    assert_eq!(r.status, 200, "{}", r.text());

    let put = Raw::new(&s, "PUT", "/old-tools/dir/a%20b.txt")
        .header("content-type", "text/plain")
        .header("content-md5", "XUFAKrxLKna5cZ2REBfFkg==")
        .header("x-amz-meta-Color", "  blue ")
        .header("x-amz-acl", "bucket-owner-full-control")
        .body("hello");
    let r = v2(put, "/old-tools/dir/a%20b.txt").send(&s).await;
    assert_eq!(r.status, 200, "{}", r.text());

    let r = v2(
        Raw::new(&s, "GET", "/old-tools/dir/a%20b.txt"),
        "/old-tools/dir/a%20b.txt",
    )
    .send(&s)
    .await;
    assert_eq!((r.status, r.body.as_slice()), (200, b"hello".as_slice()));
    assert_eq!(r.header("x-amz-meta-color"), Some("blue"));

    // Sub-resources are signed, other parameters are not.
    let r = send_v2(&s, "GET", "/old-tools?acl").await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.text().contains("<AccessControlPolicy"), "{}", r.text());
    let r = v2(
        Raw::new(&s, "GET", "/old-tools?prefix=dir%2F&max-keys=5"),
        "/old-tools",
    )
    .send(&s)
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.xml("Key").as_deref(), Some("dir/a b.txt"));
    let sdk = get_req(&s.s3(), "old-tools", "dir/a b.txt");
    assert_eq!(body_bytes(sdk.send().await.unwrap()).await, b"hello");
}

#[tokio::test]
async fn virtual_hosted_requests_sign_the_bucket_in_the_resource() {
    let s = Server::start().await;
    s.with_bucket("vhost").await;
    let port = host_of(&s).rsplit_once(':').unwrap().1.to_string();
    let host = format!("vhost.localhost:{port}");
    let put = Raw::new(&s, "PUT", "/k").header("host", &host).body("v");
    let r = v2(put, "/vhost/k").send(&s).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let list = Raw::new(&s, "GET", "/").header("host", &host);
    let r = v2(list.clone(), "/vhost/").send(&s).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.xml("Key").as_deref(), Some("k"));
    // Signed as if path-style: the bucket is missing from the resource.
    let r = v2(list, "/").send(&s).await;
    assert_eq!(r.xml("Code").as_deref(), Some("SignatureDoesNotMatch"));
}

#[tokio::test]
async fn presigned_urls_work_until_they_expire() {
    let start = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
    let clock = Arc::new(FixedClock::new(start));
    let s = Server::start_clocked(tempfile::tempdir().unwrap(), clock.clone(), |_| {}).await;
    let c = s.with_bucket("shared").await;
    put_bytes(&c, "shared", "report.txt", b"quarterly").await;
    let expires = start.unix_timestamp() + 60;
    let get = Raw::new(
        &s,
        "GET",
        "/shared/report.txt?response-content-type=text%2Fcsv",
    );
    let url = presigned_v2(
        get,
        "test",
        expires,
        "/shared/report.txt?response-content-type=text/csv",
    );
    let r = url.send(&s).await;
    assert_eq!(
        (r.status, r.body.as_slice()),
        (200, b"quarterly".as_slice())
    );
    assert_eq!(r.header("content-type"), Some("text/csv"));

    let put = presigned_v2(
        Raw::new(&s, "PUT", "/shared/upload.bin").body("up"),
        "test",
        expires,
        "/shared/upload.bin",
    );
    assert_eq!(put.send(&s).await.status, 200);

    clock.advance(time::Duration::seconds(61));
    let r = url.send(&s).await;
    r.assert_error_message(403, "AccessDenied", "Request has expired");

    let wrong = presigned_v2(
        Raw::new(&s, "GET", "/shared/report.txt"),
        "not-the-secret",
        expires + 600,
        "/shared/report.txt",
    );
    let r = wrong.send(&s).await;
    assert_eq!(r.xml("Code").as_deref(), Some("SignatureDoesNotMatch"));
    let r = Raw::new(
        &s,
        "GET",
        "/shared/report.txt?AWSAccessKeyId=test&Signature=x",
    )
    .send(&s)
    .await;
    r.assert_code(403, "AccessDenied");
}

#[tokio::test]
async fn failures_answer_what_aws_answers() {
    let s = Server::start().await;
    s.with_bucket("errs").await;
    let now = OffsetDateTime::now_utc();
    // GET /errs/k signed with SigV2 by `key`/`secret` at `at`.
    let get_k = |key: &'static str, secret: &'static str, at: OffsetDateTime| {
        let s = &s;
        async move {
            signed_v2(Raw::new(s, "GET", "/errs/k"), key, secret, at, "/errs/k")
                .send(s)
                .await
        }
    };

    let r = get_k("test", "wrong", now).await;
    r.assert_code(403, "SignatureDoesNotMatch");
    assert_eq!(r.xml("AWSAccessKeyId").as_deref(), Some("test"));
    assert_eq!(
        r.xml("StringToSign").map(|s| s.replace("&#10;", "\n")),
        Some(format!("GET\n\n\n{}\n/errs/k", http_date(now)))
    );
    assert!(r.xml("SignatureProvided").is_some_and(|p| p.ends_with('=')));
    assert_eq!(r.xml("CanonicalRequest"), None);

    let old = now - time::Duration::minutes(16);
    let r = get_k("test", "test", old).await;
    r.assert_code(403, "RequestTimeTooSkewed");

    let r = Raw::new(&s, "GET", "/errs/k")
        .header("authorization", "AWS test:c2lnbmF0dXJl")
        .send(&s)
        .await;
    r.assert_error_message(
        403,
        "AccessDenied",
        "AWS authentication requires a valid Date or x-amz-date header",
    );

    let r = Raw::new(&s, "GET", "/errs/k")
        .header("date", &http_date(now))
        .header("authorization", "AWS HAHAHA")
        .send(&s)
        .await;
    r.assert_code(400, "InvalidArgument");
    assert_eq!(r.xml("ArgumentValue").as_deref(), Some("AWS HAHAHA"));

    // A blank Authorization header is none: the request is anonymous, and refused where
    // anonymous callers may not write.
    for (path, body) in [("/errs/blank", "bar"), ("/blank-auth-bucket", "")] {
        let r = Raw::new(&s, "PUT", path)
            .header("authorization", "")
            .body(body)
            .send(&s)
            .await;
        assert_eq!(
            (r.status, r.xml("Code").as_deref()),
            (403, Some("AccessDenied")),
            "{path}: {}",
            r.text()
        );
    }

    let r = get_k("AKIANOSUCH", "x", now).await;
    r.assert_code(403, "InvalidAccessKeyId");
    assert_eq!(r.xml("AWSAccessKeyId").as_deref(), Some("AKIANOSUCH"));
}

#[tokio::test]
async fn bucket_policy_can_refuse_sigv2_only() {
    let (s, c) = Server::start_with_bucket("v4-only").await;
    put_bytes(&c, "v4-only", "k", b"x").await;
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::v4-only","arn:aws:s3:::v4-only/*"],"Condition":{"StringEquals":{"s3:signatureversion":"AWS"}}}]}"#;
    put_policy(&c, "v4-only", policy).await;
    let r = send_v2(&s, "GET", "/v4-only/k").await;
    r.assert_code(403, "AccessDenied");
    let r = Raw::new(&s, "GET", "/v4-only/k").signed().send(&s).await;
    assert_eq!((r.status, r.body.as_slice()), (200, b"x".as_slice()));
}

#[tokio::test]
async fn cloudtrail_records_the_signature_version() {
    let s = Server::start().await;
    let r = send_v2(&s, "PUT", "/v2-trail").await;
    assert_eq!(r.status, 200, "{}", r.text());
    ok!(s.s3().create_bucket().bucket("v4-trail"));
    let mut seen = Vec::new();
    for record in records_named(&s, "CreateBucket").await {
        let add = &record["additionalEventData"];
        seen.push((
            record["requestParameters"]["bucketName"]
                .as_str()
                .unwrap()
                .to_string(),
            add["SignatureVersion"].as_str().unwrap().to_string(),
            add["AuthenticationMethod"].as_str().unwrap().to_string(),
        ));
    }
    seen.sort();
    assert_eq!(
        seen,
        [
            ("v2-trail".into(), "SigV2".into(), "AuthHeader".into()),
            ("v4-trail".into(), "SigV4".into(), "AuthHeader".into()),
        ]
    );
}

#[tokio::test]
async fn post_forms_signed_with_sigv2() {
    use base64::Engine;
    let s = Server::start().await;
    s.with_bucket("forms2").await;
    let policy = r#"{"expiration":"2099-01-01T00:00:00Z","conditions":[{"bucket":"forms2"},["starts-with","$key","up/"]]}"#;
    let policy = base64::engine::general_purpose::STANDARD.encode(policy);
    let form = |fields: &[(&str, &str)]| {
        let boundary = "----sigv2formboundary";
        let mut b = String::new();
        for (k, v) in fields {
            b.push_str(&format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
            ));
        }
        b.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f\"\r\n\r\nform bytes\r\n--{boundary}--\r\n"
        ));
        Raw::new(&s, "POST", "/forms2")
            .header(
                "content-type",
                &format!("multipart/form-data; boundary={boundary}"),
            )
            .body(b)
    };
    let good = sign_v2("test", &policy);
    let ok = form(&[
        ("key", "up/a.txt"),
        ("AWSAccessKeyId", "test"),
        ("policy", &policy),
        ("signature", &good),
    ]);
    let r = ok.send(&s).await;
    assert_eq!(r.status, 204, "{}", r.text());
    let got = get_req(&s.s3(), "forms2", "up/a.txt").send().await;
    assert_eq!(body_bytes(got.unwrap()).await, b"form bytes");

    let bad = sign_v2("wrong", &policy);
    let r = form(&[
        ("key", "up/b.txt"),
        ("AWSAccessKeyId", "test"),
        ("policy", &policy),
        ("signature", &bad),
    ])
    .send(&s)
    .await;
    r.assert_code(403, "SignatureDoesNotMatch");
    assert_eq!(r.xml("StringToSign").as_deref(), Some(policy.as_str()));

    // No signature; an unknown key; a key the policy does not allow (the policy still binds
    // a SigV2 form).
    let refused = [
        ("up/c.txt", "test", None, 400, "InvalidArgument"),
        (
            "up/d.txt",
            "AKIANOSUCH",
            Some(&good),
            403,
            "InvalidAccessKeyId",
        ),
        ("elsewhere/e.txt", "test", Some(&good), 403, "AccessDenied"),
    ];
    for (key, access_key, signature, status, code) in refused {
        let mut fields = vec![("key", key), ("AWSAccessKeyId", access_key)];
        fields.push(("policy", policy.as_str()));
        fields.extend(signature.map(|sig| ("signature", sig.as_str())));
        let r = form(&fields[..]).send(&s).await;
        assert_eq!(
            (r.status, r.xml("Code").as_deref()),
            (status, Some(code)),
            "{key}"
        );
    }
}

#[tokio::test]
async fn kms_refuses_sigv2_as_aws_does() {
    let s = Server::start().await;
    let r = Raw::new(&s, "POST", "/")
        .header("x-amz-target", "TrentService.ListKeys")
        .header("content-type", "application/x-amz-json-1.1")
        .header("date", &http_date(OffsetDateTime::now_utc()))
        .header("authorization", "AWS test:c2lnbmF0dXJl")
        .body("{}")
        .send(&s)
        .await;
    assert_eq!(r.status, 400);
    let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(body["__type"], "IncompleteSignatureException");
    assert!(body["message"]
        .as_str()
        .unwrap()
        .ends_with("Authorization=AWS test:c2lnbmF0dXJl"));
}

#[tokio::test]
async fn sse_kms_needs_sigv4() {
    let (s, c) = Server::start_with_bucket("kms-v4").await;
    let put = Raw::new(&s, "PUT", "/kms-v4/v2")
        .header("x-amz-server-side-encryption", "aws:kms")
        .body("x");
    let r = v2(put, "/kms-v4/v2").send(&s).await;
    r.assert_error_message(400, "InvalidArgument", "Requests specifying Server Side Encryption with AWS KMS managed keys require AWS Signature Version 4.");
    ok!(put_req(&c, "kms-v4", "sealed", b"x")
        .server_side_encryption(aws_sdk_s3::types::ServerSideEncryption::AwsKms));
    let r = send_v2(&s, "GET", "/kms-v4/sealed").await;
    r.assert_code(400, "InvalidArgument");
    // SSE-S3 is no concern of the signature version.
    let put = Raw::new(&s, "PUT", "/kms-v4/s3")
        .header("x-amz-server-side-encryption", "AES256")
        .body("y");
    assert_eq!(v2(put, "/kms-v4/s3").send(&s).await.status, 200);
    // A form is signed over its policy, not as a request: SigV2 may ask for SSE-KMS there.
    use base64::Engine;
    let policy = r#"{"expiration":"2099-01-01T00:00:00Z","conditions":[{"bucket":"kms-v4"},{"key":"form"},["starts-with","$x-amz-server-side-encryption",""]]}"#;
    let policy = base64::engine::general_purpose::STANDARD.encode(policy);
    let boundary = "----sigv2kmsform";
    let mut body = String::new();
    for (k, v) in [
        ("key", "form"),
        ("AWSAccessKeyId", "test"),
        ("policy", policy.as_str()),
        ("signature", sign_v2("test", &policy).as_str()),
        ("x-amz-server-side-encryption", "aws:kms"),
    ] {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
        ));
    }
    body.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f\"\r\n\r\nkms form\r\n--{boundary}--\r\n"
    ));
    let r = Raw::new(&s, "POST", "/kms-v4")
        .header(
            "content-type",
            &format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send(&s)
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    assert_eq!(r.header("x-amz-server-side-encryption"), Some("aws:kms"));
    let got = get_out(&c, "kms-v4", "form").await;
    assert_eq!(
        got.server_side_encryption().map(|e| e.as_str()),
        Some("aws:kms")
    );
    assert_eq!(body_bytes(got).await, b"kms form");
}
