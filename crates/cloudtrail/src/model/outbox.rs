//! The durable outbox: records a trail has taken and not yet delivered, per (trail, region) —
//! a multi-region trail writes one log file per region. The recorder enqueues in the same
//! transaction as the call's effect; the delivery worker reads a batch in insertion order,
//! writes the log file, then deletes the batch by id range. Ids come from AUTOINCREMENT (an
//! identity column in PostgreSQL), so they only grow and are never reused: a range read once means the same records later.
//! Every function runs on the connection of the caller's transaction (`Db::write` /
//! `Db::read`), which makes each call atomic.

use trailstack_store::sql::{decode, Result};
use trailstack_store::Conn;

/// One pending record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    /// Outbox id; increasing in insertion order.
    pub id: i64,
    /// The record's event time (epoch ms).
    pub event_time_ms: i64,
    /// The record JSON.
    pub record_json: String,
}

/// A (trail, region) with records waiting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingGroup {
    /// Trail ARN.
    pub trail_arn: String,
    /// Region the records were made in.
    pub region: String,
    /// How many records wait.
    pub count: i64,
    /// The oldest waiting record's id.
    pub first_id: i64,
}

trailstack_store::from_row! { Pending { id, event_time_ms, record_json } }
trailstack_store::from_row! { PendingGroup { trail_arn, region, count, first_id } }

/// Queues one record for a trail; returns its id.
pub fn enqueue(
    c: &Conn,
    trail_arn: &str,
    region: &str,
    event_time_ms: i64,
    record_json: &str,
) -> Result<i64> {
    c.query_one(
        "INSERT INTO ct_outbox (trail_arn, region, event_time_ms, record) VALUES ($1, $2, $3, $4) \
         RETURNING id",
        &[&trail_arn, &region, &event_time_ms, &record_json],
        |r| r.get(0),
    )
}

/// Every (trail, region) with pending records, oldest first.
pub fn groups(c: &Conn) -> Result<Vec<PendingGroup>> {
    c.query(
        "SELECT trail_arn, region, COUNT(*), MIN(id) FROM ct_outbox \
         GROUP BY trail_arn, region ORDER BY MIN(id)",
        &[],
        decode,
    )
}

/// Up to `limit` pending records of (trail, region), in insertion order.
pub fn pending(c: &Conn, trail_arn: &str, region: &str, limit: usize) -> Result<Vec<Pending>> {
    c.query(
        "SELECT id, event_time_ms, record FROM ct_outbox WHERE trail_arn = $1 AND region = $2 \
         ORDER BY id LIMIT $3",
        &[&trail_arn, &region, &limit],
        decode,
    )
}

/// The next run of up to `limit` pending records of (trail, region) after id `after`, as
/// (first id, last id, count); read from the index alone, without the records.
pub fn next_run(
    c: &Conn,
    trail_arn: &str,
    region: &str,
    after: i64,
    limit: usize,
) -> Result<Option<(i64, i64, usize)>> {
    c.query_one(
        "SELECT MIN(id), MAX(id), COUNT(*) FROM (SELECT id FROM ct_outbox \
         WHERE trail_arn = $1 AND region = $2 AND id > $3 ORDER BY id LIMIT $4) AS run",
        &[&trail_arn, &region, &after, &limit],
        |r| {
            let (first, last, count): (Option<i64>, Option<i64>, usize) = r.decode()?;
            Ok(first.zip(last).map(|(f, l)| (f, l, count)))
        },
    )
}

/// Removes the delivered records `first_id..=last_id` of (trail, region); returns how many.
pub fn delete_delivered(
    c: &Conn,
    trail_arn: &str,
    region: &str,
    first_id: i64,
    last_id: i64,
) -> Result<usize> {
    c.execute(
        "DELETE FROM ct_outbox WHERE trail_arn = $1 AND region = $2 AND id >= $3 AND id <= $4",
        &[&trail_arn, &region, &first_id, &last_id],
    )
}

/// Removes every pending record of a trail (for when the lead decides a deleted trail's
/// undelivered records are dropped); returns how many.
pub fn purge_trail(c: &Conn, trail_arn: &str) -> Result<usize> {
    c.execute("DELETE FROM ct_outbox WHERE trail_arn = $1", &[&trail_arn])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::test_db;
    use trailstack_store::StoreError;

    #[tokio::test]
    async fn batches_in_order_per_trail_and_region_and_deletes_by_range() {
        let (_d, db) = test_db();
        db.write(|c| {
            for i in 0..5 {
                enqueue(c, "t1", "us-east-1", i, &format!("{{\"n\":{i}}}"))?;
                enqueue(c, "t1", "eu-west-1", i, "{}")?;
            }
            enqueue(c, "t2", "us-east-1", 9, "{}")?;
            Ok::<_, StoreError>(())
        })
        .await
        .unwrap();
        let g = db.read(groups).unwrap();
        assert_eq!(g.len(), 3);
        assert_eq!(
            (g[0].trail_arn.as_str(), g[0].region.as_str(), g[0].count),
            ("t1", "us-east-1", 5)
        );
        let batch = db.read(|c| pending(c, "t1", "us-east-1", 3)).unwrap();
        assert_eq!(batch.len(), 3);
        assert!(batch.windows(2).all(|w| w[0].id < w[1].id));
        assert_eq!(batch[0].record_json, "{\"n\":0}");
        let (first, last) = (batch[0].id, batch[2].id);
        let removed = db
            .write(move |c| delete_delivered(c, "t1", "us-east-1", first, last))
            .await
            .unwrap();
        assert_eq!(removed, 3);
        let rest = db.read(|c| pending(c, "t1", "us-east-1", 10)).unwrap();
        assert_eq!(rest.len(), 2);
        assert!(rest[0].id > last);
        let other = db.read(|c| pending(c, "t1", "eu-west-1", 10)).unwrap();
        assert_eq!(other.len(), 5);
        let purged = db.write(|c| purge_trail(c, "t1")).await.unwrap();
        assert_eq!(purged, 7);
    }

    #[tokio::test]
    async fn next_run_reads_ranges_after_an_id() {
        let (_dir, db) = test_db();
        let ids = db
            .write(|c| {
                let mut ids = Vec::new();
                for i in 0..5 {
                    ids.push(enqueue(c, "t1", "us-east-1", i, "{}")?);
                    enqueue(c, "t2", "us-east-1", i, "{}")?;
                }
                Ok::<_, StoreError>(ids)
            })
            .await
            .unwrap();
        let run = |after, limit| {
            db.read(move |c| next_run(c, "t1", "us-east-1", after, limit))
                .unwrap()
        };
        assert_eq!(run(0, 3), Some((ids[0], ids[2], 3)));
        assert_eq!(run(ids[2], 3), Some((ids[3], ids[4], 2)));
        assert_eq!(run(ids[4], 3), None);
    }
}
