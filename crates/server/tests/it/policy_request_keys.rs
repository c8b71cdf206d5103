//! Bucket policies conditioned on what a request carries, through the real SDK: the
//! `s3:x-amz-metadata-directive` and `s3:x-amz-grant-*` keys exist only when the header was
//! sent, a policy denying a wrong encryption algorithm answers 403 before S3 refuses the
//! header, and a `ListBucket` grant limited by `s3:prefix` decides 404 against 403 for a
//! missing key under that prefix. `aws:RequestedRegion` is the region the request was sent to.

use crate::common::{
    assert_fails, assert_outcome, copy_req, head_err, ok, put_bytes, put_policy, put_req,
    root_user, status, Server,
};
use aws_sdk_s3::types::{MetadataDirective, ServerSideEncryption};
use trailstack_server::config::canonical_id_for;

const A: &str = "111111111111";
const B: &str = "222222222222";

fn config() -> String {
    root_user("AKROOTA", "root-a", "111111111111") + &root_user("AKROOTB", "root-b", B)
}

/// A server with accounts A and B, and a bucket of A's with `policy` (`{B}` is B's account
/// and `{bucket}` the bucket's name in it).
async fn start(bucket: &str, policy: &str) -> (Server, aws_sdk_s3::Client, aws_sdk_s3::Client) {
    let s = Server::start_as(&config()).await;
    let (a, b) = (
        s.s3_with("AKROOTA", "root-a"),
        s.s3_with("AKROOTB", "root-b"),
    );
    a.create_bucket().bucket(bucket).send().await.unwrap();
    let policy = policy.replace("{B}", B).replace("{bucket}", bucket);
    put_policy(&a, bucket, policy).await;
    (s, a, b)
}

/// One statement letting B's root do `action` on `resource` under `condition`.
fn allow_b(action: &str, resource: &str, condition: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow",
        "Principal":{{"AWS":"arn:aws:iam::{{B}}:root"}},"Action":"{action}",
        "Resource":"arn:aws:s3:::{resource}","Condition":{condition}}}]}}"#
    )
}

#[tokio::test]
async fn metadata_directive_key_exists_only_when_sent() {
    let policy = r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{B}:root"},"Action":"s3:PutObject",
         "Resource":"arn:aws:s3:::{bucket}/copies/*",
         "Condition":{"StringEquals":{"s3:x-amz-metadata-directive":"COPY"}}},
        {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{B}:root"},"Action":"s3:GetObject",
         "Resource":"arn:aws:s3:::{bucket}/src"}]}"#;
    let (_s, a, b) = start("dest", policy).await;
    put_bytes(&a, "dest", "src", b"source").await;
    ok!(copy_req(&b, "dest", "copies/with-directive", "dest/src")
        .metadata_directive(MetadataDirective::Copy));
    // No header, no key: StringEquals cannot match, nothing allows the write.
    assert_outcome!(
        copy_req(&b, "dest", "copies/without-directive", "dest/src"),
        "AccessDenied 403"
    );
}

#[tokio::test]
async fn grant_header_keys_hold_the_header_as_written() {
    let owner = format!("id={}", canonical_id_for(A));
    let policy = allow_b(
        "s3:PutObject",
        "shared/*",
        &format!(r#"{{"StringEquals":{{"s3:x-amz-grant-full-control":"{owner}"}}}}"#),
    );
    let (_s, a, b) = start("shared", &policy).await;
    ok!(put_req(&b, "shared", "granted", b"x").grant_full_control(&owner));
    // The grant the condition asked for reached the object: A, the bucket owner, reads its ACL.
    let acl = ok!(a.get_object_acl().bucket("shared").key("granted"));
    assert!(acl
        .grants()
        .iter()
        .any(|g| g.grantee().and_then(|g| g.id()) == Some(canonical_id_for(A).as_str())));
    assert_fails!(put_req(&b, "shared", "ungranted", b"x"), "AccessDenied");
}

#[tokio::test]
async fn deny_of_a_wrong_algorithm_comes_before_the_header_is_refused() {
    let deny = r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::enc/*",
         "Condition":{"StringNotEquals":{"s3:x-amz-server-side-encryption":"AES256"}}},
        {"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::enc/c/*",
         "Condition":{"StringNotEquals":{"s3:x-amz-server-side-encryption-customer-algorithm":"AES256"}}}]}"#;
    let (_s, a, _b) = start("enc", deny).await;
    assert_outcome!(
        put_req(&a, "enc", "k", b"x").server_side_encryption(ServerSideEncryption::from("AES192")),
        "AccessDenied 403"
    );
    assert_outcome!(
        put_req(&a, "enc", "c/k", b"x").sse_customer_algorithm("AES192"),
        "AccessDenied 403"
    );
    let out =
        ok!(put_req(&a, "enc", "k", b"x").server_side_encryption(ServerSideEncryption::Aes256));
    assert_eq!(
        out.server_side_encryption(),
        Some(&ServerSideEncryption::Aes256)
    );
    // Where no policy denies it, the wrong algorithm is S3's 400.
    a.create_bucket().bucket("plain").send().await.unwrap();
    assert_outcome!(
        put_req(&a, "plain", "k", b"x")
            .server_side_encryption(ServerSideEncryption::from("AES192")),
        "InvalidArgument 400"
    );
}

#[tokio::test]
async fn listing_grant_by_prefix_reveals_missing_keys_under_it_only() {
    let policy = allow_b(
        "s3:ListBucket",
        "{bucket}",
        r#"{"StringLike":{"s3:prefix":"public/*"}}"#,
    );
    let (_s, _a, b) = start("pfx", &policy).await;
    let e = head_err(&b, "pfx", "public/missing").await;
    assert_eq!(status(&e), 404);
    let e = head_err(&b, "pfx", "private/missing").await;
    assert_eq!(status(&e), 403);
}

#[tokio::test]
async fn requested_region_is_the_region_called() {
    let us = allow_b(
        "s3:PutObject",
        "{bucket}/us/*",
        r#"{"StringEquals":{"aws:RequestedRegion":"us-east-1"}}"#,
    );
    let (_s, _a, b) = start("regions", &us).await;
    ok!(put_req(&b, "regions", "us/x", b""));
    let eu = allow_b(
        "s3:PutObject",
        "{bucket}/us/*",
        r#"{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}"#,
    );
    let (_s, _a, b) = start("regions", &eu).await;
    assert_fails!(put_req(&b, "regions", "us/x", b""), "AccessDenied");
}
