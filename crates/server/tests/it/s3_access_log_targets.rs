//! Server access log targets S3 will not deliver into: a deleted target loses its pending
//! records (delivery is best effort), and a target with an Object Lock default retention
//! gets nothing until the retention is removed.

use crate::common::{bucket_req, get_bytes, ok, put_bytes, put_policy, Server};
use crate::s3_access_log::{log_policy, logged, logging, status_of};
use crate::s3_object_lock::lock_config;
use aws_sdk_s3::types::{ObjectLockConfiguration, ObjectLockEnabled, ObjectLockRetentionMode};
use std::sync::Arc;
use time::Duration;
use trailstack_core::{Clock, FixedClock};

async fn put(c: &aws_sdk_s3::Client, bucket: &str, key: &str) {
    put_bytes(c, bucket, key, b"x").await;
}

#[tokio::test]
async fn records_for_a_deleted_target_are_dropped() {
    let (s, clock) = logged("", None).await;
    let c = s.s3();
    put(&c, "src", "a").await;
    c.delete_bucket().bucket("logs").send().await.unwrap();
    clock.advance(Duration::minutes(5));
    let out = s.app.access_logs.tick(clock.now()).await.unwrap();
    assert_eq!((out.objects, out.failures, out.dropped), (0, 0, 1));
    // Nothing is left waiting: a bucket created later under the name receives nothing.
    c.create_bucket().bucket("logs").send().await.unwrap();
    put_policy(&c, "logs", log_policy("logs", "src")).await;
    let out = s.app.access_logs.tick(clock.now()).await.unwrap();
    assert_eq!((out.objects, out.failures, out.dropped), (0, 0, 0));
}

#[tokio::test]
async fn a_target_with_default_retention_waits_until_it_is_removed() {
    let now = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap();
    let clock = Arc::new(FixedClock::new(now));
    let s = Server::start_clocked(tempfile::tempdir().unwrap(), clock.clone(), |_| {}).await;
    let c = s.with_bucket("src").await;
    ok!(bucket_req(&c, "logs").object_lock_enabled_for_bucket(true));
    c.put_object_lock_configuration()
        .bucket("logs")
        .object_lock_configuration(lock_config(
            ObjectLockRetentionMode::Governance,
            Some(1),
            None,
        ))
        .send()
        .await
        .unwrap();
    put_policy(&c, "logs", log_policy("logs", "src")).await;
    ok!(c
        .put_bucket_logging()
        .bucket("src")
        .bucket_logging_status(status_of(Some(logging("logs", "log/")))));
    put(&c, "src", "a").await;
    clock.advance(Duration::minutes(5));
    let out = s.app.access_logs.tick(clock.now()).await.unwrap();
    assert_eq!((out.objects, out.failures), (0, 1));

    // Object Lock stays enabled; only the default retention goes.
    ok!(c
        .put_object_lock_configuration()
        .bucket("logs")
        .object_lock_configuration(
            ObjectLockConfiguration::builder()
                .object_lock_enabled(ObjectLockEnabled::Enabled)
                .build(),
        ));
    let out = s.app.access_logs.tick(clock.now()).await.unwrap();
    assert_eq!((out.objects, out.failures), (1, 0));
    let listed = c.list_objects_v2().bucket("logs").send().await.unwrap();
    let key = listed.contents()[0].key().unwrap();
    let body = get_bytes(&c, "logs", key).await;
    assert!(String::from_utf8(body)
        .unwrap()
        .contains(" REST.PUT.OBJECT a "));
}
