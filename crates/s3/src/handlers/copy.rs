//! Server-side copies: CopyObject and UploadPartCopy. The source's bytes are streamed through the
//! same receive path as an upload, so the copy gets its own blob, MD5 and checksum.

use super::encryption::{open_stored, seal_new};
use super::multipart::{check_part_number, require_upload, store_part};
use super::object::{
    check_key, commit_new_version, etag_matches, new_owner_and_acl, received_version, show_version,
};
use super::object_read::find_version;
use super::upload_keys::upload_sealing;
use super::{owned_bucket, read_bucket};
use crate::checksum::Algorithm;
use crate::data::{self, MAX_PUT};
use crate::error::{S3Error, S3Result};
use crate::model::objects::ObjectVersion;
use crate::op::{Conditions, CopyObjectInput, CopySource, Output, PartCopyInput, Payload};
use crate::S3;
use trailstack_core::Caller;

/// Checks x-amz-copy-source-if-* conditions; every failure is 412, as S3 answers copies.
fn check_copy_conditions(c: &Conditions, o: &ObjectVersion) -> S3Result<()> {
    let modified = crate::model::from_ms(o.last_modified_ms);
    let modified = modified.replace_millisecond(0).unwrap_or(modified);
    let fail = |what: &str| {
        Err(S3Error::PreconditionFailed(format!(
            "x-amz-copy-source-If-{what}"
        )))
    };
    if let Some(im) = &c.if_match {
        if !etag_matches(im, &o.etag) {
            return fail("Match");
        }
    } else if let Some(t) = c.if_unmodified_since {
        if modified > t {
            return fail("Unmodified-Since");
        }
    }
    if let Some(inm) = &c.if_none_match {
        if etag_matches(inm, &o.etag) {
            return fail("None-Match");
        }
    } else if let Some(t) = c.if_modified_since {
        if modified <= t {
            return fail("Modified-Since");
        }
    }
    Ok(())
}

/// Reads the source version of a copy (the caller must own its bucket).
async fn load_source(
    s3: &S3,
    caller: &Caller,
    source: &CopySource,
) -> S3Result<(ObjectVersion, bool)> {
    let (caller2, src) = (caller.clone(), source.clone());
    let (v, versioned) = s3
        .read(move |c| {
            let b = owned_bucket(c, &caller2, &src.obj.bucket)?;
            let v = find_version(
                c,
                &src.obj.bucket,
                &src.obj.key,
                src.version_id.as_deref(),
                "GET",
            )?;
            Ok((v, show_version(&b)))
        })
        .await?;
    check_copy_conditions(&source.conditions, &v)?;
    Ok((v, versioned))
}

/// The bytes `start..=end` of `v` as an upload payload, decrypted (KMS Decrypt for SSE-KMS,
/// the copy-source SSE-C key for SSE-C).
async fn source_payload(
    s3: &S3,
    caller: &Caller,
    source: &CopySource,
    v: &ObjectVersion,
    range: Option<(u64, u64)>,
    checksum: Option<Algorithm>,
) -> S3Result<Payload> {
    let (start, end) = range.unwrap_or((0, v.size.saturating_sub(1)));
    let sealing = open_stored(
        s3,
        caller,
        v.meta.sse.as_ref(),
        source.customer.as_ref(),
        &v.bucket,
        &v.key,
    )
    .await?;
    let body = if v.size == 0 {
        trailstack_core::ResponseBody::Empty
    } else {
        data::read(
            &s3.blobs,
            v.inline.as_deref(),
            &v.meta.segments,
            start,
            end,
            sealing.as_ref(),
        )
        .await?
    };
    let len = if v.size == 0 { 0 } else { end - start + 1 };
    Ok(Payload {
        body: data::as_body(body),
        declared_len: Some(len),
        content_md5: None,
        checksum: checksum.map(|a| (a, None)),
    })
}

