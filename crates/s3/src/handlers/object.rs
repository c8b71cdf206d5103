//! Single-object writes: PutObject and PostObject, the checks and the commit of a new current
//! version that CopyObject and CompleteMultipartUpload share, and the write headers of the
//! answer. Reads are in `object_read`.

use super::{owned_bucket, read_bucket};
use crate::acl;
use crate::data::{self, MAX_PUT};
use crate::error::{S3Error, S3Result};
use crate::model::buckets::{Bucket, Grant, Owner};
use crate::model::objects::{self, ObjectMeta, ObjectVersion, WrittenBy};
use crate::op::{NewObject, ObjectRef, Output, Payload, PostInput, WriteOutput};
use crate::sse::SseRecord;
use crate::S3;
use trailstack_core::Caller;
use trailstack_store::Conn as Connection;

/// Longest key S3 accepts, in UTF-8 bytes.
pub const MAX_KEY_LEN: usize = 1024;

/// The owner and ACL of the object `new` describes, written by `caller` into `bucket`
/// ([`acl::new_object`] over the request's canned ACL and grants).
pub(crate) fn new_owner_and_acl(
    s3: &S3,
    caller: &Caller,
    bucket: &Bucket,
    new: &NewObject,
) -> S3Result<(Owner, Vec<Grant>)> {
    acl::new_object(
        caller,
        bucket,
        new.acl.as_deref(),
        &new.grants,
        &s3.accounts,
    )
}

pub(crate) fn check_key(key: &str) -> S3Result<()> {
    if key.len() > MAX_KEY_LEN {
        return Err(S3Error::KeyTooLong);
    }
    if key.is_empty() {
        return Err(S3Error::InvalidObjectKey(
            "Object key must not be empty".into(),
        ));
    }
    Ok(())
}

/// Whether a stored ETag satisfies an If-Match / If-None-Match list (`*` or quoted ETags).
pub fn etag_matches(list: &str, etag: &str) -> bool {
    list.split(',')
        .map(|t| t.trim().trim_start_matches("W/").trim_matches('"'))
        .any(|t| t == "*" || t == etag)
}

/// Inside the transaction that writes `version`: settles its lock under `bucket`'s default
/// and checks the write's `If-None-Match` / `If-Match` against the key's current version.
pub(super) fn check_new_version(
    tx: &Connection,
    bucket: &Bucket,
    version: &mut ObjectVersion,
    day_ms: i64,
    (if_none_match, if_match): (Option<&str>, Option<&str>),
) -> S3Result<()> {
    let now = version.last_modified_ms;
    super::lock::settle(bucket, &mut version.meta.lock, now, day_ms)?;
    // Only a conditional write needs the current version read (and decoded).
    let current = if if_none_match.is_some() || if_match.is_some() {
        objects::latest(tx, &version.bucket, &version.key)?
    } else {
        None
    };
    check_write_conditions(current.as_ref(), if_none_match, if_match).map_err(|e| match e {
        S3Error::NoSuchKey(_) => S3Error::NoSuchKey(version.key.clone()),
        e => e,
    })
}

/// Conditional-write checks of PutObject and CompleteMultipartUpload against the current
/// version of the key.
fn check_write_conditions(
    current: Option<&ObjectVersion>,
    if_none_match: Option<&str>,
    if_match: Option<&str>,
) -> S3Result<()> {
    let live = current.filter(|o| !o.delete_marker);
    if let Some(inm) = if_none_match {
        // S3 accepts only `*` here (PutObject, CompleteMultipartUpload: "Expects the '*'
        // character"), refusing an ETag with 501 rather than comparing it.
        if inm.trim() != "*" {
            return Err(S3Error::HeaderNotImplemented("If-None-Match"));
        }
        if live.is_some() {
            return Err(S3Error::PreconditionFailed("If-None-Match".into()));
        }
    }
    if let Some(im) = if_match {
        match live {
            Some(o) if etag_matches(im, &o.etag) => {}
            Some(_) => return Err(S3Error::PreconditionFailed("If-Match".into())),
            None => return Err(S3Error::NoSuchKey(String::new())),
        }
    }
    Ok(())
}

