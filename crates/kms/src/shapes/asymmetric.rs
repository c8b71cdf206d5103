//! Sign, Verify, GetPublicKey, GenerateMac, VerifyMac.

use super::{b64, Named};
use crate::crypto::{
    EncryptionAlgorithm, KeySpec, KeyUsage, MacAlgorithm, MessageType, SigningAlgorithm,
};

shapes! {
    /// Sign's request.
    input SignInput {
        key_id: String,
        #[serde(default, deserialize_with = "b64::deserialize", skip_serializing)]
        message: Vec<u8>,
        message_type: Named<MessageType>,
        #[serde(skip_serializing)]
        grant_tokens: Vec<String>,
        signing_algorithm: Named<SigningAlgorithm>,
        dry_run: bool,
    }

    /// Sign's answer.
    output SignOutput {
        key_id: String,
        #[serde(serialize_with = "b64::serialize")]
        signature: Vec<u8>,
        signing_algorithm: SigningAlgorithm,
    }

    /// Verify's request.
    input VerifyInput {
        key_id: String,
        #[serde(default, deserialize_with = "b64::deserialize", skip_serializing)]
        message: Vec<u8>,
        message_type: Named<MessageType>,
        #[serde(default, deserialize_with = "b64::deserialize", skip_serializing)]
        signature: Vec<u8>,
        signing_algorithm: Named<SigningAlgorithm>,
        #[serde(skip_serializing)]
        grant_tokens: Vec<String>,
        dry_run: bool,
    }

    /// Verify's answer.
    output VerifyOutput {
        key_id: String,
        signature_valid: bool,
        signing_algorithm: SigningAlgorithm,
    }

    /// GetPublicKey's request.
    input GetPublicKeyInput {
        key_id: String,
        #[serde(skip_serializing)]
        grant_tokens: Vec<String>,
    }

    /// GetPublicKey's answer.
    output GetPublicKeyOutput {
        key_id: String,
        /// DER SubjectPublicKeyInfo.
        #[serde(serialize_with = "b64::serialize")]
        public_key: Vec<u8>,
        customer_master_key_spec: KeySpec,
        key_spec: KeySpec,
        key_usage: KeyUsage,
        #[serde(skip_serializing_if = "Option::is_none")]
        encryption_algorithms: Option<Vec<EncryptionAlgorithm>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        signing_algorithms: Option<Vec<SigningAlgorithm>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        key_agreement_algorithms: Option<Vec<&'static str>>,
    }

    /// GenerateMac's request.
    input GenerateMacInput {
        #[serde(default, deserialize_with = "b64::deserialize", skip_serializing)]
        message: Vec<u8>,
        key_id: String,
        mac_algorithm: Named<MacAlgorithm>,
        #[serde(skip_serializing)]
        grant_tokens: Vec<String>,
        dry_run: bool,
    }

    /// GenerateMac's answer.
    output GenerateMacOutput {
        key_id: String,
        #[serde(serialize_with = "b64::serialize")]
        mac: Vec<u8>,
        mac_algorithm: MacAlgorithm,
    }

    /// VerifyMac's request.
    input VerifyMacInput {
        #[serde(default, deserialize_with = "b64::deserialize", skip_serializing)]
        message: Vec<u8>,
        key_id: String,
        mac_algorithm: Named<MacAlgorithm>,
        #[serde(default, deserialize_with = "b64::deserialize", skip_serializing)]
        mac: Vec<u8>,
        #[serde(skip_serializing)]
        grant_tokens: Vec<String>,
        dry_run: bool,
    }

    /// VerifyMac's answer.
    output VerifyMacOutput {
        key_id: String,
        mac_valid: bool,
        mac_algorithm: MacAlgorithm,
    }
}
