//! Access control lists as S3 keeps them: canned ACLs, who owns a new object and which ACL it
//! starts with (Object Ownership), and which ACLs Block Public Access calls public. What a
//! grant allows is decided in `authz`, never here.
//!
//! <https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html>
//! <https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html>

use crate::accounts::Accounts;
use crate::error::{S3Error, S3Result};
use crate::handlers::owner_of;
use crate::model::buckets::{Bucket, Grant, Owner, PublicAccessBlock};
use crate::op::AclInput;
use trailstack_core::Caller;

/// The group of everyone, anonymous callers included.
pub const ALL_USERS: &str = "http://acs.amazonaws.com/groups/global/AllUsers";
/// The group of every signed caller, from any account.
pub const AUTHENTICATED_USERS: &str = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
/// The group of S3 server access log delivery.
const LOG_DELIVERY: &str = "http://acs.amazonaws.com/groups/s3/LogDelivery";

fn canonical(owner: &Owner, permission: &str) -> Grant {
    Grant {
        grantee_type: "CanonicalUser".into(),
        grantee: owner.id.clone(),
        display_name: Some(owner.display_name.clone()),
        permission: permission.into(),
    }
}

fn group(uri: &str, permission: &str) -> Grant {
    Grant {
        grantee_type: "Group".into(),
        grantee: uri.into(),
        display_name: None,
        permission: permission.into(),
    }
}

/// The grants of canned ACL `acl` for a resource owned by `owner`; for an object,
/// `bucket_owner` is its bucket's owner, whom `bucket-owner-read` and
/// `bucket-owner-full-control` name (on a bucket they mean `private`).
/// <https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html#canned-acl>
pub fn canned_acl(acl: &str, owner: &Owner, bucket_owner: Option<&Owner>) -> S3Result<Vec<Grant>> {
    let mut grants = vec![canonical(owner, "FULL_CONTROL")];
    let other_owner = bucket_owner.filter(|b| b.id != owner.id);
    match acl {
        "private" | "aws-exec-read" => {}
        "bucket-owner-read" => grants.extend(other_owner.map(|b| canonical(b, "READ"))),
        "bucket-owner-full-control" => {
            grants.extend(other_owner.map(|b| canonical(b, "FULL_CONTROL")))
        }
        "public-read" => grants.push(group(ALL_USERS, "READ")),
        "public-read-write" => {
            grants.push(group(ALL_USERS, "READ"));
            grants.push(group(ALL_USERS, "WRITE"));
        }
        "authenticated-read" => grants.push(group(AUTHENTICATED_USERS, "READ")),
        "log-delivery-write" => {
            grants.push(group(LOG_DELIVERY, "WRITE"));
            grants.push(group(LOG_DELIVERY, "READ_ACP"));
        }
        other => {
            return Err(S3Error::InvalidArgument {
                message: format!("Invalid canned ACL {other}"),
                name: "x-amz-acl".into(),
                value: other.into(),
            })
        }
    }
    Ok(grants)
}

/// Whether an ACL grants anything to the AllUsers or AuthenticatedUsers group, which Block
/// Public Access calls public.
/// <https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status>
pub fn is_public(grants: &[Grant]) -> bool {
    grants
        .iter()
        .any(|g| g.grantee_type == "Group" && is_public_group(&g.grantee))
}

/// Whether `uri` is one of the groups that make a grant public.
pub fn is_public_group(uri: &str) -> bool {
    uri == ALL_USERS || uri == AUTHENTICATED_USERS
}

/// Whether `grants` give `owner` full control and nobody anything else: the only ACL a
/// bucket with ACLs disabled accepts.
pub fn owner_only(grants: &[Grant], owner: &Owner) -> bool {
    matches!(grants, [g] if g.grantee == owner.id && g.permission == "FULL_CONTROL")
}

/// Whether the bucket's ACLs take part in access decisions: every Object Ownership setting
/// but `BucketOwnerEnforced` (a bucket without ownership controls is `ObjectWriter`).
pub fn acls_enabled(bucket: &Bucket) -> bool {
    bucket.meta.ownership.as_deref() != Some("BucketOwnerEnforced")
}

