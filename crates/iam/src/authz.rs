//! Who may call IAM: an account's root may do anything in its own account; a user needs an
//! identity policy allowing `iam:<Op>` on the entity the call names (its ARN without path:
//! `user/<name>`, `role/<name>`, the policy ARN given) or on `*` for calls naming none (the
//! ListX of users, roles and policies), with IAM's condition keys (tags, boundaries). Refusals
//! are AWS's `AccessDenied` sentence.
//!
//! AWS facts: docs/aws/iam-authorization.md, docs/aws/iam-sts.md §3.

use crate::audit::IAM_REGION;
use crate::directory::principal_arn;
use crate::error::{IamError, IamResult};
use crate::op::{IamOp, OwnerKind};
use crate::Iam;
use trailstack_core::{Caller, Principal};
use trailstack_policy::{
    add_caller_keys, authorize, identity_denial, not_authorized, Conditions, Decision, Policy,
    PrincipalKind, Reads, RequestContext,
};

/// Checks that `caller` may run `op`.
pub fn check(iam: &Iam, caller: &Caller, op: &IamOp) -> IamResult<()> {
    let arn = caller.arn();
    let account = caller.account.as_str();
    // GetSessionToken's credentials reach IAM only with MFA, which no session here has.
    if caller.session.as_ref().is_some_and(|s| s.issuer.is_none()) {
        return Err(IamError::AccessDenied(format!(
            "User: {arn} is not authorized to perform: iam:{} with session credentials from GetSessionToken without MFA",
            op.name()
        )));
    }
    if caller.principal == Principal::Root {
        return Ok(());
    }
    let action = format!("iam:{}", op.name());
    let resource = resource_of(account, caller, op);
    let kind = match caller.principal {
        Principal::User { .. } => PrincipalKind::User,
        Principal::AssumedRole { .. } => PrincipalKind::AssumedRole,
        _ => return Err(denied(&arn, &action, &resource, Decision::ImplicitDeny)),
    };
    // A role session holds its role's policies, limited by its session policies.
    let identity = iam.identities.get(&caller.identity_arn());
    let session = match (kind, &caller.access_key) {
        (PrincipalKind::AssumedRole, Some(key)) => iam.identities.session(key),
        _ => None,
    };
    let id: Vec<&Policy> = identity.as_deref().into_iter().collect();
    let record = iam.identities.record(&caller.identity_arn());
    let boundary = record.as_ref().and_then(|r| r.boundary.as_deref());
    let mut conds = Conditions::new();
    let reads = Reads::of(identity.as_deref(), None)
        .and_boundary(boundary)
        .with_session(session.as_deref());
    global_keys(iam, caller, IAM_REGION, &mut conds, Some(&reads));
    request_keys(iam, account, op, &mut conds);
    // Tags given at creation are a tagging too: CreateUser with Tags needs iam:TagUser as well.
    let tagging = match op {
        IamOp::CreateUser { tags, .. } if !tags.is_empty() => Some("iam:TagUser"),
        IamOp::CreateRole { tags, .. } if !tags.is_empty() => Some("iam:TagRole"),
        _ => None,
    };
    for action in std::iter::once(action.as_str()).chain(tagging) {
        let mut req = RequestContext::new(&arn, kind, action, &resource, &conds)
            .for_session(caller.role_arn(), session.as_deref());
        req.boundary = boundary;
        match authorize(&req, &id, None, account) {
            Decision::Allow => {}
            d => return Err(denied(&arn, action, &resource, d)),
        }
    }
    Ok(())
}

/// The user or role `op` acts on, when it names one.
fn target(op: &IamOp) -> Option<(OwnerKind, &str)> {
    use IamOp::*;
    match op {
        GetUser { name: Some(name) } | DeleteUser { name } => Some((OwnerKind::User, name)),
        CreateAccessKey { user: Some(u) }
        | ListAccessKeys { user: Some(u), .. }
        | UpdateAccessKey { user: Some(u), .. }
        | DeleteAccessKey { user: Some(u), .. } => Some((OwnerKind::User, u)),
        GetRole { name }
        | DeleteRole { name }
        | UpdateRole { name, .. }
        | UpdateAssumeRolePolicy { name, .. } => Some((OwnerKind::Role, name)),
        PutInlinePolicy { owner, .. }
        | GetInlinePolicy { owner, .. }
        | ListInlinePolicies { owner, .. }
        | DeleteInlinePolicy { owner, .. }
        | AttachPolicy { owner, .. }
        | DetachPolicy { owner, .. }
        | ListAttachedPolicies { owner, .. }
        | TagEntity { owner, .. }
        | UntagEntity { owner, .. }
        | ListEntityTags { owner, .. }
        | PutBoundary { owner, .. }
        | DeleteBoundary { owner } => Some((owner.kind, &owner.name)),
        _ => None,
    }
}

