//! The IAM policy language. For now: structural validation of resource policies (bucket
//! policies), with the error messages S3 gives in `MalformedPolicy`. Evaluation comes with the
//! identity-and-access issue.

use serde_json::Value;

/// Checks that `doc` is a well-formed resource policy: a JSON object whose `Statement` (one or a
/// list) entries each have an `Effect` of Allow/Deny, a principal, an action and a resource.
pub fn validate_resource_policy(doc: &str) -> Result<(), String> {
    let v: Value = serde_json::from_str(doc)
        .map_err(|_| "Policies must be valid JSON and the first byte must be '{'".to_string())?;
    let obj = v
        .as_object()
        .ok_or("Policies must be valid JSON and the first byte must be '{'")?;
    if let Some(ver) = obj.get("Version") {
        match ver.as_str() {
            Some("2012-10-17") | Some("2008-10-17") => {}
            _ => return Err("The policy must contain a valid version string".into()),
        }
    }
    for key in obj.keys() {
        if !matches!(key.as_str(), "Version" | "Id" | "Statement") {
            return Err(format!("Unknown field {key}"));
        }
    }
    let statements: Vec<&Value> = match obj.get("Statement") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(s @ Value::Object(_)) => vec![s],
        _ => return Err("Missing required field Statement".into()),
    };
    if statements.is_empty() {
        return Err("Could not parse the policy: Statement is empty!".into());
    }
    for s in statements {
        validate_statement(s)?;
    }
    Ok(())
}

fn validate_statement(s: &Value) -> Result<(), String> {
    let st = s.as_object().ok_or("Statement must be an object")?;
    for key in st.keys() {
        if !matches!(
            key.as_str(),
            "Sid"
                | "Effect"
                | "Principal"
                | "NotPrincipal"
                | "Action"
                | "NotAction"
                | "Resource"
                | "NotResource"
                | "Condition"
        ) {
            return Err(format!("Unknown field {key}"));
        }
    }
    match st.get("Effect").and_then(Value::as_str) {
        Some("Allow") | Some("Deny") => {}
        Some(e) => return Err(format!("Invalid effect: {e}")),
        None => return Err("Missing required field Effect".into()),
    }
    if !st.contains_key("Principal") && !st.contains_key("NotPrincipal") {
        return Err("Missing required field Principal".into());
    }
    if !st.contains_key("Action") && !st.contains_key("NotAction") {
        return Err("Missing required field Action".into());
    }
    if !st.contains_key("Resource") && !st.contains_key("NotResource") {
        return Err("Missing required field Resource".into());
    }
    for field in ["Action", "NotAction"] {
        if let Some(a) = st.get(field) {
            for action in strings(a).ok_or("Policy has invalid action")? {
                if action != "*" && !action.contains(':') {
                    return Err("Policy has invalid action".into());
                }
            }
        }
    }
    for field in ["Resource", "NotResource"] {
        if let Some(r) = st.get(field) {
            for res in strings(r).ok_or("Policy has invalid resource")? {
                if res != "*" && !res.starts_with("arn:") {
                    return Err("Policy has invalid resource".into());
                }
            }
        }
    }
    if let Some(c) = st.get("Condition") {
        if !c.is_object() {
            return Err("Invalid Condition".into());
        }
    }
    Ok(())
}

fn strings(v: &Value) -> Option<Vec<&str>> {
    match v {
        Value::String(s) => Some(vec![s.as_str()]),
        Value::Array(a) => a.iter().map(Value::as_str).collect(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::validate_resource_policy as v;

    #[test]
    fn accepts_a_bucket_policy() {
        let p = r#"{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::b"}]}"#;
        assert_eq!(v(p), Ok(()));
    }

    #[test]
    fn rejects_malformed() {
        assert!(v("not json").is_err());
        assert!(v(r#"{"Statement":[]}"#).is_err());
        assert!(v(
            r#"{"Statement":[{"Effect":"Maybe","Principal":"*","Action":"s3:*","Resource":"*"}]}"#
        )
        .is_err());
        assert!(v(r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#).is_err());
        assert!(v(
            r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"get","Resource":"*"}]}"#
        )
        .is_err());
    }
}
