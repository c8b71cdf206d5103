//! CloudTrail delivery driven tick by tick (`app.delivery.tick(now, ..)`, never sleeping): log
//! files and their encryption, faults that keep records pending (disabled key, a bucket policy
//! that denies, a deleted bucket) and deliver them exactly once after recovery, a put whose
//! completion was lost redone under the same key, the signed digest chain, and CloudTrail's own
//! PutObjects as data events of a bucket the trail logs (docs/aws/cloudtrail-delivery.md §A–§C).

use crate::common::*;
use aws_sdk_cloudtrail::primitives::DateTime;
use aws_sdk_cloudtrail::types::{DataResource, EventSelector, ReadWriteType};
use aws_sdk_s3::operation::RequestId;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::sync::Arc;
use time::{Duration, OffsetDateTime};
use trailstack_cloudtrail::delivery::{Delivery, Outcome};
use trailstack_cloudtrail::CloudTrail;
use trailstack_core::{
    BucketInfo, Caller, ObjectError, ObjectFuture, ObjectWriter, PutObjectRequest, PutObjectResult,
};

pub const LOG_PREFIX: &str = "AWSLogs/000000000000/CloudTrail/";
const DIGEST_PREFIX: &str = "AWSLogs/000000000000/CloudTrail-Digest/";

pub fn gunzip(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(b)
        .read_to_end(&mut out)
        .unwrap();
    out
}

fn sha256_hex(b: &[u8]) -> String {
    hex::encode(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, b).as_ref())
}

/// Every object key of `bucket` under `prefix`, in order.
pub async fn keys_under(s3: &aws_sdk_s3::Client, bucket: &str, prefix: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let mut token = None;
    loop {
        let out = s3
            .list_objects_v2()
            .bucket(bucket)
            .prefix(prefix)
            .set_continuation_token(token)
            .send()
            .await
            .unwrap();
        keys.extend(
            out.contents()
                .iter()
                .filter_map(|o| o.key().map(str::to_string)),
        );
        token = out.next_continuation_token().map(str::to_string);
        if token.is_none() {
            return keys;
        }
    }
}

/// A delivered log file: its key, gzipped bytes and records.
pub struct LogFile {
    pub key: String,
    pub gz: Vec<u8>,
    pub records: Vec<Value>,
}

/// Every log file delivered into `bucket`, read back and parsed.
pub async fn log_files(s3: &aws_sdk_s3::Client, bucket: &str) -> Vec<LogFile> {
    let mut files = Vec::new();
    for key in keys_under(s3, bucket, LOG_PREFIX).await {
        let out = s3
            .get_object()
            .bucket(bucket)
            .key(&key)
            .send()
            .await
            .unwrap();
        let gz = body_bytes(out).await;
        let doc: Value = serde_json::from_slice(&gunzip(&gz)).unwrap();
        let records = doc["Records"]
            .as_array()
            .expect("{\"Records\":[...]}")
            .clone();
        files.push(LogFile { key, gz, records });
    }
    files
}

/// Asserts that each PutObject of `request_ids` is delivered exactly once in `files`, that no
/// PutObject is delivered twice and that no eventID appears twice.
pub fn assert_delivered_once(files: &[LogFile], request_ids: &[String]) {
    let mut by_request: HashMap<String, usize> = HashMap::new();
    let mut event_ids: HashMap<String, usize> = HashMap::new();
    for r in files.iter().flat_map(|f| &f.records) {
        *event_ids
            .entry(r["eventID"].as_str().unwrap().to_string())
            .or_default() += 1;
        if r["eventName"] == "PutObject" {
            *by_request
                .entry(r["requestID"].as_str().unwrap().to_string())
                .or_default() += 1;
        }
    }
    let twice: Vec<_> = event_ids.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        twice.is_empty(),
        "eventIDs delivered more than once: {twice:?}"
    );
    let twice: Vec<_> = by_request.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        twice.is_empty(),
        "PutObjects delivered more than once: {twice:?}"
    );
    for id in request_ids {
        assert_eq!(
            by_request.get(id).copied().unwrap_or(0),
            1,
            "the PutObject of request {id} must be delivered exactly once"
        );
    }
}

/// A customer managed key with the policy CloudTrail needs for `trail`; its ARN.
async fn trail_key(s: &Server, trail: &str) -> String {
    s.kms()
        .create_key()
        .policy(cloudtrail_key_policy(&[trail]))
        .send()
        .await
        .unwrap()
        .key_metadata
        .unwrap()
        .arn
        .unwrap()
}

