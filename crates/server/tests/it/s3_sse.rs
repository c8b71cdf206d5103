//! S3 encryption at rest: the user rows of ARCHITECTURE.md §5, bucket default encryption, SSE-S3,
//! SSE-KMS and SSE-C, KMS key states, ranges across chunks, multipart, copies, no plaintext on
//! disk, and the `--require-tls-for-sse` flag. This file holds the design-table rows and the
//! helpers; the rest is in `s3_sse/`.

use crate::common::*;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::ServerSideEncryption as Sse;
use base64::Engine;

mod keys;
mod storage;
mod writer;

/// A new symmetric KMS key's ARN.
async fn new_key(s: &Server) -> String {
    let k = s.kms().create_key().send().await.unwrap();
    k.key_metadata.unwrap().arn.unwrap()
}

/// Sets the bucket default to SSE-KMS with `key` (None: aws/s3).
async fn default_kms(c: &aws_sdk_s3::Client, bucket: &str, key: Option<&str>, bucket_key: bool) {
    set_default_encryption(c, bucket, Sse::AwsKms, key, bucket_key).await;
}

/// Starts a server holding `bucket` whose default is SSE-KMS under a new key, CMK1 (no Bucket
/// Key); the server, its client and CMK1's ARN.
async fn start_with_kms_default(bucket: &str) -> (Server, aws_sdk_s3::Client, String) {
    let (s, c) = Server::start_with_bucket(bucket).await;
    let cmk1 = new_key(&s).await;
    default_kms(&c, bucket, Some(&cmk1), false).await;
    (s, c, cmk1)
}

/// Reads `key` back, checks its bytes, and returns HeadObject's (algorithm, key ARN).
async fn read_back(
    c: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
    want: &[u8],
) -> (Option<String>, Option<String>) {
    assert_eq!(get_bytes(c, bucket, key).await, want);
    let h = head_of(c, bucket, key).await;
    (
        h.server_side_encryption().map(|s| s.as_str().to_string()),
        h.ssekms_key_id().map(str::to_string),
    )
}

async fn put(c: &aws_sdk_s3::Client, bucket: &str, key: &str, body: &[u8]) {
    put_bytes(c, bucket, key, body).await;
}

/// §5 row 1: a user, no SSE header, no default -> SSE-S3.
#[tokio::test]
async fn row_no_header_no_default_is_sse_s3() {
    let (_s, c) = Server::start_with_bucket("row1").await;
    let body = data(70_000, 1);
    let out = ok!(put_req(&c, "row1", "a", &body));
    assert_eq!(out.server_side_encryption(), Some(&Sse::Aes256));
    assert_eq!(out.e_tag().unwrap().trim_matches('"'), md5_hex(&body));
    let (alg, arn) = read_back(&c, "row1", "a", &body).await;
    assert_eq!((alg.as_deref(), arn), (Some("AES256"), None));
    let enc = ok!(c.get_bucket_encryption().bucket("row1"));
    let rule = &enc.server_side_encryption_configuration().unwrap().rules()[0];
    let d = rule.apply_server_side_encryption_by_default().unwrap();
    assert_eq!(d.sse_algorithm(), &Sse::Aes256);
    assert_eq!(rule.bucket_key_enabled(), Some(false));
}

/// §5 row 2: a user, no SSE header, default SSE-KMS with CMK1 -> SSE-KMS, CMK1.
#[tokio::test]
async fn row_no_header_default_kms_key() {
    let (_s, c, cmk1) = start_with_kms_default("row2").await;
    let body = data(1000, 2);
    put(&c, "row2", "a", &body).await;
    let (alg, arn) = read_back(&c, "row2", "a", &body).await;
    assert_eq!(alg.as_deref(), Some("aws:kms"));
    assert_eq!(arn.as_deref(), Some(cmk1.as_str()));
    let enc = ok!(c.get_bucket_encryption().bucket("row2"));
    let rule = &enc.server_side_encryption_configuration().unwrap().rules()[0];
    let d = rule.apply_server_side_encryption_by_default().unwrap();
    assert_eq!(d.kms_master_key_id(), Some(cmk1.as_str()));
    let del = c.delete_bucket_encryption().bucket("row2").send().await;
    assert!(del.is_ok());
    put(&c, "row2", "b", &body).await;
    assert_eq!(
        read_back(&c, "row2", "b", &body).await.0.as_deref(),
        Some("AES256")
    );
    // Changing the default does not touch existing objects.
    assert_eq!(
        read_back(&c, "row2", "a", &body).await.0.as_deref(),
        Some("aws:kms")
    );
}

