//! The Condition element: parsing `{"Operator": {"key": value | [values]}}` into compiled
//! conditions, and evaluating them against a request. AWS's rules: every operator and every key
//! must hold (AND); any of a key's policy values may match (OR); a key absent from the request
//! fails every operator except the negated ones, `...IfExists` and `Null`; `ForAnyValue:` needs
//! one request value to match and fails on an absent key; `ForAllValues:` needs every request
//! value to match and holds on an absent key.

mod operator;
mod value;

use crate::context::{lookup, RequestContext};
use crate::error::{fail, ParseResult};
use crate::variables::{compile, resolve, Syntax};
use crate::wildcard::{Case, Pattern};
use operator::{Family, Operator, SetOp};
use serde_json::Value;
use value::{ArnPattern, Cidr};

/// The policy values of one condition, typed by its operator.
#[derive(Debug, Clone, PartialEq)]
enum Values {
    /// String, Bool: compiled patterns (variables allowed).
    Text(Vec<Pattern>),
    /// ARN operators.
    Arn(Vec<ArnPattern>),
    Number(Vec<f64>),
    /// Nanoseconds since the epoch.
    Date(Vec<i128>),
    Ip(Vec<Cidr>),
    /// Normalized base64.
    Binary(Vec<String>),
    /// `true`: the key must be absent; `false`: present.
    Null(Vec<bool>),
}

/// One operator applied to one key.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Condition {
    op: Operator,
    key: Box<str>,
    values: Values,
}

/// Parses a Condition element. `variables`: whether policy variables apply (Version
/// 2012-10-17).
pub(crate) fn parse(v: &Value, variables: bool) -> ParseResult<Vec<Condition>> {
    let Value::Object(ops) = v else {
        return fail("Invalid Condition");
    };
    let mut out = Vec::new();
    for (name, keys) in ops {
        let op = operator::parse(name)?;
        let Value::Object(keys) = keys else {
            return fail(format!("Invalid Condition block for operator {name}"));
        };
        for (key, raw) in keys {
            if key.is_empty() {
                return fail(format!("Invalid Condition key for operator {name}"));
            }
            let texts = texts(raw).ok_or_else(|| {
                crate::PolicyError::new(format!("Invalid Condition value for {name} : {key}"))
            })?;
            let values = typed(op, &texts, variables).map_err(|bad| {
                crate::PolicyError::new(format!(
                    "Invalid Condition value for {name} : {key} : {bad}"
                ))
            })?;
            out.push(Condition {
                op,
                // Lowercase once here so lookups compare bytes (AWS keys are case-insensitive).
                key: key.to_ascii_lowercase().into(),
                values,
            });
        }
    }
    Ok(out)
}

