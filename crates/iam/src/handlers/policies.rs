//! Policies: the inline policies of users and roles (Put/Get/List/Delete User|RolePolicy),
//! managed policies and their versions (CreatePolicy, GetPolicy, ListPolicies, DeletePolicy,
//! Create/Get/List/DeletePolicyVersion, SetDefaultPolicyVersion) and their attachment to users
//! roles and groups (Attach/Detach/ListAttached User|Role|GroupPolicies), with IAM's quotas.
//! AWS managed policies (`aws_policies`) are read, listed and attached like the account's own.
//!
//! AWS facts: docs/aws/iam-sts.md §5.

use super::changed;
use super::checks::{self, paged, read_page};
use super::owners::exists;
use crate::aws_policies;
use crate::error::{IamError, IamResult};
use crate::model::policies::{self as model, policy_arn};
use crate::op::{IamOp, IamOutput, ManagedPolicy, Owner, OwnerKind, PolicyScope};
use crate::Iam;
use trailstack_core::unique_id;
use trailstack_store::Conn;

/// Most versions a managed policy keeps.
const VERSIONS_PER_POLICY: usize = 5;
/// Most managed policies attached to one user or role.
const ATTACHED_PER_OWNER: u32 = 10;
/// Most characters (whitespace aside) of a managed policy document.
const MANAGED_POLICY_SIZE: usize = 6144;

/// The most characters (whitespace aside) the inline policies of one owner may hold together.
fn inline_quota(kind: OwnerKind) -> usize {
    match kind {
        OwnerKind::User => 2048,
        OwnerKind::Role => 10240,
        OwnerKind::Group => 5120,
    }
}

fn size(doc: &str) -> usize {
    doc.chars().filter(|c| !c.is_whitespace()).count()
}

fn no_policy(arn: &str) -> IamError {
    IamError::NoSuchEntity(format!("Policy {arn} does not exist or is not attachable."))
}

/// The managed policy `arn` names in `account`.
pub(super) fn find(c: &Conn, account: &str, arn: &str) -> IamResult<ManagedPolicy> {
    let prefix = format!("arn:aws:iam::{account}:policy/");
    let name = arn
        .strip_prefix(&prefix)
        .and_then(|rest| rest.rsplit('/').next())
        .ok_or_else(|| no_policy(arn))?;
    match model::get_policy(c, account, name)? {
        Some(p) if p.arn == arn => Ok(p),
        _ => Err(no_policy(arn)),
    }
}

/// How an attachment of policy `arn` to `owner` names the policy (an account's policy by its
/// name, an AWS managed policy by its ARN), once the owner and then the policy are found:
/// attaching and detaching fail alike on a missing one.
fn attachment(c: &Conn, account: &str, owner: &Owner, arn: &str) -> IamResult<String> {
    exists(c, account, owner)?;
    match aws_policies::get(arn) {
        Some(p) => Ok(p.arn()),
        None => Ok(find(c, account, arn)?.name),
    }
}

/// The number of a version id such as `v3`.
fn version_number(id: &str) -> IamResult<u32> {
    id.strip_prefix('v')
        .filter(|n| !n.starts_with('0'))
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| {
            IamError::Validation(format!(
                "1 validation error detected: Value '{id}' at 'versionId' failed to satisfy constraint: Member must satisfy regular expression pattern: v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?"
            ))
        })
}

