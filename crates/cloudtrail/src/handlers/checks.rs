//! The sufficiency checks CreateTrail, UpdateTrail and PutInsightSelectors make before
//! accepting a bucket or a key, by simulating the calls delivery will make: does the bucket
//! policy let `cloudtrail.amazonaws.com` read the bucket ACL and write log and digest files
//! under the trail's prefix (with `bucket-owner-full-control` and the trail as
//! `aws:SourceArn`), and does the key policy let it describe the key and generate data keys
//! with the trail's encryption context (docs/aws/cloudtrail-delivery.md §C.2, §C.3).

use std::collections::BTreeMap;
use trailstack_core::{BucketInfo, Caller, KeyInfo, KeyManager, KeyRef, KeyService};
use trailstack_policy::{simulate, Conditions};

/// The service principal whose permissions are checked.
const CLOUDTRAIL: &str = "cloudtrail.amazonaws.com";

/// `arn:aws:s3:::<bucket>/[<prefix>/]AWSLogs/<account>/`: where the trail writes.
fn logs_root(bucket: &str, prefix: Option<&str>, account: &str) -> String {
    match prefix {
        Some(p) if !p.is_empty() => format!("arn:aws:s3:::{bucket}/{p}/AWSLogs/{account}/"),
        _ => format!("arn:aws:s3:::{bucket}/AWSLogs/{account}/"),
    }
}

/// Whether `info`'s bucket policy lets CloudTrail call `s3:GetBucketAcl` on the bucket and
/// `s3:PutObject` for the trail's log files and digest files, as delivery will.
pub async fn bucket_policy_sufficient(
    info: &BucketInfo,
    trail_arn: &str,
    bucket: &str,
    prefix: Option<&str>,
    account: &str,
) -> bool {
    let owner = info.owner.as_str();
    let policy = info.policy.as_deref();
    let acl = Conditions::new()
        .with("aws:SourceArn", trail_arn)
        .with("aws:SourceAccount", account);
    let put = acl
        .clone()
        .with("s3:x-amz-acl", "bucket-owner-full-control")
        .with("s3:x-amz-server-side-encryption", "AES256");
    let root = logs_root(bucket, prefix, account);
    let allowed = |action: &str, resource: &str, c: &Conditions| {
        simulate(CLOUDTRAIL, action, resource, c, policy, owner).is_allowed()
    };
    allowed("s3:GetBucketAcl", &format!("arn:aws:s3:::{bucket}"), &acl)
        && allowed("s3:PutObject", &format!("{root}CloudTrail/"), &put)
        && allowed("s3:PutObject", &format!("{root}CloudTrail-Digest/"), &put)
}

/// Whether `key`'s policy lets CloudTrail describe the key and call `kms:GenerateDataKey` with
/// the trail's encryption context. AWS managed keys (`alias/aws/s3` and the like) are refused
/// outright: their policies allow use only through their own service.
pub async fn key_policy_sufficient(
    keys: &dyn KeyService,
    caller: &Caller,
    key: &KeyInfo,
    trail_arn: &str,
    bucket: &str,
    prefix: Option<&str>,
) -> bool {
    if key.manager == KeyManager::Aws {
        return false;
    }
    let as_cloudtrail = Caller::service(
        caller.account.clone(),
        CLOUDTRAIL,
        &caller.region,
        caller.request_id.clone(),
    )
    .for_source(trail_arn);
    let key_ref = KeyRef::Named(key.arn.clone());
    let context = BTreeMap::from([
        ("aws:cloudtrail:arn".to_string(), trail_arn.to_string()),
        (
            "aws:s3:arn".to_string(),
            logs_root(bucket, prefix, caller.account.as_str()),
        ),
    ]);
    let describe = keys
        .allows(
            &as_cloudtrail,
            "kms:DescribeKey",
            &key_ref,
            &BTreeMap::new(),
        )
        .await;
    let generate = keys
        .allows(&as_cloudtrail, "kms:GenerateDataKey", &key_ref, &context)
        .await;
    matches!((describe, generate), (Ok(true), Ok(true)))
}
