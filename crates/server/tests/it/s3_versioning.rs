//! Versioning: bucket status, version ids on writes, reads and deletes by version, delete
//! markers, ListObjectVersions (order, null versions, paging, delimiter), suspended buckets,
//! DeleteObjects with version ids, version id errors.

use crate::common::*;
use aws_sdk_s3::types::{BucketVersioningStatus, Delete, ObjectIdentifier};
use aws_sdk_s3::Client;

async fn get_version(c: &Client, bucket: &str, key: &str, vid: &str) -> Vec<u8> {
    let out = c
        .get_object()
        .bucket(bucket)
        .key(key)
        .version_id(vid)
        .send()
        .await
        .unwrap();
    assert_eq!(out.version_id(), Some(vid));
    body_bytes(out).await
}

/// (key, version id, is latest, is delete marker) of a whole ListObjectVersions page.
fn entries(
    o: &aws_sdk_s3::operation::list_object_versions::ListObjectVersionsOutput,
) -> Vec<(String, String, bool, bool)> {
    // The SDK separates versions and markers; merge them back in listing order
    // (key ascending, newest first), using LastModified then the order given.
    let mut all: Vec<(String, String, bool, bool, i64, usize)> = Vec::new();
    for (i, v) in o.versions().iter().enumerate() {
        all.push((
            v.key().unwrap().to_string(),
            v.version_id()
                .expect("every version has a VersionId")
                .to_string(),
            v.is_latest().unwrap(),
            false,
            v.last_modified().unwrap().as_nanos() as i64,
            i,
        ));
    }
    for (i, m) in o.delete_markers().iter().enumerate() {
        all.push((
            m.key().unwrap().to_string(),
            m.version_id()
                .expect("every marker has a VersionId")
                .to_string(),
            m.is_latest().unwrap(),
            true,
            m.last_modified().unwrap().as_nanos() as i64,
            i,
        ));
    }
    all.sort_by(|a, b| a.0.cmp(&b.0).then(b.4.cmp(&a.4)));
    all.into_iter()
        .map(|(k, v, l, d, _, _)| (k, v, l, d))
        .collect()
}

#[tokio::test]
async fn bucket_versioning_status() {
    let s = Server::start().await;
    let c = s.with_bucket("vstat").await;
    let v = c
        .get_bucket_versioning()
        .bucket("vstat")
        .send()
        .await
        .unwrap();
    assert_eq!(v.status(), None);
    assert_eq!(v.mfa_delete(), None);
    let r = Raw::new(&s, "GET", "/vstat?versioning")
        .signed()
        .send(&s)
        .await;
    assert_eq!(r.status, 200);
    assert!(r.text().contains("VersioningConfiguration"));
    assert!(r.xml("Status").is_none(), "{}", r.text());

    set_versioning(&c, "vstat", BucketVersioningStatus::Enabled).await;
    let v = c
        .get_bucket_versioning()
        .bucket("vstat")
        .send()
        .await
        .unwrap();
    assert_eq!(v.status(), Some(&BucketVersioningStatus::Enabled));
    set_versioning(&c, "vstat", BucketVersioningStatus::Suspended).await;
    let v = c
        .get_bucket_versioning()
        .bucket("vstat")
        .send()
        .await
        .unwrap();
    assert_eq!(v.status(), Some(&BucketVersioningStatus::Suspended));

    // A bad status, and a missing bucket.
    let body = "<VersioningConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Status>On</Status></VersioningConfiguration>";
    let r = Raw::new(&s, "PUT", "/vstat?versioning")
        .body(body)
        .signed()
        .send(&s)
        .await;
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(r.xml("Code").as_deref(), Some("MalformedXML"));
    let e = c
        .get_bucket_versioning()
        .bucket("no-such-bucket-v")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "NoSuchBucket");
}

