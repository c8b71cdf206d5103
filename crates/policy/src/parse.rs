//! JSON text to [`Policy`]: the grammar checks, in the order S3 applies them, with the
//! messages S3 puts in `MalformedPolicy` and KMS in `MalformedPolicyDocumentException`, and the
//! compilation of every pattern so evaluation does no parsing.

use crate::condition;
use crate::error::{fail, ParseResult, PolicyError};
use crate::model::{Effect, Patterns, Policy, PolicyKind, PrincipalElement, Statement, Version};
use crate::principal;
use crate::variables::{compile, Syntax};
use crate::wildcard::Case;
use serde_json::{Map, Value};

pub(crate) const NOT_JSON: &str = "Policies must be valid JSON and the first byte must be '{'";
const STATEMENT_FIELDS: &[&str] = &[
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

impl Policy {
    /// Parses a policy of either kind: statements may name principals or not (see
    /// [`PolicyKind::Any`]).
    pub fn parse(doc: &str) -> Result<Policy, PolicyError> {
        parse(doc, PolicyKind::Any)
    }

    /// Parses an identity policy (attached to a user): `Principal` is refused.
    pub fn parse_identity(doc: &str) -> Result<Policy, PolicyError> {
        parse(doc, PolicyKind::Identity)
    }

    /// Parses a resource policy (bucket policy, key policy): every statement needs a
    /// `Principal` or `NotPrincipal`. Statement ids may repeat: S3 bucket policies with
    /// repeated `Sid`s are accepted by S3 (IAM alone documents them as unique); see
    /// [`crate::validate_resource_policy`] for the stricter check KMS applies.
    pub fn parse_resource(doc: &str) -> Result<Policy, PolicyError> {
        parse_with(doc, PolicyKind::Resource, false)
    }

    /// Parses a policy of `kind`.
    pub fn parse_as(doc: &str, kind: PolicyKind) -> Result<Policy, PolicyError> {
        parse(doc, kind)
    }
}

fn parse(doc: &str, kind: PolicyKind) -> ParseResult<Policy> {
    parse_with(doc, kind, true)
}

/// Parses a policy of `kind`; `unique_sids`: a `Sid` given twice is refused.
pub(crate) fn parse_with(doc: &str, kind: PolicyKind, unique_sids: bool) -> ParseResult<Policy> {
    let v: Value = serde_json::from_str(doc).map_err(|_| PolicyError::new(NOT_JSON))?;
    let Value::Object(obj) = v else {
        return fail(NOT_JSON);
    };
    let version = match obj.get("Version") {
        None => None,
        Some(Value::String(s)) if s == "2012-10-17" => Some(Version::V2012_10_17),
        Some(Value::String(s)) if s == "2008-10-17" => Some(Version::V2008_10_17),
        Some(_) => return fail("The policy must contain a valid version string"),
    };
    if let Some(key) = obj
        .keys()
        .find(|k| !matches!(k.as_str(), "Version" | "Id" | "Statement"))
    {
        return fail(format!("Unknown field {key}"));
    }
    let id = match obj.get("Id") {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return fail("Invalid Id: it must be a string"),
    };
    let raw: Vec<&Value> = match obj.get("Statement") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(s @ Value::Object(_)) => vec![s],
        _ => return fail("Missing required field Statement"),
    };
    if raw.is_empty() {
        return fail("Could not parse the policy: Statement is empty!");
    }
    let variables = version == Some(Version::V2012_10_17);
    let mut statements = Vec::with_capacity(raw.len());
    for s in raw {
        let st = statement(s, kind, variables)?;
        if let Some(sid) = st.sid.as_deref().filter(|s| unique_sids && !s.is_empty()) {
            if statements
                .iter()
                .any(|o: &Statement| o.sid.as_deref() == Some(sid))
            {
                return fail("Statement IDs (SID) in a single policy must be unique");
            }
        }
        statements.push(st);
    }
    Ok(Policy {
        version,
        id,
        statements,
        keys: Vec::new(),
    }
    .index_keys())
}

/// Exactly one of `name` / `Not<name>`, or an error naming what is wrong.
fn pick<'v>(
    st: &'v Map<String, Value>,
    name: &str,
    not_name: &str,
) -> ParseResult<Option<(bool, &'v Value)>> {
    match (st.get(name), st.get(not_name)) {
        (Some(_), Some(_)) => fail(format!(
            "Statement cannot contain both {name} and {not_name}"
        )),
        (Some(v), None) => Ok(Some((false, v))),
        (None, Some(v)) => Ok(Some((true, v))),
        (None, None) => Ok(None),
    }
}

