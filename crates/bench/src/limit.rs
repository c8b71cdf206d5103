//! The limit reference: a bare hyper HTTP/1.1 server that answers every request with a canned
//! S3-like response and does no work — no signature check, no storage. Uploads are drained and
//! discarded; large objects (keys under `big/`) stream a repeated in-memory chunk; a bucket GET
//! returns a fixed ListObjectsV2 page of 1,000 keys, the same size as a real one. KMS requests
//! (`X-Amz-Target: TrentService.<Op>`) get a canned JSON answer of the size AWS would send
//! (CreateKey key metadata, a ciphertext of 1 KiB plus overhead, a 1 KiB plaintext, a data key,
//! an RSA-2048 or P-256 signature), with no cryptography.
//!
//! It shows what this machine, this client and hyper can do at best, so trailstack's figures
//! can be read as a fraction of it. Must not touch: anything on disk.

use crate::body::BenchBody;
use crate::scenario::kms::{CONTENT_TYPE, PLAINTEXT};
use crate::scenario::s3::{KEYS, SMALL};
use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::fmt::Write;
use std::sync::Arc;
use tokio::net::TcpListener;

const ETAG: &str = "\"0f343b0931126a20f133d67c2b018a3b\"";
const LAST_MODIFIED: &str = "Mon, 06 May 2024 07:08:09 GMT";

/// The canned answers.
pub struct Canned {
    small: Bytes,
    list: Bytes,
    big_size: u64,
    kms: Kms,
}

/// Canned KMS answers, one per operation the scenarios send.
struct Kms {
    create_key: Bytes,
    encrypt: Bytes,
    decrypt: Bytes,
    generate_data_key: Bytes,
    sign_rsa: Bytes,
    sign_ecc: Bytes,
    other: Bytes,
}

const KEY_ID: &str = "0b0b1e6a-0c3e-4a53-9d3a-2f6c2f4c1a77";
const KEY_ARN: &str = "arn:aws:kms:us-east-1:123456789012:key/0b0b1e6a-0c3e-4a53-9d3a-2f6c2f4c1a77";

impl Kms {
    fn new() -> Self {
        use base64::Engine;
        let b64 = |len: usize, seed: u64| {
            base64::engine::general_purpose::STANDARD.encode(crate::body::generated(len, seed))
        };
        let json = |v: serde_json::Value| Bytes::from(v.to_string());
        Kms {
            create_key: json(serde_json::json!({ "KeyMetadata": {
                "AWSAccountId": "123456789012", "KeyId": KEY_ID, "Arn": KEY_ARN,
                "CreationDate": 1.7149792e9, "Enabled": true, "Description": "",
                "KeyUsage": "ENCRYPT_DECRYPT", "KeyState": "Enabled", "Origin": "AWS_KMS",
                "KeyManager": "CUSTOMER", "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT",
                "KeySpec": "SYMMETRIC_DEFAULT", "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
                "MultiRegion": false,
            }})),
            // AWS adds about 150 bytes (key reference, IV, tag) to the plaintext.
            encrypt: json(serde_json::json!({
                "CiphertextBlob": b64(PLAINTEXT + 152, 4), "KeyId": KEY_ARN,
                "EncryptionAlgorithm": "SYMMETRIC_DEFAULT",
            })),
            decrypt: json(serde_json::json!({
                "KeyId": KEY_ARN, "Plaintext": b64(PLAINTEXT, 2),
                "EncryptionAlgorithm": "SYMMETRIC_DEFAULT",
            })),
            generate_data_key: json(serde_json::json!({
                "CiphertextBlob": b64(184, 5), "Plaintext": b64(32, 6), "KeyId": KEY_ARN,
            })),
            sign_rsa: json(serde_json::json!({
                "KeyId": KEY_ARN, "Signature": b64(256, 7),
                "SigningAlgorithm": "RSASSA_PKCS1_V1_5_SHA_256",
            })),
            sign_ecc: json(serde_json::json!({
                "KeyId": KEY_ARN, "Signature": b64(71, 8), "SigningAlgorithm": "ECDSA_SHA_256",
            })),
            other: Bytes::from_static(b"{}"),
        }
    }

    /// The answer to `TrentService.<op>` with request body `body`.
    fn answer(&self, op: &str, body: &[u8]) -> Response<BenchBody> {
        let out = match op {
            "CreateKey" => &self.create_key,
            "Encrypt" => &self.encrypt,
            "Decrypt" => &self.decrypt,
            "GenerateDataKey" => &self.generate_data_key,
            "Sign" if body.windows(5).any(|w| w == b"ECDSA") => &self.sign_ecc,
            "Sign" => &self.sign_rsa,
            _ => &self.other,
        };
        let mut r = response(
            StatusCode::OK,
            BenchBody::full(out.clone()),
            out.len() as u64,
        );
        r.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static(CONTENT_TYPE),
        );
        r
    }
}

