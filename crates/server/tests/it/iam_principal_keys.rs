//! The principal condition keys (`aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:PrincipalType`,
//! `aws:userid`, `aws:username`) as bucket policies and key policies read them, for an account's
//! root and for IAM users made through IAM, all through the AWS SDK for Rust.

use crate::common::{
    assert_fails, delete_key, get_out, get_req, new_user, put_bytes, put_req, Server,
};
use aws_sdk_kms::primitives::Blob;

const ALICE: &str = "arn:aws:iam::000000000000:user/alice";

#[tokio::test]
async fn bucket_policies_read_the_principal_keys() {
    let s = Server::start().await;
    let root = s.with_bucket("pkeys").await;
    let (alice_id, ak, asecret) = new_user(&s, "alice").await;
    let (_, bk, bsecret) = new_user(&s, "bob").await;
    assert!(alice_id.starts_with("AIDA"), "{alice_id}");
    let policy = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "AliceByArn", "Effect": "Allow", "Principal": "*",
             "Action": ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"], "Resource": "arn:aws:s3:::pkeys/*",
             "Condition": {"ArnEquals": {"aws:PrincipalArn": ALICE}}},
            {"Sid": "AccountLists", "Effect": "Allow", "Principal": "*",
             "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::pkeys",
             "Condition": {"StringEquals": {"aws:PrincipalAccount": "000000000000",
                                            "aws:PrincipalType": "User"}}},
            {"Sid": "OnlyAliceDeletes", "Effect": "Deny", "Principal": "*",
             "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::pkeys/*",
             "Condition": {"StringNotEquals": {"aws:userid": alice_id}}},
            {"Sid": "NoRootInUsers", "Effect": "Deny", "Principal": "*",
             "Action": "s3:PutObject", "Resource": "arn:aws:s3:::pkeys/users/*",
             "Condition": {"StringEquals": {"aws:PrincipalType": "Account"}}},
            {"Sid": "HomeByName", "Effect": "Allow", "Principal": "*",
             "Action": "s3:PutObject", "Resource": "arn:aws:s3:::pkeys/home/${aws:username}/*",
             "Condition": {"StringEquals": {"aws:PrincipalAccount": "000000000000"}}}
        ]
    });
    root.put_bucket_policy()
        .bucket("pkeys")
        .policy(policy.to_string())
        .send()
        .await
        .unwrap();
    let alice = s.s3_with(&ak, &asecret);
    let bob = s.s3_with(&bk, &bsecret);

    // aws:PrincipalArn names alice alone.
    for key in ["a", "users/a"] {
        let put = put_req(&alice, "pkeys", key, b"");
        put.send().await.unwrap();
    }
    get_out(&alice, "pkeys", "a").await;
    assert_fails!(put_req(&bob, "pkeys", "b", b""), "AccessDenied");
    assert_fails!(get_req(&bob, "pkeys", "a"), "AccessDenied");
    // aws:PrincipalAccount and aws:PrincipalType "User": both users of the account list.
    for c in [&alice, &bob] {
        c.list_objects_v2().bucket("pkeys").send().await.unwrap();
    }
    // aws:userid: an IAM user's is its unique id, the root's its account; only alice's passes.
    assert_fails!(
        root.delete_object().bucket("pkeys").key("a"),
        "AccessDenied"
    );
    delete_key(&alice, "pkeys", "a").await;
    // aws:PrincipalType "Account" is the root user.
    assert_fails!(put_req(&root, "pkeys", "users/r", b""), "AccessDenied");
    put_bytes(&root, "pkeys", "r", b"").await;
    // ${aws:username}: each user writes under its own name only; the root has none.
    put_bytes(&bob, "pkeys", "home/bob/x", b"").await;
    assert_fails!(put_req(&bob, "pkeys", "home/alice/x", b""), "AccessDenied");
}

#[tokio::test]
async fn key_policies_read_the_principal_keys() {
    let s = Server::start().await;
    let (_, ak, asecret) = new_user(&s, "alice").await;
    let (bob_id, bk, bsecret) = new_user(&s, "bob").await;
    let policy = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Admin", "Effect": "Allow",
             "Principal": {"AWS": "arn:aws:iam::000000000000:root"},
             "Action": "kms:*", "Resource": "*"},
            {"Sid": "UsersEncrypt", "Effect": "Allow", "Principal": {"AWS": "*"},
             "Action": "kms:Encrypt", "Resource": "*",
             "Condition": {"StringEquals": {"aws:PrincipalAccount": "000000000000",
                                            "aws:PrincipalType": "User"}}},
            {"Sid": "NotBob", "Effect": "Deny", "Principal": {"AWS": "*"},
             "Action": "kms:Encrypt", "Resource": "*",
             "Condition": {"StringEquals": {"aws:userid": bob_id}}},
            {"Sid": "AliceDecrypts", "Effect": "Allow", "Principal": {"AWS": "*"},
             "Action": "kms:Decrypt", "Resource": "*",
             "Condition": {"StringEquals": {"aws:username": "alice"},
                           "ArnEquals": {"aws:PrincipalArn": ALICE}}},
            {"Sid": "RootDoesNotEncrypt", "Effect": "Deny", "Principal": {"AWS": "*"},
             "Action": "kms:Encrypt", "Resource": "*",
             "Condition": {"StringEquals": {"aws:PrincipalType": "Account",
                                            "aws:userid": "000000000000"}}}
        ]
    });
    let root = s.kms();
    let key = root
        .create_key()
        .policy(policy.to_string())
        .send()
        .await
        .unwrap();
    let key_id = key.key_metadata().unwrap().key_id().to_string();
    let alice = s.kms_with(&ak, &asecret);
    let bob = s.kms_with(&bk, &bsecret);
    let sealed = alice
        .encrypt()
        .key_id(&key_id)
        .plaintext(Blob::new("x"))
        .send()
        .await
        .unwrap();
    let blob = sealed.ciphertext_blob().unwrap().clone();
    let plain = alice.decrypt().ciphertext_blob(blob.clone()).send().await;
    assert_eq!(plain.unwrap().plaintext().unwrap().as_ref(), b"x");
    let encrypt = |c: &aws_sdk_kms::Client| c.encrypt().key_id(&key_id).plaintext(Blob::new("x"));
    assert_fails!(encrypt(&bob), "AccessDeniedException");
    assert_fails!(encrypt(&root), "AccessDeniedException");
    assert_fails!(
        bob.decrypt().ciphertext_blob(blob.clone()),
        "AccessDeniedException"
    );
    // The root's own rights on the key stand where no condition denies them.
    root.decrypt().ciphertext_blob(blob).send().await.unwrap();
}
