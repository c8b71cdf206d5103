//! The AWS SDK for Rust's own AssumeRole credential provider against trailstack.

use super::{allow, iam, lookup, trust, user_with_key, A};
use crate::common::Server;
use aws_sdk_cloudtrail::types::LookupAttributeKey;

/// The AWS SDK for Rust's own AssumeRole credential provider (aws-config) gets a role
/// session from this server and an S3 client signs with it, session token included, as
/// against AWS.
#[tokio::test]
async fn the_sdk_assume_role_provider_works() {
    use aws_config::sts::AssumeRoleProvider;
    let s = Server::start().await;
    let root = ("test", "test");
    s.with_bucket("provided").await;
    let (key, secret) = user_with_key(&s, root, "frank").await;
    let role_arn = format!("arn:aws:iam::{A}:role/provided");
    iam(
        &s,
        root,
        "CreateRole",
        &[
            ("RoleName", "provided"),
            (
                "AssumeRolePolicyDocument",
                &trust(&format!("arn:aws:iam::{A}:user/frank")),
            ),
        ],
    )
    .await;
    iam(
        &s,
        root,
        "PutRolePolicy",
        &[
            ("RoleName", "provided"),
            ("PolicyName", "s3"),
            (
                "PolicyDocument",
                &allow(r#""s3:PutObject""#, "arn:aws:s3:::provided/*"),
            ),
        ],
    )
    .await;
    let base = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(&s.endpoint)
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_credential_types::Credentials::new(
            &key, &secret, None, None, "frank",
        ))
        .load()
        .await;
    let provider = AssumeRoleProvider::builder(&role_arn)
        .session_name("from-sdk")
        .configure(&base)
        .build()
        .await;
    let conf = aws_sdk_s3::config::Builder::from(&base)
        .credentials_provider(provider)
        .force_path_style(true)
        .build();
    aws_sdk_s3::Client::from_conf(conf)
        .put_object()
        .bucket("provided")
        .key("k")
        .body(b"1".to_vec().into())
        .send()
        .await
        .unwrap();
    let assumed = lookup(&s.via(), LookupAttributeKey::EventName, "AssumeRole").await;
    assert_eq!(assumed.len(), 1);
    assert_eq!(
        assumed[0]["requestParameters"]["roleSessionName"],
        "from-sdk"
    );
    assert_eq!(assumed[0]["userIdentity"]["userName"], "frank");
}
