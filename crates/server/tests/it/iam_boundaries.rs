//! Permissions boundaries through the AWS SDK for Rust: Put/DeleteUserPermissionsBoundary and the
//! role forms, PermissionsBoundary on CreateUser and CreateRole, shown by GetUser and GetRole and
//! counted by GetPolicy; and their effect as AWS evaluates them: a user's identity policies grant
//! only what the boundary also allows, an explicit deny in the boundary denies, and a resource
//! policy naming the user itself grants beside the boundary within the account (S3 and KMS).

use crate::common::{
    access_key, assert_fails, get_out, get_req, managed_policy, new_user, ok, put_req,
    put_user_policy, Server,
};
use aws_sdk_kms::primitives::Blob;

const USER_ARN: &str = "arn:aws:iam::000000000000:user/bounded";

const READ_ONLY: &str = r#"{"Version":"2012-10-17","Statement":[
    {"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket","kms:Decrypt"],"Resource":"*"},
    {"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::bounds/secret"}]}"#;
const ALLOW_ALL: &str = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["s3:*","kms:*"],"Resource":"*"}}"#;

#[tokio::test]
async fn a_boundary_caps_identity_policies_but_not_grants_naming_the_user() {
    let s = Server::start().await;
    let root = s.with_bucket("bounds").await;
    for k in ["a", "secret", "direct/a"] {
        ok!(put_req(&root, "bounds", k, b""));
    }
    let (_, key, secret) = new_user(&s, "bounded").await;
    let iam = s.iam();
    put_user_policy(&iam, "bounded", "all", ALLOW_ALL).await;
    let bound = managed_policy(&s.iam(), "read-only", READ_ONLY).await;
    let user = s.s3_with(&key, &secret);
    ok!(put_req(&user, "bounds", "before", b""));

    ok!(iam
        .put_user_permissions_boundary()
        .user_name("bounded")
        .permissions_boundary(&bound));
    let got = ok!(iam.get_user().user_name("bounded"));
    let pb = got.user().unwrap().permissions_boundary().unwrap();
    assert_eq!(pb.permissions_boundary_arn(), Some(bound.as_str()));
    assert_eq!(
        pb.permissions_boundary_type().map(|t| t.as_str()),
        Some("Policy")
    );
    let policy = ok!(iam.get_policy().policy_arn(&bound));
    assert_eq!(
        policy.policy().unwrap().permissions_boundary_usage_count(),
        Some(1)
    );

    // Identity policies allow everything; the boundary lets only reads through.
    get_out(&user, "bounds", "a").await;
    assert_fails!(put_req(&user, "bounds", "after", b""), "AccessDenied");
    // An explicit deny in the boundary denies.
    assert_fails!(get_req(&user, "bounds", "secret"), "AccessDenied");
    // A bucket policy naming the user grants beside the boundary; one naming the account is a
    // delegation to identity policies, which the boundary caps.
    let bucket_policy = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": USER_ARN}, "Action": "s3:PutObject",
             "Resource": "arn:aws:s3:::bounds/direct/*"},
            {"Effect": "Allow", "Principal": {"AWS": "000000000000"}, "Action": "s3:PutObject",
             "Resource": "arn:aws:s3:::bounds/account/*"},
            {"Effect": "Allow", "Principal": {"AWS": USER_ARN}, "Action": "s3:GetObject",
             "Resource": "arn:aws:s3:::bounds/secret"}
        ]
    });
    ok!(root
        .put_bucket_policy()
        .bucket("bounds")
        .policy(bucket_policy.to_string()));
    ok!(put_req(&user, "bounds", "direct/b", b""));
    assert_fails!(put_req(&user, "bounds", "account/b", b""), "AccessDenied");
    assert_fails!(
        get_req(&user, "bounds", "secret"),
        "AccessDenied",
        "the boundary's explicit deny wins over the grant naming the user"
    );

    // The policy cannot be deleted while it bounds a user.
    assert_fails!(iam.delete_policy().policy_arn(&bound), "DeleteConflict");
    ok!(iam.delete_user_permissions_boundary().user_name("bounded"));
    ok!(put_req(&user, "bounds", "account/c", b""));
    let got = ok!(iam.get_user().user_name("bounded"));
    assert!(got.user().unwrap().permissions_boundary().is_none());

    assert_fails!(
        iam.put_user_permissions_boundary()
            .user_name("bounded")
            .permissions_boundary("arn:aws:iam::000000000000:policy/absent"),
        "NoSuchEntity"
    );
    assert_fails!(
        iam.put_user_permissions_boundary()
            .user_name("nobody")
            .permissions_boundary(&bound),
        "NoSuchEntity"
    );
}