/// The bucket's Block Public Access settings; none stored means all off.
pub fn public_access_block(bucket: &Bucket) -> PublicAccessBlock {
    bucket.meta.public_access_block.unwrap_or_default()
}

/// Refuses, with `AccessDenied` as S3 does, a public ACL on a bucket whose Block Public
/// Access blocks public ACLs.
pub fn check_block_public_acls(bucket: &Bucket, grants: &[Grant]) -> S3Result<()> {
    if public_access_block(bucket).block_public_acls && is_public(grants) {
        return Err(S3Error::AccessDenied("Access Denied".into()));
    }
    Ok(())
}

/// The grants a PutBucketAcl or PutObjectAcl sets on a resource of `bucket` owned by `owner`
/// (`for_object`: an object, whose canned ACLs may name the bucket owner); grantees must be
/// `accounts` S3 knows. With ACLs disabled only a bucket-owner-full-control ACL (canned, or
/// as grants) is accepted, and changes nothing (`AccessControlListNotSupported` otherwise,
/// `private` included, as S3 documents); BlockPublicAcls refuses a public ACL.
pub fn requested(
    input: AclInput,
    owner: &Owner,
    bucket: &Bucket,
    for_object: bool,
    accounts: &Accounts,
) -> S3Result<Vec<Grant>> {
    let (grants, owner_alone) = match input {
        AclInput::Canned(c) => {
            let grants = canned_acl(&c, owner, for_object.then_some(&bucket.meta.owner))?;
            (grants, c == "bucket-owner-full-control")
        }
        AclInput::Grants { grants, .. } => {
            let grants = accounts.resolve(grants)?;
            let alone = owner_only(&grants, &bucket.meta.owner);
            (grants, alone)
        }
    };
    if !acls_enabled(bucket) && !owner_alone {
        return Err(S3Error::AccessControlListNotSupported);
    }
    check_block_public_acls(bucket, &grants)?;
    Ok(grants)
}

