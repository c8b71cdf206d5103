//! Finding how a request is signed: the `Authorization: AWS4-HMAC-SHA256 ...` header (with
//! `X-Amz-Date` or `Date`) or presigned `X-Amz-*` query parameters, parsed into a
//! [`SignedRequest`]. Purely structural checks live here (syntax, credential scope, date
//! formats, `X-Amz-Expires` range); time and signature checks live in `verify`.

use time::OffsetDateTime;

use crate::date::{format_amz_date, parse_amz_date, parse_http_date};
use crate::encode::{decode_lossy, raw_pairs};
use crate::{RequestParts, SigError, ALGORITHM};

/// A credential scope: `<date>/<region>/<service>/aws4_request`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// `YYYYMMDD`.
    pub date: String,
    /// E.g. `us-east-1`.
    pub region: String,
    /// E.g. `s3`, `kms`, `cloudtrail`.
    pub service: String,
}

impl Scope {
    /// The scope string as it appears in credentials and strings to sign.
    pub fn credential_scope(&self) -> String {
        format!(
            "{}/{}/{}/aws4_request",
            self.date, self.region, self.service
        )
    }
}

/// Where the signature was carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthLocation {
    /// The `Authorization` header.
    Header,
    /// Presigned URL query parameters.
    Query,
}

/// What was parsed from the `Authorization` header or presigned query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRequest {
    /// The access key id from the credential.
    pub access_key: String,
    /// The credential scope.
    pub scope: Scope,
    /// The signed header names, lowercased, in the order the client listed them.
    pub signed_headers: Vec<String>,
    /// The signature the client sent (hex).
    pub signature: String,
    /// The request time.
    pub amz_date: OffsetDateTime,
    /// The request time as used in the string to sign, e.g. `20130524T000000Z`.
    pub amz_date_raw: String,
    /// `X-Amz-Expires` for presigned requests.
    pub expires_secs: Option<u64>,
    /// Header or query.
    pub location: AuthLocation,
}

/// Longest validity AWS allows for a presigned URL: 7 days.
const MAX_EXPIRES: u64 = 604_800;

/// Finds how `req` is signed. `Ok(None)` when it carries no signature at all (anonymous).
pub fn parse_request_auth(req: &RequestParts) -> Result<Option<SignedRequest>, SigError> {
    let header = req.authorization();
    let query_auth = raw_pairs(req.raw_query).any(|(n, _)| {
        let n = decode_lossy(n);
        n == "X-Amz-Algorithm" || n == "X-Amz-Credential" || n == "X-Amz-Signature"
    });
    let sigv2_query = raw_pairs(req.raw_query).any(|(n, _)| decode_lossy(n) == "AWSAccessKeyId");
    match (header, query_auth || sigv2_query) {
        (Some(_), true) => Err(SigError::ConflictingAuth),
        (Some(value), false) => parse_header(req, value).map(Some),
        (None, true) if query_auth => parse_query(req).map(Some),
        (None, true) => Err(SigError::UnsupportedAlgorithm {
            algorithm: "AWS (SigV2 query)".to_owned(),
        }),
        (None, false) => Ok(None),
    }
}

fn header_malformed(detail: &str) -> SigError {
    SigError::AuthorizationHeaderMalformed {
        message: format!("The authorization header is malformed; {detail}"),
    }
}

fn query_error(message: &str) -> SigError {
    SigError::AuthorizationQueryParametersError {
        message: message.to_owned(),
    }
}

const CREDENTIAL_FORMAT: &str =
    "the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".";

/// Parses `AKID/YYYYMMDD/region/service/aws4_request`.
fn parse_credential(credential: &str) -> Option<(String, Scope)> {
    let mut parts = credential.split('/');
    let access_key = parts.next()?;
    let date = parts.next()?;
    let region = parts.next()?;
    let service = parts.next()?;
    let terminator = parts.next()?;
    let date_ok = date.len() == 8 && date.bytes().all(|b| b.is_ascii_digit());
    if parts.next().is_some()
        || terminator != "aws4_request"
        || access_key.is_empty()
        || !date_ok
        || region.is_empty()
        || service.is_empty()
    {
        return None;
    }
    let scope = Scope {
        date: date.to_owned(),
        region: region.to_owned(),
        service: service.to_owned(),
    };
    Some((access_key.to_owned(), scope))
}

fn parse_signed_headers(list: &str) -> Option<Vec<String>> {
    let names: Vec<String> = list
        .split(';')
        .map(|n| n.trim().to_ascii_lowercase())
        .collect();
    if names.iter().any(|n| n.is_empty()) {
        return None;
    }
    Some(names)
}

