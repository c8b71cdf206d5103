//! Grants: CreateGrant, ListGrants, ListRetirableGrants, RetireGrant, RevokeGrant, and the
//! grant tokens every cryptographic operation accepts. Grants are validated and persisted
//! here; deciding whether a grant lets a caller act belongs to the policy engine (see
//! [`crate::model::grants::grant_allows`]).
//!
//! What the operations accept, grant tokens included, is checked in [`input`].

mod input;

pub use input::check_tokens;

use super::{check_usable, required, resolve};
use crate::crypto;
use crate::error::{KmsError, KmsResult};
use crate::model::grants::{self as grant_model, Grant, GrantMeta, GrantOperation, Position};
use crate::model::keys::KeyRecord;
use crate::shapes::{
    epoch, CreateGrantInput, CreateGrantOutput, Empty, GrantListEntry, ListGrantsInput,
    ListGrantsOutput, ListRetirableGrantsInput, RetireGrantInput, RevokeGrantInput,
};
use crate::Kms;
use input::{
    check_grant_id, check_name, check_principal, new_token, operations_for, parse_constraints,
    parse_operations, same_operations, token_grant_id,
};
use trailstack_core::Caller;

/// Most grants one key may have.
const MAX_GRANTS_PER_KEY: u64 = 50_000;

/// Whether `g` is the grant a CreateGrant with these attributes (and a name) made before.
fn is_twin(g: &Grant, meta: &GrantMeta) -> bool {
    g.meta.name == meta.name
        && g.meta.grantee_principal == meta.grantee_principal
        && g.meta.retiring_principal == meta.retiring_principal
        && g.meta.constraints == meta.constraints
        && same_operations(&g.meta.operations, &meta.operations)
}

/// The grant's operations must be ones the key supports, and encryption context constraints
/// need a symmetric key unless the grant only allows operations without a context.
fn check_fits(k: &KeyRecord, meta: &GrantMeta) -> KmsResult<()> {
    let allowed = operations_for(k);
    if let Some(op) = meta.operations.iter().find(|o| !allowed.contains(o)) {
        return Err(KmsError::Validation(format!(
            "Grant operation {op} is not supported by {} (KeySpec {}, KeyUsage {}).",
            k.arn(),
            k.meta.key_spec,
            k.meta.key_usage
        )));
    }
    let management_only = meta.operations.iter().all(|o| {
        matches!(
            o,
            GrantOperation::CreateGrant | GrantOperation::RetireGrant | GrantOperation::DescribeKey
        )
    });
    if meta.constraints.is_some()
        && k.meta.key_spec != crypto::KeySpec::SymmetricDefault
        && !management_only
    {
        return Err(KmsError::Validation(
            "Encryption context grant constraints are supported only on symmetric encryption KMS keys.".into(),
        ));
    }
    Ok(())
}

