//! The canonical request and the string to sign.
//!
//! Canonical request: `METHOD\nURI\nQUERY\n<name:value\n per signed header>\n<signed
//! headers joined by ;>\n<payload hash>`. Header values are trimmed, inner runs of spaces
//! collapse to one, repeated headers are joined with `,`; a signed header missing from the
//! request contributes an empty value (the signature then fails, as on AWS).

use crate::encode::{canonical_query, canonical_uri};
use crate::{RequestParts, Scope, ALGORITHM};

/// Appends the normalised form of one header value: trimmed, runs of spaces collapsed.
fn push_trimmed(value: &str, out: &mut String) {
    let mut pending_space = false;
    let mut started = false;
    for c in value.trim_matches(|c| c == ' ' || c == '\t').chars() {
        if c == ' ' {
            pending_space = true;
            continue;
        }
        if pending_space && started {
            out.push(' ');
        }
        pending_space = false;
        started = true;
        out.push(c);
    }
}

/// The canonical headers block: one `name:value\n` line per signed header, in the order
/// given (clients send them sorted), names lowercased.
pub fn canonical_headers(req: &RequestParts, signed_headers: &[String]) -> String {
    let mut out = String::with_capacity(signed_headers.len() * 48);
    for name in signed_headers {
        let name = name.to_ascii_lowercase();
        out.push_str(&name);
        out.push(':');
        for (i, value) in req.header_values(&name).enumerate() {
            if i > 0 {
                out.push(',');
            }
            push_trimmed(value, &mut out);
        }
        out.push('\n');
    }
    out
}

/// Builds the canonical request of `req` over `signed_headers` with `payload_hash` as the
/// last line. With `for_presigned`, `X-Amz-Signature` is left out of the query.
pub fn canonical_request(
    req: &RequestParts,
    signed_headers: &[String],
    payload_hash: &str,
    for_presigned: bool,
) -> String {
    let mut out = String::with_capacity(256);
    out.push_str(req.method);
    out.push('\n');
    out.push_str(&canonical_uri(req.raw_path));
    out.push('\n');
    out.push_str(&canonical_query(req.raw_query, for_presigned));
    out.push('\n');
    out.push_str(&canonical_headers(req, signed_headers));
    out.push('\n');
    for (i, name) in signed_headers.iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        out.push_str(&name.to_ascii_lowercase());
    }
    out.push('\n');
    out.push_str(payload_hash);
    out
}

/// The string to sign: `AWS4-HMAC-SHA256\n<amz date>\n<scope>\n<hex sha256(canonical)>`.
pub fn string_to_sign(amz_date_raw: &str, scope: &Scope, canonical_request: &str) -> String {
    format!(
        "{ALGORITHM}\n{amz_date_raw}\n{}\n{}",
        scope.credential_scope(),
        crate::sha256_hex(canonical_request.as_bytes())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn header_normalisation() {
        let headers = [
            ("Host", "example.com"),
            ("X-Amz-Meta-A", "  one   two  "),
            ("x-amz-meta-a", "\tthree "),
            ("My-Header", "a  \"b  c\"  d"),
        ];
        let req = RequestParts {
            method: "GET",
            raw_path: "/",
            raw_query: "",
            headers: &headers,
        };
        let got = canonical_headers(
            &req,
            &names(&["host", "my-header", "x-amz-meta-a", "absent"]),
        );
        assert_eq!(
            got,
            "host:example.com\nmy-header:a \"b c\" d\nx-amz-meta-a:one two,three\nabsent:\n"
        );
    }

    #[test]
    fn canonical_request_shape() {
        let headers = [("host", "h")];
        let req = RequestParts {
            method: "PUT",
            raw_path: "",
            raw_query: "b=2&a=1",
            headers: &headers,
        };
        assert_eq!(
            canonical_request(&req, &names(&["host"]), "UNSIGNED-PAYLOAD", false),
            "PUT\n/\na=1&b=2\nhost:h\n\nhost\nUNSIGNED-PAYLOAD"
        );
    }
}
