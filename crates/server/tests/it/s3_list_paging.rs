//! Listing in pages: 2500 keys paged through by V1 markers and V2 continuation tokens, and
//! small pages that cross common prefixes without repeating or losing one.

use crate::common::*;
use crate::s3_list::*;
use aws_sdk_s3::operation::list_objects_v2::ListObjectsV2Output;
use std::collections::BTreeSet;

/// Every page of a ListObjectsV2 of `bucket` (under `prefix`, grouped at `delimiter`,
/// `max_keys` a page), each asked for with the continuation token the page before gave, until
/// one is not truncated; fewer than 100 pages, or the paging does not end.
async fn v2_pages(
    c: &aws_sdk_s3::Client,
    bucket: &str,
    prefix: Option<&str>,
    delimiter: Option<&str>,
    max_keys: Option<i32>,
) -> Vec<ListObjectsV2Output> {
    let mut pages = Vec::new();
    let mut token: Option<String> = None;
    loop {
        assert!(pages.len() < 99, "paging does not end");
        let o = ok!(c
            .list_objects_v2()
            .bucket(bucket)
            .set_prefix(prefix.map(str::to_string))
            .set_delimiter(delimiter.map(str::to_string))
            .set_max_keys(max_keys)
            .set_continuation_token(token.clone()));
        token = match o.is_truncated() {
            Some(true) => Some(o.next_continuation_token().unwrap().to_string()),
            _ => None,
        };
        pages.push(o);
        if token.is_none() {
            return pages;
        }
    }
}

#[tokio::test]
async fn paging_2500_keys() {
    let (_s, c) = Server::start_with_bucket("many").await;
    let keys: Vec<String> = (0..2500).map(|i| format!("k/{i:05}")).collect();
    put_keys(&c, "many", &keys).await;

    // v2, default page size of 1000.
    let mut seen = Vec::new();
    let pages = v2_pages(&c, "many", None, None, None).await;
    let mut token: Option<&str> = None;
    for o in &pages {
        assert_eq!(o.max_keys(), Some(1000));
        assert_eq!(o.continuation_token(), token);
        let (k, _) = v2_page(o);
        assert_eq!(o.key_count(), Some(k.len() as i32));
        seen.extend(k);
        if o.is_truncated() == Some(true) {
            assert_eq!(o.key_count(), Some(1000));
        } else {
            assert_eq!(o.next_continuation_token(), None);
        }
        token = o.next_continuation_token();
    }
    assert_eq!(pages.len(), 3);
    assert_eq!(seen, keys);

    // v1 without a delimiter: no NextMarker; the last key is the next marker.
    let mut seen = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let o = ok!(c.list_objects().bucket("many").set_marker(marker.clone()));
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
    let (_s, c) = Server::start_with_bucket("small").await;
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
        for o in v2_pages(&c, "small", None, Some("/"), Some(page)).await {
            let (k, p) = v2_page(&o);
            assert!(k.len() + p.len() <= page as usize);
            assert_eq!(o.key_count(), Some((k.len() + p.len()) as i32));
            got_k.extend(k);
            got_p.extend(p);
        }
        assert_eq!(got_k, want_keys, "page {page}");
        assert_eq!(got_p, want_prefixes, "page {page}");
    }

    // v1, pages of 7 with "/": NextMarker is set on every truncated page.
    for page in [7, 1, 4] {
        let (mut got_k, mut got_p) = (Vec::new(), Vec::new());
        let mut marker: Option<String> = None;
        loop {
            let o = ok!(c
                .list_objects()
                .bucket("small")
                .delimiter("/")
                .max_keys(page)
                .set_marker(marker.clone()));
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
        for o in v2_pages(&c, "small", Some(&prefix), Some("/"), Some(7)).await {
            let (k, p) = v2_page(&o);
            got.extend(k);
            got.extend(p);
        }
        assert_eq!(got, want);
    }

    // Without a delimiter, pages of 7 return every key exactly once.
    let pages = v2_pages(&c, "small", None, None, Some(7)).await;
    let got: Vec<String> = pages.iter().flat_map(|o| v2_page(o).0).collect();
    assert_eq!(got, keys);
    let unique: BTreeSet<&String> = got.iter().collect();
    assert_eq!(unique.len(), got.len());
}