/// CopyObject.
pub async fn copy_object(s3: &S3, caller: &Caller, input: CopyObjectInput) -> S3Result<Output> {
    check_key(&input.obj.key)?;
    let CopyObjectInput {
        obj,
        source,
        replace_metadata,
        replace_tags,
        new,
        changes_object,
        checksum,
        if_none_match,
        if_match,
        ..
    } = input;
    super::lock::check_requested(new.meta.lock.as_ref(), s3.now_ms())?;
    let (src, src_versioned) = load_source(s3, caller, &source).await?;
    if source.obj == obj && !replace_metadata && !changes_object && source.version_id.is_none() {
        return Err(S3Error::InvalidRequest(
            "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.".into(),
        ));
    }
    if src.size > MAX_PUT {
        return Err(S3Error::InvalidRequest(format!(
            "The specified copy source is larger than the maximum allowable size for a copy source: {MAX_PUT}"
        )));
    }
    let dest = read_bucket(s3, caller, obj.bucket.clone()).await?;
    let (owner, acl) = new_owner_and_acl(s3, caller, &dest, &new)?;
    let alg = checksum.or_else(|| {
        src.meta
            .checksum
            .as_ref()
            .and_then(|c| Algorithm::parse(&c.algorithm))
    });
    let (sse_rec, sealing) =
        seal_new(s3, caller, new.writer, new.sse.as_ref(), &dest, &obj.key).await?;
    let payload = source_payload(s3, caller, &source, &src, None, alg).await?;
    let received = data::receive(&s3.blobs, payload, MAX_PUT, true, Some(&sealing)).await?;
    let mut meta = if replace_metadata {
        new.meta.clone()
    } else {
        src.meta.clone()
    };
    meta.tags = if replace_tags {
        new.meta.tags
    } else {
        src.meta.tags.clone()
    };
    if !replace_metadata {
        meta.storage_class = new.meta.storage_class.or(meta.storage_class);
        meta.website_redirect = new.meta.website_redirect.or(meta.website_redirect);
    }
    // The copy's own lock headers, never the source's lock.
    meta.lock = new.meta.lock.clone();
    meta.parts_count = None;
    meta.completed_upload = None;
    let version = received_version(s3, obj, received, meta, (owner, acl), sse_rec);
    let last_modified_ms = version.last_modified_ms;
    let w = commit_new_version(s3, caller, version, if_none_match, if_match).await?;
    Ok(Output::Copied {
        etag: w.etag,
        last_modified_ms,
        version_id: w.version_id,
        source_version_id: src_versioned.then_some(src.version_id),
        checksum: w.checksum,
        part: false,
        sse: w.sse,
        expiration: w.expiration,
    })
}

/// UploadPartCopy, optionally of a byte range `(first, last)` of the source.
pub async fn upload_part_copy(s3: &S3, caller: &Caller, input: PartCopyInput) -> S3Result<Output> {
    let PartCopyInput {
        obj,
        upload_id,
        part_number,
        source,
        range,
        customer,
    } = input;
    check_part_number(part_number)?;
    let upload = require_upload(s3, caller, &obj, &upload_id).await?;
    let sealing = upload_sealing(s3, caller, &upload, customer.as_ref()).await?;
    let (src, src_versioned) = load_source(s3, caller, &source).await?;
    if let Some((a, b)) = range {
        if a > b || b >= src.size {
            return Err(S3Error::InvalidArgument {
                message: format!(
                    "Range specified is not valid for source object of size: {}",
                    src.size
                ),
                name: "x-amz-copy-source-range".into(),
                value: format!("bytes={a}-{b}"),
            });
        }
    }
    let alg = upload
        .meta
        .checksum
        .as_ref()
        .and_then(|c| Algorithm::parse(&c.algorithm));
    let payload = source_payload(s3, caller, &source, &src, range, alg).await?;
    let part = store_part(
        s3,
        caller,
        &obj,
        &upload_id,
        part_number,
        payload,
        sealing.as_ref(),
    )
    .await?;
    Ok(Output::Copied {
        etag: part.etag,
        last_modified_ms: part.last_modified_ms,
        version_id: None,
        source_version_id: src_versioned.then_some(src.version_id),
        checksum: if alg.is_some() {
            part.meta.checksum
        } else {
            None
        },
        part: true,
        sse: upload.meta.sse,
        expiration: None,
    })
}
