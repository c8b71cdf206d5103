//! The JSON-protocol services on the edge (KMS, CloudTrail, and trailstack's own `Trailstack.*`
//! operations): read the small body, authenticate it, hand it to the service's wire layer, and
//! render `{"__type","message"}` errors.

use super::{amz_time, authenticate, caller_for, Peer, SignedBy};
use crate::body::{self, HyperBody, RequestBody};
use crate::detect;
use crate::App;
use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode};
use trailstack_core::{Caller, ResponseBody, SignatureVersion};
use trailstack_sigv4::SigError;

/// A JSON-protocol error (KMS, CloudTrail).
pub(super) fn json_error(status: u16, code: &str, message: &str) -> Response<HyperBody> {
    let body = serde_json::json!({ "__type": code, "message": message }).to_string();
    let mut r = Response::new(body::outgoing(ResponseBody::Full(Bytes::from(body))));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    r.headers_mut().insert(
        "content-type",
        HeaderValue::from_static("application/x-amz-json-1.1"),
    );
    r
}

/// The JSON-protocol error for a failed authentication (KMS, CloudTrail).
fn json_auth_error(e: Option<SigError>) -> Response<HyperBody> {
    let Some(e) = e else {
        return json_error(
            400,
            "MissingAuthenticationTokenException",
            "Missing Authentication Token",
        );
    };
    match e {
        SigError::InvalidAccessKeyId { .. } => {
            json_error(400, "UnrecognizedClientException", "The security token included in the request is invalid.")
        }
        SigError::SignatureDoesNotMatch { .. } => json_error(
            400,
            "InvalidSignatureException",
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
        ),
        SigError::RequestTimeTooSkewed { request_time, server_time } => json_error(
            400,
            "InvalidSignatureException",
            &format!(
                "Signature expired: {} is now earlier than {} ({} - 5 min.)",
                amz_time(request_time),
                amz_time(server_time - time::Duration::minutes(5)),
                amz_time(server_time)
            ),
        ),
        other => json_error(400, "IncompleteSignatureException", &other.to_string()),
    }
}

/// The answer of the JSON services to an `Authorization: AWS ...` (SigV2) header: they only
/// know SigV4, and list the SigV4 parts the header lacks, as AWS does.
fn sigv2_refused(parts: &http::request::Parts) -> Option<Response<HyperBody>> {
    let value = parts.headers.get("authorization")?.to_str().ok()?;
    let scheme = value.trim_start().split(' ').next().unwrap_or("");
    if scheme != trailstack_sigv4::v2::V2_SCHEME {
        return None;
    }
    let mut message = String::from(
        "Authorization header requires 'Credential' parameter. Authorization header requires \
         'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. ",
    );
    if !parts.headers.contains_key("x-amz-date") && !parts.headers.contains_key("date") {
        message.push_str(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' \
             header. ",
        );
    }
    message.push_str(&format!("Authorization={value}"));
    Some(json_error(400, "IncompleteSignatureException", &message))
}

/// Largest JSON request body accepted by the JSON-protocol services.
const MAX_JSON_BODY: usize = 1024 * 1024;

/// Reads a whole (small) request body.
async fn read_small_body(body: RequestBody) -> Option<Bytes> {
    use http_body_util::BodyExt;
    let limited = http_body_util::Limited::new(body, MAX_JSON_BODY);
    limited.collect().await.ok().map(|c| c.to_bytes())
}

fn json_response(status: u16, body: Vec<u8>) -> Response<HyperBody> {
    let mut r = Response::new(body::outgoing(ResponseBody::Full(Bytes::from(body))));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    r.headers_mut().insert(
        "content-type",
        HeaderValue::from_static("application/x-amz-json-1.1"),
    );
    r
}

/// Reads and authenticates a JSON-protocol request (KMS, CloudTrail): its caller and body, or
/// the error response.
async fn json_caller(
    app: &App,
    parts: &http::request::Parts,
    body: RequestBody,
    peer: Peer,
    request_id: &str,
) -> Result<(Caller, Bytes), Response<HyperBody>> {
    let Some(body) = read_small_body(body).await else {
        return Err(json_error(
            413,
            "SerializationException",
            "The request body is too large or could not be read.",
        ));
    };
    if let Some(refused) = sigv2_refused(parts) {
        return Err(refused);
    }
    let auth = match authenticate(app, parts, Some(&trailstack_sigv4::sha256_hex(&body))) {
        Ok(Some(a)) => a,
        Ok(None) => return Err(json_auth_error(None)),
        Err((e, _)) => return Err(json_auth_error(Some(e))),
    };
    let Some(identity) = app.config.identities.get(&auth.signed.access_key) else {
        return Err(json_auth_error(Some(SigError::InvalidAccessKeyId {
            access_key: auth.signed.access_key.clone(),
        })));
    };
    let by = SignedBy {
        access_key: &auth.signed.access_key,
        region: &auth.signed.scope.region,
        version: SignatureVersion::V4,
        location: auth.signed.location,
    };
    Ok((caller_for(identity, &by, parts, peer, request_id), body))
}

