//! CreateKey, DescribeKey, ListKeys, UpdateKeyDescription.

use super::{key_metadata, limit, policy, required, resolve, store_material, tags};
use crate::crypto::{self, KeySpec, KeyUsage};
use crate::error::{KmsError, KmsResult};
use crate::model::keys::{self as key_model, KeyManager, KeyMeta, KeyRecord, KeyState, Origin};
use crate::shapes::Named;
use crate::shapes::{
    CreateKeyInput, CreateKeyOutput, DescribeKeyInput, DescribeKeyOutput, Empty, KeyListEntry,
    ListKeysInput, ListKeysOutput, UpdateKeyDescriptionInput,
};
use crate::Kms;
use trailstack_core::Caller;

/// Longest description.
const MAX_DESCRIPTION: usize = 8192;

fn check_description(d: &str) -> KmsResult<()> {
    if d.chars().count() > MAX_DESCRIPTION {
        return Err(KmsError::Validation(format!(
            "1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to {MAX_DESCRIPTION}"
        )));
    }
    Ok(())
}

/// CreateKey.
pub async fn create(kms: &Kms, caller: &Caller, p: CreateKeyInput) -> KmsResult<CreateKeyOutput> {
    let spec_name = match (&p.key_spec, &p.customer_master_key_spec) {
        (Some(a), Some(b)) if a != b => {
            return Err(KmsError::Validation(
                "You cannot specify KeySpec and CustomerMasterKeySpec in the same request.".into(),
            ))
        }
        (Some(s), _) | (None, Some(s)) => s.clone(),
        (None, None) => Named::Known(KeySpec::SymmetricDefault),
    };
    let spec = spec_name.known().map_err(|spec_name| {
        KmsError::Validation(format!(
            "1 validation error detected: Value '{spec_name}' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set"
        ))
    })?;
    let usage = match &p.key_usage {
        Some(u) => u.known().map_err(|u| {
            KmsError::Validation(format!(
                "1 validation error detected: Value '{u}' at 'keyUsage' failed to satisfy constraint: Member must satisfy enum value set: [ENCRYPT_DECRYPT, SIGN_VERIFY, GENERATE_VERIFY_MAC, KEY_AGREEMENT]"
            ))
        })?,
        None if spec == KeySpec::SymmetricDefault => KeyUsage::EncryptDecrypt,
        None if spec.is_hmac() => {
            return Err(KmsError::Validation("You must specify a KeyUsage value for an HMAC KMS key.".into()))
        }
        None => KeyUsage::EncryptDecrypt,
    };
    if !spec.allowed_usages().contains(&usage) {
        return Err(KmsError::Validation(format!(
            "KeyUsage {} is not compatible with KeySpec {}",
            usage.name(),
            spec.name()
        )));
    }
    let origin = p.origin.as_ref().map_or(Ok(Origin::AwsKms), |o| o.known());
    let origin = origin.map_err(|origin_name| {
        KmsError::Validation(format!(
            "1 validation error detected: Value '{origin_name}' at 'origin' failed to satisfy constraint: Member must satisfy enum value set"
        ))
    })?;
    match origin {
        Origin::AwsKms => {}
        Origin::External => {
            if spec != KeySpec::SymmetricDefault {
                return Err(KmsError::UnsupportedOperation(
                    "Imported key material is supported for symmetric encryption keys only in trailstack".into(),
                ));
            }
        }
        Origin::AwsCloudHsm | Origin::ExternalKeyStore => {
            return Err(KmsError::UnsupportedOperation(format!(
                "{origin} keys need a custom key store, which trailstack does not serve"
            )))
        }
    }
    let description = p.description.clone().unwrap_or_default();
    check_description(&description)?;
    let tags = tags::request_tags(&p.tags)?;
    let account = caller.account.to_string();
    let region = kms.region_of(caller);
    let multi_region = p.multi_region.unwrap_or(false);
    let key_id = if multi_region {
        format!("mrk-{}", uuid::Uuid::new_v4().simple())
    } else {
        uuid::Uuid::new_v4().to_string()
    };
    let key_policy = match &p.policy {
        Some(doc) => {
            policy::validate(doc)?;
            let arn = format!("arn:aws:kms:{region}:{account}:key/{key_id}");
            let bypass = p.bypass_policy_lockout_safety_check.unwrap_or(false);
            crate::authz::check_lockout(kms, caller, doc, &arn, &account, bypass)?;
            doc.clone()
        }
        None => policy::default_policy(&account),
    };
    let external = origin == Origin::External;
    let material = if external {
        None
    } else {
        Some(crypto::generate(spec).map_err(|e| KmsError::Internal(e.to_string()))?)
    };
    let now = kms.now_ms();
    let record = KeyRecord {
        key_id: key_id.clone(),
        account,
        region,
        created_ms: now,
        meta: KeyMeta {
            v: 1,
            description,
            key_spec: spec,
            key_usage: usage,
            origin,
            key_state: if external {
                KeyState::PendingImport
            } else {
                KeyState::Enabled
            },
            key_manager: KeyManager::Customer,
            multi_region,
            policy: key_policy,
            tags,
            current_version: if external { 0 } else { 1 },
            ..Default::default()
        },
    };
    let root = kms.root.clone();
    let rec = record.clone();
    kms.write(move |c| {
        key_model::insert(c, &rec)?;
        if let Some(m) = &material {
            store_material(c, &root, &rec.key_id, 1, now, m)?;
        }
        Ok(())
    })
    .await?;
    Ok(CreateKeyOutput {
        key_metadata: key_metadata(&record),
    })
}

