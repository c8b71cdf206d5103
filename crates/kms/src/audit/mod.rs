//! How KMS reports each call to the [`AuditSink`](trailstack_core::AuditSink): every KMS call
//! is a management event; the record names the key (`AWS::KMS::Key` with its ARN and account)
//! and, for alias calls, the alias. [`Pending::start`] takes what it needs from a borrowed
//! [`Op`] before the handler consumes it; [`Pending::finish`] adds the outcome and the key ARN,
//! read from the typed output or, when the output has none (management calls, failures),
//! looked up.
//! Per-operation samples: <https://docs.aws.amazon.com/kms/latest/developerguide/logging-using-cloudtrail.html>.

mod request;
mod response;

#[cfg(test)]
mod tests;

use crate::blob::Blob;
use crate::error::KmsError;
use crate::handlers::resolve;
use crate::model::keys as key_model;
use crate::op::{Op, OpKind, Output};
use crate::Kms;
use serde_json::{json, Value};
use time::OffsetDateTime;
use trailstack_core::{AccountId, AuditEvent, AuditResource, Caller};

/// How a call names its key.
#[derive(Debug, Clone, PartialEq, Eq)]
enum KeyRef {
    /// A KeyId parameter: key id, key ARN, alias name or alias ARN.
    Named(String),
    /// The key id stored in a ciphertext blob (Decrypt without KeyId).
    Stored(String),
}

/// What a KMS record says about the request, taken before the handler runs.
pub struct Pending {
    kind: OpKind,
    request: Option<Value>,
    key: Option<KeyRef>,
    alias: Option<String>,
    /// The key ARN found before the call, for calls after which it cannot be found
    /// (DeleteAlias removes the name that leads to it).
    key_before: Option<String>,
}

impl Pending {
    /// The static facts of `op`, and the key of a DeleteAlias while its alias still exists.
    pub async fn start(kms: &Kms, caller: &Caller, op: &Op) -> Pending {
        let kind = op.kind();
        let key = match kind {
            OpKind::CreateKey
            | OpKind::ListKeys
            | OpKind::GenerateRandom
            | OpKind::ListRetirableGrants => None,
            OpKind::CreateAlias | OpKind::UpdateAlias => {
                op.target_key_id().cloned().map(KeyRef::Named)
            }
            OpKind::DeleteAlias => op.alias_name().cloned().map(KeyRef::Named),
            OpKind::ReEncrypt => op.destination_key_id().cloned().map(KeyRef::Named),
            OpKind::Decrypt => op.key_id().cloned().map(KeyRef::Named).or_else(|| {
                op.ciphertext_blob()
                    .and_then(|b| Blob::key_id_of(b))
                    .map(|id| KeyRef::Stored(id.to_string()))
            }),
            _ => op.key_id().cloned().map(KeyRef::Named),
        };
        let alias = matches!(
            kind,
            OpKind::CreateAlias | OpKind::UpdateAlias | OpKind::DeleteAlias
        )
        .then(|| op.alias_name().cloned())
        .flatten();
        let key_before = match (kind, &key) {
            (OpKind::DeleteAlias, Some(k)) => lookup(kms, caller, k).await,
            _ => None,
        };
        Pending {
            kind,
            request: request::parameters(op),
            key,
            alias,
            key_before,
        }
    }

    /// The event of the call that ended with `result`.
    pub async fn finish(
        self,
        kms: &Kms,
        caller: &Caller,
        result: &Result<Output, KmsError>,
    ) -> AuditEvent {
        let mut arns = match result {
            Ok(out) => response::key_arns(out),
            Err(_) => Vec::new(),
        };
        if arns.is_empty() {
            arns.extend(self.key_before.clone());
        }
        if arns.is_empty() {
            if let Some(k) = &self.key {
                arns.extend(lookup(kms, caller, k).await);
            }
        }
        let mut request = self.request;
        // AWS logs the ARN of the key that decrypted, whether or not the request named it.
        if let (OpKind::Decrypt, Some(arn), Some(Value::Object(m))) =
            (self.kind, arns.first(), request.as_mut())
        {
            m.insert("keyId".into(), json!(arn));
        }
        let mut resources: Vec<AuditResource> = arns.iter().map(|a| key_resource(a)).collect();
        if let Some(name) = &self.alias {
            resources.push(AuditResource {
                kind: "AWS::KMS::Alias".into(),
                prefix: false,
                arn: format!(
                    "arn:aws:kms:{}:{}:{}",
                    kms.region_of(caller),
                    caller.account,
                    name
                ),
                account: Some(caller.account.clone()),
            });
        }
        let resource_account = resources
            .iter()
            .filter_map(|r| r.account.clone())
            .find(|a| *a != caller.account);
        let (name, now) = (self.kind.name(), kms.clock.now());
        AuditEvent {
            request,
            response: result.as_ref().ok().and_then(response::elements),
            resources,
            error: result
                .as_ref()
                .err()
                .map(|e| (e.code().to_string(), e.message())),
            resource_account,
            ..AuditEvent::management(
                caller.clone(),
                now,
                "kms.amazonaws.com",
                name,
                read_only(self.kind),
            )
        }
    }
}

/// The key of `arn` as a record's resource, with the account the ARN names.
fn key_resource(arn: &str) -> AuditResource {
    AuditResource {
        kind: "AWS::KMS::Key".into(),
        prefix: false,
        arn: arn.to_string(),
        account: arn.split(':').nth(4).and_then(|a| AccountId::parse(a).ok()),
    }
}

/// The ARN of the key `r` names, as the caller sees it; `None` when there is no such key.
async fn lookup(kms: &Kms, caller: &Caller, r: &KeyRef) -> Option<String> {
    let (kms2, caller2, r) = (kms.clone(), caller.clone(), r.clone());
    kms.read(move |c| {
        Ok(match &r {
            KeyRef::Named(id) => resolve(c, &kms2, &caller2, id, true).ok().map(|k| k.arn()),
            KeyRef::Stored(id) => key_model::get(c, id)?
                .filter(|k| k.account == caller2.account.as_str())
                .map(|k| k.arn()),
        })
    })
    .await
    .ok()
    .flatten()
}

/// Whether an operation only reads: the cryptographic operations, which change no key, are
/// read-only in CloudTrail, as are Describe, Get and List calls.
fn read_only(kind: OpKind) -> bool {
    use OpKind::*;
    matches!(
        kind,
        DescribeKey
            | ListKeys
            | Encrypt
            | Decrypt
            | ReEncrypt
            | GenerateDataKey
            | GenerateDataKeyWithoutPlaintext
            | GenerateRandom
            | ListAliases
            | ListResourceTags
            | GetKeyPolicy
            | ListKeyPolicies
            | Sign
            | Verify
            | GetPublicKey
            | GenerateMac
            | VerifyMac
            | GetKeyRotationStatus
            | ListKeyRotations
            | ListGrants
            | ListRetirableGrants
            | GetParametersForImport
            | GenerateDataKeyPair
            | GenerateDataKeyPairWithoutPlaintext
            | DeriveSharedSecret
    )
}

/// A time as KMS records write dates in `requestParameters` and `responseElements` (Java's
/// medium date-time format, UTC), e.g. `Jun 30, 2020 2:34:07 AM`.
pub fn java_date(ms: i64) -> String {
    let t = OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let format = time::macros::format_description!(
        "[month repr:short] [day padding:none], [year] [hour repr:12 padding:none]:[minute]:[second] [period]"
    );
    t.format(&format).unwrap_or_default()
}
