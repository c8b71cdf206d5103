//! What ListObjects and ListObjectsV2 read of current object versions: the members a listing
//! shows, read row by row as the listing takes them. A listing neither copies the objects'
//! inline data nor builds their whole records: only the rows it shows have their JSON part
//! read, and only for the storage class, checksum and owner.

use super::buckets::Owner;
use super::objects::{prefix_end, StoredChecksum};
use crate::error::{S3Error, S3Result};
use serde::Deserialize;
use trailstack_store::Conn;

/// A current object version as a listing shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedObject {
    /// The key.
    pub key: String,
    /// The ETag, without quotes.
    pub etag: String,
    /// Size in bytes.
    pub size: u64,
    /// Last-Modified, epoch ms.
    pub last_modified_ms: i64,
    /// Storage class; None means STANDARD.
    pub storage_class: Option<String>,
    /// The object's checksum.
    pub checksum: Option<StoredChecksum>,
    /// Who owns the object.
    pub owner: Owner,
}

/// The members of an object record's JSON part a listing shows; the rest is skipped unread.
#[derive(Deserialize)]
struct ListedMeta {
    storage_class: Option<String>,
    checksum: Option<StoredChecksum>,
    owner: Owner,
}

/// One row of a scan, its record not yet read.
pub struct ListedRow {
    /// The key's bytes.
    pub key: Vec<u8>,
    size: i64,
    etag: String,
    last_modified_ms: i64,
    meta: String,
}

impl ListedRow {
    /// Reads the record's listed members.
    pub fn into_listed(self) -> S3Result<ListedObject> {
        let meta: ListedMeta = serde_json::from_str(&self.meta)
            .map_err(|e| S3Error::Internal(format!("object record: {e}")))?;
        let key = String::from_utf8(self.key)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        Ok(ListedObject {
            key,
            etag: self.etag,
            size: self.size as u64,
            last_modified_ms: self.last_modified_ms,
            storage_class: meta.storage_class,
            checksum: meta.checksum,
            owner: meta.owner,
        })
    }
}

/// Walks current, non-deleted objects with keys starting with `prefix` and greater than
/// `after`, in byte order, at most `limit`, handing each row to `take` until it returns false.
pub fn scan_latest(
    c: &Conn,
    bucket: &str,
    prefix: &[u8],
    after: &[u8],
    limit: usize,
    mut take: impl FnMut(ListedRow) -> S3Result<bool>,
) -> S3Result<()> {
    // Before the prefix, the listing starts at the prefix itself, which may be a key.
    let (lower, op) = if after < prefix {
        (prefix, ">=")
    } else {
        (after, ">")
    };
    let end = prefix_end(prefix);
    // Keys are bytes (BLOB, BYTEA), compared byte by byte on both engines: one range of the
    // index on either.
    let sql = format!(
        "SELECT key, size, etag, last_modified_ms, meta FROM s3_objects \
         WHERE bucket = $1 AND is_latest = 1 AND delete_marker = 0 \
         AND key {op} $2 AND key < $3 ORDER BY key LIMIT $4"
    );
    // The caller's error, if `take` fails, is kept apart from the store's.
    let mut failed = None;
    c.for_each(&sql, &[&bucket, &lower, &end, &limit], |r| {
        let row = ListedRow {
            key: r.get(0)?,
            size: r.get(1)?,
            etag: r.get(2)?,
            last_modified_ms: r.get(3)?,
            meta: r.get(4)?,
        };
        match take(row) {
            Ok(more) => Ok(more),
            Err(e) => {
                failed = Some(e);
                Ok(false)
            }
        }
    })?;
    failed.map_or(Ok(()), Err)
}
