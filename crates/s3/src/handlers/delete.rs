//! Deleting objects: DeleteObject and DeleteObjects, with versioning semantics (delete markers in
//! versioned buckets, permanent deletes by version id) and Object Lock (a version under a legal
//! hold or an active retention is not deleted by version id; a delete marker is always added).

use super::owned_bucket;
use crate::error::{S3Error, S3Result};
use crate::model::lock;
use crate::model::objects::{self, ObjectMeta, ObjectVersion};
use crate::op::{DeleteObjectsOutput, ObjectRef, Output};
use crate::S3;
use trailstack_core::Caller;
use trailstack_store::Conn as Connection;

/// What one delete did.
struct Deleted {
    version_id: Option<String>,
    delete_marker: bool,
    /// The removed version, whose blobs go after commit.
    removed: Option<ObjectVersion>,
}

/// Deletes one key (or one version) inside a transaction; `bypass`: the caller may and asks to
/// bypass GOVERNANCE retention.
#[allow(clippy::too_many_arguments)]
fn delete_one(
    c: &Connection,
    owner: &crate::model::buckets::Owner,
    bucket: &str,
    versioning: &str,
    key: &str,
    version_id: Option<&str>,
    now_ms: i64,
    bypass: bool,
) -> S3Result<Deleted> {
    if let Some(v) = version_id {
        if !objects::plausible_version_id(v) {
            return Err(S3Error::InvalidArgument {
                message: "Invalid version id specified".into(),
                name: "versionId".into(),
                value: v.to_string(),
            });
        }
        if let Some(existing) = objects::version(c, bucket, key, v)? {
            lock::check_delete(existing.meta.lock.as_ref(), now_ms, bypass)?;
        }
        let removed = objects::remove_version(c, bucket, key, v)?;
        let marker = removed.as_ref().is_some_and(|o| o.delete_marker);
        return Ok(Deleted {
            version_id: Some(v.to_string()),
            delete_marker: marker,
            removed,
        });
    }
    match versioning {
        "" => {
            let removed = objects::remove_version(c, bucket, key, "null")?;
            Ok(Deleted {
                version_id: None,
                delete_marker: false,
                removed,
            })
        }
        _ => {
            let mut marker = ObjectVersion {
                bucket: bucket.to_string(),
                key: key.to_string(),
                version_id: String::new(),
                seq: 0,
                is_latest: true,
                delete_marker: true,
                size: 0,
                etag: String::new(),
                last_modified_ms: now_ms,
                meta: ObjectMeta {
                    v: 1,
                    owner: owner.clone(),
                    ..Default::default()
                },
                inline: None,
            };
            let removed = objects::put(c, &mut marker, versioning)?;
            Ok(Deleted {
                version_id: Some(marker.version_id),
                delete_marker: true,
                removed,
            })
        }
    }
}

/// Whether the caller asking to bypass GOVERNANCE retention on a version may:
/// `s3:BypassGovernanceRetention` on it (the owner's root always may).
pub async fn may_bypass(
    s3: &S3,
    caller: &Caller,
    asked: bool,
    obj: &ObjectRef,
    version_id: Option<&str>,
) -> S3Result<bool> {
    if !asked {
        return Ok(false);
    }
    let (bucket, key) = (obj.bucket.as_str(), Some(obj.key.as_str()));
    let action = "s3:BypassGovernanceRetention";
    crate::authz::permits(s3, caller, action, bucket, key, version_id).await
}

/// DeleteObject. Deleting a key that does not exist succeeds, as in S3.
pub async fn delete_object(
    s3: &S3,
    caller: &Caller,
    obj: ObjectRef,
    version_id: Option<String>,
    bypass_governance: bool,
) -> S3Result<Output> {
    let asked = bypass_governance && version_id.is_some();
    let bypass = may_bypass(s3, caller, asked, &obj, version_id.as_deref()).await?;
    let caller2 = caller.clone();
    let now = s3.now_ms();
    let d = s3
        .write(move |tx| {
            let b = owned_bucket(tx, &caller2, &obj.bucket)?;
            delete_one(
                tx,
                &b.meta.owner,
                &b.name,
                &b.versioning,
                &obj.key,
                version_id.as_deref(),
                now,
                bypass,
            )
        })
        .await?;
    if let Some(old) = &d.removed {
        s3.drop_blobs(old.blobs().map(str::to_string).collect())
            .await;
    }
    Ok(Output::ObjectDeleted {
        version_id: d.version_id,
        delete_marker: d.delete_marker,
    })
}

/// What a DeleteObjects request asks.
pub struct DeleteObjectsInput {
    /// The bucket.
    pub bucket: String,
    /// Quiet mode.
    pub quiet: bool,
    /// The keys, with optional version ids.
    pub keys: Vec<(String, Option<String>)>,
    /// x-amz-bypass-governance-retention: true.
    pub bypass_governance: bool,
}

/// DeleteObjects: up to 1,000 keys, each reported as deleted or with its own error; the keys
/// at the positions in `refused` (ascending) the caller may not delete, and are reported as
/// `AccessDenied`, as S3 reports them, and so are the versions Object Lock protects.
pub async fn delete_objects(
    s3: &S3,
    caller: &Caller,
    input: DeleteObjectsInput,
    refused: Vec<usize>,
) -> S3Result<Output> {
    let DeleteObjectsInput {
        bucket,
        quiet,
        keys,
        bypass_governance,
    } = input;
    if keys.len() > 1000 || keys.is_empty() {
        return Err(S3Error::MalformedXml);
    }
    let mut bypass = Vec::with_capacity(keys.len());
    for (key, vid) in &keys {
        let obj = ObjectRef {
            bucket: bucket.clone(),
            key: key.clone(),
        };
        let asked = bypass_governance && vid.is_some();
        bypass.push(may_bypass(s3, caller, asked, &obj, vid.as_deref()).await?);
    }
    let caller2 = caller.clone();
    let now = s3.now_ms();
    let (out, removed) = s3
        .write(move |tx| {
            let b = owned_bucket(tx, &caller2, &bucket)?;
            let mut out = DeleteObjectsOutput {
                quiet,
                ..Default::default()
            };
            let mut removed = Vec::new();
            for (i, (key, vid)) in keys.into_iter().enumerate() {
                if refused.binary_search(&i).is_ok() {
                    let denied = S3Error::AccessDenied("Access Denied".into());
                    out.errors
                        .push((key, vid, denied.code().to_string(), denied.message()));
                    continue;
                }
                match delete_one(
                    tx,
                    &b.meta.owner,
                    &b.name,
                    &b.versioning,
                    &key,
                    vid.as_deref(),
                    now,
                    bypass[i],
                ) {
                    Ok(d) => {
                        let marker_vid = if d.delete_marker {
                            d.version_id.clone()
                        } else {
                            None
                        };
                        out.deleted.push((key, vid, d.delete_marker, marker_vid));
                        removed.extend(d.removed);
                    }
                    Err(e @ S3Error::Internal(_)) => return Err(e),
                    Err(e) => out
                        .errors
                        .push((key, vid, e.code().to_string(), e.message())),
                }
            }
            Ok((out, removed))
        })
        .await?;
    for old in &removed {
        s3.drop_blobs(old.blobs().map(str::to_string).collect())
            .await;
    }
    Ok(Output::Deleted(out))
}
