//! Object Lock's rules through the Rust SDK: GOVERNANCE retention shortened, lifted or deleted
//! through only with the bypass header and `s3:BypassGovernanceRetention`, COMPLIANCE only
//! extended, legal holds blocking deletes (DeleteObject by version, DeleteObjects per key),
//! and new versions taking the default retention or their own `x-amz-object-lock-*` headers
//! (PutObject, CopyObject, multipart uploads).

use crate::common::*;
use crate::s3_object_lock::*;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    CompletedMultipartUpload, CompletedPart, Delete, ObjectIdentifier, ObjectLockLegalHold,
    ObjectLockLegalHoldStatus as Hold, ObjectLockMode, ObjectLockRetention,
    ObjectLockRetentionMode as Mode,
};
use time::Duration;
use trailstack_core::Clock;

#[tokio::test]
async fn governance_gives_way_to_a_permitted_bypass_and_compliance_to_nobody() {
    let c = lock_server().await;
    let (root, ops) = (c.s3(), c.s3_as("AKOPS", "ops"));
    locked_bucket(&root, "vault").await;
    let v1 = put(&root, "vault", "g").await;
    assert_outcome!(
        root.get_object_retention().bucket("vault").key("g"),
        "NoSuchObjectLockConfiguration 404"
    );
    let wanted = retention(Mode::Governance, T0_SECS - 1);
    let past = set_retention(&root, "vault", "g", wanted, false).await;
    assert_eq!(past, Err("400 InvalidArgument".into()));

    let until = T0_SECS + 10 * DAY;
    let wanted = retention(Mode::Governance, until);
    set_retention(&root, "vault", "g", wanted, false)
        .await
        .unwrap();
    let got = ok!(root.get_object_retention().bucket("vault").key("g"));
    let r = got.retention().unwrap();
    assert_eq!(
        (r.mode(), r.retain_until_date()),
        (Some(&Mode::Governance), Some(&at(until)))
    );
    let head = head_of(&root, "vault", "g").await;
    assert_eq!(head.object_lock_mode(), Some(&ObjectLockMode::Governance));
    assert_eq!(head.object_lock_retain_until_date(), Some(&at(until)));
    assert_eq!(head.object_lock_legal_hold_status(), None);

    // Extending is always allowed; shortening needs the header and the permission.
    let wanted = retention(Mode::Governance, until + DAY);
    set_retention(&ops, "vault", "g", wanted, false)
        .await
        .unwrap();
    let shorter = retention(Mode::Governance, until);
    assert_eq!(
        set_retention(&ops, "vault", "g", shorter.clone(), false).await,
        Err("403 AccessDenied".into())
    );
    assert_eq!(
        set_retention(&ops, "vault", "g", shorter.clone(), true).await,
        Err("403 AccessDenied".into())
    );
    assert_eq!(
        set_retention(&root, "vault", "g", shorter.clone(), false).await,
        Err("403 AccessDenied".into())
    );
    set_retention(&root, "vault", "g", shorter, true)
        .await
        .unwrap();

    // Deleting the version: refused without bypass, or to a caller without the permission.
    assert_eq!(
        delete_version(&root, "vault", "g", &v1, false).await,
        Err("403 AccessDenied".into())
    );
    assert_eq!(
        delete_version(&ops, "vault", "g", &v1, true).await,
        Err("403 AccessDenied".into())
    );
    // A delete without a version id only adds a delete marker; an overwrite a new version.
    let marker = delete_key(&root, "vault", "g").await;
    assert_eq!(marker.delete_marker(), Some(true));
    let v2 = put(&root, "vault", "g").await;
    assert_ne!(v1, v2);
    delete_version(&root, "vault", "g", &v1, true)
        .await
        .unwrap();

    // COMPLIANCE: only extended, whoever asks, until it ends.
    let v3 = put(&root, "vault", "c").await;
    let until = T0_SECS + 2 * DAY;
    let wanted = retention(Mode::Compliance, until);
    set_retention(&root, "vault", "c", wanted, false)
        .await
        .unwrap();
    for (r, bypass) in [
        (retention(Mode::Compliance, until - 60), true),
        (retention(Mode::Governance, until + DAY), true),
    ] {
        assert_eq!(
            set_retention(&root, "vault", "c", r, bypass).await,
            Err("403 AccessDenied".into())
        );
    }
    assert_fails!(
        root.put_object_retention()
            .bucket("vault")
            .key("c")
            .retention(ObjectLockRetention::builder().build())
            .bypass_governance_retention(true),
        "AccessDenied"
    );
    let wanted = retention(Mode::Compliance, until + DAY);
    set_retention(&root, "vault", "c", wanted, false)
        .await
        .unwrap();
    assert_eq!(
        delete_version(&root, "vault", "c", &v3, true).await,
        Err("403 AccessDenied".into())
    );
    // Once the retention has ended, the version goes.
    c.clock.advance(Duration::days(4));
    delete_version(&ops, "vault", "c", &v3, false)
        .await
        .unwrap();
}

