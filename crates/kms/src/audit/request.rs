//! `requestParameters` of KMS records: the request's members with AWS's names in camelCase,
//! without anything secret or bulky — as each input type serializes itself (see
//! [`crate::shapes`]). AWS omits plaintexts, ciphertext blobs, messages, signatures, MACs,
//! import tokens, wrapped key material and public keys; grant tokens are bearer credentials
//! and are left out as well. Decrypt and ReEncrypt always carry the encryption algorithm,
//! defaulted when the request named none
//! (<https://docs.aws.amazon.com/kms/latest/developerguide/ct-decrypt.html>).

use crate::op::{Op, OpKind};
use serde_json::{json, Map, Value};

/// The default symmetric algorithm KMS reports when none was asked for.
const SYMMETRIC_DEFAULT: &str = "SYMMETRIC_DEFAULT";

fn default(m: &mut Map<String, Value>, name: &str) {
    m.entry(name.to_string())
        .or_insert_with(|| json!(SYMMETRIC_DEFAULT));
}

/// The record's `requestParameters` for `op`; `None` (`null`) when the request named nothing.
pub fn parameters(op: &Op) -> Option<Value> {
    let Ok(Value::Object(mut m)) = op.record() else {
        return None;
    };
    m.retain(|_, v| !v.is_null());
    match op.kind() {
        OpKind::Decrypt => default(&mut m, "encryptionAlgorithm"),
        OpKind::ReEncrypt => {
            default(&mut m, "sourceEncryptionAlgorithm");
            default(&mut m, "destinationEncryptionAlgorithm");
        }
        _ => {}
    }
    (!m.is_empty()).then_some(Value::Object(m))
}
