//! The HTTP edge: one handler for every request on the port. It detects the service,
//! authenticates the SigV4 signature, frames the body, hands the request to the service's wire
//! layer, and stamps the request id on the response. Services never see hyper types.

use crate::body::{self, Framing, HyperBody};
use crate::detect::{self, Service};
use crate::App;
use http::{HeaderValue, Request, Response};
use hyper::body::Incoming;
use std::net::SocketAddr;
use trailstack_core::Caller;
use trailstack_s3::S3Error;
use trailstack_sigv4::{AuthLocation, ChunkMode, RequestParts, SigError};

mod json;
use json::{admin_request, cloudtrail_request, json_error, kms_request};

fn amz_time(t: time::OffsetDateTime) -> String {
    trailstack_sigv4::format_amz_date(t)
}

/// The S3 error for a failed authentication.
fn s3_auth_error(e: SigError) -> S3Error {
    match e {
        SigError::InvalidAccessKeyId { access_key } => S3Error::InvalidAccessKeyId(access_key),
        SigError::SignatureDoesNotMatch {
            string_to_sign,
            canonical_request,
        } => S3Error::SignatureDoesNotMatch {
            string_to_sign,
            canonical_request,
            access_key: String::new(),
        },
        SigError::RequestTimeTooSkewed {
            request_time,
            server_time,
        } => S3Error::RequestTimeTooSkewed {
            request_time: amz_time(request_time),
            server_time: amz_time(server_time),
        },
        SigError::AuthorizationHeaderMalformed { message } => {
            S3Error::AuthorizationHeaderMalformed(message)
        }
        SigError::AuthorizationQueryParametersError { message } => {
            S3Error::AuthorizationQueryParametersError(message)
        }
        other => {
            let message = other.to_string();
            match other.s3_code() {
                "AccessDenied" => S3Error::AccessDenied(message),
                "InvalidRequest" => S3Error::InvalidRequest(message),
                _ => S3Error::InvalidArgument {
                    message,
                    name: "Authorization".into(),
                    value: String::new(),
                },
            }
        }
    }
}

/// Whether a request asks for `100 Continue` but has no body. hyper answers it without the
/// interim `100 Continue` (there is nothing to continue), and botocore (the aws CLI, boto3) then
/// keeps that final status line and applies it to the next response on the kept-alive
/// connection, stalling until its read timeout: <https://github.com/boto/botocore/issues/3755>.
/// Closing the connection after such a response resets the client.
fn expects_continue_without_body(h: &http::HeaderMap) -> bool {
    let expects = h
        .get(http::header::EXPECT)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
    let no_body = match h.get(http::header::CONTENT_LENGTH) {
        Some(v) => v.as_bytes() == b"0",
        None => !h.contains_key(http::header::TRANSFER_ENCODING),
    };
    expects && no_body
}

/// Handles one request.
pub async fn handle(app: &App, req: Request<Incoming>, remote: SocketAddr) -> Response<HyperBody> {
    let request_id = app.next_request_id();
    let close = expects_continue_without_body(req.headers());
    let (parts, body) = req.into_parts();
    let target = parts
        .headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok());
    let authz = parts
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok());
    let query = parts.uri.query().unwrap_or("");
    let cred_q = query
        .split('&')
        .find_map(|p| p.strip_prefix("X-Amz-Credential="))
        .map(trailstack_s3::wire::percent_decode);
    let service = detect::detect(target, detect::scope_service(authz, cred_q.as_deref()));
    let op = target
        .and_then(|t| t.rsplit('.').next())
        .unwrap_or("")
        .to_string();
    // One durable scope per request: the call's effects, the internal calls it makes and its
    // CloudTrail record share one fsync, and nothing is answered before that fsync.
    let served = app
        .db
        .durable_scope(async {
            match service {
                Service::S3 => s3_request(app, parts, body, remote, &request_id).await,
                Service::Kms => kms_request(app, parts, body, remote, &request_id).await,
                Service::CloudTrail => {
                    cloudtrail_request(app, parts, body, remote, &request_id).await
                }
                Service::Admin => admin_request(app, parts, body, remote, &request_id).await,
                Service::Other => json_error(
                    400,
                    "UnknownOperationException",
                    &format!("trailstack does not serve {op} yet"),
                ),
            }
        })
        .await;
    let mut resp = match served {
        Ok(resp) => resp,
        Err(e) => {
            tracing::error!("request {request_id}: not durable: {e}");
            match service {
                Service::S3 => trailstack_s3::wire::encode_error(
                    &S3Error::Internal(e.to_string()),
                    &request_id,
                    "",
                    false,
                )
                .map(body::outgoing),
                _ => json_error(
                    500,
                    "InternalFailure",
                    "The request could not be made durable.",
                ),
            }
        }
    };
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        h.insert("x-amz-request-id", v.clone());
        h.insert("x-amzn-requestid", v);
    }
    h.insert("server", HeaderValue::from_static("trailstack"));
    if close {
        h.insert(http::header::CONNECTION, HeaderValue::from_static("close"));
    }
    resp
}

