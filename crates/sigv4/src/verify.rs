//! Verifying a parsed [`SignedRequest`]: `host` signed, clock skew (header auth) or
//! validity window (presigned), then the signature in constant time. Also the one-call
//! [`authenticate`] that ties parsing, secret lookup, payload hash choice and verification.

use time::{Duration, OffsetDateTime};

use crate::crypto::{is_sha256_hex, signatures_equal};
use crate::encode::{decode_lossy, raw_pairs};
use crate::{
    cached_signing_key, canonical_request, parse_request_auth, sign, string_to_sign, AuthLocation,
    ChunkSigner, RequestParts, Scope, SecretLookup, SigError, SignedRequest, SigningKey,
    STREAMING_PAYLOAD, STREAMING_PAYLOAD_TRAILER, STREAMING_UNSIGNED_PAYLOAD_TRAILER,
    UNSIGNED_PAYLOAD,
};

/// Largest difference AWS tolerates between request time and server time: 15 minutes.
pub const MAX_SKEW: Duration = Duration::minutes(15);

/// A successfully verified request: what is needed to check an `aws-chunked` body after it.
#[derive(Debug, Clone)]
pub struct Verified {
    /// The derived signing key of the request's scope.
    pub signing_key: SigningKey,
    /// The request's signature: the seed of the chunk signature chain.
    pub seed_signature: String,
    /// The request time as in the string to sign.
    pub amz_date_raw: String,
    /// The credential scope.
    pub scope: Scope,
}

impl Verified {
    /// The [`ChunkSigner`] that checks this request's `aws-chunked` body.
    pub fn chunk_signer(&self) -> ChunkSigner {
        ChunkSigner {
            signing_key: self.signing_key.clone(),
            amz_date_raw: self.amz_date_raw.clone(),
            scope: self.scope.clone(),
            seed_signature: self.seed_signature.clone(),
        }
    }
}

/// Verifies `signed` (from [`parse_request_auth`] on the same `req`) with `secret_key`.
///
/// `payload_hash` is the canonical request's last line: the `x-amz-content-sha256` value as
/// sent for header auth; the hex SHA-256 of the body for services that do not send it;
/// `UNSIGNED-PAYLOAD` for presigned URLs unless they carry `X-Amz-Content-Sha256` (see
/// [`payload_hash_for`]).
pub fn verify(
    req: &RequestParts,
    signed: &SignedRequest,
    secret_key: &str,
    payload_hash: &str,
    now: OffsetDateTime,
) -> Result<Verified, SigError> {
    if !signed.signed_headers.iter().any(|h| h == "host") {
        return Err(SigError::HostNotSigned);
    }
    check_time(signed, now)?;
    let for_presigned = signed.location == AuthLocation::Query;
    let canonical = canonical_request(req, &signed.signed_headers, payload_hash, for_presigned);
    let sts = string_to_sign(&signed.amz_date_raw, &signed.scope, &canonical);
    let key = cached_signing_key(secret_key, &signed.scope);
    let computed = sign(&key, &sts);
    if !signatures_equal(&computed, &signed.signature) {
        return Err(SigError::SignatureDoesNotMatch {
            string_to_sign: sts,
            canonical_request: canonical,
            signature_provided: signed.signature.clone(),
        });
    }
    Ok(Verified {
        signing_key: key,
        seed_signature: computed,
        amz_date_raw: signed.amz_date_raw.clone(),
        scope: signed.scope.clone(),
    })
}

fn check_time(signed: &SignedRequest, now: OffsetDateTime) -> Result<(), SigError> {
    let ahead = signed.amz_date - now;
    match signed.location {
        AuthLocation::Header => {
            if ahead > MAX_SKEW || ahead < -MAX_SKEW {
                return Err(SigError::RequestTimeTooSkewed {
                    request_time: signed.amz_date,
                    server_time: now,
                });
            }
        }
        AuthLocation::Query => {
            if ahead > MAX_SKEW {
                return Err(SigError::NotYetValid {
                    request_time: signed.amz_date,
                    server_time: now,
                });
            }
            let secs = i64::try_from(signed.expires_secs.unwrap_or(0)).unwrap_or(i64::MAX);
            let expires_at = signed.amz_date.checked_add(Duration::seconds(secs));
            if let Some(expires_at) = expires_at.filter(|at| now > *at) {
                return Err(SigError::Expired {
                    expires_at,
                    server_time: now,
                });
            }
        }
    }
    Ok(())
}

/// The payload hash the request declares: the `x-amz-content-sha256` header for header auth;
/// for presigned URLs the `X-Amz-Content-Sha256` query parameter, else that header, else
/// `UNSIGNED-PAYLOAD`. `None` when a header-authenticated request declares nothing (the
/// caller then hashes the body, as KMS and CloudTrail clients expect).
pub fn payload_hash_for(req: &RequestParts, signed: &SignedRequest) -> Option<String> {
    let header = req
        .header("x-amz-content-sha256")
        .map(|v| v.trim().to_owned());
    match signed.location {
        AuthLocation::Header => header,
        AuthLocation::Query => raw_pairs(req.raw_query)
            .find(|(n, _)| decode_lossy(n) == "X-Amz-Content-Sha256")
            .map(|(_, v)| decode_lossy(v))
            .or(header)
            .or_else(|| Some(UNSIGNED_PAYLOAD.to_owned())),
    }
}

fn valid_payload_hash(v: &str) -> bool {
    is_sha256_hex(v)
        || [
            UNSIGNED_PAYLOAD,
            STREAMING_PAYLOAD,
            STREAMING_PAYLOAD_TRAILER,
            STREAMING_UNSIGNED_PAYLOAD_TRAILER,
        ]
        .contains(&v)
}

/// A request that passed [`authenticate`].
#[derive(Debug, Clone)]
pub struct Authenticated {
    /// What the request's signature said.
    pub signed: SignedRequest,
    /// The verification result (signing key and seed for chunked bodies).
    pub verified: Verified,
    /// The payload hash that was signed (`x-amz-content-sha256` semantics).
    pub payload_hash: String,
}

/// Parses, looks up the secret, picks the payload hash and verifies, in one call.
///
/// `body_sha256` is the hex SHA-256 of the body, used only when the request declares no
/// payload hash (non-S3 services); pass `None` if the body has not been read. `Ok(None)` for
/// anonymous requests.
pub fn authenticate<L: SecretLookup + ?Sized>(
    req: &RequestParts,
    lookup: &L,
    body_sha256: Option<&str>,
    now: OffsetDateTime,
) -> Result<Option<Authenticated>, SigError> {
    let Some(signed) = parse_request_auth(req)? else {
        return Ok(None);
    };
    let secret = crate::known_secret(lookup, &signed.access_key)?;
    let payload_hash = match payload_hash_for(req, &signed) {
        Some(declared) if valid_payload_hash(&declared) => declared,
        Some(declared) => return Err(SigError::InvalidContentSha256 { value: declared }),
        None => body_sha256
            .map(str::to_owned)
            .ok_or(SigError::MissingContentSha256)?,
    };
    let verified = verify(req, &signed, &secret, &payload_hash, now)?;
    Ok(Some(Authenticated {
        signed,
        verified,
        payload_hash,
    }))
}
