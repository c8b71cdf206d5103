//! Multipart uploads: create, upload, complete (ETag and checksums), list parts and uploads,
//! abort, part errors, UploadPartCopy, GetObject by part number, GetObjectAttributes parts.

use crate::common::*;
use aws_sdk_s3::types::{
    ChecksumAlgorithm, ChecksumMode, ChecksumType, CompletedMultipartUpload, CompletedPart,
    ObjectAttributes,
};
use base64::Engine;

const MIB: usize = 1024 * 1024;

fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

fn md5(b: &[u8]) -> [u8; 16] {
    use md5::Digest;
    md5::Md5::digest(b).into()
}

/// The multipart ETag of parts: md5 of the concatenated part md5s, "-N", quoted.
fn multipart_etag(parts: &[&[u8]]) -> String {
    let mut all = Vec::new();
    for p in parts {
        all.extend_from_slice(&md5(p));
    }
    format!("\"{}-{}\"", hex::encode(md5(&all)), parts.len())
}

fn crc32(b: &[u8]) -> [u8; 4] {
    crc32fast::hash(b).to_be_bytes()
}

fn crc64nvme(b: &[u8]) -> [u8; 8] {
    let mut d = crc64fast_nvme::Digest::new();
    d.write(b);
    d.sum64().to_be_bytes()
}

#[tokio::test]
async fn upload_complete_and_read_parts() {
    let s = Server::start().await;
    let c = s.with_bucket("mpu").await;
    let p1 = data(5 * MIB, 11);
    let p2 = data(5 * MIB, 12);
    let p3 = data(MIB + 7, 13);
    let id = create_upload(&c, "mpu", "big/obj").await;
    let e1 = upload_part(&c, "mpu", "big/obj", &id, 1, &p1).await;
    let e2 = upload_part(&c, "mpu", "big/obj", &id, 2, &p2).await;
    let e3 = upload_part(&c, "mpu", "big/obj", &id, 3, &p3).await;
    assert_eq!(e1, format!("\"{}\"", hex::encode(md5(&p1))));
    assert_eq!(e3, format!("\"{}\"", hex::encode(md5(&p3))));

    // The upload is not an object yet.
    let e = c
        .head_object()
        .bucket("mpu")
        .key("big/obj")
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&e), 404);

    let done = c
        .complete_multipart_upload()
        .bucket("mpu")
        .key("big/obj")
        .upload_id(&id)
        .multipart_upload(completed(&[(1, &e1), (2, &e2), (3, &e3)]))
        .send()
        .await
        .unwrap();
    let etag = multipart_etag(&[&p1, &p2, &p3]);
    assert_eq!(done.e_tag(), Some(etag.as_str()));
    assert!(etag.ends_with("-3\""));
    assert_eq!(done.bucket(), Some("mpu"));
    assert_eq!(done.key(), Some("big/obj"));

    let all: Vec<u8> = [&p1[..], &p2[..], &p3[..]].concat();
    let got = c
        .get_object()
        .bucket("mpu")
        .key("big/obj")
        .send()
        .await
        .unwrap();
    assert_eq!(got.e_tag(), Some(etag.as_str()));
    assert_eq!(got.content_length(), Some(all.len() as i64));
    assert_eq!(got.parts_count(), None);
    assert!(body_bytes(got).await == all);

    // A range across the part boundary.
    let got = c
        .get_object()
        .bucket("mpu")
        .key("big/obj")
        .range(format!("bytes={}-{}", 5 * MIB - 10, 5 * MIB + 9))
        .send()
        .await
        .unwrap();
    assert_eq!(body_bytes(got).await, &all[5 * MIB - 10..5 * MIB + 10]);

    // Each part by number.
    let mut offset = 0usize;
    for (n, p) in [(1, &p1), (2, &p2), (3, &p3)] {
        let got = c
            .get_object()
            .bucket("mpu")
            .key("big/obj")
            .part_number(n)
            .send()
            .await
            .unwrap();
        assert_eq!(got.parts_count(), Some(3), "part {n}");
        assert_eq!(got.content_length(), Some(p.len() as i64));
        assert_eq!(
            got.content_range(),
            Some(format!("bytes {}-{}/{}", offset, offset + p.len() - 1, all.len()).as_str())
        );
        assert_eq!(got.e_tag(), Some(etag.as_str()));
        assert!(body_bytes(got).await == **p, "part {n}");
        offset += p.len();
    }
    let head = c
        .head_object()
        .bucket("mpu")
        .key("big/obj")
        .part_number(2)
        .send()
        .await
        .unwrap();
    assert_eq!(head.parts_count(), Some(3));
    assert_eq!(head.content_length(), Some(p2.len() as i64));
    let e = c
        .get_object()
        .bucket("mpu")
        .key("big/obj")
        .part_number(4)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidPartNumber");
    assert_eq!(status(&e), 416);

    // GetObjectAttributes: parts and size.
    let attrs = c
        .get_object_attributes()
        .bucket("mpu")
        .key("big/obj")
        .object_attributes(ObjectAttributes::ObjectParts)
        .object_attributes(ObjectAttributes::ObjectSize)
        .object_attributes(ObjectAttributes::Etag)
        .send()
        .await
        .unwrap();
    assert_eq!(attrs.object_size(), Some(all.len() as i64));
    assert_eq!(attrs.e_tag(), Some(etag.trim_matches('"')));
    let parts = attrs.object_parts().unwrap();
    assert_eq!(parts.total_parts_count(), Some(3));

    // The completed upload is gone.
    let e = c
        .list_parts()
        .bucket("mpu")
        .key("big/obj")
        .upload_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "NoSuchUpload");
    assert_eq!(status(&e), 404);
    let ups = c
        .list_multipart_uploads()
        .bucket("mpu")
        .send()
        .await
        .unwrap();
    assert!(ups.uploads().is_empty());

    // A single-part upload of a small object, re-uploading a part replaces it.
    let id = create_upload(&c, "mpu", "small").await;
    upload_part(&c, "mpu", "small", &id, 1, b"first version").await;
    let e1 = upload_part(&c, "mpu", "small", &id, 1, b"second").await;
    let done = c
        .complete_multipart_upload()
        .bucket("mpu")
        .key("small")
        .upload_id(&id)
        .multipart_upload(completed(&[(1, &e1)]))
        .send()
        .await
        .unwrap();
    assert_eq!(done.e_tag(), Some(multipart_etag(&[b"second"]).as_str()));
    assert_eq!(get_bytes(&c, "mpu", "small").await, b"second");
}

