//! Key policies: GetKeyPolicy, PutKeyPolicy, ListKeyPolicies and the default policy. Policies
//! are validated here; evaluating them belongs to the policy engine.

use super::{edit_key, read_key, required};
use crate::error::{KmsError, KmsResult};
use crate::shapes::{
    Empty, GetKeyPolicyInput, GetKeyPolicyOutput, ListKeyPoliciesInput, ListKeyPoliciesOutput,
    PutKeyPolicyInput,
};
use crate::Kms;
use serde_json::json;
use trailstack_core::Caller;

/// Largest key policy, in bytes.
const MAX_POLICY: usize = 32 * 1024;

/// The policy KMS gives a key created without one: the account may do everything, and IAM
/// policies of the account decide who does what.
pub fn default_policy(account: &str) -> String {
    json!({
        "Version": "2012-10-17",
        "Id": "key-default-1",
        "Statement": [{
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": {"AWS": format!("arn:aws:iam::{account}:root")},
            "Action": "kms:*",
            "Resource": "*"
        }]
    })
    .to_string()
}

/// Validates a key policy document.
pub fn validate(doc: &str) -> KmsResult<()> {
    if doc.len() > MAX_POLICY {
        return Err(KmsError::LimitExceeded(format!(
            "Policy exceeds the maximum size of {MAX_POLICY} bytes."
        )));
    }
    trailstack_policy::validate_resource_policy(doc).map_err(KmsError::MalformedPolicyDocument)
}

fn policy_name(name: Option<&str>) -> KmsResult<()> {
    match name {
        None | Some("default") => Ok(()),
        Some(other) => Err(KmsError::NotFound(format!(
            "Policy {other} not found; the only key policy name is default."
        ))),
    }
}

/// GetKeyPolicy.
pub async fn get_policy(
    kms: &Kms,
    caller: &Caller,
    p: GetKeyPolicyInput,
) -> KmsResult<GetKeyPolicyOutput> {
    policy_name(p.policy_name.as_deref())?;
    let id = required(&p.key_id, "keyId")?.to_string();
    let k = read_key(kms, caller, id).await?;
    Ok(GetKeyPolicyOutput {
        policy: k.meta.policy,
        policy_name: "default",
    })
}

/// PutKeyPolicy.
pub async fn put_policy(kms: &Kms, caller: &Caller, p: PutKeyPolicyInput) -> KmsResult<Empty> {
    policy_name(p.policy_name.as_deref())?;
    let id = required(&p.key_id, "keyId")?.to_string();
    let doc = required(&p.policy, "policy")?.to_string();
    validate(&doc)?;
    let bypass = p.bypass_policy_lockout_safety_check.unwrap_or(false);
    let (kms2, caller2) = (kms.clone(), caller.clone());
    edit_key(kms, caller, id, move |k| {
        super::check_customer_managed(k, |arn| format!("The policy of {arn} is managed by AWS."))?;
        crate::authz::check_lockout(&kms2, &caller2, &doc, &k.arn(), &k.account, bypass)?;
        k.meta.policy = doc;
        Ok(())
    })
    .await?;
    Ok(Empty {})
}

/// ListKeyPolicies: every key has exactly one policy, `default`.
pub async fn list_policies(
    kms: &Kms,
    caller: &Caller,
    p: ListKeyPoliciesInput,
) -> KmsResult<ListKeyPoliciesOutput> {
    let id = required(&p.key_id, "keyId")?.to_string();
    read_key(kms, caller, id).await?;
    Ok(ListKeyPoliciesOutput {
        policy_names: vec!["default"],
        truncated: false,
    })
}
