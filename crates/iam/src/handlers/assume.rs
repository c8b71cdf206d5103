//! AssumeRole: the role's trust policy decides who may assume it, with the caller's identity
//! policies as AWS combines them (the trust policy must always allow: naming the caller is
//! enough within the role's account, naming its account delegates to the caller's identity
//! policies, and across accounts those must allow too), for `sts:AssumeRole` and, when the request
//! sets them, `sts:TagSession` and `sts:SetSourceIdentity`. The session gets the duration asked
//! within the role's maximum (one hour when temporary credentials assume a role: role chaining), its
//! session policies, its tags (a chained session inherits the transitive ones) and its source
//! identity (kept through chaining, never changed).
//!
//! AWS facts: docs/aws/iam-sts.md §9.

use super::checks::trust_policy;
use super::sessions::{mfa_failed, store, NewSession};
use crate::error::{IamError, IamResult};
use crate::model;
use crate::op::{AssumeRole, Role, StsOutput};
use crate::Iam;
use trailstack_core::{Caller, Principal, Session, SessionIssuer};
use trailstack_policy::{
    authorize_key, Conditions, Decision, Policy, PolicyKind, PrincipalKind, RequestContext,
};

/// Session tags, in order: (key, value).
type Tags = Vec<(String, String)>;

/// The longest session role chaining gives, in seconds.
const CHAINED_MAX: u32 = 3_600;
/// The plain-text session policy limit packed sizes are measured against, in characters.
const PACKED_LIMIT: usize = 2_048;

/// The account and name in a role ARN (`arn:aws:iam::<account>:role/<path/><name>`).
fn role_of_arn(arn: &str) -> Option<(&str, &str)> {
    let [_, p, "iam", "", account, rest] = trailstack_policy::arn_fields(arn)? else {
        return None;
    };
    let name = rest.strip_prefix("role/")?.rsplit('/').next()?;
    (p.starts_with("aws") && !account.is_empty() && !name.is_empty()).then_some((account, name))
}

fn not_authorized(caller: &Caller, action: &str, role_arn: &str) -> IamError {
    IamError::AccessDenied(format!(
        "User: {} is not authorized to perform: {action} on resource: {role_arn}",
        caller.arn()
    ))
}

/// The policy kind the caller's own identity policies are found under, and its ARN there.
fn kind_of(caller: &Caller) -> PrincipalKind {
    match caller.principal {
        Principal::AssumedRole { .. } => PrincipalKind::AssumedRole,
        _ => PrincipalKind::User,
    }
}

/// The condition keys of the request: the global ones (the caller's principal keys among them:
/// its session's tags and source identity), and AssumeRole's own (`sts:*`, request tags).
fn conditions(
    iam: &Iam,
    caller: &Caller,
    input: &AssumeRole,
    tags: &[(String, String)],
) -> Conditions {
    let mut c = Conditions::new();
    crate::authz::global_keys(iam, caller, &caller.region, &mut c, None);
    c.insert("sts:RoleSessionName", input.session_name.as_str());
    if let Some(e) = &input.external_id {
        c.insert("sts:ExternalId", e.as_str());
    }
    if let Some(s) = &input.source_identity {
        c.insert("sts:SourceIdentity", s.as_str());
    }
    for (k, v) in tags {
        c.insert(&format!("aws:RequestTag/{k}"), v.as_str());
    }
    for k in tags.iter().map(|(k, _)| k) {
        c.append("aws:TagKeys", k.as_str());
    }
    for k in &input.transitive_tag_keys {
        c.append("sts:TransitiveTagKeys", k.as_str());
    }
    c
}

