//! Multipart uploads: Create, UploadPart, Complete, Abort, ListParts, ListMultipartUploads.
//! A completed object references its parts' blobs in order; nothing is copied.

use super::object::{check_key, check_new_version, new_owner_and_acl};
use super::{owned_bucket, read_bucket};
use crate::checksum::{self, Algorithm};
use crate::data::{self, Sealing};
use crate::error::{S3Error, S3Result};
use crate::model::objects::{ObjectVersion, Segment, StoredChecksum};
use crate::model::uploads::{self, Part, PartMeta, Upload};
use crate::op::{
    CompletedPart, ListPartsOutput, ListUploadsInput, ListUploadsOutput, NewObject, ObjectRef,
    Output, Payload, WriteOutput,
};
use crate::sse::CustomerKey;
use crate::S3;
use trailstack_core::Caller;

/// Smallest size of every part but the last.
pub const MIN_PART: u64 = 5 * 1024 * 1024;
/// Largest part.
pub const MAX_PART: u64 = 5 * 1024 * 1024 * 1024;
/// Highest part number.
pub const MAX_PARTS: u32 = 10_000;

/// Checks a part number is 1..=10000.
pub fn check_part_number(n: u32) -> S3Result<()> {
    if (1..=MAX_PARTS).contains(&n) {
        Ok(())
    } else {
        Err(S3Error::InvalidArgument {
            message: "Part number must be an integer between 1 and 10000, inclusive".into(),
            name: "partNumber".into(),
            value: n.to_string(),
        })
    }
}

/// CreateMultipartUpload.
pub async fn create(
    s3: &S3,
    caller: &Caller,
    obj: ObjectRef,
    new: NewObject,
    checksum: Option<Algorithm>,
    checksum_type: Option<String>,
) -> S3Result<Output> {
    check_key(&obj.key)?;
    let kind = match (checksum, checksum_type.as_deref()) {
        (_, Some(t)) if t != "COMPOSITE" && t != "FULL_OBJECT" => {
            return Err(S3Error::InvalidRequest("Value for x-amz-checksum-type header is invalid.".into()))
        }
        (Some(a), Some("FULL_OBJECT")) if !a.is_crc() => {
            return Err(S3Error::InvalidRequest(format!(
                "The FULL_OBJECT checksum type cannot be used with the {} checksum algorithm.",
                a.name().to_lowercase()
            )))
        }
        (Some(Algorithm::Crc64Nvme), Some("COMPOSITE")) => {
            return Err(S3Error::InvalidRequest(
                "The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm.".into(),
            ))
        }
        (None, Some(_)) => {
            return Err(S3Error::InvalidRequest(
                "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.".into(),
            ))
        }
        (None, None) => "FULL_OBJECT",
        (Some(Algorithm::Crc64Nvme), None) => "FULL_OBJECT",
        (Some(_), None) => "COMPOSITE",
        (_, Some(t)) => if t == "COMPOSITE" { "COMPOSITE" } else { "FULL_OBJECT" },
    };
    let bucket = read_bucket(s3, caller, obj.bucket.clone()).await?;
    // The lock headers are checked now; the default retention applies at completion.
    super::lock::check_requested(new.meta.lock.as_ref(), s3.now_ms())?;
    if bucket.meta.object_lock.is_none() && new.meta.lock.is_some() {
        return Err(crate::model::lock::missing_configuration());
    }
    let (owner, acl) = new_owner_and_acl(s3, caller, &bucket, &new)?;
    // Encryption is fixed now; every part is sealed with this data key.
    let (sse_rec, _) =
        super::encryption::seal_new(s3, caller, new.writer, new.sse.as_ref(), &bucket, &obj.key)
            .await?;
    let mut meta = new.meta;
    meta.v = 1;
    meta.owner = owner;
    meta.acl = acl;
    meta.sse = Some(sse_rec.clone());
    // The initiator, who may abort the upload and list its parts; completion replaces it
    // with the completer.
    meta.written_by = Some(crate::model::objects::WrittenBy::of(caller));
    meta.checksum = checksum.map(|a| StoredChecksum {
        algorithm: a.name().into(),
        value: String::new(),
        kind: kind.into(),
    });
    let now = s3.now_ms();
    let upload_id = format!("{now:012x}{}", uuid::Uuid::new_v4().simple());
    let upload = Upload {
        upload_id: upload_id.clone(),
        bucket: obj.bucket.clone(),
        key: obj.key.clone(),
        initiated_ms: now,
        meta,
    };
    let caller2 = caller.clone();
    s3.write(move |tx| {
        owned_bucket(tx, &caller2, &upload.bucket)?;
        uploads::insert(tx, &upload)
    })
    .await?;
    let abort = crate::lifecycle::abort_of(&bucket, &obj.key, now, s3.lifecycle_days);
    Ok(Output::UploadCreated {
        abort,
        bucket: obj.bucket,
        key: obj.key,
        upload_id,
        checksum,
        checksum_type: checksum.map(|_| kind.to_string()),
        sse: Some(sse_rec),
    })
}