/// Verifies a request's SigV4 signature (`Ok(None)`: the request is anonymous). On failure it
/// also returns the access key the request named, which S3 reports in SignatureDoesNotMatch.
/// `body_sha256` is for services whose clients do not send `x-amz-content-sha256`.
fn authenticate(
    app: &App,
    parts: &http::request::Parts,
    body_sha256: Option<&str>,
) -> Result<Option<trailstack_sigv4::Authenticated>, (SigError, String)> {
    let headers = owned_headers(&parts.headers);
    let header_refs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let rp = RequestParts {
        method: parts.method.as_str(),
        raw_path: parts.uri.path(),
        raw_query: parts.uri.query().unwrap_or(""),
        headers: &header_refs,
    };
    trailstack_sigv4::authenticate(&rp, &*app.config, body_sha256, app.clock.now())
        .map_err(|e| (e, rp_access_key(&rp)))
}

fn owned_headers(h: &http::HeaderMap) -> Vec<(String, String)> {
    h.iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

async fn s3_request(
    app: &App,
    parts: http::request::Parts,
    body: Incoming,
    remote: SocketAddr,
    request_id: &str,
) -> Response<HyperBody> {
    let host = parts
        .headers
        .get("host")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let raw_path = parts.uri.path().to_string();
    let (bucket, key) = trailstack_s3::wire::address(&host, &raw_path);
    let resource = trailstack_s3::wire::resource(bucket.as_deref(), key.as_deref());
    let head = parts.method == http::Method::HEAD;
    let fail = |e: &S3Error| {
        if let S3Error::Internal(cause) = e {
            tracing::error!(request_id, "internal error: {cause}");
        }
        let r = trailstack_s3::wire::encode_error(e, request_id, &resource, head);
        r.map(body::outgoing)
    };
    let is_form = parts.method == http::Method::POST
        && key.is_none()
        && parts
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.to_ascii_lowercase().starts_with("multipart/form-data"));
    if let (true, Some(bucket)) = (is_form, bucket.clone()) {
        return match post_form(app, &parts, body, bucket, remote, request_id).await {
            Ok(out) => trailstack_s3::wire::encode(out).map(body::outgoing),
            Err(e) => fail(&e),
        };
    }
    let auth = match authenticate(app, &parts, None) {
        Ok(Some(a)) => a,
        // Unsigned: S3 itself decides what an anonymous caller may do (public buckets and
        // objects), and answers AccessDenied to the rest.
        Ok(None) => {
            let Some(caller) = anonymous_caller(app, &parts, remote, request_id) else {
                return fail(&S3Error::AccessDenied("Access Denied".into()));
            };
            // Unsigned, a body may still come aws-chunked with trailing checksums.
            let framing = match parts
                .headers
                .get("x-amz-content-sha256")
                .and_then(|v| v.to_str().ok())
                .and_then(ChunkMode::from_content_sha256)
            {
                Some(mode @ ChunkMode::UnsignedWithTrailer) => Framing::Chunked(mode, None),
                _ => Framing::Plain,
            };
            return s3_call(app, parts, body, framing, caller, &host, &fail).await;
        }
        Err((e, named_key)) => {
            let mut err = s3_auth_error(e);
            if let S3Error::SignatureDoesNotMatch { access_key, .. } = &mut err {
                *access_key = named_key;
            }
            return fail(&err);
        }
    };
    let Some(identity) = app.config.identities.get(&auth.signed.access_key) else {
        return fail(&S3Error::InvalidAccessKeyId(auth.signed.access_key.clone()));
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
    let caller = caller_for(
        identity,
        &auth.signed.access_key,
        &auth.signed.scope.region,
        &parts,
        remote,
        request_id,
    );
    s3_call(app, parts, body, framing, caller, &host, &fail).await
}

/// Parses an authenticated (or anonymous) S3 request into its operation and runs it.
async fn s3_call(
    app: &App,
    parts: http::request::Parts,
    body: Incoming,
    framing: Framing,
    caller: Caller,
    host: &str,
    fail: &impl Fn(&S3Error) -> Response<HyperBody>,
) -> Response<HyperBody> {
    let query = parse_query(parts.uri.query().unwrap_or(""));
    let wire_req = trailstack_s3::wire::Request {
        method: parts.method.clone(),
        raw_path: parts.uri.path().to_string(),
        query,
        headers: parts.headers,
        body: body::incoming(body, framing),
    };
    let op = match trailstack_s3::wire::parse(wire_req, host).await {
        Ok(op) => op,
        Err(e) => return fail(&e),
    };
    match app.s3.call(&caller, op).await {
        Ok(out) => trailstack_s3::wire::encode(out).map(body::outgoing),
        Err(e) => fail(&e),
    }
}

/// The canonical user id S3 gives unsigned requests (the owner of what they write into a
/// bucket that lets anyone write, under ObjectWriter).
const ANONYMOUS_CANONICAL_ID: &str = "65a011a29cdf8ec533ec3d1ccaae921c";

/// The caller of an unsigned S3 request. It belongs to no account: `account` is a placeholder
/// that S3 never treats as the caller's (it records the request for the bucket's owner).
fn anonymous_caller(
    app: &App,
    parts: &http::request::Parts,
    remote: SocketAddr,
    request_id: &str,
) -> Option<Caller> {
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    Some(Caller {
        account: trailstack_core::AccountId::parse(crate::config::DEFAULT_ACCOUNT).ok()?,
        principal: trailstack_core::Principal::Anonymous,
        access_key: None,
        canonical_id: ANONYMOUS_CANONICAL_ID.to_string(),
        display_name: String::new(),
        source_ip: Some(remote.ip()),
        user_agent: header("user-agent"),
        request_id: request_id.to_string(),
        region: app.config.region.clone(),
        secure_transport: false,
        invoked_by: None,
        source_arn: None,
        host: header("host"),
        auth_method: None,
    })
}

fn caller_for(
    identity: &crate::config::Identity,
    access_key: &str,
    region: &str,
    parts: &http::request::Parts,
    remote: SocketAddr,
    request_id: &str,
) -> Caller {
    Caller {
        account: identity.account.clone(),
        principal: identity.principal.clone(),
        access_key: Some(access_key.to_string()),
        canonical_id: identity.canonical_id.clone(),
        display_name: identity.display_name.clone(),
        source_ip: Some(remote.ip()),
        user_agent: parts
            .headers
            .get("user-agent")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string(),
        request_id: request_id.to_string(),
        region: region.to_string(),
        secure_transport: false,
        invoked_by: None,
        source_arn: None,
        host: parts
            .headers
            .get("host")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string(),
        auth_method: Some(
            if parts
                .uri
                .query()
                .is_some_and(|q| q.contains("X-Amz-Signature="))
            {
                "QueryString"
            } else {
                "AuthHeader"
            },
        ),
    }
}

/// A browser form upload: the form's fields carry the credential and the signature over the
/// policy document, instead of an Authorization header.
async fn post_form(
    app: &App,
    parts: &http::request::Parts,
    body: Incoming,
    bucket: String,
    remote: SocketAddr,
    request_id: &str,
) -> Result<trailstack_s3::Output, S3Error> {
    use trailstack_s3::wire::post;
    let content_type = parts
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let form = post::read_form(body::incoming(body, Framing::Plain), content_type).await?;
    let (Some(policy), Some(signature), Some(credential)) = (
        form.field("policy"),
        form.field("x-amz-signature"),
        form.field("x-amz-credential"),
    ) else {
        return Err(S3Error::AccessDenied("Access Denied".into()));
    };
    if form.field("x-amz-algorithm") != Some(trailstack_sigv4::ALGORITHM) {
        return Err(S3Error::InvalidArgument {
            message: "Only AWS4-HMAC-SHA256 is supported for POST form uploads".into(),
            name: "x-amz-algorithm".into(),
            value: form.field("x-amz-algorithm").unwrap_or_default().into(),
        });
    }
    let cred: Vec<&str> = credential.split('/').collect();
    let [access_key, date, region, service, "aws4_request"] = cred.as_slice() else {
        return Err(S3Error::InvalidArgument {
            message: "Invalid credential in POST form".into(),
            name: "x-amz-credential".into(),
            value: credential.into(),
        });
    };
    let identity = app
        .config
        .identities
        .get(*access_key)
        .ok_or_else(|| S3Error::InvalidAccessKeyId(access_key.to_string()))?;
    let scope = trailstack_sigv4::Scope {
        date: date.to_string(),
        region: region.to_string(),
        service: service.to_string(),
    };
    let key = trailstack_sigv4::derive_signing_key(&identity.secret, &scope);
    let expected = trailstack_sigv4::sign(&key, policy);
    if aws_lc_rs::constant_time::verify_slices_are_equal(
        expected.as_bytes(),
        signature.trim().as_bytes(),
    )
    .is_err()
    {
        return Err(S3Error::SignatureDoesNotMatch {
            string_to_sign: policy.to_string(),
            canonical_request: String::new(),
            access_key: access_key.to_string(),
        });
    }
    let range = post::check_policy(policy, &form, &bucket, app.clock.now())?;
    let caller = caller_for(identity, access_key, region, parts, remote, request_id);
    let op = post::into_op(bucket, form, range)?;
    app.s3.call(&caller, op).await
}

fn rp_access_key(rp: &RequestParts) -> String {
    trailstack_sigv4::parse_request_auth(rp)
        .ok()
        .flatten()
        .map(|s| s.access_key)
        .unwrap_or_default()
}

/// Splits and percent-decodes a query string ('+' stays '+', as S3 signs it).
pub fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (
                trailstack_s3::wire::percent_decode(k),
                trailstack_s3::wire::percent_decode(v),
            )
        })
        .collect()
}
