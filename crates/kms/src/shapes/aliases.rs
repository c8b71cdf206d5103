//! CreateAlias, UpdateAlias, DeleteAlias, ListAliases.

use serde::{Deserialize, Serialize};

/// CreateAlias's request.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all(deserialize = "PascalCase", serialize = "camelCase"))]
pub struct CreateAliasInput {
    pub alias_name: Option<String>,
    pub target_key_id: Option<String>,
}

/// UpdateAlias's request.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all(deserialize = "PascalCase", serialize = "camelCase"))]
pub struct UpdateAliasInput {
    pub alias_name: Option<String>,
    pub target_key_id: Option<String>,
}

/// DeleteAlias's request.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all(deserialize = "PascalCase", serialize = "camelCase"))]
pub struct DeleteAliasInput {
    pub alias_name: Option<String>,
}

/// ListAliases' request.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all(deserialize = "PascalCase", serialize = "camelCase"))]
pub struct ListAliasesInput {
    pub key_id: Option<String>,
    pub limit: Option<i64>,
    pub marker: Option<String>,
}

/// One alias of ListAliases.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AliasListEntry {
    pub alias_name: String,
    pub alias_arn: String,
    pub target_key_id: String,
    /// Epoch seconds.
    pub creation_date: f64,
    /// Epoch seconds.
    pub last_updated_date: f64,
}

/// ListAliases' answer.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListAliasesOutput {
    pub aliases: Vec<AliasListEntry>,
    pub truncated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_marker: Option<String>,
}
