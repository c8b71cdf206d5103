//! Operation handlers, one file per family. Each takes typed input and returns an [`Output`];
//! none touches HTTP.
//!
//! [`Output`]: crate::op::Output

pub mod bucket;
pub mod copy;
pub mod delete;
pub mod encryption;
pub mod list;
pub mod multipart;
pub mod object;
pub mod settings;
pub mod tagging;

use crate::error::{S3Error, S3Result};
use crate::model::buckets::{self, Bucket, Grant, Owner};
use trailstack_core::Caller;
use trailstack_store::rusqlite::Connection;

/// The caller as an S3 owner.
pub fn owner_of(caller: &Caller) -> Owner {
    Owner {
        id: caller.canonical_id.clone(),
        display_name: caller.display_name.clone(),
    }
}

/// The bucket `name`, or `NoSuchBucket`. Whether the caller may act on it was decided before
/// the handler ran (`authz::check` in [`crate::S3::call`]), by the bucket policy and the
/// caller's identity policies; the bucket's owner stays its account whoever calls.
pub fn owned_bucket(c: &Connection, _caller: &Caller, name: &str) -> S3Result<Bucket> {
    buckets::require(c, name)
}

/// The grants of a canned ACL for `owner`.
pub fn canned_acl(acl: &str, owner: &Owner) -> S3Result<Vec<Grant>> {
    let full = Grant {
        grantee_type: "CanonicalUser".into(),
        grantee: owner.id.clone(),
        display_name: Some(owner.display_name.clone()),
        permission: "FULL_CONTROL".into(),
    };
    let group = |uri: &str, perm: &str| Grant {
        grantee_type: "Group".into(),
        grantee: uri.into(),
        display_name: None,
        permission: perm.into(),
    };
    const ALL_USERS: &str = "http://acs.amazonaws.com/groups/global/AllUsers";
    const AUTH_USERS: &str = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
    const LOG_DELIVERY: &str = "http://acs.amazonaws.com/groups/s3/LogDelivery";
    Ok(match acl {
        "private" | "bucket-owner-read" | "bucket-owner-full-control" => vec![full],
        "public-read" => vec![full, group(ALL_USERS, "READ")],
        "public-read-write" => vec![full, group(ALL_USERS, "READ"), group(ALL_USERS, "WRITE")],
        "authenticated-read" => vec![full, group(AUTH_USERS, "READ")],
        "log-delivery-write" => vec![
            full,
            group(LOG_DELIVERY, "WRITE"),
            group(LOG_DELIVERY, "READ_ACP"),
        ],
        "aws-exec-read" => vec![full],
        other => {
            return Err(S3Error::InvalidArgument {
                message: format!("Invalid canned ACL {other}"),
                name: "x-amz-acl".into(),
                value: other.into(),
            })
        }
    })
}

/// Validates a tag set as S3 does: at most `max` tags, keys 1..=128 and values 0..=256
/// characters, no duplicate keys, no `aws:` prefix.
pub fn validate_tags(tags: &[(String, String)], max: usize) -> S3Result<()> {
    if tags.len() > max {
        return Err(S3Error::InvalidTag(format!(
            "Object tags cannot be greater than {max}"
        )));
    }
    let mut seen = std::collections::HashSet::new();
    for (k, v) in tags {
        if k.is_empty() || k.chars().count() > 128 {
            return Err(S3Error::InvalidTag(
                "The TagKey you have provided is invalid".into(),
            ));
        }
        if v.chars().count() > 256 {
            return Err(S3Error::InvalidTag(
                "The TagValue you have provided is invalid".into(),
            ));
        }
        if k.starts_with("aws:") {
            return Err(S3Error::InvalidTag(
                "Your TagKey cannot be prefixed with aws:".into(),
            ));
        }
        if !seen.insert(k.as_str()) {
            return Err(S3Error::InvalidTag(
                "Cannot provide multiple Tags with the same key".into(),
            ));
        }
    }
    Ok(())
}
