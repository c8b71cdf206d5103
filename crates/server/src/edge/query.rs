//! The query-protocol services on the edge (STS, IAM): read the small form, authenticate it, hand it
//! to the service's wire layer, and render `<ErrorResponse>` errors, authentication failures
//! included, in the service's own XML namespace.
//!
//! AWS facts: docs/aws/iam-sts.md §1, §3.

use super::json::read_small_body;
use super::{amz_time, v4_caller, NoCaller, Peer};
use crate::body::{self, HyperBody, RequestBody};
use crate::App;
use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode};
use trailstack_core::{Caller, ResponseBody};
use trailstack_iam::wire::{self, iam, sts, Form};
use trailstack_iam::{Iam, IamOp, IamOutput, IamResult, StsOp, StsOutput};
use trailstack_sigv4::SigError;

/// An XML response of a query-protocol service.
fn xml_response(status: u16, body: Vec<u8>) -> Response<HyperBody> {
    let mut r = Response::new(body::outgoing(ResponseBody::Full(Bytes::from(body))));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    r.headers_mut()
        .insert("content-type", HeaderValue::from_static("text/xml"));
    r
}

/// A query-protocol error in `namespace`.
pub(super) fn query_error(
    namespace: &str,
    status: u16,
    code: &str,
    message: &str,
    request_id: &str,
) -> Response<HyperBody> {
    let fault = if status >= 500 { "Receiver" } else { "Sender" };
    xml_response(
        status,
        wire::encode_error(namespace, code, fault, message, request_id),
    )
}

/// The query-protocol error for a failed authentication (`None`: the request is unsigned).
fn auth_error(namespace: &str, e: Option<SigError>, request_id: &str) -> Response<HyperBody> {
    let (status, code, message) = match e {
        None => (
            403,
            "MissingAuthenticationToken",
            "Request is missing Authentication Token".to_string(),
        ),
        Some(SigError::InvalidAccessKeyId { .. }) => (
            403,
            "InvalidClientTokenId",
            "The security token included in the request is invalid.".to_string(),
        ),
        Some(SigError::SignatureDoesNotMatch { .. }) => (
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. \
             Check your AWS Secret Access Key and signing method. Consult the service \
             documentation for details."
                .to_string(),
        ),
        Some(SigError::RequestTimeTooSkewed {
            request_time,
            server_time,
        }) => (
            403,
            "SignatureDoesNotMatch",
            format!(
                "Signature expired: {} is now earlier than {} ({} - 15 min.)",
                amz_time(request_time),
                amz_time(server_time - time::Duration::minutes(15)),
                amz_time(server_time)
            ),
        ),
        Some(other) => (400, "IncompleteSignature", other.to_string()),
    };
    query_error(namespace, status, code, &message, request_id)
}

/// Reads and authenticates a query-protocol request: its caller and form, or the error response.
async fn query_caller(
    app: &App,
    parts: &http::request::Parts,
    body: RequestBody,
    peer: Peer,
    namespace: &str,
    request_id: &str,
) -> Result<(Caller, Form), Response<HyperBody>> {
    let Some(body) = read_small_body(body).await else {
        return Err(query_error(
            namespace,
            413,
            "RequestEntityTooLarge",
            "The request body is too large or could not be read.",
            request_id,
        ));
    };
    let caller = v4_caller(app, parts, &body, peer, request_id).map_err(|e| match e {
        NoCaller::Signature(e) => auth_error(namespace, e, request_id),
        NoCaller::Expired => query_error(
            namespace,
            403,
            "ExpiredToken",
            "The security token included in the request is expired",
            request_id,
        ),
    })?;
    let form = Form::decode(parts.uri.query().unwrap_or(""), &body);
    Ok((caller, form))
}

/// STS on the query protocol.
pub(super) const STS: QueryService<StsOp, StsOutput> = QueryService {
    namespace: sts::NAMESPACE,
    parse: sts::parse,
    encode: sts::encode,
    call: |iam, caller, op| Box::pin(iam.sts(caller, op)),
};

/// IAM on the query protocol.
pub(super) const IAM: QueryService<IamOp, IamOutput> = QueryService {
    namespace: iam::NAMESPACE,
    parse: iam::parse,
    encode: iam::encode,
    call: |iam, caller, op| Box::pin(iam.iam(caller, op)),
};

/// The XML namespace of a query-protocol service's documents.
pub(super) fn namespace(service: crate::detect::Service) -> &'static str {
    match service {
        crate::detect::Service::Iam => trailstack_iam::wire::iam::NAMESPACE,
        _ => trailstack_iam::wire::sts::NAMESPACE,
    }
}

/// How one query-protocol service (STS or IAM) reads and writes its documents, and runs an
/// operation.
pub(super) struct QueryService<O, T> {
    namespace: &'static str,
    parse: fn(&Form) -> IamResult<O>,
    encode: fn(&O, &T, &str) -> Vec<u8>,
    call: for<'a> fn(&'a Iam, &'a Caller, O) -> BoxFuture<'a, IamResult<T>>,
}

/// A future the edge awaits, borrowing the service it runs in.
type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

/// A query-protocol request: authenticated, parsed into `O`, run by the service, answered in
/// its XML; every failure is the service's `<ErrorResponse>`.
pub(super) async fn query_request<O: Clone, T>(
    app: &App,
    parts: http::request::Parts,
    body: RequestBody,
    peer: Peer,
    request_id: &str,
    service: QueryService<O, T>,
) -> Response<HyperBody> {
    let namespace = service.namespace;
    let (caller, form) = match query_caller(app, &parts, body, peer, namespace, request_id).await {
        Ok(x) => x,
        Err(resp) => return resp,
    };
    let op = match (service.parse)(&form) {
        Ok(op) => op,
        Err(e) => return service_error(namespace, &e, request_id),
    };
    match (service.call)(&app.iam, &caller, op.clone()).await {
        Ok(out) => xml_response(200, (service.encode)(&op, &out, request_id)),
        Err(e) => service_error(namespace, &e, request_id),
    }
}

fn service_error(
    namespace: &str,
    e: &trailstack_iam::IamError,
    request_id: &str,
) -> Response<HyperBody> {
    if let trailstack_iam::IamError::Internal(cause)
    | trailstack_iam::IamError::Unavailable(cause) = e
    {
        tracing::error!(request_id, "internal error: {cause}");
    }
    let (status, body) = wire::error_response(namespace, e, request_id);
    xml_response(status, body)
}