/// A condition value as strings: AWS coerces numbers and booleans to their text.
fn texts(v: &Value) -> Option<Vec<String>> {
    fn one(v: &Value) -> Option<String> {
        match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
    match v {
        Value::Array(a) => a.iter().map(one).collect(),
        other => one(other).map(|s| vec![s]),
    }
}

/// Types the policy values for `op`; on failure gives the offending value.
fn typed(op: Operator, texts: &[String], variables: bool) -> Result<Values, String> {
    fn all<T>(texts: &[String], f: impl Fn(&str) -> Option<T>) -> Result<Vec<T>, String> {
        texts
            .iter()
            .map(|t| f(t).ok_or_else(|| t.clone()))
            .collect()
    }
    let text = |wildcards, case| {
        let syntax = Syntax {
            wildcards,
            variables,
            case,
        };
        Values::Text(texts.iter().map(|t| compile(t, syntax)).collect())
    };
    Ok(match op.family {
        Family::String => text(false, Case::Sensitive),
        Family::StringIgnoreCase | Family::Bool => text(false, Case::Insensitive),
        Family::StringLike => text(true, Case::Sensitive),
        Family::Arn => Values::Arn(
            texts
                .iter()
                .map(|t| ArnPattern::compile(t, variables))
                .collect(),
        ),
        Family::Numeric(_) => Values::Number(all(texts, value::number)?),
        Family::Date(_) => Values::Date(all(texts, value::date)?),
        Family::Ip => Values::Ip(all(texts, Cidr::parse)?),
        Family::Binary => Values::Binary(all(texts, value::binary)?),
        Family::Null => Values::Null(all(texts, |t| {
            if t.eq_ignore_ascii_case("true") {
                Some(true)
            } else if t.eq_ignore_ascii_case("false") {
                Some(false)
            } else {
                None
            }
        })?),
    })
}

impl Condition {
    /// Adds the keys the condition reads (its own and its values' variables) to `out`.
    pub(crate) fn keys(&self, out: &mut Vec<Box<str>>) {
        out.push(self.key.clone());
        let vars = |p: &crate::wildcard::Pattern, out: &mut Vec<Box<str>>| {
            out.extend(p.var_keys().map(Into::into))
        };
        match &self.values {
            Values::Text(ps) => ps.iter().for_each(|p| vars(p, out)),
            Values::Arn(ps) => ps
                .iter()
                .flat_map(|a| a.patterns())
                .for_each(|p| vars(p, out)),
            _ => {}
        }
    }

    /// Whether the condition confines its statement to known callers, as S3 Block Public
    /// Access reads a policy: a positive test (not negated, not `...IfExists`, not
    /// `ForAllValues:`, which all hold when the key is absent) of a key that names the caller
    /// or where its request comes from, against fixed values only; for `aws:SourceIp`, CIDR
    /// blocks no broader than a /8 (IPv4) or /32 (IPv6).
    /// <https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status>
    pub(crate) fn pins_caller(&self) -> bool {
        /// Keys whose fixed values pin the caller (lowercased, as keys are stored).
        const PINNING: &[&str] = &[
            "aws:sourcearn",
            "aws:sourcevpc",
            "aws:sourcevpce",
            "aws:sourceowner",
            "aws:sourceaccount",
            "aws:sourceorgid",
            "aws:principalarn",
            "aws:principalaccount",
            "aws:principalorgid",
            "aws:userid",
            "s3:dataaccesspointarn",
            "s3:dataaccesspointaccount",
        ];
        let Operator {
            family,
            negated,
            if_exists,
            set,
        } = self.op;
        if negated || if_exists || set == SetOp::AllValues {
            return false;
        }
        let key = &*self.key;
        match (&self.values, family) {
            (Values::Ip(blocks), Family::Ip) => {
                key == "aws:sourceip" && blocks.iter().all(Cidr::is_narrow)
            }
            (Values::Text(ps), Family::String | Family::StringIgnoreCase | Family::StringLike)
                if PINNING.contains(&key) =>
            {
                ps.iter()
                    .all(|p| p.is_fixed() || (key == "aws:userid" && p.is_fixed_then_any_session()))
            }
            (Values::Arn(ps), Family::Arn) if PINNING.contains(&key) => {
                ps.iter().all(|a| a.patterns().iter().all(|p| p.is_fixed()))
            }
            _ => false,
        }
    }

    /// Whether one request value `v` matches any policy value (the operator un-negated).
    fn matches_one(&self, v: &str, req: &RequestContext) -> bool {
        let resolve = |var: &_| resolve(req, var);
        match (&self.values, self.op.family) {
            (Values::Text(ps), _) => ps.iter().any(|p| p.matches(v, &resolve)),
            (Values::Arn(ps), _) => ps.iter().any(|p| p.matches(v, &resolve)),
            (Values::Number(ns), Family::Numeric(cmp)) => {
                value::number(v).is_some_and(|x| ns.iter().any(|&n| cmp.holds(x, n)))
            }
            (Values::Date(ds), Family::Date(cmp)) => {
                value::date(v).is_some_and(|x| ds.iter().any(|&d| cmp.holds(x, d)))
            }
            (Values::Ip(cs), _) => cs.iter().any(|c| c.contains(v)),
            (Values::Binary(bs), _) => bs.iter().any(|b| b == v.trim()),
            _ => false,
        }
    }

    /// Whether the condition holds for `req`.
    pub(crate) fn holds(&self, req: &RequestContext) -> bool {
        let found = lookup(req, &self.key);
        if let Values::Null(wants) = &self.values {
            // Each policy value says whether the key should be absent.
            return wants.contains(&found.is_absent());
        }
        let Operator {
            negated,
            if_exists,
            set,
            ..
        } = self.op;
        if found.is_absent() {
            return match set {
                SetOp::AllValues => true,
                SetOp::AnyValue => if_exists,
                SetOp::Single => if_exists || negated,
            };
        }
        match set {
            // Unqualified: a positive operator needs some request value to match; a negated
            // one needs none to.
            SetOp::Single => found.iter().any(|v| self.matches_one(v, req)) != negated,
            SetOp::AnyValue => found.iter().any(|v| self.matches_one(v, req) != negated),
            SetOp::AllValues => found.iter().all(|v| self.matches_one(v, req) != negated),
        }
    }
}
