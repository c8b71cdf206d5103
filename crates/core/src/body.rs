//! Request and response bodies as streams of bytes, so that a 5 GiB object never sits in memory.
//! The HTTP edge turns the wire body (plain, `Transfer-Encoding: chunked` or `aws-chunked`) into a
//! [`BodyStream`] of verified data frames followed by any trailing headers; services consume it
//! without knowing how it was framed or signed.

use bytes::Bytes;
use futures_core::Stream;
use std::pin::Pin;

/// One piece of a request body: data, or the trailing headers that `aws-chunked` bodies end with
/// (for example `x-amz-checksum-crc32`). Trailer names are lower-case.
#[derive(Debug, Clone)]
pub enum BodyFrame {
    /// Body bytes, already de-framed and (where signed) verified.
    Data(Bytes),
    /// Trailing headers, after the last data frame.
    Trailers(Vec<(String, String)>),
}

/// Why a request body could not be read to its end. Each kind maps to one AWS error code in the
/// service that reads the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyErrorKind {
    /// A chunk or trailer signature of an `aws-chunked` body did not verify (`SignatureDoesNotMatch`).
    SignatureDoesNotMatch,
    /// The body's SHA-256 differs from `x-amz-content-sha256` (`XAmzContentSHA256Mismatch`).
    ContentSha256Mismatch,
    /// The body ended early or its framing is malformed (`IncompleteBody`).
    Incomplete,
    /// The body exceeds what the operation accepts (`EntityTooLarge` / `MaxMessageLengthExceeded`).
    TooLarge,
    /// The connection failed while reading (`RequestTimeout` is the closest AWS code).
    Io,
}

/// A body read failure with a human-readable message.
#[derive(Debug, Clone)]
pub struct BodyError {
    /// What went wrong.
    pub kind: BodyErrorKind,
    /// Details for the error message.
    pub message: String,
}

impl BodyError {
    /// A body error of `kind` with `message`.
    pub fn new(kind: BodyErrorKind, message: impl Into<String>) -> Self {
        BodyError {
            kind,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for BodyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}: {}", self.kind, self.message)
    }
}

impl std::error::Error for BodyError {}

/// A request body as the services see it.
pub type BodyStream = Pin<Box<dyn Stream<Item = Result<BodyFrame, BodyError>> + Send>>;

/// A response body: nothing, bytes in memory (XML and JSON documents), or a stream of a known
/// length (object data read from disk).
pub enum ResponseBody {
    /// No body.
    Empty,
    /// A complete body held in memory.
    Full(Bytes),
    /// A streamed body and its exact length in bytes.
    Stream(
        Pin<Box<dyn Stream<Item = std::io::Result<Bytes>> + Send>>,
        u64,
    ),
}

impl std::fmt::Debug for ResponseBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ResponseBody::Empty => f.write_str("Empty"),
            ResponseBody::Full(b) => write!(f, "Full({} bytes)", b.len()),
            ResponseBody::Stream(_, n) => write!(f, "Stream({n} bytes)"),
        }
    }
}
