//! Delivery outages: a disabled trail key, a bucket policy that denies, a deleted bucket or a
//! trail moved to another bucket keep records pending until delivery can succeed, then every
//! record is delivered once.

use crate::cloudtrail_delivery::*;
use crate::common::*;
use serde_json::Value;
use time::{Duration, OffsetDateTime};
use trailstack_cloudtrail::delivery::Outcome;

/// Runs a fault scenario: `break_it` makes delivery fail with `want_error`, `fix_it` repairs;
/// records made before and during the outage are delivered exactly once after it.
pub async fn outage_then_recovery<B, F>(
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
    let head = head_of(&s3, "logs", k).await;
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
            put_policy(&s3, "logs", deny.to_string()).await;
        },
        async {
            put_policy(&s3, "logs", cloudtrail_bucket_policy("logs", &["denied"])).await;
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
    ok!(s
        .cloudtrail()
        .update_trail()
        .name("moved")
        .s3_bucket_name("newlogs"));
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
