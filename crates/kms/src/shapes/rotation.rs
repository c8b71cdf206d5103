//! EnableKeyRotation, DisableKeyRotation, GetKeyRotationStatus, RotateKeyOnDemand,
//! ListKeyRotations.

use crate::model::keys::RotationType;

shapes! {
    /// EnableKeyRotation's request.
    input EnableKeyRotationInput {
        key_id: String,
        rotation_period_in_days: i64,
    }

    /// DisableKeyRotation's, GetKeyRotationStatus' and RotateKeyOnDemand's request.
    input DisableKeyRotationInput | GetKeyRotationStatusInput | RotateKeyOnDemandInput {
        key_id: String,
    }

    /// GetKeyRotationStatus' answer.
    output GetKeyRotationStatusOutput {
        key_rotation_enabled: bool,
        key_id: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        rotation_period_in_days: Option<u32>,
        /// Epoch seconds.
        #[serde(skip_serializing_if = "Option::is_none")]
        next_rotation_date: Option<f64>,
        /// Epoch seconds.
        #[serde(skip_serializing_if = "Option::is_none")]
        on_demand_rotation_start_date: Option<f64>,
    }

    /// RotateKeyOnDemand's answer (also its record's `responseElements`): the key id, not its
    /// ARN.
    output RotateKeyOnDemandOutput {
        key_id: String,
    }

    /// ListKeyRotations' request.
    input ListKeyRotationsInput {
        key_id: String,
        limit: i64,
        marker: String,
    }

    /// One rotation of ListKeyRotations.
    output RotationsListEntry {
        key_id: String,
        /// Epoch seconds.
        rotation_date: f64,
        rotation_type: RotationType,
    }

    /// ListKeyRotations' answer.
    page ListKeyRotationsOutput { rotations: RotationsListEntry }
}
