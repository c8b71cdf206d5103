//! CloudTrail set-up: trail ARNs, the bucket and key policies CloudTrail requires, and the
//! records waiting in a trail's outbox.

use super::{Server, ACCOUNT};

/// The ARN of trail `name` homed in us-east-1 of the default account.
pub fn trail_arn(name: &str) -> String {
    format!("arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/{name}")
}

/// The bucket policy CloudTrail requires (docs/aws/cloudtrail-delivery.md §C.2) for the trails
/// `trails` delivering to `bucket` without a prefix.
pub fn cloudtrail_bucket_policy(bucket: &str, trails: &[&str]) -> String {
    let arns: Vec<String> = trails.iter().map(|t| trail_arn(t)).collect();
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "AWSCloudTrailAclCheck20150319", "Effect": "Allow",
             "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "s3:GetBucketAcl", "Resource": format!("arn:aws:s3:::{bucket}"),
             "Condition": {"StringEquals": {"aws:SourceArn": arns}}},
            {"Sid": "AWSCloudTrailWrite20150319", "Effect": "Allow",
             "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "s3:PutObject",
             "Resource": format!("arn:aws:s3:::{bucket}/*AWSLogs/{ACCOUNT}/*"),
             "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control",
                                            "aws:SourceArn": arns}}}
        ]
    })
    .to_string()
}

/// A key policy with the account's root statement and the statements CloudTrail requires
/// (docs/aws/cloudtrail-delivery.md §C.3) for the trails `trails`.
pub fn cloudtrail_key_policy(trails: &[&str]) -> String {
    let arns: Vec<String> = trails.iter().map(|t| trail_arn(t)).collect();
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
             "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")},
             "Action": "kms:*", "Resource": "*"},
            {"Sid": "Allow CloudTrail to encrypt logs", "Effect": "Allow",
             "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "kms:GenerateDataKey*", "Resource": "*",
             "Condition": {
                 "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn":
                                [format!("arn:aws:cloudtrail:*:{ACCOUNT}:trail/*")]},
                 "StringEquals": {"aws:SourceArn": arns}}},
            {"Sid": "Allow CloudTrail access", "Effect": "Allow",
             "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "kms:DescribeKey", "Resource": "*",
             "Condition": {"StringEquals": {"aws:SourceArn": arns}}}
        ]
    })
    .to_string()
}

/// Creates `bucket` with the bucket policy CloudTrail requires for `trails`.
pub async fn trail_bucket(s: &Server, bucket: &str, trails: &[&str]) {
    let c = s.with_bucket(bucket).await;
    c.put_bucket_policy()
        .bucket(bucket)
        .policy(cloudtrail_bucket_policy(bucket, trails))
        .send()
        .await
        .unwrap();
}

/// The records waiting in `trail`'s outbox for us-east-1, oldest first.
pub fn outbox(s: &Server, trail: &str) -> Vec<serde_json::Value> {
    let arn = trail_arn(trail);
    s.app
        .db
        .read(|c| trailstack_cloudtrail::model::outbox::pending(c, &arn, "us-east-1", 10_000))
        .unwrap()
        .into_iter()
        .map(|p| serde_json::from_str(&p.record_json).unwrap())
        .collect()
}
