//! Grants: permissions on one key given to a grantee principal for a list of grant operations,
//! optionally limited by encryption context constraints, stored in `kms_grants` (removed with
//! their key by the foreign key's cascade). Owns the record, its queries and the pure constraint
//! semantics ([`grant_allows`], [`constraints_within`]); it must not decide who the caller is —
//! evaluating grants against callers belongs to the policy engine.

use crate::crypto::named_enum;
use crate::error::{KmsError, KmsResult};
use crate::shapes::GrantConstraints;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use trailstack_store::{Conn, Param};

named_enum! {
    /// An operation a grant may allow (`GrantOperation`), in the API's order.
    GrantOperation {
        Decrypt => "Decrypt",
        Encrypt => "Encrypt",
        GenerateDataKey => "GenerateDataKey",
        GenerateDataKeyWithoutPlaintext => "GenerateDataKeyWithoutPlaintext",
        ReEncryptFrom => "ReEncryptFrom",
        ReEncryptTo => "ReEncryptTo",
        Sign => "Sign",
        Verify => "Verify",
        GetPublicKey => "GetPublicKey",
        CreateGrant => "CreateGrant",
        RetireGrant => "RetireGrant",
        DescribeKey => "DescribeKey",
        GenerateDataKeyPair => "GenerateDataKeyPair",
        GenerateDataKeyPairWithoutPlaintext => "GenerateDataKeyPairWithoutPlaintext",
        GenerateMac => "GenerateMac",
        VerifyMac => "VerifyMac",
        DeriveSharedSecret => "DeriveSharedSecret",
        Encapsulate => "Encapsulate",
        Decapsulate => "Decapsulate",
    }
}

/// The grant operations whose request carries an encryption context, the only ones grant
/// constraints apply to.
pub const CONTEXT_OPERATIONS: [GrantOperation; 8] = [
    GrantOperation::Decrypt,
    GrantOperation::Encrypt,
    GrantOperation::GenerateDataKey,
    GrantOperation::GenerateDataKeyWithoutPlaintext,
    GrantOperation::GenerateDataKeyPair,
    GrantOperation::GenerateDataKeyPairWithoutPlaintext,
    GrantOperation::ReEncryptFrom,
    GrantOperation::ReEncryptTo,
];

/// A grant's attributes, stored as JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantMeta {
    /// Record schema version.
    #[serde(default)]
    pub v: u32,
    /// The account that created the grant.
    pub issuing_account: String,
    /// The grant's friendly name (CreateGrant `Name`).
    #[serde(default)]
    pub name: Option<String>,
    /// GranteePrincipal.
    pub grantee_principal: String,
    /// RetiringPrincipal.
    #[serde(default)]
    pub retiring_principal: Option<String>,
    /// The grant operations.
    pub operations: Vec<GrantOperation>,
    /// Encryption context constraints.
    #[serde(default)]
    pub constraints: Option<GrantConstraints>,
}

/// A grant on a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// GrantId (64 hex digits).
    pub grant_id: String,
    /// The key the grant is on.
    pub key_id: String,
    /// CreationDate.
    pub created_ms: i64,
    /// The grant's attributes.
    pub meta: GrantMeta,
}

fn lower_keys(m: &BTreeMap<String, String>) -> BTreeMap<String, &str> {
    m.iter()
        .map(|(k, v)| (k.to_lowercase(), v.as_str()))
        .collect()
}

/// Whether `ctx` satisfies `constraints`: every `EncryptionContextSubset` pair is in `ctx`, and
/// `ctx` has exactly the `EncryptionContextEquals` pairs. As in AWS, constraint keys compare
/// case-insensitively and values case-sensitively.
pub fn context_satisfies(constraints: &GrantConstraints, ctx: &BTreeMap<String, String>) -> bool {
    let have = lower_keys(ctx);
    if let Some(subset) = &constraints.encryption_context_subset {
        let all_present = lower_keys(subset)
            .iter()
            .all(|(k, v)| have.get(k) == Some(v));
        if !all_present {
            return false;
        }
    }
    if let Some(equals) = &constraints.encryption_context_equals {
        if lower_keys(equals) != have {
            return false;
        }
    }
    true
}

