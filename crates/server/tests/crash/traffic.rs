//! Concurrent mixed traffic: workers each owning a few keys in every data bucket, so each key
//! has at most one call in flight and the model knows what a cut-short call could have done.
//! They PUT bodies of varied sizes (inline, just past the inline limit, up to several MiB),
//! DELETE, CopyObject across buckets, run multipart uploads (some aborted), write versions
//! and delete markers and delete old versions, with SSE-KMS under the CMK in two buckets. A call
//! that fails once the server is being killed is cut short; any other failure is a finding.

use crate::body::Body;
use crate::model::{Current, Depth, Model, Version, VersionedPending, KMS, PLAIN, VERSIONED};
use crate::server::{self, Rng};
use aws_sdk_s3::operation::delete_object::DeleteObjectOutput;
use aws_sdk_s3::operation::put_object::PutObjectOutput;
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

/// One worker: calls until stopped or until a call fails. Returns the failure that was not
/// caused by the kill, if any.
pub async fn run(
    s3: aws_sdk_s3::Client,
    shared: Shared,
    worker: usize,
    rng: Rng,
) -> Option<String> {
    let mut w = Worker {
        s3,
        shared,
        worker,
        rng,
    };
    while !w.shared.stop.load(Ordering::SeqCst) {
        let result = match w.rng.between(0, 100) {
            0..30 => w.put().await,
            30..38 => w.delete().await,
            38..48 => w.copy().await,
            48..54 => w.multipart().await,
            54..86 => w.put_version().await,
            _ => w.delete_version().await,
        };
        if let Err(e) = result {
            return (!w.shared.killing.load(Ordering::SeqCst)).then_some(e);
        }
    }
    None
}

/// What every call of one worker needs: its client, what the workers share, the worker's
/// number (which keys it owns) and its random stream.
struct Worker {
    s3: aws_sdk_s3::Client,
    shared: Shared,
    worker: usize,
    rng: Rng,
}

