//! GetParametersForImport, ImportKeyMaterial, DeleteImportedKeyMaterial.

use super::{b64, record, Named};
use crate::crypto::{KeySpec, WrappingAlgorithm};
use crate::model::keys::ExpirationModel;

shapes! {
    /// GetParametersForImport's request.
    input GetParametersForImportInput {
        key_id: String,
        wrapping_algorithm: Named<WrappingAlgorithm>,
        wrapping_key_spec: Named<KeySpec>,
    }

    /// GetParametersForImport's answer.
    output GetParametersForImportOutput {
        key_id: String,
        #[serde(serialize_with = "b64::serialize")]
        import_token: Vec<u8>,
        /// DER SubjectPublicKeyInfo of the wrapping key.
        #[serde(serialize_with = "b64::serialize")]
        public_key: Vec<u8>,
        /// Epoch seconds.
        parameters_valid_to: f64,
    }

    /// ImportKeyMaterial's request.
    input ImportKeyMaterialInput {
        key_id: String,
        #[serde(default, deserialize_with = "b64::deserialize", skip_serializing)]
        import_token: Vec<u8>,
        #[serde(default, deserialize_with = "b64::deserialize", skip_serializing)]
        encrypted_key_material: Vec<u8>,
        /// Epoch seconds.
        #[serde(serialize_with = "record::java_date")]
        valid_to: f64,
        expiration_model: Named<ExpirationModel>,
    }

    /// ImportKeyMaterial's answer.
    output ImportKeyMaterialOutput {
        key_id: String,
        key_material_id: String,
    }

    /// DeleteImportedKeyMaterial's request.
    input DeleteImportedKeyMaterialInput {
        key_id: String,
    }

    /// DeleteImportedKeyMaterial's answer.
    output DeleteImportedKeyMaterialOutput {
        key_id: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        key_material_id: Option<String>,
    }
}