/// Whether `grant` permits the grant operation `operation` (e.g. `Decrypt`, `ReEncryptFrom`)
/// for a request with `encryption_context`. The constraints apply only to operations that take
/// an encryption context ([`CONTEXT_OPERATIONS`]); DescribeKey, RetireGrant, Sign, ... are
/// allowed whatever the context. For `CreateGrant`, also check the new grant's constraints with
/// [`constraints_within`].
pub fn grant_allows(
    grant: &Grant,
    operation: &str,
    encryption_context: &BTreeMap<String, String>,
) -> bool {
    let Some(operation) = GrantOperation::parse(operation) else {
        return false;
    };
    if !grant.meta.operations.contains(&operation) {
        return false;
    }
    match &grant.meta.constraints {
        Some(c) if CONTEXT_OPERATIONS.contains(&operation) => {
            context_satisfies(c, encryption_context)
        }
        _ => true,
    }
}

/// Whether a grant with `child` constraints may be created through a grant with `parent`
/// constraints: the child must be equally strict or stricter (every context it allows, the
/// parent allows).
pub fn constraints_within(
    parent: Option<&GrantConstraints>,
    child: Option<&GrantConstraints>,
) -> bool {
    let Some(parent) = parent else { return true };
    let Some(child) = child else { return false };
    fn lower(m: &Option<BTreeMap<String, String>>) -> Option<BTreeMap<String, &str>> {
        m.as_ref().map(lower_keys)
    }
    let (p_sub, p_eq) = (
        lower(&parent.encryption_context_subset),
        lower(&parent.encryption_context_equals),
    );
    let (c_sub, c_eq) = (
        lower(&child.encryption_context_subset),
        lower(&child.encryption_context_equals),
    );
    let includes = |big: &BTreeMap<String, &str>, small: &BTreeMap<String, &str>| {
        small.iter().all(|(k, v)| big.get(k) == Some(v))
    };
    if let Some(p_eq) = &p_eq {
        // Only an exact context is allowed: the child must pin the same one.
        if c_eq.as_ref() != Some(p_eq) {
            return false;
        }
    }
    if let Some(p_sub) = &p_sub {
        let by_eq = c_eq.as_ref().is_some_and(|e| includes(e, p_sub));
        let by_sub = c_sub.as_ref().is_some_and(|s| includes(s, p_sub));
        if !by_eq && !by_sub {
            return false;
        }
    }
    true
}

const COLS: &str = "grant_id, key_id, created_ms, meta";

type RawGrant = (String, String, i64, String);

fn decode(raw: RawGrant) -> KmsResult<Grant> {
    let (grant_id, key_id, created_ms, meta) = raw;
    let meta = serde_json::from_str(&meta)
        .map_err(|e| KmsError::Internal(format!("grant record: {e}")))?;
    Ok(Grant {
        grant_id,
        key_id,
        created_ms,
        meta,
    })
}

/// Stores a new grant.
pub fn insert(c: &Conn, g: &Grant) -> KmsResult<()> {
    let meta = serde_json::to_string(&g.meta).map_err(|e| KmsError::Internal(e.to_string()))?;
    c.execute(
        "INSERT INTO kms_grants (grant_id, key_id, created_ms, meta) VALUES ($1, $2, $3, $4)",
        &[&g.grant_id, &g.key_id, &g.created_ms, &meta],
    )?;
    Ok(())
}

/// The grant `grant_id`.
pub fn get(c: &Conn, grant_id: &str) -> KmsResult<Option<Grant>> {
    c.query_opt(
        &format!("SELECT {COLS} FROM kms_grants WHERE grant_id = $1"),
        &[&grant_id],
        |r| r.decode(),
    )?
    .map(decode)
    .transpose()
}

/// Deletes a grant (RetireGrant, RevokeGrant).
pub fn delete(c: &Conn, grant_id: &str) -> KmsResult<()> {
    c.execute("DELETE FROM kms_grants WHERE grant_id = $1", &[&grant_id])?;
    Ok(())
}

