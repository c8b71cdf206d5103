//! The JSON-protocol services on the edge (KMS, CloudTrail, and trailstack's own `Trailstack.*`
//! operations): read the small body, authenticate it, hand it to the service's wire layer, and
//! render `{"__type","message"}` errors.

use super::json_error::{json_response, JsonError};
use super::{v4_caller, NoCaller, Peer};
use crate::body::{HyperBody, RequestBody};
use crate::detect;
use crate::{App, ACCESS_LOG_DELIVERY, CLOUDTRAIL_DELIVERY};
use bytes::Bytes;
use http::Response;
use trailstack_core::Caller;
use trailstack_store::lease::Wait;

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
    Some(JsonError::IncompleteSignature(message).response())
}

/// Largest JSON request body accepted by the JSON-protocol services.
const MAX_JSON_BODY: usize = 1024 * 1024;

/// Reads a whole (small) request body.
pub(super) async fn read_small_body(body: RequestBody) -> Option<Bytes> {
    use http_body_util::BodyExt;
    let limited = http_body_util::Limited::new(body, MAX_JSON_BODY);
    limited.collect().await.ok().map(|c| c.to_bytes())
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
        return Err(JsonError::BodyTooLarge.response());
    };
    if let Some(refused) = sigv2_refused(parts) {
        return Err(refused);
    }
    let caller = v4_caller(app, parts, &body, peer, request_id).map_err(|e| match e {
        NoCaller::Signature(e) => JsonError::of_auth(e).response(),
        NoCaller::Expired => JsonError::ExpiredToken.response(),
    })?;
    Ok((caller, body))
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
    use trailstack_kms::{wire, KmsError};
    let result = match wire::parse(target_of(&parts), &body) {
        Ok(op) => app.kms.call(&caller, op).await,
        Err(e) => Err(e),
    };
    let internal = |e: &KmsError| match e {
        KmsError::Internal(cause) | KmsError::Unavailable(cause) => Some(cause.clone()),
        _ => None,
    };
    json_answer(
        request_id,
        result,
        wire::encode,
        wire::encode_error,
        internal,
    )
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
    use trailstack_cloudtrail::{wire, CloudTrailError};
    let result = match wire::parse(op_name, &body) {
        Ok(op) => app.cloudtrail.call(&caller, op).await,
        Err(e) => Err(e),
    };
    let internal = |e: &CloudTrailError| match e {
        CloudTrailError::Internal(cause) | CloudTrailError::Unavailable(cause) => {
            Some(cause.clone())
        }
        _ => None,
    };
    json_answer(
        request_id,
        result,
        wire::render,
        wire::render_error,
        internal,
    )
}

/// A JSON service's answer to `result`: its output's body, or its error's status and body; an
/// internal error's cause (what `internal` finds) goes to the log, once.
fn json_answer<T, E>(
    request_id: &str,
    result: Result<T, E>,
    encode: fn(&T) -> Vec<u8>,
    encode_error: fn(&E) -> (u16, Vec<u8>),
    internal: impl FnOnce(&E) -> Option<String>,
) -> Response<HyperBody> {
    match result {
        Ok(out) => json_response(200, encode(&out)),
        Err(e) => {
            if let Some(cause) = internal(&e) {
                tracing::error!(request_id, "internal error: {cause}");
            }
            let (status, body) = encode_error(&e);
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
        _ => JsonError::UnknownOperation.response(),
    }
}

async fn flush(app: &App, request_id: &str) -> Response<HyperBody> {
    let now = app.clock.now();
    // Waits for a delivery another server is running: flush means "delivered now".
    let trails = app.exclusive(CLOUDTRAIL_DELIVERY, Wait::Yes, app.delivery.tick(now, true));
    let delivered = match trails.await {
        Some(Ok(o)) => {
            let access = app.access_logs.tick(now);
            match app.exclusive(ACCESS_LOG_DELIVERY, Wait::Yes, access).await {
                Some(a) => a.map(|a| (o, a)).map_err(|e| e.to_string()),
                None => Err("the access log delivery lease is unavailable".to_string()),
            }
        }
        Some(Err(e)) => Err(e.to_string()),
        None => Err("the delivery lease is unavailable".to_string()),
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
            JsonError::FlushFailed.response()
        }
    }
}

async fn explain(app: &App, caller: &Caller, body: &[u8], request_id: &str) -> Response<HyperBody> {
    let request: crate::explain::ExplainRequest = match serde_json::from_slice(body) {
        Ok(r) => r,
        Err(e) => return JsonError::Serialization(e.to_string()).response(),
    };
    match crate::explain::explain(app, caller, &request).await {
        Ok(report) => match serde_json::to_vec(&report) {
            Ok(json) => json_response(200, json),
            Err(e) => {
                tracing::error!(request_id, "explain report not rendered: {e}");
                JsonError::Internal(e.to_string()).response()
            }
        },
        Err(e) => {
            if let crate::explain::ExplainError::Internal(_) = e {
                tracing::error!(request_id, "explain failed: {e}");
            }
            JsonError::Explain(e).response()
        }
    }
}
