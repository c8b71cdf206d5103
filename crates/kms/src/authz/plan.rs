//! Which permissions each KMS operation needs, on which key or alias, and the request's
//! condition keys, as AWS lists them in "AWS KMS permissions" and the Service Authorization
//! Reference. Pure: reads the operation's input, never the store.
//!
//! <https://docs.aws.amazon.com/kms/latest/developerguide/kms-api-permissions-reference.html>
//! <https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html>

use crate::blob::Blob;
use crate::op::{Op, OpKind};
use crate::shapes::Named;
use std::collections::BTreeMap;
use trailstack_core::{Caller, Principal};
use trailstack_policy::Conditions;

/// What a permission is checked on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `*`: decided by identity policies alone (CreateKey, ListKeys, ...).
    Account,
    /// An alias of the caller's account (`alias/...`): identity policies alone, on its ARN.
    Alias(String),
    /// A key named by a KeyId parameter (id, ARN, alias name or alias ARN).
    Key(String),
    /// The key a ciphertext blob names (Decrypt and ReEncrypt without a key id).
    Stored(String),
}

/// One permission the request needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// `kms:Decrypt`, ...
    pub action: &'static str,
    /// What it is checked on.
    pub target: Target,
    /// The encryption context of this part of the request (ReEncrypt has two).
    pub context: Option<BTreeMap<String, String>>,
}

/// The key a ciphertext request names: its KeyId, else the id inside the blob.
fn ciphertext_key(key_id: Option<&String>, blob: Option<&Vec<u8>>) -> Option<Target> {
    match key_id {
        Some(k) => Some(Target::Key(k.clone())),
        None => blob
            .and_then(|b| Blob::key_id_of(b))
            .map(|id| Target::Stored(id.to_string())),
    }
}

/// The permissions `op` needs. A missing key parameter yields no check: the handler reports
/// the validation error.
pub fn checks(op: &Op) -> Vec<Check> {
    let check = |action, target| Check {
        action,
        target,
        context: op.encryption_context().cloned(),
    };
    let key = |action, id: Option<&String>| id.cloned().map(|k| check(action, Target::Key(k)));
    let this = op.kind().action();
    match op.kind() {
        OpKind::CreateKey
        | OpKind::ListKeys
        | OpKind::ListAliases
        | OpKind::GenerateRandom
        | OpKind::ListRetirableGrants => vec![check(this, Target::Account)],
        // Who may retire a grant is named in the grant itself; the handler decides.
        OpKind::RetireGrant => Vec::new(),
        // An alias operation needs the permission on the alias (identity policy) and on each
        // key it points to (key policy).
        OpKind::CreateAlias | OpKind::UpdateAlias | OpKind::DeleteAlias => {
            // Reserved `alias/aws/` names are refused by the handler with AWS's
            // NotAuthorizedException whoever asks, before any policy is read.
            let Some(alias) = op
                .alias_name()
                .cloned()
                .filter(|a| !a.starts_with("alias/aws/"))
            else {
                return Vec::new();
            };
            let mut out = vec![check(this, Target::Alias(alias.clone()))];
            if op.kind() != OpKind::CreateAlias {
                out.push(check(this, Target::Key(alias)));
            }
            out.extend(key(this, op.target_key_id()));
            out
        }
        OpKind::Decrypt => ciphertext_key(op.key_id(), op.ciphertext_blob())
            .map(|t| check(this, t))
            .into_iter()
            .collect(),
        OpKind::ReEncrypt => {
            let from = ciphertext_key(op.source_key_id(), op.ciphertext_blob()).map(|t| Check {
                action: "kms:ReEncryptFrom",
                target: t,
                context: op.source_encryption_context().cloned(),
            });
            let to = op.destination_key_id().cloned().map(|k| Check {
                action: "kms:ReEncryptTo",
                target: Target::Key(k),
                context: op.destination_encryption_context().cloned(),
            });
            from.into_iter().chain(to).collect()
        }
        _ => key(this, op.key_id()).into_iter().collect(),
    }
}

