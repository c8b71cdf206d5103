//! How CloudTrail records its own calls: every CloudTrail call is a management event of
//! `cloudtrail.amazonaws.com`, recorded through the same recorder as S3 and KMS calls (the
//! `AuditSink` impl on [`CloudTrail`]). `requestParameters` is the request as it came, with
//! AWS's member names in camelCase (`{"name":"t","s3BucketName":"b","isMultiRegionTrail":true}`);
//! dates become Java medium date-times as AWS writes them (`"Oct 26, 2025, 11:50:52 PM"`).
//! `responseElements` is the camelCased output of CreateTrail, UpdateTrail, PutEventSelectors
//! and PutInsightSelectors, `null` for reads and for calls that answer `{}`. The trail the call
//! names, when it can be found, is the record's `AWS::CloudTrail::Trail` resource.
//! [`Pending::start`] takes what it needs from a borrowed [`Op`] (and finds a trail named by
//! name while it still exists, before a DeleteTrail); [`Pending::finish`] adds the outcome.
//! Sample: <https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html>.

use crate::error::CloudTrailError;
use crate::handlers::{find, names, Access, Scope};
use crate::op::{Op, Output};
use crate::CloudTrail;
use serde::Serialize;
use serde_json::{Map, Value};
use time::OffsetDateTime;
use trailstack_core::{AccountId, AuditEvent, AuditResource, Caller};

/// The record's `eventSource` for CloudTrail calls.
pub const EVENT_SOURCE: &str = "cloudtrail.amazonaws.com";
/// The resource type of trails.
const TRAIL: &str = "AWS::CloudTrail::Trail";

/// What a CloudTrail record says about the request, taken before the handler runs.
pub struct Pending {
    name: &'static str,
    read_only: bool,
    request: Option<Value>,
    /// Trail ARNs the request names, as far as known before the call.
    trails: Vec<String>,
    /// Whether the operation's response is recorded (mutations that return a shape).
    responds: bool,
}

impl Pending {
    /// The static facts of `op`, and the ARN of the trail it names by name, looked up now.
    pub async fn start(ct: &CloudTrail, caller: &Caller, op: &Op) -> Pending {
        let scope = Scope::of(ct, caller);
        let mut trails = Vec::new();
        for reference in trail_references(op) {
            if let Some(arn) = resolve(ct, &scope, op, reference).await {
                trails.push(arn);
            }
        }
        Pending {
            name: op.name(),
            read_only: op.read_only(),
            request: request_parameters(op),
            trails,
            responds: matches!(
                op,
                Op::CreateTrail(_)
                    | Op::UpdateTrail(_)
                    | Op::PutEventSelectors(_)
                    | Op::PutInsightSelectors(_)
            ),
        }
    }

    /// The event of the call that ended with `result`.
    pub fn finish(
        self,
        ct: &CloudTrail,
        caller: &Caller,
        result: &Result<Output, CloudTrailError>,
    ) -> AuditEvent {
        let mut trails = self.trails;
        if let Ok(out) = result {
            if let Some(arn) = output_trail(out) {
                if !trails.iter().any(|t| t == arn) {
                    trails.insert(0, arn.to_string());
                }
            }
        }
        let resources: Vec<AuditResource> = trails
            .into_iter()
            .map(|arn| AuditResource {
                kind: TRAIL.into(),
                prefix: false,
                account: arn.split(':').nth(4).and_then(|a| AccountId::parse(a).ok()),
                arn,
            })
            .collect();
        let response = match result {
            Ok(out) if self.responds => Some(camel(to_value(out))),
            _ => None,
        };
        let (caller, now) = (caller.clone(), ct.clock.now());
        AuditEvent {
            request: self.request,
            response,
            resources,
            error: result
                .as_ref()
                .err()
                .map(|e| (e.code().to_string(), e.message())),
            ..AuditEvent::management(caller, now, EVENT_SOURCE, self.name, self.read_only)
        }
    }
}

/// The trail names or ARNs `op` names.
fn trail_references(op: &Op) -> Vec<&str> {
    match op {
        Op::CreateTrail(i) => vec![i.name.as_str()],
        Op::UpdateTrail(i) => vec![i.name.as_str()],
        Op::DeleteTrail(i)
        | Op::GetTrail(i)
        | Op::GetTrailStatus(i)
        | Op::StartLogging(i)
        | Op::StopLogging(i) => vec![i.name.as_str()],
        Op::AddTags(i) | Op::RemoveTags(i) => vec![i.resource_id.as_str()],
        Op::ListTags(i) => i.resource_id_list.iter().map(String::as_str).collect(),
        Op::PutEventSelectors(i) => vec![i.trail_name.as_str()],
        Op::GetEventSelectors(i) | Op::GetInsightSelectors(i) => {
            i.trail_name.as_deref().into_iter().collect()
        }
        Op::PutInsightSelectors(i) => i.trail_name.as_deref().into_iter().collect(),
        Op::DescribeTrails(_)
        | Op::ListTrails(_)
        | Op::LookupEvents(_)
        | Op::ListPublicKeys(_)
        | Op::Unsupported(_) => Vec::new(),
    }
}

/// The ARN of the trail `reference` names: an ARN as given (when well-formed), the ARN a
/// CreateTrail would give the name, or the ARN of the trail of that name the caller sees.
async fn resolve(ct: &CloudTrail, scope: &Scope, op: &Op, reference: &str) -> Option<String> {
    if reference.starts_with("arn:") {
        return names::parse_trail_arn(reference)
            .is_ok()
            .then(|| reference.to_string());
    }
    names::check_trail_name(reference).ok()?;
    if matches!(op, Op::CreateTrail(_)) {
        return Some(names::trail_arn(&scope.region, &scope.account, reference));
    }
    let (scope, name) = (scope.clone(), reference.to_string());
    ct.read(move |c| find(c, &scope, &name, Access::Read))
        .await
        .ok()
        .map(|t| t.arn)
}

