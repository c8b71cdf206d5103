//! The `KeyService` port: what S3 and CloudTrail need from KMS — data keys to encrypt with and
//! decryption of the data keys they stored — without depending on the KMS crate. The server
//! wires the KMS service in; its implementation enters KMS through the same audited entry
//! point as an HTTP request, as the service principal acting for the caller.

use crate::caller::Caller;
use crate::ports::{PortError, PortFuture};
use std::collections::BTreeMap;
use zeroize::Zeroizing;

/// Which KMS key to use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyRef {
    /// A key id, key ARN, alias name or alias ARN given by the user.
    Named(String),
    /// The AWS managed key of a service (`alias/aws/<service>`), created on first use.
    Managed(&'static str),
}

/// A data key from KMS: its plaintext (for encrypting now, then forgotten) and its ciphertext
/// (to store next to the data).
pub struct DataKey {
    /// The ARN of the KMS key that protects it.
    pub key_arn: String,
    /// The plaintext key; zeroized when dropped.
    pub plaintext: Zeroizing<Vec<u8>>,
    /// The data key encrypted under the KMS key.
    pub ciphertext: Vec<u8>,
}

/// A key's state, as KMS's `KeyState` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyState {
    /// Usable.
    Enabled,
    /// Refused by cryptographic operations until enabled again.
    Disabled,
    /// Scheduled for deletion.
    PendingDeletion,
    /// An imported-material key without its material.
    PendingImport,
}

impl KeyState {
    /// KMS's wire name.
    pub fn name(self) -> &'static str {
        match self {
            KeyState::Enabled => "Enabled",
            KeyState::Disabled => "Disabled",
            KeyState::PendingDeletion => "PendingDeletion",
            KeyState::PendingImport => "PendingImport",
        }
    }
}

/// Who manages a key, as KMS's `KeyManager` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyManager {
    /// A customer managed key.
    Customer,
    /// An AWS managed key (`alias/aws/<service>`): only its own service may use it.
    Aws,
}

/// What KMS says about a key, for callers that must not use it (HeadObject makes no KMS call,
/// but `explain` and CloudTrail's checks describe keys).
#[derive(Debug, Clone)]
pub struct KeyInfo {
    /// Key ARN.
    pub arn: String,
    /// KeyState.
    pub state: KeyState,
    /// Whether the key is a symmetric encryption key (KeySpec `SYMMETRIC_DEFAULT`, KeyUsage
    /// `ENCRYPT_DECRYPT`): the only kind S3 and CloudTrail can encrypt with.
    pub symmetric_encryption: bool,
    /// KeyManager.
    pub manager: KeyManager,
}

/// What S3 and CloudTrail need from KMS. Every method has a default that refuses, as a
/// deployment without KMS would answer: the server's KMS port implements them all, and the
/// stand-ins of a service's tests and benchmarks only what they are asked.
pub trait KeyService: Send + Sync {
    /// GenerateDataKey (AES-256) under `key` with `context`, for `caller`.
    fn generate_data_key<'a>(
        &'a self,
        caller: &'a Caller,
        key: &'a KeyRef,
        context: &'a BTreeMap<String, String>,
    ) -> PortFuture<'a, DataKey> {
        let _ = (caller, key, context);
        refused("this key service makes no data keys")
    }

    /// Decrypt of a stored data key with its `context`, for `caller`.
    fn decrypt<'a>(
        &'a self,
        caller: &'a Caller,
        ciphertext: &'a [u8],
        context: &'a BTreeMap<String, String>,
    ) -> PortFuture<'a, DataKey> {
        let _ = (caller, ciphertext, context);
        refused("this key service decrypts nothing")
    }

    /// DescribeKey.
    fn describe_key<'a>(&'a self, caller: &'a Caller, key: &'a KeyRef) -> PortFuture<'a, KeyInfo> {
        let _ = (caller, key);
        refused("this key service describes no key")
    }

    /// Whether the key policy (and grants) of `key` let `caller` — a service principal such
    /// as `cloudtrail.amazonaws.com`, built with [`Caller::service`] and, when it acts for a
    /// resource, [`Caller::for_source`] (`aws:SourceArn`) — perform `action` (e.g.
    /// `kms:GenerateDataKey`) with the encryption `context`, as a real call would be decided,
    /// without making the call or recording it. `Ok(false)` when the key does not exist.
    /// CloudTrail's CreateTrail/UpdateTrail checks use it. The default refuses to answer, so
    /// that a port that has not implemented it never reports a permission it cannot see.
    fn allows<'a>(
        &'a self,
        caller: &'a Caller,
        action: &'a str,
        key: &'a KeyRef,
        context: &'a BTreeMap<String, String>,
    ) -> PortFuture<'a, bool> {
        let _ = (caller, action, key, context);
        refused("this key service cannot simulate key policies")
    }
}

/// The answer of a [`KeyService`] call the service does not serve.
fn refused<'a, T: Send + 'a>(message: &str) -> PortFuture<'a, T> {
    let e = PortError {
        code: "UnsupportedOperationException".into(),
        message: message.into(),
    };
    Box::pin(async move { Err(e) })
}
