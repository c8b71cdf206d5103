//! The HTTP edge: one handler for every request on the port. It detects the service,
//! authenticates the signature (SigV4; SigV2 too for S3), frames the body, hands the request to the service's wire
//! layer, and stamps the request id on the response. Services never see hyper types.

use crate::body::{self, Framing, HyperBody, RequestBody};
use crate::detect::{self, Service};
use crate::App;
use http::{HeaderValue, Request, Response};
use hyper::body::Incoming;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use trailstack_core::{Caller, SignatureVersion};
use trailstack_s3::{wire, S3Error};
use trailstack_sigv4::{AuthLocation, ChunkMode};

mod access_log;
mod auth;
mod form;
mod json;
mod json_error;
mod query;
use auth::{
    authenticate, authenticate_s3, identity, s3_auth_error, s3_refused, security_token, Refused,
    S3Auth,
};
use form::post_form;
use json::{admin_request, cloudtrail_request, kms_request};
use json_error::JsonError;
use query::{query_error, query_request};

/// The client end of a request's connection.
#[derive(Debug, Clone, Copy)]
pub struct Peer {
    /// The client's address (`aws:SourceIp`, CloudTrail's `sourceIPAddress`).
    pub remote: SocketAddr,
    /// Whether the connection is TLS: `aws:SecureTransport`, the refusal of SSE-C and SSE-KMS
    /// over plain HTTP (`--require-tls-for-sse`), CloudTrail's `tlsDetails`.
    pub secure: bool,
}

/// Most bytes of request headers S3 reads (names, values, `": "` and line ends); beyond it S3
/// answers `RequestHeaderSectionTooLarge`.
const MAX_S3_HEADER_SECTION: usize = 8192;

fn header_section_len(h: &http::HeaderMap) -> usize {
    h.iter().map(|(k, v)| k.as_str().len() + v.len() + 4).sum()
}

fn amz_time(t: time::OffsetDateTime) -> String {
    trailstack_sigv4::format_amz_date(t)
}

/// Whether a request asks for `100 Continue` (`Expect: 100-continue`), and whether it declares
/// no body.
fn expects_continue(h: &http::HeaderMap) -> (bool, bool) {
    let expects = h
        .get(http::header::EXPECT)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
    let no_body = match h.get(http::header::CONTENT_LENGTH) {
        Some(v) => v.as_bytes() == b"0",
        None => !h.contains_key(http::header::TRANSFER_ENCODING),
    };
    (expects, no_body)
}

/// Whether the connection must close after answering a request that expected `100 Continue`.
/// - It had no body: hyper answers without the interim `100 Continue` (there is nothing to
///   continue), and botocore (the aws CLI, boto3) then keeps that final status line and applies
///   it to the next response on the kept-alive connection, stalling until its read timeout:
///   <https://github.com/boto/botocore/issues/3755>. Closing resets the client.
/// - Its body was never read (an error answered first): no `100 Continue` went out, so the
///   client does not send the body and may send its next request at once. hyper, draining the
///   unread body after the answer, would take that request's first bytes for the body and
///   answer the rest with a bare 400 when the drain runs late (under load). Closing is what
///   RFC 9110 §10.1.1 leaves a server that will not read the body.
fn close_after_continue((expects, no_body): (bool, bool), asked: Option<&AtomicBool>) -> bool {
    expects && (no_body || asked.is_some_and(|a| !a.load(Ordering::Relaxed)))
}

/// The service a request is for, and its operation name when its `X-Amz-Target` says it.
fn service_of<B>(req: &Request<B>) -> (Service, String) {
    let target = req
        .headers()
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok());
    let authz = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok());
    let query = req.uri().query().unwrap_or("");
    let cred_q = query
        .split('&')
        .find_map(|p| p.strip_prefix("X-Amz-Credential="))
        .map(wire::percent_decode);
    let service = detect::detect(target, detect::scope_service(authz, cred_q.as_deref()));
    let op = target
        .and_then(|t| t.rsplit('.').next())
        .unwrap_or("")
        .to_string();
    (service, op)
}

/// Stamps the request id and the server name on a response.
fn stamp(resp: &mut Response<HyperBody>, request_id: &str) {
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(request_id) {
        h.insert("x-amz-request-id", v.clone());
        h.insert("x-amzn-requestid", v);
    }
    h.insert("server", HeaderValue::from_static("trailstack"));
}

