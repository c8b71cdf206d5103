//! Object-version records and their queries. Every object is a version row: unversioned and
//! suspended buckets keep one `null` version per key, versioned buckets keep them all; a delete
//! marker is a row without data. `is_latest` marks the current version of each key.

use super::buckets::{Grant, Owner};
use super::listing;
use crate::error::{S3Error, S3Result};
use serde::{Deserialize, Serialize};
use trailstack_store::journal;
use trailstack_store::sql::Result as StoreResult;
use trailstack_store::{Conn as Connection, Row};

/// A stored checksum of an object or part.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct StoredChecksum {
    /// CRC32, CRC32C, SHA1, SHA256 or CRC64NVME.
    pub algorithm: String,
    /// The base64 value (for composite checksums, with its `-N` suffix).
    pub value: String,
    /// FULL_OBJECT or COMPOSITE.
    pub kind: String,
}

/// One stretch of an object's bytes kept in one blob file; a multipart object has one per part.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Segment {
    /// The blob id.
    pub blob: String,
    /// Bytes in this segment.
    pub size: u64,
    /// The part's checksum, for multipart objects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checksum: Option<StoredChecksum>,
}

/// Everything about an object version besides its identity, size and ETag.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct ObjectMeta {
    /// Record schema version.
    #[serde(default)]
    pub v: u32,
    /// Content-Type.
    pub content_type: Option<String>,
    /// Content-Encoding.
    pub content_encoding: Option<String>,
    /// Content-Disposition.
    pub content_disposition: Option<String>,
    /// Content-Language.
    pub content_language: Option<String>,
    /// Cache-Control.
    pub cache_control: Option<String>,
    /// Expires, as sent.
    pub expires: Option<String>,
    /// x-amz-website-redirect-location.
    pub website_redirect: Option<String>,
    /// User metadata (`x-amz-meta-*`), names lower-case without the prefix.
    pub user: Vec<(String, String)>,
    /// Storage class; None means STANDARD.
    pub storage_class: Option<String>,
    /// The object's checksum.
    pub checksum: Option<StoredChecksum>,
    /// Where the bytes are (empty when stored inline or for a delete marker).
    pub segments: Vec<Segment>,
    /// Number of parts, for objects made by multipart upload.
    pub parts_count: Option<u32>,
    /// Object tags.
    pub tags: Vec<(String, String)>,
    /// Who owns the object.
    pub owner: Owner,
    /// The object's ACL grants; empty means the owner's full control alone (the ACL of every
    /// object written while ACLs are disabled, and of records older than object ACLs).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub acl: Vec<Grant>,
    /// How the bytes are encrypted at rest, and why; None for objects written before
    /// encryption at rest (plaintext blobs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sse: Option<crate::sse::SseRecord>,
    /// Who wrote this version, as the write's caller said; None for objects written before
    /// writers were recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub written_by: Option<WrittenBy>,
    /// The multipart upload this version completed, so that a CompleteMultipartUpload sent
    /// again gets the same answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_upload: Option<String>,
    /// Its Object Lock retention and legal hold; None when neither was ever set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lock: Option<super::lock::ObjectLock>,
}

/// The caller of the write that made an object version, recorded with it so that `trailstack
/// explain` says who wrote it without searching the event history. The write's time is the
/// version's `last_modified_ms`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct WrittenBy {
    /// The principal's ARN (`arn:aws:iam::111122223333:user/alice`), or the service principal
    /// (`cloudtrail.amazonaws.com`).
    pub principal: String,
    /// The principal's account.
    pub account: String,
    /// The service that made the call on the principal's behalf (`invokedBy`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoked_by: Option<String>,
    /// The resource a service principal acted for (`aws:SourceArn`): for CloudTrail, the trail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_arn: Option<String>,
    /// The write's request id (`x-amz-request-id`, CloudTrail's `requestID`).
    pub request_id: String,
}

impl WrittenBy {
    /// The writer of a call made by `caller`.
    pub fn of(caller: &trailstack_core::Caller) -> WrittenBy {
        WrittenBy {
            principal: caller.arn(),
            account: caller.account.to_string(),
            invoked_by: caller.invoked_by.clone(),
            source_arn: caller.source_arn.clone(),
            request_id: caller.request_id.clone(),
        }
    }
}

