//! AWS managed policies through the AWS SDK for Rust: GetPolicy, GetPolicyVersion and
//! ListPolicyVersions for `arn:aws:iam::aws:policy/…`, ListPolicies by Scope, and attaching one
//! to a user, which then decides its S3 calls as the published document says.

use crate::common::{
    assert_fails, get_out, get_req, new_user, ok, put_req, start_with_user, Server,
};
use aws_sdk_iam::types::PolicyScopeType;

const READ_ONLY: &str = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess";

#[tokio::test]
async fn aws_managed_policies_are_read_listed_and_attached() {
    let s = Server::start().await;
    let root = s.with_bucket("managed-bucket").await;
    ok!(put_req(&root, "managed-bucket", "a", b""));
    let iam = s.iam();

    let got = ok!(iam.get_policy().policy_arn(READ_ONLY));
    let p = got.policy().unwrap();
    assert_eq!(p.policy_name(), Some("AmazonS3ReadOnlyAccess"));
    assert_eq!(p.default_version_id(), Some("v3"));
    assert_eq!(p.path(), Some("/"));
    assert_eq!(p.attachment_count(), Some(0));
    let v = ok!(iam
        .get_policy_version()
        .policy_arn(READ_ONLY)
        .version_id("v3"));
    let v = v.policy_version().unwrap();
    assert!(v.is_default_version());
    assert!(v.document().unwrap().contains("s3-object-lambda"));
    let versions = ok!(iam.list_policy_versions().policy_arn(READ_ONLY));
    assert_eq!(versions.versions().len(), 1);
    assert_fails!(
        iam.get_policy()
            .policy_arn("arn:aws:iam::aws:policy/NoSuchPolicy"),
        "NoSuchEntity"
    );

    ok!(iam.create_policy().policy_name("mine").policy_document(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"}}"#
    ));
    let names = |out: &aws_sdk_iam::operation::list_policies::ListPoliciesOutput| -> Vec<String> {
        out.policies()
            .iter()
            .map(|p| p.policy_name().unwrap().to_string())
            .collect()
    };
    let aws = ok!(iam.list_policies().scope(PolicyScopeType::Aws));
    assert_eq!(
        names(&aws),
        [
            "AWSKeyManagementServicePowerUser",
            "AdministratorAccess",
            "AmazonS3ReadOnlyAccess"
        ]
    );
    let local = ok!(iam.list_policies().scope(PolicyScopeType::Local));
    assert_eq!(names(&local), ["mine"]);
    let all = ok!(iam.list_policies().max_items(3));
    assert!(all.is_truncated());
    let rest = ok!(iam.list_policies().marker(all.marker().unwrap()));
    assert_eq!(names(&rest), ["mine"]);

    let (_, key, secret) = new_user(&s, "reader").await;
    let reader = s.s3_with(&key, &secret);
    assert_fails!(get_req(&reader, "managed-bucket", "a"), "AccessDenied");
    ok!(iam
        .attach_user_policy()
        .user_name("reader")
        .policy_arn(READ_ONLY));
    get_out(&reader, "managed-bucket", "a").await;
    ok!(reader.list_objects_v2().bucket("managed-bucket"));
    assert_fails!(put_req(&reader, "managed-bucket", "b", b""), "AccessDenied");
    let attached = ok!(iam.list_attached_user_policies().user_name("reader"));
    let a = &attached.attached_policies()[0];
    assert_eq!(a.policy_name(), Some("AmazonS3ReadOnlyAccess"));
    assert_eq!(a.policy_arn(), Some(READ_ONLY));
    let got = ok!(iam.get_policy().policy_arn(READ_ONLY));
    assert_eq!(got.policy().unwrap().attachment_count(), Some(1));
    let only = ok!(iam
        .list_policies()
        .scope(PolicyScopeType::Aws)
        .only_attached(true));
    assert_eq!(names(&only), ["AmazonS3ReadOnlyAccess"]);
    assert_fails!(iam.delete_user().user_name("reader"), "DeleteConflict");
    ok!(iam
        .detach_user_policy()
        .user_name("reader")
        .policy_arn(READ_ONLY));
    assert_fails!(get_req(&reader, "managed-bucket", "a"), "AccessDenied");
}

#[tokio::test]
async fn an_aws_managed_policy_bounds_a_user() {
    let (s, user) = start_with_user("managed-bound", "bounded").await;
    let iam = s.iam();
    ok!(iam
        .attach_user_policy()
        .user_name("bounded")
        .policy_arn("arn:aws:iam::aws:policy/AdministratorAccess"));
    ok!(iam
        .put_user_permissions_boundary()
        .user_name("bounded")
        .permissions_boundary(READ_ONLY));
    let got = ok!(iam.get_user().user_name("bounded"));
    let pb = got.user().unwrap().permissions_boundary().unwrap();
    assert_eq!(pb.permissions_boundary_arn(), Some(READ_ONLY));
    let p = ok!(iam.get_policy().policy_arn(READ_ONLY));
    assert_eq!(
        p.policy().unwrap().permissions_boundary_usage_count(),
        Some(1)
    );
    get_out(&user, "managed-bound", "a").await;
    assert_fails!(put_req(&user, "managed-bound", "b", b""), "AccessDenied");
}
