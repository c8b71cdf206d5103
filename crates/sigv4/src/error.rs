//! The two error enums of the crate: [`SigError`] (request authentication) and [`ChunkError`]
//! (the `aws-chunked` body decoder).
//!
//! Each variant names the AWS S3 error code it stands for; the server turns them into wire
//! responses (this crate renders nothing). [`SigError::s3_code`] and [`SigError::http_status`]
//! give that mapping in one place so every service maps alike.

use time::OffsetDateTime;

/// Why a request's SigV4 authentication failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SigError {
    /// S3 `AuthorizationHeaderMalformed` (400): the `Authorization` header or its credential
    /// scope cannot be parsed. `message` reads like AWS's
    /// ("The authorization header is malformed; ...").
    #[error("{message}")]
    AuthorizationHeaderMalformed {
        /// Human-readable reason, phrased like AWS's.
        message: String,
    },
    /// S3 `AuthorizationQueryParametersError` (400): a presigned URL's `X-Amz-*` query
    /// parameters are missing or malformed.
    #[error("{message}")]
    AuthorizationQueryParametersError {
        /// Human-readable reason, phrased like AWS's.
        message: String,
    },
    /// S3 `SignatureDoesNotMatch` (403). AWS returns both strings in the error body
    /// (`StringToSign`, `CanonicalRequest`) so clients can debug their signer.
    #[error(
        "The request signature we calculated does not match the signature you provided. \
         Check your key and signing method."
    )]
    SignatureDoesNotMatch {
        /// The string to sign the server computed.
        string_to_sign: String,
        /// The canonical request the server computed (empty for SigV2, which has none).
        canonical_request: String,
        /// The signature the client sent.
        signature_provided: String,
    },
    /// S3 `RequestTimeTooSkewed` (403): header-authenticated request more than 15 minutes
    /// away from the server clock (AWS body adds `MaxAllowedSkewMilliseconds` 900000).
    #[error("The difference between the request time and the current time is too large.")]
    RequestTimeTooSkewed {
        /// The time the request claims (`X-Amz-Date` or `Date`).
        request_time: OffsetDateTime,
        /// The server's clock.
        server_time: OffsetDateTime,
    },
    /// S3 `AccessDenied` (403) "Request has expired": a presigned URL used after
    /// `X-Amz-Date + X-Amz-Expires`.
    #[error("Request has expired")]
    Expired {
        /// When the URL stopped being valid.
        expires_at: OffsetDateTime,
        /// The server's clock.
        server_time: OffsetDateTime,
    },
    /// S3 `AccessDenied` (403) "Request is not valid yet": a presigned URL whose
    /// `X-Amz-Date` is more than 15 minutes in the future.
    #[error("Request is not valid yet")]
    NotYetValid {
        /// The time the URL claims to be signed at.
        request_time: OffsetDateTime,
        /// The server's clock.
        server_time: OffsetDateTime,
    },
    /// S3 `AccessDenied` (403) "AWS authentication requires a valid Date or x-amz-date
    /// header": header authentication without any date header.
    #[error("AWS authentication requires a valid Date or x-amz-date header")]
    MissingDate,
    /// S3 `AccessDenied` (403), same message as [`SigError::MissingDate`]: the date header
    /// is present but not a valid ISO 8601 basic (or RFC 1123 `Date`) timestamp.
    #[error("AWS authentication requires a valid Date or x-amz-date header")]
    InvalidDate {
        /// The value as received.
        value: String,
    },
    /// S3 `InvalidArgument` (400): an `Authorization: AWS ...` (SigV2) header that is not
    /// `AWS AccessKeyId:Signature`.
    #[error("AWS authorization header is invalid.  Expected AwsAccessKeyId:signature")]
    V2HeaderMalformed {
        /// The header as received.
        value: String,
    },
    /// S3 `AccessDenied` (403): a SigV2 presigned URL without one of its three parameters.
    #[error(
        "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters"
    )]
    V2QueryIncomplete,
    /// S3 `AccessDenied` (403): a SigV2 presigned URL whose `Expires` is not a number of
    /// seconds since the epoch.
    #[error("Invalid date (should be seconds since epoch): {value}")]
    InvalidExpires {
        /// The value as received.
        value: String,
    },
    /// S3 `InvalidArgument` (400) "Unsupported Authorization Type": an `Authorization`
    /// header (or SigV2 query auth) that is not `AWS4-HMAC-SHA256`.
    #[error("Unsupported Authorization Type")]
    UnsupportedAlgorithm {
        /// The algorithm or scheme the client used.
        algorithm: String,
    },
    /// S3 `AccessDenied` (403) "There were headers present in the request which were not
    /// signed", with `<HeadersNotSigned>host</HeadersNotSigned>`: `host` is not among the
    /// signed headers.
    #[error("There were headers present in the request which were not signed")]
    HostNotSigned,
    /// S3 `InvalidArgument` (400) "Only one auth mechanism allowed; ...": both an
    /// `Authorization` header and presigned query parameters.
    #[error(
        "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature \
         query string parameter or the Authorization header should be specified"
    )]
    ConflictingAuth,
    /// S3 `InvalidAccessKeyId` (403): [`crate::SecretLookup`] knows no such access key.
    #[error("The AWS Access Key Id you provided does not exist in our records.")]
    InvalidAccessKeyId {
        /// The access key the client presented.
        access_key: String,
    },
    /// S3 `InvalidRequest` (400) "Missing required header for this request:
    /// x-amz-content-sha256": header auth with no declared payload hash and none supplied.
    #[error("Missing required header for this request: x-amz-content-sha256")]
    MissingContentSha256,
    /// S3 `InvalidArgument` (400): `x-amz-content-sha256` is neither a hex SHA-256 nor one of
    /// the literal values AWS accepts.
    #[error(
        "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, \
         STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a \
         valid sha256 value."
    )]
    InvalidContentSha256 {
        /// The value as received.
        value: String,
    },
}

