//! Bucket settings: tagging, policy and its public status, ACL, object ownership, Block Public
//! Access, versioning.

use super::{modify_bucket, put_setting, read_bucket, read_setting, validate_tags, Tagged};
use crate::acl;
use crate::error::{S3Error, S3Result};
use crate::model::buckets::{BucketMeta, PublicAccessBlock};
use crate::op::{AclInput, Output};
use crate::S3;
use trailstack_core::Caller;

/// GetBucketTagging.
pub async fn get_tagging(s3: &S3, caller: &Caller, name: String) -> S3Result<Output> {
    let b = read_bucket(s3, caller, name).await?;
    match b.meta.tags {
        Some(tags) => Ok(Output::Tags {
            tags,
            version_id: None,
        }),
        None => Err(S3Error::NoSuchTagSet),
    }
}

/// PutBucketTagging (Some) and DeleteBucketTagging (None).
pub async fn put_tagging(
    s3: &S3,
    caller: &Caller,
    name: String,
    tags: Option<Vec<(String, String)>>,
) -> S3Result<Output> {
    if let Some(t) = &tags {
        validate_tags(t, Tagged::Bucket)?;
    }
    let status = 204;
    modify_bucket(s3, caller, name, move |b| {
        b.meta.tags = tags;
        Ok(())
    })
    .await?;
    Ok(Output::Empty { status })
}

/// GetBucketPolicy.
pub async fn get_policy(s3: &S3, caller: &Caller, name: String) -> S3Result<Output> {
    let policy = |m: BucketMeta| m.policy.map(Output::Policy);
    read_setting(s3, caller, name, policy, S3Error::NoSuchBucketPolicy).await
}

/// GetBucketPolicyStatus: whether the bucket policy is public by the test Block Public Access
/// applies (ACLs do not count: this is the policy's status); `NoSuchBucketPolicy` without one.
pub async fn get_policy_status(s3: &S3, caller: &Caller, name: String) -> S3Result<Output> {
    let b = read_bucket(s3, caller, name.clone()).await?;
    let policy = b.meta.policy.ok_or(S3Error::NoSuchBucketPolicy(name))?;
    let public = trailstack_policy::Policy::parse_resource(&policy)
        .map_err(|e| S3Error::Internal(format!("stored bucket policy: {}", e.message)))?
        .is_public();
    Ok(Output::PolicyStatus(public))
}

/// PutBucketPolicy (Some, validated) and DeleteBucketPolicy (None). With BlockPublicPolicy on,
/// a public policy is refused with `AccessDenied`, the owner's root included.
pub async fn put_policy(
    s3: &S3,
    caller: &Caller,
    name: String,
    policy: Option<String>,
) -> S3Result<Output> {
    let public = match &policy {
        Some(p) => trailstack_policy::Policy::parse_resource(p)
            .map_err(|e| S3Error::MalformedPolicy(e.message))?
            .is_public(),
        None => false,
    };
    modify_bucket(s3, caller, name, move |b| {
        if public && acl::public_access_block(b).block_public_policy {
            return Err(S3Error::AccessDenied("Access Denied".into()));
        }
        b.meta.policy = policy;
        Ok(())
    })
    .await?;
    Ok(Output::Empty { status: 204 })
}

/// GetBucketAcl.
pub async fn get_acl(s3: &S3, caller: &Caller, name: String) -> S3Result<Output> {
    let b = read_bucket(s3, caller, name).await?;
    Ok(Output::Acl {
        owner: b.meta.owner,
        grants: b.meta.acl,
    })
}

/// PutBucketAcl. With ObjectOwnership BucketOwnerEnforced, ACLs are disabled: only
/// bucket-owner-full-control ACLs are accepted, as in AWS. BlockPublicAcls refuses a
/// public ACL with `AccessDenied`.
pub async fn put_acl(s3: &S3, caller: &Caller, name: String, input: AclInput) -> S3Result<Output> {
    let accounts = s3.accounts.clone();
    modify_bucket(s3, caller, name, move |b| {
        let owner = b.meta.owner.clone();
        b.meta.acl = acl::requested(input, &owner, b, false, &accounts)?;
        Ok(())
    })
    .await?;
    Ok(Output::Empty { status: 200 })
}

/// GetBucketOwnershipControls.
pub async fn get_ownership(s3: &S3, caller: &Caller, name: String) -> S3Result<Output> {
    let ownership = |m: BucketMeta| m.ownership.map(Output::Ownership);
    read_setting(
        s3,
        caller,
        name,
        ownership,
        S3Error::OwnershipControlsNotFound,
    )
    .await
}

/// PutBucketOwnershipControls (Some) and DeleteBucketOwnershipControls (None). ACLs can be
/// disabled (BucketOwnerEnforced) only once the bucket ACL gives the owner alone full control,
/// as in AWS.
pub async fn put_ownership(
    s3: &S3,
    caller: &Caller,
    name: String,
    ownership: Option<String>,
) -> S3Result<Output> {
    if let Some(o) = &ownership {
        if !matches!(
            o.as_str(),
            "BucketOwnerEnforced" | "BucketOwnerPreferred" | "ObjectWriter"
        ) {
            return Err(S3Error::MalformedXml);
        }
    }
    put_setting(s3, caller, name, ownership, |b, ownership| {
        if ownership.as_deref() == Some("BucketOwnerEnforced")
            && !acl::owner_only(&b.meta.acl, &b.meta.owner)
        {
            return Err(S3Error::InvalidBucketAclWithObjectOwnership);
        }
        b.meta.ownership = ownership;
        Ok(())
    })
    .await
}

/// GetPublicAccessBlock.
pub async fn get_pab(s3: &S3, caller: &Caller, name: String) -> S3Result<Output> {
    let pab = |m: BucketMeta| m.public_access_block.map(Output::PublicAccessBlock);
    read_setting(
        s3,
        caller,
        name,
        pab,
        S3Error::NoSuchPublicAccessBlockConfiguration,
    )
    .await
}

/// PutPublicAccessBlock (Some) and DeletePublicAccessBlock (None).
pub async fn put_pab(
    s3: &S3,
    caller: &Caller,
    name: String,
    config: Option<PublicAccessBlock>,
) -> S3Result<Output> {
    put_setting(s3, caller, name, config, |b, config| {
        b.meta.public_access_block = config;
        Ok(())
    })
    .await
}

/// GetBucketVersioning.
pub async fn get_versioning(s3: &S3, caller: &Caller, name: String) -> S3Result<Output> {
    let b = read_bucket(s3, caller, name).await?;
    Ok(Output::Versioning(b.versioning))
}

/// PutBucketVersioning: Enabled or Suspended; a bucket never returns to unversioned, and one
/// with Object Lock stays Enabled.
pub async fn put_versioning(
    s3: &S3,
    caller: &Caller,
    name: String,
    status: String,
) -> S3Result<Output> {
    if status != "Enabled" && status != "Suspended" {
        return Err(S3Error::MalformedXml);
    }
    modify_bucket(s3, caller, name, move |b| {
        if b.meta.object_lock.is_some() && status != "Enabled" {
            return Err(S3Error::InvalidBucketState(
                "An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.".into(),
            ));
        }
        b.versioning = status;
        Ok(())
    })
    .await?;
    Ok(Output::Empty { status: 200 })
}
