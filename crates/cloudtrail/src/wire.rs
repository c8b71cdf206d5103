//! The CloudTrail JSON 1.1 wire protocol: `X-Amz-Target:
//! com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.<Op>` and a JSON body in, a JSON
//! object or `{"__type","message"}` error out. The only CloudTrail code that sees JSON.

use crate::error::{CloudTrailError, CtResult};
use crate::op::Op;
use serde::de::DeserializeOwned;

/// The target prefix of CloudTrail requests.
pub const TARGET_PREFIX: &str = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.";
/// The response content type.
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";

/// Operations of the CloudTrail API that trailstack does not serve: they parse, so that they
/// are authorized and recorded like any call, and answer `UnsupportedOperationException`.
const UNSUPPORTED: &[&str] = &[
    "PutEventConfiguration",
    "GetEventConfiguration",
    "ListInsightsData",
    "ListInsightsMetricData",
    "CreateEventDataStore",
    "UpdateEventDataStore",
    "DeleteEventDataStore",
    "GetEventDataStore",
    "ListEventDataStores",
    "RestoreEventDataStore",
    "StartEventDataStoreIngestion",
    "StopEventDataStoreIngestion",
    "EnableFederation",
    "DisableFederation",
    "StartQuery",
    "CancelQuery",
    "DescribeQuery",
    "GetQueryResults",
    "ListQueries",
    "GenerateQuery",
    "SearchSampleQueries",
    "StartImport",
    "StopImport",
    "GetImport",
    "ListImports",
    "ListImportFailures",
    "CreateChannel",
    "UpdateChannel",
    "DeleteChannel",
    "GetChannel",
    "ListChannels",
    "CreateDashboard",
    "UpdateDashboard",
    "DeleteDashboard",
    "GetDashboard",
    "ListDashboards",
    "StartDashboardRefresh",
    "PutResourcePolicy",
    "GetResourcePolicy",
    "DeleteResourcePolicy",
    "RegisterOrganizationDelegatedAdmin",
    "DeregisterOrganizationDelegatedAdmin",
];

fn body<T: DeserializeOwned>(bytes: &[u8]) -> CtResult<T> {
    let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        bytes
    };
    serde_json::from_slice(bytes)
        .map_err(|e| CloudTrailError::Serialization(format!("Could not parse request body: {e}")))
}

/// Parses a request into an operation. `target_op` is the part of `X-Amz-Target` after
/// [`TARGET_PREFIX`] (the full target is accepted too).
pub fn parse(target_op: &str, bytes: &[u8]) -> CtResult<Op> {
    let name = target_op.strip_prefix(TARGET_PREFIX).unwrap_or(target_op);
    Ok(match name {
        "CreateTrail" => Op::CreateTrail(body(bytes)?),
        "UpdateTrail" => Op::UpdateTrail(body(bytes)?),
        "DeleteTrail" => Op::DeleteTrail(body(bytes)?),
        "GetTrail" => Op::GetTrail(body(bytes)?),
        "DescribeTrails" => Op::DescribeTrails(body(bytes)?),
        "ListTrails" => Op::ListTrails(body(bytes)?),
        "GetTrailStatus" => Op::GetTrailStatus(body(bytes)?),
        "StartLogging" => Op::StartLogging(body(bytes)?),
        "StopLogging" => Op::StopLogging(body(bytes)?),
        "AddTags" => Op::AddTags(body(bytes)?),
        "RemoveTags" => Op::RemoveTags(body(bytes)?),
        "ListTags" => Op::ListTags(body(bytes)?),
        "PutEventSelectors" => Op::PutEventSelectors(body(bytes)?),
        "GetEventSelectors" => Op::GetEventSelectors(body(bytes)?),
        "PutInsightSelectors" => Op::PutInsightSelectors(body(bytes)?),
        "GetInsightSelectors" => Op::GetInsightSelectors(body(bytes)?),
        "LookupEvents" => Op::LookupEvents(body(bytes)?),
        "ListPublicKeys" => Op::ListPublicKeys(body(bytes)?),
        other => match UNSUPPORTED.iter().find(|n| **n == other) {
            Some(n) => Op::Unsupported(n),
            None => {
                return Err(CloudTrailError::UnknownOperation(format!(
                    "Unknown operation {other}"
                )))
            }
        },
    })
}