/// The upload's checksum algorithm, if it was created with one.
fn upload_algorithm(u: &Upload) -> Option<Algorithm> {
    u.meta
        .checksum
        .as_ref()
        .and_then(|c| Algorithm::parse(&c.algorithm))
}

/// Stores a received part (from UploadPart or UploadPartCopy) and returns it.
pub(crate) async fn store_part(
    s3: &S3,
    caller: &Caller,
    obj: &ObjectRef,
    upload_id: &str,
    part_number: u32,
    payload: Payload,
    enc: Option<&Sealing>,
) -> S3Result<Part> {
    let received = data::receive(&s3.blobs, payload, MAX_PART, false, enc).await?;
    let blob = received
        .segment
        .as_ref()
        .map(|s| s.blob.clone())
        .unwrap_or_default();
    let part = Part {
        part_number,
        size: received.size,
        etag: hex::encode(received.md5),
        last_modified_ms: s3.now_ms(),
        meta: PartMeta {
            blob: blob.clone(),
            checksum: Some(received.checksum),
        },
    };
    let (caller2, obj2, uid, p) = (
        caller.clone(),
        obj.clone(),
        upload_id.to_string(),
        part.clone(),
    );
    let result = s3
        .write(move |tx| {
            owned_bucket(tx, &caller2, &obj2.bucket)?;
            uploads::require(tx, &obj2.bucket, &obj2.key, &uid)?;
            uploads::put_part(tx, &uid, &p)
        })
        .await;
    match result {
        Ok(replaced) => {
            if let Some(old) = replaced {
                s3.drop_blobs(vec![old.meta.blob]).await;
            }
            Ok(part)
        }
        Err(e) => {
            s3.drop_blobs(vec![blob]).await;
            Err(e)
        }
    }
}

/// Looks up an upload before its part's body is read, so a wrong upload id fails fast.
pub(crate) async fn require_upload(
    s3: &S3,
    caller: &Caller,
    obj: &ObjectRef,
    upload_id: &str,
) -> S3Result<Upload> {
    let (caller2, obj2, uid) = (caller.clone(), obj.clone(), upload_id.to_string());
    s3.read(move |c| {
        owned_bucket(c, &caller2, &obj2.bucket)?;
        uploads::require(c, &obj2.bucket, &obj2.key, &uid)
    })
    .await
}

/// UploadPart.
pub async fn upload_part(
    s3: &S3,
    caller: &Caller,
    obj: ObjectRef,
    upload_id: String,
    part_number: u32,
    mut payload: Payload,
    customer: Option<CustomerKey>,
) -> S3Result<Output> {
    check_part_number(part_number)?;
    let upload = require_upload(s3, caller, &obj, &upload_id).await?;
    let sealing =
        super::upload_keys::upload_sealing(s3, caller, &upload, customer.as_ref()).await?;
    if let Some(alg) = upload_algorithm(&upload) {
        match &payload.checksum {
            Some((a, _)) if *a != alg => {
                return Err(S3Error::InvalidRequest(format!(
                    "Checksum Type mismatch occurred, expected checksum Type: {}, actual checksum Type: {}",
                    alg.name().to_lowercase(),
                    a.name().to_lowercase()
                )))
            }
            Some(_) => {}
            None => payload.checksum = Some((alg, None)),
        }
    }
    let reported = payload.checksum.is_some();
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
    Ok(Output::Written(WriteOutput {
        etag: part.etag,
        version_id: None,
        checksum: if reported { part.meta.checksum } else { None },
        size: part.size,
        // UploadPart reports the encryption but not the context (reference §7).
        sse: upload.meta.sse.map(|mut r| {
            r.user_context = false;
            r
        }),
        expiration: None,
    }))
}

