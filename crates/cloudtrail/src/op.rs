//! The CloudTrail operations trailstack serves, each with its typed input (AWS member names on
//! the wire) and the typed outputs handlers return. `wire::parse` builds an [`Op`] once;
//! handlers never see JSON. Inputs also serialize, so the recorder can render
//! `requestParameters` from them (absent members serialize as `null`, which the record omits:
//! `audit::request_parameters`); types that are also outputs skip them here.

use crate::selectors::validate::EventSelectorInput;
use crate::selectors::{AdvancedEventSelector, EventSelector};
use serde::{Deserialize, Serialize};

/// A tag as CloudTrail exchanges it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    /// 1–128 characters.
    pub key: String,
    /// Up to 256 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// The settings CreateTrail and UpdateTrail both take (members of the request itself).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TrailSettings {
    pub s3_key_prefix: Option<String>,
    pub sns_topic_name: Option<String>,
    pub include_global_service_events: Option<bool>,
    pub is_multi_region_trail: Option<bool>,
    pub enable_log_file_validation: Option<bool>,
    pub cloud_watch_logs_log_group_arn: Option<String>,
    pub cloud_watch_logs_role_arn: Option<String>,
    pub kms_key_id: Option<String>,
    pub is_organization_trail: Option<bool>,
}

/// CreateTrail.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateTrailInput {
    pub name: String,
    pub s3_bucket_name: String,
    #[serde(flatten)]
    pub settings: TrailSettings,
    pub tags_list: Option<Vec<Tag>>,
}

/// UpdateTrail: `Name` (name or ARN) and any CreateTrail setting; absent ones keep their value.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateTrailInput {
    pub name: String,
    pub s3_bucket_name: Option<String>,
    #[serde(flatten)]
    pub settings: TrailSettings,
}

/// Operations taking one trail name or ARN as `Name`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NameInput {
    /// Trail name or ARN.
    pub name: String,
}

/// DescribeTrails (its members are camelCase on the wire).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeTrailsInput {
    /// Names or ARNs; empty or absent means every visible trail.
    pub trail_name_list: Option<Vec<String>>,
    /// Default true.
    pub include_shadow_trails: Option<bool>,
}

/// Operations that only page (ListTrails).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PageInput {
    /// The token of the previous page.
    pub next_token: Option<String>,
}

/// PutEventSelectors.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutEventSelectorsInput {
    pub trail_name: String,
    pub event_selectors: Option<Vec<EventSelectorInput>>,
    pub advanced_event_selectors: Option<Vec<AdvancedEventSelector>>,
}

/// GetEventSelectors / GetInsightSelectors.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TrailNameInput {
    pub trail_name: Option<String>,
    pub event_data_store: Option<String>,
}

/// One insight selector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InsightSelector {
    /// `ApiCallRateInsight` or `ApiErrorRateInsight`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insight_type: Option<String>,
    /// `Management` and/or `Data`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_categories: Option<Vec<String>>,
}

/// PutInsightSelectors.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutInsightSelectorsInput {
    pub trail_name: Option<String>,
    pub insight_selectors: Vec<InsightSelector>,
    pub event_data_store: Option<String>,
    pub insights_destination: Option<String>,
}

/// One LookupEvents attribute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LookupAttribute {
    /// EventId, EventName, ReadOnly, Username, ResourceType, ResourceName, EventSource or
    /// AccessKeyId.
    pub attribute_key: String,
    /// 1–2000 characters.
    pub attribute_value: String,
}

/// LookupEvents. Times are epoch seconds.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LookupEventsInput {
    pub lookup_attributes: Option<Vec<LookupAttribute>>,
    pub start_time: Option<f64>,
    pub end_time: Option<f64>,
    pub event_category: Option<String>,
    pub max_results: Option<i64>,
    pub next_token: Option<String>,
}

/// ListPublicKeys. Times are epoch seconds.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListPublicKeysInput {
    pub start_time: Option<f64>,
    pub end_time: Option<f64>,
    pub next_token: Option<String>,
}

