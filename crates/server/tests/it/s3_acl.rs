//! ACLs in access decisions, through the real SDK: grants to another account's canonical id
//! once Object Ownership enables ACLs, who owns what another account writes, ACLs disabled by
//! default, DeleteObjects refusing keys one by one, explicit Deny beating any grant, and
//! anonymous calls recorded for the bucket owner. Public access and Block Public Access are in
//! `s3_public_access`, which shares the accounts set up here.

use crate::common::{
    allow_all, assert_outcome, body_bytes, bucket_req, code, get_req, iam_user, lookup_by, ok,
    ownership, put_req, root_user, status, user_grant, Server,
};
use aws_sdk_s3::types::{
    AccessControlPolicy, BucketCannedAcl, Delete, ObjectCannedAcl, ObjectIdentifier,
    ObjectOwnership, Owner, Permission, PublicAccessBlockConfiguration,
};
use trailstack_server::config::canonical_id_for;

pub const A: &str = "111111111111";
pub const B: &str = "222222222222";

/// Account A (root, `amy` without policies) and account B (root, `carol` who may use any S3
/// resource her account is let into, `dave` without policies).
pub fn config() -> String {
    [
        root_user("AKROOTA", "root-a", A),
        iam_user("AKAMY", "amy", A, "amy", &[]),
        root_user("AKROOTB", "root-b", B),
        iam_user("AKCAROL", "carol", B, "carol", &[&allow_all(&["s3:*"])]),
        iam_user("AKDAVE", "dave", B, "dave", &[]),
    ]
    .concat()
}

pub struct Accounts {
    pub s: Server,
    pub root_a: aws_sdk_s3::Client,
    pub amy: aws_sdk_s3::Client,
    pub root_b: aws_sdk_s3::Client,
    pub carol: aws_sdk_s3::Client,
    pub dave: aws_sdk_s3::Client,
    pub anonymous: aws_sdk_s3::Client,
}

pub async fn start() -> Accounts {
    let s = Server::start_as(&config()).await;
    let anonymous = s.s3_anonymous();
    Accounts {
        root_a: s.s3_with("AKROOTA", "root-a"),
        amy: s.s3_with("AKAMY", "amy"),
        root_b: s.s3_with("AKROOTB", "root-b"),
        carol: s.s3_with("AKCAROL", "carol"),
        dave: s.s3_with("AKDAVE", "dave"),
        anonymous,
        s,
    }
}

/// The body of `bucket/key`, or `code status`.
pub async fn get(c: &aws_sdk_s3::Client, bucket: &str, key: &str) -> Result<Vec<u8>, String> {
    match get_req(c, bucket, key).send().await {
        Ok(out) => Ok(body_bytes(out).await),
        Err(e) => Err(format!("{} {}", code(&e), status(&e))),
    }
}

/// What a refused read answers.
pub const DENIED: &str = "AccessDenied 403";

/// What each (reader, key) of `tries` gets reading `bucket`: the body as text, or
/// `code status`.
pub async fn reads(bucket: &str, tries: &[(&aws_sdk_s3::Client, &str)]) -> Vec<String> {
    let mut got = Vec::new();
    for (c, key) in tries {
        got.push(match get(c, bucket, key).await {
            Ok(body) => String::from_utf8_lossy(&body).into_owned(),
            Err(e) => e,
        });
    }
    got
}

pub async fn put(c: &aws_sdk_s3::Client, bucket: &str, key: &str, acl: Option<ObjectCannedAcl>) {
    ok!(put_req(c, bucket, key, key.as_bytes()).set_acl(acl));
}

/// Creates `bucket` owned by A with `ownership`.
pub async fn bucket(a: &Accounts, bucket: &str, ownership: ObjectOwnership) {
    bucket_req(&a.root_a, bucket)
        .object_ownership(ownership)
        .send()
        .await
        .unwrap();
}

/// Sets the bucket's Block Public Access settings.
pub async fn block(
    c: &aws_sdk_s3::Client,
    bucket: &str,
    [acls, ignore, policy, restrict]: [bool; 4],
) {
    ok!(c
        .put_public_access_block()
        .bucket(bucket)
        .public_access_block_configuration(
            PublicAccessBlockConfiguration::builder()
                .block_public_acls(acls)
                .ignore_public_acls(ignore)
                .block_public_policy(policy)
                .restrict_public_buckets(restrict)
                .build(),
        ));
}

