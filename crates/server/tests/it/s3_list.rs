//! Listing objects: ListObjects (v1) and ListObjectsV2 with prefix, delimiter and common
//! prefixes, StartAfter, KeyCount, FetchOwner, an empty bucket and a missing one; and the page
//! helpers `s3_list_paging` and `s3_list_encoding` share.

use crate::common::*;
use futures_util::StreamExt;

/// Puts empty objects under `keys`, a few at a time.
pub async fn put_keys(c: &aws_sdk_s3::Client, bucket: &str, keys: &[String]) {
    futures_util::stream::iter(keys.iter().cloned())
        .map(|k| {
            let c = c.clone();
            let bucket = bucket.to_string();
            async move {
                put_req(&c, bucket, &k, b"")
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("put {k:?}: {e:?}"));
            }
        })
        .buffer_unordered(16)
        .collect::<Vec<()>>()
        .await;
}

pub fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// Keys and common prefixes of one v2 page.
pub fn v2_page(
    o: &aws_sdk_s3::operation::list_objects_v2::ListObjectsV2Output,
) -> (Vec<String>, Vec<String>) {
    page(o.contents(), o.common_prefixes())
}

/// Keys and common prefixes of one v1 page.
pub fn v1_page(
    o: &aws_sdk_s3::operation::list_objects::ListObjectsOutput,
) -> (Vec<String>, Vec<String>) {
    page(o.contents(), o.common_prefixes())
}

fn page(
    contents: &[aws_sdk_s3::types::Object],
    prefixes: &[aws_sdk_s3::types::CommonPrefix],
) -> (Vec<String>, Vec<String>) {
    let keys = contents.iter().map(|c| c.key().unwrap().to_string());
    let prefixes = prefixes_of(prefixes).into_iter().map(str::to_string);
    (keys.collect(), prefixes.collect())
}

#[tokio::test]
async fn prefix_and_delimiter() {
    let (_s, c) = Server::start_with_bucket("lst").await;
    let keys = strings(&[
        "a/1", "a/2", "a/b/3", "a/b/4", "a/c/5", "b/1", "c", "d--x--1", "d--x--2", "d--y", "e",
    ]);
    put_keys(&c, "lst", &keys).await;

    // No delimiter: everything under the prefix.
    let o = ok!(c.list_objects_v2().bucket("lst").prefix("a/"));
    assert_eq!(
        v2_page(&o),
        (strings(&["a/1", "a/2", "a/b/3", "a/b/4", "a/c/5"]), vec![])
    );
    assert_eq!(o.key_count(), Some(5));
    assert_eq!(o.prefix(), Some("a/"));

    // Top level with "/".
    let o = ok!(c.list_objects_v2().bucket("lst").delimiter("/"));
    assert_eq!(
        v2_page(&o),
        (
            strings(&["c", "d--x--1", "d--x--2", "d--y", "e"]),
            strings(&["a/", "b/"])
        )
    );
    assert_eq!(o.key_count(), Some(7));
    assert_eq!(o.delimiter(), Some("/"));
    assert_eq!(o.is_truncated(), Some(false));

    // Prefix and delimiter.
    let o = ok!(c.list_objects().bucket("lst").prefix("a/").delimiter("/"));
    assert_eq!(
        v1_page(&o),
        (strings(&["a/1", "a/2"]), strings(&["a/b/", "a/c/"]))
    );
    assert_eq!(o.is_truncated(), Some(false));
    assert_eq!(o.next_marker(), None);

    // A multi-character delimiter.
    let o = ok!(c.list_objects_v2().bucket("lst").delimiter("--"));
    assert_eq!(
        v2_page(&o),
        (
            strings(&["a/1", "a/2", "a/b/3", "a/b/4", "a/c/5", "b/1", "c", "e"]),
            strings(&["d--"])
        )
    );
    let o = ok!(c.list_objects().bucket("lst").prefix("d--").delimiter("--"));
    assert_eq!(v1_page(&o), (strings(&["d--y"]), strings(&["d--x--"])));

    // A prefix matching nothing, and a prefix that is a whole key.
    let o = ok!(c.list_objects_v2().bucket("lst").prefix("zzz"));
    assert!(o.contents().is_empty());
    assert_eq!(o.key_count(), Some(0));
    let o = ok!(c.list_objects_v2().bucket("lst").prefix("c").delimiter("/"));
    assert_eq!(v2_page(&o), (strings(&["c"]), vec![]));

    // The delimiter right after the prefix rolls up an empty-named "directory".
    let o = ok!(c.list_objects_v2().bucket("lst").prefix("a").delimiter("/"));
    assert_eq!(v2_page(&o), (vec![], strings(&["a/"])));
}

