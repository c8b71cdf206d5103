//! What the `KeyService` and `ObjectWriter` ports share: the failure a port reports (a code and
//! message the calling service passes on in its own answer) and the boxed future its methods
//! return. Each port's callers know them by its names too (`KeyError`, `ObjectFuture`, …).

use std::future::Future;
use std::pin::Pin;

/// A failure of the service behind a port, as the calling service must report it, e.g.
/// `DisabledException` from KMS or `NoSuchBucket` from S3 (S3 prefixes KMS codes with `KMS.`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortError {
    /// The error code of the service behind the port.
    pub code: String,
    /// Its message.
    pub message: String,
}

impl std::fmt::Display for PortError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

/// A boxed future of a port.
pub type PortFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, PortError>> + Send + 'a>>;
