//! The KMS operations trailstack serves and their JSON input and output shapes. `wire::parse`
//! turns `X-Amz-Target` and the body into an [`Op`] once; handlers take its [`Params`] and
//! return an [`Output`] (serialized by `wire`).
//!
//! KMS operations share most parameter names (`KeyId`, `EncryptionContext`, `Limit`, ...) with
//! one meaning each, so one typed parameter struct serves all of them; each handler checks the
//! parameters its operation requires.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Declares [`OpKind`] with its table of names: the variant, the `X-Amz-Target` name and the
/// IAM action all come from one list.
macro_rules! op_kinds {
    ($($k:ident),* $(,)?) => {
        /// A KMS operation.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum OpKind {
            $($k,)*
        }

        impl OpKind {
            /// Every operation, for parsing.
            pub const ALL: &'static [OpKind] = &[$(OpKind::$k,)*];

            /// The operation name as in `X-Amz-Target: TrentService.<Name>`.
            pub fn name(self) -> &'static str {
                match self {
                    $(OpKind::$k => stringify!($k),)*
                }
            }

            /// The IAM action the operation is authorized as: `kms:<Name>`.
            pub fn action(self) -> &'static str {
                match self {
                    $(OpKind::$k => concat!("kms:", stringify!($k)),)*
                }
            }
        }
    };
}

op_kinds!(
    CreateKey,
    DescribeKey,
    ListKeys,
    EnableKey,
    DisableKey,
    ScheduleKeyDeletion,
    CancelKeyDeletion,
    UpdateKeyDescription,
    Encrypt,
    Decrypt,
    ReEncrypt,
    GenerateDataKey,
    GenerateDataKeyWithoutPlaintext,
    GenerateRandom,
    CreateAlias,
    UpdateAlias,
    DeleteAlias,
    ListAliases,
    TagResource,
    UntagResource,
    ListResourceTags,
    GetKeyPolicy,
    PutKeyPolicy,
    ListKeyPolicies,
    Sign,
    Verify,
    GetPublicKey,
    GenerateMac,
    VerifyMac,
    EnableKeyRotation,
    DisableKeyRotation,
    GetKeyRotationStatus,
    RotateKeyOnDemand,
    ListKeyRotations,
    CreateGrant,
    ListGrants,
    ListRetirableGrants,
    RetireGrant,
    RevokeGrant,
    GetParametersForImport,
    ImportKeyMaterial,
    DeleteImportedKeyMaterial,
    GenerateDataKeyPair,
    GenerateDataKeyPairWithoutPlaintext,
    DeriveSharedSecret,
);

impl OpKind {
    /// Whether the operation takes a `GrantTokens` parameter (the cryptographic operations,
    /// DescribeKey and CreateGrant).
    pub fn takes_grant_tokens(self) -> bool {
        use OpKind::*;
        matches!(
            self,
            CreateGrant
                | Decrypt
                | DeriveSharedSecret
                | DescribeKey
                | Encrypt
                | GenerateDataKey
                | GenerateDataKeyPair
                | GenerateDataKeyPairWithoutPlaintext
                | GenerateDataKeyWithoutPlaintext
                | GenerateMac
                | GetPublicKey
                | ReEncrypt
                | Sign
                | Verify
                | VerifyMac
        )
    }

    /// Parses an operation name.
    pub fn parse(name: &str) -> Option<OpKind> {
        OpKind::ALL.iter().copied().find(|k| k.name() == name)
    }
}

/// A tag as KMS exchanges it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    /// TagKey.
    pub tag_key: String,
    /// TagValue.
    pub tag_value: String,
}

/// The `Constraints` of CreateGrant (and of ListGrants entries): encryption context pairs a
/// request must include (`EncryptionContextSubset`) or match exactly (`EncryptionContextEquals`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct GrantConstraints {
    /// Pairs the request's encryption context must include.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_context_subset: Option<BTreeMap<String, String>>,
    /// Pairs the request's encryption context must equal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_context_equals: Option<BTreeMap<String, String>>,
}

/// Base64 blobs in JSON.
pub mod b64 {
    use base64::Engine;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Serializes bytes as base64.
    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(v))
    }

    /// Deserializes optional base64 bytes.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<u8>>, D::Error> {
        let s: Option<String> = Option::deserialize(d)?;
        s.map(|s| {
            base64::engine::general_purpose::STANDARD
                .decode(s)
                .map_err(serde::de::Error::custom)
        })
        .transpose()
    }
}

/// Every parameter any served operation takes (AWS names, PascalCase on the wire).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Params {
    pub key_id: Option<String>,
    pub description: Option<String>,
    pub key_usage: Option<String>,
    pub key_spec: Option<String>,
    pub customer_master_key_spec: Option<String>,
    pub origin: Option<String>,
    pub policy: Option<String>,
    pub policy_name: Option<String>,
    pub bypass_policy_lockout_safety_check: Option<bool>,
    pub tags: Option<Vec<Tag>>,
    pub tag_keys: Option<Vec<String>>,
    pub multi_region: Option<bool>,
    pub limit: Option<i64>,
    pub marker: Option<String>,
    pub pending_window_in_days: Option<i64>,
    #[serde(default, with = "b64")]
    pub plaintext: Option<Vec<u8>>,
    #[serde(default, with = "b64")]
    pub ciphertext_blob: Option<Vec<u8>>,
    pub encryption_context: Option<BTreeMap<String, String>>,
    pub encryption_algorithm: Option<String>,
    pub source_encryption_context: Option<BTreeMap<String, String>>,
    pub destination_encryption_context: Option<BTreeMap<String, String>>,
    pub source_key_id: Option<String>,
    pub destination_key_id: Option<String>,
    pub source_encryption_algorithm: Option<String>,
    pub destination_encryption_algorithm: Option<String>,
    pub number_of_bytes: Option<i64>,
    pub grant_tokens: Option<Vec<String>>,
    pub dry_run: Option<bool>,
    pub alias_name: Option<String>,
    pub target_key_id: Option<String>,
    #[serde(default, with = "b64")]
    pub message: Option<Vec<u8>>,
    pub message_type: Option<String>,
    pub signing_algorithm: Option<String>,
    #[serde(default, with = "b64")]
    pub signature: Option<Vec<u8>>,
    pub mac_algorithm: Option<String>,
    #[serde(default, with = "b64")]
    pub mac: Option<Vec<u8>>,
    pub rotation_period_in_days: Option<i64>,
    pub grantee_principal: Option<String>,
    pub retiring_principal: Option<String>,
    pub operations: Option<Vec<String>>,
    pub constraints: Option<GrantConstraints>,
    pub name: Option<String>,
    pub grant_id: Option<String>,
    pub grant_token: Option<String>,
    pub wrapping_algorithm: Option<String>,
    pub wrapping_key_spec: Option<String>,
    #[serde(default, with = "b64")]
    pub import_token: Option<Vec<u8>>,
    #[serde(default, with = "b64")]
    pub encrypted_key_material: Option<Vec<u8>>,
    /// Epoch seconds.
    pub valid_to: Option<f64>,
    pub expiration_model: Option<String>,
    pub key_pair_spec: Option<String>,
    pub key_agreement_algorithm: Option<String>,
    #[serde(default, with = "b64")]
    pub public_key: Option<Vec<u8>>,
}

/// One operation with its parameters.
#[derive(Debug, Clone)]
pub struct Op {
    /// Which operation.
    pub kind: OpKind,
    /// Its parameters.
    pub params: Params,
}

/// An operation's result: the JSON object KMS answers with.
pub type Output = serde_json::Map<String, serde_json::Value>;
