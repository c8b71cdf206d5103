//! Multipart uploads: create, upload, complete (ETag), list parts, abort, part errors,
//! UploadPartCopy, GetObject by part number, GetObjectAttributes parts; and the checksum and
//! ETag helpers the other `s3_multipart_*` files share (listing and checksums live there).

use crate::common::*;
use aws_sdk_s3::types::ObjectAttributes;

pub const MIB: usize = 1024 * 1024;

pub fn md5(b: &[u8]) -> [u8; 16] {
    use md5::Digest;
    md5::Md5::digest(b).into()
}

/// The multipart ETag of parts: md5 of the concatenated part md5s, "-N", quoted.
pub fn multipart_etag(parts: &[&[u8]]) -> String {
    let mut all = Vec::new();
    for p in parts {
        all.extend_from_slice(&md5(p));
    }
    format!("\"{}-{}\"", hex::encode(md5(&all)), parts.len())
}

pub fn crc32(b: &[u8]) -> [u8; 4] {
    crc32fast::hash(b).to_be_bytes()
}

pub fn crc64nvme(b: &[u8]) -> [u8; 8] {
    let mut d = crc64fast_nvme::Digest::new();
    d.write(b);
    d.sum64().to_be_bytes()
}

#[tokio::test]
async fn upload_complete_and_read_parts() {
    let (_s, c) = Server::start_with_bucket("mpu").await;
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
    let e = head_err(&c, "mpu", "big/obj").await;
    assert_eq!(status(&e), 404);

    let done = ok!(
        complete_req(&c, "mpu", "big/obj", &id).multipart_upload(completed(&[
            (1, &e1),
            (2, &e2),
            (3, &e3)
        ]))
    );
    let etag = multipart_etag(&[&p1, &p2, &p3]);
    assert_eq!(done.e_tag(), Some(etag.as_str()));
    assert!(etag.ends_with("-3\""));
    assert_eq!(done.bucket(), Some("mpu"));
    assert_eq!(done.key(), Some("big/obj"));

    let all: Vec<u8> = [&p1[..], &p2[..], &p3[..]].concat();
    let got = get_out(&c, "mpu", "big/obj").await;
    assert_eq!(got.e_tag(), Some(etag.as_str()));
    assert_eq!(got.content_length(), Some(all.len() as i64));
    assert_eq!(got.parts_count(), None);
    assert!(body_bytes(got).await == all);

    // A range across the part boundary.
    let got =
        ok!(get_req(&c, "mpu", "big/obj").range(format!("bytes={}-{}", 5 * MIB - 10, 5 * MIB + 9)));
    assert_eq!(body_bytes(got).await, &all[5 * MIB - 10..5 * MIB + 10]);

    // Each part by number.
    let mut offset = 0usize;
    for (n, p) in [(1, &p1), (2, &p2), (3, &p3)] {
        let got = ok!(get_req(&c, "mpu", "big/obj").part_number(n));
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
    let head = ok!(head_req(&c, "mpu", "big/obj").part_number(2));
    assert_eq!(head.parts_count(), Some(3));
    assert_eq!(head.content_length(), Some(p2.len() as i64));
    assert_outcome!(
        get_req(&c, "mpu", "big/obj").part_number(4),
        "InvalidPartNumber 416"
    );

    // GetObjectAttributes: parts and size.
    let attrs = ok!(attributes_req(
        &c,
        "mpu",
        "big/obj",
        &[
            ObjectAttributes::ObjectParts,
            ObjectAttributes::ObjectSize,
            ObjectAttributes::Etag
        ]
    ));
    assert_eq!(attrs.object_size(), Some(all.len() as i64));
    assert_eq!(attrs.e_tag(), Some(etag.trim_matches('"')));
    let parts = attrs.object_parts().unwrap();
    assert_eq!(parts.total_parts_count(), Some(3));

    // The completed upload is gone.
    assert_outcome!(
        c.list_parts().bucket("mpu").key("big/obj").upload_id(&id),
        "NoSuchUpload 404"
    );
    let ups = ok!(c.list_multipart_uploads().bucket("mpu"));
    assert!(ups.uploads().is_empty());

    // A single-part upload of a small object, re-uploading a part replaces it.
    let id = create_upload(&c, "mpu", "small").await;
    upload_part(&c, "mpu", "small", &id, 1, b"first version").await;
    let e1 = upload_part(&c, "mpu", "small", &id, 1, b"second").await;
    let done = ok!(complete_req(&c, "mpu", "small", &id).multipart_upload(completed(&[(1, &e1)])));
    assert_eq!(done.e_tag(), Some(multipart_etag(&[b"second"]).as_str()));
    assert_eq!(get_bytes(&c, "mpu", "small").await, b"second");
}

#[tokio::test]
async fn part_errors_list_parts_and_abort() {
    let (s, c) = Server::start_with_bucket("perr").await;
    let id = create_upload(&c, "perr", "k").await;
    let mut etags = Vec::new();
    for n in 1..=5 {
        etags.push(upload_part(&c, "perr", "k", &id, n, format!("part {n}").as_bytes()).await);
    }

    // ListParts, two at a time.
    let mut seen = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let page = ok!(c
            .list_parts()
            .bucket("perr")
            .key("k")
            .upload_id(&id)
            .max_parts(2)
            .set_part_number_marker(marker.clone()));
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
    let page = ok!(c
        .list_parts()
        .bucket("perr")
        .key("k")
        .upload_id(&id)
        .part_number_marker("3"));
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
            complete_req(&c, "perr", "k", id)
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
    let page = ok!(c.list_parts().bucket("perr").key("k").upload_id(&id));
    assert_eq!(page.parts().len(), 5);

    // Bad part numbers.
    for n in [0, 10001] {
        assert_fails!(
            c.upload_part()
                .bucket("perr")
                .key("k")
                .upload_id(&id)
                .part_number(n)
                .body(b"x".to_vec().into()),
            "InvalidArgument",
            "part {n}"
        );
    }
    // A part whose Content-MD5 does not match.
    assert_outcome!(
        c.upload_part()
            .bucket("perr")
            .key("k")
            .upload_id(&id)
            .part_number(7)
            .content_md5(b64(&md5(b"other")))
            .body(b"body".to_vec().into()),
        "BadDigest 400"
    );

    // An unknown upload id, and the right id under another key.
    assert_outcome!(
        c.upload_part()
            .bucket("perr")
            .key("k")
            .upload_id("nope")
            .part_number(1)
            .body(b"x".to_vec().into()),
        "NoSuchUpload 404"
    );
    assert_fails!(
        c.list_parts().bucket("perr").key("other").upload_id(&id),
        "NoSuchUpload"
    );

    // Abort: the upload and its parts go.
    ok!(c
        .abort_multipart_upload()
        .bucket("perr")
        .key("k")
        .upload_id(&id));
    assert_fails!(
        c.list_parts().bucket("perr").key("k").upload_id(&id),
        "NoSuchUpload"
    );
    let e = complete(vec![(1, etags[0].clone())]).await.unwrap_err();
    assert_eq!(code(&e), "NoSuchUpload");
    assert_outcome!(
        c.abort_multipart_upload()
            .bucket("perr")
            .key("k")
            .upload_id(&id),
        "NoSuchUpload 404"
    );
    assert_fails!(
        c.upload_part()
            .bucket("perr")
            .key("k")
            .upload_id(&id)
            .part_number(6)
            .body(b"late".to_vec().into()),
        "NoSuchUpload"
    );
    let ups = ok!(c.list_multipart_uploads().bucket("perr"));
    assert!(ups.uploads().is_empty());
    // No blob of the aborted parts is left.
    assert_eq!(blob_files(&s), 0);
}

/// Regular files under the data dir other than the metadata database and the root key.
pub fn blob_files(s: &Server) -> usize {
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
async fn upload_part_copy() {
    let (_s, c) = Server::start_with_bucket("pcopy").await;
    let src = data(6 * MIB, 21);
    put_bytes(&c, "pcopy", "src", &src).await;
    let id = create_upload(&c, "pcopy", "dst").await;
    let whole = ok!(c
        .upload_part_copy()
        .bucket("pcopy")
        .key("dst")
        .upload_id(&id)
        .part_number(1)
        .copy_source("pcopy/src"));
    let r = whole.copy_part_result().unwrap();
    let e1 = r.e_tag().unwrap().to_string();
    assert_eq!(e1, format!("\"{}\"", hex::encode(md5(&src))));
    assert!(r.last_modified().is_some());
    let ranged = ok!(c
        .upload_part_copy()
        .bucket("pcopy")
        .key("dst")
        .upload_id(&id)
        .part_number(2)
        .copy_source("pcopy/src")
        .copy_source_range("bytes=100-1099"));
    let e2 = ranged
        .copy_part_result()
        .unwrap()
        .e_tag()
        .unwrap()
        .to_string();
    assert_eq!(e2, format!("\"{}\"", hex::encode(md5(&src[100..1100]))));

    // A range past the end of the source.
    assert_outcome!(
        c.upload_part_copy()
            .bucket("pcopy")
            .key("dst")
            .upload_id(&id)
            .part_number(3)
            .copy_source("pcopy/src")
            .copy_source_range(format!("bytes=0-{}", src.len())),
        "InvalidArgument 400"
    );
    // A missing source.
    assert_fails!(
        c.upload_part_copy()
            .bucket("pcopy")
            .key("dst")
            .upload_id(&id)
            .part_number(3)
            .copy_source("pcopy/missing"),
        "NoSuchKey"
    );

    let parts = ok!(c.list_parts().bucket("pcopy").key("dst").upload_id(&id));
    let sizes: Vec<i64> = parts.parts().iter().map(|p| p.size().unwrap()).collect();
    assert_eq!(sizes, vec![6 * MIB as i64, 1000]);

    let done =
        ok!(complete_req(&c, "pcopy", "dst", &id)
            .multipart_upload(completed(&[(1, &e1), (2, &e2)])));
    assert_eq!(
        done.e_tag(),
        Some(multipart_etag(&[&src, &src[100..1100]]).as_str())
    );
    let got = get_out(&c, "pcopy", "dst").await;
    let want: Vec<u8> = [&src[..], &src[100..1100]].concat();
    assert!(body_bytes(got).await == want);
    let got = ok!(get_req(&c, "pcopy", "dst").part_number(2));
    assert_eq!(body_bytes(got).await, &src[100..1100]);
}