#[tokio::test]
async fn part_errors_list_parts_and_abort() {
    let s = Server::start().await;
    let c = s.with_bucket("perr").await;
    let id = create_upload(&c, "perr", "k").await;
    let mut etags = Vec::new();
    for n in 1..=5 {
        etags.push(upload_part(&c, "perr", "k", &id, n, format!("part {n}").as_bytes()).await);
    }

    // ListParts, two at a time.
    let mut seen = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let page = c
            .list_parts()
            .bucket("perr")
            .key("k")
            .upload_id(&id)
            .max_parts(2)
            .set_part_number_marker(marker.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(page.max_parts(), Some(2));
        assert_eq!(page.upload_id(), Some(id.as_str()));
        for p in page.parts() {
            assert_eq!(p.size(), Some(6));
            assert_eq!(
                p.e_tag(),
                Some(etags[p.part_number().unwrap() as usize - 1].as_str())
            );
            assert!(p.last_modified().is_some());
            seen.push(p.part_number().unwrap());
        }
        if page.is_truncated() == Some(true) {
            let next = page.next_part_number_marker().unwrap().to_string();
            assert_eq!(next, seen.last().unwrap().to_string());
            marker = Some(next);
        } else {
            break;
        }
    }
    assert_eq!(seen, vec![1, 2, 3, 4, 5]);
    let page = c
        .list_parts()
        .bucket("perr")
        .key("k")
        .upload_id(&id)
        .part_number_marker("3")
        .send()
        .await
        .unwrap();
    let nums: Vec<i32> = page
        .parts()
        .iter()
        .map(|p| p.part_number().unwrap())
        .collect();
    assert_eq!(nums, vec![4, 5]);
    assert_eq!(page.is_truncated(), Some(false));

    let complete = |parts: Vec<(i32, String)>| {
        let c = c.clone();
        let id = id.clone();
        async move {
            let refs: Vec<(i32, &str)> = parts.iter().map(|(n, e)| (*n, e.as_str())).collect();
            c.complete_multipart_upload()
                .bucket("perr")
                .key("k")
                .upload_id(id)
                .multipart_upload(completed(&refs))
                .send()
                .await
        }
    };
    // Non-last parts under 5 MiB.
    let e = complete(vec![(1, etags[0].clone()), (2, etags[1].clone())])
        .await
        .unwrap_err();
    assert_eq!(code(&e), "EntityTooSmall");
    assert_eq!(status(&e), 400);
    // A wrong ETag, a part never uploaded.
    let e = complete(vec![(1, "\"0123456789abcdef0123456789abcdef\"".into())])
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidPart");
    assert_eq!(status(&e), 400);
    let e = complete(vec![(9, etags[0].clone())]).await.unwrap_err();
    assert_eq!(code(&e), "InvalidPart");
    // Parts out of order, and a repeated part.
    let e = complete(vec![(2, etags[1].clone()), (1, etags[0].clone())])
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidPartOrder");
    assert_eq!(status(&e), 400);
    let e = complete(vec![(1, etags[0].clone()), (1, etags[0].clone())])
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidPartOrder");
    // Failed completions leave the upload intact.
    let page = c
        .list_parts()
        .bucket("perr")
        .key("k")
        .upload_id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(page.parts().len(), 5);

    // Bad part numbers.
    for n in [0, 10001] {
        let e = c
            .upload_part()
            .bucket("perr")
            .key("k")
            .upload_id(&id)
            .part_number(n)
            .body(b"x".to_vec().into())
            .send()
            .await
            .unwrap_err();
        assert_eq!(code(&e), "InvalidArgument", "part {n}");
    }
    // A part whose Content-MD5 does not match.
    let e = c
        .upload_part()
        .bucket("perr")
        .key("k")
        .upload_id(&id)
        .part_number(7)
        .content_md5(b64(&md5(b"other")))
        .body(b"body".to_vec().into())
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "BadDigest");
    assert_eq!(status(&e), 400);

    // An unknown upload id, and the right id under another key.
    let e = c
        .upload_part()
        .bucket("perr")
        .key("k")
        .upload_id("nope")
        .part_number(1)
        .body(b"x".to_vec().into())
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "NoSuchUpload");
    assert_eq!(status(&e), 404);
    let e = c
        .list_parts()
        .bucket("perr")
        .key("other")
        .upload_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "NoSuchUpload");

    // Abort: the upload and its parts go.
    c.abort_multipart_upload()
        .bucket("perr")
        .key("k")
        .upload_id(&id)
        .send()
        .await
        .unwrap();
    let e = c
        .list_parts()
        .bucket("perr")
        .key("k")
        .upload_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "NoSuchUpload");
    let e = complete(vec![(1, etags[0].clone())]).await.unwrap_err();
    assert_eq!(code(&e), "NoSuchUpload");
    let e = c
        .abort_multipart_upload()
        .bucket("perr")
        .key("k")
        .upload_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "NoSuchUpload");
    assert_eq!(status(&e), 404);
    let e = c
        .upload_part()
        .bucket("perr")
        .key("k")
        .upload_id(&id)
        .part_number(6)
        .body(b"late".to_vec().into())
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "NoSuchUpload");
    let ups = c
        .list_multipart_uploads()
        .bucket("perr")
        .send()
        .await
        .unwrap();
    assert!(ups.uploads().is_empty());
    // No blob of the aborted parts is left.
    assert_eq!(blob_files(&s), 0);
}

