//! Encrypt, Decrypt, ReEncrypt, GenerateDataKey(+WithoutPlaintext), GenerateRandom.

use super::{b64, Context, Named, Secret};
use crate::crypto::{DataKeySpec, EncryptionAlgorithm};
use serde::{Deserialize, Serialize};

/// Encrypt's request.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all(deserialize = "PascalCase", serialize = "camelCase"))]
pub struct EncryptInput {
    pub key_id: Option<String>,
    #[serde(
        default,
        deserialize_with = "b64::deserialize_secret",
        skip_serializing
    )]
    pub plaintext: Option<Secret>,
    pub encryption_context: Option<Context>,
    #[serde(skip_serializing)]
    pub grant_tokens: Option<Vec<String>>,
    pub encryption_algorithm: Option<Named<EncryptionAlgorithm>>,
    pub dry_run: Option<bool>,
}

/// Encrypt's answer.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct EncryptOutput {
    #[serde(serialize_with = "b64::serialize")]
    pub ciphertext_blob: Vec<u8>,
    pub key_id: String,
    pub encryption_algorithm: EncryptionAlgorithm,
}

/// Decrypt's request.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all(deserialize = "PascalCase", serialize = "camelCase"))]
pub struct DecryptInput {
    #[serde(default, deserialize_with = "b64::deserialize", skip_serializing)]
    pub ciphertext_blob: Option<Vec<u8>>,
    pub encryption_context: Option<Context>,
    #[serde(skip_serializing)]
    pub grant_tokens: Option<Vec<String>>,
    pub key_id: Option<String>,
    pub encryption_algorithm: Option<Named<EncryptionAlgorithm>>,
    pub dry_run: Option<bool>,
}

/// Decrypt's answer.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DecryptOutput {
    pub key_id: String,
    #[serde(serialize_with = "b64::secret")]
    pub plaintext: Secret,
    pub encryption_algorithm: EncryptionAlgorithm,
}

/// ReEncrypt's request.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all(deserialize = "PascalCase", serialize = "camelCase"))]
pub struct ReEncryptInput {
    #[serde(default, deserialize_with = "b64::deserialize", skip_serializing)]
    pub ciphertext_blob: Option<Vec<u8>>,
    pub source_encryption_context: Option<Context>,
    pub source_key_id: Option<String>,
    pub destination_key_id: Option<String>,
    pub destination_encryption_context: Option<Context>,
    pub source_encryption_algorithm: Option<Named<EncryptionAlgorithm>>,
    pub destination_encryption_algorithm: Option<Named<EncryptionAlgorithm>>,
    #[serde(skip_serializing)]
    pub grant_tokens: Option<Vec<String>>,
    pub dry_run: Option<bool>,
}

/// ReEncrypt's answer.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReEncryptOutput {
    #[serde(serialize_with = "b64::serialize")]
    pub ciphertext_blob: Vec<u8>,
    pub source_key_id: String,
    pub key_id: String,
    pub source_encryption_algorithm: EncryptionAlgorithm,
    pub destination_encryption_algorithm: EncryptionAlgorithm,
}

/// GenerateDataKey's request.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all(deserialize = "PascalCase", serialize = "camelCase"))]
pub struct GenerateDataKeyInput {
    pub key_id: Option<String>,
    pub encryption_context: Option<Context>,
    pub number_of_bytes: Option<i64>,
    pub key_spec: Option<Named<DataKeySpec>>,
    #[serde(skip_serializing)]
    pub grant_tokens: Option<Vec<String>>,
    pub dry_run: Option<bool>,
}

/// GenerateDataKey's answer.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GenerateDataKeyOutput {
    #[serde(serialize_with = "b64::serialize")]
    pub ciphertext_blob: Vec<u8>,
    #[serde(serialize_with = "b64::secret")]
    pub plaintext: Secret,
    pub key_id: String,
}

/// GenerateDataKeyWithoutPlaintext's request.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all(deserialize = "PascalCase", serialize = "camelCase"))]
pub struct GenerateDataKeyWithoutPlaintextInput {
    pub key_id: Option<String>,
    pub encryption_context: Option<Context>,
    pub number_of_bytes: Option<i64>,
    pub key_spec: Option<Named<DataKeySpec>>,
    #[serde(skip_serializing)]
    pub grant_tokens: Option<Vec<String>>,
    pub dry_run: Option<bool>,
}

/// GenerateDataKeyWithoutPlaintext's answer.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GenerateDataKeyWithoutPlaintextOutput {
    #[serde(serialize_with = "b64::serialize")]
    pub ciphertext_blob: Vec<u8>,
    pub key_id: String,
}

/// GenerateRandom's request.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all(deserialize = "PascalCase", serialize = "camelCase"))]
pub struct GenerateRandomInput {
    pub number_of_bytes: Option<i64>,
}

/// GenerateRandom's answer.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GenerateRandomOutput {
    #[serde(serialize_with = "b64::secret")]
    pub plaintext: Secret,
}
