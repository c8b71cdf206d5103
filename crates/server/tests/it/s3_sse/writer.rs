//! The CloudTrail rows of ARCHITECTURE.md §5, through the `ObjectWriter` port CloudTrail delivers
//! by: what CloudTrail states wins over the bucket default, digests are always SSE-S3, and a user's
//! plain PUT into the same bucket still gets the default. CloudTrail's writes pass only with the
//! bucket and key policies AWS requires of a trail's bucket and key.

use super::{default_kms, new_key, put, read_back};
use crate::common::{head_of, ok, put_policy, Server};
use std::collections::BTreeMap;
use trailstack_core::{AccountId, Caller, ObjectWriter, PutObjectRequest, WriterSse};

fn cloudtrail() -> Caller {
    Caller::service(
        AccountId::parse("000000000000").unwrap(),
        "cloudtrail.amazonaws.com",
        "us-east-1",
        "writer-test".into(),
    )
    .for_source(TRAIL)
}

const TRAIL: &str = "arn:aws:cloudtrail:us-east-1:000000000000:trail/t";

/// The bucket policy CloudTrail requires of `bucket` (docs/aws/cloudtrail-delivery.md §C.2).
pub fn cloudtrail_bucket_policy(bucket: &str) -> String {
    let trails = [TRAIL.to_string()];
    trailstack_fixtures::cloudtrail_bucket_policy(bucket, "", "000000000000", &trails).to_string()
}

/// The default key policy plus CloudTrail's statements (docs/aws/cloudtrail-delivery.md §C.3).
const TRAIL_KEY_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[
    {"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"kms:*","Resource":"*"},
    {"Sid":"Allow CloudTrail to encrypt logs","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},
     "Action":"kms:GenerateDataKey*","Resource":"*",
     "Condition":{"StringLike":{"kms:EncryptionContext:aws:cloudtrail:arn":["arn:aws:cloudtrail:*:000000000000:trail/*"]},
                  "StringEquals":{"aws:SourceArn":"arn:aws:cloudtrail:us-east-1:000000000000:trail/t"}}}]}"#;

fn file(bucket: &str, key: &str, sse: WriterSse) -> PutObjectRequest {
    PutObjectRequest {
        bucket: bucket.into(),
        key: key.into(),
        body: b"{\"Records\":[]}".to_vec(),
        content_type: Some("application/json".into()),
        content_encoding: None,
        acl: Some("bucket-owner-full-control".into()),
        sse,
        metadata: BTreeMap::from([("signature".to_string(), "abc".to_string())]),
    }
}

const LOG: &str = "AWSLogs/000000000000/CloudTrail/us-east-1/2026/11/28/f.json.gz";
const DIGEST: &str = "AWSLogs/000000000000/CloudTrail-Digest/us-east-1/2026/11/28/d.json.gz";

#[tokio::test]
async fn cloudtrail_rows_ignore_the_bucket_default() {
    let (s, c) = Server::start_with_bucket("trail-logs").await;
    let cmk1 = new_key(&s).await;
    let cmk2 = new_key(&s).await;
    ok!(s
        .kms()
        .put_key_policy()
        .key_id(&cmk2)
        .policy(TRAIL_KEY_POLICY));
    default_kms(&c, "trail-logs", Some(&cmk1), false).await;
    put_policy(&c, "trail-logs", cloudtrail_bucket_policy("trail-logs")).await;
    let ct = cloudtrail();
    let writer: &dyn ObjectWriter = &s.app.s3;
    let body = b"{\"Records\":[]}";

    // A trail without a key: SSE-S3 over the SSE-KMS default.
    let out = writer
        .put_object(&ct, file("trail-logs", LOG, WriterSse::S3))
        .await
        .unwrap();
    assert_eq!((out.sse.as_str(), out.kms_key_arn), ("AES256", None));
    let (alg, arn) = read_back(&c, "trail-logs", LOG, body).await;
    assert_eq!((alg.as_deref(), arn), (Some("AES256"), None));

    // A trail with CMK2: SSE-KMS under CMK2 with the trail's context.
    let context = BTreeMap::from([(
        "aws:cloudtrail:arn".to_string(),
        "arn:aws:cloudtrail:us-east-1:000000000000:trail/t".to_string(),
    )]);
    let kms = WriterSse::Kms {
        key_id: cmk2.clone(),
        context,
    };
    let out = writer
        .put_object(&ct, file("trail-logs", LOG, kms.clone()))
        .await
        .unwrap();
    assert_eq!(out.sse, "aws:kms");
    assert_eq!(out.kms_key_arn.as_deref(), Some(cmk2.as_str()));
    let (alg, arn) = read_back(&c, "trail-logs", LOG, body).await;
    assert_eq!(alg.as_deref(), Some("aws:kms"));
    assert_eq!(arn.as_deref(), Some(cmk2.as_str()));

    // A digest: SSE-S3 whatever is stated; its metadata is kept for validate-logs.
    let out = writer
        .put_object(&ct, file("trail-logs", DIGEST, kms))
        .await
        .unwrap();
    assert_eq!(out.sse, "AES256");
    let h = head_of(&c, "trail-logs", DIGEST).await;
    assert_eq!(
        h.server_side_encryption().map(|s| s.as_str()),
        Some("AES256")
    );
    assert_eq!(
        h.metadata()
            .and_then(|m| m.get("signature"))
            .map(String::as_str),
        Some("abc")
    );

    // A user's plain PUT into the same bucket: the default, CMK1.
    put(&c, "trail-logs", "user.txt", b"hello").await;
    let (alg, arn) = read_back(&c, "trail-logs", "user.txt", b"hello").await;
    assert_eq!(alg.as_deref(), Some("aws:kms"));
    assert_eq!(arn.as_deref(), Some(cmk1.as_str()));
}

#[tokio::test]
async fn bucket_info_and_missing_buckets() {
    let (s, c) = Server::start_with_bucket("info").await;
    ok!(c.put_bucket_policy()
        .bucket("info")
        .policy(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::info"}]}"#));
    let writer: &dyn ObjectWriter = &s.app.s3;
    let info = writer.bucket_info("info").await.unwrap().unwrap();
    assert_eq!(info.owner.as_str(), "000000000000");
    assert!(info.policy.unwrap().contains("cloudtrail.amazonaws.com"));
    assert!(writer.bucket_info("nope").await.unwrap().is_none());
    let err = writer
        .put_object(&cloudtrail(), file("nope", LOG, WriterSse::S3))
        .await
        .unwrap_err();
    assert_eq!(err.code, "NoSuchBucket");
}
