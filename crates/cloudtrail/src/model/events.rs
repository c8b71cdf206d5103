//! The event history: management events per account and region, kept 90 days, read by
//! LookupEvents newest first. Each lookup attribute has an index ending in `event_time_ms`
//! (the rowid `seq` follows implicitly), so a page is an index range scan of at most
//! `limit + 1` rows whatever the table size; resources live in their own table with indexes
//! by type and by name.

use serde::{Deserialize, Serialize};
use trailstack_store::sql::{Param, Result};
use trailstack_store::{Conn, Value};

/// How long events are kept: 90 days.
pub const RETENTION_MS: i64 = 90 * 24 * 3600 * 1000;

/// One LookupEvents resource of an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryResource {
    /// e.g. `AWS::S3::Bucket`.
    pub resource_type: String,
    /// e.g. the bucket name or the key ARN, as LookupEvents shows it.
    pub resource_name: String,
}

/// `e`'s resources as stored.
pub(super) fn resources_json(e: &HistoryRow) -> String {
    serde_json::to_string(&e.resources).unwrap_or_else(|_| "[]".into())
}

/// Resources as [`resources_json`] stored them.
fn resources_from_json(text: String) -> Result<Vec<HistoryResource>> {
    serde_json::from_str(&text).map_err(|e| super::corrupt("event resources", e))
}

/// `e`'s columns as the history tables (`ct_events`, `ct_event_arrivals`) take them, in their
/// order: account, region, event_time_ms, event_id, event_name, read_only, username,
/// access_key_id, event_source, resources, record.
// A `&String`, not a `&str`: only a sized value coerces to `&dyn Param`.
#[allow(clippy::ptr_arg)]
pub(super) fn row_params<'a>(e: &'a HistoryRow, resources: &'a String) -> [&'a dyn Param; 11] {
    [
        &e.account,
        &e.region,
        &e.event_time_ms,
        &e.event_id,
        &e.event_name,
        &e.read_only,
        &e.username,
        &e.access_key_id,
        &e.event_source,
        resources,
        &e.record_json,
    ]
}

/// One management event to keep in the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRow {
    /// The account whose history holds it.
    pub account: String,
    /// The region whose history holds it.
    pub region: String,
    /// The record's `eventTime` in epoch ms.
    pub event_time_ms: i64,
    /// The record's `eventID`.
    pub event_id: String,
    /// The record's `eventName`.
    pub event_name: String,
    /// The record's `readOnly`.
    pub read_only: bool,
    /// The user name LookupEvents shows (e.g. `alice`, `root`).
    pub username: Option<String>,
    /// The access key that signed the call.
    pub access_key_id: Option<String>,
    /// The record's `eventSource`.
    pub event_source: String,
    /// The resources LookupEvents shows.
    pub resources: Vec<HistoryResource>,
    /// The whole record as JSON (LookupEvents' `CloudTrailEvent`).
    pub record_json: String,
}

// In the order of `row_params`, which writes the same columns.
trailstack_store::from_row! {
    HistoryRow {
        account, region, event_time_ms, event_id, event_name, read_only, username, access_key_id,
        event_source, resources: String => resources_from_json, record_json,
    }
}

/// Appends an event to the history.
pub fn insert_event(c: &Conn, e: &HistoryRow) -> Result<()> {
    let resources = resources_json(e);
    let seq: i64 = c.query_one(
        "INSERT INTO ct_events (account, region, event_time_ms, event_id, event_name, read_only, \
         username, access_key_id, event_source, resources, record) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING seq",
        &row_params(e, &resources),
        |r| r.get(0),
    )?;
    for (i, r) in e.resources.iter().enumerate() {
        // The same resource twice in one event would list the event twice.
        if e.resources[..i].contains(r) {
            continue;
        }
        c.execute(
            "INSERT INTO ct_event_resources (seq, account, region, resource_type, resource_name, \
             event_time_ms) VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &seq,
                &e.account,
                &e.region,
                &r.resource_type,
                &r.resource_name,
                &e.event_time_ms,
            ],
        )?;
    }
    Ok(())
}

/// Deletes events older than the retention period; returns how many.
pub fn expire(c: &Conn, now_ms: i64) -> Result<usize> {
    let cutoff = now_ms - RETENTION_MS;
    c.execute(
        "DELETE FROM ct_event_resources WHERE seq IN \
         (SELECT seq FROM ct_events WHERE event_time_ms < $1)",
        &[&cutoff],
    )?;
    c.execute("DELETE FROM ct_events WHERE event_time_ms < $1", &[&cutoff])
}

/// The attribute a lookup filters on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Filter {
    /// No attribute.
    None,
    /// EventId.
    EventId(String),
    /// EventName.
    EventName(String),
    /// ReadOnly (`true` / `false`).
    ReadOnly(bool),
    /// Username.
    Username(String),
    /// EventSource.
    EventSource(String),
    /// AccessKeyId.
    AccessKeyId(String),
    /// ResourceType.
    ResourceType(String),
    /// ResourceName.
    ResourceName(String),
}

