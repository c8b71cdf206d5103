//! The defaults new buckets get (`--bucket-defaults`): AWS's since April 2023 by default (ACLs
//! disabled, Block Public Access on, SSE-S3 default encryption reported), or the ones before
//! (`legacy`: ACLs apply, no Block Public Access, no default encryption reported while objects
//! stay SSE-S3 at rest). Each bucket keeps the defaults it was created with across restarts,
//! and `explain` shows them.

use crate::common::*;
use aws_sdk_s3::types::{BucketCannedAcl, ServerSideEncryption};
use trailstack_server::config::BucketDefaults;
use trailstack_server::explain::{client, render, Report, Target};

async fn start(defaults: BucketDefaults) -> Server {
    Server::start_configured(tempfile::tempdir().unwrap(), |c| {
        c.bucket_defaults = defaults
    })
    .await
}

const PUBLIC_READ_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket1/*"}]}"#;

#[tokio::test]
async fn current_defaults_disable_acls_block_public_access_and_report_sse_s3() {
    let s = start(BucketDefaults::Current).await;
    let c = s.s3();
    assert_fails!(
        bucket_req(&c, "bucket0").acl(BucketCannedAcl::PublicRead),
        "InvalidBucketAclWithObjectOwnership"
    );
    c.create_bucket().bucket("bucket1").send().await.unwrap();
    let own = ok!(c.get_bucket_ownership_controls().bucket("bucket1"));
    let rules = own.ownership_controls().unwrap().rules();
    assert_eq!(rules[0].object_ownership().as_str(), "BucketOwnerEnforced");
    let pab = ok!(c.get_public_access_block().bucket("bucket1"));
    let pab = pab.public_access_block_configuration().unwrap();
    assert_eq!(pab.block_public_policy(), Some(true));
    assert_eq!(pab.block_public_acls(), Some(true));
    let enc = ok!(c.get_bucket_encryption().bucket("bucket1"));
    let rule = &enc.server_side_encryption_configuration().unwrap().rules()[0];
    let by_default = rule.apply_server_side_encryption_by_default().unwrap();
    assert_eq!(by_default.sse_algorithm(), &ServerSideEncryption::Aes256);
    assert_fails!(
        c.put_bucket_policy()
            .bucket("bucket1")
            .policy(PUBLIC_READ_POLICY),
        "AccessDenied"
    );
}

#[tokio::test]
async fn legacy_defaults_allow_acls_and_public_policies_and_report_no_encryption() {
    let s = start(BucketDefaults::Legacy).await;
    let c = s.s3();
    ok!(bucket_req(&c, "bucket1").acl(BucketCannedAcl::PublicRead));
    let acl = c.get_bucket_acl().bucket("bucket1").send().await.unwrap();
    assert!(
        acl.grants()
            .iter()
            .any(|g| g.grantee().and_then(|g| g.uri())
                == Some("http://acs.amazonaws.com/groups/global/AllUsers")
                && g.permission().map(|p| p.as_str()) == Some("READ")),
        "{acl:?}"
    );
    assert_outcome!(
        c.get_bucket_ownership_controls().bucket("bucket1"),
        "OwnershipControlsNotFoundError 404"
    );
    assert_outcome!(
        c.get_public_access_block().bucket("bucket1"),
        "NoSuchPublicAccessBlockConfiguration 404"
    );
    assert_outcome!(
        c.get_bucket_encryption().bucket("bucket1"),
        "ServerSideEncryptionConfigurationNotFoundError 404"
    );
    put_policy(&c, "bucket1", PUBLIC_READ_POLICY).await;

    // Objects are still encrypted at rest with SSE-S3: only the report differs.
    let put = ok!(put_req(&c, "bucket1", "k", b"hello"));
    assert_eq!(
        put.server_side_encryption(),
        Some(&ServerSideEncryption::Aes256)
    );
    let head = head_of(&c, "bucket1", "k").await;
    assert_eq!(
        head.server_side_encryption(),
        Some(&ServerSideEncryption::Aes256)
    );

    // A configured default is reported; deleting it leaves nothing reported again.
    set_default_encryption(&c, "bucket1", ServerSideEncryption::Aes256, None, false).await;
    ok!(c.get_bucket_encryption().bucket("bucket1"));
    ok!(c.delete_bucket_encryption().bucket("bucket1"));
    assert_fails!(
        c.get_bucket_encryption().bucket("bucket1"),
        "ServerSideEncryptionConfigurationNotFoundError"
    );
}

#[tokio::test]
async fn each_bucket_keeps_the_defaults_it_was_created_with() {
    let s = start(BucketDefaults::Legacy).await;
    s.s3().create_bucket().bucket("old").send().await.unwrap();
    let dir = s.stop();
    let s = Server::start_in(dir).await;
    let c = s.s3();
    c.create_bucket().bucket("new").send().await.unwrap();
    assert_fails!(
        c.get_bucket_encryption().bucket("old"),
        "ServerSideEncryptionConfigurationNotFoundError"
    );
    ok!(c.get_bucket_encryption().bucket("new"));
    assert_fails!(
        c.get_public_access_block().bucket("old"),
        "NoSuchPublicAccessBlockConfiguration"
    );
    ok!(c.get_public_access_block().bucket("new"));
}

#[tokio::test]
async fn explain_shows_the_defaults_a_bucket_was_created_with() {
    let s = start(BucketDefaults::Legacy).await;
    s.s3().create_bucket().bucket("old").send().await.unwrap();
    let endpoint = s.endpoint.clone();
    let answer = tokio::task::spawn_blocking(move || {
        let credentials = trailstack_server::admin_client::Credentials {
            access_key: "test".into(),
            secret_key: "test".into(),
            region: "us-east-1".into(),
            session_token: None,
        };
        let target = Target::parse("s3://old").unwrap();
        client::explain(
            &endpoint,
            &credentials,
            &target,
            time::OffsetDateTime::now_utc(),
        )
    })
    .await
    .unwrap()
    .unwrap();
    let Report::Bucket(b) = &answer.report else {
        panic!("{answer:?}")
    };
    assert_eq!(b.bucket_defaults, "legacy");
    assert_eq!(b.default_encryption.mode, "SSE-S3");
    let text = render::render(&answer, false);
    assert!(
        text.contains("created with      legacy bucket defaults (before April 2023)"),
        "{text}"
    );
    assert!(
        text.contains("which GetBucketEncryption does not report"),
        "{text}"
    );
}
