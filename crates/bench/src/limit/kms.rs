//! The limit server's canned KMS answers: one JSON body per operation the scenarios send, of
//! the size AWS would answer with (CreateKey key metadata, a ciphertext of 1 KiB plus overhead,
//! a 1 KiB plaintext, a data key, an RSA-2048 or P-256 signature), made once at start.
//!
//! Must not touch: cryptography. Nothing here is a real key, ciphertext or signature.

use super::response;
use crate::body::BenchBody;
use crate::scenario::kms::{CONTENT_TYPE, PLAINTEXT};
use bytes::Bytes;
use http::{Response, StatusCode};

const KEY_ID: &str = "0b0b1e6a-0c3e-4a53-9d3a-2f6c2f4c1a77";
const KEY_ARN: &str = "arn:aws:kms:us-east-1:123456789012:key/0b0b1e6a-0c3e-4a53-9d3a-2f6c2f4c1a77";

/// Canned KMS answers, one per operation the scenarios send.
pub struct Kms {
    create_key: Bytes,
    encrypt: Bytes,
    decrypt: Bytes,
    generate_data_key: Bytes,
    sign_rsa: Bytes,
    sign_ecc: Bytes,
    other: Bytes,
}

impl Kms {
    /// The canned answers, generated once.
    pub fn new() -> Self {
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
    pub fn answer(&self, op: &str, body: &[u8]) -> Response<BenchBody> {
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

impl Default for Kms {
    fn default() -> Self {
        Self::new()
    }
}