/// The session's tags: the request's, then the transitive ones a chained session inherits.
/// Keys are unique without regard to case, as AWS requires.
fn session_tags(caller: &Caller, input: &AssumeRole) -> IamResult<(Tags, Vec<String>)> {
    let mut tags = input.tags.clone();
    for (i, (k, _)) in tags.iter().enumerate() {
        if tags[..i].iter().any(|(o, _)| o.eq_ignore_ascii_case(k)) {
            return Err(IamError::InvalidParameterValue(
                "Duplicate tag keys found. Please note that Tag keys are case insensitive.".into(),
            ));
        }
    }
    let mut transitive = input.transitive_tag_keys.clone();
    if let Some(s) = &caller.session {
        for key in &s.transitive_tag_keys {
            let Some((k, v)) = s.tags.iter().find(|(k, _)| k == key) else {
                continue;
            };
            if tags.iter().any(|(o, _)| o.eq_ignore_ascii_case(k)) {
                return Err(IamError::InvalidParameterValue(format!(
                    "Cannot set the tag {k}: it is a transitive tag of the calling session."
                )));
            }
            tags.push((k.clone(), v.clone()));
            transitive.push(k.clone());
        }
    }
    Ok((tags, transitive))
}

/// The session policies' documents: `Policy`, then each of `PolicyArns`' default version.
async fn session_policies(iam: &Iam, input: &AssumeRole) -> IamResult<Vec<String>> {
    let mut docs = Vec::new();
    if let Some(p) = &input.policy {
        Policy::parse_as(p, PolicyKind::Identity)
            .map_err(|e| IamError::MalformedPolicyDocument(e.message))?;
        docs.push(p.clone());
    }
    for arn in &input.policy_arns {
        let found = arn
            .strip_prefix("arn:aws:iam::")
            .and_then(|r| r.split_once(":policy/"))
            .map(|(account, path)| {
                let name = path.rsplit('/').next().unwrap_or(path);
                (account.to_string(), name.to_string())
            });
        let doc = match found {
            Some((account, name)) => iam.read(move |c| {
                let Some(p) = model::policies::get_policy(c, &account, &name)? else {
                    return Ok(None);
                };
                let versions = model::policies::versions(c, &account, &name, p.default_version)?;
                Ok(versions
                    .into_iter()
                    .find(|v| v.default)
                    .and_then(|v| v.document))
            })?,
            None => None,
        };
        match doc {
            Some(d) => docs.push(d),
            None => {
                return Err(IamError::InvalidParameterValue(format!(
                    "The policy {arn} does not exist or is not attachable."
                )))
            }
        }
    }
    Ok(docs)
}

/// Whether `caller` may perform `action` on `role` under its trust policy.
fn trusted(
    iam: &Iam,
    caller: &Caller,
    role: &Role,
    role_account: &str,
    action: &str,
    conds: &Conditions,
) -> IamResult<bool> {
    let trust = trust_policy(&role.trust_policy)?;
    let arn = caller.arn();
    let own = iam.identities.get(&caller.identity_arn());
    let session = caller
        .access_key
        .as_deref()
        .filter(|_| matches!(caller.principal, Principal::AssumedRole { .. }))
        .and_then(|k| iam.identities.session(k));
    let req = RequestContext::new(&arn, kind_of(caller), action, &role.arn, conds)
        .for_session(caller.role_arn(), session.as_deref());
    let id: Vec<&Policy> = own.as_deref().into_iter().collect();
    // Unlike most resource policies, a trust policy is never bypassed by an identity policy of
    // the role's own account: AWS decides it as it decides a key policy (no grants here).
    Ok(authorize_key(&req, &trust, &id, role_account, false) == Decision::Allow)
}