/// The answer to every request of a connection beyond the connection limit: S3's `SlowDown`
/// (503), the JSON services' `ThrottlingException`. SDKs retry both with backoff. Nothing is
/// read, authenticated or recorded.
pub fn busy(app: &App, req: &Request<Incoming>) -> Response<HyperBody> {
    let request_id = app.next_request_id();
    let service = service_of(req).0;
    let query = (400, "Throttling", "Rate exceeded");
    let mut resp = edge_error(
        service,
        &request_id,
        S3Error::SlowDown,
        query,
        JsonError::Throttled,
    );
    stamp(&mut resp, &request_id);
    resp
}

/// A failure of the edge itself (no service answered), in the protocol of `service`: S3's
/// error, the query protocol's status, code and message, or the JSON services' error.
fn edge_error(
    service: Service,
    request_id: &str,
    s3: S3Error,
    (status, code, message): (u16, &str, &str),
    json: JsonError,
) -> Response<HyperBody> {
    match service {
        Service::S3 => wire::encode_error(&s3, request_id, "", false).map(body::outgoing),
        Service::Sts | Service::Iam => {
            query_error(query::namespace(service), status, code, message, request_id)
        }
        _ => json.response(),
    }
}

/// Handles one request.
pub async fn handle(app: &App, req: Request<Incoming>, peer: Peer) -> Response<HyperBody> {
    let request_id = app.next_request_id();
    if let Some(resp) = console_request(&req) {
        return resp;
    }
    let continues = expects_continue(req.headers());
    let (service, op) = service_of(&req);
    let (parts, body) = req.into_parts();
    let access =
        (service == Service::S3).then(|| access_log::Pending::of(&parts, peer, app.clock.now()));
    let mut body = RequestBody::new(body, app.config.read_timeout);
    let asked = continues.0.then(|| body.watch_asked());
    // One durable scope per request: the call's effects, the internal calls it makes and its
    // CloudTrail record share one fsync, and nothing is answered before that fsync. Each
    // service's future is boxed: they are tens of kilobytes, and unboxed they were copied
    // whole each time this future moved (a third of a small GET's instructions were memcpy).
    let served = app
        .db
        .durable_scope(async {
            match service {
                Service::S3 => {
                    let resp = Box::pin(s3_request(app, parts, body, peer, &request_id)).await;
                    match access {
                        Some(a) => a.record(app, &request_id, resp).await,
                        None => resp,
                    }
                }
                Service::Kms => Box::pin(kms_request(app, parts, body, peer, &request_id)).await,
                Service::CloudTrail => {
                    Box::pin(cloudtrail_request(app, parts, body, peer, &request_id)).await
                }
                Service::Admin => {
                    Box::pin(admin_request(app, parts, body, peer, &request_id)).await
                }
                Service::Sts => {
                    Box::pin(query_request(
                        app,
                        parts,
                        body,
                        peer,
                        &request_id,
                        query::STS,
                    ))
                    .await
                }
                Service::Iam => {
                    Box::pin(query_request(
                        app,
                        parts,
                        body,
                        peer,
                        &request_id,
                        query::IAM,
                    ))
                    .await
                }
                Service::Other => JsonError::UnknownService(op).response(),
            }
        })
        .await;
    let mut resp = match served {
        Ok(resp) => resp,
        Err(e) => {
            tracing::error!("request {request_id}: not durable: {e}");
            let s3 = S3Error::Internal(e.to_string());
            let query = (
                500,
                "InternalFailure",
                "The request could not be made durable.",
            );
            edge_error(service, &request_id, s3, query, JsonError::NotDurable)
        }
    };
    stamp(&mut resp, &request_id);
    if close_after_continue(continues, asked.as_deref()) {
        resp.headers_mut()
            .insert(http::header::CONNECTION, HeaderValue::from_static("close"));
    }
    resp
}

/// The web console's files, answered before any service sees the request (they are static and
/// public: the console signs its API calls in the browser).
fn console_request<B>(req: &Request<B>) -> Option<Response<HyperBody>> {
    let host = req.headers().get("host").and_then(|v| v.to_str().ok());
    let by_host = host.is_some_and(|h| trailstack_s3::wire::bucket_from_host(h).is_some());
    let path = req.uri().path();
    crate::console::is_console(req.method(), path, by_host)
        .then(|| crate::console::serve(req.method(), path))
}

