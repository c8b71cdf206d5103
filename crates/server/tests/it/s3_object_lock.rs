//! S3 Object Lock through the Rust SDK, and the harness its tests share: Object Lock at bucket
//! creation and on a versioned bucket, the configuration and its validation, the
//! Content-MD5/checksum requirement, and the state surviving a restart
//! (`s3_object_lock_rules` has retention, legal holds and default retention). The server runs
//! on a settable clock that the clients sign with, so retentions end without sleeping.

use crate::common::*;
use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::primitives::DateTime;
use aws_sdk_s3::types::{
    BucketVersioningStatus, DefaultRetention, ObjectLockConfiguration, ObjectLockEnabled,
    ObjectLockRetention, ObjectLockRetentionMode as Mode, ObjectLockRule, VersioningConfiguration,
};
use aws_sdk_s3::Client;
use time::OffsetDateTime;

/// 2026-03-01T00:00:00Z.
pub const T0_SECS: i64 = 1_772_323_200;
pub const DAY: i64 = 86_400;

/// A root in its own account, and `ops`, a user of that account allowed everything on S3 but
/// `s3:BypassGovernanceRetention`.
fn users() -> String {
    let ops = r#"{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
  {"Effect": "Deny", "Action": "s3:BypassGovernanceRetention", "Resource": "*"}]}"#;
    root_user("test", "test", ACCOUNT) + &iam_user("AKOPS", "ops", ACCOUNT, "ops", &[ops])
}

/// The server the Object Lock tests share: its clock at [`T0_SECS`], its users [`users`].
pub async fn lock_server() -> Clocked {
    Clocked::start_at(T0_SECS, Some(&users())).await
}

pub fn at(secs: i64) -> DateTime {
    DateTime::from_secs(secs)
}

pub fn retention(mode: Mode, until: i64) -> ObjectLockRetention {
    ObjectLockRetention::builder()
        .mode(mode)
        .retain_until_date(at(until))
        .build()
}

pub fn lock_config(mode: Mode, days: Option<i32>, years: Option<i32>) -> ObjectLockConfiguration {
    ObjectLockConfiguration::builder()
        .object_lock_enabled(ObjectLockEnabled::Enabled)
        .rule(
            ObjectLockRule::builder()
                .default_retention(
                    DefaultRetention::builder()
                        .mode(mode)
                        .set_days(days)
                        .set_years(years)
                        .build(),
                )
                .build(),
        )
        .build()
}

pub async fn locked_bucket(c: &Client, name: &str) {
    ok!(bucket_req(c, name).object_lock_enabled_for_bucket(true));
}

pub async fn put(c: &Client, bucket: &str, key: &str) -> String {
    ok!(put_req(c, bucket, key, b"abc"))
        .version_id()
        .unwrap()
        .to_string()
}

pub async fn set_retention(
    c: &Client,
    b: &str,
    k: &str,
    r: ObjectLockRetention,
    bypass: bool,
) -> Result<(), String> {
    let put = c.put_object_retention().bucket(b).key(k).retention(r);
    status_and_code(
        put.set_bypass_governance_retention(bypass.then_some(true))
            .send()
            .await,
    )
}

pub async fn delete_version(
    c: &Client,
    b: &str,
    k: &str,
    v: &str,
    bypass: bool,
) -> Result<(), String> {
    let delete = c.delete_object().bucket(b).key(k).version_id(v);
    status_and_code(
        delete
            .set_bypass_governance_retention(bypass.then_some(true))
            .send()
            .await,
    )
}

/// Ok, or the `status code` of the error an S3 call answered.
fn status_and_code<T, E: ProvideErrorMetadata>(
    r: Result<T, SdkError<E, HttpResponse>>,
) -> Result<(), String> {
    r.map(|_| ())
        .map_err(|e| format!("{} {}", status(&e), code(&e)))
}

