//! The errors the edge answers itself to requests of the JSON-protocol services (KMS,
//! CloudTrail, trailstack's own `Trailstack.*` operations) before or around the service: transport
//! and authentication failures, and the admin operations' errors. Each variant is mapped once,
//! here, to AWS's status, `__type` and message; the services' own errors have their own tables
//! (`KmsError`, `CloudTrailError`).

use super::amz_time;
use crate::body::{self, HyperBody};
use crate::explain::ExplainError;
use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode};
use time::OffsetDateTime;
use trailstack_core::ResponseBody;
use trailstack_sigv4::SigError;

/// An error the edge answers in the JSON protocol.
#[derive(Debug)]
pub(super) enum JsonError {
    /// Beyond the connection limit: SDKs retry with backoff.
    Throttled,
    /// A request for a service trailstack does not serve, named by its operation.
    UnknownService(String),
    /// A `Trailstack.*` operation that does not exist.
    UnknownOperation,
    /// The request's effects could not be made durable.
    NotDurable,
    /// The body is over the JSON services' limit or could not be read.
    BodyTooLarge,
    /// No signature at all.
    MissingAuthentication,
    /// An access key no identity has (or temporary credentials with another session token).
    UnrecognizedClient,
    /// Temporary credentials past their expiry.
    ExpiredToken,
    /// The signature is not the one the secret key gives.
    SignatureDoesNotMatch,
    /// The request was signed too long before or after the server's time.
    SignatureExpired {
        request_time: OffsetDateTime,
        server_time: OffsetDateTime,
    },
    /// A signature that lacks parts, or another malformation; the message says what.
    IncompleteSignature(String),
    /// A body that is not the JSON the operation reads.
    Serialization(String),
    /// `Trailstack.Flush` failed; the cause is in the server log.
    FlushFailed,
    /// A response that could not be rendered.
    Internal(String),
    /// `Trailstack.Explain`'s own errors.
    Explain(ExplainError),
}

impl JsonError {
    /// The error of a failed SigV4 check (`None`: the request carried no signature).
    pub(super) fn of_auth(e: Option<SigError>) -> JsonError {
        match e {
            None => JsonError::MissingAuthentication,
            Some(SigError::InvalidAccessKeyId { .. }) => JsonError::UnrecognizedClient,
            Some(SigError::SignatureDoesNotMatch { .. }) => JsonError::SignatureDoesNotMatch,
            Some(SigError::RequestTimeTooSkewed {
                request_time,
                server_time,
            }) => JsonError::SignatureExpired {
                request_time,
                server_time,
            },
            Some(other) => JsonError::IncompleteSignature(other.to_string()),
        }
    }

    /// The HTTP status and `__type`.
    fn code(&self) -> (u16, &'static str) {
        match self {
            JsonError::Throttled => (400, "ThrottlingException"),
            JsonError::UnknownService(_) | JsonError::UnknownOperation => {
                (400, "UnknownOperationException")
            }
            JsonError::NotDurable | JsonError::FlushFailed | JsonError::Internal(_) => {
                (500, "InternalFailure")
            }
            JsonError::BodyTooLarge => (413, "SerializationException"),
            JsonError::MissingAuthentication => (400, "MissingAuthenticationTokenException"),
            JsonError::UnrecognizedClient => (400, "UnrecognizedClientException"),
            JsonError::ExpiredToken => (400, "ExpiredTokenException"),
            JsonError::SignatureDoesNotMatch | JsonError::SignatureExpired { .. } => {
                (400, "InvalidSignatureException")
            }
            JsonError::IncompleteSignature(_) => (400, "IncompleteSignatureException"),
            JsonError::Serialization(_) => (400, "SerializationException"),
            JsonError::Explain(e) => e.code(),
        }
    }

    /// The `message`.
    fn message(&self) -> String {
        match self {
            JsonError::Throttled => "Rate exceeded".into(),
            JsonError::UnknownService(op) => format!("trailstack does not serve {op} yet"),
            JsonError::UnknownOperation => "Unknown operation".into(),
            JsonError::NotDurable => "The request could not be made durable.".into(),
            JsonError::BodyTooLarge => "The request body is too large or could not be read.".into(),
            JsonError::MissingAuthentication => "Missing Authentication Token".into(),
            JsonError::UnrecognizedClient => {
                "The security token included in the request is invalid.".into()
            }
            JsonError::ExpiredToken => {
                "The security token included in the request is expired".into()
            }
            JsonError::SignatureDoesNotMatch => {
                "The request signature we calculated does not match the signature you provided. \
                 Check your AWS Secret Access Key and signing method. Consult the service \
                 documentation for details."
                    .into()
            }
            JsonError::SignatureExpired {
                request_time,
                server_time,
            } => format!(
                "Signature expired: {} is now earlier than {} ({} - 5 min.)",
                amz_time(*request_time),
                amz_time(*server_time - time::Duration::minutes(5)),
                amz_time(*server_time)
            ),
            JsonError::IncompleteSignature(m)
            | JsonError::Serialization(m)
            | JsonError::Internal(m) => m.clone(),
            JsonError::FlushFailed => "The flush failed; see the server log.".into(),
            JsonError::Explain(e) => e.to_string(),
        }
    }

    /// The response: `{"__type","message"}` with the error's status.
    pub(super) fn response(&self) -> Response<HyperBody> {
        let (status, code) = self.code();
        let body = serde_json::json!({ "__type": code, "message": self.message() }).to_string();
        json_response(status, body.into_bytes())
    }
}

/// A JSON-protocol response with `status` and `body`.
pub(super) fn json_response(status: u16, body: Vec<u8>) -> Response<HyperBody> {
    let mut r = Response::new(body::outgoing(ResponseBody::Full(Bytes::from(body))));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    r.headers_mut().insert(
        "content-type",
        HeaderValue::from_static("application/x-amz-json-1.1"),
    );
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_failures_map_to_aws_codes() {
        let code = |e: Option<SigError>| JsonError::of_auth(e).code();
        assert_eq!(code(None), (400, "MissingAuthenticationTokenException"));
        assert_eq!(
            code(Some(SigError::InvalidAccessKeyId {
                access_key: "AKIA".into()
            })),
            (400, "UnrecognizedClientException")
        );
        let t = OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
        let skewed = JsonError::of_auth(Some(SigError::RequestTimeTooSkewed {
            request_time: t,
            server_time: t + time::Duration::hours(1),
        }));
        assert_eq!(skewed.code(), (400, "InvalidSignatureException"));
        assert_eq!(
            skewed.message(),
            "Signature expired: 20231114T221320Z is now earlier than 20231114T230820Z \
             (20231114T231320Z - 5 min.)"
        );
    }
}
