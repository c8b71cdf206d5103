//! CloudTrail records its own calls: management events of `cloudtrail.amazonaws.com` in the
//! event history (and the outbox of every logging trail that takes them), with the request
//! camelCased, the trail shape as the response of mutations, the trail as the resource, and the
//! error of failed calls.

use super::world;
use crate::model::outbox;
use serde_json::{json, Value};

/// The full records of the history events named `name`, newest first.
async fn records(w: &super::World, name: &str) -> Vec<Value> {
    let body = format!(
        r#"{{"LookupAttributes":[{{"AttributeKey":"EventName","AttributeValue":"{name}"}}]}}"#
    );
    let out = w.ok("us-east-1", "LookupEvents", &body).await;
    out["Events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| serde_json::from_str(e["CloudTrailEvent"].as_str().unwrap()).unwrap())
        .collect()
}

const ARN: &str = "arn:aws:cloudtrail:us-east-1:123456789012:trail/own";

#[tokio::test]
async fn every_cloudtrail_call_is_a_management_record_of_cloudtrail() {
    let w = world();
    w.create(
        "us-east-1",
        "own",
        r#","IsMultiRegionTrail":false,"KmsKeyId":"alias/trail""#,
    )
    .await
    .unwrap();
    let create = &records(&w, "CreateTrail").await[0];
    assert_eq!(create["eventSource"], "cloudtrail.amazonaws.com");
    assert_eq!(create["eventCategory"], "Management");
    assert_eq!(create["managementEvent"], true);
    assert_eq!(create["readOnly"], false);
    assert_eq!(create["requestID"], "r");
    assert_eq!(
        create["requestParameters"],
        json!({"name": "own", "s3BucketName": "logs", "isMultiRegionTrail": false,
               "kmsKeyId": "alias/trail"})
    );
    assert_eq!(
        create["responseElements"],
        json!({"name": "own", "s3BucketName": "logs", "includeGlobalServiceEvents": true,
               "isMultiRegionTrail": false, "trailARN": ARN, "logFileValidationEnabled": false,
               "kmsKeyId": super::KEY_ARN, "isOrganizationTrail": false})
    );
    assert_eq!(
        create["resources"],
        json!([{"accountId": "123456789012", "type": "AWS::CloudTrail::Trail", "ARN": ARN}])
    );

    // By name: the resource is the trail the name finds; StartLogging answers nothing.
    w.ok("us-east-1", "StartLogging", r#"{"Name":"own"}"#).await;
    let start = &records(&w, "StartLogging").await[0];
    assert_eq!(start["requestParameters"], json!({"name": "own"}));
    assert_eq!(start["responseElements"], Value::Null);
    assert_eq!(start["resources"][0]["ARN"], ARN);

    // Reads are read-only records; LookupEvents records itself too.
    w.ok("us-east-1", "GetTrail", r#"{"Name":"own"}"#).await;
    let get = &records(&w, "GetTrail").await[0];
    assert_eq!(get["readOnly"], true);
    assert_eq!(get["responseElements"], Value::Null);
    let lookups = records(&w, "LookupEvents").await;
    assert_eq!(lookups.len(), 3, "the three lookups before this one");
    assert_eq!(lookups[0]["readOnly"], true);
    assert_eq!(
        lookups[0]["requestParameters"]["lookupAttributes"][0],
        json!({"attributeKey": "EventName", "attributeValue": "GetTrail"})
    );

    // A logging trail with the default selector takes CloudTrail's own management events.
    let pending =
        w.db.read(|c| outbox::pending(c, ARN, "us-east-1", 100))
            .unwrap();
    let names: Vec<String> = pending
        .iter()
        .map(|p| {
            let r: Value = serde_json::from_str(&p.record_json).unwrap();
            r["eventName"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(
        names,
        [
            "StartLogging",
            "LookupEvents",
            "GetTrail",
            "LookupEvents",
            "LookupEvents"
        ]
    );

    // Failures carry the error; DeleteTrail names the trail it deleted.
    assert_eq!(
        w.code("us-east-1", "GetTrail", r#"{"Name":"missing"}"#)
            .await,
        "TrailNotFoundException"
    );
    let failed = records(&w, "GetTrail")
        .await
        .into_iter()
        .find(|r| r["errorCode"].is_string())
        .unwrap();
    assert_eq!(failed["errorCode"], "TrailNotFoundException");
    assert_eq!(
        failed["errorMessage"],
        "Unknown trail: missing for the user: 123456789012"
    );
    assert!(failed.get("resources").is_none());
    w.ok("us-east-1", "DeleteTrail", r#"{"Name":"own"}"#).await;
    let delete = &records(&w, "DeleteTrail").await[0];
    assert_eq!(delete["resources"][0]["ARN"], ARN);
    assert_eq!(delete["responseElements"], Value::Null);
}

#[tokio::test]
async fn put_event_selectors_records_the_selectors_camel_cased() {
    let w = world();
    w.create("us-east-1", "own", "").await.unwrap();
    let body = r#"{"TrailName":"own","EventSelectors":[{"ReadWriteType":"WriteOnly",
        "IncludeManagementEvents":false,"DataResources":[{"Type":"AWS::S3::Object",
        "Values":["arn:aws:s3:::logs/"]}]}]}"#;
    w.ok("us-east-1", "PutEventSelectors", body).await;
    let put = &records(&w, "PutEventSelectors").await[0];
    assert_eq!(
        put["requestParameters"],
        json!({"trailName": "own", "eventSelectors": [{"readWriteType": "WriteOnly",
            "includeManagementEvents": false, "dataResources": [{"type": "AWS::S3::Object",
            "values": ["arn:aws:s3:::logs/"]}]}]})
    );
    assert_eq!(put["responseElements"]["trailARN"], ARN);
    assert_eq!(
        put["responseElements"]["eventSelectors"][0]["readWriteType"],
        "WriteOnly"
    );
    assert_eq!(put["resources"][0]["ARN"], ARN);
}
