//! Concurrent mixed traffic: workers each owning a few keys in every data bucket, so each key
//! has at most one call in flight and the model knows what a cut-short call could have done.
//! They PUT bodies of varied sizes (inline, just past the inline limit, up to several MiB),
//! DELETE, CopyObject across buckets, run multipart uploads (some aborted), write versions
//! and delete markers and delete old versions, with SSE-KMS under the CMK in two buckets. A call
//! that fails once the server is being killed is cut short; any other failure is a finding.

use crate::body::Body;
use crate::model::{Current, Depth, Model, Version, VersionedPending, KMS, PLAIN, VERSIONED};
use crate::server::{self, Rng};
use aws_sdk_s3::operation::RequestId;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart, ServerSideEncryption};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// Keys each worker owns per bucket.
const KEYS: u64 = 4;
/// Versions a key of the versioned bucket keeps before the oldest is deleted.
const MAX_VERSIONS: usize = 4;
const MIB: usize = 1024 * 1024;

/// What the workers share.
#[derive(Clone)]
pub struct Shared {
    pub model: Arc<Mutex<Model>>,
    /// Set before the server is killed: from then on a failed call is cut short, not a bug.
    pub killing: Arc<AtomicBool>,
    /// Set to stop the workers without a kill.
    pub stop: Arc<AtomicBool>,
    pub cmk_arn: String,
}

impl Shared {
    /// Checks the model against what the server at `endpoint` holds ([`Model::verify`]), with
    /// no worker running.
    pub async fn verify(&self, endpoint: &str, depth: Depth, rng: &mut Rng) -> Result<(), String> {
        // Out of the lock while it reads: the check awaits, and holds the model alone anyway.
        let mut model = std::mem::take(&mut *self.model.lock().unwrap());
        let verified = model
            .verify(&server::s3(endpoint), &self.cmk_arn, depth, rng)
            .await;
        *self.model.lock().unwrap() = model;
        verified
    }
}

/// A body size: mostly small (many inline), some past the inline limit, some MiB.
fn size(rng: &mut Rng) -> usize {
    match rng.between(0, 100) {
        0..35 => rng.between(0, 16 * 1024 + 1) as usize,
        35..40 => 16 * 1024 + rng.between(1, 3) as usize,
        40..80 => rng.between(16 * 1024, 256 * 1024) as usize,
        80..97 => rng.between(256 * 1024, 2 * MIB as u64) as usize,
        _ => rng.between(2 * MIB as u64, 6 * MIB as u64) as usize,
    }
}

fn body(rng: &mut Rng, len: usize) -> Body {
    Body {
        seed: rng.next(),
        len,
    }
}

fn key(worker: usize, i: u64) -> String {
    format!("w{worker}/k{i}")
}

/// One worker: calls until stopped or until a call fails. Returns the failure that was not
/// caused by the kill, if any.
pub async fn run(
    s3: aws_sdk_s3::Client,
    shared: Shared,
    worker: usize,
    mut rng: Rng,
) -> Option<String> {
    while !shared.stop.load(Ordering::SeqCst) {
        let result = match rng.between(0, 100) {
            0..30 => put(&s3, &shared, worker, &mut rng).await,
            30..38 => delete(&s3, &shared, worker, &mut rng).await,
            38..48 => copy(&s3, &shared, worker, &mut rng).await,
            48..54 => multipart(&s3, &shared, worker, &mut rng).await,
            54..86 => put_version(&s3, &shared, worker, &mut rng).await,
            _ => delete_version(&s3, &shared, worker, &mut rng).await,
        };
        if let Err(e) = result {
            return (!shared.killing.load(Ordering::SeqCst)).then_some(e);
        }
    }
    None
}

/// An unversioned bucket and one of the worker's keys in it.
fn pick_unversioned(worker: usize, rng: &mut Rng) -> (&'static str, String) {
    let bucket = if rng.chance(50) { PLAIN } else { KMS };
    (bucket, key(worker, rng.between(0, KEYS)))
}

