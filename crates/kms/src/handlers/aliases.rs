//! CreateAlias, UpdateAlias, DeleteAlias, ListAliases. `alias/aws/` names belong to AWS managed
//! keys and cannot be created, moved or deleted by customers.

use super::{limit, required, resolve};
use crate::error::{KmsError, KmsResult};
use crate::model::aliases::{self as alias_model, Alias};
use crate::model::keys::KeyManager;
use crate::shapes::{
    epoch, AliasListEntry, CreateAliasInput, DeleteAliasInput, Empty, ListAliasesInput,
    ListAliasesOutput, UpdateAliasInput,
};
use crate::Kms;
use trailstack_core::Caller;

/// Most aliases one key may have.
const MAX_ALIASES_PER_KEY: u64 = 50;

/// The alias name a request names, which must be valid and not AWS's.
fn alias_name(name: &Option<String>) -> KmsResult<String> {
    let name = required(name, "aliasName")?.to_string();
    check_name(&name)?;
    Ok(name)
}

fn check_name(name: &str) -> KmsResult<()> {
    let ok_chars = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/_-:".contains(c));
    if !name.starts_with("alias/") || name.len() > 256 || name.len() <= 6 || !ok_chars {
        return Err(KmsError::Validation(format!(
            "1 validation error detected: Value '{name}' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$"
        )));
    }
    if name.starts_with("alias/aws/") {
        return Err(KmsError::NotAuthorized(format!(
            "{name} is reserved for AWS managed keys and cannot be created, updated or deleted."
        )));
    }
    Ok(())
}

/// CreateAlias.
pub async fn create(kms: &Kms, caller: &Caller, p: CreateAliasInput) -> KmsResult<Empty> {
    let name = alias_name(&p.alias_name)?;
    let target = required(&p.target_key_id, "targetKeyId")?.to_string();
    let (kms2, caller2) = (kms.clone(), caller.clone());
    let now = kms.now_ms();
    kms.write(move |c| {
        let k = resolve(c, &kms2, &caller2, &target, false)?;
        super::check_not_pending_deletion(&k)?;
        if k.meta.key_manager == KeyManager::Aws {
            return Err(KmsError::NotAuthorized(
                "An alias cannot point to an AWS managed key.".into(),
            ));
        }
        let (account, region) = (caller2.account.to_string(), kms2.region_of(&caller2));
        if alias_model::get(c, &account, &region, &name)?.is_some() {
            return Err(KmsError::AlreadyExists(format!(
                "An alias with the name arn:aws:kms:{region}:{account}:{name} already exists"
            )));
        }
        if alias_model::count_for_key(c, &k.key_id)? >= MAX_ALIASES_PER_KEY {
            return Err(KmsError::LimitExceeded(format!(
                "A key may have at most {MAX_ALIASES_PER_KEY} aliases."
            )));
        }
        alias_model::put(
            c,
            &Alias {
                account,
                region,
                name,
                key_id: k.key_id,
                created_ms: now,
                updated_ms: now,
            },
        )
    })
    .await?;
    Ok(Empty {})
}

/// UpdateAlias: the new target must have the same key type and usage.
pub async fn update(kms: &Kms, caller: &Caller, p: UpdateAliasInput) -> KmsResult<Empty> {
    let name = alias_name(&p.alias_name)?;
    let target = required(&p.target_key_id, "targetKeyId")?.to_string();
    let (kms2, caller2) = (kms.clone(), caller.clone());
    let now = kms.now_ms();
    kms.write(move |c| {
        let (account, region) = (caller2.account.to_string(), kms2.region_of(&caller2));
        let mut alias = alias_model::get(c, &account, &region, &name)?
            .ok_or_else(|| KmsError::NotFound(format!("Alias arn:aws:kms:{region}:{account}:{name} is not found.")))?;
        let new = resolve(c, &kms2, &caller2, &target, false)?;
        super::check_not_pending_deletion(&new)?;
        if let Some(old) = crate::model::keys::get(c, &alias.key_id)? {
            let kind = |k: &crate::model::keys::KeyRecord| {
                let s = k.meta.key_spec;
                (s.is_symmetric(), s.is_hmac(), k.meta.key_usage)
            };
            if kind(&old) != kind(&new) {
                return Err(KmsError::Validation(
                    "The new target key must be the same type (symmetric, asymmetric or HMAC) and have the same key usage as the current target key.".into(),
                ));
            }
        }
        alias.key_id = new.key_id;
        alias.updated_ms = now;
        alias_model::put(c, &alias)
    })
    .await?;
    Ok(Empty {})
}

/// DeleteAlias.
pub async fn delete(kms: &Kms, caller: &Caller, p: DeleteAliasInput) -> KmsResult<Empty> {
    let name = alias_name(&p.alias_name)?;
    let (kms2, caller2) = (kms.clone(), caller.clone());
    kms.write(move |c| {
        let (account, region) = (caller2.account.to_string(), kms2.region_of(&caller2));
        if alias_model::get(c, &account, &region, &name)?.is_none() {
            return Err(KmsError::NotFound(format!(
                "Alias arn:aws:kms:{region}:{account}:{name} is not found."
            )));
        }
        alias_model::delete(c, &account, &region, &name)
    })
    .await?;
    Ok(Empty {})
}

/// ListAliases, optionally of one key; paging markers are the last alias name.
pub async fn list(kms: &Kms, caller: &Caller, p: ListAliasesInput) -> KmsResult<ListAliasesOutput> {
    let n = limit(p.limit, 50, 100)?;
    let after = p.marker.clone().unwrap_or_default();
    let (kms2, caller2) = (kms.clone(), caller.clone());
    let key = p.key_id.clone();
    let found = kms
        .scan(move |c| {
            let key_id = match &key {
                Some(k) => Some(resolve(c, &kms2, &caller2, k, false)?.key_id),
                None => None,
            };
            alias_model::list(
                c,
                caller2.account.as_str(),
                &kms2.region_of(&caller2),
                key_id.as_deref(),
                &after,
                n + 1,
            )
        })
        .await?;
    Ok(super::page_past(found, n, |a| a.name.clone(), list_entry).into())
}

/// An alias as ListAliases shows it.
fn list_entry(a: &Alias) -> AliasListEntry {
    AliasListEntry {
        alias_name: a.name.clone(),
        alias_arn: a.arn(),
        target_key_id: a.key_id.clone(),
        creation_date: epoch(a.created_ms),
        last_updated_date: epoch(a.updated_ms),
    }
}
