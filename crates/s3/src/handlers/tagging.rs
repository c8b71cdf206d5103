//! Object tagging: GetObjectTagging, PutObjectTagging, DeleteObjectTagging.

use super::object::show_version;
use super::object_read::{find_version, read_version};
use super::{owned_bucket, validate_tags, Tagged};
use crate::error::S3Result;
use crate::model::objects;
use crate::op::{ObjectRef, Output};
use crate::S3;
use trailstack_core::Caller;

/// GetObjectTagging.
pub async fn get(
    s3: &S3,
    caller: &Caller,
    obj: ObjectRef,
    version_id: Option<String>,
) -> S3Result<Output> {
    let (b, v) = read_version(s3, caller, obj, version_id).await?;
    // A tag set has no order in S3; answering it sorted by key keeps the answer the same
    // however the tags were given (a query string header or an XML document).
    let mut tags = v.meta.tags;
    tags.sort();
    Ok(Output::Tags {
        tags,
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
        validate_tags(t, Tagged::Object)?;
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
