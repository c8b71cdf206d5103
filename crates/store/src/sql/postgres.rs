//! The PostgreSQL engine behind [`super::Conn`] (`--database postgres://…`, issue 23).
//!
//! Built on `tokio-postgres`. The store's API is synchronous (a read runs on the caller's
//! thread, a write on the writer thread), so every connection's I/O is driven by one runtime
//! of the store's own, on a thread of its own ([`Driver`]), and a caller waits for its answer
//! with a plain executor: nothing blocks inside a runtime, and the caller can be anywhere — a
//! request's task, the writer thread, a test. Statements are prepared once per connection and
//! kept by their text, as SQLite's statement cache does.

use super::{Control, Param, Result, Row, RowSource, Value};
use crate::StoreError;
use bytes::BytesMut;
use futures_util::future::join3;
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio_postgres::error::SqlState;
use tokio_postgres::types::{to_sql_checked, FromSql, IsNull, ToSql, Type};
use tokio_postgres::{Client, Statement};

type BoxError = Box<dyn std::error::Error + Sync + Send>;

/// The runtime that drives every connection of one database, on its own thread; stopped when
/// dropped.
pub(crate) struct Driver {
    handle: tokio::runtime::Handle,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl Driver {
    pub(crate) fn start() -> Result<Driver> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let handle = runtime.handle().clone();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        std::thread::Builder::new()
            .name("trailstack-db-postgres".into())
            .spawn(move || {
                runtime.block_on(async {
                    let _ = stopped.await;
                })
            })?;
        Ok(Driver {
            handle,
            _stop: stop,
        })
    }

    /// Opens a connection to `config`'s database.
    pub(crate) fn connect(&self, config: &tokio_postgres::Config) -> Result<Pg> {
        let connector = Connector {
            handle: self.handle.clone(),
            config: config.clone(),
        };
        let session = connector.open()?;
        Ok(Pg {
            connector,
            session: Mutex::new(Arc::new(session)),
            in_transaction: AtomicBool::new(false),
        })
    }
}

/// What a connection is opened with, kept to open it again.
struct Connector {
    handle: tokio::runtime::Handle,
    config: tokio_postgres::Config,
}

impl Connector {
    fn open(&self) -> Result<Session> {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        let mut config = self.config.clone();
        // A database host that stopped answering must fail requests with a 503 within
        // seconds, not hold them for the system's TCP timeout (minutes).
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        self.handle.spawn(async move {
            let connected = match config.connect(tokio_postgres::NoTls).await {
                Ok((client, connection)) => {
                    tokio::spawn(async move {
                        if let Err(e) = connection.await {
                            tracing::error!("postgres connection: {e}");
                        }
                    });
                    Ok(client)
                }
                Err(e) => Err(e),
            };
            let _ = tx.send(connected);
        });
        let client = rx
            .recv()
            .map_err(|_| StoreError::Unreachable("postgres driver stopped".into()))?
            .map_err(unreachable)?;
        Ok(Session {
            client,
            statements: Mutex::new(HashMap::new()),
            lost: AtomicBool::new(false),
        })
    }
}

/// How long opening a connection may take unless the URL says (`connect_timeout`).
const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// PostgreSQL cannot be reached: requests fail with a 503 until it can again.
fn unreachable(e: tokio_postgres::Error) -> StoreError {
    StoreError::Unreachable(format!("PostgreSQL is unreachable: {e}"))
}

/// One open connection and the statements prepared on it.
struct Session {
    client: Client,
    statements: Mutex<HashMap<String, Statement>>,
    /// An error said the connection is gone, which the client may learn only later.
    lost: AtomicBool,
}

impl Session {
    /// Whether the connection must be opened again.
    fn is_lost(&self) -> bool {
        self.lost.load(Ordering::Relaxed) || self.client.is_closed()
    }

    /// `e`, or "unreachable" when it came from the connection being lost: closed, or ended by
    /// the server (SQLSTATE class 08, connection exception, and 57, operator intervention: a
    /// shutdown, a restart, a terminated backend).
    fn failed(&self, e: tokio_postgres::Error) -> StoreError {
        let ended = e
            .code()
            .is_some_and(|c| c.code().starts_with("08") || c.code().starts_with("57"));
        if ended || e.is_closed() || self.client.is_closed() {
            self.lost.store(true, Ordering::Relaxed);
            unreachable(e)
        } else {
            StoreError::Postgres(e)
        }
    }
}

/// One connection, opened again when it was lost (PostgreSQL restarted, a network cut) — but
/// never inside the writer's transaction, whose statements must all run on one connection.
pub(crate) struct Pg {
    connector: Connector,
    session: Mutex<Arc<Session>>,
    /// Inside the writer's batch transaction (between `Control::Begin` and its end).
    in_transaction: AtomicBool,
}

