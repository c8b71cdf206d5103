//! The S3 routing table, written from AWS's API reference rather than from the parser: for
//! every operation, the request its "Request Syntax" section shows (method, path, query and the
//! headers or body that select it) must parse into that operation and need the IAM actions
//! docs/aws/iam-authorization.md §1 lists. Every S3 operation of ARCHITECTURE.md's operation
//! table (generated from the dispatch code) must have a row, so a new operation cannot be
//! routed without being checked here.

use super::targets::targets;
use crate::op::Op;
use crate::wire::{self, post_upload};
use bytes::Bytes;
use trailstack_core::{AccountId, BodyFrame, Caller};

/// One request of the API reference and what it must route to.
struct Row {
    method: &'static str,
    /// Path and query, path-style addressing.
    uri: &'static str,
    headers: &'static [(&'static str, &'static str)],
    body: &'static str,
    op: &'static str,
    actions: &'static [&'static str],
}

const fn row(
    method: &'static str,
    uri: &'static str,
    op: &'static str,
    actions: &'static [&'static str],
) -> Row {
    Row {
        method,
        uri,
        headers: &[],
        body: "",
        op,
        actions,
    }
}

const fn with(
    method: &'static str,
    uri: &'static str,
    headers: &'static [(&'static str, &'static str)],
    body: &'static str,
    op: &'static str,
    actions: &'static [&'static str],
) -> Row {
    Row {
        method,
        uri,
        headers,
        body,
        op,
        actions,
    }
}

const TAGGING: &str = "<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>";
const POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#;
const OWNERSHIP: &str = "<OwnershipControls><Rule><ObjectOwnership>BucketOwnerEnforced</ObjectOwnership></Rule></OwnershipControls>";
const PAB: &str = "<PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls></PublicAccessBlockConfiguration>";
const ENCRYPTION: &str = "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>";
const VERSIONING: &str =
    "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>";
const LIFECYCLE: &str = "<LifecycleConfiguration><Rule><ID>r</ID><Filter><Prefix>a/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>";
const LOGGING: &str = "<BucketLoggingStatus></BucketLoggingStatus>";
const CORS: &str = "<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod><AllowedOrigin>*</AllowedOrigin></CORSRule></CORSConfiguration>";
const DELETE: &str = "<Delete><Object><Key>a</Key></Object><Object><Key>b</Key><VersionId>v</VersionId></Object></Delete>";
const COMPLETE: &str = "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\"e\"</ETag></Part></CompleteMultipartUpload>";
const LOCK: &str = "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled></ObjectLockConfiguration>";
const RETENTION: &str = "<Retention><Mode>GOVERNANCE</Mode><RetainUntilDate>2030-01-01T00:00:00Z</RetainUntilDate></Retention>";
const LEGAL_HOLD: &str = "<LegalHold><Status>ON</Status></LegalHold>";
const COPY: &[(&str, &str)] = &[("x-amz-copy-source", "/src/a")];
const CANNED: &[(&str, &str)] = &[("x-amz-acl", "private")];

