//! EnableKey, DisableKey, ScheduleKeyDeletion, CancelKeyDeletion.

use crate::model::keys::KeyState;

shapes! {
    /// EnableKey's, DisableKey's and CancelKeyDeletion's request.
    input EnableKeyInput | DisableKeyInput | CancelKeyDeletionInput {
        key_id: String,
    }

    /// ScheduleKeyDeletion's request.
    input ScheduleKeyDeletionInput {
        key_id: String,
        pending_window_in_days: i64,
    }

    /// ScheduleKeyDeletion's answer (also its record's `responseElements`).
    output ScheduleKeyDeletionOutput {
        key_id: String,
        /// Epoch seconds.
        deletion_date: f64,
        key_state: KeyState,
        pending_window_in_days: i64,
    }

    /// CancelKeyDeletion's answer (also its record's `responseElements`).
    output CancelKeyDeletionOutput {
        key_id: String,
    }
}
