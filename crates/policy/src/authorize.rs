//! Combining policies into a decision, as AWS documents its evaluation logic: an explicit Deny
//! in any policy wins; within one account an Allow from the identity policies or the resource
//! policy suffices; across accounts both must allow; a service or anonymous caller has no
//! identity policies, so only the resource policy can allow it; the root user has every right
//! in its own account. KMS differs: the key policy is authoritative, identity policies count
//! only where it delegates to the caller's account, grants also allow, and the root user has no
//! implicit right on a key. A permissions boundary caps what the identity policies grant (an
//! explicit deny in it denies); a resource policy naming the principal itself is not capped
//! within its account (docs/aws/iam-authorization.md §5).
//!
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html>
//! <https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html>

use crate::context::{PrincipalKind, RequestContext};
use crate::eval::{Match, Outcome};
use crate::model::Policy;

/// The final answer for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Allowed.
    Allow,
    /// Denied by a Deny statement.
    ExplicitDeny,
    /// Denied because nothing allows it.
    ImplicitDeny,
}

impl Decision {
    /// Whether the request may proceed.
    pub fn is_allowed(self) -> bool {
        self == Decision::Allow
    }
}

/// Whether the principal can hold identity policies at all.
fn has_identity(req: &RequestContext) -> bool {
    matches!(
        req.principal_kind,
        PrincipalKind::Root | PrincipalKind::User | PrincipalKind::AssumedRole
    )
}

/// What a role session's session policies say: `None` on an explicit deny, else whether they
/// allow (a session without them is not limited). AWS grants a session only what both its
/// role's policies (or a resource policy) and its session policies allow.
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session>
fn session_allows(req: &RequestContext) -> Option<bool> {
    match req.session_policy.map(|p| p.evaluate(req)) {
        None => Some(true),
        Some(Match::Deny) => None,
        Some(Match::Allow) => Some(true),
        Some(Match::NotApplicable) => Some(false),
    }
}

/// Folds the identity policies: `None` on an explicit deny, else whether one allows.
fn identity_allows(req: &RequestContext, identity: &[&Policy]) -> Option<bool> {
    if !has_identity(req) {
        return Some(false);
    }
    let mut allowed = false;
    for p in identity {
        match p.evaluate(req) {
            Match::Deny => return None,
            Match::Allow => allowed = true,
            Match::NotApplicable => {}
        }
    }
    Some(allowed)
}

/// Whether the principal's permissions boundary lets its identity policies allow: `None` on
/// an explicit deny in it; `true` without a boundary.
fn boundary_allows(req: &RequestContext) -> Option<bool> {
    match req.boundary.map(|b| b.evaluate(req)) {
        None | Some(Match::Allow) => Some(true),
        Some(Match::Deny) => None,
        Some(Match::NotApplicable) => Some(false),
    }
}

/// Decides a request on a resource owned by `resource_account`, given the caller's identity
/// policies and the resource's policy (bucket policy), as AWS does for S3 and CloudTrail.
///
/// A resource-policy Allow that names the caller's account rather than the caller is a
/// delegation: it allows the account's root, and other principals of that account only when
/// their identity policies allow too.
pub fn authorize(
    req: &RequestContext,
    identity: &[&Policy],
    resource: Option<&Policy>,
    resource_account: &str,
) -> Decision {
    let res = resource.map(|p| p.outcome(req)).unwrap_or_default();
    authorize_outcome(req, identity, res, resource_account)
}

/// [`authorize`] for a resource side the service has already judged: the resource policy's
/// [`Outcome`], possibly merged with other resource-side grants (S3 ACLs allow like a bucket
/// policy) or trimmed by the service's own rules (S3 Block Public Access).
pub fn authorize_outcome(
    req: &RequestContext,
    identity: &[&Policy],
    res: Outcome,
    resource_account: &str,
) -> Decision {
    let Some((id_allow, session_ok)) = caller_side(req, identity, &res) else {
        return Decision::ExplicitDeny;
    };
    let same_account = req.principal_account == Some(resource_account);
    let allowed = match req.principal_kind {
        PrincipalKind::Service | PrincipalKind::Anonymous => res.allow_direct,
        // The root user holds every right of its account: in its own account nothing more is
        // needed, elsewhere it stands as an identity that allows everything.
        PrincipalKind::Root if same_account => session_ok,
        PrincipalKind::Root => session_ok && (res.allow_direct || res.allow_via_account),
        PrincipalKind::User | PrincipalKind::AssumedRole if same_account => {
            session_ok && (id_allow || res.allow_direct)
        }
        PrincipalKind::User | PrincipalKind::AssumedRole => {
            session_ok && id_allow && (res.allow_direct || res.allow_via_account)
        }
    };
    if allowed {
        Decision::Allow
    } else {
        Decision::ImplicitDeny
    }
}

/// The caller's side of a decision both kinds of resource share: whether the identity
/// policies allow within the permissions boundary, and whether the session policies allow;
/// None when the resource side, an identity policy, the boundary or a session policy
/// explicitly denies.
fn caller_side(req: &RequestContext, identity: &[&Policy], res: &Outcome) -> Option<(bool, bool)> {
    if res.deny {
        return None;
    }
    // What the identity policies grant stops at the boundary; a resource policy naming the
    // principal itself grants beside it, within the account.
    let (id_allow, bounded) = (identity_allows(req, identity)?, boundary_allows(req)?);
    Some((id_allow && bounded, session_allows(req)?))
}

/// Decides a request on a KMS key owned by `key_account`: the key policy, the caller's
/// identity policies, and whether a grant on the key allows the operation (`grant_allows`).
///
/// Identity policies allow only where the key policy allows the caller's account (e.g. the
/// default `"AWS": "arn:aws:iam::<account>:root"` statement); they can always deny. Across
/// accounts the key policy must allow the caller (or its account) and the caller's identity
/// policies must allow too. A grant allows unless a policy explicitly denies.
pub fn authorize_key(
    req: &RequestContext,
    key_policy: &Policy,
    identity: &[&Policy],
    key_account: &str,
    grant_allows: bool,
) -> Decision {
    let key: Outcome = key_policy.outcome(req);
    let Some((id_allow, session_ok)) = caller_side(req, identity, &key) else {
        return Decision::ExplicitDeny;
    };
    if grant_allows {
        return Decision::Allow;
    }
    let same_account = req.principal_account == Some(key_account);
    // The root user's identity permissions are implicit, but only the key policy can open
    // the key to it: a root match is always direct, so it never rides on delegation alone.
    let identity_ok = id_allow || req.principal_kind == PrincipalKind::Root;
    let allowed = match req.principal_kind {
        PrincipalKind::Service | PrincipalKind::Anonymous => key.allow_direct,
        PrincipalKind::Root | PrincipalKind::User | PrincipalKind::AssumedRole if same_account => {
            session_ok && (key.allow_direct || (key.allow_via_account && identity_ok))
        }
        PrincipalKind::Root | PrincipalKind::User | PrincipalKind::AssumedRole => {
            session_ok && (key.allow_direct || key.allow_via_account) && identity_ok
        }
    };
    if allowed {
        Decision::Allow
    } else {
        Decision::ImplicitDeny
    }
}