#[tokio::test]
async fn versions_delete_markers_and_restore() {
    let s = Server::start().await;
    let c = s.with_bucket("vers").await;
    // Written before versioning: the null version, no version id header.
    let v0 = put_bytes(&c, "vers", "k", b"zero").await;
    assert_eq!(v0, None);
    set_versioning(&c, "vers", BucketVersioningStatus::Enabled).await;
    let v1 = put_bytes(&c, "vers", "k", b"one").await.unwrap();
    let v2 = put_bytes(&c, "vers", "k", b"two").await.unwrap();
    assert_ne!(v1, v2);
    assert_ne!(v1, "null");
    assert_eq!(v1.len(), 36);

    // Reads: latest, by id, the null version.
    let got = c.get_object().bucket("vers").key("k").send().await.unwrap();
    assert_eq!(got.version_id(), Some(v2.as_str()));
    assert_eq!(body_bytes(got).await, b"two");
    assert_eq!(get_version(&c, "vers", "k", &v1).await, b"one");
    assert_eq!(get_version(&c, "vers", "k", "null").await, b"zero");
    let head = c
        .head_object()
        .bucket("vers")
        .key("k")
        .version_id(&v1)
        .send()
        .await
        .unwrap();
    assert_eq!(head.version_id(), Some(v1.as_str()));
    assert_eq!(head.content_length(), Some(3));

    // Delete without a version: a delete marker.
    let del = c
        .delete_object()
        .bucket("vers")
        .key("k")
        .send()
        .await
        .unwrap();
    assert_eq!(del.delete_marker(), Some(true));
    let marker = del.version_id().unwrap().to_string();
    assert!(![v1.as_str(), v2.as_str(), "null"].contains(&marker.as_str()));
    let r = Raw::new(&s, "GET", "/vers/k").signed().send(&s).await;
    assert_eq!(r.status, 404);
    assert_eq!(r.xml("Code").as_deref(), Some("NoSuchKey"));
    assert_eq!(r.header("x-amz-delete-marker"), Some("true"));
    assert_eq!(r.header("x-amz-version-id"), Some(marker.as_str()));
    let e = c
        .get_object()
        .bucket("vers")
        .key("k")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "NoSuchKey");
    assert_eq!(status(&e), 404);
    let r = Raw::new(&s, "HEAD", "/vers/k").signed().send(&s).await;
    assert_eq!(r.status, 404);
    assert_eq!(r.header("x-amz-delete-marker"), Some("true"));

    // The marker by version id: 405 MethodNotAllowed.
    let r = Raw::new(&s, "GET", &format!("/vers/k?versionId={marker}"))
        .signed()
        .send(&s)
        .await;
    assert_eq!(r.status, 405);
    assert_eq!(r.xml("Code").as_deref(), Some("MethodNotAllowed"));
    assert_eq!(r.header("x-amz-delete-marker"), Some("true"));
    assert_eq!(r.header("x-amz-version-id"), Some(marker.as_str()));
    let e = c
        .get_object()
        .bucket("vers")
        .key("k")
        .version_id(&marker)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&e), 405);
    assert_eq!(code(&e), "MethodNotAllowed");
    let r = Raw::new(&s, "HEAD", &format!("/vers/k?versionId={marker}"))
        .signed()
        .send(&s)
        .await;
    assert_eq!(r.status, 405);
    // Older versions stay readable.
    assert_eq!(get_version(&c, "vers", "k", &v2).await, b"two");
    // The key is gone from ListObjects.
    let l = c.list_objects_v2().bucket("vers").send().await.unwrap();
    assert!(l.contents().is_empty());

    // Deleting the marker restores the object.
    let del = c
        .delete_object()
        .bucket("vers")
        .key("k")
        .version_id(&marker)
        .send()
        .await
        .unwrap();
    assert_eq!(del.delete_marker(), Some(true));
    assert_eq!(del.version_id(), Some(marker.as_str()));
    let got = c.get_object().bucket("vers").key("k").send().await.unwrap();
    assert_eq!(got.version_id(), Some(v2.as_str()));
    assert_eq!(body_bytes(got).await, b"two");

    // Deleting the latest version by id makes the previous one current.
    let del = c
        .delete_object()
        .bucket("vers")
        .key("k")
        .version_id(&v2)
        .send()
        .await
        .unwrap();
    assert_eq!(del.version_id(), Some(v2.as_str()));
    assert_ne!(del.delete_marker(), Some(true));
    let got = c.get_object().bucket("vers").key("k").send().await.unwrap();
    assert_eq!(got.version_id(), Some(v1.as_str()));
    let e = c
        .get_object()
        .bucket("vers")
        .key("k")
        .version_id(&v2)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "NoSuchVersion");
    assert_eq!(status(&e), 404);

    // Version id errors: unknown (well-formed) and malformed.
    let unknown = "0123456789abcdef0123456789abcdef";
    let e = c
        .get_object()
        .bucket("vers")
        .key("k")
        .version_id(unknown)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "NoSuchVersion");
    assert_eq!(status(&e), 404);
    let r = Raw::new(&s, "GET", &format!("/vers/k?versionId={unknown}"))
        .signed()
        .send(&s)
        .await;
    assert_eq!(r.xml("Code").as_deref(), Some("NoSuchVersion"));
    assert_eq!(r.xml("VersionId").as_deref(), Some(unknown));
    let e = c
        .get_object()
        .bucket("vers")
        .key("k")
        .version_id("bad")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidArgument");
    assert_eq!(status(&e), 400);
    let e = c
        .head_object()
        .bucket("vers")
        .key("k")
        .version_id(unknown)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&e), 404);
    let e = c
        .delete_object()
        .bucket("vers")
        .key("k")
        .version_id("bad")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidArgument");
    // Nothing changed.
    let got = c.get_object().bucket("vers").key("k").send().await.unwrap();
    assert_eq!(got.version_id(), Some(v1.as_str()));

    // Deleting the null version for good.
    c.delete_object()
        .bucket("vers")
        .key("k")
        .version_id("null")
        .send()
        .await
        .unwrap();
    let e = c
        .get_object()
        .bucket("vers")
        .key("k")
        .version_id("null")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "NoSuchVersion");
}

