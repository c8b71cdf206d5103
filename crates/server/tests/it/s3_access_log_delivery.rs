//! Access log delivery: waiting for the target's policy and encryption default, records
//! pending across a restart delivered exactly once, and flush delivering them.

use crate::common::{
    flush_as_cli, ok, put_bytes, put_policy, records_named, set_default_encryption, Server,
};
use crate::s3_access_log::*;
use aws_sdk_s3::types::ServerSideEncryption;
use std::sync::Arc;
use trailstack_core::{Clock, FixedClock};

#[tokio::test]
async fn delivery_waits_for_the_target_policy_and_an_sse_s3_default_then_delivers_once() {
    let (s, clock) = logged("log/", None).await;
    let c = s.s3();
    ok!(c.delete_bucket_policy().bucket("logs"));
    put_bytes(&c, "src", "k", b"x").await;
    let out = s.app.access_logs.tick(clock.now()).await.unwrap();
    assert_eq!((out.objects, out.failures), (0, 1));
    assert!(keys(&c, "logs").await.is_empty());
    let (waiting, error) = s.app.s3.access_log_backlog("src").await.unwrap();
    assert_eq!(waiting, 2);
    assert!(error.unwrap().contains("AccessDenied"));

    // An SSE-KMS default on the target: S3 delivers access logs only under SSE-S3.
    put_policy(&c, "logs", log_policy("logs", "src")).await;
    set_default_encryption(&c, "logs", ServerSideEncryption::AwsKms, None, false).await;
    let out = s.app.access_logs.tick(clock.now()).await.unwrap();
    assert_eq!((out.objects, out.failures), (0, 1));
    let (_, error) = s.app.s3.access_log_backlog("src").await.unwrap();
    assert!(error.unwrap().contains("SSE-S3"));
    // explain shows both logs of the bucket, and why this one is not delivered.
    let explained = explain(&s, &clock, "s3://src").await;
    let json = serde_json::to_value(&explained).unwrap();
    let access = &json["server_access_logging"];
    assert_eq!(access["target_bucket"], "logs");
    assert_eq!(access["stored_as"], "SSE-S3");
    assert_eq!(access["rule"]["id"], "access_log");
    assert_eq!(access["deliverable"], false);
    assert_eq!(access["pending_records"], 2);
    let text = trailstack_server::explain::render::render(&explained, false);
    assert!(text.contains("  object logging    none"), "{text}");
    assert!(
        text.contains("  access logging    server access logs to s3://logs/log/ (SimplePrefix)"),
        "{text}"
    );
    assert!(
        text.contains("not delivered: its default encryption is aws:kms"),
        "{text}"
    );

    ok!(c.delete_bucket_encryption().bucket("logs"));
    let out = s.app.access_logs.tick(clock.now()).await.unwrap();
    assert_eq!((out.objects, out.failures), (1, 0));
    // Only src's requests: the configuration calls on `logs` are not in src's log.
    let ops: Vec<String> = records(&c)
        .await
        .into_iter()
        .map(|f| f[6].clone())
        .collect();
    assert_eq!(ops, ["REST.PUT.LOGGING_STATUS", "REST.PUT.OBJECT"]);
    let out = s.app.access_logs.tick(clock.now()).await.unwrap();
    assert_eq!(out.objects, 0);
    assert_eq!(keys(&c, "logs").await.len(), 1);
}

#[tokio::test]
async fn pending_records_survive_a_restart_and_are_delivered_exactly_once() {
    let clock = Arc::new(FixedClock::new(t0()));
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start_clocked(dir, clock.clone(), |_| {}).await;
    let c = s.with_bucket("src").await;
    c.create_bucket().bucket("logs").send().await.unwrap();
    ok!(c
        .put_bucket_logging()
        .bucket("src")
        .bucket_logging_status(status_of(Some(logging("logs", "log/")))));
    for i in 0..3 {
        put_bytes(&c, "src", &format!("k{i}"), b"x").await;
    }
    // No policy yet: the first round notes a log object and fails to put it.
    let out = s.app.access_logs.tick(clock.now()).await.unwrap();
    assert_eq!(out.failures, 1);
    put_bytes(&c, "src", "k3", b"x").await;
    let dir = s.stop();

    let s = Server::start_clocked(dir, clock.clone(), |_| {}).await;
    let c = s.s3();
    put_policy(&c, "logs", log_policy("logs", "src")).await;
    clock.advance(time::Duration::minutes(1));
    let out = s.app.access_logs.tick(clock.now()).await.unwrap();
    assert_eq!((out.objects, out.records, out.failures), (2, 5, 0));
    let again = s.app.access_logs.tick(clock.now()).await.unwrap();
    assert_eq!(again.objects, 0);
    let puts: Vec<String> = records(&c)
        .await
        .into_iter()
        .filter(|f| f[6] == "REST.PUT.OBJECT")
        .map(|f| f[7].clone())
        .collect();
    let mut sorted = puts.clone();
    sorted.sort();
    assert_eq!(sorted, ["k0", "k1", "k2", "k3"]);
}

#[tokio::test]
async fn flush_delivers_access_logs_and_the_calls_are_in_cloudtrail() {
    let (s, _clock) = logged("log/", None).await;
    let c = s.s3();
    c.get_bucket_logging().bucket("src").send().await.unwrap();
    let answer = flush_as_cli(&s).await.unwrap();
    let answer: serde_json::Value = serde_json::from_str(&answer).unwrap();
    assert_eq!(answer["AccessLogObjects"], 1);
    assert_eq!(answer["AccessLogRecords"], 2);
    let recs = records(&c).await;
    assert_eq!(recs[1][6], "REST.GET.LOGGING_STATUS");
    assert_eq!(recs[1][8].split('?').nth(1), Some("logging HTTP/1.1"));

    let event = &records_named(&s, "PutBucketLogging").await[0];
    assert_eq!(event["eventCategory"], "Management");
    assert_eq!(
        event["requestParameters"]["BucketLoggingStatus"]["LoggingEnabled"]["TargetBucket"],
        "logs"
    );
}
