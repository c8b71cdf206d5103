//! The AWS SDK for Rust's own AssumeRole credential provider against trailstack.

use super::{allow, create_role, lookup, put_role_policy, trust, user_arn, user_with_key, A};
use crate::common::{put_bytes, Server};
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
    create_role(&s, root, "provided", &trust(&user_arn(A, "frank")), &[]).await;
    let writes = allow(r#""s3:PutObject""#, "arn:aws:s3:::provided/*");
    put_role_policy(&s, root, "provided", "s3", &writes).await;
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
    put_bytes(&aws_sdk_s3::Client::from_conf(conf), "provided", "k", b"1").await;
    let assumed = lookup(&s.via(), LookupAttributeKey::EventName, "AssumeRole").await;
    assert_eq!(assumed.len(), 1);
    assert_eq!(
        assumed[0]["requestParameters"]["roleSessionName"],
        "from-sdk"
    );
    assert_eq!(assumed[0]["userIdentity"]["userName"], "frank");
}
