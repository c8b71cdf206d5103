//! What ListObjects and ListObjectsV2 read of current object versions: the members a listing
//! shows, read row by row as the listing takes them. A listing reads them from the columns
//! written beside each record (storage class, checksum algorithm and type, owner), never the
//! record's JSON part nor the object's inline data; only rows written before those columns
//! existed (s3 schema version 1) have their record's JSON read instead.

use super::buckets::Owner;
use super::objects::{prefix_end, ObjectMeta, StoredChecksum};
use crate::error::{S3Error, S3Result};
use serde::Deserialize;
use trailstack_store::{Conn, Row, Value};

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
    /// The object's checksum, as a listing names it.
    pub checksum: Option<ListedChecksum>,
    /// Who owns the object; read only when the listing shows owners.
    pub owner: Option<Owner>,
}

/// An object's checksum as a listing names it: the algorithm and the type, not the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedChecksum {
    /// CRC32, CRC32C, SHA1, SHA256 or CRC64NVME.
    pub algorithm: String,
    /// FULL_OBJECT or COMPOSITE.
    pub kind: String,
}

/// The listed members as the columns beside a record hold them, in `INSERT` order: storage
/// class (NULL for STANDARD), checksum algorithm and type (NULL without one), owner id and
/// display name. A row whose owner id is NULL predates the columns.
pub(super) fn columns(meta: &ObjectMeta) -> [Option<&str>; 5] {
    let checksum = meta.checksum.as_ref();
    [
        meta.storage_class.as_deref(),
        checksum.map(|c| c.algorithm.as_str()),
        checksum.map(|c| c.kind.as_str()),
        Some(meta.owner.id.as_str()),
        Some(meta.owner.display_name.as_str()),
    ]
}

/// The column names [`columns`] fills.
pub(super) const COLUMN_NAMES: &str =
    "storage_class, checksum_algorithm, checksum_type, owner_id, owner_name";

/// The members of an object record's JSON part a listing shows, for rows that predate the
/// listed columns; the rest is skipped unread.
#[derive(Deserialize)]
struct ListedMeta {
    storage_class: Option<String>,
    checksum: Option<StoredChecksum>,
    owner: Owner,
}

/// One row of a scan, as the index that covers listings holds it (see `MIGRATIONS` version 3).
pub struct ListedRow {
    /// The key's bytes.
    pub key: Vec<u8>,
    size: i64,
    etag: String,
    last_modified_ms: i64,
    storage_class: Option<String>,
    checksum: Option<ListedChecksum>,
    owner: Option<Owner>,
    /// The row predates the listed columns: its members are in its record's JSON part, which
    /// the index does not hold and [`listed`] reads afterwards.
    legacy: bool,
}

impl ListedRow {
    fn read(r: &Row<'_>, owners: bool) -> trailstack_store::sql::Result<ListedRow> {
        let legacy = matches!(r.value(7)?, Value::Null);
        let checksum = match (r.value(5)?, r.value(6)?) {
            (Value::Text(algorithm), Value::Text(kind)) => Some(ListedChecksum {
                algorithm: algorithm.to_string(),
                kind: kind.to_string(),
            }),
            _ => None,
        };
        let owner = if owners && !legacy {
            Some(Owner {
                id: r.get(7)?,
                display_name: r.get(8)?,
            })
        } else {
            None
        };
        Ok(ListedRow {
            key: r.get(0)?,
            size: r.get(1)?,
            etag: r.get(2)?,
            last_modified_ms: r.get(3)?,
            storage_class: r.get(4)?,
            checksum,
            owner,
            legacy,
        })
    }
}

/// The listed objects the rows of a scan hold, in order. A row that predates the listed
/// columns has its record's JSON part read here, after the scan (a query while the scan's
/// rows are read would need a second cursor on the connection).
pub fn listed(c: &Conn, bucket: &str, rows: Vec<ListedRow>) -> S3Result<Vec<ListedObject>> {
    rows.into_iter()
        .map(|row| {
            let (storage_class, checksum, owner) = if row.legacy {
                let meta: String = c
                    .query_opt(
                        "SELECT meta FROM s3_objects WHERE bucket = $1 AND key = $2 AND is_latest = 1",
                        &[&bucket, &row.key],
                        |r| r.get(0),
                    )?
                    .ok_or_else(|| S3Error::Internal("listed row without its record".into()))?;
                let meta: ListedMeta = serde_json::from_str(&meta)
                    .map_err(|e| S3Error::Internal(format!("object record: {e}")))?;
                let checksum = meta.checksum.map(|c| ListedChecksum {
                    algorithm: c.algorithm,
                    kind: c.kind,
                });
                (meta.storage_class, checksum, Some(meta.owner))
            } else {
                (row.storage_class, row.checksum, row.owner)
            };
            let key = String::from_utf8(row.key)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
            Ok(ListedObject {
                key,
                etag: row.etag,
                size: row.size as u64,
                last_modified_ms: row.last_modified_ms,
                storage_class,
                checksum,
                owner,
            })
        })
        .collect()
}

/// Walks current, non-deleted objects with keys starting with `prefix` and greater than
/// `after`, in byte order, at most `limit`, handing each row to `take` until it returns false.
/// Owners are read only when `owners` says the listing shows them.
pub fn scan_latest(
    c: &Conn,
    bucket: &str,
    (prefix, after): (&[u8], &[u8]),
    limit: usize,
    owners: bool,
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
    // index that holds every selected column, so no row of the table itself is visited.
    let sql = format!(
        "SELECT key, size, etag, last_modified_ms, {COLUMN_NAMES} FROM s3_objects \
         WHERE bucket = $1 AND is_latest = 1 AND delete_marker = 0 \
         AND key {op} $2 AND key < $3 ORDER BY key LIMIT $4"
    );
    // The caller's error, if `take` fails, is kept apart from the store's.
    let mut failed = None;
    c.for_each(&sql, &[&bucket, &lower, &end, &limit], |r| {
        match take(ListedRow::read(r, owners)?) {
            Ok(more) => Ok(more),
            Err(e) => {
                failed = Some(e);
                Ok(false)
            }
        }
    })?;
    failed.map_or(Ok(()), Err)
}
