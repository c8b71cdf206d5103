//! Policy evaluation speed: a realistic 5-statement bucket policy (conditions on TLS, SSE,
//! CloudTrail's ACL and source, an IP range, a prefix variable) and a 20-statement one, against
//! typical requests, through `authorize` with an identity policy. A `harness = false` bench on
//! std::time, so it needs no benchmark framework: it reports the median of several rounds.
//!
//! Run: `cargo bench -p trailstack-policy` (target: under 5 µs per authorization).

use std::hint::black_box;
use std::time::{Duration, Instant};
use trailstack_policy::{
    authorize, authorize_key, Conditions, Decision, Policy, PrincipalKind, RequestContext,
};

const BUCKET_POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
     "Resource": ["arn:aws:s3:::logs", "arn:aws:s3:::logs/*"],
     "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
    {"Sid": "DenyUnencryptedUploads", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
     "Resource": "arn:aws:s3:::logs/*",
     "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}},
    {"Sid": "AWSCloudTrailAclCheck", "Effect": "Allow",
     "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:GetBucketAcl",
     "Resource": "arn:aws:s3:::logs",
     "Condition": {"StringEquals": {"aws:SourceArn": "arn:aws:cloudtrail:us-east-1:111122223333:trail/main"}}},
    {"Sid": "AWSCloudTrailWrite", "Effect": "Allow",
     "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject",
     "Resource": "arn:aws:s3:::logs/AWSLogs/111122223333/*",
     "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control",
                                    "aws:SourceArn": "arn:aws:cloudtrail:us-east-1:111122223333:trail/main"}}},
    {"Sid": "PartnerReadsOwnPrefix", "Effect": "Allow",
     "Principal": {"AWS": ["arn:aws:iam::444455556666:root", "arn:aws:iam::111122223333:user/auditor"]},
     "Action": ["s3:GetObject", "s3:ListBucket"],
     "Resource": ["arn:aws:s3:::logs", "arn:aws:s3:::logs/shared/${aws:PrincipalAccount}/*"],
     "Condition": {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]},
                   "DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}}
  ]
}"#;

const IDENTITY: &str = r#"{"Version":"2012-10-17","Statement":[
  {"Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":"*"},
  {"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}]}"#;

/// A 20-statement policy: the 5 above and 15 more that do not apply to the request, so every
/// statement is examined (the issue's figure).
fn twenty_statements() -> String {
    let mut extra = Vec::new();
    for i in 0..15 {
        extra.push(format!(
            r#"{{"Sid":"Extra{i}","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::111122223333:user/u{i}"}},"Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::logs/team{i}/*","Condition":{{"StringLike":{{"s3:prefix":"team{i}/*"}},"NumericLessThanEquals":{{"s3:max-keys":"1000"}}}}}}"#
        ));
    }
    let base: serde_json::Value = serde_json::from_str(BUCKET_POLICY).expect("bucket policy");
    let mut statements = base["Statement"].as_array().expect("array").clone();
    for e in extra {
        statements.push(serde_json::from_str(&e).expect("extra statement"));
    }
    serde_json::json!({"Version": "2012-10-17", "Statement": statements}).to_string()
}

/// Median time per call of `f` over `rounds` rounds of `iters` calls.
fn measure(name: &str, iters: u32, mut f: impl FnMut() -> Decision) {
    for _ in 0..iters {
        black_box(f());
    }
    let mut rounds: Vec<Duration> = (0..9)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..iters {
                black_box(f());
            }
            start.elapsed() / iters
        })
        .collect();
    rounds.sort();
    println!(
        "{name:<58} median {:>8.3} µs/op  (min {:.3}, max {:.3})",
        rounds[rounds.len() / 2].as_secs_f64() * 1e6,
        rounds[0].as_secs_f64() * 1e6,
        rounds[rounds.len() - 1].as_secs_f64() * 1e6,
    );
}