/// The owner and ACL of an object `caller` writes into `bucket` with canned ACL `canned` or
/// explicit `grants` (never both: the wire layer refuses that) naming `accounts` S3 knows.
///
/// With `BucketOwnerEnforced` the bucket owner owns every object and only no ACL or a
/// bucket-owner-full-control one is accepted (S3 refuses even `private` there); with `BucketOwnerPreferred` the bucket owner owns objects written with
/// `bucket-owner-full-control`; otherwise (and with `ObjectWriter`) the writer owns the object.
/// A service writing for its account (CloudTrail) has no canonical id: the bucket owner owns
/// what it writes.
pub fn new_object(
    caller: &Caller,
    bucket: &Bucket,
    canned: Option<&str>,
    grants: &[Grant],
    accounts: &Accounts,
) -> S3Result<(Owner, Vec<Grant>)> {
    let bucket_owner = &bucket.meta.owner;
    if let Some(c) = canned {
        canned_acl(c, bucket_owner, None)?;
    }
    let grants = accounts.resolve(grants.to_vec())?;
    if !acls_enabled(bucket) {
        let canned_ok = canned.is_none_or(|c| c == "bucket-owner-full-control");
        if !canned_ok || !(grants.is_empty() || owner_only(&grants, bucket_owner)) {
            return Err(S3Error::AccessControlListNotSupported);
        }
        return Ok((bucket_owner.clone(), Vec::new()));
    }
    let preferred = bucket.meta.ownership.as_deref() == Some("BucketOwnerPreferred")
        && canned == Some("bucket-owner-full-control");
    let owner = if preferred || caller.canonical_id.is_empty() {
        bucket_owner.clone()
    } else {
        owner_of(caller)
    };
    let acl = if grants.is_empty() {
        canned_acl(canned.unwrap_or("private"), &owner, Some(bucket_owner))?
    } else {
        grants
    };
    check_block_public_acls(bucket, &acl)?;
    Ok((owner, acl))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::buckets::BucketMeta;
    use trailstack_core::{AccountId, Principal};

    fn owner(id: &str) -> Owner {
        Owner {
            id: id.into(),
            display_name: id.into(),
        }
    }

    fn bucket(ownership: &str, block: bool) -> Bucket {
        Bucket {
            name: "b".into(),
            account: "111122223333".into(),
            region: "us-east-1".into(),
            created_ms: 0,
            versioning: String::new(),
            meta: BucketMeta {
                owner: owner("A"),
                ownership: Some(ownership.into()),
                public_access_block: Some(PublicAccessBlock {
                    block_public_acls: block,
                    ..Default::default()
                }),
                ..Default::default()
            },
        }
    }

    fn writer(canonical: &str) -> Caller {
        let mut c = Caller::service(
            AccountId::parse("444455556666").unwrap(),
            "x",
            "us-east-1",
            "r".into(),
        );
        c.principal = Principal::Root;
        c.canonical_id = canonical.into();
        c.display_name = canonical.into();
        c
    }

    #[test]
    fn canned_object_acls_name_the_bucket_owner() {
        let g = canned_acl("bucket-owner-full-control", &owner("B"), Some(&owner("A"))).unwrap();
        assert_eq!(g.len(), 2);
        assert_eq!(
            (g[1].grantee.as_str(), g[1].permission.as_str()),
            ("A", "FULL_CONTROL")
        );
        let g = canned_acl("bucket-owner-read", &owner("A"), Some(&owner("A"))).unwrap();
        assert_eq!(g.len(), 1, "the owner is the bucket owner: one grant");
        assert!(is_public(
            &canned_acl("public-read", &owner("A"), None).unwrap()
        ));
        assert!(is_public(
            &canned_acl("authenticated-read", &owner("A"), None).unwrap()
        ));
        assert!(!is_public(
            &canned_acl("log-delivery-write", &owner("A"), None).unwrap()
        ));
        assert!(canned_acl("nope", &owner("A"), None).is_err());
    }

    #[test]
    fn who_owns_a_new_object() {
        let none = Accounts::new();
        let b = writer("B");
        let (o, acl) =
            new_object(&b, &bucket("BucketOwnerEnforced", false), None, &[], &none).unwrap();
        assert_eq!((o.id.as_str(), acl.len()), ("A", 0));
        assert_eq!(
            new_object(
                &b,
                &bucket("BucketOwnerEnforced", false),
                Some("public-read"),
                &[],
                &none
            ),
            Err(S3Error::AccessControlListNotSupported)
        );
        let enforced = bucket("BucketOwnerEnforced", false);
        assert_eq!(
            new_object(&b, &enforced, Some("private"), &[], &none),
            Err(S3Error::AccessControlListNotSupported),
            "S3 takes no ACL but bucket-owner-full-control when ACLs are disabled"
        );
        let (o, _) = new_object(&b, &bucket("ObjectWriter", false), None, &[], &none).unwrap();
        assert_eq!(o.id, "B");
        let preferred = bucket("BucketOwnerPreferred", false);
        let (o, acl) = new_object(
            &b,
            &preferred,
            Some("bucket-owner-full-control"),
            &[],
            &none,
        )
        .unwrap();
        assert_eq!((o.id.as_str(), acl.len()), ("A", 1));
        let (o, acl) = new_object(&b, &preferred, Some("bucket-owner-read"), &[], &none).unwrap();
        assert_eq!((o.id.as_str(), acl.len()), ("B", 2));
        // A service writing for its account has no canonical id.
        let (o, _) = new_object(
            &writer(""),
            &bucket("ObjectWriter", false),
            None,
            &[],
            &none,
        )
        .unwrap();
        assert_eq!(o.id, "A");
        assert!(matches!(
            new_object(
                &b,
                &bucket("ObjectWriter", true),
                Some("public-read"),
                &[],
                &none
            ),
            Err(S3Error::AccessDenied(_))
        ));
    }
}