/// CreateGrant: a new grant, or — same name and attributes — the existing one.
pub async fn create(
    kms: &Kms,
    caller: &Caller,
    p: CreateGrantInput,
) -> KmsResult<CreateGrantOutput> {
    let id = required(&p.key_id, "keyId")?.to_string();
    let grantee = required(&p.grantee_principal, "granteePrincipal")?.to_string();
    check_principal(&grantee, "granteePrincipal")?;
    if let Some(r) = &p.retiring_principal {
        check_principal(r, "retiringPrincipal")?;
    }
    if let Some(n) = &p.name {
        check_name(n)?;
    }
    let operations = parse_operations(p.operations.clone())?;
    let constraints = parse_constraints(p.constraints.clone())?;
    let meta = GrantMeta {
        v: 1,
        issuing_account: caller.account.to_string(),
        name: p.name.clone(),
        grantee_principal: grantee,
        retiring_principal: p.retiring_principal.clone(),
        operations,
        constraints,
    };
    let fresh_id = hex::encode(crypto::random_bytes(32).map_err(super::symmetric::crypto_error)?);
    let now = kms.now_ms();
    let (kms2, caller2) = (kms.clone(), caller.clone());
    let grant_id = kms
        .write(move |c| {
            let k = resolve(c, &kms2, &caller2, &id, false)?;
            check_usable(&k)?;
            check_fits(&k, &meta)?;
            if meta.name.is_some() {
                let start: Position = (i64::MIN, String::new());
                let twin =
                    grant_model::list_for_key(c, &k.key_id, &start, 1, |g| is_twin(g, &meta))?;
                if let Some(g) = twin.into_iter().next() {
                    return Ok(g.grant_id);
                }
            }
            if grant_model::count_for_key(c, &k.key_id)? >= MAX_GRANTS_PER_KEY {
                return Err(KmsError::LimitExceeded(format!(
                    "{} already has {MAX_GRANTS_PER_KEY} grants.",
                    k.arn()
                )));
            }
            grant_model::insert(
                c,
                &Grant {
                    grant_id: fresh_id.clone(),
                    key_id: k.key_id,
                    created_ms: now,
                    meta,
                },
            )?;
            Ok(fresh_id)
        })
        .await?;
    let token = new_token(kms, &grant_id)?;
    Ok(CreateGrantOutput {
        grant_token: token,
        grant_id,
    })
}

/// A ListGrants / ListRetirableGrants entry.
fn entry(g: &Grant, key_arn: String) -> GrantListEntry {
    let m = &g.meta;
    GrantListEntry {
        key_id: key_arn,
        grant_id: g.grant_id.clone(),
        creation_date: epoch(g.created_ms),
        grantee_principal: m.grantee_principal.clone(),
        issuing_account: format!("arn:aws:iam::{}:root", m.issuing_account),
        operations: m.operations.clone(),
        name: m.name.clone(),
        retiring_principal: m.retiring_principal.clone(),
        constraints: m.constraints.clone(),
    }
}

/// Parses a paging marker (`<creation ms>.<grant id>`).
fn marker(marker: &Option<String>) -> KmsResult<Position> {
    let Some(m) = marker else {
        return Ok((i64::MIN, String::new()));
    };
    let bad = || KmsError::InvalidMarker(format!("Invalid marker {m}"));
    let (ms, id) = m.split_once('.').ok_or_else(bad)?;
    let ms: i64 = ms.parse().map_err(|_| bad())?;
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(bad());
    }
    Ok((ms, id.to_string()))
}

/// The page answer of both listings.
fn page(grants: Vec<Grant>, n: usize, arn_of: impl Fn(&Grant) -> String) -> ListGrantsOutput {
    let marker = |last: &Grant| format!("{}.{}", last.created_ms, last.grant_id);
    super::page_past(grants, n, marker, |g| entry(g, arn_of(g))).into()
}

/// ListGrants: the grants of one key, optionally only one grant id or one grantee.
pub async fn list(kms: &Kms, caller: &Caller, p: ListGrantsInput) -> KmsResult<ListGrantsOutput> {
    let id = required(&p.key_id, "keyId")?.to_string();
    let n = super::limit(p.limit, 50, 100)?;
    let after = marker(&p.marker)?;
    if let Some(g) = &p.grant_id {
        check_grant_id(g)?;
    }
    if let Some(g) = &p.grantee_principal {
        check_principal(g, "granteePrincipal")?;
    }
    let (grant_id, grantee) = (p.grant_id.clone(), p.grantee_principal.clone());
    let (kms2, caller2) = (kms.clone(), caller.clone());
    let (k, grants) = kms
        .scan(move |c| {
            let k = resolve(c, &kms2, &caller2, &id, false)?;
            let grants = grant_model::list_for_key(c, &k.key_id, &after, n + 1, |g| {
                grant_id.as_ref().is_none_or(|id| *id == g.grant_id)
                    && grantee
                        .as_ref()
                        .is_none_or(|p| *p == g.meta.grantee_principal)
            })?;
            Ok((k, grants))
        })
        .await?;
    let arn = k.arn();
    Ok(page(grants, n, |_| arn.clone()))
}

