//! GenerateDataKeyPair, GenerateDataKeyPairWithoutPlaintext, DeriveSharedSecret.

use super::{b64, Context, Named, Secret};
use crate::crypto::{KeyAgreementAlgorithm, KeySpec};
use crate::model::keys::Origin;

shapes! {
    /// GenerateDataKeyPair's and GenerateDataKeyPairWithoutPlaintext's request.
    input GenerateDataKeyPairInput <= GenerateDataKeyPairWithoutPlaintextInput {
        encryption_context: Context,
        key_id: String,
        key_pair_spec: Named<KeySpec>,
        #[serde(skip_serializing)]
        grant_tokens: Vec<String>,
        dry_run: bool,
    }

    /// GenerateDataKeyPair's answer.
    output GenerateDataKeyPairOutput {
        #[serde(serialize_with = "b64::serialize")]
        private_key_ciphertext_blob: Vec<u8>,
        /// DER PKCS #8.
        #[serde(serialize_with = "b64::secret")]
        private_key_plaintext: Secret,
        /// DER SubjectPublicKeyInfo.
        #[serde(serialize_with = "b64::serialize")]
        public_key: Vec<u8>,
        key_id: String,
        key_pair_spec: KeySpec,
    }

    /// GenerateDataKeyPairWithoutPlaintext's answer.
    output GenerateDataKeyPairWithoutPlaintextOutput {
        #[serde(serialize_with = "b64::serialize")]
        private_key_ciphertext_blob: Vec<u8>,
        /// DER SubjectPublicKeyInfo.
        #[serde(serialize_with = "b64::serialize")]
        public_key: Vec<u8>,
        key_id: String,
        key_pair_spec: KeySpec,
    }

    /// DeriveSharedSecret's request.
    input DeriveSharedSecretInput {
        key_id: String,
        key_agreement_algorithm: Named<KeyAgreementAlgorithm>,
        /// The peer's DER SubjectPublicKeyInfo.
        #[serde(default, deserialize_with = "b64::deserialize", skip_serializing)]
        public_key: Vec<u8>,
        #[serde(skip_serializing)]
        grant_tokens: Vec<String>,
        dry_run: bool,
    }

    /// DeriveSharedSecret's answer.
    output DeriveSharedSecretOutput {
        key_id: String,
        #[serde(serialize_with = "b64::secret")]
        shared_secret: Secret,
        key_agreement_algorithm: KeyAgreementAlgorithm,
        key_origin: Origin,
    }
}
