//! KMS as the [`KeyService`] other services use. Every internal call goes through
//! [`Kms::invoke`] — [`Kms::call`], the entry point HTTP requests use, with typed input and
//! output — so it is checked and recorded like AWS records it, with the calling service as
//! `invokedBy`; the data key passes from the handler to the caller without leaving its
//! zeroizing buffer. AWS managed
//! keys (`alias/aws/s3`) are created here on a service's first use.

use crate::crypto::DataKeySpec;
use crate::error::KmsError;
use crate::handlers::{resolve, store_material};
use crate::model::aliases::{self as alias_model, Alias};
use crate::model::keys::{self as key_model, KeyManager, KeyMeta, KeyRecord, KeyState, Origin};
use crate::shapes::{DecryptInput, GenerateDataKeyInput, Named};
use crate::{crypto, Kms};
use std::collections::BTreeMap;
use trailstack_core::{
    Caller, DataKey, KeyError, KeyFuture, KeyInfo, KeyManager as PortKeyManager, KeyRef,
    KeyService, KeyState as PortKeyState,
};

fn key_error(e: KmsError) -> KeyError {
    KeyError {
        code: e.code().to_string(),
        message: e.message(),
    }
}

/// The description AWS gives the managed key of `service`.
fn managed_description(service: &str) -> String {
    format!(
        "Default KMS key that protects my {} objects when no other key is defined",
        service.to_uppercase()
    )
}

/// The policy AWS gives a managed key: usable only through the owning service by principals of
/// the account, readable by the account.
fn managed_policy(account: &str, region: &str, service: &str) -> String {
    serde_json::json!({
        "Version": "2012-10-17",
        "Id": format!("auto-{service}-2"),
        "Statement": [
            {
                "Sid": format!("Allow access through {} for all principals in the account that are authorized to use {}", service.to_uppercase(), service.to_uppercase()),
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
                "Resource": "*",
                "Condition": {"StringEquals": {"kms:CallerAccount": account, "kms:ViaService": format!("{service}.{region}.amazonaws.com")}}
            },
            {
                "Sid": "Allow direct access to key metadata to the account",
                "Effect": "Allow",
                "Principal": {"AWS": format!("arn:aws:iam::{account}:root")},
                "Action": ["kms:Describe*", "kms:Get*", "kms:List*"],
                "Resource": "*"
            }
        ]
    })
    .to_string()
}

impl Kms {
    /// The alias name of the AWS managed key of `service`, created (key and alias) on first use.
    pub async fn ensure_managed_key(
        &self,
        caller: &Caller,
        service: &'static str,
    ) -> Result<String, KmsError> {
        let name = format!("alias/aws/{service}");
        let (account, region) = (caller.account.to_string(), self.region_of(caller));
        let (n, root, now) = (name.clone(), self.root.clone(), self.now_ms());
        self.write(move |c| {
            if alias_model::get(c, &account, &region, &n)?.is_some() {
                return Ok(());
            }
            let key_id = uuid::Uuid::new_v4().to_string();
            let material = crypto::generate(crypto::KeySpec::SymmetricDefault)
                .map_err(|e| KmsError::Internal(e.to_string()))?;
            let record = KeyRecord {
                key_id: key_id.clone(),
                account: account.clone(),
                region: region.clone(),
                created_ms: now,
                meta: KeyMeta {
                    v: 1,
                    description: managed_description(service),
                    key_spec: crypto::KeySpec::SymmetricDefault,
                    key_usage: crypto::KeyUsage::EncryptDecrypt,
                    origin: Origin::AwsKms,
                    key_state: KeyState::Enabled,
                    key_manager: KeyManager::Aws,
                    policy: managed_policy(&account, &region, service),
                    current_version: 1,
                    // AWS rotates managed keys every year.
                    rotation_enabled: true,
                    rotation_period_days: Some(365),
                    next_rotation_ms: Some(now + 365 * 24 * 3600 * 1000),
                    ..Default::default()
                },
            };
            key_model::insert(c, &record)?;
            store_material(c, &root, &key_id, 1, now, &material)?;
            alias_model::put(
                c,
                &Alias {
                    account,
                    region,
                    name: n,
                    key_id,
                    created_ms: now,
                    updated_ms: now,
                },
            )
        })
        .await?;
        Ok(name)
    }

