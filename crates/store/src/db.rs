//! The metadata database: one writer connection and a few reader connections to one SQLite file
//! in WAL mode; a write is acknowledged only once the WAL holding its commit is fsynced (a 200
//! means durable). Inside a [`Db::durable_scope`] (one HTTP request, with the internal calls and
//! the CloudTrail record it makes) writes return at commit and the scope waits once, at its end,
//! for the fsync that covers them all. Migrations (`migrations.rs`) are applied at open.

use crate::migrations::{migrate, with_store_tables};
use crate::sql::postgres::{self, Driver};
use crate::sql::{Conn, Control};
use crate::{Migration, StoreError};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

const READERS: usize = 4;

/// A write waiting for the writer thread. It runs inside the batch's transaction (in its own
/// savepoint) and returns the completion to call once the batch's commit is known.
type Job = Box<dyn FnOnce(&Conn) -> Pending + Send>;
/// Delivers a write's result after the commit (None) or the commit's failure (Some).
/// The failure is described, not passed on: one commit's failure is delivered to many writes.
type Completion = Box<dyn FnOnce(Option<&Failure>) + Send>;

/// Why a batch's commit failed.
struct Failure {
    message: String,
    /// The database could not be reached (PostgreSQL down, the network cut), rather than
    /// refusing the commit (a full disk, a failed fsync).
    unreachable: bool,
}

impl Failure {
    fn of(e: &StoreError) -> Failure {
        Failure {
            message: e.to_string(),
            unreachable: matches!(e, StoreError::Unreachable(_)),
        }
    }

    fn other(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            unreachable: false,
        }
    }

    /// What each write of the failed batch is told.
    fn error(&self) -> StoreError {
        let message = format!("commit failed: {}", self.message);
        match self.unreachable {
            true => StoreError::Unreachable(message),
            false => StoreError::Unavailable(message),
        }
    }
}

/// A write's completion and when to deliver it.
enum Pending {
    /// After the fsync that makes its commit durable.
    Durable(Completion),
    /// Right after its commit; the scope waits for the fsync at its end.
    Committed(Completion, Arc<Scope>),
}

/// The commits one durable scope made: the highest batch number it must see fsynced.
#[derive(Default)]
struct Scope {
    last_batch: AtomicU64,
}

tokio::task_local! {
    static SCOPE: Arc<Scope>;
}

/// How far the fsyncs have come: the last batch known durable, or the error that stopped them.
struct Synced {
    upto: tokio::sync::watch::Sender<u64>,
    failed: Mutex<Option<String>>,
}

/// Most writes one commit carries.
const MAX_BATCH: usize = 256;

/// The metadata database. Writes go to one writer thread that commits them in batches (group
/// commit): every write waiting when a commit starts shares its fsync, each in its own
/// savepoint so one failing write rolls back alone. A write's result is delivered only after
/// the commit that holds it is durable.
pub struct Db {
    jobs: std::sync::mpsc::Sender<Job>,
    readers: Vec<Mutex<Conn>>,
    next_reader: AtomicUsize,
    synced: Arc<Synced>,
    /// On PostgreSQL, what drives the connections' I/O; dropped last.
    _driver: Option<Driver>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Db")
    }
}

