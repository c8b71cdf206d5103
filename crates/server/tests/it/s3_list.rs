//! Listing objects: ListObjects (v1) and ListObjectsV2 with prefix, delimiter and common
//! prefixes, paging until exhaustion, StartAfter, KeyCount, FetchOwner, encoding-type=url and
//! UTF-8 byte order.

use crate::common::*;
use aws_sdk_s3::types::EncodingType;
use futures_util::StreamExt;
use std::collections::BTreeSet;

/// Puts empty objects under `keys`, a few at a time.
async fn put_keys(c: &aws_sdk_s3::Client, bucket: &str, keys: &[String]) {
    futures_util::stream::iter(keys.iter().cloned())
        .map(|k| {
            let c = c.clone();
            let bucket = bucket.to_string();
            async move {
                c.put_object()
                    .bucket(bucket)
                    .key(&k)
                    .body(Vec::new().into())
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("put {k:?}: {e:?}"));
            }
        })
        .buffer_unordered(16)
        .collect::<Vec<()>>()
        .await;
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// Keys and common prefixes of one v2 page.
fn v2_page(
    o: &aws_sdk_s3::operation::list_objects_v2::ListObjectsV2Output,
) -> (Vec<String>, Vec<String>) {
    let keys = o
        .contents()
        .iter()
        .map(|c| c.key().unwrap().to_string())
        .collect();
    let prefixes = o
        .common_prefixes()
        .iter()
        .map(|p| p.prefix().unwrap().to_string())
        .collect();
    (keys, prefixes)
}

fn v1_page(
    o: &aws_sdk_s3::operation::list_objects::ListObjectsOutput,
) -> (Vec<String>, Vec<String>) {
    let keys = o
        .contents()
        .iter()
        .map(|c| c.key().unwrap().to_string())
        .collect();
    let prefixes = o
        .common_prefixes()
        .iter()
        .map(|p| p.prefix().unwrap().to_string())
        .collect();
    (keys, prefixes)
}

#[tokio::test]
async fn prefix_and_delimiter() {
    let s = Server::start().await;
    let c = s.with_bucket("lst").await;
    let keys = strings(&[
        "a/1", "a/2", "a/b/3", "a/b/4", "a/c/5", "b/1", "c", "d--x--1", "d--x--2", "d--y", "e",
    ]);
    put_keys(&c, "lst", &keys).await;

    // No delimiter: everything under the prefix.
    let o = c
        .list_objects_v2()
        .bucket("lst")
        .prefix("a/")
        .send()
        .await
        .unwrap();
    assert_eq!(
        v2_page(&o),
        (strings(&["a/1", "a/2", "a/b/3", "a/b/4", "a/c/5"]), vec![])
    );
    assert_eq!(o.key_count(), Some(5));
    assert_eq!(o.prefix(), Some("a/"));

    // Top level with "/".
    let o = c
        .list_objects_v2()
        .bucket("lst")
        .delimiter("/")
        .send()
        .await
        .unwrap();
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
    let o = c
        .list_objects()
        .bucket("lst")
        .prefix("a/")
        .delimiter("/")
        .send()
        .await
        .unwrap();
    assert_eq!(
        v1_page(&o),
        (strings(&["a/1", "a/2"]), strings(&["a/b/", "a/c/"]))
    );
    assert_eq!(o.is_truncated(), Some(false));
    assert_eq!(o.next_marker(), None);

    // A multi-character delimiter.
    let o = c
        .list_objects_v2()
        .bucket("lst")
        .delimiter("--")
        .send()
        .await
        .unwrap();
    assert_eq!(
        v2_page(&o),
        (
            strings(&["a/1", "a/2", "a/b/3", "a/b/4", "a/c/5", "b/1", "c", "e"]),
            strings(&["d--"])
        )
    );
    let o = c
        .list_objects()
        .bucket("lst")
        .prefix("d--")
        .delimiter("--")
        .send()
        .await
        .unwrap();
    assert_eq!(v1_page(&o), (strings(&["d--y"]), strings(&["d--x--"])));

    // A prefix matching nothing, and a prefix that is a whole key.
    let o = c
        .list_objects_v2()
        .bucket("lst")
        .prefix("zzz")
        .send()
        .await
        .unwrap();
    assert!(o.contents().is_empty());
    assert_eq!(o.key_count(), Some(0));
    let o = c
        .list_objects_v2()
        .bucket("lst")
        .prefix("c")
        .delimiter("/")
        .send()
        .await
        .unwrap();
    assert_eq!(v2_page(&o), (strings(&["c"]), vec![]));

    // The delimiter right after the prefix rolls up an empty-named "directory".
    let o = c
        .list_objects_v2()
        .bucket("lst")
        .prefix("a")
        .delimiter("/")
        .send()
        .await
        .unwrap();
    assert_eq!(v2_page(&o), (vec![], strings(&["a/"])));
}