impl SigError {
    /// The AWS S3 error code (`<Code>`) this error is answered with.
    pub fn s3_code(&self) -> &'static str {
        match self {
            Self::AuthorizationHeaderMalformed { .. } => "AuthorizationHeaderMalformed",
            Self::AuthorizationQueryParametersError { .. } => "AuthorizationQueryParametersError",
            Self::SignatureDoesNotMatch { .. } => "SignatureDoesNotMatch",
            Self::RequestTimeTooSkewed { .. } => "RequestTimeTooSkewed",
            Self::Expired { .. }
            | Self::NotYetValid { .. }
            | Self::MissingDate
            | Self::InvalidDate { .. }
            | Self::HostNotSigned
            | Self::V2QueryIncomplete
            | Self::InvalidExpires { .. } => "AccessDenied",
            Self::UnsupportedAlgorithm { .. }
            | Self::V2HeaderMalformed { .. }
            | Self::ConflictingAuth
            | Self::InvalidContentSha256 { .. } => "InvalidArgument",
            Self::InvalidAccessKeyId { .. } => "InvalidAccessKeyId",
            Self::MissingContentSha256 => "InvalidRequest",
        }
    }

    /// The HTTP status AWS S3 answers this error with.
    pub fn http_status(&self) -> u16 {
        match self {
            Self::AuthorizationHeaderMalformed { .. }
            | Self::AuthorizationQueryParametersError { .. }
            | Self::UnsupportedAlgorithm { .. }
            | Self::V2HeaderMalformed { .. }
            | Self::ConflictingAuth
            | Self::MissingContentSha256
            | Self::InvalidContentSha256 { .. } => 400,
            _ => 403,
        }
    }
}

/// Why an `aws-chunked` body was rejected by [`crate::ChunkedDecoder`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChunkError {
    /// S3 `SignatureDoesNotMatch` (403): a chunk or trailer signature is wrong (data changed,
    /// chunks reordered, or wrong seed/key).
    #[error(
        "The request signature we calculated does not match the signature you provided. \
         Check your key and signing method."
    )]
    SignatureDoesNotMatch {
        /// The chunk (or trailer) string to sign the server computed.
        string_to_sign: String,
    },
    /// S3 `IncompleteBody` (400): the framing is not valid `aws-chunked` (bad size line,
    /// missing CRLF, bad trailer line, data after the end).
    #[error("malformed aws-chunked body: {message}")]
    Malformed {
        /// What was wrong.
        message: String,
    },
    /// S3 `IncompleteBody` (400) "You did not provide the number of bytes specified by the
    /// Content-Length HTTP header": the body ended before the final chunk (and trailers).
    #[error("The request body terminated unexpectedly")]
    Incomplete,
    /// S3 `InvalidChunkSizeError` (400): a signed chunk announces more bytes than the
    /// decoder's `max_chunk_size` (it would have to be buffered whole before verification).
    #[error("chunk of {size} bytes exceeds the limit of {max} bytes")]
    TooLarge {
        /// The announced chunk size.
        size: u64,
        /// The configured limit.
        max: u64,
    },
    /// Server bug, answer `InternalError` (500): a signed mode was requested without a
    /// [`crate::ChunkSigner`].
    #[error("signed aws-chunked decoding needs a chunk signer")]
    SignerRequired,
}

impl ChunkError {
    /// The AWS S3 error code (`<Code>`) this error is answered with.
    pub fn s3_code(&self) -> &'static str {
        match self {
            Self::SignatureDoesNotMatch { .. } => "SignatureDoesNotMatch",
            Self::Malformed { .. } | Self::Incomplete => "IncompleteBody",
            Self::TooLarge { .. } => "InvalidChunkSizeError",
            Self::SignerRequired => "InternalError",
        }
    }

    /// The HTTP status AWS S3 answers this error with.
    pub fn http_status(&self) -> u16 {
        match self {
            Self::SignatureDoesNotMatch { .. } => 403,
            Self::SignerRequired => 500,
            _ => 400,
        }
    }
}