fn lock(m: &Mutex<Conn>) -> MutexGuard<'_, Conn> {
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
        // Each write runs in a savepoint of its batch's transaction, whose sub-journal (the
        // pages' images before the write) SQLite otherwise spills to a temporary file past
        // 64 KiB: a batch paid a pwrite per page it touched, a third of the writer's time.
        writer.pragma_update(None, "temp_store", "MEMORY")?;
        writer.busy_timeout(std::time::Duration::from_secs(30))?;
        migrate(&mut writer, &with_store_tables(migrations))?;
        let mut readers = Vec::new();
        for _ in 0..READERS {
            let r = Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )?;
            r.busy_timeout(std::time::Duration::from_secs(30))?;
            readers.push(Conn::sqlite(r));
        }
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        Db::start(Conn::sqlite(writer), readers, Some(wal.into()), None)
    }

    /// Connects to the PostgreSQL database at `url` (`postgres://user@host/db`, any form
    /// `tokio-postgres` reads) with one writer connection and `readers` reader connections, and
    /// applies `migrations` — once across every node starting at the same time, under an
    /// advisory lock. A commit there is durable when PostgreSQL acknowledges it, so writes wait
    /// for no fsync of their own; they still share commits as on SQLite. The schema is
    /// `url`'s default (its `search_path`, which `options=-csearch_path%3D…` can set).
    pub fn connect(url: &str, migrations: &[Migration], readers: usize) -> Result<Db, StoreError> {
        let config: tokio_postgres::Config = url.parse()?;
        let driver = Driver::start()?;
        let writer = driver.connect(&config)?;
        postgres::migrate(&writer, &with_store_tables(migrations))?;
        let readers = (0..readers.max(1))
            .map(|_| driver.connect(&config).map(Conn::postgres))
            .collect::<Result<Vec<_>, _>>()?;
        Db::start(Conn::postgres(writer), readers, None, Some(driver))
    }

    /// Starts the writer (and, on SQLite, the syncer that fsyncs `wal`) over open connections.
    fn start(
        writer: Conn,
        readers: Vec<Conn>,
        wal: Option<PathBuf>,
        driver: Option<Driver>,
    ) -> Result<Db, StoreError> {
        let (jobs, rx) = std::sync::mpsc::channel::<Job>();
        let (to_sync, commits) = std::sync::mpsc::channel::<(u64, Vec<Completion>)>();
        let synced = Arc::new(Synced {
            upto: tokio::sync::watch::Sender::new(0),
            failed: Mutex::new(None),
        });
        let progress = synced.clone();
        std::thread::Builder::new()
            .name("trailstack-db-sync".into())
            .spawn(move || syncer_loop(wal.as_deref(), commits, &progress))?;
        let progress = synced.clone();
        std::thread::Builder::new()
            .name("trailstack-db-writer".into())
            .spawn(move || writer_loop(writer, rx, to_sync, &progress))?;
        Ok(Db {
            jobs,
            readers: readers.into_iter().map(Mutex::new).collect(),
            next_reader: AtomicUsize::new(0),
            synced,
            _driver: driver,
        })
    }

    /// Runs `work` so that its writes (and those of everything it calls on this task) return at
    /// commit, then waits once for the fsync covering all of them. What `work` returns is only
    /// durable — and may only be acknowledged — once this returns `Ok`.
    pub async fn durable_scope<F: std::future::Future>(
        &self,
        work: F,
    ) -> Result<F::Output, StoreError> {
        let scope = Arc::new(Scope::default());
        let out = SCOPE.scope(scope.clone(), work).await;
        self.wait_synced(scope.last_batch.load(Ordering::Acquire))
            .await?;
        Ok(out)
    }

    /// Waits until every write committed so far in the current durable scope is durable; a no-op
    /// outside one. For effects that must not precede durability, such as deleting the blob a
    /// commit stopped referencing.
    pub async fn settle(&self) -> Result<(), StoreError> {
        match SCOPE.try_with(|s| s.last_batch.load(Ordering::Acquire)) {
            Ok(batch) => self.wait_synced(batch).await,
            Err(_) => Ok(()),
        }
    }

    async fn wait_synced(&self, batch: u64) -> Result<(), StoreError> {
        if batch == 0 {
            return Ok(());
        }
        let mut rx = self.synced.upto.subscribe();
        let reached = rx
            .wait_for(|upto| *upto >= batch || self.fsync_failure().is_some())
            .await
            .map(|upto| *upto >= batch);
        match (reached, self.fsync_failure()) {
            (Ok(true), _) => Ok(()),
            (_, Some(e)) => Err(StoreError::Corrupt(e)),
            (_, None) => Err(StoreError::Corrupt("database syncer stopped".into())),
        }
    }

    fn fsync_failure(&self) -> Option<String> {
        self.synced
            .failed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Runs `f` in a write transaction and returns its result once the commit is durable. If
    /// `f` fails, its changes are rolled back and its error returned. Async: waits on the
    /// writer thread without blocking the runtime.
    pub async fn write<T, E>(
        &self,
        f: impl FnOnce(&Conn) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        self.submit(f).await
    }

    /// [`Db::write`], but queued now rather than when first polled: writes submitted one after
    /// the other, without an await between them, run in that order and almost always in the
    /// same commit. This is how a call's record joins the transaction of the call's effect.
    pub fn submit<T, E>(
        &self,
        f: impl FnOnce(&Conn) -> Result<T, E> + Send + 'static,
    ) -> impl std::future::Future<Output = Result<T, E>> + Send + 'static
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel::<Result<T, E>>();
        let scope = SCOPE.try_with(Arc::clone).ok();
        let job: Job = Box::new(move |conn: &Conn| -> Pending {
            let result = run_in_savepoint(conn, f);
            let done: Completion = Box::new(move |commit_error: Option<&Failure>| {
                let out = match (result, commit_error) {
                    (Ok(_), Some(f)) => Err(E::from(f.error())),
                    (r, _) => r.map_err(|e| match e {
                        SavepointError::Job(e) => e,
                        SavepointError::Store(e) => E::from(e),
                    }),
                };
                let _ = tx.send(out);
            });
            match scope {
                Some(scope) => Pending::Committed(done, scope),
                None => Pending::Durable(done),
            }
        });
        let sent = self.jobs.send(job);
        async move {
            let stopped = || E::from(StoreError::Corrupt("database writer stopped".into()));
            sent.map_err(|_| stopped())?;
            rx.await.map_err(|_| stopped())?
        }
    }

    /// Runs `f` on a read-only connection seeing the latest committed state, on the calling
    /// thread. Blocking, but not behind another read while a connection is free: services run
    /// their point lookups this way straight on the async runtime (handing a read of a few rows
    /// to another thread costs more than the read), and long scans on the blocking pool.
    pub fn read<T, E>(&self, f: impl FnOnce(&Conn) -> Result<T, E>) -> Result<T, E> {
        let first = self.next_reader.fetch_add(1, Ordering::Relaxed);
        let n = self.readers.len();
        for i in 0..n {
            match self.readers[(first + i) % n].try_lock() {
                Ok(conn) => return f(&conn),
                Err(std::sync::TryLockError::Poisoned(p)) => return f(&p.into_inner()),
                Err(std::sync::TryLockError::WouldBlock) => {}
            }
        }
        f(&lock(&self.readers[first % n]))
    }
}

