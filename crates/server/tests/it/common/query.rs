//! The query protocol IAM and STS speak: form-encoded POSTs signed with SigV4 for a service,
//! built from an action and its parameters (values percent-encoded as SigV4 encodes them).

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
        form.push_str(&format!(
            "&{k}={}",
            trailstack_sigv4::uri_encode(v.as_bytes())
        ));
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
