//! Completing multipart uploads as AWS does it: a CompleteMultipartUpload sent again after it
//! succeeded gets the same answer, If-Match and If-None-Match on completion, the whole-object
//! checksum a client sends checked (`BadDigest`), each part's checksum answered for GetObject
//! with a part number, and DeleteBucket taking uploads in progress with the bucket.

use crate::common::*;
use aws_sdk_s3::types::{ChecksumAlgorithm, ChecksumMode, ChecksumType, CompletedPart};

const MIB5: usize = 5 * 1024 * 1024;

#[tokio::test]
async fn a_completion_sent_again_gets_the_same_answer() {
    let (_s, c) = Server::start_with_bucket("mpu").await;
    let (id, parts) = upload_parts(&c, "mpu", "k", &[data(MIB5, 1), data(100, 2)]).await;
    let first = complete_upload(&c, "mpu", "k", &id, &parts).await;
    let again = complete_upload(&c, "mpu", "k", &id, &parts).await;
    assert_eq!(again.e_tag(), first.e_tag());
    assert!(first.e_tag().unwrap().ends_with("-2\""));
    let got = get_out(&c, "mpu", "k").await;
    assert_eq!(got.content_length(), Some(MIB5 as i64 + 100));

    // Once another write replaced that object, the upload is gone for good.
    put_bytes(&c, "mpu", "k", b"newer").await;
    assert_outcome!(
        complete_req(&c, "mpu", "k", &id).multipart_upload(part_list(&parts)),
        "NoSuchUpload 404"
    );
}