#[tokio::test]
async fn cross_account_access_by_acl_grants() {
    let a = start().await;
    let (id_a, id_b) = (canonical_id_for(A), canonical_id_for(B));
    bucket(&a, "acl-x", ObjectOwnership::ObjectWriter).await;
    put(&a.root_a, "acl-x", "k", None).await;
    let list = |c: &aws_sdk_s3::Client| c.list_objects_v2().bucket("acl-x");
    assert_outcome!(list(&a.root_b), "AccessDenied 403");
    assert_eq!(
        get(&a.root_b, "acl-x", "k").await.unwrap_err(),
        "AccessDenied 403"
    );

    // The bucket ACL lets B list (READ) and write (WRITE), by grant headers.
    a.root_a
        .put_bucket_acl()
        .bucket("acl-x")
        .grant_full_control(format!("id={id_a}"))
        .grant_read(format!("id=\"{id_b}\""))
        .grant_write(format!("id={id_b}"))
        .send()
        .await
        .unwrap();
    assert_outcome!(list(&a.root_b), "ok");
    assert_outcome!(list(&a.carol), "ok");
    // A grant to an account reaches its users only through their own policies.
    assert_outcome!(list(&a.dave), "AccessDenied 403");
    // The bucket's READ is no object's READ, nor its ACL's.
    assert_eq!(
        get(&a.root_b, "acl-x", "k").await.unwrap_err(),
        "AccessDenied 403"
    );
    let acl_of_k = |c: &aws_sdk_s3::Client| c.get_object_acl().bucket("acl-x").key("k");
    assert_outcome!(acl_of_k(&a.root_b), "AccessDenied 403");

    // The object ACL lets B read the object (an AccessControlPolicy document).
    a.root_a
        .put_object_acl()
        .bucket("acl-x")
        .key("k")
        .access_control_policy(
            AccessControlPolicy::builder()
                .owner(Owner::builder().id(&id_a).build())
                .grants(user_grant(&id_a, Permission::FullControl))
                .grants(user_grant(&id_b, Permission::Read))
                .build(),
        )
        .send()
        .await
        .unwrap();
    // A's own user still needs an identity policy: the owner's grant is the account's.
    assert_eq!(
        reads(
            "acl-x",
            &[
                (&a.root_b, "k"),
                (&a.carol, "k"),
                (&a.dave, "k"),
                (&a.amy, "k")
            ]
        )
        .await,
        ["k", "k", DENIED, DENIED]
    );
    let acl = ok!(a.root_a.get_object_acl().bucket("acl-x").key("k"));
    assert_eq!(acl.grants().len(), 2);

    // Under ObjectWriter what B writes is B's: A's bucket policy cannot open it, and A reads
    // it only when B's ACL lets A in.
    put(&a.carol, "acl-x", "from-b", None).await;
    let acl = ok!(a.root_b.get_object_acl().bucket("acl-x").key("from-b"));
    assert_eq!(acl.owner().unwrap().id(), Some(id_b.as_str()));
    assert_eq!(
        get(&a.root_a, "acl-x", "from-b").await.unwrap_err(),
        "AccessDenied 403"
    );
    put(
        &a.carol,
        "acl-x",
        "shared-b",
        Some(ObjectCannedAcl::BucketOwnerFullControl),
    )
    .await;
    assert_eq!(
        get(&a.root_a, "acl-x", "shared-b").await.unwrap(),
        b"shared-b"
    );
    // The bucket owner may still delete what others own.
    assert_outcome!(a.root_a.delete_object().bucket("acl-x").key("from-b"), "ok");

    // BucketOwnerPreferred: bucket-owner-full-control makes A the owner.
    a.root_a
        .put_bucket_ownership_controls()
        .bucket("acl-x")
        .ownership_controls(ownership(ObjectOwnership::BucketOwnerPreferred))
        .send()
        .await
        .unwrap();
    put(
        &a.carol,
        "acl-x",
        "given",
        Some(ObjectCannedAcl::BucketOwnerFullControl),
    )
    .await;
    let acl = ok!(a.root_a.get_object_acl().bucket("acl-x").key("given"));
    assert_eq!(acl.owner().unwrap().id(), Some(id_a.as_str()));

    // ACLs cannot be disabled while the bucket ACL grants others anything.
    let enforce = a
        .root_a
        .put_bucket_ownership_controls()
        .bucket("acl-x")
        .ownership_controls(ownership(ObjectOwnership::BucketOwnerEnforced));
    assert_outcome!(enforce, "InvalidBucketAclWithObjectOwnership 400");
}

#[tokio::test]
async fn acls_are_disabled_by_default() {
    let a = start().await;
    let id_b = canonical_id_for(B);
    a.root_a
        .create_bucket()
        .bucket("acl-off")
        .send()
        .await
        .unwrap();
    let own = ok!(a.root_a.get_bucket_ownership_controls().bucket("acl-off"));
    assert_eq!(
        own.ownership_controls().unwrap().rules()[0].object_ownership(),
        &ObjectOwnership::BucketOwnerEnforced
    );
    let pab = ok!(a.root_a.get_public_access_block().bucket("acl-off"));
    let pab = pab.public_access_block_configuration().unwrap();
    assert_eq!(
        [
            pab.block_public_acls(),
            pab.ignore_public_acls(),
            pab.block_public_policy(),
            pab.restrict_public_buckets()
        ],
        [Some(true); 4]
    );
    let grant_b = a
        .root_a
        .put_bucket_acl()
        .bucket("acl-off")
        .grant_read(format!("id={id_b}"));
    assert_outcome!(grant_b, "AccessControlListNotSupported 400");
    put(&a.root_a, "acl-off", "k", None).await;
    let public = a
        .root_a
        .put_object_acl()
        .bucket("acl-off")
        .key("k")
        .acl(ObjectCannedAcl::PublicRead);
    assert_outcome!(public, "AccessControlListNotSupported 400");
    let create = |bucket: &str| {
        bucket_req(&a.root_a, bucket).object_ownership(ObjectOwnership::ObjectWriter)
    };
    // A public ACL at creation breaks the Block Public Access a new bucket starts with.
    assert_outcome!(
        create("acl-born-public").acl(BucketCannedAcl::PublicRead),
        "InvalidBucketAclWithBlockPublicAccessError 400"
    );
    // Grant headers are set with PutBucketAcl, not at creation.
    assert_outcome!(
        create("acl-born-granted").grant_read(format!("id={id_b}")),
        "NotImplemented 501"
    );
}

