//! `trailstack flush`: asks a running server to deliver every pending log file now and to close
//! the current digest period of every trail with validation. The request is SigV4-signed like
//! any other (credentials from the usual AWS environment variables, else the defaults), sent
//! over plain HTTP/1.1 to a local endpoint.

use std::io::{Read, Write};
use trailstack_sigv4::{sha256_hex, sign_request_header, RequestParts, SigningParams};

/// Flushes the server at `endpoint` (`http://host:port`); returns its JSON answer.
pub fn flush(
    endpoint: &str,
    access_key: &str,
    secret_key: &str,
    region: &str,
) -> Result<String, String> {
    let authority = endpoint
        .strip_prefix("http://")
        .ok_or("the endpoint must be an http:// URL")?
        .trim_end_matches('/');
    let body = b"{}";
    let amz_date = trailstack_sigv4::format_amz_date(time::OffsetDateTime::now_utc());
    let payload = sha256_hex(body);
    let headers = [
        ("content-type", "application/x-amz-json-1.1"),
        ("host", authority),
        ("x-amz-content-sha256", payload.as_str()),
        ("x-amz-date", amz_date.as_str()),
        ("x-amz-target", "Trailstack.Flush"),
    ];
    let params = SigningParams {
        access_key,
        secret_key,
        region,
        service: "cloudtrail",
        time: time::OffsetDateTime::now_utc(),
    };
    let parts = RequestParts {
        method: "POST",
        raw_path: "/",
        raw_query: "",
        headers: &headers,
    };
    let signature = sign_request_header(&parts, &params, &payload);
    let mut request = String::from("POST / HTTP/1.1\r\n");
    for (k, v) in headers {
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
    let ok = head
        .lines()
        .next()
        .is_some_and(|status| status.split(' ').nth(1) == Some("200"));
    if ok {
        Ok(json.to_string())
    } else {
        Err(format!(
            "the server refused: {} {json}",
            head.lines().next().unwrap_or("")
        ))
    }
}
