//! Reading server-side encryption request headers (docs/aws/s3-encryption.md §1, §6) into
//! [`SseRequest`] and [`CustomerKey`], with S3's InvalidArgument messages.

use super::headers::get;
use crate::error::{S3Error, S3Result};
use crate::sse::{CustomerKey, SseRequest};
use base64::Engine;
use http::HeaderMap;
use std::collections::BTreeMap;

const SSE: &str = "x-amz-server-side-encryption";
const KEY_ID: &str = "x-amz-server-side-encryption-aws-kms-key-id";
const CONTEXT: &str = "x-amz-server-side-encryption-context";
const BUCKET_KEY: &str = "x-amz-server-side-encryption-bucket-key-enabled";
/// Prefix of the SSE-C headers of the object written or read.
pub const CUSTOMER: &str = "x-amz-server-side-encryption-customer-";
/// Prefix of the SSE-C headers of a copy source.
pub const COPY_SOURCE_CUSTOMER: &str = "x-amz-copy-source-server-side-encryption-customer-";

fn invalid(message: &str, name: &str, value: &str) -> S3Error {
    S3Error::InvalidArgument {
        message: message.into(),
        name: name.into(),
        value: value.into(),
    }
}

fn b64(s: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD
        .decode(s.trim())
        .ok()
}

/// The SSE-C key headers with `prefix` (algorithm, key, key-MD5), checked: algorithm AES256,
/// a 256-bit key, and its MD5.
pub fn customer(h: &HeaderMap, prefix: &str) -> S3Result<Option<CustomerKey>> {
    let name = |n: &str| format!("{prefix}{n}");
    let alg = get(h, &name("algorithm"));
    let key = get(h, &name("key"));
    let md5 = get(h, &name("key-md5"));
    if alg.is_none() && key.is_none() && md5.is_none() {
        return Ok(None);
    }
    let alg = alg.unwrap_or_default();
    if alg != "AES256" {
        return Err(invalid(
            "Requests specifying Server Side Encryption with Customer provided keys must provide a valid encryption algorithm.",
            &name("algorithm"),
            &alg,
        ));
    }
    let Some(key) = key else {
        return Err(invalid(
            "Requests specifying Server Side Encryption with Customer provided keys must provide an appropriate secret key.",
            &name("algorithm"),
            &alg,
        ));
    };
    let raw = zeroize::Zeroizing::new(b64(&key).unwrap_or_default());
    if raw.len() != 32 {
        return Err(invalid(
            "The secret key was invalid for the specified algorithm.",
            &name("key"),
            "",
        ));
    }
    let Some(md5) = md5 else {
        return Err(invalid(
            "Requests specifying Server Side Encryption with Customer provided keys must provide the client calculated MD5 of the secret key.",
            &name("algorithm"),
            &alg,
        ));
    };
    let mut m = crate::checksum::Md5::new();
    m.update(&raw);
    if b64(&md5).as_deref() != Some(&m.finish()[..]) {
        return Err(invalid(
            "The calculated MD5 hash of the key did not match the hash that was provided.",
            &name("key-MD5"),
            "",
        ));
    }
    Ok(Some(CustomerKey {
        key: raw,
        md5: md5.trim().to_string(),
    }))
}

/// The encryption a write's headers ask for (PutObject, CopyObject destination,
/// CreateMultipartUpload), validated as S3 validates them.
pub fn request(h: &HeaderMap) -> S3Result<Option<SseRequest>> {
    let mode = get(h, SSE);
    let key_id = get(h, KEY_ID);
    let context = get(h, CONTEXT);
    let bucket_key = get(h, BUCKET_KEY);
    let customer = customer(h, CUSTOMER)?;
    if let Some(m) = &mode {
        if customer.is_some() {
            return Err(invalid(
                "Server Side Encryption with Customer provided key is incompatible with the encryption method specified",
                SSE,
                m,
            ));
        }
    }
    let kms = matches!(mode.as_deref(), Some("aws:kms" | "aws:kms:dsse"));
    if !kms {
        if let Some((name, value)) = [(KEY_ID, &key_id), (CONTEXT, &context)]
            .into_iter()
            .find_map(|(n, v)| v.as_ref().map(|v| (n, v)))
        {
            return Err(invalid(
                "Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms",
                name,
                value,
            ));
        }
    }
    let bucket_key = match bucket_key.as_deref().map(str::trim) {
        None => false,
        Some(v) if v.eq_ignore_ascii_case("true") => true,
        Some(v) if v.eq_ignore_ascii_case("false") => false,
        Some(v) => return Err(invalid("Invalid bucket key enabled value", BUCKET_KEY, v)),
    };
    let user_context = match &context {
        None => BTreeMap::new(),
        Some(c) => b64(c)
            .and_then(|j| serde_json::from_slice::<BTreeMap<String, String>>(&j).ok())
            .ok_or_else(|| invalid(
                "The header 'x-amz-server-side-encryption-context' shall be Base64-encoded UTF-8 string holding JSON which represents a string-string map",
                CONTEXT,
                c,
            ))?,
    };
    Ok(match mode.as_deref() {
        None => customer.map(SseRequest::Customer),
        Some("AES256") => Some(SseRequest::S3),
        Some("aws:kms") => Some(SseRequest::Kms {
            key: key_id.filter(|k| !k.trim().is_empty()),
            context: user_context,
            bucket_key,
        }),
        Some("aws:kms:dsse") => Some(SseRequest::Dsse {
            key: key_id.filter(|k| !k.trim().is_empty()),
            context: user_context,
        }),
        Some(other) => {
            return Err(invalid(
                "The encryption method specified is not supported",
                SSE,
                other,
            ))
        }
    })
}

