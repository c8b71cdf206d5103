//! Signature Version 2 of S3 (`AWS AccessKeyId:Signature`, HMAC-SHA1, base64): finding it in a
//! request (the `Authorization` header or the `AWSAccessKeyId`/`Signature`/`Expires` query of a
//! presigned URL), the string to sign with its canonicalized `x-amz-*` headers and resource,
//! the time checks, and the constant-time comparison. Also the signature over a POST form's
//! policy, and a client-side signer for tests.
//!
//! Only S3 ever accepted SigV2: the server routes nothing else here. The caller names the bucket
//! of a virtual-hosted-style request, since the canonical resource always starts with it.
//!
//! Reference: <https://docs.aws.amazon.com/AmazonS3/latest/API/RESTAuthentication.html>

use aws_lc_rs::hmac;
use base64::Engine;
use time::OffsetDateTime;

use crate::crypto::signatures_equal;
use crate::date::{parse_amz_date, parse_http_date};
use crate::encode::{decode_lossy, raw_pairs};
use crate::{AuthLocation, RequestParts, SecretLookup, SigError, MAX_SKEW};

/// The `Authorization` scheme of SigV2.
pub const V2_SCHEME: &str = "AWS";

/// The sub-resources every SigV2 signer puts in the canonical resource: the list of AWS's
/// guide, the `response-*` overrides and those of the SDKs that still sign SigV2 (botocore).
const SUBRESOURCES: [&str; 41] = [
    "accelerate",
    "acl",
    "analytics",
    "cors",
    "delete",
    "inventory",
    "lifecycle",
    "location",
    "logging",
    "metrics",
    "notification",
    "object-lock",
    "partNumber",
    "policy",
    "replication",
    "requestPayment",
    "response-cache-control",
    "response-content-disposition",
    "response-content-encoding",
    "response-content-language",
    "response-content-type",
    "response-expires",
    "restore",
    "select",
    "select-type",
    "storageClass",
    "tagging",
    "torrent",
    "uploadId",
    "uploads",
    "versionId",
    "versioning",
    "versions",
    "website",
    "encryption",
    "legal-hold",
    "retention",
    "intelligent-tiering",
    "ownershipControls",
    "policyStatus",
    "publicAccessBlock",
];

/// How many of [`SUBRESOURCES`] botocore signs; the rest are the newer sub-resources other
/// signers (Ceph's, the Java SDK's) add, tried when the first form does not match.
const CORE_SUBRESOURCES: usize = 34;

/// What a SigV2 request carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V2Signed {
    /// The access key id.
    pub access_key: String,
    /// The signature as sent (base64).
    pub signature: String,
    /// Header or query.
    pub location: AuthLocation,
    /// Header auth: the request time (`x-amz-date`, else `Date`). Query auth: `Expires`.
    pub time: OffsetDateTime,
    /// The date line of the string to sign: `Date` as sent, empty when `x-amz-date` is
    /// present, or `Expires` as sent for a presigned URL.
    pub date_line: String,
}

/// Whether `req` is signed with SigV2: an `Authorization: AWS ...` header, or (without an
/// `Authorization` header and without SigV4's query) `AWSAccessKeyId` or `Signature` in the
/// query.
pub fn is_v2(req: &RequestParts) -> bool {
    if let Some(h) = req.authorization() {
        let h = h.trim_start();
        return h.split_once(' ').map_or(h, |(scheme, _)| scheme) == V2_SCHEME;
    }
    let mut v2 = false;
    for (name, _) in raw_pairs(req.raw_query) {
        match decode_lossy(name).as_str() {
            "X-Amz-Algorithm" | "X-Amz-Credential" | "X-Amz-Signature" => return false,
            "AWSAccessKeyId" | "Signature" => v2 = true,
            _ => {}
        }
    }
    v2
}

fn query_param(req: &RequestParts, name: &str) -> Option<String> {
    raw_pairs(req.raw_query)
        .find(|(n, _)| decode_lossy(n) == name)
        .map(|(_, v)| decode_lossy(v))
}

/// Parses the SigV2 signature of `req` (which [`is_v2`] accepted) and its time.
pub fn parse_v2(req: &RequestParts) -> Result<V2Signed, SigError> {
    let query_auth = raw_pairs(req.raw_query).any(|(n, _)| {
        matches!(
            decode_lossy(n).as_str(),
            "AWSAccessKeyId" | "Signature" | "X-Amz-Signature" | "X-Amz-Credential"
        )
    });
    match req.authorization() {
        Some(_) if query_auth => Err(SigError::ConflictingAuth),
        Some(value) => parse_header(req, value),
        None => parse_query(req),
    }
}

