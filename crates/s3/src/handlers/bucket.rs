//! Bucket lifecycle: CreateBucket, HeadBucket, DeleteBucket, ListBuckets, GetBucketLocation.

use super::{owned_bucket, owner_of, read_bucket};
use crate::acl::{self, canned_acl};
use crate::error::{S3Error, S3Result};
use crate::model::buckets::{self, Bucket, BucketDefaults, BucketMeta, PublicAccessBlock};
use crate::model::{objects, uploads};
use crate::op::Output;
use crate::S3;
use trailstack_core::Caller;

/// Most buckets one account may own (AWS's default quota is 10,000 since 2024).
const MAX_BUCKETS: u64 = 10_000;

/// Whether `name` follows the general purpose bucket naming rules.
/// <https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html>
pub fn valid_bucket_name(name: &str) -> bool {
    let b = name.as_bytes();
    if !(3..=63).contains(&b.len()) {
        return false;
    }
    let ok_char = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'.' || c == b'-';
    let alnum = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    if !b.iter().all(|&c| ok_char(c)) || !alnum(b[0]) || !alnum(b[b.len() - 1]) {
        return false;
    }
    if name.contains("..") || name.contains(".-") || name.contains("-.") {
        return false;
    }
    if name.parse::<std::net::Ipv4Addr>().is_ok() {
        return false;
    }
    const BAD_PREFIXES: [&str; 4] = ["xn--", "sthree-", "amzn-s3-demo-", "sthree-configurator"];
    const BAD_SUFFIXES: [&str; 5] = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"];
    !BAD_PREFIXES.iter().any(|p| name.starts_with(p))
        && !BAD_SUFFIXES.iter().any(|s| name.ends_with(s))
}