fn statement(s: &Value, kind: PolicyKind, variables: bool) -> ParseResult<Statement> {
    let Value::Object(st) = s else {
        return fail("Statement must be an object");
    };
    if let Some(key) = st.keys().find(|k| !STATEMENT_FIELDS.contains(&k.as_str())) {
        return fail(format!("Unknown field {key}"));
    }
    let sid = match st.get("Sid") {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return fail("Invalid Sid: it must be a string"),
    };
    let effect = match st.get("Effect") {
        Some(Value::String(e)) if e == "Allow" => Effect::Allow,
        Some(Value::String(e)) if e == "Deny" => Effect::Deny,
        Some(Value::String(e)) => return fail(format!("Invalid effect: {e}")),
        Some(other) => return fail(format!("Invalid effect: {other}")),
        None => return fail("Missing required field Effect"),
    };
    let principal = pick(st, "Principal", "NotPrincipal")?;
    match (kind, &principal) {
        (PolicyKind::Resource, None) => return fail("Missing required field Principal"),
        (PolicyKind::Identity, Some((not, _))) => {
            return fail(format!(
                "Has prohibited field {}",
                if *not { "NotPrincipal" } else { "Principal" }
            ))
        }
        _ => {}
    }
    let action = pick(st, "Action", "NotAction")?;
    let Some(action) = action else {
        return fail("Missing required field Action");
    };
    let resource = pick(st, "Resource", "NotResource")?;
    let Some(resource) = resource else {
        return fail("Missing required field Resource");
    };
    let action = patterns(action, "Policy has invalid action", valid_action, |a| {
        // Actions compare without regard to case: the pattern is lowercased here and the
        // request's action once per evaluation (see `eval.rs`), so matching compares bytes.
        compile(
            &a.to_lowercase(),
            Syntax {
                wildcards: true,
                // Actions never take variables: `${` in one is just an odd character.
                variables: false,
                case: Case::Sensitive,
            },
        )
    })?;
    let resource = patterns(
        resource,
        "Policy has invalid resource",
        valid_resource,
        |r| {
            compile(
                r,
                Syntax {
                    wildcards: true,
                    variables,
                    case: Case::Sensitive,
                },
            )
        },
    )?;
    let conditions = match st.get("Condition") {
        None => Vec::new(),
        Some(c) => condition::parse(c, variables)?,
    };
    let principal = match principal {
        None => PrincipalElement::Holder,
        Some((false, v)) => PrincipalElement::Only(principal::parse(v)?),
        Some((true, v)) => PrincipalElement::AllBut(principal::parse(v)?),
    };
    Ok(Statement {
        sid,
        effect,
        principal,
        action,
        resource,
        conditions,
    })
}

/// An Action / Resource element: a string or a non-empty list of strings, each valid.
fn patterns(
    (negated, v): (bool, &Value),
    invalid: &str,
    valid: fn(&str) -> bool,
    build: impl Fn(&str) -> crate::wildcard::Pattern,
) -> ParseResult<Patterns> {
    let items: Vec<&str> = match v {
        Value::String(s) => vec![s.as_str()],
        Value::Array(a) if !a.is_empty() => a
            .iter()
            .map(Value::as_str)
            .collect::<Option<_>>()
            .ok_or_else(|| PolicyError::new(invalid))?,
        _ => return fail(invalid),
    };
    if !items.iter().all(|i| valid(i)) {
        return fail(invalid);
    }
    Ok(Patterns {
        negated,
        patterns: items.into_iter().map(build).collect(),
    })
}

/// `*`, or `service:Action` with a service prefix and an action name (wildcards allowed).
fn valid_action(a: &str) -> bool {
    if a == "*" {
        return true;
    }
    let Some((service, name)) = a.split_once(':') else {
        return false;
    };
    let service_ok = !service.is_empty()
        && service
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'*' | b'?'));
    service_ok && !name.is_empty() && !name.contains(':') && !name.contains(char::is_whitespace)
}

/// `*`, or an ARN (with wildcards and variables).
fn valid_resource(r: &str) -> bool {
    r == "*" || r.starts_with("arn:")
}
