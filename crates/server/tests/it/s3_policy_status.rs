//! GetBucketPolicyStatus: whether a bucket policy is public, and what an anonymous caller a
//! public policy lets list learns about a missing key.

use crate::common::*;
use crate::s3_cors::*;

#[tokio::test]
async fn policy_status_reports_whether_the_bucket_policy_is_public() {
    let (_s, c) = Server::start_with_bucket("cors-ps").await;
    let err = c.get_bucket_policy_status().bucket("cors-ps").send().await;
    let err = err.unwrap_err();
    assert_eq!(
        (code(&err), status(&err)),
        ("NoSuchBucketPolicy".to_string(), 404)
    );
    let missing = c
        .get_bucket_policy_status()
        .bucket("cors-ps-none")
        .send()
        .await;
    assert_eq!(code(&missing.unwrap_err()), "NoSuchBucket");

    let statement = |principal: &str, condition: &str| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{principal},
                "Action":"s3:ListBucket","Resource":"arn:aws:s3:::cors-ps"{condition}}}]}}"#
        )
    };
    let is_public = |policy: String| {
        let c = c.clone();
        async move {
            put_policy(&c, "cors-ps", policy).await;
            ok!(c.get_bucket_policy_status().bucket("cors-ps"))
                .policy_status()
                .unwrap()
                .is_public()
                .unwrap()
        }
    };
    assert!(!is_public(statement(r#"{"AWS":"111122223333"}"#, "")).await);
    assert!(
        !is_public(statement(
            r#""*""#,
            r#","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/32"}}"#
        ))
        .await
    );
    ok!(c.delete_public_access_block().bucket("cors-ps"));
    assert!(is_public(statement(r#"{"AWS":"*"}"#, "")).await);
    assert!(
        is_public(statement(
            r#""*""#,
            r#","Condition":{"Bool":{"aws:SecureTransport":"true"}}"#
        ))
        .await
    );
}

#[tokio::test]
async fn an_anonymous_read_of_a_missing_key_in_a_bucket_anyone_may_list_is_a_404() {
    use aws_sdk_s3::types::{BucketCannedAcl, ObjectOwnership};
    let (s, c) = Server::start_with_bucket("cors-pub").await;
    ok!(c.delete_public_access_block().bucket("cors-pub"));
    ok!(c
        .put_bucket_ownership_controls()
        .bucket("cors-pub")
        .ownership_controls(ownership(ObjectOwnership::ObjectWriter)));
    put_bytes(&c, "cors-pub", "private", b"p").await;
    put_cors(
        &c,
        "cors-pub",
        vec![rule(&["GET"], &["*suffix"]).build().unwrap()],
    )
    .await;
    let anonymous =
        |key: &str| Raw::new(&s, "GET", &format!("/cors-pub/{key}")).header("origin", "foo.suffix");
    // Nobody but the owner may list: a missing key is a 403, like an unreadable one.
    assert_eq!(anonymous("missing").send(&s).await.status, 403);
    ok!(c
        .put_bucket_acl()
        .bucket("cors-pub")
        .acl(BucketCannedAcl::PublicRead));
    // Anyone may list: the missing key is a 404 (with the CORS headers), the unreadable
    // object still a 403.
    let r = anonymous("missing").send(&s).await;
    r.assert_code(404, "NoSuchKey");
    assert_eq!(r.header("access-control-allow-origin"), Some("foo.suffix"));
    assert_eq!(anonymous("private").send(&s).await.status, 403);
}
