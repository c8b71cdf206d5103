//! A policy's statements as their document writes them, for reports that show a policy to a
//! person (`trailstack explain`): the principals, resources and condition tests in their
//! written spelling, beside the compiled statement that answers which actions it covers. The
//! document is read by the same parser that evaluates it; deciding a request stays
//! [`crate::authorize`]'s job.

use crate::error::PolicyError;
use crate::model::{Effect, PolicyKind, Statement};
use crate::parse::{parse_with, NOT_JSON};
use serde_json::{Map, Value};

/// One condition test as written: `key`, `operator`, `values`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenCondition {
    /// The condition key, as spelled in the document (`aws:SourceArn`).
    pub key: String,
    /// The operator, qualifiers included (`ForAnyValue:StringLike`).
    pub operator: String,
    /// The values; numbers and booleans in their JSON form.
    pub values: Vec<String>,
}

/// One statement as written.
#[derive(Debug, Clone)]
pub struct WrittenStatement {
    compiled: Statement,
    /// `Principal` entries: `*`, or the values of each principal type.
    pub principals: Vec<String>,
    /// `NotPrincipal` entries, likewise.
    pub not_principals: Vec<String>,
    /// `Resource` entries.
    pub resources: Vec<String>,
    /// `NotResource` entries.
    pub not_resources: Vec<String>,
    /// The condition tests, by operator then key.
    pub conditions: Vec<WrittenCondition>,
}

impl WrittenStatement {
    /// The statement id (`Sid`), if any.
    pub fn sid(&self) -> Option<&str> {
        self.compiled.sid()
    }

    /// Allow or Deny.
    pub fn effect(&self) -> Effect {
        self.compiled.effect()
    }

    /// Whether the statement's `Action` (or `NotAction`) covers `action`, as evaluation reads
    /// it: any case, `*` and `?` wildcards, `NotAction` covering what it does not name.
    pub fn covers_action(&self, action: &str) -> bool {
        self.compiled.covers_action(action)
    }
}

/// The statements of `doc` as written, in document order; the parser's error when the
/// document is not a valid policy.
pub fn read_written(doc: &str) -> Result<Vec<WrittenStatement>, PolicyError> {
    let policy = parse_with(doc, PolicyKind::Any, true)?;
    let json: Value = serde_json::from_str(doc).map_err(|_| PolicyError::new(NOT_JSON))?;
    let raw: Vec<&Map<String, Value>> = match json.get("Statement") {
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_object).collect(),
        Some(Value::Object(one)) => vec![one],
        _ => Vec::new(),
    };
    Ok(policy
        .statements
        .into_iter()
        .zip(raw)
        .map(|(compiled, st)| WrittenStatement {
            compiled,
            principals: principals(st.get("Principal")),
            not_principals: principals(st.get("NotPrincipal")),
            resources: strings(st.get("Resource")),
            not_resources: strings(st.get("NotResource")),
            conditions: conditions(st.get("Condition")),
        })
        .collect())
}

/// A string or a list of strings, as policy elements are written.
fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// `*`, or the values of `AWS`, `Service`, `CanonicalUser`.
fn principals(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Object(m)) => m.values().flat_map(|x| strings(Some(x))).collect(),
        _ => Vec::new(),
    }
}

fn conditions(v: Option<&Value>) -> Vec<WrittenCondition> {
    let Some(Value::Object(ops)) = v else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (operator, tests) in ops {
        let Value::Object(tests) = tests else {
            continue;
        };
        for (key, values) in tests {
            let values = match values {
                Value::Array(a) => a.iter().map(scalar).collect(),
                v => vec![scalar(v)],
            };
            out.push(WrittenCondition {
                key: key.clone(),
                operator: operator.clone(),
                values,
            });
        }
    }
    out
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(action: &str) -> WrittenStatement {
        let doc = format!(
            r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Principal":"*","Action":"{action}","Resource":"*"}}}}"#
        );
        read_written(&doc).unwrap().remove(0)
    }

    #[test]
    fn actions_are_covered_as_evaluation_reads_them() {
        for p in ["s3:PutObject", "s3:put*", "s3:*", "*", "S3:P?tObject"] {
            assert!(one(p).covers_action("s3:PutObject"), "{p}");
        }
        for p in ["s3:GetObject", "s3:PutObjectAcl", "kms:*", "s3:Put"] {
            assert!(!one(p).covers_action("s3:PutObject"), "{p}");
        }
    }

    #[test]
    fn statements_keep_their_spelling() {
        let doc = r#"{"Version":"2012-10-17","Statement":[
            {"Sid":"CT","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},
             "Action":["s3:PutObject"],"Resource":"arn:aws:s3:::b/AWSLogs/1/*",
             "Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control","aws:SourceArn":["a","b"]},
                          "NumericLessThan":{"s3:max-keys":10}}},
            {"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:root"},"NotAction":"s3:Get*","NotResource":"arn:aws:s3:::b/x"}
        ]}"#;
        let w = read_written(doc).unwrap();
        assert_eq!(w.len(), 2);
        assert_eq!(w[0].sid(), Some("CT"));
        assert_eq!(w[0].principals, ["cloudtrail.amazonaws.com"]);
        assert_eq!(w[0].resources, ["arn:aws:s3:::b/AWSLogs/1/*"]);
        let tests: Vec<_> = w[0]
            .conditions
            .iter()
            .map(|c| format!("{} {} {}", c.key, c.operator, c.values.join(", ")))
            .collect();
        assert_eq!(
            tests,
            [
                "s3:max-keys NumericLessThan 10",
                "aws:SourceArn StringEquals a, b",
                "s3:x-amz-acl StringEquals bucket-owner-full-control"
            ]
        );
        assert_eq!(w[1].effect(), Effect::Deny);
        assert_eq!(w[1].not_principals, ["arn:aws:iam::111122223333:root"]);
        assert_eq!(w[1].not_resources, ["arn:aws:s3:::b/x"]);
        assert!(w[1].covers_action("s3:PutObject"));
        assert!(!w[1].covers_action("s3:GetObject"));
        assert!(read_written("{").is_err());
    }
}