#[tokio::test]
async fn list_object_versions_order_and_null_ids() {
    let s = Server::start().await;
    let c = s.with_bucket("lov").await;
    put_bytes(&c, "lov", "b", b"b-null").await;
    put_bytes(&c, "lov", "a", b"a-null").await;
    set_versioning(&c, "lov", BucketVersioningStatus::Enabled).await;
    let a1 = put_bytes(&c, "lov", "a", b"a1").await.unwrap();
    let a2 = put_bytes(&c, "lov", "a", b"a2").await.unwrap();
    let c1 = put_bytes(&c, "lov", "c", b"c1").await.unwrap();
    let dm = c
        .delete_object()
        .bucket("lov")
        .key("c")
        .send()
        .await
        .unwrap()
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
    let o = c
        .list_object_versions()
        .bucket("lov")
        .delimiter("/")
        .prefix("d/")
        .send()
        .await
        .unwrap();
    let keys: Vec<&str> = o.versions().iter().map(|v| v.key().unwrap()).collect();
    assert_eq!(keys, vec!["d/1", "d/2"]);
    let cps: Vec<&str> = o
        .common_prefixes()
        .iter()
        .map(|p| p.prefix().unwrap())
        .collect();
    assert_eq!(cps, vec!["d/x/"]);
    let o = c
        .list_object_versions()
        .bucket("lov")
        .delimiter("/")
        .send()
        .await
        .unwrap();
    let cps: Vec<&str> = o
        .common_prefixes()
        .iter()
        .map(|p| p.prefix().unwrap())
        .collect();
    assert_eq!(cps, vec!["d/"]);
    assert!(o.versions().iter().all(|v| !v.key().unwrap().contains('/')));

    // Missing bucket.
    let e = c
        .list_object_versions()
        .bucket("no-such-bucket-v")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "NoSuchBucket");
}

