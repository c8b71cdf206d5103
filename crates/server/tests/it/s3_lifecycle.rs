//! S3 Lifecycle through the Rust SDK: the `x-amz-expiration` and `x-amz-abort-*` headers, and the
//! rules run by the worker's `tick` on a fixed clock that the tests step (no sleeps): expiration
//! by days and by date, noncurrent versions, delete markers, aborted uploads, transitions shown
//! as storage classes, CloudTrail's records of the configuration calls and the access log's.
//! Validation and round trips of the configuration are in `s3_lifecycle_configuration`.

use crate::common::{
    create_upload_req, get_out, head_err, head_of, ok, put_policy, put_req, status,
    versioned_bucket, Clocked, Server,
};
use aws_sdk_s3::types::builders::LifecycleRuleBuilder;
use aws_sdk_s3::types::{
    AbortIncompleteMultipartUpload, BucketLifecycleConfiguration, ExpirationStatus,
    LifecycleExpiration, LifecycleRule, LifecycleRuleFilter, NoncurrentVersionExpiration,
    StorageClass, Transition, TransitionDefaultMinimumObjectSize, TransitionStorageClass,
};
use aws_sdk_s3::Client;
use time::OffsetDateTime;
use trailstack_core::Clock;
use trailstack_s3::lifecycle::worker::Report;

/// 2026-01-01T10:30:00Z.
pub const T0: i64 = 1_767_263_400;

impl Clocked {
    /// Sets the clock to `at` (RFC 3339) and runs the worker.
    async fn tick_at(&self, at: &str) -> Report {
        use time::format_description::well_known::Rfc3339;
        self.clock.set(OffsetDateTime::parse(at, &Rfc3339).unwrap());
        self.s.app.lifecycle.tick(self.clock.now()).await.unwrap()
    }

    /// A server on the clock at [`T0`] and a client with bucket `name` created (versioned if
    /// `versioned`) and given the lifecycle `rules`.
    async fn with_rules(
        name: &str,
        versioned: bool,
        rules: Vec<LifecycleRuleBuilder>,
    ) -> (Clocked, Client) {
        let t = Clocked::start_at(T0, None).await;
        let c = t.lifecycle_bucket(name, versioned).await;
        let rules = rules.into_iter().map(|r| r.build().unwrap()).collect();
        put_rules(&c, name, rules).await;
        (t, c)
    }

    /// A client with bucket `name` created, versioned if `versioned`.
    pub async fn lifecycle_bucket(&self, name: &str, versioned: bool) -> Client {
        let c = self.s3();
        if versioned {
            versioned_bucket(&c, name).await;
        } else {
            c.create_bucket().bucket(name).send().await.unwrap();
        }
        c
    }
}

pub fn prefix(p: &str) -> LifecycleRuleFilter {
    LifecycleRuleFilter::builder().prefix(p).build()
}

pub fn rule(id: &str, filter: LifecycleRuleFilter) -> LifecycleRuleBuilder {
    LifecycleRule::builder()
        .id(id)
        .filter(filter)
        .status(ExpirationStatus::Enabled)
}

pub fn days(n: i32) -> LifecycleExpiration {
    LifecycleExpiration::builder().days(n).build()
}

/// Noncurrent versions expire `n` days after they became noncurrent.
pub fn noncurrent_days(n: i32) -> NoncurrentVersionExpiration {
    NoncurrentVersionExpiration::builder()
        .noncurrent_days(n)
        .build()
}

/// Incomplete multipart uploads are aborted `n` days after they were started.
pub fn abort_after(n: i32) -> AbortIncompleteMultipartUpload {
    AbortIncompleteMultipartUpload::builder()
        .days_after_initiation(n)
        .build()
}

pub async fn put_rules(c: &Client, bucket: &str, rules: Vec<LifecycleRule>) {
    ok!(c
        .put_bucket_lifecycle_configuration()
        .bucket(bucket)
        .lifecycle_configuration(
            BucketLifecycleConfiguration::builder()
                .set_rules(Some(rules))
                .build()
                .unwrap(),
        ));
}

pub async fn put(c: &Client, bucket: &str, key: &str, body: &[u8]) -> Option<String> {
    ok!(put_req(c, bucket, key, body))
        .expiration()
        .map(str::to_string)
}