#[tokio::test]
async fn object_lock_configuration_needs_versioning_and_pins_it() {
    let c = lock_server().await;
    let s3 = c.s3();
    locked_bucket(&s3, "locked").await;
    let v = ok!(s3.get_bucket_versioning().bucket("locked"));
    assert_eq!(v.status(), Some(&BucketVersioningStatus::Enabled));
    let got = ok!(s3.get_object_lock_configuration().bucket("locked"));
    let conf = got.object_lock_configuration().unwrap();
    assert_eq!(
        conf.object_lock_enabled(),
        Some(&ObjectLockEnabled::Enabled)
    );
    assert!(conf.rule().is_none());
    assert_outcome!(
        s3.put_bucket_versioning()
            .bucket("locked")
            .versioning_configuration(
                VersioningConfiguration::builder()
                    .status(BucketVersioningStatus::Suspended)
                    .build(),
            ),
        "InvalidBucketState 409"
    );

    ok!(s3
        .put_object_lock_configuration()
        .bucket("locked")
        .object_lock_configuration(lock_config(Mode::Compliance, None, Some(1))));
    let got = ok!(s3.get_object_lock_configuration().bucket("locked"));
    let d = got
        .object_lock_configuration()
        .unwrap()
        .rule()
        .unwrap()
        .default_retention()
        .unwrap();
    assert_eq!(
        (d.mode(), d.years(), d.days()),
        (Some(&Mode::Compliance), Some(1), None)
    );

    // Validation, as AWS answers.
    let bad = |conf| {
        let s3 = s3.clone();
        async move {
            let e = err!(s3
                .put_object_lock_configuration()
                .bucket("locked")
                .object_lock_configuration(conf));
            (status(&e), code(&e))
        }
    };
    let malformed = (400, "MalformedXML".to_string());
    assert_eq!(
        bad(lock_config(Mode::Governance, Some(1), Some(1))).await,
        malformed
    );
    assert_eq!(
        bad(lock_config(Mode::from("governance"), Some(1), None)).await,
        malformed
    );
    let invalid = (400, "InvalidArgument".to_string());
    assert_eq!(
        bad(lock_config(Mode::Governance, Some(0), None)).await,
        invalid
    );
    assert_eq!(
        bad(lock_config(Mode::Governance, None, Some(-1))).await,
        invalid
    );
    assert_eq!(
        bad(lock_config(Mode::Governance, Some(36_501), None)).await,
        invalid
    );

    // A plain bucket: no configuration, and none until versioning is Enabled.
    s3.create_bucket().bucket("plain").send().await.unwrap();
    assert_outcome!(
        s3.get_object_lock_configuration().bucket("plain"),
        "ObjectLockConfigurationNotFoundError 404"
    );
    let put_conf = || {
        s3.put_object_lock_configuration()
            .bucket("plain")
            .object_lock_configuration(lock_config(Mode::Governance, Some(1), None))
            .send()
    };
    let e = put_conf().await.unwrap_err();
    assert_eq!((status(&e), code(&e).as_str()), (409, "InvalidBucketState"));
    set_versioning(
        &s3,
        "plain",
        aws_sdk_s3::types::BucketVersioningStatus::Enabled,
    )
    .await;
    put_conf().await.unwrap();
    // Retention calls on a bucket without Object Lock.
    s3.create_bucket().bucket("nolock").send().await.unwrap();
    put_bytes(&s3, "nolock", "k", b"abc").await;
    let e = set_retention(
        &s3,
        "nolock",
        "k",
        retention(Mode::Governance, T0_SECS + DAY),
        false,
    )
    .await;
    assert_eq!(e, Err("400 InvalidRequest".into()));
    assert_outcome!(
        s3.get_object_legal_hold().bucket("nolock").key("k"),
        "InvalidRequest 400"
    );
}

#[tokio::test]
async fn a_write_under_object_lock_needs_content_md5_or_a_checksum() {
    let s = Server::start().await;
    let s3 = s.s3();
    locked_bucket(&s3, "md5").await;
    ok!(s3
        .put_object_lock_configuration()
        .bucket("md5")
        .object_lock_configuration(lock_config(Mode::Governance, Some(1), None)));
    let bare = Raw::new(&s, "PUT", "/md5/k")
        .body(b"abc".to_vec())
        .send_signed(&s)
        .await;
    bare.assert_error_message(400, "InvalidRequest", "Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters");
    let with_md5 = Raw::new(&s, "PUT", "/md5/k")
        .header("content-md5", "kAFQmDzST7DWlj99KOF/cg==")
        .body(b"abc".to_vec())
        .send_signed(&s)
        .await;
    assert_eq!(with_md5.status, 200, "{}", with_md5.text());
    let conf = Raw::new(&s, "PUT", "/md5?object-lock")
        .body(b"<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled></ObjectLockConfiguration>".to_vec())
        .send_signed(&s)
        .await;
    conf.assert_code(400, "InvalidRequest");
}

#[tokio::test]
async fn locks_survive_a_restart() {
    let s = Server::start().await;
    let s3 = s.s3();
    locked_bucket(&s3, "durable").await;
    let v = put(&s3, "durable", "k").await;
    let far = OffsetDateTime::now_utc().unix_timestamp() + 365 * DAY;
    set_retention(&s3, "durable", "k", retention(Mode::Compliance, far), false)
        .await
        .unwrap();
    let dir = s.stop();
    let s = Server::start_in(dir).await;
    let s3 = s.s3();
    let got = ok!(s3
        .get_object_retention()
        .bucket("durable")
        .key("k")
        .version_id(&v));
    assert_eq!(got.retention().unwrap().mode(), Some(&Mode::Compliance));
    assert_eq!(
        delete_version(&s3, "durable", "k", &v, true).await,
        Err("403 AccessDenied".into())
    );
    let conf = ok!(s3.get_object_lock_configuration().bucket("durable"));
    assert!(conf.object_lock_configuration().is_some());
}
