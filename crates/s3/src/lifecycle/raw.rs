//! PutBucketLifecycleConfiguration's document as XML gives it: every element optional and every
//! value still text, so that [`super::validate`] can answer S3's own error for each mistake
//! instead of a generic parse failure.

use serde::Deserialize;

/// `<LifecycleConfiguration>`.
#[derive(Debug, Deserialize)]
pub struct RawConfiguration {
    #[serde(rename = "Rule", default)]
    pub(super) rules: Vec<RawRule>,
}

/// `<Rule>`, every value still text.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct RawRule {
    #[serde(rename = "ID")]
    pub(super) id: Option<String>,
    pub(super) status: Option<String>,
    pub(super) prefix: Option<String>,
    pub(super) filter: Option<RawFilter>,
    pub(super) expiration: Option<RawExpiration>,
    #[serde(rename = "Transition", default)]
    pub(super) transitions: Vec<RawTransition>,
    #[serde(rename = "NoncurrentVersionTransition", default)]
    pub(super) noncurrent_transitions: Vec<RawNoncurrent>,
    pub(super) noncurrent_version_expiration: Option<RawNoncurrent>,
    pub(super) abort_incomplete_multipart_upload: Option<RawAbort>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub(super) struct RawFilter {
    pub(super) prefix: Option<String>,
    pub(super) tag: Option<RawTag>,
    pub(super) object_size_greater_than: Option<String>,
    pub(super) object_size_less_than: Option<String>,
    pub(super) and: Option<RawAnd>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub(super) struct RawAnd {
    pub(super) prefix: Option<String>,
    #[serde(rename = "Tag", default)]
    pub(super) tags: Vec<RawTag>,
    pub(super) object_size_greater_than: Option<String>,
    pub(super) object_size_less_than: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct RawTag {
    pub(super) key: Option<String>,
    pub(super) value: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub(super) struct RawExpiration {
    pub(super) days: Option<String>,
    pub(super) date: Option<String>,
    pub(super) expired_object_delete_marker: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct RawTransition {
    pub(super) days: Option<String>,
    pub(super) date: Option<String>,
    pub(super) storage_class: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct RawNoncurrent {
    pub(super) noncurrent_days: Option<String>,
    pub(super) newer_noncurrent_versions: Option<String>,
    pub(super) storage_class: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct RawAbort {
    pub(super) days_after_initiation: Option<String>,
}
