//! The `x-amz-grant-*` headers: an ACL given grant by grant instead of as a canned ACL or an
//! AccessControlPolicy document, e.g. `x-amz-grant-read: id="<canonical id>", uri="<group>"`.
//! Grants by e-mail address name no account trailstack knows and are refused as S3 refuses
//! unknown addresses.
//!
//! <https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObjectAcl.html#API_PutObjectAcl_RequestSyntax>

use super::headers::get;
use crate::acl::{ALL_USERS, AUTHENTICATED_USERS};
use crate::error::{S3Error, S3Result};
use crate::model::buckets::Grant;
use http::HeaderMap;

/// Each grant header and the permission it gives.
const HEADERS: [(&str, &str); 5] = [
    ("x-amz-grant-full-control", "FULL_CONTROL"),
    ("x-amz-grant-read", "READ"),
    ("x-amz-grant-write", "WRITE"),
    ("x-amz-grant-read-acp", "READ_ACP"),
    ("x-amz-grant-write-acp", "WRITE_ACP"),
];

/// The groups a grant may name.
const GROUPS: [&str; 3] = [
    ALL_USERS,
    AUTHENTICATED_USERS,
    "http://acs.amazonaws.com/groups/s3/LogDelivery",
];

/// The grants of the request's `x-amz-grant-*` headers, in header order; none when absent.
pub fn from_headers(h: &HeaderMap) -> S3Result<Vec<Grant>> {
    let mut grants = Vec::new();
    for (header, permission) in HEADERS {
        let Some(value) = get(h, header) else {
            continue;
        };
        let invalid = || S3Error::InvalidArgument {
            message: format!("Invalid {header} header"),
            name: header.into(),
            value: value.clone(),
        };
        for grantee in value.split(',').map(str::trim).filter(|g| !g.is_empty()) {
            let (kind, who) = grantee.split_once('=').ok_or_else(invalid)?;
            let who = who.trim().trim_matches('"');
            let (grantee_type, who) = match kind.trim() {
                "id" if !who.is_empty() => ("CanonicalUser", who),
                "uri" if GROUPS.contains(&who) => ("Group", who),
                "emailAddress" => return Err(S3Error::UnresolvableGrantByEmailAddress),
                _ => return Err(invalid()),
            };
            grants.push(Grant {
                grantee_type: grantee_type.into(),
                grantee: who.into(),
                display_name: None,
                permission: permission.into(),
            });
        }
    }
    Ok(grants)
}

/// Refuses a request that gives both a canned ACL and grant headers, as S3 does.
pub fn not_both(canned: Option<&str>, grants: &[Grant]) -> S3Result<()> {
    if canned.is_some() && !grants.is_empty() {
        return Err(S3Error::InvalidRequest(
            "Specifying both Canned ACLs and Header Grants is not allowed".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn grant_headers() {
        let h = headers(&[
            (
                "x-amz-grant-read",
                r#"id="abc", uri="http://acs.amazonaws.com/groups/global/AllUsers""#,
            ),
            ("x-amz-grant-write-acp", "id=def"),
        ]);
        let g = from_headers(&h).unwrap();
        let seen: Vec<_> = g
            .iter()
            .map(|g| {
                (
                    g.grantee_type.as_str(),
                    g.grantee.as_str(),
                    g.permission.as_str(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                ("CanonicalUser", "abc", "READ"),
                ("Group", ALL_USERS, "READ"),
                ("CanonicalUser", "def", "WRITE_ACP")
            ]
        );
        assert!(from_headers(&HeaderMap::new()).unwrap().is_empty());
        let bad = headers(&[("x-amz-grant-read", "uri=http://example.com/group")]);
        assert!(matches!(
            from_headers(&bad),
            Err(S3Error::InvalidArgument { .. })
        ));
        let mail = headers(&[("x-amz-grant-read", r#"emailAddress="a@b.c""#)]);
        assert_eq!(
            from_headers(&mail),
            Err(S3Error::UnresolvableGrantByEmailAddress)
        );
        assert!(not_both(Some("private"), &g).is_err());
        assert!(not_both(None, &g).is_ok());
    }
}
