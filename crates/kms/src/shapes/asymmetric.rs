//! Sign, Verify, GetPublicKey, GenerateMac, VerifyMac.

use super::{b64, Named};
use crate::crypto::{
    EncryptionAlgorithm, KeySpec, KeyUsage, MacAlgorithm, MessageType, SigningAlgorithm,
};
use serde::{Deserialize, Serialize};

/// Sign's request.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all(deserialize = "PascalCase", serialize = "camelCase"))]
pub struct SignInput {
    pub key_id: Option<String>,
    #[serde(default, deserialize_with = "b64::deserialize", skip_serializing)]
    pub message: Option<Vec<u8>>,
    pub message_type: Option<Named<MessageType>>,
    #[serde(skip_serializing)]
    pub grant_tokens: Option<Vec<String>>,
    pub signing_algorithm: Option<Named<SigningAlgorithm>>,
    pub dry_run: Option<bool>,
}

/// Sign's answer.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SignOutput {
    pub key_id: String,
    #[serde(serialize_with = "b64::serialize")]
    pub signature: Vec<u8>,
    pub signing_algorithm: SigningAlgorithm,
}

/// Verify's request.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all(deserialize = "PascalCase", serialize = "camelCase"))]
pub struct VerifyInput {
    pub key_id: Option<String>,
    #[serde(default, deserialize_with = "b64::deserialize", skip_serializing)]
    pub message: Option<Vec<u8>>,
    pub message_type: Option<Named<MessageType>>,
    #[serde(default, deserialize_with = "b64::deserialize", skip_serializing)]
    pub signature: Option<Vec<u8>>,
    pub signing_algorithm: Option<Named<SigningAlgorithm>>,
    #[serde(skip_serializing)]
    pub grant_tokens: Option<Vec<String>>,
    pub dry_run: Option<bool>,
}

/// Verify's answer.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct VerifyOutput {
    pub key_id: String,
    pub signature_valid: bool,
    pub signing_algorithm: SigningAlgorithm,
}

/// GetPublicKey's request.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all(deserialize = "PascalCase", serialize = "camelCase"))]
pub struct GetPublicKeyInput {
    pub key_id: Option<String>,
    #[serde(skip_serializing)]
    pub grant_tokens: Option<Vec<String>>,
}

/// GetPublicKey's answer.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetPublicKeyOutput {
    pub key_id: String,
    /// DER SubjectPublicKeyInfo.
    #[serde(serialize_with = "b64::serialize")]
    pub public_key: Vec<u8>,
    pub customer_master_key_spec: KeySpec,
    pub key_spec: KeySpec,
    pub key_usage: KeyUsage,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encryption_algorithms: Option<Vec<EncryptionAlgorithm>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signing_algorithms: Option<Vec<SigningAlgorithm>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_agreement_algorithms: Option<Vec<&'static str>>,
}

/// GenerateMac's request.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all(deserialize = "PascalCase", serialize = "camelCase"))]
pub struct GenerateMacInput {
    #[serde(default, deserialize_with = "b64::deserialize", skip_serializing)]
    pub message: Option<Vec<u8>>,
    pub key_id: Option<String>,
    pub mac_algorithm: Option<Named<MacAlgorithm>>,
    #[serde(skip_serializing)]
    pub grant_tokens: Option<Vec<String>>,
    pub dry_run: Option<bool>,
}

/// GenerateMac's answer.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GenerateMacOutput {
    pub key_id: String,
    #[serde(serialize_with = "b64::serialize")]
    pub mac: Vec<u8>,
    pub mac_algorithm: MacAlgorithm,
}

/// VerifyMac's request.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all(deserialize = "PascalCase", serialize = "camelCase"))]
pub struct VerifyMacInput {
    #[serde(default, deserialize_with = "b64::deserialize", skip_serializing)]
    pub message: Option<Vec<u8>>,
    pub key_id: Option<String>,
    pub mac_algorithm: Option<Named<MacAlgorithm>>,
    #[serde(default, deserialize_with = "b64::deserialize", skip_serializing)]
    pub mac: Option<Vec<u8>>,
    #[serde(skip_serializing)]
    pub grant_tokens: Option<Vec<String>>,
    pub dry_run: Option<bool>,
}

/// VerifyMac's answer.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct VerifyMacOutput {
    pub key_id: String,
    pub mac_valid: bool,
    pub mac_algorithm: MacAlgorithm,
}