/// The trail ARN an operation's output names.
fn output_trail(out: &Output) -> Option<&str> {
    match out {
        Output::Trail(t) | Output::GetTrail { trail: t } => Some(&t.trail_arn),
        Output::EventSelectors { trail_arn, .. } | Output::InsightSelectors { trail_arn, .. } => {
            Some(trail_arn)
        }
        _ => None,
    }
}

/// The record's `requestParameters`: the members the request gave, camelCased, dates as AWS
/// writes them; `None` (`null`) when the request named nothing.
fn request_parameters(op: &Op) -> Option<Value> {
    let mut v = match op {
        Op::CreateTrail(i) => to_value(i),
        Op::UpdateTrail(i) => to_value(i),
        Op::DeleteTrail(i)
        | Op::GetTrail(i)
        | Op::GetTrailStatus(i)
        | Op::StartLogging(i)
        | Op::StopLogging(i) => to_value(i),
        Op::DescribeTrails(i) => to_value(i),
        Op::ListTrails(i) => to_value(i),
        Op::AddTags(i) | Op::RemoveTags(i) => to_value(i),
        Op::ListTags(i) => to_value(i),
        Op::PutEventSelectors(i) => to_value(i),
        Op::GetEventSelectors(i) | Op::GetInsightSelectors(i) => to_value(i),
        Op::PutInsightSelectors(i) => to_value(i),
        Op::LookupEvents(i) => to_value(i),
        Op::ListPublicKeys(i) => to_value(i),
        Op::Unsupported(_) => Value::Null,
    };
    if let (Op::LookupEvents(_) | Op::ListPublicKeys(_), Value::Object(m)) = (op, &mut v) {
        for field in ["StartTime", "EndTime"] {
            if let Some(s) = m.get(field).and_then(Value::as_f64) {
                m.insert(field.into(), Value::String(java_date(s)));
            }
        }
    }
    match camel(given(v)) {
        Value::Object(m) if m.is_empty() => None,
        Value::Null => None,
        v => Some(v),
    }
}

fn to_value<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// `v` without the members that are `null`: an input's absent members, which a record omits
/// (the one place that rule is kept, so the inputs need no attribute per member).
fn given(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, given(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(given).collect()),
        v => v,
    }
}

/// `v` with the first letter of every object key lowercased, as CloudTrail writes its own
/// members in records (`S3BucketName` -> `s3BucketName`, `TrailARN` -> `trailARN`).
pub fn camel(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| (lower_first(&k), camel(v)))
                .collect::<Map<String, Value>>(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(camel).collect()),
        v => v,
    }
}

fn lower_first(k: &str) -> String {
    let mut chars = k.chars();
    match chars.next() {
        Some(c) => c.to_ascii_lowercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// Epoch seconds as CloudTrail writes request dates: Java's medium date-time format, UTC,
/// e.g. `Oct 26, 2025, 11:50:52 PM`.
fn java_date(seconds: f64) -> String {
    let t = OffsetDateTime::from_unix_timestamp_nanos((seconds * 1e9) as i128)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let format = time::macros::format_description!(
        "[month repr:short] [day padding:none], [year], [hour repr:12 padding:none]:[minute]:[second] [period]"
    );
    t.format(&format).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_are_camel_cased_recursively() {
        let v = json!({"TrailARN": "a", "EventSelectors": [{"ReadWriteType": "All",
            "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3:::b/"]}]}],
            "trailNameList": ["x"]});
        assert_eq!(
            camel(v),
            json!({"trailARN": "a", "eventSelectors": [{"readWriteType": "All",
                "dataResources": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3:::b/"]}]}],
                "trailNameList": ["x"]})
        );
    }

    #[test]
    fn request_dates_are_java_medium_date_times() {
        // 2025-10-26T23:50:52Z, the sample's time.
        assert_eq!(java_date(1_761_522_652.0), "Oct 26, 2025, 11:50:52 PM");
        assert_eq!(java_date(1_761_523_252.0), "Oct 27, 2025, 12:00:52 AM");
    }

    #[test]
    fn create_trail_parameters_name_what_the_request_gave() {
        let op = crate::wire::parse(
            "CreateTrail",
            br#"{"Name":"t","S3BucketName":"b","IsMultiRegionTrail":false,
                "TagsList":[{"Key":"k","Value":"v"}]}"#,
        )
        .unwrap();
        assert_eq!(
            request_parameters(&op),
            Some(
                json!({"name": "t", "s3BucketName": "b", "isMultiRegionTrail": false,
                "tagsList": [{"key": "k", "value": "v"}]})
            )
        );
        let op = crate::wire::parse("ListTrails", b"{}").unwrap();
        assert_eq!(request_parameters(&op), None);
        let op = crate::wire::parse(
            "LookupEvents",
            br#"{"LookupAttributes":[{"AttributeKey":"ReadOnly","AttributeValue":"false"}],
                "StartTime":1761522652,"MaxResults":5}"#,
        )
        .unwrap();
        assert_eq!(
            request_parameters(&op),
            Some(json!({"lookupAttributes": [{"attributeKey": "ReadOnly",
                "attributeValue": "false"}], "startTime": "Oct 26, 2025, 11:50:52 PM",
                "maxResults": 5}))
        );
    }
}
