//! KMS operation handlers, one file per family, and what they share: resolving key ids and
//! aliases, the key-state checks AWS makes, loading sealed material, and KeyMetadata.

pub mod aliases;
pub mod asymmetric;
pub mod grants;
pub mod import;
pub mod keypairs;
pub mod keys;
pub mod lifecycle;
pub mod policy;
pub mod rotation;
pub mod symmetric;

use crate::crypto::{KeyMaterial, KeyUsage};
use crate::error::{KmsError, KmsResult};
use crate::model::keys::{KeyRecord, KeyState, Origin, RotationType};
use crate::model::{aliases as alias_model, keys as key_model};
use crate::op::{Op, OpKind, Output, Params};
use crate::schedule::Due;
use crate::Kms;
use serde_json::{json, Value};
use trailstack_core::Caller;
use trailstack_store::rusqlite::Connection;

/// Routes an operation to its handler.
pub async fn dispatch(kms: &Kms, caller: &Caller, op: Op) -> KmsResult<Output> {
    use OpKind::*;
    let p = op.params;
    if op.kind.takes_grant_tokens() {
        grants::check_tokens(kms, p.grant_tokens.as_deref())?;
    }
    match op.kind {
        CreateKey => keys::create(kms, caller, p).await,
        DescribeKey => keys::describe(kms, caller, p).await,
        ListKeys => keys::list(kms, caller, p).await,
        UpdateKeyDescription => keys::update_description(kms, caller, p).await,
        EnableKey | DisableKey | ScheduleKeyDeletion | CancelKeyDeletion => {
            lifecycle::change_state(kms, caller, op.kind, p).await
        }
        Encrypt => symmetric::encrypt(kms, caller, p).await,
        Decrypt => symmetric::decrypt(kms, caller, p).await,
        ReEncrypt => symmetric::re_encrypt(kms, caller, p).await,
        GenerateDataKey => symmetric::generate_data_key(kms, caller, p, true).await,
        GenerateDataKeyWithoutPlaintext => {
            symmetric::generate_data_key(kms, caller, p, false).await
        }
        GenerateRandom => symmetric::generate_random(p),
        CreateAlias => aliases::create(kms, caller, p).await,
        UpdateAlias => aliases::update(kms, caller, p).await,
        DeleteAlias => aliases::delete(kms, caller, p).await,
        ListAliases => aliases::list(kms, caller, p).await,
        TagResource => policy::tag(kms, caller, p).await,
        UntagResource => policy::untag(kms, caller, p).await,
        ListResourceTags => policy::list_tags(kms, caller, p).await,
        GetKeyPolicy => policy::get_policy(kms, caller, p).await,
        PutKeyPolicy => policy::put_policy(kms, caller, p).await,
        ListKeyPolicies => policy::list_policies(kms, caller, p).await,
        Sign => asymmetric::sign(kms, caller, p).await,
        Verify => asymmetric::verify(kms, caller, p).await,
        GetPublicKey => asymmetric::get_public_key(kms, caller, p).await,
        GenerateMac => asymmetric::generate_mac(kms, caller, p).await,
        VerifyMac => asymmetric::verify_mac(kms, caller, p).await,
        EnableKeyRotation | DisableKeyRotation | GetKeyRotationStatus | RotateKeyOnDemand
        | ListKeyRotations => rotation::handle(kms, caller, op.kind, p).await,
        CreateGrant => grants::create(kms, caller, p).await,
        ListGrants => grants::list(kms, caller, p).await,
        ListRetirableGrants => grants::list_retirable(kms, caller, p).await,
        RetireGrant => grants::retire(kms, caller, p).await,
        RevokeGrant => grants::revoke(kms, caller, p).await,
        GetParametersForImport => import::get_parameters(kms, caller, p).await,
        ImportKeyMaterial => import::import_material(kms, caller, p).await,
        DeleteImportedKeyMaterial => import::delete_material(kms, caller, p).await,
        GenerateDataKeyPair => keypairs::generate_data_key_pair(kms, caller, p, true).await,
        GenerateDataKeyPairWithoutPlaintext => {
            keypairs::generate_data_key_pair(kms, caller, p, false).await
        }
        DeriveSharedSecret => keypairs::derive_shared_secret(kms, caller, p).await,
    }
}

/// Deletes keys whose deletion date has passed, rotates keys whose rotation is due and removes
/// imported material whose ValidTo has passed, by the clock, before any operation sees them.
pub async fn housekeeping(kms: &Kms) -> KmsResult<()> {
    let now = kms.now_ms();
    let Due::Check(token) = kms.schedule.at(now) else {
        return Ok(());
    };
    let (deletions, rotations, expiries, next_due) = kms
        .read(move |c| {
            Ok((
                key_model::due_for_deletion(c, now)?,
                key_model::due_for_rotation(c, now)?,
                key_model::due_for_expiry(c, now)?,
                key_model::next_due(c)?,
            ))
        })
        .await?;
    if deletions.is_empty() && rotations.is_empty() && expiries.is_empty() {
        kms.schedule.learned(token, next_due);
        return Ok(());
    }
    let root = kms.root.clone();
    kms.write(move |c| {
        import::expire_due(c, now)?;
        for id in &deletions {
            key_model::delete(c, id)?;
        }
        for id in &rotations {
            if let Some(mut k) = key_model::get(c, id)? {
                rotation::rotate(c, &root, &mut k, now, RotationType::Automatic)?;
            }
        }
        Ok(())
    })
    .await
}

