//! Schema migrations: numbered per component, applied once and in order when a database is
//! opened (on PostgreSQL by `sql/postgres.rs`, under an advisory lock), the store's own tables
//! always among them.

use crate::StoreError;
use rusqlite::{Connection, TransactionBehavior};

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

/// `migrations` and the store's own tables, which every database has whoever opens it: the
/// loose-blob journal, leases and change notices (a service's write may bump a notice).
pub(crate) fn with_store_tables(migrations: &[Migration]) -> Vec<Migration> {
    let own = crate::journal::MIGRATIONS
        .iter()
        .chain(crate::lease::MIGRATIONS)
        .chain(crate::changes::MIGRATIONS);
    let mut all: Vec<Migration> = migrations.to_vec();
    for m in own {
        if !all
            .iter()
            .any(|a| a.component == m.component && a.version == m.version)
        {
            all.push(*m);
        }
    }
    all
}

pub(crate) fn migrate(conn: &mut Connection, migrations: &[Migration]) -> Result<(), StoreError> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            component TEXT NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (component, version))",
    )?;
    let mut sorted: Vec<&Migration> = migrations.iter().collect();
    sorted.sort_by_key(|m| (m.component, m.version));
    for m in sorted {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let done: bool = tx.query_row(
            "SELECT EXISTS(SELECT 1 FROM schema_migrations WHERE component = $1 AND version = $2)",
            (m.component, m.version),
            |r| r.get(0),
        )?;
        if !done {
            tx.execute_batch(m.sql)?;
            tx.execute(
                "INSERT INTO schema_migrations (component, version) VALUES ($1, $2)",
                (m.component, m.version),
            )?;
        }
        tx.commit()?;
    }
    Ok(())
}