pub async fn keys(c: &Client, bucket: &str) -> Vec<String> {
    let out = c.list_objects_v2().bucket(bucket).send().await.unwrap();
    out.contents()
        .iter()
        .filter_map(|o| o.key().map(str::to_string))
        .collect()
}

/// (versions, delete markers) of the bucket.
pub async fn versions(c: &Client, bucket: &str) -> (usize, usize) {
    let out = ok!(c.list_object_versions().bucket(bucket));
    (out.versions().len(), out.delete_markers().len())
}

#[tokio::test]
async fn objects_expire_at_the_midnight_after_their_days_and_say_so() {
    let (t, c) = Clocked::with_rules(
        "lc-days",
        false,
        vec![
            rule("one-day", prefix("logs/")).expiration(days(1)),
            rule("past", prefix("old/")).expiration(
                LifecycleExpiration::builder()
                    .date(aws_sdk_s3::primitives::DateTime::from_secs(1_735_689_600))
                    .build(),
            ),
        ],
    )
    .await;
    // Created 2026-01-01T10:30Z: one day later, rounded up to the next midnight.
    let expected = "expiry-date=\"Sat, 03 Jan 2026 00:00:00 GMT\", rule-id=\"one-day\"";
    assert_eq!(
        put(&c, "lc-days", "logs/a", b"a").await.as_deref(),
        Some(expected)
    );
    assert_eq!(put(&c, "lc-days", "keep/b", b"b").await, None);
    put(&c, "lc-days", "old/c", b"c").await;
    let head = head_of(&c, "lc-days", "logs/a").await;
    assert_eq!(head.expiration(), Some(expected));
    let get = get_out(&c, "lc-days", "logs/a").await;
    assert_eq!(get.expiration(), Some(expected));

    // The date in the past applies at once; the day-based rule not before its midnight.
    let r = t.tick_at("2026-01-02T23:59:59Z").await;
    assert_eq!(r.removed, 1);
    assert_eq!(keys(&c, "lc-days").await, ["keep/b", "logs/a"]);
    // Nothing new is due before the next midnight: the tick does nothing.
    assert_eq!(t.tick_at("2026-01-02T23:59:59Z").await, Report::default());
    let r = t.tick_at("2026-01-03T00:00:00Z").await;
    assert_eq!((r.passes, r.removed), (1, 1));
    assert_eq!(keys(&c, "lc-days").await, ["keep/b"]);
    // Run again, the pass finds nothing more to do.
    let r = t.tick_at("2026-01-04T00:00:00Z").await;
    assert_eq!((r.passes, r.removed), (1, 0));
}

#[tokio::test]
async fn versioned_buckets_get_delete_markers_and_lose_old_versions() {
    let (t, c) = Clocked::with_rules(
        "lc-versions",
        true,
        vec![
            rule("current", prefix("a"))
                .expiration(days(2))
                .noncurrent_version_expiration(noncurrent_days(1)),
            rule("markers", prefix("")).expiration(
                LifecycleExpiration::builder()
                    .expired_object_delete_marker(true)
                    .build(),
            ),
        ],
    )
    .await;
    put(&c, "lc-versions", "a", b"v1").await;
    put(&c, "lc-versions", "a", b"v2").await;
    assert_eq!(versions(&c, "lc-versions").await, (2, 0));
    // v1 became noncurrent on Jan 1: gone at Jan 3 00:00; v2 expires (a marker) at Jan 4.
    let r = t.tick_at("2026-01-03T00:00:00Z").await;
    assert_eq!((r.removed, r.markers), (1, 0));
    assert_eq!(versions(&c, "lc-versions").await, (1, 0));
    let r = t.tick_at("2026-01-04T00:00:00Z").await;
    assert_eq!(r.markers, 1);
    assert_eq!(versions(&c, "lc-versions").await, (1, 1));
    let e = head_err(&c, "lc-versions", "a").await;
    assert_eq!(status(&e), 404);
    // v2, noncurrent since Jan 4, goes at Jan 6; the marker, then alone, the day after.
    let r = t.tick_at("2026-01-06T00:00:00Z").await;
    assert_eq!(r.removed, 1);
    assert_eq!(versions(&c, "lc-versions").await, (0, 1));
    let r = t.tick_at("2026-01-07T00:00:00Z").await;
    assert_eq!(r.removed, 1);
    assert_eq!(versions(&c, "lc-versions").await, (0, 0));
}

