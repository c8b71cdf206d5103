//! LookupEvents through the handler: filters, paging, token binding, validation.

use super::{world, ACCOUNT};
use crate::model::events::{insert_event, HistoryResource, HistoryRow};
use trailstack_store::StoreError;

fn history(i: i64, t_ms: i64, name: &str, region: &str) -> HistoryRow {
    HistoryRow {
        account: ACCOUNT.into(),
        region: region.into(),
        event_time_ms: t_ms,
        event_id: format!("id-{i}"),
        event_name: name.into(),
        read_only: name.starts_with("Get"),
        username: Some("alice".into()),
        access_key_id: Some("AKIAEXAMPLE".into()),
        event_source: "s3.amazonaws.com".into(),
        resources: vec![HistoryResource {
            resource_type: "AWS::S3::Bucket".into(),
            resource_name: format!("bucket-{}", i % 2),
        }],
        record_json: format!(r#"{{"eventID":"id-{i}"}}"#),
    }
}

#[tokio::test]
async fn lookup_events_filters_pages_and_validates() {
    let w = world();
    let now = 1768046400000i64;
    w.db.write(move |c| {
        for i in 0..7 {
            let name = if i % 2 == 0 {
                "CreateBucket"
            } else {
                "GetBucketAcl"
            };
            insert_event(c, &history(i, now - 1000 * (10 - i), name, "us-east-1"))?;
        }
        insert_event(c, &history(99, now - 500, "CreateBucket", "eu-west-1"))?;
        insert_event(
            c,
            &history(98, now - 91 * 24 * 3600 * 1000, "CreateBucket", "us-east-1"),
        )?;
        Ok::<_, StoreError>(())
    })
    .await
    .unwrap();
    // LookupEvents records itself (at `now`, the world's clock): the queries end before that.
    let end = (now - 2000) / 1000;
    let all = w
        .ok(
            "us-east-1",
            "LookupEvents",
            &format!(r#"{{"EndTime":{end}}}"#),
        )
        .await;
    let ids: Vec<&str> = all["Events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["EventId"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["id-6", "id-5", "id-4", "id-3", "id-2", "id-1", "id-0"],
        "newest first, this region, 90 days"
    );
    let e0 = &all["Events"][6];
    assert_eq!(e0["ReadOnly"], "false");
    assert_eq!(e0["CloudTrailEvent"], r#"{"eventID":"id-0"}"#);
    assert_eq!(e0["Resources"][0]["ResourceName"], "bucket-0");
    assert_eq!(e0["EventTime"], 1768046390.0);
    let by = |k: &str, v: &str| {
        format!(
            r#"{{"EndTime":{end},"LookupAttributes":[{{"AttributeKey":"{k}","AttributeValue":"{v}"}}]}}"#
        )
    };
    let n = |v: &serde_json::Value| v["Events"].as_array().unwrap().len();
    assert_eq!(
        n(&w.ok(
            "us-east-1",
            "LookupEvents",
            &by("EventName", "CreateBucket")
        )
        .await),
        4
    );
    assert_eq!(
        n(
            &w.ok("us-east-1", "LookupEvents", &by("ResourceName", "bucket-1"))
                .await
        ),
        3
    );
    assert_eq!(
        n(&w.ok("us-east-1", "LookupEvents", &by("ReadOnly", "true"))
            .await),
        3
    );
    assert_eq!(
        n(&w.ok("us-east-1", "LookupEvents", &by("EventId", "id-3"))
            .await),
        1
    );
    assert_eq!(
        n(&w.ok("us-east-1", "LookupEvents", &by("Username", "bob"))
            .await),
        0
    );
    // Paging: 3 + 3 + 1, tokens bound to the parameters.
    let mut token: Option<String> = None;
    let mut seen = Vec::new();
    loop {
        let body = match &token {
            Some(t) => format!(r#"{{"EndTime":{end},"MaxResults":3,"NextToken":"{t}"}}"#),
            None => format!(r#"{{"EndTime":{end},"MaxResults":3}}"#),
        };
        let page = w.ok("us-east-1", "LookupEvents", &body).await;
        seen.extend(
            page["Events"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["EventId"].as_str().unwrap().to_string()),
        );
        match page.get("NextToken") {
            Some(t) => token = Some(t.as_str().unwrap().into()),
            None => break,
        }
    }
    assert_eq!(seen, ids);
    let first = w
        .ok(
            "us-east-1",
            "LookupEvents",
            &format!(r#"{{"EndTime":{end},"MaxResults":1}}"#),
        )
        .await;
    let t = first["NextToken"].as_str().unwrap();
    let other = format!(
        r#"{{"NextToken":"{t}","LookupAttributes":[{{"AttributeKey":"EventName","AttributeValue":"X"}}]}}"#
    );
    assert_eq!(
        w.code("us-east-1", "LookupEvents", &other).await,
        "InvalidNextTokenException"
    );
    let elsewhere = format!(r#"{{"EndTime":{end},"MaxResults":1,"NextToken":"{t}"}}"#);
    assert_eq!(
        w.code("eu-west-1", "LookupEvents", &elsewhere).await,
        "InvalidNextTokenException"
    );
    let two = r#"{"LookupAttributes":[{"AttributeKey":"EventName","AttributeValue":"a"},{"AttributeKey":"EventName","AttributeValue":"b"}]}"#;
    let nope = by("Nope", "x");
    for (body, code) in [
        (r#"{"NextToken":"garbage"}"#, "InvalidNextTokenException"),
        (two, "InvalidLookupAttributesException"),
        (&nope, "InvalidLookupAttributesException"),
        (r#"{"MaxResults":51}"#, "InvalidMaxResultsException"),
        (r#"{"MaxResults":0}"#, "InvalidMaxResultsException"),
        (
            r#"{"StartTime":10,"EndTime":5}"#,
            "InvalidTimeRangeException",
        ),
        (
            r#"{"EventCategory":"data"}"#,
            "InvalidEventCategoryException",
        ),
    ] {
        assert_eq!(
            w.code("us-east-1", "LookupEvents", body).await,
            code,
            "{body}"
        );
    }
    let insight = w
        .ok(
            "us-east-1",
            "LookupEvents",
            r#"{"EventCategory":"insight"}"#,
        )
        .await;
    assert_eq!(n(&insight), 0);
    // Inclusive bounds.
    let window = format!(
        r#"{{"StartTime":{},"EndTime":{}}}"#,
        (now - 8000) / 1000,
        (now - 6000) / 1000
    );
    assert_eq!(n(&w.ok("us-east-1", "LookupEvents", &window).await), 3);
}
