//! Key state changes: EnableKey, DisableKey, ScheduleKeyDeletion, CancelKeyDeletion, with the
//! state checks of AWS's key-state table.

use super::required;
use crate::error::{KmsError, KmsResult};
use crate::model::keys::{KeyRecord, KeyState};
use crate::shapes::{
    epoch, CancelKeyDeletionInput, CancelKeyDeletionOutput, DisableKeyInput, Empty, EnableKeyInput,
    ScheduleKeyDeletionInput, ScheduleKeyDeletionOutput,
};
use crate::Kms;
use trailstack_core::Caller;

const DAY_MS: i64 = 24 * 3600 * 1000;

/// The state changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    Enable,
    Disable,
    /// Deletion after this many days.
    ScheduleDeletion(i64),
    CancelDeletion,
}

/// EnableKey.
pub async fn enable(kms: &Kms, caller: &Caller, p: EnableKeyInput) -> KmsResult<Empty> {
    change_state(kms, caller, p.key_id, Change::Enable).await?;
    Ok(Empty {})
}

/// DisableKey.
pub async fn disable(kms: &Kms, caller: &Caller, p: DisableKeyInput) -> KmsResult<Empty> {
    change_state(kms, caller, p.key_id, Change::Disable).await?;
    Ok(Empty {})
}

/// ScheduleKeyDeletion: 7 to 30 days, 30 by default.
pub async fn schedule_deletion(
    kms: &Kms,
    caller: &Caller,
    p: ScheduleKeyDeletionInput,
) -> KmsResult<ScheduleKeyDeletionOutput> {
    required(&p.key_id, "keyId")?;
    let window = match p.pending_window_in_days {
        Some(d) if !(7..=30).contains(&d) => {
            return Err(KmsError::Validation(format!(
                "1 validation error detected: Value '{d}' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value between 7 and 30"
            )))
        }
        Some(d) => d,
        None => 30,
    };
    let now = kms.now_ms();
    let k = change_state(kms, caller, p.key_id, Change::ScheduleDeletion(window)).await?;
    Ok(ScheduleKeyDeletionOutput {
        key_id: k.arn(),
        deletion_date: epoch(k.meta.deletion_ms.unwrap_or(now)),
        key_state: KeyState::PendingDeletion,
        pending_window_in_days: window,
    })
}

/// CancelKeyDeletion.
pub async fn cancel_deletion(
    kms: &Kms,
    caller: &Caller,
    p: CancelKeyDeletionInput,
) -> KmsResult<CancelKeyDeletionOutput> {
    let k = change_state(kms, caller, p.key_id, Change::CancelDeletion).await?;
    Ok(CancelKeyDeletionOutput { key_id: k.arn() })
}

/// Applies `change` to the key `key_id` names, answering the changed key.
async fn change_state(
    kms: &Kms,
    caller: &Caller,
    key_id: Option<String>,
    change: Change,
) -> KmsResult<KeyRecord> {
    let id = required(&key_id, "keyId")?.to_string();
    let now = kms.now_ms();
    super::edit_key(kms, caller, id, move |k| {
        super::check_customer_managed(k, |arn| {
            format!("{arn} is an AWS managed key and cannot be modified.")
        })?;
        let state = k.meta.key_state;
        let arn = k.arn();
        match change {
            Change::Enable | Change::Disable => {
                match state {
                    KeyState::PendingDeletion => {
                        return Err(KmsError::InvalidState(format!(
                            "{arn} is pending deletion."
                        )))
                    }
                    KeyState::PendingImport => {
                        return Err(KmsError::InvalidState(format!("{arn} is pending import.")))
                    }
                    KeyState::Enabled | KeyState::Disabled => {}
                }
                k.meta.key_state = if change == Change::Enable {
                    KeyState::Enabled
                } else {
                    KeyState::Disabled
                };
            }
            Change::ScheduleDeletion(window) => {
                if state == KeyState::PendingDeletion {
                    return Err(KmsError::InvalidState(format!(
                        "{arn} is pending deletion."
                    )));
                }
                k.meta.key_state = KeyState::PendingDeletion;
                k.meta.deletion_ms = Some(now + window * DAY_MS);
                k.meta.pending_window_days = Some(window as u32);
            }
            Change::CancelDeletion => {
                if state != KeyState::PendingDeletion {
                    return Err(KmsError::InvalidState(format!(
                        "{arn} is not pending deletion."
                    )));
                }
                k.meta.key_state = if k.meta.current_version == 0 {
                    KeyState::PendingImport
                } else {
                    KeyState::Disabled
                };
                k.meta.deletion_ms = None;
                k.meta.pending_window_days = None;
            }
        }
        Ok(())
    })
    .await
}