/// ListRetirableGrants: the grants of the account and region with this retiring principal.
pub async fn list_retirable(
    kms: &Kms,
    caller: &Caller,
    p: ListRetirableGrantsInput,
) -> KmsResult<ListGrantsOutput> {
    let principal = required(&p.retiring_principal, "retiringPrincipal")?.to_string();
    check_principal(&principal, "retiringPrincipal")?;
    let n = super::limit(p.limit, 50, 100)?;
    let after = marker(&p.marker)?;
    let (account, region) = (caller.account.to_string(), kms.region_of(caller));
    let (acc, reg) = (account.clone(), region.clone());
    let grants = kms
        .scan(move |c| {
            grant_model::list_for_account(c, &acc, &reg, &after, n + 1, |g| {
                g.meta.retiring_principal.as_deref() == Some(principal.as_str())
            })
        })
        .await?;
    Ok(page(grants, n, |g| {
        format!("arn:aws:kms:{region}:{account}:key/{}", g.key_id)
    }))
}

/// RetireGrant: by GrantToken, or by KeyId and GrantId.
pub async fn retire(kms: &Kms, caller: &Caller, p: RetireGrantInput) -> KmsResult<Empty> {
    let by_token = p
        .grant_token
        .as_deref()
        .map(|t| token_grant_id(kms, t))
        .transpose()?;
    if let Some(g) = &p.grant_id {
        check_grant_id(g)?;
    }
    let grant_id = match (&by_token, &p.grant_id) {
        (Some(t), Some(g)) if t != g => {
            return Err(KmsError::InvalidGrantId(
                "The grant ID does not match the grant token.".into(),
            ))
        }
        (Some(t), _) => t.clone(),
        (None, Some(g)) if p.key_id.is_some() => g.clone(),
        _ => {
            return Err(KmsError::Validation(
                "Either GrantToken, or both KeyId and GrantId, must be specified.".into(),
            ))
        }
    };
    let from_token = by_token.is_some();
    let (kms2, caller2, key_id) = (kms.clone(), caller.clone(), p.key_id.clone());
    kms.write(move |c| {
        let key = key_id
            .map(|id| resolve(c, &kms2, &caller2, &id, false))
            .transpose()?;
        let found = grant_model::get(c, &grant_id)?.filter(|g| {
            key.as_ref().is_none_or(|k| k.key_id == g.key_id)
                && crate::model::keys::get(c, &g.key_id)
                    .ok()
                    .flatten()
                    .is_some_and(|k| k.account == caller2.account.as_str())
        });
        match found {
            Some(g) => grant_model::delete(c, &g.grant_id),
            None if from_token => Err(KmsError::InvalidGrantToken(
                "The grant token does not identify an existing grant.".into(),
            )),
            None => Err(KmsError::InvalidGrantId(format!(
                "Grant ID {grant_id} is not a grant of this key."
            ))),
        }
    })
    .await?;
    Ok(Empty {})
}

/// RevokeGrant: by KeyId and GrantId.
pub async fn revoke(kms: &Kms, caller: &Caller, p: RevokeGrantInput) -> KmsResult<Empty> {
    let id = required(&p.key_id, "keyId")?.to_string();
    let grant_id = required(&p.grant_id, "grantId")?.to_string();
    check_grant_id(&grant_id)?;
    let (kms2, caller2) = (kms.clone(), caller.clone());
    kms.write(move |c| {
        let k = resolve(c, &kms2, &caller2, &id, false)?;
        match grant_model::get(c, &grant_id)? {
            Some(g) if g.key_id == k.key_id => grant_model::delete(c, &g.grant_id),
            _ => Err(KmsError::InvalidGrantId(format!(
                "Grant ID {grant_id} is not a grant of {}.",
                k.arn()
            ))),
        }
    })
    .await?;
    Ok(Empty {})
}
