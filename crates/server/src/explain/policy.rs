//! A bucket policy in a few lines: its statements that concern writing objects (`s3:PutObject`,
//! also through `s3:Put*`, `s3:*`, `*` or a `NotAction` that leaves it in), with who they name
//! and what their conditions require. The document is read as stored; S3 validated it when it
//! was put. Deciding a request stays the policy engine's job: this only reports.

use super::{PolicyStatement, PolicySummary};
use serde_json::Value;

/// The action a statement must cover to concern object writes.
const PUT_OBJECT: &str = "s3:putobject";

/// Whether the IAM action pattern `pattern` (with `*` and `?`, any case) matches `action`
/// (lower case).
fn action_matches(pattern: &str, action: &str) -> bool {
    fn go(p: &[u8], a: &[u8]) -> bool {
        match (p.first(), a.first()) {
            (None, None) => true,
            (Some(b'*'), _) => go(&p[1..], a) || (!a.is_empty() && go(p, &a[1..])),
            (Some(b'?'), Some(_)) => go(&p[1..], &a[1..]),
            (Some(x), Some(y)) if x.eq_ignore_ascii_case(y) => go(&p[1..], &a[1..]),
            _ => false,
        }
    }
    go(pattern.as_bytes(), action.as_bytes())
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

/// `Principal` / `NotPrincipal` entries: `*`, or the values of `AWS`, `Service`, `Federated`,
/// `CanonicalUser`.
fn principals(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Object(m)) => m.values().flat_map(|x| strings(Some(x))).collect(),
        _ => Vec::new(),
    }
}

/// One line per condition: `key Operator value[, value]`.
fn conditions(v: Option<&Value>) -> Vec<String> {
    let Some(Value::Object(ops)) = v else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (op, tests) in ops {
        if let Value::Object(tests) = tests {
            for (key, values) in tests {
                let values: Vec<String> = match values {
                    Value::Array(a) => a.iter().map(scalar).collect(),
                    v => vec![scalar(v)],
                };
                out.push(format!("{key} {op} {}", values.join(", ")));
            }
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

/// Whether a statement's `Action` / `NotAction` covers `s3:PutObject`.
fn covers_put(st: &serde_json::Map<String, Value>) -> bool {
    if let Some(a) = st.get("Action") {
        return strings(Some(a))
            .iter()
            .any(|p| action_matches(p, PUT_OBJECT));
    }
    match st.get("NotAction") {
        Some(n) => !strings(Some(n))
            .iter()
            .any(|p| action_matches(p, PUT_OBJECT)),
        None => false,
    }
}

/// The summary of `policy` (the bucket's policy document, if any).
pub(super) fn summarize(policy: Option<&str>) -> PolicySummary {
    let Some(doc) = policy else {
        return PolicySummary {
            present: false,
            writes: Vec::new(),
        };
    };
    let parsed: Value = serde_json::from_str(doc).unwrap_or(Value::Null);
    let statements: Vec<&Value> = match parsed.get("Statement") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => Vec::new(),
    };
    let writes = statements
        .into_iter()
        .filter_map(Value::as_object)
        .filter(|st| covers_put(st))
        .map(|st| {
            let mut who = principals(st.get("Principal"));
            who.extend(
                principals(st.get("NotPrincipal"))
                    .into_iter()
                    .map(|p| format!("not {p}")),
            );
            let mut resources = strings(st.get("Resource"));
            resources.extend(
                strings(st.get("NotResource"))
                    .into_iter()
                    .map(|r| format!("not {r}")),
            );
            PolicyStatement {
                sid: st.get("Sid").and_then(Value::as_str).map(str::to_string),
                effect: st
                    .get("Effect")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                principals: who,
                resources,
                conditions: conditions(st.get("Condition")),
            }
        })
        .collect();
    PolicySummary {
        present: true,
        writes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_patterns() {
        for p in ["s3:PutObject", "s3:put*", "s3:*", "*", "S3:P?tObject"] {
            assert!(action_matches(p, PUT_OBJECT), "{p}");
        }
        for p in ["s3:GetObject", "s3:PutObjectAcl", "kms:*", "s3:Put"] {
            assert!(!action_matches(p, PUT_OBJECT), "{p}");
        }
    }

    #[test]
    fn write_statements_are_summarized() {
        let doc = r#"{"Version":"2012-10-17","Statement":[
            {"Sid":"Read","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},
            {"Sid":"CT","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},
             "Action":["s3:PutObject"],"Resource":"arn:aws:s3:::b/AWSLogs/1/*",
             "Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control","aws:SourceArn":["a","b"]}}},
            {"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::1:root"},"NotAction":"s3:Get*","Resource":"*"}
        ]}"#;
        let s = summarize(Some(doc));
        assert!(s.present);
        assert_eq!(s.writes.len(), 2);
        assert_eq!(s.writes[0].sid.as_deref(), Some("CT"));
        assert_eq!(s.writes[0].principals, ["cloudtrail.amazonaws.com"]);
        assert_eq!(
            s.writes[0].conditions,
            [
                "aws:SourceArn StringEquals a, b",
                "s3:x-amz-acl StringEquals bucket-owner-full-control"
            ]
        );
        assert_eq!(s.writes[1].effect, "Deny");
        assert_eq!(s.writes[1].principals, ["not arn:aws:iam::1:root"]);
        assert!(!summarize(None).present);
    }
}