/// One version of one key.
#[derive(Debug, Clone)]
pub struct ObjectVersion {
    /// Bucket name.
    pub bucket: String,
    /// Object key.
    pub key: String,
    /// Version id, `null` for the unversioned version.
    pub version_id: String,
    /// Insertion order, for newest-first listing of versions.
    pub seq: i64,
    /// Whether this is the key's current version.
    pub is_latest: bool,
    /// Whether this version is a delete marker.
    pub delete_marker: bool,
    /// Size in bytes.
    pub size: u64,
    /// ETag without quotes.
    pub etag: String,
    /// Last-Modified.
    pub last_modified_ms: i64,
    /// The rest.
    pub meta: ObjectMeta,
    /// The bytes, for small objects stored in the metadata database itself.
    pub inline: Option<Vec<u8>>,
}

impl ObjectVersion {
    /// A version about to become the current one of `bucket`/`key`; `objects::put` assigns its
    /// version id and sequence number.
    pub fn new_current(
        bucket: String,
        key: String,
        size: u64,
        etag: String,
        last_modified_ms: i64,
        meta: ObjectMeta,
        inline: Option<Vec<u8>>,
    ) -> ObjectVersion {
        ObjectVersion {
            bucket,
            key,
            version_id: String::new(),
            seq: 0,
            is_latest: true,
            delete_marker: false,
            size,
            etag,
            last_modified_ms,
            meta,
            inline,
        }
    }

    /// The blob ids this version owns.
    pub fn blobs(&self) -> impl Iterator<Item = &str> {
        self.meta.segments.iter().map(|s| s.blob.as_str())
    }
}

const COLUMNS: &str =
    "bucket, key, version_id, seq, is_latest, delete_marker, size, etag, last_modified_ms, meta, inline_data";

fn row(r: &Row<'_>) -> StoreResult<(ObjectVersion, String)> {
    let key: Vec<u8> = r.get(1)?;
    Ok((
        ObjectVersion {
            bucket: r.get(0)?,
            key: String::from_utf8_lossy(&key).into_owned(),
            version_id: r.get(2)?,
            seq: r.get(3)?,
            is_latest: r.get(4)?,
            delete_marker: r.get(5)?,
            size: r.get::<i64>(6)? as u64,
            etag: r.get(7)?,
            last_modified_ms: r.get(8)?,
            meta: ObjectMeta::default(),
            inline: r.get(10)?,
        },
        r.get(9)?,
    ))
}

fn decode(pair: (ObjectVersion, String)) -> S3Result<ObjectVersion> {
    let (mut o, meta) = pair;
    o.meta = serde_json::from_str(&meta)
        .map_err(|e| S3Error::Internal(format!("object record: {e}")))?;
    Ok(o)
}

/// The current version of `key` (possibly a delete marker).
pub fn latest(c: &Connection, bucket: &str, key: &str) -> S3Result<Option<ObjectVersion>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM s3_objects WHERE bucket = $1 AND key = $2 AND is_latest = 1"
    );
    let r = c.query_opt(&sql, &[&bucket, &key.as_bytes()], row)?;
    r.map(decode).transpose()
}

/// A specific version of `key`.
pub fn version(
    c: &Connection,
    bucket: &str,
    key: &str,
    version_id: &str,
) -> S3Result<Option<ObjectVersion>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM s3_objects WHERE bucket = $1 AND key = $2 AND version_id = $3"
    );
    let r = c.query_opt(&sql, &[&bucket, &key.as_bytes(), &version_id], row)?;
    r.map(decode).transpose()
}

/// The next insertion sequence number.
pub fn next_seq(c: &Connection) -> S3Result<i64> {
    Ok(c.query_one(
        "UPDATE s3_seq SET next = next + 1 WHERE id = 1 RETURNING next - 1",
        &[],
        |r| r.get(0),
    )?)
}

/// A fresh version id for the version inserted as `seq`: 16 hex digits of the sequence, then
/// 20 random ones. Carrying the sequence lets a listing resume after a version-id marker whose
/// version was deleted in between (as clients emptying a bucket page by page do).
pub fn new_version_id(seq: i64) -> String {
    let random = uuid::Uuid::new_v4().simple().to_string();
    format!("{seq:016x}{}", &random[..20])
}

