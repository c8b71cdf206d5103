//! The copy-source headers of CopyObject and UploadPartCopy: which object (and version) to
//! copy, its preconditions and SSE-C key, and the byte range of a part copy.

use super::headers::{self as hdr, get};
use super::{sse, Request};
use crate::error::{S3Error, S3Result};
use crate::op::{CopySource, ObjectRef};

/// Parses `x-amz-copy-source`: `[/]bucket/key[?versionId=v]`, URL-encoded.
pub(super) fn copy_source(req: &Request) -> S3Result<Option<CopySource>> {
    let Some(raw) = get(&req.headers, "x-amz-copy-source") else {
        return Ok(None);
    };
    let invalid = || S3Error::InvalidArgument {
        message: "Copy Source must mention the source bucket and key: sourcebucket/sourcekey"
            .into(),
        name: "x-amz-copy-source".into(),
        value: raw.clone(),
    };
    let (path, version) = match raw.split_once("?versionId=") {
        Some((p, v)) => (p, Some(super::percent_decode(v))),
        None => (raw.as_str(), None),
    };
    let path = super::percent_decode(path.strip_prefix('/').unwrap_or(path));
    let (bucket, key) = path.split_once('/').ok_or_else(invalid)?;
    if bucket.is_empty() || key.is_empty() {
        return Err(invalid());
    }
    Ok(Some(CopySource {
        obj: ObjectRef {
            bucket: bucket.to_string(),
            key: key.to_string(),
        },
        version_id: version,
        conditions: hdr::conditions(&req.headers, "x-amz-copy-source-"),
        customer: sse::customer(&req.headers, sse::COPY_SOURCE_CUSTOMER)?,
    }))
}

/// Parses `x-amz-copy-source-range` (UploadPartCopy): `bytes=first-last`.
pub(super) fn copy_range(req: &Request) -> S3Result<Option<(u64, u64)>> {
    let Some(v) = get(&req.headers, "x-amz-copy-source-range") else {
        return Ok(None);
    };
    let bad = || {
        S3Error::InvalidArgument {
        message: "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy".into(),
        name: "x-amz-copy-source-range".into(),
        value: v.clone(),
    }
    };
    let spec = v.trim().strip_prefix("bytes=").ok_or_else(bad)?;
    let (a, b) = spec.split_once('-').ok_or_else(bad)?;
    Ok(Some((
        a.trim().parse().map_err(|_| bad())?,
        b.trim().parse().map_err(|_| bad())?,
    )))
}