#[tokio::test]
async fn paging_2500_keys() {
    let s = Server::start().await;
    let c = s.with_bucket("many").await;
    let keys: Vec<String> = (0..2500).map(|i| format!("k/{i:05}")).collect();
    put_keys(&c, "many", &keys).await;

    // v2, default page size of 1000.
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let o = c
            .list_objects_v2()
            .bucket("many")
            .set_continuation_token(token.clone())
            .send()
            .await
            .unwrap();
        pages += 1;
        assert_eq!(o.max_keys(), Some(1000));
        assert_eq!(o.continuation_token(), token.as_deref());
        let (k, _) = v2_page(&o);
        assert_eq!(o.key_count(), Some(k.len() as i32));
        seen.extend(k);
        if o.is_truncated() == Some(true) {
            assert_eq!(o.key_count(), Some(1000));
            token = Some(o.next_continuation_token().unwrap().to_string());
        } else {
            assert_eq!(o.next_continuation_token(), None);
            break;
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, keys);

    // v1 without a delimiter: no NextMarker; the last key is the next marker.
    let mut seen = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let o = c
            .list_objects()
            .bucket("many")
            .set_marker(marker.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(o.next_marker(), None);
        assert_eq!(o.marker().unwrap_or(""), marker.as_deref().unwrap_or(""));
        let (k, _) = v1_page(&o);
        let last = k.last().cloned();
        seen.extend(k);
        if o.is_truncated() == Some(true) {
            marker = last;
        } else {
            break;
        }
    }
    assert_eq!(seen, keys);

    // The SDK paginator agrees.
    let mut pages = c
        .list_objects_v2()
        .bucket("many")
        .max_keys(600)
        .into_paginator()
        .send();
    let mut n = 0;
    while let Some(p) = pages.next().await {
        n += p.unwrap().contents().len();
    }
    assert_eq!(n, 2500);
}

