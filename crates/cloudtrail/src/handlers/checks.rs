//! The sufficiency checks CreateTrail, UpdateTrail and PutInsightSelectors make before
//! accepting a bucket or a key: does the bucket policy let `cloudtrail.amazonaws.com` write
//! the trail's log files, does the key policy let it encrypt them. Each answers only what can
//! be decided without the policy engine; where that is not enough it answers true (see each
//! function), so a trail is never refused on a guess.

use trailstack_core::{BucketInfo, KeyInfo};

/// Whether `info`'s bucket policy lets CloudTrail (`cloudtrail.amazonaws.com`) call
/// `s3:GetBucketAcl` on the bucket and `s3:PutObject` on
/// `arn:aws:s3:::<bucket>/[<prefix>/]AWSLogs/<account>/*` with ACL `bucket-owner-full-control`
/// and `aws:SourceArn` = `trail_arn`. Without a bucket policy nothing grants CloudTrail
/// anything, so the answer is false; with one, it is true until the policy engine evaluates it.
pub async fn bucket_policy_sufficient(
    info: &BucketInfo,
    trail_arn: &str,
    bucket: &str,
    prefix: Option<&str>,
    account: &str,
) -> bool {
    // The lead replaces the body with the policy engine's simulation of both calls.
    let _ = (trail_arn, bucket, prefix, account);
    info.policy.as_deref().is_some_and(|p| !p.trim().is_empty())
}

/// Whether `key`'s policy lets CloudTrail call `kms:GenerateDataKey*` with encryption context
/// `aws:cloudtrail:arn` = `trail_arn` (and `kms:DescribeKey`). AWS managed keys
/// (`alias/aws/s3` and the like) allow use only through their own service, never by
/// CloudTrail, so they are refused as in AWS; a customer managed key is accepted until the
/// policy engine evaluates its policy.
pub async fn key_policy_sufficient(key: &KeyInfo, trail_arn: &str, account: &str) -> bool {
    // The lead replaces the customer-managed branch with the policy engine's simulation.
    let _ = (trail_arn, account);
    key.manager != "AWS"
}
