//! Tags of IAM users and roles through the AWS SDK for Rust: Tags on CreateUser and CreateRole,
//! TagUser, UntagUser, ListUserTags and the role forms, AWS's limits and errors, their CloudTrail
//! records, and a user's tags as `aws:PrincipalTag/<key>` in a bucket policy from the next
//! request on.

use crate::common::{assert_fails, new_user, ok, owned_pairs, put_req, records_named, Server};
use aws_sdk_iam::types::Tag;

fn tag(k: &str, v: &str) -> Tag {
    Tag::builder().key(k).value(v).build().unwrap()
}

fn pairs(tags: &[Tag]) -> Vec<(String, String)> {
    tags.iter()
        .map(|t| (t.key().to_string(), t.value().to_string()))
        .collect()
}

#[tokio::test]
async fn user_tags_are_kept_as_iam_keeps_them() {
    let s = Server::start().await;
    let iam = s.iam();
    let made = ok!(iam
        .create_user()
        .user_name("tagged")
        .tags(tag("team", "red")));
    assert_eq!(
        pairs(made.user().unwrap().tags()),
        owned_pairs(&[("team", "red")])
    );
    // A key differing only in case replaces the tag, with the case last written.
    ok!(iam
        .tag_user()
        .user_name("tagged")
        .tags(tag("Team", "blue"))
        .tags(tag("cost", "")));
    let listed = ok!(iam.list_user_tags().user_name("tagged"));
    assert_eq!(
        pairs(listed.tags()),
        owned_pairs(&[("cost", ""), ("Team", "blue")])
    );
    assert!(!listed.is_truncated());
    let got = ok!(iam.get_user().user_name("tagged"));
    assert_eq!(got.user().unwrap().tags().len(), 2);
    // ListUsers leaves tags out, as AWS does.
    let users = ok!(iam.list_users());
    assert!(users.users().iter().all(|u| u.tags().is_empty()));
    ok!(iam
        .untag_user()
        .user_name("tagged")
        .tag_keys("COST")
        .tag_keys("absent"));
    let listed = ok!(iam.list_user_tags().user_name("tagged").max_items(1));
    assert_eq!(pairs(listed.tags()), owned_pairs(&[("Team", "blue")]));

    assert_fails!(
        iam.tag_user().user_name("nobody").tags(tag("a", "b")),
        "NoSuchEntity"
    );
    assert_fails!(iam.list_user_tags().user_name("nobody"), "NoSuchEntity");
    assert_fails!(
        iam.tag_user().user_name("tagged").tags(tag("a*b", "x")),
        "ValidationError"
    );
    assert_fails!(
        iam.tag_user()
            .user_name("tagged")
            .tags(tag(&"k".repeat(129), "x")),
        "ValidationError"
    );
    assert_fails!(
        iam.tag_user()
            .user_name("tagged")
            .tags(tag("k", &"v".repeat(257))),
        "ValidationError"
    );
    assert_fails!(
        iam.tag_user()
            .user_name("tagged")
            .tags(tag("dup", "1"))
            .tags(tag("DUP", "2")),
        "InvalidInput"
    );
    assert_fails!(
        iam.tag_user().user_name("tagged").tags(tag("aws:x", "1")),
        "InvalidInput"
    );
    // 50 tags at most: 49 more fit beside Team, one more does not.
    let mut call = iam.tag_user().user_name("tagged");
    for n in 0..49 {
        call = call.tags(tag(&format!("k{n}"), "v"));
    }
    ok!(call);
    assert_fails!(
        iam.tag_user()
            .user_name("tagged")
            .tags(tag("one-more", "v")),
        "LimitExceeded"
    );
    // Replacing an existing key is still allowed at the limit.
    ok!(iam.tag_user().user_name("tagged").tags(tag("k0", "w")));
    let page = ok!(iam.list_user_tags().user_name("tagged").max_items(30));
    assert!(page.is_truncated());
    let rest = ok!(iam
        .list_user_tags()
        .user_name("tagged")
        .marker(page.marker().unwrap()));
    assert_eq!(page.tags().len() + rest.tags().len(), 50);
    assert_fails!(
        iam.create_user().user_name("bad").tags(tag("", "x")),
        "ValidationError"
    );
    assert_fails!(
        iam.get_user().user_name("bad"),
        "NoSuchEntity",
        "a user with refused tags is not created"
    );

    let records = records_named(&s, "TagUser").await;
    let first = records.last().unwrap();
    assert_eq!(first["eventSource"], "iam.amazonaws.com");
    assert_eq!(first["awsRegion"], "us-east-1");
    assert_eq!(
        first["requestParameters"],
        serde_json::json!({"userName": "tagged", "tags": [
            {"key": "Team", "value": "blue"}, {"key": "cost", "value": ""}]})
    );
    let untag = records_named(&s, "UntagUser").await;
    assert_eq!(
        untag[0]["requestParameters"],
        serde_json::json!({"userName": "tagged", "tagKeys": ["COST", "absent"]})
    );
}

