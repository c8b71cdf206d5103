//! The server access log record of every S3 request addressed to a bucket, made here because
//! only the edge knows everything a record holds: the request line and headers, the client,
//! who signed and how, the status, error code and bytes of the response, and the time taken.
//! S3 ([`trailstack_s3::S3::record_access`]) keeps it only if the bucket's access is logged,
//! inside the request's durable scope, so a logged request is never answered before its record
//! is on disk.

use crate::body::HyperBody;
use crate::edge::Peer;
use crate::App;
use http::Response;
use std::time::Instant;
use time::OffsetDateTime;
use trailstack_core::{Caller, Principal};
use trailstack_s3::logging::record::{operation, AccessRecord};
use trailstack_s3::S3Error;

/// The cipher suite and protocol trailstack's TLS serves (see `tls.rs`).
const TLS_CIPHER_SUITE: &str = "TLS_AES_128_GCM_SHA256";
const TLS_VERSION: &str = "TLSv1.3";

/// Who made an S3 request, attached to its response by the edge once it is known.
#[derive(Debug, Clone)]
pub(super) struct Requester {
    arn: Option<String>,
    auth_type: Option<&'static str>,
    signature_version: Option<&'static str>,
    acl_required: bool,
}

impl Requester {
    /// The requester of a call made as `caller`: its ARN, unless it is anonymous, and whether
    /// only an ACL grant let it in.
    pub(super) fn of(caller: &Caller, acl_required: bool) -> Requester {
        Requester {
            arn: (caller.principal != Principal::Anonymous).then(|| caller.arn()),
            auth_type: caller.auth_method,
            signature_version: caller.signature_version.map(|v| v.cloudtrail_name()),
            acl_required,
        }
    }
}

/// The S3 error code of an error response, attached by the edge.
#[derive(Debug, Clone)]
pub(super) struct ErrorCode(pub String);

/// Marks `resp` as the answer `e`.
pub(super) fn mark_error(mut resp: Response<HyperBody>, e: &S3Error) -> Response<HyperBody> {
    resp.extensions_mut()
        .insert(ErrorCode(e.code().to_string()));
    resp
}

/// What a record needs from the request, read before the request is handed on (cheaply:
/// most buckets are not logged, and the rest is worked out only for those that are).
pub(super) struct Pending {
    time: OffsetDateTime,
    started: Instant,
    method: http::Method,
    uri: http::Uri,
    version: http::Version,
    copy: bool,
    request_len: Option<u64>,
    referer: Option<String>,
    user_agent: Option<String>,
    host: Option<String>,
    peer: Peer,
}

fn header(parts: &http::request::Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

impl Pending {
    /// Reads the request's side of its record; `time` is when it arrived.
    pub(super) fn of(parts: &http::request::Parts, peer: Peer, time: OffsetDateTime) -> Pending {
        Pending {
            time,
            started: Instant::now(),
            method: parts.method.clone(),
            uri: parts.uri.clone(),
            version: parts.version,
            copy: parts.headers.contains_key("x-amz-copy-source"),
            request_len: header(parts, "x-amz-decoded-content-length")
                .or_else(|| header(parts, "content-length"))
                .and_then(|v| v.parse().ok()),
            referer: header(parts, "referer"),
            user_agent: header(parts, "user-agent"),
            host: header(parts, "host"),
            peer,
        }
    }

    /// Makes the record of the request answered by `resp` (if its bucket is logged); a record
    /// that cannot be kept turns the answer into an internal error, since a logged request
    /// must not be acknowledged without its record.
    pub(super) async fn record(
        self,
        app: &App,
        request_id: &str,
        resp: Response<HyperBody>,
    ) -> Response<HyperBody> {
        let elapsed = self.started.elapsed().as_millis() as u64;
        let host = self.host.as_deref().unwrap_or("");
        let (Some(bucket), key) = trailstack_s3::wire::address(host, self.uri.path()) else {
            return resp;
        };
        if !app.s3.access_logged(&bucket).await {
            return resp;
        }
        let query = trailstack_s3::wire::parse_query(self.uri.query().unwrap_or(""));
        let operation = operation(self.method.as_str(), &query, key.is_some(), self.copy);
        let path_and_query = self
            .uri
            .path_and_query()
            .map_or_else(|| self.uri.path().to_string(), |p| p.as_str().to_string());
        let request_uri = format!("{} {} {:?}", self.method, path_and_query, self.version);
        let version_query = query
            .into_iter()
            .find(|(k, _)| k == "versionId")
            .map(|(_, v)| v);
        let requester = resp.extensions().get::<Requester>().cloned();
        let error_code = resp.extensions().get::<ErrorCode>().map(|e| e.0.clone());
        let headers = resp.headers();
        let header_u64 = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok())
        };
        let bytes_sent = if self.method == http::Method::HEAD {
            0
        } else {
            http_body::Body::size_hint(resp.body())
                .exact()
                .or_else(|| header_u64("content-length"))
                .unwrap_or(0)
        };
        let object_size = match operation.as_str() {
            "REST.GET.OBJECT" | "REST.HEAD.OBJECT" if error_code.is_none() => headers
                .get("content-range")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.rsplit('/').next())
                .and_then(|v| v.parse().ok())
                .or_else(|| header_u64("content-length")),
            "REST.PUT.OBJECT" | "REST.PUT.PART" => self.request_len,
            _ => None,
        };
        let version_id = headers
            .get("x-amz-version-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .or(version_query);
        let secure = self.peer.secure;
        let record = AccessRecord {
            bucket,
            time: Some(self.time),
            remote_ip: Some(self.peer.remote.ip()),
            requester: requester.as_ref().and_then(|r| r.arn.clone()),
            request_id: request_id.to_string(),
            operation,
            key,
            request_uri: Some(request_uri),
            status: Some(resp.status().as_u16()),
            error_code,
            bytes_sent,
            object_size,
            total_ms: Some(elapsed),
            turnaround_ms: Some(elapsed),
            referer: self.referer,
            user_agent: self.user_agent,
            version_id,
            signature_version: requester.as_ref().and_then(|r| r.signature_version),
            cipher_suite: secure.then(|| TLS_CIPHER_SUITE.to_string()),
            auth_type: requester.as_ref().and_then(|r| r.auth_type),
            host_header: self.host,
            tls_version: secure.then(|| TLS_VERSION.to_string()),
            acl_required: requester.as_ref().is_some_and(|r| r.acl_required),
        };
        match app.s3.record_access(record).await {
            Ok(()) => resp,
            Err(e) => {
                tracing::error!(request_id, "access log record not kept: {e}");
                trailstack_s3::wire::encode_error(
                    &S3Error::Internal(e.to_string()),
                    request_id,
                    "",
                    false,
                )
                .map(crate::body::outgoing)
            }
        }
    }
}