#[tokio::test]
async fn small_pages_across_common_prefixes() {
    let s = Server::start().await;
    let c = s.with_bucket("small").await;
    let mut keys = Vec::new();
    for d in 0..6 {
        for f in 0..(d * 3 + 1) {
            keys.push(format!("dir{d}/f{f:02}"));
            keys.push(format!("dir{d}/sub/x{f:02}"));
        }
        keys.push(format!("top{d}"));
    }
    keys.sort();
    put_keys(&c, "small", &keys).await;

    // What a delimited listing must return in total.
    let want_prefixes: Vec<String> = (0..6).map(|d| format!("dir{d}/")).collect();
    let want_keys: Vec<String> = (0..6).map(|d| format!("top{d}")).collect();

    // v2, pages of 7 (and of 1, 2, 3) with "/".
    for page in [7, 1, 2, 3] {
        let (mut got_k, mut got_p) = (Vec::new(), Vec::new());
        let mut token: Option<String> = None;
        let mut loops = 0;
        loop {
            loops += 1;
            assert!(loops < 100, "paging does not end");
            let o = c
                .list_objects_v2()
                .bucket("small")
                .delimiter("/")
                .max_keys(page)
                .set_continuation_token(token.clone())
                .send()
                .await
                .unwrap();
            let (k, p) = v2_page(&o);
            assert!(k.len() + p.len() <= page as usize);
            assert_eq!(o.key_count(), Some((k.len() + p.len()) as i32));
            got_k.extend(k);
            got_p.extend(p);
            if o.is_truncated() == Some(true) {
                token = Some(o.next_continuation_token().unwrap().to_string());
            } else {
                break;
            }
        }
        assert_eq!(got_k, want_keys, "page {page}");
        assert_eq!(got_p, want_prefixes, "page {page}");
    }

    // v1, pages of 7 with "/": NextMarker is set on every truncated page.
    for page in [7, 1, 4] {
        let (mut got_k, mut got_p) = (Vec::new(), Vec::new());
        let mut marker: Option<String> = None;
        loop {
            let o = c
                .list_objects()
                .bucket("small")
                .delimiter("/")
                .max_keys(page)
                .set_marker(marker.clone())
                .send()
                .await
                .unwrap();
            let (k, p) = v1_page(&o);
            assert!(k.len() + p.len() <= page as usize);
            got_k.extend(k.clone());
            got_p.extend(p.clone());
            if o.is_truncated() == Some(true) {
                let next = o
                    .next_marker()
                    .expect("NextMarker with a delimiter")
                    .to_string();
                let last = k.into_iter().chain(p).max().unwrap();
                assert_eq!(next, last);
                marker = Some(next);
            } else {
                assert_eq!(o.next_marker(), None);
                break;
            }
        }
        assert_eq!(got_k, want_keys, "page {page}");
        assert_eq!(got_p, want_prefixes, "page {page}");
    }

    // Within a prefix, pages of 7 through files and a nested common prefix.
    for d in 0..6usize {
        let prefix = format!("dir{d}/");
        let mut want: Vec<String> = (0..(d * 3 + 1))
            .map(|f| format!("dir{d}/f{f:02}"))
            .collect();
        want.push(format!("dir{d}/sub/"));
        let mut got = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let o = c
                .list_objects_v2()
                .bucket("small")
                .prefix(&prefix)
                .delimiter("/")
                .max_keys(7)
                .set_continuation_token(token.clone())
                .send()
                .await
                .unwrap();
            let (k, p) = v2_page(&o);
            got.extend(k);
            got.extend(p);
            match o.next_continuation_token() {
                Some(t) => token = Some(t.to_string()),
                None => break,
            }
        }
        assert_eq!(got, want);
    }

    // Without a delimiter, pages of 7 return every key exactly once.
    let mut got = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let o = c
            .list_objects_v2()
            .bucket("small")
            .max_keys(7)
            .set_continuation_token(token.clone())
            .send()
            .await
            .unwrap();
        got.extend(v2_page(&o).0);
        match o.next_continuation_token() {
            Some(t) => token = Some(t.to_string()),
            None => break,
        }
    }
    assert_eq!(got, keys);
    let unique: BTreeSet<&String> = got.iter().collect();
    assert_eq!(unique.len(), got.len());
}

#[tokio::test]
async fn start_after_key_count_fetch_owner() {
    let s = Server::start().await;
    let c = s.with_bucket("stafter").await;
    let keys = strings(&["a", "b/1", "b/2", "c", "d"]);
    put_keys(&c, "stafter", &keys).await;

    let o = c
        .list_objects_v2()
        .bucket("stafter")
        .start_after("b/1")
        .send()
        .await
        .unwrap();
    assert_eq!(v2_page(&o).0, strings(&["b/2", "c", "d"]));
    assert_eq!(o.start_after(), Some("b/1"));
    assert_eq!(o.key_count(), Some(3));

    // StartAfter not itself a key, and past the end.
    let o = c
        .list_objects_v2()
        .bucket("stafter")
        .start_after("bb")
        .send()
        .await
        .unwrap();
    assert_eq!(v2_page(&o).0, strings(&["c", "d"]));
    let o = c
        .list_objects_v2()
        .bucket("stafter")
        .start_after("z")
        .send()
        .await
        .unwrap();
    assert_eq!(o.key_count(), Some(0));
    assert_eq!(o.is_truncated(), Some(false));

    // StartAfter inside a common prefix skips the rest of it.
    let o = c
        .list_objects_v2()
        .bucket("stafter")
        .delimiter("/")
        .start_after("b/1")
        .send()
        .await
        .unwrap();
    assert_eq!(v2_page(&o), (strings(&["c", "d"]), vec![]));

    // v1 marker.
    let o = c
        .list_objects()
        .bucket("stafter")
        .marker("c")
        .send()
        .await
        .unwrap();
    assert_eq!(v1_page(&o).0, strings(&["d"]));
    assert_eq!(o.marker(), Some("c"));

    // A continuation token wins over StartAfter.
    let o = c
        .list_objects_v2()
        .bucket("stafter")
        .max_keys(2)
        .send()
        .await
        .unwrap();
    assert_eq!(v2_page(&o).0, strings(&["a", "b/1"]));
    let t = o.next_continuation_token().unwrap().to_string();
    let o = c
        .list_objects_v2()
        .bucket("stafter")
        .continuation_token(&t)
        .start_after("c")
        .send()
        .await
        .unwrap();
    assert_eq!(v2_page(&o).0, strings(&["b/2", "c", "d"]));

    // A forged continuation token.
    let e = c
        .list_objects_v2()
        .bucket("stafter")
        .continuation_token("not a token!")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidArgument");
    assert_eq!(status(&e), 400);

    // max-keys=0.
    let o = c
        .list_objects_v2()
        .bucket("stafter")
        .max_keys(0)
        .send()
        .await
        .unwrap();
    assert_eq!(o.key_count(), Some(0));
    assert!(o.contents().is_empty());

    // Owner: v2 only with fetch-owner, v1 always.
    let o = c.list_objects_v2().bucket("stafter").send().await.unwrap();
    assert!(o.contents().iter().all(|c| c.owner().is_none()));
    let o = c
        .list_objects_v2()
        .bucket("stafter")
        .fetch_owner(true)
        .send()
        .await
        .unwrap();
    for obj in o.contents() {
        let owner = obj.owner().expect("owner with fetch-owner");
        assert!(!owner.id().unwrap_or("").is_empty());
    }
    let o = c.list_objects().bucket("stafter").send().await.unwrap();
    assert!(o.contents().iter().all(|c| c.owner().is_some()));

    // Contents carry size, ETag, LastModified and storage class.
    c.put_object()
        .bucket("stafter")
        .key("a")
        .body(b"hello".to_vec().into())
        .send()
        .await
        .unwrap();
    let o = c
        .list_objects_v2()
        .bucket("stafter")
        .prefix("a")
        .send()
        .await
        .unwrap();
    let a = &o.contents()[0];
    assert_eq!(a.size(), Some(5));
    assert_eq!(a.e_tag(), Some("\"5d41402abc4b2a76b9719d911017c592\""));
    assert!(a.last_modified().is_some());
    assert_eq!(a.storage_class().map(|s| s.as_str()), Some("STANDARD"));
}

