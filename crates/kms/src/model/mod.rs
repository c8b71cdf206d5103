//! What KMS persists: keys (metadata and sealed material versions), aliases and grants, with
//! their tables (migrations) and queries. Key material is only ever stored sealed by the root
//! key. Version 2 adds imported-material expiry (`expire_ms`) and import parameters.

pub mod aliases;
pub mod grants;
pub mod imports;
pub mod keys;
#[cfg(test)]
mod tests;

use trailstack_store::Migration;

/// The KMS tables.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
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
    },
    Migration {
        component: "kms",
        version: 2,
        sql: "
ALTER TABLE kms_keys ADD COLUMN expire_ms INTEGER;
CREATE INDEX kms_keys_expiry ON kms_keys (expire_ms) WHERE expire_ms IS NOT NULL;
CREATE TABLE kms_import_tokens (
    token TEXT PRIMARY KEY,
    key_id TEXT NOT NULL REFERENCES kms_keys (key_id) ON DELETE CASCADE,
    created_ms INTEGER NOT NULL,
    valid_to_ms INTEGER NOT NULL,
    wrapping_spec TEXT NOT NULL,
    wrapping_algorithm TEXT NOT NULL,
    sealed BLOB NOT NULL
);
CREATE INDEX kms_import_tokens_key ON kms_import_tokens (key_id);
CREATE INDEX kms_import_tokens_valid ON kms_import_tokens (valid_to_ms);
",
    },
];
