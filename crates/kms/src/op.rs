//! The KMS operations trailstack serves: one table gives each its `X-Amz-Target` name, IAM
//! action, input type and output type (the types are in [`crate::shapes`]). `wire::parse`
//! turns `X-Amz-Target` and the body into an [`Op`] once; handlers take its typed input and
//! return their typed output, gathered in [`Output`] (serialized by `wire`).

mod members;

use crate::shapes::*;
use serde_json::Value;

/// Declares [`OpKind`], [`Op`] and [`Output`] from one list: the variant, the `X-Amz-Target`
/// name, the IAM action, the input type and the output type of every operation.
macro_rules! operations {
    ($($k:ident($input:ident) -> $output:ident),* $(,)?) => {
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

        /// One operation with its input.
        #[derive(Debug, Clone)]
        pub enum Op {
            $($k($input),)*
        }

        /// An operation's result.
        #[derive(Debug, Clone)]
        pub enum Output {
            $($k($output),)*
        }

        impl Op {
            /// Which operation.
            pub fn kind(&self) -> OpKind {
                match self {
                    $(Op::$k(_) => OpKind::$k,)*
                }
            }

            /// The operation `kind` with the input in the JSON `body`.
            pub fn from_json(kind: OpKind, body: &[u8]) -> serde_json::Result<Op> {
                match kind {
                    $(OpKind::$k => serde_json::from_slice(body).map(Op::$k),)*
                }
            }

            /// The input as CloudTrail records it (camelCase, secrets left out); absent
            /// members are `null`.
            pub fn record(&self) -> serde_json::Result<Value> {
                match self {
                    $(Op::$k(input) => serde_json::to_value(input),)*
                }
            }
        }

        impl Output {
            /// The output as a JSON value, for the record's `responseElements` (never used
            /// for outputs holding secrets: a value's strings are not wiped).
            pub fn to_json(&self) -> serde_json::Result<Value> {
                match self {
                    $(Output::$k(out) => serde_json::to_value(out),)*
                }
            }

            /// The response body: the typed output written straight into it, so secret
            /// members pass through no intermediate copy (only their wiped base64 form).
            pub fn to_body(&self) -> serde_json::Result<Vec<u8>> {
                match self {
                    $(Output::$k(out) => serde_json::to_vec(out),)*
                }
            }
        }

        $(
            impl Operation for $input {
                type Output = $output;

                fn into_op(self) -> Op {
                    Op::$k(self)
                }

                fn output(out: Output) -> Option<$output> {
                    match out {
                        Output::$k(out) => Some(out),
                        _ => None,
                    }
                }
            }
        )*
    };
}

/// An operation's input, which names the operation and its output type: what
/// [`Kms::invoke`](crate::Kms::invoke) takes to answer with the typed output.
pub trait Operation {
    /// The operation's output.
    type Output;

    /// The operation with this input.
    fn into_op(self) -> Op;

    /// This operation's output out of `out`; `None` if `out` is another operation's.
    fn output(out: Output) -> Option<Self::Output>;
}

operations!(
    CreateKey(CreateKeyInput) -> CreateKeyOutput,
    DescribeKey(DescribeKeyInput) -> DescribeKeyOutput,
    ListKeys(ListKeysInput) -> ListKeysOutput,
    EnableKey(EnableKeyInput) -> Empty,
    DisableKey(DisableKeyInput) -> Empty,
    ScheduleKeyDeletion(ScheduleKeyDeletionInput) -> ScheduleKeyDeletionOutput,
    CancelKeyDeletion(CancelKeyDeletionInput) -> CancelKeyDeletionOutput,
    UpdateKeyDescription(UpdateKeyDescriptionInput) -> Empty,
    Encrypt(EncryptInput) -> EncryptOutput,
    Decrypt(DecryptInput) -> DecryptOutput,
    ReEncrypt(ReEncryptInput) -> ReEncryptOutput,
    GenerateDataKey(GenerateDataKeyInput) -> GenerateDataKeyOutput,
    GenerateDataKeyWithoutPlaintext(GenerateDataKeyWithoutPlaintextInput)
        -> GenerateDataKeyWithoutPlaintextOutput,
    GenerateRandom(GenerateRandomInput) -> GenerateRandomOutput,
    CreateAlias(CreateAliasInput) -> Empty,
    UpdateAlias(UpdateAliasInput) -> Empty,
    DeleteAlias(DeleteAliasInput) -> Empty,
    ListAliases(ListAliasesInput) -> ListAliasesOutput,
    TagResource(TagResourceInput) -> Empty,
    UntagResource(UntagResourceInput) -> Empty,
    ListResourceTags(ListResourceTagsInput) -> ListResourceTagsOutput,
    GetKeyPolicy(GetKeyPolicyInput) -> GetKeyPolicyOutput,
    PutKeyPolicy(PutKeyPolicyInput) -> Empty,
    ListKeyPolicies(ListKeyPoliciesInput) -> ListKeyPoliciesOutput,
    Sign(SignInput) -> SignOutput,
    Verify(VerifyInput) -> VerifyOutput,
    GetPublicKey(GetPublicKeyInput) -> GetPublicKeyOutput,
    GenerateMac(GenerateMacInput) -> GenerateMacOutput,
    VerifyMac(VerifyMacInput) -> VerifyMacOutput,
    EnableKeyRotation(EnableKeyRotationInput) -> Empty,
    DisableKeyRotation(DisableKeyRotationInput) -> Empty,
    GetKeyRotationStatus(GetKeyRotationStatusInput) -> GetKeyRotationStatusOutput,
    RotateKeyOnDemand(RotateKeyOnDemandInput) -> RotateKeyOnDemandOutput,
    ListKeyRotations(ListKeyRotationsInput) -> ListKeyRotationsOutput,
    CreateGrant(CreateGrantInput) -> CreateGrantOutput,
    ListGrants(ListGrantsInput) -> ListGrantsOutput,
    ListRetirableGrants(ListRetirableGrantsInput) -> ListGrantsOutput,
    RetireGrant(RetireGrantInput) -> Empty,
    RevokeGrant(RevokeGrantInput) -> Empty,
    GetParametersForImport(GetParametersForImportInput) -> GetParametersForImportOutput,
    ImportKeyMaterial(ImportKeyMaterialInput) -> ImportKeyMaterialOutput,
    DeleteImportedKeyMaterial(DeleteImportedKeyMaterialInput) -> DeleteImportedKeyMaterialOutput,
    GenerateDataKeyPair(GenerateDataKeyPairInput) -> GenerateDataKeyPairOutput,
    GenerateDataKeyPairWithoutPlaintext(GenerateDataKeyPairWithoutPlaintextInput)
        -> GenerateDataKeyPairWithoutPlaintextOutput,
    DeriveSharedSecret(DeriveSharedSecretInput) -> DeriveSharedSecretOutput,
);

impl OpKind {
    /// Parses an operation name.
    pub fn parse(name: &str) -> Option<OpKind> {
        OpKind::ALL.iter().copied().find(|k| k.name() == name)
    }
}
