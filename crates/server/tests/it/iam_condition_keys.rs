//! IAM's own condition keys through the AWS SDK for Rust, as a delegated administrator's policy
//! reads them: `iam:PermissionsBoundary` (only users bounded by one policy may be made),
//! `aws:RequestTag/<key>` and `aws:TagKeys` (which tags may be set, at creation too, where
//! CreateUser with Tags also needs iam:TagUser), and `aws:ResourceTag/<key>` (which users may be
//! read), each deciding from the next request on.

use crate::common::{assert_fails, managed_policy, new_user, ok, put_user_policy, Server};
use aws_sdk_iam::types::Tag;

fn tag(k: &str, v: &str) -> Tag {
    Tag::builder().key(k).value(v).build().unwrap()
}

#[tokio::test]
async fn a_delegated_administrator_is_held_to_its_conditions() {
    let s = Server::start().await;
    let iam = s.iam();
    let doc = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}"#;
    let bound = &managed_policy(&iam, "bound", doc).await;
    let other = &managed_policy(&iam, "other", doc).await;
    let (_, key, secret) = new_user(&s, "admin").await;
    let policy = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["iam:CreateUser", "iam:PutUserPermissionsBoundary"],
             "Resource": "*",
             "Condition": {"StringEquals": {"iam:PermissionsBoundary": bound}}},
            {"Effect": "Allow", "Action": "iam:TagUser", "Resource": "*",
             "Condition": {"StringEquals": {"aws:RequestTag/team": "red"},
                           "ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}}},
            {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*",
             "Condition": {"StringEquals": {"aws:ResourceTag/team": "red"}}}
        ]
    });
    put_user_policy(&iam, "admin", "delegated", policy.to_string()).await;
    let admin = s.iam_with(&key, &secret);

    assert_fails!(admin.create_user().user_name("u1"), "AccessDenied");
    assert_fails!(
        admin
            .create_user()
            .user_name("u1")
            .permissions_boundary(other),
        "AccessDenied"
    );
    ok!(admin
        .create_user()
        .user_name("u1")
        .permissions_boundary(bound));
    assert_fails!(
        admin
            .create_user()
            .user_name("u2")
            .permissions_boundary(bound)
            .tags(tag("team", "blue")),
        "AccessDenied",
        "creating with tags is tagging: iam:TagUser's conditions apply"
    );
    ok!(admin
        .create_user()
        .user_name("u2")
        .permissions_boundary(bound)
        .tags(tag("team", "red")));

    ok!(admin.get_user().user_name("u2"));
    assert_fails!(admin.get_user().user_name("u1"), "AccessDenied");
    ok!(admin.tag_user().user_name("u1").tags(tag("team", "red")));
    ok!(admin.get_user().user_name("u1"));
    assert_fails!(
        admin.tag_user().user_name("u1").tags(tag("cost", "red")),
        "AccessDenied"
    );

    assert_fails!(
        admin
            .put_user_permissions_boundary()
            .user_name("u1")
            .permissions_boundary(other),
        "AccessDenied"
    );
    ok!(admin
        .put_user_permissions_boundary()
        .user_name("u1")
        .permissions_boundary(bound));
}
