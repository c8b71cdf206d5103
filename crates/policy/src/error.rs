//! The one error of this crate: a policy document that does not parse or validate. It carries
//! the sentence AWS puts in `MalformedPolicy` (S3) and `MalformedPolicyDocumentException`
//! (KMS, IAM); the services choose the code and status, this module only the words.

use std::fmt;

/// Why a policy document was rejected, in AWS's words (e.g. `Invalid Condition type : Foo`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    /// The message a service returns with its malformed-policy error.
    pub message: String,
}

impl PolicyError {
    /// An error with `message`.
    pub fn new(message: impl Into<String>) -> Self {
        PolicyError {
            message: message.into(),
        }
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PolicyError {}

/// Shorthand for parse results.
pub(crate) type ParseResult<T> = Result<T, PolicyError>;

/// Fails with `message`.
pub(crate) fn fail<T>(message: impl Into<String>) -> ParseResult<T> {
    Err(PolicyError::new(message))
}
