//! ListMultipartUploads: uploads in progress in key then initiation order, with prefix,
//! delimiter, key and upload-id markers, paging and URL encoding; and the version id a
//! completion gets in a versioned bucket.

use crate::common::*;

#[tokio::test]
async fn list_multipart_uploads() {
    let (s, c) = Server::start_with_bucket("ups").await;
    let mut ids = Vec::new();
    for key in ["a/1", "a/2", "a/2", "a/x/3", "b/1", "c"] {
        ids.push((key.to_string(), create_upload(&c, "ups", key).await));
    }
    // Listing order: key, then initiation.
    let all = ok!(c.list_multipart_uploads().bucket("ups"));
    let got: Vec<(String, String)> = all
        .uploads()
        .iter()
        .map(|u| {
            (
                u.key().unwrap().to_string(),
                u.upload_id().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(got, ids);
    assert_eq!(all.is_truncated(), Some(false));
    assert!(all.uploads()[0].initiated().is_some());

    // Prefix.
    let o = ok!(c.list_multipart_uploads().bucket("ups").prefix("a/"));
    let keys: Vec<&str> = o.uploads().iter().map(|u| u.key().unwrap()).collect();
    assert_eq!(keys, vec!["a/1", "a/2", "a/2", "a/x/3"]);
    assert_eq!(o.prefix(), Some("a/"));

    // Delimiter.
    let o = ok!(c
        .list_multipart_uploads()
        .bucket("ups")
        .prefix("a/")
        .delimiter("/"));
    let keys: Vec<&str> = o.uploads().iter().map(|u| u.key().unwrap()).collect();
    assert_eq!(keys, vec!["a/1", "a/2", "a/2"]);
    assert_eq!(prefixes_of(o.common_prefixes()), ["a/x/"]);

    // Paging by two with key and upload-id markers: every upload once.
    let mut got = Vec::new();
    let (mut km, mut um): (Option<String>, Option<String>) = (None, None);
    loop {
        let o = ok!(c
            .list_multipart_uploads()
            .bucket("ups")
            .max_uploads(2)
            .set_key_marker(km.clone())
            .set_upload_id_marker(um.clone()));
        assert!(o.uploads().len() <= 2);
        for u in o.uploads() {
            got.push((
                u.key().unwrap().to_string(),
                u.upload_id().unwrap().to_string(),
            ));
        }
        if o.is_truncated() == Some(true) {
            km = o.next_key_marker().map(str::to_string);
            um = o.next_upload_id_marker().map(str::to_string);
            assert_eq!(km.as_deref(), Some(got.last().unwrap().0.as_str()));
            assert_eq!(um.as_deref(), Some(got.last().unwrap().1.as_str()));
        } else {
            break;
        }
    }
    assert_eq!(got, ids);

    // A key marker alone skips every upload of that key.
    let o = ok!(c.list_multipart_uploads().bucket("ups").key_marker("a/2"));
    let keys: Vec<&str> = o.uploads().iter().map(|u| u.key().unwrap()).collect();
    assert_eq!(keys, vec!["a/x/3", "b/1", "c"]);
    // Key and upload-id markers: uploads of the key after that id.
    let o = ok!(c
        .list_multipart_uploads()
        .bucket("ups")
        .key_marker("a/2")
        .upload_id_marker(&ids[1].1));
    let got: Vec<&str> = o.uploads().iter().map(|u| u.upload_id().unwrap()).collect();
    assert_eq!(
        got,
        vec![ids[2].1.as_str(), &ids[3].1, &ids[4].1, &ids[5].1]
    );

    // encoding-type=url.
    create_upload(&c, "ups", "sp ace/ü").await;
    let r = Raw::new(&s, "GET", "/ups?uploads&encoding-type=url&prefix=sp")
        .send_signed(&s)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.xml("Key").as_deref(), Some("sp%20ace/%C3%BC"));
    assert_eq!(r.xml("EncodingType").as_deref(), Some("url"));

    // Completing an upload in a versioned bucket gives a version id.
    set_versioning(
        &c,
        "ups",
        aws_sdk_s3::types::BucketVersioningStatus::Enabled,
    )
    .await;
    let id = create_upload(&c, "ups", "versioned").await;
    let e1 = upload_part(&c, "ups", "versioned", &id, 1, b"v").await;
    let done =
        ok!(complete_req(&c, "ups", "versioned", &id).multipart_upload(completed(&[(1, &e1)])));
    let vid = done.version_id().expect("version id").to_string();
    let got = ok!(get_req(&c, "ups", "versioned").version_id(&vid));
    assert_eq!(body_bytes(got).await, b"v");
}