/// One lookup page request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookup {
    /// The account.
    pub account: String,
    /// The region.
    pub region: String,
    /// The attribute.
    pub filter: Filter,
    /// Earliest event time, inclusive (epoch ms).
    pub start_ms: i64,
    /// Latest event time, inclusive (epoch ms).
    pub end_ms: i64,
    /// Continue after this `(event_time_ms, seq)` (exclusive), from the previous page.
    pub after: Option<(i64, i64)>,
    /// Page size.
    pub limit: usize,
}

/// A stored event as LookupEvents returns it, with its position for paging.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    /// Insertion order; with the time, the paging key.
    pub seq: i64,
    /// Epoch ms.
    pub event_time_ms: i64,
    /// eventID.
    pub event_id: String,
    /// eventName.
    pub event_name: String,
    /// readOnly.
    pub read_only: bool,
    /// Username.
    pub username: Option<String>,
    /// AccessKeyId.
    pub access_key_id: Option<String>,
    /// eventSource.
    pub event_source: String,
    /// Resources.
    pub resources: Vec<HistoryResource>,
    /// The record JSON.
    pub record_json: String,
}

trailstack_store::from_row! {
    StoredEvent {
        seq, event_time_ms, event_id, event_name, read_only, username, access_key_id,
        event_source, resources: String => resources_from_json, record_json,
    }
}

const EVENT_COLUMNS: &str = "e.seq, e.event_time_ms, e.event_id, e.event_name, e.read_only, \
                             e.username, e.access_key_id, e.event_source, e.resources, e.record";

/// The SQL and arguments of a lookup page, ordered newest first.
fn query(q: &Lookup) -> (String, Vec<Value<'_>>) {
    // `t` is the table whose index serves the filter; its time and seq order the scan.
    fn text(v: &str) -> Option<Value<'_>> {
        Some(Value::Text(v))
    }
    let (from, column, value): (&str, Option<&str>, Option<Value<'_>>) = match &q.filter {
        Filter::None => ("ct_events e", None, None),
        Filter::EventId(v) => ("ct_events e", Some("e.event_id"), text(v)),
        Filter::EventName(v) => ("ct_events e", Some("e.event_name"), text(v)),
        Filter::ReadOnly(v) => (
            "ct_events e",
            Some("e.read_only"),
            Some(Value::Int(*v as i64)),
        ),
        Filter::Username(v) => ("ct_events e", Some("e.username"), text(v)),
        Filter::EventSource(v) => ("ct_events e", Some("e.event_source"), text(v)),
        Filter::AccessKeyId(v) => ("ct_events e", Some("e.access_key_id"), text(v)),
        Filter::ResourceType(v) => (
            "ct_event_resources t JOIN ct_events e ON e.seq = t.seq",
            Some("t.resource_type"),
            text(v),
        ),
        Filter::ResourceName(v) => (
            "ct_event_resources t JOIN ct_events e ON e.seq = t.seq",
            Some("t.resource_name"),
            text(v),
        ),
    };
    let t = if from.starts_with("ct_event_resources") {
        "t"
    } else {
        "e"
    };
    let mut sql = format!(
        "SELECT {EVENT_COLUMNS} FROM {from} WHERE {t}.account = $1 AND {t}.region = $2 \
         AND {t}.event_time_ms >= $3 AND {t}.event_time_ms <= $4"
    );
    let mut args: Vec<Value<'_>> = vec![
        Value::Text(&q.account),
        Value::Text(&q.region),
        Value::Int(q.start_ms),
        Value::Int(q.end_ms),
    ];
    if let (Some(col), Some(v)) = (column, value) {
        args.push(v);
        sql.push_str(&format!(" AND {col} = ${}", args.len()));
    }
    if let Some((time, seq)) = q.after {
        // The bound `time <= ?` keeps the index range; the OR only filters the rows of the
        // boundary millisecond.
        args.push(Value::Int(time));
        args.push(Value::Int(seq));
        let (a, b) = (args.len() - 1, args.len());
        sql.push_str(&format!(
            " AND {t}.event_time_ms <= ${a} AND ({t}.event_time_ms < ${a} OR {t}.seq < ${b})"
        ));
    }
    sql.push_str(&format!(" ORDER BY {t}.event_time_ms DESC, {t}.seq DESC"));
    (sql, args)
}

/// One page of events, newest first: up to `q.limit` events, and whether more follow.
pub fn lookup(c: &Conn, q: &Lookup) -> Result<(Vec<StoredEvent>, bool)> {
    let (sql, args) = query(q);
    let params: Vec<&dyn Param> = args.iter().map(|a| a as &dyn Param).collect();
    // No LIMIT: the index yields rows in order, and an event listing two resources of the
    // asked type appears twice in a row, so rows are read lazily and repeats skipped until
    // `limit + 1` distinct events are seen.
    let mut rows: Vec<StoredEvent> = Vec::with_capacity(q.limit + 1);
    c.for_each(&sql, &params, |r| {
        let row: StoredEvent = r.decode()?;
        if rows.last().is_some_and(|l| l.seq == row.seq) {
            return Ok(true);
        }
        rows.push(row);
        Ok(rows.len() <= q.limit)
    })?;
    let more = rows.len() > q.limit;
    rows.truncate(q.limit);
    Ok((rows, more))
}

#[cfg(test)]
mod tests;
