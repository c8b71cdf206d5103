//! Delivery bookkeeping: the log files of each (trail, region) — written "in flight" before the
//! object is put and completed after, so a delivery interrupted by a crash is redone with the
//! same records under the same key — and the digest chains (period start, the previous
//! digest's location, hash and signature) that link each digest to the one before.

use super::outbox::Pending;
use trailstack_store::sql::{decode, Result};
use trailstack_store::Conn;

/// The delivery tables (migration 2 of the `cloudtrail` component).
pub const SQL: &str = "
CREATE TABLE ct_log_files (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    trail_arn TEXT NOT NULL,
    region TEXT NOT NULL,
    bucket TEXT NOT NULL,
    key TEXT NOT NULL,
    first_id INTEGER NOT NULL,
    last_id INTEGER NOT NULL,
    delivered_ms INTEGER,
    sha256 TEXT,
    newest_ms INTEGER,
    oldest_ms INTEGER,
    digested INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX ct_log_files_open ON ct_log_files (trail_arn, region, digested, delivered_ms);
CREATE TABLE ct_digest_chains (
    trail_arn TEXT NOT NULL,
    region TEXT NOT NULL,
    account TEXT NOT NULL,
    name TEXT NOT NULL,
    home_region TEXT NOT NULL,
    bucket TEXT NOT NULL,
    prefix TEXT,
    period_start_ms INTEGER NOT NULL,
    prev_bucket TEXT,
    prev_key TEXT,
    prev_hash TEXT,
    prev_signature TEXT,
    PRIMARY KEY (trail_arn, region)
);
";

/// A log file of a trail: in flight (`delivered_ms` None) or delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogFile {
    /// Row id.
    pub id: i64,
    /// Trail ARN.
    pub trail_arn: String,
    /// Region of its records.
    pub region: String,
    /// Bucket written to.
    pub bucket: String,
    /// Object key.
    pub key: String,
    /// First outbox id it holds.
    pub first_id: i64,
    /// Last outbox id it holds.
    pub last_id: i64,
    /// When the put completed.
    pub delivered_ms: Option<i64>,
    /// SHA-256 of the uncompressed file.
    pub sha256: Option<String>,
    /// Newest event time.
    pub newest_ms: Option<i64>,
    /// Oldest event time.
    pub oldest_ms: Option<i64>,
}

trailstack_store::from_row! {
    LogFile {
        id, trail_arn, region, bucket, key, first_id, last_id, delivered_ms, sha256, newest_ms,
        oldest_ms,
    }
}

const LOG_COLUMNS: &str = "id, trail_arn, region, bucket, key, first_id, last_id, delivered_ms, \
                           sha256, newest_ms, oldest_ms";

/// Notes a log file about to be put; returns its id.
pub fn start_file(
    c: &Conn,
    trail_arn: &str,
    region: &str,
    bucket: &str,
    key: &str,
    first_id: i64,
    last_id: i64,
) -> Result<i64> {
    c.query_one(
        "INSERT INTO ct_log_files (trail_arn, region, bucket, key, first_id, last_id) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        &[&trail_arn, &region, &bucket, &key, &first_id, &last_id],
        |r| r.get(0),
    )
}

/// Moves a noted, not yet stored, log file to a new bucket and key (its trail now delivers
/// elsewhere).
pub fn move_file(c: &Conn, id: i64, bucket: &str, key: &str) -> Result<()> {
    c.execute(
        "UPDATE ct_log_files SET bucket = $1, key = $2 WHERE id = $3 AND delivered_ms IS NULL",
        &[&bucket, &key, &id],
    )?;
    Ok(())
}

/// The log files put but not known to be stored (a crash or a failure came between).
pub fn in_flight(c: &Conn) -> Result<Vec<LogFile>> {
    c.query(
        &format!("SELECT {LOG_COLUMNS} FROM ct_log_files WHERE delivered_ms IS NULL ORDER BY id"),
        &[],
        decode,
    )
}

/// Whether (trail, region) has a log file in flight (its put failed or was interrupted).
pub fn has_in_flight(c: &Conn, trail_arn: &str, region: &str) -> Result<bool> {
    let row = c.query_opt(
        "SELECT 1 FROM ct_log_files WHERE trail_arn = $1 AND region = $2 \
         AND delivered_ms IS NULL LIMIT 1",
        &[&trail_arn, &region],
        |_| Ok(()),
    )?;
    Ok(row.is_some())
}

/// Completes a log file: its hash and event times, and its records leave the outbox, in one
/// transaction.
pub fn finish_file(
    c: &Conn,
    f: &LogFile,
    delivered_ms: i64,
    sha256: &str,
    newest_ms: i64,
    oldest_ms: i64,
) -> Result<()> {
    c.execute(
        "UPDATE ct_log_files SET delivered_ms = $1, sha256 = $2, newest_ms = $3, oldest_ms = $4 \
         WHERE id = $5",
        &[&delivered_ms, &sha256, &newest_ms, &oldest_ms, &f.id],
    )?;
    super::outbox::delete_delivered(c, &f.trail_arn, &f.region, f.first_id, f.last_id)?;
    Ok(())
}