fn parse_header(req: &RequestParts, value: &str) -> Result<V2Signed, SigError> {
    let credential = value.trim().strip_prefix("AWS ").unwrap_or("").trim();
    let Some((access_key, signature)) = credential
        .split_once(':')
        .filter(|(k, s)| !k.is_empty() && !s.is_empty() && !s.contains(':'))
    else {
        return Err(SigError::V2HeaderMalformed {
            value: value.to_owned(),
        });
    };
    let (time, date_line) = if let Some(raw) = req.header("x-amz-date") {
        (request_time(raw)?, String::new())
    } else if let Some(raw) = req.header("date") {
        (request_time(raw)?, raw.trim().to_owned())
    } else {
        return Err(SigError::MissingDate);
    };
    Ok(V2Signed {
        access_key: access_key.to_owned(),
        signature: signature.to_owned(),
        location: AuthLocation::Header,
        time,
        date_line,
    })
}

/// A `Date` or `x-amz-date` value: RFC 1123 (or ISO 8601 basic), not before the Unix epoch.
fn request_time(raw: &str) -> Result<OffsetDateTime, SigError> {
    let raw = raw.trim();
    parse_http_date(raw)
        .or_else(|| parse_amz_date(raw))
        .filter(|t| t.unix_timestamp() >= 0)
        .ok_or_else(|| SigError::InvalidDate {
            value: raw.to_owned(),
        })
}

fn parse_query(req: &RequestParts) -> Result<V2Signed, SigError> {
    let (Some(access_key), Some(signature), Some(expires)) = (
        query_param(req, "AWSAccessKeyId"),
        query_param(req, "Signature"),
        query_param(req, "Expires"),
    ) else {
        return Err(SigError::V2QueryIncomplete);
    };
    let time = expires
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|secs| OffsetDateTime::from_unix_timestamp(secs).ok())
        .ok_or_else(|| SigError::InvalidExpires {
            value: expires.clone(),
        })?;
    Ok(V2Signed {
        access_key,
        signature,
        location: AuthLocation::Query,
        time,
        date_line: expires,
    })
}

/// The canonicalized resource: `/bucket` of a virtual-hosted request, the path as sent, then
/// the signed sub-resources of the query sorted by name, values decoded (`?acl&versionId=1`).
/// `all` adds the newer sub-resources botocore does not sign.
pub fn canonical_resource(
    virtual_bucket: Option<&str>,
    raw_path: &str,
    raw_query: &str,
    all: bool,
) -> String {
    let signed = if all {
        &SUBRESOURCES[..]
    } else {
        &SUBRESOURCES[..CORE_SUBRESOURCES]
    };
    let mut out = String::with_capacity(raw_path.len() + 32);
    if let Some(bucket) = virtual_bucket {
        out.push('/');
        out.push_str(bucket);
    }
    out.push_str(if raw_path.is_empty() { "/" } else { raw_path });
    let mut params: Vec<(String, Option<String>)> = raw_query
        .split('&')
        .filter(|p| !p.is_empty())
        .filter_map(|p| {
            let (name, value) = match p.split_once('=') {
                Some((n, v)) => (decode_lossy(n), Some(decode_lossy(v))),
                None => (decode_lossy(p), None),
            };
            signed.contains(&name.as_str()).then_some((name, value))
        })
        .collect();
    params.sort_by(|a, b| a.0.cmp(&b.0));
    for (i, (name, value)) in params.iter().enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        out.push_str(name);
        if let Some(v) = value {
            out.push('=');
            out.push_str(v);
        }
    }
    out
}

/// The `x-amz-*` header lines of the string to sign: names lowercased and sorted, values
/// trimmed, repeated headers joined with `,`. A presigned URL's `x-amz-*` query parameters
/// count as headers, as signers put them there.
fn canonical_amz_headers(req: &RequestParts, location: AuthLocation) -> String {
    let mut amz: Vec<(String, Vec<String>)> = Vec::new();
    let mut add = |name: String, value: &str| match amz.iter_mut().find(|(n, _)| *n == name) {
        Some((_, values)) => values.push(value.trim().to_owned()),
        None => amz.push((name, vec![value.trim().to_owned()])),
    };
    for (name, value) in req.headers {
        let name = name.to_ascii_lowercase();
        if name.starts_with("x-amz-") {
            add(name, value);
        }
    }
    if location == AuthLocation::Query {
        for (name, value) in raw_pairs(req.raw_query) {
            let name = decode_lossy(name).to_ascii_lowercase();
            if name.starts_with("x-amz-") {
                add(name, &decode_lossy(value));
            }
        }
    }
    amz.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = String::new();
    for (name, values) in amz {
        out.push_str(&name);
        out.push(':');
        out.push_str(&values.join(","));
        out.push('\n');
    }
    out
}