fn target_of(parts: &http::request::Parts) -> &str {
    parts
        .headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

pub(super) async fn kms_request(
    app: &App,
    parts: http::request::Parts,
    body: RequestBody,
    peer: Peer,
    request_id: &str,
) -> Response<HyperBody> {
    let (caller, body) = match json_caller(app, &parts, body, peer, request_id).await {
        Ok(x) => x,
        Err(resp) => return resp,
    };
    let result = match trailstack_kms::wire::parse(target_of(&parts), &body) {
        Ok(op) => app.kms.call(&caller, op).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(out) => json_response(200, trailstack_kms::wire::encode(&out)),
        Err(e) => {
            if let trailstack_kms::KmsError::Internal(cause) = &e {
                tracing::error!(request_id, "internal error: {cause}");
            }
            let (status, body) = trailstack_kms::wire::encode_error(&e);
            json_response(status, body)
        }
    }
}

pub(super) async fn cloudtrail_request(
    app: &App,
    parts: http::request::Parts,
    body: RequestBody,
    peer: Peer,
    request_id: &str,
) -> Response<HyperBody> {
    let (caller, body) = match json_caller(app, &parts, body, peer, request_id).await {
        Ok(x) => x,
        Err(resp) => return resp,
    };
    let target = target_of(&parts);
    let op_name = target
        .strip_prefix(detect::CLOUDTRAIL_TARGET_PREFIX)
        .or_else(|| target.strip_prefix(detect::CLOUDTRAIL_SHORT_TARGET_PREFIX))
        .unwrap_or("");
    let result = match trailstack_cloudtrail::wire::parse(op_name, &body) {
        Ok(op) => app.cloudtrail.call(&caller, op).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(out) => json_response(200, trailstack_cloudtrail::wire::render(&out)),
        Err(e) => {
            let (status, body) = trailstack_cloudtrail::wire::render_error(&e);
            json_response(status, body)
        }
    }
}

/// trailstack's own operations, for any authenticated caller. `Trailstack.Flush` delivers
/// every pending log file now and closes the current digest period of every trail with
/// validation (`trailstack flush`); `Trailstack.Explain` explains an object, bucket or key
/// (`trailstack explain`).
pub(super) async fn admin_request(
    app: &App,
    parts: http::request::Parts,
    body: RequestBody,
    peer: Peer,
    request_id: &str,
) -> Response<HyperBody> {
    let (caller, body) = match json_caller(app, &parts, body, peer, request_id).await {
        Ok(x) => x,
        Err(resp) => return resp,
    };
    match target_of(&parts) {
        "Trailstack.Flush" => flush(app, request_id).await,
        "Trailstack.Explain" => explain(app, &caller, &body, request_id).await,
        _ => json_error(400, "UnknownOperationException", "Unknown operation"),
    }
}

async fn flush(app: &App, request_id: &str) -> Response<HyperBody> {
    let now = app.clock.now();
    let delivered = match app.delivery.tick(now, true).await {
        Ok(o) => app
            .access_logs
            .tick(now)
            .await
            .map(|a| (o, a))
            .map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    match delivered {
        Ok((o, a)) => json_response(
            200,
            serde_json::json!({
                "LogFiles": o.log_files,
                "Records": o.records,
                "Digests": o.digests,
                "Failures": o.failures,
                "AccessLogObjects": a.objects,
                "AccessLogRecords": a.records,
                "AccessLogFailures": a.failures,
                "AccessLogObjectsDropped": a.dropped,
            })
            .to_string()
            .into_bytes(),
        ),
        Err(e) => {
            tracing::error!(request_id, "flush failed: {e}");
            json_error(
                500,
                "InternalFailure",
                "The flush failed; see the server log.",
            )
        }
    }
}

async fn explain(app: &App, caller: &Caller, body: &[u8], request_id: &str) -> Response<HyperBody> {
    let request: crate::explain::ExplainRequest = match serde_json::from_slice(body) {
        Ok(r) => r,
        Err(e) => return json_error(400, "SerializationException", &e.to_string()),
    };
    match crate::explain::explain(app, caller, &request).await {
        Ok(report) => match serde_json::to_vec(&report) {
            Ok(json) => json_response(200, json),
            Err(e) => json_error(500, "InternalFailure", &e.to_string()),
        },
        Err(e) => {
            let (status, code) = e.code();
            if status == 500 {
                tracing::error!(request_id, "explain failed: {e}");
            }
            json_error(status, code, &e.to_string())
        }
    }
}
