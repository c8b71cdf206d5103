//! CreateTrail, UpdateTrail, DeleteTrail, GetTrail, DescribeTrails, ListTrails: rules, quota,
//! shadows and the destination checks.

use super::{world, KEY_ARN};

/// The CreateTrail parameter making a trail multi-Region.
const MULTI_REGION: &str = r#","IsMultiRegionTrail":true"#;

#[tokio::test]
async fn create_get_describe_list_and_status_of_a_new_trail() {
    let w = world();
    let out = w
        .create(
            "us-east-1",
            "trail1",
            r#","KmsKeyId":"alias/trail","S3KeyPrefix":"p""#,
        )
        .await
        .unwrap();
    assert_eq!(
        out,
        serde_json::json!({
            "Name":"trail1","S3BucketName":"logs","S3KeyPrefix":"p","IncludeGlobalServiceEvents":true,
            "IsMultiRegionTrail":false,"TrailARN":"arn:aws:cloudtrail:us-east-1:123456789012:trail/trail1",
            "LogFileValidationEnabled":false,"KmsKeyId":KEY_ARN,"IsOrganizationTrail":false
        })
    );
    let got = w.ok("us-east-1", "GetTrail", r#"{"Name":"trail1"}"#).await;
    assert_eq!(got["Trail"]["HomeRegion"], "us-east-1");
    assert_eq!(got["Trail"]["HasCustomEventSelectors"], false);
    assert_eq!(got["Trail"]["HasInsightSelectors"], false);
    let status = w
        .ok("us-east-1", "GetTrailStatus", r#"{"Name":"trail1"}"#)
        .await;
    assert_eq!(
        status["IsLogging"], false,
        "CreateTrail does not start logging"
    );
    assert!(status.get("StartLoggingTime").is_none());
    assert_eq!(status["TimeLoggingStarted"], "");
    assert!(w.ct.routes().is_empty());
    let plain = w.create("us-east-1", "trail2", "").await.unwrap();
    assert!(plain.get("KmsKeyId").is_none() && plain.get("S3KeyPrefix").is_none());
    let d = w.ok("us-east-1", "DescribeTrails", "{}").await;
    assert_eq!(d["trailList"].as_array().unwrap().len(), 2);
    let named = r#"{"trailNameList":["trail2","nope"]}"#;
    let d = w.ok("us-east-1", "DescribeTrails", named).await;
    assert_eq!(d["trailList"].as_array().unwrap().len(), 1);
    let l = w.ok("eu-west-1", "ListTrails", "{}").await;
    assert_eq!(
        l["Trails"].as_array().unwrap().len(),
        2,
        "ListTrails spans regions"
    );
    assert_eq!(l["Trails"][0]["HomeRegion"], "us-east-1");
}

#[tokio::test]
async fn create_checks_fail_in_aws_order() {
    let w = world();
    let e = w.create("us-east-1", "x", "").await.unwrap_err();
    assert_eq!(e.code(), "InvalidTrailNameException");
    let long_prefix = format!(r#","S3KeyPrefix":"{}""#, "p".repeat(201));
    // (CreateTrail members beside the name and the bucket `logs`, error code)
    let refused = [
        (long_prefix.as_str(), "InvalidS3PrefixException"),
        (r#","KmsKeyId":"alias/none""#, "KmsKeyNotFoundException"),
        (r#","KmsKeyId":"alias/off""#, "KmsException"),
        (r#","KmsKeyId":"not a key""#, "InvalidKmsKeyIdException"),
        (
            r#","SnsTopicName":"topic""#,
            "UnsupportedOperationException",
        ),
        (
            r#","IsOrganizationTrail":true"#,
            "OrganizationsNotInUseException",
        ),
        (
            r#","IsMultiRegionTrail":true,"IncludeGlobalServiceEvents":false"#,
            "InvalidParameterCombinationException",
        ),
    ];
    for (extra, code) in refused {
        let e = w.create("us-east-1", "trail1", extra).await.unwrap_err();
        assert_eq!(e.code(), code, "{extra}");
    }
    let missing = r#"{"Name":"trail1","S3BucketName":"missing"}"#;
    assert_eq!(
        w.code("us-east-1", "CreateTrail", missing).await,
        "S3BucketDoesNotExistException"
    );
    // The refusals whose message AWS words its own way.
    let nopolicy = r#"{"Name":"trail1","S3BucketName":"nopolicy"}"#;
    let e = w.fails("us-east-1", "CreateTrail", nopolicy).await;
    assert_eq!(e.code(), "InsufficientS3BucketPolicyException");
    assert_eq!(
        e.message(),
        "Incorrect S3 bucket policy is detected for bucket: nopolicy"
    );
    let e = w
        .create("us-east-1", "trail1", r#","KmsKeyId":"alias/aws/s3""#)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "InsufficientEncryptionPolicyException");
    assert_eq!(
        e.message(),
        format!("Insufficient permissions to access S3 bucket logs or KMS key {KEY_ARN}.")
    );
    w.create("us-east-1", "trail1", "").await.unwrap();
    let e = w.create("us-east-1", "trail1", "").await.unwrap_err();
    assert_eq!(e.code(), "TrailAlreadyExistsException");
    assert_eq!(
        e.message(),
        "Trail trail1 already exists for customer: 123456789012"
    );
}

#[tokio::test]
async fn five_trails_per_region_and_multi_region_trails_count_everywhere() {
    let w = world();
    w.create("eu-west-1", "global", MULTI_REGION).await.unwrap();
    for i in 0..4 {
        w.create("us-east-1", &format!("trail{i}"), "")
            .await
            .unwrap();
    }
    let e = w.create("us-east-1", "trail4", "").await.unwrap_err();
    assert_eq!(e.code(), "MaximumNumberOfTrailsExceededException");
    assert_eq!(
        e.message(),
        "User: 123456789012 already has 5 trails in us-east-1."
    );
    // Another region still has room for single-region trails, but not for a multi-region
    // trail, which would be a sixth in us-east-1.
    w.create("us-west-2", "west1", "").await.unwrap();
    let e = w
        .create("us-west-2", "west2", MULTI_REGION)
        .await
        .unwrap_err();
    assert_eq!(
        e.message(),
        "User: 123456789012 already has 5 trails in us-east-1."
    );
    // Making a trail multi-region by UpdateTrail is held to the same rule.
    let e = w
        .update("us-west-2", "west1", MULTI_REGION)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "MaximumNumberOfTrailsExceededException");
    w.ok("us-east-1", "DeleteTrail", r#"{"Name":"trail0"}"#)
        .await;
    w.create("us-east-1", "trail4", "").await.unwrap();
    // A multi-region trail's name is taken in every region.
    assert_eq!(
        w.create("ap-south-1", "global", "")
            .await
            .unwrap_err()
            .code(),
        "TrailAlreadyExistsException"
    );
}

#[tokio::test]
async fn shadows_are_read_only_outside_the_home_region() {
    let w = world();
    w.create("us-east-1", "glob", MULTI_REGION).await.unwrap();
    w.create("us-east-1", "local", "").await.unwrap();
    let arn = "arn:aws:cloudtrail:us-east-1:123456789012:trail/glob";
    let got = w.ok("eu-west-1", "GetTrail", r#"{"Name":"glob"}"#).await;
    assert_eq!(got["Trail"]["HomeRegion"], "us-east-1");
    let d = w.ok("eu-west-1", "DescribeTrails", "{}").await;
    assert_eq!(
        d["trailList"].as_array().unwrap().len(),
        1,
        "only the shadow"
    );
    let no_shadows = r#"{"includeShadowTrails":false}"#;
    let d = w.ok("eu-west-1", "DescribeTrails", no_shadows).await;
    assert!(d["trailList"].as_array().unwrap().is_empty());
    let e = w
        .fails("eu-west-1", "GetTrail", r#"{"Name":"local"}"#)
        .await;
    assert_eq!(
        e.message(),
        "Unknown trail: local for the user: 123456789012"
    );
    for (op, body) in [
        ("DeleteTrail", format!(r#"{{"Name":"{arn}"}}"#)),
        ("StartLogging", r#"{"Name":"glob"}"#.to_string()),
        (
            "UpdateTrail",
            r#"{"Name":"glob","S3KeyPrefix":"x"}"#.to_string(),
        ),
        (
            "PutEventSelectors",
            r#"{"TrailName":"glob","EventSelectors":[{}]}"#.to_string(),
        ),
        (
            "AddTags",
            format!(r#"{{"ResourceId":"{arn}","TagsList":[{{"Key":"k"}}]}}"#),
        ),
    ] {
        assert_eq!(
            w.code("eu-west-1", op, &body).await,
            "InvalidHomeRegionException",
            "{op}"
        );
    }
    for (arn, code) in [
        (
            "arn:aws:cloudtrail:us-east-1:123:trail/glob",
            "CloudTrailARNInvalidException",
        ),
        (
            "arn:aws:cloudtrail:us-east-1:123456789012:trail/zzz",
            "TrailNotFoundException",
        ),
    ] {
        let get = format!(r#"{{"Name":"{arn}"}}"#);
        assert_eq!(w.code("us-east-1", "GetTrail", &get).await, code, "{arn}");
    }
}

#[tokio::test]
async fn update_keeps_unset_members_and_clears_empty_ones() {
    let w = world();
    w.create(
        "us-east-1",
        "trail1",
        r#","S3KeyPrefix":"p","KmsKeyId":"alias/trail""#,
    )
    .await
    .unwrap();
    let validation = r#","EnableLogFileValidation":true"#;
    let out = w.update("us-east-1", "trail1", validation).await.unwrap();
    assert_eq!(out["S3KeyPrefix"], "p");
    assert_eq!(out["KmsKeyId"], KEY_ARN);
    assert_eq!(out["LogFileValidationEnabled"], true);
    let cleared = r#","S3KeyPrefix":"","KmsKeyId":"""#;
    let out = w.update("us-east-1", "trail1", cleared).await.unwrap();
    assert!(out.get("S3KeyPrefix").is_none() && out.get("KmsKeyId").is_none());
    let nopolicy = r#","S3BucketName":"nopolicy""#;
    let e = w.update("us-east-1", "trail1", nopolicy).await.unwrap_err();
    assert_eq!(e.code(), "InsufficientS3BucketPolicyException");
    let out = w.update("us-east-1", "trail1", MULTI_REGION).await.unwrap();
    assert_eq!(out["IsMultiRegionTrail"], true);
    assert!(w
        .call("ap-south-1", "GetTrail", r#"{"Name":"trail1"}"#)
        .await
        .is_ok());
}