/// Creates trail `name` into `logs` (which gets the CloudTrail bucket policy), logging only the
/// object writes of `data` (both buckets are created), and starts it.
async fn data_trail(
    s: &Server,
    name: &str,
    logs: &str,
    data: &str,
    key: Option<&str>,
    validation: bool,
) {
    trail_bucket(s, logs, &[name]).await;
    if data != logs {
        s.with_bucket(data).await;
    }
    let ct = s.cloudtrail();
    ct.create_trail()
        .name(name)
        .s3_bucket_name(logs)
        .set_kms_key_id(key.map(str::to_string))
        .enable_log_file_validation(validation)
        .send()
        .await
        .unwrap();
    ct.put_event_selectors()
        .trail_name(name)
        .event_selectors(
            EventSelector::builder()
                .read_write_type(ReadWriteType::WriteOnly)
                .include_management_events(false)
                .data_resources(
                    DataResource::builder()
                        .r#type("AWS::S3::Object")
                        .values(format!("arn:aws:s3:::{data}/"))
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    ct.start_logging().name(name).send().await.unwrap();
}

/// `n` PutObjects into `bucket`; their request ids.
async fn puts(s: &Server, bucket: &str, tag: &str, n: usize) -> Vec<String> {
    let s3 = s.s3();
    let mut ids = Vec::new();
    for i in 0..n {
        let out = s3
            .put_object()
            .bucket(bucket)
            .key(format!("{tag}/{i}"))
            .body(format!("{tag} {i}").into_bytes().into())
            .send()
            .await
            .unwrap();
        ids.push(out.request_id().unwrap().to_string());
    }
    ids
}

async fn tick(s: &Server, at: OffsetDateTime, close: bool) -> Outcome {
    s.app.delivery.tick(at, close).await.unwrap()
}

/// GetTrailStatus's (LatestDeliveryError, LatestDeliveryAttemptTime, LatestDeliveryTime secs).
async fn delivery_status(s: &Server, trail: &str) -> (Option<String>, String, Option<i64>) {
    let st = s
        .cloudtrail()
        .get_trail_status()
        .name(trail)
        .send()
        .await
        .unwrap();
    (
        st.latest_delivery_error().map(str::to_string),
        st.latest_delivery_attempt_time()
            .unwrap_or_default()
            .to_string(),
        st.latest_delivery_time().map(|t| t.secs()),
    )
}

fn iso(t: OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Runs a fault scenario: `break_it` makes delivery fail with `want_error`, `fix_it` repairs;
/// records made before and during the outage are delivered exactly once after it.
async fn outage_then_recovery<B, F>(
    s: &Server,
    trail: &str,
    want_error: &str,
    break_it: B,
    fix_it: F,
) where
    B: std::future::Future<Output = ()>,
    F: std::future::Future<Output = ()>,
{
    let t0 = OffsetDateTime::now_utc();
    let mut sent = puts(s, "data", "before", 3).await;
    break_it.await;
    sent.extend(puts(s, "data", "during", 3).await);
    let failed = tick(s, t0 + Duration::minutes(5), false).await;
    assert_eq!((failed.log_files, failed.failures), (0, 1), "{failed:?}");
    let (error, attempt, delivered) = delivery_status(s, trail).await;
    assert_eq!(error.as_deref(), Some(want_error));
    assert_eq!(attempt, iso(t0 + Duration::minutes(5)));
    assert_eq!(delivered, None, "nothing was delivered yet");
    // Still failing: retried, still nothing delivered, the attempt time moves.
    sent.extend(puts(s, "data", "still", 2).await);
    let again = tick(s, t0 + Duration::minutes(10), false).await;
    assert_eq!((again.log_files, again.failures), (0, 1), "{again:?}");
    assert_eq!(
        delivery_status(s, trail).await.1,
        iso(t0 + Duration::minutes(10))
    );

    fix_it.await;
    let ok = tick(s, t0 + Duration::minutes(15), false).await;
    assert_eq!(ok.failures, 0, "{ok:?}");
    assert_eq!(ok.records, 8, "{ok:?}");
    let (error, attempt, delivered) = delivery_status(s, trail).await;
    assert_eq!(error, None, "a success clears the error");
    assert_eq!(attempt, iso(t0 + Duration::minutes(15)));
    assert_eq!(
        delivered,
        Some((t0 + Duration::minutes(15)).unix_timestamp())
    );
    // Nothing is left, nothing comes twice.
    let more = tick(s, t0 + Duration::minutes(20), false).await;
    assert_eq!(more, Outcome::default());
    let files = log_files(&s.s3(), "logs").await;
    assert_delivered_once(&files, &sent);
    assert_eq!(files.iter().map(|f| f.records.len()).sum::<usize>(), 8);
}

#[tokio::test]
async fn a_disabled_key_keeps_records_pending_until_it_is_enabled() {
    let s = Server::start().await;
    let key = trail_key(&s, "keyed").await;
    data_trail(&s, "keyed", "logs", "data", Some(&key), false).await;
    let kms = s.kms();
    outage_then_recovery(
        &s,
        "keyed",
        "KMS.DisabledException",
        async {
            kms.disable_key().key_id(&key).send().await.unwrap();
        },
        async {
            kms.enable_key().key_id(&key).send().await.unwrap();
        },
    )
    .await;
    // The log file is SSE-KMS under the trail's key.
    let s3 = s.s3();
    let k = &keys_under(&s3, "logs", LOG_PREFIX).await[0];
    let head = s3.head_object().bucket("logs").key(k).send().await.unwrap();
    assert_eq!(
        head.server_side_encryption().map(|e| e.as_str()),
        Some("aws:kms")
    );
    assert_eq!(head.ssekms_key_id(), Some(key.as_str()));
}

#[tokio::test]
async fn a_bucket_policy_that_denies_keeps_records_pending_until_it_is_fixed() {
    let s = Server::start().await;
    data_trail(&s, "denied", "logs", "data", None, false).await;
    let s3 = s.s3();
    let mut deny: Value =
        serde_json::from_str(&cloudtrail_bucket_policy("logs", &["denied"])).unwrap();
    deny["Statement"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "Sid": "NoCloudTrail", "Effect": "Deny",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:PutObject", "Resource": "arn:aws:s3:::logs/*"
        }));
    outage_then_recovery(
        &s,
        "denied",
        "AccessDenied",
        async {
            s3.put_bucket_policy()
                .bucket("logs")
                .policy(deny.to_string())
                .send()
                .await
                .unwrap();
        },
        async {
            s3.put_bucket_policy()
                .bucket("logs")
                .policy(cloudtrail_bucket_policy("logs", &["denied"]))
                .send()
                .await
                .unwrap();
        },
    )
    .await;
}

/// A trail moved to another bucket while its bucket refused delivery: the records of the
/// outage, already noted for a file in the old bucket, are delivered to the new one.
#[tokio::test]
async fn records_pending_in_an_outage_follow_the_trail_to_its_new_bucket() {
    let s = Server::start().await;
    data_trail(&s, "moved", "logs", "data", None, false).await;
    let t0 = OffsetDateTime::now_utc();
    let mut sent = puts(&s, "data", "before", 2).await;
    s.s3().delete_bucket().bucket("logs").send().await.unwrap();
    sent.extend(puts(&s, "data", "during", 2).await);
    let failed = tick(&s, t0 + Duration::minutes(5), false).await;
    assert_eq!((failed.log_files, failed.failures), (0, 1), "{failed:?}");
    trail_bucket(&s, "newlogs", &["moved"]).await;
    s.cloudtrail()
        .update_trail()
        .name("moved")
        .s3_bucket_name("newlogs")
        .send()
        .await
        .unwrap();
    sent.extend(puts(&s, "data", "after", 2).await);
    let ok = tick(&s, t0 + Duration::minutes(10), false).await;
    assert_eq!((ok.failures, ok.records), (0, 6), "{ok:?}");
    let files = log_files(&s.s3(), "newlogs").await;
    assert_delivered_once(&files, &sent);
    assert_eq!(files.iter().map(|f| f.records.len()).sum::<usize>(), 6);
    assert_eq!(
        tick(&s, t0 + Duration::minutes(15), false).await,
        Outcome::default()
    );
}

#[tokio::test]
async fn a_deleted_bucket_keeps_records_pending_until_it_is_recreated() {
    let s = Server::start().await;
    data_trail(&s, "gone", "logs", "data", None, false).await;
    let s3 = s.s3();
    outage_then_recovery(
        &s,
        "gone",
        "NoSuchBucket",
        async {
            s3.delete_bucket().bucket("logs").send().await.unwrap();
        },
        trail_bucket(&s, "logs", &["gone"]),
    )
    .await;
}

#[tokio::test]
async fn a_trail_without_a_key_writes_sse_s3_into_a_bucket_whose_default_is_sse_kms() {
    let s = Server::start().await;
    data_trail(&s, "plain", "logs", "data", None, false).await;
    let cmk1 = trail_key(&s, "plain").await;
    let s3 = s.s3();
    s3.put_bucket_encryption()
        .bucket("logs")
        .server_side_encryption_configuration(
            aws_sdk_s3::types::ServerSideEncryptionConfiguration::builder()
                .rules(
                    aws_sdk_s3::types::ServerSideEncryptionRule::builder()
                        .apply_server_side_encryption_by_default(
                            aws_sdk_s3::types::ServerSideEncryptionByDefault::builder()
                                .sse_algorithm(aws_sdk_s3::types::ServerSideEncryption::AwsKms)
                                .kms_master_key_id(&cmk1)
                                .build()
                                .unwrap(),
                        )
                        .build(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    puts(&s, "data", "x", 1).await;
    let out = tick(&s, OffsetDateTime::now_utc() + Duration::minutes(5), false).await;
    assert_eq!(out.log_files, 1);
    let k = &keys_under(&s3, "logs", LOG_PREFIX).await[0];
    let head = s3.head_object().bucket("logs").key(k).send().await.unwrap();
    assert_eq!(
        head.server_side_encryption().map(|e| e.as_str()),
        Some("AES256")
    );
    // A user's plain PUT into the same bucket still gets the default.
    s3.put_object()
        .bucket("logs")
        .key("user.txt")
        .body(b"x".to_vec().into())
        .send()
        .await
        .unwrap();
    let head = s3
        .head_object()
        .bucket("logs")
        .key("user.txt")
        .send()
        .await
        .unwrap();
    assert_eq!(
        head.server_side_encryption().map(|e| e.as_str()),
        Some("aws:kms")
    );
    assert_eq!(head.ssekms_key_id(), Some(cmk1.as_str()));
}

/// S3 behind a connection that breaks after the put: the object is stored, the caller hears
/// an error.
struct PutThenFail(Arc<dyn ObjectWriter>);

impl ObjectWriter for PutThenFail {
    fn put_object<'a>(
        &'a self,
        caller: &'a Caller,
        request: PutObjectRequest,
    ) -> ObjectFuture<'a, PutObjectResult> {
        Box::pin(async move {
            self.0.put_object(caller, request).await?;
            Err(ObjectError {
                code: "InternalError".into(),
                message: "the connection broke after the put".into(),
            })
        })
    }

    fn bucket_info<'a>(&'a self, bucket: &'a str) -> ObjectFuture<'a, Option<BucketInfo>> {
        self.0.bucket_info(bucket)
    }
}

#[tokio::test]
async fn a_put_whose_completion_was_lost_is_redone_under_the_same_key_with_the_same_bytes() {
    let s = Server::start().await;
    data_trail(&s, "redo", "logs", "data", None, false).await;
    let sent = puts(&s, "data", "r", 4).await;
    let app = &s.app;
    let ct = CloudTrail::new(
        app.db.clone(),
        app.clock.clone(),
        &app.config.region,
        Arc::new(app.kms.clone()),
        Arc::new(PutThenFail(Arc::new(app.s3.clone()))),
        Arc::new(trailstack_store::RootKey::load_or_create(&s.data_dir()).unwrap()),
    );
    let broken = Delivery::new(ct, std::time::Duration::from_secs(3600));
    let t0 = OffsetDateTime::now_utc();
    let out = broken.tick(t0 + Duration::minutes(5), false).await.unwrap();
    assert_eq!((out.log_files, out.failures), (0, 1));
    let s3 = s.s3();
    let first = log_files(&s3, "logs").await;
    assert_eq!(first.len(), 1, "the put itself happened");

    // The real worker, later (another minute, so a new file would get another key).
    let out = tick(&s, t0 + Duration::minutes(12), false).await;
    assert_eq!((out.log_files, out.records, out.failures), (1, 4, 0));
    let files = log_files(&s3, "logs").await;
    assert_eq!(files.len(), 1, "redone, never a second file");
    assert_eq!(files[0].key, first[0].key);
    assert_eq!(files[0].gz, first[0].gz, "the same bytes");
    assert_delivered_once(&files, &sent);
    assert_eq!(
        tick(&s, t0 + Duration::minutes(20), false).await,
        Outcome::default()
    );
}

/// A digest read back: key, uncompressed bytes, parsed document, metadata.
struct DigestFile {
    key: String,
    raw: Vec<u8>,
    doc: Value,
    meta: HashMap<String, String>,
}

async fn digest_files(s3: &aws_sdk_s3::Client, bucket: &str) -> Vec<DigestFile> {
    let mut out = Vec::new();
    for key in keys_under(s3, bucket, DIGEST_PREFIX).await {
        let o = s3
            .get_object()
            .bucket(bucket)
            .key(&key)
            .send()
            .await
            .unwrap();
        assert_eq!(
            o.server_side_encryption().map(|e| e.as_str()),
            Some("AES256"),
            "digests are SSE-S3"
        );
        let meta = o.metadata().cloned().unwrap_or_default();
        let raw = gunzip(&body_bytes(o).await);
        let doc = serde_json::from_slice(&raw).unwrap();
        out.push(DigestFile {
            key,
            raw,
            doc,
            meta,
        });
    }
    out
}

/// Verifies a digest's signature (docs/aws/cloudtrail-delivery.md §B.4) with the public keys
/// CloudTrail lists.
fn verify(d: &DigestFile, keys: &BTreeMap<String, Vec<u8>>) {
    assert_eq!(
        d.meta.get("signature-algorithm").map(String::as_str),
        Some("SHA256withRSA")
    );
    let sig = hex::decode(d.meta.get("signature").expect("signature metadata")).unwrap();
    let fp = d.doc["digestPublicKeyFingerprint"].as_str().unwrap();
    let der = keys
        .get(fp)
        .unwrap_or_else(|| panic!("no listed public key {fp}"));
    let to_sign = format!(
        "{}\n{}/{}\n{}\n{}",
        d.doc["digestEndTime"].as_str().unwrap(),
        d.doc["digestS3Bucket"].as_str().unwrap(),
        d.doc["digestS3Object"].as_str().unwrap(),
        sha256_hex(&d.raw),
        d.doc["previousDigestSignature"].as_str().unwrap_or("null"),
    );
    aws_lc_rs::signature::UnparsedPublicKey::new(
        &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
        der,
    )
    .verify(to_sign.as_bytes(), &sig)
    .unwrap_or_else(|_| panic!("signature of {} does not verify", d.key));
    assert_eq!(d.doc["digestS3Object"], d.key.as_str());
}

fn assert_chained(prev: &DigestFile, next: &DigestFile) {
    assert_eq!(
        next.doc["previousDigestS3Bucket"],
        prev.doc["digestS3Bucket"]
    );
    assert_eq!(next.doc["previousDigestS3Object"], prev.key.as_str());
    assert_eq!(
        next.doc["previousDigestHashValue"],
        sha256_hex(&prev.raw).as_str()
    );
    assert_eq!(next.doc["previousDigestHashAlgorithm"], "SHA-256");
    assert_eq!(
        next.doc["previousDigestSignature"],
        prev.meta["signature"].as_str()
    );
    assert_eq!(next.doc["digestStartTime"], prev.doc["digestEndTime"]);
}

fn assert_chain_start(d: &DigestFile) {
    for f in [
        "previousDigestS3Bucket",
        "previousDigestS3Object",
        "previousDigestHashValue",
        "previousDigestHashAlgorithm",
        "previousDigestSignature",
    ] {
        assert!(d.doc[f].is_null(), "{f} of {} must be null", d.key);
    }
}

#[tokio::test]
async fn digests_chain_sign_and_stop_with_a_final_digest() {
    let s = Server::start().await;
    data_trail(&s, "digests", "logs", "data", None, true).await;
    let t0 = OffsetDateTime::now_utc();
    let sent = puts(&s, "data", "d", 2).await;
    let s3 = s.s3();

    // +61 min: the log file is delivered after the first period ended; its digest is empty.
    let a = tick(&s, t0 + Duration::minutes(61), false).await;
    assert_eq!((a.log_files, a.records, a.digests), (1, 2, 1), "{a:?}");
    // +2h01: no delivery; the second digest lists that log file.
    let b = tick(&s, t0 + Duration::minutes(121), false).await;
    assert_eq!((b.log_files, b.digests), (0, 1), "{b:?}");
    let logs = log_files(&s3, "logs").await;
    assert_eq!(logs.len(), 1);
    assert_delivered_once(&logs, &sent);
    let d = digest_files(&s3, "logs").await;
    assert_eq!(d.len(), 2);
    let (first, second) = (&d[0], &d[1]);
    assert_chain_start(first);
    assert_eq!(first.doc["logFiles"], serde_json::json!([]));
    assert!(first.doc["newestEventTime"].is_null() && first.doc["oldestEventTime"].is_null());
    assert_chained(first, second);
    let listed = second.doc["logFiles"].as_array().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["s3Bucket"], "logs");
    assert_eq!(listed[0]["s3Object"], logs[0].key.as_str());
    assert_eq!(
        listed[0]["hashValue"],
        sha256_hex(&gunzip(&logs[0].gz)).as_str()
    );
    assert_eq!(listed[0]["hashAlgorithm"], "SHA-256");
    assert_eq!(second.doc["newestEventTime"], listed[0]["newestEventTime"]);
    // Periods are an hour apart, and the names carry the end time.
    for x in &d {
        let end = x.doc["digestEndTime"]
            .as_str()
            .unwrap()
            .replace(['-', ':'], "");
        assert!(x.key.ends_with(&format!("_{end}.json.gz")), "{}", x.key);
        assert!(x
            .key
            .contains("/000000000000_CloudTrail-Digest_us-east-1_digests_us-east-1_"));
    }

    // StopLogging: the next tick writes a final digest, then nothing more.
    let ct = s.cloudtrail();
    ct.stop_logging().name("digests").send().await.unwrap();
    let c = tick(&s, t0 + Duration::minutes(150), false).await;
    assert_eq!(c.digests, 1, "{c:?}");
    assert_eq!(
        tick(&s, t0 + Duration::minutes(300), false).await.digests,
        0
    );
    assert_eq!(tick(&s, t0 + Duration::minutes(301), true).await.digests, 0);
    let d = digest_files(&s3, "logs").await;
    assert_eq!(d.len(), 3);
    assert_chained(&d[1], &d[2]);
    assert_eq!(
        d[2].doc["digestEndTime"],
        iso(t0 + Duration::minutes(150)).as_str()
    );

    // StartLogging again: a new chain, whose first digest has null links.
    ct.start_logging().name("digests").send().await.unwrap();
    let e = tick(&s, t0 + Duration::minutes(302), true).await;
    assert_eq!(e.digests, 1, "{e:?}");
    let d = digest_files(&s3, "logs").await;
    assert_eq!(d.len(), 4);
    let newest = d
        .iter()
        .find(|x| x.doc["digestEndTime"] == iso(t0 + Duration::minutes(302)).as_str())
        .expect("the new chain's digest");
    assert_chain_start(newest);

    // Every digest verifies with a key ListPublicKeys returns.
    let listed = ct
        .list_public_keys()
        .start_time(DateTime::from_secs(t0.unix_timestamp() - 3600))
        .end_time(DateTime::from_secs(t0.unix_timestamp() + 6 * 3600))
        .send()
        .await
        .unwrap();
    let keys: BTreeMap<String, Vec<u8>> = listed
        .public_key_list()
        .iter()
        .map(|k| {
            (
                k.fingerprint().unwrap().to_string(),
                k.value().unwrap().as_ref().to_vec(),
            )
        })
        .collect();
    assert!(!keys.is_empty());
    for x in &d {
        verify(x, &keys);
    }
}

#[tokio::test]
async fn cloudtrail_s_own_puts_are_data_events_of_a_logged_bucket_and_the_loop_stays_bounded() {
    let s = Server::start().await;
    // The trail logs the object writes of its own bucket.
    data_trail(&s, "self", "logs", "logs", None, false).await;
    let sent = puts(&s, "logs", "user", 2).await;
    let t0 = OffsetDateTime::now_utc();
    let s3 = s.s3();
    let first = tick(&s, t0 + Duration::minutes(5), false).await;
    assert_eq!((first.log_files, first.records), (1, 2));
    let mut previous = keys_under(&s3, "logs", LOG_PREFIX).await;
    assert_eq!(previous.len(), 1);
    let mut last = previous[0].clone();
    assert_delivered_once(&log_files(&s3, "logs").await, &sent);
    for round in 1..=3 {
        let out = tick(&s, t0 + Duration::minutes(5 + 5 * round), false).await;
        assert_eq!(
            (out.log_files, out.records),
            (1, 1),
            "round {round}: {out:?}"
        );
        let now = keys_under(&s3, "logs", LOG_PREFIX).await;
        let new: Vec<_> = now.iter().filter(|k| !previous.contains(k)).collect();
        assert_eq!(new.len(), 1, "round {round}");
        let files = log_files(&s3, "logs").await;
        let file = files.iter().find(|f| &f.key == new[0]).unwrap();
        assert_eq!(file.records.len(), 1);
        let r = &file.records[0];
        assert_eq!(r["eventName"], "PutObject");
        assert_eq!(r["eventSource"], "s3.amazonaws.com");
        assert_eq!(
            r["userIdentity"],
            serde_json::json!({"type": "AWSService", "invokedBy": "cloudtrail.amazonaws.com"})
        );
        assert_eq!(r["requestParameters"]["bucketName"], "logs");
        // The record is the previous delivery's PutObject.
        assert_eq!(
            r["requestParameters"]["key"],
            last.as_str(),
            "round {round}: the previous file's PutObject"
        );
        last = new[0].clone();
        previous = now;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ticks_that_overlap_timer_and_flush_deliver_each_record_once() {
    let s = Server::start().await;
    data_trail(&s, "overlap", "logs", "data", None, true).await;
    let mut sent = Vec::new();
    let t0 = OffsetDateTime::now_utc();
    for round in 0..5i64 {
        sent.extend(puts(&s, "data", &format!("o{round}"), 5).await);
        let at = t0 + Duration::minutes(5 * (round + 1));
        let (a, b, c) = tokio::join!(
            s.app.delivery.tick(at, false),
            s.app.delivery.tick(at, true),
            s.app.delivery.tick(at, false)
        );
        let total = a.unwrap().records + b.unwrap().records + c.unwrap().records;
        assert_eq!(
            total, 5,
            "round {round}: each record is delivered by one tick"
        );
    }
    let files = log_files(&s.s3(), "logs").await;
    assert_delivered_once(&files, &sent);
    assert_eq!(
        files.iter().map(|f| f.records.len()).sum::<usize>(),
        sent.len()
    );
    // Every delivered file is listed by exactly one digest.
    let d = digest_files(&s.s3(), "logs").await;
    let mut listed: Vec<String> = d
        .iter()
        .flat_map(|x| x.doc["logFiles"].as_array().unwrap().clone())
        .map(|f| f["s3Object"].as_str().unwrap().to_string())
        .collect();
    listed.sort();
    let mut keys: Vec<String> = files.iter().map(|f| f.key.clone()).collect();
    keys.sort();
    assert_eq!(listed, keys);
}

#[tokio::test]
async fn records_whose_delivery_failed_at_stop_logging_are_in_the_final_digest() {
    let s = Server::start().await;
    let key = trail_key(&s, "stopped").await;
    data_trail(&s, "stopped", "logs", "data", Some(&key), true).await;
    let t0 = OffsetDateTime::now_utc();
    // A first tick opens the digest chain.
    assert_eq!(
        tick(&s, t0 + Duration::minutes(1), false).await,
        Outcome::default()
    );
    let sent = puts(&s, "data", "s", 3).await;
    let kms = s.kms();
    kms.disable_key().key_id(&key).send().await.unwrap();
    s.cloudtrail()
        .stop_logging()
        .name("stopped")
        .send()
        .await
        .unwrap();
    let failed = tick(&s, t0 + Duration::minutes(5), false).await;
    assert_eq!((failed.log_files, failed.failures), (0, 1), "{failed:?}");
    kms.enable_key().key_id(&key).send().await.unwrap();
    let ok = tick(&s, t0 + Duration::minutes(10), false).await;
    assert_eq!((ok.log_files, ok.records), (1, 3), "{ok:?}");
    assert_eq!(tick(&s, t0 + Duration::minutes(90), false).await.digests, 0);
    let s3 = s.s3();
    let files = log_files(&s3, "logs").await;
    assert_delivered_once(&files, &sent);
    // One chain, ended by one final digest, which lists the late file.
    let d = digest_files(&s3, "logs").await;
    assert_eq!(
        d.len(),
        1,
        "{:?}",
        d.iter().map(|x| &x.key).collect::<Vec<_>>()
    );
    assert_chain_start(&d[0]);
    let listed: Vec<_> = d[0].doc["logFiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["s3Object"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(listed, vec![files[0].key.clone()]);
}