/// A required string parameter.
pub fn required<'a>(v: &'a Option<String>, name: &str) -> KmsResult<&'a str> {
    v.as_deref().ok_or_else(|| {
        KmsError::Validation(format!("1 validation error detected: Value null at '{name}' failed to satisfy constraint: Member must not be null"))
    })
}

fn not_found_key(region: &str, account: &str, id: &str) -> KmsError {
    KmsError::NotFound(format!(
        "Key 'arn:aws:kms:{region}:{account}:key/{id}' does not exist"
    ))
}

/// Whether `s` looks like a key id (UUID or multi-Region `mrk-` id).
fn is_key_id(s: &str) -> bool {
    let uuid = s.len() == 36
        && s.chars().enumerate().all(|(i, c)| {
            if [8, 13, 18, 23].contains(&i) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        });
    let mrk = s
        .strip_prefix("mrk-")
        .is_some_and(|h| h.len() == 32 && h.chars().all(|c| c.is_ascii_hexdigit()));
    uuid || mrk
}

/// Resolves a KeyId parameter (key id, key ARN, and — when `aliases` — alias name or alias ARN)
/// to the key, as seen from the caller's account and region.
pub fn resolve(
    c: &Connection,
    kms: &Kms,
    caller: &Caller,
    key_id: &str,
    aliases: bool,
) -> KmsResult<KeyRecord> {
    let region = kms.region_of(caller);
    let account = caller.account.as_str();
    if let Some(rest) = key_id.strip_prefix("arn:") {
        let parts: Vec<&str> = rest.splitn(5, ':').collect();
        let [partition, "kms", r, a, resource] = parts.as_slice() else {
            return Err(KmsError::NotFound(format!("Invalid arn {key_id}")));
        };
        let _ = partition;
        if let Some(name) = resource.strip_prefix("alias/") {
            if !aliases {
                return Err(KmsError::NotFound(format!("Invalid keyId {key_id}")));
            }
            let alias = alias_model::get(c, a, r, &format!("alias/{name}"))?
                .ok_or_else(|| KmsError::NotFound(format!("Alias {key_id} is not found.")))?;
            return key_model::get(c, &alias.key_id)?
                .ok_or_else(|| not_found_key(r, a, &alias.key_id));
        }
        let id = resource
            .strip_prefix("key/")
            .ok_or_else(|| KmsError::NotFound(format!("Invalid arn {key_id}")))?;
        return match key_model::get(c, id)? {
            Some(k) if k.account == *a && k.region == *r => Ok(k),
            _ => Err(not_found_key(r, a, id)),
        };
    }
    if key_id.starts_with("alias/") {
        if !aliases {
            return Err(KmsError::NotFound(format!("Invalid keyId {key_id}")));
        }
        let alias = alias_model::get(c, account, &region, key_id)?.ok_or_else(|| {
            KmsError::NotFound(format!(
                "Alias arn:aws:kms:{region}:{account}:{key_id} is not found."
            ))
        })?;
        return key_model::get(c, &alias.key_id)?
            .ok_or_else(|| not_found_key(&region, account, &alias.key_id));
    }
    if !is_key_id(key_id) {
        return Err(KmsError::NotFound(format!("Invalid keyId {key_id}")));
    }
    match key_model::get(c, key_id)? {
        Some(k) if k.account == account && k.region == region => Ok(k),
        _ => Err(not_found_key(&region, account, key_id)),
    }
}

/// The state check of cryptographic operations.
pub fn check_usable(k: &KeyRecord) -> KmsResult<()> {
    match k.meta.key_state {
        KeyState::Enabled => Ok(()),
        KeyState::Disabled => Err(KmsError::Disabled(format!("{} is disabled.", k.arn()))),
        KeyState::PendingDeletion => Err(KmsError::InvalidState(format!(
            "{} is pending deletion.",
            k.arn()
        ))),
        KeyState::PendingImport => Err(KmsError::InvalidState(format!(
            "{} is pending import.",
            k.arn()
        ))),
    }
}

/// The state check of management operations that pending deletion forbids.
pub fn check_not_pending_deletion(k: &KeyRecord) -> KmsResult<()> {
    if k.meta.key_state == KeyState::PendingDeletion {
        return Err(KmsError::InvalidState(format!(
            "{} is pending deletion.",
            k.arn()
        )));
    }
    Ok(())
}

/// The purpose string a material version is sealed for.
pub fn material_purpose(key_id: &str, version: u32) -> String {
    format!("kms-material:{key_id}:{version}")
}

