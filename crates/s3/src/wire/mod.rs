//! The S3 REST wire protocol: HTTP request -> [`Op`] (`request.rs`, `xml_in.rs`), and
//! [`Output`] / [`S3Error`] -> HTTP response (`response.rs`, `xml_out.rs`). The only S3 code that
//! sees HTTP types or XML.
//!
//! [`Op`]: crate::op::Op
//! [`Output`]: crate::op::Output

mod copy_source;
pub mod cors;
mod grants;
mod headers;
mod lifecycle;
mod lock;
mod mime_words;
pub mod post;
mod post_policy;
pub mod post_upload;
mod request;
mod response;
pub mod sse;
// Public only for the fuzz targets (fuzz/), which feed its documents straight to each parser.
#[doc(hidden)]
pub mod xml_in;
mod xml_logging;
mod xml_out;

pub use headers::expected_owners;
pub use request::parse;
pub use response::{encode, encode_error};
pub(crate) use xml_out::{timestamp, url_encode};

use trailstack_core::BodyStream;

/// An HTTP request as the S3 wire layer needs it.
pub struct Request {
    /// The method.
    pub method: http::Method,
    /// The path as sent, still percent-encoded.
    pub raw_path: String,
    /// Query parameters, percent-decoded, in order.
    pub query: Vec<(String, String)>,
    /// The headers.
    pub headers: http::HeaderMap,
    /// The body, de-framed and signature-checked by the edge.
    pub body: BodyStream,
}

impl Request {
    /// The request of `parts`, with its body as the edge de-framed and checked it.
    pub fn new(parts: http::request::Parts, body: BodyStream) -> Request {
        Request {
            query: parse_query(parts.uri.query().unwrap_or("")),
            raw_path: parts.uri.path().to_string(),
            method: parts.method,
            headers: parts.headers,
            body,
        }
    }
}

/// Splits and percent-decodes a query string ('+' stays '+', as S3 signs it).
pub fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

/// What an S3 request addresses, read once from its Host header and path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Addressed {
    /// The Host header (empty when missing).
    pub host: String,
    /// The bucket, from the host (virtual-hosted style) or the path's first segment.
    pub bucket: Option<String>,
    /// The object key, percent-decoded.
    pub key: Option<String>,
}

impl Addressed {
    /// The bucket and key `parts` address.
    pub fn of(parts: &http::request::Parts) -> Addressed {
        let host = parts
            .headers
            .get("host")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let (bucket, key) = address(&host, parts.uri.path());
        Addressed { host, bucket, key }
    }

    /// The resource an error names: `/bucket/key`, `/bucket` or `/`.
    pub fn resource(&self) -> String {
        resource(self.bucket.as_deref(), self.key.as_deref())
    }
}

/// Host names under which `bucket.<host>` addresses a bucket (virtual-hosted style).
const VIRTUAL_HOST_BASES: [&str; 4] = [
    "s3.localhost",
    "localhost",
    "s3.amazonaws.com",
    "localhost.localstack.cloud",
];

/// The bucket named by a virtual-hosted-style Host header, if any.
pub fn bucket_from_host(host: &str) -> Option<String> {
    let host = host.rsplit_once(':').map_or(host, |(h, port)| {
        if port.bytes().all(|b| b.is_ascii_digit()) {
            h
        } else {
            host
        }
    });
    let host = host.to_ascii_lowercase();
    for base in VIRTUAL_HOST_BASES {
        if let Some(bucket) = host.strip_suffix(base).and_then(|h| h.strip_suffix('.')) {
            if bucket.is_empty() || bucket == "s3" {
                return None;
            }
            let bucket = bucket.strip_suffix(".s3").unwrap_or(bucket);
            return Some(bucket.to_string());
        }
    }
    // bucket.s3.<region>.amazonaws.com and bucket.s3.<region>.localhost
    let parts: Vec<&str> = host.split('.').collect();
    if let Some(i) = parts
        .iter()
        .position(|p| *p == "s3" || p.starts_with("s3-"))
    {
        if i > 0 && (host.ends_with(".amazonaws.com") || host.ends_with(".localhost")) {
            return Some(parts[..i].join("."));
        }
    }
    None
}

/// Splits a request into (bucket, key) from the Host header and the path.
pub fn address(host: &str, raw_path: &str) -> (Option<String>, Option<String>) {
    let path = percent_decode(raw_path.strip_prefix('/').unwrap_or(raw_path));
    if let Some(bucket) = bucket_from_host(host) {
        let key = (!path.is_empty()).then_some(path);
        return (Some(bucket), key);
    }
    match path.split_once('/') {
        None if path.is_empty() => (None, None),
        None => (Some(path), None),
        Some((b, k)) => (Some(b.to_string()), (!k.is_empty()).then(|| k.to_string())),
    }
}

/// Decodes %XX escapes (S3 paths do not treat '+' as a space).
pub fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// Whether a request path's %XX escapes decode to UTF-8 (S3 refuses other paths with
/// InvalidURI rather than guessing at the key they name).
pub fn path_is_utf8(raw_path: &str) -> bool {
    percent_encoding::percent_decode_str(raw_path)
        .decode_utf8()
        .is_ok()
}

/// The resource an error names: `/bucket/key` or `/bucket`.
pub fn resource(bucket: Option<&str>, key: Option<&str>) -> String {
    match (bucket, key) {
        (Some(b), Some(k)) => format!("/{b}/{k}"),
        (Some(b), None) => format!("/{b}"),
        _ => "/".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addressing() {
        assert_eq!(
            address("127.0.0.1:4566", "/b/k/x%20y"),
            (Some("b".into()), Some("k/x y".into()))
        );
        assert_eq!(address("127.0.0.1:4566", "/b"), (Some("b".into()), None));
        assert_eq!(address("127.0.0.1:4566", "/b/"), (Some("b".into()), None));
        assert_eq!(address("localhost:4566", "/"), (None, None));
        assert_eq!(
            address("mybucket.localhost:4566", "/k"),
            (Some("mybucket".into()), Some("k".into()))
        );
        assert_eq!(
            address("my.bucket.s3.localhost:4566", "/k"),
            (Some("my.bucket".into()), Some("k".into()))
        );
        assert_eq!(
            address("s3.localhost:4566", "/b/k"),
            (Some("b".into()), Some("k".into()))
        );
        assert_eq!(
            address("b.s3.us-west-2.amazonaws.com", "/k"),
            (Some("b".into()), Some("k".into()))
        );
        assert_eq!(
            address("s3.us-west-2.amazonaws.com", "/b/k"),
            (Some("b".into()), Some("k".into()))
        );
        let request = |host: &str, uri: &str| {
            let r = http::Request::builder().uri(uri).header("host", host);
            r.body(()).unwrap().into_parts().0
        };
        let at = Addressed::of(&request("b.s3.localhost:4566", "/k%2Fx?acl"));
        assert_eq!(
            (at.bucket.as_deref(), at.key.as_deref()),
            (Some("b"), Some("k/x"))
        );
        assert_eq!(at.resource(), "/b/k/x");
        assert_eq!(Addressed::of(&request("localhost", "/")).resource(), "/");
    }
}
