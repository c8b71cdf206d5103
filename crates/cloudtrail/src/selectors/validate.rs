//! Validation of PutEventSelectors input into [`TrailSelectors`], with CloudTrail's limits and
//! `InvalidEventSelectorsException` messages. Where AWS's wording is known from its answers
//! (data resource types and values, the 250-value limit) it is used verbatim; other messages
//! follow the same pattern.
//! API reference: <https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_PutEventSelectors.html>

use super::basic::is_all_value;
use super::{
    AdvancedEventSelector, AdvancedFieldSelector, DataResource, EventSelector, ReadWriteType,
    TrailSelectors, S3_OBJECT,
};
use crate::error::{CloudTrailError, CtResult};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// Most selectors of either kind on one trail.
pub const MAX_SELECTORS: usize = 5;
/// Most data resource values across a trail's basic selectors ("all" values not counted).
pub const MAX_DATA_VALUES: usize = 250;
/// Most condition values across a trail's advanced selectors.
pub const MAX_ADVANCED_VALUES: usize = 500;
/// The sources ExcludeManagementEventSources (and `eventSource NotEquals`) may name.
pub const EXCLUDABLE_SOURCES: [&str; 2] = ["kms.amazonaws.com", "rdsdata.amazonaws.com"];
const BASIC_TYPES: [&str; 3] = ["AWS::DynamoDB::Table", "AWS::Lambda::Function", S3_OBJECT];

/// A basic selector as the request carries it (every member optional).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EventSelectorInput {
    /// `ReadOnly`, `WriteOnly` or `All` (default).
    pub read_write_type: Option<String>,
    /// Default true.
    pub include_management_events: Option<bool>,
    /// Data resources.
    pub data_resources: Option<Vec<DataResourceInput>>,
    /// Excluded management event sources.
    pub exclude_management_event_sources: Option<Vec<String>>,
}

/// A data resource as the request carries it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DataResourceInput {
    /// The resource type.
    #[serde(rename = "Type")]
    pub kind: Option<String>,
    /// The values.
    pub values: Option<Vec<String>>,
}

fn invalid(msg: impl Into<String>) -> CloudTrailError {
    CloudTrailError::InvalidEventSelectors(msg.into())
}

/// Validates basic selectors and fills in their defaults.
pub fn basic(input: &[EventSelectorInput]) -> CtResult<TrailSelectors> {
    if input.is_empty() || input.len() > MAX_SELECTORS {
        return Err(invalid(format!(
            "Specify a valid number of event selectors (1 to {MAX_SELECTORS}) for your trail."
        )));
    }
    let mut out = Vec::with_capacity(input.len());
    let mut counted = 0usize;
    for s in input {
        let read_write_type = match s.read_write_type.as_deref() {
            None | Some("All") => ReadWriteType::All,
            Some("ReadOnly") => ReadWriteType::ReadOnly,
            Some("WriteOnly") => ReadWriteType::WriteOnly,
            Some(other) => {
                return Err(invalid(format!(
                    "Value {other} for ReadWriteType is invalid. Valid values are: ReadOnly, WriteOnly, All"
                )))
            }
        };
        let excluded = s
            .exclude_management_event_sources
            .clone()
            .unwrap_or_default();
        for src in &excluded {
            if !EXCLUDABLE_SOURCES.contains(&src.as_str()) {
                return Err(invalid(format!(
                    "Value {src} for ExcludeManagementEventSources is invalid. Valid values are: {}",
                    EXCLUDABLE_SOURCES.join(", ")
                )));
            }
        }
        let mut data_resources = Vec::new();
        for d in s.data_resources.iter().flatten() {
            let kind = d.kind.clone().unwrap_or_default();
            if !BASIC_TYPES.contains(&kind.as_str()) {
                return Err(invalid(format!(
                    "Value {kind} for DataResources.Type is invalid. Valid values are: {}",
                    BASIC_TYPES.join(", ")
                )));
            }
            let values = d.values.clone().unwrap_or_default();
            for v in &values {
                if !valid_data_value(&kind, v) {
                    return Err(invalid(format!(
                        "Value {v} for DataResources.Values is invalid."
                    )));
                }
                if !is_all_value(&kind, v) {
                    counted += 1;
                }
            }
            data_resources.push(DataResource { kind, values });
        }
        out.push(EventSelector {
            read_write_type,
            include_management_events: s.include_management_events.unwrap_or(true),
            data_resources,
            exclude_management_event_sources: excluded,
        });
    }
    if counted > MAX_DATA_VALUES {
        return Err(invalid(format!(
            "Specify a valid number of DataResources.Values (0 to {MAX_DATA_VALUES}) for all your selectors."
        )));
    }
    Ok(TrailSelectors::Basic(out))
}

