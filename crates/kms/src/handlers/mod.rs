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
pub mod tags;

use crate::crypto::{KeyMaterial, KeyUsage};
use crate::error::{KmsError, KmsResult};
use crate::model::keys::{KeyManager, KeyRecord, KeyState, Origin, RotationType};
use crate::model::{aliases as alias_model, keys as key_model};
use crate::op::{Op, Output};
use crate::schedule::Due;
use crate::shapes::{epoch, KeyMetadata, MultiRegionConfiguration, MultiRegionKey, Page};
use crate::Kms;
use trailstack_core::Caller;
use trailstack_store::Conn;

/// Routes an operation to its handler.
pub async fn dispatch(kms: &Kms, caller: &Caller, op: Op) -> KmsResult<Output> {
    if let Some(tokens) = op.grant_tokens() {
        grants::check_tokens(kms, Some(tokens))?;
    }
    Ok(match op {
        Op::CreateKey(i) => Output::CreateKey(keys::create(kms, caller, i).await?),
        Op::DescribeKey(i) => Output::DescribeKey(keys::describe(kms, caller, i).await?),
        Op::ListKeys(i) => Output::ListKeys(keys::list(kms, caller, i).await?),
        Op::UpdateKeyDescription(i) => {
            Output::UpdateKeyDescription(keys::update_description(kms, caller, i).await?)
        }
        Op::EnableKey(i) => Output::EnableKey(lifecycle::enable(kms, caller, i).await?),
        Op::DisableKey(i) => Output::DisableKey(lifecycle::disable(kms, caller, i).await?),
        Op::ScheduleKeyDeletion(i) => {
            Output::ScheduleKeyDeletion(lifecycle::schedule_deletion(kms, caller, i).await?)
        }
        Op::CancelKeyDeletion(i) => {
            Output::CancelKeyDeletion(lifecycle::cancel_deletion(kms, caller, i).await?)
        }
        Op::Encrypt(i) => Output::Encrypt(symmetric::encrypt(kms, caller, i).await?),
        Op::Decrypt(i) => Output::Decrypt(symmetric::decrypt(kms, caller, i).await?),
        Op::ReEncrypt(i) => Output::ReEncrypt(symmetric::re_encrypt(kms, caller, i).await?),
        Op::GenerateDataKey(i) => {
            Output::GenerateDataKey(symmetric::generate_data_key(kms, caller, i).await?)
        }
        Op::GenerateDataKeyWithoutPlaintext(i) => Output::GenerateDataKeyWithoutPlaintext(
            symmetric::generate_data_key_without_plaintext(kms, caller, i).await?,
        ),
        Op::GenerateRandom(i) => Output::GenerateRandom(symmetric::generate_random(i)?),
        Op::CreateAlias(i) => Output::CreateAlias(aliases::create(kms, caller, i).await?),
        Op::UpdateAlias(i) => Output::UpdateAlias(aliases::update(kms, caller, i).await?),
        Op::DeleteAlias(i) => Output::DeleteAlias(aliases::delete(kms, caller, i).await?),
        Op::ListAliases(i) => Output::ListAliases(aliases::list(kms, caller, i).await?),
        Op::TagResource(i) => Output::TagResource(tags::tag(kms, caller, i).await?),
        Op::UntagResource(i) => Output::UntagResource(tags::untag(kms, caller, i).await?),
        Op::ListResourceTags(i) => Output::ListResourceTags(tags::list(kms, caller, i).await?),
        Op::GetKeyPolicy(i) => Output::GetKeyPolicy(policy::get_policy(kms, caller, i).await?),
        Op::PutKeyPolicy(i) => Output::PutKeyPolicy(policy::put_policy(kms, caller, i).await?),
        Op::ListKeyPolicies(i) => {
            Output::ListKeyPolicies(policy::list_policies(kms, caller, i).await?)
        }
        Op::Sign(i) => Output::Sign(asymmetric::sign(kms, caller, i).await?),
        Op::Verify(i) => Output::Verify(asymmetric::verify(kms, caller, i).await?),
        Op::GetPublicKey(i) => {
            Output::GetPublicKey(asymmetric::get_public_key(kms, caller, i).await?)
        }
        Op::GenerateMac(i) => Output::GenerateMac(asymmetric::generate_mac(kms, caller, i).await?),
        Op::VerifyMac(i) => Output::VerifyMac(asymmetric::verify_mac(kms, caller, i).await?),
        Op::EnableKeyRotation(i) => {
            Output::EnableKeyRotation(rotation::enable(kms, caller, i).await?)
        }
        Op::DisableKeyRotation(i) => {
            Output::DisableKeyRotation(rotation::disable(kms, caller, i).await?)
        }
        Op::GetKeyRotationStatus(i) => {
            Output::GetKeyRotationStatus(rotation::status(kms, caller, i).await?)
        }
        Op::RotateKeyOnDemand(i) => {
            Output::RotateKeyOnDemand(rotation::rotate_on_demand(kms, caller, i).await?)
        }
        Op::ListKeyRotations(i) => Output::ListKeyRotations(rotation::list(kms, caller, i).await?),
        Op::CreateGrant(i) => Output::CreateGrant(grants::create(kms, caller, i).await?),
        Op::ListGrants(i) => Output::ListGrants(grants::list(kms, caller, i).await?),
        Op::ListRetirableGrants(i) => {
            Output::ListRetirableGrants(grants::list_retirable(kms, caller, i).await?)
        }
        Op::RetireGrant(i) => Output::RetireGrant(grants::retire(kms, caller, i).await?),
        Op::RevokeGrant(i) => Output::RevokeGrant(grants::revoke(kms, caller, i).await?),
        Op::GetParametersForImport(i) => {
            Output::GetParametersForImport(import::get_parameters(kms, caller, i).await?)
        }
        Op::ImportKeyMaterial(i) => {
            Output::ImportKeyMaterial(import::import_material(kms, caller, i).await?)
        }
        Op::DeleteImportedKeyMaterial(i) => {
            Output::DeleteImportedKeyMaterial(import::delete_material(kms, caller, i).await?)
        }
        Op::GenerateDataKeyPair(i) => {
            Output::GenerateDataKeyPair(keypairs::generate_data_key_pair(kms, caller, i).await?)
        }
        Op::GenerateDataKeyPairWithoutPlaintext(i) => Output::GenerateDataKeyPairWithoutPlaintext(
            keypairs::generate_data_key_pair_without_plaintext(kms, caller, i).await?,
        ),
        Op::DeriveSharedSecret(i) => {
            Output::DeriveSharedSecret(keypairs::derive_shared_secret(kms, caller, i).await?)
        }
    })
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
        // Read again in the writer's transaction: another server sharing the database may have
        // done this work since the read above (writers take turns, ARCHITECTURE.md §3).
        import::expire_due(c, now)?;
        for id in key_model::due_for_deletion(c, now)? {
            key_model::delete(c, &id)?;
        }
        for id in key_model::due_for_rotation(c, now)? {
            if let Some(mut k) = key_model::get(c, &id)? {
                rotation::rotate(c, &root, &mut k, now, RotationType::Automatic)?;
            }
        }
        Ok(())
    })
    .await
}

