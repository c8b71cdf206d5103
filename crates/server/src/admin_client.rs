//! The client side of trailstack's own operations (`Trailstack.Flush`, `Trailstack.Explain`):
//! one JSON POST to a running server over plain HTTP/1.1, SigV4-signed like any other request
//! (the server authenticates it as it authenticates KMS and CloudTrail calls). Used by the
//! command line and by tests that go through the wire.

use std::io::{Read, Write};
use trailstack_sigv4::{sha256_hex, sign_request_header, RequestParts, SigningParams};

/// The credentials and region a request is signed with.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// Access key id.
    pub access_key: String,
    /// Secret access key.
    pub secret_key: String,
    /// The region to sign for.
    pub region: String,
    /// The session token of temporary (`ASIA…`) credentials, sent as `X-Amz-Security-Token`.
    pub session_token: Option<String>,
}

/// POSTs `body` to the operation `target` of the server at `endpoint` (`http://host:port`),
/// signed at `time`; returns the JSON answer, or the server's error as `Code: message`.
pub fn call(
    endpoint: &str,
    credentials: &Credentials,
    target: &str,
    body: &[u8],
    time: time::OffsetDateTime,
) -> Result<String, String> {
    let authority = endpoint
        .strip_prefix("http://")
        .ok_or("the endpoint must be an http:// URL")?
        .trim_end_matches('/');
    let amz_date = trailstack_sigv4::format_amz_date(time);
    let payload = sha256_hex(body);
    let mut headers = vec![
        ("content-type", "application/x-amz-json-1.1"),
        ("host", authority),
        ("x-amz-content-sha256", payload.as_str()),
        ("x-amz-date", amz_date.as_str()),
    ];
    // Signed like every other header, in the canonical (sorted) order.
    if let Some(token) = &credentials.session_token {
        headers.push(("x-amz-security-token", token.as_str()));
    }
    headers.push(("x-amz-target", target));
    let params = SigningParams {
        access_key: &credentials.access_key,
        secret_key: &credentials.secret_key,
        region: &credentials.region,
        service: "cloudtrail",
        time,
    };
    let parts = RequestParts {
        method: "POST",
        raw_path: "/",
        raw_query: "",
        headers: &headers,
    };
    let signature = sign_request_header(&parts, &params, &payload);
    let mut request = String::from("POST / HTTP/1.1\r\n");
    for (k, v) in &headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str(&format!(
        "authorization: {}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        signature.authorization,
        body.len()
    ));
    let mut stream = std::net::TcpStream::connect(authority)
        .map_err(|e| format!("cannot connect to {authority}: {e}"))?;
    stream
        .write_all(request.as_bytes())
        .and_then(|()| stream.write_all(body))
        .map_err(|e| format!("sending: {e}"))?;
    let mut answer = String::new();
    stream
        .read_to_string(&mut answer)
        .map_err(|e| format!("reading: {e}"))?;
    let (head, json) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let status_line = head.lines().next().unwrap_or("");
    if status_line.split(' ').nth(1) == Some("200") {
        return Ok(json.to_string());
    }
    let error: serde_json::Value = serde_json::from_str(json).unwrap_or_default();
    match (error["__type"].as_str(), error["message"].as_str()) {
        (Some(code), Some(message)) => Err(format!("{code}: {message}")),
        _ => Err(format!("the server refused: {status_line} {json}")),
    }
}
