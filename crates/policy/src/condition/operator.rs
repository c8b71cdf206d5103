//! Condition operator names: `StringEquals`, `ForAnyValue:StringLikeIfExists`, ... parsed into
//! a family, a negation, the `...IfExists` flag and the set qualifier. Unknown names fail with
//! AWS's `Invalid Condition type : <name>`. Names are read without regard to case.

use crate::error::{fail, ParseResult};

/// How a numeric or date operator compares the request's value with the policy's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cmp {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    /// Whether `request` stands in this relation to `policy`.
    pub(crate) fn holds<T: PartialOrd>(self, request: T, policy: T) -> bool {
        match self {
            Cmp::Eq => request == policy,
            Cmp::Lt => request < policy,
            Cmp::Le => request <= policy,
            Cmp::Gt => request > policy,
            Cmp::Ge => request >= policy,
        }
    }
}

/// The kind of comparison an operator makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    /// `StringEquals`, `StringNotEquals`: exact, case-sensitive.
    String,
    /// `StringEqualsIgnoreCase`, `StringNotEqualsIgnoreCase`.
    StringIgnoreCase,
    /// `StringLike`, `StringNotLike`: `*` and `?` wildcards.
    StringLike,
    /// `Numeric*`.
    Numeric(Cmp),
    /// `Date*`: ISO 8601 or epoch seconds.
    Date(Cmp),
    /// `Bool`.
    Bool,
    /// `BinaryEquals`: base64 in the policy.
    Binary,
    /// `IpAddress`, `NotIpAddress`: CIDR v4 or v6.
    Ip,
    /// `ArnEquals`, `ArnLike` and their negations: per-component wildcards.
    Arn,
    /// `Null`: whether the key is absent.
    Null,
}

/// The `ForAnyValue:` / `ForAllValues:` qualifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SetOp {
    /// No qualifier.
    Single,
    /// `ForAnyValue:`: at least one request value matches.
    AnyValue,
    /// `ForAllValues:`: every request value matches (vacuously true when absent).
    AllValues,
}

/// A parsed condition operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Operator {
    pub(crate) family: Family,
    pub(crate) negated: bool,
    pub(crate) if_exists: bool,
    pub(crate) set: SetOp,
}

/// Base operator names (without qualifier or `IfExists`), their family, and negation.
const BASE: &[(&str, Family, bool)] = &[
    ("StringEquals", Family::String, false),
    ("StringNotEquals", Family::String, true),
    ("StringEqualsIgnoreCase", Family::StringIgnoreCase, false),
    ("StringNotEqualsIgnoreCase", Family::StringIgnoreCase, true),
    ("StringLike", Family::StringLike, false),
    ("StringNotLike", Family::StringLike, true),
    ("NumericEquals", Family::Numeric(Cmp::Eq), false),
    ("NumericNotEquals", Family::Numeric(Cmp::Eq), true),
    ("NumericLessThan", Family::Numeric(Cmp::Lt), false),
    ("NumericLessThanEquals", Family::Numeric(Cmp::Le), false),
    ("NumericGreaterThan", Family::Numeric(Cmp::Gt), false),
    ("NumericGreaterThanEquals", Family::Numeric(Cmp::Ge), false),
    ("DateEquals", Family::Date(Cmp::Eq), false),
    ("DateNotEquals", Family::Date(Cmp::Eq), true),
    ("DateLessThan", Family::Date(Cmp::Lt), false),
    ("DateLessThanEquals", Family::Date(Cmp::Le), false),
    ("DateGreaterThan", Family::Date(Cmp::Gt), false),
    ("DateGreaterThanEquals", Family::Date(Cmp::Ge), false),
    ("Bool", Family::Bool, false),
    ("BinaryEquals", Family::Binary, false),
    ("IpAddress", Family::Ip, false),
    ("NotIpAddress", Family::Ip, true),
    ("ArnEquals", Family::Arn, false),
    ("ArnLike", Family::Arn, false),
    ("ArnNotEquals", Family::Arn, true),
    ("ArnNotLike", Family::Arn, true),
    ("Null", Family::Null, false),
];

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

fn strip_suffix_ci<'a>(s: &'a str, suffix: &str) -> Option<&'a str> {
    let cut = s.len().checked_sub(suffix.len())?;
    let tail = s.get(cut..)?;
    tail.eq_ignore_ascii_case(suffix).then(|| &s[..cut])
}

/// Parses an operator name.
pub(crate) fn parse(name: &str) -> ParseResult<Operator> {
    let invalid = || fail(format!("Invalid Condition type : {name}"));
    let (set, rest) = if let Some(r) = strip_prefix_ci(name, "ForAnyValue:") {
        (SetOp::AnyValue, r)
    } else if let Some(r) = strip_prefix_ci(name, "ForAllValues:") {
        (SetOp::AllValues, r)
    } else {
        (SetOp::Single, name)
    };
    let (if_exists, base) = match strip_suffix_ci(rest, "IfExists") {
        Some(b) => (true, b),
        None => (false, rest),
    };
    let Some(&(_, family, negated)) = BASE.iter().find(|(n, _, _)| n.eq_ignore_ascii_case(base))
    else {
        return invalid();
    };
    // `Null` is itself the existence test: there is no `NullIfExists`. (A set qualifier on it
    // is accepted and changes nothing: presence is one fact, however many values.)
    if family == Family::Null && if_exists {
        return invalid();
    }
    Ok(Operator {
        family,
        negated,
        if_exists,
        set,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operator_names() {
        let op = parse("ForAnyValue:StringNotLikeIfExists").unwrap();
        assert_eq!(op.family, Family::StringLike);
        assert!(op.negated && op.if_exists);
        assert_eq!(op.set, SetOp::AnyValue);
        let op = parse("forallvalues:stringequals").unwrap();
        assert_eq!(op.set, SetOp::AllValues);
        assert!(!op.negated && !op.if_exists);
        assert_eq!(
            parse("DateLessThanEquals").unwrap().family,
            Family::Date(Cmp::Le)
        );
        assert_eq!(
            parse("NumericGreaterThanIfExists").unwrap().family,
            Family::Numeric(Cmp::Gt)
        );
        assert_eq!(parse("ForAnyValue:Null").unwrap().family, Family::Null);
        for bad in [
            "Foo",
            "StringEqualz",
            "IfExists",
            "NullIfExists",
            "ForSomeValues:StringEquals",
            "",
            "é",
        ] {
            assert_eq!(
                parse(bad).unwrap_err().message,
                format!("Invalid Condition type : {bad}")
            );
        }
    }
}
