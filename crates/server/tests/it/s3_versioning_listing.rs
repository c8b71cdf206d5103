//! ListObjectVersions: versions and delete markers in key then newest-first order, null
//! version ids, and paging by key and version-id markers.

use crate::common::*;
use aws_sdk_s3::types::BucketVersioningStatus;

/// (key, version id, is latest, is delete marker) of a whole ListObjectVersions page.
pub fn entries(
    o: &aws_sdk_s3::operation::list_object_versions::ListObjectVersionsOutput,
) -> Vec<(String, String, bool, bool)> {
    // The SDK separates versions and markers; merge them back in listing order
    // (key ascending, newest first), using LastModified then the order given.
    let versions = o.versions().iter().map(|v| {
        let at = v.last_modified();
        (v.key(), v.version_id(), v.is_latest(), false, at)
    });
    let markers = o.delete_markers().iter().map(|m| {
        let at = m.last_modified();
        (m.key(), m.version_id(), m.is_latest(), true, at)
    });
    let mut all: Vec<(String, String, bool, bool, i64, usize)> = versions
        .enumerate()
        .chain(markers.enumerate())
        .map(|(i, (key, id, latest, marker, at))| {
            (
                key.unwrap().to_string(),
                id.expect("every entry has a VersionId").to_string(),
                latest.unwrap(),
                marker,
                at.unwrap().as_nanos() as i64,
                i,
            )
        })
        .collect();
    all.sort_by(|a, b| a.0.cmp(&b.0).then(b.4.cmp(&a.4)));
    all.into_iter()
        .map(|(k, v, l, d, _, _)| (k, v, l, d))
        .collect()
}

#[tokio::test]
async fn list_object_versions_order_and_null_ids() {
    let (s, c) = Server::start_with_bucket("lov").await;
    put_bytes(&c, "lov", "b", b"b-null").await;
    put_bytes(&c, "lov", "a", b"a-null").await;
    set_versioning(&c, "lov", BucketVersioningStatus::Enabled).await;
    let a1 = put_bytes(&c, "lov", "a", b"a1").await.unwrap();
    let a2 = put_bytes(&c, "lov", "a", b"a2").await.unwrap();
    let c1 = put_bytes(&c, "lov", "c", b"c1").await.unwrap();
    let dm = delete_key(&c, "lov", "c")
        .await
        .version_id()
        .unwrap()
        .to_string();

    let o = c.list_object_versions().bucket("lov").send().await.unwrap();
    assert_eq!(o.is_truncated(), Some(false));
    // Raw order from the XML: keys ascending, newest first; markers interleaved.
    let r = Raw::new(&s, "GET", "/lov?versions").signed().send(&s).await;
    let text = r.text();
    let ids = xml_values(&text, "VersionId");
    let keys = xml_values(&text, "Key");
    let latest = xml_values(&text, "IsLatest");
    assert_eq!(keys, vec!["a", "a", "a", "b", "c", "c"]);
    assert_eq!(
        ids,
        vec![
            a2.clone(),
            a1.clone(),
            "null".into(),
            "null".into(),
            dm.clone(),
            c1.clone()
        ]
    );
    assert_eq!(
        latest,
        vec!["true", "false", "false", "true", "true", "false"]
    );
    let dm_pos = text.find("<DeleteMarker>").unwrap();
    assert!(text[dm_pos..].contains(&format!("<VersionId>{dm}</VersionId>")));

    // Through the SDK: every entry has a version id, markers listed as such.
    let all = entries(&o);
    assert_eq!(all.len(), 6);
    assert_eq!(o.delete_markers().len(), 1);
    assert_eq!(o.delete_markers()[0].version_id(), Some(dm.as_str()));
    assert_eq!(o.delete_markers()[0].is_latest(), Some(true));
    for v in o.versions() {
        assert!(v.e_tag().is_some());
        assert!(v.size().is_some());
    }
    let null_b = o.versions().iter().find(|v| v.key() == Some("b")).unwrap();
    assert_eq!(null_b.version_id(), Some("null"));
    assert_eq!(null_b.is_latest(), Some(true));

    // Prefix and delimiter.
    for k in ["d/1", "d/2", "d/x/1", "e"] {
        put_bytes(&c, "lov", k, b"x").await;
    }
    let o = ok!(c
        .list_object_versions()
        .bucket("lov")
        .delimiter("/")
        .prefix("d/"));
    let keys: Vec<&str> = o.versions().iter().map(|v| v.key().unwrap()).collect();
    assert_eq!(keys, vec!["d/1", "d/2"]);
    assert_eq!(prefixes_of(o.common_prefixes()), ["d/x/"]);
    let o = ok!(c.list_object_versions().bucket("lov").delimiter("/"));
    assert_eq!(prefixes_of(o.common_prefixes()), ["d/"]);
    assert!(o.versions().iter().all(|v| !v.key().unwrap().contains('/')));

    // Missing bucket.
    let e = err!(c.list_object_versions().bucket("no-such-bucket-v"));
    assert_eq!(code(&e), "NoSuchBucket");
}

