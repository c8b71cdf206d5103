//! Object Lock and permissions, through the real SDK: the lock headers of a GET or HEAD shown
//! only to callers allowed to read the retention and the legal hold, and a bucket policy
//! capping retention with `s3:object-lock-remaining-retention-days`.

use crate::common::{
    allow_all, bucket_req, code, get_out, head_of, iam_user, ok, put_bytes, put_req, root_user,
    Server,
};
use aws_sdk_s3::primitives::{ByteStream, DateTime};
use aws_sdk_s3::types::{ObjectLockLegalHoldStatus, ObjectLockMode};

fn users() -> String {
    let read = allow_all(&["s3:GetObject", "s3:ListBucket"]);
    root_user("AKROOT", "root", "111111111111")
        + &iam_user("AKREADER", "reader", "111111111111", "reader", &[&read])
}

async fn start() -> (Server, aws_sdk_s3::Client) {
    let s = Server::start_as(&users()).await;
    let root = s.s3_with("AKROOT", "root");
    ok!(bucket_req(&root, "vault").object_lock_enabled_for_bucket(true));
    (s, root)
}

fn in_days(days: i64) -> DateTime {
    DateTime::from_secs(time::OffsetDateTime::now_utc().unix_timestamp() + days * 86_400)
}

#[tokio::test]
async fn lock_headers_only_for_callers_who_may_read_them() {
    let (s, root) = start().await;
    ok!(put_req(&root, "vault", "held", b"x")
        .object_lock_mode(ObjectLockMode::Governance)
        .object_lock_retain_until_date(in_days(3))
        .object_lock_legal_hold_status(ObjectLockLegalHoldStatus::On));
    let head = head_of(&root, "vault", "held").await;
    assert_eq!(head.object_lock_mode(), Some(&ObjectLockMode::Governance));
    assert!(head.object_lock_retain_until_date().is_some());
    assert_eq!(
        head.object_lock_legal_hold_status(),
        Some(&ObjectLockLegalHoldStatus::On)
    );
    let reader = s.s3_with("AKREADER", "reader");
    let head = head_of(&reader, "vault", "held").await;
    assert_eq!(head.object_lock_mode(), None);
    assert_eq!(head.object_lock_retain_until_date(), None);
    assert_eq!(head.object_lock_legal_hold_status(), None);
    let get = get_out(&reader, "vault", "held").await;
    assert_eq!(get.object_lock_mode(), None);
    assert_eq!(get.object_lock_legal_hold_status(), None);
}

#[tokio::test]
async fn policy_caps_retention_by_remaining_days() {
    let (_s, root) = start().await;
    ok!(root.put_bucket_policy()
        .bucket("vault")
        .policy(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*",
            "Action":["s3:PutObject","s3:PutObjectRetention"],"Resource":"arn:aws:s3:::vault/*",
            "Condition":{"NumericGreaterThan":{"s3:object-lock-remaining-retention-days":"10"}}}]}"#,
        ));
    let put = |days: i64| {
        root.put_object()
            .bucket("vault")
            .key("k")
            .object_lock_mode(ObjectLockMode::Governance)
            .object_lock_retain_until_date(in_days(days))
            .body(ByteStream::from_static(b"x"))
            .send()
    };
    let e = put(30).await.unwrap_err();
    assert_eq!(code(&e), "AccessDenied");
    put(10).await.unwrap();
    // Without lock headers the key does not exist and the Deny does not apply.
    put_bytes(&root, "vault", "plain", b"x").await;
}
