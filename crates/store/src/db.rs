//! The metadata database: one writer connection and a few reader connections to one SQLite file
//! in WAL mode with `synchronous=FULL`, so a committed transaction survives a crash (a 200 means
//! durable). Migrations are numbered per component and applied once, in order, at open.

use crate::StoreError;
use rusqlite::{Connection, OpenFlags, TransactionBehavior};
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

/// A write waiting for the writer thread. It runs inside the batch's transaction (in its own
/// savepoint) and returns the completion to call once the batch's commit is known.
type Job = Box<dyn FnOnce(&Connection) -> Completion + Send>;
/// Delivers a write's result after the commit (None) or the commit's failure (Some).
type Completion = Box<dyn FnOnce(Option<&rusqlite::Error>) + Send>;

/// Most writes one commit carries.
const MAX_BATCH: usize = 256;

/// The metadata database. Writes go to one writer thread that commits them in batches (group
/// commit): every write waiting when a commit starts shares its fsync, each in its own
/// savepoint so one failing write rolls back alone. A write's result is delivered only after
/// the commit that holds it is durable.
pub struct Db {
    jobs: std::sync::mpsc::Sender<Job>,
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
        let mut writer = Connection::open(path)?;
        writer.pragma_update(None, "journal_mode", "WAL")?;
        // Commits do not fsync on the writer thread; the syncer thread fsyncs the WAL and only
        // then acknowledges them (see `syncer_loop`), so one fsync covers every commit made
        // while the previous one ran.
        writer.pragma_update(None, "synchronous", "NORMAL")?;
        writer.pragma_update(None, "foreign_keys", "ON")?;
        writer.busy_timeout(std::time::Duration::from_secs(30))?;
        migrate(&mut writer, migrations)?;
        let mut readers = Vec::new();
        for _ in 0..READERS {
            let r = Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )?;
            r.busy_timeout(std::time::Duration::from_secs(30))?;
            readers.push(Mutex::new(r));
        }
        let (jobs, rx) = std::sync::mpsc::channel::<Job>();
        let (to_sync, synced) = std::sync::mpsc::channel::<Vec<Completion>>();
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        let wal = std::path::PathBuf::from(wal);
        std::thread::Builder::new()
            .name("trailstack-db-sync".into())
            .spawn(move || syncer_loop(&wal, synced))?;
        std::thread::Builder::new()
            .name("trailstack-db-writer".into())
            .spawn(move || writer_loop(writer, rx, to_sync))?;
        Ok(Db {
            jobs,
            readers,
            next_reader: AtomicUsize::new(0),
        })
    }

    /// Runs `f` in a write transaction and returns its result once the commit is durable. If
    /// `f` fails, its changes are rolled back and its error returned. Async: waits on the
    /// writer thread without blocking the runtime.
    pub async fn write<T, E>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel::<Result<T, E>>();
        let job: Job = Box::new(move |conn: &Connection| -> Completion {
            let result = run_in_savepoint(conn, f);
            Box::new(move |commit_error: Option<&rusqlite::Error>| {
                let out = match (result, commit_error) {
                    (Ok(_), Some(e)) => Err(E::from(StoreError::Sqlite(clone_error(e)))),
                    (r, _) => r.map_err(|e| match e {
                        SavepointError::Job(e) => e,
                        SavepointError::Store(e) => E::from(e),
                    }),
                };
                let _ = tx.send(out);
            })
        });
        self.jobs
            .send(job)
            .map_err(|_| E::from(StoreError::Corrupt("database writer stopped".into())))?;
        rx.await
            .map_err(|_| E::from(StoreError::Corrupt("database writer stopped".into())))?
    }

    /// Runs `f` on a read-only connection seeing the latest committed state. Blocking.
    pub fn read<T, E>(&self, f: impl FnOnce(&Connection) -> Result<T, E>) -> Result<T, E> {
        let i = self.next_reader.fetch_add(1, Ordering::Relaxed) % READERS;
        f(&lock(&self.readers[i]))
    }
}

enum SavepointError<E> {
    Job(E),
    Store(StoreError),
}

fn run_in_savepoint<T, E>(
    conn: &Connection,
    f: impl FnOnce(&Connection) -> Result<T, E>,
) -> Result<T, SavepointError<E>> {
    conn.prepare_cached("SAVEPOINT job")
        .and_then(|mut s| s.execute([]))
        .map_err(|e| SavepointError::Store(e.into()))?;
    match f(conn) {
        Ok(v) => {
            conn.prepare_cached("RELEASE job")
                .and_then(|mut s| s.execute([]))
                .map_err(|e| SavepointError::Store(e.into()))?;
            Ok(v)
        }
        Err(e) => {
            conn.execute_batch("ROLLBACK TO job; RELEASE job")
                .map_err(|e| SavepointError::Store(e.into()))?;
            Err(SavepointError::Job(e))
        }
    }
}

