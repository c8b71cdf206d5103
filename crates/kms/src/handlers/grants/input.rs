//! What the grant operations accept: grant operation names and which keys support them,
//! principal, name and grant id syntax, encryption context constraints, and grant tokens (the
//! grant id sealed by the root key, in URL-safe base64, so only tokens this trailstack issued
//! are accepted and every CreateGrant returns a fresh one).

use crate::crypto::KeyUsage;
use crate::error::{KmsError, KmsResult};
use crate::model::grants::GrantOperation;
use crate::model::keys::KeyRecord;
use crate::shapes::{GrantConstraints, Named};
use crate::Kms;
use base64::Engine;

/// Most grant tokens one request may carry.
const MAX_GRANT_TOKENS: usize = 10;
/// Longest grant token.
const MAX_TOKEN_LEN: usize = 8192;
/// Most pairs in one constraint.
const MAX_CONSTRAINT_PAIRS: usize = 8;
/// Longest constraint value.
const MAX_CONSTRAINT_VALUE: usize = 384;
/// What grant tokens are sealed for.
const TOKEN_PURPOSE: &str = "kms-grant-token";

fn invalid(value: &str, field: &str, constraint: &str) -> KmsError {
    KmsError::Validation(format!(
        "1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: {constraint}"
    ))
}

/// Checks a principal ARN parameter (GranteePrincipal, RetiringPrincipal).
pub(super) fn check_principal(v: &str, field: &str) -> KmsResult<()> {
    let ok = v
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "_+=,.@:/-".contains(c));
    if v.is_empty() || v.chars().count() > 256 || !ok {
        return Err(invalid(
            v,
            field,
            "Member must satisfy regular expression pattern: ^[\\w+=,.@:/-]+$ and have length between 1 and 256",
        ));
    }
    Ok(())
}

pub(super) fn check_name(v: &str) -> KmsResult<()> {
    let ok = v
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || ":/_-".contains(c));
    if v.is_empty() || v.chars().count() > 256 || !ok {
        return Err(invalid(
            v,
            "name",
            "Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$ and have length between 1 and 256",
        ));
    }
    Ok(())
}

pub(super) fn check_grant_id(v: &str) -> KmsResult<()> {
    if v.is_empty() || v.chars().count() > 128 {
        return Err(invalid(
            v,
            "grantId",
            "Member must have length between 1 and 128",
        ));
    }
    Ok(())
}

/// Validates the `GrantTokens` of a request: at most 10, each 1..=8192 characters, each issued
/// by this trailstack (else InvalidGrantTokenException).
pub fn check_tokens(kms: &Kms, tokens: Option<&[String]>) -> KmsResult<()> {
    let tokens = tokens.unwrap_or_default();
    if tokens.len() > MAX_GRANT_TOKENS {
        return Err(KmsError::Validation(format!(
            "1 validation error detected: Value at 'grantTokens' failed to satisfy constraint: Member must have length less than or equal to {MAX_GRANT_TOKENS}"
        )));
    }
    for t in tokens {
        token_grant_id(kms, t)?;
    }
    Ok(())
}

/// A fresh token for `grant_id`.
pub(super) fn new_token(kms: &Kms, grant_id: &str) -> KmsResult<String> {
    let sealed = kms.root.seal(TOKEN_PURPOSE, grant_id.as_bytes())?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sealed))
}

/// The grant id a token was issued for.
pub(super) fn token_grant_id(kms: &Kms, token: &str) -> KmsResult<String> {
    if token.is_empty() || token.chars().count() > MAX_TOKEN_LEN {
        return Err(invalid(
            "***",
            "grantTokens",
            "Member must have length between 1 and 8192",
        ));
    }
    let bad = || KmsError::InvalidGrantToken("The grant token is not valid.".into());
    let sealed = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .map_err(|_| bad())?;
    let id = kms.root.open(TOKEN_PURPOSE, &sealed).map_err(|_| bad())?;
    String::from_utf8(id.to_vec()).map_err(|_| bad())
}

