//! The query protocol IAM and STS speak: form-encoded POSTs signed with SigV4 for a service,
//! built from an action and its parameters.

use super::{Raw, RawResponse, Server};

/// A query-protocol POST of `form` to `service` (`iam`, `sts`), signed with `key`/`secret`.
pub async fn query_post(
    s: &Server,
    service: &str,
    key: &str,
    secret: &str,
    form: &str,
) -> RawResponse {
    let time = time::OffsetDateTime::now_utc();
    let hash = trailstack_sigv4::sha256_hex(form.as_bytes());
    let raw = Raw::new(s, "POST", "/")
        .header(
            "content-type",
            "application/x-www-form-urlencoded; charset=utf-8",
        )
        .header("x-amz-date", &trailstack_sigv4::format_amz_date(time))
        .body(form);
    let params = trailstack_sigv4::SigningParams {
        access_key: key,
        secret_key: secret,
        region: "us-east-1",
        service,
        time,
    };
    let sig = raw.signature(&params, &hash);
    raw.header("authorization", &sig.authorization)
        .send(s)
        .await
}

/// The form of IAM's `action` (API version 2010-05-08) with `params`, `(name, value)` pairs.
pub fn iam_form(action: &str, params: &[(&str, &str)]) -> String {
    let mut form = format!("Action={action}&Version=2010-05-08");
    for (k, v) in params {
        form.push_str(&format!("&{k}={}", form_encode(v)));
    }
    form
}

/// An IAM call of `action` with `params`, signed by `key`/`secret`.
pub async fn iam_call(
    s: &Server,
    (key, secret): (&str, &str),
    action: &str,
    params: &[(&str, &str)],
) -> RawResponse {
    query_post(s, "iam", key, secret, &iam_form(action, params)).await
}

/// `v` percent-encoded for a form (RFC 3986's unreserved characters kept).
pub fn form_encode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