/// The KMS keys of the request itself (not of the key): caller account, calling service,
/// algorithms, grant parameters, request tags. `region` is the one the service answers in.
pub fn request(c: &mut Conditions, caller: &Caller, op: &Op, region: &str) {
    if !matches!(
        caller.principal,
        Principal::Service(_) | Principal::Anonymous
    ) {
        c.insert("kms:CallerAccount", caller.account.as_str());
        // AWS names the calling service with its region: `s3.us-east-1.amazonaws.com`.
        if let Some(service) = &caller.invoked_by {
            let prefix = service.strip_suffix(".amazonaws.com").unwrap_or(service);
            c.insert("kms:ViaService", format!("{prefix}.{region}.amazonaws.com"));
        }
    }
    let symmetric_default = matches!(
        op.kind(),
        OpKind::Encrypt
            | OpKind::Decrypt
            | OpKind::ReEncrypt
            | OpKind::GenerateDataKey
            | OpKind::GenerateDataKeyWithoutPlaintext
            | OpKind::GenerateDataKeyPair
            | OpKind::GenerateDataKeyPairWithoutPlaintext
    );
    match op.encryption_algorithm().map(Named::name) {
        Some(a) => {
            c.insert("kms:EncryptionAlgorithm", a);
        }
        None if symmetric_default => {
            c.insert("kms:EncryptionAlgorithm", "SYMMETRIC_DEFAULT");
        }
        None => {}
    }
    if let Some(a) = op.signing_algorithm() {
        c.insert("kms:SigningAlgorithm", a.name());
    }
    if let Some(a) = op.mac_algorithm() {
        c.insert("kms:MacAlgorithm", a.name());
    }
    if matches!(
        op.kind(),
        OpKind::CreateGrant | OpKind::ListGrants | OpKind::RevokeGrant
    ) {
        c.insert_bool("kms:GrantIsForAWSResource", caller.invoked_by.is_some());
    }
    if let Op::CreateGrant(p) = op {
        if let Some(ops) = &p.operations {
            c.insert_many("kms:GrantOperations", ops.iter().map(Named::name));
        }
        if let Some(g) = &p.grantee_principal {
            c.insert("kms:GranteePrincipal", g.as_str());
        }
        if let Some(r) = &p.retiring_principal {
            c.insert("kms:RetiringPrincipal", r.as_str());
        }
    }
    if let Op::CreateKey(p) = op {
        let spec = p
            .key_spec
            .as_ref()
            .or(p.customer_master_key_spec.as_ref())
            .map(Named::name)
            .unwrap_or("SYMMETRIC_DEFAULT");
        c.insert("kms:KeySpec", spec);
        c.insert(
            "kms:KeyUsage",
            p.key_usage.as_ref().map_or("ENCRYPT_DECRYPT", Named::name),
        );
        c.insert(
            "kms:KeyOrigin",
            p.origin.as_ref().map_or("AWS_KMS", Named::name),
        );
        c.insert_bool("kms:MultiRegion", p.multi_region.unwrap_or(false));
    }
    if let Some(tags) = op.tags() {
        for t in tags {
            c.insert(
                &format!("aws:RequestTag/{}", t.tag_key),
                t.tag_value.as_str(),
            );
        }
        c.insert_many("aws:TagKeys", tags.iter().map(|t| t.tag_key.as_str()));
    } else if let Some(keys) = op.tag_keys() {
        c.insert_many("aws:TagKeys", keys.iter().map(String::as_str));
    }
}

/// The encryption-context keys of one check.
pub fn context(c: &mut Conditions, ctx: &BTreeMap<String, String>) {
    for (k, v) in ctx {
        c.insert(&format!("kms:EncryptionContext:{k}"), v.as_str());
    }
    if !ctx.is_empty() {
        c.insert_many("kms:EncryptionContextKeys", ctx.keys().map(String::as_str));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::shapes::{CreateKeyInput, EncryptInput, ReEncryptInput, UpdateAliasInput};

    #[test]
    fn actions_and_targets() {
        let key = EncryptInput {
            key_id: Some("alias/a".into()),
            ..Default::default()
        };
        let c = checks(&Op::Encrypt(key));
        assert_eq!(c[0].action, "kms:Encrypt");
        assert_eq!(c[0].target, Target::Key("alias/a".into()));
        assert_eq!(
            checks(&Op::CreateKey(CreateKeyInput::default()))[0].target,
            Target::Account
        );
        assert!(checks(&Op::Encrypt(EncryptInput::default())).is_empty());
        let alias = UpdateAliasInput {
            alias_name: Some("alias/x".into()),
            target_key_id: Some("k2".into()),
        };
        let c = checks(&Op::UpdateAlias(alias));
        let targets: Vec<_> = c.iter().map(|c| c.target.clone()).collect();
        assert_eq!(
            targets,
            [
                Target::Alias("alias/x".into()),
                Target::Key("alias/x".into()),
                Target::Key("k2".into())
            ]
        );
        let re = ReEncryptInput {
            source_key_id: Some("k1".into()),
            destination_key_id: Some("k2".into()),
            ..Default::default()
        };
        let c = checks(&Op::ReEncrypt(re));
        assert_eq!(
            (c[0].action, c[1].action),
            ("kms:ReEncryptFrom", "kms:ReEncryptTo")
        );
        assert_eq!(
            OpKind::GenerateDataKeyPairWithoutPlaintext.action(),
            "kms:GenerateDataKeyPairWithoutPlaintext"
        );
    }

    #[test]
    fn context_keys() {
        let mut c = Conditions::new();
        let ctx: BTreeMap<String, String> =
            [("aws:cloudtrail:arn".to_string(), "arn:t".to_string())].into();
        context(&mut c, &ctx);
        assert_eq!(
            c.get("kms:EncryptionContext:aws:cloudtrail:arn").unwrap()[0],
            "arn:t"
        );
        assert_eq!(c.get("kms:EncryptionContextKeys").unwrap().len(), 1);
    }
}