#[tokio::test]
async fn list_object_versions_paging() {
    let s = Server::start().await;
    let c = s.with_bucket("lovp").await;
    set_versioning(&c, "lovp", BucketVersioningStatus::Enabled).await;
    // 3 keys x 9 versions, some with delete markers, plus a prefix.
    let mut want: Vec<(String, String)> = Vec::new();
    for key in ["k1", "k2", "k3"] {
        let mut ids = Vec::new();
        for i in 0..9 {
            if i == 4 {
                let m = c
                    .delete_object()
                    .bucket("lovp")
                    .key(key)
                    .send()
                    .await
                    .unwrap();
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
        let o = c
            .list_object_versions()
            .bucket("lovp")
            .max_keys(5)
            .set_key_marker(km)
            .set_version_id_marker(vm)
            .send()
            .await
            .unwrap();
        n += o.versions().len() + o.delete_markers().len();
        if o.is_truncated() != Some(true) {
            break;
        }
        km = o.next_key_marker().map(str::to_string);
        vm = o.next_version_id_marker().map(str::to_string);
    }
    assert_eq!(n, 27);

    // A key marker alone starts after every version of that key.
    let o = c
        .list_object_versions()
        .bucket("lovp")
        .key_marker("k2")
        .send()
        .await
        .unwrap();
    let got = entries(&o);
    assert_eq!(got.len(), 9);
    assert!(got.iter().all(|e| e.0 == "k3"));
    // A version-id marker without a key marker.
    let r = Raw::new(
        &s,
        "GET",
        &format!("/lovp?versions&version-id-marker={}", want[0].1),
    )
    .signed()
    .send(&s)
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.xml("Code").as_deref(), Some("InvalidArgument"));

    // encoding-type=url encodes keys and markers.
    put_bytes(&c, "lovp", "sp ace/é", b"x").await;
    let r = Raw::new(&s, "GET", "/lovp?versions&encoding-type=url&key-marker=k3")
        .signed()
        .send(&s)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.xml("EncodingType").as_deref(), Some("url"));
    assert_eq!(xml_values(&r.text(), "Key"), vec!["sp%20ace/%C3%A9"]);
    let r = Raw::new(
        &s,
        "GET",
        "/lovp?versions&encoding-type=url&delimiter=/&max-keys=1&key-marker=k3",
    )
    .signed()
    .send(&s)
    .await;
    assert_eq!(r.xml("Prefix").as_deref(), Some(""));
    assert_eq!(
        xml_values(&r.text(), "Prefix").last().map(String::as_str),
        Some("sp%20ace/")
    );
}

#[tokio::test]
async fn suspended_bucket_overwrites_null_version() {
    let s = Server::start().await;
    let c = s.with_bucket("susp").await;
    set_versioning(&c, "susp", BucketVersioningStatus::Enabled).await;
    let v1 = put_bytes(&c, "susp", "k", b"v1").await.unwrap();
    set_versioning(&c, "susp", BucketVersioningStatus::Suspended).await;
    // A write into a suspended bucket makes the null version without announcing it (AWS's
    // PutObject "versioning suspended" example has no x-amz-version-id).
    let n1 = put_bytes(&c, "susp", "k", b"null one").await;
    assert_eq!(n1, None);
    let n2 = put_bytes(&c, "susp", "k", b"null two").await;
    assert_eq!(n2, None);
    let got = c.get_object().bucket("susp").key("k").send().await.unwrap();
    assert_eq!(got.version_id(), Some("null"));
    assert_eq!(body_bytes(got).await, b"null two");
    assert_eq!(get_version(&c, "susp", "k", &v1).await, b"v1");
    let o = c
        .list_object_versions()
        .bucket("susp")
        .send()
        .await
        .unwrap();
    let got = entries(&o);
    assert_eq!(
        got,
        vec![
            ("k".to_string(), "null".to_string(), true, false),
            ("k".to_string(), v1.clone(), false, false)
        ]
    );

    // A delete in a suspended bucket: a null delete marker replacing the null version.
    let del = c
        .delete_object()
        .bucket("susp")
        .key("k")
        .send()
        .await
        .unwrap();
    assert_eq!(del.delete_marker(), Some(true));
    assert_eq!(del.version_id(), Some("null"));
    let o = c
        .list_object_versions()
        .bucket("susp")
        .send()
        .await
        .unwrap();
    assert_eq!(o.versions().len(), 1);
    assert_eq!(o.versions()[0].version_id(), Some(v1.as_str()));
    assert_eq!(o.delete_markers().len(), 1);
    assert_eq!(o.delete_markers()[0].version_id(), Some("null"));
    let e = c
        .get_object()
        .bucket("susp")
        .key("k")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "NoSuchKey");

    // Re-enabled: new writes get ids again, the null marker stays.
    set_versioning(&c, "susp", BucketVersioningStatus::Enabled).await;
    let v2 = put_bytes(&c, "susp", "k", b"v2").await.unwrap();
    assert_ne!(v2, "null");
    let o = c
        .list_object_versions()
        .bucket("susp")
        .send()
        .await
        .unwrap();
    assert_eq!(o.versions().len() + o.delete_markers().len(), 3);
}

