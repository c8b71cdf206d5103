//! Public access: anonymous reads of objects a public ACL or bucket policy opens, and the
//! four Block Public Access settings that refuse or ignore them.

use crate::common::{assert_outcome, ok, put_req, Raw};
use crate::s3_acl::*;
use aws_sdk_s3::types::{BucketCannedAcl, ObjectCannedAcl, ObjectOwnership};
use base64::Engine;

#[tokio::test]
async fn anonymous_reads_of_public_objects_and_block_public_access() {
    let a = start().await;
    bucket(&a, "acl-pub", ObjectOwnership::ObjectWriter).await;
    // BlockPublicAcls (on for every new bucket) refuses public ACLs.
    let public_put = put_req(&a.root_a, "acl-pub", "k", b"public").acl(ObjectCannedAcl::PublicRead);
    assert_outcome!(public_put, "AccessDenied 403");
    let public_bucket = a
        .root_a
        .put_bucket_acl()
        .bucket("acl-pub")
        .acl(BucketCannedAcl::PublicRead);
    assert_outcome!(public_bucket, "AccessDenied 403");

    block(&a.root_a, "acl-pub", [false; 4]).await;
    put(&a.root_a, "acl-pub", "k", Some(ObjectCannedAcl::PublicRead)).await;
    put(&a.root_a, "acl-pub", "private", None).await;
    // A signed caller of another account is an IAM principal first: public or not, its own
    // account must let it act (AWS's "user context").
    assert_eq!(
        reads(
            "acl-pub",
            &[
                (&a.anonymous, "k"),
                (&a.carol, "k"),
                (&a.dave, "k"),
                (&a.anonymous, "private"),
                (&a.anonymous, "missing")
            ]
        )
        .await,
        ["k", "k", DENIED, DENIED, DENIED]
    );
    assert_outcome!(
        a.anonymous.list_objects_v2().bucket("acl-pub"),
        "AccessDenied 403"
    );
    assert_outcome!(a.anonymous.list_buckets(), "AccessDenied 403");
    let anonymous_put = put_req(&a.anonymous, "acl-pub", "anon", b"x");
    assert_outcome!(anonymous_put, "AccessDenied 403");

    // A bucket anyone may write to takes anonymous uploads, owned (under ObjectWriter) by the
    // anonymous user, which the bucket owner cannot read without a grant.
    a.root_a
        .put_bucket_acl()
        .bucket("acl-pub")
        .acl(BucketCannedAcl::PublicReadWrite)
        .send()
        .await
        .unwrap();
    put(
        &a.anonymous,
        "acl-pub",
        "anon",
        Some(ObjectCannedAcl::PublicRead),
    )
    .await;
    assert_eq!(get(&a.anonymous, "acl-pub", "anon").await.unwrap(), b"anon");
    let listed = ok!(a.anonymous.list_objects_v2().bucket("acl-pub"));
    assert_eq!(listed.contents().len(), 3);
    // Unsigned, an upload may still frame its body aws-chunked with a checksum trailer.
    let crc =
        base64::engine::general_purpose::STANDARD.encode(crc32fast::hash(b"chunked").to_be_bytes());
    let body = trailstack_sigv4::encode_unsigned_chunks(
        b"chunked",
        4,
        &[("x-amz-checksum-crc32", crc.as_str())],
    );
    let r = Raw::new(&a.s, "PUT", "/acl-pub/chunked")
        .header("x-amz-acl", "public-read")
        .header("content-encoding", "aws-chunked")
        .header("x-amz-decoded-content-length", "7")
        .header("x-amz-trailer", "x-amz-checksum-crc32")
        .header(
            "x-amz-content-sha256",
            trailstack_sigv4::STREAMING_UNSIGNED_PAYLOAD_TRAILER,
        )
        .header("content-length", &body.len().to_string())
        .body(body)
        .send(&a.s)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        get(&a.anonymous, "acl-pub", "chunked").await.unwrap(),
        b"chunked"
    );
    put(&a.anonymous, "acl-pub", "anon-private", None).await;
    let refused = get(&a.root_a, "acl-pub", "anon-private").await;
    assert_eq!(refused.unwrap_err(), "AccessDenied 403");
    a.root_a
        .put_bucket_acl()
        .bucket("acl-pub")
        .acl(BucketCannedAcl::Private)
        .send()
        .await
        .unwrap();

    // IgnorePublicAcls: the public grant stays, and counts for nothing.
    block(&a.root_a, "acl-pub", [false, true, false, false]).await;
    assert_eq!(
        reads(
            "acl-pub",
            &[(&a.anonymous, "k"), (&a.carol, "k"), (&a.root_a, "k")]
        )
        .await,
        [DENIED, DENIED, "k"]
    );
    block(&a.root_a, "acl-pub", [false; 4]).await;
    assert_eq!(get(&a.anonymous, "acl-pub", "k").await.unwrap(), b"k");
}

/// A bucket policy letting everyone read `bucket`'s objects.
pub fn public_read(bucket: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":"*",
            "Action":"s3:GetObject","Resource":"arn:aws:s3:::{bucket}/*"}}]}}"#
    )
}

#[tokio::test]
async fn block_public_policy_and_restrict_public_buckets() {
    let a = start().await;
    a.root_a
        .create_bucket()
        .bucket("pol-pub")
        .send()
        .await
        .unwrap();
    put(&a.root_a, "pol-pub", "k", None).await;
    let put_policy = |doc: String| a.root_a.put_bucket_policy().bucket("pol-pub").policy(doc);
    // BlockPublicPolicy (on for every new bucket) refuses a public policy...
    assert_outcome!(put_policy(public_read("pol-pub")), "AccessDenied 403");
    // ...and accepts one pinned to an account.
    let for_b = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"{B}"}},
            "Action":"s3:GetObject","Resource":"arn:aws:s3:::pol-pub/*"}}]}}"#
    );
    assert_outcome!(put_policy(for_b), "ok");
    assert_eq!(
        get(&a.anonymous, "pol-pub", "k").await.unwrap_err(),
        "AccessDenied 403"
    );

    block(&a.root_a, "pol-pub", [false; 4]).await;
    assert_outcome!(put_policy(public_read("pol-pub")), "ok");
    assert_eq!(
        reads("pol-pub", &[(&a.anonymous, "k"), (&a.root_b, "k")]).await,
        ["k", "k"]
    );

    // RestrictPublicBuckets: the public policy now opens the bucket only to A's principals.
    block(&a.root_a, "pol-pub", [false, false, false, true]).await;
    assert_eq!(
        reads(
            "pol-pub",
            &[
                (&a.anonymous, "k"),
                (&a.root_b, "k"),
                (&a.carol, "k"),
                (&a.amy, "k")
            ]
        )
        .await,
        [DENIED, DENIED, DENIED, "k"]
    );
    block(&a.root_a, "pol-pub", [false; 4]).await;
    assert_eq!(get(&a.anonymous, "pol-pub", "k").await.unwrap(), b"k");
}
