//! What S3 persists: bucket, object-version, multipart-upload and part records, their tables
//! (migrations) and the queries over them. Records carry a schema version in their JSON part so
//! later releases can read old rows. Handlers use these functions inside one transaction.

pub mod buckets;
pub mod listing;
pub mod lock;
pub mod objects;
pub mod uploads;

#[cfg(test)]
mod tests;

use trailstack_store::Migration;

/// The S3 tables. Keys are stored as bytes (BLOB, BYTEA on PostgreSQL) so that both engines
/// order them by their UTF-8 bytes, as S3 lists them.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        component: "s3",
        version: 1,
        sql: "
CREATE TABLE s3_buckets (
    name TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    versioning TEXT NOT NULL DEFAULT '',
    meta TEXT NOT NULL
);
CREATE INDEX s3_buckets_account ON s3_buckets (account, name);
CREATE TABLE s3_objects (
    bucket TEXT NOT NULL,
    key BLOB NOT NULL,
    version_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    is_latest INTEGER NOT NULL,
    delete_marker INTEGER NOT NULL,
    size INTEGER NOT NULL,
    etag TEXT NOT NULL,
    last_modified_ms INTEGER NOT NULL,
    meta TEXT NOT NULL,
    inline_data BLOB,
    PRIMARY KEY (bucket, key, version_id)
);
CREATE INDEX s3_objects_latest ON s3_objects (bucket, is_latest, key);
CREATE INDEX s3_objects_versions ON s3_objects (bucket, key, seq);
CREATE TABLE s3_uploads (
    upload_id TEXT PRIMARY KEY,
    bucket TEXT NOT NULL,
    key BLOB NOT NULL,
    initiated_ms INTEGER NOT NULL,
    meta TEXT NOT NULL
);
CREATE INDEX s3_uploads_bucket ON s3_uploads (bucket, key, initiated_ms);
CREATE TABLE s3_parts (
    upload_id TEXT NOT NULL REFERENCES s3_uploads (upload_id) ON DELETE CASCADE,
    part_number INTEGER NOT NULL,
    size INTEGER NOT NULL,
    etag TEXT NOT NULL,
    last_modified_ms INTEGER NOT NULL,
    meta TEXT NOT NULL,
    PRIMARY KEY (upload_id, part_number)
);
CREATE TABLE s3_seq (id INTEGER PRIMARY KEY CHECK (id = 1), next INTEGER NOT NULL);
INSERT INTO s3_seq (id, next) VALUES (1, 1);
",
    },
    // What a listing shows of each version, beside its record (model::listing): a listing of
    // 1,000 keys spent half its time decoding records for these. Rows written before stay
    // NULL and are read from their records.
    Migration {
        component: "s3",
        version: 2,
        sql: "
ALTER TABLE s3_objects ADD COLUMN storage_class TEXT;
ALTER TABLE s3_objects ADD COLUMN checksum_algorithm TEXT;
ALTER TABLE s3_objects ADD COLUMN checksum_type TEXT;
ALTER TABLE s3_objects ADD COLUMN owner_id TEXT;
ALTER TABLE s3_objects ADD COLUMN owner_name TEXT;
",
    },
    // The index of current versions holds every column a listing reads (model::listing), so
    // a listing is one range of the index with no visit to the table per key (half of SQLite's
    // work in a 1,000-key listing). It replaces the narrower index rather than adding one: the
    // same leading columns serve the same lookups, and a PUT still writes one entry.
    Migration {
        component: "s3",
        version: 3,
        sql: "
DROP INDEX s3_objects_latest;
CREATE INDEX s3_objects_latest ON s3_objects (bucket, is_latest, key, delete_marker, size, etag,
    last_modified_ms, storage_class, checksum_algorithm, checksum_type, owner_id, owner_name);
",
    },
];

/// Milliseconds since the epoch, as stored.
pub fn to_ms(t: time::OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

/// The stored milliseconds as a time.
pub fn from_ms(ms: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
}
