//! `trailstack explain`: why an object, a bucket or a KMS key is encrypted, logged and readable
//! the way it is. The server answers the authenticated admin operation `Trailstack.Explain`
//! with an [`Explanation`] composed from the three services' read-only queries — the
//! encryption decision and writer S3 recorded with the object, the trails' selectors as the
//! recorder matches them, what delivery recorded about the files it wrote, the event history —
//! so an explanation cannot drift from what happened. The command line renders it
//! ([`render`]) or prints its JSON, whose fields this module defines (README, "Explain").
//!
//! This module owns the dispatch; `report` the report types; `object`, `bucket` and `key` compose
//! one report each, `sse` words encryption as ARCHITECTURE.md §5 does, `trails` describes trails,
//! `policy` summarizes bucket policies, `session` names the role behind temporary credentials,
//! [`client`] is the command line's side of the wire.

mod bucket;
pub mod client;
mod key;
mod lock;
mod object;
mod policy;
pub mod render;
mod report;
mod session;
mod sse;
mod trails;

use crate::App;
pub use report::*;
use serde::{Deserialize, Serialize};
use trailstack_core::Caller;

/// The version of the JSON report; it changes only when a field changes meaning or goes.
pub const FORMAT_VERSION: u32 = 1;

/// What to explain: `s3://bucket/key`, `s3://bucket` or `kms://key-id-or-alias`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// An object (its current version).
    Object {
        /// Bucket name.
        bucket: String,
        /// Object key, as written after the bucket (not percent-decoded).
        key: String,
    },
    /// A bucket.
    Bucket {
        /// Bucket name.
        bucket: String,
    },
    /// A KMS key: key id, key ARN, alias name or alias ARN.
    Key {
        /// The key as given.
        key: String,
    },
}

impl Target {
    /// Parses a target URI.
    pub fn parse(s: &str) -> Result<Target, String> {
        if let Some(rest) = s.strip_prefix("s3://") {
            let (bucket, key) = match rest.split_once('/') {
                Some((b, k)) => (b, k),
                None => (rest, ""),
            };
            if bucket.is_empty() {
                return Err(format!("{s}: no bucket name"));
            }
            return Ok(if key.is_empty() {
                Target::Bucket {
                    bucket: bucket.to_string(),
                }
            } else {
                Target::Object {
                    bucket: bucket.to_string(),
                    key: key.to_string(),
                }
            });
        }
        match s.strip_prefix("kms://") {
            Some(key) if !key.is_empty() => Ok(Target::Key {
                key: key.to_string(),
            }),
            _ => Err(format!(
                "{s}: expected s3://bucket/key, s3://bucket or kms://key-id-or-alias"
            )),
        }
    }

    /// The target as a URI (what [`Target::parse`] reads).
    pub fn uri(&self) -> String {
        match self {
            Target::Object { bucket, key } => format!("s3://{bucket}/{key}"),
            Target::Bucket { bucket } => format!("s3://{bucket}"),
            Target::Key { key } => format!("kms://{key}"),
        }
    }
}

/// The body of a `Trailstack.Explain` request.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExplainRequest {
    /// The target URI.
    pub target: String,
}

/// Why an explanation could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ExplainError {
    /// The target is not a valid URI.
    #[error("{0}")]
    BadTarget(String),
    /// The bucket, object or key does not exist.
    #[error("{0}")]
    NotFound(String),
    /// A service failed.
    #[error("{0}")]
    Internal(String),
}

impl ExplainError {
    /// The JSON-protocol error (status, `__type`).
    pub fn code(&self) -> (u16, &'static str) {
        match self {
            ExplainError::BadTarget(_) => (400, "ValidationException"),
            ExplainError::NotFound(_) => (404, "ResourceNotFoundException"),
            ExplainError::Internal(_) => (500, "InternalFailure"),
        }
    }
}

/// Maps a service error that is not a "not found" to an internal failure.
fn internal(e: impl std::fmt::Display) -> ExplainError {
    ExplainError::Internal(e.to_string())
}

/// Explains `request.target` for `caller`.
pub async fn explain(
    app: &App,
    caller: &Caller,
    request: &ExplainRequest,
) -> Result<Explanation, ExplainError> {
    let target = Target::parse(&request.target).map_err(ExplainError::BadTarget)?;
    let report = match &target {
        Target::Object { bucket, key } => {
            Report::Object(Box::new(object::explain(app, caller, bucket, key).await?))
        }
        Target::Bucket { bucket } => Report::Bucket(Box::new(bucket::explain(app, bucket).await?)),
        Target::Key { key } => Report::Key(Box::new(key::explain(app, caller, key).await?)),
    };
    Ok(Explanation {
        format_version: FORMAT_VERSION,
        target: target.uri(),
        asked_by: caller.arn(),
        session: session::report(app, caller)?,
        report,
    })
}

/// An epoch-milliseconds time as ISO 8601 with whole seconds, as CloudTrail writes times.
fn iso(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_and_print_back() {
        let cases = [
            (
                "s3://data/reports/q1.csv",
                Target::Object {
                    bucket: "data".into(),
                    key: "reports/q1.csv".into(),
                },
            ),
            (
                "s3://data",
                Target::Bucket {
                    bucket: "data".into(),
                },
            ),
            (
                "s3://data/",
                Target::Bucket {
                    bucket: "data".into(),
                },
            ),
            (
                "kms://alias/cmk1",
                Target::Key {
                    key: "alias/cmk1".into(),
                },
            ),
        ];
        for (uri, want) in cases {
            assert_eq!(Target::parse(uri).unwrap(), want, "{uri}");
        }
        assert_eq!(Target::parse("s3://data/").unwrap().uri(), "s3://data");
        for bad in ["s3://", "kms://", "http://x", "data/key"] {
            assert!(Target::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn times_have_whole_seconds() {
        assert_eq!(iso(1_748_779_200_999), "2025-06-01T12:00:00Z");
    }
}
