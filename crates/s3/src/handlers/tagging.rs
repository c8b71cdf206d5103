//! Object sub-resources: tagging (Get/Put/DeleteObjectTagging) and ACLs (Get/PutObjectAcl).

use super::object::{find_version, show_version};
use super::{canned_acl, owned_bucket, validate_tags};
use crate::error::{S3Error, S3Result};
use crate::model::objects;
use crate::op::{AclInput, ObjectRef, Output};
use crate::S3;
use trailstack_core::Caller;

/// GetObjectTagging.
pub async fn get(
    s3: &S3,
    caller: &Caller,
    obj: ObjectRef,
    version_id: Option<String>,
) -> S3Result<Output> {
    let caller2 = caller.clone();
    let (b, v) = s3
        .read(move |c| {
            let b = owned_bucket(c, &caller2, &obj.bucket)?;
            Ok((
                b,
                find_version(c, &obj.bucket, &obj.key, version_id.as_deref(), "GET")?,
            ))
        })
        .await?;
    Ok(Output::Tags {
        tags: v.meta.tags,
        version_id: show_version(&b).then_some(v.version_id),
    })
}

/// PutObjectTagging (Some) and DeleteObjectTagging (None).
pub async fn put(
    s3: &S3,
    caller: &Caller,
    obj: ObjectRef,
    version_id: Option<String>,
    tags: Option<Vec<(String, String)>>,
) -> S3Result<Output> {
    if let Some(t) = &tags {
        validate_tags(t, 10)?;
    }
    let deleting = tags.is_none();
    let caller2 = caller.clone();
    let (b, vid) = s3
        .write(move |tx| {
            let b = owned_bucket(tx, &caller2, &obj.bucket)?;
            let mut v = find_version(tx, &obj.bucket, &obj.key, version_id.as_deref(), "PUT")?;
            v.meta.tags = tags.unwrap_or_default();
            objects::update_meta(tx, &v)?;
            Ok((b, v.version_id))
        })
        .await?;
    let version_id = show_version(&b).then_some(vid);
    Ok(Output::VersionedEmpty {
        status: if deleting { 204 } else { 200 },
        version_id,
    })
}

/// GetObjectAcl: objects in trailstack are owned by the bucket owner (BucketOwnerEnforced is the
/// default), with the owner's full control.
pub async fn get_acl(
    s3: &S3,
    caller: &Caller,
    obj: ObjectRef,
    version_id: Option<String>,
) -> S3Result<Output> {
    let caller2 = caller.clone();
    let v = s3
        .read(move |c| {
            owned_bucket(c, &caller2, &obj.bucket)?;
            find_version(c, &obj.bucket, &obj.key, version_id.as_deref(), "GET")
        })
        .await?;
    let grants = canned_acl("private", &v.meta.owner)?;
    Ok(Output::Acl {
        owner: v.meta.owner,
        grants,
    })
}

/// PutObjectAcl: under BucketOwnerEnforced only owner-only ACLs are accepted (AWS answers
/// AccessControlListNotSupported otherwise); other ownership settings are not served yet.
pub async fn put_acl(
    s3: &S3,
    caller: &Caller,
    obj: ObjectRef,
    version_id: Option<String>,
    acl: AclInput,
) -> S3Result<Output> {
    let caller2 = caller.clone();
    s3.read(move |c| {
        let b = owned_bucket(c, &caller2, &obj.bucket)?;
        let v = find_version(c, &obj.bucket, &obj.key, version_id.as_deref(), "PUT")?;
        let owner_only = match &acl {
            AclInput::Canned(a) => a == "private" || a == "bucket-owner-full-control",
            AclInput::Grants { grants, .. } => {
                grants.len() == 1
                    && grants[0].grantee == v.meta.owner.id
                    && grants[0].permission == "FULL_CONTROL"
            }
        };
        if !owner_only {
            if b.meta.ownership.as_deref() == Some("BucketOwnerEnforced") {
                return Err(S3Error::AccessControlListNotSupported);
            }
            return Err(S3Error::NotImplemented(
                "object ACLs other than private".into(),
            ));
        }
        Ok(())
    })
    .await?;
    Ok(Output::Empty { status: 200 })
}