/// The completed object's checksum from its parts' checksums.
fn combined_checksum(kind: &str, alg: Algorithm, parts: &[Part]) -> Option<StoredChecksum> {
    let sums: Vec<&StoredChecksum> = parts
        .iter()
        .filter_map(|p| p.meta.checksum.as_ref())
        .collect();
    if sums.len() != parts.len() || sums.iter().any(|c| c.algorithm != alg.name()) {
        return None;
    }
    let value = if kind == "FULL_OBJECT" {
        let mut crc = checksum::crc_value(&sums[0].value)?;
        for (p, c) in parts.iter().zip(&sums).skip(1) {
            crc = checksum::crc_combine(alg, crc, checksum::crc_value(&c.value)?, p.size)?;
        }
        checksum::crc_encode(alg, crc)
    } else {
        let mut h = checksum::Hasher::new(alg);
        for c in &sums {
            h.update(&checksum::unb64(&c.value)?);
        }
        format!("{}-{}", h.finish(), parts.len())
    };
    Some(StoredChecksum {
        algorithm: alg.name().into(),
        value,
        kind: kind.into(),
    })
}

/// The whole-object checksum a CompleteMultipartUpload sent against the one its parts make
/// (a composite value compared without its `-N` suffix): a mismatch is `BadDigest`.
fn check_whole_checksum(alg: Algorithm, sent: &str, made: Option<&StoredChecksum>) -> S3Result<()> {
    let base = |v: &str| v.split_once('-').map_or(v, |(b, _)| b).to_string();
    match made {
        Some(c) if c.algorithm == alg.name() && base(&c.value) == base(sent) => Ok(()),
        _ => Err(S3Error::BadDigest(format!(
            "The {} you specified did not match the calculated checksum.",
            alg.name().to_lowercase()
        ))),
    }
}