/// An S3 request: a CORS preflight is answered from the bucket's rules, unauthenticated as
/// browsers send it; any other request is served, and its answer (success or error) carries
/// the `Access-Control-*` headers of the bucket's rule that allows its origin and method.
async fn s3_request(
    app: &App,
    parts: http::request::Parts,
    body: RequestBody,
    peer: Peer,
    request_id: &str,
) -> Response<HyperBody> {
    use wire::cors;
    let at = wire::Addressed::of(&parts);
    if parts.method == http::Method::OPTIONS {
        let preflight = cors::preflight(&at.host, parts.uri.path(), &parts.headers);
        let resource = wire::resource(preflight.bucket.as_deref(), None);
        return match app.s3.preflight(preflight).await {
            Ok(headers) => cors::encode_preflight(headers).map(body::outgoing),
            Err(e) => s3_error(&e, request_id, &resource, false),
        };
    }
    let cross_origin = cors::actual(&parts.method, &parts.headers);
    let mut resp = s3_serve(app, parts, body, peer, request_id, &at).await;
    if let (Some((origin, method)), Some(bucket)) = (cross_origin, &at.bucket) {
        let headers = app.s3.cors_headers(bucket, &origin, &method).await;
        cors::add(resp.headers_mut(), headers);
    }
    resp
}

async fn s3_serve(
    app: &App,
    parts: http::request::Parts,
    body: RequestBody,
    peer: Peer,
    request_id: &str,
    at: &wire::Addressed,
) -> Response<HyperBody> {
    let (host, resource) = (at.host.as_str(), at.resource());
    let head = parts.method == http::Method::HEAD;
    let fail = |e: &S3Error| access_log::mark_error(s3_error(e, request_id, &resource, head), e);
    if header_section_len(&parts.headers) > MAX_S3_HEADER_SECTION {
        return fail(&S3Error::RequestHeaderSectionTooLarge {
            max: MAX_S3_HEADER_SECTION as u64,
        });
    }
    let is_form =
        wire::post_upload::is_form_upload(&parts.method, at.key.as_deref(), &parts.headers);
    if let (true, Some(bucket)) = (is_form, at.bucket.clone()) {
        return match post_form(app, &parts, body, bucket, peer, request_id).await {
            Ok((caller, op)) => s3_answer(app, &caller, op, &Default::default(), &fail).await,
            Err(e) => fail(&e),
        };
    }
    let auth = match authenticate_s3(app, &parts, host) {
        Ok(Some(S3Auth::V4(a))) => *a,
        Ok(Some(S3Auth::V2(signed))) => {
            let by = SignedBy {
                access_key: &signed.access_key,
                region: &app.config.region,
                version: SignatureVersion::V2,
                location: signed.location,
            };
            let caller = match signed_caller(app, &parts, &by, "s3", peer, request_id) {
                Ok(c) => c,
                Err(r) => return fail(&s3_refused(r, signed.access_key)),
            };
            // SigV2 signs no payload hash: the body is only checked against its checksums.
            let framing = unsigned_framing(&parts.headers);
            return s3_call(app, parts, body, framing, caller, host, &fail).await;
        }
        // Unsigned: S3 itself decides what an anonymous caller may do (public buckets and
        // objects), and answers AccessDenied to the rest.
        Ok(None) => {
            let Some(caller) = anonymous_caller(app, &parts, peer, request_id) else {
                return fail(&S3Error::AccessDenied("Access Denied".into()));
            };
            let framing = unsigned_framing(&parts.headers);
            return s3_call(app, parts, body, framing, caller, host, &fail).await;
        }
        Err((e, named_key)) => {
            let mut err = s3_auth_error(e);
            if let S3Error::SignatureDoesNotMatch { access_key, .. } = &mut err {
                *access_key = named_key;
            }
            return fail(&err);
        }
    };
    let by = SignedBy::v4(&auth.signed);
    let caller = match signed_caller(app, &parts, &by, "s3", peer, request_id) {
        Ok(c) => c,
        Err(r) => return fail(&s3_refused(r, auth.signed.access_key.clone())),
    };
    let framing = if auth.signed.location == AuthLocation::Query {
        Framing::Plain
    } else {
        match ChunkMode::from_content_sha256(&auth.payload_hash) {
            Some(mode @ ChunkMode::UnsignedWithTrailer) => Framing::Chunked(mode, None),
            Some(mode) => Framing::Chunked(mode, Some(auth.verified.chunk_signer())),
            None if auth.payload_hash == trailstack_sigv4::UNSIGNED_PAYLOAD => Framing::Plain,
            None => Framing::Sha256(auth.payload_hash.clone()),
        }
    };
    s3_call(app, parts, body, framing, caller, host, &fail).await
}

