//! Authorization of every S3 call, in one place, before its handler runs: the permissions the
//! operation needs ([`targets`]), the condition keys of the request ([`conditions`]), the
//! bucket's owner, parsed policy, ACL and Block Public Access ([`cache`]), the caller's
//! identity policies, what ACL grants allow ([`acl`]), and
//! [`trailstack_policy::authorize_outcome`] to combine them as AWS does. Handlers no longer
//! decide who may act; they only find the bucket.
//!
//! The resource side, as S3 evaluates it
//! (<https://docs.aws.amazon.com/AmazonS3/latest/userguide/how-s3-evaluates-access-control.html>):
//! - The bucket policy allows and denies; RestrictPublicBuckets drops a public policy's allows
//!   for callers outside the owner's account and AWS services.
//! - While Object Ownership enables ACLs, the bucket ACL (list, write, its own ACL) and the
//!   object's ACL (read, its own ACL) allow like the bucket policy; IgnorePublicAcls drops
//!   grants to the public groups.
//! - An object another account owns (ObjectWriter) is that account's resource: the bucket
//!   policy can only deny on it, its ACL allows, and its owner's account acts as in its own.
//! - Anonymous callers have no identity policies: only the resource side can allow them.
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

mod acl;
pub mod cache;
mod conditions;
mod targets;
#[cfg(test)]
mod tests_denials;
#[cfg(test)]
mod tests_routing;

pub use targets::{new_object, targets, Target};

use crate::error::{S3Error, S3Result};
use crate::model::objects::{self, ObjectVersion};
use crate::op::{ExpectedOwners, Op};
use crate::S3;
use trailstack_core::{Caller, Principal};
use trailstack_policy::{
    add_caller_keys, authorize_outcome, Conditions, Decision, Match, Outcome, Policy,
    PrincipalKind, Reads, RequestContext,
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
        Principal::AssumedRole { .. } => PrincipalKind::AssumedRole,
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

/// The keys of a multi-object delete the caller may not delete, by position in its list: S3
/// authorizes `s3:DeleteObject` per key and reports each refused key as its own
/// `AccessDenied`, deleting the others. Empty for every other operation, which its first
/// refused permission fails.
pub type Refused = Vec<usize>;

/// What authorization found besides its verdict.
#[derive(Debug, Default)]
pub struct Authorized {
    /// See [`Refused`].
    pub refused: Refused,
    /// Whether an ACL grant was needed: without the ACLs the request would have been denied
    /// (the access log's "ACL Required" field).
    pub acl_required: bool,
}

/// Checks that the buckets `op` acts on belong to the accounts the request `expected`, then
/// every permission `op` needs for `caller`; the first refused one fails the call with
/// `AccessDenied`, except the keys of a DeleteObjects, which are refused one by one.
pub fn check<'a>(
    s3: &'a S3,
    caller: &'a Caller,
    op: &'a Op,
    expected: &'a ExpectedOwners,
) -> impl std::future::Future<Output = S3Result<Authorized>> + Send + 'a {
    let per_key = matches!(op, Op::DeleteObjects { .. });
    let (targets, facts) = (targets(op), conditions::Facts::of(op));
    async move {
        check_expected_owners(s3, &targets, expected).await?;
        check_targets(s3, caller, targets, facts, per_key).await
    }
}

