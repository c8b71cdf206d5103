//! Key policies and tags: GetKeyPolicy, PutKeyPolicy, ListKeyPolicies, TagResource,
//! UntagResource, ListResourceTags.

use super::{record, Tag};
use serde::{Deserialize, Serialize};

/// GetKeyPolicy's request.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all(deserialize = "PascalCase", serialize = "camelCase"))]
pub struct GetKeyPolicyInput {
    pub key_id: Option<String>,
    pub policy_name: Option<String>,
}

/// GetKeyPolicy's answer.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetKeyPolicyOutput {
    pub policy: String,
    pub policy_name: &'static str,
}

/// PutKeyPolicy's request.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all(deserialize = "PascalCase", serialize = "camelCase"))]
pub struct PutKeyPolicyInput {
    pub key_id: Option<String>,
    pub policy_name: Option<String>,
    pub policy: Option<String>,
    pub bypass_policy_lockout_safety_check: Option<bool>,
}

/// ListKeyPolicies' request.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all(deserialize = "PascalCase", serialize = "camelCase"))]
pub struct ListKeyPoliciesInput {
    pub key_id: Option<String>,
    pub limit: Option<i64>,
    pub marker: Option<String>,
}

/// ListKeyPolicies' answer.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListKeyPoliciesOutput {
    pub policy_names: Vec<&'static str>,
    pub truncated: bool,
}

/// TagResource's request.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all(deserialize = "PascalCase", serialize = "camelCase"))]
pub struct TagResourceInput {
    pub key_id: Option<String>,
    #[serde(serialize_with = "record::tags")]
    pub tags: Option<Vec<Tag>>,
}

/// UntagResource's request.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all(deserialize = "PascalCase", serialize = "camelCase"))]
pub struct UntagResourceInput {
    pub key_id: Option<String>,
    pub tag_keys: Option<Vec<String>>,
}

/// ListResourceTags' request.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all(deserialize = "PascalCase", serialize = "camelCase"))]
pub struct ListResourceTagsInput {
    pub key_id: Option<String>,
    pub limit: Option<i64>,
    pub marker: Option<String>,
}

/// ListResourceTags' answer.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListResourceTagsOutput {
    pub tags: Vec<Tag>,
    pub truncated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_marker: Option<String>,
}
