//! Authorization of every KMS call, in one place, before its handler runs: the permissions the
//! operation needs and its condition keys ([`plan`]), the key policy (parsed once per policy
//! text and cached), the caller's identity policies and the key's grants, combined by
//! [`trailstack_policy::authorize_key`] as AWS does — the key policy is authoritative and the
//! root user has no implicit right on a key. Handlers no longer decide who may act.
//!
//! Choices: a key that cannot be found is not authorized against (the handler answers
//! `NotFoundException` or `InvalidCiphertextException`); grants are read only when the
//! policies alone do not allow, so the common path reads no grant.
//! Messages follow AWS's `User: <arn> is not authorized to perform: kms:<Op> on resource:
//! <key arn> because no resource-based policy allows the kms:<Op> action` and its variants
//! (`... because no identity-based policy allows ...`, `... with an explicit deny in a
//! resource-based policy`, `... with an explicit deny in an identity-based policy`).
//! <https://docs.aws.amazon.com/kms/latest/developerguide/policy-evaluation.html>

pub mod plan;

use crate::error::{KmsError, KmsResult};
use crate::handlers::resolve;
use crate::model::grants::{self as grant_model, grant_allows};
use crate::model::keys::{self as key_model, KeyRecord};
use crate::op::Op;
use crate::Kms;
use plan::Target;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, RwLock};
use trailstack_core::{Caller, Principal};
use trailstack_policy::{
    add_caller_keys, authorize, authorize_key, Conditions, Decision, Match, Policy, PrincipalKind,
    PrincipalRecord, Reads, RequestContext,
};
use trailstack_store::Conn;

/// Past this many keys the cache starts over; reparsing a policy costs microseconds.
const MAX_ENTRIES: usize = 10_000;

/// Parsed key policies by key id, each with the text it was parsed from: a changed policy
/// (PutKeyPolicy) no longer matches its text and is parsed again, so nothing needs to be told.
#[derive(Debug, Default)]
pub struct KeyPolicies {
    entries: RwLock<HashMap<String, (String, Arc<Policy>)>>,
}

impl KeyPolicies {
    /// The parsed policy of `key_id` whose text is `doc`; `None` if it does not parse (then
    /// only grants can open the key).
    pub fn get(&self, key_id: &str, doc: &str) -> Option<Arc<Policy>> {
        if let Ok(map) = self.entries.read() {
            if let Some((text, p)) = map.get(key_id) {
                if text == doc {
                    return Some(p.clone());
                }
            }
        }
        let parsed = Arc::new(Policy::parse_resource(doc).ok()?);
        if let Ok(mut map) = self.entries.write() {
            if map.len() >= MAX_ENTRIES {
                map.clear();
            }
            map.insert(key_id.to_string(), (doc.to_string(), parsed.clone()));
        }
        Some(parsed)
    }
}

fn kind_of(p: &Principal) -> PrincipalKind {
    match p {
        Principal::Root => PrincipalKind::Root,
        Principal::User { .. } => PrincipalKind::User,
        Principal::AssumedRole { .. } => PrincipalKind::AssumedRole,
        Principal::Service(_) => PrincipalKind::Service,
        Principal::Anonymous => PrincipalKind::Anonymous,
    }
}

/// Checks every permission `op` needs for `caller`.
pub async fn check(kms: &Kms, caller: &Caller, op: &Op) -> KmsResult<()> {
    let checks = plan::checks(op);
    if checks.is_empty() {
        return Ok(());
    }
    let region = kms.region_of(caller);
    let arn = caller.arn();
    let mut base = global(kms, caller, &arn);
    plan::request(&mut base, caller, op, &region);
    let mut on_keys = Vec::new();
    for ch in checks {
        match &ch.target {
            Target::Account => decide_account(kms, caller, &arn, &base, ch.action, "*")?,
            Target::Alias(name) => {
                let alias_arn = format!("arn:aws:kms:{region}:{}:{name}", caller.account);
                decide_account(kms, caller, &arn, &base, ch.action, &alias_arn)?
            }
            Target::Key(_) | Target::Stored(_) => on_keys.push(ch),
        }
    }
    if on_keys.is_empty() {
        return Ok(());
    }
    let (kms2, caller2) = (kms.clone(), caller.clone());
    kms.read(move |c| {
        for ch in &on_keys {
            decide_key(
                c,
                &kms2,
                &caller2,
                &arn,
                &base,
                ch.action,
                &ch.target,
                ch.context.as_ref(),
            )?;
        }
        Ok(())
    })
    .await
}