/// How often a statement that lost a deadlock or a serialization conflict is tried again.
const RETRIES: usize = 5;

fn retryable(e: &tokio_postgres::Error) -> bool {
    matches!(
        e.code(),
        Some(c) if *c == SqlState::T_R_SERIALIZATION_FAILURE || *c == SqlState::T_R_DEADLOCK_DETECTED
    )
}

impl Pg {
    /// The open connection, opened again first if it was lost outside a transaction.
    fn session(&self) -> Result<Arc<Session>> {
        let mut current = self.session.lock().unwrap_or_else(|e| e.into_inner());
        if current.is_lost() {
            if self.in_transaction.load(Ordering::Relaxed) {
                return Err(StoreError::Unreachable(
                    "the connection to PostgreSQL was lost in a transaction".into(),
                ));
            }
            *current = Arc::new(self.connector.open()?);
        }
        Ok(current.clone())
    }

    /// The connection as it is, lost or not.
    fn current(&self) -> Arc<Session> {
        self.session
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn statement(&self, s: &Session, sql: &str) -> Result<Statement> {
        let cached = s
            .statements
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(sql)
            .cloned();
        if let Some(st) = cached {
            return Ok(st);
        }
        let st = futures_executor::block_on(s.client.prepare(sql)).map_err(|e| s.failed(e))?;
        s.statements
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(sql.to_string(), st.clone());
        Ok(st)
    }

    /// Runs one statement, again when it lost a deadlock or a serialization conflict: alone
    /// outside a transaction; inside one, in a savepoint of its own (sent in the same round trip
    /// as the statement), so that only the statement is undone and redone, never the writes the
    /// caller already made in the transaction.
    fn run<'s, T, F, Fut>(&self, s: &'s Session, statement: F) -> Result<T>
    where
        F: Fn(&'s Client) -> Fut,
        Fut: Future<Output = std::result::Result<T, tokio_postgres::Error>> + 's,
    {
        let mut tries = 0;
        loop {
            tries += 1;
            let outcome = if self.in_transaction.load(Ordering::Relaxed) {
                let (opened, out, released) = futures_executor::block_on(join3(
                    s.client.batch_execute("SAVEPOINT statement"),
                    statement(&s.client),
                    s.client.batch_execute("RELEASE SAVEPOINT statement"),
                ));
                match out {
                    Ok(v) => opened.and(released).map(|()| v),
                    Err(e) => {
                        // Undone alone, the transaction goes on as after a failed statement
                        // in SQLite, whether the statement is tried again or its caller
                        // decides what the failure means.
                        self.batch_on(
                            s,
                            "ROLLBACK TO SAVEPOINT statement; RELEASE SAVEPOINT statement",
                        )?;
                        Err(e)
                    }
                }
            } else {
                futures_executor::block_on(statement(&s.client))
            };
            match outcome {
                Err(e) if retryable(&e) && tries < RETRIES => continue,
                other => return other.map_err(|e| s.failed(e)),
            }
        }
    }

    pub(super) fn execute(&self, sql: &str, params: &[&dyn Param]) -> Result<usize> {
        let s = self.session()?;
        let st = self.statement(&s, sql)?;
        let values: Vec<Value<'_>> = params.iter().map(|p| p.value()).collect();
        let refs: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| v as _).collect();
        let n = self.run(&s, |c| c.execute(&st, &refs))?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    /// Reads the whole result before handing rows out: a scan that stops early (LookupEvents)
    /// still transfers every row it matched. Reading in pages from a portal would avoid it.
    pub(super) fn for_each(
        &self,
        sql: &str,
        params: &[&dyn Param],
        mut f: impl FnMut(&Row<'_>) -> Result<bool>,
    ) -> Result<()> {
        let s = self.session()?;
        let st = self.statement(&s, sql)?;
        let values: Vec<Value<'_>> = params.iter().map(|p| p.value()).collect();
        let refs: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| v as _).collect();
        let rows = self.run(&s, |c| c.query(&st, &refs))?;
        for r in &rows {
            if !f(&Row(RowSource::Postgres(r)))? {
                break;
            }
        }
        Ok(())
    }

    /// Runs statements given as text (migrations, batch framing) in one round trip.
    pub(crate) fn batch(&self, sql: &str) -> Result<()> {
        let s = self.session()?;
        self.batch_on(&s, sql)
    }

    fn batch_on(&self, s: &Session, sql: &str) -> Result<()> {
        futures_executor::block_on(s.client.batch_execute(sql)).map_err(|e| s.failed(e))
    }

    pub(super) fn control(&self, step: Control) -> Result<()> {
        // A lost connection is opened again before a transaction begins, never later: a COMMIT
        // sent on a new connection would commit nothing and succeed.
        let s = match step {
            Control::Begin => {
                let s = self.session()?;
                self.in_transaction.store(true, Ordering::Relaxed);
                s
            }
            Control::Commit | Control::Rollback => {
                self.in_transaction.store(false, Ordering::Relaxed);
                self.current()
            }
            _ => self.current(),
        };
        self.batch_on(
            &s,
            match step {
                Control::Begin => BEGIN_WRITE,
                Control::Commit => "COMMIT",
                Control::Rollback => "ROLLBACK",
                Control::Savepoint => "SAVEPOINT job",
                Control::Release => "RELEASE SAVEPOINT job",
                Control::RollbackToSavepoint => "ROLLBACK TO SAVEPOINT job",
            },
        )
    }
}

pub(super) fn column<'r>(r: &'r tokio_postgres::Row, index: usize) -> Result<Value<'r>> {
    Ok(r.try_get::<_, Value<'r>>(index)?)
}