/// CompleteMultipartUpload.
pub async fn complete(
    s3: &S3,
    caller: &Caller,
    obj: ObjectRef,
    upload_id: String,
    (requested, sent_checksum, customer): (
        Vec<CompletedPart>,
        Option<(Algorithm, String)>,
        Option<CustomerKey>,
    ),
    (if_none_match, if_match): (Option<String>, Option<String>),
) -> S3Result<Output> {
    if requested.is_empty() {
        return Err(S3Error::MalformedXml);
    }
    if requested
        .windows(2)
        .any(|w| w[0].part_number >= w[1].part_number)
    {
        return Err(S3Error::InvalidPartOrder);
    }
    let caller2 = caller.clone();
    let now = s3.now_ms();
    let days = s3.lifecycle_days;
    let (bucket, key, uid) = (obj.bucket.clone(), obj.key.clone(), upload_id.clone());
    // Check everything and build the object in one transaction, then commit it as a new version.
    let built = s3
        .scan(move |c| {
            owned_bucket(c, &caller2, &bucket)?;
            let upload = match uploads::require(c, &bucket, &key, &uid) {
                Ok(u) => u,
                Err(e) => {
                    return match already_completed(c, &bucket, &key, &uid, days)? {
                        Some(write) => Ok(Err(write)),
                        None => Err(e),
                    }
                }
            };
            super::upload_keys::check_completion_key(&upload, customer.as_ref())?;
            let stored = uploads::parts(c, &uid, 0, usize::MAX)?;
            let mut chosen = Vec::with_capacity(requested.len());
            for (i, want) in requested.iter().enumerate() {
                let p = stored
                    .iter()
                    .find(|p| p.part_number == want.part_number && p.etag == want.etag)
                    .ok_or_else(|| S3Error::PartNotFound {
                        upload_id: uid.clone(),
                        part_number: want.part_number,
                        etag: want.etag.clone(),
                    })?;
                if i + 1 < requested.len() && p.size < MIN_PART {
                    return Err(S3Error::EntityTooSmall { size: p.size, min: MIN_PART });
                }
                if let (Some((alg, v)), Some(c)) = (&want.checksum, &p.meta.checksum) {
                    if alg.name() == c.algorithm && v != &c.value {
                        return Err(S3Error::InvalidPart(format!(
                            "The upload was created using a {} checksum. The complete request had a different checksum for part {}.",
                            alg.name().to_lowercase(), want.part_number
                        )));
                    }
                }
                chosen.push(p.clone());
            }
            let mut md5s = Vec::with_capacity(chosen.len() * 16);
            for p in &chosen {
                md5s.extend(hex::decode(&p.etag).map_err(|e| S3Error::Internal(e.to_string()))?);
            }
            let mut m = checksum::Md5::new();
            m.update(&md5s);
            let etag = format!("{}-{}", hex::encode(m.finish()), chosen.len());
            let (alg, kind) = match &upload.meta.checksum {
                Some(c) => (Algorithm::parse(&c.algorithm).unwrap_or(Algorithm::Crc64Nvme), c.kind.clone()),
                None => (Algorithm::Crc64Nvme, "FULL_OBJECT".to_string()),
            };
            let mut meta = upload.meta.clone();
            meta.checksum = combined_checksum(&kind, alg, &chosen);
            if let Some((sent_alg, sent)) = &sent_checksum {
                check_whole_checksum(*sent_alg, sent, meta.checksum.as_ref())?;
            }
            meta.parts_count = Some(chosen.len() as u32);
            meta.segments = chosen
                .iter()
                .map(|p| Segment { blob: p.meta.blob.clone(), size: p.size, checksum: p.meta.checksum.clone() })
                .collect();
            let used: std::collections::HashSet<u32> = chosen.iter().map(|p| p.part_number).collect();
            let unused: Vec<String> =
                stored.iter().filter(|p| !used.contains(&p.part_number)).map(|p| p.meta.blob.clone()).collect();
            meta.completed_upload = Some(uid.clone());
            let version = ObjectVersion::new_current(upload.bucket, upload.key, chosen.iter().map(|p| p.size).sum(), etag, now, meta, None);
            Ok(Ok((version, unused)))
        })
        .await?;
    let (version, unused) = match built {
        Ok(b) => b,
        Err(write) => {
            return Ok(Output::Completed {
                bucket: obj.bucket,
                key: obj.key,
                write,
            })
        }
    };
    let conditions = (if_none_match, if_match);
    let write = finish_upload(s3, caller, version, &upload_id, conditions).await?;
    s3.drop_blobs(unused).await;
    Ok(Output::Completed {
        bucket: obj.bucket,
        key: obj.key,
        write,
    })
}

/// A CompleteMultipartUpload sent again after it succeeded (a client retrying after a lost
/// answer) is answered as the first one was, as long as the version it made is still the
/// key's current one, as in AWS.
fn already_completed(
    c: &trailstack_store::Conn,
    bucket: &str,
    key: &str,
    upload_id: &str,
    days: crate::lifecycle::Days,
) -> S3Result<Option<WriteOutput>> {
    let b = crate::model::buckets::require(c, bucket)?;
    Ok(crate::model::objects::latest(c, bucket, key)?
        .filter(|v| v.meta.completed_upload.as_deref() == Some(upload_id))
        .map(|v| super::object::write_output(&v, &b, days)))
}

/// Commits the completed object and removes the upload in one transaction.
async fn finish_upload(
    s3: &S3,
    caller: &Caller,
    mut version: ObjectVersion,
    upload_id: &str,
    (if_none_match, if_match): (Option<String>, Option<String>),
) -> S3Result<WriteOutput> {
    version.meta.written_by = Some(crate::model::objects::WrittenBy::of(caller));
    let caller2 = caller.clone();
    let uid = upload_id.to_string();
    let day_ms = s3.lifecycle_days.day_ms;
    let (v, b, replaced) = s3
        .write(move |tx| {
            let b = owned_bucket(tx, &caller2, &version.bucket)?;
            uploads::require(tx, &version.bucket, &version.key, &uid)?;
            let guards = (if_none_match.as_deref(), if_match.as_deref());
            check_new_version(tx, &b, &mut version, day_ms, guards)?;
            uploads::remove(tx, &uid)?;
            let replaced = crate::model::objects::put(tx, &mut version, &b.versioning)?;
            Ok((version, b, replaced))
        })
        .await?;
    if let Some(old) = replaced {
        s3.drop_blobs(old.blobs().map(str::to_string).collect())
            .await;
    }
    Ok(super::object::write_output(&v, &b, s3.lifecycle_days))
}