/// Runs one policy operation in `account`.
pub async fn dispatch(iam: &Iam, account: String, op: IamOp) -> IamResult<IamOutput> {
    match op {
        IamOp::PutInlinePolicy {
            owner,
            name,
            document,
        } => {
            checks::name(&name, "policyName", 128)?;
            checks::identity_document(&document)?;
            changed(iam, move |c| {
                exists(c, &account, &owner)?;
                let mut total = size(&document);
                for other in model::list_inline(c, &account, &owner, "", 1000)? {
                    if other != name {
                        let doc = model::get_inline(c, &account, &owner, &other)?;
                        total += doc.as_deref().map_or(0, size);
                    }
                }
                let quota = inline_quota(owner.kind);
                if total > quota {
                    return Err(IamError::LimitExceeded(format!(
                        "Maximum policy size of {quota} bytes exceeded for {} {}",
                        owner.kind.as_str().to_ascii_lowercase(),
                        owner.name
                    )));
                }
                model::put_inline(c, &account, &owner, &name, &document)?;
                Ok(())
            })
            .await
        }
        IamOp::GetInlinePolicy { owner, name } => iam.read(|c| {
            exists(c, &account, &owner)?;
            let document = model::get_inline(c, &account, &owner, &name)?
                .ok_or_else(|| no_inline(&owner, &name))?;
            Ok(IamOutput::InlinePolicy {
                owner: owner.clone(),
                name: name.clone(),
                document,
            })
        }),
        IamOp::ListInlinePolicies { owner, page } => {
            let (names, next) = read_page(iam, &page, String::clone, |c, after, n| {
                exists(c, &account, &owner)?;
                Ok(model::list_inline(
                    c,
                    &account,
                    &owner,
                    after,
                    n,
                )?)
            })?;
            Ok(IamOutput::PolicyNames(names, next))
        }
        IamOp::DeleteInlinePolicy { owner, name } => {
            changed(iam, move |c| {
                exists(c, &account, &owner)?;
                if !model::delete_inline(c, &account, &owner, &name)? {
                    return Err(no_inline(&owner, &name));
                }
                Ok(())
            })
            .await
        }
        IamOp::CreatePolicy {
            name,
            path,
            document,
            description,
        } => {
            checks::name(&name, "policyName", 128)?;
            checks::path(&path)?;
            managed_document(&document)?;
            let now = iam.now_ms();
            let policy = ManagedPolicy {
                arn: policy_arn(&account, &path, &name),
                id: unique_id("ANPA", &account, &name),
                name,
                path,
                default_version: 1,
                attachments: 0,
                boundary_uses: 0,
                description,
                created_ms: now,
                updated_ms: now,
            };
            let p = policy.clone();
            iam.change(move |c| {
                if !model::insert_policy(c, &account, &p, &document)? {
                    return Err(IamError::EntityAlreadyExists(format!(
                        "A policy called {} already exists. Duplicate names are not allowed.",
                        p.name
                    )));
                }
                Ok(())
            })
            .await?;
            Ok(IamOutput::Policy(policy))
        }
        IamOp::GetPolicy { arn } => iam
            .read(|c| match aws_policies::get(&arn) {
                Some(p) => Ok(p.managed_with(
                    model::attachment_count(c, &account, &arn)?,
                    model::boundary_count(c, &account, &arn)?,
                )),
                None => find(c, &account, &arn),
            })
            .map(IamOutput::Policy),
        IamOp::ListPolicies {
            scope,
            only_attached,
            path_prefix,
            page,
        } => {
            let key = |p: &ManagedPolicy| p.name.clone();
            let (found, next) = read_page(iam, &page, key, |c, after, limit| {
                let mut found = Vec::new();
                if scope != PolicyScope::Aws {
                    found = model::list_policies(
                        c,
                        &account,
                        &path_prefix,
                        only_attached,
                        after,
                        limit,
                    )?;
                }
                if scope != PolicyScope::Local && "/".starts_with(path_prefix.as_str()) {
                    for p in aws_policies::POLICIES.iter().filter(|p| p.name > after) {
                        let n = model::attachment_count(c, &account, &p.arn())?;
                        if n > 0 || !only_attached {
                            found.push(p.managed(n));
                        }
                    }
                    found.sort_by(|a, b| a.name.cmp(&b.name));
                    found.truncate(limit);
                }
                Ok(found)
            })?;
            Ok(IamOutput::Policies(found, next))
        }
        IamOp::DeletePolicy { arn } => {
            changed(iam, move |c| {
                let p = find(c, &account, &arn)?;
                if p.attachments > 0 || p.boundary_uses > 0 {
                    return Err(IamError::DeleteConflict(
                        "Cannot delete a policy attached to entities.".into(),
                    ));
                }
                if model::versions(c, &account, &p.name, p.default_version)?.len() > 1 {
                    return Err(IamError::DeleteConflict(
                        "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.".into(),
                    ));
                }
                model::delete_policy(c, &account, &p.name)?;
                Ok(())
            })
            .await
        }
        IamOp::CreatePolicyVersion {
            arn,
            document,
            set_default,
        } => {
            managed_document(&document)?;
            let now = iam.now_ms();
            let version = iam
                .change(move |c| {
                    let p = find(c, &account, &arn)?;
                    let existing = model::versions(c, &account, &p.name, p.default_version)?;
                    if existing.len() >= VERSIONS_PER_POLICY {
                        return Err(IamError::LimitExceeded(format!(
                            "A managed policy can have up to {VERSIONS_PER_POLICY} versions. Before you create a new version, you must delete an existing version."
                        )));
                    }
                    let v = model::add_version(c, &account, &p.name, &document, now, set_default)?;
                    Ok(crate::op::PolicyVersion {
                        version: v,
                        document: None,
                        default: set_default,
                        created_ms: now,
                    })
                })
                .await?;
            Ok(IamOutput::PolicyVersion(version))
        }
        IamOp::GetPolicyVersion { arn, version } => {
            let v = version_number(&version)?;
            iam.read(|c| {
                let versions = match aws_policies::get(&arn) {
                    Some(p) => vec![p.default_version()],
                    None => {
                        let p = find(c, &account, &arn)?;
                        model::versions(c, &account, &p.name, p.default_version)?
                    }
                };
                versions
                    .into_iter()
                    .find(|x| x.version == v)
                    .map(IamOutput::PolicyVersion)
                    .ok_or_else(|| no_version(&arn, &version))
            })
        }
        IamOp::ListPolicyVersions { arn, page } => {
            let all = iam.read(|c| match aws_policies::get(&arn) {
                Some(p) => Ok(vec![p.default_version()]),
                None => {
                    let p = find(c, &account, &arn)?;
                    Ok(model::versions(c, &account, &p.name, p.default_version)?)
                }
            })?;
            // Newest first, as IAM lists them; listed versions carry no document.
            let after = page.marker.as_deref().and_then(|m| version_number(m).ok());
            let mut listed: Vec<_> = all
                .into_iter()
                .rev()
                .filter(|v| after.is_none_or(|a| v.version < a))
                .map(|mut v| {
                    v.document = None;
                    v
                })
                .collect();
            listed.truncate(page.max_items + 1);
            let (listed, next) = paged(listed, &page, |v| format!("v{}", v.version));
            Ok(IamOutput::PolicyVersions(listed, next))
        }
        IamOp::DeletePolicyVersion { arn, version } => {
            let v = version_number(&version)?;
            changed(iam, move |c| {
                let p = find(c, &account, &arn)?;
                if p.default_version == v {
                    return Err(IamError::DeleteConflict(
                        "Cannot delete the default version of a policy.".into(),
                    ));
                }
                if !model::delete_version(c, &account, &p.name, v)? {
                    return Err(no_version(&arn, &version));
                }
                Ok(())
            })
            .await
        }
        IamOp::SetDefaultPolicyVersion { arn, version } => {
            let v = version_number(&version)?;
            let now = iam.now_ms();
            changed(iam, move |c| {
                let p = find(c, &account, &arn)?;
                let exists = model::versions(c, &account, &p.name, p.default_version)?
                    .iter()
                    .any(|x| x.version == v);
                if !exists {
                    return Err(no_version(&arn, &version));
                }
                model::set_default(c, &account, &p.name, v, now)?;
                Ok(())
            })
            .await
        }
        IamOp::AttachPolicy { owner, arn } => {
            changed(iam, move |c| {
                let stored = attachment(c, &account, &owner, &arn)?;
                let (_, attached) = model::owned_counts(c, &account, &owner)?;
                let already = model::attached(c, &account, &owner, "", 1000)?
                    .iter()
                    .any(|(n, _)| *n == stored);
                if !already && attached >= ATTACHED_PER_OWNER {
                    return Err(IamError::LimitExceeded(format!(
                        "Cannot exceed quota for PoliciesPer{}: {ATTACHED_PER_OWNER}",
                        owner.kind.as_str()
                    )));
                }
                model::attach(c, &account, &owner, &stored)?;
                Ok(())
            })
            .await
        }
        IamOp::DetachPolicy { owner, arn } => {
            changed(iam, move |c| {
                let stored = attachment(c, &account, &owner, &arn)?;
                if !model::detach(c, &account, &owner, &stored)? {
                    return Err(IamError::NoSuchEntity(format!(
                        "Policy {arn} was not found."
                    )));
                }
                Ok(())
            })
            .await
        }
        IamOp::ListAttachedPolicies { owner, page } => {
            let key = |(stored, _): &(String, Option<String>)| stored.clone();
            let (found, next) = read_page(iam, &page, key, |c, after, n| {
                exists(c, &account, &owner)?;
                Ok(model::attached(
                    c,
                    &account,
                    &owner,
                    after,
                    n,
                )?)
            })?;
            let found = found
                .into_iter()
                .map(|(stored, path)| match path {
                    Some(path) => {
                        let arn = policy_arn(&account, &path, &stored);
                        (stored, arn)
                    }
                    None => {
                        let name = stored.strip_prefix(aws_policies::PREFIX).unwrap_or(&stored);
                        (name.to_string(), stored.clone())
                    }
                })
                .collect();
            Ok(IamOutput::AttachedPolicies(found, next))
        }
        other => Err(IamError::Internal(format!(
            "{} is not a policy operation",
            other.name()
        ))),
    }
}

fn managed_document(doc: &str) -> IamResult<()> {
    checks::identity_document(doc)?;
    if size(doc) > MANAGED_POLICY_SIZE {
        return Err(IamError::LimitExceeded(format!(
            "Cannot exceed quota for PolicySize: {MANAGED_POLICY_SIZE}"
        )));
    }
    Ok(())
}

fn no_inline(owner: &Owner, name: &str) -> IamError {
    IamError::NoSuchEntity(format!(
        "The {} policy with name {name} cannot be found.",
        owner.kind.as_str().to_ascii_lowercase()
    ))
}

fn no_version(arn: &str, version: &str) -> IamError {
    IamError::NoSuchEntity(format!(
        "Policy {arn} version {version} does not exist or is not attachable."
    ))
}
