//! The constraints IAM checks on names, paths, documents and pages, with AWS's messages.
//!
//! AWS facts: docs/aws/iam-sts.md §5.

use crate::error::{IamError, IamResult};
use crate::op::Page;
use crate::Iam;
use trailstack_policy::{Policy, PolicyKind};
use trailstack_store::Conn;

/// AWS's `ValidationError` sentence for one constraint.
fn invalid(value: &str, field: &str, constraint: &str) -> IamError {
    IamError::Validation(format!(
        "1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: {constraint}"
    ))
}

/// A user, role or policy name: 1 to `max` characters of `[\w+=,.@-]`.
pub fn name(value: &str, field: &str, max: usize) -> IamResult<()> {
    if value.is_empty() || value.chars().count() > max {
        return Err(invalid(
            value,
            field,
            &format!("Member must have length less than or equal to {max}"),
        ));
    }
    let ok = value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c));
    if !ok {
        return Err(invalid(
            value,
            field,
            "Member must satisfy regular expression pattern: [\\w+=,.@-]+",
        ));
    }
    Ok(())
}

/// A path: `/`, or `/` + segments each ending in `/`, printable ASCII, at most 512 characters.
pub fn path(value: &str) -> IamResult<()> {
    let ok = value.len() <= 512
        && value.starts_with('/')
        && value.ends_with('/')
        && value.bytes().all(|b| (0x21..=0x7e).contains(&b));
    if !ok {
        return Err(invalid(
            value,
            "path",
            "Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)",
        ));
    }
    Ok(())
}

/// An identity policy document (inline or managed): parsed as IAM parses it.
pub fn identity_document(doc: &str) -> IamResult<()> {
    Policy::parse_as(doc, PolicyKind::Identity)
        .map(|_| ())
        .map_err(|e| IamError::MalformedPolicyDocument(e.message))
}

/// A role's trust policy: a resource policy naming who may assume the role, whose statements
/// name no resource (the role is the resource). Each statement is checked as a resource
/// policy's statement on `*`; one naming a resource is refused, as IAM refuses it.
pub fn trust_document(doc: &str) -> IamResult<()> {
    trust_policy(doc).map(|_| ())
}

/// A role's trust policy, parsed as [`trust_document`] checks it: each statement on `*`.
pub fn trust_policy(doc: &str) -> IamResult<Policy> {
    use serde_json::Value;
    let malformed = |m: &str| IamError::MalformedPolicyDocument(m.to_string());
    let mut v: Value =
        serde_json::from_str(doc).map_err(|_| malformed("Syntax errors in policy."))?;
    let statements: Vec<&mut Value> = match v.get_mut("Statement") {
        Some(Value::Array(all)) => all.iter_mut().collect(),
        Some(one) => vec![one],
        None => Vec::new(),
    };
    for st in statements {
        if let Value::Object(fields) = st {
            if fields.contains_key("Resource") || fields.contains_key("NotResource") {
                return Err(malformed("Has prohibited field Resource"));
            }
            fields.insert("Resource".into(), Value::String("*".into()));
        }
    }
    Policy::parse_resource(&v.to_string()).map_err(|e| IamError::MalformedPolicyDocument(e.message))
}

/// The most a role's session may last, in seconds: 1 to 12 hours.
pub fn max_session(seconds: u32) -> IamResult<()> {
    if !(3600..=43200).contains(&seconds) {
        return Err(invalid(
            &seconds.to_string(),
            "maxSessionDuration",
            "Member must have value less than or equal to 43200",
        ));
    }
    Ok(())
}

/// Cuts `items` (one more than the page holds, when there are more) to the page, and answers
/// the marker of the next page; `key` names an item as the marker does.
pub fn paged<T>(
    mut items: Vec<T>,
    page: &Page,
    key: impl Fn(&T) -> String,
) -> (Vec<T>, Option<String>) {
    if items.len() > page.max_items {
        items.truncate(page.max_items);
        let marker = items.last().map(key);
        (items, marker)
    } else {
        (items, None)
    }
}

/// Reads one page of a listing: `read(c, after, limit)` lists up to `limit` items after the
/// marker `after`, and is asked for one more than the page holds to tell whether more follow.
pub fn read_page<T>(
    iam: &Iam,
    page: &Page,
    key: impl Fn(&T) -> String,
    read: impl FnOnce(&Conn, &str, usize) -> IamResult<Vec<T>>,
) -> IamResult<(Vec<T>, Option<String>)> {
    let items = iam.read(|c| read(c, marker(page), page.max_items + 1))?;
    Ok(paged(items, page, key))
}

/// The marker a page starts after (`""`: the first page).
pub fn marker(page: &Page) -> &str {
    page.marker.as_deref().unwrap_or("")
}