/// AbortMultipartUpload: the upload and all its parts go.
pub async fn abort(
    s3: &S3,
    caller: &Caller,
    obj: ObjectRef,
    upload_id: String,
) -> S3Result<Output> {
    let caller2 = caller.clone();
    let parts = s3
        .write(move |tx| {
            owned_bucket(tx, &caller2, &obj.bucket)?;
            uploads::require(tx, &obj.bucket, &obj.key, &upload_id)?;
            uploads::remove(tx, &upload_id)
        })
        .await?;
    s3.drop_blobs(parts.into_iter().map(|p| p.meta.blob).collect())
        .await;
    Ok(Output::Empty { status: 204 })
}

/// ListParts.
pub async fn list_parts(
    s3: &S3,
    caller: &Caller,
    obj: ObjectRef,
    upload_id: String,
    max_parts: usize,
    part_marker: u32,
) -> S3Result<Output> {
    let caller2 = caller.clone();
    let max = max_parts.min(1000);
    let days = s3.lifecycle_days;
    s3.scan(move |c| {
        let bucket = owned_bucket(c, &caller2, &obj.bucket)?;
        let upload = uploads::require(c, &obj.bucket, &obj.key, &upload_id)?;
        let mut parts = uploads::parts(c, &upload_id, part_marker, max + 1)?;
        let truncated = parts.len() > max;
        parts.truncate(max);
        let next_marker = parts.last().map(|p| p.part_number);
        Ok(Output::PartList(Box::new(ListPartsOutput {
            parts,
            marker: part_marker,
            max_parts: max,
            truncated,
            next_marker,
            abort: crate::lifecycle::abort_of(&bucket, &upload.key, upload.initiated_ms, days),
            upload,
        })))
    })
    .await
}

/// ListMultipartUploads.
pub async fn list_uploads(s3: &S3, caller: &Caller, input: ListUploadsInput) -> S3Result<Output> {
    let caller2 = caller.clone();
    s3.scan(move |c| {
        owned_bucket(c, &caller2, &input.bucket)?;
        let max = input.max_uploads.min(1000);
        let mut out = ListUploadsOutput {
            input: input.clone(),
            ..Default::default()
        };
        let prefix = input.prefix.as_bytes();
        let delim = input.delimiter.as_deref().filter(|d| !d.is_empty());
        let mut key_marker = input.key_marker.as_bytes().to_vec();
        let mut id_marker = input.upload_id_marker.clone();
        let mut last: Option<(String, String)> = None;
        'outer: loop {
            let batch = uploads::list(c, &input.bucket, prefix, &key_marker, &id_marker, 1000)?;
            if batch.is_empty() {
                break;
            }
            let full = batch.len() == 1000;
            for u in batch {
                let rest = &u.key[input.prefix.len().min(u.key.len())..];
                if let Some(pos) = delim.and_then(|d| rest.find(d)) {
                    let cp = format!(
                        "{}{}",
                        input.prefix,
                        &rest[..pos + delim.map_or(0, str::len)]
                    );
                    if out.uploads.len() + out.common_prefixes.len() == max {
                        out.truncated = true;
                        break 'outer;
                    }
                    key_marker = cp.as_bytes().to_vec();
                    key_marker.push(0xFF);
                    id_marker.clear();
                    last = Some((cp.clone(), String::new()));
                    out.common_prefixes.push(cp);
                    continue 'outer;
                }
                if out.uploads.len() + out.common_prefixes.len() == max {
                    out.truncated = true;
                    break 'outer;
                }
                key_marker = u.key.as_bytes().to_vec();
                id_marker = u.upload_id.clone();
                last = Some((u.key.clone(), u.upload_id.clone()));
                out.uploads.push(u);
            }
            if !full {
                break;
            }
        }
        if out.truncated {
            out.next = last;
        }
        Ok(Output::UploadList(out))
    })
    .await
}
