//! Single-object reads and writes: PutObject, PostObject, GetObject, HeadObject,
//! GetObjectAttributes.

use super::owned_bucket;
use crate::acl;
use crate::data::{self, MAX_PUT};
use crate::error::{S3Error, S3Result};
use crate::model::buckets::{Bucket, Grant, Owner};
use crate::model::objects::{self, ObjectMeta, ObjectVersion, WrittenBy};
use crate::op::{
    AttributesOutput, Conditions, GetObjectInput, NewObject, ObjectOutput, ObjectRef, Output,
    Payload, PostInput, RangeSpec, WriteOutput,
};
use crate::sse::{CustomerKey, SseRecord};
use crate::S3;
use trailstack_core::{Caller, ResponseBody};
use trailstack_store::Conn as Connection;

/// Longest key S3 accepts, in UTF-8 bytes.
pub const MAX_KEY_LEN: usize = 1024;

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
    let c2 = caller.clone();
    let b = obj.bucket.clone();
    let bucket = s3.read(move |c| owned_bucket(c, &c2, &b)).await?;
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
    let (owner, acl) = acl::new_object(
        caller,
        &bucket,
        new.acl.as_deref(),
        &new.grants,
        &s3.accounts,
    )?;
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

/// The bucket of `obj`, which `caller`'s account must own, and the version of `obj` a GET
/// names (`version_id`, else the current one).
pub(super) async fn read_version(
    s3: &S3,
    caller: &Caller,
    obj: ObjectRef,
    version_id: Option<String>,
) -> S3Result<(Bucket, ObjectVersion)> {
    let caller = caller.clone();
    s3.read(move |c| {
        let b = owned_bucket(c, &caller, &obj.bucket)?;
        let v = find_version(c, &obj.bucket, &obj.key, version_id.as_deref(), "GET")?;
        Ok((b, v))
    })
    .await
}

/// Finds the version a read addresses: the current one, or `version_id`. Delete markers fail as
/// AWS fails them (404 with the marker headers, or 405 when addressed by version).
pub fn find_version(
    c: &Connection,
    bucket: &str,
    key: &str,
    version_id: Option<&str>,
    method: &str,
) -> S3Result<ObjectVersion> {
    match version_id {
        None => match objects::latest(c, bucket, key)? {
            Some(o) if o.delete_marker => Err(S3Error::DeleteMarker {
                key: key.to_string(),
                version_id: o.version_id,
            }),
            Some(o) => Ok(o),
            None => Err(S3Error::NoSuchKey(key.to_string())),
        },
        Some(v) => {
            if !objects::plausible_version_id(v) {
                return Err(S3Error::InvalidArgument {
                    message: "Invalid version id specified".into(),
                    name: "versionId".into(),
                    value: v.to_string(),
                });
            }
            match objects::version(c, bucket, key, v)? {
                Some(o) if o.delete_marker => Err(S3Error::DeleteMarkerVersion {
                    version_id: o.version_id,
                    method: method.to_string(),
                }),
                Some(o) => Ok(o),
                None => Err(S3Error::NoSuchVersion {
                    key: key.to_string(),
                    version_id: v.to_string(),
                }),
            }
        }
    }
}

/// The checksum of part `n` of `v`, of the object's checksum type; a single-part object's part
/// 1 is the whole object.
fn part_checksum(v: &ObjectVersion, n: u32) -> Option<crate::model::objects::StoredChecksum> {
    let whole = v.meta.checksum.as_ref()?;
    if v.meta.parts_count.is_none() {
        return Some(whole.clone());
    }
    let mut part = v
        .meta
        .segments
        .get((n as usize).checked_sub(1)?)?
        .checksum
        .clone()?;
    part.kind = whole.kind.clone();
    Some(part)
}

/// Evaluates GET/HEAD preconditions in the order S3 documents.
pub fn check_read_conditions(c: &Conditions, o: &ObjectVersion) -> S3Result<()> {
    let modified = crate::model::from_ms(o.last_modified_ms)
        .replace_millisecond(0)
        .unwrap_or(crate::model::from_ms(o.last_modified_ms));
    if let Some(im) = &c.if_match {
        if !etag_matches(im, &o.etag) {
            return Err(S3Error::PreconditionFailed("If-Match".into()));
        }
    } else if let Some(t) = c.if_unmodified_since {
        if modified > t {
            return Err(S3Error::PreconditionFailed("If-Unmodified-Since".into()));
        }
    }
    let not_modified = || S3Error::NotModified {
        etag: o.etag.clone(),
        last_modified_ms: o.last_modified_ms,
    };
    if let Some(inm) = &c.if_none_match {
        if etag_matches(inm, &o.etag) {
            return Err(not_modified());
        }
    } else if let Some(t) = c.if_modified_since {
        if modified <= t {
            return Err(not_modified());
        }
    }
    Ok(())
}

/// Resolves a Range against an object size into inclusive bounds.
pub fn resolve_range(range: RangeSpec, size: u64, raw: &str) -> S3Result<(u64, u64)> {
    let invalid = || S3Error::InvalidRange {
        size,
        range: raw.to_string(),
    };
    match range {
        RangeSpec::FromTo(a, b) => {
            if a >= size {
                return Err(invalid());
            }
            Ok((a, b.map_or(size - 1, |b| b.min(size - 1))))
        }
        RangeSpec::Suffix(n) => {
            if n == 0 || size == 0 {
                return Err(invalid());
            }
            Ok((size - n.min(size), size - 1))
        }
    }
}