/// A required member.
pub fn required<'a, T>(v: &'a Option<T>, name: &str) -> KmsResult<&'a T> {
    v.as_ref().ok_or_else(|| {
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
    c: &Conn,
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

/// The key `id` names (a key id or key ARN, not an alias), read for the caller.
pub async fn read_key(kms: &Kms, caller: &Caller, id: String) -> KmsResult<KeyRecord> {
    let (kms2, caller2) = (kms.clone(), caller.clone());
    kms.read(move |c| resolve(c, &kms2, &caller2, &id, false))
        .await
}

/// Changes the key `id` names (a key id or key ARN, not an alias) in one write: `edit` checks
/// the record and changes it, and the record is stored unless `edit` fails. Answers the
/// changed record.
pub async fn edit_key(
    kms: &Kms,
    caller: &Caller,
    id: String,
    edit: impl FnOnce(&mut KeyRecord) -> KmsResult<()> + Send + 'static,
) -> KmsResult<KeyRecord> {
    let (kms2, caller2) = (kms.clone(), caller.clone());
    kms.write(move |c| {
        let mut k = resolve(c, &kms2, &caller2, &id, false)?;
        edit(&mut k)?;
        key_model::update(c, &k)?;
        Ok(k)
    })
    .await
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

/// Refuses to change an AWS managed key (its state, policy and rotation are AWS's): AWS's
/// UnsupportedOperationException, `why` given the key ARN.
pub fn check_customer_managed(k: &KeyRecord, why: impl FnOnce(String) -> String) -> KmsResult<()> {
    if k.meta.key_manager == KeyManager::Aws {
        return Err(KmsError::UnsupportedOperation(why(k.arn())));
    }
    Ok(())
}

/// The purpose string a material version is sealed for.
pub fn material_purpose(key_id: &str, version: u32) -> String {
    format!("kms-material:{key_id}:{version}")
}

/// Loads and unseals a material version.
pub fn load_material(c: &Conn, kms: &Kms, k: &KeyRecord, version: u32) -> KmsResult<KeyMaterial> {
    let sealed = key_model::material(c, &k.key_id, version)?
        .ok_or_else(|| KmsError::Internal(format!("material {version} of {} missing", k.key_id)))?;
    let plain = kms
        .root
        .open(&material_purpose(&k.key_id, version), &sealed)?;
    Ok(KeyMaterial::from_bytes(plain.to_vec()))
}

/// Seals and stores a material version.
pub fn store_material(
    c: &Conn,
    root: &trailstack_store::RootKey,
    key_id: &str,
    version: u32,
    now_ms: i64,
    material: &KeyMaterial,
) -> KmsResult<()> {
    let sealed = root.seal(&material_purpose(key_id, version), material.as_bytes())?;
    key_model::put_material(c, key_id, version, now_ms, &sealed)
}

/// KeyMetadata as DescribeKey (and CreateKey) return it.
pub fn key_metadata(k: &KeyRecord) -> KeyMetadata {
    let m = &k.meta;
    let spec = m.key_spec;
    let usage = m.key_usage;
    let external = m.origin == Origin::External;
    KeyMetadata {
        aws_account_id: k.account.clone(),
        key_id: k.key_id.clone(),
        arn: k.arn(),
        creation_date: epoch(k.created_ms),
        enabled: m.key_state == KeyState::Enabled,
        description: m.description.clone(),
        key_usage: usage,
        key_state: m.key_state,
        origin: m.origin,
        key_manager: m.key_manager,
        customer_master_key_spec: spec,
        key_spec: spec,
        multi_region: m.multi_region,
        deletion_date: m.deletion_ms.map(epoch),
        pending_deletion_window_in_days: m.deletion_ms.and(m.pending_window_days),
        encryption_algorithms: (usage == KeyUsage::EncryptDecrypt)
            .then(|| spec.encryption_algorithms().to_vec()),
        signing_algorithms: (usage == KeyUsage::SignVerify)
            .then(|| spec.signing_algorithms().to_vec()),
        mac_algorithms: (usage == KeyUsage::GenerateVerifyMac)
            .then(|| spec.mac_algorithms().to_vec()),
        key_agreement_algorithms: (usage == KeyUsage::KeyAgreement).then(|| vec!["ECDH"]),
        expiration_model: m.expiration_model.filter(|_| external),
        valid_to: m.valid_to_ms.filter(|_| external).map(epoch),
        multi_region_configuration: m.multi_region.then(|| MultiRegionConfiguration {
            multi_region_key_type: "PRIMARY",
            primary_key: MultiRegionKey {
                arn: k.arn(),
                region: k.region.clone(),
            },
            replica_keys: Vec::new(),
        }),
    }
}

/// One page of a list held in a key record, for operations whose `Marker` is the index to
/// resume at.
pub fn index_page<T, E>(
    items: &[T],
    marker: Option<&str>,
    n: usize,
    entry: impl Fn(&T) -> E,
) -> KmsResult<Page<E>> {
    let start: usize = match marker {
        Some(m) => m
            .parse()
            .map_err(|_| KmsError::InvalidMarker("Invalid marker".into()))?,
        None => 0,
    };
    let entries: Vec<E> = items.iter().skip(start).take(n).map(entry).collect();
    let truncated = start + entries.len() < items.len();
    Ok(Page {
        entries,
        truncated,
        next_marker: truncated.then(|| (start + n).to_string()),
    })
}

/// One page of a listing read one row past its `n` entries, so that the extra row tells
/// whether more follow; `marker` names the last entry kept, where the next page resumes.
pub fn page_past<T, E>(
    mut rows: Vec<T>,
    n: usize,
    marker: impl Fn(&T) -> String,
    entry: impl Fn(&T) -> E,
) -> Page<E> {
    let truncated = rows.len() > n;
    rows.truncate(n);
    Page {
        next_marker: rows.last().filter(|_| truncated).map(marker),
        entries: rows.iter().map(entry).collect(),
        truncated,
    }
}

/// Validates Limit (1..=max, default `default`).
pub fn limit(limit: Option<i64>, default: usize, max: usize) -> KmsResult<usize> {
    match limit {
        None => Ok(default),
        Some(n) if n >= 1 && n as usize <= max => Ok(n as usize),
        Some(n) => Err(KmsError::Validation(format!(
            "1 validation error detected: Value '{n}' at 'limit' failed to satisfy constraint: Member must have value between 1 and {max}"
        ))),
    }
}
