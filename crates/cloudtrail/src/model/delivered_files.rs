//! The files CloudTrail has delivered — log files and digest files — with what delivery knew
//! when it wrote them: the trail, the region, the period, the SHA-256 of the uncompressed
//! document (the value a digest lists) and, once a digest lists the file, that digest. Rows are
//! written in the transaction that completes each delivery, so `trailstack explain` reads what
//! happened rather than re-deriving it; they outlive the delivery bookkeeping of
//! [`super::delivery_state`], which forgets a file once a digest lists it.

use trailstack_store::sql::{decode, Result};
use trailstack_store::Conn;

/// The delivered-files table (migration 3 of the `cloudtrail` component).
pub const SQL: &str = "
CREATE TABLE ct_delivered_files (
    bucket TEXT NOT NULL,
    key TEXT NOT NULL,
    digest INTEGER NOT NULL,
    trail_arn TEXT NOT NULL,
    region TEXT NOT NULL,
    delivered_ms INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    start_ms INTEGER NOT NULL,
    end_ms INTEGER NOT NULL,
    entries INTEGER NOT NULL,
    listed_by_bucket TEXT,
    listed_by_key TEXT,
    PRIMARY KEY (bucket, key)
);
";

/// One delivered file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    /// Bucket it was written to.
    pub bucket: String,
    /// Its key.
    pub key: String,
    /// A digest file (true) or a log file (false).
    pub digest: bool,
    /// The trail that delivered it.
    pub trail_arn: String,
    /// The region whose events (log) or log files (digest) it covers.
    pub region: String,
    /// When the put completed (epoch ms).
    pub delivered_ms: i64,
    /// Hex SHA-256 of the uncompressed document, as a digest lists it.
    pub sha256: String,
    /// Log file: oldest event time; digest: period start (epoch ms).
    pub start_ms: i64,
    /// Log file: newest event time; digest: period end (epoch ms).
    pub end_ms: i64,
    /// Log file: records it holds; digest: log files it lists.
    pub entries: i64,
    /// The digest that lists it (bucket, key): for a log file, the digest of its period; for a
    /// digest, the next digest of the chain. None until that digest is written.
    pub listed_by: Option<(String, String)>,
}

const COLUMNS: &str = "bucket, key, digest, trail_arn, region, delivered_ms, sha256, start_ms, \
                       end_ms, entries, listed_by_bucket, listed_by_key";

trailstack_store::from_row! {
    Delivered {
        bucket, key, digest, trail_arn, region, delivered_ms, sha256, start_ms, end_ms, entries,
        listed_by,
    }
}

/// Records a delivered file; a file delivered again under the same key (a redone put)
/// replaces the earlier row.
pub fn record(c: &Conn, d: &Delivered) -> Result<()> {
    let (lb, lk) = match &d.listed_by {
        Some((b, k)) => (Some(b.as_str()), Some(k.as_str())),
        None => (None, None),
    };
    c.execute(
        &format!(
            "INSERT INTO ct_delivered_files ({COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
             ON CONFLICT (bucket, key) DO UPDATE SET digest = excluded.digest, \
             trail_arn = excluded.trail_arn, region = excluded.region, \
             delivered_ms = excluded.delivered_ms, sha256 = excluded.sha256, \
             start_ms = excluded.start_ms, end_ms = excluded.end_ms, \
             entries = excluded.entries, listed_by_bucket = excluded.listed_by_bucket, \
             listed_by_key = excluded.listed_by_key"
        ),
        &[
            &d.bucket,
            &d.key,
            &d.digest,
            &d.trail_arn,
            &d.region,
            &d.delivered_ms,
            &d.sha256,
            &d.start_ms,
            &d.end_ms,
            &d.entries,
            &lb,
            &lk,
        ],
    )?;
    Ok(())
}

/// Notes that the digest `by` (bucket, key) lists the file `bucket`/`key`.
pub fn mark_listed(c: &Conn, bucket: &str, key: &str, by: (&str, &str)) -> Result<()> {
    c.execute(
        "UPDATE ct_delivered_files SET listed_by_bucket = $1, listed_by_key = $2 \
         WHERE bucket = $3 AND key = $4",
        &[&by.0, &by.1, &bucket, &key],
    )?;
    Ok(())
}

/// The delivered file `bucket`/`key`, if CloudTrail wrote one there.
pub fn get(c: &Conn, bucket: &str, key: &str) -> Result<Option<Delivered>> {
    c.query_opt(
        &format!("SELECT {COLUMNS} FROM ct_delivered_files WHERE bucket = $1 AND key = $2"),
        &[&bucket, &key],
        decode,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::test_db;
    use trailstack_store::StoreError;

    fn log(key: &str) -> Delivered {
        Delivered {
            bucket: "logs".into(),
            key: key.into(),
            digest: false,
            trail_arn: "arn:aws:cloudtrail:us-east-1:123456789012:trail/t".into(),
            region: "us-east-1".into(),
            delivered_ms: 1000,
            sha256: "ab".into(),
            start_ms: 10,
            end_ms: 20,
            entries: 3,
            listed_by: None,
        }
    }

    #[tokio::test]
    async fn files_are_recorded_then_listed_and_a_redone_put_replaces_its_row() {
        let (_d, db) = test_db();
        let got = db
            .write(|c| {
                record(c, &log("a"))?;
                record(c, &log("b"))?;
                mark_listed(c, "logs", "a", ("logs", "digest-1"))?;
                let mut again = log("b");
                again.sha256 = "cd".into();
                record(c, &again)?;
                Ok::<_, StoreError>((
                    get(c, "logs", "a")?,
                    get(c, "logs", "b")?,
                    get(c, "x", "a")?,
                ))
            })
            .await
            .unwrap();
        assert_eq!(
            got.0.unwrap().listed_by,
            Some(("logs".to_string(), "digest-1".to_string()))
        );
        let b = got.1.unwrap();
        assert_eq!((b.sha256.as_str(), b.listed_by), ("cd", None));
        assert_eq!(got.2, None);
    }
}