enum SavepointError<E> {
    Job(E),
    Store(StoreError),
}

fn run_in_savepoint<T, E>(
    conn: &Conn,
    f: impl FnOnce(&Conn) -> Result<T, E>,
) -> Result<T, SavepointError<E>> {
    conn.control(Control::Savepoint)
        .map_err(SavepointError::Store)?;
    match f(conn) {
        Ok(v) => {
            conn.control(Control::Release)
                .map_err(SavepointError::Store)?;
            Ok(v)
        }
        Err(e) => {
            undo_savepoint(conn).map_err(SavepointError::Store)?;
            Err(SavepointError::Job(e))
        }
    }
}

/// Drops the changes of the write whose savepoint is open, keeping the batch's transaction.
fn undo_savepoint(conn: &Conn) -> Result<(), StoreError> {
    conn.control(Control::RollbackToSavepoint)?;
    conn.control(Control::Release)
}

/// Makes committed batches durable: fsyncs the WAL file (SQLite; PostgreSQL's commits are
/// durable when acknowledged, so there is no `wal`), then delivers their results and publishes
/// the last durable batch for durable scopes. Batches that arrive while an fsync runs share the
/// next one.
fn syncer_loop(
    wal: Option<&Path>,
    rx: std::sync::mpsc::Receiver<(u64, Vec<Completion>)>,
    progress: &Synced,
) {
    while let Ok((mut upto, first)) = rx.recv() {
        let mut ready = vec![first];
        while let Ok((batch, more)) = rx.try_recv() {
            upto = upto.max(batch);
            ready.push(more);
        }
        // After a failed fsync, what the kernel kept of the WAL's dirty pages is unknown: a
        // later fsync that succeeds proves nothing about them, so the failure is sticky and no
        // later batch is acknowledged until a restart recovers from what is on disk.
        let earlier = progress
            .failed
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let synced = match (earlier, wal) {
            (Some(e), _) => Err(e),
            (None, None) => Ok(()),
            (None, Some(wal)) => std::fs::OpenOptions::new()
                .write(true)
                .open(wal)
                .and_then(|f| f.sync_data())
                .map_err(|e| format!("fsync of the write-ahead log failed: {e}")),
        };
        let error = synced.err();
        match &error {
            None => {
                progress.upto.send_replace(upto);
            }
            Some(e) => {
                *progress.failed.lock().unwrap_or_else(|p| p.into_inner()) = Some(e.clone());
                progress.upto.send_modify(|_| {});
            }
        }
        let error = error.map(Failure::other);
        for done in ready.into_iter().flatten() {
            done(error.as_ref());
        }
    }
}

