//! `trailstack flush`: asks a running server to deliver every pending log file now and to close
//! the current digest period of every trail with validation, through the signed admin
//! operation `Trailstack.Flush` ([`crate::admin`]).

use crate::admin::{self, Credentials};

/// Flushes the server at `endpoint` (`http://host:port`); returns its JSON answer.
pub fn flush(endpoint: &str, credentials: &Credentials) -> Result<String, String> {
    admin::call(
        endpoint,
        credentials,
        "Trailstack.Flush",
        b"{}",
        time::OffsetDateTime::now_utc(),
    )
}
