//! What KMS persists: keys (metadata and sealed material versions), aliases and grants, with
//! their tables (migrations) and queries. Key material is only ever stored sealed by the root
//! key.

pub mod aliases;
pub mod keys;

use trailstack_store::Migration;

/// The KMS tables.
pub const MIGRATIONS: &[Migration] = &[Migration {
    component: "kms",
    version: 1,
    sql: "
CREATE TABLE kms_keys (
    key_id TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    deletion_ms INTEGER,
    rotate_ms INTEGER,
    meta TEXT NOT NULL
);
CREATE INDEX kms_keys_account ON kms_keys (account, region, key_id);
CREATE INDEX kms_keys_deletion ON kms_keys (deletion_ms) WHERE deletion_ms IS NOT NULL;
CREATE INDEX kms_keys_rotation ON kms_keys (rotate_ms) WHERE rotate_ms IS NOT NULL;
CREATE TABLE kms_material (
    key_id TEXT NOT NULL REFERENCES kms_keys (key_id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    created_ms INTEGER NOT NULL,
    sealed BLOB NOT NULL,
    PRIMARY KEY (key_id, version)
);
CREATE TABLE kms_aliases (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    key_id TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL,
    PRIMARY KEY (account, region, name)
);
CREATE INDEX kms_aliases_key ON kms_aliases (key_id);
CREATE TABLE kms_grants (
    grant_id TEXT PRIMARY KEY,
    key_id TEXT NOT NULL REFERENCES kms_keys (key_id) ON DELETE CASCADE,
    created_ms INTEGER NOT NULL,
    meta TEXT NOT NULL
);
CREATE INDEX kms_grants_key ON kms_grants (key_id, created_ms);
",
}];