#[tokio::test]
async fn if_match_and_if_none_match_on_completion() {
    let (_s, c) = Server::start_with_bucket("cond").await;
    let complete = |id: String, parts: Vec<CompletedPart>| {
        complete_req(&c, "cond", "k", id).multipart_upload(part_list(&parts))
    };
    // If-Match on a key that does not exist: NoSuchKey, whatever the ETag.
    for etag in ["*", "\"0123\""] {
        let (id, parts) = upload_parts(&c, "cond", "k", &[b"abc".to_vec()]).await;
        let e = complete(id, parts).if_match(etag).send().await.unwrap_err();
        assert_eq!(
            (status(&e), code(&e).as_str()),
            (404, "NoSuchKey"),
            "{etag}"
        );
    }
    let (id, parts) = upload_parts(&c, "cond", "k", &[b"one".to_vec()]).await;
    let one = complete(id, parts).if_none_match("*").send().await.unwrap();
    let (id, parts) = upload_parts(&c, "cond", "k", &[b"two".to_vec()]).await;
    assert_outcome!(
        complete(id.clone(), parts.clone()).if_none_match("*"),
        "PreconditionFailed 412"
    );
    assert_outcome!(
        complete(id.clone(), parts.clone()).if_match("\"0123\""),
        "PreconditionFailed 412"
    );
    // The refused completions left the upload in place: the matching ETag completes it.
    complete(id, parts)
        .if_match(one.e_tag().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(get_bytes(&c, "cond", "k").await, b"two");
}

#[tokio::test]
async fn the_whole_object_checksum_sent_on_completion_is_checked() {
    let (_s, c) = Server::start_with_bucket("sums").await;
    let start = || {
        create_upload_req(&c, "sums", "k")
            .checksum_algorithm(ChecksumAlgorithm::Sha256)
            .checksum_type(ChecksumType::Composite)
    };
    let mut answers = Vec::new();
    for wrong in [true, false] {
        let id = start()
            .send()
            .await
            .unwrap()
            .upload_id()
            .unwrap()
            .to_string();
        let mut parts = Vec::new();
        for (n, body) in [(1, data(MIB5, 3)), (2, data(10, 4))] {
            let p = ok!(c
                .upload_part()
                .bucket("sums")
                .key("k")
                .upload_id(&id)
                .part_number(n)
                .checksum_algorithm(ChecksumAlgorithm::Sha256)
                .body(body.into()));
            parts.push(
                CompletedPart::builder()
                    .part_number(n)
                    .e_tag(p.e_tag().unwrap())
                    .checksum_sha256(p.checksum_sha256().unwrap())
                    .build(),
            );
            answers.push(p.checksum_sha256().unwrap().to_string());
        }
        let mut req = complete_req(&c, "sums", "k", &id).multipart_upload(part_list(&parts));
        if wrong {
            // A well-formed SHA-256 that is not the object's.
            req = req.checksum_sha256("uWBwpe1dxI4Vw8Gf0X9ynOdw/SS6VBzfWm9giiv1sf4=-2");
            assert_outcome!(req, "BadDigest 400");
            continue;
        }
        let done = req.send().await.unwrap();
        assert_eq!(done.checksum_type(), Some(&ChecksumType::Composite));
        let whole = done.checksum_sha256().unwrap().to_string();
        assert!(whole.ends_with("-2"), "{whole}");
    }

    // GetObject with a part number answers that part's checksum, of the object's type.
    let part2 = ok!(get_req(&c, "sums", "k")
        .part_number(2)
        .checksum_mode(ChecksumMode::Enabled));
    assert_eq!(part2.checksum_sha256(), Some(answers[3].as_str()));
    assert_eq!(part2.checksum_type(), Some(&ChecksumType::Composite));
    assert_eq!(part2.parts_count(), Some(2));
}

#[tokio::test]
async fn deleting_a_bucket_takes_its_uploads_in_progress() {
    let (_s, c) = Server::start_with_bucket("going").await;
    upload_parts(&c, "going", "half", &[b"part".to_vec()]).await;
    c.delete_bucket().bucket("going").send().await.unwrap();
    c.create_bucket().bucket("going").send().await.unwrap();
    let ups = ok!(c.list_multipart_uploads().bucket("going"));
    assert!(ups.uploads().is_empty(), "{ups:?}");
    // Objects still keep a bucket.
    put_bytes(&c, "going", "k", b"x").await;
    assert_outcome!(c.delete_bucket().bucket("going"), "BucketNotEmpty 409");
}

/// S3 takes only `*` in a write's If-None-Match ("Expects the '*' character"): an ETag there
/// is 501 NotImplemented naming the header, on PutObject and CompleteMultipartUpload alike,
/// whether the key exists or not, and nothing is written.
#[tokio::test]
async fn if_none_match_on_a_write_takes_only_a_star() {
    let (s, c) = Server::start_with_bucket("inm").await;
    let put = |key: &str, inm: &str| {
        c.put_object()
            .bucket("inm")
            .key(key)
            .if_none_match(inm)
            .body(b"x".to_vec().into())
    };
    let first = put("k", "*").send().await.unwrap();
    for (key, inm) in [
        ("k", first.e_tag().unwrap()),
        ("k", "\"other\""),
        ("new", "\"x\""),
    ] {
        let e = put(key, inm).send().await.unwrap_err();
        assert_eq!(
            (status(&e), code(&e).as_str()),
            (501, "NotImplemented"),
            "{key} {inm}"
        );
    }
    let e = head_req(&c, "inm", "new").send().await;
    assert!(e.is_err());
    let r = Raw::new(&s, "PUT", "/inm/k")
        .header("if-none-match", "\"abc\"")
        .body(b"y".to_vec())
        .send_signed(&s)
        .await;
    assert_eq!(r.status, 501);
    assert_eq!(r.xml("Header").as_deref(), Some("If-None-Match"));
    assert_eq!(
        r.xml("Message").as_deref(),
        Some("A header you provided implies functionality that is not implemented")
    );

    let (id, parts) = upload_parts(&c, "inm", "k", &[b"two".to_vec()]).await;
    let complete = || complete_req(&c, "inm", "k", &id).multipart_upload(part_list(&parts));
    assert_outcome!(
        complete().if_none_match(first.e_tag().unwrap()),
        "NotImplemented 501"
    );
    // The refused completion left the upload in place.
    complete().send().await.unwrap();
    assert_eq!(get_bytes(&c, "inm", "k").await, b"two");
}

/// A `partNumber` past an object's parts is 416 InvalidPartNumber naming the part asked for
/// and the object's part count (1 for an object not uploaded in parts, whose part 1 is all of
/// it), as S3 answers.
#[tokio::test]
async fn part_number_past_the_parts_is_416_with_the_counts() {
    let (s, c) = Server::start_with_bucket("partnums").await;
    let (id, parts) = upload_parts(&c, "partnums", "mp", &[data(MIB5, 1), b"tail".to_vec()]).await;
    ok!(complete_req(&c, "partnums", "mp", id).multipart_upload(part_list(&parts)));
    put_bytes(&c, "partnums", "single", b"body").await;
    for (key, n, count) in [("mp", 3, "2"), ("single", 2, "1")] {
        let r = Raw::new(&s, "GET", &format!("/partnums/{key}?partNumber={n}"))
            .send_signed(&s)
            .await;
        assert_eq!(r.status, 416, "{key}");
        assert_eq!(r.xml("Code").as_deref(), Some("InvalidPartNumber"));
        assert_eq!(r.xml("PartNumberRequested"), Some(n.to_string()));
        assert_eq!(r.xml("ActualPartCount").as_deref(), Some(count));
    }
    let one = ok!(get_req(&c, "partnums", "single").part_number(1));
    assert_eq!(body_bytes(one).await, b"body");
}

/// A part CompleteMultipartUpload names with an ETag that was not uploaded is 400 InvalidPart
/// naming the upload, the part number and the ETag, as S3 answers; the upload stays.
#[tokio::test]
async fn an_unknown_part_is_invalid_part_with_its_details() {
    let (s, c) = Server::start_with_bucket("badpart").await;
    let (id, parts) = upload_parts(&c, "badpart", "k", &[b"one".to_vec()]).await;
    let r = Raw::new(&s, "POST", &format!("/badpart/k?uploadId={id}"))
        .body(
            "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber>\
             <ETag>\"gibberish\"</ETag></Part></CompleteMultipartUpload>",
        )
        .send_signed(&s)
        .await;
    r.assert_code(400, "InvalidPart");
    assert_eq!(r.xml("UploadId"), Some(id.clone()));
    assert_eq!(r.xml("PartNumber").as_deref(), Some("1"));
    assert_eq!(r.xml("ETag").as_deref(), Some("gibberish"));
    complete_upload(&c, "badpart", "k", &id, &parts).await;
}
