//! CloudTrail trails through aws-sdk-cloudtrail: the quota of 5 trails per region, names and ARNs
//! that find nothing, name rules, the bucket and key checks of CreateTrail, the key as its full
//! ARN, and logging that only StartLogging starts. Buckets and keys that should pass carry the
//! policies CloudTrail requires (docs/aws/cloudtrail-delivery.md §C.2, §C.3), so these tests hold
//! once the checks simulate those policies.

use crate::common::*;

/// A customer managed key with `policy`; returns its ARN.
async fn key_with_policy(s: &Server, policy: Option<String>) -> String {
    let mut req = s.kms().create_key();
    if let Some(p) = policy {
        req = req.policy(p);
    }
    req.send().await.unwrap().key_metadata.unwrap().arn.unwrap()
}

#[tokio::test]
async fn the_sixth_trail_in_a_region_fails_and_deleting_one_makes_room() {
    let s = Server::start().await;
    let names = ["t-1", "t-2", "t-3", "t-4", "t-5", "t-6"];
    trail_bucket(&s, "ct-quota-logs", &names).await;
    let ct = s.cloudtrail();
    for n in &names[..5] {
        ok!(ct.create_trail().name(*n).s3_bucket_name("ct-quota-logs"));
    }
    assert_fails!(
        ct.create_trail()
            .name("t-6")
            .s3_bucket_name("ct-quota-logs"),
        "MaximumNumberOfTrailsExceededException"
    );
    assert_fails!(
        ct.create_trail()
            .name("t-1")
            .s3_bucket_name("ct-quota-logs"),
        "TrailAlreadyExistsException"
    );

    ct.delete_trail().name("t-1").send().await.unwrap();
    let made = ok!(ct
        .create_trail()
        .name("t-6")
        .s3_bucket_name("ct-quota-logs"));
    assert_eq!(made.trail_arn(), Some(trail_arn("t-6").as_str()));
    let listed = ct.list_trails().send().await.unwrap();
    let mut names: Vec<_> = listed.trails().iter().filter_map(|t| t.name()).collect();
    names.sort();
    assert_eq!(names, ["t-2", "t-3", "t-4", "t-5", "t-6"]);
}

#[tokio::test]
async fn unknown_trails_are_not_found_by_name_or_arn() {
    let s = Server::start().await;
    let ct = s.cloudtrail();
    let arn = trail_arn("ghost");
    for name in ["ghost", arn.as_str()] {
        let e = ct.get_trail().name(name).send().await.unwrap_err();
        assert_eq!(code(&e), "TrailNotFoundException", "{name}");
        assert_eq!(
            e.as_service_error().and_then(|e| e.meta().message()),
            Some(format!("Unknown trail: {name} for the user: {ACCOUNT}").as_str())
        );
        assert_fails!(
            ct.get_trail_status().name(name),
            "TrailNotFoundException",
            "{name}"
        );
        assert_fails!(
            ct.start_logging().name(name),
            "TrailNotFoundException",
            "{name}"
        );
        assert_fails!(
            ct.delete_trail().name(name),
            "TrailNotFoundException",
            "{name}"
        );
    }
    assert_fails!(
        ct.get_trail()
            .name("arn:aws:cloudtrail:us-east-1:000000000000:nottrail/x"),
        "CloudTrailARNInvalidException"
    );
    // Names that are not asked for are left out of DescribeTrails, not refused.
    let d = ok!(ct.describe_trails().trail_name_list("ghost"));
    assert!(d.trail_list().is_empty());
}

#[tokio::test]
async fn trail_names_follow_aws_rules() {
    let s = Server::start().await;
    trail_bucket(&s, "ct-names-logs", &["ok.name_1-x"]).await;
    let ct = s.cloudtrail();
    for bad in [
        "ab",
        "-abc",
        "abc-",
        "my--ns",
        "my-_ns",
        "192.168.5.4",
        "has space",
        "ünï",
    ] {
        assert_fails!(
            ct.create_trail().name(bad).s3_bucket_name("ct-names-logs"),
            "InvalidTrailNameException",
            "{bad}"
        );
    }
    ok!(ct
        .create_trail()
        .name("ok.name_1-x")
        .s3_bucket_name("ct-names-logs"));
}

