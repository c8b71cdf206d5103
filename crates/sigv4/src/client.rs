//! The client side: sign a request with an `Authorization` header or presign a URL, exactly
//! as `verify` expects. Used by tests and the benchmark tool; not by the server.

use time::OffsetDateTime;

use crate::date::format_amz_date;
use crate::encode::uri_encode;
use crate::{
    canonical_request, derive_signing_key, sign, string_to_sign, RequestParts, Scope, ALGORITHM,
    UNSIGNED_PAYLOAD,
};

/// Who signs, for which region and service, at what time.
#[derive(Debug, Clone, Copy)]
pub struct SigningParams<'a> {
    /// Access key id.
    pub access_key: &'a str,
    /// Secret access key.
    pub secret_key: &'a str,
    /// Region of the credential scope, e.g. `us-east-1`.
    pub region: &'a str,
    /// Service of the credential scope, e.g. `s3`.
    pub service: &'a str,
    /// Signing time; must match the request's `x-amz-date` header (header signing).
    pub time: OffsetDateTime,
}

impl SigningParams<'_> {
    fn scope(&self) -> Scope {
        let amz = format_amz_date(self.time);
        Scope {
            date: amz.get(..8).unwrap_or_default().to_owned(),
            region: self.region.to_owned(),
            service: self.service.to_owned(),
        }
    }
}

/// The result of header signing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderSignature {
    /// The `Authorization` header value.
    pub authorization: String,
    /// The signature alone (the seed of a signed `aws-chunked` body).
    pub signature: String,
}

/// Lowercased, deduplicated, sorted names of the headers in `req`, minus `authorization`.
fn header_names(req: &RequestParts) -> Vec<String> {
    let mut names: Vec<String> = req
        .headers
        .iter()
        .map(|(n, _)| n.to_ascii_lowercase())
        .filter(|n| n != "authorization")
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Signs `req` with an `Authorization` header covering every header in `req.headers` (except
/// `authorization`). The caller must already have put `host`, `x-amz-date` (=
/// [`format_amz_date`] of `params.time`) and, for S3, `x-amz-content-sha256` in the headers.
pub fn sign_request_header(
    req: &RequestParts,
    params: &SigningParams,
    payload_hash: &str,
) -> HeaderSignature {
    let scope = params.scope();
    let names = header_names(req);
    let canonical = canonical_request(req, &names, payload_hash, false);
    let sts = string_to_sign(&format_amz_date(params.time), &scope, &canonical);
    let signature = sign(&derive_signing_key(params.secret_key, &scope), &sts);
    let authorization = format!(
        "{ALGORITHM} Credential={}/{}, SignedHeaders={}, Signature={signature}",
        params.access_key,
        scope.credential_scope(),
        names.join(";"),
    );
    HeaderSignature {
        authorization,
        signature,
    }
}

/// Presigns `req` for `expires_secs` seconds: returns the complete raw query string to send
/// (the request's own `raw_query` followed by the `X-Amz-*` parameters and
/// `X-Amz-Signature`). Signs every header in `req.headers` (normally just `host`) and
/// `UNSIGNED-PAYLOAD`.
pub fn presign_query(req: &RequestParts, params: &SigningParams, expires_secs: u64) -> String {
    let scope = params.scope();
    let amz_date = format_amz_date(params.time);
    let names = header_names(req);
    let credential = format!("{}/{}", params.access_key, scope.credential_scope());
    let mut query = String::from(req.raw_query);
    for (name, value) in [
        ("X-Amz-Algorithm", ALGORITHM.to_owned()),
        ("X-Amz-Credential", credential),
        ("X-Amz-Date", amz_date.clone()),
        ("X-Amz-Expires", expires_secs.to_string()),
        ("X-Amz-SignedHeaders", names.join(";")),
    ] {
        if !query.is_empty() {
            query.push('&');
        }
        query.push_str(name);
        query.push('=');
        query.push_str(&uri_encode(value.as_bytes()));
    }
    let signing = RequestParts {
        raw_query: &query,
        ..*req
    };
    let canonical = canonical_request(&signing, &names, UNSIGNED_PAYLOAD, true);
    let sts = string_to_sign(&amz_date, &scope, &canonical);
    let signature = sign(&derive_signing_key(params.secret_key, &scope), &sts);
    query.push_str("&X-Amz-Signature=");
    query.push_str(&signature);
    query
}