/// S3's answer to `e` for `resource`; an internal error's cause goes to the log, once.
fn s3_error(e: &S3Error, request_id: &str, resource: &str, head: bool) -> Response<HyperBody> {
    if let S3Error::Internal(cause) | S3Error::Unavailable(cause) = e {
        tracing::error!(request_id, "internal error: {cause}");
    }
    wire::encode_error(e, request_id, resource, head).map(body::outgoing)
}

/// The framing of a body no signature covers (anonymous or SigV2): plain, or aws-chunked with
/// trailing checksums when the request says so.
fn unsigned_framing(headers: &http::HeaderMap) -> Framing {
    match headers
        .get("x-amz-content-sha256")
        .and_then(|v| v.to_str().ok())
        .and_then(ChunkMode::from_content_sha256)
    {
        Some(mode @ ChunkMode::UnsignedWithTrailer) => Framing::Chunked(mode, None),
        _ => Framing::Plain,
    }
}

/// Parses an authenticated (or anonymous) S3 request into its operation and runs it.
async fn s3_call(
    app: &App,
    parts: http::request::Parts,
    body: RequestBody,
    framing: Framing,
    caller: Caller,
    host: &str,
    fail: &impl Fn(&S3Error) -> Response<HyperBody>,
) -> Response<HyperBody> {
    let expected = wire::expected_owners(&parts.headers);
    let wire_req = wire::Request::new(parts, body::incoming(body, framing));
    match wire::parse(wire_req, host).await {
        Ok(op) => s3_answer(app, &caller, op, &expected, fail).await,
        Err(e) => {
            let mut resp = fail(&e);
            resp.extensions_mut()
                .insert(access_log::Requester::of(&caller, false));
            resp
        }
    }
}

/// Runs `op` for `caller` and answers it, telling the access log who asked.
async fn s3_answer(
    app: &App,
    caller: &Caller,
    op: trailstack_s3::Op,
    expected: &trailstack_s3::op::ExpectedOwners,
    fail: &impl Fn(&S3Error) -> Response<HyperBody>,
) -> Response<HyperBody> {
    let (result, acl_required) = app.s3.call_noting_acl(caller, op, expected).await;
    let mut resp = match result {
        Ok(out) => wire::encode(out).map(body::outgoing),
        Err(e) => fail(&e),
    };
    resp.extensions_mut()
        .insert(access_log::Requester::of(caller, acl_required));
    resp
}

/// The canonical user id S3 gives unsigned requests (the owner of what they write into a
/// bucket that lets anyone write, under ObjectWriter).
const ANONYMOUS_CANONICAL_ID: &str = "65a011a29cdf8ec533ec3d1ccaae921c";

/// The caller of an unsigned S3 request. It belongs to no account: `account` is a placeholder
/// that S3 never treats as the caller's (it records the request for the bucket's owner).
fn anonymous_caller(
    app: &App,
    parts: &http::request::Parts,
    peer: Peer,
    request_id: &str,
) -> Option<Caller> {
    Some(Caller {
        account: trailstack_core::AccountId::parse(crate::config::DEFAULT_ACCOUNT).ok()?,
        principal: trailstack_core::Principal::Anonymous,
        access_key: None,
        canonical_id: ANONYMOUS_CANONICAL_ID.to_string(),
        display_name: String::new(),
        source_ip: Some(peer.remote.ip()),
        user_agent: user_agent(&parts.headers),
        request_id: request_id.to_string(),
        region: app.config.region.clone(),
        secure_transport: peer.secure,
        invoked_by: None,
        source_arn: None,
        session: None,
        host: host(&parts.headers),
        auth_method: None,
        signature_version: None,
    })
}

