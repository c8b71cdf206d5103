//! The Principal and NotPrincipal elements: parsing `"*"`, `{"AWS": ..}`, `{"Service": ..}`,
//! `{"CanonicalUser": ..}`, and deciding whether a request's principal is named.
//!
//! AWS judges a request as a set of identities: an IAM user is both its own ARN and its
//! account; a root user is its account; a service is its service name; an anonymous caller is
//! only "everyone". `Principal` matches when any identity is named; `NotPrincipal` applies when
//! some identity is not named — which is why AWS asks for both the user ARN and the account in
//! a `NotPrincipal` that exempts one user. A user matched only through its account is a
//! delegation to the account ([`PrincipalMatch::ViaAccount`]): the account's own policies must
//! then allow it too.

use crate::context::{PrincipalKind, RequestContext};
use crate::error::{fail, ParseResult};
use serde_json::Value;

/// How a request's principal is named by a Principal element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum PrincipalMatch {
    /// Not named.
    No,
    /// Named through its account only (a user of a named account).
    ViaAccount,
    /// Named itself: by ARN, service name, `*`, or as the named account's root.
    Direct,
}

/// A parsed Principal / NotPrincipal value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Principals {
    /// `*` or `{"AWS": "*"}`: everyone, anonymous callers included.
    pub(crate) everyone: bool,
    /// Account ids, from `123456789012` or `arn:aws:iam::123456789012:root`.
    pub(crate) accounts: Vec<Box<str>>,
    /// Exact principal ARNs (users, roles, sessions).
    pub(crate) arns: Vec<Box<str>>,
    /// Service principal names, e.g. `cloudtrail.amazonaws.com`.
    pub(crate) services: Vec<Box<str>>,
    /// S3 canonical user ids (each stands for an account).
    pub(crate) canonical: Vec<Box<str>>,
}

const INVALID: &str = "Invalid principal in policy";

/// Parses a Principal / NotPrincipal value.
pub(crate) fn parse(v: &Value) -> ParseResult<Principals> {
    let mut p = Principals::default();
    match v {
        Value::String(s) if s == "*" => p.everyone = true,
        Value::Object(map) if !map.is_empty() => {
            for (kind, list) in map {
                let items = strings(list)?;
                for item in items {
                    match kind.as_str() {
                        "AWS" => aws(&mut p, item)?,
                        "Service" => {
                            if item.is_empty() || item.contains(['*', '?']) {
                                return fail(INVALID);
                            }
                            p.services.push(item.into());
                        }
                        "CanonicalUser" => {
                            if item.is_empty() || item.contains(['*', '?']) {
                                return fail(INVALID);
                            }
                            p.canonical.push(item.into());
                        }
                        // Web identity and SAML federation have no place in this product.
                        _ => return fail(INVALID),
                    }
                }
            }
        }
        _ => return fail(INVALID),
    }
    Ok(p)
}

fn strings(v: &Value) -> ParseResult<Vec<&str>> {
    match v {
        Value::String(s) => Ok(vec![s.as_str()]),
        Value::Array(a) if !a.is_empty() => a
            .iter()
            .map(|x| {
                x.as_str()
                    .ok_or_else(|| crate::error::PolicyError::new(INVALID))
            })
            .collect(),
        _ => fail(INVALID),
    }
}

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// One `"AWS"` entry: `*`, an account id, an account root ARN, or an IAM/STS principal ARN.
/// Partial wildcards are refused, as AWS refuses them in Principal.
fn aws(p: &mut Principals, item: &str) -> ParseResult<()> {
    if item == "*" {
        p.everyone = true;
        return Ok(());
    }
    if item.contains(['*', '?']) {
        return fail(INVALID);
    }
    if is_account_id(item) {
        p.accounts.push(item.into());
        return Ok(());
    }
    let Some([_, partition, "iam" | "sts", "", account, rest]) = crate::arn_fields(item) else {
        return fail(INVALID);
    };
    if !(partition.starts_with("aws") && is_account_id(account) && !rest.is_empty()) {
        return fail(INVALID);
    }
    if rest == "root" {
        p.accounts.push(account.into());
    } else {
        p.arns.push(item.into());
    }
    Ok(())
}

impl Principals {
    fn names_account(&self, req: &RequestContext) -> bool {
        req.principal_account
            .is_some_and(|a| self.accounts.iter().any(|x| **x == *a))
            || req
                .canonical_id
                .is_some_and(|c| self.canonical.iter().any(|x| **x == *c))
    }

    /// Named by ARN: the principal's own, or for a role session its role's (AWS matches a
    /// role ARN to every session of the role).
    fn names_arn(&self, req: &RequestContext) -> bool {
        self.arns
            .iter()
            .any(|x| **x == *req.principal_arn || req.role_arn.is_some_and(|r| **x == *r))
    }

    fn names_service(&self, req: &RequestContext) -> bool {
        self.services
            .iter()
            .any(|x| x.eq_ignore_ascii_case(req.principal_arn))
    }

    /// How `Principal` names the request's principal.
    pub(crate) fn principal_match(&self, req: &RequestContext) -> PrincipalMatch {
        if self.everyone {
            return PrincipalMatch::Direct;
        }
        let direct = match req.principal_kind {
            PrincipalKind::Anonymous => false,
            PrincipalKind::Service => self.names_service(req),
            PrincipalKind::Root => self.names_account(req) || self.names_arn(req),
            PrincipalKind::User | PrincipalKind::AssumedRole => self.names_arn(req),
        };
        let member = matches!(
            req.principal_kind,
            PrincipalKind::User | PrincipalKind::AssumedRole
        );
        if direct {
            PrincipalMatch::Direct
        } else if member && self.names_account(req) {
            PrincipalMatch::ViaAccount
        } else {
            PrincipalMatch::No
        }
    }

    /// Whether a statement with this `NotPrincipal` applies to the request: some identity of
    /// the principal is not named.
    pub(crate) fn not_principal_applies(&self, req: &RequestContext) -> bool {
        if self.everyone {
            return false;
        }
        match req.principal_kind {
            PrincipalKind::Anonymous => true,
            PrincipalKind::Service => !self.names_service(req),
            PrincipalKind::Root => !(self.names_account(req) || self.names_arn(req)),
            PrincipalKind::User | PrincipalKind::AssumedRole => {
                !(self.names_arn(req) && self.names_account(req))
            }
        }
    }
}
