//! The KMS scenarios: Encrypt of 1 KiB, Decrypt of that ciphertext, GenerateDataKey (AES_256),
//! and Sign of a 32-byte RAW message with an RSA_2048 and an ECC_NIST_P256 key.
//!
//! Every request is `POST /` with `X-Amz-Target: TrentService.<Op>`, a JSON 1.1 body and the
//! SigV4 service `kms`. The body is the same for every request of a round, so it and its
//! SHA-256 are built once per target, when [`Scenario::bind`] has the target's key id (and, for
//! Decrypt, its ciphertext) from the setup answers.
//!
//! Must not touch: anything but request shapes.

use super::{Scenario, Slot, Weight};
use crate::body::{generated, BenchBody};
use crate::spec::{hash_of, Expect, Spec};
use base64::Engine;
use bytes::Bytes;
use http::Method;
use serde_json::{json, Value};
use std::sync::Arc;

/// Size of the Encrypt plaintext (and of the Decrypt result).
pub const PLAINTEXT: usize = 1024;
/// Size of the message signed by the Sign scenarios.
pub const MESSAGE: usize = 32;
/// The JSON 1.1 content type KMS speaks.
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";
/// The key id used before a target's real one is known (and by `every_name_resolves`).
const PLACEHOLDER_KEY: &str = "alias/trailstack-bench";

/// Which KMS scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Encrypt 1 KiB with a symmetric key.
    Encrypt1k,
    /// Decrypt the ciphertext of 1 KiB made once at setup.
    Decrypt,
    /// GenerateDataKey, KeySpec AES_256.
    GenerateDataKey,
    /// Sign 32 bytes RAW with an RSA_2048 key, RSASSA_PKCS1_V1_5_SHA_256.
    SignRsa2048,
    /// Sign 32 bytes RAW with an ECC_NIST_P256 key, ECDSA_SHA_256.
    SignP256,
}

impl Kind {
    /// The kind called `name`.
    pub fn from_name(name: &str) -> Option<Kind> {
        Some(match name {
            "kms-encrypt-1k" => Kind::Encrypt1k,
            "kms-decrypt" => Kind::Decrypt,
            "kms-generate-data-key" => Kind::GenerateDataKey,
            "kms-sign-rsa2048" => Kind::SignRsa2048,
            "kms-sign-p256" => Kind::SignP256,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Encrypt1k => "kms-encrypt-1k",
            Kind::Decrypt => "kms-decrypt",
            Kind::GenerateDataKey => "kms-generate-data-key",
            Kind::SignRsa2048 => "kms-sign-rsa2048",
            Kind::SignP256 => "kms-sign-p256",
        }
    }

    /// The operation measured.
    fn operation(self) -> &'static str {
        match self {
            Kind::Encrypt1k => "Encrypt",
            Kind::Decrypt => "Decrypt",
            Kind::GenerateDataKey => "GenerateDataKey",
            Kind::SignRsa2048 | Kind::SignP256 => "Sign",
        }
    }

    /// KeySpec and KeyUsage of the key created at setup.
    fn key(self) -> (&'static str, &'static str) {
        match self {
            Kind::SignRsa2048 => ("RSA_2048", "SIGN_VERIFY"),
            Kind::SignP256 => ("ECC_NIST_P256", "SIGN_VERIFY"),
            _ => ("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT"),
        }
    }

    /// A lower bound on a good answer's size: the base64 of what it must carry.
    fn min_body(self) -> u64 {
        let b64 = |n: usize| n.div_ceil(3) as u64 * 4;
        match self {
            // CiphertextBlob of at least the plaintext; Plaintext itself.
            Kind::Encrypt1k | Kind::Decrypt => b64(PLAINTEXT),
            // Plaintext (32 bytes) and a CiphertextBlob of at least as much.
            Kind::GenerateDataKey => 2 * b64(32),
            // A 2048-bit signature.
            Kind::SignRsa2048 => b64(256),
            // A DER ECDSA P-256 signature (at least 64 bytes in practice).
            Kind::SignP256 => b64(64),
        }
    }
}