/// What IAM knows of `caller` (whose ARN is `arn`) when it is a user: unique id, tags,
/// permissions boundary.
fn record(kms: &Kms, caller: &Caller, arn: &str) -> Option<Arc<PrincipalRecord>> {
    match caller.principal {
        Principal::User { .. } => kms.identities.record(arn),
        Principal::AssumedRole { .. } => kms.identities.record(&caller.identity_arn()),
        _ => None,
    }
}

/// The `aws:*` keys of `caller` (whose ARN is `arn`) now.
fn global(kms: &Kms, caller: &Caller, arn: &str) -> Conditions {
    let record = record(kms, caller, arn);
    let mut c = Conditions::new();
    // Every key: KMS evaluates key policies and grants as well as identity policies, so it
    // does not narrow them to the keys one policy reads.
    let now = kms.clock.now();
    add_caller_keys(
        &mut c,
        None,
        caller,
        arn,
        record.as_deref(),
        &caller.region,
        now,
    );
    c
}

/// The identity policy of `caller`, if it is a user with one.
fn identity(kms: &Kms, caller: &Caller, arn: &str) -> Option<Arc<Policy>> {
    match caller.principal {
        Principal::User { .. } => kms.identities.get(arn),
        Principal::AssumedRole { .. } => kms.identities.get(&caller.identity_arn()),
        _ => None,
    }
}

/// The session policy of `caller`, if it is a role session with one.
fn session_policy(kms: &Kms, caller: &Caller) -> Option<Arc<Policy>> {
    match (&caller.principal, &caller.access_key) {
        (Principal::AssumedRole { .. }, Some(key)) => kms.identities.session(key),
        _ => None,
    }
}

/// A permission decided by identity policies alone (`*` or an alias of the caller's account).
fn decide_account(
    kms: &Kms,
    caller: &Caller,
    arn: &str,
    conds: &Conditions,
    action: &'static str,
    resource: &str,
) -> KmsResult<()> {
    let session = session_policy(kms, caller);
    let mut req = RequestContext::new(arn, kind_of(&caller.principal), action, resource, conds)
        .for_session(caller.role_arn(), session.as_deref());
    let record = record(kms, caller, arn);
    req.boundary = record.as_ref().and_then(|r| r.boundary.as_deref());
    let id_policy = identity(kms, caller, arn);
    let id: Vec<&Policy> = id_policy.as_deref().into_iter().collect();
    match authorize(&req, &id, None, caller.account.as_str()) {
        Decision::Allow => Ok(()),
        Decision::ExplicitDeny => Err(denied(
            &req,
            "with an explicit deny in an identity-based policy",
        )),
        Decision::ImplicitDeny => Err(denied(&req, &no_policy_allows("identity", action))),
    }
}

/// The key `t` names, as `caller` sees it; `None` when there is none (the handler reports it).
fn key_of(c: &Conn, kms: &Kms, caller: &Caller, t: &Target) -> KmsResult<Option<KeyRecord>> {
    Ok(match t {
        Target::Key(id) => resolve(c, kms, caller, id, true).ok(),
        Target::Stored(id) => key_model::get(c, id)?,
        Target::Account | Target::Alias(_) => None,
    })
}

