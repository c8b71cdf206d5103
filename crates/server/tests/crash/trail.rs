//! The trail of the crash runs: set up (a log bucket with CloudTrail's bucket policy, a trail
//! with log file validation taking the data buckets' object writes), and checked at the end:
//! every acknowledged write's record is in exactly one delivered log file, no record comes
//! twice, and `aws cloudtrail validate-logs` accepts the digest chain and every file.

use crate::model::DATA_BUCKETS;
use crate::shared::assert_none_twice;
use aws_sdk_cloudtrail::types::{DataResource, EventSelector, ReadWriteType};
use std::collections::HashMap;
use std::io::Read;
use std::process::Command;

pub const TRAIL: &str = "crash";
pub const LOGS: &str = "logs";
const ACCOUNT: &str = "000000000000";

fn trail_arn() -> String {
    trailstack_fixtures::trail_arn("us-east-1", ACCOUNT, TRAIL)
}

/// The bucket policy CloudTrail requires of its log bucket.
fn bucket_policy() -> String {
    trailstack_fixtures::cloudtrail_bucket_policy(LOGS, "", ACCOUNT, &[trail_arn()]).to_string()
}

/// Creates the log bucket and a logging trail taking the object writes of the data buckets.
pub async fn create(s3: &aws_sdk_s3::Client, ct: &aws_sdk_cloudtrail::Client) {
    s3.create_bucket().bucket(LOGS).send().await.unwrap();
    s3.put_bucket_policy()
        .bucket(LOGS)
        .policy(bucket_policy())
        .send()
        .await
        .unwrap();
    ct.create_trail()
        .name(TRAIL)
        .s3_bucket_name(LOGS)
        .enable_log_file_validation(true)
        .send()
        .await
        .unwrap();
    let mut resources = DataResource::builder().r#type("AWS::S3::Object");
    for b in DATA_BUCKETS {
        resources = resources.values(format!("arn:aws:s3:::{b}/"));
    }
    ct.put_event_selectors()
        .trail_name(TRAIL)
        .event_selectors(
            EventSelector::builder()
                .read_write_type(ReadWriteType::WriteOnly)
                .include_management_events(false)
                .data_resources(resources.build())
                .build(),
        )
        .send()
        .await
        .unwrap();
    ct.start_logging().name(TRAIL).send().await.unwrap();
}

/// Every delivered log file's records: (eventID, requestID).
async fn records(s3: &aws_sdk_s3::Client) -> (usize, Vec<(String, String)>) {
    let prefix = format!("AWSLogs/{ACCOUNT}/CloudTrail/");
    let keys: Vec<String> = crate::model::list(s3, LOGS, Some(&prefix))
        .await
        .unwrap()
        .into_keys()
        .collect();
    let mut out = Vec::new();
    for key in &keys {
        let got = s3.get_object().bucket(LOGS).key(key).send().await.unwrap();
        let gz = got.body.collect().await.unwrap().into_bytes();
        let mut json = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut json)
            .unwrap_or_else(|e| panic!("log file {key} does not gunzip: {e}"));
        let doc: serde_json::Value = serde_json::from_slice(&json)
            .unwrap_or_else(|e| panic!("log file {key} is not JSON: {e}"));
        for r in doc["Records"].as_array().expect("Records") {
            out.push((
                r["eventID"].as_str().unwrap_or_default().to_string(),
                r["requestID"].as_str().unwrap_or_default().to_string(),
            ));
        }
    }
    (keys.len(), out)
}

/// Checks that each of `acked` (request ids) is delivered exactly once, and nothing twice.
/// Returns (log files, records).
pub async fn check_delivered_once(s3: &aws_sdk_s3::Client, acked: &[String]) -> (usize, usize) {
    let (files, records) = records(s3).await;
    let mut by_event: HashMap<&str, usize> = HashMap::new();
    let mut by_request: HashMap<&str, usize> = HashMap::new();
    for (event, request) in &records {
        *by_event.entry(event).or_default() += 1;
        *by_request.entry(request).or_default() += 1;
    }
    assert_none_twice(&by_event, "eventIDs");
    assert_none_twice(&by_request, "requests");
    let missing: Vec<&String> = acked
        .iter()
        .filter(|id| !by_request.contains_key(id.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "{} of {} acknowledged writes have no delivered record, e.g. {:?}",
        missing.len(),
        acked.len(),
        &missing[..missing.len().min(5)]
    );
    (files, records.len())
}

/// `aws cloudtrail validate-logs` from `start` (S3 reached through AWS_ENDPOINT_URL, as the
/// CLI reads log files there); returns its summary lines, or why it could not run (no aws CLI
/// on this machine: CI has one).
pub fn validate_logs(endpoint: &str, start: &str, scratch: &std::path::Path) -> String {
    let empty = scratch.join("aws-config");
    std::fs::write(&empty, "").unwrap();
    let out = Command::new("aws")
        .args(["cloudtrail", "validate-logs", "--trail-arn", &trail_arn()])
        .args(["--start-time", start, "--endpoint-url", endpoint])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", std::env::var("HOME").unwrap_or_default())
        .env("AWS_CONFIG_FILE", &empty)
        .env("AWS_SHARED_CREDENTIALS_FILE", &empty)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("NO_PROXY", "127.0.0.1,localhost")
        .output();
    let out = match out {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return "SKIPPED: no aws CLI on this machine".into();
        }
        Err(e) => panic!("running the aws CLI for validate-logs: {e}"),
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && !stderr.contains("INVALID"),
        "validate-logs exited {}: {stdout}\n{stderr}",
        out.status
    );
    let summary: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains("files valid"))
        .collect();
    assert!(
        summary.iter().any(|l| l.contains("digest files valid")),
        "validate-logs checked no digest: {stdout}"
    );
    for line in &summary {
        let counts = line.split_whitespace().next().unwrap_or_default();
        let (valid, of) = counts.split_once('/').unwrap_or(("", "?"));
        assert_eq!(valid, of, "validate-logs: {stdout}");
    }
    summary.join("; ")
}
