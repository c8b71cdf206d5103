//! GenerateDataKeyPair, GenerateDataKeyPairWithoutPlaintext, DeriveSharedSecret.

use super::{b64, Context, Named, Secret};
use crate::crypto::{KeyAgreementAlgorithm, KeySpec};
use crate::model::keys::Origin;
use serde::{Deserialize, Serialize};

/// GenerateDataKeyPair's request.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all(deserialize = "PascalCase", serialize = "camelCase"))]
pub struct GenerateDataKeyPairInput {
    pub encryption_context: Option<Context>,
    pub key_id: Option<String>,
    pub key_pair_spec: Option<Named<KeySpec>>,
    #[serde(skip_serializing)]
    pub grant_tokens: Option<Vec<String>>,
    pub dry_run: Option<bool>,
}

/// GenerateDataKeyPair's answer.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GenerateDataKeyPairOutput {
    #[serde(serialize_with = "b64::serialize")]
    pub private_key_ciphertext_blob: Vec<u8>,
    /// DER PKCS #8.
    #[serde(serialize_with = "b64::secret")]
    pub private_key_plaintext: Secret,
    /// DER SubjectPublicKeyInfo.
    #[serde(serialize_with = "b64::serialize")]
    pub public_key: Vec<u8>,
    pub key_id: String,
    pub key_pair_spec: KeySpec,
}

/// GenerateDataKeyPairWithoutPlaintext's request.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all(deserialize = "PascalCase", serialize = "camelCase"))]
pub struct GenerateDataKeyPairWithoutPlaintextInput {
    pub encryption_context: Option<Context>,
    pub key_id: Option<String>,
    pub key_pair_spec: Option<Named<KeySpec>>,
    #[serde(skip_serializing)]
    pub grant_tokens: Option<Vec<String>>,
    pub dry_run: Option<bool>,
}

/// GenerateDataKeyPairWithoutPlaintext's answer.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GenerateDataKeyPairWithoutPlaintextOutput {
    #[serde(serialize_with = "b64::serialize")]
    pub private_key_ciphertext_blob: Vec<u8>,
    /// DER SubjectPublicKeyInfo.
    #[serde(serialize_with = "b64::serialize")]
    pub public_key: Vec<u8>,
    pub key_id: String,
    pub key_pair_spec: KeySpec,
}

/// DeriveSharedSecret's request.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all(deserialize = "PascalCase", serialize = "camelCase"))]
pub struct DeriveSharedSecretInput {
    pub key_id: Option<String>,
    pub key_agreement_algorithm: Option<Named<KeyAgreementAlgorithm>>,
    /// The peer's DER SubjectPublicKeyInfo.
    #[serde(default, deserialize_with = "b64::deserialize", skip_serializing)]
    pub public_key: Option<Vec<u8>>,
    #[serde(skip_serializing)]
    pub grant_tokens: Option<Vec<String>>,
    pub dry_run: Option<bool>,
}

/// DeriveSharedSecret's answer.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeriveSharedSecretOutput {
    pub key_id: String,
    #[serde(serialize_with = "b64::secret")]
    pub shared_secret: Secret,
    pub key_agreement_algorithm: KeyAgreementAlgorithm,
    pub key_origin: Origin,
}