/// DescribeKey: accepts key id, key ARN, alias name or alias ARN. Like AWS, describing the
/// predefined alias of an AWS managed key that does not exist yet creates it (S3's
/// `alias/aws/s3` is the only one trailstack's services use).
pub async fn describe(
    kms: &Kms,
    caller: &Caller,
    p: DescribeKeyInput,
) -> KmsResult<DescribeKeyOutput> {
    let id = required(&p.key_id, "keyId")?.to_string();
    let own_alias_arn = format!(
        "arn:aws:kms:{}:{}:alias/aws/s3",
        kms.region_of(caller),
        caller.account
    );
    if id == "alias/aws/s3" || id == own_alias_arn {
        kms.ensure_managed_key(caller, "s3").await?;
    }
    let (kms2, caller2) = (kms.clone(), caller.clone());
    let k = kms
        .read(move |c| resolve(c, &kms2, &caller2, &id, true))
        .await?;
    Ok(DescribeKeyOutput {
        key_metadata: key_metadata(&k),
    })
}

/// Paging markers are the last key id returned.
pub async fn list(kms: &Kms, caller: &Caller, p: ListKeysInput) -> KmsResult<ListKeysOutput> {
    let n = limit(p.limit, 100, 1000)?;
    let after = p.marker.clone().unwrap_or_default();
    let (account, region) = (caller.account.to_string(), kms.region_of(caller));
    let keys = kms
        .scan(move |c| key_model::list(c, &account, &region, &after, n + 1))
        .await?;
    Ok(super::page_past(keys, n, |k| k.key_id.clone(), list_entry).into())
}

/// A key as ListKeys shows it.
fn list_entry(k: &KeyRecord) -> KeyListEntry {
    KeyListEntry {
        key_id: k.key_id.clone(),
        key_arn: k.arn(),
    }
}

/// UpdateKeyDescription.
pub async fn update_description(
    kms: &Kms,
    caller: &Caller,
    p: UpdateKeyDescriptionInput,
) -> KmsResult<Empty> {
    let id = required(&p.key_id, "keyId")?.to_string();
    let description = required(&p.description, "description")?.to_string();
    check_description(&description)?;
    super::edit_key(kms, caller, id, move |k| {
        super::check_not_pending_deletion(k)?;
        k.meta.description = description;
        Ok(())
    })
    .await?;
    Ok(Empty {})
}