/// The JSON body of a successful response.
pub fn render(out: &crate::op::Output) -> Vec<u8> {
    serde_json::to_vec(out).unwrap_or_else(|_| b"{}".to_vec())
}

/// The status and JSON body of an error. AWS sends `Message`; botocore and the Rust SDK read
/// either `message` or `Message`, so both are sent.
pub fn render_error(e: &CloudTrailError) -> (u16, Vec<u8>) {
    let message = e.message();
    let body = serde_json::json!({ "__type": e.code(), "message": message, "Message": message });
    (e.status(), body.to_string().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::op::{Output, TrailInfo};

    #[test]
    fn parses_targets_and_bodies() {
        let op = parse(
            "CreateTrail",
            br#"{"Name":"t1","S3BucketName":"b","IsMultiRegionTrail":true,"TagsList":[{"Key":"k","Value":"v"}]}"#,
        )
        .unwrap();
        let Op::CreateTrail(i) = op else {
            panic!("not CreateTrail")
        };
        assert_eq!(i.name, "t1");
        assert_eq!(i.settings.is_multi_region_trail, Some(true));
        assert_eq!(i.tags_list.unwrap()[0].key, "k");
        let op = parse(
            &format!("{TARGET_PREFIX}DescribeTrails"),
            br#"{"trailNameList":["a"],"includeShadowTrails":false}"#,
        )
        .unwrap();
        let Op::DescribeTrails(d) = op else {
            panic!("not DescribeTrails")
        };
        assert_eq!(d.include_shadow_trails, Some(false));
        assert!(matches!(
            parse("ListTrails", b"").unwrap(),
            Op::ListTrails(_)
        ));
        let op = parse(
            "LookupEvents",
            br#"{"StartTime":1700000000,"EndTime":1.7e9}"#,
        )
        .unwrap();
        assert!(matches!(op, Op::LookupEvents(l) if l.end_time == Some(1.7e9)));
    }

    #[test]
    fn unknown_unsupported_and_malformed() {
        assert_eq!(
            parse("Nope", b"{}").unwrap_err().code(),
            "UnknownOperationException"
        );
        assert!(matches!(
            parse("CreateEventDataStore", b"{}").unwrap(),
            Op::Unsupported("CreateEventDataStore")
        ));
        assert_eq!(
            parse("GetTrail", b"{nope").unwrap_err().code(),
            "SerializationException"
        );
        assert_eq!(
            parse("GetTrail", br#"{"Name":5}"#).unwrap_err().code(),
            "SerializationException"
        );
        assert_eq!(
            parse("CreateTrail", br#"{"Name":"t"}"#).unwrap_err().code(),
            "SerializationException"
        );
    }

    #[test]
    fn renders_outputs_and_errors() {
        let out = Output::ListTrails {
            trails: vec![TrailInfo {
                trail_arn: "arn:aws:cloudtrail:us-east-1:123456789012:trail/t".into(),
                name: "t".into(),
                home_region: "us-east-1".into(),
            }],
            next_token: None,
        };
        let v: serde_json::Value = serde_json::from_slice(&render(&out)).unwrap();
        assert_eq!(
            v["Trails"][0]["TrailARN"],
            "arn:aws:cloudtrail:us-east-1:123456789012:trail/t"
        );
        assert!(v.get("NextToken").is_none());
        assert_eq!(render(&Output::Empty {}), b"{}");
        let (status, body) = render_error(&CloudTrailError::TrailNotFound("Unknown trail".into()));
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(status, 400);
        assert_eq!(v["__type"], "TrailNotFoundException");
        assert_eq!(v["Message"], "Unknown trail");
        assert_eq!(v["message"], "Unknown trail");
        let (status, body) = render_error(&CloudTrailError::Internal("disk on fire".into()));
        assert_eq!(status, 500);
        assert!(!String::from_utf8(body).unwrap().contains("disk"));
    }
}