impl ToSql for Value<'_> {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> std::result::Result<IsNull, BoxError> {
        match *self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(i) => match *ty {
                Type::INT8 => i.to_sql(ty, out),
                Type::INT4 => i32::try_from(i)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(i)?.to_sql(ty, out),
                Type::BOOL => (i != 0).to_sql(ty, out),
                Type::FLOAT8 => (i as f64).to_sql(ty, out),
                _ => Err(format!("an integer bound to a {ty} parameter").into()),
            },
            Value::Real(r) => match *ty {
                Type::FLOAT8 => r.to_sql(ty, out),
                Type::FLOAT4 => (r as f32).to_sql(ty, out),
                _ => Err(format!("a real bound to a {ty} parameter").into()),
            },
            Value::Text(t) => match *ty {
                Type::BYTEA => t.as_bytes().to_sql(ty, out),
                _ => t.to_sql(ty, out),
            },
            Value::Blob(b) => match *ty {
                Type::BYTEA => b.to_sql(ty, out),
                _ => Err(format!("bytes bound to a {ty} parameter").into()),
            },
        }
    }

    fn accepts(ty: &Type) -> bool {
        matches!(
            *ty,
            Type::INT8
                | Type::INT4
                | Type::INT2
                | Type::BOOL
                | Type::FLOAT8
                | Type::FLOAT4
                | Type::TEXT
                | Type::VARCHAR
                | Type::BPCHAR
                | Type::NAME
                | Type::UNKNOWN
                | Type::BYTEA
        )
    }

    to_sql_checked!();
}

impl<'a> FromSql<'a> for Value<'a> {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> std::result::Result<Self, BoxError> {
        Ok(match *ty {
            Type::INT8 => Value::Int(i64::from_sql(ty, raw)?),
            Type::INT4 => Value::Int(i32::from_sql(ty, raw)?.into()),
            Type::INT2 => Value::Int(i16::from_sql(ty, raw)?.into()),
            Type::BOOL => Value::Int(bool::from_sql(ty, raw)?.into()),
            Type::FLOAT8 => Value::Real(f64::from_sql(ty, raw)?),
            Type::FLOAT4 => Value::Real(f32::from_sql(ty, raw)?.into()),
            Type::BYTEA => Value::Blob(raw),
            _ => Value::Text(<&str>::from_sql(ty, raw)?),
        })
    }

    fn from_sql_null(_: &Type) -> std::result::Result<Self, BoxError> {
        Ok(Value::Null)
    }

    fn accepts(ty: &Type) -> bool {
        <Value<'_> as ToSql>::accepts(ty)
    }
}

/// How the writer opens each batch's transaction: under a transaction-level advisory lock, so the
/// writers of every node sharing the database take turns, one batch at a time, as SQLite's
/// `BEGIN IMMEDIATE` makes writers take turns on one file. Services were written for one
/// writer, and this keeps them correct with several without a line of theirs changing: ids drawn
/// from identity columns commit in the order they were drawn (the outboxes' delivery reads and
/// deletes id ranges, and must never pass an id that commits later), and whatever a write reads
/// inside its transaction is what the last commit left (read-modify-write needs no `FOR
/// UPDATE`). The cost: writes do not scale with nodes; a batch holds the lock for its statements
/// and its commit, and carries every write that queued meanwhile (up to `MAX_BATCH`). Readers
/// take no lock. The key spells "trlw".
const BEGIN_WRITE: &str = "BEGIN; SELECT pg_advisory_xact_lock(1953656951)";

/// Key of the advisory lock under which migrations run: one node migrates, the others wait and
/// then find the work done. Any fixed number serves; this one spells "trls".
const MIGRATION_LOCK: i64 = 0x7472_6c73;

/// Applies the migrations not applied yet, each in its own transaction (PostgreSQL's DDL is
/// transactional), under an advisory lock held by this session until done.
pub(crate) fn migrate(c: &Pg, migrations: &[crate::Migration]) -> Result<()> {
    c.batch(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))?;
    let applied = apply(c, migrations);
    let unlocked = c.batch(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"));
    applied.and(unlocked)
}

