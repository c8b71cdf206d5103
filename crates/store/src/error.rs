//! The store's error type.

/// A storage failure. Services map it to their internal-error code and log it once.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The metadata database failed.
    #[error("metadata store: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL failed.
    #[error("metadata store: {}", postgres_detail(.0))]
    Postgres(#[from] tokio_postgres::Error),
    /// A file operation failed (disk full, permissions, ...).
    #[error("blob store: {0}")]
    Io(#[from] std::io::Error),
    /// The database could not take a write (a commit or its fsync failed); nothing of it is
    /// acknowledged.
    #[error("metadata store: {0}")]
    Unavailable(String),
    /// The database cannot be reached (PostgreSQL down or restarting, the network cut): the
    /// request may succeed if tried again, and nothing of it is acknowledged.
    #[error("metadata store: {0}")]
    Unreachable(String),
    /// A query expected to return a row returned none.
    #[error("metadata store: a query expected to return a row returned none")]
    NoRow,
    /// Stored data is not in a format this version understands.
    #[error("corrupt store: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// The failure as a service's error, its text kept for the log: `unavailable` when the
    /// database cannot be reached (the client may try again), `internal` for anything else.
    /// Every service maps store failures by this one rule.
    pub fn classify<E>(
        self,
        unavailable: impl FnOnce(String) -> E,
        internal: impl FnOnce(String) -> E,
    ) -> E {
        match self {
            StoreError::Unreachable(_) => unavailable(self.to_string()),
            e => internal(e.to_string()),
        }
    }
}

/// What a client is told while the database cannot be reached (with a 503
/// `ServiceUnavailable`, AWS's words for it).
pub const UNAVAILABLE_MESSAGE: &str = "Service is unable to handle request.";

/// What the server said of a failed statement (tokio-postgres's own text is only "db error"),
/// so the log names the cause.
fn postgres_detail(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => db.to_string(),
        None => e.to_string(),
    }
}
