//! What IAM persists: users, their access keys (secrets sealed by the root key), roles, inline
//! policies of users and roles, managed policies with their versions, attachments, groups with
//! their members, tags, permissions boundaries, and STS's sessions (temporary credentials), with
//! their tables (migrations) and queries. Every query is portable SQL (ARCHITECTURE.md §3):
//! `$N` parameters, standard upserts.

pub mod boundaries;
pub mod entities;
pub mod groups;
pub mod keys;
pub mod policies;
pub mod sessions;
pub mod tags;
#[cfg(test)]
mod tests;

use trailstack_store::Migration;

/// The IAM tables.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        component: "iam",
        version: 1,
        sql: "
CREATE TABLE iam_users (
    account TEXT NOT NULL,
    name TEXT NOT NULL,
    path TEXT NOT NULL,
    id TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    PRIMARY KEY (account, name)
);
CREATE TABLE iam_roles (
    account TEXT NOT NULL,
    name TEXT NOT NULL,
    path TEXT NOT NULL,
    id TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    trust_policy TEXT NOT NULL,
    description TEXT NOT NULL,
    max_session INTEGER NOT NULL,
    PRIMARY KEY (account, name)
);
CREATE TABLE iam_access_keys (
    access_key TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    user_name TEXT NOT NULL,
    sealed BLOB NOT NULL,
    active INTEGER NOT NULL,
    created_ms INTEGER NOT NULL,
    used_ms INTEGER,
    used_service TEXT,
    used_region TEXT
);
CREATE INDEX iam_access_keys_user ON iam_access_keys (account, user_name, access_key);
CREATE TABLE iam_inline_policies (
    account TEXT NOT NULL,
    owner_kind TEXT NOT NULL,
    owner TEXT NOT NULL,
    name TEXT NOT NULL,
    document TEXT NOT NULL,
    PRIMARY KEY (account, owner_kind, owner, name)
);
CREATE TABLE iam_policies (
    account TEXT NOT NULL,
    name TEXT NOT NULL,
    path TEXT NOT NULL,
    id TEXT NOT NULL,
    description TEXT NOT NULL,
    default_version INTEGER NOT NULL,
    next_version INTEGER NOT NULL,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL,
    PRIMARY KEY (account, name)
);
CREATE TABLE iam_policy_versions (
    account TEXT NOT NULL,
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    document TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    PRIMARY KEY (account, name, version)
);
CREATE TABLE iam_attachments (
    account TEXT NOT NULL,
    owner_kind TEXT NOT NULL,
    owner TEXT NOT NULL,
    policy_name TEXT NOT NULL,
    PRIMARY KEY (account, owner_kind, owner, policy_name)
);
CREATE INDEX iam_attachments_policy ON iam_attachments (account, policy_name);
",
    },
    // Tags of users and roles, unique per entity by their case-folded key; permissions
    // boundaries of users and roles.
    Migration {
        component: "iam",
        version: 2,
        sql: "
CREATE TABLE iam_tags (
    account TEXT NOT NULL,
    owner_kind TEXT NOT NULL,
    owner TEXT NOT NULL,
    folded TEXT NOT NULL,
    tag_key TEXT NOT NULL,
    tag_value TEXT NOT NULL,
    PRIMARY KEY (account, owner_kind, owner, folded)
);
CREATE TABLE iam_boundaries (
    account TEXT NOT NULL,
    owner_kind TEXT NOT NULL,
    owner TEXT NOT NULL,
    policy_name TEXT NOT NULL,
    PRIMARY KEY (account, owner_kind, owner)
);
CREATE INDEX iam_boundaries_policy ON iam_boundaries (account, policy_name);
",
    },
    // Groups and their members; their inline policies and attachments are kept with users'
    // and roles' under owner kind `Group`.
    Migration {
        component: "iam",
        version: 3,
        sql: "
CREATE TABLE iam_groups (
    account TEXT NOT NULL,
    name TEXT NOT NULL,
    path TEXT NOT NULL,
    id TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    PRIMARY KEY (account, name)
);
CREATE TABLE iam_group_members (
    account TEXT NOT NULL,
    group_name TEXT NOT NULL,
    user_name TEXT NOT NULL,
    PRIMARY KEY (account, group_name, user_name)
);
CREATE INDEX iam_group_members_user ON iam_group_members (account, user_name, group_name);
",
    },
    // STS's sessions: temporary credentials with their session, kept a day past expiry.
    Migration {
        component: "iam",
        version: 4,
        sql: "
CREATE TABLE iam_sessions (
    access_key TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    sealed BLOB NOT NULL,
    token_sha256 TEXT NOT NULL,
    expires_ms INTEGER NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX iam_sessions_expiry ON iam_sessions (expires_ms);
",
    },
];