/// The base64 of `bytes`.
fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A KMS request: `POST /`, `X-Amz-Target: TrentService.<op>`, JSON body signed by its hash.
pub fn json_request(op: &str, body: Bytes, payload_hash: Arc<str>, expect: Expect) -> Spec {
    target_request(
        "kms",
        format!("TrentService.{op}"),
        body,
        payload_hash,
        expect,
    )
}

/// A request to a JSON 1.1 `service` (KMS, CloudTrail): `POST /`, `X-Amz-Target: <target>`,
/// JSON body signed by its hash.
pub fn target_request(
    service: &'static str,
    target: String,
    body: Bytes,
    payload_hash: Arc<str>,
    expect: Expect,
) -> Spec {
    Spec {
        method: Method::POST,
        path: "/".into(),
        query: String::new(),
        headers: vec![
            ("content-type", CONTENT_TYPE.into()),
            ("x-amz-target", target),
        ],
        body: BenchBody::full(body),
        payload_hash,
        service,
        expect,
    }
}

/// A KMS scenario bound to one key (and for Decrypt one ciphertext).
pub struct KmsScenario {
    kind: Kind,
    body: Bytes,
    hash: Arc<str>,
}

impl KmsScenario {
    /// The scenario `kind` for the key `key_id`; `ciphertext` is the base64 CiphertextBlob
    /// Decrypt sends.
    pub fn new(kind: Kind, key_id: &str, ciphertext: &str) -> Self {
        let body = match kind {
            Kind::Encrypt1k => Self::encrypt_body(key_id),
            Kind::Decrypt => json!({ "CiphertextBlob": ciphertext }),
            Kind::GenerateDataKey => json!({ "KeyId": key_id, "KeySpec": "AES_256" }),
            Kind::SignRsa2048 | Kind::SignP256 => json!({
                "KeyId": key_id,
                "Message": b64(&generated(MESSAGE, 3)),
                "MessageType": "RAW",
                "SigningAlgorithm": if kind == Kind::SignP256 {
                    "ECDSA_SHA_256"
                } else {
                    "RSASSA_PKCS1_V1_5_SHA_256"
                },
            }),
        };
        let body = Bytes::from(body.to_string());
        let hash = hash_of(&body);
        KmsScenario { kind, body, hash }
    }

    /// The unbound scenario `kind` (placeholder key), as [`super::by_name`] returns it.
    pub fn new_dyn(kind: Kind) -> Arc<dyn Scenario> {
        Arc::new(Self::new(kind, PLACEHOLDER_KEY, ""))
    }

    fn encrypt_body(key_id: &str) -> Value {
        json!({ "KeyId": key_id, "Plaintext": b64(&generated(PLAINTEXT, 2)) })
    }

    fn plain(op: &str, body: Value) -> Spec {
        let body = Bytes::from(body.to_string());
        let hash = hash_of(&body);
        json_request(op, body, hash, Expect::OK)
    }
}

/// A CreateKey request for a key of `spec` and `usage`, described as made by `scenario`.
pub fn create_key(spec: &str, usage: &str, scenario: &str) -> Spec {
    KmsScenario::plain(
        "CreateKey",
        json!({
            "KeySpec": spec,
            "KeyUsage": usage,
            "Description": format!("trailstack-bench {scenario}"),
        }),
    )
}

/// The string at `path` in the JSON `answer`, or an error quoting the answer.
pub fn field(answer: &Bytes, path: &[&str]) -> Result<String, String> {
    let v: Value = serde_json::from_slice(answer).map_err(|e| {
        format!(
            "answer is not JSON ({e}): {}",
            String::from_utf8_lossy(&answer[..answer.len().min(200)])
        )
    })?;
    path.iter()
        .try_fold(&v, |v, k| v.get(k))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| format!("no {} in the answer: {v}", path.join(".")))
}