/// `Content-MD5` or `Content-Type`: the header, or for a presigned URL the query parameter
/// the signer put it in.
fn positional(req: &RequestParts, location: AuthLocation, name: &str) -> String {
    let from_query = (location == AuthLocation::Query)
        .then(|| {
            raw_pairs(req.raw_query)
                .find(|(n, _)| decode_lossy(n).eq_ignore_ascii_case(name))
                .map(|(_, v)| decode_lossy(v))
        })
        .flatten();
    from_query
        .or_else(|| req.header(name).map(str::to_owned))
        .map(|v| v.trim().to_owned())
        .unwrap_or_default()
}

/// The SigV2 string to sign of `req` over `resource` (from [`canonical_resource`]):
/// `VERB\nContent-MD5\nContent-Type\n<date line>\n<x-amz-* lines><resource>`.
pub fn string_to_sign_v2(req: &RequestParts, signed: &V2Signed, resource: &str) -> String {
    format!(
        "{}\n{}\n{}\n{}\n{}{resource}",
        req.method,
        positional(req, signed.location, "content-md5"),
        positional(req, signed.location, "content-type"),
        signed.date_line,
        canonical_amz_headers(req, signed.location),
    )
}

/// Base64 of `HMAC-SHA1(secret_key, string_to_sign)`: a SigV2 signature, of a request or of a
/// POST form's policy.
pub fn sign_v2(secret_key: &str, string_to_sign: &str) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret_key.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(hmac::sign(&key, string_to_sign.as_bytes()))
}

/// Whether `provided` is the SigV2 signature of `string_to_sign` (constant time).
pub fn signature_v2_matches(secret_key: &str, string_to_sign: &str, provided: &str) -> bool {
    signatures_equal(&sign_v2(secret_key, string_to_sign), provided.trim())
}

/// Verifies the SigV2 signature of `req` at `now`: the clock skew (header) or expiry (query),
/// then the signature over the canonical resource botocore signs, else over the one with the
/// newer sub-resources too.
pub fn verify_v2(
    req: &RequestParts,
    signed: &V2Signed,
    secret_key: &str,
    virtual_bucket: Option<&str>,
    now: OffsetDateTime,
) -> Result<(), SigError> {
    match signed.location {
        AuthLocation::Header => {
            let ahead = signed.time - now;
            if ahead > MAX_SKEW || ahead < -MAX_SKEW {
                return Err(SigError::RequestTimeTooSkewed {
                    request_time: signed.time,
                    server_time: now,
                });
            }
        }
        AuthLocation::Query if now > signed.time => {
            return Err(SigError::Expired {
                expires_at: signed.time,
                server_time: now,
            });
        }
        AuthLocation::Query => {}
    }
    let core = canonical_resource(virtual_bucket, req.raw_path, req.raw_query, false);
    let sts = string_to_sign_v2(req, signed, &core);
    if signature_v2_matches(secret_key, &sts, &signed.signature) {
        return Ok(());
    }
    // Signers differ on a bucket's own resource (botocore ends it with `/` also path-style) and
    // on the newer sub-resources: each reading of the same request is tried.
    let bucket_path = bucket_path_variant(virtual_bucket, req.raw_path);
    for path in [Some(req.raw_path), bucket_path.as_deref()]
        .into_iter()
        .flatten()
    {
        for all in [false, true] {
            let resource = canonical_resource(virtual_bucket, path, req.raw_query, all);
            if resource != core
                && signature_v2_matches(
                    secret_key,
                    &string_to_sign_v2(req, signed, &resource),
                    &signed.signature,
                )
            {
                return Ok(());
            }
        }
    }
    Err(SigError::SignatureDoesNotMatch {
        string_to_sign: sts,
        canonical_request: String::new(),
        signature_provided: signed.signature.clone(),
    })
}

/// The other spelling of a path-style request's bucket: `/bucket` for `/bucket/` and the other
/// way round. `None` for object paths and virtual-hosted requests.
fn bucket_path_variant(virtual_bucket: Option<&str>, raw_path: &str) -> Option<String> {
    if virtual_bucket.is_some() {
        return None;
    }
    let bucket = raw_path.strip_prefix('/')?;
    match bucket.strip_suffix('/') {
        Some(b) if !b.is_empty() && !b.contains('/') => Some(format!("/{b}")),
        None if !bucket.is_empty() && !bucket.contains('/') => Some(format!("/{bucket}/")),
        _ => None,
    }
}

/// Parses, looks up the secret and verifies a SigV2 request in one call.
pub fn authenticate_v2<L: SecretLookup + ?Sized>(
    req: &RequestParts,
    lookup: &L,
    virtual_bucket: Option<&str>,
    now: OffsetDateTime,
) -> Result<V2Signed, SigError> {
    let signed = parse_v2(req)?;
    let secret = crate::known_secret(lookup, &signed.access_key)?;
    verify_v2(req, &signed, &secret, virtual_bucket, now)?;
    Ok(signed)
}
