//! Reading S3 request headers: strings, dates, ranges, content headers and user metadata.

use crate::checksum::Algorithm;
use crate::error::{S3Error, S3Result};
use crate::model::objects::ObjectMeta;
use crate::op::{Conditions, ExpectedOwners, NewObject, RangeSpec};
use http::HeaderMap;

/// The header's value as text, if present and valid UTF-8.
pub fn get(h: &HeaderMap, name: &str) -> Option<String> {
    h.get(name).and_then(|v| {
        v.to_str()
            .ok()
            .map(str::to_string)
            .or_else(|| Some(String::from_utf8_lossy(v.as_bytes()).into_owned()))
    })
}

/// The request's `x-amz-expected-bucket-owner` and `x-amz-source-expected-bucket-owner`.
pub fn expected_owners(h: &HeaderMap) -> ExpectedOwners {
    ExpectedOwners {
        bucket: get(h, "x-amz-expected-bucket-owner"),
        source: get(h, "x-amz-source-expected-bucket-owner"),
    }
}

/// Parses an HTTP date (RFC 7231 forms).
pub fn http_date(s: &str) -> Option<time::OffsetDateTime> {
    let t = httpdate::parse_http_date(s.trim()).ok()?;
    Some(time::OffsetDateTime::from(t))
}

/// Parses a Range header; an unparsable one is ignored, as HTTP allows (and S3 does).
pub fn range(h: &HeaderMap) -> Option<RangeSpec> {
    let v = get(h, "range")?;
    let spec = v.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (a, b) = spec.split_once('-')?;
    let (a, b) = (a.trim(), b.trim());
    if a.is_empty() {
        return b.parse().ok().map(RangeSpec::Suffix);
    }
    let a: u64 = a.parse().ok()?;
    if b.is_empty() {
        return Some(RangeSpec::FromTo(a, None));
    }
    let b: u64 = b.parse().ok()?;
    (b >= a).then_some(RangeSpec::FromTo(a, Some(b)))
}

/// If-* preconditions, from the plain headers or with a prefix such as `x-amz-copy-source-`.
pub fn conditions(h: &HeaderMap, prefix: &str) -> Conditions {
    let name = |n: &str| format!("{prefix}{n}");
    Conditions {
        if_match: get(h, &name("if-match")),
        if_none_match: get(h, &name("if-none-match")),
        if_modified_since: get(h, &name("if-modified-since")).and_then(|s| http_date(&s)),
        if_unmodified_since: get(h, &name("if-unmodified-since")).and_then(|s| http_date(&s)),
    }
}

/// Most bytes of user metadata (names and values) S3 accepts.
const MAX_USER_METADATA: usize = 2048;