#[tokio::test]
async fn boundaries_on_create_and_on_key_policies() {
    let s = Server::start().await;
    let iam = s.iam();
    let bound = managed_policy(&s.iam(), "decrypt-only", READ_ONLY).await;
    let made = ok!(iam
        .create_user()
        .user_name("bounded")
        .permissions_boundary(&bound));
    let pb = made.user().unwrap().permissions_boundary().unwrap();
    assert_eq!(pb.permissions_boundary_arn(), Some(bound.as_str()));
    assert_fails!(
        iam.create_user()
            .user_name("unbound")
            .permissions_boundary("arn:aws:iam::000000000000:policy/absent"),
        "NoSuchEntity"
    );
    assert_fails!(iam.get_user().user_name("unbound"), "NoSuchEntity");
    let trust = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"sts:AssumeRole"}}"#;
    ok!(iam
        .create_role()
        .role_name("bounded-role")
        .assume_role_policy_document(trust)
        .permissions_boundary(&bound));
    let role = ok!(iam.get_role().role_name("bounded-role"));
    let pb = role.role().unwrap().permissions_boundary().unwrap();
    assert_eq!(pb.permissions_boundary_arn(), Some(bound.as_str()));
    let policy = ok!(iam.get_policy().policy_arn(&bound));
    assert_eq!(
        policy.policy().unwrap().permissions_boundary_usage_count(),
        Some(2)
    );
    ok!(iam
        .delete_role_permissions_boundary()
        .role_name("bounded-role"));
    let role = ok!(iam.get_role().role_name("bounded-role"));
    assert!(role.role().unwrap().permissions_boundary().is_none());

    // KMS: the key policy delegates to the account; identity policies allow kms:*, the
    // boundary only kms:Decrypt; a key-policy statement naming the user grants Encrypt beside it.
    let ak = access_key(&iam, "bounded").await;
    put_user_policy(&iam, "bounded", "all", ALLOW_ALL).await;
    let kms = s.kms();
    let key = ok!(kms.create_key());
    let key_id = key.key_metadata().unwrap().key_id().to_string();
    let user = s.kms_with(ak.access_key_id(), ak.secret_access_key());
    let sealed = ok!(kms.encrypt().key_id(&key_id).plaintext(Blob::new("x")));
    let blob = sealed.ciphertext_blob().unwrap().clone();
    ok!(user.decrypt().ciphertext_blob(blob));
    let encrypt = || user.encrypt().key_id(&key_id).plaintext(Blob::new("y"));
    assert_fails!(encrypt(), "AccessDeniedException");
    let key_policy = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Admin", "Effect": "Allow",
             "Principal": {"AWS": "arn:aws:iam::000000000000:root"},
             "Action": "kms:*", "Resource": "*"},
            {"Sid": "User", "Effect": "Allow", "Principal": {"AWS": USER_ARN},
             "Action": "kms:Encrypt", "Resource": "*"}
        ]
    });
    ok!(kms
        .put_key_policy()
        .key_id(&key_id)
        .policy(key_policy.to_string()));
    ok!(encrypt());
}
