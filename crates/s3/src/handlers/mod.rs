//! Operation handlers, one file per family. Each takes typed input and returns an [`Output`];
//! none touches HTTP.
//!
//! [`Output`]: crate::op::Output

pub mod bucket;
pub mod copy;
pub mod cors;
pub mod delete;
pub mod encryption;
pub mod lifecycle;
pub mod list;
pub mod lock;
pub mod logging;
pub mod multipart;
pub mod object;
pub mod object_acl;
pub mod object_read;
pub mod settings;
pub mod tagging;
mod upload_keys;

use crate::error::{S3Error, S3Result};
use crate::model::buckets::{self, Bucket, BucketMeta, Owner};
use crate::op::Output;
use crate::S3;
use trailstack_core::Caller;
use trailstack_store::Conn as Connection;

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

/// The caller's bucket `name`, read on its own.
pub(crate) async fn read_bucket(s3: &S3, caller: &Caller, name: String) -> S3Result<Bucket> {
    let caller = caller.clone();
    s3.read(move |c| owned_bucket(c, &caller, &name)).await
}

/// Loads the caller's bucket `name`, lets `f` change it, and saves it, in one transaction.
pub(crate) async fn modify_bucket(
    s3: &S3,
    caller: &Caller,
    name: String,
    f: impl FnOnce(&mut Bucket) -> S3Result<()> + Send + 'static,
) -> S3Result<()> {
    let caller = caller.clone();
    s3.write(move |tx| {
        let mut b = owned_bucket(tx, &caller, &name)?;
        f(&mut b)?;
        buckets::update(tx, &b)
    })
    .await
}

/// A Get of one bucket setting: what `get` finds in the caller's bucket `name`, or `missing`'s
/// error naming the bucket.
pub(crate) async fn read_setting(
    s3: &S3,
    caller: &Caller,
    name: String,
    get: impl FnOnce(BucketMeta) -> Option<Output>,
    missing: fn(String) -> S3Error,
) -> S3Result<Output> {
    let b = read_bucket(s3, caller, name).await?;
    get(b.meta).ok_or(missing(b.name))
}

/// A Put (`setting` is `Some`: 200) or Delete (`None`: 204, whether or not there was one) of
/// one bucket setting, which `set` stores in the caller's bucket `name` in one transaction.
pub(crate) async fn put_setting<T: Send + 'static>(
    s3: &S3,
    caller: &Caller,
    name: String,
    setting: Option<T>,
    set: impl FnOnce(&mut Bucket, Option<T>) -> S3Result<()> + Send + 'static,
) -> S3Result<Output> {
    let status = if setting.is_some() { 200 } else { 204 };
    modify_bucket(s3, caller, name, move |b| set(b, setting)).await?;
    Ok(Output::Empty { status })
}

/// What a tag set belongs to: an object may have 10 tags, a bucket 50, and S3 words the two
/// refusals differently.
#[derive(Debug, Clone, Copy)]
pub enum Tagged {
    /// An object (PutObjectTagging, `x-amz-tagging`).
    Object,
    /// A bucket (PutBucketTagging).
    Bucket,
}

/// Validates a tag set as S3 does: at most 10 tags on an object and 50 on a bucket (else
/// `BadRequest`), keys 1..=128 and values 0..=256 characters, no duplicate keys, no `aws:`
/// prefix (else `InvalidTag`).
pub fn validate_tags(tags: &[(String, String)], of: Tagged) -> S3Result<()> {
    let too_many = match of {
        Tagged::Object if tags.len() > 10 => Some("Object tags cannot be greater than 10"),
        Tagged::Bucket if tags.len() > 50 => Some("Bucket tag count cannot be greater than 50"),
        _ => None,
    };
    if let Some(message) = too_many {
        return Err(S3Error::BadRequest(message.into()));
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