/// Stores a received body as the new current version of `obj`, in one transaction, and drops
/// the blobs of the version it replaced. On failure the received blob is deleted.
pub(crate) async fn commit_new_version(
    s3: &S3,
    caller: &Caller,
    mut version: ObjectVersion,
    if_none_match: Option<String>,
    if_match: Option<String>,
) -> S3Result<WriteOutput> {
    version.meta.written_by = Some(WrittenBy::of(caller));
    let caller2 = caller.clone();
    let own_blobs: Vec<String> = version.blobs().map(str::to_string).collect();
    let at_commit = crate::audit::at_commit::take();
    let outcome = crate::audit::at_commit::Outcome::default();
    let filled = at_commit.as_ref().map(|_| outcome.clone());
    let days = s3.lifecycle_days;
    let written = s3.db.submit(move |tx| {
        let result = (|| -> S3Result<_> {
            let bucket = owned_bucket(tx, &caller2, &version.bucket)?;
            let guards = (if_none_match.as_deref(), if_match.as_deref());
            check_new_version(tx, &bucket, &mut version, days.day_ms, guards)?;
            let replaced = objects::put(tx, &mut version, &bucket.versioning)?;
            Ok((version, bucket, replaced))
        })();
        if let Some(filled) = filled {
            let seen = match &result {
                Ok((v, bucket, _)) => Ok(Output::Written(write_output(v, bucket, days))),
                Err(e) => Err(e.clone()),
            };
            *filled.lock().unwrap_or_else(|e| e.into_inner()) = Some(seen);
        }
        result
    });
    // Queued right behind the write, before awaiting it, so both usually share one commit.
    let sink = at_commit.as_ref().map(|at| at.sink());
    let recorded = match (&sink, at_commit) {
        (Some(sink), Some(at)) => Some(sink.record_after_write(at.deferred(outcome))),
        _ => None,
    };
    let result = written.await;
    let recorded = match recorded {
        Some(r) => r.await.map_err(|e| S3Error::Internal(e.to_string())),
        None => Ok(()),
    };
    match (result, recorded) {
        (Ok((v, bucket, replaced)), recorded) => {
            if let Some(old) = replaced {
                s3.drop_blobs(old.blobs().map(str::to_string).collect())
                    .await;
            }
            recorded.map(|()| write_output(&v, &bucket, days))
        }
        (Err(e), _) => {
            s3.drop_blobs(own_blobs).await;
            Err(e)
        }
    }
}

/// The write headers of a stored version.
pub(crate) fn write_output(
    v: &ObjectVersion,
    bucket: &Bucket,
    days: crate::lifecycle::Days,
) -> WriteOutput {
    WriteOutput {
        etag: v.etag.clone(),
        version_id: show_written_version(bucket).then(|| v.version_id.clone()),
        checksum: v.meta.checksum.clone(),
        size: v.size,
        sse: v.meta.sse.clone(),
        expiration: crate::lifecycle::expiration_of(bucket, v, days),
    }
}

/// Whether responses about objects of `bucket` carry `x-amz-version-id`.
pub fn show_version(bucket: &Bucket) -> bool {
    !bucket.versioning.is_empty()
}

/// Whether the answer to a write into `bucket` carries `x-amz-version-id`: only with
/// versioning enabled (a write into a suspended bucket makes the `null` version, which S3
/// does not announce).
pub fn show_written_version(bucket: &Bucket) -> bool {
    bucket.versioning == "Enabled"
}

/// PutObject.
pub async fn put(
    s3: &S3,
    caller: &Caller,
    obj: ObjectRef,
    payload: Payload,
    new: NewObject,
    if_none_match: Option<String>,
    if_match: Option<String>,
) -> S3Result<Output> {
    let guards = WriteGuards {
        if_none_match,
        if_match,
        length_range: None,
        lock_digest: true,
    };
    let w = store_object(s3, caller, obj, payload, new, guards).await?;
    Ok(Output::Written(w))
}

