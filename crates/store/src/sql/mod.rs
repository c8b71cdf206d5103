//! The one query API every service writes its SQL against, whatever the engine
//! (ARCHITECTURE.md §3): [`Conn`] runs a statement with typed parameters ([`Param`]) and hands
//! each result row to the caller as a [`Row`] whose columns convert to Rust types
//! ([`FromColumn`]), one by one or, in order, into a whole tuple or record ([`FromRow`]).
//! Services write each query once, in the dialect SQLite and PostgreSQL both accept: parameters
//! `$1, $2, …` numbered in order of first appearance, standard upserts (`INSERT … ON CONFLICT …
//! DO NOTHING / DO UPDATE`), `RETURNING` instead of a last-insert id, booleans stored as
//! integers, and no engine-only function. What still differs between the engines (column
//! types, byte-order collation, transaction statements) lives in this module and never in a
//! service.
//!
//! The SQLite path is a thin layer over rusqlite's cached statements: a parameter is bound
//! straight from the caller's borrowed value and a column is read in place, so it costs what
//! calling rusqlite directly costs.

pub(crate) mod dialect;
pub(crate) mod postgres;
mod row;
mod sqlite;

pub use row::{decode, Columns, FromRow};

use crate::StoreError;

/// The result of a store operation.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// One value crossing the API: a statement parameter or a row's column. Borrowed, so binding a
/// parameter or reading a text column copies nothing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    /// SQL NULL.
    Null,
    /// An integer (SQLite INTEGER, PostgreSQL BIGINT); booleans are stored as 0 and 1.
    Int(i64),
    /// A floating-point number.
    Real(f64),
    /// Text (UTF-8).
    Text(&'a str),
    /// Bytes (SQLite BLOB, PostgreSQL BYTEA).
    Blob(&'a [u8]),
}

/// What can be bound as a statement parameter.
pub trait Param {
    /// The value to bind.
    fn value(&self) -> Value<'_>;
}

impl Param for Value<'_> {
    fn value(&self) -> Value<'_> {
        *self
    }
}

impl<T: Param + ?Sized> Param for &T {
    fn value(&self) -> Value<'_> {
        (**self).value()
    }
}

impl<T: Param> Param for Option<T> {
    fn value(&self) -> Value<'_> {
        match self {
            Some(v) => v.value(),
            None => Value::Null,
        }
    }
}

macro_rules! int_param {
    ($($t:ty),*) => {$(
        impl Param for $t {
            fn value(&self) -> Value<'_> {
                Value::Int(i64::from(*self))
            }
        }
    )*};
}
int_param!(i64, i32, u32, u16, u8, bool);

impl Param for usize {
    fn value(&self) -> Value<'_> {
        // Counts and limits: far below i64::MAX on every platform served.
        Value::Int(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}

impl Param for f64 {
    fn value(&self) -> Value<'_> {
        Value::Real(*self)
    }
}

impl Param for str {
    fn value(&self) -> Value<'_> {
        Value::Text(self)
    }
}

impl Param for String {
    fn value(&self) -> Value<'_> {
        Value::Text(self)
    }
}

impl Param for [u8] {
    fn value(&self) -> Value<'_> {
        Value::Blob(self)
    }
}

impl Param for Vec<u8> {
    fn value(&self) -> Value<'_> {
        Value::Blob(self)
    }
}

/// What a column converts to.
pub trait FromColumn: Sized {
    /// Converts column `index`'s value; an error says the stored value is not of this type.
    fn from_column(index: usize, v: Value<'_>) -> Result<Self>;
}

fn mismatch(index: usize, want: &str, got: Value<'_>) -> StoreError {
    let found = match got {
        Value::Null => "NULL",
        Value::Int(_) => "an integer",
        Value::Real(_) => "a real",
        Value::Text(_) => "text",
        Value::Blob(_) => "bytes",
    };
    StoreError::Corrupt(format!("column {index}: expected {want}, found {found}"))
}

impl FromColumn for i64 {
    fn from_column(index: usize, v: Value<'_>) -> Result<Self> {
        match v {
            Value::Int(i) => Ok(i),
            other => Err(mismatch(index, "an integer", other)),
        }
    }
}

macro_rules! narrow_int_column {
    ($($t:ty),*) => {$(
        impl FromColumn for $t {
            fn from_column(index: usize, v: Value<'_>) -> Result<Self> {
                let i = i64::from_column(index, v)?;
                <$t>::try_from(i).map_err(|_| {
                    StoreError::Corrupt(format!(
                        "column {index}: {i} out of range for {}", stringify!($t)
                    ))
                })
            }
        }
    )*};
}
narrow_int_column!(i32, u32, u16, u8, u64, usize);

impl FromColumn for bool {
    fn from_column(index: usize, v: Value<'_>) -> Result<Self> {
        Ok(i64::from_column(index, v)? != 0)
    }
}

impl FromColumn for f64 {
    fn from_column(index: usize, v: Value<'_>) -> Result<Self> {
        match v {
            Value::Real(r) => Ok(r),
            // An integral value stored in a REAL column comes back as an integer in SQLite.
            Value::Int(i) => Ok(i as f64),
            other => Err(mismatch(index, "a real", other)),
        }
    }
}

impl FromColumn for String {
    fn from_column(index: usize, v: Value<'_>) -> Result<Self> {
        match v {
            Value::Text(t) => Ok(t.to_owned()),
            other => Err(mismatch(index, "text", other)),
        }
    }
}

impl FromColumn for Vec<u8> {
    fn from_column(index: usize, v: Value<'_>) -> Result<Self> {
        match v {
            Value::Blob(b) => Ok(b.to_vec()),
            Value::Text(t) => Ok(t.as_bytes().to_vec()),
            other => Err(mismatch(index, "bytes", other)),
        }
    }
}

impl<T: FromColumn> FromColumn for Option<T> {
    fn from_column(index: usize, v: Value<'_>) -> Result<Self> {
        match v {
            Value::Null => Ok(None),
            v => T::from_column(index, v).map(Some),
        }
    }
}

/// One result row, valid while the row mapper runs.
pub struct Row<'a>(RowSource<'a>);

