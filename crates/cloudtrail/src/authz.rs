//! Authorization of every CloudTrail call, before its handler runs: the action is
//! `cloudtrail:<Op>`, the resource the trail the call names (or `*` for calls that name none),
//! and the caller's identity policies decide through [`trailstack_policy::authorize`]. Handlers
//! do not decide who may act; this module does not find trails for them (it only reads a
//! trail's tags when a policy reads `aws:ResourceTag/<k>`).
//!
//! Choices:
//! - The account's root and service principals are allowed: CloudTrail has no resource
//!   policies here, and a root user has every right in its own account.
//! - A trail named by name is the ARN `arn:aws:cloudtrail:<caller region>:<account>:trail/<name>`;
//!   an ARN is taken as given; CreateTrail acts on the ARN the new trail would have.
//! - ListTrails, DescribeTrails, LookupEvents, ListPublicKeys (and selector calls that name
//!   no trail) act on `*`; ListTags on each ARN it names.
//! - Messages follow AWS's `User: <arn> is not authorized to perform: cloudtrail:<Op> on
//!   resource: <arn> because no identity-based policy allows the cloudtrail:<Op> action` (or
//!   `with an explicit deny in an identity-based policy`); `on resource` is left out for `*`.
//!
//! AWS facts: docs/aws/iam-authorization.md §3.

use crate::error::{CloudTrailError, CtResult};
use crate::handlers::{find, names, Access, Scope};
use crate::op::{Op, Tag};
use crate::CloudTrail;
use trailstack_core::{Caller, Principal};
use trailstack_policy::{
    add_caller_keys, authorize, identity_denial, not_authorized, Conditions, Decision, Policy,
    PrincipalKind, Reads, RequestContext,
};

/// One resource a call acts on: its ARN, and the name or ARN to find it by when its tags
/// matter (`None` for `*` and for the trail a CreateTrail makes).
struct Target {
    resource: String,
    existing: Option<String>,
}

/// Checks that `caller` may run `op`; a refusal is `AccessDeniedException`.
pub async fn check(ct: &CloudTrail, caller: &Caller, op: &Op) -> CtResult<()> {
    let kind = match caller.principal {
        Principal::Root | Principal::Service(_) => return Ok(()),
        Principal::User { .. } => PrincipalKind::User,
        Principal::AssumedRole { .. } => PrincipalKind::AssumedRole,
        Principal::Anonymous => PrincipalKind::Anonymous,
    };
    let arn = caller.arn();
    let identity = match kind {
        PrincipalKind::User => ct.identities.get(&arn),
        PrincipalKind::AssumedRole => ct.identities.get(&caller.identity_arn()),
        _ => None,
    };
    let identity = identity.as_deref();
    let session_policy = match (kind, &caller.access_key) {
        (PrincipalKind::AssumedRole, Some(key)) => ct.identities.session(key),
        _ => None,
    };
    let action = format!("cloudtrail:{}", op.name());
    let scope = Scope::of(ct, caller);
    let record = match &caller.principal {
        Principal::User { .. } => ct.identities.record(&arn),
        Principal::AssumedRole { .. } => ct.identities.record(&caller.identity_arn()),
        _ => None,
    };
    let record = record.as_deref();
    let boundary = record.and_then(|r| r.boundary.as_deref());
    let reads = Reads::of(identity, None)
        .and_boundary(boundary)
        .with_session(session_policy.as_deref());
    let mut base = Conditions::new();
    add_caller_keys(
        &mut base,
        Some(&reads),
        caller,
        &arn,
        record,
        &caller.region,
        ct.clock.now(),
    );
    if let Some(tags) = request_tags(op) {
        add_request_tags(&mut base, &reads, tags);
    }
    let id: Vec<&Policy> = identity.into_iter().collect();
    for t in targets(op, &scope) {
        let mut conds = base.clone();
        if let Some(reference) = t.existing.filter(|_| reads.prefix("aws:ResourceTag/")) {
            for tag in existing_tags(ct, &scope, reference).await? {
                conds.insert(
                    &format!("aws:ResourceTag/{}", tag.key),
                    tag.value.unwrap_or_default(),
                );
            }
        }
        let mut req = RequestContext::new(&arn, kind, &action, &t.resource, &conds)
            .for_session(caller.role_arn(), session_policy.as_deref());
        req.boundary = boundary;
        let decision = authorize(&req, &id, None, caller.account.as_str());
        if !decision.is_allowed() {
            return Err(denied(&req, decision));
        }
    }
    Ok(())
}