/// Loads and unseals a material version.
pub fn load_material(
    c: &Connection,
    kms: &Kms,
    k: &KeyRecord,
    version: u32,
) -> KmsResult<KeyMaterial> {
    let sealed = key_model::material(c, &k.key_id, version)?
        .ok_or_else(|| KmsError::Internal(format!("material {version} of {} missing", k.key_id)))?;
    let plain = kms
        .root
        .open(&material_purpose(&k.key_id, version), &sealed)?;
    Ok(KeyMaterial::from_bytes(plain.to_vec()))
}

/// Seals and stores a material version.
pub fn store_material(
    c: &Connection,
    root: &trailstack_store::RootKey,
    key_id: &str,
    version: u32,
    now_ms: i64,
    material: &KeyMaterial,
) -> KmsResult<()> {
    let sealed = root.seal(&material_purpose(key_id, version), material.as_bytes())?;
    key_model::put_material(c, key_id, version, now_ms, &sealed)
}

/// Epoch seconds as KMS timestamps are sent (JSON numbers).
pub fn epoch(ms: i64) -> Value {
    json!(ms as f64 / 1000.0)
}

/// KeyMetadata as DescribeKey (and CreateKey) return it.
pub fn key_metadata(k: &KeyRecord) -> Value {
    let m = &k.meta;
    let spec = m.key_spec;
    let mut v = json!({
        "AWSAccountId": k.account,
        "KeyId": k.key_id,
        "Arn": k.arn(),
        "CreationDate": epoch(k.created_ms),
        "Enabled": m.key_state == KeyState::Enabled,
        "Description": m.description,
        "KeyUsage": m.key_usage,
        "KeyState": m.key_state,
        "Origin": m.origin,
        "KeyManager": m.key_manager,
        "CustomerMasterKeySpec": m.key_spec,
        "KeySpec": m.key_spec,
        "MultiRegion": m.multi_region,
    });
    let Value::Object(obj) = &mut v else { return v };
    if let Some(d) = m.deletion_ms {
        obj.insert("DeletionDate".into(), epoch(d));
        if let Some(w) = m.pending_window_days {
            obj.insert("PendingDeletionWindowInDays".into(), json!(w));
        }
    }
    {
        match m.key_usage {
            KeyUsage::EncryptDecrypt => {
                let algs: Vec<&str> = spec
                    .encryption_algorithms()
                    .iter()
                    .map(|a| a.name())
                    .collect();
                obj.insert("EncryptionAlgorithms".into(), json!(algs));
            }
            KeyUsage::SignVerify => {
                let algs: Vec<&str> = spec.signing_algorithms().iter().map(|a| a.name()).collect();
                obj.insert("SigningAlgorithms".into(), json!(algs));
            }
            KeyUsage::GenerateVerifyMac => {
                let algs: Vec<&str> = spec.mac_algorithms().iter().map(|a| a.name()).collect();
                obj.insert("MacAlgorithms".into(), json!(algs));
            }
            KeyUsage::KeyAgreement => {
                obj.insert("KeyAgreementAlgorithms".into(), json!(["ECDH"]));
            }
        }
    }
    if m.origin == Origin::External {
        if let Some(model) = &m.expiration_model {
            obj.insert("ExpirationModel".into(), json!(model));
        }
        if let Some(t) = m.valid_to_ms {
            obj.insert("ValidTo".into(), epoch(t));
        }
    }
    if m.multi_region {
        obj.insert(
            "MultiRegionConfiguration".into(),
            json!({"MultiRegionKeyType": "PRIMARY", "PrimaryKey": {"Arn": k.arn(), "Region": k.region}, "ReplicaKeys": []}),
        );
    }
    v
}

/// Wraps a JSON object value as an Output.
pub fn out(v: Value) -> Output {
    match v {
        Value::Object(m) => m,
        _ => Output::new(),
    }
}

/// One page of a list held in a key record, for operations whose `Marker` is the index to
/// resume at: the page's JSON entries, then `Truncated` and `NextMarker` added to `v`.
pub fn index_page<T>(
    items: &[T],
    p: &Params,
    n: usize,
    list_name: &str,
    entry: impl Fn(&T) -> Value,
) -> KmsResult<Value> {
    let start: usize = match &p.marker {
        Some(m) => m
            .parse()
            .map_err(|_| KmsError::InvalidMarker("Invalid marker".into()))?,
        None => 0,
    };
    let page: Vec<Value> = items.iter().skip(start).take(n).map(entry).collect();
    let truncated = start + page.len() < items.len();
    let mut v = json!({ list_name: page, "Truncated": truncated });
    if truncated {
        v["NextMarker"] = json!((start + n).to_string());
    }
    Ok(v)
}

/// Validates Limit (1..=max, default `default`).
pub fn limit(p: &Params, default: usize, max: usize) -> KmsResult<usize> {
    match p.limit {
        None => Ok(default),
        Some(n) if n >= 1 && n as usize <= max => Ok(n as usize),
        Some(n) => Err(KmsError::Validation(format!(
            "1 validation error detected: Value '{n}' at 'limit' failed to satisfy constraint: Member must have value between 1 and {max}"
        ))),
    }
}
