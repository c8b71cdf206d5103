//! Single-object reads: GetObject, HeadObject, GetObjectAttributes, with their preconditions,
//! ranges and parts, and the finding of the version a read addresses (shared with the ACL,
//! tagging, lock and copy handlers).

use super::object::{etag_matches, show_version};
use super::owned_bucket;
use crate::data;
use crate::error::{S3Error, S3Result};
use crate::model::buckets::Bucket;
use crate::model::objects::{self, ObjectVersion};
use crate::op::{
    AttributesOutput, Conditions, GetObjectInput, ObjectOutput, ObjectRef, Output, RangeSpec,
};
use crate::sse::CustomerKey;
use crate::S3;
use trailstack_core::{Caller, ResponseBody};
use trailstack_store::Conn as Connection;

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