#[tokio::test]
async fn delete_objects_with_versions() {
    let s = Server::start().await;
    let c = s.with_bucket("dov").await;
    set_versioning(&c, "dov", BucketVersioningStatus::Enabled).await;
    let a1 = put_bytes(&c, "dov", "a", b"a1").await.unwrap();
    let a2 = put_bytes(&c, "dov", "a", b"a2").await.unwrap();
    let b1 = put_bytes(&c, "dov", "b", b"b1").await.unwrap();
    let id = |k: &str, v: Option<&str>| {
        ObjectIdentifier::builder()
            .key(k)
            .set_version_id(v.map(str::to_string))
            .build()
            .unwrap()
    };
    let out = c
        .delete_objects()
        .bucket("dov")
        .delete(
            Delete::builder()
                .objects(id("a", Some(&a1)))
                .objects(id("b", None))
                .objects(id("a", Some("0123456789abcdef0123456789abcdef")))
                .objects(id("a", Some("bad")))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let deleted: Vec<(&str, Option<&str>, Option<bool>)> = out
        .deleted()
        .iter()
        .map(|d| (d.key().unwrap(), d.version_id(), d.delete_marker()))
        .collect();
    assert!(
        deleted.contains(&("a", Some(a1.as_str()), None))
            || deleted.contains(&("a", Some(a1.as_str()), Some(false)))
    );
    let b = out.deleted().iter().find(|d| d.key() == Some("b")).unwrap();
    assert_eq!(b.delete_marker(), Some(true));
    let b_marker = b.delete_marker_version_id().unwrap().to_string();
    assert_ne!(b_marker, b1);
    let errs: Vec<(&str, Option<&str>, &str)> = out
        .errors()
        .iter()
        .map(|e| (e.key().unwrap(), e.version_id(), e.code().unwrap()))
        .collect();
    assert!(
        errs.contains(&("a", Some("bad"), "InvalidArgument")),
        "{errs:?}"
    );

    // a1 is gone, a2 remains; b has a marker over b1.
    let e = c
        .get_object()
        .bucket("dov")
        .key("a")
        .version_id(&a1)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "NoSuchVersion");
    assert_eq!(get_version(&c, "dov", "a", &a2).await, b"a2");
    assert_eq!(get_version(&c, "dov", "b", &b1).await, b"b1");
    let e = c
        .get_object()
        .bucket("dov")
        .key("b")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "NoSuchKey");

    // Removing the marker and the last versions by id empties the bucket.
    c.delete_objects()
        .bucket("dov")
        .delete(
            Delete::builder()
                .objects(id("b", Some(&b_marker)))
                .objects(id("b", Some(&b1)))
                .objects(id("a", Some(&a2)))
                .quiet(true)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let o = c.list_object_versions().bucket("dov").send().await.unwrap();
    assert!(o.versions().is_empty());
    assert!(o.delete_markers().is_empty());
    c.delete_bucket().bucket("dov").send().await.unwrap();
}
