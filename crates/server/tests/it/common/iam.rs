//! IAM set-up through aws-sdk-iam that many tests share: users with an access key (alone or
//! beside a bucket to act on), managed policies, and the inline policies of users, groups and
//! roles.

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

/// Starts a server holding `bucket` with the empty object `a`, and the IAM user `user` with an
/// access key and no policy yet; the server and the user's S3 client.
pub async fn start_with_user(bucket: &str, user: &str) -> (Server, aws_sdk_s3::Client) {
    let (s, root) = Server::start_with_bucket(bucket).await;
    ok!(root.put_object().bucket(bucket).key("a"));
    let (_, key, secret) = new_user(&s, user).await;
    let client = s.s3_with(&key, &secret);
    (s, client)
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

/// A managed policy of the account named `name` with `doc` as its document; its ARN.
pub async fn managed_policy(iam: &Client, name: &str, doc: impl Into<String>) -> String {
    let p = ok!(iam.create_policy().policy_name(name).policy_document(doc));
    p.policy().unwrap().arn().unwrap().to_string()
}