enum RowSource<'a> {
    Sqlite(&'a rusqlite::Row<'a>),
    Postgres(&'a tokio_postgres::Row),
}

impl Row<'_> {
    /// Column `index` (from 0) as a `T`.
    pub fn get<T: FromColumn>(&self, index: usize) -> Result<T> {
        T::from_column(index, self.value(index)?)
    }

    /// Column `index` (from 0) as it is stored.
    pub fn value(&self, index: usize) -> Result<Value<'_>> {
        match &self.0 {
            RowSource::Sqlite(r) => sqlite::column(r, index),
            RowSource::Postgres(r) => postgres::column(r, index),
        }
    }
}

/// A connection to the metadata database, as the closures given to [`crate::Db::read`] and
/// [`crate::Db::write`] see it: inside a write it runs in the write's transaction, inside a read
/// on a read-only connection seeing the latest commit.
pub struct Conn(Engine);

enum Engine {
    Sqlite(rusqlite::Connection),
    Postgres(postgres::Pg),
}

impl Conn {
    pub(crate) fn sqlite(c: rusqlite::Connection) -> Conn {
        Conn(Engine::Sqlite(c))
    }

    pub(crate) fn postgres(c: postgres::Pg) -> Conn {
        Conn(Engine::Postgres(c))
    }

    /// Runs a statement that returns no rows; returns how many rows it changed.
    pub fn execute(&self, sql: &str, params: &[&dyn Param]) -> Result<usize> {
        match &self.0 {
            Engine::Sqlite(c) => sqlite::execute(c, sql, params),
            Engine::Postgres(c) => c.execute(sql, params),
        }
    }

    /// The first row of a query that always returns one (an aggregate, `RETURNING`).
    pub fn query_one<T>(
        &self,
        sql: &str,
        params: &[&dyn Param],
        f: impl FnOnce(&Row<'_>) -> Result<T>,
    ) -> Result<T> {
        self.query_opt(sql, params, f)?.ok_or(StoreError::NoRow)
    }

    /// The first row of a query, if it returns any.
    pub fn query_opt<T>(
        &self,
        sql: &str,
        params: &[&dyn Param],
        f: impl FnOnce(&Row<'_>) -> Result<T>,
    ) -> Result<Option<T>> {
        let mut f = Some(f);
        let mut out = None;
        self.for_each(sql, params, |r| {
            if let Some(f) = f.take() {
                out = Some(f(r)?);
            }
            Ok(false)
        })?;
        Ok(out)
    }

    /// Every row of a query, each through `f`.
    pub fn query<T>(
        &self,
        sql: &str,
        params: &[&dyn Param],
        mut f: impl FnMut(&Row<'_>) -> Result<T>,
    ) -> Result<Vec<T>> {
        let mut out = Vec::new();
        self.for_each(sql, params, |r| {
            out.push(f(r)?);
            Ok(true)
        })?;
        Ok(out)
    }

    /// Hands the rows of a query to `f` in order, as they are read, until it returns `false`:
    /// for scans that stop after enough rows without a LIMIT the engine could use.
    pub fn for_each(
        &self,
        sql: &str,
        params: &[&dyn Param],
        f: impl FnMut(&Row<'_>) -> Result<bool>,
    ) -> Result<()> {
        match &self.0 {
            Engine::Sqlite(c) => sqlite::for_each(c, sql, params, f),
            Engine::Postgres(c) => c.for_each(sql, params, f),
        }
    }

    /// Runs one of the statements that frame the writer's batches.
    pub(crate) fn control(&self, step: Control) -> Result<()> {
        match &self.0 {
            Engine::Sqlite(c) => sqlite::control(c, step),
            Engine::Postgres(c) => c.control(step),
        }
    }
}

/// The statements that frame a batch of writes: one transaction, one savepoint per write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Control {
    /// Opens the batch's transaction (taking the write lock at once).
    Begin,
    /// Commits it.
    Commit,
    /// Abandons it.
    Rollback,
    /// Opens a write's savepoint.
    Savepoint,
    /// Keeps a write's changes.
    Release,
    /// Drops a write's changes, leaving the batch's transaction open.
    RollbackToSavepoint,
}

impl std::fmt::Debug for Conn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Engine::Sqlite(_) => f.write_str("Conn(sqlite)"),
            Engine::Postgres(_) => f.write_str("Conn(postgres)"),
        }
    }
}