/// The tags a request sets: CreateTrail's and AddTags' `TagsList`.
fn request_tags(op: &Op) -> Option<&[Tag]> {
    match op {
        Op::CreateTrail(i) => i.tags_list.as_deref(),
        Op::AddTags(i) => i.tags_list.as_deref(),
        _ => None,
    }
}

/// `aws:RequestTag/<k>` and `aws:TagKeys`, where a policy reads them.
fn add_request_tags(c: &mut Conditions, r: &Reads, tags: &[Tag]) {
    if r.prefix("aws:RequestTag/") {
        for t in tags {
            c.insert(
                &format!("aws:RequestTag/{}", t.key),
                t.value.clone().unwrap_or_default(),
            );
        }
    }
    if r.key("aws:TagKeys") {
        c.insert_many("aws:TagKeys", tags.iter().map(|t| t.key.clone()));
    }
}

/// The resources `op` acts on.
fn targets(op: &Op, scope: &Scope) -> Vec<Target> {
    let named = |reference: &str| Target {
        resource: if reference.starts_with("arn:") {
            reference.to_string()
        } else {
            names::trail_arn(&scope.region, &scope.account, reference)
        },
        existing: Some(reference.to_string()),
    };
    let any = || Target {
        resource: "*".to_string(),
        existing: None,
    };
    match op {
        Op::CreateTrail(i) => vec![Target {
            resource: names::trail_arn(&scope.region, &scope.account, &i.name),
            existing: None,
        }],
        Op::UpdateTrail(i) => vec![named(&i.name)],
        Op::DeleteTrail(i)
        | Op::GetTrail(i)
        | Op::GetTrailStatus(i)
        | Op::StartLogging(i)
        | Op::StopLogging(i) => vec![named(&i.name)],
        Op::AddTags(i) | Op::RemoveTags(i) => vec![named(&i.resource_id)],
        Op::ListTags(i) if !i.resource_id_list.is_empty() => {
            i.resource_id_list.iter().map(|r| named(r)).collect()
        }
        Op::PutEventSelectors(i) => vec![named(&i.trail_name)],
        Op::GetEventSelectors(i) | Op::GetInsightSelectors(i) => {
            vec![i.trail_name.as_deref().map_or_else(any, named)]
        }
        Op::PutInsightSelectors(i) => vec![i.trail_name.as_deref().map_or_else(any, named)],
        Op::ListTags(_)
        | Op::DescribeTrails(_)
        | Op::ListTrails(_)
        | Op::LookupEvents(_)
        | Op::ListPublicKeys(_)
        | Op::Unsupported(_) => vec![any()],
    }
}

/// The tags of the trail `reference` names; none when the caller sees no such trail (the
/// handler reports that).
async fn existing_tags(ct: &CloudTrail, scope: &Scope, reference: String) -> CtResult<Vec<Tag>> {
    let scope = scope.clone();
    ct.read(move |c| match find(c, &scope, &reference, Access::Read) {
        Ok(t) => Ok(t.tags),
        Err(e @ CloudTrailError::Internal(_)) => Err(e),
        Err(_) => Ok(Vec::new()),
    })
    .await
}