fn known(m: &Model, k: &(&'static str, String)) -> Option<Body> {
    match m.current.get(k) {
        Some(Current::Known(b)) => *b,
        None => None,
        Some(Current::Either(..)) => unreachable!("resolved by the last verification"),
    }
}

/// A failed call as a finding names it: `what` was called on `bucket`/`key`, and why it failed.
fn failed(what: &str, bucket: &str, key: &str, e: impl std::fmt::Debug) -> String {
    format!("{what} {bucket}/{key}: {e:?}")
}

impl Worker {
    /// One of the worker's keys (the same names in every bucket).
    fn key(&mut self) -> String {
        format!("w{}/k{}", self.worker, self.rng.between(0, KEYS))
    }

    /// An unversioned bucket and one of the worker's keys in it.
    fn pick_unversioned(&mut self) -> (&'static str, String) {
        let bucket = if self.rng.chance(50) { PLAIN } else { KMS };
        (bucket, self.key())
    }

    /// A body of a [`size`] drawn first.
    fn body(&mut self) -> Body {
        let len = size(&mut self.rng);
        body(&mut self.rng, len)
    }

    /// Marks `k` uncertain between what it held and `after`, before the call is sent: if the
    /// call is acknowledged, [`Worker::acked`] replaces it.
    fn start(&self, k: &(&'static str, String), after: Option<Body>) {
        let mut m = self.shared.model.lock().unwrap();
        let before = known(&m, k);
        m.current.insert(k.clone(), Current::Either(before, after));
        m.touched.insert(k.clone());
    }

    fn acked(&self, k: &(&'static str, String), now: Option<Body>, request_ids: &[&str]) {
        let mut m = self.shared.model.lock().unwrap();
        m.current.insert(k.clone(), Current::Known(now));
        m.acked_writes
            .extend(request_ids.iter().map(|s| s.to_string()));
    }

    /// PutObject of `b` as `bucket`/`key` (under the CMK in the SSE-KMS bucket): the write
    /// of the unversioned and the versioned bucket alike.
    async fn send_put(&self, bucket: &str, key: &str, b: Body) -> Result<PutObjectOutput, String> {
        let mut call = self.s3.put_object().bucket(bucket).key(key);
        if bucket == KMS {
            call = call
                .server_side_encryption(ServerSideEncryption::AwsKms)
                .ssekms_key_id(&self.shared.cmk_arn);
        }
        call.body(ByteStream::from(b.bytes()))
            .send()
            .await
            .map_err(|e| failed("PUT", bucket, key, e))
    }

    /// DeleteObject of `bucket`/`key`, or of its version `version`: a plain delete, a delete
    /// marker and the removal of an old version are the one call.
    async fn send_delete(
        &self,
        bucket: &str,
        key: &str,
        version: Option<&str>,
    ) -> Result<DeleteObjectOutput, String> {
        let named = match version {
            Some(id) => format!("{key} version {id}"),
            None => key.to_string(),
        };
        let mut call = self.s3.delete_object().bucket(bucket).key(key);
        if let Some(id) = version {
            call = call.version_id(id);
        }
        call.send()
            .await
            .map_err(|e| failed("DELETE", bucket, &named, e))
    }

    async fn put(&mut self) -> Result<(), String> {
        let k = self.pick_unversioned();
        let b = self.body();
        self.start(&k, Some(b));
        let out = self.send_put(k.0, &k.1, b).await?;
        self.acked(&k, Some(b), &[out.request_id().unwrap_or_default()]);
        Ok(())
    }

    async fn delete(&mut self) -> Result<(), String> {
        let k = self.pick_unversioned();
        self.start(&k, None);
        let out = self.send_delete(k.0, &k.1, None).await?;
        self.acked(&k, None, &[out.request_id().unwrap_or_default()]);
        Ok(())
    }

    async fn copy(&mut self) -> Result<(), String> {
        let src = self.pick_unversioned();
        let dst = self.pick_unversioned();
        let Some(b) = known(&self.shared.model.lock().unwrap(), &src) else {
            return self.put().await;
        };
        if src == dst {
            return Ok(());
        }
        self.start(&dst, Some(b));
        let mut call = self
            .s3
            .copy_object()
            .bucket(dst.0)
            .key(&dst.1)
            .copy_source(format!("{}/{}", src.0, src.1));
        if dst.0 == KMS {
            call = call
                .server_side_encryption(ServerSideEncryption::AwsKms)
                .ssekms_key_id(&self.shared.cmk_arn);
        }
        let to = format!("{} -> {}/{}", src.1, dst.0, dst.1);
        let out = call
            .send()
            .await
            .map_err(|e| failed("COPY", src.0, &to, e))?;
        self.acked(&dst, Some(b), &[out.request_id().unwrap_or_default()]);
        Ok(())
    }

    /// A multipart upload of one or two parts (a first part of 5 MiB), completed, or aborted
    /// one time in four. Uploads a kill leaves open are aborted by the next verification.
    async fn multipart(&mut self) -> Result<(), String> {
        let k = self.pick_unversioned();
        let sizes = if self.rng.chance(50) {
            vec![5 * MIB, self.rng.between(1, 300 * 1024) as usize]
        } else {
            vec![self.rng.between(1, 2 * MIB as u64) as usize]
        };
        let b = body(&mut self.rng, sizes.iter().sum());
        let bytes = b.bytes();
        let s3 = &self.s3;
        let mut create = s3.create_multipart_upload().bucket(k.0).key(&k.1);
        if k.0 == KMS {
            create = create
                .server_side_encryption(ServerSideEncryption::AwsKms)
                .ssekms_key_id(&self.shared.cmk_arn);
        }
        let fail = |what: &str, e: &dyn std::fmt::Debug| failed(what, k.0, &k.1, e);
        let created = create
            .send()
            .await
            .map_err(|e| fail("CreateMultipartUpload", &e))?;
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
                .map_err(|e| fail("UploadPart", &e))?;
            ids.push(part.request_id().unwrap_or_default().to_string());
            parts.push(
                CompletedPart::builder()
                    .part_number(i as i32 + 1)
                    .e_tag(part.e_tag().unwrap_or_default())
                    .build(),
            );
            offset += n;
        }
        if self.rng.chance(25) {
            let out = s3
                .abort_multipart_upload()
                .bucket(k.0)
                .key(&k.1)
                .upload_id(&upload_id)
                .send()
                .await
                .map_err(|e| fail("AbortMultipartUpload", &e))?;
            ids.push(out.request_id().unwrap_or_default().to_string());
            self.shared.model.lock().unwrap().acked_writes.extend(ids);
            return Ok(());
        }
        self.start(&k, Some(b));
        let completed = CompletedMultipartUpload::builder()
            .set_parts(Some(parts))
            .build();
        let out = s3
            .complete_multipart_upload()
            .bucket(k.0)
            .key(&k.1)
            .upload_id(&upload_id)
            .multipart_upload(completed)
            .send()
            .await
            .map_err(|e| fail("CompleteMultipartUpload", &e))?;
        ids.push(out.request_id().unwrap_or_default().to_string());
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        self.acked(&k, Some(b), &ids);
        Ok(())
    }

    async fn put_version(&mut self) -> Result<(), String> {
        let k = self.key();
        if self
            .shared
            .model
            .lock()
            .unwrap()
            .versioned
            .get(&k)
            .is_some_and(|v| v.versions.len() >= MAX_VERSIONS)
        {
            return self.delete_version().await;
        }
        let b = self.body();
        self.pending(&k, VersionedPending::Put(b));
        let out = self.send_put(VERSIONED, &k, b).await?;
        let id = out.version_id().unwrap_or_default().to_string();
        self.versioned_acked(&k, out.request_id(), |v| {
            v.push(Version { id, body: Some(b) })
        });
        Ok(())
    }

    /// A delete marker, or, for a key with many versions, the deletion of its oldest version.
    async fn delete_version(&mut self) -> Result<(), String> {
        let k = self.key();
        let oldest = {
            let m = self.shared.model.lock().unwrap();
            m.versioned
                .get(&k)
                .filter(|v| v.versions.len() >= MAX_VERSIONS || self.rng.chance(30))
                .and_then(|v| v.versions.first().map(|v| v.id.clone()))
        };
        let pending = match &oldest {
            Some(id) => VersionedPending::Remove(id.clone()),
            None => VersionedPending::Marker,
        };
        self.pending(&k, pending);
        let out = self.send_delete(VERSIONED, &k, oldest.as_deref()).await?;
        self.versioned_acked(&k, out.request_id(), |v| match oldest {
            Some(id) => v.retain(|v| v.id != id),
            None => v.push(Version {
                id: out.version_id().unwrap_or_default().to_string(),
                body: None,
            }),
        });
        Ok(())
    }

    fn pending(&self, k: &str, p: VersionedPending) {
        let mut m = self.shared.model.lock().unwrap();
        m.versioned.entry(k.to_string()).or_default().pending = Some(p);
        m.touched.insert((VERSIONED, k.to_string()));
    }

    fn versioned_acked(
        &self,
        k: &str,
        request_id: Option<&str>,
        apply: impl FnOnce(&mut Vec<Version>),
    ) {
        let mut m = self.shared.model.lock().unwrap();
        let state = m.versioned.entry(k.to_string()).or_default();
        state.pending = None;
        apply(&mut state.versions);
        m.acked_writes
            .push(request_id.unwrap_or_default().to_string());
    }
}