/// The table. Bucket `b`, key `k`.
#[rustfmt::skip]
const ROWS: &[Row] = &[
    // Service and bucket operations.
    row("GET", "/", "ListBuckets", &["s3:ListAllMyBuckets"]),
    row("PUT", "/b", "CreateBucket", &["s3:CreateBucket"]),
    with("PUT", "/b", &[("x-amz-bucket-object-lock-enabled", "true")], "", "CreateBucket",
        &["s3:CreateBucket", "s3:PutBucketObjectLockConfiguration", "s3:PutBucketVersioning"]),
    row("HEAD", "/b", "HeadBucket", &["s3:ListBucket"]),
    row("DELETE", "/b", "DeleteBucket", &["s3:DeleteBucket"]),
    row("GET", "/b?location", "GetBucketLocation", &["s3:GetBucketLocation"]),
    row("GET", "/b?tagging", "GetBucketTagging", &["s3:GetBucketTagging"]),
    with("PUT", "/b?tagging", &[], TAGGING, "PutBucketTagging", &["s3:PutBucketTagging"]),
    row("DELETE", "/b?tagging", "DeleteBucketTagging", &["s3:PutBucketTagging"]),
    row("GET", "/b?policy", "GetBucketPolicy", &["s3:GetBucketPolicy"]),
    with("PUT", "/b?policy", &[], POLICY, "PutBucketPolicy", &["s3:PutBucketPolicy"]),
    row("DELETE", "/b?policy", "DeleteBucketPolicy", &["s3:DeleteBucketPolicy"]),
    row("GET", "/b?policyStatus", "GetBucketPolicyStatus", &["s3:GetBucketPolicyStatus"]),
    row("GET", "/b?acl", "GetBucketAcl", &["s3:GetBucketAcl"]),
    with("PUT", "/b?acl", CANNED, "", "PutBucketAcl", &["s3:PutBucketAcl"]),
    row("GET", "/b?ownershipControls", "GetBucketOwnershipControls",
        &["s3:GetBucketOwnershipControls"]),
    with("PUT", "/b?ownershipControls", &[], OWNERSHIP, "PutBucketOwnershipControls",
        &["s3:PutBucketOwnershipControls"]),
    row("DELETE", "/b?ownershipControls", "DeleteBucketOwnershipControls",
        &["s3:PutBucketOwnershipControls"]),
    row("GET", "/b?publicAccessBlock", "GetPublicAccessBlock", &["s3:GetBucketPublicAccessBlock"]),
    with("PUT", "/b?publicAccessBlock", &[], PAB, "PutPublicAccessBlock",
        &["s3:PutBucketPublicAccessBlock"]),
    row("DELETE", "/b?publicAccessBlock", "DeletePublicAccessBlock",
        &["s3:PutBucketPublicAccessBlock"]),
    row("GET", "/b?encryption", "GetBucketEncryption", &["s3:GetEncryptionConfiguration"]),
    with("PUT", "/b?encryption", &[], ENCRYPTION, "PutBucketEncryption",
        &["s3:PutEncryptionConfiguration"]),
    row("DELETE", "/b?encryption", "DeleteBucketEncryption", &["s3:PutEncryptionConfiguration"]),
    row("GET", "/b?versioning", "GetBucketVersioning", &["s3:GetBucketVersioning"]),
    with("PUT", "/b?versioning", &[], VERSIONING, "PutBucketVersioning",
        &["s3:PutBucketVersioning"]),
    row("GET", "/b?lifecycle", "GetBucketLifecycleConfiguration",
        &["s3:GetLifecycleConfiguration"]),
    with("PUT", "/b?lifecycle", &[], LIFECYCLE, "PutBucketLifecycleConfiguration",
        &["s3:PutLifecycleConfiguration"]),
    row("DELETE", "/b?lifecycle", "DeleteBucketLifecycle", &["s3:PutLifecycleConfiguration"]),
    row("GET", "/b?logging", "GetBucketLogging", &["s3:GetBucketLogging"]),
    with("PUT", "/b?logging", &[], LOGGING, "PutBucketLogging", &["s3:PutBucketLogging"]),
    row("GET", "/b?cors", "GetBucketCors", &["s3:GetBucketCORS"]),
    with("PUT", "/b?cors", &[], CORS, "PutBucketCors", &["s3:PutBucketCORS"]),
    row("DELETE", "/b?cors", "DeleteBucketCors", &["s3:PutBucketCORS"]),
    row("GET", "/b?object-lock", "GetObjectLockConfiguration",
        &["s3:GetBucketObjectLockConfiguration"]),
    with("PUT", "/b?object-lock", &[], LOCK, "PutObjectLockConfiguration",
        &["s3:PutBucketObjectLockConfiguration"]),
    // Listings.
    row("GET", "/b", "ListObjects", &["s3:ListBucket"]),
    row("GET", "/b?list-type=2&prefix=a%2F", "ListObjectsV2", &["s3:ListBucket"]),
    row("GET", "/b?versions", "ListObjectVersions", &["s3:ListBucketVersions"]),
    row("GET", "/b?uploads", "ListMultipartUploads", &["s3:ListBucketMultipartUploads"]),
    // Objects.
    with("PUT", "/b/k", &[], "data", "PutObject", &["s3:PutObject"]),
    with("PUT", "/b/k", &[("x-amz-object-lock-legal-hold", "ON")], "data", "PutObject",
        &["s3:PutObject", "s3:PutObjectLegalHold"]),
    row("GET", "/b/k", "GetObject", &["s3:GetObject"]),
    row("GET", "/b/k?versionId=v", "GetObject", &["s3:GetObjectVersion"]),
    row("HEAD", "/b/k", "HeadObject", &["s3:GetObject"]),
    row("DELETE", "/b/k", "DeleteObject", &["s3:DeleteObject"]),
    row("DELETE", "/b/k?versionId=v", "DeleteObject", &["s3:DeleteObjectVersion"]),
    with("POST", "/b?delete", &[], DELETE, "DeleteObjects",
        &["s3:DeleteObject", "s3:DeleteObjectVersion"]),
    with("PUT", "/b/k", COPY, "", "CopyObject", &["s3:PutObject", "s3:GetObject"]),
    with("PUT", "/b/k", &[("x-amz-copy-source", "/src/a?versionId=v")], "", "CopyObject",
        &["s3:PutObject", "s3:GetObjectVersion"]),
    row("GET", "/b/k?tagging", "GetObjectTagging", &["s3:GetObjectTagging"]),
    row("GET", "/b/k?tagging&versionId=v", "GetObjectTagging", &["s3:GetObjectVersionTagging"]),
    with("PUT", "/b/k?tagging", &[], TAGGING, "PutObjectTagging", &["s3:PutObjectTagging"]),
    row("DELETE", "/b/k?tagging", "DeleteObjectTagging", &["s3:DeleteObjectTagging"]),
    with("GET", "/b/k?attributes", &[("x-amz-object-attributes", "ETag")], "",
        "GetObjectAttributes", &["s3:GetObjectAttributes"]),
    row("GET", "/b/k?acl", "GetObjectAcl", &["s3:GetObjectAcl"]),
    with("PUT", "/b/k?acl", CANNED, "", "PutObjectAcl", &["s3:PutObjectAcl"]),
    with("PUT", "/b/k?acl&versionId=v", CANNED, "", "PutObjectAcl", &["s3:PutObjectVersionAcl"]),
    row("GET", "/b/k?retention", "GetObjectRetention", &["s3:GetObjectRetention"]),
    with("PUT", "/b/k?retention", &[], RETENTION, "PutObjectRetention",
        &["s3:PutObjectRetention"]),
    row("GET", "/b/k?legal-hold", "GetObjectLegalHold", &["s3:GetObjectLegalHold"]),
    with("PUT", "/b/k?legal-hold", &[], LEGAL_HOLD, "PutObjectLegalHold",
        &["s3:PutObjectLegalHold"]),
    // Multipart uploads.
    row("POST", "/b/k?uploads", "CreateMultipartUpload", &["s3:PutObject"]),
    with("PUT", "/b/k?partNumber=1&uploadId=u", &[], "data", "UploadPart", &["s3:PutObject"]),
    with("PUT", "/b/k?partNumber=1&uploadId=u", COPY, "", "UploadPartCopy",
        &["s3:PutObject", "s3:GetObject"]),
    with("POST", "/b/k?uploadId=u", &[], COMPLETE, "CompleteMultipartUpload", &["s3:PutObject"]),
    row("DELETE", "/b/k?uploadId=u", "AbortMultipartUpload", &["s3:AbortMultipartUpload"]),
    row("GET", "/b/k?uploadId=u", "ListParts", &["s3:ListMultipartUploadParts"]),
];

