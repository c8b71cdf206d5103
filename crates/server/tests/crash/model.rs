//! What the server must hold, from what it acknowledged: per key of the unversioned buckets the
//! current body (or none), and per key of the versioned bucket its versions and delete markers.
//! A call cut short by a kill leaves its key uncertain — the call took effect entirely or not at
//! all — until the next start's [`Model::verify`] reads what survived, checks it is one of the
//! two, and makes it the known state. Verification also compares the listings with the objects
//! (ListObjectsV2 and ListObjectVersions against GET), and the encryption each object reports.

use crate::body::Body;
use crate::server::Rng;
use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::operation::RequestId;
use aws_sdk_s3::types::ServerSideEncryption;
use std::collections::{BTreeMap, BTreeSet};

/// Unversioned, SSE-S3 by default.
pub const PLAIN: &str = "plain";
/// Unversioned; every write asks for SSE-KMS under the CMK.
pub const KMS: &str = "kms";
/// Versioning enabled; default encryption SSE-KMS under the CMK.
pub const VERSIONED: &str = "ver";
/// The buckets the trail logs data events of.
pub const DATA_BUCKETS: [&str; 3] = [PLAIN, KMS, VERSIONED];

/// A key of an unversioned bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Current {
    /// Acknowledged (or read back after a crash): this body, or no object.
    Known(Option<Body>),
    /// A write or delete was cut short: the first (before) or the second (after).
    Either(Option<Body>, Option<Body>),
}

/// One version of a key of the versioned bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub id: String,
    /// None: a delete marker.
    pub body: Option<Body>,
}

/// A versioned-bucket call cut short by a kill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionedPending {
    /// A PutObject: a new version with this body, or nothing.
    Put(Body),
    /// A DeleteObject without version id: a new delete marker, or nothing.
    Marker,
    /// A DeleteObject of this version: gone, or still there.
    Remove(String),
}

/// A key of the versioned bucket: its versions, oldest first.
#[derive(Debug, Clone, Default)]
pub struct VersionedKey {
    pub versions: Vec<Version>,
    pub pending: Option<VersionedPending>,
}

/// The whole expected state, and the request ids of the acknowledged data writes (each must be
/// delivered by the trail exactly once).
#[derive(Debug, Default)]
pub struct Model {
    pub current: BTreeMap<(&'static str, String), Current>,
    pub versioned: BTreeMap<String, VersionedKey>,
    pub acked_writes: Vec<String>,
    /// Keys written since the last verification: read back in full.
    pub touched: BTreeSet<(&'static str, String)>,
    /// Objects read back byte for byte, over all verifications.
    pub reads: usize,
}

/// How much a verification reads back in full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    /// Uncertain and written keys, and a few others chosen at random; the rest by listing.
    Sample,
    /// Every object and every version.
    Full,
}

type Fail = String;

async fn get(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
    version: Option<&str>,
) -> Result<Option<(Vec<u8>, aws_sdk_s3::operation::get_object::GetObjectOutput)>, Fail> {
    match s3
        .get_object()
        .bucket(bucket)
        .key(key)
        .set_version_id(version.map(str::to_string))
        .send()
        .await
    {
        Ok(mut out) => {
            let body = std::mem::take(&mut out.body);
            let bytes = body
                .collect()
                .await
                .map_err(|e| format!("GET {bucket}/{key} {version:?}: body: {e}"))?
                .into_bytes()
                .to_vec();
            Ok(Some((bytes, out)))
        }
        Err(e) if e.code() == Some("NoSuchKey") => Ok(None),
        Err(e) => Err(format!(
            "GET {bucket}/{key} {version:?}: {e:?} {:?}",
            e.code()
        )),
    }
}

fn expect_sse(
    bucket: &str,
    key: &str,
    out: &aws_sdk_s3::operation::get_object::GetObjectOutput,
    cmk_arn: &str,
) -> Result<(), Fail> {
    let kms = bucket != PLAIN;
    let want = if kms {
        ServerSideEncryption::AwsKms
    } else {
        ServerSideEncryption::Aes256
    };
    if out.server_side_encryption() != Some(&want) || (kms && out.ssekms_key_id() != Some(cmk_arn))
    {
        return Err(format!(
            "{bucket}/{key}: encryption {:?} {:?}, expected {want:?}",
            out.server_side_encryption(),
            out.ssekms_key_id()
        ));
    }
    Ok(())
}

/// Which of `candidates` the bytes read (None: no object) are.
fn which(got: Option<&[u8]>, candidates: &[Option<Body>]) -> Option<Option<Body>> {
    candidates.iter().copied().find(|c| match (c, got) {
        (None, None) => true,
        (Some(b), Some(bytes)) => b.matches(bytes),
        _ => false,
    })
}

fn describe(got: Option<&[u8]>) -> String {
    match got {
        None => "no object".into(),
        Some(b) => format!("{} bytes starting {:02x?}", b.len(), &b[..b.len().min(16)]),
    }
}

/// What one verification reads with: the client, the CMK SSE-KMS objects must name, how
/// deep it reads and the random stream picking the sample.
struct Check<'a> {
    s3: &'a aws_sdk_s3::Client,
    cmk_arn: &'a str,
    depth: Depth,
    rng: &'a mut Rng,
}

