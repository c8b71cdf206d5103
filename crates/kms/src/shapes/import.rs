//! GetParametersForImport, ImportKeyMaterial, DeleteImportedKeyMaterial.

use super::{b64, record, Named};
use crate::crypto::{KeySpec, WrappingAlgorithm};
use crate::model::keys::ExpirationModel;
use serde::{Deserialize, Serialize};

/// GetParametersForImport's request.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all(deserialize = "PascalCase", serialize = "camelCase"))]
pub struct GetParametersForImportInput {
    pub key_id: Option<String>,
    pub wrapping_algorithm: Option<Named<WrappingAlgorithm>>,
    pub wrapping_key_spec: Option<Named<KeySpec>>,
}

/// GetParametersForImport's answer.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetParametersForImportOutput {
    pub key_id: String,
    #[serde(serialize_with = "b64::serialize")]
    pub import_token: Vec<u8>,
    /// DER SubjectPublicKeyInfo of the wrapping key.
    #[serde(serialize_with = "b64::serialize")]
    pub public_key: Vec<u8>,
    /// Epoch seconds.
    pub parameters_valid_to: f64,
}

/// ImportKeyMaterial's request.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all(deserialize = "PascalCase", serialize = "camelCase"))]
pub struct ImportKeyMaterialInput {
    pub key_id: Option<String>,
    #[serde(default, deserialize_with = "b64::deserialize", skip_serializing)]
    pub import_token: Option<Vec<u8>>,
    #[serde(default, deserialize_with = "b64::deserialize", skip_serializing)]
    pub encrypted_key_material: Option<Vec<u8>>,
    /// Epoch seconds.
    #[serde(serialize_with = "record::java_date")]
    pub valid_to: Option<f64>,
    pub expiration_model: Option<Named<ExpirationModel>>,
}

/// ImportKeyMaterial's answer.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ImportKeyMaterialOutput {
    pub key_id: String,
    pub key_material_id: String,
}

/// DeleteImportedKeyMaterial's request.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all(deserialize = "PascalCase", serialize = "camelCase"))]
pub struct DeleteImportedKeyMaterialInput {
    pub key_id: Option<String>,
}

/// DeleteImportedKeyMaterial's answer.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteImportedKeyMaterialOutput {
    pub key_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_material_id: Option<String>,
}
