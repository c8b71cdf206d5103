//! CloudTrail delivering into a bucket with Object Lock: its log and digest files take the
//! bucket's default retention (COMPLIANCE, so not even the root deletes them before it ends),
//! and `explain` shows the retention of a delivered file and the bucket's configuration.

use crate::cloudtrail_delivery::keys_under;
use crate::common::*;
use crate::s3_object_lock::{lock_config, lock_server};
use aws_sdk_s3::primitives::DateTime;
use aws_sdk_s3::types::{ObjectLockMode, ObjectLockRetentionMode as Mode};
use time::Duration;
use trailstack_core::Clock;
use trailstack_server::admin_client::Credentials;
use trailstack_server::explain::{client, Target};

async fn explain(c: &Clocked, target: &str) -> serde_json::Value {
    let endpoint = c.s.endpoint.clone();
    let target = Target::parse(target).unwrap();
    let credentials = Credentials {
        access_key: "test".into(),
        secret_key: "test".into(),
        region: "us-east-1".into(),
        session_token: None,
    };
    let now = c.clock.now();
    let e =
        tokio::task::spawn_blocking(move || client::explain(&endpoint, &credentials, &target, now))
            .await
            .unwrap()
            .unwrap();
    serde_json::to_value(e).unwrap()
}

#[tokio::test]
async fn log_and_digest_files_take_the_default_retention_of_a_locked_bucket() {
    let c = lock_server().await;
    let s3 = c.s3();
    ok!(bucket_req(&s3, "archive").object_lock_enabled_for_bucket(true));
    put_policy(
        &s3,
        "archive",
        cloudtrail_bucket_policy("archive", &["audit"]),
    )
    .await;
    ok!(s3
        .put_object_lock_configuration()
        .bucket("archive")
        .object_lock_configuration(lock_config(Mode::Compliance, Some(1), None)));
    let ct = c.cloudtrail();
    ok!(ct
        .create_trail()
        .name("audit")
        .s3_bucket_name("archive")
        .enable_log_file_validation(true));
    ct.start_logging().name("audit").send().await.unwrap();
    // A management event for the trail to deliver.
    ok!(s3.get_object_lock_configuration().bucket("archive"));

    c.clock.advance(Duration::minutes(61));
    let written_at = c.clock.now().unix_timestamp();
    let out = c.s.app.delivery.tick(c.clock.now(), true).await.unwrap();
    assert!(out.log_files >= 1 && out.digests >= 1, "{out:?}");
    let logs = keys_under(&s3, "archive", "AWSLogs/000000000000/CloudTrail/").await;
    let digests = keys_under(&s3, "archive", "AWSLogs/000000000000/CloudTrail-Digest/").await;
    assert!(!logs.is_empty() && !digests.is_empty());
    for key in logs.iter().chain(&digests) {
        let head = head_of(&s3, "archive", key).await;
        assert_eq!(
            head.object_lock_mode(),
            Some(&ObjectLockMode::Compliance),
            "{key}"
        );
        assert_eq!(
            head.object_lock_retain_until_date(),
            Some(&DateTime::from_secs(written_at + 86_400)),
            "{key}"
        );
        let version = head.version_id().unwrap();
        let e = err!(s3
            .delete_object()
            .bucket("archive")
            .key(key)
            .version_id(version)
            .bypass_governance_retention(true));
        assert_eq!(
            (status(&e), code(&e).as_str()),
            (403, "AccessDenied"),
            "{key}"
        );
    }

    let log = explain(&c, &format!("s3://archive/{}", logs[0])).await;
    assert_eq!(log["object_lock"]["mode"], "COMPLIANCE");
    assert_eq!(log["object_lock"]["retention_active"], true);
    assert_eq!(log["rule"]["id"], "cloudtrail_log");
    let bucket = explain(&c, "s3://archive").await;
    assert_eq!(bucket["object_lock"]["default_mode"], "COMPLIANCE");
    assert_eq!(bucket["object_lock"]["default_period"], "1 day");

    // After the retention, the files can be deleted.
    c.clock.advance(Duration::days(2));
    let head = head_of(&s3, "archive", &logs[0]).await;
    ok!(s3
        .delete_object()
        .bucket("archive")
        .key(&logs[0])
        .version_id(head.version_id().unwrap()));
    let log = explain(&c, &format!("s3://archive/{}", digests[0])).await;
    assert_eq!(log["object_lock"]["retention_active"], false);
}
