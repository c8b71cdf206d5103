//! The fields of an ARN, for the places that read an account or a resource out of one.

/// `arn:partition:service:region:account:resource` as its six fields; None when `arn` does not
/// start with `arn:` or has fewer than six fields. The resource keeps any further colons.
pub fn arn_fields(arn: &str) -> Option<[&str; 6]> {
    let mut parts = arn.splitn(6, ':');
    let mut fields = [""; 6];
    for f in &mut fields {
        *f = parts.next()?;
    }
    (fields[0] == "arn").then_some(fields)
}
