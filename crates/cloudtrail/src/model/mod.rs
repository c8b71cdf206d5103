//! What CloudTrail persists: trails (settings, selectors, logging state, delivery status,
//! tags), the event history that LookupEvents reads (and its arrivals, not yet indexed), the per-trail outbox of records waiting
//! for delivery, the files delivered (for `trailstack explain`), and the digest signing keys
//! (private halves sealed by the root key). Tables and queries only; no AWS rules live here.

pub mod delivered_files;
pub mod delivery_state;
pub mod event_arrivals;
pub mod events;
pub mod outbox;
pub mod signing;
pub mod trails;

use trailstack_store::Migration;

/// The CloudTrail tables.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        component: "cloudtrail",
        version: 1,
    sql: "
CREATE TABLE ct_trails (
    arn TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    home_region TEXT NOT NULL,
    name TEXT NOT NULL,
    multi_region INTEGER NOT NULL,
    logging INTEGER NOT NULL,
    created_ms INTEGER NOT NULL,
    config TEXT NOT NULL,
    selectors TEXT NOT NULL,
    custom_selectors INTEGER NOT NULL,
    insights TEXT,
    status TEXT NOT NULL,
    tags TEXT NOT NULL
);
CREATE INDEX ct_trails_account ON ct_trails (account, name);
CREATE INDEX ct_trails_logging ON ct_trails (logging) WHERE logging = 1;

CREATE TABLE ct_events (
    seq INTEGER PRIMARY KEY,
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
CREATE INDEX ct_events_time ON ct_events (account, region, event_time_ms);
CREATE INDEX ct_events_id ON ct_events (account, region, event_id, event_time_ms);
CREATE INDEX ct_events_name ON ct_events (account, region, event_name, event_time_ms);
CREATE INDEX ct_events_ro ON ct_events (account, region, read_only, event_time_ms);
CREATE INDEX ct_events_user ON ct_events (account, region, username, event_time_ms);
CREATE INDEX ct_events_source ON ct_events (account, region, event_source, event_time_ms);
CREATE INDEX ct_events_key ON ct_events (account, region, access_key_id, event_time_ms);
CREATE INDEX ct_events_expiry ON ct_events (event_time_ms);
CREATE TABLE ct_event_resources (
    seq INTEGER NOT NULL,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_name TEXT NOT NULL,
    event_time_ms INTEGER NOT NULL
);
CREATE INDEX ct_event_res_type ON ct_event_resources (account, region, resource_type, event_time_ms, seq);
CREATE INDEX ct_event_res_name ON ct_event_resources (account, region, resource_name, event_time_ms, seq);
CREATE INDEX ct_event_res_seq ON ct_event_resources (seq);

CREATE TABLE ct_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    trail_arn TEXT NOT NULL,
    region TEXT NOT NULL,
    event_time_ms INTEGER NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX ct_outbox_trail ON ct_outbox (trail_arn, region, id);

CREATE TABLE ct_signing_keys (
    fingerprint TEXT PRIMARY KEY,
    region TEXT NOT NULL,
    valid_from_ms INTEGER NOT NULL,
    valid_to_ms INTEGER NOT NULL,
    public_der BLOB NOT NULL,
    sealed_private BLOB NOT NULL
);
CREATE INDEX ct_signing_keys_region ON ct_signing_keys (region, valid_to_ms);
",
    },
    Migration {
        component: "cloudtrail",
        version: 2,
        sql: delivery_state::SQL,
    },
    Migration {
        component: "cloudtrail",
        version: 3,
        sql: delivered_files::SQL,
    },
    Migration {
        component: "cloudtrail",
        version: 4,
        sql: event_arrivals::SQL,
    },
];

/// A JSON column that does not parse: the database was written by something else.
pub(crate) fn corrupt(what: &str, e: serde_json::Error) -> trailstack_store::StoreError {
    trailstack_store::StoreError::Corrupt(format!("{what}: {e}"))
}

#[cfg(test)]
pub(crate) fn test_db() -> (tempfile::TempDir, trailstack_store::Db) {
    trailstack_store::testing::open(MIGRATIONS)
}
