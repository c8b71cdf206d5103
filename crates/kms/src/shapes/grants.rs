//! CreateGrant, ListGrants, ListRetirableGrants, RetireGrant, RevokeGrant.

use super::{record, GrantConstraints, Named};
use crate::model::grants::GrantOperation;
use serde::{Deserialize, Serialize};

/// CreateGrant's request.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all(deserialize = "PascalCase", serialize = "camelCase"))]
pub struct CreateGrantInput {
    pub key_id: Option<String>,
    pub grantee_principal: Option<String>,
    pub retiring_principal: Option<String>,
    pub operations: Option<Vec<Named<GrantOperation>>>,
    #[serde(serialize_with = "record::constraints")]
    pub constraints: Option<GrantConstraints>,
    #[serde(skip_serializing)]
    pub grant_tokens: Option<Vec<String>>,
    pub name: Option<String>,
    pub dry_run: Option<bool>,
}

/// CreateGrant's answer; its record logs the id, never the token.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateGrantOutput {
    pub grant_token: String,
    pub grant_id: String,
}

/// ListGrants' request.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all(deserialize = "PascalCase", serialize = "camelCase"))]
pub struct ListGrantsInput {
    pub limit: Option<i64>,
    pub marker: Option<String>,
    pub key_id: Option<String>,
    pub grant_id: Option<String>,
    pub grantee_principal: Option<String>,
}

/// ListRetirableGrants' request.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all(deserialize = "PascalCase", serialize = "camelCase"))]
pub struct ListRetirableGrantsInput {
    pub limit: Option<i64>,
    pub marker: Option<String>,
    pub retiring_principal: Option<String>,
}

/// One grant of ListGrants and ListRetirableGrants.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GrantListEntry {
    pub key_id: String,
    pub grant_id: String,
    /// Epoch seconds.
    pub creation_date: f64,
    pub grantee_principal: String,
    /// `arn:aws:iam::<account>:root`.
    pub issuing_account: String,
    pub operations: Vec<GrantOperation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retiring_principal: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub constraints: Option<GrantConstraints>,
}

/// ListGrants' answer (ListRetirableGrants answers the same shape, as in AWS).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListGrantsOutput {
    pub grants: Vec<GrantListEntry>,
    pub truncated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_marker: Option<String>,
}

/// RetireGrant's request. The grant token is a bearer credential: never recorded.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all(deserialize = "PascalCase", serialize = "camelCase"))]
pub struct RetireGrantInput {
    #[serde(skip_serializing)]
    pub grant_token: Option<String>,
    pub key_id: Option<String>,
    pub grant_id: Option<String>,
    pub dry_run: Option<bool>,
}

/// RevokeGrant's request.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all(deserialize = "PascalCase", serialize = "camelCase"))]
pub struct RevokeGrantInput {
    pub key_id: Option<String>,
    pub grant_id: Option<String>,
    pub dry_run: Option<bool>,
}