#[tokio::test]
async fn url_encoding_of_odd_keys() {
    let s = Server::start().await;
    let c = s.with_bucket("enc").await;
    let keys = strings(&[
        "with space/a b",
        "plus+and&amp",
        "ünïcödé/é",
        "tab\there",
        "ctl\u{1}x",
        "nl\nkey",
        "pct%41",
        "日本/語",
    ]);
    put_keys(&c, "enc", &keys).await;

    // The SDK does not decode: compare with the encoded forms.
    let o = c
        .list_objects_v2()
        .bucket("enc")
        .encoding_type(EncodingType::Url)
        .send()
        .await
        .unwrap();
    assert_eq!(o.encoding_type(), Some(&EncodingType::Url));
    let got: Vec<String> = o
        .contents()
        .iter()
        .map(|c| c.key().unwrap().to_string())
        .collect();
    let mut want: Vec<String> = keys.clone();
    want.sort();
    let want_enc: Vec<String> = want.iter().map(|k| url_encode(k)).collect();
    assert_eq!(got, want_enc);
    for (g, k) in got.iter().zip(&want) {
        assert_eq!(&percent_decode(g), k);
    }

    // Prefixes and delimiter are encoded too, in v1 and v2.
    let o = c
        .list_objects()
        .bucket("enc")
        .delimiter("/")
        .encoding_type(EncodingType::Url)
        .send()
        .await
        .unwrap();
    let (_, p) = v1_page(&o);
    assert_eq!(
        p,
        vec![
            url_encode("with space/"),
            url_encode("ünïcödé/"),
            url_encode("日本/")
        ]
    );
    assert!(p.iter().all(|x| x.is_ascii()));

    // Raw: the XML has only ASCII and no raw control characters.
    let r = Raw::new(&s, "GET", "/enc?list-type=2&encoding-type=url&prefix=ctl")
        .signed()
        .send(&s)
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.xml("Key").as_deref(), Some("ctl%01x"));
    assert_eq!(r.xml("EncodingType").as_deref(), Some("url"));
    assert_eq!(r.xml("Prefix").as_deref(), Some("ctl"));

    // Without encoding, keys with spaces and unicode come back as is.
    let o = c
        .list_objects_v2()
        .bucket("enc")
        .prefix("ü")
        .send()
        .await
        .unwrap();
    assert_eq!(v2_page(&o).0, strings(&["ünïcödé/é"]));
    let o = c
        .list_objects_v2()
        .bucket("enc")
        .prefix("with ")
        .send()
        .await
        .unwrap();
    assert_eq!(v2_page(&o).0, strings(&["with space/a b"]));
    let o = c
        .list_objects_v2()
        .bucket("enc")
        .prefix("tab")
        .send()
        .await
        .unwrap();
    assert_eq!(v2_page(&o).0, strings(&["tab\there"]));

    // Each key reads back by its name.
    for k in &keys {
        c.head_object()
            .bucket("enc")
            .key(k)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{k:?}: {e:?}"));
    }
}