impl Scenario for KmsScenario {
    fn name(&self) -> &'static str {
        self.kind.name()
    }

    fn describe(&self) -> String {
        match self.kind {
            Kind::Encrypt1k => {
                "KMS Encrypt of 1 KiB with a symmetric key (SYMMETRIC_DEFAULT)".into()
            }
            Kind::Decrypt => "KMS Decrypt of the ciphertext of 1 KiB made once at setup".into(),
            Kind::GenerateDataKey => "KMS GenerateDataKey, KeySpec AES_256".into(),
            Kind::SignRsa2048 => {
                "KMS Sign of a 32-byte RAW message with an RSA_2048 key, RSASSA_PKCS1_V1_5_SHA_256"
                    .into()
            }
            Kind::SignP256 => {
                "KMS Sign of a 32-byte RAW message with an ECC_NIST_P256 key, ECDSA_SHA_256".into()
            }
        }
    }

    fn weight(&self) -> Weight {
        Weight::Small
    }

    fn setup(&self) -> Vec<Vec<Spec>> {
        Vec::new()
    }

    fn exchange(&self, answers: &[Bytes]) -> Option<Spec> {
        match answers.len() {
            0 => {
                let (spec, usage) = self.kind.key();
                Some(create_key(spec, usage, self.kind.name()))
            }
            1 if self.kind == Kind::Decrypt => {
                let key = field(&answers[0], &["KeyMetadata", "KeyId"]).ok()?;
                Some(Self::plain("Encrypt", Self::encrypt_body(&key)))
            }
            _ => None,
        }
    }

    fn bind(&self, answers: &[Bytes]) -> Result<Option<Arc<dyn Scenario>>, String> {
        let first = answers.first().ok_or("no CreateKey answer")?;
        let key = field(first, &["KeyMetadata", "KeyId"])?;
        let ciphertext = match self.kind {
            Kind::Decrypt => {
                let second = answers.get(1).ok_or("no Encrypt answer")?;
                field(second, &["CiphertextBlob"])?
            }
            _ => String::new(),
        };
        Ok(Some(Arc::new(Self::new(self.kind, &key, &ciphertext))))
    }

    fn request(&self, _slot: Slot) -> Spec {
        let expect = Expect {
            min_body: self.kind.min_body(),
            ..Expect::OK
        };
        json_request(
            self.kind.operation(),
            self.body.clone(),
            self.hash.clone(),
            expect,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binds_to_the_setup_answers() {
        let sc = KmsScenario::new(Kind::Decrypt, PLACEHOLDER_KEY, "");
        let create = sc.exchange(&[]).unwrap();
        assert_eq!(create.service, "kms");
        assert!(create
            .headers
            .contains(&("x-amz-target", "TrentService.CreateKey".into())));
        let key = Bytes::from_static(br#"{"KeyMetadata":{"KeyId":"k-1"}}"#);
        let enc = sc.exchange(std::slice::from_ref(&key)).unwrap();
        let BenchBody::Full(Some(body)) = &enc.body else {
            panic!("Encrypt has a body")
        };
        assert!(String::from_utf8_lossy(body).contains("\"KeyId\":\"k-1\""));
        let blob = Bytes::from_static(br#"{"CiphertextBlob":"QUJD"}"#);
        assert!(sc.exchange(&[key.clone(), blob.clone()]).is_none());
        let bound = sc.bind(&[key, blob]).unwrap().unwrap();
        let req = bound.request(Slot {
            round: 0,
            worker: 0,
            seq: 0,
        });
        assert_eq!(
            &*req.payload_hash,
            &*hash_of(&Bytes::from(r#"{"CiphertextBlob":"QUJD"}"#))
        );
        assert!(sc.bind(&[Bytes::from_static(b"{}")]).is_err());
    }
}
