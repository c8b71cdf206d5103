//! Browser form uploads (POST Object) with a signed policy: success, redirects, policy
//! conditions, expiry, malformed policy documents, checksum fields, anonymous forms, and bad
//! signatures.

use crate::common::*;
use base64::Engine;

struct Form {
    fields: Vec<(String, String)>,
}

impl Form {
    /// A form whose policy allows `conditions`, signed with the default key (or `secret`).
    fn signed(conditions: &str, extra: &[(&str, &str)], expiration: &str, secret: &str) -> Form {
        Form::with_policy(extra, secret, |credential, amz_date| {
            format!(
                r#"{{"expiration":"{expiration}","conditions":[{conditions},{{"x-amz-credential":"{credential}"}},{{"x-amz-algorithm":"AWS4-HMAC-SHA256"}},{{"x-amz-date":"{amz_date}"}}]}}"#
            )
        })
    }

    /// A form signed with `secret` over the policy document `policy` writes for the form's
    /// credential and date.
    fn with_policy(
        extra: &[(&str, &str)],
        secret: &str,
        policy: impl FnOnce(&str, &str) -> String,
    ) -> Form {
        let now = time::OffsetDateTime::now_utc();
        let amz_date = trailstack_sigv4::format_amz_date(now);
        let date = &amz_date[..8];
        let credential = format!("test/{date}/us-east-1/s3/aws4_request");
        let policy = policy(&credential, &amz_date);
        let policy_b64 = base64::engine::general_purpose::STANDARD.encode(policy);
        let scope = trailstack_sigv4::Scope {
            date: date.into(),
            region: "us-east-1".into(),
            service: "s3".into(),
        };
        let sig = trailstack_sigv4::sign(
            &trailstack_sigv4::derive_signing_key(secret, &scope),
            &policy_b64,
        );
        let mut fields: Vec<(String, String)> = extra
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        fields.extend([
            ("x-amz-credential".to_string(), credential),
            ("x-amz-algorithm".into(), "AWS4-HMAC-SHA256".into()),
            ("x-amz-date".into(), amz_date.clone()),
            ("policy".into(), policy_b64),
            ("x-amz-signature".into(), sig),
        ]);
        Form { fields }
    }

    fn body(&self, file: &[u8]) -> (String, Vec<u8>) {
        let boundary = "----trailstackboundary7MA4YWxk";
        let mut b = Vec::new();
        for (k, v) in &self.fields {
            b.extend(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        b.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"up.txt\"\r\nContent-Type: text/plain\r\n\r\n").as_bytes(),
        );
        b.extend(file);
        b.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
        (format!("multipart/form-data; boundary={boundary}"), b)
    }

    async fn post(&self, s: &Server, bucket: &str, file: &[u8]) -> RawResponse {
        let (ct, body) = self.body(file);
        Raw::new(s, "POST", &format!("/{bucket}"))
            .header("content-type", &ct)
            .body(body)
            .send(s)
            .await
    }
}

const FAR: &str = "2099-01-01T00:00:00.000Z";

#[tokio::test]
async fn form_upload_stores_the_file() {
    let (s, c) = Server::start_with_bucket("forms").await;
    let conds = r#"{"bucket":"forms"},["starts-with","$key","uploads/"],{"success_action_status":"201"},["starts-with","$Content-Type","text/"],["content-length-range",1,1000]"#;
    let form = Form::signed(
        conds,
        &[
            ("key", "uploads/${filename}"),
            ("success_action_status", "201"),
            ("Content-Type", "text/plain"),
        ],
        FAR,
        "test",
    );
    let r = form.post(&s, "forms", b"hello form").await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.xml("Key").as_deref(), Some("uploads/up.txt"));
    let got = get_out(&c, "forms", "uploads/up.txt").await;
    assert_eq!(got.content_type(), Some("text/plain"));
    assert_eq!(body_bytes(got).await, b"hello form");
}

#[tokio::test]
async fn form_policy_is_enforced() {
    let (s, c) = Server::start_with_bucket("strict").await;
    let conds = r#"{"bucket":"strict"},["starts-with","$key","ok/"],["content-length-range",1,5]"#;
    // Key outside the allowed prefix.
    let r = Form::signed(conds, &[("key", "bad/x")], FAR, "test")
        .post(&s, "strict", b"abc")
        .await;
    r.assert_code(403, "AccessDenied");
    // A field no condition covers.
    let r = Form::signed(
        conds,
        &[("key", "ok/x"), ("x-amz-meta-extra", "1")],
        FAR,
        "test",
    )
    .post(&s, "strict", b"abc")
    .await;
    assert_eq!(r.status, 403);
    // Too large for content-length-range.
    let r = Form::signed(conds, &[("key", "ok/x")], FAR, "test")
        .post(&s, "strict", b"abcdefgh")
        .await;
    assert_eq!(
        r.xml("Code").as_deref(),
        Some("EntityTooLarge"),
        "{}",
        r.text()
    );
    // Expired policy.
    let r = Form::signed(
        conds,
        &[("key", "ok/x")],
        "2001-01-01T00:00:00.000Z",
        "test",
    )
    .post(&s, "strict", b"abc")
    .await;
    assert_eq!(r.status, 403);
    assert!(r.text().contains("Policy expired"), "{}", r.text());
    // Wrong secret.
    let r = Form::signed(conds, &[("key", "ok/x")], FAR, "not-the-secret")
        .post(&s, "strict", b"abc")
        .await;
    assert_eq!(r.xml("Code").as_deref(), Some("SignatureDoesNotMatch"));
    // Nothing was stored by any of those; a good one goes through with the default 204.
    assert!(c
        .list_objects_v2()
        .bucket("strict")
        .send()
        .await
        .unwrap()
        .contents()
        .is_empty());
    let r = Form::signed(conds, &[("key", "ok/x")], FAR, "test")
        .post(&s, "strict", b"abc")
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    assert!(r.header("etag").is_some());
}