/// A permission (`action`, with the encryption context `ctx`) on the key `target` names: key
/// policy, identity policies, grants.
#[allow(clippy::too_many_arguments)]
fn decide_key(
    c: &Conn,
    kms: &Kms,
    caller: &Caller,
    arn: &str,
    base: &Conditions,
    action: &str,
    target: &Target,
    ctx: Option<&BTreeMap<String, String>>,
) -> KmsResult<()> {
    let Some(k) = key_of(c, kms, caller, target)? else {
        return Ok(());
    };
    let policy = kms.key_policies.get(&k.key_id, &k.meta.policy);
    let id_policy = identity(kms, caller, arn);
    let id_policy = id_policy.as_deref();
    let record = record(kms, caller, arn);
    let boundary = record.as_ref().and_then(|r| r.boundary.as_deref());
    // The key's own keys, only where a policy reads them.
    let session = session_policy(kms, caller);
    let reads = Reads::of(policy.as_deref(), id_policy)
        .and_boundary(boundary)
        .with_session(session.as_deref());
    let mut conds = base.clone();
    let empty = BTreeMap::new();
    let ctx = ctx.unwrap_or(&empty);
    if reads.prefix("kms:EncryptionContext") {
        plan::context(&mut conds, ctx);
    }
    for (key, value) in [
        ("kms:KeySpec", k.meta.key_spec.name()),
        ("kms:KeyUsage", k.meta.key_usage.name()),
        ("kms:KeyOrigin", k.meta.origin.name()),
    ] {
        if reads.key(key) {
            conds.insert(key, value);
        }
    }
    if reads.prefix("aws:ResourceTag/") {
        for (tk, tv) in &k.meta.tags {
            conds.insert(&format!("aws:ResourceTag/{tk}"), tv.as_str());
        }
    }
    let key_arn = k.arn();
    let mut req = RequestContext::new(arn, kind_of(&caller.principal), action, &key_arn, &conds)
        .for_session(caller.role_arn(), session.as_deref());
    req.boundary = boundary;
    let id: Vec<&Policy> = id_policy.into_iter().collect();
    let Some(policy) = policy else {
        return Err(denied(&req, &no_policy_allows("resource", action)));
    };
    let mut decision = authorize_key(&req, &policy, &id, &k.account, false);
    if decision == Decision::ImplicitDeny {
        let operation = action.trim_start_matches("kms:");
        let start = (i64::MIN, String::new());
        let granted = grant_model::list_for_key(c, &k.key_id, &start, 1, |g| {
            // A grant to a role is a grant to each of its sessions.
            (g.meta.grantee_principal == arn
                || caller.role_arn() == Some(g.meta.grantee_principal.as_str()))
                && grant_allows(g, operation, ctx)
        })?;
        if !granted.is_empty() {
            decision = authorize_key(&req, &policy, &id, &k.account, true);
        }
    }
    match decision {
        Decision::Allow => Ok(()),
        Decision::ExplicitDeny if policy.evaluate(&req) == Match::Deny => Err(denied(
            &req,
            "with an explicit deny in a resource-based policy",
        )),
        Decision::ExplicitDeny => Err(denied(
            &req,
            "with an explicit deny in an identity-based policy",
        )),
        Decision::ImplicitDeny => {
            // The key policy opened the key to the account: what is missing is the IAM side.
            let delegated = policy.outcome(&req).allow_via_account
                || (policy.evaluate(&req) == Match::Allow && caller.account.as_str() != k.account);
            let side = if delegated { "identity" } else { "resource" };
            Err(denied(&req, &no_policy_allows(side, action)))
        }
    }
}

fn no_policy_allows(side: &str, action: &str) -> String {
    format!("because no {side}-based policy allows the {action} action")
}

/// AWS's AccessDeniedException for `req`, ending with `reason`.
fn denied(req: &RequestContext, reason: &str) -> KmsError {
    KmsError::AccessDenied(trailstack_policy::not_authorized(
        req.principal_arn,
        req.action,
        req.resource,
        reason,
    ))
}

