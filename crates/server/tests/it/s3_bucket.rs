//! Buckets: create, head, delete, list, location, naming rules, ownership across accounts, and
//! the bucket settings (tagging, policy, ACL, ownership controls, public access block).

use crate::common::*;
use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration, Tag, Tagging};

#[tokio::test]
async fn create_head_list_delete() {
    let s = Server::start().await;
    let c = s.s3();
    c.create_bucket().bucket("alpha").send().await.unwrap();
    c.create_bucket().bucket("beta").send().await.unwrap();
    c.head_bucket().bucket("alpha").send().await.unwrap();
    let names: Vec<String> = ok!(c.list_buckets())
        .buckets()
        .iter()
        .map(|b| b.name().unwrap().to_string())
        .collect();
    assert_eq!(names, ["alpha", "beta"]);
    // us-east-1 answers 200 to the owner re-creating a bucket (s3_details has the rest).
    c.create_bucket().bucket("alpha").send().await.unwrap();
    put_bytes(&c, "alpha", "k", b"x").await;
    assert_fails!(c.delete_bucket().bucket("alpha"), "BucketNotEmpty");
    delete_key(&c, "alpha", "k").await;
    c.delete_bucket().bucket("alpha").send().await.unwrap();
    let e = c.head_bucket().bucket("alpha").send().await.unwrap_err();
    assert_eq!(status(&e), 404);
    assert_fails!(c.delete_bucket().bucket("alpha"), "NoSuchBucket");
}

#[tokio::test]
async fn names_and_locations() {
    let s = Server::start().await;
    let c = s.s3();
    for bad in ["ab", "Upper", "bad_name", "192.168.0.1", "-lead"] {
        assert_fails!(c.create_bucket().bucket(bad), "InvalidBucketName", "{bad}");
    }
    ok!(bucket_req(&c, "in-ireland").create_bucket_configuration(
        CreateBucketConfiguration::builder()
            .location_constraint(BucketLocationConstraint::EuWest1)
            .build(),
    ));
    let loc = ok!(c.get_bucket_location().bucket("in-ireland"));
    assert_eq!(
        loc.location_constraint().map(|l| l.as_str()),
        Some("eu-west-1")
    );
    ok!(c.create_bucket().bucket("in-virginia"));
    let loc = ok!(c.get_bucket_location().bucket("in-virginia"));
    assert!(
        loc.location_constraint().is_none()
            || loc.location_constraint().unwrap().as_str().is_empty()
    );
    let list = c.list_buckets().max_buckets(1).send().await.unwrap();
    assert_eq!(list.buckets().len(), 1);
    let next = list.continuation_token().unwrap().to_string();
    let list = ok!(c.list_buckets().max_buckets(1).continuation_token(next));
    assert_eq!(list.buckets()[0].name(), Some("in-virginia"));
    let list = c.list_buckets().prefix("in-i").send().await.unwrap();
    assert_eq!(list.buckets().len(), 1);
}

#[tokio::test]
async fn bucket_settings() {
    let (_s, c) = Server::start_with_bucket("settings").await;
    assert_fails!(c.get_bucket_tagging().bucket("settings"), "NoSuchTagSet");
    let tagging = Tagging::builder()
        .tag_set(Tag::builder().key("team").value("sec").build().unwrap())
        .build()
        .unwrap();
    ok!(c.put_bucket_tagging().bucket("settings").tagging(tagging));
    let t = ok!(c.get_bucket_tagging().bucket("settings"));
    assert_eq!(t.tag_set()[0].key(), "team");
    ok!(c.delete_bucket_tagging().bucket("settings"));

    assert_fails!(
        c.get_bucket_policy().bucket("settings"),
        "NoSuchBucketPolicy"
    );
    assert_fails!(
        c.put_bucket_policy().bucket("settings").policy("{not json"),
        "MalformedPolicy"
    );
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::settings/*"}]}"#;
    put_policy(&c, "settings", policy).await;
    assert_eq!(
        ok!(c.get_bucket_policy().bucket("settings")).policy(),
        Some(policy)
    );
    ok!(c.delete_bucket_policy().bucket("settings"));

    let acl = c.get_bucket_acl().bucket("settings").send().await.unwrap();
    assert_eq!(acl.grants().len(), 1);
    assert!(acl.owner().unwrap().id().is_some());
    let own = ok!(c.get_bucket_ownership_controls().bucket("settings"));
    assert_eq!(
        own.ownership_controls().unwrap().rules()[0]
            .object_ownership()
            .as_str(),
        "BucketOwnerEnforced"
    );
    assert_fails!(
        c.put_bucket_acl()
            .bucket("settings")
            .acl(aws_sdk_s3::types::BucketCannedAcl::PublicRead),
        "AccessControlListNotSupported"
    );

    let pab = ok!(c.get_public_access_block().bucket("settings"));
    assert_eq!(
        pab.public_access_block_configuration()
            .unwrap()
            .block_public_acls(),
        Some(true)
    );
    ok!(c.delete_public_access_block().bucket("settings"));
    assert_fails!(
        c.get_public_access_block().bucket("settings"),
        "NoSuchPublicAccessBlockConfiguration"
    );
}