#[tokio::test]
async fn role_tags_are_kept_and_go_with_the_role() {
    let s = Server::start().await;
    let iam = s.iam();
    let trust = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"sts:AssumeRole"}}"#;
    let made = ok!(iam
        .create_role()
        .role_name("auditor")
        .assume_role_policy_document(trust)
        .tags(tag("team", "audit")));
    assert_eq!(
        pairs(made.role().unwrap().tags()),
        owned_pairs(&[("team", "audit")])
    );
    ok!(iam.tag_role().role_name("auditor").tags(tag("level", "2")));
    let listed = ok!(iam.list_role_tags().role_name("auditor"));
    assert_eq!(
        pairs(listed.tags()),
        owned_pairs(&[("level", "2"), ("team", "audit")])
    );
    ok!(iam.untag_role().role_name("auditor").tag_keys("team"));
    let got = ok!(iam.get_role().role_name("auditor"));
    assert_eq!(
        pairs(got.role().unwrap().tags()),
        owned_pairs(&[("level", "2")])
    );
    assert_fails!(
        iam.tag_role().role_name("nobody").tags(tag("a", "b")),
        "NoSuchEntity"
    );
    // A deleted role's tags go with it: a new role of that name starts without.
    ok!(iam.delete_role().role_name("auditor"));
    ok!(iam
        .create_role()
        .role_name("auditor")
        .assume_role_policy_document(trust));
    let listed = ok!(iam.list_role_tags().role_name("auditor"));
    assert!(listed.tags().is_empty());
}

#[tokio::test]
async fn principal_tags_decide_from_the_next_request_on() {
    let s = Server::start().await;
    let root = s.with_bucket("tagged-bucket").await;
    let (_, key, secret) = new_user(&s, "alice").await;
    let iam = s.iam();
    ok!(iam.tag_user().user_name("alice").tags(tag("team", "red")));
    let policy = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:PutObject",
            "Resource": "arn:aws:s3:::tagged-bucket/${aws:PrincipalTag/team}/*",
            "Condition": {"StringEquals": {"aws:PrincipalAccount": "000000000000",
                                           "aws:PrincipalTag/team": "red"}}}]
    });
    ok!(root
        .put_bucket_policy()
        .bucket("tagged-bucket")
        .policy(policy.to_string()));
    let alice = s.s3_with(&key, &secret);
    ok!(put_req(&alice, "tagged-bucket", "red/a", b""));
    assert_fails!(
        put_req(&alice, "tagged-bucket", "blue/a", b""),
        "AccessDenied"
    );
    ok!(iam.tag_user().user_name("alice").tags(tag("TEAM", "blue")));
    assert_fails!(
        put_req(&alice, "tagged-bucket", "red/b", b""),
        "AccessDenied"
    );
    ok!(iam.tag_user().user_name("alice").tags(tag("team", "red")));
    ok!(put_req(&alice, "tagged-bucket", "red/c", b""));
}