#[tokio::test]
async fn incomplete_uploads_are_aborted_and_announce_it() {
    let (t, c) = Clocked::with_rules(
        "lc-uploads",
        false,
        vec![rule("abort", prefix("tmp/")).abort_incomplete_multipart_upload(abort_after(2))],
    )
    .await;
    let up = ok!(create_upload_req(&c, "lc-uploads", "tmp/x"));
    assert_eq!(up.abort_rule_id(), Some("abort"));
    let abort_at = up.abort_date().unwrap().secs();
    assert_eq!(abort_at, 1_767_484_800); // 2026-01-04T00:00:00Z
    let parts = ok!(c
        .list_parts()
        .bucket("lc-uploads")
        .key("tmp/x")
        .upload_id(up.upload_id().unwrap()));
    assert_eq!(parts.abort_rule_id(), Some("abort"));
    ok!(create_upload_req(&c, "lc-uploads", "keep/y"));
    assert_eq!(t.tick_at("2026-01-03T23:00:00Z").await.aborted, 0);
    assert_eq!(t.tick_at("2026-01-04T00:00:00Z").await.aborted, 1);
    let left = ok!(c.list_multipart_uploads().bucket("lc-uploads"));
    let keys: Vec<_> = left.uploads().iter().filter_map(|u| u.key()).collect();
    assert_eq!(keys, ["keep/y"]);
}