fn clone_error(e: &rusqlite::Error) -> rusqlite::Error {
    rusqlite::Error::SqliteFailure(
        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_IOERR),
        Some(format!("commit failed: {e}")),
    )
}

/// Makes committed batches durable: fsyncs the WAL file, then delivers their results. Batches
/// that arrive while an fsync runs share the next one.
fn syncer_loop(wal: &Path, rx: std::sync::mpsc::Receiver<Vec<Completion>>) {
    while let Ok(first) = rx.recv() {
        let mut ready = vec![first];
        while let Ok(more) = rx.try_recv() {
            ready.push(more);
        }
        let synced = std::fs::OpenOptions::new()
            .write(true)
            .open(wal)
            .and_then(|f| f.sync_data());
        let error = synced.err().map(|e| {
            rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_IOERR),
                Some(format!("fsync of the write-ahead log failed: {e}")),
            )
        });
        for done in ready.into_iter().flatten() {
            done(error.as_ref());
        }
    }
}

fn writer_loop(
    conn: Connection,
    rx: std::sync::mpsc::Receiver<Job>,
    to_sync: std::sync::mpsc::Sender<Vec<Completion>>,
) {
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(j) => batch.push(j),
                Err(_) => break,
            }
        }
        if let Err(e) = conn
            .prepare_cached("BEGIN IMMEDIATE")
            .and_then(|mut s| s.execute([]))
        {
            for job in batch {
                // Without a transaction each job still runs atomically in its savepoint.
                let done = job(&conn);
                done(Some(&e));
            }
            continue;
        }
        let mut completions: Vec<Completion> = Vec::with_capacity(batch.len());
        for job in batch {
            // A panicking write must not take the writer thread (and every later write) down:
            // its savepoint is rolled back and its caller sees the channel close.
            match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&conn))) {
                Ok(done) => completions.push(done),
                Err(_) => {
                    let _ = conn.execute_batch("ROLLBACK TO job; RELEASE job");
                }
            }
        }
        let commit = conn
            .prepare_cached("COMMIT")
            .and_then(|mut s| s.execute([]));
        match commit {
            Ok(_) => {
                if let Err(std::sync::mpsc::SendError(completions)) = to_sync.send(completions) {
                    let stopped = clone_error(&rusqlite::Error::InvalidQuery);
                    for done in completions {
                        done(Some(&stopped));
                    }
                }
            }
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                for done in completions {
                    done(Some(&e));
                }
            }
        }
    }
}

fn migrate(conn: &mut Connection, migrations: &[Migration]) -> Result<(), StoreError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn migs() -> [Migration; 1] {
        [Migration {
            component: "t",
            version: 1,
            sql: "CREATE TABLE x (v INTEGER UNIQUE)",
        }]
    }

    #[tokio::test]
    async fn migrations_apply_once_and_writes_are_visible_to_readers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("meta.sqlite");
        let db = Db::open(&path, &migs()).unwrap();
        db.write(|c| {
            c.execute("INSERT INTO x VALUES (7)", [])
                .map_err(StoreError::from)
        })
        .await
        .unwrap();
        drop(db);
        let db = Db::open(&path, &migs()).unwrap();
        let v: i64 = db
            .read(|c| {
                c.query_row("SELECT v FROM x", [], |r| r.get(0))
                    .map_err(StoreError::from)
            })
            .unwrap();
        assert_eq!(v, 7);
    }

    #[tokio::test]
    async fn a_failing_write_rolls_back_alone_within_a_batch() {
        let dir = tempfile::tempdir().unwrap();
        let db = std::sync::Arc::new(Db::open(&dir.path().join("m.sqlite"), &migs()).unwrap());
        let mut tasks = Vec::new();
        for i in 0..200i64 {
            let db = db.clone();
            tasks.push(tokio::spawn(async move {
                db.write(move |c| {
                    c.execute("INSERT INTO x VALUES (?1)", [i])?;
                    // Every tenth write inserts a duplicate after its first row: it must fail
                    // and leave nothing behind, while the others in its batch commit.
                    if i % 10 == 0 {
                        c.execute("INSERT INTO x VALUES (?1)", [i])?;
                    }
                    Ok::<_, StoreError>(i)
                })
                .await
            }));
        }
        let mut ok = 0;
        for t in tasks {
            if t.await.unwrap().is_ok() {
                ok += 1;
            }
        }
        assert_eq!(ok, 180);
        let n: i64 = db
            .read(|c| {
                c.query_row("SELECT COUNT(*) FROM x", [], |r| r.get(0))
                    .map_err(StoreError::from)
            })
            .unwrap();
        assert_eq!(n, 180);
    }
}
