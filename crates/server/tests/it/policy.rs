//! Policies enforced end to end: two accounts whose users carry inline identity policies and
//! bucket policies, through the real SDK clients and CloudTrail's `ObjectWriter` port. Each
//! denial is checked for AWS's error code and message shape. Key policies are in
//! `policy_key_policies`, which starts the same accounts.

use crate::common::{
    assert_fails, body_bytes, code, delete_key, err, get_req, iam_user, message, ok, put_policy,
    put_req, root_user, status, KmsKeyed, Server,
};
use aws_sdk_s3::types::ServerSideEncryption as Sse;
use std::collections::BTreeMap;
use trailstack_core::{
    AccountId, Caller, ObjectError, ObjectWriter, PutObjectRequest, PutObjectResult, WriterSse,
};

pub const A: &str = "111111111111";
pub const B: &str = "222222222222";

/// Account A (root, the security user `alice`, the limited user `bob`) and account B (root,
/// `carol` who may read A's shared bucket, `dave` with no policy).
pub fn config() -> String {
    // Alice's policy is written as a TOML table, which the configuration accepts too.
    let alice = r#"[[users]]
access_key = "AKALICE"
secret_key = "alice"
account_id = "111111111111"
user_name = "alice"
policies = [
  { Version = "2012-10-17", Statement = [
      { Effect = "Allow", Action = ["s3:*", "kms:*"], Resource = "*" },
      { Effect = "Deny", Action = "s3:DeleteBucket", Resource = "*" } ] },
]

"#;
    let bob = r#"{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
   "Resource": "arn:aws:s3:::home/${aws:username}/*"},
  {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::home",
   "Condition": {"StringLike": {"s3:prefix": "${aws:username}/*"}}},
  {"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}"#;
    let carol = r#"{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared-a/*"},
  {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]}"#;
    [
        root_user("AKROOTA", "root-a", A),
        alice.to_string(),
        iam_user("AKBOB", "bob", A, "bob", &[bob]),
        root_user("AKROOTB", "root-b", B),
        iam_user("AKCAROL", "carol", B, "carol", &[carol]),
        iam_user("AKDAVE", "dave", B, "dave", &[]),
    ]
    .concat()
}

pub async fn start() -> Server {
    Server::start_as(&config()).await
}

pub async fn put(c: &aws_sdk_s3::Client, bucket: &str, key: &str) -> Result<(), String> {
    put_req(c, bucket, key, b"data")
        .send()
        .await
        .map(|_| ())
        .map_err(|e| format!("{} {}", code(&e), message(&e)))
}

pub async fn get(c: &aws_sdk_s3::Client, bucket: &str, key: &str) -> Result<Vec<u8>, String> {
    match get_req(c, bucket, key).send().await {
        Ok(out) => Ok(body_bytes(out).await),
        Err(e) => Err(format!("{} {}", code(&e), message(&e))),
    }
}

