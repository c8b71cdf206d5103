//! The durable outbox of access log records and the log objects being delivered from it.
//! A record is queued in the request's durable scope, so it is on disk before the response
//! is acknowledged. Delivery notes a log object (its records, as an id range, and its key)
//! before it puts it, and removes the records and the note in one transaction once the put
//! succeeded: a put interrupted by a crash is retried with the same records under the same
//! key, so nothing is lost and nothing is delivered twice. Ids come from AUTOINCREMENT (an
//! identity column on PostgreSQL): they only grow, so an id range read once means the same
//! records later.

use trailstack_store::sql::{decode, Result};
use trailstack_store::{Conn, Migration};

/// The access log tables (a component of their own, so that they migrate independently of
/// the other S3 tables).
pub const MIGRATIONS: &[Migration] = &[Migration {
    component: "s3_access_log",
    version: 1,
    sql: "
CREATE TABLE s3_access_log_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source_bucket TEXT NOT NULL,
    target_bucket TEXT NOT NULL,
    target_prefix TEXT NOT NULL,
    key_format TEXT NOT NULL,
    event_ms INTEGER NOT NULL,
    line TEXT NOT NULL
);
CREATE INDEX s3_access_log_outbox_group ON s3_access_log_outbox (source_bucket, target_bucket, target_prefix, key_format, id);
CREATE TABLE s3_access_log_files (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source_bucket TEXT NOT NULL,
    target_bucket TEXT NOT NULL,
    target_prefix TEXT NOT NULL,
    key_format TEXT NOT NULL,
    target_key TEXT NOT NULL,
    first_id INTEGER NOT NULL,
    last_id INTEGER NOT NULL,
    noted_ms INTEGER NOT NULL,
    last_error TEXT
);
",
}];

/// Where a record goes: its source bucket and the configuration it was made under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// The logged bucket.
    pub source_bucket: String,
    /// TargetBucket.
    pub target_bucket: String,
    /// TargetPrefix.
    pub target_prefix: String,
    /// TargetObjectKeyFormat, as [`super::KeyFormat::column`] writes it.
    pub key_format: String,
}

/// A log object noted for delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotedFile {
    /// Note id.
    pub id: i64,
    /// Its records' group.
    pub group: Group,
    /// The key it is written under.
    pub target_key: String,
    /// Its records: ids `first_id..=last_id` of its group.
    pub first_id: i64,
    /// Last record id.
    pub last_id: i64,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
}

/// Queues one record line.
pub fn enqueue(c: &Conn, g: &Group, event_ms: i64, line: &str) -> Result<()> {
    c.execute(
        "INSERT INTO s3_access_log_outbox (source_bucket, target_bucket, target_prefix, key_format, event_ms, line) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            &g.source_bucket,
            &g.target_bucket,
            &g.target_prefix,
            &g.key_format,
            &event_ms,
            &line,
        ],
    )?;
    Ok(())
}

/// Every group with records not yet in a noted file.
pub fn groups(c: &Conn) -> Result<Vec<Group>> {
    c.query(
        "SELECT source_bucket, target_bucket, target_prefix, key_format FROM s3_access_log_outbox \
         GROUP BY source_bucket, target_bucket, target_prefix, key_format ORDER BY MIN(id)",
        &[],
        decode,
    )
}

