//! Key rotation: EnableKeyRotation, DisableKeyRotation, GetKeyRotationStatus,
//! RotateKeyOnDemand, ListKeyRotations, and the rotation itself (a new material version; old
//! ciphertexts keep decrypting with the version named in their blob).

use super::{epoch, out, required, resolve, store_material};
use crate::crypto::{self, KeySpec};
use crate::error::{KmsError, KmsResult};
use crate::model::keys::{
    self as key_model, KeyManager, KeyRecord, Origin, RotationEntry, RotationType,
};
use crate::op::{OpKind, Output, Params};
use crate::Kms;
use serde_json::json;
use trailstack_core::Caller;
use trailstack_store::rusqlite::Connection;

const DAY_MS: i64 = 24 * 3600 * 1000;
/// Default automatic rotation period.
const DEFAULT_PERIOD: u32 = 365;

/// Gives `k` a new current material version and records the rotation.
pub fn rotate(
    c: &Connection,
    root: &trailstack_store::RootKey,
    k: &mut KeyRecord,
    now: i64,
    kind: RotationType,
) -> KmsResult<()> {
    let material =
        crypto::generate(k.meta.key_spec).map_err(|e| KmsError::Internal(e.to_string()))?;
    let version = k.meta.current_version + 1;
    store_material(c, root, &k.key_id, version, now, &material)?;
    k.meta.current_version = version;
    k.meta.rotations.push(RotationEntry {
        version,
        at_ms: now,
        kind,
    });
    if k.meta.rotation_enabled {
        let period = k.meta.rotation_period_days.unwrap_or(DEFAULT_PERIOD);
        k.meta.next_rotation_ms = Some(now + i64::from(period) * DAY_MS);
    }
    key_model::update(c, k)
}

/// Rotation applies to symmetric keys with KMS-generated material only.
fn check_rotatable(k: &KeyRecord) -> KmsResult<()> {
    if k.meta.key_spec != KeySpec::SymmetricDefault || k.meta.origin != Origin::AwsKms {
        return Err(KmsError::UnsupportedOperation(format!(
            "{} does not support automatic or on-demand rotation; only symmetric keys with AWS_KMS origin rotate.",
            k.arn()
        )));
    }
    if k.meta.key_manager == KeyManager::Aws {
        return Err(KmsError::UnsupportedOperation(format!(
            "{} is an AWS managed key.",
            k.arn()
        )));
    }
    super::check_usable(k)
}

/// The rotation operations.
pub async fn handle(kms: &Kms, caller: &Caller, kind: OpKind, p: Params) -> KmsResult<Output> {
    let id = required(&p.key_id, "keyId")?.to_string();
    let period = match p.rotation_period_in_days {
        Some(d) if !(90..=2560).contains(&d) => {
            return Err(KmsError::Validation(format!(
                "1 validation error detected: Value '{d}' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value between 90 and 2560"
            )))
        }
        Some(d) => d as u32,
        None => DEFAULT_PERIOD,
    };
    let now = kms.now_ms();
    let (kms2, caller2, root) = (kms.clone(), caller.clone(), kms.root.clone());
    let k = kms
        .write(move |c| {
            let mut k = resolve(c, &kms2, &caller2, &id, false)?;
            match kind {
                OpKind::EnableKeyRotation => {
                    check_rotatable(&k)?;
                    k.meta.rotation_enabled = true;
                    k.meta.rotation_period_days = Some(period);
                    k.meta.next_rotation_ms = Some(now + i64::from(period) * DAY_MS);
                    key_model::update(c, &k)?;
                }
                OpKind::DisableKeyRotation => {
                    check_rotatable(&k)?;
                    k.meta.rotation_enabled = false;
                    k.meta.next_rotation_ms = None;
                    key_model::update(c, &k)?;
                }
                OpKind::RotateKeyOnDemand => {
                    check_rotatable(&k)?;
                    rotate(c, &root, &mut k, now, RotationType::OnDemand)?;
                }
                _ => {}
            }
            Ok(k)
        })
        .await?;
    Ok(match kind {
        OpKind::GetKeyRotationStatus => {
            let mut v = json!({ "KeyRotationEnabled": k.meta.rotation_enabled, "KeyId": k.arn() });
            if k.meta.rotation_enabled {
                v["RotationPeriodInDays"] =
                    json!(k.meta.rotation_period_days.unwrap_or(DEFAULT_PERIOD));
                if let Some(t) = k.meta.next_rotation_ms {
                    v["NextRotationDate"] = epoch(t);
                }
            }
            if let Some(last) = k
                .meta
                .rotations
                .iter()
                .rev()
                .find(|r| r.kind == RotationType::OnDemand)
            {
                v["OnDemandRotationStartDate"] = epoch(last.at_ms);
            }
            out(v)
        }
        OpKind::RotateKeyOnDemand => out(json!({ "KeyId": k.key_id })),
        OpKind::ListKeyRotations => {
            let n = super::limit(&p, 100, 1000)?;
            let v = super::index_page(
                &k.meta.rotations,
                &p,
                n,
                "Rotations",
                |r| json!({ "KeyId": k.arn(), "RotationDate": epoch(r.at_ms), "RotationType": r.kind }),
            )?;
            out(v)
        }
        _ => Output::new(),
    })
}
