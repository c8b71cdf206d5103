//! Versioning: bucket status, version ids on writes, reads and deletes by version, delete
//! markers, suspended buckets, DeleteObjects with version ids, version id errors.
//! ListObjectVersions is in `s3_versioning_listing`.

use crate::common::*;
use crate::s3_versioning_listing::entries;
use aws_sdk_s3::types::{BucketVersioningStatus, Delete, ObjectIdentifier};
use aws_sdk_s3::Client;

pub async fn get_version(c: &Client, bucket: &str, key: &str, vid: &str) -> Vec<u8> {
    let out = ok!(get_req(c, bucket, key).version_id(vid));
    assert_eq!(out.version_id(), Some(vid));
    body_bytes(out).await
}

#[tokio::test]
async fn bucket_versioning_status() {
    let (s, c) = Server::start_with_bucket("vstat").await;
    let v = ok!(c.get_bucket_versioning().bucket("vstat"));
    assert_eq!(v.status(), None);
    assert_eq!(v.mfa_delete(), None);
    let r = Raw::new(&s, "GET", "/vstat?versioning")
        .send_signed(&s)
        .await;
    assert_eq!(r.status, 200);
    assert!(r.text().contains("VersioningConfiguration"));
    assert!(r.xml("Status").is_none(), "{}", r.text());

    set_versioning(&c, "vstat", BucketVersioningStatus::Enabled).await;
    let v = ok!(c.get_bucket_versioning().bucket("vstat"));
    assert_eq!(v.status(), Some(&BucketVersioningStatus::Enabled));
    set_versioning(&c, "vstat", BucketVersioningStatus::Suspended).await;
    let v = ok!(c.get_bucket_versioning().bucket("vstat"));
    assert_eq!(v.status(), Some(&BucketVersioningStatus::Suspended));

    // A bad status, and a missing bucket.
    let body = "<VersioningConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Status>On</Status></VersioningConfiguration>";
    let r = Raw::new(&s, "PUT", "/vstat?versioning")
        .body(body)
        .send_signed(&s)
        .await;
    r.assert_code(400, "MalformedXML");
    assert_fails!(
        c.get_bucket_versioning().bucket("no-such-bucket-v"),
        "NoSuchBucket"
    );
}

#[tokio::test]
async fn versions_delete_markers_and_restore() {
    let (s, c) = Server::start_with_bucket("vers").await;
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
    let got = get_out(&c, "vers", "k").await;
    assert_eq!(got.version_id(), Some(v2.as_str()));
    assert_eq!(body_bytes(got).await, b"two");
    assert_eq!(get_version(&c, "vers", "k", &v1).await, b"one");
    assert_eq!(get_version(&c, "vers", "k", "null").await, b"zero");
    let head = ok!(head_req(&c, "vers", "k").version_id(&v1));
    assert_eq!(head.version_id(), Some(v1.as_str()));
    assert_eq!(head.content_length(), Some(3));

    // Delete without a version: a delete marker.
    let del = delete_key(&c, "vers", "k").await;
    assert_eq!(del.delete_marker(), Some(true));
    let marker = del.version_id().unwrap().to_string();
    assert!(![v1.as_str(), v2.as_str(), "null"].contains(&marker.as_str()));
    let r = Raw::new(&s, "GET", "/vers/k").signed().send(&s).await;
    r.assert_code(404, "NoSuchKey");
    assert_eq!(r.header("x-amz-delete-marker"), Some("true"));
    assert_eq!(r.header("x-amz-version-id"), Some(marker.as_str()));
    let e = get_err(&c, "vers", "k").await;
    assert_eq!(code(&e), "NoSuchKey");
    assert_eq!(status(&e), 404);
    let r = Raw::new(&s, "HEAD", "/vers/k").signed().send(&s).await;
    assert_eq!(r.status, 404);
    assert_eq!(r.header("x-amz-delete-marker"), Some("true"));

    // The marker by version id: 405 MethodNotAllowed.
    let r = Raw::new(&s, "GET", &format!("/vers/k?versionId={marker}"))
        .send_signed(&s)
        .await;
    r.assert_code(405, "MethodNotAllowed");
    assert_eq!(r.header("x-amz-delete-marker"), Some("true"));
    assert_eq!(r.header("x-amz-version-id"), Some(marker.as_str()));
    assert_outcome!(
        get_req(&c, "vers", "k").version_id(&marker),
        "MethodNotAllowed 405"
    );
    let r = Raw::new(&s, "HEAD", &format!("/vers/k?versionId={marker}"))
        .send_signed(&s)
        .await;
    assert_eq!(r.status, 405);
    // Older versions stay readable.
    assert_eq!(get_version(&c, "vers", "k", &v2).await, b"two");
    // The key is gone from ListObjects.
    let l = c.list_objects_v2().bucket("vers").send().await.unwrap();
    assert!(l.contents().is_empty());

    // Deleting the marker restores the object.
    let del = ok!(c
        .delete_object()
        .bucket("vers")
        .key("k")
        .version_id(&marker));
    assert_eq!(del.delete_marker(), Some(true));
    assert_eq!(del.version_id(), Some(marker.as_str()));
    let got = get_out(&c, "vers", "k").await;
    assert_eq!(got.version_id(), Some(v2.as_str()));
    assert_eq!(body_bytes(got).await, b"two");

    // Deleting the latest version by id makes the previous one current.
    let del = ok!(c.delete_object().bucket("vers").key("k").version_id(&v2));
    assert_eq!(del.version_id(), Some(v2.as_str()));
    assert_ne!(del.delete_marker(), Some(true));
    let got = get_out(&c, "vers", "k").await;
    assert_eq!(got.version_id(), Some(v1.as_str()));
    assert_outcome!(
        get_req(&c, "vers", "k").version_id(&v2),
        "NoSuchVersion 404"
    );

    // Version id errors: unknown (well-formed) and malformed.
    let unknown = "0123456789abcdef0123456789abcdef";
    assert_outcome!(
        get_req(&c, "vers", "k").version_id(unknown),
        "NoSuchVersion 404"
    );
    let r = Raw::new(&s, "GET", &format!("/vers/k?versionId={unknown}"))
        .send_signed(&s)
        .await;
    assert_eq!(r.xml("Code").as_deref(), Some("NoSuchVersion"));
    assert_eq!(r.xml("VersionId").as_deref(), Some(unknown));
    assert_outcome!(
        get_req(&c, "vers", "k").version_id("bad"),
        "InvalidArgument 400"
    );
    let e = err!(head_req(&c, "vers", "k").version_id(unknown));
    assert_eq!(status(&e), 404);
    assert_fails!(
        c.delete_object().bucket("vers").key("k").version_id("bad"),
        "InvalidArgument"
    );
    // Nothing changed.
    let got = get_out(&c, "vers", "k").await;
    assert_eq!(got.version_id(), Some(v1.as_str()));

    // Deleting the null version for good.
    ok!(c.delete_object().bucket("vers").key("k").version_id("null"));
    assert_fails!(get_req(&c, "vers", "k").version_id("null"), "NoSuchVersion");
}