#[tokio::test]
async fn transitions_show_the_new_storage_class() {
    let t = Clocked::start_at(T0, None).await;
    let c = t.lifecycle_bucket("lc-cold", false).await;
    ok!(c
        .put_bucket_lifecycle_configuration()
        .bucket("lc-cold")
        .transition_default_minimum_object_size(
            TransitionDefaultMinimumObjectSize::VariesByStorageClass,
        )
        .lifecycle_configuration(
            BucketLifecycleConfiguration::builder()
                .rules(
                    rule("cold", prefix(""))
                        .transitions(
                            Transition::builder()
                                .days(1)
                                .storage_class(TransitionStorageClass::Glacier)
                                .build(),
                        )
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        ));
    put(&c, "lc-cold", "k", b"data").await;
    let r = t.tick_at("2026-01-03T00:00:00Z").await;
    assert_eq!(r.transitioned, 1);
    let head = head_of(&c, "lc-cold", "k").await;
    assert_eq!(head.storage_class(), Some(&StorageClass::Glacier));
    let list = c.list_objects_v2().bucket("lc-cold").send().await.unwrap();
    assert_eq!(
        list.contents()[0].storage_class().map(|s| s.as_str()),
        Some("GLACIER")
    );
    let body = get_out(&c, "lc-cold", "k").await;
    assert_eq!(crate::common::body_bytes(body).await, b"data");
}

#[tokio::test]
async fn rules_survive_a_restart_and_a_finished_pass_is_not_run_again() {
    let (t, c) = Clocked::with_rules(
        "lc-restart",
        false,
        vec![rule("r", prefix("")).expiration(days(1))],
    )
    .await;
    for i in 0..250 {
        put(&c, "lc-restart", &format!("k{i:03}"), b"x").await;
    }
    let r = t.tick_at("2026-01-03T00:00:00Z").await;
    assert_eq!(r.removed, 250);
    put(&c, "lc-restart", "new", b"x").await;
    let Clocked { s, clock } = t;
    let s = Server::start_clocked(s.stop(), clock.clone(), |_| {}).await;
    let t = Clocked { s, clock };
    // The same midnight: this bucket's pass is done; the new object waits for its own.
    assert_eq!(t.tick_at("2026-01-03T12:00:00Z").await.passes, 0);
    let c = t.s3();
    assert_eq!(keys(&c, "lc-restart").await, ["new"]);
    assert!(c
        .get_bucket_lifecycle_configuration()
        .bucket("lc-restart")
        .send()
        .await
        .is_ok());
    assert_eq!(t.tick_at("2026-01-05T00:00:00Z").await.removed, 1);
}

#[tokio::test]
async fn configuration_calls_are_management_events_under_their_cloudtrail_names() {
    let (t, c) = Clocked::with_rules(
        "lc-trail",
        false,
        vec![rule("r", prefix("p/")).expiration(days(3))],
    )
    .await;
    ok!(c.get_bucket_lifecycle_configuration().bucket("lc-trail"));
    ok!(c.delete_bucket_lifecycle().bucket("lc-trail"));
    let ct = t.cloudtrail();
    let out = ct.lookup_events().send().await.unwrap();
    let events: Vec<serde_json::Value> = out
        .events()
        .iter()
        .map(|e| serde_json::from_str(e.cloud_trail_event().unwrap()).unwrap())
        .collect();
    let named = |n: &str| {
        events
            .iter()
            .find(|e| e["eventName"] == n)
            .unwrap_or_else(|| panic!("no {n} event"))
            .clone()
    };
    let put = named("PutBucketLifecycle");
    assert_eq!(put["managementEvent"], true);
    assert_eq!(put["readOnly"], false);
    assert_eq!(put["requestParameters"]["lifecycle"], "");
    assert_eq!(
        put["requestParameters"]["LifecycleConfiguration"]["Rule"]["Expiration"]["Days"],
        3
    );
    assert_eq!(named("GetBucketLifecycle")["readOnly"], true);
    assert_eq!(named("DeleteBucketLifecycle")["readOnly"], false);
}

#[tokio::test]
async fn lifecycle_actions_reach_the_server_access_log() {
    let t = Clocked::start_at(T0, None).await;
    let c = t.lifecycle_bucket("lc-src", true).await;
    c.create_bucket().bucket("lc-logs").send().await.unwrap();
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
        "Principal":{"Service":"logging.s3.amazonaws.com"},"Action":"s3:PutObject",
        "Resource":"arn:aws:s3:::lc-logs/*"}]}"#;
    put_policy(&c, "lc-logs", policy).await;
    let enabled = aws_sdk_s3::types::LoggingEnabled::builder()
        .target_bucket("lc-logs")
        .target_prefix("")
        .build()
        .unwrap();
    ok!(c
        .put_bucket_logging()
        .bucket("lc-src")
        .bucket_logging_status(
            aws_sdk_s3::types::BucketLoggingStatus::builder()
                .logging_enabled(enabled)
                .build(),
        ));
    put_rules(
        &c,
        "lc-src",
        vec![rule("all", prefix(""))
            .expiration(days(1))
            .noncurrent_version_expiration(noncurrent_days(1))
            .abort_incomplete_multipart_upload(abort_after(1))
            .build()
            .unwrap()],
    )
    .await;
    put(&c, "lc-src", "k", b"v1").await;
    put(&c, "lc-src", "k", b"v2").await;
    ok!(create_upload_req(&c, "lc-src", "u"));
    let r = t.tick_at("2026-01-03T00:00:00Z").await;
    assert_eq!((r.removed, r.markers, r.aborted), (1, 1, 1));
    t.s.app.access_logs.tick(t.clock.now()).await.unwrap();
    let mut actions = Vec::new();
    let logs = c.list_objects_v2().bucket("lc-logs").send().await.unwrap();
    for o in logs.contents() {
        let got = get_out(&c, "lc-logs", o.key().unwrap()).await;
        let text = String::from_utf8(crate::common::body_bytes(got).await).unwrap();
        for line in text.lines() {
            // Owner, bucket, [time] (two words), remote IP, requester, request id, operation, key.
            let f: Vec<&str> = line.split(' ').collect();
            if f[7].starts_with("S3.") && !f[7].starts_with("S3.REST") {
                assert_eq!(f[5], "AmazonS3", "{line}");
                actions.push(format!("{} {}", f[7], f[8]));
            }
        }
    }
    actions.sort();
    assert_eq!(
        actions,
        [
            "S3.CREATE.DELETEMARKER k",
            "S3.DELETE.UPLOAD u",
            "S3.EXPIRE.OBJECT k"
        ]
    );
}