/// IAM's own condition keys of `op`: the tags a call sets (`aws:RequestTag/<key>`,
/// `aws:TagKeys`), the tags of the user or role it acts on (`aws:ResourceTag/<key>`,
/// `iam:ResourceTag/<key>`), and the permissions boundary it sets or the entity has
/// (`iam:PermissionsBoundary`). AWS facts: docs/aws/iam-authorization.md §6.
fn request_keys(iam: &Iam, account: &str, op: &IamOp, c: &mut Conditions) {
    use IamOp::*;
    let (tags, keys, boundary) = match op {
        CreateUser { tags, boundary, .. } | CreateRole { tags, boundary, .. } => {
            (tags.as_slice(), Vec::new(), boundary.clone())
        }
        TagEntity { tags, .. } => (tags.as_slice(), Vec::new(), None),
        UntagEntity { keys, .. } => (&[][..], keys.clone(), None),
        PutBoundary { arn, .. } => (&[][..], Vec::new(), Some(arn.clone())),
        _ => (&[][..], Vec::new(), None),
    };
    for t in tags {
        c.insert(&format!("aws:RequestTag/{}", t.key), t.value.as_str());
    }
    let keys = keys.into_iter().chain(tags.iter().map(|t| t.key.clone()));
    c.insert_many("aws:TagKeys", keys);
    let creating = matches!(op, CreateUser { .. } | CreateRole { .. });
    let existing = target(op)
        .filter(|_| !creating)
        .and_then(|(kind, name)| iam.identities.record(&principal_arn(account, kind, name)));
    if let Some(r) = &existing {
        for (k, v) in &r.tags {
            c.insert(&format!("aws:ResourceTag/{k}"), v.as_str());
            c.insert(&format!("iam:ResourceTag/{k}"), v.as_str());
        }
    }
    // The boundary a call sets, else the one the entity it changes already has.
    let has = existing.and_then(|r| r.boundary_arn.clone());
    if let Some(b) = boundary.or(has) {
        c.insert("iam:PermissionsBoundary", b);
    }
}

/// Adds the global `aws:*` keys of `caller`'s request to `c` (those `reads` says a policy
/// reads, or all), for a request to `requested_region`: the principal's own keys from what IAM
/// knows of the user or of a role session's role and session.
pub(crate) fn global_keys(
    iam: &Iam,
    caller: &Caller,
    requested_region: &str,
    c: &mut Conditions,
    reads: Option<&Reads>,
) {
    let arn = caller.arn();
    let record = match caller.principal {
        Principal::User { .. } | Principal::AssumedRole { .. } => {
            iam.identities.record(&caller.identity_arn())
        }
        _ => None,
    };
    add_caller_keys(
        c,
        reads,
        caller,
        &arn,
        record.as_deref(),
        requested_region,
        iam.clock.now(),
    );
}

/// The ARN `op` acts on.
fn resource_of(account: &str, caller: &Caller, op: &IamOp) -> String {
    use IamOp::*;
    match op {
        CreateUser { name, .. } => principal_arn(account, OwnerKind::User, name),
        CreateRole { name, .. } => principal_arn(account, OwnerKind::Role, name),
        GetUser { .. }
        | DeleteUser { .. }
        | CreateAccessKey { .. }
        | ListAccessKeys { .. }
        | UpdateAccessKey { .. }
        | DeleteAccessKey { .. }
        | GetRole { .. }
        | DeleteRole { .. }
        | UpdateRole { .. }
        | UpdateAssumeRolePolicy { .. }
        | PutInlinePolicy { .. }
        | GetInlinePolicy { .. }
        | ListInlinePolicies { .. }
        | DeleteInlinePolicy { .. }
        | AttachPolicy { .. }
        | DetachPolicy { .. }
        | ListAttachedPolicies { .. }
        | TagEntity { .. }
        | UntagEntity { .. }
        | ListEntityTags { .. }
        | PutBoundary { .. }
        | DeleteBoundary { .. } => match target(op) {
            Some((kind, name)) => principal_arn(account, kind, name),
            // GetUser and the access key operations without a user name: the caller's own.
            None => match &caller.principal {
                Principal::User { name } => principal_arn(account, OwnerKind::User, name),
                _ => caller.arn(),
            },
        },
        CreatePolicy { name, path, .. } => crate::model::policies::policy_arn(account, path, name),
        GetPolicy { arn }
        | DeletePolicy { arn }
        | CreatePolicyVersion { arn, .. }
        | GetPolicyVersion { arn, .. }
        | ListPolicyVersions { arn, .. }
        | DeletePolicyVersion { arn, .. }
        | SetDefaultPolicyVersion { arn, .. } => arn.clone(),
        CreateGroup { name, .. }
        | GetGroup { name, .. }
        | DeleteGroup { name }
        | AddUserToGroup { group: name, .. }
        | RemoveUserFromGroup { group: name, .. } => principal_arn(account, OwnerKind::Group, name),
        ListGroupsForUser { user, .. } => principal_arn(account, OwnerKind::User, user),
        ListUsers { .. }
        | ListRoles { .. }
        | ListPolicies { .. }
        | ListGroups { .. }
        | GetAccessKeyLastUsed { .. } => "*".to_string(),
    }
}

fn denied(arn: &str, action: &str, resource: &str, d: Decision) -> IamError {
    let why = identity_denial(d, action);
    IamError::AccessDenied(not_authorized(arn, action, resource, &why))
}
