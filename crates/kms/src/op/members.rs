//! The request and response members that authorization and the audit read whatever the
//! operation: `KeyId`, encryption contexts, algorithms, grant parameters, tags. Each accessor
//! lists the operations whose input (or output) has the member.

use super::{Op, Output};
use crate::crypto::{EncryptionAlgorithm, MacAlgorithm, SigningAlgorithm};
use crate::model::grants::GrantOperation;
use crate::shapes::{Context, GrantConstraints, Named, Tag};

/// `Some(&member)` of the operations listed (whose member is optional, or with `required`
/// always present), `None` for the others.
macro_rules! member {
    ($value:expr, $enum:ident, $field:ident, [$($k:ident),* $(,)?]) => {
        match $value {
            $($enum::$k(x) => x.$field.as_ref(),)*
            _ => None,
        }
    };
    (required $value:expr, $enum:ident, $field:ident, [$($k:ident),* $(,)?]) => {
        match $value {
            $($enum::$k(x) => Some(&x.$field),)*
            _ => None,
        }
    };
}

impl Op {
    /// `KeyId`: a key id, key ARN, alias name or alias ARN.
    pub fn key_id(&self) -> Option<&String> {
        member!(
            self,
            Op,
            key_id,
            [
                DescribeKey,
                EnableKey,
                DisableKey,
                ScheduleKeyDeletion,
                CancelKeyDeletion,
                UpdateKeyDescription,
                Encrypt,
                Decrypt,
                GenerateDataKey,
                GenerateDataKeyWithoutPlaintext,
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
                RetireGrant,
                RevokeGrant,
                GetParametersForImport,
                ImportKeyMaterial,
                DeleteImportedKeyMaterial,
                GenerateDataKeyPair,
                GenerateDataKeyPairWithoutPlaintext,
                DeriveSharedSecret,
            ]
        )
    }

    /// `AliasName`.
    pub fn alias_name(&self) -> Option<&String> {
        member!(
            self,
            Op,
            alias_name,
            [CreateAlias, UpdateAlias, DeleteAlias]
        )
    }

    /// `TargetKeyId`.
    pub fn target_key_id(&self) -> Option<&String> {
        member!(self, Op, target_key_id, [CreateAlias, UpdateAlias])
    }

    /// `SourceKeyId`.
    pub fn source_key_id(&self) -> Option<&String> {
        member!(self, Op, source_key_id, [ReEncrypt])
    }

    /// `DestinationKeyId`.
    pub fn destination_key_id(&self) -> Option<&String> {
        member!(self, Op, destination_key_id, [ReEncrypt])
    }

    /// `CiphertextBlob`.
    pub fn ciphertext_blob(&self) -> Option<&Vec<u8>> {
        member!(self, Op, ciphertext_blob, [Decrypt, ReEncrypt])
    }

    /// `EncryptionContext`.
    pub fn encryption_context(&self) -> Option<&Context> {
        member!(
            self,
            Op,
            encryption_context,
            [
                Encrypt,
                Decrypt,
                GenerateDataKey,
                GenerateDataKeyWithoutPlaintext,
                GenerateDataKeyPair,
                GenerateDataKeyPairWithoutPlaintext,
            ]
        )
    }

    /// `SourceEncryptionContext`.
    pub fn source_encryption_context(&self) -> Option<&Context> {
        member!(self, Op, source_encryption_context, [ReEncrypt])
    }

    /// `DestinationEncryptionContext`.
    pub fn destination_encryption_context(&self) -> Option<&Context> {
        member!(self, Op, destination_encryption_context, [ReEncrypt])
    }

    /// `EncryptionAlgorithm`.
    pub fn encryption_algorithm(&self) -> Option<&Named<EncryptionAlgorithm>> {
        member!(self, Op, encryption_algorithm, [Encrypt, Decrypt])
    }

    /// `SigningAlgorithm`.
    pub fn signing_algorithm(&self) -> Option<&Named<SigningAlgorithm>> {
        member!(self, Op, signing_algorithm, [Sign, Verify])
    }

    /// `MacAlgorithm`.
    pub fn mac_algorithm(&self) -> Option<&Named<MacAlgorithm>> {
        member!(self, Op, mac_algorithm, [GenerateMac, VerifyMac])
    }

    /// `GrantTokens` (the cryptographic operations, DescribeKey and CreateGrant).
    pub fn grant_tokens(&self) -> Option<&Vec<String>> {
        member!(
            self,
            Op,
            grant_tokens,
            [
                CreateGrant,
                Decrypt,
                DeriveSharedSecret,
                DescribeKey,
                Encrypt,
                GenerateDataKey,
                GenerateDataKeyPair,
                GenerateDataKeyPairWithoutPlaintext,
                GenerateDataKeyWithoutPlaintext,
                GenerateMac,
                GetPublicKey,
                ReEncrypt,
                Sign,
                Verify,
                VerifyMac,
            ]
        )
    }

    /// `Operations` of CreateGrant.
    pub fn operations(&self) -> Option<&Vec<Named<GrantOperation>>> {
        member!(self, Op, operations, [CreateGrant])
    }

    /// `GranteePrincipal`.
    pub fn grantee_principal(&self) -> Option<&String> {
        member!(self, Op, grantee_principal, [CreateGrant, ListGrants])
    }

    /// `RetiringPrincipal`.
    pub fn retiring_principal(&self) -> Option<&String> {
        member!(
            self,
            Op,
            retiring_principal,
            [CreateGrant, ListRetirableGrants]
        )
    }

    /// `Constraints` of CreateGrant.
    pub fn constraints(&self) -> Option<&GrantConstraints> {
        member!(self, Op, constraints, [CreateGrant])
    }

    /// `Tags`.
    pub fn tags(&self) -> Option<&Vec<Tag>> {
        member!(self, Op, tags, [CreateKey, TagResource])
    }

    /// `TagKeys`.
    pub fn tag_keys(&self) -> Option<&Vec<String>> {
        member!(self, Op, tag_keys, [UntagResource])
    }
}

impl Output {
    /// The `KeyId` an answer names: the key's ARN for all but RotateKeyOnDemand (its key id);
    /// KeyMetadata's `Arn` for CreateKey and DescribeKey.
    pub fn key_id(&self) -> Option<&String> {
        match self {
            Output::CreateKey(o) => Some(&o.key_metadata.arn),
            Output::DescribeKey(o) => Some(&o.key_metadata.arn),
            other => member!(required other, Output, key_id, [
                ScheduleKeyDeletion, CancelKeyDeletion, Encrypt, Decrypt, ReEncrypt,
                GenerateDataKey, GenerateDataKeyWithoutPlaintext, Sign, Verify, GetPublicKey,
                GenerateMac, VerifyMac, GetKeyRotationStatus, RotateKeyOnDemand,
                GetParametersForImport, ImportKeyMaterial, DeleteImportedKeyMaterial,
                GenerateDataKeyPair, GenerateDataKeyPairWithoutPlaintext, DeriveSharedSecret,
            ]),
        }
    }
}
