//! Multipart uploads in progress and their parts.

use super::objects::{ObjectMeta, StoredChecksum};
use crate::error::{S3Error, S3Result};
use serde::{Deserialize, Serialize};
use trailstack_store::journal;
use trailstack_store::sql::Result as StoreResult;
use trailstack_store::{Conn as Connection, Row};

/// An upload started by CreateMultipartUpload and not yet completed or aborted.
#[derive(Debug, Clone)]
pub struct Upload {
    /// The upload id.
    pub upload_id: String,
    /// Bucket name.
    pub bucket: String,
    /// Object key.
    pub key: String,
    /// When it was initiated.
    pub initiated_ms: i64,
    /// What the completed object will carry (content headers, user metadata, tags, owner), and
    /// in `checksum` the algorithm chosen at creation (value empty).
    pub meta: ObjectMeta,
}

/// Per-part details, stored as JSON.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PartMeta {
    /// The blob holding the part's bytes.
    pub blob: String,
    /// The part's checksum, if one was computed.
    pub checksum: Option<StoredChecksum>,
}

/// One uploaded part.
#[derive(Debug, Clone)]
pub struct Part {
    /// Part number, 1..=10000.
    pub part_number: u32,
    /// Size in bytes.
    pub size: u64,
    /// ETag (MD5 hex) without quotes.
    pub etag: String,
    /// Upload time.
    pub last_modified_ms: i64,
    /// Blob and checksum.
    pub meta: PartMeta,
}

fn json<T: Serialize>(v: &T) -> S3Result<String> {
    serde_json::to_string(v).map_err(|e| S3Error::Internal(e.to_string()))
}

fn parse<T: for<'de> Deserialize<'de>>(s: &str) -> S3Result<T> {
    serde_json::from_str(s).map_err(|e| S3Error::Internal(format!("upload record: {e}")))
}

/// A part row with its JSON `meta` column parsed into it.
fn with_part_meta((mut p, m): (Part, String)) -> S3Result<Part> {
    p.meta = parse(&m)?;
    Ok(p)
}

/// An upload row with its JSON `meta` column parsed into it.
fn with_upload_meta((mut u, m): (Upload, String)) -> S3Result<Upload> {
    u.meta = parse(&m)?;
    Ok(u)
}

/// Records a new upload.
pub fn insert(c: &Connection, u: &Upload) -> S3Result<()> {
    c.execute(
        "INSERT INTO s3_uploads (upload_id, bucket, key, initiated_ms, meta) VALUES ($1, $2, $3, $4, $5)",
        &[&u.upload_id, &u.bucket, &u.key.as_bytes(), &u.initiated_ms, &json(&u.meta)?],
    )?;
    Ok(())
}

fn upload_row(r: &Row<'_>) -> StoreResult<(Upload, String)> {
    let key: Vec<u8> = r.get(2)?;
    Ok((
        Upload {
            upload_id: r.get(0)?,
            bucket: r.get(1)?,
            key: String::from_utf8_lossy(&key).into_owned(),
            initiated_ms: r.get(3)?,
            meta: ObjectMeta::default(),
        },
        r.get(4)?,
    ))
}

/// The upload `upload_id` of `bucket`/`key`, or NoSuchUpload.
pub fn require(c: &Connection, bucket: &str, key: &str, upload_id: &str) -> S3Result<Upload> {
    let r = c.query_opt(
        "SELECT upload_id, bucket, key, initiated_ms, meta FROM s3_uploads WHERE upload_id = $1",
        &[&upload_id],
        upload_row,
    )?;
    match r {
        Some((mut u, meta)) if u.bucket == bucket && u.key == key => {
            u.meta = parse(&meta)?;
            Ok(u)
        }
        _ => Err(S3Error::NoSuchUpload(upload_id.to_string())),
    }
}

/// Removes an upload and its part rows; returns the parts so the caller can drop unused blobs.
/// Their blobs are released: a completed object claims the ones it keeps after this, in the
/// same transaction (trailstack_store::journal).
pub fn remove(c: &Connection, upload_id: &str) -> S3Result<Vec<Part>> {
    let parts = parts(c, upload_id, 0, usize::MAX)?;
    c.execute("DELETE FROM s3_parts WHERE upload_id = $1", &[&upload_id])?;
    c.execute("DELETE FROM s3_uploads WHERE upload_id = $1", &[&upload_id])?;
    journal::release(c, parts.iter().map(|p| p.meta.blob.as_str()))?;
    Ok(parts)
}

