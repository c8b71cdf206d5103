//! Authorization of every S3 call, in one place, before its handler runs: the permissions the
//! operation needs ([`targets`]), the condition keys of the request ([`conditions`]), the
//! bucket's owner and parsed policy ([`cache`]), the caller's identity policies, and
//! [`trailstack_policy::authorize`] to combine them as AWS does. Handlers no longer decide who
//! may act; they only find the bucket.
//!
//! Choices (AWS documents the evaluation, not every ordering):
//! - A missing bucket is not authorized against: the handler answers `NoSuchBucket` to anyone,
//!   as S3 does for a bucket name that no account owns.
//! - A GetObject/HeadObject of a missing key answers `AccessDenied` instead of `NoSuchKey`
//!   when the caller may not `s3:ListBucket`, as S3 documents for GetObject.
//! - Messages: same-account denials carry S3's detailed sentence (`User: <arn> is not
//!   authorized to perform: s3:GetObject on resource: "<arn>" because no identity-based policy
//!   allows the s3:GetObject action`); cross-account, service and anonymous callers get the
//!   plain `Access Denied`, as S3 gives only same-account callers the context.
//!   <https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshoot-403-errors.html>
//! - Internal calls S3 makes to KMS are authorized by KMS, not again here.

pub mod cache;
mod conditions;
mod targets;

pub use targets::{targets, Target};

use crate::error::{S3Error, S3Result};
use crate::model::objects;
use crate::op::Op;
use crate::S3;
use trailstack_core::{Caller, Principal};
use trailstack_policy::{
    authorize, Conditions, Decision, Match, Policy, PrincipalKind, Reads, RequestContext,
};

/// What the bucket owner's root may always do.
/// <https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketPolicy.html>
const POLICY_ACTIONS: [&str; 3] = [
    "s3:GetBucketPolicy",
    "s3:PutBucketPolicy",
    "s3:DeleteBucketPolicy",
];

/// The policy crate's kind for `principal`.
fn kind_of(principal: &Principal) -> PrincipalKind {
    match principal {
        Principal::Root => PrincipalKind::Root,
        Principal::User { .. } => PrincipalKind::User,
        Principal::Service(_) => PrincipalKind::Service,
        Principal::Anonymous => PrincipalKind::Anonymous,
    }
}

/// The ARN of what `t` acts on: `*`, the bucket, or one object.
fn resource_of(t: &Target) -> String {
    match (t.bucket, t.key) {
        (None, _) => "*".to_string(),
        (Some(b), None) => format!("arn:aws:s3:::{b}"),
        (Some(b), Some(k)) => format!("arn:aws:s3:::{b}/{k}"),
    }
}

/// Checks every permission `op` needs for `caller`; the first refused one fails the call with
/// `AccessDenied`.
pub fn check<'a>(
    s3: &'a S3,
    caller: &'a Caller,
    op: &'a Op,
) -> impl std::future::Future<Output = S3Result<()>> + Send + 'a {
    check_targets(s3, caller, targets(op), conditions::Facts::of(op))
}

async fn check_targets(
    s3: &S3,
    caller: &Caller,
    targets: Vec<Target<'_>>,
    facts: conditions::Facts<'_>,
) -> S3Result<()> {
    let mut arn: Option<String> = None;
    for t in targets {
        let auth = match t.bucket {
            Some(b) if !t.creates => match s3.bucket_policies.get(s3, b).await? {
                Some(a) => Some(a),
                None => continue,
            },
            _ => None,
        };
        let account = auth
            .as_ref()
            .map_or(caller.account.as_str(), |a| a.account.as_str());
        let bucket_policy = auth.as_ref().and_then(|a| a.policy.as_deref());
        let own_account = account == caller.account.as_str();
        // The hot path: an account's root in its own bucket, with no bucket policy that could
        // deny, has every right; nothing to build or evaluate.
        if caller.principal == Principal::Root && own_account && bucket_policy.is_none() {
            continue;
        }
        // The owner's root keeps its bucket-policy rights even against a Deny, so that it
        // cannot lock itself out (PutBucketPolicy, "Permissions").
        if caller.principal == Principal::Root && own_account && POLICY_ACTIONS.contains(&t.action)
        {
            continue;
        }
        let arn = arn.get_or_insert_with(|| caller.arn()).as_str();
        let identity = match caller.principal {
            Principal::User { .. } => s3.identities.get(arn),
            _ => None,
        };
        let resource = resource_of(&t);
        // Only the keys the two policies read: the decision cannot depend on the others.
        let reads = Reads::of(identity, bucket_policy);
        let mut conds = Conditions::new();
        conditions::global(&mut conds, &reads, caller, &*s3.clock);
        conditions::add_s3(&mut conds, &reads, caller, &facts, &t);
        let existing = t.key.is_some() && (facts.existing_object || t.copy_source);
        if existing && reads.prefix("s3:ExistingObjectTag/") {
            let tags = existing_tags(s3, &t).await?;
            conditions::add_existing_tags(&mut conds, &tags);
        }
        let mut req =
            RequestContext::new(arn, kind_of(&caller.principal), t.action, &resource, &conds);
        if matches!(caller.principal, Principal::Root | Principal::User { .. }) {
            req.canonical_id = Some(caller.canonical_id.as_str());
        }
        let identity: Vec<&Policy> = identity.into_iter().collect();
        let decision = authorize(&req, &identity, bucket_policy, account);
        if !decision.is_allowed() {
            let by_resource = bucket_policy.is_some_and(|p| p.evaluate(&req) == Match::Deny);
            return Err(denied(&req, decision, own_account, by_resource));
        }
    }
    Ok(())
}