#[tokio::test]
async fn create_trail_checks_the_bucket_and_the_key() {
    let s = Server::start().await;
    let ct = s.cloudtrail();
    assert_fails!(
        ct.create_trail()
            .name("nobucket")
            .s3_bucket_name("ct-no-such-bucket"),
        "S3BucketDoesNotExistException"
    );

    trail_bucket(&s, "ct-keys-logs", &["nokey", "aliased", "off"]).await;
    assert_fails!(
        ct.create_trail()
            .name("nokey")
            .s3_bucket_name("ct-keys-logs")
            .kms_key_id("alias/ct-no-such-key"),
        "KmsKeyNotFoundException"
    );
    assert_fails!(
        ct.create_trail()
            .name("nokey")
            .s3_bucket_name("ct-keys-logs")
            .kms_key_id("1234abcd-12ab-34cd-56ef-1234567890ab"),
        "KmsKeyNotFoundException"
    );

    // Created with an alias, the trail names the key by its full ARN.
    let key_arn = key_with_policy(&s, Some(cloudtrail_key_policy(&["aliased", "off"]))).await;
    ok!(s
        .kms()
        .create_alias()
        .alias_name("alias/ct-logs")
        .target_key_id(&key_arn));
    let made = ok!(ct
        .create_trail()
        .name("aliased")
        .s3_bucket_name("ct-keys-logs")
        .kms_key_id("alias/ct-logs"));
    assert_eq!(made.kms_key_id(), Some(key_arn.as_str()));
    let got = ct.get_trail().name("aliased").send().await.unwrap();
    assert_eq!(got.trail().unwrap().kms_key_id(), Some(key_arn.as_str()));
    let described = ct.describe_trails().send().await.unwrap();
    assert_eq!(
        described.trail_list()[0].kms_key_id(),
        Some(key_arn.as_str())
    );

    // A disabled key is refused with the KMS error.
    s.kms().disable_key().key_id(&key_arn).send().await.unwrap();
    assert_fails!(
        ct.create_trail()
            .name("off")
            .s3_bucket_name("ct-keys-logs")
            .kms_key_id(&key_arn),
        "KmsException"
    );
}

#[tokio::test]
async fn a_bucket_without_a_policy_is_refused() {
    let s = Server::start().await;
    s.with_bucket("ct-bare-logs").await;
    let e = err!(s
        .cloudtrail()
        .create_trail()
        .name("bare")
        .s3_bucket_name("ct-bare-logs"));
    assert_eq!(code(&e), "InsufficientS3BucketPolicyException");
    assert_eq!(
        e.as_service_error().and_then(|e| e.meta().message()),
        Some("Incorrect S3 bucket policy is detected for bucket: ct-bare-logs")
    );
}

#[tokio::test]
async fn a_bucket_policy_that_does_not_let_cloudtrail_write_is_refused() {
    let (s, c) = Server::start_with_bucket("ct-weak-logs").await;
    // Lets CloudTrail check the ACL but write only under another account's prefix.
    let policy = cloudtrail_bucket_policy("ct-weak-logs", &["weak"])
        .replace(&format!("AWSLogs/{ACCOUNT}/"), "AWSLogs/111122223333/");
    put_policy(&c, "ct-weak-logs", policy).await;
    assert_fails!(
        s.cloudtrail()
            .create_trail()
            .name("weak")
            .s3_bucket_name("ct-weak-logs"),
        "InsufficientS3BucketPolicyException"
    );
}

#[tokio::test]
async fn a_key_policy_that_does_not_let_cloudtrail_encrypt_is_refused() {
    let s = Server::start().await;
    trail_bucket(&s, "ct-weak-key-logs", &["weak-key"]).await;
    // The default key policy: the account's root only.
    let key_arn = key_with_policy(&s, None).await;
    let e = err!(s
        .cloudtrail()
        .create_trail()
        .name("weak-key")
        .s3_bucket_name("ct-weak-key-logs")
        .kms_key_id(&key_arn));
    assert_eq!(code(&e), "InsufficientEncryptionPolicyException");
    assert_eq!(
        e.as_service_error().and_then(|e| e.meta().message()),
        Some(
            format!("Insufficient permissions to access S3 bucket ct-weak-key-logs or KMS key {key_arn}.")
                .as_str()
        )
    );
}

#[tokio::test]
async fn the_aws_managed_s3_key_is_refused() {
    let s = Server::start().await;
    trail_bucket(&s, "ct-managed-logs", &["managed"]).await;
    // S3 creates aws/s3 on its first SSE-KMS write without a key id.
    ok!(s
        .s3()
        .put_object()
        .bucket("ct-managed-logs")
        .key("k")
        .server_side_encryption(aws_sdk_s3::types::ServerSideEncryption::AwsKms)
        .body(aws_sdk_s3::primitives::ByteStream::from_static(b"x")));
    assert_fails!(
        s.cloudtrail()
            .create_trail()
            .name("managed")
            .s3_bucket_name("ct-managed-logs")
            .kms_key_id("alias/aws/s3"),
        "InsufficientEncryptionPolicyException"
    );
}

