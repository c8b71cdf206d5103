//! Put/GetBucketLogging: a bucket's server access logging configuration, with the checks S3
//! makes of the target when logging is enabled — it exists, belongs to the same account and
//! region, takes TargetGrants only if its ACLs are enabled, and, with ACLs enabled and no
//! bucket policy, grants the log delivery group WRITE and READ_ACP. A target without ACLs is
//! authorized at delivery, by its bucket policy (`logging.s3.amazonaws.com`), as in AWS, which
//! does not check the policy when logging is configured.

use super::{owned_bucket, read_bucket};
use crate::acl::acls_enabled;
use crate::error::{S3Error, S3Result};
use crate::logging::{LoggingConfig, LOG_DELIVERY_GROUP};
use crate::model::buckets::{self, Bucket};
use crate::op::Output;
use crate::S3;
use trailstack_core::Caller;

/// GetBucketLogging.
pub async fn get(s3: &S3, caller: &Caller, bucket: String) -> S3Result<Output> {
    let b = read_bucket(s3, caller, bucket).await?;
    Ok(Output::Logging(b.meta.logging))
}

/// PutBucketLogging: `Some` enables (or changes) logging, `None` disables it. Only the bucket
/// owner may, whatever the bucket policy says. TargetGrants name known accounts, as ACL grants
/// do (shown with their display names).
pub async fn put(
    s3: &S3,
    caller: &Caller,
    bucket: String,
    config: Option<LoggingConfig>,
) -> S3Result<Output> {
    let config = match config {
        Some(mut c) => {
            c.target_grants = s3.accounts.resolve(std::mem::take(&mut c.target_grants))?;
            Some(c)
        }
        None => None,
    };
    let c2 = caller.clone();
    s3.write(move |tx| {
        let mut b = owned_bucket(tx, &c2, &bucket)?;
        if b.account != c2.account.to_string() {
            return Err(S3Error::AccessDenied("Access Denied".into()));
        }
        if let Some(config) = &config {
            let target = buckets::get(tx, &config.target_bucket)?;
            check_target(&b, target.as_ref(), config)?;
        }
        b.meta.logging = config;
        buckets::update(tx, &b)
    })
    .await?;
    Ok(Output::Empty { status: 200 })
}

/// The checks S3 makes of a logging target.
fn check_target(source: &Bucket, target: Option<&Bucket>, config: &LoggingConfig) -> S3Result<()> {
    let invalid = |message: &str| S3Error::InvalidTargetBucketForLogging {
        bucket: config.target_bucket.clone(),
        message: message.into(),
    };
    let Some(target) = target else {
        return Err(invalid("The target bucket for logging does not exist"));
    };
    if target.account != source.account {
        return Err(invalid(
            "The owner for the bucket to be logged and the target bucket must be the same.",
        ));
    }
    if target.region != source.region {
        return Err(S3Error::CrossLocationLoggingProhibited {
            source: source.region.clone(),
            target: target.region.clone(),
        });
    }
    if !acls_enabled(target) {
        if !config.target_grants.is_empty() {
            return Err(S3Error::TargetGrantsNotSupported);
        }
        return Ok(());
    }
    let granted = |permission: &str| {
        target.meta.acl.iter().any(|g| {
            g.grantee_type == "Group"
                && g.grantee == LOG_DELIVERY_GROUP
                && (g.permission == permission || g.permission == "FULL_CONTROL")
        })
    };
    if target.meta.policy.is_none() && !(granted("WRITE") && granted("READ_ACP")) {
        return Err(invalid(
            "You must give the log-delivery group WRITE and READ_ACP permissions to the target bucket",
        ));
    }
    Ok(())
}