/// AddTags / RemoveTags.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TagsInput {
    pub resource_id: String,
    pub tags_list: Option<Vec<Tag>>,
}

/// ListTags.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListTagsInput {
    pub resource_id_list: Vec<String>,
    pub next_token: Option<String>,
}

/// A CloudTrail operation with its input.
#[derive(Debug, Clone)]
pub enum Op {
    CreateTrail(CreateTrailInput),
    UpdateTrail(UpdateTrailInput),
    DeleteTrail(NameInput),
    GetTrail(NameInput),
    DescribeTrails(DescribeTrailsInput),
    ListTrails(PageInput),
    GetTrailStatus(NameInput),
    StartLogging(NameInput),
    StopLogging(NameInput),
    AddTags(TagsInput),
    RemoveTags(TagsInput),
    ListTags(ListTagsInput),
    PutEventSelectors(PutEventSelectorsInput),
    GetEventSelectors(TrailNameInput),
    PutInsightSelectors(PutInsightSelectorsInput),
    GetInsightSelectors(TrailNameInput),
    LookupEvents(LookupEventsInput),
    ListPublicKeys(ListPublicKeysInput),
    /// An operation of the CloudTrail API that trailstack does not serve (Lake, channels,
    /// dashboards, ...); it answers `UnsupportedOperationException`.
    Unsupported(&'static str),
}

impl Op {
    /// The operation name, as in `X-Amz-Target` and the record's `eventName`.
    pub fn name(&self) -> &'static str {
        match self {
            Op::CreateTrail(_) => "CreateTrail",
            Op::UpdateTrail(_) => "UpdateTrail",
            Op::DeleteTrail(_) => "DeleteTrail",
            Op::GetTrail(_) => "GetTrail",
            Op::DescribeTrails(_) => "DescribeTrails",
            Op::ListTrails(_) => "ListTrails",
            Op::GetTrailStatus(_) => "GetTrailStatus",
            Op::StartLogging(_) => "StartLogging",
            Op::StopLogging(_) => "StopLogging",
            Op::AddTags(_) => "AddTags",
            Op::RemoveTags(_) => "RemoveTags",
            Op::ListTags(_) => "ListTags",
            Op::PutEventSelectors(_) => "PutEventSelectors",
            Op::GetEventSelectors(_) => "GetEventSelectors",
            Op::PutInsightSelectors(_) => "PutInsightSelectors",
            Op::GetInsightSelectors(_) => "GetInsightSelectors",
            Op::LookupEvents(_) => "LookupEvents",
            Op::ListPublicKeys(_) => "ListPublicKeys",
            Op::Unsupported(name) => name,
        }
    }

    /// Whether the operation only reads (the record's `readOnly`): Get*, Describe*, List*,
    /// Lookup*.
    pub fn read_only(&self) -> bool {
        let n = self.name();
        ["Get", "Describe", "List", "Lookup", "Search"]
            .iter()
            .any(|p| n.starts_with(p))
    }
}

/// A trail as CreateTrail/UpdateTrail return it and as GetTrail/DescribeTrails list it (the
/// latter add `HomeRegion`, `HasCustomEventSelectors`, `HasInsightSelectors`). Unset optional
/// strings are omitted, not null.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TrailView {
    pub name: String,
    pub s3_bucket_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s3_key_prefix: Option<String>,
    pub include_global_service_events: bool,
    pub is_multi_region_trail: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub home_region: Option<String>,
    #[serde(rename = "TrailARN")]
    pub trail_arn: String,
    pub log_file_validation_enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub has_custom_event_selectors: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub has_insight_selectors: Option<bool>,
    pub is_organization_trail: bool,
}

/// One entry of ListTrails.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TrailInfo {
    #[serde(rename = "TrailARN")]
    pub trail_arn: String,
    pub name: String,
    pub home_region: String,
}

