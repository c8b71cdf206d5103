//! Shared helpers of the table tests: owned requests (so tables can hold them), the two
//! accounts, and runners that report every failing row at once.

use crate::{Conditions, Match, Policy, PrincipalKind, RequestContext};

/// The account that owns the resources.
pub(crate) const A: &str = "111122223333";
/// Another account.
pub(crate) const B: &str = "444455556666";
/// A's canonical user id.
pub(crate) const A_CANONICAL: &str =
    "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be";

/// An owned request, turned into a [`RequestContext`] by [`Req::ctx`].
#[derive(Debug, Clone)]
pub(crate) struct Req {
    pub(crate) arn: String,
    pub(crate) kind: PrincipalKind,
    pub(crate) action: String,
    pub(crate) resource: String,
    pub(crate) conds: Conditions,
    pub(crate) canonical: Option<String>,
}

impl Req {
    fn new(arn: String, kind: PrincipalKind) -> Req {
        Req {
            arn,
            kind,
            action: "s3:GetObject".into(),
            resource: "arn:aws:s3:::bucket/key".into(),
            conds: Conditions::new(),
            canonical: None,
        }
    }

    pub(crate) fn ctx(&self) -> RequestContext<'_> {
        let mut r = RequestContext::new(
            &self.arn,
            self.kind,
            &self.action,
            &self.resource,
            &self.conds,
        );
        r.canonical_id = self.canonical.as_deref();
        r
    }

    pub(crate) fn act(mut self, a: &str) -> Req {
        self.action = a.into();
        self
    }

    pub(crate) fn res(mut self, r: &str) -> Req {
        self.resource = r.into();
        self
    }

    pub(crate) fn cond(mut self, k: &str, v: &str) -> Req {
        self.conds.insert(k, v);
        self
    }

    pub(crate) fn conds(mut self, k: &str, v: &[&str]) -> Req {
        self.conds.insert_many(k, v.iter().copied());
        self
    }

    pub(crate) fn canonical(mut self, id: &str) -> Req {
        self.canonical = Some(id.into());
        self
    }
}

/// User `name` of `account`.
pub(crate) fn user(account: &str, name: &str) -> Req {
    Req::new(
        format!("arn:aws:iam::{account}:user/{name}"),
        PrincipalKind::User,
    )
}

/// Alice, a user of A.
pub(crate) fn alice() -> Req {
    user(A, "alice")
}

/// Bob, a user of B.
pub(crate) fn bob() -> Req {
    user(B, "bob")
}

/// The root user of `account`.
pub(crate) fn root(account: &str) -> Req {
    Req::new(format!("arn:aws:iam::{account}:root"), PrincipalKind::Root)
}

/// A service principal.
pub(crate) fn service(name: &str) -> Req {
    Req::new(name.into(), PrincipalKind::Service)
}

/// An unsigned caller.
pub(crate) fn anonymous() -> Req {
    Req::new("*".into(), PrincipalKind::Anonymous)
}

/// A 2012-10-17 policy document with `statements` (a JSON object or array text).
pub(crate) fn doc(statements: &str) -> String {
    format!(r#"{{"Version":"2012-10-17","Statement":{statements}}}"#)
}

/// Parses `statements` (wrapped by [`doc`]) as a policy of any kind, or panics with the error.
pub(crate) fn policy(statements: &str) -> Policy {
    let d = doc(statements);
    Policy::parse(&d).unwrap_or_else(|e| panic!("{e}: {d}"))
}

/// Runs a table of (name, statements, request, expected) through [`Policy::evaluate`] and
/// fails once, listing every wrong row. Returns the number of rows.
pub(crate) fn run_eval<S: AsRef<str>>(table: &[(&str, S, Req, Match)]) -> usize {
    let failures: Vec<String> = table
        .iter()
        .filter_map(|(name, stmts, req, want)| {
            let got = policy(stmts.as_ref()).evaluate(&req.ctx());
            (got != *want).then(|| format!("{name}: got {got:?}, want {want:?}"))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    table.len()
}

/// An Allow of `s3:GetObject` on the default resource for everyone, with `condition` (a JSON
/// object text): the shape most condition rows use.
pub(crate) fn allow_if(condition: &str) -> String {
    format!(
        r#"{{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/key","Condition":{condition}}}"#
    )
}

/// Runs a table of (name, Condition element, request, holds?) through [`allow_if`]: a row
/// expects Allow when the condition holds and NotApplicable when it does not.
pub(crate) fn run_conditions(table: &[(&str, &str, Req, bool)]) -> usize {
    let rows: Vec<(&str, String, Req, Match)> = table
        .iter()
        .map(|(name, c, req, holds)| {
            let want = if *holds {
                Match::Allow
            } else {
                Match::NotApplicable
            };
            (*name, allow_if(c), req.clone(), want)
        })
        .collect();
    run_eval(&rows)
}

/// One row of an authorization table.
pub(crate) struct AuthRow<'a> {
    pub(crate) name: &'a str,
    /// Identity policies (statement JSON, no Principal).
    pub(crate) identity: Vec<String>,
    /// The resource (bucket or key) policy's statements.
    pub(crate) resource: Option<String>,
    pub(crate) req: Req,
    pub(crate) want: crate::Decision,
}

/// A row: `identity` and `resource` are statement JSON texts.
pub(crate) fn row<'a>(
    name: &'a str,
    identity: &[&str],
    resource: Option<&str>,
    req: Req,
    want: crate::Decision,
) -> AuthRow<'a> {
    AuthRow {
        name,
        identity: identity.iter().map(|s| s.to_string()).collect(),
        resource: resource.map(str::to_string),
        req,
        want,
    }
}

/// Runs rows through `decide(request, identity, resource)` and fails once with every wrong
/// row. Returns the number of rows.
pub(crate) fn run_auth(
    rows: &[AuthRow],
    decide: impl Fn(&RequestContext, &[&Policy], Option<&Policy>) -> crate::Decision,
) -> usize {
    let failures: Vec<String> = rows
        .iter()
        .filter_map(|r| {
            let identity: Vec<Policy> = r
                .identity
                .iter()
                .map(|s| {
                    Policy::parse_identity(&doc(s)).unwrap_or_else(|e| panic!("{}: {e}", r.name))
                })
                .collect();
            let identity: Vec<&Policy> = identity.iter().collect();
            let resource = r.resource.as_ref().map(|s| {
                Policy::parse_resource(&doc(s)).unwrap_or_else(|e| panic!("{}: {e}", r.name))
            });
            let got = decide(&r.req.ctx(), &identity, resource.as_ref());
            (got != r.want).then(|| format!("{}: got {got:?}, want {:?}", r.name, r.want))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    rows.len()
}
