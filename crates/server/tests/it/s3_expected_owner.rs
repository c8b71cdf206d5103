//! `x-amz-expected-bucket-owner` and `x-amz-source-expected-bucket-owner`, through the real
//! SDK: a request naming a bucket another account owns fails with `403 AccessDenied` before
//! anything happens, whoever calls (anonymous callers of a public bucket included); the right
//! account changes nothing.

use crate::common::{assert_outcome, bucket_req, copy_req, ok, root_user, Server};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::BucketCannedAcl;
use trailstack_server::config::BucketDefaults;

const A: &str = "111111111111";
const B: &str = "222222222222";

fn config() -> String {
    root_user("AKROOTA", "root-a", "111111111111")
}

#[tokio::test]
async fn a_bucket_of_another_account_than_expected_is_access_denied() {
    let s = Server::start_as_with(&config(), |c| c.bucket_defaults = BucketDefaults::Legacy).await;
    let a = s.s3_with("AKROOTA", "root-a");
    ok!(bucket_req(&a, "owned-by-a").acl(BucketCannedAcl::PublicReadWrite));
    let put = |key: &str, owner: &str| {
        a.put_object()
            .bucket("owned-by-a")
            .key(key)
            .expected_bucket_owner(owner)
            .body(ByteStream::from_static(b"x"))
    };
    assert_outcome!(put("k", A), "ok");
    assert_outcome!(put("other", B), "AccessDenied 403");
    let list = |owner: &str| {
        a.list_objects_v2()
            .bucket("owned-by-a")
            .expected_bucket_owner(owner)
    };
    assert_outcome!(list(A), "ok");
    assert_outcome!(list(B), "AccessDenied 403");
    let keys: Vec<_> = list(A)
        .send()
        .await
        .unwrap()
        .contents()
        .iter()
        .map(|o| o.key().unwrap().to_string())
        .collect();
    assert_eq!(keys, ["k"], "the refused PutObject wrote nothing");
    let acl = a
        .get_bucket_acl()
        .bucket("owned-by-a")
        .expected_bucket_owner("not-an-account");
    assert_outcome!(acl, "AccessDenied 403");

    // A copy checks its source bucket's owner by the source header.
    let copy = |source_owner: &str| {
        copy_req(&a, "owned-by-a", "copy", "owned-by-a/k")
            .expected_bucket_owner(A)
            .expected_source_bucket_owner(source_owner)
    };
    assert_outcome!(copy(B), "AccessDenied 403");
    assert_outcome!(copy(A), "ok");

    // Anonymous callers the bucket's ACL lets in are held to the same check.
    let anonymous = s.s3_anonymous();
    let anon_list = |owner: &str| {
        anonymous
            .list_objects()
            .bucket("owned-by-a")
            .expected_bucket_owner(owner)
    };
    assert_outcome!(anon_list(A), "ok");
    assert_outcome!(anon_list(B), "AccessDenied 403");
}
