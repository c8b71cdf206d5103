//! Durable storage for every service: a transactional metadata database (SQLite in WAL mode,
//! [`Db`]) and blob files named by random ids ([`BlobStore`]), encrypted at rest with chunked
//! AES-256-GCM (small values kept inline are sealed the same way, [`seal_inline`]). Services own
//! their tables and register their migrations; this crate owns connections, transactions,
//! migrations, the blob file format and the journal of unreferenced blobs (collected at open),
//! and knows nothing of S3, KMS or CloudTrail.

pub mod blob;
pub mod changes;
pub mod db;
mod error;
pub mod lease;
pub mod memo;
mod migrations;
pub mod seal;
pub mod sql;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use blob::journal;
pub use blob::{open_inline, seal_inline, BlobId, BlobStore, BlobStream, BlobWriter, DataKey};
pub use db::Db;
pub use error::{StoreError, UNAVAILABLE_MESSAGE};
pub use lease::Leases;
pub use memo::DecodeMemo;
pub use migrations::Migration;
pub use rusqlite;
pub use seal::RootKey;
pub use sql::{Conn, FromColumn, FromRow, Param, Row, Value};
