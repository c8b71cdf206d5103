//! trailstack-sigv4: pure AWS Signature Version 4 (`AWS4-HMAC-SHA256`) for S3, KMS and
//! CloudTrail requests, and S3's Signature Version 2 (`AWS AccessKeyId:Signature`, [`v2`]).
//!
//! Owns: finding how a request is signed ([`parse_request_auth`]), verifying it
//! ([`verify`], [`authenticate`]), the canonical request and string to sign, key derivation,
//! a client-side signer for tests and tools ([`sign_request_header`], [`presign_query`]), and
//! the sans-IO `aws-chunked` body decoder with chunk/trailer signature checks
//! ([`ChunkedDecoder`]).
//!
//! Must not touch: HTTP types, IO, async, clocks (time is always passed in), or any policy
//! about which region/service a credential scope may name — the server decides that. The
//! server feeds this crate strings exactly as received on the wire.
//!
//! References: <https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-authenticating-requests.html>

mod canonical;
mod chunk_sign;
mod chunked;
mod client;
mod crypto;
mod date;
mod encode;
mod error;
mod parse;
pub mod v2;
mod verify;

#[cfg(test)]
mod tests_auth;
#[cfg(test)]
mod tests_chunked;
#[cfg(test)]
mod tests_fuzz;
#[cfg(test)]
mod tests_v2;
#[cfg(test)]
mod tests_vectors;

pub use canonical::{canonical_headers, canonical_request, string_to_sign};
pub use chunk_sign::{
    canonical_trailers, encode_signed_chunks, encode_unsigned_chunks, ChunkSigner,
};
pub use chunked::{ChunkEvent, ChunkMode, ChunkedDecoder};
pub use client::{presign_query, sign_request_header, HeaderSignature, SigningParams};
pub use crypto::{
    cached_signing_key, derive_signing_key, sha256_hex, sign, SigningKey, EMPTY_SHA256,
};
pub use date::{format_amz_date, parse_amz_date};
pub use encode::{canonical_query, canonical_uri, uri_encode};
pub use error::{ChunkError, SigError};
pub use parse::{parse_request_auth, AuthLocation, Scope, SignedRequest};
pub use verify::{authenticate, payload_hash_for, verify, Authenticated, Verified, MAX_SKEW};

/// The only signing algorithm supported: `AWS4-HMAC-SHA256`.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// `x-amz-content-sha256` value for a payload that is not signed.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// `x-amz-content-sha256` value for signed `aws-chunked` bodies.
pub const STREAMING_PAYLOAD: &str = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
/// `x-amz-content-sha256` value for signed `aws-chunked` bodies with a signed trailer.
pub const STREAMING_PAYLOAD_TRAILER: &str = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
/// `x-amz-content-sha256` value for unsigned `aws-chunked` bodies with a trailer.
pub const STREAMING_UNSIGNED_PAYLOAD_TRAILER: &str = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";

/// The parts of a request the signature covers, as received on the wire.
#[derive(Debug, Clone, Copy)]
pub struct RequestParts<'a> {
    /// The HTTP method, e.g. `GET` (used as is).
    pub method: &'a str,
    /// The path exactly as on the wire, still percent-encoded, without `?query`.
    pub raw_path: &'a str,
    /// The text after `?`, still encoded (`""` if none).
    pub raw_query: &'a str,
    /// Every header as received (names in any case; a name may repeat). HTTP/2 servers must
    /// supply `host` from `:authority`.
    pub headers: &'a [(&'a str, &'a str)],
}

impl<'a> RequestParts<'a> {
    /// Every value of header `name` (case-insensitive), in the order received.
    pub fn header_values<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'a str> + 's {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
    }

    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&'a str> {
        self.header_values(name).next()
    }

    /// The `Authorization` header, unless it is blank: S3 takes an empty one for none at all,
    /// and the request is then anonymous.
    pub fn authorization(&self) -> Option<&'a str> {
        self.header("authorization")
            .filter(|v| !v.trim().is_empty())
    }
}

/// Where the server finds the secret key of an access key id. Implemented by the server.
pub trait SecretLookup {
    /// The secret access key for `access_key`, or `None` if the key is unknown (or disabled).
    fn secret_for(&self, access_key: &str) -> Option<String>;
}

/// The secret of `access_key` in `lookup`; an unknown key is AWS's `InvalidAccessKeyId`.
pub(crate) fn known_secret<L: SecretLookup + ?Sized>(
    lookup: &L,
    access_key: &str,
) -> Result<String, SigError> {
    lookup
        .secret_for(access_key)
        .ok_or_else(|| SigError::InvalidAccessKeyId {
            access_key: access_key.to_string(),
        })
}