/// AssumeRole.
pub async fn assume_role(iam: &Iam, caller: &Caller, input: &AssumeRole) -> IamResult<StsOutput> {
    // Any temporary credentials count: a role session's, and GetSessionToken's too.
    let chained = caller.session.is_some();
    match caller.principal {
        Principal::User { .. } | Principal::AssumedRole { .. } => {}
        Principal::Root => {
            return Err(IamError::AccessDenied(
                "Roles may not be assumed by root accounts.".into(),
            ))
        }
        _ => return Err(not_authorized(caller, "sts:AssumeRole", &input.role_arn)),
    }
    let Some((role_account, role_name)) = role_of_arn(&input.role_arn) else {
        return Err(IamError::Validation(format!(
            "{} is invalid",
            input.role_arn
        )));
    };
    let (account, name) = (role_account.to_string(), role_name.to_string());
    let role = iam.read(move |c| Ok(model::entities::get_role(c, &account, &name)?))?;
    let role = role
        .filter(|r| r.arn == input.role_arn)
        .ok_or_else(|| not_authorized(caller, "sts:AssumeRole", &input.role_arn))?;
    let (tags, transitive_tag_keys) = session_tags(caller, input)?;
    let inherited_source = caller
        .session
        .as_ref()
        .and_then(|s| s.source_identity.clone());
    if let (Some(had), Some(asked)) = (&inherited_source, &input.source_identity) {
        if had != asked {
            return Err(IamError::AccessDenied(format!(
                "The source identity {had} of the calling session cannot be changed."
            )));
        }
    }
    let conds = conditions(iam, caller, input, &input.tags);
    let mut actions = vec!["sts:AssumeRole"];
    if !input.tags.is_empty() || !input.transitive_tag_keys.is_empty() {
        actions.push("sts:TagSession");
    }
    if input.source_identity.is_some() {
        actions.push("sts:SetSourceIdentity");
    }
    for action in actions {
        if !trusted(iam, caller, &role, role_account, action, &conds)? {
            return Err(not_authorized(caller, action, &role.arn));
        }
    }
    if input.serial_number.is_some() {
        return Err(mfa_failed());
    }
    let max = if chained {
        CHAINED_MAX
    } else {
        role.max_session
    };
    let seconds = input.duration.unwrap_or(3_600);
    if seconds > max {
        return Err(IamError::Validation(if chained {
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.".into()
        } else {
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.".into()
        }));
    }
    let policies = session_policies(iam, input).await?;
    let packed = (input.policy.is_some() || !input.policy_arns.is_empty() || !tags.is_empty())
        .then(|| {
            let size = input.policy.as_deref().map_or(0, str::len)
                + input.policy_arns.iter().map(String::len).sum::<usize>()
                + tags.iter().map(|(k, v)| k.len() + v.len()).sum::<usize>();
            size.saturating_mul(100).div_ceil(PACKED_LIMIT) as u32
        });
    let now = iam.clock.now();
    let source_identity = inherited_source.or_else(|| input.source_identity.clone());
    let principal = Principal::AssumedRole {
        role: role.name.clone(),
        session: input.session_name.clone(),
    };
    let credentials = store(
        iam,
        NewSession {
            account: role_account.to_string(),
            principal,
            session: Session {
                created: now,
                expires: now + time::Duration::seconds(i64::from(seconds)),
                mfa: false,
                issuer: Some(SessionIssuer {
                    arn: role.arn.clone(),
                    id: role.id.clone(),
                    name: role.name.clone(),
                }),
                source_identity: source_identity.clone(),
                tags,
                transitive_tag_keys,
            },
            policies,
            chained,
        },
    )
    .await?;
    Ok(StsOutput::AssumedRole {
        credentials,
        arn: format!(
            "arn:aws:sts::{role_account}:assumed-role/{}/{}",
            role.name, input.session_name
        ),
        assumed_role_id: format!("{}:{}", role.id, input.session_name),
        role_account: role_account.to_string(),
        role_arn: role.arn,
        packed_policy_size: packed,
        source_identity,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arns_name_account_and_role() {
        assert_eq!(
            role_of_arn("arn:aws:iam::111122223333:role/team/ops"),
            Some(("111122223333", "ops"))
        );
        assert_eq!(
            role_of_arn("arn:aws:iam::111122223333:role/ops"),
            Some(("111122223333", "ops"))
        );
        assert_eq!(role_of_arn("arn:aws:iam::111122223333:user/ops"), None);
        assert_eq!(role_of_arn("ops"), None);
    }
}