#[tokio::test]
async fn create_trail_does_not_start_logging_and_start_stop_flip_it_with_times() {
    let s = Server::start().await;
    trail_bucket(&s, "ct-logging-logs", &["flip"]).await;
    let ct = s.cloudtrail();
    ok!(ct
        .create_trail()
        .name("flip")
        .s3_bucket_name("ct-logging-logs"));
    let st = ct.get_trail_status().name("flip").send().await.unwrap();
    assert_eq!(st.is_logging(), Some(false));
    assert!(st.start_logging_time().is_none() && st.stop_logging_time().is_none());
    assert_eq!(st.time_logging_started(), Some(""));

    ct.start_logging().name("flip").send().await.unwrap();
    let st = ct.get_trail_status().name("flip").send().await.unwrap();
    assert_eq!(st.is_logging(), Some(true));
    let started = *st.start_logging_time().unwrap();
    assert!(st.stop_logging_time().is_none());
    assert!(st.time_logging_started().unwrap().ends_with('Z'));
    // Idempotent: a second StartLogging keeps the time.
    ok!(ct.start_logging().name(trail_arn("flip")));
    let st = ct.get_trail_status().name("flip").send().await.unwrap();
    assert_eq!(st.start_logging_time(), Some(&started));

    ct.stop_logging().name("flip").send().await.unwrap();
    let st = ct.get_trail_status().name("flip").send().await.unwrap();
    assert_eq!(st.is_logging(), Some(false));
    let stopped = *st.stop_logging_time().unwrap();
    assert!(stopped.secs() >= started.secs());
    assert_eq!(st.start_logging_time(), Some(&started));
}

/// The default root (`test`), `reader` who may only describe trails, and `admin` who may do
/// anything with trails but delete those tagged `env=prod`.
fn authz_config() -> String {
    let read = allow_all(&["cloudtrail:DescribeTrails", "cloudtrail:GetTrail"]);
    let admin = r#"{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": "cloudtrail:*", "Resource": "*"},
  {"Effect": "Deny", "Action": "cloudtrail:DeleteTrail", "Resource": "*",
   "Condition": {"StringEquals": {"aws:ResourceTag/env": "prod"}}}]}"#;
    [
        root_user("test", "test", ACCOUNT),
        iam_user("AKREADER", "reader", ACCOUNT, "reader", &[&read]),
        iam_user("AKADMIN", "admin", ACCOUNT, "admin", &[admin]),
    ]
    .concat()
}

#[tokio::test]
async fn identity_policies_decide_what_users_may_do_with_trails() {
    use aws_sdk_cloudtrail::types::{LookupAttributeKey, Tag};
    let s = Server::start_as(&authz_config()).await;
    let names = ["authz-prod", "authz-dev", "authz-new"];
    trail_bucket(&s, "ct-authz-logs", &names).await;
    let root = s.cloudtrail();
    ok!(root
        .create_trail()
        .name("authz-prod")
        .s3_bucket_name("ct-authz-logs")
        .tags_list(Tag::builder().key("env").value("prod").build().unwrap()));
    ok!(root
        .create_trail()
        .name("authz-dev")
        .s3_bucket_name("ct-authz-logs"));

    // The reader describes, and nothing more.
    let reader = s.cloudtrail_with("AKREADER", "reader");
    let listed = reader.describe_trails().send().await.unwrap();
    assert_eq!(listed.trail_list().len(), 2);
    reader.get_trail().name("authz-dev").send().await.unwrap();
    let err = err!(reader
        .create_trail()
        .name("authz-new")
        .s3_bucket_name("ct-authz-logs"));
    assert_eq!(code(&err), "AccessDeniedException");
    assert_eq!(
        message(&err),
        format!(
            "User: arn:aws:iam::{ACCOUNT}:user/reader is not authorized to perform: cloudtrail:CreateTrail on resource: {} because no identity-based policy allows the cloudtrail:CreateTrail action",
            trail_arn("authz-new")
        )
    );
    assert_fails!(
        reader.stop_logging().name("authz-dev"),
        "AccessDeniedException"
    );
    assert_fails!(reader.list_trails(), "AccessDeniedException");

    // The admin may not delete a trail tagged env=prod, by name or ARN; an untagged one goes.
    let admin = s.cloudtrail_with("AKADMIN", "admin");
    for name in ["authz-prod".to_string(), trail_arn("authz-prod")] {
        let err = admin.delete_trail().name(name).send().await.unwrap_err();
        assert_eq!(code(&err), "AccessDeniedException");
        assert!(
            message(&err).ends_with(&format!(
                "cloudtrail:DeleteTrail on resource: {} with an explicit deny in an identity-based policy",
                trail_arn("authz-prod")
            )),
            "{}",
            message(&err)
        );
    }
    admin.delete_trail().name("authz-dev").send().await.unwrap();

    // The root is unaffected.
    root.delete_trail().name("authz-prod").send().await.unwrap();
    assert!(root
        .describe_trails()
        .send()
        .await
        .unwrap()
        .trail_list()
        .is_empty());

    // The denial is in the event history.
    let records = lookup_by(&root, LookupAttributeKey::EventName, "StopLogging").await;
    assert_eq!(records.len(), 1);
    let record = &records[0];
    assert_eq!(record["errorCode"], "AccessDeniedException");
    assert_eq!(
        record["userIdentity"]["arn"],
        format!("arn:aws:iam::{ACCOUNT}:user/reader")
    );
    assert_eq!(record["resources"][0]["ARN"], trail_arn("authz-dev"));
}
