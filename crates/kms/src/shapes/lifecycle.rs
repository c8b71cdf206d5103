//! EnableKey, DisableKey, ScheduleKeyDeletion, CancelKeyDeletion.

use crate::model::keys::KeyState;
use serde::{Deserialize, Serialize};

/// EnableKey's request.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all(deserialize = "PascalCase", serialize = "camelCase"))]
pub struct EnableKeyInput {
    pub key_id: Option<String>,
}

/// DisableKey's request.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all(deserialize = "PascalCase", serialize = "camelCase"))]
pub struct DisableKeyInput {
    pub key_id: Option<String>,
}

/// ScheduleKeyDeletion's request.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all(deserialize = "PascalCase", serialize = "camelCase"))]
pub struct ScheduleKeyDeletionInput {
    pub key_id: Option<String>,
    pub pending_window_in_days: Option<i64>,
}

/// ScheduleKeyDeletion's answer (also its record's `responseElements`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ScheduleKeyDeletionOutput {
    pub key_id: String,
    /// Epoch seconds.
    pub deletion_date: f64,
    pub key_state: KeyState,
    pub pending_window_in_days: i64,
}

/// CancelKeyDeletion's request.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all(deserialize = "PascalCase", serialize = "camelCase"))]
pub struct CancelKeyDeletionInput {
    pub key_id: Option<String>,
}

/// CancelKeyDeletion's answer (also its record's `responseElements`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CancelKeyDeletionOutput {
    pub key_id: String,
}
