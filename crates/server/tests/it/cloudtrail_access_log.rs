//! CloudTrail delivering into a bucket whose access is logged: each log and digest file it
//! writes is a request on that bucket, so the bucket's server access log records it, with
//! the CloudTrail service as requester.

use crate::common::{cloudtrail_bucket_policy, ok, put_policy};
use crate::s3_access_log::{log_policy, logging, records, status_of};
use crate::s3_object_lock::lock_server;
use time::Duration;
use trailstack_core::Clock;

#[tokio::test]
async fn deliveries_into_a_logged_bucket_are_in_its_access_log() {
    let clocked = lock_server().await;
    let (s, clock, c) = (&clocked.s, &clocked.clock, clocked.s3());
    c.create_bucket().bucket("src").send().await.unwrap();
    c.create_bucket().bucket("logs").send().await.unwrap();
    put_policy(&c, "logs", log_policy("logs", "src")).await;
    ok!(c
        .put_bucket_logging()
        .bucket("src")
        .bucket_logging_status(status_of(Some(logging("logs", "")))));
    put_policy(&c, "src", cloudtrail_bucket_policy("src", &["audit"])).await;
    let ct = clocked.cloudtrail();
    ok!(ct
        .create_trail()
        .name("audit")
        .s3_bucket_name("src")
        .enable_log_file_validation(true));
    ct.start_logging().name("audit").send().await.unwrap();
    clock.advance(Duration::minutes(61));
    let out = s.app.delivery.tick(clock.now(), true).await.unwrap();
    assert!(out.log_files >= 1 && out.digests >= 1, "{out:?}");
    clock.advance(Duration::minutes(5));
    s.app.access_logs.tick(clock.now()).await.unwrap();

    let deliveries: Vec<_> = records(&c)
        .await
        .into_iter()
        .filter(|f| f[4] == "svc:cloudtrail.amazonaws.com")
        .collect();
    let keys: Vec<&str> = deliveries.iter().map(|f| f[7].as_str()).collect();
    assert!(
        keys.iter()
            .any(|k| k.starts_with("AWSLogs/000000000000/CloudTrail/")),
        "{keys:?}"
    );
    assert!(
        keys.iter()
            .any(|k| k.starts_with("AWSLogs/000000000000/CloudTrail-Digest/")),
        "{keys:?}"
    );
    for f in &deliveries {
        assert_eq!(f[6], "REST.PUT.OBJECT");
        assert_eq!(f[8], format!("PUT /src/{} HTTP/1.1", f[7]));
        assert_eq!(f[9], "200");
        assert_eq!(f[19], "SigV4");
        assert_eq!(f[21], "AuthHeader");
    }
}