fn known(m: &Model, k: &(&'static str, String)) -> Option<Body> {
    match m.current.get(k) {
        Some(Current::Known(b)) => *b,
        None => None,
        Some(Current::Either(..)) => unreachable!("resolved by the last verification"),
    }
}

/// Marks `k` uncertain between what it held and `after`, before the call is sent: if the call
/// is acknowledged, [`acked`] replaces it.
fn start(shared: &Shared, k: &(&'static str, String), after: Option<Body>) {
    let mut m = shared.model.lock().unwrap();
    let before = known(&m, k);
    m.current.insert(k.clone(), Current::Either(before, after));
    m.touched.insert(k.clone());
}

fn acked(shared: &Shared, k: &(&'static str, String), now: Option<Body>, request_ids: &[&str]) {
    let mut m = shared.model.lock().unwrap();
    m.current.insert(k.clone(), Current::Known(now));
    m.acked_writes
        .extend(request_ids.iter().map(|s| s.to_string()));
}

fn kms_headers(
    b: aws_sdk_s3::operation::put_object::builders::PutObjectFluentBuilder,
    bucket: &str,
    cmk: &str,
) -> aws_sdk_s3::operation::put_object::builders::PutObjectFluentBuilder {
    if bucket == KMS {
        b.server_side_encryption(ServerSideEncryption::AwsKms)
            .ssekms_key_id(cmk)
    } else {
        b
    }
}

async fn put(
    s3: &aws_sdk_s3::Client,
    shared: &Shared,
    worker: usize,
    rng: &mut Rng,
) -> Result<(), String> {
    let k = pick_unversioned(worker, rng);
    let len = size(rng);
    let b = body(rng, len);
    start(shared, &k, Some(b));
    let out = kms_headers(s3.put_object(), k.0, &shared.cmk_arn)
        .bucket(k.0)
        .key(&k.1)
        .body(ByteStream::from(b.bytes()))
        .send()
        .await
        .map_err(|e| format!("PUT {}/{}: {e:?}", k.0, k.1))?;
    acked(shared, &k, Some(b), &[out.request_id().unwrap_or_default()]);
    Ok(())
}

async fn delete(
    s3: &aws_sdk_s3::Client,
    shared: &Shared,
    worker: usize,
    rng: &mut Rng,
) -> Result<(), String> {
    let k = pick_unversioned(worker, rng);
    start(shared, &k, None);
    let out = s3
        .delete_object()
        .bucket(k.0)
        .key(&k.1)
        .send()
        .await
        .map_err(|e| format!("DELETE {}/{}: {e:?}", k.0, k.1))?;
    acked(shared, &k, None, &[out.request_id().unwrap_or_default()]);
    Ok(())
}

async fn copy(
    s3: &aws_sdk_s3::Client,
    shared: &Shared,
    worker: usize,
    rng: &mut Rng,
) -> Result<(), String> {
    let src = pick_unversioned(worker, rng);
    let dst = pick_unversioned(worker, rng);
    let Some(b) = known(&shared.model.lock().unwrap(), &src) else {
        return put(s3, shared, worker, rng).await;
    };
    if src == dst {
        return Ok(());
    }
    start(shared, &dst, Some(b));
    let mut call = s3
        .copy_object()
        .bucket(dst.0)
        .key(&dst.1)
        .copy_source(format!("{}/{}", src.0, src.1));
    if dst.0 == KMS {
        call = call
            .server_side_encryption(ServerSideEncryption::AwsKms)
            .ssekms_key_id(&shared.cmk_arn);
    }
    let out = call
        .send()
        .await
        .map_err(|e| format!("COPY {}/{} -> {}/{}: {e:?}", src.0, src.1, dst.0, dst.1))?;
    acked(
        shared,
        &dst,
        Some(b),
        &[out.request_id().unwrap_or_default()],
    );
    Ok(())
}

/// A multipart upload of one or two parts (a first part of 5 MiB), completed, or aborted one
/// time in four. Uploads a kill leaves open are aborted by the next verification.
async fn multipart(
    s3: &aws_sdk_s3::Client,
    shared: &Shared,
    worker: usize,
    rng: &mut Rng,
) -> Result<(), String> {
    let k = pick_unversioned(worker, rng);
    let sizes = if rng.chance(50) {
        vec![5 * MIB, rng.between(1, 300 * 1024) as usize]
    } else {
        vec![rng.between(1, 2 * MIB as u64) as usize]
    };
    let b = body(rng, sizes.iter().sum());
    let bytes = b.bytes();
    let mut create = s3.create_multipart_upload().bucket(k.0).key(&k.1);
    if k.0 == KMS {
        create = create
            .server_side_encryption(ServerSideEncryption::AwsKms)
            .ssekms_key_id(&shared.cmk_arn);
    }
    let fail = |what: &str, e: String| format!("{what} {}/{}: {e}", k.0, k.1);
    let created = create
        .send()
        .await
        .map_err(|e| fail("CreateMultipartUpload", format!("{e:?}")))?;
    let upload_id = created.upload_id().unwrap_or_default().to_string();
    let mut ids = vec![created.request_id().unwrap_or_default().to_string()];
    let mut parts = Vec::new();
    let mut offset = 0;
    for (i, n) in sizes.iter().enumerate() {
        let part = s3
            .upload_part()
            .bucket(k.0)
            .key(&k.1)
            .upload_id(&upload_id)
            .part_number(i as i32 + 1)
            .body(ByteStream::from(bytes[offset..offset + n].to_vec()))
            .send()
            .await
            .map_err(|e| fail("UploadPart", format!("{e:?}")))?;
        ids.push(part.request_id().unwrap_or_default().to_string());
        parts.push(
            CompletedPart::builder()
                .part_number(i as i32 + 1)
                .e_tag(part.e_tag().unwrap_or_default())
                .build(),
        );
        offset += n;
    }
    if rng.chance(25) {
        let out = s3
            .abort_multipart_upload()
            .bucket(k.0)
            .key(&k.1)
            .upload_id(&upload_id)
            .send()
            .await
            .map_err(|e| fail("AbortMultipartUpload", format!("{e:?}")))?;
        ids.push(out.request_id().unwrap_or_default().to_string());
        let mut m = shared.model.lock().unwrap();
        m.acked_writes.extend(ids);
        return Ok(());
    }
    start(shared, &k, Some(b));
    let out = s3
        .complete_multipart_upload()
        .bucket(k.0)
        .key(&k.1)
        .upload_id(&upload_id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .set_parts(Some(parts))
                .build(),
        )
        .send()
        .await
        .map_err(|e| fail("CompleteMultipartUpload", format!("{e:?}")))?;
    ids.push(out.request_id().unwrap_or_default().to_string());
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    acked(shared, &k, Some(b), &ids);
    Ok(())
}

async fn put_version(
    s3: &aws_sdk_s3::Client,
    shared: &Shared,
    worker: usize,
    rng: &mut Rng,
) -> Result<(), String> {
    let k = key(worker, rng.between(0, KEYS));
    if shared
        .model
        .lock()
        .unwrap()
        .versioned
        .get(&k)
        .is_some_and(|v| v.versions.len() >= MAX_VERSIONS)
    {
        return delete_version(s3, shared, worker, rng).await;
    }
    let len = size(rng);
    let b = body(rng, len);
    pending(shared, &k, VersionedPending::Put(b));
    let out = s3
        .put_object()
        .bucket(VERSIONED)
        .key(&k)
        .body(ByteStream::from(b.bytes()))
        .send()
        .await
        .map_err(|e| format!("PUT {VERSIONED}/{k}: {e:?}"))?;
    let id = out.version_id().unwrap_or_default().to_string();
    versioned_acked(shared, &k, out.request_id(), |v| {
        v.push(Version { id, body: Some(b) })
    });
    Ok(())
}

/// A delete marker, or, for a key with many versions, the deletion of its oldest version.
async fn delete_version(
    s3: &aws_sdk_s3::Client,
    shared: &Shared,
    worker: usize,
    rng: &mut Rng,
) -> Result<(), String> {
    let k = key(worker, rng.between(0, KEYS));
    let oldest = {
        let m = shared.model.lock().unwrap();
        m.versioned
            .get(&k)
            .filter(|v| v.versions.len() >= MAX_VERSIONS || rng.chance(30))
            .and_then(|v| v.versions.first().map(|v| v.id.clone()))
    };
    match oldest {
        Some(id) => {
            pending(shared, &k, VersionedPending::Remove(id.clone()));
            let out = s3
                .delete_object()
                .bucket(VERSIONED)
                .key(&k)
                .version_id(&id)
                .send()
                .await
                .map_err(|e| format!("DELETE {VERSIONED}/{k} version {id}: {e:?}"))?;
            versioned_acked(shared, &k, out.request_id(), |v| v.retain(|v| v.id != id));
        }
        None => {
            pending(shared, &k, VersionedPending::Marker);
            let out = s3
                .delete_object()
                .bucket(VERSIONED)
                .key(&k)
                .send()
                .await
                .map_err(|e| format!("DELETE {VERSIONED}/{k}: {e:?}"))?;
            let id = out.version_id().unwrap_or_default().to_string();
            versioned_acked(shared, &k, out.request_id(), |v| {
                v.push(Version { id, body: None })
            });
        }
    }
    Ok(())
}

fn pending(shared: &Shared, k: &str, p: VersionedPending) {
    let mut m = shared.model.lock().unwrap();
    m.versioned.entry(k.to_string()).or_default().pending = Some(p);
    m.touched.insert((VERSIONED, k.to_string()));
}

fn versioned_acked(
    shared: &Shared,
    k: &str,
    request_id: Option<&str>,
    apply: impl FnOnce(&mut Vec<Version>),
) {
    let mut m = shared.model.lock().unwrap();
    let state = m.versioned.entry(k.to_string()).or_default();
    state.pending = None;
    apply(&mut state.versions);
    m.acked_writes
        .push(request_id.unwrap_or_default().to_string());
}
