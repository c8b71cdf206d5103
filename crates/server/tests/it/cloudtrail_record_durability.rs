//! Records the client can rely on: each carries the request id the client got, a record
//! acknowledged with a 200 survives kill -9, and boto3 reads every CloudTrail answer.

use crate::cloudtrail_record::*;
use crate::common::*;
use aws_sdk_cloudtrail::types::{LookupAttributeKey, ReadWriteType};
use aws_sdk_s3::operation::RequestId;
use serde_json::json;

#[tokio::test]
async fn records_carry_the_request_id_the_client_got() {
    let s = Server::start().await;
    let c = s.s3();
    let created = c.create_bucket().bucket("ct-rid").send().await.unwrap();
    let bucket_id = created.request_id().unwrap().to_string();
    put_policy(&c, "ct-rid", cloudtrail_bucket_policy("ct-rid", &["rid"])).await;
    let trail = ok!(s
        .cloudtrail()
        .create_trail()
        .name("rid")
        .s3_bucket_name("ct-rid")
        .is_multi_region_trail(false));
    let trail_id = {
        use aws_sdk_cloudtrail::operation::RequestId;
        trail.request_id().unwrap().to_string()
    };
    assert_ne!(bucket_id, trail_id);

    let cb = lookup(&s, LookupAttributeKey::EventName, "CreateBucket").await;
    assert_eq!(cb[0]["requestID"], bucket_id.as_str());
    // CloudTrail records its own calls, shaped as AWS shapes them.
    let ctr = lookup(&s, LookupAttributeKey::EventName, "CreateTrail").await;
    assert_eq!(ctr.len(), 1);
    let r = &ctr[0];
    assert_eq!(r["requestID"], trail_id.as_str());
    assert_eq!(r["eventSource"], "cloudtrail.amazonaws.com");
    assert_eq!(r["readOnly"], false);
    assert_eq!(
        r["requestParameters"],
        json!({"name": "rid", "s3BucketName": "ct-rid", "isMultiRegionTrail": false})
    );
    assert_eq!(
        r["responseElements"],
        json!({"name": "rid", "s3BucketName": "ct-rid", "includeGlobalServiceEvents": true,
               "isMultiRegionTrail": false, "trailARN": trail_arn("rid"),
               "logFileValidationEnabled": false, "isOrganizationTrail": false})
    );
    assert_eq!(
        r["resources"],
        json!([{"accountId": ACCOUNT, "type": "AWS::CloudTrail::Trail", "ARN": trail_arn("rid")}])
    );
    let by_type = lookup(
        &s,
        LookupAttributeKey::ResourceType,
        "AWS::CloudTrail::Trail",
    )
    .await;
    assert_eq!(by_type.len(), 1);
    let by_source = lookup(
        &s,
        LookupAttributeKey::EventSource,
        "cloudtrail.amazonaws.com",
    )
    .await;
    // The three lookups before this one, and CreateTrail.
    assert_eq!(by_source.len(), 4, "{by_source:?}");
    assert_eq!(by_source[0]["eventName"], "LookupEvents");
}

/// A server process of the real binary over `data_dir`, and its endpoint.
pub fn spawn_binary(data_dir: &std::path::Path) -> (std::process::Child, String) {
    use std::io::BufRead;
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_trailstack"));
    command
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir);
    // On PostgreSQL, the database an in-process server over the same dir uses (`Server`).
    if let Some(url) = data_dir
        .parent()
        .and_then(trailstack_store::testing::server_database)
    {
        command.args(["--database", &url]);
    }
    let mut child = command
        .env("TRAILSTACK_LOG", "warn")
        .env_remove("TRAILSTACK_CONFIG")
        .env_remove("TRAILSTACK_REGION")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let endpoint = loop {
        let line = lines
            .next()
            .expect("the server exited before listening")
            .unwrap();
        if let Some(rest) = line.split("listening on ").nth(1) {
            break rest.trim().to_string();
        }
    };
    // Keep draining the output so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, endpoint)
}

#[tokio::test]
async fn a_record_acknowledged_with_a_200_survives_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, endpoint) = spawn_binary(&dir.path().join("data"));
    let s3 = Via::new(&endpoint).s3();
    let ct = cloudtrail_at(&endpoint);
    let created = s3.create_bucket().bucket("ct-kill").send().await.unwrap();
    let bucket_id = created.request_id().unwrap().to_string();
    put_policy(
        &s3,
        "ct-kill",
        cloudtrail_bucket_policy("ct-kill", &["durable"]),
    )
    .await;
    ok!(ct.create_trail().name("durable").s3_bucket_name("ct-kill"));
    ok!(ct
        .put_event_selectors()
        .trail_name("durable")
        .event_selectors(object_logging("ct-kill", ReadWriteType::All)));
    ct.start_logging().name("durable").send().await.unwrap();
    let put_id = put(&s3, "ct-kill", "acked").await;
    // SIGKILL right after the 200: no shutdown, no flush.
    child.kill().unwrap();
    child.wait().unwrap();

    let s = Server::start_in(dir).await;
    let records = outbox(&s, "durable");
    assert_eq!(
        names_and_arns(&records),
        owned_pairs(&[("PutObject", "arn:aws:s3:::ct-kill/acked")])
    );
    assert_eq!(records[0]["requestID"], put_id.as_str());
    let cb = lookup(&s, LookupAttributeKey::EventName, "CreateBucket").await;
    assert_eq!(cb.len(), 1);
    assert_eq!(cb[0]["requestID"], bucket_id.as_str());
    let status = ok!(s.cloudtrail().get_trail_status().name("durable"));
    assert_eq!(status.is_logging(), Some(true));
}

#[tokio::test]
async fn boto3_reads_every_cloudtrail_answer_as_botocore_models_it() {
    let s = Server::start().await;
    let input = json!({
        "endpoint": s.endpoint,
        "bucket": "ct-boto-logs",
        "data_bucket": "ct-boto-data",
        "trail": "boto",
        "policy": cloudtrail_bucket_policy("ct-boto-logs", &["boto"]),
    });
    // Off the runtime's thread, which serves the script's requests meanwhile.
    let out = tokio::task::spawn_blocking(move || crate::common::py("cloudtrail_boto3.py", input))
        .await
        .unwrap();
    assert_eq!(out["problems"], json!([]), "{out}");
    let r = &out["create_trail_record"];
    assert_eq!(r["eventName"], "CreateTrail");
    assert_eq!(
        r["requestParameters"],
        json!({"name": "boto", "s3BucketName": "ct-boto-logs", "s3KeyPrefix": "p"})
    );
    assert!(r["userAgent"].as_str().unwrap().contains("Boto3"), "{r}");
    assert_eq!(out["bucket_pages"], json!(["ct-boto-data", "ct-boto-logs"]));
    assert_eq!(out["data_events_in_history"], 0);
    assert_eq!(out["missing"], "TrailNotFoundException");
    // While the trail had its default selector it took CloudTrail's own management events;
    // the advanced selector the script left took its PutObject, and nothing after.
    let trail = trail_arn("boto");
    assert_eq!(
        names_and_arns(&outbox(&s, "boto")),
        owned_pairs(&[
            ("StartLogging", &trail),
            ("GetTrailStatus", &trail),
            ("DescribeTrails", ""),
            ("ListTrails", ""),
            ("GetEventSelectors", &trail),
            ("PutObject", "arn:aws:s3:::ct-boto-data/k"),
        ])
    );
}
