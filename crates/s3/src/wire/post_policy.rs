//! The policy document of a signed POST Object form: reading it, with S3's
//! `InvalidPolicyDocument` (400) for a document that is not a well-formed policy, and checking
//! the form against it — expiration, conditions, fields no condition names — with S3's
//! `AccessDenied` (403) "Invalid according to Policy".
//! <https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html>

use super::post::PostForm;
use crate::error::{S3Error, S3Result};
use serde_json::Value;
use time::OffsetDateTime;

/// What a checked policy still constrains after the upload: the file's size range.
pub type LengthRange = Option<(u64, u64)>;

/// One condition of the policy, with its text as the policy wrote it (for the error).
enum Condition {
    /// `{"field": "value"}` or `["eq", "$field", "value"]`.
    Eq {
        field: String,
        value: String,
        text: String,
    },
    /// `["starts-with", "$field", "prefix"]`.
    StartsWith {
        field: String,
        prefix: String,
        text: String,
    },
    /// `["content-length-range", min, max]`.
    Length { min: u64, max: u64 },
}

/// A policy document that parsed.
struct Policy {
    expiration: OffsetDateTime,
    conditions: Vec<Condition>,
}

fn invalid(why: impl std::fmt::Display) -> S3Error {
    S3Error::InvalidPolicyDocument(format!("Invalid Policy: {why}"))
}

fn denied(why: impl std::fmt::Display) -> S3Error {
    S3Error::AccessDenied(format!("Invalid according to Policy: {why}"))
}

/// Reads the base64 policy document. Its element names are case-sensitive (`EXPIRATION` is
/// no expiration), its expiration is ISO 8601 in UTC, and each condition has the shape its
/// operation needs.
fn parse(policy_b64: &str) -> S3Result<Policy> {
    if policy_b64.trim().is_empty() {
        return Err(invalid("Expecting '{' but found End-of-Input"));
    }
    let raw =
        crate::checksum::unb64(policy_b64).ok_or_else(|| invalid("invalid Base64 encoding."))?;
    let doc: Value = serde_json::from_slice(&raw).map_err(|_| invalid("Invalid JSON."))?;
    let doc = doc.as_object().ok_or_else(|| invalid("Invalid JSON."))?;
    let expiration = doc
        .get("expiration")
        .ok_or_else(|| invalid("Policy missing expiration."))?;
    let conditions = doc
        .get("conditions")
        .ok_or_else(|| invalid("Policy missing conditions."))?;
    let expiration = expiration
        .as_str()
        .and_then(parse_expiration)
        .ok_or_else(|| {
            invalid(format!(
                "Invalid 'expiration' value: '{}'",
                text(expiration)
            ))
        })?;
    let conditions = conditions
        .as_array()
        .ok_or_else(|| invalid("Invalid 'conditions' value: must be a List."))?
        .iter()
        .map(parse_condition)
        .collect::<S3Result<_>>()?;
    Ok(Policy {
        expiration,
        conditions,
    })
}

/// A JSON value as the policy wrote it: strings without their quotes.
fn text(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_string)
}

/// ISO 8601 in UTC (`2026-01-01T12:00:00.000Z`, fractions optional), the only form S3 takes.
fn parse_expiration(s: &str) -> Option<OffsetDateTime> {
    let iso = s.len() > 11 && s.as_bytes()[10] == b'T' && s.ends_with('Z');
    iso.then(|| OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok())?
}