/// The caller's user agent as CloudTrail records it: `X-Amz-User-Agent` when the request has
/// one, else `User-Agent`. Browsers do not let a page set `User-Agent`, so SDKs running in a
/// browser (AWS's JavaScript SDK, trailstack's console) name themselves in `X-Amz-User-Agent`,
/// and AWS records that name.
fn user_agent(headers: &http::HeaderMap) -> String {
    headers
        .get("x-amz-user-agent")
        .or_else(|| headers.get("user-agent"))
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// The `Host` header as the caller sent it, "" without one.
fn host(headers: &http::HeaderMap) -> String {
    headers
        .get(http::header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// Who signed a request, and how.
struct SignedBy<'a> {
    access_key: &'a str,
    /// The region of the credential scope (SigV2 names none: the server's).
    region: &'a str,
    version: SignatureVersion,
    location: AuthLocation,
}

impl<'a> SignedBy<'a> {
    /// The signer of a request's SigV4 signature.
    fn v4(signed: &'a trailstack_sigv4::SignedRequest) -> Self {
        SignedBy {
            access_key: &signed.access_key,
            region: &signed.scope.region,
            version: SignatureVersion::V4,
            location: signed.location,
        }
    }
}

/// Why a JSON- or query-protocol request has no caller.
enum NoCaller {
    /// No signature (`None`) or one that failed; a key that names no one is
    /// `InvalidAccessKeyId`.
    Signature(Option<trailstack_sigv4::SigError>),
    /// Temporary credentials past their expiry.
    Expired,
}

/// The caller of a JSON- or query-protocol request whose `body` has been read: SigV4 only,
/// the body's hash standing in for an absent `x-amz-content-sha256`.
fn v4_caller(
    app: &App,
    parts: &http::request::Parts,
    body: &[u8],
    peer: Peer,
    request_id: &str,
) -> Result<Caller, NoCaller> {
    let auth = match authenticate(app, parts, Some(&trailstack_sigv4::sha256_hex(body))) {
        Ok(Some(a)) => a,
        Ok(None) => return Err(NoCaller::Signature(None)),
        Err((e, _)) => return Err(NoCaller::Signature(Some(e))),
    };
    let by = SignedBy::v4(&auth.signed);
    signed_caller(
        app,
        parts,
        &by,
        &auth.signed.scope.service,
        peer,
        request_id,
    )
    .map_err(|r| match r {
        Refused::ExpiredToken => NoCaller::Expired,
        _ => NoCaller::Signature(Some(trailstack_sigv4::SigError::InvalidAccessKeyId {
            access_key: auth.signed.access_key.clone(),
        })),
    })
}

/// The caller of a request whose signature by `by` checked: who holds the key (with the
/// request's session token), its use by `service` noted (GetAccessKeyLastUsed); or why the key
/// names no one.
fn signed_caller(
    app: &App,
    parts: &http::request::Parts,
    by: &SignedBy,
    service: &str,
    peer: Peer,
    request_id: &str,
) -> Result<Caller, Refused> {
    let identity = identity(app, by.access_key, security_token(parts).as_deref())?;
    app.iam.note_use(by.access_key, service, by.region);
    Ok(caller_for(&identity, by, parts, peer, request_id))
}

fn caller_for(
    identity: &crate::config::Identity,
    by: &SignedBy,
    parts: &http::request::Parts,
    peer: Peer,
    request_id: &str,
) -> Caller {
    Caller {
        account: identity.account.clone(),
        principal: identity.principal.clone(),
        access_key: Some(by.access_key.to_string()),
        canonical_id: identity.canonical_id.clone(),
        display_name: identity.display_name.clone(),
        source_ip: Some(peer.remote.ip()),
        user_agent: user_agent(&parts.headers),
        request_id: request_id.to_string(),
        region: by.region.to_string(),
        secure_transport: peer.secure,
        invoked_by: None,
        source_arn: None,
        host: host(&parts.headers),
        auth_method: Some(match by.location {
            AuthLocation::Query => "QueryString",
            AuthLocation::Header => "AuthHeader",
        }),
        signature_version: Some(by.version),
        session: identity.session.clone(),
    }
}
