//! `requestParameters` of KMS records: the request's parameters with AWS's names in camelCase,
//! without anything secret or bulky. AWS omits plaintexts, ciphertext blobs, messages,
//! signatures, MACs, import tokens, wrapped key material and public keys; grant tokens are
//! bearer credentials and are left out as well. Decrypt and ReEncrypt always carry the
//! encryption algorithm, defaulted when the request named none
//! (<https://docs.aws.amazon.com/kms/latest/developerguide/ct-decrypt.html>).

use super::java_date;
use crate::op::{OpKind, Params, Tag};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// The default symmetric algorithm KMS reports when none was asked for.
const SYMMETRIC_DEFAULT: &str = "SYMMETRIC_DEFAULT";

struct Fields(Map<String, Value>);

impl Fields {
    fn put(&mut self, name: &str, v: Option<Value>) {
        if let Some(v) = v {
            self.0.insert(name.to_string(), v);
        }
    }

    fn str(&mut self, name: &str, v: &Option<String>) {
        self.put(name, v.as_ref().map(|s| json!(s)));
    }

    fn context(&mut self, name: &str, v: &Option<BTreeMap<String, String>>) {
        self.put(name, v.as_ref().map(|c| json!(c)));
    }

    fn default(&mut self, name: &str, value: &str) {
        self.0
            .entry(name.to_string())
            .or_insert_with(|| json!(value));
    }
}

fn tags(t: &[Tag]) -> Value {
    Value::Array(
        t.iter()
            .map(|t| json!({"tagKey": t.tag_key, "tagValue": t.tag_value}))
            .collect(),
    )
}

/// The record's `requestParameters` for an operation of `kind` with `p`; `None` (`null`)
/// when the request named nothing.
pub fn parameters(kind: OpKind, p: &Params) -> Option<Value> {
    let mut f = Fields(Map::new());
    f.str("keyId", &p.key_id);
    f.str("description", &p.description);
    f.str("keyUsage", &p.key_usage);
    f.str("keySpec", &p.key_spec);
    f.str("customerMasterKeySpec", &p.customer_master_key_spec);
    f.str("origin", &p.origin);
    f.str("policy", &p.policy);
    f.str("policyName", &p.policy_name);
    f.put(
        "bypassPolicyLockoutSafetyCheck",
        p.bypass_policy_lockout_safety_check.map(|b| json!(b)),
    );
    f.put("tags", p.tags.as_deref().map(tags));
    f.put("tagKeys", p.tag_keys.as_ref().map(|k| json!(k)));
    f.put("multiRegion", p.multi_region.map(|b| json!(b)));
    f.put("limit", p.limit.map(|n| json!(n)));
    f.str("marker", &p.marker);
    f.put(
        "pendingWindowInDays",
        p.pending_window_in_days.map(|n| json!(n)),
    );
    f.context("encryptionContext", &p.encryption_context);
    f.str("encryptionAlgorithm", &p.encryption_algorithm);
    f.context("sourceEncryptionContext", &p.source_encryption_context);
    f.context(
        "destinationEncryptionContext",
        &p.destination_encryption_context,
    );
    f.str("sourceKeyId", &p.source_key_id);
    f.str("destinationKeyId", &p.destination_key_id);
    f.str("sourceEncryptionAlgorithm", &p.source_encryption_algorithm);
    f.str(
        "destinationEncryptionAlgorithm",
        &p.destination_encryption_algorithm,
    );
    f.put("numberOfBytes", p.number_of_bytes.map(|n| json!(n)));
    f.put("dryRun", p.dry_run.map(|b| json!(b)));
    f.str("aliasName", &p.alias_name);
    f.str("targetKeyId", &p.target_key_id);
    f.str("messageType", &p.message_type);
    f.str("signingAlgorithm", &p.signing_algorithm);
    f.str("macAlgorithm", &p.mac_algorithm);
    f.put(
        "rotationPeriodInDays",
        p.rotation_period_in_days.map(|n| json!(n)),
    );
    f.str("granteePrincipal", &p.grantee_principal);
    f.str("retiringPrincipal", &p.retiring_principal);
    f.put("operations", p.operations.as_ref().map(|o| json!(o)));
    f.put(
        "constraints",
        p.constraints.as_ref().map(|c| {
            let mut m = Map::new();
            if let Some(s) = &c.encryption_context_subset {
                m.insert("encryptionContextSubset".into(), json!(s));
            }
            if let Some(e) = &c.encryption_context_equals {
                m.insert("encryptionContextEquals".into(), json!(e));
            }
            Value::Object(m)
        }),
    );
    f.str("name", &p.name);
    f.str("grantId", &p.grant_id);
    f.str("wrappingAlgorithm", &p.wrapping_algorithm);
    f.str("wrappingKeySpec", &p.wrapping_key_spec);
    f.put(
        "validTo",
        p.valid_to.map(|s| json!(java_date((s * 1000.0) as i64))),
    );
    f.str("expirationModel", &p.expiration_model);
    f.str("keyPairSpec", &p.key_pair_spec);
    f.str("keyAgreementAlgorithm", &p.key_agreement_algorithm);
    match kind {
        OpKind::Decrypt => f.default("encryptionAlgorithm", SYMMETRIC_DEFAULT),
        OpKind::ReEncrypt => {
            f.default("sourceEncryptionAlgorithm", SYMMETRIC_DEFAULT);
            f.default("destinationEncryptionAlgorithm", SYMMETRIC_DEFAULT);
        }
        _ => {}
    }
    (!f.0.is_empty()).then_some(Value::Object(f.0))
}