fn parse_condition(c: &Value) -> S3Result<Condition> {
    let text = c.to_string();
    match c {
        Value::Object(m) => {
            let [(field, value)] = m.iter().collect::<Vec<_>>()[..] else {
                return Err(invalid(
                    "Invalid Simple-Condition: Simple-Conditions must have exactly one property \
                     specified.",
                ));
            };
            let value = value
                .as_str()
                .ok_or_else(|| invalid("Invalid Simple-Condition: value must be a string."))?;
            Ok(Condition::Eq {
                field: field.to_ascii_lowercase(),
                value: value.to_string(),
                text,
            })
        }
        Value::Array(a) => {
            let op = a
                .first()
                .ok_or_else(|| invalid("Invalid Condition: missing operation identifier."))?
                .as_str()
                .ok_or_else(|| invalid("Invalid JSON."))?;
            let name = op.to_ascii_lowercase();
            if !matches!(name.as_str(), "eq" | "starts-with" | "content-length-range") {
                return Err(invalid(format!(
                    "Invalid Condition: unknown operation '{op}'."
                )));
            }
            if a.len() != 3 {
                return Err(invalid(format!("Invalid {op}: wrong number of arguments.")));
            }
            if name == "content-length-range" {
                // A length below zero bounds nothing more than zero does.
                let bound = |v: &Value| {
                    let n = match v {
                        Value::Number(n) => n.as_i64(),
                        Value::String(s) => s.trim().parse().ok(),
                        _ => None,
                    };
                    n.map(|n: i64| n.max(0).unsigned_abs())
                        .ok_or_else(|| invalid("Invalid JSON."))
                };
                return Ok(Condition::Length {
                    min: bound(&a[1])?,
                    max: bound(&a[2])?,
                });
            }
            let failed = || denied(format!("Policy Condition failed: {text}"));
            let field = a[1].as_str().ok_or_else(|| invalid("Invalid JSON."))?;
            let field = field
                .strip_prefix('$')
                .ok_or_else(failed)?
                .to_ascii_lowercase();
            let value = match &a[2] {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                _ => return Err(invalid("Invalid JSON.")),
            };
            Ok(if name == "eq" {
                Condition::Eq { field, value, text }
            } else {
                Condition::StartsWith {
                    field,
                    prefix: value,
                    text,
                }
            })
        }
        _ => Err(invalid("Invalid condition test: must be a List or Object.")),
    }
}

/// Checks the form, for `bucket` at `now`, against its base64 policy document; answers the
/// size range the file must still meet.
pub fn check_policy(
    policy_b64: &str,
    form: &PostForm,
    bucket: &str,
    now: OffsetDateTime,
) -> S3Result<LengthRange> {
    let policy = parse(policy_b64)?;
    if now > policy.expiration {
        return Err(denied("Policy expired."));
    }
    // Conditions read the key after `${filename}` is replaced, as it will be stored.
    let key = form.key();
    let value_of = |name: &str| -> Option<String> {
        match name {
            "bucket" => Some(bucket.to_string()),
            "key" => key.clone(),
            _ => form.field(name).map(str::to_string),
        }
    };
    let mut covered: Vec<&str> = vec!["bucket"];
    let mut range = None;
    for c in &policy.conditions {
        let (field, ok, text) = match c {
            Condition::Length { min, max } => {
                range = Some((*min, *max));
                continue;
            }
            Condition::Eq { field, value, text } => (
                field,
                value_of(field).as_deref() == Some(value.as_str()),
                text,
            ),
            Condition::StartsWith {
                field,
                prefix,
                text,
            } => {
                let have = value_of(field).unwrap_or_default();
                let ok = if field == "content-type" {
                    have.split(',')
                        .all(|part| part.trim().starts_with(prefix.as_str()))
                } else {
                    have.starts_with(prefix.as_str())
                };
                (field, ok, text)
            }
        };
        if !ok {
            return Err(denied(format!("Policy Condition failed: {text}")));
        }
        covered.push(field);
    }
    for (name, _) in &form.fields {
        // The signature's own fields (SigV4's, or SigV2's `AWSAccessKeyId` and `signature`)
        // need no condition.
        let exempt = matches!(
            name.as_str(),
            "x-amz-signature" | "policy" | "file" | "awsaccesskeyid" | "signature"
        ) || name.starts_with("x-ignore-");
        if !exempt && !covered.contains(&name.as_str()) {
            return Err(denied(format!("Extra input fields: {name}")));
        }
    }
    Ok(range)
}