/// Up to `limit` records of `g` after id `after`, in order: (id, event time, line).
pub fn pending(c: &Conn, g: &Group, after: i64, limit: usize) -> Result<Vec<(i64, i64, String)>> {
    c.query(
        "SELECT id, event_ms, line FROM s3_access_log_outbox \
         WHERE source_bucket = $1 AND target_bucket = $2 AND target_prefix = $3 AND key_format = $4 AND id > $5 \
         ORDER BY id LIMIT $6",
        &[
            &g.source_bucket,
            &g.target_bucket,
            &g.target_prefix,
            &g.key_format,
            &after,
            &limit,
        ],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
}

/// The record lines of `g` with ids `first..=last`, in order.
pub fn lines(c: &Conn, g: &Group, first: i64, last: i64) -> Result<Vec<String>> {
    c.query(
        "SELECT line FROM s3_access_log_outbox \
         WHERE source_bucket = $1 AND target_bucket = $2 AND target_prefix = $3 AND key_format = $4 \
         AND id >= $5 AND id <= $6 ORDER BY id",
        &[
            &g.source_bucket,
            &g.target_bucket,
            &g.target_prefix,
            &g.key_format,
            &first,
            &last,
        ],
        |r| r.get(0),
    )
}

/// The highest record id of `g` already in a noted file (0 when none).
pub fn noted_upto(c: &Conn, g: &Group) -> Result<i64> {
    let v: Option<i64> = c.query_one(
        "SELECT MAX(last_id) FROM s3_access_log_files \
         WHERE source_bucket = $1 AND target_bucket = $2 AND target_prefix = $3 AND key_format = $4",
        &[&g.source_bucket, &g.target_bucket, &g.target_prefix, &g.key_format],
        |r| r.get(0),
    )?;
    Ok(v.unwrap_or(0))
}

/// Notes a log object before it is put; returns its note id.
pub fn note(c: &Conn, g: &Group, key: &str, first: i64, last: i64, now_ms: i64) -> Result<i64> {
    c.query_one(
        "INSERT INTO s3_access_log_files (source_bucket, target_bucket, target_prefix, key_format, target_key, first_id, last_id, noted_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        &[
            &g.source_bucket,
            &g.target_bucket,
            &g.target_prefix,
            &g.key_format,
            &key,
            &first,
            &last,
            &now_ms,
        ],
        |r| r.get(0),
    )
}

// A noted file is read from its columns in the order the queries select them: id, the group's
// four, target_key, first_id, last_id, last_error.
trailstack_store::from_row! { Group { source_bucket, target_bucket, target_prefix, key_format } }
trailstack_store::from_row! {
    NotedFile { id, group, target_key, first_id, last_id, last_error }
}

/// Every noted, undelivered log object, oldest first.
pub fn noted(c: &Conn) -> Result<Vec<NotedFile>> {
    c.query(
        "SELECT id, source_bucket, target_bucket, target_prefix, key_format, target_key, first_id, last_id, last_error \
         FROM s3_access_log_files ORDER BY id",
        &[],
        decode,
    )
}

/// Records why the delivery of a noted file failed (it is retried on the next round).
pub fn failed(c: &Conn, id: i64, error: &str) -> Result<()> {
    c.execute(
        "UPDATE s3_access_log_files SET last_error = $1 WHERE id = $2",
        &[&error, &id],
    )?;
    Ok(())
}

/// After a successful put: removes the file's records and its note, together.
pub fn delivered(c: &Conn, f: &NotedFile) -> Result<usize> {
    let g = &f.group;
    let n = c.execute(
        "DELETE FROM s3_access_log_outbox \
         WHERE source_bucket = $1 AND target_bucket = $2 AND target_prefix = $3 AND key_format = $4 \
         AND id >= $5 AND id <= $6",
        &[
            &g.source_bucket,
            &g.target_bucket,
            &g.target_prefix,
            &g.key_format,
            &f.first_id,
            &f.last_id,
        ],
    )?;
    c.execute("DELETE FROM s3_access_log_files WHERE id = $1", &[&f.id])?;
    Ok(n)
}

/// How many records wait for `source_bucket`, and the last delivery error of its files.
pub fn backlog(c: &Conn, source_bucket: &str) -> Result<(i64, Option<String>)> {
    let n: i64 = c.query_one(
        "SELECT COUNT(*) FROM s3_access_log_outbox WHERE source_bucket = $1",
        &[&source_bucket],
        |r| r.get(0),
    )?;
    let err: Option<String> = c.query_opt(
        "SELECT last_error FROM s3_access_log_files WHERE source_bucket = $1 AND last_error IS NOT NULL \
         ORDER BY id DESC LIMIT 1",
        &[&source_bucket],
        |r| r.get(0),
    )?;
    Ok((n, err))
}