/// AWS's policy lockout safety check, for CreateKey and PutKeyPolicy without
/// `BypassPolicyLockoutSafetyCheck`: the new policy `doc` of the key `key_arn` (in
/// `key_account`) must still let `caller` call PutKeyPolicy, or the key could become
/// unmanageable. A document that does not parse is left to the validation that reports it.
/// <https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#prevent-unmanageable-key>
pub fn check_lockout(
    kms: &Kms,
    caller: &Caller,
    doc: &str,
    key_arn: &str,
    key_account: &str,
    bypass: bool,
) -> KmsResult<()> {
    let Ok(policy) = Policy::parse_resource(doc) else {
        return Ok(());
    };
    if bypass {
        return Ok(());
    }
    let arn = caller.arn();
    let mut conds = global(kms, caller, &arn);
    conds.insert("kms:CallerAccount", caller.account.as_str());
    let session = session_policy(kms, caller);
    let mut req = RequestContext::new(
        &arn,
        kind_of(&caller.principal),
        "kms:PutKeyPolicy",
        key_arn,
        &conds,
    )
    .for_session(caller.role_arn(), session.as_deref());
    let record = record(kms, caller, &arn);
    req.boundary = record.as_ref().and_then(|r| r.boundary.as_deref());
    let id_policy = identity(kms, caller, &arn);
    let id: Vec<&Policy> = id_policy.as_deref().into_iter().collect();
    match authorize_key(&req, &policy, &id, key_account, false) {
        Decision::Allow => Ok(()),
        _ => Err(KmsError::MalformedPolicyDocument(
            "The new key policy will not allow you to update the key policy in the future.".into(),
        )),
    }
}

/// Whether the service principal of `caller` (e.g. `cloudtrail.amazonaws.com`, acting for
/// `caller.source_arn`) may perform `action` on the key `key_id` with `context`, by the key
/// policy and grants alone, as [`check`] would decide it — without making the call.
pub fn service_allows(
    c: &Conn,
    kms: &Kms,
    caller: &Caller,
    action: &str,
    key_id: &str,
    context: &BTreeMap<String, String>,
) -> KmsResult<bool> {
    let region = kms.region_of(caller);
    let mut base = global(kms, caller, &caller.arn());
    let op = Op::GenerateDataKey(Default::default());
    plan::request(&mut base, caller, &op, &region);
    let target = Target::Key(key_id.to_string());
    if key_of(c, kms, caller, &target)?.is_none() {
        return Ok(false);
    }
    let arn = caller.arn();
    Ok(decide_key(c, kms, caller, &arn, &base, action, &target, Some(context)).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}"#;

    #[test]
    fn key_policies_are_parsed_once_per_text() {
        let cache = KeyPolicies::default();
        let a = cache.get("k1", DOC).unwrap();
        let b = cache.get("k1", DOC).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        // PutKeyPolicy changed the text: parsed again, no invalidation needed.
        let changed = DOC.replace("kms:*", "kms:Decrypt");
        let c = cache.get("k1", &changed).unwrap();
        assert!(!Arc::ptr_eq(&a, &c));
        assert!(cache.get("k2", "{").is_none());
    }

    #[test]
    fn denial_messages() {
        let c = Conditions::new();
        let key = "arn:aws:kms:us-east-1:111122223333:key/k";
        let r = RequestContext::new(
            "arn:aws:iam::111122223333:user/bob",
            PrincipalKind::User,
            "kms:Decrypt",
            key,
            &c,
        );
        let KmsError::AccessDenied(m) = denied(&r, &no_policy_allows("resource", "kms:Decrypt"))
        else {
            panic!()
        };
        assert_eq!(m, format!("User: arn:aws:iam::111122223333:user/bob is not authorized to perform: kms:Decrypt on resource: {key} because no resource-based policy allows the kms:Decrypt action"));
    }
}
