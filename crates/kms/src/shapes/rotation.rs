//! EnableKeyRotation, DisableKeyRotation, GetKeyRotationStatus, RotateKeyOnDemand,
//! ListKeyRotations.

use crate::model::keys::RotationType;
use serde::{Deserialize, Serialize};

/// EnableKeyRotation's request.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all(deserialize = "PascalCase", serialize = "camelCase"))]
pub struct EnableKeyRotationInput {
    pub key_id: Option<String>,
    pub rotation_period_in_days: Option<i64>,
}

/// DisableKeyRotation's request.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all(deserialize = "PascalCase", serialize = "camelCase"))]
pub struct DisableKeyRotationInput {
    pub key_id: Option<String>,
}

/// GetKeyRotationStatus' request.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all(deserialize = "PascalCase", serialize = "camelCase"))]
pub struct GetKeyRotationStatusInput {
    pub key_id: Option<String>,
}

/// GetKeyRotationStatus' answer.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetKeyRotationStatusOutput {
    pub key_rotation_enabled: bool,
    pub key_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rotation_period_in_days: Option<u32>,
    /// Epoch seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_rotation_date: Option<f64>,
    /// Epoch seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_demand_rotation_start_date: Option<f64>,
}

/// RotateKeyOnDemand's request.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all(deserialize = "PascalCase", serialize = "camelCase"))]
pub struct RotateKeyOnDemandInput {
    pub key_id: Option<String>,
}

/// RotateKeyOnDemand's answer (also its record's `responseElements`): the key id, not its ARN.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RotateKeyOnDemandOutput {
    pub key_id: String,
}

/// ListKeyRotations' request.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all(deserialize = "PascalCase", serialize = "camelCase"))]
pub struct ListKeyRotationsInput {
    pub key_id: Option<String>,
    pub limit: Option<i64>,
    pub marker: Option<String>,
}

/// One rotation of ListKeyRotations.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RotationsListEntry {
    pub key_id: String,
    /// Epoch seconds.
    pub rotation_date: f64,
    pub rotation_type: RotationType,
}

/// ListKeyRotations' answer.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListKeyRotationsOutput {
    pub rotations: Vec<RotationsListEntry>,
    pub truncated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_marker: Option<String>,
}
