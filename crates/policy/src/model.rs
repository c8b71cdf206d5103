//! The parsed policy: [`Policy`], its [`Statement`]s and their compiled elements. Built only by
//! `parse.rs`, read by `eval.rs`; what the public sees of it is read-only.

use crate::condition::Condition;
use crate::principal::Principals;
use crate::wildcard::Pattern;

/// The policy language version (`Version`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// `2012-10-17`: the current language, with policy variables.
    V2012_10_17,
    /// `2008-10-17`: the original language; `${...}` is literal text.
    V2008_10_17,
}

impl Version {
    /// The version string as written in policies.
    pub fn as_str(self) -> &'static str {
        match self {
            Version::V2012_10_17 => "2012-10-17",
            Version::V2008_10_17 => "2008-10-17",
        }
    }
}

/// Which kind of policy a document is parsed as; it decides whether `Principal` is required
/// (resource policies: bucket and key policies), forbidden (identity policies), or optional.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyKind {
    /// Attached to a user: no `Principal` / `NotPrincipal`.
    Identity,
    /// Attached to a resource (bucket policy, key policy): `Principal` or `NotPrincipal`
    /// required in every statement.
    Resource,
    /// Either: statements without a principal apply to whoever the policy is evaluated for.
    Any,
}

/// Whether a statement allows or denies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// `"Effect": "Allow"`.
    Allow,
    /// `"Effect": "Deny"`.
    Deny,
}

/// The principal element of a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PrincipalElement {
    /// None given (identity policies): the statement is about the policy's holder.
    Holder,
    /// `Principal`.
    Only(Principals),
    /// `NotPrincipal`.
    AllBut(Principals),
}

/// An Action / NotAction or Resource / NotResource element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Patterns {
    /// `NotAction` / `NotResource`: the statement applies to what none of the patterns match.
    pub(crate) negated: bool,
    pub(crate) patterns: Vec<Pattern>,
}

/// One statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub(crate) sid: Option<String>,
    pub(crate) effect: Effect,
    pub(crate) principal: PrincipalElement,
    pub(crate) action: Patterns,
    pub(crate) resource: Patterns,
    pub(crate) conditions: Vec<Condition>,
}

impl Statement {
    /// The statement id (`Sid`), if any.
    pub fn sid(&self) -> Option<&str> {
        self.sid.as_deref()
    }

    /// Allow or Deny.
    pub fn effect(&self) -> Effect {
        self.effect
    }

    /// Whether the statement names principals (`Principal` or `NotPrincipal`).
    pub fn has_principal(&self) -> bool {
        !matches!(self.principal, PrincipalElement::Holder)
    }

    /// How many condition tests (operator × key) the statement has.
    pub fn condition_count(&self) -> usize {
        self.conditions.len()
    }
}

/// A parsed, validated policy document, ready to evaluate.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub(crate) version: Option<Version>,
    pub(crate) id: Option<String>,
    pub(crate) statements: Vec<Statement>,
    /// Every condition key the policy reads, in a Condition or a policy variable, lowercased,
    /// sorted: lets a service supply only the keys a policy can look at.
    pub(crate) keys: Vec<Box<str>>,
}

impl Policy {
    /// The `Version`, if the document states one (AWS then reads it as 2008-10-17).
    pub fn version(&self) -> Option<Version> {
        self.version
    }

    /// The `Id`, if any.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// The statements, in document order.
    pub fn statements(&self) -> &[Statement] {
        &self.statements
    }

    /// Whether the policy reads condition key `key` (any case), in a Condition or through a
    /// policy variable. A service may leave out of the request's [`crate::Conditions`] every
    /// key that no policy of the request reads: the decision cannot change.
    pub fn reads(&self, key: &str) -> bool {
        self.keys.iter().any(|k| k.eq_ignore_ascii_case(key))
    }

    /// Whether the policy reads a condition key starting with `prefix` (any case), e.g.
    /// `s3:ExistingObjectTag/` or `kms:EncryptionContext:`.
    pub fn reads_prefix(&self, prefix: &str) -> bool {
        self.keys.iter().any(|k| {
            k.len() >= prefix.len()
                && k.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
        })
    }

    /// Recomputes [`Policy::reads`]'s index from the statements.
    pub(crate) fn index_keys(mut self) -> Policy {
        let mut keys: Vec<Box<str>> = Vec::new();
        for st in &self.statements {
            st.action
                .patterns
                .iter()
                .chain(&st.resource.patterns)
                .for_each(|p| {
                    keys.extend(p.var_keys().map(Into::into));
                });
            for c in &st.conditions {
                c.keys(&mut keys);
            }
        }
        keys.sort();
        keys.dedup();
        self.keys = keys;
        self
    }
}

/// The condition keys the policies of one request read (up to two: the identity policy and
/// the resource policy), so that a service builds only those: a key no policy reads cannot
/// change the decision, and building every key costs more than evaluating the policies.
#[derive(Debug, Clone, Copy, Default)]
pub struct Reads<'a> {
    policies: [Option<&'a Policy>; 4],
}

impl<'a> Reads<'a> {
    /// The keys `a` and `b` read.
    pub fn of(a: Option<&'a Policy>, b: Option<&'a Policy>) -> Reads<'a> {
        Reads {
            policies: [a, b, None, None],
        }
    }

    /// The keys read here and by `boundary` (a principal's permissions boundary).
    pub fn and_boundary(mut self, boundary: Option<&'a Policy>) -> Reads<'a> {
        self.policies[2] = boundary;
        self
    }

    /// The keys read here and by `session` (a role session's session policy).
    pub fn with_session(mut self, session: Option<&'a Policy>) -> Reads<'a> {
        self.policies[3] = session;
        self
    }

    /// Whether a policy reads `key` (any case).
    pub fn key(&self, key: &str) -> bool {
        self.policies.iter().flatten().any(|p| p.reads(key))
    }

    /// Whether a policy reads a key starting with `prefix` (any case).
    pub fn prefix(&self, prefix: &str) -> bool {
        self.policies
            .iter()
            .flatten()
            .any(|p| p.reads_prefix(prefix))
    }
}
