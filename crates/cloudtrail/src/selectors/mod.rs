//! Event selectors: their shapes (as stored and as the wire carries them), their validation
//! (`validate`), and the pure decision whether a trail takes an event ([`selects`]). Nothing here
//! touches storage or the wire; the recorder calls [`selects`] for every event and every logging
//! trail, so it allocates nothing.
//!
//! Semantics (CloudTrail user guide, "Logging data events" / "Filtering data events by using
//! advanced event selectors"): a trail takes an event when ANY of its selectors matches it.
//! Inside a basic selector, the read/write type and either the management flags or a data
//! resource must hold. Inside an advanced selector every field condition must hold (AND); the
//! values of one operator are OR-ed, and negative operators exclude.

mod advanced;
mod basic;
pub mod validate;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};
use trailstack_core::{AuditResource, EventCategory};

/// `ReadWriteType` of a basic selector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReadWriteType {
    /// Only read-only events.
    ReadOnly,
    /// Only mutating events.
    WriteOnly,
    /// Both.
    All,
}

impl ReadWriteType {
    /// Whether an event with `read_only` passes.
    fn admits(self, read_only: bool) -> bool {
        match self {
            ReadWriteType::All => true,
            ReadWriteType::ReadOnly => read_only,
            ReadWriteType::WriteOnly => !read_only,
        }
    }
}

/// One `DataResources` entry of a basic selector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DataResource {
    /// e.g. `AWS::S3::Object`.
    #[serde(rename = "Type")]
    pub kind: String,
    /// ARN prefixes (S3), exact ARNs, or the service-wide value (`arn:aws:s3`).
    pub values: Vec<String>,
}

/// A basic event selector, normalized (defaults filled in).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EventSelector {
    /// ReadOnly, WriteOnly or All.
    pub read_write_type: ReadWriteType,
    /// Whether management events are taken.
    pub include_management_events: bool,
    /// Data events taken.
    pub data_resources: Vec<DataResource>,
    /// Management event sources left out (`kms.amazonaws.com`, `rdsdata.amazonaws.com`).
    pub exclude_management_event_sources: Vec<String>,
}

impl EventSelector {
    /// The selector of a new trail: every management event, no data events.
    pub fn default_management() -> EventSelector {
        EventSelector {
            read_write_type: ReadWriteType::All,
            include_management_events: true,
            data_resources: Vec::new(),
            exclude_management_event_sources: Vec::new(),
        }
    }
}

/// One condition of an advanced selector: a field and its operators' values.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdvancedFieldSelector {
    /// e.g. `eventCategory`, `resources.ARN`.
    pub field: String,
    /// The field equals one of these.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equals: Option<Vec<String>>,
    /// The field starts with one of these.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts_with: Option<Vec<String>>,
    /// The field ends with one of these.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_with: Option<Vec<String>>,
    /// The field equals none of these.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_equals: Option<Vec<String>>,
    /// The field starts with none of these.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_starts_with: Option<Vec<String>>,
    /// The field ends with none of these.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_ends_with: Option<Vec<String>>,
}

/// An advanced event selector.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdvancedEventSelector {
    /// An optional label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The conditions, all of which must hold.
    pub field_selectors: Vec<AdvancedFieldSelector>,
}

/// A trail's selectors: one kind or the other, never both (PutEventSelectors replaces the set).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TrailSelectors {
    /// Basic `EventSelectors`.
    Basic(Vec<EventSelector>),
    /// `AdvancedEventSelectors`.
    Advanced(Vec<AdvancedEventSelector>),
}

impl Default for TrailSelectors {
    fn default() -> Self {
        TrailSelectors::Basic(vec![EventSelector::default_management()])
    }
}

/// What the selectors look at in one event. Borrowed from the event being recorded.
#[derive(Debug, Clone, Copy)]
pub struct EventFacts<'a> {
    /// Management or data.
    pub category: EventCategory,
    /// The record's `readOnly`.
    pub read_only: bool,
    /// e.g. `s3.amazonaws.com`.
    pub event_source: &'a str,
    /// e.g. `PutObject`.
    pub event_name: &'a str,
    /// The record's `errorCode`, if the call failed.
    pub error_code: Option<&'a str>,
    /// The record's `resources`.
    pub resources: &'a [AuditResource],
    /// `AwsApiCall` or `AwsServiceEvent`.
    pub event_type: &'a str,
    /// `userIdentity.arn` (empty when the identity has none).
    pub user_arn: &'a str,
}

/// The resource type of S3 objects, the data resource trails select most.
pub const S3_OBJECT: &str = "AWS::S3::Object";
const S3_BUCKET: &str = "AWS::S3::Bucket";

impl<'a> EventFacts<'a> {
    /// Calls `f` with the ARN of every resource of type `kind` the event touched, until `f`
    /// returns true. S3 bucket-level data events (ListObjects, HeadBucket) name no object (at
    /// most an ARN prefix of the objects listed); they are selected by the bucket ARN followed
    /// by `/` (what an `arn:aws:s3:::bucket/` value selects), as the S3 user guide describes
    /// for object-level logging.
    fn any_resource_arn(&self, kind: &str, mut f: impl FnMut(&str) -> bool) -> bool {
        let mut seen = false;
        for r in self
            .resources
            .iter()
            .filter(|r| r.kind == kind && !r.prefix)
        {
            seen = true;
            if f(&r.arn) {
                return true;
            }
        }
        if !seen && kind == S3_OBJECT && self.category == EventCategory::Data {
            for r in self.resources.iter().filter(|r| r.kind == S3_BUCKET) {
                let mut arn = String::with_capacity(r.arn.len() + 1);
                arn.push_str(&r.arn);
                arn.push('/');
                if f(&arn) {
                    return true;
                }
            }
        }
        false
    }
}

/// Whether a trail with `selectors` takes the event described by `facts`.
pub fn selects(selectors: &TrailSelectors, facts: &EventFacts) -> bool {
    match selectors {
        TrailSelectors::Basic(list) => list.iter().any(|s| basic::matches(s, facts)),
        TrailSelectors::Advanced(list) => list.iter().any(|s| advanced::matches(s, facts)),
    }
}

/// The positions of the selectors that take the event described by `facts`, in order (what
/// `trailstack explain` names; [`selects`] holds exactly when there is one).
pub fn matching(selectors: &TrailSelectors, facts: &EventFacts) -> Vec<usize> {
    match selectors {
        TrailSelectors::Basic(list) => (0..list.len())
            .filter(|&i| basic::matches(&list[i], facts))
            .collect(),
        TrailSelectors::Advanced(list) => (0..list.len())
            .filter(|&i| advanced::matches(&list[i], facts))
            .collect(),
    }
}