/// The tags of the object (or version) `t` acts on; none when it does not exist.
async fn existing_tags(s3: &S3, t: &Target<'_>) -> S3Result<Vec<(String, String)>> {
    let (Some(bucket), Some(key)) = (t.bucket, t.key) else {
        return Ok(Vec::new());
    };
    let (b, k, v) = (
        bucket.to_string(),
        key.to_string(),
        t.version_id.map(str::to_string),
    );
    let found = s3
        .read(move |c| match &v {
            Some(v) => objects::version(c, &b, &k, v),
            None => objects::latest(c, &b, &k),
        })
        .await?;
    Ok(found.map(|o| o.meta.tags).unwrap_or_default())
}

/// The `AccessDenied` of a refused request.
fn denied(
    req: &RequestContext,
    decision: Decision,
    own_account: bool,
    by_resource: bool,
) -> S3Error {
    let detailed = own_account
        && matches!(
            req.principal_kind,
            PrincipalKind::Root | PrincipalKind::User
        );
    if !detailed {
        return S3Error::AccessDenied("Access Denied".into());
    }
    let action = req.action;
    let reason = match (decision, by_resource) {
        (Decision::ExplicitDeny, true) => {
            "with an explicit deny in a resource-based policy".to_string()
        }
        (Decision::ExplicitDeny, false) => {
            "with an explicit deny in an identity-based policy".to_string()
        }
        _ => format!("because no identity-based policy allows the {action} action"),
    };
    let on = if req.resource == "*" {
        String::new()
    } else {
        format!(" on resource: \"{}\"", req.resource)
    };
    S3Error::AccessDenied(format!(
        "User: {} is not authorized to perform: {action}{on} {reason}",
        req.principal_arn
    ))
}

/// The bucket whose owner or policy `op` may change: its cached facts are dropped once the
/// call is over, whatever its outcome.
pub fn changes_bucket(op: &Op) -> Option<String> {
    match op {
        Op::CreateBucket { bucket, .. }
        | Op::DeleteBucket { bucket }
        | Op::PutBucketPolicy { bucket, .. }
        | Op::DeleteBucketPolicy { bucket } => Some(bucket.clone()),
        _ => None,
    }
}

/// The bucket of a read whose missing key S3 reports as `AccessDenied` to callers who may not
/// list the bucket (so that they cannot probe for key names).
pub fn read_of_key(op: &Op) -> Option<String> {
    match op {
        Op::GetObject(i) | Op::HeadObject(i) if i.version_id.is_none() => {
            Some(i.obj.bucket.clone())
        }
        _ => None,
    }
}

/// `err` as the caller may see it: a `NoSuchKey` on `bucket` becomes the `AccessDenied` of
/// `s3:ListBucket` when the caller may not list it.
pub async fn hide_missing_key(s3: &S3, caller: &Caller, bucket: String, err: S3Error) -> S3Error {
    if !matches!(err, S3Error::NoSuchKey(_)) {
        return err;
    }
    match check(s3, caller, &Op::HeadBucket { bucket }).await {
        Ok(()) => err,
        Err(denied) => denied,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req<'a>(
        arn: &'a str,
        kind: PrincipalKind,
        action: &'a str,
        res: &'a str,
        c: &'a Conditions,
    ) -> RequestContext<'a> {
        RequestContext::new(arn, kind, action, res, c)
    }

    #[test]
    fn denial_messages() {
        let c = Conditions::new();
        let alice = "arn:aws:iam::111122223333:user/alice";
        let r = req(
            alice,
            PrincipalKind::User,
            "s3:GetObject",
            "arn:aws:s3:::b/k",
            &c,
        );
        let msg = |e: S3Error| match e {
            S3Error::AccessDenied(m) => m,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            msg(denied(&r, Decision::ImplicitDeny, true, false)),
            "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::b/k\" because no identity-based policy allows the s3:GetObject action"
        );
        assert!(msg(denied(&r, Decision::ExplicitDeny, true, true))
            .ends_with("with an explicit deny in a resource-based policy"));
        assert!(msg(denied(&r, Decision::ExplicitDeny, true, false))
            .ends_with("with an explicit deny in an identity-based policy"));
        // Other accounts, services and anonymous callers learn nothing.
        assert_eq!(
            msg(denied(&r, Decision::ImplicitDeny, false, false)),
            "Access Denied"
        );
        let ct = req(
            "cloudtrail.amazonaws.com",
            PrincipalKind::Service,
            "s3:PutObject",
            "arn:aws:s3:::b/k",
            &c,
        );
        assert_eq!(
            msg(denied(&ct, Decision::ImplicitDeny, false, false)),
            "Access Denied"
        );
        let list = req(alice, PrincipalKind::User, "s3:ListAllMyBuckets", "*", &c);
        assert_eq!(
            msg(denied(&list, Decision::ImplicitDeny, true, false)),
            "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: s3:ListAllMyBuckets because no identity-based policy allows the s3:ListAllMyBuckets action"
        );
    }

    #[test]
    fn resources() {
        let head = Op::HeadBucket { bucket: "b".into() };
        assert_eq!(resource_of(&targets(&head)[0]), "arn:aws:s3:::b");
        let list = Op::ListBuckets {
            prefix: String::new(),
            max_buckets: None,
            continuation: None,
            region: None,
        };
        assert_eq!(resource_of(&targets(&list)[0]), "*");
    }
}

#[cfg(test)]
mod cost;