fn valid_region(r: &str) -> bool {
    let parts: Vec<&str> = r.split('-').collect();
    parts.len() >= 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

/// CreateBucket.
pub async fn create(
    s3: &S3,
    caller: &Caller,
    name: String,
    location: Option<String>,
    acl: Option<String>,
    ownership: Option<String>,
    object_lock: bool,
) -> S3Result<Output> {
    if !valid_bucket_name(&name) {
        return Err(S3Error::InvalidBucketName(name));
    }
    let endpoint_region = if caller.region.is_empty() {
        s3.region.clone()
    } else {
        caller.region.clone()
    };
    let region = match location.as_deref() {
        None | Some("") => {
            if endpoint_region != "us-east-1" {
                return Err(S3Error::IllegalLocationConstraint("unspecified".into()));
            }
            "us-east-1".to_string()
        }
        Some("us-east-1") => return Err(S3Error::InvalidLocationConstraint("us-east-1".into())),
        Some("EU") => "eu-west-1".to_string(),
        Some(r) if !valid_region(r) => return Err(S3Error::InvalidLocationConstraint(r.into())),
        Some(r) if endpoint_region != "us-east-1" && r != endpoint_region => {
            return Err(S3Error::IllegalLocationConstraint(r.into()))
        }
        Some(r) => r.to_string(),
    };
    let defaults = s3.bucket_defaults;
    let ownership = match ownership.as_deref() {
        // Before April 2023 a new bucket had no ownership controls: ACLs applied as with
        // ObjectWriter.
        None if defaults == BucketDefaults::Legacy => None,
        None => Some("BucketOwnerEnforced".to_string()),
        Some(o @ ("BucketOwnerEnforced" | "BucketOwnerPreferred" | "ObjectWriter")) => {
            Some(o.to_string())
        }
        Some(o) => {
            return Err(S3Error::InvalidArgument {
                message: "Invalid x-amz-object-ownership header".into(),
                name: "x-amz-object-ownership".into(),
                value: o.into(),
            })
        }
    };
    let owner = owner_of(caller);
    if let Some(a) = acl.as_deref() {
        if ownership.as_deref() == Some("BucketOwnerEnforced")
            && a != "private"
            && a != "bucket-owner-full-control"
        {
            return Err(S3Error::InvalidBucketAclWithObjectOwnership);
        }
    }
    let grants = canned_acl(acl.as_deref().unwrap_or("private"), &owner, None)?;
    // A new bucket starts with Block Public Access on (since April 2023), which a public ACL
    // would violate; before, it had no Block Public Access configuration.
    let public_access_block = match defaults {
        BucketDefaults::Current => Some(PublicAccessBlock {
            block_public_acls: true,
            ignore_public_acls: true,
            block_public_policy: true,
            restrict_public_buckets: true,
        }),
        BucketDefaults::Legacy => None,
    };
    if public_access_block.is_some_and(|p| p.block_public_acls) && acl::is_public(&grants) {
        return Err(S3Error::InvalidBucketAclWithBlockPublicAccess);
    }
    let bucket = Bucket {
        name: name.clone(),
        account: caller.account.to_string(),
        region,
        created_ms: s3.now_ms(),
        // Object Lock works on versions: a bucket created with it is versioned for good.
        versioning: if object_lock { "Enabled" } else { "" }.to_string(),
        meta: BucketMeta {
            v: 1,
            owner,
            acl: grants,
            policy: None,
            ownership,
            public_access_block,
            tags: None,
            encryption: None,
            defaults,
            lifecycle: None,
            logging: None,
            cors: None,
            object_lock: object_lock.then(Default::default),
        },
    };
    let account = caller.account.to_string();
    s3.write(move |tx| {
        if let Some(mut existing) = buckets::get(tx, &bucket.name)? {
            if existing.account != account {
                return Err(S3Error::BucketAlreadyExists(bucket.name.clone()));
            }
            // For legacy compatibility, S3 in us-east-1 answers 200 to the owner re-creating
            // a bucket there, and resets its ACL; every other region answers 409.
            if existing.region != "us-east-1" || bucket.region != "us-east-1" {
                return Err(S3Error::BucketAlreadyOwnedByYou(bucket.name.clone()));
            }
            let grants = bucket.meta.acl;
            if !acl::acls_enabled(&existing) && !acl::owner_only(&grants, &existing.meta.owner) {
                return Err(S3Error::InvalidBucketAclWithObjectOwnership);
            }
            acl::check_block_public_acls(&existing, &grants)?;
            existing.meta.acl = grants;
            return buckets::update(tx, &existing);
        }
        if buckets::count(tx, &account)? >= MAX_BUCKETS {
            return Err(S3Error::TooManyBuckets);
        }
        buckets::insert(tx, &bucket)
    })
    .await?;
    Ok(Output::Created {
        location: format!("/{name}"),
    })
}

/// HeadBucket.
pub async fn head(s3: &S3, caller: &Caller, name: String) -> S3Result<Output> {
    let b = read_bucket(s3, caller, name).await?;
    Ok(Output::BucketHead { region: b.region })
}

/// DeleteBucket: only a bucket without versions or delete markers goes. Multipart uploads in
/// progress do not keep it: they go with it, as in AWS.
pub async fn delete(s3: &S3, caller: &Caller, name: String) -> S3Result<Output> {
    let caller = caller.clone();
    let parts = s3
        .write(move |tx| {
            owned_bucket(tx, &caller, &name)?;
            if objects::bucket_has_objects(tx, &name)? {
                return Err(S3Error::BucketNotEmpty(name));
            }
            let parts = uploads::remove_all(tx, &name)?;
            buckets::delete(tx, &name)?;
            Ok(parts)
        })
        .await?;
    s3.drop_blobs(parts.into_iter().map(|p| p.meta.blob).collect())
        .await;
    Ok(Output::Empty { status: 204 })
}

/// ListBuckets, with prefix, max-buckets and continuation token (the last name returned).
pub async fn list_buckets(
    s3: &S3,
    caller: &Caller,
    prefix: String,
    max_buckets: Option<usize>,
    continuation: Option<String>,
    region: Option<String>,
) -> S3Result<Output> {
    let account = caller.account.to_string();
    let limit = max_buckets.unwrap_or(10_000);
    if limit == 0 || limit > 10_000 {
        return Err(S3Error::InvalidArgument {
            message: "max-buckets must be between 1 and 10000".into(),
            name: "max-buckets".into(),
            value: limit.to_string(),
        });
    }
    let after = match continuation {
        Some(t) => {
            String::from_utf8(crate::checksum::unb64(&t).unwrap_or_default()).map_err(|_| {
                S3Error::InvalidArgument {
                    message: "The continuation token provided is incorrect".into(),
                    name: "continuation-token".into(),
                    value: t.clone(),
                }
            })?
        }
        None => String::new(),
    };
    let p = prefix.clone();
    let mut found = s3
        .scan(move |c| buckets::list(c, &account, &p, &after, limit + 1))
        .await?;
    if let Some(r) = region {
        found.retain(|b| b.region == r);
    }
    let continuation = if found.len() > limit {
        found.truncate(limit);
        found
            .last()
            .map(|b| crate::checksum::b64(b.name.as_bytes()))
    } else {
        None
    };
    Ok(Output::Buckets {
        owner: owner_of(caller),
        buckets: found
            .into_iter()
            .map(|b| (b.name, b.created_ms, b.region))
            .collect(),
        continuation,
        prefix,
    })
}

/// GetBucketLocation: `None` stands for us-east-1, which S3 reports as an empty constraint.
pub async fn location(s3: &S3, caller: &Caller, name: String) -> S3Result<Output> {
    let b = read_bucket(s3, caller, name).await?;
    Ok(Output::Location(if b.region == "us-east-1" {
        None
    } else {
        Some(b.region)
    }))
}

#[cfg(test)]
mod tests {
    use super::valid_bucket_name as ok;

    #[test]
    fn bucket_names() {
        for good in ["abc", "my-bucket.logs", "a1b", &"a".repeat(63)] {
            assert!(ok(good), "{good}");
        }
        for bad in [
            "ab",
            "ABC",
            "-abc",
            "abc-",
            "a..b",
            "192.168.1.1",
            "xn--abc",
            "abc-s3alias",
            "a_b",
            &"a".repeat(64),
        ] {
            assert!(!ok(bad), "{bad}");
        }
    }
}
