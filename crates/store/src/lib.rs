//! Durable storage for every service: a transactional metadata database (SQLite in WAL mode,
//! [`Db`]) and content-addressed-by-id blob files ([`BlobStore`]). Services own their tables and
//! register their migrations; this crate owns connections, transactions, migrations and the blob
//! file format, and knows nothing of S3, KMS or CloudTrail.

pub mod blob;
pub mod db;
mod error;
pub mod seal;

pub use blob::{BlobId, BlobStore, BlobWriter};
pub use db::{Db, Migration};
pub use error::StoreError;
pub use rusqlite;
pub use seal::RootKey;