#[tokio::test]
async fn list_object_versions_paging() {
    let (s, c) = Server::start_with_bucket("lovp").await;
    set_versioning(&c, "lovp", BucketVersioningStatus::Enabled).await;
    // 3 keys x 9 versions, some with delete markers, plus a prefix.
    let mut want: Vec<(String, String)> = Vec::new();
    for key in ["k1", "k2", "k3"] {
        let mut ids = Vec::new();
        for i in 0..9 {
            if i == 4 {
                let m = delete_key(&c, "lovp", key).await;
                ids.push(m.version_id().unwrap().to_string());
            } else {
                ids.push(
                    put_bytes(&c, "lovp", key, format!("{key}-{i}").as_bytes())
                        .await
                        .unwrap(),
                );
            }
        }
        ids.reverse();
        want.extend(ids.into_iter().map(|v| (key.to_string(), v)));
    }
    for page in [1, 4, 7, 9, 10, 1000] {
        let mut got = Vec::new();
        let (mut km, mut vm): (Option<String>, Option<String>) = (None, None);
        let mut rounds = 0;
        loop {
            rounds += 1;
            assert!(rounds < 100);
            let mut q = format!("/lovp?versions&max-keys={page}");
            if let Some(k) = &km {
                q.push_str(&format!("&key-marker={k}"));
            }
            if let Some(v) = &vm {
                q.push_str(&format!("&version-id-marker={v}"));
            }
            let r = Raw::new(&s, "GET", &q).signed().send(&s).await;
            assert_eq!(r.status, 200, "{}", r.text());
            let text = r.text();
            let keys = xml_values(&text, "Key");
            let ids = xml_values(&text, "VersionId");
            assert!(keys.len() <= page);
            got.extend(keys.into_iter().zip(ids));
            if r.xml("IsTruncated").as_deref() == Some("true") {
                km = r.xml("NextKeyMarker");
                vm = r.xml("NextVersionIdMarker");
                assert_eq!(km.as_deref(), Some(got.last().unwrap().0.as_str()));
                assert_eq!(vm.as_deref(), Some(got.last().unwrap().1.as_str()));
            } else {
                assert!(r.xml("NextKeyMarker").is_none());
                break;
            }
        }
        assert_eq!(got, want, "page {page}");
    }
    // The SDK paginator too.
    let mut n = 0;
    let mut km: Option<String> = None;
    let mut vm: Option<String> = None;
    loop {
        let o = ok!(c
            .list_object_versions()
            .bucket("lovp")
            .max_keys(5)
            .set_key_marker(km)
            .set_version_id_marker(vm));
        n += o.versions().len() + o.delete_markers().len();
        if o.is_truncated() != Some(true) {
            break;
        }
        km = o.next_key_marker().map(str::to_string);
        vm = o.next_version_id_marker().map(str::to_string);
    }
    assert_eq!(n, 27);

    // A key marker alone starts after every version of that key.
    let o = ok!(c.list_object_versions().bucket("lovp").key_marker("k2"));
    let got = entries(&o);
    assert_eq!(got.len(), 9);
    assert!(got.iter().all(|e| e.0 == "k3"));
    // A version-id marker without a key marker.
    let r = Raw::new(
        &s,
        "GET",
        &format!("/lovp?versions&version-id-marker={}", want[0].1),
    )
    .send_signed(&s)
    .await;
    r.assert_code(400, "InvalidArgument");

    // encoding-type=url encodes keys and markers.
    put_bytes(&c, "lovp", "sp ace/é", b"x").await;
    let r = Raw::new(&s, "GET", "/lovp?versions&encoding-type=url&key-marker=k3")
        .send_signed(&s)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.xml("EncodingType").as_deref(), Some("url"));
    assert_eq!(xml_values(&r.text(), "Key"), vec!["sp%20ace/%C3%A9"]);
    let r = Raw::new(
        &s,
        "GET",
        "/lovp?versions&encoding-type=url&delimiter=/&max-keys=1&key-marker=k3",
    )
    .send_signed(&s)
    .await;
    assert_eq!(r.xml("Prefix").as_deref(), Some(""));
    assert_eq!(
        xml_values(&r.text(), "Prefix").last().map(String::as_str),
        Some("sp%20ace/")
    );
}
