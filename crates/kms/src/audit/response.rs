//! `responseElements` of KMS records and the key ARNs an operation's typed output names. KMS logs
//! `null` for reads and most changes; CreateKey logs the new key's metadata, the deletion
//! calls and RotateKeyOnDemand their answer, CreateGrant the grant id (never its token). Field
//! names are camelCase (`aWSAccountId` included, as AWS writes it) and dates are rendered as
//! AWS's Java dates (<https://docs.aws.amazon.com/kms/latest/developerguide/ct-createkey.html>,
//! <https://docs.aws.amazon.com/kms/latest/developerguide/ct-schedule-key-deletion.html>).

use super::java_date;
use crate::op::Output;
use serde_json::{json, Map, Value};

/// Output fields holding epoch-second timestamps.
const DATES: [&str; 3] = ["CreationDate", "DeletionDate", "ValidTo"];

fn camel(name: &str) -> String {
    let mut c = name.chars();
    match c.next() {
        Some(first) => first.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// An output object with camelCase names and Java dates, recursively.
fn camel_object(m: &Map<String, Value>) -> Value {
    let mut out = Map::new();
    for (k, v) in m {
        let v = match v {
            Value::Number(n) if DATES.contains(&k.as_str()) => {
                json!(java_date((n.as_f64().unwrap_or(0.0) * 1000.0) as i64))
            }
            Value::Object(inner) => camel_object(inner),
            other => other.clone(),
        };
        out.insert(camel(k), v);
    }
    Value::Object(out)
}

/// An output's members with camelCase names and Java dates.
fn camel_output(v: serde_json::Result<Value>) -> Option<Value> {
    match v {
        Ok(Value::Object(m)) => Some(camel_object(&m)),
        _ => None,
    }
}

/// The record's `responseElements` for a successful operation's output.
pub fn elements(out: &Output) -> Option<Value> {
    match out {
        Output::CreateKey(o) => {
            camel_output(serde_json::to_value(&o.key_metadata)).map(|m| json!({ "keyMetadata": m }))
        }
        Output::ScheduleKeyDeletion(_)
        | Output::CancelKeyDeletion(_)
        | Output::RotateKeyOnDemand(_) => camel_output(out.to_json()),
        Output::CreateGrant(o) => Some(json!({ "grantId": o.grant_id })),
        _ => None,
    }
}

/// The key ARNs an output names, in the order AWS lists the resources (ReEncrypt: source,
/// then destination).
pub fn key_arns(out: &Output) -> Vec<String> {
    let source = match out {
        Output::ReEncrypt(o) => Some(&o.source_key_id),
        _ => None,
    };
    source
        .into_iter()
        .chain(out.key_id())
        .filter(|id| id.starts_with("arn:"))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::EncryptionAlgorithm;
    use crate::model::keys::{KeyMeta, KeyRecord};
    use crate::shapes::{CreateGrantOutput, CreateKeyOutput, EncryptOutput, ReEncryptOutput};

    #[test]
    fn create_key_metadata_is_camel_case_with_java_dates() {
        let k = KeyRecord {
            key_id: "k".into(),
            account: "111122223333".into(),
            region: "us-east-1".into(),
            created_ms: 1_593_484_447_000,
            meta: KeyMeta::default(),
        };
        let out = Output::CreateKey(CreateKeyOutput {
            key_metadata: crate::handlers::key_metadata(&k),
        });
        let v = elements(&out).unwrap();
        assert_eq!(v["keyMetadata"]["aWSAccountId"], "111122223333");
        assert_eq!(v["keyMetadata"]["creationDate"], "Jun 30, 2020 2:34:07 AM");
        assert_eq!(v["keyMetadata"]["enabled"], true);
        assert_eq!(v["keyMetadata"]["keyState"], "Enabled");
        assert_eq!(key_arns(&out), ["arn:aws:kms:us-east-1:111122223333:key/k"]);
    }

    #[test]
    fn grants_log_their_id_never_their_token() {
        let out = Output::CreateGrant(CreateGrantOutput {
            grant_id: "g1".into(),
            grant_token: "secret".into(),
        });
        assert_eq!(elements(&out), Some(json!({"grantId": "g1"})));
        let encrypt = Output::Encrypt(EncryptOutput {
            ciphertext_blob: vec![1],
            key_id: "arn:aws:kms:r:1:key/a".into(),
            encryption_algorithm: EncryptionAlgorithm::SymmetricDefault,
        });
        assert_eq!(elements(&encrypt), None);
    }

    #[test]
    fn re_encrypt_names_source_then_destination() {
        let out = Output::ReEncrypt(ReEncryptOutput {
            ciphertext_blob: vec![1],
            source_key_id: "arn:aws:kms:r:1:key/a".into(),
            key_id: "arn:aws:kms:r:1:key/b".into(),
            source_encryption_algorithm: EncryptionAlgorithm::SymmetricDefault,
            destination_encryption_algorithm: EncryptionAlgorithm::SymmetricDefault,
        });
        assert_eq!(
            key_arns(&out),
            ["arn:aws:kms:r:1:key/a", "arn:aws:kms:r:1:key/b"]
        );
    }
}