#[tokio::test]
async fn start_after_key_count_fetch_owner() {
    let (_s, c) = Server::start_with_bucket("stafter").await;
    let keys = strings(&["a", "b/1", "b/2", "c", "d"]);
    put_keys(&c, "stafter", &keys).await;

    let o = ok!(c.list_objects_v2().bucket("stafter").start_after("b/1"));
    assert_eq!(v2_page(&o).0, strings(&["b/2", "c", "d"]));
    assert_eq!(o.start_after(), Some("b/1"));
    assert_eq!(o.key_count(), Some(3));

    // StartAfter not itself a key, and past the end.
    let o = ok!(c.list_objects_v2().bucket("stafter").start_after("bb"));
    assert_eq!(v2_page(&o).0, strings(&["c", "d"]));
    let o = ok!(c.list_objects_v2().bucket("stafter").start_after("z"));
    assert_eq!(o.key_count(), Some(0));
    assert_eq!(o.is_truncated(), Some(false));

    // StartAfter inside a common prefix skips the rest of it.
    let o = ok!(c
        .list_objects_v2()
        .bucket("stafter")
        .delimiter("/")
        .start_after("b/1"));
    assert_eq!(v2_page(&o), (strings(&["c", "d"]), vec![]));

    // v1 marker.
    let o = ok!(c.list_objects().bucket("stafter").marker("c"));
    assert_eq!(v1_page(&o).0, strings(&["d"]));
    assert_eq!(o.marker(), Some("c"));

    // A continuation token wins over StartAfter.
    let o = ok!(c.list_objects_v2().bucket("stafter").max_keys(2));
    assert_eq!(v2_page(&o).0, strings(&["a", "b/1"]));
    let t = o.next_continuation_token().unwrap().to_string();
    let o = ok!(c
        .list_objects_v2()
        .bucket("stafter")
        .continuation_token(&t)
        .start_after("c"));
    assert_eq!(v2_page(&o).0, strings(&["b/2", "c", "d"]));

    // A forged continuation token.
    assert_outcome!(
        c.list_objects_v2()
            .bucket("stafter")
            .continuation_token("not a token!"),
        "InvalidArgument 400"
    );

    // max-keys=0.
    let o = ok!(c.list_objects_v2().bucket("stafter").max_keys(0));
    assert_eq!(o.key_count(), Some(0));
    assert!(o.contents().is_empty());

    // Owner: v2 only with fetch-owner, v1 always.
    let o = c.list_objects_v2().bucket("stafter").send().await.unwrap();
    assert!(o.contents().iter().all(|c| c.owner().is_none()));
    let o = ok!(c.list_objects_v2().bucket("stafter").fetch_owner(true));
    for obj in o.contents() {
        let owner = obj.owner().expect("owner with fetch-owner");
        assert!(!owner.id().unwrap_or("").is_empty());
    }
    let o = c.list_objects().bucket("stafter").send().await.unwrap();
    assert!(o.contents().iter().all(|c| c.owner().is_some()));

    // Contents carry size, ETag, LastModified and storage class.
    put_bytes(&c, "stafter", "a", b"hello").await;
    let o = ok!(c.list_objects_v2().bucket("stafter").prefix("a"));
    let a = &o.contents()[0];
    assert_eq!(a.size(), Some(5));
    assert_eq!(a.e_tag(), Some("\"5d41402abc4b2a76b9719d911017c592\""));
    assert!(a.last_modified().is_some());
    assert_eq!(a.storage_class().map(|s| s.as_str()), Some("STANDARD"));
}

#[tokio::test]
async fn empty_bucket_and_missing_bucket() {
    let (s, c) = Server::start_with_bucket("empty").await;
    let o = c.list_objects_v2().bucket("empty").send().await.unwrap();
    assert_eq!(o.key_count(), Some(0));
    assert_eq!(o.is_truncated(), Some(false));
    assert!(o.contents().is_empty());
    assert!(o.common_prefixes().is_empty());
    assert_eq!(o.name(), Some("empty"));
    let o = ok!(c.list_objects().bucket("empty").delimiter("/"));
    assert_eq!(o.is_truncated(), Some(false));
    assert!(o.contents().is_empty());
    assert_eq!(o.max_keys(), Some(1000));

    let v1 = outcome!(c.list_objects().bucket("no-such-bucket-here"));
    let v2 = outcome!(c.list_objects_v2().bucket("no-such-bucket-here"));
    assert_eq!([v1, v2], ["NoSuchBucket 404"; 2]);
    let r = Raw::new(&s, "GET", "/no-such-bucket-here?list-type=2")
        .send_signed(&s)
        .await;
    r.assert_code(404, "NoSuchBucket");
    assert_eq!(r.xml("BucketName").as_deref(), Some("no-such-bucket-here"));

    // Bad list-type, encoding-type and max-keys.
    for query in [
        "list-type=3",
        "encoding-type=base64",
        "list-type=2&max-keys=abc",
    ] {
        let path = format!("/empty?{query}");
        let r = Raw::new(&s, "GET", &path).signed().send(&s).await;
        assert_eq!(r.status, 400, "{query}");
        assert_eq!(r.xml("Code").as_deref(), Some("InvalidArgument"), "{query}");
    }
}