/// The byte bounds of part `n` of an object.
fn part_bounds(o: &ObjectVersion, n: u32) -> S3Result<(u64, u64)> {
    match o.meta.parts_count {
        Some(count) if n >= 1 && n <= count => {
            let idx = (n - 1) as usize;
            let start: u64 = o.meta.segments.iter().take(idx).map(|s| s.size).sum();
            let size = o.meta.segments.get(idx).map(|s| s.size).unwrap_or(0);
            Ok((start, start + size.max(1) - 1))
        }
        None if n == 1 => Ok((0, o.size.max(1) - 1)),
        _ => Err(S3Error::InvalidPartNumber {
            requested: n,
            actual: o.meta.parts_count.unwrap_or(1),
        }),
    }
}

/// GetObject (`head` false) and HeadObject (`head` true).
pub async fn get(s3: &S3, caller: &Caller, input: GetObjectInput, head: bool) -> S3Result<Output> {
    if input.range.is_some() && input.part_number.is_some() {
        return Err(S3Error::InvalidRequest(
            "Cannot specify both Range header and partNumber query parameter".into(),
        ));
    }
    let caller2 = caller.clone();
    let (bucket_name, key, vid) = (
        input.obj.bucket.clone(),
        input.obj.key.clone(),
        input.version_id.clone(),
    );
    let method = if head { "HEAD" } else { "GET" };
    let (bucket, mut version) = s3
        .read(move |c| {
            let bucket = owned_bucket(c, &caller2, &bucket_name)?;
            let v = find_version(c, &bucket_name, &key, vid.as_deref(), method)?;
            Ok((bucket, v))
        })
        .await?;
    check_read_conditions(&input.conditions, &version)?;
    // HEAD makes no KMS call; it only checks SSE-C headers.
    let sealing = if head {
        crate::sse::keys::check_customer(version.meta.sse.as_ref(), input.customer.as_ref())?;
        None
    } else {
        super::encryption::open_stored(
            s3,
            caller,
            version.meta.sse.as_ref(),
            input.customer.as_ref(),
            &version.bucket,
            &version.key,
        )
        .await?
    };
    let size = version.size;
    let asked_range = input.range.is_some();
    let range = match (input.range, input.part_number) {
        (Some(r), _) => Some(resolve_range(r, size, &input.range_raw)?),
        (None, Some(n)) => {
            let b = part_bounds(&version, n)?;
            (size > 0).then_some(b)
        }
        (None, None) => None,
    };
    let (start, end) = range.unwrap_or((0, size.saturating_sub(1)));
    let body = if head || size == 0 {
        ResponseBody::Empty
    } else {
        data::read(
            &s3.blobs,
            version.inline.as_deref(),
            &version.meta.segments,
            start,
            end,
            sealing.as_ref(),
        )
        .await?
    };
    // With a part number S3 answers the part's checksum (a multipart object keeps one per
    // part); a byte range has none.
    let checksum = match (input.checksum_mode, asked_range, input.part_number) {
        (true, false, None) => version.meta.checksum.clone(),
        (true, false, Some(n)) => part_checksum(&version, n),
        _ => None,
    };
    let parts_count = input.part_number.and(version.meta.parts_count);
    // S3 answers it for the current version only, not for a read by version id.
    let expiration = input
        .version_id
        .is_none()
        .then(|| crate::lifecycle::expiration_of(&bucket, &version, s3.lifecycle_days))
        .flatten();
    super::lock::hide_unreadable(s3, caller, &mut version).await?;
    Ok(Output::Object(Box::new(ObjectOutput {
        expiration,
        show_version: show_version(&bucket),
        range,
        parts_count,
        body,
        overrides: input.overrides,
        checksum,
        version,
    })))
}

/// GetObjectAttributes. An SSE-C object's attributes are read with its key, as its HEAD is.
pub async fn attributes(
    s3: &S3,
    caller: &Caller,
    (obj, version_id, customer): (ObjectRef, Option<String>, Option<CustomerKey>),
    attributes: Vec<String>,
    (max_parts, part_marker): (Option<u32>, u32),
) -> S3Result<Output> {
    const KNOWN: [&str; 5] = [
        "ETag",
        "Checksum",
        "ObjectParts",
        "StorageClass",
        "ObjectSize",
    ];
    if attributes.is_empty() || attributes.iter().any(|a| !KNOWN.contains(&a.as_str())) {
        return Err(S3Error::InvalidArgument {
            message: "Invalid attribute name specified.".into(),
            name: "x-amz-object-attributes".into(),
            value: attributes.join(","),
        });
    }
    let caller2 = caller.clone();
    let (bucket, version) = s3
        .read(move |c| {
            let bucket = owned_bucket(c, &caller2, &obj.bucket)?;
            let v = find_version(c, &obj.bucket, &obj.key, version_id.as_deref(), "GET")?;
            Ok((bucket, v))
        })
        .await?;
    crate::sse::keys::check_customer(version.meta.sse.as_ref(), customer.as_ref())?;
    let max = max_parts.unwrap_or(1000).min(1000);
    let mut parts = Vec::new();
    let mut truncated = false;
    if version.meta.parts_count.is_some() {
        for (i, seg) in version.meta.segments.iter().enumerate() {
            let n = i as u32 + 1;
            if n <= part_marker {
                continue;
            }
            if parts.len() as u32 == max {
                truncated = true;
                break;
            }
            parts.push((n, seg.size, seg.checksum.clone()));
        }
    }
    Ok(Output::Attributes(Box::new(AttributesOutput {
        show_version: show_version(&bucket),
        version,
        attributes,
        parts,
        part_marker,
        max_parts: max,
        parts_truncated: truncated,
    })))
}