fn apply(c: &Pg, migrations: &[crate::Migration]) -> Result<()> {
    c.batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (component TEXT COLLATE \"C\" NOT NULL, \
         version BIGINT NOT NULL, PRIMARY KEY (component, version))",
    )?;
    let mut sorted: Vec<&crate::Migration> = migrations.iter().collect();
    sorted.sort_by_key(|m| (m.component, m.version));
    for m in sorted {
        c.batch("BEGIN")?;
        let done = (|| {
            let mut found = false;
            c.for_each(
                "SELECT 1 FROM schema_migrations WHERE component = $1 AND version = $2",
                &[&m.component, &m.version],
                |_| {
                    found = true;
                    Ok(false)
                },
            )?;
            if !found {
                c.batch(&super::dialect::postgres_ddl(m.sql))?;
                c.execute(
                    "INSERT INTO schema_migrations (component, version) VALUES ($1, $2)",
                    &[&m.component, &m.version],
                )?;
            }
            c.batch("COMMIT")
        })();
        if done.is_err() {
            let _ = c.batch("ROLLBACK");
        }
        done?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::{testing, Migration};

    const T: &[Migration] = &[Migration {
        component: "t",
        version: 1,
        sql: "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, node TEXT NOT NULL)",
    }];

    /// Two nodes' writers: the second waits for the first's batch to commit, so ids commit in the
    /// order they are drawn and a reader never sees a later id before an earlier one.
    #[tokio::test]
    async fn the_writers_of_two_nodes_take_turns() {
        if !testing::on_postgres() {
            return;
        }
        let (dir, a) = testing::open(T);
        let b = testing::reopen(dir.path(), T);
        let (go, wait) = std::sync::mpsc::channel::<()>();
        let (inserted, was_inserted) = tokio::sync::oneshot::channel::<()>();
        let first = a.submit(move |c| {
            c.execute("INSERT INTO t (node) VALUES ('a')", &[])?;
            let _ = inserted.send(());
            let _ = wait.recv();
            Ok::<_, crate::StoreError>(())
        });
        was_inserted.await.unwrap();
        let second = b.submit(|c| {
            c.query_one("INSERT INTO t (node) VALUES ('b') RETURNING id", &[], |r| {
                r.get::<i64>(0)
            })
        });
        // B's writer is seen waiting for the lock A's batch holds; nothing of B is visible yet.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            let waiting: i64 = a
                .read(|c| {
                    c.query_one(
                        "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted",
                        &[],
                        |r| r.get(0),
                    )
                })
                .unwrap();
            if waiting > 0 {
                break;
            }
            assert!(std::time::Instant::now() < deadline, "B never waited");
            tokio::task::yield_now().await;
        }
        let seen: i64 = b
            .read(|c| c.query_one("SELECT COUNT(*) FROM t", &[], |r| r.get(0)))
            .unwrap();
        assert_eq!(seen, 0);
        go.send(()).unwrap();
        first.await.unwrap();
        let b_id = second.await.unwrap();
        let a_id: i64 = a
            .read(|c| c.query_one("SELECT id FROM t WHERE node = 'a'", &[], |r| r.get(0)))
            .unwrap();
        assert!(a_id < b_id);
    }

    /// PostgreSQL restarted or the network cut: what was acknowledged stays, writes fail as
    /// unavailable (never half done) while the connection is lost, and work again once it is
    /// opened again, without a restart.
    fn insert(db: &crate::Db) -> impl std::future::Future<Output = crate::sql::Result<()>> + '_ {
        db.write(|c| {
            c.execute("INSERT INTO t (node) VALUES ('a')", &[])
                .map(drop)
        })
    }

    #[tokio::test]
    async fn a_lost_connection_is_unavailable_then_opened_again() {
        if !testing::on_postgres() {
            return;
        }
        let (dir, db) = testing::open(T);
        insert(&db).await.unwrap();
        let pid: i64 = db
            .write(|c| c.query_one("SELECT CAST(pg_backend_pid() AS BIGINT)", &[], |r| r.get(0)))
            .await
            .unwrap();
        let other = testing::reopen(dir.path(), T);
        other
            .write(move |c| {
                c.execute("SELECT pg_terminate_backend($1)", &[&pid])
                    .map(drop)
            })
            .await
            .unwrap();
        let mut unavailable = 0;
        while let Err(e) = insert(&db).await {
            assert!(matches!(e, crate::StoreError::Unreachable(_)), "{e}");
            unavailable += 1;
            assert!(unavailable < 3, "the connection was not opened again");
        }
        let rows: i64 = other
            .read(|c| c.query_one("SELECT COUNT(*) FROM t", &[], |r| r.get(0)))
            .unwrap();
        assert_eq!(rows, 2);
    }
}
