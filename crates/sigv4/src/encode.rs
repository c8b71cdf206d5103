//! AWS URI encoding and the two encoded lines of the canonical request: the canonical URI
//! (S3 style: no path normalisation, single encoding) and the canonical query string.
//!
//! Both re-encode what the client sent so that any two clients that mean the same bytes
//! verify alike, whichever reserved characters they left unencoded. Decoding is lenient: a
//! `%` not followed by two hex digits stays a literal `%` (and is re-encoded as `%25`).

use percent_encoding::{percent_decode, percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Everything except the RFC 3986 unreserved characters `A-Za-z0-9-._~` is encoded.
const AWS_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes `bytes` the AWS way (uppercase hex, only unreserved characters kept;
/// `/` is encoded too) and appends to `out`.
pub fn uri_encode_into(bytes: &[u8], out: &mut String) {
    for piece in percent_encode(bytes, AWS_ENCODE) {
        out.push_str(piece);
    }
}

/// Percent-encodes `bytes` the AWS way, `/` included.
pub fn uri_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    uri_encode_into(bytes, &mut out);
    out
}

/// Decodes `%XX` sequences leniently (`+` stays `+`; invalid escapes stay literal).
pub(crate) fn decode(s: &str) -> Vec<u8> {
    percent_decode(s.as_bytes()).collect()
}

/// Decodes to a `String`, replacing invalid UTF-8 (used for parameters we interpret).
pub(crate) fn decode_lossy(s: &str) -> String {
    String::from_utf8_lossy(&decode(s)).into_owned()
}

/// The canonical URI of a raw (still encoded) request path, S3 style: each segment between
/// literal `/` is decoded and re-encoded (so an encoded `%2F` stays `%2F`); no `.`/`..`
/// removal, no double encoding. An empty path is `/`.
pub fn canonical_uri(raw_path: &str) -> String {
    if raw_path.is_empty() {
        return "/".to_owned();
    }
    let mut out = String::with_capacity(raw_path.len() + 8);
    for (i, segment) in raw_path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        uri_encode_into(&decode(segment), &mut out);
    }
    out
}

/// Splits a raw query into `(name, value)` pairs, still encoded; `a` without `=` gets an
/// empty value and empty segments (`a=1&&b=2`) are skipped.
pub(crate) fn raw_pairs(raw_query: &str) -> impl Iterator<Item = (&str, &str)> {
    raw_query
        .split('&')
        .filter(|s| !s.is_empty())
        .map(|s| s.split_once('=').unwrap_or((s, "")))
}

/// The canonical query string: every parameter decoded then re-encoded, sorted by encoded
/// name then encoded value, joined `name=value` with `&`. With `exclude_signature`, the
/// `X-Amz-Signature` parameter (presigned URLs) is left out.
pub fn canonical_query(raw_query: &str, exclude_signature: bool) -> String {
    let mut pairs: Vec<(String, String)> = raw_pairs(raw_query)
        .filter_map(|(name, value)| {
            let name = decode(name);
            if exclude_signature && name == b"X-Amz-Signature" {
                return None;
            }
            Some((uri_encode(&name), uri_encode(&decode(value))))
        })
        .collect();
    pairs.sort();
    let mut out = String::with_capacity(raw_query.len() + 16);
    for (i, (name, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(name);
        out.push('=');
        out.push_str(value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_reserved_and_keeps_unreserved() {
        assert_eq!(uri_encode(b"AZaz09-._~"), "AZaz09-._~");
        assert_eq!(uri_encode(b"a b/c+d*e!"), "a%20b%2Fc%2Bd%2Ae%21");
        assert_eq!(uri_encode("é".as_bytes()), "%C3%A9");
    }

    #[test]
    fn canonical_uri_rules() {
        assert_eq!(canonical_uri(""), "/");
        assert_eq!(canonical_uri("/"), "/");
        assert_eq!(canonical_uri("/test.txt"), "/test.txt");
        // '$' encoded or not, both canonicalise alike.
        assert_eq!(canonical_uri("/test$file.text"), "/test%24file.text");
        assert_eq!(canonical_uri("/test%24file.text"), "/test%24file.text");
        // Lowercase escapes become uppercase; an encoded slash stays encoded.
        assert_eq!(canonical_uri("/a%2fb/c"), "/a%2Fb/c");
        // No normalisation of dot segments or repeated slashes.
        assert_eq!(canonical_uri("/a/../b//c/."), "/a/../b//c/.");
        // '!' and '*' sent raw or encoded.
        assert_eq!(canonical_uri("/x!*"), canonical_uri("/x%21%2A"));
        // Invalid escapes stay literal percent signs.
        assert_eq!(canonical_uri("/%zz%4"), "/%25zz%254");
        assert_eq!(canonical_uri("/a b"), "/a%20b");
    }

    #[test]
    fn canonical_query_rules() {
        assert_eq!(canonical_query("", false), "");
        assert_eq!(canonical_query("lifecycle", false), "lifecycle=");
        assert_eq!(
            canonical_query("prefix=J&max-keys=2", false),
            "max-keys=2&prefix=J"
        );
        assert_eq!(canonical_query("a=b+c", false), "a=b%2Bc");
        assert_eq!(canonical_query("a=b%20c", false), "a=b%20c");
        assert_eq!(canonical_query("k=v%2fw&&k=a", false), "k=a&k=v%2Fw");
        assert_eq!(canonical_query("a==", false), "a=%3D");
        assert_eq!(
            canonical_query("X-Amz-Signature=abc&x=1", true),
            "x=1",
            "signature excluded"
        );
        assert_eq!(
            canonical_query("X-Amz-Signature=abc", false),
            "X-Amz-Signature=abc"
        );
    }
}
