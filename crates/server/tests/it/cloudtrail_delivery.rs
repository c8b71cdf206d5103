//! CloudTrail delivery driven tick by tick (`app.delivery.tick(now, ..)`, never sleeping): log
//! files and their encryption, a put whose completion was lost redone under the same key,
//! CloudTrail's own PutObjects as data events of a bucket the trail logs, and overlapping ticks
//! delivering each record once (docs/aws/cloudtrail-delivery.md §A–§C). Outages are in
//! `cloudtrail_delivery_outages`, digests in `cloudtrail_digests`; both use the helpers here.

use crate::cloudtrail_digests::digest_files;
use crate::common::*;
use crate::shared::assert_none_twice;
use aws_sdk_s3::operation::RequestId;
use serde_json::Value;
use std::collections::HashMap;
use std::io::Read;
use std::sync::Arc;
use time::{Duration, OffsetDateTime};
use trailstack_cloudtrail::delivery::{Delivery, Outcome};
use trailstack_cloudtrail::CloudTrail;
use trailstack_core::{
    BucketInfo, Caller, ObjectError, ObjectFuture, ObjectWriter, PutObjectRequest, PutObjectResult,
};

pub const LOG_PREFIX: &str = "AWSLogs/000000000000/CloudTrail/";
pub const DIGEST_PREFIX: &str = "AWSLogs/000000000000/CloudTrail-Digest/";

pub fn gunzip(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(b)
        .read_to_end(&mut out)
        .unwrap();
    out
}

pub fn sha256_hex(b: &[u8]) -> String {
    hex::encode(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, b).as_ref())
}

/// Every object key of `bucket` under `prefix`, in order.
pub async fn keys_under(s3: &aws_sdk_s3::Client, bucket: &str, prefix: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let mut token = None;
    loop {
        let out = ok!(s3
            .list_objects_v2()
            .bucket(bucket)
            .prefix(prefix)
            .set_continuation_token(token));
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
        let out = get_out(s3, bucket, &key).await;
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
    assert_none_twice(&event_ids, "eventIDs");
    assert_none_twice(&by_request, "PutObjects");
    for id in request_ids {
        assert_eq!(
            by_request.get(id).copied().unwrap_or(0),
            1,
            "the PutObject of request {id} must be delivered exactly once"
        );
    }
}

/// A customer managed key with the policy CloudTrail needs for `trail`; its ARN.
pub async fn trail_key(s: &Server, trail: &str) -> String {
    ok!(s.kms().create_key().policy(cloudtrail_key_policy(&[trail])))
        .key_metadata
        .unwrap()
        .arn
        .unwrap()
}

/// Creates trail `name` into `logs` (which gets the CloudTrail bucket policy), logging only the
/// object writes of `data` (both buckets are created), and starts it.
pub async fn data_trail(
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
    start_data_trail(&s.cloudtrail(), name, logs, data, key, validation).await;
}

/// `n` PutObjects into `bucket`; their request ids.
pub async fn puts(s: &Server, bucket: &str, tag: &str, n: usize) -> Vec<String> {
    let s3 = s.s3();
    let mut ids = Vec::new();
    for i in 0..n {
        let out = ok!(s3
            .put_object()
            .bucket(bucket)
            .key(format!("{tag}/{i}"))
            .body(format!("{tag} {i}").into_bytes().into()));
        ids.push(out.request_id().unwrap().to_string());
    }
    ids
}

pub async fn tick(s: &Server, at: OffsetDateTime, close: bool) -> Outcome {
    s.app.delivery.tick(at, close).await.unwrap()
}

/// GetTrailStatus's (LatestDeliveryError, LatestDeliveryAttemptTime, LatestDeliveryTime secs).
pub async fn delivery_status(s: &Server, trail: &str) -> (Option<String>, String, Option<i64>) {
    let st = ok!(s.cloudtrail().get_trail_status().name(trail));
    (
        st.latest_delivery_error().map(str::to_string),
        st.latest_delivery_attempt_time()
            .unwrap_or_default()
            .to_string(),
        st.latest_delivery_time().map(|t| t.secs()),
    )
}

/// `YYYY-MM-DDTHH:MM:SSZ`, as GetTrailStatus and digests write times.
pub use trailstack_cloudtrail::recorder::render::iso_seconds as iso;

#[tokio::test]
async fn a_trail_without_a_key_writes_sse_s3_into_a_bucket_whose_default_is_sse_kms() {
    let s = Server::start().await;
    data_trail(&s, "plain", "logs", "data", None, false).await;
    let cmk1 = trail_key(&s, "plain").await;
    let s3 = s.s3();
    let kms = aws_sdk_s3::types::ServerSideEncryption::AwsKms;
    set_default_encryption(&s3, "logs", kms, Some(&cmk1), false).await;
    puts(&s, "data", "x", 1).await;
    let out = tick(&s, OffsetDateTime::now_utc() + Duration::minutes(5), false).await;
    assert_eq!(out.log_files, 1);
    let k = &keys_under(&s3, "logs", LOG_PREFIX).await[0];
    let head = head_of(&s3, "logs", k).await;
    assert_eq!(
        head.server_side_encryption().map(|e| e.as_str()),
        Some("AES256")
    );
    // A user's plain PUT into the same bucket still gets the default.
    put_bytes(&s3, "logs", "user.txt", b"x").await;
    let head = head_of(&s3, "logs", "user.txt").await;
    assert_eq!(
        head.server_side_encryption().map(|e| e.as_str()),
        Some("aws:kms")
    );
    assert_eq!(head.ssekms_key_id(), Some(cmk1.as_str()));
}

/// S3 behind a connection that breaks after the put: the object is stored, the caller hears
/// an error.
pub struct PutThenFail(Arc<dyn ObjectWriter>);

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