#[tokio::test]
async fn bucket_policy_refuses_uploads_without_sse_kms() {
    let s = start().await;
    let root = s.s3_with("AKROOTA", "root-a");
    root.create_bucket().bucket("enc").send().await.unwrap();
    put_policy(
        &root,
        "enc",
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"DenyUnencrypted","Effect":"Deny","Principal":"*",
            "Action":"s3:PutObject","Resource":"arn:aws:s3:::enc/*",
            "Condition":{"StringNotEquals":{"s3:x-amz-server-side-encryption":"aws:kms"}}}]}"#,
    )
    .await;
    let err = err!(put_req(&root, "enc", "plain", b"x"));
    assert_eq!((code(&err).as_str(), status(&err)), ("AccessDenied", 403));
    assert_eq!(
        message(&err),
        format!("User: arn:aws:iam::{A}:root is not authorized to perform: s3:PutObject on resource: \"arn:aws:s3:::enc/plain\" with an explicit deny in a resource-based policy")
    );
    // SSE-S3 is not SSE-KMS either.
    assert_fails!(
        put_req(&root, "enc", "aes", b"x").server_side_encryption(Sse::Aes256),
        "AccessDenied"
    );
    let ok = ok!(put_req(&root, "enc", "kms", b"x").server_side_encryption(Sse::AwsKms));
    assert_eq!(ok.server_side_encryption(), Some(&Sse::AwsKms));
    assert_eq!(get(&root, "enc", "kms").await.unwrap(), b"x");
    // The owner's root keeps its policy rights even under a Deny on everything.
    put_policy(
        &root,
        "enc",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::enc","arn:aws:s3:::enc/*"]}]}"#,
    )
    .await;
    assert!(get(&root, "enc", "kms")
        .await
        .unwrap_err()
        .starts_with("AccessDenied"));
    ok!(root.delete_bucket_policy().bucket("enc"));
    assert_eq!(get(&root, "enc", "kms").await.unwrap(), b"x");
}

pub fn cloudtrail(trail: &str) -> Caller {
    Caller::service(
        AccountId::parse(A).unwrap(),
        "cloudtrail.amazonaws.com",
        "us-east-1",
        "policy-test".into(),
    )
    .for_source(trail)
}

pub fn log_file(bucket: &str) -> PutObjectRequest {
    PutObjectRequest {
        bucket: bucket.into(),
        key: format!("AWSLogs/{A}/CloudTrail/us-east-1/2026/11/28/f.json.gz"),
        body: b"{}".to_vec(),
        content_type: None,
        content_encoding: None,
        acl: Some("bucket-owner-full-control".into()),
        sse: WriterSse::S3,
        metadata: BTreeMap::new(),
    }
}

/// What trail `trail` writing `file` through `writer` gets.
async fn deliver(
    writer: &dyn ObjectWriter,
    trail: &str,
    file: PutObjectRequest,
) -> Result<PutObjectResult, ObjectError> {
    writer.put_object(&cloudtrail(trail), file).await
}

#[tokio::test]
async fn log_archive_bucket_only_cloudtrail_may_write() {
    let s = start().await;
    let root = s.s3_with("AKROOTA", "root-a");
    root.create_bucket().bucket("logs").send().await.unwrap();
    let writer: &dyn ObjectWriter = &s.app.s3;
    let trail = format!("arn:aws:cloudtrail:us-east-1:{A}:trail/main");
    // No bucket policy: a service principal has nothing.
    let err = deliver(writer, &trail, log_file("logs")).await.unwrap_err();
    assert_eq!(err.code, "AccessDenied");
    put_policy(
        &root,
        "logs",
        &format!(
            r#"{{"Version":"2012-10-17","Statement":[
            {{"Sid":"AWSCloudTrailWrite20150319","Effect":"Allow","Principal":{{"Service":"cloudtrail.amazonaws.com"}},
              "Action":"s3:PutObject","Resource":"arn:aws:s3:::logs/AWSLogs/{A}/*",
              "Condition":{{"StringEquals":{{"s3:x-amz-acl":"bucket-owner-full-control","aws:SourceArn":"{trail}"}}}}}},
            {{"Sid":"OnlyCloudTrailWrites","Effect":"Deny","Principal":"*","Action":"s3:PutObject",
              "Resource":"arn:aws:s3:::logs/*",
              "Condition":{{"StringNotEquals":{{"aws:PrincipalServiceName":"cloudtrail.amazonaws.com"}}}}}}]}}"#
        ),
    )
    .await;
    deliver(writer, &trail, log_file("logs")).await.unwrap();
    // Another trail, or the wrong ACL, is not the one the policy names.
    let other = format!("arn:aws:cloudtrail:us-east-1:{A}:trail/other");
    let err = deliver(writer, &other, log_file("logs")).await.unwrap_err();
    assert_eq!(err.code, "AccessDenied");
    let mut no_acl = log_file("logs");
    no_acl.acl = None;
    let err = deliver(writer, &trail, no_acl).await.unwrap_err();
    assert_eq!(err.code, "AccessDenied");
    // Not even the bucket owner's root may write; it may still read what CloudTrail wrote.
    let e = put(&root, "logs", "AWSLogs/x").await.unwrap_err();
    assert!(
        e.contains("with an explicit deny in a resource-based policy"),
        "{e}"
    );
    let key = format!("AWSLogs/{A}/CloudTrail/us-east-1/2026/11/28/f.json.gz");
    assert_eq!(get(&root, "logs", &key).await.unwrap(), b"{}");
}

#[tokio::test]
async fn user_limited_to_its_username_prefix() {
    let s = start().await;
    let root = s.s3_with("AKROOTA", "root-a");
    root.create_bucket().bucket("home").send().await.unwrap();
    let bob = s.s3_with("AKBOB", "bob");
    put(&bob, "home", "bob/notes.txt").await.unwrap();
    assert_eq!(get(&bob, "home", "bob/notes.txt").await.unwrap(), b"data");
    put(&root, "home", "alice/secret.txt").await.unwrap();
    let e = get(&bob, "home", "alice/secret.txt").await.unwrap_err();
    assert_eq!(
        e,
        format!("AccessDenied User: arn:aws:iam::{A}:user/bob is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::home/alice/secret.txt\" because no identity-based policy allows the s3:GetObject action")
    );
    assert!(put(&bob, "home", "alice/x")
        .await
        .unwrap_err()
        .starts_with("AccessDenied"));
    let listed = ok!(bob.list_objects_v2().bucket("home").prefix("bob/"));
    assert_eq!(listed.key_count(), Some(1));
    assert_fails!(
        bob.list_objects_v2().bucket("home").prefix("alice/"),
        "AccessDenied"
    );
    // Nothing else: no bucket settings, no other bucket, no bucket listing.
    assert_fails!(bob.get_bucket_policy().bucket("home"), "AccessDenied");
    let err = bob.list_buckets().send().await.unwrap_err();
    assert_eq!(
        message(&err),
        format!("User: arn:aws:iam::{A}:user/bob is not authorized to perform: s3:ListAllMyBuckets because no identity-based policy allows the s3:ListAllMyBuckets action")
    );
    // A missing key: bob may list his own prefix, so he learns it is missing; outside it he
    // may not list, so AccessDenied hides whether it exists.
    let e = get(&bob, "home", "bob/missing").await.unwrap_err();
    assert!(e.starts_with("NoSuchKey"), "{e}");
    let e = get(&bob, "home", "alice/missing").await.unwrap_err();
    assert!(e.starts_with("AccessDenied"), "{e}");
    assert!(get(&root, "home", "bob/missing")
        .await
        .unwrap_err()
        .starts_with("NoSuchKey"));

    // An SSE-KMS object in bob's prefix under a key whose policy does not delegate to the
    // account: bob's kms:* identity policy does not help.
    let root_kms = s.kms_with("AKROOTA", "root-a");
    let key = ok!(root_kms.create_key().policy(format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{A}:root"}},"Action":"kms:*","Resource":"*"}}]}}"#
    )))
    .key_metadata
    .unwrap()
    .arn
    .unwrap();
    root_kms
        .put_key_policy()
        .key_id(&key)
        .policy(format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{A}:user/alice"}},"Action":"kms:*","Resource":"*"}}]}}"#
        ))
        .bypass_policy_lockout_safety_check(true)
        .send()
        .await
        .unwrap();
    let alice = s.s3_with("AKALICE", "alice");
    ok!(put_req(&alice, "home", "bob/sealed", b"sealed").kms_key(&key));
    assert_eq!(get(&alice, "home", "bob/sealed").await.unwrap(), b"sealed");
    let e = get(&bob, "home", "bob/sealed").await.unwrap_err();
    assert_eq!(
        e,
        format!("AccessDenied User: arn:aws:iam::{A}:user/bob is not authorized to perform: kms:Decrypt on resource: {key} because no resource-based policy allows the kms:Decrypt action")
    );
}

#[tokio::test]
async fn cross_account_read_needs_bucket_policy_and_identity_policy() {
    let s = start().await;
    let root_a = s.s3_with("AKROOTA", "root-a");
    ok!(root_a.create_bucket().bucket("shared-a"));
    put(&root_a, "shared-a", "doc").await.unwrap();
    let kms_a = s.kms_with("AKROOTA", "root-a");
    let key = ok!(kms_a.create_key()).key_metadata.unwrap().arn.unwrap();
    ok!(put_req(&root_a, "shared-a", "sealed", b"sealed").kms_key(&key));
    let carol = s.s3_with("AKCAROL", "carol");
    let dave = s.s3_with("AKDAVE", "dave");
    // No bucket policy: the identity policy alone does not open another account's bucket.
    assert_eq!(
        get(&carol, "shared-a", "doc").await.unwrap_err(),
        "AccessDenied Access Denied"
    );
    put_policy(
        &root_a,
        "shared-a",
        &format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{B}:root"}},"Action":"s3:GetObject","Resource":"arn:aws:s3:::shared-a/*"}}]}}"#
        ),
    )
    .await;
    assert_eq!(get(&carol, "shared-a", "doc").await.unwrap(), b"data");
    // The bucket policy alone does not open it to a user of B without an identity policy.
    assert_eq!(
        get(&dave, "shared-a", "doc").await.unwrap_err(),
        "AccessDenied Access Denied"
    );
    // B's root is named by the policy and holds every right of its account.
    assert_eq!(
        get(&s.s3_with("AKROOTB", "root-b"), "shared-a", "doc")
            .await
            .unwrap(),
        b"data"
    );
    // Nothing but GetObject.
    assert!(put(&carol, "shared-a", "x")
        .await
        .unwrap_err()
        .starts_with("AccessDenied"));
    // SSE-KMS: A's key policy must allow B to decrypt too.
    let e = get(&carol, "shared-a", "sealed").await.unwrap_err();
    assert!(
        e.starts_with(&format!("AccessDenied User: arn:aws:iam::{B}:user/carol is not authorized to perform: kms:Decrypt on resource: {key}")),
        "{e}"
    );
    kms_a
        .put_key_policy()
        .key_id(&key)
        .policy(format!(
            r#"{{"Version":"2012-10-17","Statement":[
              {{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{A}:root"}},"Action":"kms:*","Resource":"*"}},
              {{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{B}:root"}},"Action":"kms:Decrypt","Resource":"*"}}]}}"#
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(get(&carol, "shared-a", "sealed").await.unwrap(), b"sealed");
}

#[tokio::test]
async fn ip_address_conditions() {
    let s = start().await;
    let root = s.s3_with("AKROOTA", "root-a");
    root.create_bucket().bucket("ips").send().await.unwrap();
    put(&root, "ips", "k").await.unwrap();
    let deny_if = |op: &str, cidr: &str| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::ips/*","Condition":{{"{op}":{{"aws:SourceIp":"{cidr}"}}}}}}]}}"#
        )
    };
    put_policy(&root, "ips", &deny_if("NotIpAddress", "127.0.0.1/32")).await;
    assert_eq!(get(&root, "ips", "k").await.unwrap(), b"data");
    put_policy(&root, "ips", &deny_if("IpAddress", "127.0.0.0/8")).await;
    assert!(get(&root, "ips", "k")
        .await
        .unwrap_err()
        .starts_with("AccessDenied"));
    put_policy(&root, "ips", &deny_if("IpAddress", "10.0.0.0/8")).await;
    assert_eq!(get(&root, "ips", "k").await.unwrap(), b"data");
}

#[tokio::test]
async fn deny_wins_over_allow() {
    let s = start().await;
    let root = s.s3_with("AKROOTA", "root-a");
    ok!(root.create_bucket().bucket("deny-wins"));
    let alice = s.s3_with("AKALICE", "alice");
    put(&alice, "deny-wins", "k").await.unwrap();
    put_policy(
        &root,
        "deny-wins",
        &format!(
            r#"{{"Version":"2012-10-17","Statement":[
              {{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{A}:user/alice"}},"Action":"s3:*","Resource":"arn:aws:s3:::deny-wins/*"}},
              {{"Effect":"Deny","Principal":{{"AWS":"arn:aws:iam::{A}:user/alice"}},"Action":"s3:DeleteObject","Resource":"arn:aws:s3:::deny-wins/*"}}]}}"#
        ),
    )
    .await;
    let err = err!(alice.delete_object().bucket("deny-wins").key("k"));
    assert_eq!(
        message(&err),
        format!("User: arn:aws:iam::{A}:user/alice is not authorized to perform: s3:DeleteObject on resource: \"arn:aws:s3:::deny-wins/k\" with an explicit deny in a resource-based policy")
    );
    // Her own identity policy denies DeleteBucket though it allows s3:*.
    ok!(root.delete_bucket_policy().bucket("deny-wins"));
    delete_key(&root, "deny-wins", "k").await;
    let err = err!(alice.delete_bucket().bucket("deny-wins"));
    assert_eq!(
        message(&err),
        format!("User: arn:aws:iam::{A}:user/alice is not authorized to perform: s3:DeleteBucket on resource: \"arn:aws:s3:::deny-wins\" with an explicit deny in an identity-based policy")
    );
    ok!(root.delete_bucket().bucket("deny-wins"));
}