/// Encryption headers of a write that [`request`] refused, kept until the permission check
/// has seen them.
#[derive(Debug, Clone)]
pub struct RejectedSse {
    /// The refusal, returned once the caller is allowed to write.
    pub error: S3Error,
    /// `x-amz-server-side-encryption` as sent.
    pub algorithm: Option<String>,
    /// `x-amz-server-side-encryption-customer-algorithm` as sent.
    pub customer_algorithm: Option<String>,
}

/// [`request`], with a refusal kept for after the permission check instead of returned.
pub fn request_deferred(h: &HeaderMap) -> (Option<SseRequest>, Option<RejectedSse>) {
    match request(h) {
        Ok(sse) => (sse, None),
        Err(error) => (
            None,
            Some(RejectedSse {
                error,
                algorithm: get(h, SSE),
                customer_algorithm: get(h, &format!("{CUSTOMER}algorithm")),
            }),
        ),
    }
}

/// Rejects SSE headers on a read (GET/HEAD): only SSE-C key headers belong there.
pub fn check_read(h: &HeaderMap) -> S3Result<()> {
    for name in [SSE, KEY_ID, CONTEXT] {
        if let Some(v) = get(h, name) {
            return Err(invalid(
                "x-amz-server-side-encryption header is not supported for this operation.",
                name,
                &v,
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(
                http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        h
    }

    fn message(r: S3Result<Option<SseRequest>>) -> String {
        r.unwrap_err().message()
    }

    #[test]
    fn modes_and_errors() {
        assert_eq!(request(&headers(&[])).unwrap(), None);
        assert_eq!(
            request(&headers(&[(SSE, "AES256")])).unwrap(),
            Some(SseRequest::S3)
        );
        assert!(message(request(&headers(&[(SSE, "AES128")]))).contains("not supported"));
        assert!(message(request(&headers(&[(KEY_ID, "k")]))).contains("requires HTTP header"));
        assert!(matches!(
            request(&headers(&[(SSE, "aws:kms"), (KEY_ID, "alias/x")])).unwrap(),
            Some(SseRequest::Kms { key: Some(k), .. }) if k == "alias/x"
        ));
        let ctx = base64::engine::general_purpose::STANDARD.encode(r#"{"a":"b"}"#);
        assert!(matches!(
            request(&headers(&[(SSE, "aws:kms"), (CONTEXT, &ctx)])).unwrap(),
            Some(SseRequest::Kms { context, .. }) if context.get("a").map(String::as_str) == Some("b")
        ));
        assert!(
            message(request(&headers(&[(SSE, "aws:kms"), (CONTEXT, "!!")]))).contains("Base64")
        );
    }

    #[test]
    fn customer_keys() {
        let key = [7u8; 32];
        let mut m = crate::checksum::Md5::new();
        m.update(&key);
        let e = base64::engine::general_purpose::STANDARD;
        let (k, md5) = (e.encode(key), e.encode(m.finish()));
        let good = headers(&[
            ("x-amz-server-side-encryption-customer-algorithm", "AES256"),
            ("x-amz-server-side-encryption-customer-key", &k),
            ("x-amz-server-side-encryption-customer-key-md5", &md5),
        ]);
        assert!(matches!(
            request(&good).unwrap(),
            Some(SseRequest::Customer(_))
        ));
        let bad = headers(&[
            ("x-amz-server-side-encryption-customer-algorithm", "AES256"),
            ("x-amz-server-side-encryption-customer-key", &k),
            (
                "x-amz-server-side-encryption-customer-key-md5",
                &e.encode([0u8; 16]),
            ),
        ]);
        assert!(message(request(&bad)).contains("MD5 hash of the key did not match"));
        let mut both = good.clone();
        both.insert(SSE, "AES256".parse().unwrap());
        assert!(message(request(&both)).contains("incompatible"));
    }
}