impl Canned {
    /// Canned answers with large objects of `big_size` bytes.
    pub fn new(big_size: u64) -> Self {
        Canned {
            small: Bytes::from(crate::body::generated(SMALL, 1)),
            list: Bytes::from(list_page()),
            big_size,
            kms: Kms::new(),
        }
    }
}

/// A ListObjectsV2 page of 1,000 keys, as S3 would write it.
fn list_page() -> String {
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>bench-list</Name><Prefix></Prefix><KeyCount>1000</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>",
    );
    for i in 0..KEYS {
        let _ = write!(
            x,
            "<Contents><Key>key/{i:04}</Key><LastModified>2024-05-06T07:08:09.000Z</LastModified><ETag>&quot;0f343b0931126a20f133d67c2b018a3b&quot;</ETag><Size>{SMALL}</Size><StorageClass>STANDARD</StorageClass></Contents>"
        );
    }
    x.push_str("</ListBucketResult>");
    x
}

fn response(status: StatusCode, body: BenchBody, len: u64) -> Response<BenchBody> {
    let mut r = Response::new(body);
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert(
        "x-amz-request-id",
        http::HeaderValue::from_static("0000000000000000"),
    );
    h.insert(
        "server",
        http::HeaderValue::from_static("trailstack-bench-limit"),
    );
    h.insert(http::header::CONTENT_LENGTH, http::HeaderValue::from(len));
    r
}

fn object(canned: &Canned, key: &str, head: bool) -> Response<BenchBody> {
    let (body, len) = if key.starts_with("big/") {
        (BenchBody::repeat(canned.big_size), canned.big_size)
    } else {
        (
            BenchBody::full(canned.small.clone()),
            canned.small.len() as u64,
        )
    };
    let body = if head { BenchBody::Empty } else { body };
    let mut r = response(StatusCode::OK, body, len);
    let h = r.headers_mut();
    h.insert(http::header::ETAG, http::HeaderValue::from_static(ETAG));
    h.insert(
        http::header::LAST_MODIFIED,
        http::HeaderValue::from_static(LAST_MODIFIED),
    );
    h.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("binary/octet-stream"),
    );
    r
}

/// The canned answer to `req`; uploads are drained first.
pub async fn answer(canned: &Canned, req: Request<Incoming>) -> Response<BenchBody> {
    let (parts, mut body) = req.into_parts();
    let kms_op = parts
        .headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("TrentService."));
    if let Some(op) = kms_op {
        let mut got = Vec::new();
        while let Some(Ok(frame)) = body.frame().await {
            if let Some(d) = frame.data_ref() {
                got.extend_from_slice(d);
            }
        }
        return canned.kms.answer(op, &got);
    }
    while let Some(Ok(_)) = body.frame().await {}
    let path = parts.uri.path().trim_start_matches('/');
    let key = path
        .split_once('/')
        .map(|(_, k)| k)
        .filter(|k| !k.is_empty());
    match (&parts.method, key) {
        (&Method::GET, None) => {
            let mut r = response(
                StatusCode::OK,
                BenchBody::full(canned.list.clone()),
                canned.list.len() as u64,
            );
            r.headers_mut().insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("application/xml"),
            );
            r
        }
        (&Method::GET, Some(k)) => object(canned, k, false),
        (&Method::HEAD, Some(k)) => object(canned, k, true),
        (&Method::DELETE, _) => response(StatusCode::NO_CONTENT, BenchBody::Empty, 0),
        _ => {
            let mut r = response(StatusCode::OK, BenchBody::Empty, 0);
            r.headers_mut()
                .insert(http::header::ETAG, http::HeaderValue::from_static(ETAG));
            r
        }
    }
}

/// Serves the canned answers on `listener` forever.
pub async fn serve(listener: TcpListener, big_size: u64) {
    let canned = Arc::new(Canned::new(big_size));
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        let canned = canned.clone();
        tokio::spawn(async move {
            let svc = service_fn(move |req| {
                let canned = canned.clone();
                async move { Ok::<_, Infallible>(answer(&canned, req).await) }
            });
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), svc)
                .await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_page_is_realistic() {
        let page = list_page();
        assert_eq!(page.matches("<Contents>").count(), KEYS);
        assert!(page.len() > KEYS * 150);
    }
}