/// Regular files under the data dir other than the metadata database and the root key.
fn blob_files(s: &Server) -> usize {
    fn walk(dir: &std::path::Path, top: &std::path::Path, n: &mut usize) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, top, n);
            } else if p.parent() != Some(top) {
                *n += 1;
            }
        }
    }
    let mut n = 0;
    walk(&s.data_dir(), &s.data_dir(), &mut n);
    n
}

#[tokio::test]
async fn list_multipart_uploads() {
    let s = Server::start().await;
    let c = s.with_bucket("ups").await;
    let mut ids = Vec::new();
    for key in ["a/1", "a/2", "a/2", "a/x/3", "b/1", "c"] {
        ids.push((key.to_string(), create_upload(&c, "ups", key).await));
    }
    // Listing order: key, then initiation.
    let all = c
        .list_multipart_uploads()
        .bucket("ups")
        .send()
        .await
        .unwrap();
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
    let o = c
        .list_multipart_uploads()
        .bucket("ups")
        .prefix("a/")
        .send()
        .await
        .unwrap();
    let keys: Vec<&str> = o.uploads().iter().map(|u| u.key().unwrap()).collect();
    assert_eq!(keys, vec!["a/1", "a/2", "a/2", "a/x/3"]);
    assert_eq!(o.prefix(), Some("a/"));

    // Delimiter.
    let o = c
        .list_multipart_uploads()
        .bucket("ups")
        .prefix("a/")
        .delimiter("/")
        .send()
        .await
        .unwrap();
    let keys: Vec<&str> = o.uploads().iter().map(|u| u.key().unwrap()).collect();
    assert_eq!(keys, vec!["a/1", "a/2", "a/2"]);
    let cps: Vec<&str> = o
        .common_prefixes()
        .iter()
        .map(|p| p.prefix().unwrap())
        .collect();
    assert_eq!(cps, vec!["a/x/"]);

    // Paging by two with key and upload-id markers: every upload once.
    let mut got = Vec::new();
    let (mut km, mut um): (Option<String>, Option<String>) = (None, None);
    loop {
        let o = c
            .list_multipart_uploads()
            .bucket("ups")
            .max_uploads(2)
            .set_key_marker(km.clone())
            .set_upload_id_marker(um.clone())
            .send()
            .await
            .unwrap();
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
    let o = c
        .list_multipart_uploads()
        .bucket("ups")
        .key_marker("a/2")
        .send()
        .await
        .unwrap();
    let keys: Vec<&str> = o.uploads().iter().map(|u| u.key().unwrap()).collect();
    assert_eq!(keys, vec!["a/x/3", "b/1", "c"]);
    // Key and upload-id markers: uploads of the key after that id.
    let o = c
        .list_multipart_uploads()
        .bucket("ups")
        .key_marker("a/2")
        .upload_id_marker(&ids[1].1)
        .send()
        .await
        .unwrap();
    let got: Vec<&str> = o.uploads().iter().map(|u| u.upload_id().unwrap()).collect();
    assert_eq!(
        got,
        vec![ids[2].1.as_str(), &ids[3].1, &ids[4].1, &ids[5].1]
    );

    // encoding-type=url.
    create_upload(&c, "ups", "sp ace/ü").await;
    let r = Raw::new(&s, "GET", "/ups?uploads&encoding-type=url&prefix=sp")
        .signed()
        .send(&s)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.xml("Key").as_deref(), Some("sp%20ace/%C3%BC"));
    assert_eq!(r.xml("EncodingType").as_deref(), Some("url"));

    // Completing an upload in a versioned bucket gives a version id.
    c.put_bucket_versioning()
        .bucket("ups")
        .versioning_configuration(
            aws_sdk_s3::types::VersioningConfiguration::builder()
                .status(aws_sdk_s3::types::BucketVersioningStatus::Enabled)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let id = create_upload(&c, "ups", "versioned").await;
    let e1 = upload_part(&c, "ups", "versioned", &id, 1, b"v").await;
    let done = c
        .complete_multipart_upload()
        .bucket("ups")
        .key("versioned")
        .upload_id(&id)
        .multipart_upload(completed(&[(1, &e1)]))
        .send()
        .await
        .unwrap();
    let vid = done.version_id().expect("version id").to_string();
    let got = c
        .get_object()
        .bucket("ups")
        .key("versioned")
        .version_id(&vid)
        .send()
        .await
        .unwrap();
    assert_eq!(body_bytes(got).await, b"v");
}

#[tokio::test]
async fn upload_part_copy() {
    let s = Server::start().await;
    let c = s.with_bucket("pcopy").await;
    let src = data(6 * MIB, 21);
    c.put_object()
        .bucket("pcopy")
        .key("src")
        .body(src.clone().into())
        .send()
        .await
        .unwrap();
    let id = create_upload(&c, "pcopy", "dst").await;
    let whole = c
        .upload_part_copy()
        .bucket("pcopy")
        .key("dst")
        .upload_id(&id)
        .part_number(1)
        .copy_source("pcopy/src")
        .send()
        .await
        .unwrap();
    let r = whole.copy_part_result().unwrap();
    let e1 = r.e_tag().unwrap().to_string();
    assert_eq!(e1, format!("\"{}\"", hex::encode(md5(&src))));
    assert!(r.last_modified().is_some());
    let ranged = c
        .upload_part_copy()
        .bucket("pcopy")
        .key("dst")
        .upload_id(&id)
        .part_number(2)
        .copy_source("pcopy/src")
        .copy_source_range("bytes=100-1099")
        .send()
        .await
        .unwrap();
    let e2 = ranged
        .copy_part_result()
        .unwrap()
        .e_tag()
        .unwrap()
        .to_string();
    assert_eq!(e2, format!("\"{}\"", hex::encode(md5(&src[100..1100]))));

    // A range past the end of the source.
    let e = c
        .upload_part_copy()
        .bucket("pcopy")
        .key("dst")
        .upload_id(&id)
        .part_number(3)
        .copy_source("pcopy/src")
        .copy_source_range(format!("bytes=0-{}", src.len()))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidArgument");
    assert_eq!(status(&e), 400);
    // A missing source.
    let e = c
        .upload_part_copy()
        .bucket("pcopy")
        .key("dst")
        .upload_id(&id)
        .part_number(3)
        .copy_source("pcopy/missing")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "NoSuchKey");

    let parts = c
        .list_parts()
        .bucket("pcopy")
        .key("dst")
        .upload_id(&id)
        .send()
        .await
        .unwrap();
    let sizes: Vec<i64> = parts.parts().iter().map(|p| p.size().unwrap()).collect();
    assert_eq!(sizes, vec![6 * MIB as i64, 1000]);

    let done = c
        .complete_multipart_upload()
        .bucket("pcopy")
        .key("dst")
        .upload_id(&id)
        .multipart_upload(completed(&[(1, &e1), (2, &e2)]))
        .send()
        .await
        .unwrap();
    assert_eq!(
        done.e_tag(),
        Some(multipart_etag(&[&src, &src[100..1100]]).as_str())
    );
    let got = c
        .get_object()
        .bucket("pcopy")
        .key("dst")
        .send()
        .await
        .unwrap();
    let want: Vec<u8> = [&src[..], &src[100..1100]].concat();
    assert!(body_bytes(got).await == want);
    let got = c
        .get_object()
        .bucket("pcopy")
        .key("dst")
        .part_number(2)
        .send()
        .await
        .unwrap();
    assert_eq!(body_bytes(got).await, &src[100..1100]);
}