/// `AccessDenied` when a bucket the request names belongs to another account than the one it
/// expects (a missing bucket is left to the handler's `NoSuchBucket`).
/// <https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-owner-condition.html>
async fn check_expected_owners(
    s3: &S3,
    targets: &[Target<'_>],
    expected: &ExpectedOwners,
) -> S3Result<()> {
    for t in targets {
        let want = if t.copy_source {
            &expected.source
        } else {
            &expected.bucket
        };
        let (Some(want), Some(bucket), false) = (want, t.bucket, t.creates) else {
            continue;
        };
        if let Some(auth) = s3.bucket_policies.get(s3, bucket).await? {
            if auth.account != *want {
                return Err(S3Error::AccessDenied("Access Denied".into()));
            }
        }
    }
    Ok(())
}

async fn check_targets(
    s3: &S3,
    caller: &Caller,
    targets: Vec<Target<'_>>,
    facts: conditions::Facts<'_>,
    per_key: bool,
) -> S3Result<Authorized> {
    let mut arn: Option<String> = None;
    let mut found = Authorized::default();
    for (i, t) in targets.iter().enumerate() {
        match check_target(s3, caller, t, &facts, &mut arn).await {
            Ok(by_acl) => found.acl_required |= by_acl,
            Err(S3Error::AccessDenied(_)) if per_key => found.refused.push(i),
            Err(e) => return Err(e),
        }
    }
    Ok(found)
}

/// Whether `caller` may `action` on `bucket` (or its object `key`, version `version_id`): a
/// permission a handler needs only in some cases (`s3:BypassGovernanceRetention` when a lock
/// is in the way), checked like any other.
pub async fn permits(
    s3: &S3,
    caller: &Caller,
    action: &'static str,
    bucket: &str,
    key: Option<&str>,
    version_id: Option<&str>,
) -> S3Result<bool> {
    let t = Target {
        action,
        bucket: Some(bucket),
        key,
        version_id,
        creates: false,
        copy_source: false,
        upload_id: None,
    };
    let facts = conditions::Facts::default();
    match check_target(s3, caller, &t, &facts, &mut None).await {
        Ok(_) => Ok(true),
        Err(S3Error::AccessDenied(_)) => Ok(false),
        Err(e) => Err(e),
    }
}

/// The actions that remove an object: S3 authorizes them in the bucket's context (the bucket
/// owner may delete any object, whoever owns it).
const DELETES: [&str; 2] = ["s3:DeleteObject", "s3:DeleteObjectVersion"];

/// Checks one permission; `Ok(true)` when only an ACL grant allowed it.
async fn check_target(
    s3: &S3,
    caller: &Caller,
    t: &Target<'_>,
    facts: &conditions::Facts<'_>,
    arn: &mut Option<String>,
) -> S3Result<bool> {
    let auth = match t.bucket {
        Some(b) if !t.creates => match s3.bucket_policies.get(s3, b).await? {
            Some(a) => Some(a),
            None => return Ok(false),
        },
        _ => None,
    };
    let auth = auth.as_deref();
    let account = auth.map_or(caller.account.as_str(), |a| a.account.as_str());
    let bucket_policy = auth.and_then(|a| a.policy.as_deref());
    // An unsigned caller belongs to no account, whatever placeholder its `Caller` carries.
    let own_account =
        caller.principal != Principal::Anonymous && account == caller.account.as_str();
    let bucket_acl = auth.and_then(|a| a.acl.as_deref());
    let existing = t.key.is_some() && (facts.existing_object || t.copy_source);
    // With ACLs enabled an existing object may belong to another account, whose permission
    // (its ACL) the request then needs instead of the bucket policy's.
    let object_scope = bucket_acl.is_some() && existing && !DELETES.contains(&t.action);
    let root_at_home = caller.principal == Principal::Root && own_account;
    // The hot path: an account's root in its own bucket, with no bucket policy that could
    // deny and no object another account could own, has every right; nothing to build or
    // evaluate.
    if root_at_home && bucket_policy.is_none() && !object_scope {
        return Ok(false);
    }
    // The owner's root keeps its bucket-policy rights even against a Deny, so that it
    // cannot lock itself out (PutBucketPolicy, "Permissions").
    if root_at_home && POLICY_ACTIONS.contains(&t.action) {
        return Ok(false);
    }
    let arn = arn.get_or_insert_with(|| caller.arn()).as_str();
    let identity = match caller.principal {
        Principal::User { .. } => s3.identities.get(arn),
        Principal::AssumedRole { .. } => s3.identities.get(&caller.identity_arn()),
        _ => None,
    };
    let identity = identity.as_deref();
    let session_policy = match (&caller.principal, &caller.access_key) {
        (Principal::AssumedRole { .. }, Some(key)) => s3.identities.session(key),
        _ => None,
    };
    let resource = resource_of(t);
    // Only the keys the two policies read: the decision cannot depend on the others.
    let record = match caller.principal {
        Principal::User { .. } => s3.identities.record(arn),
        Principal::AssumedRole { .. } => s3.identities.record(&caller.identity_arn()),
        _ => None,
    };
    let record = record.as_deref();
    let boundary = record.and_then(|r| r.boundary.as_deref());
    let reads = Reads::of(identity, bucket_policy)
        .and_boundary(boundary)
        .with_session(session_policy.as_deref());
    let mut conds = Conditions::new();
    let now = s3.clock.now();
    add_caller_keys(
        &mut conds,
        Some(&reads),
        caller,
        arn,
        record,
        &caller.region,
        now,
    );
    conditions::add_s3(&mut conds, &reads, caller, facts, t);
    conditions::add_remaining_retention(&mut conds, &reads, facts, now);
    let grantable = bucket_acl.and_then(|_| acl::grantable(t.action));
    let wants_tags = existing && reads.prefix("s3:ExistingObjectTag/");
    let wants_object = object_scope || matches!(grantable, Some((acl::Scope::Object, _)));
    let object = if wants_tags || wants_object {
        existing_object(s3, t).await?
    } else {
        None
    };
    if wants_tags {
        let tags = object.as_ref().map(|o| o.meta.tags.as_slice());
        conditions::add_existing_tags(&mut conds, tags.unwrap_or_default());
    }
    let mut req = RequestContext::new(arn, kind_of(&caller.principal), t.action, &resource, &conds)
        .for_session(caller.role_arn(), session_policy.as_deref());
    req.boundary = boundary;
    if caller.is_account_identity() {
        req.canonical_id = Some(caller.canonical_id.as_str());
    }
    let mut res = bucket_policy.map(|p| p.outcome(&req)).unwrap_or_default();
    let mut resource_account = account;
    // What the policies alone say, when ACLs add their grants to it.
    let mut without_acl = None;
    if let Some(a) = auth {
        // RestrictPublicBuckets: a public policy opens the bucket only to AWS services and
        // the owner's account.
        let inside = matches!(caller.principal, Principal::Service(_))
            || (own_account && caller.is_account_identity());
        if a.public_access_block.restrict_public_buckets && a.policy_public && !inside {
            res.allow_direct = false;
            res.allow_via_account = false;
        }
        let foreign_owner = object
            .as_ref()
            .filter(|o| object_scope && o.meta.owner.id != a.owner_id)
            .map(|o| o.meta.owner.id.as_str());
        if let Some(object_owner) = foreign_owner {
            // The bucket policy speaks for the bucket owner: it can deny, not allow, on an
            // object another account owns, which is that account's resource.
            res.allow_direct = false;
            res.allow_via_account = false;
            let signed = caller.is_account_identity();
            resource_account = if signed && caller.canonical_id == object_owner {
                caller.account.as_str()
            } else {
                ""
            };
        }
        if let (Some(grants), Some((scope, permissions))) = (bucket_acl, grantable) {
            let ignore_public = a.public_access_block.ignore_public_acls;
            let by_acl = match (scope, &object) {
                (acl::Scope::Bucket, _) => {
                    acl::outcome(grants, &a.owner_id, permissions, caller, ignore_public)
                }
                (acl::Scope::Object, Some(o)) => acl::outcome(
                    &o.meta.acl,
                    &o.meta.owner.id,
                    permissions,
                    caller,
                    ignore_public,
                ),
                (acl::Scope::Object, None) => Outcome::default(),
            };
            without_acl = Some(res);
            res.allow_direct |= by_acl.allow_direct;
            res.allow_via_account |= by_acl.allow_via_account;
        }
    }
    if let Some(upload_id) = t.upload_id {
        let initiator = initiated_by(s3, t, upload_id, caller).await?;
        res.allow_direct |= initiator;
        if let Some(w) = without_acl.as_mut() {
            w.allow_direct |= initiator;
        }
    }
    let identity: Vec<&Policy> = identity.into_iter().collect();
    let decision = authorize_outcome(&req, &identity, res, resource_account);
    if !decision.is_allowed() {
        let by_resource = bucket_policy.is_some_and(|p| p.evaluate(&req) == Match::Deny);
        return Err(denied(&req, decision, own_account, by_resource));
    }
    Ok(without_acl.is_some_and(|w| {
        w != res && !authorize_outcome(&req, &identity, w, resource_account).is_allowed()
    }))
}

/// Whether `caller` initiated the multipart upload `upload_id` of `t`'s object, or is the
/// root of the account whose user did: S3 lets them abort it and list its parts by default,
/// beside the bucket owner ("Multipart upload API and permissions").
async fn initiated_by(s3: &S3, t: &Target<'_>, upload_id: &str, caller: &Caller) -> S3Result<bool> {
    let (Some(bucket), Some(key)) = (t.bucket, t.key) else {
        return Ok(false);
    };
    if !caller.is_account_identity() {
        return Ok(false);
    }
    let (b, k, u) = (bucket.to_string(), key.to_string(), upload_id.to_string());
    let initiator = s3
        .read(
            move |c| match crate::model::uploads::require(c, &b, &k, &u) {
                Ok(up) => Ok(up.meta.written_by),
                Err(S3Error::NoSuchUpload(_)) => Ok(None),
                Err(e) => Err(e),
            },
        )
        .await?;
    Ok(initiator.is_some_and(|w| {
        w.principal == caller.arn()
            || (caller.principal == Principal::Root && w.account == caller.account.as_str())
    }))
}

/// The object (or version) `t` acts on, if it exists.
async fn existing_object(s3: &S3, t: &Target<'_>) -> S3Result<Option<ObjectVersion>> {
    let (Some(bucket), Some(key)) = (t.bucket, t.key) else {
        return Ok(None);
    };
    let (b, k, v) = (
        bucket.to_string(),
        key.to_string(),
        t.version_id.map(str::to_string),
    );
    s3.read(move |c| match &v {
        Some(v) => objects::version(c, &b, &k, v),
        None => objects::latest(c, &b, &k),
    })
    .await
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

/// The bucket whose owner, policy, ACL, ownership controls or Block Public Access `op` may
/// change: its cached facts are dropped once the call is over, whatever its outcome.
pub fn changes_bucket(op: &Op) -> Option<String> {
    match op {
        Op::CreateBucket { bucket, .. }
        | Op::DeleteBucket { bucket }
        | Op::PutBucketPolicy { bucket, .. }
        | Op::DeleteBucketPolicy { bucket }
        | Op::PutBucketAcl { bucket, .. }
        | Op::PutBucketOwnershipControls { bucket, .. }
        | Op::DeleteBucketOwnershipControls { bucket }
        | Op::PutPublicAccessBlock { bucket, .. }
        | Op::DeletePublicAccessBlock { bucket }
        | Op::PutBucketLogging { bucket, .. } => Some(bucket.clone()),
        _ => None,
    }
}

/// The caller an unsigned request is recorded as: S3 delivers such records to the bucket
/// owner's account, so the record carries that account; with no bucket to own it (ListBuckets,
/// CreateBucket, a bucket that does not exist) the request is recorded nowhere.
pub fn anonymous_record<'a>(
    s3: &'a S3,
    caller: &'a Caller,
    op: &Op,
) -> impl std::future::Future<Output = S3Result<Option<Caller>>> + Send + 'a {
    // Read before any await: an `Op` holds the body stream, which is not shared across threads.
    let bucket = targets(op)
        .first()
        .filter(|t| !t.creates)
        .and_then(|t| t.bucket)
        .map(str::to_string);
    async move {
        let Some(bucket) = bucket else {
            return Ok(None);
        };
        let Some(auth) = s3.bucket_policies.get(s3, &bucket).await? else {
            return Ok(None);
        };
        let Ok(account) = trailstack_core::AccountId::parse(&auth.account) else {
            return Ok(None);
        };
        Ok(Some(Caller {
            account,
            ..caller.clone()
        }))
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

/// The bucket and key of a read of the current version of a key (GetObject, HeadObject).
pub fn key_read(op: &Op) -> Option<(String, String)> {
    match op {
        Op::GetObject(i) | Op::HeadObject(i) if i.version_id.is_none() => {
            Some((i.obj.bucket.clone(), i.obj.key.clone()))
        }
        _ => None,
    }
}

/// The refusal of a read of a key that does not exist: S3 answers it by whether the caller
/// may list the bucket (404 if so, else 403; GetObject, "Permissions"), so it becomes
/// `NoSuchKey`, which [`hide_missing_key`] turns back into `AccessDenied` for a caller who
/// may not list. Without this, a missing object (which has no ACL to grant the read) in a
/// bucket whose ACL lets everyone list would answer 403 where S3 answers 404.
pub async fn refused_read(s3: &S3, read: Option<(String, String)>, denied: S3Error) -> S3Error {
    let Some((bucket, key)) = read.filter(|_| matches!(denied, S3Error::AccessDenied(_))) else {
        return denied;
    };
    let k = key.clone();
    match s3.read(move |c| objects::latest(c, &bucket, &k)).await {
        Ok(None) => S3Error::NoSuchKey(key),
        Ok(Some(v)) if v.delete_marker => S3Error::NoSuchKey(key),
        _ => denied,
    }
}

/// `err` as the caller may see it: a `NoSuchKey` on `bucket` becomes the `AccessDenied` of
/// `s3:ListBucket` when the caller may not list the key (a listing whose `s3:prefix` is the
/// key, so a grant of the key's prefix is enough).
pub async fn hide_missing_key(s3: &S3, caller: &Caller, bucket: String, err: S3Error) -> S3Error {
    let S3Error::NoSuchKey(key) = &err else {
        return err;
    };
    let listing = Op::ListObjects(crate::op::ListObjectsInput {
        bucket,
        prefix: key.clone(),
        max_keys: 1000,
        ..Default::default()
    });
    let anyone = ExpectedOwners::default();
    match check(s3, caller, &listing, &anyone).await {
        Ok(_) => err,
        Err(denied) => denied,
    }
}

#[cfg(test)]
mod cost;