async fn parse(r: &Row) -> Op {
    let mut b = http::Request::builder()
        .method(r.method)
        .uri(r.uri)
        .header("host", "localhost:4566")
        .header("content-length", r.body.len());
    if !r.body.is_empty() {
        use base64::Engine as _;
        use md5::Digest as _;
        let md5 = base64::engine::general_purpose::STANDARD.encode(md5::Md5::digest(r.body));
        b = b.header("content-md5", md5);
    }
    for (k, v) in r.headers {
        b = b.header(*k, *v);
    }
    let (parts, ()) = b.body(()).expect("a valid request").into_parts();
    let frame = Ok(BodyFrame::Data(Bytes::from_static(r.body.as_bytes())));
    let body = Box::pin(futures_util::stream::iter([frame]));
    match wire::parse(wire::Request::new(parts, body), "localhost:4566").await {
        Ok(op) => op,
        Err(e) => panic!("{} {}: {e:?}", r.method, r.uri),
    }
}

/// POST Object has no REST path of its own: a `multipart/form-data` POST to the bucket.
async fn post_object() -> Op {
    let (method, headers) = (http::Method::POST, {
        let mut h = http::HeaderMap::new();
        let form = "multipart/form-data; boundary=X";
        h.insert("content-type", http::HeaderValue::from_static(form));
        h
    });
    assert!(post_upload::is_form_upload(&method, None, &headers));
    assert!(!post_upload::is_form_upload(&method, Some("k"), &headers));
    let form = "--X\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nk\r\n--X\r\n\
                Content-Disposition: form-data; name=\"file\"; filename=\"f\"\r\n\r\ndata\r\n--X--\r\n";
    let body = Box::pin(futures_util::stream::iter([Ok(BodyFrame::Data(
        Bytes::from_static(form.as_bytes()),
    ))]));
    let account = AccountId::parse("111122223333").expect("an account id");
    let anyone = Caller::service(account, "s3.amazonaws.com", "us-east-1", String::new());
    let now = time::OffsetDateTime::UNIX_EPOCH;
    let content_type = "multipart/form-data; boundary=X";
    post_upload::read_upload(body, content_type, "b".into(), now, |_| Ok(anyone))
        .await
        .expect("an anonymous form")
        .1
}

#[tokio::test]
async fn every_operation_routes_to_its_operation_and_actions() {
    let mut seen = Vec::new();
    for r in ROWS {
        let op = parse(r).await;
        let actions: Vec<_> = targets(&op).iter().map(|t| t.action).collect();
        assert_eq!(
            (op.name(), actions.as_slice()),
            (r.op, r.actions),
            "{} {}",
            r.method,
            r.uri
        );
        seen.push(op.name());
    }
    let op = post_object().await;
    let actions: Vec<_> = targets(&op).iter().map(|t| t.action).collect();
    assert_eq!(
        (op.name(), actions.as_slice()),
        ("PostObject", &["s3:PutObject"][..])
    );
    seen.push(op.name());

    let table = include_str!("../../../../ARCHITECTURE.md");
    let documented: Vec<&str> = table
        .lines()
        .filter_map(|l| l.strip_prefix("| S3 | "))
        .filter_map(|l| l.split(' ').next())
        .collect();
    assert!(documented.len() > 50, "ARCHITECTURE.md's operation table");
    let missing: Vec<_> = documented.iter().filter(|o| !seen.contains(o)).collect();
    assert!(
        missing.is_empty(),
        "operations without a routing row: {missing:?}"
    );
}
