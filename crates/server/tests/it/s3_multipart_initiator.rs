//! Who may abort a multipart upload and list its parts, as S3 documents ("Multipart upload API
//! and permissions"): the bucket owner, the upload's initiator, and the account of an IAM user
//! who initiated it, by default; anyone else only through a policy; an explicit Deny still
//! wins. Here account B writes into account A's bucket through an ACL WRITE grant.

use crate::common::{
    allow_all, assert_outcome, bucket_req, create_upload_req, iam_user, ok, root_user, Server,
};
use aws_sdk_s3::types::ObjectOwnership;
use trailstack_server::config::canonical_id_for;

const B: &str = "222222222222";

/// Account A (root), account B (root, `carol` who may use any S3 resource her account is let
/// into, `dave` likewise).
fn config() -> String {
    let s3 = allow_all(&["s3:*"]);
    [
        root_user("AKROOTA", "root-a", "111111111111"),
        root_user("AKROOTB", "root-b", B),
        iam_user("AKCAROL", "carol", B, "carol", &[&s3]),
        iam_user("AKDAVE", "dave", B, "dave", &[&s3]),
    ]
    .concat()
}

#[tokio::test]
async fn initiator_may_abort_and_list_parts() {
    let s = Server::start_as(&config()).await;
    let root_a = s.s3_with("AKROOTA", "root-a");
    let root_b = s.s3_with("AKROOTB", "root-b");
    let carol = s.s3_with("AKCAROL", "carol");
    let dave = s.s3_with("AKDAVE", "dave");
    ok!(bucket_req(&root_a, "mpu-x").object_ownership(ObjectOwnership::ObjectWriter));
    ok!(root_a
        .put_bucket_acl()
        .bucket("mpu-x")
        .grant_full_control(format!("id={}", canonical_id_for("111111111111")))
        .grant_write(format!("id={}", canonical_id_for(B))));
    let create = |c: &aws_sdk_s3::Client, key: &str| {
        let c = c.clone();
        let key = key.to_string();
        async move {
            ok!(create_upload_req(&c, "mpu-x", key))
                .upload_id()
                .unwrap()
                .to_string()
        }
    };
    let abort = |c: &aws_sdk_s3::Client, key: &str, id: &str| {
        c.abort_multipart_upload()
            .bucket("mpu-x")
            .key(key)
            .upload_id(id)
    };
    let parts = |c: &aws_sdk_s3::Client, key: &str, id: &str| {
        c.list_parts().bucket("mpu-x").key(key).upload_id(id)
    };

    // Carol's upload: she and her account's root may list and abort it, another user of
    // her account may not (the ACL grants B only s3:PutObject).
    let mine = create(&carol, "carol").await;
    assert_outcome!(parts(&carol, "carol", &mine), "ok");
    assert_outcome!(parts(&root_b, "carol", &mine), "ok");
    assert_outcome!(parts(&dave, "carol", &mine), "AccessDenied 403");
    assert_outcome!(abort(&dave, "carol", &mine), "AccessDenied 403");
    assert_outcome!(abort(&carol, "carol", &mine), "ok");
    let again = create(&carol, "carol").await;
    assert_outcome!(abort(&root_b, "carol", &again), "ok");

    // The bucket owner's upload is not B's to abort or list.
    let owners = create(&root_a, "a").await;
    assert_outcome!(parts(&carol, "a", &owners), "AccessDenied 403");
    assert_outcome!(abort(&root_b, "a", &owners), "AccessDenied 403");
    // The bucket owner may abort anyone's upload.
    let third = create(&carol, "c3").await;
    assert_outcome!(abort(&root_a, "c3", &third), "ok");

    // An explicit Deny in the bucket policy beats the initiator's default.
    let denied = create(&carol, "carol").await;
    root_a
        .put_bucket_policy()
        .bucket("mpu-x")
        .policy(format!(
            r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Deny",
                "Principal": {{"AWS": "arn:aws:iam::{B}:user/carol"}},
                "Action": "s3:AbortMultipartUpload", "Resource": "arn:aws:s3:::mpu-x/*"}}]}}"#
        ))
        .send()
        .await
        .unwrap();
    assert_outcome!(abort(&carol, "carol", &denied), "AccessDenied 403");
    assert_outcome!(abort(&root_b, "carol", &denied), "ok");
}