#[tokio::test]
async fn unsigned_form_is_denied() {
    let s = Server::start().await;
    s.with_bucket("anon").await;
    let form = Form {
        fields: vec![("key".into(), "k".into())],
    };
    let r = form.post(&s, "anon", b"x").await;
    r.assert_code(403, "AccessDenied");
}

#[tokio::test]
async fn form_upload_with_sse_kms_field() {
    let (s, c) = Server::start_with_bucket("sseforms").await;
    let conds =
        r#"{"bucket":"sseforms"},{"key":"enc.txt"},{"x-amz-server-side-encryption":"aws:kms"}"#;
    let form = Form::signed(
        conds,
        &[
            ("key", "enc.txt"),
            ("x-amz-server-side-encryption", "aws:kms"),
        ],
        FAR,
        "test",
    );
    let r = form.post(&s, "sseforms", b"sealed through a form").await;
    assert_eq!(r.status, 204, "{}", r.text());
    assert_eq!(r.header("x-amz-server-side-encryption"), Some("aws:kms"));
    let h = head_of(&c, "sseforms", "enc.txt").await;
    assert_eq!(
        h.server_side_encryption().map(|s| s.as_str()),
        Some("aws:kms")
    );
    assert_eq!(
        get_bytes(&c, "sseforms", "enc.txt").await,
        b"sealed through a form"
    );
}