#[tokio::test]
async fn delete_objects_refuses_keys_one_by_one() {
    let a = start().await;
    a.root_a
        .create_bucket()
        .bucket("del-some")
        .send()
        .await
        .unwrap();
    for key in ["a", "keep/b", "c"] {
        put(&a.root_a, "del-some", key, None).await;
    }
    a.root_a
        .put_bucket_policy()
        .bucket("del-some")
        .policy(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*",
                "Action":"s3:DeleteObject","Resource":"arn:aws:s3:::del-some/keep/*"}]}"#,
        )
        .send()
        .await
        .unwrap();
    let ids = ["a", "keep/b", "c"]
        .iter()
        .map(|k| ObjectIdentifier::builder().key(*k).build().unwrap())
        .collect();
    let out = ok!(a
        .root_a
        .delete_objects()
        .bucket("del-some")
        .delete(Delete::builder().set_objects(Some(ids)).build().unwrap()));
    let mut deleted: Vec<_> = out.deleted().iter().filter_map(|d| d.key()).collect();
    deleted.sort();
    assert_eq!(deleted, ["a", "c"]);
    let errors: Vec<_> = out
        .errors()
        .iter()
        .map(|e| (e.key().unwrap(), e.code().unwrap(), e.message().unwrap()))
        .collect();
    assert_eq!(errors, [("keep/b", "AccessDenied", "Access Denied")]);
    assert_eq!(
        get(&a.root_a, "del-some", "keep/b").await.unwrap(),
        b"keep/b"
    );
    assert_eq!(
        get(&a.root_a, "del-some", "a").await.unwrap_err(),
        "NoSuchKey 404"
    );
}

#[tokio::test]
async fn explicit_deny_beats_acl_grants() {
    let a = start().await;
    let id_b = canonical_id_for(B);
    bucket(&a, "acl-deny", ObjectOwnership::ObjectWriter).await;
    block(&a.root_a, "acl-deny", [false; 4]).await;
    put(
        &a.root_a,
        "acl-deny",
        "k",
        Some(ObjectCannedAcl::PublicRead),
    )
    .await;
    a.root_a
        .put_bucket_acl()
        .bucket("acl-deny")
        .grant_full_control(format!("id={}", canonical_id_for(A)))
        .grant_read(format!("id={id_b}"))
        .send()
        .await
        .unwrap();
    assert_eq!(get(&a.anonymous, "acl-deny", "k").await.unwrap(), b"k");
    assert_outcome!(a.root_b.list_objects_v2().bucket("acl-deny"), "ok");
    a.root_a
        .put_bucket_policy()
        .bucket("acl-deny")
        .policy(format!(
            r#"{{"Version":"2012-10-17","Statement":[
                {{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::acl-deny/k"}},
                {{"Effect":"Deny","Principal":{{"AWS":"{B}"}},"Action":"s3:ListBucket","Resource":"arn:aws:s3:::acl-deny"}}]}}"#
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        reads("acl-deny", &[(&a.anonymous, "k"), (&a.carol, "k")]).await,
        [DENIED, DENIED]
    );
    assert_outcome!(
        a.root_b.list_objects_v2().bucket("acl-deny"),
        "AccessDenied 403"
    );
}

#[tokio::test]
async fn anonymous_calls_are_recorded_for_the_bucket_owner() {
    let a = start().await;
    bucket(&a, "acl-rec", ObjectOwnership::ObjectWriter).await;
    block(&a.root_a, "acl-rec", [false; 4]).await;
    a.root_a
        .put_bucket_acl()
        .bucket("acl-rec")
        .grant_full_control(format!("id={}", canonical_id_for(A)))
        .grant_read_acp("uri=http://acs.amazonaws.com/groups/global/AllUsers")
        .send()
        .await
        .unwrap();
    let acl = ok!(a.anonymous.get_bucket_acl().bucket("acl-rec"));
    assert_eq!(acl.grants().len(), 2);
    let ct = a.s.cloudtrail_with("AKROOTA", "root-a");
    let records = lookup_by(
        &ct,
        aws_sdk_cloudtrail::types::LookupAttributeKey::EventName,
        "GetBucketAcl",
    )
    .await;
    assert_eq!(records.len(), 1, "{records:#?}");
    assert_eq!(records[0]["userIdentity"]["type"], "AWSAccount");
    assert_eq!(records[0]["userIdentity"]["accountId"], "anonymous");
    assert_eq!(records[0]["recipientAccountId"], A);
}
