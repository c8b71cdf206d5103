//! Key state changes: EnableKey, DisableKey, ScheduleKeyDeletion, CancelKeyDeletion, with the
//! state checks of AWS's key-state table.

use super::{epoch, out, required, resolve};
use crate::error::{KmsError, KmsResult};
use crate::model::keys::{self as key_model, KeyManager, KeyState};
use crate::op::{OpKind, Output, Params};
use crate::Kms;
use serde_json::json;
use trailstack_core::Caller;

const DAY_MS: i64 = 24 * 3600 * 1000;

/// EnableKey, DisableKey, ScheduleKeyDeletion, CancelKeyDeletion.
pub async fn change_state(
    kms: &Kms,
    caller: &Caller,
    kind: OpKind,
    p: Params,
) -> KmsResult<Output> {
    let id = required(&p.key_id, "keyId")?.to_string();
    let window = match (kind, p.pending_window_in_days) {
        (OpKind::ScheduleKeyDeletion, Some(d)) if !(7..=30).contains(&d) => {
            return Err(KmsError::Validation(format!(
                "1 validation error detected: Value '{d}' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value between 7 and 30"
            )))
        }
        (_, Some(d)) => d,
        (_, None) => 30,
    };
    let now = kms.now_ms();
    let (kms2, caller2) = (kms.clone(), caller.clone());
    let k = kms
        .write(move |c| {
            let mut k = resolve(c, &kms2, &caller2, &id, false)?;
            if k.meta.key_manager == KeyManager::Aws {
                return Err(KmsError::UnsupportedOperation(format!(
                    "{} is an AWS managed key and cannot be modified.",
                    k.arn()
                )));
            }
            let state = k.meta.key_state;
            let arn = k.arn();
            match kind {
                OpKind::EnableKey | OpKind::DisableKey => {
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
                    k.meta.key_state = if kind == OpKind::EnableKey {
                        KeyState::Enabled
                    } else {
                        KeyState::Disabled
                    };
                }
                OpKind::ScheduleKeyDeletion => {
                    if state == KeyState::PendingDeletion {
                        return Err(KmsError::InvalidState(format!(
                            "{arn} is pending deletion."
                        )));
                    }
                    k.meta.key_state = KeyState::PendingDeletion;
                    k.meta.deletion_ms = Some(now + window * DAY_MS);
                    k.meta.pending_window_days = Some(window as u32);
                }
                _ => {
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
            key_model::update(c, &k)?;
            Ok(k)
        })
        .await?;
    Ok(match kind {
        OpKind::ScheduleKeyDeletion => out(json!({
            "KeyId": k.arn(),
            "DeletionDate": epoch(k.meta.deletion_ms.unwrap_or(now)),
            "KeyState": "PendingDeletion",
            "PendingWindowInDays": window,
        })),
        OpKind::CancelKeyDeletion => out(json!({ "KeyId": k.arn() })),
        _ => Output::new(),
    })
}
