//! What the crate's tests share: a key service that refuses every call (for tests that never
//! reach KMS), a caller of the test account, and an S3 service over a fresh database of the
//! engine the tests run on (trailstack_store::testing).

use crate::S3;
use std::collections::BTreeMap;
use std::sync::Arc;
use trailstack_core::{
    AccountId, Caller, DataKey, KeyError, KeyFuture, KeyInfo, KeyRef, KeyService, Principal,
    SystemClock,
};
use trailstack_store::{BlobStore, RootKey};

/// A key service refusing every call.
pub struct NoKeys;

fn refused<'a, T: Send + 'a>() -> KeyFuture<'a, T> {
    Box::pin(async {
        Err(KeyError {
            code: "x".into(),
            message: String::new(),
        })
    })
}

impl KeyService for NoKeys {
    fn generate_data_key<'a>(
        &'a self,
        _: &'a Caller,
        _: &'a KeyRef,
        _: &'a BTreeMap<String, String>,
    ) -> KeyFuture<'a, DataKey> {
        refused()
    }
    fn decrypt<'a>(
        &'a self,
        _: &'a Caller,
        _: &'a [u8],
        _: &'a BTreeMap<String, String>,
    ) -> KeyFuture<'a, DataKey> {
        refused()
    }
    fn describe_key<'a>(&'a self, _: &'a Caller, _: &'a KeyRef) -> KeyFuture<'a, KeyInfo> {
        refused()
    }
}

/// `principal` of account 111122223333, calling over TLS with SigV4.
pub fn caller(principal: Principal) -> Caller {
    Caller {
        account: AccountId::parse("111122223333").unwrap(),
        principal,
        access_key: Some("AK".into()),
        canonical_id: "c".into(),
        display_name: "d".into(),
        source_ip: Some("203.0.113.9".parse().unwrap()),
        user_agent: "test".into(),
        request_id: "R".into(),
        region: "us-east-1".into(),
        secure_transport: true,
        invoked_by: None,
        host: String::new(),
        auth_method: Some("AuthHeader"),
        signature_version: Some(trailstack_core::SignatureVersion::V4),
        source_arn: None,
        session: None,
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
