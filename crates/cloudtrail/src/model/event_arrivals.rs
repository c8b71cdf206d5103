//! Management events recorded but not yet in the event history's indexes. A call's record
//! is appended here, one row in one table, in the call's own durable write; the rows are moved
//! into the history (`events::insert_event`, a table and eleven indexes) in batches, oldest
//! first, and always before LookupEvents reads. The call's record is durable when the call is
//! answered, and the index pages a batch shares are written once for the batch, not once per
//! call.

use super::events::{insert_event, resources_json, row_params, HistoryRow};
use trailstack_store::sql::Result;
use trailstack_store::Conn;

/// The arrivals table.
pub const SQL: &str = "
CREATE TABLE ct_event_arrivals (
    id INTEGER PRIMARY KEY,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    event_time_ms INTEGER NOT NULL,
    event_id TEXT NOT NULL,
    event_name TEXT NOT NULL,
    read_only INTEGER NOT NULL,
    username TEXT,
    access_key_id TEXT,
    event_source TEXT NOT NULL,
    resources TEXT NOT NULL,
    record TEXT NOT NULL
);
";

/// Appends an event for the history; returns its arrival number (increasing).
pub fn append(c: &Conn, e: &HistoryRow) -> Result<i64> {
    let resources = resources_json(e);
    c.query_one(
        "INSERT INTO ct_event_arrivals (account, region, event_time_ms, event_id, event_name, \
         read_only, username, access_key_id, event_source, resources, record) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        &row_params(e, &resources),
        |r| r.get(0),
    )
}

/// Moves up to `limit` of the oldest arrivals into the history, in the order they arrived;
/// returns how many.
pub fn index(c: &Conn, limit: usize) -> Result<usize> {
    let (mut moved, mut last) = (0, None);
    c.for_each(
        "SELECT id, account, region, event_time_ms, event_id, event_name, read_only, username, \
         access_key_id, event_source, resources, record FROM ct_event_arrivals \
         ORDER BY id LIMIT $1",
        &[&limit],
        |r| {
            let (id, event): (i64, HistoryRow) = r.decode()?;
            insert_event(c, &event)?;
            last = Some(id);
            moved += 1;
            Ok(true)
        },
    )?;
    if let Some(last) = last {
        c.execute("DELETE FROM ct_event_arrivals WHERE id <= $1", &[&last])?;
    }
    Ok(moved)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::events::HistoryResource;
    use crate::model::events::{lookup, Filter, Lookup};
    use crate::model::test_db;
    use trailstack_store::StoreError;

    fn event(i: i64) -> HistoryRow {
        HistoryRow {
            account: "123456789012".into(),
            region: "us-east-1".into(),
            event_time_ms: 1_000 + i,
            event_id: format!("e{i}"),
            event_name: "Encrypt".into(),
            read_only: true,
            username: Some("root".into()),
            access_key_id: None,
            event_source: "kms.amazonaws.com".into(),
            resources: vec![HistoryResource {
                resource_type: "AWS::KMS::Key".into(),
                resource_name: format!("k{i}"),
            }],
            record_json: format!("{{\"eventID\":\"e{i}\"}}"),
        }
    }

    #[tokio::test]
    async fn arrivals_reach_the_history_in_order_once() {
        let (_d, db) = test_db();
        db.write(|c| {
            for i in 0..5 {
                append(c, &event(i))?;
            }
            Ok::<_, StoreError>(())
        })
        .await
        .unwrap();
        let all = Lookup {
            account: "123456789012".into(),
            region: "us-east-1".into(),
            filter: Filter::ResourceName("k3".into()),
            start_ms: 0,
            end_ms: i64::MAX,
            after: None,
            limit: 50,
        };
        let found = |db: &trailstack_store::Db| {
            let q = all.clone();
            db.read(move |c| Ok::<_, StoreError>(lookup(c, &q)?.0.len()))
                .unwrap()
        };
        assert_eq!(found(&db), 0, "not indexed yet");
        let moved = db.write(|c| index(c, 3)).await.unwrap();
        assert_eq!((moved, found(&db)), (3, 0), "the three oldest first");
        let moved = db.write(|c| index(c, 100)).await.unwrap();
        assert_eq!((moved, found(&db)), (2, 1));
        let moved = db.write(|c| index(c, 100)).await.unwrap();
        assert_eq!(moved, 0, "each arrival is indexed once");
        let q = Lookup {
            filter: Filter::None,
            ..all
        };
        let names: Vec<String> = db
            .read(move |c| Ok::<_, StoreError>(lookup(c, &q)?.0))
            .unwrap()
            .into_iter()
            .map(|e| e.event_id)
            .collect();
        assert_eq!(names, ["e4", "e3", "e2", "e1", "e0"]);
    }
}