/// Conditions a new object must meet before it is committed.
#[derive(Debug, Default)]
struct WriteGuards {
    if_none_match: Option<String>,
    if_match: Option<String>,
    /// A POST policy's content-length-range.
    length_range: Option<(u64, u64)>,
    /// A PutObject: Object Lock parameters (its headers or the bucket's default retention)
    /// need Content-MD5 or a checksum.
    lock_digest: bool,
}

async fn store_object(
    s3: &S3,
    caller: &Caller,
    obj: ObjectRef,
    payload: Payload,
    new: NewObject,
    guards: WriteGuards,
) -> S3Result<WriteOutput> {
    check_key(&obj.key)?;
    let bucket = read_bucket(s3, caller, obj.bucket.clone()).await?;
    super::lock::check_requested(new.meta.lock.as_ref(), s3.now_ms())?;
    if bucket.meta.object_lock.is_none() && new.meta.lock.is_some() {
        return Err(crate::model::lock::missing_configuration());
    }
    let locked =
        new.meta.lock.is_some() || bucket.meta.object_lock.is_some_and(|l| l.default.is_some());
    let digest = payload.content_md5.is_some() || payload.checksum.is_some();
    if guards.lock_digest && locked && !digest && new.writer == crate::sse::Writer::User {
        return Err(S3Error::InvalidRequest(
            "Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters".into(),
        ));
    }
    let (owner, acl) = new_owner_and_acl(s3, caller, &bucket, &new)?;
    let max = guards
        .length_range
        .map_or(MAX_PUT, |(_, hi)| hi.min(MAX_PUT));
    let (sse_rec, sealing) =
        super::encryption::seal_new(s3, caller, new.writer, new.sse.as_ref(), &bucket, &obj.key)
            .await?;
    let received = data::receive(&s3.blobs, payload, max, true, Some(&sealing)).await?;
    if let Some((lo, _)) = guards.length_range {
        if received.size < lo {
            s3.drop_blobs(received.segments().into_iter().map(|s| s.blob).collect())
                .await;
            return Err(S3Error::EntityTooSmall {
                size: received.size,
                min: lo,
            });
        }
    }
    let version = received_version(s3, obj, received, new.meta, (owner, acl), sse_rec);
    commit_new_version(s3, caller, version, guards.if_none_match, guards.if_match).await
}

/// The new current version of `obj` holding `received`, a single-part write (PutObject,
/// PostObject, CopyObject): `meta` with the bytes' segments and checksum, the owner and ACL the
/// write decided, its encryption and the ETag that follows from both.
pub(super) fn received_version(
    s3: &S3,
    obj: ObjectRef,
    received: data::Received,
    mut meta: ObjectMeta,
    (owner, acl): (Owner, Vec<Grant>),
    sse: SseRecord,
) -> ObjectVersion {
    meta.v = 1;
    meta.segments = received.segments();
    meta.checksum = Some(received.checksum.clone());
    meta.owner = owner;
    meta.acl = acl;
    let etag = crate::sse::single_part_etag(&received.md5, &sse);
    meta.sse = Some(sse);
    ObjectVersion::new_current(
        obj.bucket,
        obj.key,
        received.size,
        etag,
        s3.now_ms(),
        meta,
        received.inline,
    )
}

/// PostObject: a browser form upload, already authenticated by its signed policy at the edge.
pub async fn post(s3: &S3, caller: &Caller, input: PostInput) -> S3Result<Output> {
    let PostInput {
        bucket,
        key,
        upload,
        new,
        success_status,
        redirect,
        length_range,
    } = input;
    let obj = ObjectRef {
        bucket: bucket.clone(),
        key: key.clone(),
    };
    let guards = WriteGuards {
        length_range,
        ..Default::default()
    };
    let write = store_object(s3, caller, obj, upload, new, guards).await?;
    Ok(Output::Posted {
        status: success_status,
        redirect,
        bucket,
        key,
        write,
    })
}