/// §5 row 3: a user, no SSE header, default SSE-KMS without key id -> SSE-KMS, aws/s3.
#[tokio::test]
async fn row_no_header_default_kms_without_key_uses_aws_s3() {
    let (s, c) = Server::start_with_bucket("row3").await;
    default_kms(&c, "row3", None, true).await;
    let body = data(200_000, 3);
    let out = ok!(put_req(&c, "row3", "a", &body));
    assert_eq!(out.bucket_key_enabled(), Some(true));
    let (alg, arn) = read_back(&c, "row3", "a", &body).await;
    assert_eq!(alg.as_deref(), Some("aws:kms"));
    let managed = ok!(s.kms().describe_key().key_id("alias/aws/s3"));
    assert_eq!(arn, managed.key_metadata.unwrap().arn);
    let h = head_of(&c, "row3", "a").await;
    assert_eq!(h.bucket_key_enabled(), Some(true));
}

/// §5 row 4: a user asking AES256 on a bucket whose default is SSE-KMS CMK1 -> SSE-S3.
#[tokio::test]
async fn row_aes256_header_beats_kms_default() {
    let (_s, c, _) = start_with_kms_default("row4").await;
    let body = data(10, 4);
    let out = ok!(put_req(&c, "row4", "a", &body).server_side_encryption(Sse::Aes256));
    assert_eq!(out.server_side_encryption(), Some(&Sse::Aes256));
    assert_eq!(out.ssekms_key_id(), None);
    assert_eq!(
        read_back(&c, "row4", "a", &body).await,
        (Some("AES256".into()), None)
    );
}

/// §5 row 5: a user asking aws:kms with key K -> SSE-KMS, K, whatever the default.
#[tokio::test]
async fn row_kms_header_with_key_wins() {
    let (s, c) = Server::start_with_bucket("row5").await;
    let cmk1 = new_key(&s).await;
    let k = new_key(&s).await;
    let key_id = k.rsplit('/').next().unwrap().to_string();
    for (i, default) in [None, Some(cmk1.as_str())].into_iter().enumerate() {
        if let Some(d) = default {
            default_kms(&c, "row5", Some(d), false).await;
        }
        let body = data(5000, 50 + i as u64);
        let ctx = b64(br#"{"team":"blue"}"#);
        let out = ok!(put_req(&c, "row5", "a", &body)
            .kms_key(&key_id)
            .ssekms_encryption_context(&ctx));
        assert_eq!(out.ssekms_key_id(), Some(k.as_str()), "full ARN");
        assert_ne!(out.e_tag().unwrap().trim_matches('"'), md5_hex(&body));
        let echoed = base64::engine::general_purpose::STANDARD
            .decode(out.ssekms_encryption_context().unwrap())
            .unwrap();
        let echoed: serde_json::Value = serde_json::from_slice(&echoed).unwrap();
        assert_eq!(echoed["team"], "blue");
        assert_eq!(echoed["aws:s3:arn"], "arn:aws:s3:::row5/a");
        assert_eq!(
            read_back(&c, "row5", "a", &body).await,
            (Some("aws:kms".into()), Some(k.clone()))
        );
    }
}
fn md5_hex(b: &[u8]) -> String {
    use md5::Digest;
    md5::Md5::digest(b)
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

/// The stored SSE record of `key`, from the metadata row.
fn stored_sse(s: &Server, bucket: &str, key: &str) -> serde_json::Value {
    stored_meta(s, bucket, key)["sse"].clone()
}

/// The stored metadata of the current version of `key`, on whichever engine the server runs.
pub fn stored_meta(s: &Server, bucket: &str, key: &str) -> serde_json::Value {
    let meta: String = s
        .app
        .db
        .read(|c| {
            c.query_one(
                "SELECT meta FROM s3_objects WHERE bucket = $1 AND key = $2",
                &[&bucket, &key.as_bytes()],
                |r| r.get(0),
            )
        })
        .unwrap();
    serde_json::from_str(&meta).unwrap()
}
