//! The metadata database: one writer connection and a few reader connections to one SQLite file
//! in WAL mode with `synchronous=FULL`, so a committed transaction survives a crash (a 200 means
//! durable). Migrations are numbered per component and applied once, in order, at open.

use crate::StoreError;
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

/// One schema change of one component (`s3`, `kms`, ...). Versions start at 1 and never change
/// once released: a new change is a new migration.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// The component owning the tables.
    pub component: &'static str,
    /// The schema version this migration brings the component to.
    pub version: u32,
    /// The SQL to run (may hold several statements).
    pub sql: &'static str,
}

const READERS: usize = 4;

/// The metadata database.
pub struct Db {
    writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Db")
    }
}

fn lock(m: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    // A panic while holding the lock cannot leave SQLite inconsistent (the transaction rolls
    // back on drop), so a poisoned lock is still usable.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Db {
    /// Opens (creating if needed) the database at `path` and applies `migrations`.
    pub fn open(path: &Path, migrations: &[Migration]) -> Result<Db, StoreError> {
        let writer = Connection::open(path)?;
        writer.pragma_update(None, "journal_mode", "WAL")?;
        writer.pragma_update(None, "synchronous", "FULL")?;
        writer.pragma_update(None, "foreign_keys", "ON")?;
        writer.busy_timeout(std::time::Duration::from_secs(30))?;
        let mut db = Db {
            writer: Mutex::new(writer),
            readers: Vec::new(),
            next_reader: AtomicUsize::new(0),
        };
        db.migrate(migrations)?;
        for _ in 0..READERS {
            let r = Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )?;
            r.busy_timeout(std::time::Duration::from_secs(30))?;
            db.readers.push(Mutex::new(r));
        }
        Ok(db)
    }

    fn migrate(&mut self, migrations: &[Migration]) -> Result<(), StoreError> {
        let conn = self.writer.get_mut().unwrap_or_else(|e| e.into_inner());
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                component TEXT NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (component, version))",
        )?;
        let mut sorted: Vec<&Migration> = migrations.iter().collect();
        sorted.sort_by_key(|m| (m.component, m.version));
        for m in sorted {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let done: bool = tx.query_row(
                "SELECT EXISTS(SELECT 1 FROM schema_migrations WHERE component = ?1 AND version = ?2)",
                (m.component, m.version),
                |r| r.get(0),
            )?;
            if !done {
                tx.execute_batch(m.sql)?;
                tx.execute(
                    "INSERT INTO schema_migrations (component, version) VALUES (?1, ?2)",
                    (m.component, m.version),
                )?;
            }
            tx.commit()?;
        }
        Ok(())
    }

    /// Runs `f` in one write transaction and commits it; the commit is durable when this returns.
    /// Blocking: call from a blocking thread.
    pub fn write<T, E>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let mut conn = lock(&self.writer);
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| E::from(e.into()))?;
        let out = f(&tx)?;
        tx.commit().map_err(|e| E::from(e.into()))?;
        Ok(out)
    }

    /// Runs `f` on a read-only connection seeing the latest committed state. Blocking.
    pub fn read<T, E>(&self, f: impl FnOnce(&Connection) -> Result<T, E>) -> Result<T, E> {
        let i = self.next_reader.fetch_add(1, Ordering::Relaxed) % self.readers.len().max(1);
        match self.readers.get(i) {
            Some(r) => f(&lock(r)),
            None => f(&lock(&self.writer)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_apply_once_and_writes_are_visible_to_readers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("meta.sqlite");
        let migs = [Migration {
            component: "t",
            version: 1,
            sql: "CREATE TABLE x (v INTEGER)",
        }];
        let db = Db::open(&path, &migs).unwrap();
        db.write(|tx| {
            tx.execute("INSERT INTO x VALUES (7)", [])
                .map_err(StoreError::from)
        })
        .unwrap();
        drop(db);
        let db = Db::open(&path, &migs).unwrap();
        let v: i64 = db
            .read(|c| {
                c.query_row("SELECT v FROM x", [], |r| r.get(0))
                    .map_err(StoreError::from)
            })
            .unwrap();
        assert_eq!(v, 7);
    }
}
