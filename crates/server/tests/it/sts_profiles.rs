//! The AWS SDK for Rust assuming a role from the shared config files, as users set it up for
//! AWS: a profile with `role_arn` and `source_profile` (and `endpoint_url`, so every client,
//! the provider's own STS client included, reaches this server), read by aws-config's profile
//! credentials provider, which calls AssumeRole with the source profile's keys and signs as the
//! role from then on.

use crate::common::{access_key, lookup, put_req, put_role_policy, Server};
use aws_config::profile::ProfileFileCredentialsProvider;
use aws_config::provider_config::ProviderConfig;
use aws_config::{BehaviorVersion, Region};
use aws_runtime::env_config::file::{EnvConfigFileKind, EnvConfigFiles};
use aws_sdk_cloudtrail::types::LookupAttributeKey;

const A: &str = "000000000000";

#[tokio::test]
async fn a_role_arn_profile_signs_as_the_role() {
    let s = Server::start().await;
    s.with_bucket("profiled").await;
    let iam = s.iam();
    iam.create_user().user_name("dana").send().await.unwrap();
    let key = access_key(&iam, "dana").await;
    let (key_id, secret) = (key.access_key_id(), key.secret_access_key());
    let role_arn = format!("arn:aws:iam::{A}:role/profiled-writer");
    let trust = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{A}:user/dana"}},"Action":"sts:AssumeRole"}}]}}"#
    );
    let role = iam
        .create_role()
        .role_name("profiled-writer")
        .assume_role_policy_document(trust)
        .send()
        .await
        .unwrap();
    let role_id = role.role().unwrap().role_id().to_string();
    put_role_policy(&iam, "profiled-writer", "write", r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::profiled/*"}]}"#).await;

    let dir = tempfile::tempdir().unwrap();
    let (config, credentials) = (dir.path().join("config"), dir.path().join("credentials"));
    std::fs::write(
        &config,
        format!(
            "[profile writer]\nrole_arn = {role_arn}\nsource_profile = dev\n\
             role_session_name = from-profile\nregion = us-east-1\nendpoint_url = {ep}\n\
             [profile dev]\nregion = us-east-1\nendpoint_url = {ep}\n",
            ep = s.endpoint
        ),
    )
    .unwrap();
    std::fs::write(
        &credentials,
        format!("[dev]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n"),
    )
    .unwrap();
    let files = EnvConfigFiles::builder()
        .with_file(EnvConfigFileKind::Config, &config)
        .with_file(EnvConfigFileKind::Credentials, &credentials)
        .build();
    // The profile provider alone, not the default chain, so keys in the test's environment
    // cannot stand in for the profile's.
    let provider = ProfileFileCredentialsProvider::builder()
        .configure(&ProviderConfig::without_region().with_region(Some(Region::new("us-east-1"))))
        .profile_files(files.clone())
        .profile_name("writer")
        .build();
    let conf = aws_config::defaults(BehaviorVersion::latest())
        .profile_files(files)
        .profile_name("writer")
        .credentials_provider(provider)
        .load()
        .await;
    assert_eq!(conf.endpoint_url(), Some(s.endpoint.as_str()));

    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&conf)
            .force_path_style(true)
            .build(),
    );
    put_req(&s3, "profiled", "k", b"as the role")
        .send()
        .await
        .unwrap();
    let me = aws_sdk_sts::Client::new(&conf)
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert_eq!(
        me.arn(),
        Some(format!("arn:aws:sts::{A}:assumed-role/profiled-writer/from-profile").as_str())
    );
    assert_eq!(
        me.user_id(),
        Some(format!("{role_id}:from-profile").as_str())
    );

    // The provider's AssumeRole was dana's call; the write was the session's.
    let recs = lookup(&s, LookupAttributeKey::EventName, "AssumeRole").await;
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0]["userIdentity"]["userName"], "dana");
    assert_eq!(
        recs[0]["requestParameters"]["roleSessionName"],
        "from-profile"
    );
    let head = s
        .via()
        .s3()
        .head_object()
        .bucket("profiled")
        .key("k")
        .send()
        .await
        .unwrap();
    assert_eq!(head.content_length(), Some(11));
}
