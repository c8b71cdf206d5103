//! Databases for tests, on either engine: SQLite in a temporary directory by default, or, when
//! `TRAILSTACK_TEST_DATABASE` names a PostgreSQL server (`postgres://user@host/db`), a schema of
//! the test's own in that database — so every test written against [`crate::Db`] runs
//! unchanged on both engines, in parallel (`.ci/run` starts a throw-away cluster and runs them
//! again with it).

use crate::sql::postgres::Driver;
use crate::{Db, Migration};
use std::path::Path;

/// The variable naming the PostgreSQL database tests run on.
pub const DATABASE_VAR: &str = "TRAILSTACK_TEST_DATABASE";

/// A fresh database with `migrations` applied, and a temporary directory for the files a test
/// keeps beside it (SQLite's database is in it too).
pub fn open(migrations: &[Migration]) -> (tempfile::TempDir, Db) {
    let dir = dir();
    let db = reopen(dir.path(), migrations);
    (dir, db)
}

/// A temporary directory whose database [`reopen`] opens: an SQLite file in it, or a fresh
/// PostgreSQL schema.
pub fn dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary directory");
    if let Ok(url) = std::env::var(DATABASE_VAR) {
        if !url.is_empty() {
            std::fs::write(dir.path().join(URL_FILE), fresh_schema(&url)).expect("write");
        }
    }
    dir
}

/// The database [`open`] made with `dir`, opened again (as after a restart).
pub fn reopen(dir: &Path, migrations: &[Migration]) -> Db {
    match std::fs::read_to_string(dir.join(URL_FILE)) {
        Ok(url) => Db::connect(&url, migrations, 2).expect("PostgreSQL test database"),
        Err(_) => Db::open(&dir.join("meta.sqlite"), migrations).expect("SQLite database"),
    }
}

/// The PostgreSQL database a whole server over `dir` keeps its state in when tests run on
/// PostgreSQL (`None` on SQLite): a fresh schema the first time, the same one again when a test
/// restarts a server over the same `dir`, or starts a second server beside it.
pub fn server_database(dir: &Path) -> Option<String> {
    let url = std::env::var(DATABASE_VAR).ok().filter(|u| !u.is_empty())?;
    let file = dir.join(URL_FILE);
    if let Ok(known) = std::fs::read_to_string(&file) {
        return Some(known);
    }
    let fresh = fresh_schema(&url);
    std::fs::write(&file, &fresh).expect("write");
    Some(fresh)
}

/// Where [`open`] notes the PostgreSQL database it made, for [`reopen`].
const URL_FILE: &str = "postgres-url";

/// Whether tests run on PostgreSQL.
pub fn on_postgres() -> bool {
    std::env::var(DATABASE_VAR).is_ok_and(|u| !u.is_empty())
}

/// `url` with a new, empty schema of its own as the search path.
fn fresh_schema(url: &str) -> String {
    let config: tokio_postgres::Config = url.parse().expect("a postgres:// URL");
    let driver = Driver::start().expect("postgres driver");
    let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
    driver
        .connect(&config)
        .and_then(|c| c.batch(&format!("CREATE SCHEMA {schema}")))
        .expect("create the test's schema");
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}options=-csearch_path%3D{schema}")
}