fn main() {
    let bucket = Policy::parse_resource(BUCKET_POLICY).expect("bucket policy parses");
    let big = Policy::parse_resource(&twenty_statements()).expect("20 statements parse");
    let identity = Policy::parse_identity(IDENTITY).expect("identity policy parses");
    assert_eq!(big.statements().len(), 20);

    let partner = Conditions::new()
        .with_bool("aws:SecureTransport", true)
        .with("aws:SourceIp", "203.0.113.7")
        .with("aws:CurrentTime", "2026-05-01T12:00:00Z")
        .with("aws:PrincipalArn", "arn:aws:iam::444455556666:user/bob");
    let bob = RequestContext::new(
        "arn:aws:iam::444455556666:user/bob",
        PrincipalKind::User,
        "s3:GetObject",
        "arn:aws:s3:::logs/shared/444455556666/report.csv",
        &partner,
    );
    let trail = Conditions::new()
        .with_bool("aws:SecureTransport", true)
        .with("s3:x-amz-acl", "bucket-owner-full-control")
        .with("s3:x-amz-server-side-encryption", "aws:kms")
        .with(
            "aws:SourceArn",
            "arn:aws:cloudtrail:us-east-1:111122223333:trail/main",
        )
        .with("aws:SourceAccount", "111122223333");
    let cloudtrail = RequestContext::new(
        "cloudtrail.amazonaws.com",
        PrincipalKind::Service,
        "s3:PutObject",
        "arn:aws:s3:::logs/AWSLogs/111122223333/CloudTrail/us-east-1/2026/05/01/f.json.gz",
        &trail,
    );
    let owner_conds = Conditions::new().with_bool("aws:SecureTransport", true);
    let owner = RequestContext::new(
        "arn:aws:iam::111122223333:user/alice",
        PrincipalKind::User,
        "s3:GetObject",
        "arn:aws:s3:::logs/AWSLogs/111122223333/x.json.gz",
        &owner_conds,
    );
    assert_eq!(
        authorize(&bob, &[&identity], Some(&bucket), "111122223333"),
        Decision::Allow
    );
    assert_eq!(
        authorize(&cloudtrail, &[], Some(&bucket), "111122223333"),
        Decision::Allow
    );
    assert_eq!(
        authorize(&owner, &[&identity], Some(&bucket), "111122223333"),
        Decision::Allow
    );
    assert_eq!(
        authorize(&bob, &[&identity], Some(&big), "111122223333"),
        Decision::Allow
    );

    let key = Policy::parse_resource(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
        {"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"kms:GenerateDataKey*","Resource":"*",
         "Condition":{"StringLike":{"kms:EncryptionContext:aws:cloudtrail:arn":"arn:aws:cloudtrail:*:111122223333:trail/*"}}}]}"#,
    )
    .expect("key policy parses");
    let kms_identity = Policy::parse_identity(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}}"#,
    )
    .expect("kms identity parses");
    let decrypt = owner.with_target(
        "kms:Decrypt",
        "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    );
    assert_eq!(
        authorize_key(&decrypt, &key, &[&kms_identity], "111122223333", false),
        Decision::Allow
    );

    let n = 200_000;
    measure(
        "5-statement bucket policy, cross-account partner read",
        n,
        || authorize(black_box(&bob), &[&identity], Some(&bucket), "111122223333"),
    );
    measure("5-statement bucket policy, CloudTrail log write", n, || {
        authorize(black_box(&cloudtrail), &[], Some(&bucket), "111122223333")
    });
    measure("5-statement bucket policy, owner's user read", n, || {
        authorize(
            black_box(&owner),
            &[&identity],
            Some(&bucket),
            "111122223333",
        )
    });
    measure(
        "20-statement bucket policy, cross-account partner read",
        n,
        || authorize(black_box(&bob), &[&identity], Some(&big), "111122223333"),
    );
    measure("key policy + IAM delegation, Decrypt", n, || {
        authorize_key(
            black_box(&decrypt),
            &key,
            &[&kms_identity],
            "111122223333",
            false,
        )
    });
    let started = Instant::now();
    let parses = 2_000;
    for _ in 0..parses {
        black_box(Policy::parse_resource(black_box(BUCKET_POLICY)).ok());
    }
    println!(
        "{:<58} {:>8.3} µs/op",
        "parse the 5-statement bucket policy",
        started.elapsed().as_secs_f64() * 1e6 / f64::from(parses)
    );
}
