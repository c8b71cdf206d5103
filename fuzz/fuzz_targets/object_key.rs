//! Object keys and request paths: addressing (`wire::address`, path and virtual-hosted style),
//! then a real PutObject, GetObject, HeadObject, ListObjectsV2 and DeleteObject of the key the
//! raw path decodes to, in bucket `fuzz-keys` of an in-process trailstack.
//!
//! Keys are never file names (blobs are named by random ids), and this target holds the
//! server to that: after every input the data dir's top level has no entry it did not have
//! after setup, its `tmp/` is empty, and nothing exists beside the data dir. A key that is
//! stored reads back byte for byte, lists under itself, and is gone after its delete.
//!
//! Input: `host \0 raw key path (as sent after /fuzz-keys/) \0 body`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::collections::BTreeSet;
use std::sync::OnceLock;
use trailstack_fuzz::harness::{content_length, Harness};
use trailstack_fuzz::Fields;
use trailstack_s3::{Output, S3Error};

const BUCKET: &str = "fuzz-keys";

fn entries(dir: &std::path::Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// The harness, and the data dir's top-level entries once set up.
fn setup() -> &'static (&'static Harness, BTreeSet<String>) {
    static READY: OnceLock<(&'static Harness, BTreeSet<String>)> = OnceLock::new();
    READY.get_or_init(|| {
        let h = Harness::get();
        h.bucket(BUCKET);
        (h, entries(&h.data_dir))
    })
}

/// Percent-encodes everything but unreserved characters (a query value).
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn body_of(out: Output) -> Vec<u8> {
    let Output::Object(o) = out else {
        panic!("GetObject answered {out:?}");
    };
    match o.body {
        trailstack_core::ResponseBody::Full(b) => b.to_vec(),
        trailstack_core::ResponseBody::Empty => Vec::new(),
        trailstack_core::ResponseBody::Stream(s, _) => {
            use futures_util::StreamExt;
            let pieces = Harness::get().block_on(s.collect::<Vec<_>>());
            pieces
                .into_iter()
                .flat_map(|p| p.expect("a stored object reads back").to_vec())
                .collect()
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let (h, top_level) = setup();
    let mut f = Fields::new(data);
    let host = f.text();
    let raw_key = f.text();
    let body = f.rest();
    let path = format!("/{BUCKET}/{raw_key}");
    let _ = trailstack_s3::wire::address(&host, &format!("/{raw_key}"));
    let (bucket, key) = trailstack_s3::wire::address("localhost:4566", &path);
    assert_eq!(bucket.as_deref(), Some(BUCKET), "the path's bucket changed");
    // Without a key the path names the bucket itself, which this target leaves alone.
    let Some(key) = key else {
        return;
    };

    let put = h.s3(
        http::Method::PUT,
        &path,
        "",
        content_length(body.len()),
        body,
    );
    if put.is_ok() {
        let get = h.s3(http::Method::GET, &path, "", http::HeaderMap::new(), b"");
        let got = get.unwrap_or_else(|e| panic!("stored key {key:?} does not read: {e:?}"));
        assert_eq!(body_of(got), body, "key {key:?} read back other bytes");
        h.s3(http::Method::HEAD, &path, "", http::HeaderMap::new(), b"")
            .unwrap_or_else(|e| panic!("stored key {key:?} has no head: {e:?}"));
        let query = format!("list-type=2&prefix={}", encode(&key));
        let listed = h.s3(
            http::Method::GET,
            &format!("/{BUCKET}"),
            &query,
            http::HeaderMap::new(),
            b"",
        );
        match listed {
            Ok(Output::ObjectList(l)) => assert!(
                l.contents.iter().any(|o| o.key == key),
                "key {key:?} does not list under itself"
            ),
            other => panic!("listing {key:?} answered {other:?}"),
        }
        h.s3(http::Method::DELETE, &path, "", http::HeaderMap::new(), b"")
            .unwrap_or_else(|e| panic!("stored key {key:?} does not delete: {e:?}"));
        let gone = h.s3(http::Method::GET, &path, "", http::HeaderMap::new(), b"");
        assert!(
            matches!(gone, Err(S3Error::NoSuchKey(_))),
            "key {key:?} still reads after its delete: {gone:?}"
        );
    }

    assert_eq!(
        entries(&h.sandbox),
        BTreeSet::from(["data".to_string()]),
        "a file appeared beside the data dir"
    );
    let now = entries(&h.data_dir);
    assert!(
        now.is_subset(top_level),
        "new entries in the data dir: {:?}",
        now.difference(top_level)
    );
    assert!(
        entries(&h.data_dir.join("tmp")).is_empty(),
        "a temporary file was left behind"
    );
});