/// Whether `id` can name a version: `null`, or an id trailstack makes (36 characters, or 32
/// in records written before version ids carried their sequence).
pub fn plausible_version_id(id: &str) -> bool {
    id == "null" || id.len() == 36 || id.len() == 32
}

/// The insertion sequence a version id made by [`new_version_id`] carries.
pub fn seq_of_version_id(id: &str) -> Option<i64> {
    if id.len() != 36 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    i64::from_str_radix(&id[..16], 16).ok()
}

fn insert(c: &Connection, o: &ObjectVersion) -> S3Result<()> {
    let meta = serde_json::to_string(&o.meta).map_err(|e| S3Error::Internal(e.to_string()))?;
    let [class, algorithm, kind, owner_id, owner_name] = listing::columns(&o.meta);
    c.execute(
        &format!(
            "INSERT INTO s3_objects (bucket, key, version_id, seq, is_latest, delete_marker, \
             size, etag, last_modified_ms, meta, inline_data, {}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
            listing::COLUMN_NAMES
        ),
        &[
            &o.bucket,
            &o.key.as_bytes(),
            &o.version_id,
            &o.seq,
            &o.is_latest,
            &o.delete_marker,
            &(o.size as i64),
            &o.etag,
            &o.last_modified_ms,
            &meta,
            &o.inline,
            &class,
            &algorithm,
            &kind,
            &owner_id,
            &owner_name,
        ],
    )?;
    // The new row references its blobs: they are no longer loose (trailstack_store::journal).
    journal::claim(c, o.blobs())?;
    Ok(())
}

/// Makes `o` the current version of its key under the bucket's versioning state. With
/// versioning `Enabled` it gets a fresh version id and older versions stay; otherwise it becomes
/// the `null` version, replacing any earlier `null` version. Returns the replaced version,
/// whose blobs the caller deletes after commit.
pub fn put(
    c: &Connection,
    o: &mut ObjectVersion,
    versioning: &str,
) -> S3Result<Option<ObjectVersion>> {
    o.seq = next_seq(c)?;
    o.is_latest = true;
    let mut replaced = None;
    if versioning == "Enabled" {
        o.version_id = new_version_id(o.seq);
    } else {
        o.version_id = "null".to_string();
        replaced = version(c, &o.bucket, &o.key, "null")?;
        c.execute(
            "DELETE FROM s3_objects WHERE bucket = $1 AND key = $2 AND version_id = 'null'",
            &[&o.bucket, &o.key.as_bytes()],
        )?;
        if let Some(old) = &replaced {
            journal::release(c, old.blobs())?;
        }
    }
    // A bucket whose versioning was never set holds only `null` versions, just deleted: no
    // other version of the key can be current.
    if !versioning.is_empty() {
        c.execute(
            "UPDATE s3_objects SET is_latest = 0 WHERE bucket = $1 AND key = $2 AND is_latest = 1",
            &[&o.bucket, &o.key.as_bytes()],
        )?;
    }
    insert(c, o)?;
    Ok(replaced)
}

/// Deletes one version row; when it was the current one, the newest remaining version becomes
/// current.
pub fn remove_version(
    c: &Connection,
    bucket: &str,
    key: &str,
    version_id: &str,
) -> S3Result<Option<ObjectVersion>> {
    let Some(old) = version(c, bucket, key, version_id)? else {
        return Ok(None);
    };
    c.execute(
        "DELETE FROM s3_objects WHERE bucket = $1 AND key = $2 AND version_id = $3",
        &[&bucket, &key.as_bytes(), &version_id],
    )?;
    journal::release(c, old.blobs())?;
    if old.is_latest {
        c.execute(
            "UPDATE s3_objects SET is_latest = 1 WHERE bucket = $1 AND key = $2 AND seq =
             (SELECT MAX(seq) FROM s3_objects WHERE bucket = $1 AND key = $2)",
            &[&bucket, &key.as_bytes()],
        )?;
    }
    Ok(Some(old))
}