/// Number of grants on `key_id`.
pub fn count_for_key(c: &Conn, key_id: &str) -> KmsResult<u64> {
    Ok(c.query_one(
        "SELECT COUNT(*) FROM kms_grants WHERE key_id = $1",
        &[&key_id],
        |r| r.get(0),
    )?)
}

/// The position of a grant in listings (creation time, then id), used as paging marker.
pub type Position = (i64, String);

/// Grants of `key_id` after `after` in (creation time, id) order that pass `keep`, at most
/// `limit`.
pub fn list_for_key(
    c: &Conn,
    key_id: &str,
    after: &Position,
    limit: usize,
    keep: impl Fn(&Grant) -> bool,
) -> KmsResult<Vec<Grant>> {
    collect(
        c,
        &format!(
            "SELECT {COLS} FROM kms_grants WHERE key_id = $1 \
             AND (created_ms > $2 OR (created_ms = $2 AND grant_id > $3)) \
             ORDER BY created_ms, grant_id"
        ),
        &[&key_id, &after.0, &after.1],
        limit,
        keep,
    )
}

/// Grants on keys of an account and region after `after` that pass `keep`, at most `limit`
/// (ListRetirableGrants).
pub fn list_for_account(
    c: &Conn,
    account: &str,
    region: &str,
    after: &Position,
    limit: usize,
    keep: impl Fn(&Grant) -> bool,
) -> KmsResult<Vec<Grant>> {
    collect(
        c,
        "SELECT g.grant_id, g.key_id, g.created_ms, g.meta FROM kms_grants g \
         JOIN kms_keys k ON k.key_id = g.key_id \
         WHERE k.account = $1 AND k.region = $2 \
         AND (g.created_ms > $3 OR (g.created_ms = $3 AND g.grant_id > $4)) \
         ORDER BY g.created_ms, g.grant_id",
        &[&account, &region, &after.0, &after.1],
        limit,
        keep,
    )
}