fn parse_header(req: &RequestParts, value: &str) -> Result<SignedRequest, SigError> {
    let value = value.trim();
    let (algorithm, rest) = value.split_once(' ').unwrap_or((value, ""));
    if algorithm != ALGORITHM {
        return Err(SigError::UnsupportedAlgorithm {
            algorithm: algorithm.to_owned(),
        });
    }
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for component in rest.split(',') {
        let component = component.trim();
        if component.is_empty() {
            continue;
        }
        let Some((key, val)) = component.split_once('=') else {
            return Err(header_malformed(&format!(
                "the component \"{component}\" is not of the form key=value."
            )));
        };
        let slot = match key.trim() {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed,
            "Signature" => &mut signature,
            other => {
                return Err(header_malformed(&format!("unknown component \"{other}\".")));
            }
        };
        if slot.replace(val.trim()).is_some() {
            return Err(header_malformed(&format!(
                "\"{}\" appears twice.",
                key.trim()
            )));
        }
    }
    let credential = credential.ok_or_else(|| header_malformed("missing Credential."))?;
    let signed = signed.ok_or_else(|| header_malformed("missing SignedHeaders."))?;
    let signature = signature.ok_or_else(|| header_malformed("missing Signature."))?;
    let (access_key, scope) =
        parse_credential(credential).ok_or_else(|| header_malformed(CREDENTIAL_FORMAT))?;
    let signed_headers = parse_signed_headers(signed)
        .ok_or_else(|| header_malformed("the SignedHeaders list is invalid."))?;

    let (amz_date, amz_date_raw) = if let Some(raw) = req.header("x-amz-date") {
        let raw = raw.trim();
        let parsed = parse_amz_date(raw).ok_or_else(|| SigError::InvalidDate {
            value: raw.to_owned(),
        })?;
        (parsed, raw.to_owned())
    } else if let Some(raw) = req.header("date") {
        let parsed = parse_http_date(raw).ok_or_else(|| SigError::InvalidDate {
            value: raw.to_owned(),
        })?;
        (parsed, format_amz_date(parsed))
    } else {
        return Err(SigError::MissingDate);
    };
    if amz_date_raw.get(..8) != Some(scope.date.as_str()) {
        return Err(header_malformed(
            "Invalid credential date. Date is not the same as X-Amz-Date.",
        ));
    }
    Ok(SignedRequest {
        access_key,
        scope,
        signed_headers,
        signature: signature.to_owned(),
        amz_date,
        amz_date_raw,
        expires_secs: None,
        location: AuthLocation::Header,
    })
}

fn parse_query(req: &RequestParts) -> Result<SignedRequest, SigError> {
    const NAMES: [&str; 6] = [
        "X-Amz-Algorithm",
        "X-Amz-Credential",
        "X-Amz-Date",
        "X-Amz-Expires",
        "X-Amz-SignedHeaders",
        "X-Amz-Signature",
    ];
    let mut found: [Option<String>; 6] = Default::default();
    for (name, value) in raw_pairs(req.raw_query) {
        let name = decode_lossy(name);
        if let Some(i) = NAMES.iter().position(|n| *n == name) {
            if let Some(slot) = found.get_mut(i) {
                if slot.replace(decode_lossy(value)).is_some() {
                    return Err(query_error(&format!("{name} appears more than once.")));
                }
            }
        }
    }
    let [Some(algorithm), Some(credential), Some(date), Some(expires), Some(signed), Some(signature)] =
        found
    else {
        return Err(query_error(
            "Query-string authentication version 4 requires the X-Amz-Algorithm, \
             X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and \
             X-Amz-Expires parameters.",
        ));
    };
    if algorithm != ALGORITHM {
        return Err(query_error(
            "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"",
        ));
    }
    let (access_key, scope) = parse_credential(&credential).ok_or_else(|| {
        query_error(&format!(
            "Error parsing the X-Amz-Credential parameter; {CREDENTIAL_FORMAT}"
        ))
    })?;
    let amz_date = parse_amz_date(&date).ok_or_else(|| {
        query_error("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
    })?;
    if date.get(..8) != Some(scope.date.as_str()) {
        return Err(query_error(
            "Error parsing the X-Amz-Credential parameter; Invalid credential date. Date is not \
             the same as X-Amz-Date.",
        ));
    }
    let expires: i64 = expires
        .trim()
        .parse()
        .map_err(|_| query_error("X-Amz-Expires should be a number"))?;
    // Zero is well formed: the URL has expired by the time it is used (403 "Request has
    // expired" from the expiry check), as S3 answers it.
    if expires < 0 {
        return Err(query_error("X-Amz-Expires must be non-negative"));
    }
    let expires = u64::try_from(expires).unwrap_or(u64::MAX);
    if expires > MAX_EXPIRES {
        return Err(query_error(
            "X-Amz-Expires must be less than a week (in seconds); that is, the given \
             X-Amz-Expires must be less than 604800 seconds",
        ));
    }
    let signed_headers = parse_signed_headers(&signed)
        .ok_or_else(|| query_error("X-Amz-SignedHeaders is invalid."))?;
    Ok(SignedRequest {
        access_key,
        scope,
        signed_headers,
        signature,
        amz_date,
        amz_date_raw: date,
        expires_secs: Some(expires),
        location: AuthLocation::Query,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential() {
        let (ak, scope) = parse_credential("AK/20130524/us-east-1/s3/aws4_request").unwrap();
        assert_eq!(ak, "AK");
        assert_eq!(
            scope.credential_scope(),
            "20130524/us-east-1/s3/aws4_request"
        );
        for bad in [
            "AK/20130524/us-east-1/s3",
            "AK/20130524/us-east-1/s3/aws4_request/x",
            "AK/2013052/us-east-1/s3/aws4_request",
            "/20130524/us-east-1/s3/aws4_request",
            "AK/20130524//s3/aws4_request",
            "AK/20130524/us-east-1/s3/aws5_request",
        ] {
            assert!(parse_credential(bad).is_none(), "{bad}");
        }
    }
}