fn writer_loop(
    conn: Conn,
    rx: std::sync::mpsc::Receiver<Job>,
    to_sync: std::sync::mpsc::Sender<(u64, Vec<Completion>)>,
    progress: &Synced,
) {
    let mut batch_no = 0u64;
    while let Ok(first) = rx.recv() {
        batch_no += 1;
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(j) => batch.push(j),
                Err(_) => break,
            }
        }
        // Once an fsync has failed no write will be acknowledged (see `syncer_loop`), so none
        // is committed either: readers must not see what the caller is told failed.
        let failed = progress
            .failed
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        if let Some(e) = failed {
            refuse(&conn, batch, &Failure::other(e));
            continue;
        }
        if let Err(e) = conn.control(Control::Begin).map_err(|e| Failure::of(&e)) {
            for job in batch {
                // Without a transaction each job still runs atomically in its savepoint.
                job(&conn).complete(Some(&e));
            }
            continue;
        }
        let mut pending: Vec<Pending> = Vec::with_capacity(batch.len());
        for job in batch {
            // A panicking write must not take the writer thread (and every later write) down:
            // its savepoint is rolled back and its caller sees the channel close.
            match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&conn))) {
                Ok(p) => pending.push(p),
                Err(_) => {
                    let _ = undo_savepoint(&conn);
                }
            }
        }
        if let Err(e) = conn.control(Control::Commit).map_err(|e| Failure::of(&e)) {
            let _ = conn.control(Control::Rollback);
            for p in pending {
                p.complete(Some(&e));
            }
            continue;
        }
        let mut after_fsync = Vec::new();
        for p in pending {
            match p {
                Pending::Durable(done) => after_fsync.push(done),
                Pending::Committed(done, scope) => {
                    scope.last_batch.fetch_max(batch_no, Ordering::AcqRel);
                    done(None);
                }
            }
        }
        if let Err(std::sync::mpsc::SendError((_, completions))) =
            to_sync.send((batch_no, after_fsync))
        {
            for done in completions {
                done(Some(&Failure::other("database syncer stopped")));
            }
        }
    }
}

/// Fails every job of `batch` with `error`, leaving nothing of them behind: a job can only be
/// completed by running it, so they run in a transaction that is then rolled back.
fn refuse(conn: &Conn, batch: Vec<Job>, error: &Failure) {
    let _ = conn.control(Control::Begin);
    let mut pending = Vec::with_capacity(batch.len());
    for job in batch {
        if let Ok(p) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(conn))) {
            pending.push(p);
        }
    }
    let _ = conn.control(Control::Rollback);
    for p in pending {
        p.complete(Some(error));
    }
}

impl Pending {
    fn complete(self, error: Option<&Failure>) {
        match self {
            Pending::Durable(done) | Pending::Committed(done, _) => done(error),
        }
    }
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
        let (dir, db) = crate::testing::open(&migs());
        db.write(|c| c.execute("INSERT INTO x VALUES (7)", &[]))
            .await
            .unwrap();
        drop(db);
        let db = crate::testing::reopen(dir.path(), &migs());
        let v: i64 = db
            .read(|c| c.query_one("SELECT v FROM x", &[], |r| r.get(0)))
            .unwrap();
        assert_eq!(v, 7);
    }

    #[tokio::test]
    async fn a_failing_write_rolls_back_alone_within_a_batch() {
        let (_dir, db) = crate::testing::open(&migs());
        let db = std::sync::Arc::new(db);
        let mut tasks = Vec::new();
        for i in 0..200i64 {
            let db = db.clone();
            tasks.push(tokio::spawn(async move {
                db.write(move |c| {
                    c.execute("INSERT INTO x VALUES ($1)", &[&i])?;
                    // Every tenth write inserts a duplicate after its first row: it must fail
                    // and leave nothing behind, while the others in its batch commit.
                    if i % 10 == 0 {
                        c.execute("INSERT INTO x VALUES ($1)", &[&i])?;
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
            .read(|c| c.query_one("SELECT COUNT(*) FROM x", &[], |r| r.get(0)))
            .unwrap();
        assert_eq!(n, 180);
    }

    #[tokio::test]
    async fn a_durable_scope_waits_once_for_the_fsync_covering_its_writes() {
        let (_dir, db) = crate::testing::open(&migs());
        let db = std::sync::Arc::new(db);
        let inner = db.clone();
        let n = db
            .durable_scope(async move {
                for i in 0..5i64 {
                    inner
                        .write(move |c| c.execute("INSERT INTO x VALUES ($1)", &[&i]))
                        .await
                        .unwrap();
                }
                inner.settle().await.unwrap();
                inner
                    .read(|c| c.query_one("SELECT COUNT(*) FROM x", &[], |r| r.get::<i64>(0)))
                    .unwrap()
            })
            .await
            .unwrap();
        assert_eq!(n, 5);
        // A scope that wrote nothing does not wait, and plain writes still work after scopes.
        db.durable_scope(async {}).await.unwrap();
        db.write(|c| c.execute("INSERT INTO x VALUES (9)", &[]))
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn writes_submitted_back_to_back_run_in_order() {
        let (_dir, db) = crate::testing::open(&migs());
        let first = db.submit(|c| c.execute("INSERT INTO x VALUES (1)", &[]));
        // Queued before `first` is awaited: it must already see the row `first` wrote.
        let second = db.submit(|c| c.query_one("SELECT COUNT(*) FROM x", &[], |r| r.get::<i64>(0)));
        first.await.unwrap();
        assert_eq!(second.await.unwrap(), 1);
    }
}