/// The grant operations a key of this spec and usage supports.
pub(super) fn operations_for(k: &KeyRecord) -> Vec<GrantOperation> {
    use GrantOperation as G;
    let mut ops = vec![G::CreateGrant, G::RetireGrant, G::DescribeKey];
    let symmetric = k.meta.key_spec.is_symmetric();
    ops.extend_from_slice(match k.meta.key_usage {
        KeyUsage::EncryptDecrypt if symmetric => &[
            G::Decrypt,
            G::Encrypt,
            G::GenerateDataKey,
            G::GenerateDataKeyWithoutPlaintext,
            G::ReEncryptFrom,
            G::ReEncryptTo,
            G::GenerateDataKeyPair,
            G::GenerateDataKeyPairWithoutPlaintext,
        ][..],
        KeyUsage::EncryptDecrypt => &[
            G::Decrypt,
            G::Encrypt,
            G::ReEncryptFrom,
            G::ReEncryptTo,
            G::GetPublicKey,
        ][..],
        KeyUsage::SignVerify => &[G::Sign, G::Verify, G::GetPublicKey][..],
        KeyUsage::GenerateVerifyMac => &[G::GenerateMac, G::VerifyMac][..],
        KeyUsage::KeyAgreement => &[G::DeriveSharedSecret, G::GetPublicKey][..],
    });
    ops
}

/// Validates Operations (names, no duplicates kept, at least one).
pub(super) fn parse_operations(
    ops: Option<Vec<Named<GrantOperation>>>,
) -> KmsResult<Vec<GrantOperation>> {
    let ops = ops.ok_or_else(|| invalid("null", "operations", "Member must not be null"))?;
    if ops.is_empty() {
        return Err(invalid(
            "[]",
            "operations",
            "Member must have length greater than or equal to 1",
        ));
    }
    let mut out: Vec<GrantOperation> = Vec::new();
    for op in ops {
        let op = op.known().map_err(|name| {
            let all: Vec<&str> = GrantOperation::ALL.iter().map(|o| o.name()).collect();
            invalid(
                name,
                "operations",
                &format!("Member must satisfy enum value set: [{}]", all.join(", ")),
            )
        })?;
        if !out.contains(&op) {
            out.push(op);
        }
    }
    Ok(out)
}

/// Validates Constraints; empty maps count as absent.
pub(super) fn parse_constraints(
    c: Option<GrantConstraints>,
) -> KmsResult<Option<GrantConstraints>> {
    let Some(c) = c else {
        return Ok(None);
    };
    let non_empty =
        |m: Option<std::collections::BTreeMap<String, String>>| m.filter(|m| !m.is_empty());
    let c = GrantConstraints {
        encryption_context_subset: non_empty(c.encryption_context_subset),
        encryption_context_equals: non_empty(c.encryption_context_equals),
    };
    if c.encryption_context_subset.is_some() && c.encryption_context_equals.is_some() {
        return Err(KmsError::Validation(
            "Specify only one of EncryptionContextEquals or EncryptionContextSubset in grant constraints.".into(),
        ));
    }
    for m in [&c.encryption_context_subset, &c.encryption_context_equals]
        .into_iter()
        .flatten()
    {
        if m.len() > MAX_CONSTRAINT_PAIRS {
            return Err(KmsError::Validation(format!(
                "A grant constraint can have at most {MAX_CONSTRAINT_PAIRS} encryption context pairs."
            )));
        }
        if m.iter().any(|(k, v)| {
            k.is_empty()
                || k.chars().count() > MAX_CONSTRAINT_VALUE
                || v.chars().count() > MAX_CONSTRAINT_VALUE
        }) {
            return Err(KmsError::Validation(format!(
                "Grant constraint keys must be 1 to {MAX_CONSTRAINT_VALUE} characters and values at most {MAX_CONSTRAINT_VALUE}."
            )));
        }
    }
    Ok(
        (c.encryption_context_subset.is_some() || c.encryption_context_equals.is_some())
            .then_some(c),
    )
}