/// The `AccessDeniedException` of a refused request.
fn denied(req: &RequestContext, decision: Decision) -> CloudTrailError {
    let reason = identity_denial(decision, req.action);
    CloudTrailError::AccessDenied(not_authorized(
        req.principal_arn,
        req.action,
        req.resource,
        &reason,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALICE: &str = "arn:aws:iam::111122223333:user/alice";

    fn scope() -> Scope {
        Scope {
            account: "111122223333".into(),
            region: "eu-west-1".into(),
        }
    }

    fn resources(target: &str, body: &[u8]) -> Vec<String> {
        let op = crate::wire::parse(target, body).unwrap();
        targets(&op, &scope())
            .into_iter()
            .map(|t| t.resource)
            .collect()
    }

    #[test]
    fn names_resolve_in_the_caller_region_and_arns_stay() {
        assert_eq!(
            resources("StopLogging", br#"{"Name":"t"}"#),
            ["arn:aws:cloudtrail:eu-west-1:111122223333:trail/t"]
        );
        let arn = "arn:aws:cloudtrail:us-east-1:111122223333:trail/x";
        assert_eq!(
            resources("DeleteTrail", format!(r#"{{"Name":"{arn}"}}"#).as_bytes()),
            [arn]
        );
        assert_eq!(
            resources("CreateTrail", br#"{"Name":"n","S3BucketName":"b"}"#),
            ["arn:aws:cloudtrail:eu-west-1:111122223333:trail/n"]
        );
        assert_eq!(resources("DescribeTrails", b"{}"), ["*"]);
        assert_eq!(resources("LookupEvents", b"{}"), ["*"]);
    }

    #[test]
    fn request_tags_become_condition_keys() {
        let p = Policy::parse_as(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"cloudtrail:*","Resource":"*",
                "Condition":{"StringEquals":{"aws:RequestTag/env":"dev"},"ForAllValues:StringEquals":{"aws:TagKeys":["env"]}}}}"#,
            trailstack_policy::PolicyKind::Identity,
        )
        .unwrap();
        let op = crate::wire::parse(
            "CreateTrail",
            br#"{"Name":"t","S3BucketName":"b","TagsList":[{"Key":"env","Value":"dev"}]}"#,
        )
        .unwrap();
        let mut c = Conditions::new();
        add_request_tags(
            &mut c,
            &Reads::of(Some(&p), None),
            request_tags(&op).unwrap(),
        );
        assert_eq!(c.get("aws:RequestTag/env").unwrap(), ["dev"]);
        assert_eq!(c.get("aws:TagKeys").unwrap(), ["env"]);
        let req = RequestContext::new(
            ALICE,
            PrincipalKind::User,
            "cloudtrail:CreateTrail",
            "*",
            &c,
        );
        assert_eq!(
            authorize(&req, &[&p], None, "111122223333"),
            Decision::Allow
        );
    }

    #[test]
    fn denial_messages() {
        let c = Conditions::new();
        let msg = |e: CloudTrailError| (e.code(), e.status(), e.message());
        let on = "arn:aws:cloudtrail:us-east-1:111122223333:trail/t";
        let r = RequestContext::new(ALICE, PrincipalKind::User, "cloudtrail:StopLogging", on, &c);
        assert_eq!(
            msg(denied(&r, Decision::ImplicitDeny)),
            (
                "AccessDeniedException",
                400,
                format!("User: {ALICE} is not authorized to perform: cloudtrail:StopLogging on resource: {on} because no identity-based policy allows the cloudtrail:StopLogging action")
            )
        );
        assert!(denied(&r, Decision::ExplicitDeny)
            .message()
            .ends_with("on resource: arn:aws:cloudtrail:us-east-1:111122223333:trail/t with an explicit deny in an identity-based policy"));
        let any = RequestContext::new(ALICE, PrincipalKind::User, "cloudtrail:ListTrails", "*", &c);
        assert_eq!(
            denied(&any, Decision::ImplicitDeny).message(),
            format!("User: {ALICE} is not authorized to perform: cloudtrail:ListTrails because no identity-based policy allows the cloudtrail:ListTrails action")
        );
    }
}