/// GetTrailStatus. Times are epoch seconds; the deprecated string fields are ISO 8601 or "".
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TrailStatusView {
    pub is_logging: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest_delivery_error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest_delivery_time: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_logging_time: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop_logging_time: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest_digest_delivery_time: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest_digest_delivery_error: Option<String>,
    pub latest_delivery_attempt_time: String,
    pub latest_notification_attempt_time: String,
    pub latest_notification_attempt_succeeded: String,
    pub latest_delivery_attempt_succeeded: String,
    pub time_logging_started: String,
    pub time_logging_stopped: String,
}

/// One LookupEvents resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResourceView {
    pub resource_type: String,
    pub resource_name: String,
}

/// One LookupEvents event.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct EventView {
    pub event_id: String,
    pub event_name: String,
    /// "true" or "false", a string as AWS sends it.
    pub read_only: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_key_id: Option<String>,
    pub event_time: f64,
    pub event_source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    pub resources: Vec<ResourceView>,
    /// The full record, as a JSON string.
    pub cloud_trail_event: String,
}

/// One ListPublicKeys key.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PublicKeyView {
    /// Base64 of the PKCS#1 RSAPublicKey DER.
    pub value: String,
    pub validity_start_time: f64,
    pub validity_end_time: f64,
    pub fingerprint: String,
}

/// One ListTags entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResourceTag {
    pub resource_id: String,
    pub tags_list: Vec<Tag>,
}

/// An operation's result; `wire::render` turns it into the JSON body.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Output {
    /// CreateTrail, UpdateTrail.
    Trail(TrailView),
    /// GetTrail: `{"Trail": …}`.
    GetTrail {
        /// The trail.
        #[serde(rename = "Trail")]
        trail: TrailView,
    },
    /// DescribeTrails: `{"trailList": […]}`.
    DescribeTrails {
        /// The trails.
        #[serde(rename = "trailList")]
        trail_list: Vec<TrailView>,
    },
    /// ListTrails.
    ListTrails {
        /// The trails.
        #[serde(rename = "Trails")]
        trails: Vec<TrailInfo>,
        /// The next page's token.
        #[serde(rename = "NextToken", skip_serializing_if = "Option::is_none")]
        next_token: Option<String>,
    },
    /// GetTrailStatus.
    Status(TrailStatusView),
    /// PutEventSelectors, GetEventSelectors.
    EventSelectors {
        /// The trail's ARN.
        #[serde(rename = "TrailARN")]
        trail_arn: String,
        /// Basic selectors, when the trail has them.
        #[serde(rename = "EventSelectors", skip_serializing_if = "Option::is_none")]
        event_selectors: Option<Vec<EventSelector>>,
        /// Advanced selectors, when the trail has them.
        #[serde(
            rename = "AdvancedEventSelectors",
            skip_serializing_if = "Option::is_none"
        )]
        advanced_event_selectors: Option<Vec<AdvancedEventSelector>>,
    },
    /// PutInsightSelectors, GetInsightSelectors.
    InsightSelectors {
        /// The trail's ARN.
        #[serde(rename = "TrailARN")]
        trail_arn: String,
        /// The selectors.
        #[serde(rename = "InsightSelectors")]
        insight_selectors: Vec<InsightSelector>,
    },
    /// LookupEvents.
    Events {
        /// Newest first.
        #[serde(rename = "Events")]
        events: Vec<EventView>,
        /// The next page's token.
        #[serde(rename = "NextToken", skip_serializing_if = "Option::is_none")]
        next_token: Option<String>,
    },
    /// ListPublicKeys.
    PublicKeys {
        /// Keys valid in the asked range.
        #[serde(rename = "PublicKeyList")]
        public_key_list: Vec<PublicKeyView>,
    },
    /// ListTags.
    Tags {
        /// Tags per resource.
        #[serde(rename = "ResourceTagList")]
        resource_tag_list: Vec<ResourceTag>,
    },
    /// Operations answering `{}`.
    Empty {},
}