/// Percent-encodes as S3 does for encoding-type=url (unreserved and '/' kept).
fn url_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

#[tokio::test]
async fn utf8_byte_order() {
    let s = Server::start().await;
    let c = s.with_bucket("order").await;
    let keys = strings(&["é", "a", "Z", "aa", "a/b", "a-", "😀", "~", "ÿ", "a0", "A"]);
    put_keys(&c, "order", &keys).await;
    let mut want = keys.clone();
    want.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    assert_eq!(
        want,
        strings(&["A", "Z", "a", "a-", "a/b", "a0", "aa", "~", "é", "ÿ", "😀"])
    );
    let o = c.list_objects_v2().bucket("order").send().await.unwrap();
    assert_eq!(v2_page(&o).0, want);
    let o = c.list_objects().bucket("order").send().await.unwrap();
    assert_eq!(v1_page(&o).0, want);

    // Paging one by one keeps the order.
    let mut got = Vec::new();
    let mut token = None;
    loop {
        let o = c
            .list_objects_v2()
            .bucket("order")
            .max_keys(1)
            .set_continuation_token(token)
            .send()
            .await
            .unwrap();
        got.extend(v2_page(&o).0);
        token = o.next_continuation_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(got, want);

    // StartAfter compares bytes: "é" (C3 A9) < "ÿ" (C3 BF) < "😀" (F0 ...).
    let o = c
        .list_objects_v2()
        .bucket("order")
        .start_after("é")
        .send()
        .await
        .unwrap();
    assert_eq!(v2_page(&o).0, strings(&["ÿ", "😀"]));
    let o = c
        .list_objects_v2()
        .bucket("order")
        .start_after("a")
        .delimiter("/")
        .send()
        .await
        .unwrap();
    assert_eq!(
        v2_page(&o),
        (
            strings(&["a-", "a0", "aa", "~", "é", "ÿ", "😀"]),
            strings(&["a/"])
        )
    );
}

#[tokio::test]
async fn empty_bucket_and_missing_bucket() {
    let s = Server::start().await;
    let c = s.with_bucket("empty").await;
    let o = c.list_objects_v2().bucket("empty").send().await.unwrap();
    assert_eq!(o.key_count(), Some(0));
    assert_eq!(o.is_truncated(), Some(false));
    assert!(o.contents().is_empty());
    assert!(o.common_prefixes().is_empty());
    assert_eq!(o.name(), Some("empty"));
    let o = c
        .list_objects()
        .bucket("empty")
        .delimiter("/")
        .send()
        .await
        .unwrap();
    assert_eq!(o.is_truncated(), Some(false));
    assert!(o.contents().is_empty());
    assert_eq!(o.max_keys(), Some(1000));

    for v2 in [false, true] {
        let e = if v2 {
            let e = c
                .list_objects_v2()
                .bucket("no-such-bucket-here")
                .send()
                .await
                .unwrap_err();
            (code(&e), status(&e))
        } else {
            let e = c
                .list_objects()
                .bucket("no-such-bucket-here")
                .send()
                .await
                .unwrap_err();
            (code(&e), status(&e))
        };
        assert_eq!(e, ("NoSuchBucket".to_string(), 404));
    }
    let r = Raw::new(&s, "GET", "/no-such-bucket-here?list-type=2")
        .signed()
        .send(&s)
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(r.xml("Code").as_deref(), Some("NoSuchBucket"));
    assert_eq!(r.xml("BucketName").as_deref(), Some("no-such-bucket-here"));

    // Bad list-type and encoding-type.
    let r = Raw::new(&s, "GET", "/empty?list-type=3")
        .signed()
        .send(&s)
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.xml("Code").as_deref(), Some("InvalidArgument"));
    let r = Raw::new(&s, "GET", "/empty?encoding-type=base64")
        .signed()
        .send(&s)
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.xml("Code").as_deref(), Some("InvalidArgument"));
    let r = Raw::new(&s, "GET", "/empty?list-type=2&max-keys=abc")
        .signed()
        .send(&s)
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.xml("Code").as_deref(), Some("InvalidArgument"));
}