#[tokio::test]
async fn suspended_bucket_overwrites_null_version() {
    let (_s, c) = Server::start_with_bucket("susp").await;
    set_versioning(&c, "susp", BucketVersioningStatus::Enabled).await;
    let v1 = put_bytes(&c, "susp", "k", b"v1").await.unwrap();
    set_versioning(&c, "susp", BucketVersioningStatus::Suspended).await;
    // A write into a suspended bucket makes the null version without announcing it (AWS's
    // PutObject "versioning suspended" example has no x-amz-version-id).
    let n1 = put_bytes(&c, "susp", "k", b"null one").await;
    assert_eq!(n1, None);
    let n2 = put_bytes(&c, "susp", "k", b"null two").await;
    assert_eq!(n2, None);
    let got = get_out(&c, "susp", "k").await;
    assert_eq!(got.version_id(), Some("null"));
    assert_eq!(body_bytes(got).await, b"null two");
    assert_eq!(get_version(&c, "susp", "k", &v1).await, b"v1");
    let o = ok!(c.list_object_versions().bucket("susp"));
    let got = entries(&o);
    assert_eq!(
        got,
        vec![
            ("k".to_string(), "null".to_string(), true, false),
            ("k".to_string(), v1.clone(), false, false)
        ]
    );

    // A delete in a suspended bucket: a null delete marker replacing the null version.
    let del = delete_key(&c, "susp", "k").await;
    assert_eq!(del.delete_marker(), Some(true));
    assert_eq!(del.version_id(), Some("null"));
    let o = ok!(c.list_object_versions().bucket("susp"));
    assert_eq!(o.versions().len(), 1);
    assert_eq!(o.versions()[0].version_id(), Some(v1.as_str()));
    assert_eq!(o.delete_markers().len(), 1);
    assert_eq!(o.delete_markers()[0].version_id(), Some("null"));
    let e = get_err(&c, "susp", "k").await;
    assert_eq!(code(&e), "NoSuchKey");

    // Re-enabled: new writes get ids again, the null marker stays.
    set_versioning(&c, "susp", BucketVersioningStatus::Enabled).await;
    let v2 = put_bytes(&c, "susp", "k", b"v2").await.unwrap();
    assert_ne!(v2, "null");
    let o = ok!(c.list_object_versions().bucket("susp"));
    assert_eq!(o.versions().len() + o.delete_markers().len(), 3);
}

#[tokio::test]
async fn delete_objects_with_versions() {
    let (_s, c) = Server::start_with_bucket("dov").await;
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
    let out = ok!(c.delete_objects().bucket("dov").delete(
        Delete::builder()
            .objects(id("a", Some(&a1)))
            .objects(id("b", None))
            .objects(id("a", Some("0123456789abcdef0123456789abcdef")))
            .objects(id("a", Some("bad")))
            .build()
            .unwrap(),
    ));
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
    assert_fails!(get_req(&c, "dov", "a").version_id(&a1), "NoSuchVersion");
    assert_eq!(get_version(&c, "dov", "a", &a2).await, b"a2");
    assert_eq!(get_version(&c, "dov", "b", &b1).await, b"b1");
    let e = get_err(&c, "dov", "b").await;
    assert_eq!(code(&e), "NoSuchKey");

    // Removing the marker and the last versions by id empties the bucket.
    ok!(c.delete_objects().bucket("dov").delete(
        Delete::builder()
            .objects(id("b", Some(&b_marker)))
            .objects(id("b", Some(&b1)))
            .objects(id("a", Some(&a2)))
            .quiet(true)
            .build()
            .unwrap(),
    ));
    let o = c.list_object_versions().bucket("dov").send().await.unwrap();
    assert!(o.versions().is_empty());
    assert!(o.delete_markers().is_empty());
    c.delete_bucket().bucket("dov").send().await.unwrap();
}