#[tokio::test]
async fn malformed_policy_documents_are_refused_as_such() {
    let s = Server::start().await;
    s.with_bucket("badpolicy").await;
    let conds = r#"[{"bucket":"badpolicy"},["starts-with","$key","foo"]]"#;
    let cases = [
        (
            format!(r#"{{"conditions":{conds}}}"#),
            "Invalid Policy: Policy missing expiration.",
        ),
        (
            format!(r#"{{"EXPIRATION":"{FAR}","conditions":{conds}}}"#),
            "Invalid Policy: Policy missing expiration.",
        ),
        (
            format!(r#"{{"expiration":"{FAR}"}}"#),
            "Invalid Policy: Policy missing conditions.",
        ),
        (
            format!(r#"{{"expiration":"{FAR}","CONDITIONS":{conds}}}"#),
            "Invalid Policy: Policy missing conditions.",
        ),
        (
            format!(r#"{{"expiration":"2099-01-01 00:00:00+00:00","conditions":{conds}}}"#),
            "Invalid Policy: Invalid 'expiration' value: '2099-01-01 00:00:00+00:00'",
        ),
        (
            format!(r#"{{"expiration":"{FAR}","conditions":{{}}}}"#),
            "Invalid Policy: Invalid 'conditions' value: must be a List.",
        ),
        (
            format!(r#"{{"expiration":"{FAR}","conditions":[{{}}]}}"#),
            "Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one \
             property specified.",
        ),
        (
            format!(r#"{{"expiration":"{FAR}","conditions":[["content-length-range",0]]}}"#),
            "Invalid Policy: Invalid content-length-range: wrong number of arguments.",
        ),
        (
            format!(r#"{{"expiration":"{FAR}","conditions":[["ends-with","$key","x"]]}}"#),
            "Invalid Policy: Invalid Condition: unknown operation 'ends-with'.",
        ),
        (
            format!(r#"{{"expiration":"{FAR}","conditions":[[]]}}"#),
            "Invalid Policy: Invalid Condition: missing operation identifier.",
        ),
        (
            format!(r#"{{"expiration":"{FAR}","conditions":[7]}}"#),
            "Invalid Policy: Invalid condition test: must be a List or Object.",
        ),
        ("not json".to_string(), "Invalid Policy: Invalid JSON."),
    ];
    for (doc, message) in cases {
        let form = Form::with_policy(&[("key", "foo.txt")], "test", |_, _| doc.clone());
        let r = form.post(&s, "badpolicy", b"bar").await;
        assert_eq!(r.status, 400, "{doc}: {}", r.text());
        assert_eq!(
            r.xml("Code").as_deref(),
            Some("InvalidPolicyDocument"),
            "{doc}"
        );
        let got = r.xml("Message").map(|m| m.replace("&apos;", "'"));
        assert_eq!(got.as_deref(), Some(message), "{doc}");
    }
    let listed = ok!(s.s3().list_objects_v2().bucket("badpolicy"));
    assert_eq!(listed.key_count(), Some(0));
}

#[tokio::test]
async fn key_conditions_see_the_filename_and_lengths_below_zero_bound_at_zero() {
    let (s, c) = Server::start_with_bucket("fname").await;
    // `${filename}` is replaced before the key's condition is checked.
    let conds = r#"{"bucket":"fname"},["starts-with","$key","up"]"#;
    let form = Form::signed(conds, &[("key", "${filename}")], FAR, "test");
    let r = form.post(&s, "fname", b"named by the file").await;
    assert_eq!(r.status, 204, "{}", r.text());
    assert_eq!(get_bytes(&c, "fname", "up.txt").await, b"named by the file");
    // A range of [-1, 0] admits nothing longer than zero bytes.
    let conds = r#"{"bucket":"fname"},{"key":"small"},["content-length-range",-1,0]"#;
    let form = Form::signed(conds, &[("key", "small")], FAR, "test");
    let r = form.post(&s, "fname", b"bar").await;
    r.assert_code(400, "EntityTooLarge");
    let r = form.post(&s, "fname", b"").await;
    assert_eq!(r.status, 204, "{}", r.text());
}

#[tokio::test]
async fn checksum_fields_are_verified_and_need_a_condition() {
    let sha256_b64 = |b: &[u8]| {
        let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, b);
        base64::engine::general_purpose::STANDARD.encode(d.as_ref())
    };
    let s = Server::start().await;
    s.with_bucket("cksum").await;
    let data = vec![b'x'; 64 * 1024];
    let (good, other) = (sha256_b64(&data), sha256_b64(b"other"));
    let conds = r#"{"bucket":"cksum"},{"key":"c.bin"},["starts-with","$x-amz-checksum-sha256",""]"#;
    let post = |value: &str| {
        Form::signed(
            conds,
            &[("key", "c.bin"), ("x-amz-checksum-sha256", value)],
            FAR,
            "test",
        )
    };
    let r = post(&good).post(&s, "cksum", &data).await;
    assert_eq!(r.status, 204, "{}", r.text());
    let r = post(&other).post(&s, "cksum", &data).await;
    r.assert_code(400, "BadDigest");
    let r = post("sailorjerry").post(&s, "cksum", &data).await;
    assert_eq!(r.status, 400, "{}", r.text());
    // Like Content-MD5, a checksum field is a form field the policy must name.
    let uncovered = Form::signed(
        r#"{"bucket":"cksum"},{"key":"c.bin"}"#,
        &[("key", "c.bin"), ("x-amz-checksum-sha256", &good)],
        FAR,
        "test",
    );
    let r = uncovered.post(&s, "cksum", &data).await;
    assert_eq!(r.status, 403, "{}", r.text());
    assert!(
        r.text()
            .contains("Extra input fields: x-amz-checksum-sha256"),
        "{}",
        r.text()
    );
    let got = get_with_checksums(&s.s3(), "cksum", "c.bin").await;
    assert_eq!(got.checksum_sha256(), Some(good.as_str()));
}

#[tokio::test]
async fn an_anonymous_form_writes_an_object_the_anonymous_user_owns() {
    use aws_sdk_s3::types::{BucketCannedAcl, ObjectOwnership};
    let s = Server::start().await;
    let c = s.s3();
    ok!(bucket_req(&c, "openforms").object_ownership(ObjectOwnership::ObjectWriter));
    ok!(c.delete_public_access_block().bucket("openforms"));
    ok!(c
        .put_bucket_acl()
        .bucket("openforms")
        .acl(BucketCannedAcl::PublicReadWrite));
    let tagging = "<Tagging><TagSet><Tag><Key>0</Key><Value>0</Value></Tag></TagSet></Tagging>";
    let form = Form {
        fields: [
            ("key", "anon.txt"),
            ("acl", "public-read"),
            ("Content-Type", "text/plain"),
            ("tagging", tagging),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .to_vec(),
    };
    let r = form.post(&s, "openforms", b"bar").await;
    assert_eq!(r.status, 204, "{}", r.text());
    // The public-read grant lets the bucket owner read the object; nothing grants it the
    // object's tags, which (under ObjectWriter) are the anonymous user's.
    assert_eq!(get_bytes(&c, "openforms", "anon.txt").await, b"bar");
    let err = err!(c.get_object_tagging().bucket("openforms").key("anon.txt"));
    assert_eq!(err.raw_response().map(|r| r.status().as_u16()), Some(403));
    let acl = c
        .get_object_acl()
        .bucket("openforms")
        .key("anon.txt")
        .send()
        .await;
    assert!(
        acl.is_err(),
        "only the object's owner, the anonymous user, may read its ACL"
    );
}
