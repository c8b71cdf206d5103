//! `trailstack flush`: asks a running server to deliver every pending log file now and to close
//! the current digest period of every trail with validation, through the signed admin
//! operation `Trailstack.Flush` ([`crate::admin_client`]).

use crate::admin_client::{self, Credentials};

/// Flushes the server at `endpoint` (`http://host:port`); returns its JSON answer.
pub fn flush(endpoint: &str, credentials: &Credentials) -> Result<String, String> {
    admin_client::call(
        endpoint,
        credentials,
        "Trailstack.Flush",
        b"{}",
        time::OffsetDateTime::now_utc(),
    )
}
