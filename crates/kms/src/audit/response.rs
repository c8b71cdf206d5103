//! `responseElements` of KMS records and the key ARNs an operation's output names. KMS logs
//! `null` for reads and most changes; CreateKey logs the new key's metadata, the deletion
//! calls and RotateKeyOnDemand their answer, CreateGrant the grant id (never its token). Field
//! names are camelCase (`aWSAccountId` included, as AWS writes it) and dates are rendered as
//! AWS's Java dates (<https://docs.aws.amazon.com/kms/latest/developerguide/ct-createkey.html>,
//! <https://docs.aws.amazon.com/kms/latest/developerguide/ct-schedule-key-deletion.html>).

use super::java_date;
use crate::op::{OpKind, Output};
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

/// The record's `responseElements` for a successful operation of `kind`.
pub fn elements(kind: OpKind, out: &Output) -> Option<Value> {
    match kind {
        OpKind::CreateKey => out
            .get("KeyMetadata")
            .and_then(Value::as_object)
            .map(|m| json!({ "keyMetadata": camel_object(m) })),
        OpKind::ScheduleKeyDeletion | OpKind::CancelKeyDeletion | OpKind::RotateKeyOnDemand => {
            Some(camel_object(out))
        }
        OpKind::CreateGrant => out.get("GrantId").map(|id| json!({ "grantId": id })),
        _ => None,
    }
}

/// The key ARNs an output names, in the order AWS lists the resources (ReEncrypt: source,
/// then destination).
pub fn key_arns(kind: OpKind, out: &Output) -> Vec<String> {
    let arn = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .filter(|s| s.starts_with("arn:"))
            .map(str::to_string)
    };
    let fields: &[&str] = match kind {
        OpKind::ReEncrypt => &["SourceKeyId", "KeyId"],
        _ => &["KeyId"],
    };
    let mut arns: Vec<String> = fields.iter().filter_map(|f| arn(out.get(*f))).collect();
    if arns.is_empty() {
        arns.extend(arn(out.get("KeyMetadata").and_then(|m| m.get("Arn"))));
    }
    arns
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_key_metadata_is_camel_case_with_java_dates() {
        let out: Output = serde_json::from_value(json!({"KeyMetadata": {
            "AWSAccountId": "111122223333",
            "Arn": "arn:aws:kms:us-east-1:111122223333:key/k",
            "CreationDate": 1593484447.0,
            "Enabled": true,
        }}))
        .unwrap();
        let v = elements(OpKind::CreateKey, &out).unwrap();
        assert_eq!(v["keyMetadata"]["aWSAccountId"], "111122223333");
        assert_eq!(v["keyMetadata"]["creationDate"], "Jun 30, 2020 2:34:07 AM");
        assert_eq!(v["keyMetadata"]["enabled"], true);
        assert_eq!(
            key_arns(OpKind::CreateKey, &out),
            ["arn:aws:kms:us-east-1:111122223333:key/k"]
        );
    }

    #[test]
    fn grants_log_their_id_never_their_token() {
        let out: Output =
            serde_json::from_value(json!({"GrantId": "g1", "GrantToken": "secret"})).unwrap();
        assert_eq!(
            elements(OpKind::CreateGrant, &out),
            Some(json!({"grantId": "g1"}))
        );
        assert_eq!(elements(OpKind::Encrypt, &out), None);
    }

    #[test]
    fn re_encrypt_names_source_then_destination() {
        let out: Output = serde_json::from_value(
            json!({"SourceKeyId": "arn:aws:kms:r:1:key/a", "KeyId": "arn:aws:kms:r:1:key/b"}),
        )
        .unwrap();
        assert_eq!(
            key_arns(OpKind::ReEncrypt, &out),
            ["arn:aws:kms:r:1:key/a", "arn:aws:kms:r:1:key/b"]
        );
    }
}