impl Model {
    /// Checks what the server at `s3` holds against the model, resolves every uncertain key
    /// from what it holds, and aborts the multipart uploads a kill left open (acknowledged
    /// aborts are writes the trail must deliver). `rng` picks the sample.
    pub async fn verify(
        &mut self,
        s3: &aws_sdk_s3::Client,
        cmk_arn: &str,
        depth: Depth,
        rng: &mut Rng,
    ) -> Result<(), Fail> {
        let mut check = Check {
            s3,
            cmk_arn,
            depth,
            rng,
        };
        for bucket in [PLAIN, KMS] {
            self.verify_unversioned(&mut check, bucket).await?;
        }
        self.verify_versioned(&mut check).await?;
        self.abort_open_uploads(s3).await?;
        self.touched.clear();
        Ok(())
    }

    async fn verify_unversioned(
        &mut self,
        check: &mut Check<'_>,
        bucket: &'static str,
    ) -> Result<(), Fail> {
        let (s3, cmk_arn, depth) = (check.s3, check.cmk_arn, check.depth);
        let listed = list(s3, bucket, None).await?;
        for key in listed.keys() {
            if !self.current.contains_key(&(bucket, key.clone())) {
                return Err(format!("{bucket}/{key} listed but never written"));
            }
        }
        let keys: Vec<(&'static str, String)> = self
            .current
            .keys()
            .filter(|(b, _)| *b == bucket)
            .cloned()
            .collect();
        for k in keys {
            let state = self.current[&k];
            let read = matches!(state, Current::Either(..))
                || depth == Depth::Full
                || self.touched.contains(&k)
                || check.rng.chance(10);
            let in_list = listed.get(&k.1);
            let expected = match state {
                Current::Known(b) => vec![b],
                Current::Either(a, b) => vec![a, b],
            };
            if !read {
                // The listing alone: the object is there, with the size acknowledged.
                let Current::Known(b) = state else {
                    unreachable!()
                };
                if in_list.map(|(size, _)| *size) != b.map(|b| b.len as i64) {
                    return Err(format!(
                        "{bucket}/{}: listed {in_list:?}, acknowledged {b:?}",
                        k.1
                    ));
                }
                continue;
            }
            let got = get(s3, bucket, &k.1, None).await?;
            self.reads += 1;
            let bytes = got.as_ref().map(|(b, _)| b.as_slice());
            let Some(found) = which(bytes, &expected) else {
                return Err(format!(
                    "{bucket}/{}: read {}, expected one of {expected:?}",
                    k.1,
                    describe(bytes)
                ));
            };
            match (&got, in_list) {
                (None, None) => {}
                (Some((b, out)), Some((size, etag))) => {
                    if *size != b.len() as i64 || out.e_tag() != Some(etag.as_str()) {
                        return Err(format!(
                            "{bucket}/{}: listed size {size} ETag {etag}, read {} bytes ETag {:?}",
                            k.1,
                            b.len(),
                            out.e_tag()
                        ));
                    }
                    expect_sse(bucket, &k.1, out, cmk_arn)?;
                }
                _ => {
                    return Err(format!(
                        "{bucket}/{}: listing says {in_list:?}, GET says {}",
                        k.1,
                        describe(bytes)
                    ))
                }
            }
            self.current.insert(k, Current::Known(found));
        }
        Ok(())
    }

    async fn verify_versioned(&mut self, check: &mut Check<'_>) -> Result<(), Fail> {
        let (s3, cmk_arn, depth) = (check.s3, check.cmk_arn, check.depth);
        let listed = list_versions(s3).await?;
        for key in listed.keys() {
            if !self.versioned.contains_key(key) {
                return Err(format!("{VERSIONED}/{key} listed but never written"));
            }
        }
        let keys: Vec<String> = self.versioned.keys().cloned().collect();
        for key in keys {
            let state = self.versioned[&key].clone();
            let seen = listed.get(&key).cloned().unwrap_or_default();
            let read_all = depth == Depth::Full
                || state.pending.is_some()
                || self.touched.contains(&(VERSIONED, key.clone()))
                || check.rng.chance(10);
            let versions = resolve(&key, &state, &seen)?;
            for v in &versions {
                let Some(body) = v.body else { continue };
                let Some(Listed { id, size, etag, .. }) = seen.iter().find(|l| l.id == v.id) else {
                    unreachable!("resolve matched every version to the listing")
                };
                if *size != body.len as i64 {
                    return Err(format!(
                        "{VERSIONED}/{key} version {id}: listed size {size}, wrote {}",
                        body.len
                    ));
                }
                // A new version from a cut-short PUT is always read: only its bytes tell it.
                let fresh = !state.versions.iter().any(|o| &o.id == id);
                if !(read_all || fresh) {
                    continue;
                }
                let got = get(s3, VERSIONED, &key, Some(id)).await?;
                self.reads += 1;
                let Some((bytes, out)) = got else {
                    return Err(format!("{VERSIONED}/{key} version {id}: listed, not found"));
                };
                if !body.matches(&bytes) || out.e_tag() != etag.as_deref() {
                    return Err(format!(
                        "{VERSIONED}/{key} version {id}: read {} ETag {:?}, expected {body:?} ETag {etag:?}",
                        describe(Some(&bytes)),
                        out.e_tag()
                    ));
                }
                expect_sse(VERSIONED, &key, &out, cmk_arn)?;
            }
            // The current version is the newest, unless that is a delete marker.
            let latest = versions.last().and_then(|v| v.body);
            if read_all || state.pending.is_some() {
                let got = get(s3, VERSIONED, &key, None).await?;
                let bytes = got.as_ref().map(|(b, _)| b.as_slice());
                if which(bytes, &[latest]).is_none() {
                    return Err(format!(
                        "{VERSIONED}/{key}: current version reads {}, expected {latest:?}",
                        describe(bytes)
                    ));
                }
            }
            self.versioned.insert(
                key,
                VersionedKey {
                    versions,
                    pending: None,
                },
            );
        }
        Ok(())
    }

    async fn abort_open_uploads(&mut self, s3: &aws_sdk_s3::Client) -> Result<(), Fail> {
        for bucket in DATA_BUCKETS {
            let out = s3
                .list_multipart_uploads()
                .bucket(bucket)
                .send()
                .await
                .map_err(|e| format!("ListMultipartUploads {bucket}: {e:?}"))?;
            for u in out.uploads() {
                let aborted = s3
                    .abort_multipart_upload()
                    .bucket(bucket)
                    .key(u.key().unwrap_or_default())
                    .upload_id(u.upload_id().unwrap_or_default())
                    .send()
                    .await
                    .map_err(|e| format!("AbortMultipartUpload {bucket}: {e:?}"))?;
                self.acked_writes
                    .push(aborted.request_id().unwrap_or_default().to_string());
            }
        }
        Ok(())
    }
}

/// One entry of ListObjectVersions.
#[derive(Debug, Clone)]
pub struct Listed {
    pub id: String,
    /// -1 for a delete marker.
    pub size: i64,
    pub etag: Option<String>,
    pub latest: bool,
    /// Its place in its list (versions, or delete markers), newest first.
    pub rank: usize,
}

/// Whether the server's listing of a key is exactly `expected` (oldest first): the same
/// versions and markers, the newest one flagged latest, each list newest first.
fn lists(expected: &[Version], seen: &[Listed]) -> bool {
    if expected.len() != seen.len() {
        return false;
    }
    let find = |id: &str| seen.iter().find(|l| l.id == id);
    let mut ranks = (0usize, 0usize);
    for (i, v) in expected.iter().enumerate().rev() {
        let Some(l) = find(&v.id) else {
            return false;
        };
        let rank = if v.body.is_some() {
            &mut ranks.0
        } else {
            &mut ranks.1
        };
        if (l.size < 0) != v.body.is_none() || l.latest != (i + 1 == expected.len()) {
            return false;
        }
        if l.rank != *rank {
            return false;
        }
        *rank += 1;
    }
    true
}

/// The versions the server lists for `key`, checked against the acknowledged ones and the
/// call cut short, oldest first.
fn resolve(key: &str, state: &VersionedKey, seen: &[Listed]) -> Result<Vec<Version>, Fail> {
    let acked = &state.versions;
    let mut candidates = vec![acked.clone()];
    let extra: Vec<&Listed> = seen
        .iter()
        .filter(|l| !acked.iter().any(|v| v.id == l.id))
        .collect();
    match (&state.pending, extra.as_slice()) {
        (Some(VersionedPending::Put(b)), [new]) => {
            let mut v = acked.clone();
            v.push(Version {
                id: new.id.clone(),
                body: Some(*b),
            });
            candidates.push(v);
        }
        (Some(VersionedPending::Marker), [new]) => {
            let mut v = acked.clone();
            v.push(Version {
                id: new.id.clone(),
                body: None,
            });
            candidates.push(v);
        }
        (Some(VersionedPending::Remove(id)), []) => {
            candidates.push(acked.iter().filter(|v| &v.id != id).cloned().collect());
        }
        _ => {}
    }
    candidates
        .into_iter()
        .find(|c| lists(c, seen))
        .ok_or_else(|| {
            format!(
                "{VERSIONED}/{key}: listed {seen:?}, acknowledged {acked:?}, cut short {:?}",
                state.pending
            )
        })
}

/// Every key of `bucket` (under `prefix` if given) with its size and ETag.
pub async fn list(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    prefix: Option<&str>,
) -> Result<BTreeMap<String, (i64, String)>, Fail> {
    let mut out = BTreeMap::new();
    let mut token = None;
    loop {
        let page = s3
            .list_objects_v2()
            .bucket(bucket)
            .set_prefix(prefix.map(str::to_string))
            .set_continuation_token(token)
            .send()
            .await
            .map_err(|e| format!("ListObjectsV2 {bucket}: {e:?}"))?;
        for o in page.contents() {
            out.insert(
                o.key().unwrap_or_default().to_string(),
                (
                    o.size().unwrap_or(-1),
                    o.e_tag().unwrap_or_default().to_string(),
                ),
            );
        }
        token = page.next_continuation_token().map(str::to_string);
        if token.is_none() {
            return Ok(out);
        }
    }
}

/// Per key of the versioned bucket, what ListObjectVersions says.
async fn list_versions(s3: &aws_sdk_s3::Client) -> Result<BTreeMap<String, Vec<Listed>>, Fail> {
    let page = s3
        .list_object_versions()
        .bucket(VERSIONED)
        .send()
        .await
        .map_err(|e| format!("ListObjectVersions: {e:?}"))?;
    if page.is_truncated() == Some(true) {
        return Err("more versions than one page: the harness keeps fewer".into());
    }
    let mut out: BTreeMap<String, Vec<Listed>> = BTreeMap::new();
    let mut ranks: BTreeMap<(String, bool), usize> = BTreeMap::new();
    let mut add = |key: &str, l: Listed| {
        let rank = ranks.entry((key.to_string(), l.size < 0)).or_default();
        let l = Listed { rank: *rank, ..l };
        *rank += 1;
        out.entry(key.to_string()).or_default().push(l);
    };
    for v in page.versions() {
        let l = Listed {
            id: v.version_id().unwrap_or_default().to_string(),
            size: v.size().unwrap_or(0),
            etag: v.e_tag().map(str::to_string),
            latest: v.is_latest() == Some(true),
            rank: 0,
        };
        add(v.key().unwrap_or_default(), l);
    }
    for m in page.delete_markers() {
        let l = Listed {
            id: m.version_id().unwrap_or_default().to_string(),
            size: -1,
            etag: None,
            latest: m.is_latest() == Some(true),
            rank: 0,
        };
        add(m.key().unwrap_or_default(), l);
    }
    Ok(out)
}
