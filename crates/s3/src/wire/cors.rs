//! CORS on the wire: a preflight `OPTIONS` request read into a [`Preflight`] and its answer,
//! and the origin and method an actual request is matched on, whose answer then carries the
//! headers [`crate::S3::cors_headers`] gives.

use super::address;
use crate::cors::Preflight;
use http::{HeaderMap, HeaderValue, Method, Response, StatusCode};
use trailstack_core::ResponseBody;

fn header(h: &HeaderMap, name: &str) -> Option<String> {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_string())
}

/// Reads a preflight: the bucket and whether an object is named (from the Host header and the
/// path), `Origin`, `Access-Control-Request-Method` and the names of
/// `Access-Control-Request-Headers` (lowercased: S3 matches and echoes them so).
pub fn preflight(host: &str, raw_path: &str, headers: &HeaderMap) -> Preflight {
    let (bucket, key) = address(host, raw_path);
    let requested = headers
        .get_all("access-control-request-headers")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|n| n.trim().to_ascii_lowercase())
        .filter(|n| !n.is_empty())
        .collect();
    Preflight {
        bucket,
        object: key.is_some(),
        origin: header(headers, "origin"),
        method: header(headers, "access-control-request-method"),
        headers: requested,
    }
}

/// The 200 of an allowed preflight: no body, the `Access-Control-*` headers.
pub fn encode_preflight(cors: Vec<(&'static str, String)>) -> Response<ResponseBody> {
    let mut r = Response::new(ResponseBody::Empty);
    *r.status_mut() = StatusCode::OK;
    add(r.headers_mut(), cors);
    r.headers_mut()
        .insert("content-length", HeaderValue::from_static("0"));
    r
}

/// The origin and the method of an actual request that S3 matches against a bucket's rules:
/// a request is cross-origin when it has an `Origin`, and its method is the
/// `Access-Control-Request-Method` header when sent, else its own. `None` for other requests
/// and for preflights.
pub fn actual(method: &Method, headers: &HeaderMap) -> Option<(String, String)> {
    if *method == Method::OPTIONS {
        return None;
    }
    let origin = header(headers, "origin")?;
    let method = header(headers, "access-control-request-method")
        .unwrap_or_else(|| method.as_str().to_string());
    Some((origin, method))
}

/// Adds CORS headers to a response.
pub fn add(h: &mut HeaderMap, cors: Vec<(&'static str, String)>) {
    for (k, v) in cors {
        if let Ok(v) = HeaderValue::from_str(&v) {
            h.insert(k, v);
        }
    }
}
