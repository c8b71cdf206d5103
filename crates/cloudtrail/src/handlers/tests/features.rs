//! Logging, event and insight selectors, routes, delivery status, tags, public keys and the
//! operations not served.

use super::world;
use crate::wire::parse;
use crate::{DeliveryStatus, Op};
use trailstack_core::Clock;

#[tokio::test]
async fn logging_selectors_and_routes_follow_every_change() {
    let w = world();
    w.create("us-east-1", "trail1", "").await.unwrap();
    w.ok("us-east-1", "StartLogging", r#"{"Name":"trail1"}"#)
        .await;
    let routes = w.ct.routes();
    assert_eq!(routes.len(), 1);
    assert_eq!(
        routes[0].selectors,
        crate::selectors::TrailSelectors::default()
    );
    let put = r#"{"TrailName":"trail1","EventSelectors":[{"IncludeManagementEvents":false,"DataResources":[{"Type":"AWS::S3::Object","Values":["arn:aws:s3:::bkt/"]}]}]}"#;
    let out = w.ok("us-east-1", "PutEventSelectors", put).await;
    assert_eq!(out["EventSelectors"][0]["ReadWriteType"], "All");
    assert!(
        matches!(&w.ct.routes()[0].selectors, crate::selectors::TrailSelectors::Basic(b) if !b[0].include_management_events)
    );
    let got = w.ok("us-east-1", "GetTrail", r#"{"Name":"trail1"}"#).await;
    assert_eq!(got["Trail"]["HasCustomEventSelectors"], true);
    let adv = r#"{"TrailName":"trail1","AdvancedEventSelectors":[{"FieldSelectors":[{"Field":"eventCategory","Equals":["Management"]}]}]}"#;
    w.ok("us-east-1", "PutEventSelectors", adv).await;
    let got = w
        .ok(
            "us-east-1",
            "GetEventSelectors",
            r#"{"TrailName":"trail1"}"#,
        )
        .await;
    assert!(
        got.get("EventSelectors").is_none(),
        "applying advanced removes basic"
    );
    assert_eq!(
        got["AdvancedEventSelectors"][0]["FieldSelectors"][0]["Equals"][0],
        "Management"
    );
    let both = r#"{"TrailName":"trail1","EventSelectors":[{}],"AdvancedEventSelectors":[]}"#;
    assert_eq!(
        w.code("us-east-1", "PutEventSelectors", both).await,
        "InvalidParameterCombinationException"
    );
    w.clock.advance(time::Duration::minutes(5));
    w.ok("us-east-1", "StopLogging", r#"{"Name":"trail1"}"#)
        .await;
    w.ok("us-east-1", "StopLogging", r#"{"Name":"trail1"}"#)
        .await;
    assert!(w.ct.routes().is_empty());
    let s = w
        .ok("us-east-1", "GetTrailStatus", r#"{"Name":"trail1"}"#)
        .await;
    assert_eq!(s["IsLogging"], false);
    assert_eq!(s["StartLoggingTime"], 1768046400.0);
    assert_eq!(s["StopLoggingTime"], 1768046700.0);
    assert_eq!(s["TimeLoggingStopped"], "2026-01-10T12:05:00Z");
    let arn = "arn:aws:cloudtrail:us-east-1:123456789012:trail/trail1";
    let fail = DeliveryStatus {
        digest: false,
        attempt_ms: 1768046800000,
        error: Some("NoSuchBucket".into()),
    };
    assert!(w.ct.record_delivery(arn, fail).await.unwrap());
    let s = w
        .ok("us-east-1", "GetTrailStatus", r#"{"Name":"trail1"}"#)
        .await;
    assert_eq!(s["LatestDeliveryError"], "NoSuchBucket");
    assert_eq!(s["LatestDeliveryAttemptTime"], "2026-01-10T12:06:40Z");
    w.ok("us-east-1", "DeleteTrail", r#"{"Name":"trail1"}"#)
        .await;
    assert_eq!(
        w.code("us-east-1", "GetTrailStatus", r#"{"Name":"trail1"}"#)
            .await,
        "TrailNotFoundException"
    );
}

#[tokio::test]
async fn insight_selectors_are_validated_and_stored() {
    let w = world();
    w.create("us-east-1", "trail1", "").await.unwrap();
    let get = r#"{"TrailName":"trail1"}"#;
    assert_eq!(
        w.code("us-east-1", "GetInsightSelectors", get).await,
        "InsightNotEnabledException"
    );
    let bad = r#"{"TrailName":"trail1","InsightSelectors":[{"InsightType":"Nope"}]}"#;
    assert_eq!(
        w.code("us-east-1", "PutInsightSelectors", bad).await,
        "InvalidInsightSelectorsException"
    );
    let ok = r#"{"TrailName":"trail1","InsightSelectors":[{"InsightType":"ApiCallRateInsight"}]}"#;
    w.ok("us-east-1", "PutInsightSelectors", ok).await;
    let got = w
        .ok(
            "us-east-1",
            "GetInsightSelectors",
            r#"{"TrailName":"trail1"}"#,
        )
        .await;
    assert_eq!(
        got["InsightSelectors"][0]["InsightType"],
        "ApiCallRateInsight"
    );
    let t = w.ok("us-east-1", "GetTrail", r#"{"Name":"trail1"}"#).await;
    assert_eq!(t["Trail"]["HasInsightSelectors"], true);
    // A trail logging only read management events cannot have call-rate insights.
    w.ok(
        "us-east-1",
        "PutEventSelectors",
        r#"{"TrailName":"trail1","EventSelectors":[{"ReadWriteType":"ReadOnly"}]}"#,
    )
    .await;
    assert_eq!(
        w.code("us-east-1", "PutInsightSelectors", ok).await,
        "InvalidInsightSelectorsException"
    );
}

#[tokio::test]
async fn tags_are_added_overwritten_removed_and_listed() {
    let w = world();
    w.create(
        "us-east-1",
        "trail1",
        r#","TagsList":[{"Key":"a","Value":"1"}]"#,
    )
    .await
    .unwrap();
    let arn = "arn:aws:cloudtrail:us-east-1:123456789012:trail/trail1";
    w.ok(
        "us-east-1",
        "AddTags",
        &format!(
            r#"{{"ResourceId":"{arn}","TagsList":[{{"Key":"a","Value":"2"}},{{"Key":"b"}}]}}"#
        ),
    )
    .await;
    w.ok(
        "us-east-1",
        "RemoveTags",
        &format!(r#"{{"ResourceId":"{arn}","TagsList":[{{"Key":"b"}}]}}"#),
    )
    .await;
    let l = w
        .ok(
            "us-east-1",
            "ListTags",
            &format!(r#"{{"ResourceIdList":["{arn}"]}}"#),
        )
        .await;
    assert_eq!(
        l["ResourceTagList"][0]["TagsList"],
        serde_json::json!([{"Key":"a","Value":"2"}])
    );
    let dup = format!(r#"{{"ResourceId":"{arn}","TagsList":[{{"Key":"x"}},{{"Key":"x"}}]}}"#);
    assert_eq!(
        w.code("us-east-1", "AddTags", &dup).await,
        "InvalidTagParameterException"
    );
    let many: Vec<String> = (0..50).map(|i| format!(r#"{{"Key":"k{i}"}}"#)).collect();
    let body = format!(
        r#"{{"ResourceId":"{arn}","TagsList":[{}]}}"#,
        many.join(",")
    );
    assert_eq!(
        w.code("us-east-1", "AddTags", &body).await,
        "TagsLimitExceededException"
    );
    let missing = r#"{"ResourceIdList":["arn:aws:cloudtrail:us-east-1:123456789012:trail/zzz"]}"#;
    assert_eq!(
        w.code("us-east-1", "ListTags", missing).await,
        "ResourceNotFoundException"
    );
    let not_a_trail = r#"{"ResourceIdList":["arn:aws:s3:::b"]}"#;
    assert_eq!(
        w.code("us-east-1", "ListTags", not_a_trail).await,
        "CloudTrailARNInvalidException"
    );
}

#[tokio::test]
async fn public_keys_are_created_once_per_region_and_listed() {
    let w = world();
    let out = w.ok("us-east-1", "ListPublicKeys", "{}").await;
    let keys = out["PublicKeyList"].as_array().unwrap();
    assert_eq!(keys.len(), 1);
    assert!(keys[0]["Value"]
        .as_str()
        .unwrap()
        .starts_with("MIIBCgKCAQEA"));
    assert_eq!(keys[0]["ValidityStartTime"], 1768046400.0);
    let (fp, key) = w.ct.signing_key("us-east-1", w.clock.now()).await.unwrap();
    assert_eq!(keys[0]["Fingerprint"], fp.as_str());
    assert_eq!(key.sign(b"x").unwrap().len(), 256);
    let again = w.ok("us-east-1", "ListPublicKeys", "{}").await;
    assert_eq!(again, out);
    let other = w.ok("eu-west-1", "ListPublicKeys", "{}").await;
    assert_ne!(
        other["PublicKeyList"][0]["Fingerprint"],
        keys[0]["Fingerprint"]
    );
    let before = r#"{"StartTime":1000,"EndTime":2000}"#;
    let none = w.ok("us-east-1", "ListPublicKeys", before).await;
    assert!(none["PublicKeyList"].as_array().unwrap().is_empty());
    let reversed = r#"{"StartTime":20,"EndTime":10}"#;
    assert_eq!(
        w.code("us-east-1", "ListPublicKeys", reversed).await,
        "InvalidTimeRangeException"
    );
}

#[tokio::test]
async fn unbuilt_operations_say_so() {
    let w = world();
    let e = w.fails("us-east-1", "CreateEventDataStore", "{}").await;
    assert_eq!(e.code(), "UnsupportedOperationException");
    assert!(matches!(
        parse("ListTrails", b"{}").unwrap(),
        Op::ListTrails(_)
    ));
}
