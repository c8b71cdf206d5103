//! Details of S3's answers that conformance suites check: re-creating a bucket you own (200 in
//! us-east-1, 409 elsewhere), a 304's ETag, Content-Encoding kept as written, and listings —
//! an empty delimiter or continuation token, v1's echoed prefix with `encoding-type=url`, and
//! paging versions past a version-id marker whose version was deleted in between; a bucket
//! policy repeating a statement id (accepted, every statement in force); a path that is not
//! UTF-8 (InvalidURI); an object's tag set answered sorted by key.

use crate::common::*;
use aws_sdk_s3::types::{
    BucketCannedAcl, BucketLocationConstraint, CreateBucketConfiguration, EncodingType,
    ObjectIdentifier,
};
use trailstack_server::config::BucketDefaults;

#[tokio::test]
async fn recreating_your_bucket_in_us_east_1_answers_200_and_resets_its_acl() {
    let s = Server::start_configured(tempfile::tempdir().unwrap(), |c| {
        c.bucket_defaults = BucketDefaults::Legacy
    })
    .await;
    let c = s.s3();
    ok!(bucket_req(&c, "again").acl(BucketCannedAcl::PublicRead));
    put_bytes(&c, "again", "kept", b"x").await;
    c.create_bucket().bucket("again").send().await.unwrap();
    let acl = c.get_bucket_acl().bucket("again").send().await.unwrap();
    assert_eq!(acl.grants().len(), 1, "{acl:?}");
    assert_eq!(
        acl.grants()[0].permission().map(|p| p.as_str()),
        Some("FULL_CONTROL")
    );
    let list = c.list_objects_v2().bucket("again").send().await.unwrap();
    assert_eq!(list.key_count(), Some(1));

    // Another region answers 409, and another account's bucket is never yours.
    let in_ireland = || {
        bucket_req(&c, "irish").create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::EuWest1)
                .build(),
        )
    };
    in_ireland().send().await.unwrap();
    assert_outcome!(in_ireland(), "BucketAlreadyOwnedByYou 409");
}

#[tokio::test]
async fn not_modified_carries_the_etag() {
    let (s, c) = Server::start_with_bucket("cond").await;
    let put = ok!(put_req(&c, "cond", "k", b"x"));
    let etag = put.e_tag().unwrap();
    let r = Raw::new(&s, "GET", "/cond/k")
        .header("if-none-match", etag)
        .send_signed(&s)
        .await;
    assert_eq!(r.status, 304);
    assert_eq!(r.header("etag"), Some(etag));
    assert!(r.header("last-modified").is_some());
    assert!(r.body.is_empty());
}

#[tokio::test]
async fn content_encoding_is_kept_as_written_without_aws_chunked() {
    let (_s, c) = Server::start_with_bucket("enc").await;
    for (sent, kept) in [
        ("deflate, gzip", Some("deflate, gzip")),
        ("gzip, aws-chunked", Some("gzip")),
        ("aws-chunked, deflate, gzip", Some("deflate, gzip")),
        ("aws-chunked", None),
    ] {
        ok!(put_req(&c, "enc", "k", b"x").content_encoding(sent));
        let h = head_of(&c, "enc", "k").await;
        assert_eq!(h.content_encoding(), kept, "{sent}");
    }
}

#[tokio::test]
async fn listing_details() {
    let (s, c) = Server::start_with_bucket("lst").await;
    for k in ["a/1", "a/2", "b"] {
        put_bytes(&c, "lst", k, b"x").await;
    }
    // An empty delimiter is no delimiter, and is not echoed.
    let r = Raw::new(&s, "GET", "/lst?delimiter=").send_signed(&s).await;
    assert_eq!(r.status, 200);
    assert!(!r.text().contains("<Delimiter"), "{}", r.text());
    assert_eq!(xml_values(&r.text(), "Key").len(), 3);
    // An empty continuation token starts at the beginning.
    let v2 = ok!(c.list_objects_v2().bucket("lst").continuation_token(""));
    assert_eq!(v2.key_count(), Some(3));
    // v1 with encoding-type=url encodes keys but echoes the prefix as sent; v2 encodes it.
    let r = Raw::new(&s, "GET", "/lst?encoding-type=url&prefix=%0A")
        .send_signed(&s)
        .await;
    assert_eq!(r.xml("Prefix").as_deref(), Some("&#10;"));
    let r = Raw::new(&s, "GET", "/lst?list-type=2&encoding-type=url&prefix=%0A")
        .send_signed(&s)
        .await;
    assert_eq!(r.xml("Prefix").as_deref(), Some("%0A"));
    let v1 = ok!(c
        .list_objects()
        .bucket("lst")
        .prefix("\n")
        .encoding_type(EncodingType::Url));
    assert_eq!(v1.prefix(), Some("\n"));
}