/// The first `limit` grants of a listing that pass `keep`, reading no further rows than that.
fn collect(
    c: &Conn,
    sql: &str,
    params: &[&dyn Param],
    limit: usize,
    keep: impl Fn(&Grant) -> bool,
) -> KmsResult<Vec<Grant>> {
    let mut out = Vec::new();
    let mut failed = None;
    c.for_each(sql, params, |r| match decode(r.decode()?) {
        Ok(g) if keep(&g) => {
            out.push(g);
            Ok(out.len() < limit)
        }
        Ok(_) => Ok(true),
        Err(e) => {
            failed = Some(e);
            Ok(false)
        }
    })?;
    match failed {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::ctx;

    fn grant(ops: &[&str], constraints: Option<GrantConstraints>) -> Grant {
        Grant {
            grant_id: "0".repeat(64),
            key_id: "k".into(),
            created_ms: 0,
            meta: GrantMeta {
                issuing_account: "111122223333".into(),
                grantee_principal: "arn:aws:iam::111122223333:user/u".into(),
                operations: ops
                    .iter()
                    .map(|s| GrantOperation::parse(s).unwrap())
                    .collect(),
                constraints,
                ..Default::default()
            },
        }
    }

    fn subset(pairs: &[(&str, &str)]) -> GrantConstraints {
        GrantConstraints {
            encryption_context_subset: Some(ctx(pairs)),
            ..Default::default()
        }
    }

    fn equals(pairs: &[(&str, &str)]) -> GrantConstraints {
        GrantConstraints {
            encryption_context_equals: Some(ctx(pairs)),
            ..Default::default()
        }
    }

    #[test]
    fn operations_must_be_listed() {
        let g = grant(&["Decrypt", "DescribeKey"], None);
        assert!(grant_allows(&g, "Decrypt", &ctx(&[])));
        assert!(grant_allows(&g, "DescribeKey", &ctx(&[("a", "b")])));
        assert!(!grant_allows(&g, "Encrypt", &ctx(&[])));
        assert!(!grant_allows(&g, "decrypt", &ctx(&[])));
    }

    #[test]
    fn subset_requires_the_pairs_and_allows_more() {
        let g = grant(&["Decrypt"], Some(subset(&[("Dept", "IT")])));
        assert!(grant_allows(&g, "Decrypt", &ctx(&[("Dept", "IT")])));
        assert!(grant_allows(
            &g,
            "Decrypt",
            &ctx(&[("Dept", "IT"), ("Project", "x")])
        ));
        // Keys compare case-insensitively, values case-sensitively.
        assert!(grant_allows(&g, "Decrypt", &ctx(&[("dept", "IT")])));
        assert!(!grant_allows(&g, "Decrypt", &ctx(&[("Dept", "it")])));
        assert!(!grant_allows(&g, "Decrypt", &ctx(&[("Project", "x")])));
        assert!(!grant_allows(&g, "Decrypt", &ctx(&[])));
    }

    #[test]
    fn equals_requires_exactly_the_pairs() {
        let g = grant(
            &["Encrypt", "Decrypt"],
            Some(equals(&[("a", "1"), ("b", "2")])),
        );
        assert!(grant_allows(&g, "Encrypt", &ctx(&[("b", "2"), ("a", "1")])));
        assert!(grant_allows(&g, "Encrypt", &ctx(&[("A", "1"), ("B", "2")])));
        assert!(!grant_allows(&g, "Encrypt", &ctx(&[("a", "1")])));
        assert!(!grant_allows(
            &g,
            "Encrypt",
            &ctx(&[("a", "1"), ("b", "2"), ("c", "3")])
        ));
        assert!(!grant_allows(
            &g,
            "Encrypt",
            &ctx(&[("a", "1"), ("b", "X")])
        ));
        assert!(!grant_allows(&g, "Encrypt", &ctx(&[])));
    }

    #[test]
    fn constraints_do_not_apply_to_operations_without_context() {
        let g = grant(
            &["DescribeKey", "RetireGrant", "ReEncryptFrom"],
            Some(equals(&[("a", "1")])),
        );
        assert!(grant_allows(&g, "DescribeKey", &ctx(&[])));
        assert!(grant_allows(&g, "RetireGrant", &ctx(&[("z", "9")])));
        assert!(!grant_allows(&g, "ReEncryptFrom", &ctx(&[])));
        assert!(grant_allows(&g, "ReEncryptFrom", &ctx(&[("a", "1")])));
    }

    #[test]
    fn both_constraints_must_hold() {
        let c = GrantConstraints {
            encryption_context_subset: Some(ctx(&[("a", "1")])),
            encryption_context_equals: Some(ctx(&[("a", "1"), ("b", "2")])),
        };
        let g = grant(&["Decrypt"], Some(c));
        assert!(grant_allows(&g, "Decrypt", &ctx(&[("a", "1"), ("b", "2")])));
        assert!(!grant_allows(&g, "Decrypt", &ctx(&[("a", "1")])));
    }

    #[test]
    fn child_grants_must_be_as_strict() {
        let s = subset(&[("a", "1")]);
        let e = equals(&[("a", "1")]);
        assert!(constraints_within(None, None));
        assert!(constraints_within(None, Some(&s)));
        assert!(!constraints_within(Some(&s), None));
        assert!(constraints_within(Some(&s), Some(&s)));
        assert!(constraints_within(
            Some(&s),
            Some(&subset(&[("A", "1"), ("b", "2")]))
        ));
        assert!(constraints_within(
            Some(&s),
            Some(&equals(&[("a", "1"), ("b", "2")]))
        ));
        assert!(!constraints_within(Some(&s), Some(&subset(&[("b", "2")]))));
        assert!(!constraints_within(Some(&s), Some(&subset(&[("a", "2")]))));
        assert!(constraints_within(Some(&e), Some(&e)));
        assert!(!constraints_within(Some(&e), Some(&s)));
        assert!(!constraints_within(
            Some(&e),
            Some(&equals(&[("a", "1"), ("b", "2")]))
        ));
    }
}