/// Whether `v` is an accepted value for a data resource of type `kind`.
fn valid_data_value(kind: &str, v: &str) -> bool {
    if is_all_value(kind, v) {
        return true;
    }
    match kind {
        S3_OBJECT => match v.strip_prefix("arn:aws:s3:::") {
            // A bucket ARN must be followed by `/` (and optionally a key prefix).
            Some(rest) => match rest.split_once('/') {
                Some((bucket, _)) => crate::handlers::names::valid_bucket_name(bucket),
                None => false,
            },
            None => false,
        },
        "AWS::Lambda::Function" => v.starts_with("arn:aws:lambda:") && v.contains(":function:"),
        "AWS::DynamoDB::Table" => v.starts_with("arn:aws:dynamodb:") && v.contains(":table/"),
        _ => false,
    }
}

const MANAGEMENT_FIELDS: [&str; 3] = ["eventCategory", "readOnly", "eventSource"];
const DATA_FIELDS: [&str; 10] = [
    "eventCategory",
    "resources.type",
    "readOnly",
    "eventName",
    "eventSource",
    "eventType",
    "resources.ARN",
    "sessionCredentialFromConsole",
    "userIdentity.arn",
    "errorCode",
];
const NETWORK_FIELDS: [&str; 5] = [
    "eventCategory",
    "eventSource",
    "eventName",
    "errorCode",
    "vpcEndpointId",
];

