//! Key rotation: EnableKeyRotation, DisableKeyRotation, GetKeyRotationStatus,
//! RotateKeyOnDemand, ListKeyRotations, and the rotation itself (a new material version; old
//! ciphertexts keep decrypting with the version named in their blob).

use super::{edit_key, read_key, required, resolve, store_material};
use crate::crypto::{self, KeySpec};
use crate::error::{KmsError, KmsResult};
use crate::model::keys::{self as key_model, KeyRecord, Origin, RotationEntry, RotationType};
use crate::shapes::{
    epoch, DisableKeyRotationInput, Empty, EnableKeyRotationInput, GetKeyRotationStatusInput,
    GetKeyRotationStatusOutput, ListKeyRotationsInput, ListKeyRotationsOutput,
    RotateKeyOnDemandInput, RotateKeyOnDemandOutput, RotationsListEntry,
};
use crate::Kms;
use trailstack_core::Caller;
use trailstack_store::Conn;

const DAY_MS: i64 = 24 * 3600 * 1000;
/// Default automatic rotation period.
const DEFAULT_PERIOD: u32 = 365;

/// Gives `k` a new current material version and records the rotation.
pub fn rotate(
    c: &Conn,
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
    super::check_customer_managed(k, |arn| format!("{arn} is an AWS managed key."))?;
    super::check_usable(k)
}

/// EnableKeyRotation: every `RotationPeriodInDays` (90 to 2560, 365 by default).
pub async fn enable(kms: &Kms, caller: &Caller, p: EnableKeyRotationInput) -> KmsResult<Empty> {
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
    edit_key(kms, caller, id, move |k| {
        check_rotatable(k)?;
        k.meta.rotation_enabled = true;
        k.meta.rotation_period_days = Some(period);
        k.meta.next_rotation_ms = Some(now + i64::from(period) * DAY_MS);
        Ok(())
    })
    .await?;
    Ok(Empty {})
}

/// DisableKeyRotation.
pub async fn disable(kms: &Kms, caller: &Caller, p: DisableKeyRotationInput) -> KmsResult<Empty> {
    let id = required(&p.key_id, "keyId")?.to_string();
    edit_key(kms, caller, id, |k| {
        check_rotatable(k)?;
        k.meta.rotation_enabled = false;
        k.meta.next_rotation_ms = None;
        Ok(())
    })
    .await?;
    Ok(Empty {})
}

/// The key `key_id` names, for the rotation reads.
async fn key(kms: &Kms, caller: &Caller, key_id: &Option<String>) -> KmsResult<KeyRecord> {
    read_key(kms, caller, required(key_id, "keyId")?.to_string()).await
}

/// GetKeyRotationStatus.
pub async fn status(
    kms: &Kms,
    caller: &Caller,
    p: GetKeyRotationStatusInput,
) -> KmsResult<GetKeyRotationStatusOutput> {
    let k = key(kms, caller, &p.key_id).await?;
    let enabled = k.meta.rotation_enabled;
    Ok(GetKeyRotationStatusOutput {
        key_rotation_enabled: enabled,
        key_id: k.arn(),
        rotation_period_in_days: enabled
            .then(|| k.meta.rotation_period_days.unwrap_or(DEFAULT_PERIOD)),
        next_rotation_date: k.meta.next_rotation_ms.filter(|_| enabled).map(epoch),
        on_demand_rotation_start_date: k
            .meta
            .rotations
            .iter()
            .rev()
            .find(|r| r.kind == RotationType::OnDemand)
            .map(|r| epoch(r.at_ms)),
    })
}

/// RotateKeyOnDemand.
pub async fn rotate_on_demand(
    kms: &Kms,
    caller: &Caller,
    p: RotateKeyOnDemandInput,
) -> KmsResult<RotateKeyOnDemandOutput> {
    let id = required(&p.key_id, "keyId")?.to_string();
    let now = kms.now_ms();
    let (kms2, caller2, root) = (kms.clone(), caller.clone(), kms.root.clone());
    let k = kms
        .write(move |c| {
            let mut k = resolve(c, &kms2, &caller2, &id, false)?;
            check_rotatable(&k)?;
            rotate(c, &root, &mut k, now, RotationType::OnDemand)?;
            Ok(k)
        })
        .await?;
    Ok(RotateKeyOnDemandOutput { key_id: k.key_id })
}

/// ListKeyRotations; markers are the index to resume at.
pub async fn list(
    kms: &Kms,
    caller: &Caller,
    p: ListKeyRotationsInput,
) -> KmsResult<ListKeyRotationsOutput> {
    let k = key(kms, caller, &p.key_id).await?;
    let n = super::limit(p.limit, 100, 1000)?;
    let arn = k.arn();
    let page = super::index_page(&k.meta.rotations, p.marker.as_deref(), n, |r| {
        RotationsListEntry {
            key_id: arn.clone(),
            rotation_date: epoch(r.at_ms),
            rotation_type: r.kind,
        }
    })?;
    Ok(page.into())
}