/// Stores a part, replacing an earlier upload of the same number (whose blob is returned).
pub fn put_part(c: &Connection, upload_id: &str, p: &Part) -> S3Result<Option<Part>> {
    let old = part(c, upload_id, p.part_number)?;
    c.execute(
        "INSERT INTO s3_parts (upload_id, part_number, size, etag, last_modified_ms, meta)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (upload_id, part_number) DO UPDATE SET size = excluded.size,
           etag = excluded.etag, last_modified_ms = excluded.last_modified_ms, meta = excluded.meta",
        &[
            &upload_id,
            &p.part_number,
            &(p.size as i64),
            &p.etag,
            &p.last_modified_ms,
            &json(&p.meta)?,
        ],
    )?;
    if let Some(old) = &old {
        journal::release(c, [old.meta.blob.as_str()])?;
    }
    journal::claim(c, [p.meta.blob.as_str()])?;
    Ok(old)
}

fn part_row(r: &Row<'_>) -> StoreResult<(Part, String)> {
    Ok((
        Part {
            part_number: r.get(0)?,
            size: r.get::<i64>(1)? as u64,
            etag: r.get(2)?,
            last_modified_ms: r.get(3)?,
            meta: PartMeta {
                blob: String::new(),
                checksum: None,
            },
        },
        r.get(4)?,
    ))
}

/// One part of an upload.
pub fn part(c: &Connection, upload_id: &str, n: u32) -> S3Result<Option<Part>> {
    let r = c.query_opt(
        "SELECT part_number, size, etag, last_modified_ms, meta FROM s3_parts WHERE upload_id = $1 AND part_number = $2",
        &[&upload_id, &n],
        part_row,
    )?;
    r.map(with_part_meta).transpose()
}

/// Parts with numbers above `after`, ascending, at most `limit`.
pub fn parts(c: &Connection, upload_id: &str, after: u32, limit: usize) -> S3Result<Vec<Part>> {
    let rows = c.query(
        "SELECT part_number, size, etag, last_modified_ms, meta FROM s3_parts
         WHERE upload_id = $1 AND part_number > $2 ORDER BY part_number LIMIT $3",
        &[&upload_id, &after, &limit],
        part_row,
    )?;
    rows.into_iter().map(with_part_meta).collect()
}

/// Uploads of `bucket` with keys starting with `prefix`, ordered by key then initiation, after
/// the (`key`, `upload_id`) marker, at most `limit`.
pub fn list(
    c: &Connection,
    bucket: &str,
    prefix: &[u8],
    key_marker: &[u8],
    upload_id_marker: &str,
    limit: usize,
) -> S3Result<Vec<Upload>> {
    let end = super::objects::prefix_end(prefix);
    // `upload_id > $5` comes before the test of the same parameter against '' so that
    // PostgreSQL learns its type from it.
    let rows = c.query(
        "SELECT upload_id, bucket, key, initiated_ms, meta FROM s3_uploads
         WHERE bucket = $1 AND key >= $2 AND key < $3
           AND (key > $4 OR (key = $4 AND upload_id > $5 AND $5 <> ''))
         ORDER BY key, initiated_ms, upload_id LIMIT $6",
        &[
            &bucket,
            &prefix,
            &end,
            &key_marker,
            &upload_id_marker,
            &limit,
        ],
        upload_row,
    )?;
    rows.into_iter().map(with_upload_meta).collect()
}

/// Removes every upload of `bucket` (DeleteBucket takes them with the bucket, as AWS does);
/// returns their parts so the caller can drop the blobs after commit.
pub fn remove_all(c: &Connection, bucket: &str) -> S3Result<Vec<Part>> {
    let ids: Vec<String> = c.query(
        "SELECT upload_id FROM s3_uploads WHERE bucket = $1",
        &[&bucket],
        |r| r.get(0),
    )?;
    let mut parts = Vec::new();
    for id in ids {
        parts.extend(remove(c, &id)?);
    }
    Ok(parts)
}
