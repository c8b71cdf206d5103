//! AWS's words for a refused request, as KMS, CloudTrail and IAM write them in their
//! `AccessDenied` errors.

use crate::Decision;

/// `User: <arn> is not authorized to perform: <action> on resource: <resource> <reason>`,
/// without the resource part when the action has none (`*`).
pub fn not_authorized(principal_arn: &str, action: &str, resource: &str, reason: &str) -> String {
    let on = if resource == "*" {
        String::new()
    } else {
        format!(" on resource: {resource}")
    };
    format!("User: {principal_arn} is not authorized to perform: {action}{on} {reason}")
}

/// Why the identity-based policies refused `action`: an explicit deny, or no allow.
pub fn identity_denial(decision: Decision, action: &str) -> String {
    match decision {
        Decision::ExplicitDeny => "with an explicit deny in an identity-based policy".to_string(),
        _ => format!("because no identity-based policy allows the {action} action"),
    }
}
