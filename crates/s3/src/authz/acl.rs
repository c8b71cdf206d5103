//! What S3 ACL grants allow, as AWS maps ACL permissions to policy actions: which ACL (the
//! bucket's or the object's) can grant an action, and whether a list of grants reaches the
//! caller. An ACL allow counts like a resource-policy allow: a grant to a group (AllUsers,
//! AuthenticatedUsers) reaches the caller directly, a grant to a canonical user reaches its
//! account, whose users still need their identity policies. Pure: the grants are read by the
//! caller of these functions.
//!
//! <https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html#permissions>

use crate::acl::{ALL_USERS, AUTHENTICATED_USERS};
use crate::model::buckets::Grant;
use trailstack_core::{Caller, Principal};
use trailstack_policy::Outcome;

/// Which ACL can grant an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The bucket's ACL.
    Bucket,
    /// The ACL of the object acted on.
    Object,
}

/// The ACL that can grant `action` and the permissions that do; `None` for actions no ACL
/// grants (bucket settings, tagging, multipart listing of parts...).
pub fn grantable(action: &str) -> Option<(Scope, &'static [&'static str])> {
    const READ: &[&str] = &["READ", "FULL_CONTROL"];
    const WRITE: &[&str] = &["WRITE", "FULL_CONTROL"];
    const READ_ACP: &[&str] = &["READ_ACP", "FULL_CONTROL"];
    const WRITE_ACP: &[&str] = &["WRITE_ACP", "FULL_CONTROL"];
    Some(match action {
        "s3:ListBucket" | "s3:ListBucketVersions" | "s3:ListBucketMultipartUploads" => {
            (Scope::Bucket, READ)
        }
        "s3:PutObject" | "s3:DeleteObject" => (Scope::Bucket, WRITE),
        "s3:GetBucketAcl" => (Scope::Bucket, READ_ACP),
        "s3:PutBucketAcl" => (Scope::Bucket, WRITE_ACP),
        "s3:GetObject" | "s3:GetObjectVersion" => (Scope::Object, READ),
        "s3:GetObjectAcl" | "s3:GetObjectVersionAcl" => (Scope::Object, READ_ACP),
        "s3:PutObjectAcl" | "s3:PutObjectVersionAcl" => (Scope::Object, WRITE_ACP),
        _ => return None,
    })
}

/// Whether the caller signed its request as an account's principal (AuthenticatedUsers).
fn signed(caller: &Caller) -> bool {
    caller.is_account_identity()
}

/// What `grants` on a resource owned by canonical id `owner` allow `caller` when any of
/// `permissions` is needed. The owner may always read and change the ACL itself; an empty
/// list is the owner's full control alone. With `ignore_public` (IgnorePublicAcls) grants to
/// AllUsers and AuthenticatedUsers count for nothing.
pub fn outcome(
    grants: &[Grant],
    owner: &str,
    permissions: &[&str],
    caller: &Caller,
    ignore_public: bool,
) -> Outcome {
    let mut out = Outcome::default();
    let is_owner = signed(caller) && caller.canonical_id == owner;
    let acp = permissions
        .iter()
        .any(|p| *p == "READ_ACP" || *p == "WRITE_ACP");
    if is_owner && (acp || grants.is_empty()) {
        out.allow_via_account = true;
    }
    for g in grants
        .iter()
        .filter(|g| permissions.contains(&g.permission.as_str()))
    {
        match (g.grantee_type.as_str(), g.grantee.as_str()) {
            ("Group", uri)
                if !ignore_public
                    && (uri == ALL_USERS || (uri == AUTHENTICATED_USERS && signed(caller))) =>
            {
                out.allow_direct = true;
            }
            ("CanonicalUser", id) if signed(caller) && id == caller.canonical_id => {
                out.allow_via_account = true;
            }
            // S3's own log delivery writes as the log delivery group on ACL-enabled targets.
            ("Group", crate::logging::LOG_DELIVERY_GROUP)
                if caller.principal
                    == Principal::Service(crate::logging::LOGGING_PRINCIPAL.into()) =>
            {
                out.allow_direct = true;
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use trailstack_core::AccountId;

    fn caller(principal: Principal, canonical: &str) -> Caller {
        let mut c = Caller::service(
            AccountId::parse("444455556666").unwrap(),
            "x",
            "us-east-1",
            "r".into(),
        );
        c.principal = principal;
        c.canonical_id = canonical.into();
        c.invoked_by = None;
        c
    }

    fn grant(kind: &str, who: &str, permission: &str) -> Grant {
        Grant {
            grantee_type: kind.into(),
            grantee: who.into(),
            display_name: None,
            permission: permission.into(),
        }
    }

    #[test]
    fn permissions_map_to_actions() {
        assert_eq!(grantable("s3:ListBucketVersions").unwrap().0, Scope::Bucket);
        assert_eq!(
            grantable("s3:DeleteObject").unwrap().1,
            ["WRITE", "FULL_CONTROL"]
        );
        assert_eq!(grantable("s3:GetObjectVersion").unwrap().0, Scope::Object);
        assert_eq!(
            grantable("s3:PutObjectAcl").unwrap().1,
            ["WRITE_ACP", "FULL_CONTROL"]
        );
        assert!(grantable("s3:PutBucketPolicy").is_none());
        assert!(grantable("s3:GetObjectTagging").is_none());
    }

    #[test]
    fn grants_reach_callers() {
        let read = grantable("s3:GetObject").unwrap().1;
        let bob = caller(Principal::User { name: "bob".into() }, "B");
        let anon = caller(Principal::Anonymous, "65a011a29cdf8ec533ec3d1ccaae921c");
        let to_b = [grant("CanonicalUser", "B", "READ")];
        let all = [grant("Group", ALL_USERS, "READ")];
        let auth = [grant("Group", AUTHENTICATED_USERS, "FULL_CONTROL")];
        let write_b = [grant("CanonicalUser", "B", "WRITE")];
        let via = Outcome {
            allow_via_account: true,
            ..Default::default()
        };
        let direct = Outcome {
            allow_direct: true,
            ..Default::default()
        };
        assert_eq!(outcome(&to_b, "A", read, &bob, false), via);
        assert_eq!(
            outcome(&write_b, "A", read, &bob, false),
            Outcome::default()
        );
        assert_eq!(outcome(&to_b, "A", read, &anon, false), Outcome::default());
        assert_eq!(outcome(&all, "A", read, &anon, false), direct);
        assert_eq!(outcome(&all, "A", read, &anon, true), Outcome::default());
        assert_eq!(outcome(&auth, "A", read, &bob, false), direct);
        assert_eq!(outcome(&auth, "A", read, &anon, false), Outcome::default());
        // The owner keeps its ACL rights, and an empty ACL is its full control.
        let acp = grantable("s3:PutObjectAcl").unwrap().1;
        assert_eq!(outcome(&all, "B", acp, &bob, false), via);
        assert_eq!(outcome(&[], "B", read, &bob, false), via);
        assert_eq!(outcome(&all, "B", read, &bob, false), direct);
    }
}
