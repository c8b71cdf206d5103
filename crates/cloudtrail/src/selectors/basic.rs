//! Matching of one basic event selector against an event. Management events pass on
//! `IncludeManagementEvents` and `ExcludeManagementEventSources`; data events pass on a
//! `DataResources` entry of the event's resource type.

use super::{DataResource, EventFacts, EventSelector, S3_OBJECT};
use trailstack_core::EventCategory;

/// Whether `s` selects the event.
pub(super) fn matches(s: &EventSelector, facts: &EventFacts) -> bool {
    if !s.read_write_type.admits(facts.read_only) {
        return false;
    }
    match facts.category {
        EventCategory::Management => {
            s.include_management_events
                && !s
                    .exclude_management_event_sources
                    .iter()
                    .any(|x| x == facts.event_source)
        }
        EventCategory::Data => s.data_resources.iter().any(|d| data_matches(d, facts)),
    }
}

/// The value that selects every resource of a type, e.g. `arn:aws:s3` for `AWS::S3::Object`.
pub(super) fn all_value(kind: &str) -> Option<&'static str> {
    match kind {
        S3_OBJECT => Some("arn:aws:s3"),
        "AWS::Lambda::Function" => Some("arn:aws:lambda"),
        "AWS::DynamoDB::Table" => Some("arn:aws:dynamodb"),
        _ => None,
    }
}

/// Whether a value is the "all resources of the type" value. S3 also takes `arn:aws:s3:::`
/// (the bucket-less ARN prefix), which the console writes for "all current and future buckets".
pub(super) fn is_all_value(kind: &str, value: &str) -> bool {
    all_value(kind) == Some(value) || (kind == S3_OBJECT && value == "arn:aws:s3:::")
}

fn data_matches(d: &DataResource, facts: &EventFacts) -> bool {
    facts.any_resource_arn(&d.kind, |arn| {
        d.values.iter().any(|v| {
            if is_all_value(&d.kind, v) {
                true
            } else if d.kind == S3_OBJECT {
                // S3 values are ARN prefixes: `arn:aws:s3:::bucket/` takes the whole bucket,
                // `arn:aws:s3:::bucket/logs/` the objects under `logs/`.
                arn.starts_with(v.as_str())
            } else {
                arn == v
            }
        })
    })
}