/// Replaces a version's metadata (tags, for instance) in place.
pub fn update_meta(c: &Connection, o: &ObjectVersion) -> S3Result<()> {
    let meta = serde_json::to_string(&o.meta).map_err(|e| S3Error::Internal(e.to_string()))?;
    // The listed columns follow the record, so that a listing never reads a stale one.
    let [class, algorithm, kind, owner_id, owner_name] = listing::columns(&o.meta);
    c.execute(
        "UPDATE s3_objects SET meta = $1, storage_class = $2, checksum_algorithm = $3, \
         checksum_type = $4, owner_id = $5, owner_name = $6 \
         WHERE bucket = $7 AND key = $8 AND version_id = $9",
        &[
            &meta,
            &class,
            &algorithm,
            &kind,
            &owner_id,
            &owner_name,
            &o.bucket,
            &o.key.as_bytes(),
            &o.version_id,
        ],
    )?;
    Ok(())
}

/// Whether the bucket holds any version or delete marker.
pub fn bucket_has_objects(c: &Connection, bucket: &str) -> S3Result<bool> {
    Ok(c.query_one(
        "SELECT EXISTS(SELECT 1 FROM s3_objects WHERE bucket = $1)",
        &[&bucket],
        |r| r.get(0),
    )?)
}

/// The smallest byte string greater than every key starting with `prefix`: the bound listings
/// scan up to (`key < end`, one range on either engine). Keys are UTF-8, in which the byte 0xFF
/// never occurs, so `[0xFF]` is greater than every key (the bound of the empty prefix).
pub fn prefix_end(prefix: &[u8]) -> Vec<u8> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xFF {
            end.push(last + 1);
            return end;
        }
    }
    vec![0xFF]
}

/// All versions (and delete markers) with keys starting with `prefix`, after the position
/// (`key`, `seq`) — keys ascending, versions of a key newest first — at most `limit`.
pub fn scan_versions(
    c: &Connection,
    bucket: &str,
    prefix: &[u8],
    after_key: &[u8],
    after_seq: Option<i64>,
    limit: usize,
) -> S3Result<Vec<ObjectVersion>> {
    let end = prefix_end(prefix);
    let lower: &[u8] = if after_key < prefix {
        prefix
    } else {
        after_key
    };
    // One statement for every case (it binds all five parameters): the versions of `lower`
    // older than `seq`, then the keys after it. `i64::MIN` excludes `lower` itself, `i64::MAX`
    // includes all of its versions.
    let seq = match after_seq {
        Some(s) if after_key >= prefix => s,
        _ if after_key >= prefix && !after_key.is_empty() => i64::MIN,
        _ => i64::MAX,
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM s3_objects WHERE bucket = $1
         AND ((key = $2 AND seq < $3) OR key > $2) AND key < $4
         ORDER BY key, seq DESC LIMIT $5"
    );
    let rows = c.query(&sql, &[&bucket, &lower, &seq, &end, &limit], row)?;
    rows.into_iter().map(decode).collect()
}

/// Up to `limit` keys of `bucket` after `after`, in byte order (the lifecycle worker's pages).
pub fn keys_after(
    c: &Connection,
    bucket: &str,
    after: &[u8],
    limit: usize,
) -> S3Result<Vec<Vec<u8>>> {
    Ok(c.query(
        "SELECT DISTINCT key FROM s3_objects WHERE bucket = $1 AND key > $2 ORDER BY key LIMIT $3",
        &[&bucket, &after, &limit],
        |r| r.get(0),
    )?)
}

/// Every version (and delete marker) of `key`, newest first.
pub fn versions_of(c: &Connection, bucket: &str, key: &[u8]) -> S3Result<Vec<ObjectVersion>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM s3_objects WHERE bucket = $1 AND key = $2 ORDER BY seq DESC"
    );
    let rows = c.query(&sql, &[&bucket, &key], row)?;
    rows.into_iter().map(decode).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_end_handles_ff() {
        assert_eq!(prefix_end(b"ab"), b"ac");
        assert_eq!(prefix_end(&[b'a', 0xFF]), b"b");
        // U+10FFFF is F4 8F BF BF.
        assert_eq!(
            prefix_end("a\u{10FFFF}".as_bytes()),
            [b'a', 0xF4, 0x8F, 0xBF, 0xC0]
        );
        assert_eq!(prefix_end(b""), [0xFF]);
        assert!("\u{10FFFF}\u{10FFFF}".as_bytes() < &prefix_end(b"")[..]);
    }
}
