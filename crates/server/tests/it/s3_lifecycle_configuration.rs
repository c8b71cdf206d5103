//! Lifecycle configurations: validated as S3 validates them, round-tripped and deleted.

use crate::common::{assert_fails, assert_outcome, code, err, ok, status, Clocked};
use crate::s3_lifecycle::*;
use aws_sdk_s3::types::{
    BucketLifecycleConfiguration, ExpirationStatus, LifecycleExpiration, LifecycleRule,
    LifecycleRuleAndOperator, LifecycleRuleFilter, NoncurrentVersionExpiration, Tag, Transition,
    TransitionDefaultMinimumObjectSize, TransitionStorageClass,
};

#[tokio::test]
async fn configurations_are_validated_as_s3_validates_them() {
    let t = Clocked::start_at(T0, None).await;
    let c = t.lifecycle_bucket("lc-validate", false).await;
    let attempt = |r: LifecycleRule| {
        let c = c.clone();
        async move {
            err!(c
                .put_bucket_lifecycle_configuration()
                .bucket("lc-validate")
                .lifecycle_configuration(
                    BucketLifecycleConfiguration::builder()
                        .rules(r)
                        .build()
                        .unwrap(),
                ))
        }
    };
    let e = attempt(
        rule(&"a".repeat(256), prefix("x"))
            .expiration(days(1))
            .build()
            .unwrap(),
    )
    .await;
    assert_eq!((status(&e), code(&e).as_str()), (400, "InvalidArgument"));
    let e = attempt(
        rule("r", prefix("x"))
            .status(ExpirationStatus::from("enabled"))
            .expiration(days(1))
            .build()
            .unwrap(),
    )
    .await;
    assert_eq!((status(&e), code(&e).as_str()), (400, "MalformedXML"));
    let e = attempt(rule("r", prefix("x")).expiration(days(0)).build().unwrap()).await;
    assert_eq!(code(&e), "InvalidArgument");
    let noon = aws_sdk_s3::primitives::DateTime::from_secs(T0);
    let e = attempt(
        rule("r", prefix("x"))
            .expiration(LifecycleExpiration::builder().date(noon).build())
            .build()
            .unwrap(),
    )
    .await;
    assert_eq!(code(&e), "InvalidArgument");
    let e = attempt(rule("r", prefix("x")).build().unwrap()).await;
    assert_eq!(code(&e), "InvalidRequest");
    let tagged = LifecycleRuleFilter::builder()
        .tag(Tag::builder().key("k").value("v").build().unwrap())
        .build();
    let e = attempt(
        rule("r", tagged)
            .abort_incomplete_multipart_upload(abort_after(1))
            .build()
            .unwrap(),
    )
    .await;
    assert_eq!(code(&e), "InvalidRequest");
    let e = attempt(
        rule("r", prefix(""))
            .transitions(
                Transition::builder()
                    .days(10)
                    .storage_class(TransitionStorageClass::StandardIa)
                    .build(),
            )
            .build()
            .unwrap(),
    )
    .await;
    assert_eq!(code(&e), "InvalidArgument");
    // Two rules with one ID.
    assert_fails!(
        c.put_bucket_lifecycle_configuration()
            .bucket("lc-validate")
            .lifecycle_configuration(
                BucketLifecycleConfiguration::builder()
                    .rules(
                        rule("same", prefix("a/"))
                            .expiration(days(1))
                            .build()
                            .unwrap(),
                    )
                    .rules(
                        rule("same", prefix("b/"))
                            .expiration(days(2))
                            .build()
                            .unwrap(),
                    )
                    .build()
                    .unwrap(),
            ),
        "InvalidArgument"
    );
}

#[tokio::test]
async fn a_configuration_round_trips_and_deletes() {
    let t = Clocked::start_at(T0, None).await;
    let c = t.lifecycle_bucket("lc-roundtrip", false).await;
    assert_outcome!(
        c.get_bucket_lifecycle_configuration()
            .bucket("lc-roundtrip"),
        "NoSuchLifecycleConfiguration 404"
    );
    let and = LifecycleRuleFilter::builder()
        .and(
            LifecycleRuleAndOperator::builder()
                .prefix("logs/")
                .tags(Tag::builder().key("k").value("v").build().unwrap())
                .object_size_greater_than(10)
                .build(),
        )
        .build();
    let rules = vec![
        rule("expire", and).expiration(days(30)).build().unwrap(),
        rule("old", prefix("tmp/"))
            .noncurrent_version_expiration(
                NoncurrentVersionExpiration::builder()
                    .noncurrent_days(3)
                    .newer_noncurrent_versions(2)
                    .build(),
            )
            .abort_incomplete_multipart_upload(abort_after(2))
            .build()
            .unwrap(),
        rule("cold", LifecycleRuleFilter::builder().build())
            .status(ExpirationStatus::Disabled)
            .transitions(
                Transition::builder()
                    .days(30)
                    .storage_class(TransitionStorageClass::StandardIa)
                    .build(),
            )
            .transitions(
                Transition::builder()
                    .days(90)
                    .storage_class(TransitionStorageClass::Glacier)
                    .build(),
            )
            .build()
            .unwrap(),
    ];
    put_rules(&c, "lc-roundtrip", rules.clone()).await;
    let got = ok!(c
        .get_bucket_lifecycle_configuration()
        .bucket("lc-roundtrip"));
    assert_eq!(got.rules(), &rules[..]);
    assert_eq!(
        got.transition_default_minimum_object_size(),
        Some(&TransitionDefaultMinimumObjectSize::AllStorageClasses128K)
    );
    let out = c
        .delete_bucket_lifecycle()
        .bucket("lc-roundtrip")
        .send()
        .await;
    assert!(out.is_ok());
    assert_fails!(
        c.get_bucket_lifecycle_configuration()
            .bucket("lc-roundtrip"),
        "NoSuchLifecycleConfiguration"
    );
    // Deleting again is still a success, as in S3.
    ok!(c.delete_bucket_lifecycle().bucket("lc-roundtrip"));
}