    async fn key_id_for(&self, caller: &Caller, key: &KeyRef) -> Result<String, KmsError> {
        match key {
            KeyRef::Named(k) => Ok(k.clone()),
            KeyRef::Managed(service) => self.ensure_managed_key(caller, service).await,
        }
    }
}

impl KeyService for Kms {
    fn generate_data_key<'a>(
        &'a self,
        caller: &'a Caller,
        key: &'a KeyRef,
        context: &'a BTreeMap<String, String>,
    ) -> KeyFuture<'a, DataKey> {
        Box::pin(async move {
            let key_id = self.key_id_for(caller, key).await.map_err(key_error)?;
            let input = GenerateDataKeyInput {
                key_id: Some(key_id),
                key_spec: Some(Named::Known(DataKeySpec::Aes256)),
                encryption_context: Some(context.clone()),
                ..Default::default()
            };
            let out = self.invoke(caller, input).await.map_err(key_error)?;
            Ok(DataKey {
                key_arn: out.key_id,
                plaintext: out.plaintext.0,
                ciphertext: out.ciphertext_blob,
            })
        })
    }

    fn decrypt<'a>(
        &'a self,
        caller: &'a Caller,
        ciphertext: &'a [u8],
        context: &'a BTreeMap<String, String>,
    ) -> KeyFuture<'a, DataKey> {
        Box::pin(async move {
            let input = DecryptInput {
                ciphertext_blob: Some(ciphertext.to_vec()),
                encryption_context: Some(context.clone()),
                ..Default::default()
            };
            let out = self.invoke(caller, input).await.map_err(key_error)?;
            Ok(DataKey {
                key_arn: out.key_id,
                plaintext: out.plaintext.0,
                ciphertext: ciphertext.to_vec(),
            })
        })
    }

    fn describe_key<'a>(&'a self, caller: &'a Caller, key: &'a KeyRef) -> KeyFuture<'a, KeyInfo> {
        Box::pin(async move {
            let key_id = self.key_id_for(caller, key).await.map_err(key_error)?;
            let (kms, c2) = (self.clone(), caller.clone());
            let k = self
                .read(move |c| resolve(c, &kms, &c2, &key_id, true))
                .await
                .map_err(key_error)?;
            Ok(KeyInfo {
                arn: k.arn(),
                state: match k.meta.key_state {
                    KeyState::Enabled => PortKeyState::Enabled,
                    KeyState::Disabled => PortKeyState::Disabled,
                    KeyState::PendingDeletion => PortKeyState::PendingDeletion,
                    KeyState::PendingImport => PortKeyState::PendingImport,
                },
                symmetric_encryption: k.meta.key_spec == crypto::KeySpec::SymmetricDefault
                    && k.meta.key_usage == crypto::KeyUsage::EncryptDecrypt,
                manager: match k.meta.key_manager {
                    KeyManager::Customer => PortKeyManager::Customer,
                    KeyManager::Aws => PortKeyManager::Aws,
                },
            })
        })
    }

    fn allows<'a>(
        &'a self,
        caller: &'a Caller,
        action: &'a str,
        key: &'a KeyRef,
        context: &'a BTreeMap<String, String>,
    ) -> KeyFuture<'a, bool> {
        Box::pin(async move {
            let key_id = self.key_id_for(caller, key).await.map_err(key_error)?;
            let (kms, c2, action, ctx) = (
                self.clone(),
                caller.clone(),
                action.to_string(),
                context.clone(),
            );
            self.read(move |c| crate::authz::service_allows(c, &kms, &c2, &action, &key_id, &ctx))
                .await
                .map_err(key_error)
        })
    }
}
