//! Encrypt, Decrypt, ReEncrypt, GenerateDataKey(+WithoutPlaintext), GenerateRandom.

use super::{b64, Context, Named, Secret};
use crate::crypto::{DataKeySpec, EncryptionAlgorithm};

shapes! {
    /// Encrypt's request.
    input EncryptInput {
        key_id: String,
        #[serde(default, deserialize_with = "b64::deserialize_secret", skip_serializing)]
        plaintext: Secret,
        encryption_context: Context,
        #[serde(skip_serializing)]
        grant_tokens: Vec<String>,
        encryption_algorithm: Named<EncryptionAlgorithm>,
        dry_run: bool,
    }

    /// Encrypt's answer.
    output EncryptOutput {
        #[serde(serialize_with = "b64::serialize")]
        ciphertext_blob: Vec<u8>,
        key_id: String,
        encryption_algorithm: EncryptionAlgorithm,
    }

    /// Decrypt's request.
    input DecryptInput {
        #[serde(default, deserialize_with = "b64::deserialize", skip_serializing)]
        ciphertext_blob: Vec<u8>,
        encryption_context: Context,
        #[serde(skip_serializing)]
        grant_tokens: Vec<String>,
        key_id: String,
        encryption_algorithm: Named<EncryptionAlgorithm>,
        dry_run: bool,
    }

    /// Decrypt's answer.
    output DecryptOutput {
        key_id: String,
        #[serde(serialize_with = "b64::secret")]
        plaintext: Secret,
        encryption_algorithm: EncryptionAlgorithm,
    }

    /// ReEncrypt's request.
    input ReEncryptInput {
        #[serde(default, deserialize_with = "b64::deserialize", skip_serializing)]
        ciphertext_blob: Vec<u8>,
        source_encryption_context: Context,
        source_key_id: String,
        destination_key_id: String,
        destination_encryption_context: Context,
        source_encryption_algorithm: Named<EncryptionAlgorithm>,
        destination_encryption_algorithm: Named<EncryptionAlgorithm>,
        #[serde(skip_serializing)]
        grant_tokens: Vec<String>,
        dry_run: bool,
    }

    /// ReEncrypt's answer.
    output ReEncryptOutput {
        #[serde(serialize_with = "b64::serialize")]
        ciphertext_blob: Vec<u8>,
        source_key_id: String,
        key_id: String,
        source_encryption_algorithm: EncryptionAlgorithm,
        destination_encryption_algorithm: EncryptionAlgorithm,
    }

    /// GenerateDataKey's and GenerateDataKeyWithoutPlaintext's request.
    input GenerateDataKeyInput <= GenerateDataKeyWithoutPlaintextInput {
        key_id: String,
        encryption_context: Context,
        number_of_bytes: i64,
        key_spec: Named<DataKeySpec>,
        #[serde(skip_serializing)]
        grant_tokens: Vec<String>,
        dry_run: bool,
    }

    /// GenerateDataKey's answer.
    output GenerateDataKeyOutput {
        #[serde(serialize_with = "b64::serialize")]
        ciphertext_blob: Vec<u8>,
        #[serde(serialize_with = "b64::secret")]
        plaintext: Secret,
        key_id: String,
    }

    /// GenerateDataKeyWithoutPlaintext's answer.
    output GenerateDataKeyWithoutPlaintextOutput {
        #[serde(serialize_with = "b64::serialize")]
        ciphertext_blob: Vec<u8>,
        key_id: String,
    }

    /// GenerateRandom's request.
    input GenerateRandomInput {
        number_of_bytes: i64,
    }

    /// GenerateRandom's answer.
    output GenerateRandomOutput {
        #[serde(serialize_with = "b64::secret")]
        plaintext: Secret,
    }
}
