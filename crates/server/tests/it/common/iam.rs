//! IAM set-up through aws-sdk-iam that many tests share: users with an access key, and the
//! inline policies of users, groups and roles.

use super::{ok, Server};
use aws_sdk_iam::types::AccessKey;
use aws_sdk_iam::Client;

/// A user made through IAM with an access key: its unique id, key id and secret.
pub async fn new_user(s: &Server, name: &str) -> (String, String, String) {
    let iam = s.iam();
    let u = ok!(iam.create_user().user_name(name));
    let id = u.user().unwrap().user_id().to_string();
    let k = access_key(&iam, name).await;
    (
        id,
        k.access_key_id().to_string(),
        k.secret_access_key().to_string(),
    )
}

/// A new access key of the existing user `name`.
pub async fn access_key(iam: &Client, name: &str) -> AccessKey {
    ok!(iam.create_access_key().user_name(name))
        .access_key
        .unwrap()
}

/// Gives `user` the inline policy `doc`, named `policy`.
pub async fn put_user_policy(iam: &Client, user: &str, policy: &str, doc: impl Into<String>) {
    ok!(iam
        .put_user_policy()
        .user_name(user)
        .policy_name(policy)
        .policy_document(doc));
}

/// Gives `group` the inline policy `doc`, named `policy`.
pub async fn put_group_policy(iam: &Client, group: &str, policy: &str, doc: impl Into<String>) {
    ok!(iam
        .put_group_policy()
        .group_name(group)
        .policy_name(policy)
        .policy_document(doc));
}

/// Gives `role` the inline policy `doc`, named `policy`.
pub async fn put_role_policy(iam: &Client, role: &str, policy: &str, doc: impl Into<String>) {
    ok!(iam
        .put_role_policy()
        .role_name(role)
        .policy_name(policy)
        .policy_document(doc));
}
