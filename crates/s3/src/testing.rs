//! What the crate's tests share: a key service that refuses every call (for tests that never
//! reach KMS), a caller of the test account, and an S3 service over a fresh database of the
//! engine the tests run on (trailstack_store::testing).

use crate::S3;
use std::sync::Arc;
use trailstack_core::{AccountId, Caller, KeyService, Principal, SystemClock};
use trailstack_store::{BlobStore, RootKey};

/// A key service refusing every call: the port's default methods all refuse.
pub struct NoKeys;

impl KeyService for NoKeys {}

/// `principal` of account 111122223333, calling over TLS with SigV4.
pub fn caller(principal: Principal) -> Caller {
    let account = AccountId::parse("111122223333").unwrap();
    Caller {
        access_key: Some("AK".into()),
        canonical_id: "c".into(),
        display_name: "d".into(),
        source_ip: Some("203.0.113.9".parse().unwrap()),
        user_agent: "test".into(),
        secure_transport: true,
        auth_method: Some("AuthHeader"),
        signature_version: Some(trailstack_core::SignatureVersion::V4),
        ..Caller::new(account, principal, "us-east-1", "R".into())
    }
}

/// An S3 service over a fresh database (SQLite, or PostgreSQL when the tests run on it) with
/// S3's tables, its blobs where a server on that engine keeps them: files beside SQLite, rows of
/// the database on PostgreSQL (servers sharing it share no disk).
pub fn service() -> (tempfile::TempDir, S3) {
    let migrations: Vec<_> = crate::model::MIGRATIONS
        .iter()
        .chain(trailstack_store::journal::MIGRATIONS)
        .chain(crate::lifecycle::worker::MIGRATIONS)
        .chain(crate::logging::outbox::MIGRATIONS)
        .copied()
        .collect();
    let (dir, db) = trailstack_store::testing::open(&migrations);
    let db = Arc::new(db);
    let blobs = if trailstack_store::testing::on_postgres() {
        BlobStore::in_database(db.clone())
    } else {
        BlobStore::open(dir.path(), db.clone()).unwrap()
    };
    let root = Arc::new(RootKey::load_or_create(dir.path()).unwrap());
    let s3 = S3::new(
        db,
        blobs,
        Arc::new(SystemClock),
        "us-east-1",
        Arc::new(NoKeys),
        root,
    );
    (dir, s3)
}
