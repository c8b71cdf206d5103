//! Listing odd keys: encoding-type=url on every key and prefix field, and keys listed in
//! UTF-8 byte order.

use crate::common::*;
use crate::s3_list::*;
use aws_sdk_s3::types::EncodingType;
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

#[tokio::test]
async fn url_encoding_of_odd_keys() {
    let (s, c) = Server::start_with_bucket("enc").await;
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
    let o = ok!(c
        .list_objects_v2()
        .bucket("enc")
        .encoding_type(EncodingType::Url));
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
    let o = ok!(c
        .list_objects()
        .bucket("enc")
        .delimiter("/")
        .encoding_type(EncodingType::Url));
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
        .send_signed(&s)
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.xml("Key").as_deref(), Some("ctl%01x"));
    assert_eq!(r.xml("EncodingType").as_deref(), Some("url"));
    assert_eq!(r.xml("Prefix").as_deref(), Some("ctl"));

    // Without encoding, keys with spaces and unicode come back as is.
    let o = ok!(c.list_objects_v2().bucket("enc").prefix("ü"));
    assert_eq!(v2_page(&o).0, strings(&["ünïcödé/é"]));
    let o = ok!(c.list_objects_v2().bucket("enc").prefix("with "));
    assert_eq!(v2_page(&o).0, strings(&["with space/a b"]));
    let o = ok!(c.list_objects_v2().bucket("enc").prefix("tab"));
    assert_eq!(v2_page(&o).0, strings(&["tab\there"]));

    // Each key reads back by its name.
    for k in &keys {
        head_req(&c, "enc", k)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{k:?}: {e:?}"));
    }
}

/// What encoding-type=url leaves as it is: the unreserved characters and `/`.
const KEPT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

/// Percent-encodes as S3 does for encoding-type=url (unreserved and '/' kept).
pub fn url_encode(s: &str) -> String {
    utf8_percent_encode(s, KEPT).to_string()
}

pub fn percent_decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8().unwrap().into_owned()
}

#[tokio::test]
async fn utf8_byte_order() {
    let (_s, c) = Server::start_with_bucket("order").await;
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
        let o = ok!(c
            .list_objects_v2()
            .bucket("order")
            .max_keys(1)
            .set_continuation_token(token));
        got.extend(v2_page(&o).0);
        token = o.next_continuation_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(got, want);

    // StartAfter compares bytes: "é" (C3 A9) < "ÿ" (C3 BF) < "😀" (F0 ...).
    let o = ok!(c.list_objects_v2().bucket("order").start_after("é"));
    assert_eq!(v2_page(&o).0, strings(&["ÿ", "😀"]));
    let o = ok!(c
        .list_objects_v2()
        .bucket("order")
        .start_after("a")
        .delimiter("/"));
    assert_eq!(
        v2_page(&o),
        (
            strings(&["a-", "a0", "aa", "~", "é", "ÿ", "😀"]),
            strings(&["a/"])
        )
    );
}
