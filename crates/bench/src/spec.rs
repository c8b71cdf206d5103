//! One request as a scenario describes it ([`Spec`]), what counts as success ([`Expect`]), and
//! turning it into a signed hyper request for a given host ([`Spec::into_request`]).
//!
//! Must not touch: sockets. Scenarios build specs; the connection sends them.

use crate::body::BenchBody;
use crate::sign::Signer;
use bytes::Bytes;
use http::{Method, Request};
use std::sync::Arc;
use time::OffsetDateTime;
use trailstack_sigv4::{format_amz_date, RequestParts};

/// What a response must look like to count as a success.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expect {
    /// Another status accepted besides 2xx (e.g. 409 when a bucket already exists).
    pub also_ok: Option<u16>,
    /// The exact response body length, when known.
    pub body_len: Option<u64>,
    /// A lower bound on the response body length.
    pub min_body: u64,
}

impl Expect {
    /// Any 2xx, any body.
    pub const OK: Expect = Expect {
        also_ok: None,
        body_len: None,
        min_body: 0,
    };

    /// Any 2xx with exactly `len` body bytes.
    pub fn body(len: u64) -> Expect {
        Expect {
            body_len: Some(len),
            ..Expect::OK
        }
    }

    /// Checks a response; `Err` names what was wrong.
    pub fn check(&self, status: u16, body_len: u64) -> Result<(), String> {
        if !(200..300).contains(&status) && self.also_ok != Some(status) {
            return Err(format!("HTTP {status}"));
        }
        if self.body_len.is_some_and(|want| want != body_len) {
            return Err(format!(
                "body of {body_len} bytes, expected {}",
                self.body_len.unwrap_or_default()
            ));
        }
        if body_len < self.min_body {
            return Err(format!(
                "body of {body_len} bytes, expected at least {}",
                self.min_body
            ));
        }
        Ok(())
    }
}

/// One request to send.
#[derive(Debug, Clone)]
pub struct Spec {
    /// HTTP method.
    pub method: Method,
    /// Path as sent (already percent-encoded where needed).
    pub path: String,
    /// Query as sent, without `?` (`""` for none).
    pub query: String,
    /// Extra headers, all signed (e.g. `x-amz-target`, `content-type` for JSON services).
    pub headers: Vec<(&'static str, String)>,
    /// The body.
    pub body: BenchBody,
    /// `x-amz-content-sha256`: hex SHA-256 of the body, or `UNSIGNED-PAYLOAD`.
    pub payload_hash: Arc<str>,
    /// The SigV4 service of the credential scope (`s3`, later `kms`, `cloudtrail`).
    pub service: &'static str,
    /// What the response must look like.
    pub expect: Expect,
}

impl Spec {
    /// What the request is, for messages: its `X-Amz-Target`, else method, path and query.
    pub fn what(&self) -> String {
        self.headers
            .iter()
            .find(|(n, _)| *n == "x-amz-target")
            .map_or_else(
                || format!("{} {}?{}", self.method, self.path, self.query),
                |(_, v)| v.clone(),
            )
    }

    /// An S3 request with an empty body.
    pub fn s3(method: Method, path: String, query: &str, expect: Expect) -> Spec {
        Spec {
            method,
            path,
            query: query.to_owned(),
            headers: Vec::new(),
            body: BenchBody::Empty,
            payload_hash: empty_hash(),
            service: "s3",
            expect,
        }
    }

    /// Bytes sent in the request body.
    pub fn body_len(&self) -> u64 {
        self.body.len()
    }

    /// The signed request for `host` (`ip:port`), signed now.
    pub fn into_request(self, host: &str, signer: &mut Signer) -> Request<BenchBody> {
        let time = OffsetDateTime::now_utc();
        let amz_date = format_amz_date(time);
        let mut headers: Vec<(&str, &str)> = vec![
            ("host", host),
            ("x-amz-content-sha256", &self.payload_hash),
            ("x-amz-date", &amz_date),
        ];
        headers.extend(self.headers.iter().map(|(n, v)| (*n, v.as_str())));
        let parts = RequestParts {
            method: self.method.as_str(),
            raw_path: &self.path,
            raw_query: &self.query,
            headers: &headers,
        };
        let authorization = signer.authorization(&parts, self.service, time, &self.payload_hash);
        let uri = if self.query.is_empty() {
            self.path.clone()
        } else {
            format!("{}?{}", self.path, self.query)
        };
        let len = self.body.len();
        let mut b = Request::builder().method(self.method.clone()).uri(uri);
        for (n, v) in &headers {
            b = b.header(*n, *v);
        }
        b = b.header("authorization", authorization);
        if len > 0 || self.method == Method::PUT || self.method == Method::POST {
            b = b.header("content-length", len);
        }
        b.body(self.body)
            .unwrap_or_else(|e| panic!("building a request from a spec: {e}"))
    }
}

/// Hex SHA-256 of the empty body.
pub fn empty_hash() -> Arc<str> {
    Arc::from(trailstack_sigv4::EMPTY_SHA256)
}

/// Hex SHA-256 of `body`, computed once by the scenario.
pub fn hash_of(body: &Bytes) -> Arc<str> {
    Arc::from(trailstack_sigv4::sha256_hex(body))
}
