//! Object ACLs: GetObjectAcl and PutObjectAcl, by the rules of [`crate::acl`] (bucket ACLs are
//! bucket settings, in `settings.rs`).

use super::object_read::{find_version, read_version};
use super::owned_bucket;
use crate::acl;
use crate::error::S3Result;
use crate::model::objects;
use crate::op::{AclInput, ObjectRef, Output};
use crate::S3;
use trailstack_core::Caller;

/// GetObjectAcl: the object's owner and ACL; with ACLs disabled (BucketOwnerEnforced) the
/// bucket owner owns every object, with full control alone, as AWS shows it.
pub async fn get(
    s3: &S3,
    caller: &Caller,
    obj: ObjectRef,
    version_id: Option<String>,
) -> S3Result<Output> {
    let (b, v) = read_version(s3, caller, obj, version_id).await?;
    let (owner, grants) = if !acl::acls_enabled(&b) {
        let grants = acl::canned_acl("private", &b.meta.owner, None)?;
        (b.meta.owner, grants)
    } else if v.meta.acl.is_empty() {
        let grants = acl::canned_acl("private", &v.meta.owner, None)?;
        (v.meta.owner, grants)
    } else {
        (v.meta.owner, v.meta.acl)
    };
    Ok(Output::Acl { owner, grants })
}

/// PutObjectAcl: replaces the ACL of the object (or version). With ACLs disabled
/// (BucketOwnerEnforced) only bucket-owner-full-control ACLs are accepted, and change nothing; AWS answers
/// AccessControlListNotSupported otherwise. BlockPublicAcls refuses a public ACL.
pub async fn put(
    s3: &S3,
    caller: &Caller,
    obj: ObjectRef,
    version_id: Option<String>,
    input: AclInput,
) -> S3Result<Output> {
    let caller2 = caller.clone();
    let accounts = s3.accounts.clone();
    s3.write(move |tx| {
        let b = owned_bucket(tx, &caller2, &obj.bucket)?;
        let mut v = find_version(tx, &obj.bucket, &obj.key, version_id.as_deref(), "PUT")?;
        let owner = v.meta.owner.clone();
        let grants = acl::requested(input, &owner, &b, true, &accounts)?;
        if !acl::acls_enabled(&b) {
            return Ok(());
        }
        v.meta.acl = grants;
        objects::update_meta(tx, &v)
    })
    .await?;
    Ok(Output::Empty { status: 200 })
}