/// Forgets the log files of a trail that no longer exists.
pub fn drop_trail(c: &Conn, trail_arn: &str) -> Result<()> {
    c.execute(
        "DELETE FROM ct_log_files WHERE trail_arn = $1",
        &[&trail_arn],
    )?;
    Ok(())
}

/// The delivered log files of (trail, region) no digest lists yet, oldest first.
pub fn undigested(c: &Conn, trail_arn: &str, region: &str, upto_ms: i64) -> Result<Vec<LogFile>> {
    c.query(
        &format!(
            "SELECT {LOG_COLUMNS} FROM ct_log_files WHERE trail_arn = $1 AND region = $2 \
             AND digested = 0 AND delivered_ms IS NOT NULL AND delivered_ms <= $3 ORDER BY id"
        ),
        &[&trail_arn, &region, &upto_ms],
        decode,
    )
}

/// Marks log files as listed by a digest; files nobody will digest (validation off) are
/// forgotten instead.
pub fn mark_digested(c: &Conn, ids: &[i64]) -> Result<()> {
    for id in ids {
        c.execute("UPDATE ct_log_files SET digested = 1 WHERE id = $1", &[id])?;
    }
    Ok(())
}

/// Removes log file rows no digest will ever need: digested ones and, for trails without a
/// chain in that region, delivered ones.
pub fn prune(c: &Conn) -> Result<()> {
    c.execute(
        "DELETE FROM ct_log_files WHERE delivered_ms IS NOT NULL AND (digested = 1 OR NOT EXISTS \
         (SELECT 1 FROM ct_digest_chains d WHERE d.trail_arn = ct_log_files.trail_arn \
          AND d.region = ct_log_files.region))",
        &[],
    )?;
    Ok(())
}

/// A digest chain of one trail in one region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chain {
    /// Trail ARN.
    pub trail_arn: String,
    /// Region the digests cover.
    pub region: String,
    /// Trail account.
    pub account: String,
    /// Trail name.
    pub name: String,
    /// Trail home region.
    pub home_region: String,
    /// Bucket digests go to.
    pub bucket: String,
    /// Key prefix.
    pub prefix: Option<String>,
    /// Start of the current period.
    pub period_start_ms: i64,
    /// The previous digest: bucket, key, hash, signature (None at the start of a chain).
    pub previous: Option<(String, String, String, String)>,
}

trailstack_store::from_row! {
    Chain {
        trail_arn, region, account, name, home_region, bucket, prefix, period_start_ms, previous,
    }
}

const CHAIN_COLUMNS: &str = "trail_arn, region, account, name, home_region, bucket, prefix, \
                             period_start_ms, prev_bucket, prev_key, prev_hash, prev_signature";

/// Every open digest chain.
pub fn chains(c: &Conn) -> Result<Vec<Chain>> {
    c.query(
        &format!("SELECT {CHAIN_COLUMNS} FROM ct_digest_chains ORDER BY trail_arn, region"),
        &[],
        decode,
    )
}

/// The chain of (trail, region), if open.
pub fn get_chain(c: &Conn, trail_arn: &str, region: &str) -> Result<Option<Chain>> {
    c.query_opt(
        &format!(
            "SELECT {CHAIN_COLUMNS} FROM ct_digest_chains WHERE trail_arn = $1 AND region = $2"
        ),
        &[&trail_arn, &region],
        decode,
    )
}

/// Opens a chain (its first digest will have null links) unless one is open.
pub fn open_chain(c: &Conn, ch: &Chain) -> Result<()> {
    c.execute(
        "INSERT INTO ct_digest_chains (trail_arn, region, account, name, home_region, \
         bucket, prefix, period_start_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT DO NOTHING",
        &[
            &ch.trail_arn,
            &ch.region,
            &ch.account,
            &ch.name,
            &ch.home_region,
            &ch.bucket,
            &ch.prefix,
            &ch.period_start_ms,
        ],
    )?;
    Ok(())
}

/// Moves a chain past a written digest: the next period starts at `end_ms`.
pub fn advance_chain(
    c: &Conn,
    ch: &Chain,
    end_ms: i64,
    prev: (&str, &str, &str, &str),
) -> Result<()> {
    c.execute(
        "UPDATE ct_digest_chains SET period_start_ms = $1, prev_bucket = $2, prev_key = $3, \
         prev_hash = $4, prev_signature = $5 WHERE trail_arn = $6 AND region = $7",
        &[
            &end_ms,
            &prev.0,
            &prev.1,
            &prev.2,
            &prev.3,
            &ch.trail_arn,
            &ch.region,
        ],
    )?;
    Ok(())
}

/// Closes a chain after its final digest.
pub fn close_chain(c: &Conn, trail_arn: &str, region: &str) -> Result<()> {
    c.execute(
        "DELETE FROM ct_digest_chains WHERE trail_arn = $1 AND region = $2",
        &[&trail_arn, &region],
    )?;
    Ok(())
}

/// The records of a log file, by outbox id range.
pub fn records(
    c: &Conn,
    trail_arn: &str,
    region: &str,
    first_id: i64,
    last_id: i64,
) -> Result<Vec<Pending>> {
    c.query(
        "SELECT id, event_time_ms, record FROM ct_outbox WHERE trail_arn = $1 AND region = $2 \
         AND id >= $3 AND id <= $4 ORDER BY id",
        &[&trail_arn, &region, &first_id, &last_id],
        decode,
    )
}