/// Whether two operation lists name the same operations.
pub(super) fn same_operations(a: &[GrantOperation], b: &[GrantOperation]) -> bool {
    a.len() == b.len() && a.iter().all(|o| b.contains(o))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::KeySpec;
    use crate::model::keys::KeyMeta;
    use std::collections::BTreeMap;

    fn key(spec: &str, usage: &str) -> KeyRecord {
        let (spec, usage) = (
            KeySpec::parse(spec).unwrap(),
            KeyUsage::parse(usage).unwrap(),
        );
        KeyRecord {
            key_id: "k".into(),
            account: "111122223333".into(),
            region: "us-east-1".into(),
            created_ms: 0,
            meta: KeyMeta {
                key_spec: spec,
                key_usage: usage,
                ..Default::default()
            },
        }
    }

    #[test]
    fn operations_fit_the_key_type() {
        use GrantOperation as G;
        let sym = operations_for(&key("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT"));
        assert!(sym.contains(&G::GenerateDataKeyPair) && !sym.contains(&G::Sign));
        let rsa = operations_for(&key("RSA_2048", "ENCRYPT_DECRYPT"));
        assert!(rsa.contains(&G::GetPublicKey) && !rsa.contains(&G::GenerateDataKey));
        let ecdh = operations_for(&key("ECC_NIST_P256", "KEY_AGREEMENT"));
        assert!(ecdh.contains(&G::DeriveSharedSecret) && !ecdh.contains(&G::Verify));
        let mac = operations_for(&key("HMAC_256", "GENERATE_VERIFY_MAC"));
        assert!(mac.contains(&G::VerifyMac) && mac.contains(&G::DescribeKey));
        for ops in [sym, rsa, ecdh, mac] {
            assert!(!ops.contains(&G::Encapsulate));
        }
    }

    #[test]
    fn parameter_syntax() {
        assert!(check_principal("arn:aws:iam::111122223333:role/a_b+c=d,e.f@g-h", "p").is_ok());
        assert!(check_principal("", "p").is_err());
        assert!(check_principal("has space", "p").is_err());
        assert!(check_principal(&"a".repeat(257), "p").is_err());
        assert!(check_name("nightly:backup/1_a-b").is_ok());
        assert!(check_name("a.b").is_err());
        assert!(check_grant_id(&"f".repeat(64)).is_ok());
        assert!(check_grant_id("").is_err());
    }

    #[test]
    fn operations_and_constraints_are_normalized() {
        let p = |ops: &[&str]| {
            let named = |s: &&str| match GrantOperation::parse(s) {
                Some(o) => Named::Known(o),
                None => Named::Unknown(s.to_string()),
            };
            Some(ops.iter().map(named).collect())
        };
        assert_eq!(
            parse_operations(p(&["Decrypt", "Encrypt", "Decrypt"])).unwrap(),
            [GrantOperation::Decrypt, GrantOperation::Encrypt]
        );
        assert!(parse_operations(p(&[])).is_err());
        assert!(parse_operations(p(&["decrypt"])).is_err());
        assert!(parse_operations(None).is_err());
        assert!(same_operations(
            &[GrantOperation::Sign, GrantOperation::Verify],
            &[GrantOperation::Verify, GrantOperation::Sign]
        ));
        let c = |subset: &[(&str, &str)], equals: &[(&str, &str)]| {
            let m = |pairs: &[(&str, &str)]| {
                Some(
                    pairs
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect::<BTreeMap<_, _>>(),
                )
            };
            Some(GrantConstraints {
                encryption_context_subset: m(subset),
                encryption_context_equals: m(equals),
            })
        };
        assert_eq!(parse_constraints(c(&[], &[])).unwrap(), None);
        let only_subset = parse_constraints(c(&[("a", "1")], &[])).unwrap().unwrap();
        assert_eq!(only_subset.encryption_context_equals, None);
        assert!(parse_constraints(c(&[("a", "1")], &[("b", "2")])).is_err());
        let nine: Vec<(String, String)> =
            (0..9).map(|i| (format!("k{i}"), "v".to_string())).collect();
        let nine: Vec<(&str, &str)> = nine.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert!(parse_constraints(c(&nine, &[])).is_err());
        let long = "x".repeat(385);
        assert!(parse_constraints(c(&[("a", long.as_str())], &[])).is_err());
        assert_eq!(parse_constraints(None).unwrap(), None);
    }
}
