//! CopyObject as a conditional write on its destination, as S3 documents it: `If-None-Match: *`
//! copies only onto a key that does not exist (else 412), `If-Match` only onto the current
//! version with that ETag (412 on another, 404 NoSuchKey when there is none); an ETag in
//! `If-None-Match` is 501. The copy-source conditions (`x-amz-copy-source-if-*`) are apart.

use crate::common::*;

#[tokio::test]
async fn copy_object_honours_destination_conditions() {
    let (_s, c) = Server::start_with_bucket("condcopy").await;
    for (key, body) in [("src", b"source".as_slice()), ("dst", b"old".as_slice())] {
        ok!(put_req(&c, "condcopy", key, body));
    }
    let dst_etag = head_of(&c, "condcopy", "dst")
        .await
        .e_tag()
        .unwrap()
        .to_string();
    let copy = |key: &str| copy_req(&c, "condcopy", key, "condcopy/src");
    let outcome = |r: Result<_, aws_sdk_s3::error::SdkError<_>>| match r {
        Ok(_) => "ok".to_string(),
        Err(e) => format!("{} {}", status(&e), code(&e)),
    };
    assert_eq!(
        outcome(copy("dst").if_none_match("*").send().await),
        "412 PreconditionFailed"
    );
    assert_eq!(
        outcome(copy("dst").if_match("\"0123\"").send().await),
        "412 PreconditionFailed"
    );
    assert_eq!(
        outcome(copy("dst").if_none_match(&dst_etag).send().await),
        "501 NotImplemented"
    );
    assert_eq!(
        outcome(copy("none").if_match("*").send().await),
        "404 NoSuchKey"
    );
    // Nothing was written by the refused copies.
    assert_eq!(get_bytes(&c, "condcopy", "dst").await, b"old");
    assert!(head_req(&c, "condcopy", "none").send().await.is_err());

    assert_eq!(outcome(copy("new").if_none_match("*").send().await), "ok");
    assert_eq!(outcome(copy("dst").if_match(&dst_etag).send().await), "ok");
    for key in ["new", "dst"] {
        assert_eq!(get_bytes(&c, "condcopy", key).await, b"source", "{key}");
    }
}