#[tokio::test]
async fn legal_holds_block_deletes_whatever_the_mode_and_multi_deletes_report_each_key() {
    let c = lock_server().await;
    let s3 = c.s3();
    locked_bucket(&s3, "held").await;
    let (a, b) = (put(&s3, "held", "a").await, put(&s3, "held", "b").await);
    assert_fails!(
        s3.get_object_legal_hold().bucket("held").key("a"),
        "NoSuchObjectLockConfiguration"
    );
    let hold = |on: Hold| ObjectLockLegalHold::builder().status(on).build();
    ok!(s3
        .put_object_legal_hold()
        .bucket("held")
        .key("a")
        .version_id(&a)
        .legal_hold(hold(Hold::On)));
    let got = ok!(s3
        .get_object_legal_hold()
        .bucket("held")
        .key("a")
        .version_id(&a));
    assert_eq!(got.legal_hold().unwrap().status(), Some(&Hold::On));
    assert_outcome!(
        s3.put_object_legal_hold()
            .bucket("held")
            .key("a")
            .legal_hold(hold(Hold::from("abc"))),
        "MalformedXML 400"
    );
    assert_eq!(
        delete_version(&s3, "held", "a", &a, true).await,
        Err("403 AccessDenied".into())
    );

    let ids = [("a", &a), ("b", &b)].map(|(k, v)| {
        ObjectIdentifier::builder()
            .key(k)
            .version_id(v)
            .build()
            .unwrap()
    });
    let out = ok!(s3
        .delete_objects()
        .bucket("held")
        .delete(
            Delete::builder()
                .set_objects(Some(ids.to_vec()))
                .build()
                .unwrap(),
        )
        .bypass_governance_retention(true));
    assert_eq!(out.deleted().len(), 1);
    assert_eq!(out.deleted()[0].key(), Some("b"));
    let err = &out.errors()[0];
    assert_eq!(
        (err.key(), err.version_id(), err.code()),
        (Some("a"), Some(a.as_str()), Some("AccessDenied"))
    );

    ok!(s3
        .put_object_legal_hold()
        .bucket("held")
        .key("a")
        .legal_hold(hold(Hold::Off)));
    let got = ok!(s3.get_object_legal_hold().bucket("held").key("a"));
    assert_eq!(got.legal_hold().unwrap().status(), Some(&Hold::Off));
    delete_version(&s3, "held", "a", &a, false).await.unwrap();
}

