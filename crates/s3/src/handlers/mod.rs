//! Operation handlers, one file per family. Each takes typed input and returns an [`Output`];
//! none touches HTTP.
//!
//! [`Output`]: crate::op::Output

pub mod acl;
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
use crate::model::buckets::{self, Bucket, Owner};
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
/// the handler ran (`authz::check` in [`crate::S3::call`]), by the bucket policy, the ACLs and
/// the caller's identity policies; the bucket's owner stays its account whoever calls.
pub fn owned_bucket(c: &Connection, _caller: &Caller, name: &str) -> S3Result<Bucket> {
    buckets::require(c, name)
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