/// A Content-Encoding as S3 stores it: `aws-chunked` (how this request's body was sent) taken
/// out; the other codings kept as the client wrote them.
fn without_aws_chunked(e: &str) -> String {
    let codings: Vec<&str> = e.split(',').map(str::trim).collect();
    if !codings.contains(&"aws-chunked") {
        return e.trim().to_string();
    }
    codings
        .into_iter()
        .filter(|c| *c != "aws-chunked" && !c.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Content headers, user metadata, storage class, tags and canned ACL of a new object.
pub fn new_object(h: &HeaderMap) -> S3Result<NewObject> {
    let mut user = Vec::new();
    let mut meta_size = 0;
    for (name, value) in h {
        if let Some(n) = name.as_str().strip_prefix("x-amz-meta-") {
            let v = super::mime_words::decode(value.as_bytes());
            meta_size += n.len() + v.len();
            user.push((n.to_string(), v));
        }
    }
    if meta_size > MAX_USER_METADATA {
        return Err(S3Error::MetadataTooLarge);
    }
    let storage_class = get(h, "x-amz-storage-class");
    if let Some(sc) = &storage_class {
        const CLASSES: [&str; 9] = [
            "STANDARD",
            "REDUCED_REDUNDANCY",
            "STANDARD_IA",
            "ONEZONE_IA",
            "INTELLIGENT_TIERING",
            "GLACIER",
            "DEEP_ARCHIVE",
            "GLACIER_IR",
            "EXPRESS_ONEZONE",
        ];
        if !CLASSES.contains(&sc.as_str()) {
            return Err(S3Error::InvalidStorageClass);
        }
    }
    let tags = match get(h, "x-amz-tagging") {
        Some(t) => parse_tag_query(&t)?,
        None => Vec::new(),
    };
    let acl = get(h, "x-amz-acl");
    let grants = super::grants::from_headers(h)?;
    super::grants::not_both(acl.as_deref(), &grants)?;
    let (sse, sse_rejected) = super::sse::request_deferred(h);
    Ok(NewObject {
        meta: ObjectMeta {
            content_type: get(h, "content-type"),
            content_encoding: get(h, "content-encoding")
                .map(|e| without_aws_chunked(&e))
                .filter(|e| !e.is_empty()),
            content_disposition: get(h, "content-disposition"),
            content_language: get(h, "content-language"),
            cache_control: get(h, "cache-control"),
            expires: get(h, "expires"),
            website_redirect: get(h, "x-amz-website-redirect-location"),
            user,
            storage_class: storage_class.filter(|s| s != "STANDARD"),
            tags,
            lock: super::lock::write_headers(h)?,
            ..Default::default()
        },
        acl,
        grants,
        sse,
        sse_rejected,
        writer: crate::sse::Writer::User,
    })
}

/// Parses `k1=v1&k2=v2` tags (x-amz-tagging).
pub fn parse_tag_query(s: &str) -> S3Result<Vec<(String, String)>> {
    let mut tags = Vec::new();
    for pair in s.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let dec = |x: &str| super::percent_decode(&x.replace('+', " "));
        tags.push((dec(k), dec(v)));
    }
    crate::handlers::validate_tags(&tags, crate::handlers::Tagged::Object)?;
    Ok(tags)
}

/// The checksum a write declares: `x-amz-checksum-<alg>` header value, or a trailer announced in
/// `x-amz-trailer`, or just `x-amz-checksum-algorithm` / `x-amz-sdk-checksum-algorithm`.
pub fn checksum(h: &HeaderMap) -> S3Result<Option<(Algorithm, Option<String>)>> {
    let mut found = None;
    for alg in Algorithm::ALL {
        if let Some(v) = get(h, alg.header()) {
            if found.is_some() {
                return Err(S3Error::InvalidRequest("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.".into()));
            }
            if !crate::checksum::valid_value(alg, &v) {
                return Err(S3Error::InvalidRequest(format!(
                    "Value for {} header is invalid.",
                    alg.header()
                )));
            }
            found = Some((alg, Some(v)));
        }
    }
    if found.is_some() {
        return Ok(found);
    }
    if let Some(t) = get(h, "x-amz-trailer") {
        let t = t.trim().to_ascii_lowercase();
        if let Some(alg) = Algorithm::ALL.into_iter().find(|a| a.header() == t) {
            return Ok(Some((alg, None)));
        }
    }
    for name in ["x-amz-checksum-algorithm", "x-amz-sdk-checksum-algorithm"] {
        if let Some(a) = get(h, name) {
            let alg = Algorithm::parse(&a).ok_or_else(|| S3Error::InvalidRequest(
                "Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]".into(),
            ))?;
            return Ok(Some((alg, None)));
        }
    }
    Ok(None)
}

/// The body length the client declares: x-amz-decoded-content-length for aws-chunked bodies,
/// else Content-Length.
pub fn declared_len(h: &HeaderMap) -> S3Result<Option<u64>> {
    let v = get(h, "x-amz-decoded-content-length").or_else(|| get(h, "content-length"));
    match v {
        None => Ok(None),
        Some(v) => v
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| S3Error::InvalidArgument {
                message: "Invalid Content-Length".into(),
                name: "Content-Length".into(),
                value: v,
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_range(v: &str) -> Option<RangeSpec> {
        let mut h = HeaderMap::new();
        h.insert("range", v.parse().unwrap());
        range(&h)
    }

    #[test]
    fn ranges() {
        assert_eq!(with_range("bytes=0-9"), Some(RangeSpec::FromTo(0, Some(9))));
        assert_eq!(with_range("bytes=5-"), Some(RangeSpec::FromTo(5, None)));
        assert_eq!(with_range("bytes=-3"), Some(RangeSpec::Suffix(3)));
        assert_eq!(with_range("bytes=9-2"), None);
        assert_eq!(with_range("items=0-1"), None);
    }
}