#[tokio::test]
async fn composite_crc32_checksum() {
    let s = Server::start().await;
    let c = s.with_bucket("ck32").await;
    let created = c
        .create_multipart_upload()
        .bucket("ck32")
        .key("obj")
        .checksum_algorithm(ChecksumAlgorithm::Crc32)
        .send()
        .await
        .unwrap();
    assert_eq!(
        created.checksum_algorithm(),
        Some(&ChecksumAlgorithm::Crc32)
    );
    assert_eq!(created.checksum_type(), Some(&ChecksumType::Composite));
    let id = created.upload_id().unwrap().to_string();
    let parts = [data(5 * MIB, 31), data(5 * MIB, 32), data(1234, 33)];
    let mut done_parts = Vec::new();
    for (i, p) in parts.iter().enumerate() {
        let n = i as i32 + 1;
        let out = c
            .upload_part()
            .bucket("ck32")
            .key("obj")
            .upload_id(&id)
            .part_number(n)
            .checksum_algorithm(ChecksumAlgorithm::Crc32)
            .body(p.clone().into())
            .send()
            .await
            .unwrap();
        assert_eq!(
            out.checksum_crc32(),
            Some(b64(&crc32(p)).as_str()),
            "part {n}"
        );
        done_parts.push(
            CompletedPart::builder()
                .part_number(n)
                .e_tag(out.e_tag().unwrap())
                .checksum_crc32(out.checksum_crc32().unwrap())
                .build(),
        );
    }
    // ListParts reports each part's checksum.
    let listed = c
        .list_parts()
        .bucket("ck32")
        .key("obj")
        .upload_id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.checksum_algorithm(), Some(&ChecksumAlgorithm::Crc32));
    for (p, want) in listed.parts().iter().zip(&parts) {
        assert_eq!(p.checksum_crc32(), Some(b64(&crc32(want)).as_str()));
    }

    let done = c
        .complete_multipart_upload()
        .bucket("ck32")
        .key("obj")
        .upload_id(&id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .set_parts(Some(done_parts))
                .build(),
        )
        .send()
        .await
        .unwrap();
    // The composite checksum: CRC32 of the concatenated raw part CRC32s, "-3".
    let mut raw = Vec::new();
    for p in &parts {
        raw.extend_from_slice(&crc32(p));
    }
    let want = format!("{}-3", b64(&crc32(&raw)));
    assert_eq!(done.checksum_crc32(), Some(want.as_str()));
    assert_eq!(done.checksum_type(), Some(&ChecksumType::Composite));

    let head = c
        .head_object()
        .bucket("ck32")
        .key("obj")
        .checksum_mode(ChecksumMode::Enabled)
        .send()
        .await
        .unwrap();
    assert_eq!(head.checksum_crc32(), Some(want.as_str()));
    assert_eq!(head.checksum_type(), Some(&ChecksumType::Composite));
    let got = c
        .get_object()
        .bucket("ck32")
        .key("obj")
        .checksum_mode(ChecksumMode::Enabled)
        .send()
        .await
        .unwrap();
    assert_eq!(got.checksum_crc32(), Some(want.as_str()));
    let all: Vec<u8> = parts.concat();
    assert!(body_bytes(got).await == all);

    // GetObjectAttributes: the checksum and each part's checksum.
    let attrs = c
        .get_object_attributes()
        .bucket("ck32")
        .key("obj")
        .object_attributes(ObjectAttributes::Checksum)
        .object_attributes(ObjectAttributes::ObjectParts)
        .max_parts(2)
        .send()
        .await
        .unwrap();
    assert_eq!(
        attrs.checksum().and_then(|c| c.checksum_crc32()),
        Some(want.as_str())
    );
    let op = attrs.object_parts().unwrap();
    assert_eq!(op.total_parts_count(), Some(3));
    assert_eq!(op.is_truncated(), Some(true));
    assert_eq!(op.max_parts(), Some(2));
    let ps = op.parts();
    assert_eq!(ps.len(), 2);
    assert_eq!(ps[0].part_number(), Some(1));
    assert_eq!(ps[0].size(), Some(5 * MIB as i64));
    assert_eq!(
        ps[0].checksum_crc32(),
        Some(b64(&crc32(&parts[0])).as_str())
    );
    assert_eq!(op.next_part_number_marker(), Some("2"));
    let attrs = c
        .get_object_attributes()
        .bucket("ck32")
        .key("obj")
        .object_attributes(ObjectAttributes::ObjectParts)
        .part_number_marker("2")
        .send()
        .await
        .unwrap();
    let op = attrs.object_parts().unwrap();
    assert_eq!(op.is_truncated(), Some(false));
    assert_eq!(op.parts().len(), 1);
    assert_eq!(op.parts()[0].part_number(), Some(3));
    assert_eq!(op.parts()[0].size(), Some(1234));

    // A part checksum in Complete that differs from the stored one.
    let id = c
        .create_multipart_upload()
        .bucket("ck32")
        .key("obj2")
        .checksum_algorithm(ChecksumAlgorithm::Crc32)
        .send()
        .await
        .unwrap()
        .upload_id()
        .unwrap()
        .to_string();
    let out = c
        .upload_part()
        .bucket("ck32")
        .key("obj2")
        .upload_id(&id)
        .part_number(1)
        .checksum_algorithm(ChecksumAlgorithm::Crc32)
        .body(b"abc".to_vec().into())
        .send()
        .await
        .unwrap();
    let e = c
        .complete_multipart_upload()
        .bucket("ck32")
        .key("obj2")
        .upload_id(&id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .parts(
                    CompletedPart::builder()
                        .part_number(1)
                        .e_tag(out.e_tag().unwrap())
                        .checksum_crc32("AAAAAA==")
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidPart");
}

#[tokio::test]
async fn full_object_crc64nvme_checksum() {
    let s = Server::start().await;
    let c = s.with_bucket("ck64").await;
    let created = c
        .create_multipart_upload()
        .bucket("ck64")
        .key("obj")
        .checksum_algorithm(ChecksumAlgorithm::Crc64Nvme)
        .checksum_type(ChecksumType::FullObject)
        .send()
        .await
        .unwrap();
    assert_eq!(created.checksum_type(), Some(&ChecksumType::FullObject));
    let id = created.upload_id().unwrap().to_string();
    let parts = [data(5 * MIB, 41), data(2 * MIB + 3, 42)];
    let mut done_parts = Vec::new();
    for (i, p) in parts.iter().enumerate() {
        let n = i as i32 + 1;
        let out = c
            .upload_part()
            .bucket("ck64")
            .key("obj")
            .upload_id(&id)
            .part_number(n)
            .checksum_algorithm(ChecksumAlgorithm::Crc64Nvme)
            .body(p.clone().into())
            .send()
            .await
            .unwrap();
        assert_eq!(
            out.checksum_crc64_nvme(),
            Some(b64(&crc64nvme(p)).as_str()),
            "part {n}"
        );
        done_parts.push(
            CompletedPart::builder()
                .part_number(n)
                .e_tag(out.e_tag().unwrap())
                .build(),
        );
    }
    let all: Vec<u8> = parts.concat();
    let want = b64(&crc64nvme(&all));
    let done = c
        .complete_multipart_upload()
        .bucket("ck64")
        .key("obj")
        .upload_id(&id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .set_parts(Some(done_parts))
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(done.checksum_crc64_nvme(), Some(want.as_str()));
    assert_eq!(done.checksum_type(), Some(&ChecksumType::FullObject));
    assert_eq!(
        done.e_tag(),
        Some(multipart_etag(&[&parts[0], &parts[1]]).as_str())
    );

    // The SDK validates a full-object checksum on GET, so a wrong value would fail here.
    let got = c
        .get_object()
        .bucket("ck64")
        .key("obj")
        .checksum_mode(ChecksumMode::Enabled)
        .send()
        .await
        .unwrap();
    assert_eq!(got.checksum_crc64_nvme(), Some(want.as_str()));
    assert_eq!(got.checksum_type(), Some(&ChecksumType::FullObject));
    assert!(body_bytes(got).await == all);

    // Raw: the header is there as computed.
    let r = Raw::new(&s, "HEAD", "/ck64/obj")
        .header("x-amz-checksum-mode", "ENABLED")
        .signed()
        .send(&s)
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("x-amz-checksum-crc64nvme"), Some(want.as_str()));
    assert_eq!(r.header("x-amz-checksum-type"), Some("FULL_OBJECT"));

    // FULL_OBJECT CRC32 too: the CRC32 of all the data, no suffix.
    let id = c
        .create_multipart_upload()
        .bucket("ck64")
        .key("obj32")
        .checksum_algorithm(ChecksumAlgorithm::Crc32)
        .checksum_type(ChecksumType::FullObject)
        .send()
        .await
        .unwrap()
        .upload_id()
        .unwrap()
        .to_string();
    let mut done_parts = Vec::new();
    for (i, p) in parts.iter().enumerate() {
        let n = i as i32 + 1;
        let out = c
            .upload_part()
            .bucket("ck64")
            .key("obj32")
            .upload_id(&id)
            .part_number(n)
            .checksum_algorithm(ChecksumAlgorithm::Crc32)
            .body(p.clone().into())
            .send()
            .await
            .unwrap();
        done_parts.push(
            CompletedPart::builder()
                .part_number(n)
                .e_tag(out.e_tag().unwrap())
                .build(),
        );
    }
    let done = c
        .complete_multipart_upload()
        .bucket("ck64")
        .key("obj32")
        .upload_id(&id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .set_parts(Some(done_parts))
                .build(),
        )
        .send()
        .await
        .unwrap();
    let want32 = b64(&crc32(&all));
    assert_eq!(done.checksum_crc32(), Some(want32.as_str()));
    let head = c
        .head_object()
        .bucket("ck64")
        .key("obj32")
        .checksum_mode(ChecksumMode::Enabled)
        .send()
        .await
        .unwrap();
    assert_eq!(head.checksum_crc32(), Some(want32.as_str()));
    assert_eq!(head.checksum_type(), Some(&ChecksumType::FullObject));

    // CRC64NVME cannot be COMPOSITE; SHA256 cannot be FULL_OBJECT.
    let e = c
        .create_multipart_upload()
        .bucket("ck64")
        .key("x")
        .checksum_algorithm(ChecksumAlgorithm::Crc64Nvme)
        .checksum_type(ChecksumType::Composite)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidRequest");
    let e = c
        .create_multipart_upload()
        .bucket("ck64")
        .key("x")
        .checksum_algorithm(ChecksumAlgorithm::Sha256)
        .checksum_type(ChecksumType::FullObject)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidRequest");
}