#[tokio::test]
async fn version_paging_survives_the_marker_version_being_deleted() {
    let (_s, c) = Server::start_with_bucket("pages").await;
    set_versioning(
        &c,
        "pages",
        aws_sdk_s3::types::BucketVersioningStatus::Enabled,
    )
    .await;
    for k in ["k1", "k1", "k2", "k3"] {
        put_bytes(&c, "pages", k, b"x").await;
    }
    // Empty the bucket a page at a time, deleting each page before asking for the next, as
    // clients emptying a bucket do: the markers name versions already gone.
    let (mut key_marker, mut vid_marker) = (None::<String>, None::<String>);
    let mut deleted = 0;
    loop {
        let page = ok!(c
            .list_object_versions()
            .bucket("pages")
            .max_keys(1)
            .set_key_marker(key_marker.clone())
            .set_version_id_marker(vid_marker.clone()));
        let ids: Vec<ObjectIdentifier> = page
            .versions()
            .iter()
            .map(|v| {
                ObjectIdentifier::builder()
                    .key(v.key().unwrap())
                    .version_id(v.version_id().unwrap())
                    .build()
                    .unwrap()
            })
            .collect();
        deleted += ids.len();
        for id in ids {
            ok!(c
                .delete_object()
                .bucket("pages")
                .key(id.key())
                .set_version_id(id.version_id().map(str::to_string)));
        }
        if page.is_truncated() != Some(true) {
            break;
        }
        key_marker = page.next_key_marker().map(str::to_string);
        vid_marker = page.next_version_id_marker().map(str::to_string);
    }
    assert_eq!(deleted, 4);
    c.delete_bucket().bucket("pages").send().await.unwrap();

    // A malformed marker is still refused.
    let s2 = c.create_bucket().bucket("pages2").send().await;
    s2.unwrap();
    assert_outcome!(
        c.list_object_versions()
            .bucket("pages2")
            .key_marker("k")
            .version_id_marker("nonsense"),
        "InvalidArgument 400"
    );
}

#[tokio::test]
async fn a_bucket_policy_may_repeat_a_statement_id() {
    let s = Server::start().await;
    let c = s.s3();
    c.create_bucket().bucket("same-sids").send().await.unwrap();
    for key in ["a", "b"] {
        put_bytes(&c, "same-sids", key, b"x").await;
    }
    let deny = |key: &str| {
        format!(
            r#"{{"Sid":"NoReads","Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::same-sids/{key}"}}"#
        )
    };
    let policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[{},{}]}}"#,
        deny("a"),
        deny("b")
    );
    put_policy(&c, "same-sids", policy).await;
    for key in ["a", "b"] {
        let e = get_err(&c, "same-sids", key).await;
        assert_eq!(
            (code(&e).as_str(), status(&e)),
            ("AccessDenied", 403),
            "{key}"
        );
    }
}

/// A key may hold any UTF-8 character (C1 controls included), but a path whose escapes do not
/// decode to UTF-8 names no key: S3 answers 400 InvalidURI "Couldn't parse the specified
/// URI." instead of guessing one.
#[tokio::test]
async fn a_path_that_is_not_utf8_is_invalid_uri() {
    let (s, c) = Server::start_with_bucket("uri").await;
    let key = "\u{ae}\u{8a}-";
    put_bytes(&c, "uri", key, b"x").await;
    assert_eq!(get_bytes(&c, "uri", key).await, b"x");
    for method in ["GET", "PUT"] {
        let r = Raw::new(&s, method, "/uri/%AE%8A-").signed().send(&s).await;
        assert_eq!(r.status, 400, "{method}");
        assert_eq!(r.xml("Code").as_deref(), Some("InvalidURI"));
        // The XML escapes the apostrophe.
        assert_eq!(
            r.xml("Message")
                .map(|m| m.replace("&apos;", "'"))
                .as_deref(),
            Some("Couldn't parse the specified URI.")
        );
    }
    let listed = c.list_objects_v2().bucket("uri").send().await.unwrap();
    assert_eq!(listed.contents().len(), 1);
}

#[tokio::test]
async fn tag_sets_are_answered_sorted_by_key() {
    let (_s, c) = Server::start_with_bucket("tags").await;
    ok!(c
        .put_object()
        .bucket("tags")
        .key("k")
        .tagging("foo=bar&bar")
        .body(aws_sdk_s3::primitives::ByteStream::from_static(b"x")));
    let out = ok!(c.get_object_tagging().bucket("tags").key("k"));
    let got: Vec<(&str, &str)> = out.tag_set().iter().map(|t| (t.key(), t.value())).collect();
    assert_eq!(got, [("bar", ""), ("foo", "bar")]);
}