#[tokio::test]
async fn new_versions_take_the_default_retention_or_their_own_headers() {
    let c = lock_server().await;
    let s3 = c.s3();
    locked_bucket(&s3, "dflt").await;
    ok!(s3
        .put_object_lock_configuration()
        .bucket("dflt")
        .object_lock_configuration(lock_config(Mode::Compliance, Some(1), None)));
    put(&s3, "dflt", "by-default").await;
    let head = head_of(&s3, "dflt", "by-default").await;
    assert_eq!(head.object_lock_mode(), Some(&ObjectLockMode::Compliance));
    assert_eq!(
        head.object_lock_retain_until_date(),
        Some(&at(T0_SECS + DAY))
    );

    let until = T0_SECS + 30 * DAY;
    ok!(put_req(&s3, "dflt", "own", b"x")
        .object_lock_mode(ObjectLockMode::Governance)
        .object_lock_retain_until_date(at(until))
        .object_lock_legal_hold_status(Hold::On));
    let get = get_out(&s3, "dflt", "own").await;
    assert_eq!(get.object_lock_mode(), Some(&ObjectLockMode::Governance));
    assert_eq!(get.object_lock_retain_until_date(), Some(&at(until)));
    assert_eq!(get.object_lock_legal_hold_status(), Some(&Hold::On));

    // A copy takes its own headers (or the default), never its source's lock.
    ok!(copy_req(&s3, "dflt", "copy", "dflt/own"));
    let head = head_of(&s3, "dflt", "copy").await;
    assert_eq!(head.object_lock_mode(), Some(&ObjectLockMode::Compliance));
    assert_eq!(head.object_lock_legal_hold_status(), None);

    // A multipart upload carries its headers to the completed object.
    let up = ok!(create_upload_req(&s3, "dflt", "mp").object_lock_legal_hold_status(Hold::On));
    let id = up.upload_id().unwrap();
    let part = ok!(s3
        .upload_part()
        .bucket("dflt")
        .key("mp")
        .upload_id(id)
        .part_number(1)
        .body(ByteStream::from_static(b"abc")));
    let done = ok!(complete_req(&s3, "dflt", "mp", id).multipart_upload(
        CompletedMultipartUpload::builder()
            .parts(
                CompletedPart::builder()
                    .part_number(1)
                    .set_e_tag(part.e_tag().map(str::to_string))
                    .build(),
            )
            .build(),
    ));
    let mp_version = done.version_id().unwrap();
    assert_eq!(
        delete_version(&s3, "dflt", "mp", mp_version, true).await,
        Err("403 AccessDenied".into())
    );
    let head = head_of(&s3, "dflt", "mp").await;
    assert_eq!(head.object_lock_legal_hold_status(), Some(&Hold::On));
    assert_eq!(
        head.object_lock_retain_until_date(),
        Some(&at(T0_SECS + DAY))
    );

    // Bad headers, and lock headers where Object Lock is off.
    assert_outcome!(
        put_req(&s3, "dflt", "bad", b"x").object_lock_mode(ObjectLockMode::Governance),
        "InvalidArgument 400"
    );
    s3.create_bucket().bucket("open").send().await.unwrap();
    assert_outcome!(
        put_req(&s3, "open", "k", b"x").object_lock_legal_hold_status(Hold::On),
        "InvalidRequest 400"
    );
}

#[tokio::test]
async fn lifecycle_leaves_locked_versions_until_their_lock_allows() {
    use aws_sdk_s3::types::{
        BucketLifecycleConfiguration, ExpirationStatus, LifecycleExpiration, LifecycleRule,
        LifecycleRuleFilter, NoncurrentVersionExpiration,
    };
    let c = lock_server().await;
    let s3 = c.s3();
    locked_bucket(&s3, "aging").await;
    ok!(s3
        .put_object_lock_configuration()
        .bucket("aging")
        .object_lock_configuration(lock_config(Mode::Compliance, Some(5), None)));
    let rule = LifecycleRule::builder()
        .id("expire")
        .status(ExpirationStatus::Enabled)
        .filter(LifecycleRuleFilter::builder().prefix("").build())
        .expiration(LifecycleExpiration::builder().days(1).build())
        .noncurrent_version_expiration(
            NoncurrentVersionExpiration::builder()
                .noncurrent_days(1)
                .build(),
        )
        .build()
        .unwrap();
    ok!(s3
        .put_bucket_lifecycle_configuration()
        .bucket("aging")
        .lifecycle_configuration(
            BucketLifecycleConfiguration::builder()
                .rules(rule)
                .build()
                .unwrap(),
        ));
    put(&s3, "aging", "log").await;
    put(&s3, "aging", "log").await;
    let counts = || async {
        let v = ok!(s3.list_object_versions().bucket("aging"));
        (v.versions().len(), v.delete_markers().len())
    };
    // Both rules are due, but the versions are locked for five days: only a marker is added.
    c.clock.advance(Duration::days(3));
    c.s.app.lifecycle.tick(c.clock.now()).await.unwrap();
    assert_eq!(counts().await, (2, 1));
    // Once the retention has ended, the noncurrent versions go.
    c.clock.advance(Duration::days(4));
    c.s.app.lifecycle.tick(c.clock.now()).await.unwrap();
    assert_eq!(counts().await.0, 0);
}