/// Each operator's values of a field selector, with the operator's name.
fn operators(f: &AdvancedFieldSelector) -> [(&'static str, Option<&Vec<String>>); 6] {
    [
        ("Equals", f.equals.as_ref()),
        ("StartsWith", f.starts_with.as_ref()),
        ("EndsWith", f.ends_with.as_ref()),
        ("NotEquals", f.not_equals.as_ref()),
        ("NotStartsWith", f.not_starts_with.as_ref()),
        ("NotEndsWith", f.not_ends_with.as_ref()),
    ]
}

/// Validates advanced selectors.
pub fn advanced(input: &[AdvancedEventSelector]) -> CtResult<TrailSelectors> {
    if input.is_empty() {
        return Err(invalid(
            "Specify at least one advanced event selector for your trail.",
        ));
    }
    let mut total = 0usize;
    for s in input {
        total += advanced_one(s)?;
    }
    if total > MAX_ADVANCED_VALUES {
        return Err(invalid(format!(
            "The number of condition values across all advanced event selectors ({total}) exceeds the limit of {MAX_ADVANCED_VALUES}."
        )));
    }
    Ok(TrailSelectors::Advanced(input.to_vec()))
}

/// Validates one advanced selector; returns how many condition values it holds.
fn advanced_one(s: &AdvancedEventSelector) -> CtResult<usize> {
    if s.name.as_ref().is_some_and(|n| n.chars().count() > 1000) {
        return Err(invalid(
            "Advanced event selector name must be at most 1000 characters.",
        ));
    }
    if s.field_selectors.is_empty() {
        return Err(invalid(
            "Specify at least one field selector in each advanced event selector.",
        ));
    }
    let mut seen = HashSet::new();
    let mut values = 0usize;
    for f in &s.field_selectors {
        if !seen.insert(f.field.as_str()) {
            return Err(invalid(format!(
                "Field {} is specified more than once in an advanced event selector.",
                f.field
            )));
        }
        let mut any = false;
        for (op, list) in operators(f) {
            let Some(list) = list else { continue };
            any = true;
            if list.is_empty() {
                return Err(invalid(format!(
                    "Operator {op} of field {} must have at least one value.",
                    f.field
                )));
            }
            for v in list {
                if v.is_empty() || v.chars().count() > 2048 {
                    return Err(invalid(format!(
                        "Value {v} for field {} must be between 1 and 2048 characters.",
                        f.field
                    )));
                }
            }
            values += list.len();
        }
        if !any {
            return Err(invalid(format!(
                "Field {} must have at least one operator.",
                f.field
            )));
        }
    }
    let category = equals_only(s, "eventCategory")?.ok_or_else(|| {
        invalid("Field eventCategory is required in each advanced event selector.")
    })?;
    let (allowed, kind): (&[&str], _) = match category.as_slice() {
        [c] if c == "Management" => (&MANAGEMENT_FIELDS, "Management"),
        [c] if c == "Data" => (&DATA_FIELDS, "Data"),
        [c] if c == "NetworkActivity" => (&NETWORK_FIELDS, "NetworkActivity"),
        _ => {
            return Err(invalid(format!(
                "Value {} for field eventCategory is invalid. Specify one of: Management, Data, NetworkActivity.",
                category.join(", ")
            )))
        }
    };
    for f in &s.field_selectors {
        if !allowed.contains(&f.field.as_str()) {
            return Err(invalid(format!(
                "Field {} is not supported for {kind} events.",
                f.field
            )));
        }
    }
    if let Some(ro) = equals_only(s, "readOnly")? {
        if !matches!(ro.as_slice(), [v] if v == "true" || v == "false") {
            return Err(invalid(
                "Field readOnly takes exactly one value: true or false.",
            ));
        }
    }
    match kind {
        "Management" => {
            if let Some(f) = s.field_selectors.iter().find(|f| f.field == "eventSource") {
                let only_not_equals = operators(f)
                    .iter()
                    .all(|(op, l)| *op == "NotEquals" || l.is_none());
                let ok = only_not_equals
                    && f.not_equals
                        .iter()
                        .flatten()
                        .all(|v| EXCLUDABLE_SOURCES.contains(&v.as_str()));
                if !ok {
                    return Err(invalid(format!(
                        "For management events, field eventSource supports only NotEquals with {}.",
                        EXCLUDABLE_SOURCES.join(" or ")
                    )));
                }
            }
        }
        "Data" => match equals_only(s, "resources.type")? {
            Some(t) if t.len() == 1 && !t[0].is_empty() => {}
            Some(_) => return Err(invalid(
                "Field resources.type takes exactly one value for each advanced event selector.",
            )),
            None => return Err(invalid("Field resources.type is required for Data events.")),
        },
        _ => {
            if !s.field_selectors.iter().any(|f| f.field == "eventSource") {
                return Err(invalid(
                    "Field eventSource is required for NetworkActivity events.",
                ));
            }
        }
    }
    Ok(values)
}

/// The `Equals` values of `field`, refusing any other operator on it (eventCategory, readOnly
/// and resources.type take only `Equals`).
fn equals_only(s: &AdvancedEventSelector, field: &str) -> CtResult<Option<Vec<String>>> {
    let Some(f) = s.field_selectors.iter().find(|f| f.field == field) else {
        return Ok(None);
    };
    if operators(f)
        .iter()
        .any(|(op, l)| *op != "Equals" && l.is_some())
    {
        return Err(invalid(format!(
            "Field {field} supports only the Equals operator."
        )));
    }
    Ok(Some(f.equals.clone().unwrap_or_default()))
}
