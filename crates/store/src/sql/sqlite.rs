//! The SQLite engine behind [`super::Conn`]: cached prepared statements, parameters bound from
//! borrowed values, columns read in place.

use super::{Control, Param, Result, Row, RowSource, Value};
use crate::StoreError;
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{CachedStatement, Connection};

impl rusqlite::ToSql for Value<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match *self {
            Value::Null => ValueRef::Null,
            Value::Int(i) => ValueRef::Integer(i),
            Value::Real(r) => ValueRef::Real(r),
            Value::Text(t) => ValueRef::Text(t.as_bytes()),
            Value::Blob(b) => ValueRef::Blob(b),
        }))
    }
}

fn prepare<'c>(c: &'c Connection, sql: &str) -> Result<CachedStatement<'c>> {
    let stmt = c.prepare_cached(sql)?;
    if cfg!(debug_assertions) {
        check_numbered_parameters(
            sql,
            (1..=stmt.parameter_count()).map(|i| stmt.parameter_name(i)),
        );
    }
    Ok(stmt)
}

/// Panics unless a statement's parameters are `$1, $2, …` in order of first appearance: SQLite
/// numbers `$N` parameters by where they first appear, PostgreSQL by N, and only this order
/// binds the same values in both. Checked on every statement in debug builds (every test).
pub(crate) fn check_numbered_parameters<'a>(
    sql: &str,
    names: impl Iterator<Item = Option<&'a str>>,
) {
    for (i, name) in names.enumerate() {
        let want = format!("${}", i + 1);
        assert!(
            name == Some(want.as_str()),
            "parameter {} of {sql:?} is {name:?}: write $1, $2, … in order of first appearance",
            i + 1
        );
    }
}

fn bind<'p>(params: &'p [&'p dyn Param]) -> impl Iterator<Item = Value<'p>> + 'p {
    params.iter().map(|p| p.value())
}

pub(super) fn execute(c: &Connection, sql: &str, params: &[&dyn Param]) -> Result<usize> {
    Ok(prepare(c, sql)?.execute(rusqlite::params_from_iter(bind(params)))?)
}

pub(super) fn for_each(
    c: &Connection,
    sql: &str,
    params: &[&dyn Param],
    mut f: impl FnMut(&Row<'_>) -> Result<bool>,
) -> Result<()> {
    let mut stmt = prepare(c, sql)?;
    let mut rows = stmt.query(rusqlite::params_from_iter(bind(params)))?;
    while let Some(r) = rows.next()? {
        if !f(&Row(RowSource::Sqlite(r)))? {
            break;
        }
    }
    Ok(())
}

pub(super) fn column<'r>(r: &'r rusqlite::Row<'_>, index: usize) -> Result<Value<'r>> {
    Ok(match r.get_ref(index)? {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Int(i),
        ValueRef::Real(f) => Value::Real(f),
        ValueRef::Text(t) => Value::Text(
            std::str::from_utf8(t)
                .map_err(|_| StoreError::Corrupt(format!("column {index}: text is not UTF-8")))?,
        ),
        ValueRef::Blob(b) => Value::Blob(b),
    })
}

pub(super) fn control(c: &Connection, step: Control) -> Result<()> {
    let sql = match step {
        Control::Begin => "BEGIN IMMEDIATE",
        Control::Commit => "COMMIT",
        Control::Rollback => "ROLLBACK",
        Control::Savepoint => "SAVEPOINT job",
        Control::Release => "RELEASE job",
        Control::RollbackToSavepoint => "ROLLBACK TO job",
    };
    c.prepare_cached(sql)?.execute([])?;
    Ok(())
}
