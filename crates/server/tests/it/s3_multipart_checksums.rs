//! Multipart checksums: a composite CRC32 over the parts' checksums and a full-object CRC64NVME
//! (and CRC32), checked on each part, on completion, by ListParts, GetObject and HeadObject.

use crate::common::*;
use crate::s3_multipart::*;
use aws_sdk_s3::types::{
    ChecksumAlgorithm, ChecksumType, CompletedMultipartUpload, CompletedPart, ObjectAttributes,
};

#[tokio::test]
async fn composite_crc32_checksum() {
    let (_s, c) = Server::start_with_bucket("ck32").await;
    let created =
        ok!(create_upload_req(&c, "ck32", "obj").checksum_algorithm(ChecksumAlgorithm::Crc32));
    assert_eq!(
        created.checksum_algorithm(),
        Some(&ChecksumAlgorithm::Crc32)
    );
    assert_eq!(created.checksum_type(), Some(&ChecksumType::Composite));
    let id = created.upload_id().unwrap().to_string();
    let parts = [data(5 * MIB, 31), data(5 * MIB, 32), data(1234, 33)];
    let crc = Some(ChecksumAlgorithm::Crc32);
    let outs = send_parts_with(&c, "ck32", "obj", &id, crc, &parts).await;
    let mut done_parts = Vec::new();
    for (n, (out, p)) in (1..).zip(outs.iter().zip(&parts)) {
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
    let listed = ok!(c.list_parts().bucket("ck32").key("obj").upload_id(&id));
    assert_eq!(listed.checksum_algorithm(), Some(&ChecksumAlgorithm::Crc32));
    for (p, want) in listed.parts().iter().zip(&parts) {
        assert_eq!(p.checksum_crc32(), Some(b64(&crc32(want)).as_str()));
    }

    let done = complete_upload(&c, "ck32", "obj", &id, &done_parts).await;
    // The composite checksum: CRC32 of the concatenated raw part CRC32s, "-3".
    let mut raw = Vec::new();
    for p in &parts {
        raw.extend_from_slice(&crc32(p));
    }
    let want = format!("{}-3", b64(&crc32(&raw)));
    assert_eq!(done.checksum_crc32(), Some(want.as_str()));
    assert_eq!(done.checksum_type(), Some(&ChecksumType::Composite));

    let head = head_with_checksums(&c, "ck32", "obj").await;
    assert_eq!(head.checksum_crc32(), Some(want.as_str()));
    assert_eq!(head.checksum_type(), Some(&ChecksumType::Composite));
    let got = get_with_checksums(&c, "ck32", "obj").await;
    assert_eq!(got.checksum_crc32(), Some(want.as_str()));
    let all: Vec<u8> = parts.concat();
    assert!(body_bytes(got).await == all);

    // GetObjectAttributes: the checksum and each part's checksum.
    let attrs = ok!(attributes_req(
        &c,
        "ck32",
        "obj",
        &[ObjectAttributes::Checksum, ObjectAttributes::ObjectParts]
    )
    .max_parts(2));
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
    let attrs = ok!(
        attributes_req(&c, "ck32", "obj", &[ObjectAttributes::ObjectParts]).part_number_marker("2")
    );
    let op = attrs.object_parts().unwrap();
    assert_eq!(op.is_truncated(), Some(false));
    assert_eq!(op.parts().len(), 1);
    assert_eq!(op.parts()[0].part_number(), Some(3));
    assert_eq!(op.parts()[0].size(), Some(1234));

    // A part checksum in Complete that differs from the stored one.
    let id =
        ok!(create_upload_req(&c, "ck32", "obj2").checksum_algorithm(ChecksumAlgorithm::Crc32))
            .upload_id()
            .unwrap()
            .to_string();
    let out = ok!(c
        .upload_part()
        .bucket("ck32")
        .key("obj2")
        .upload_id(&id)
        .part_number(1)
        .checksum_algorithm(ChecksumAlgorithm::Crc32)
        .body(b"abc".to_vec().into()));
    assert_fails!(
        complete_req(&c, "ck32", "obj2", &id).multipart_upload(
            CompletedMultipartUpload::builder()
                .parts(
                    CompletedPart::builder()
                        .part_number(1)
                        .e_tag(out.e_tag().unwrap())
                        .checksum_crc32("AAAAAA==")
                        .build(),
                )
                .build(),
        ),
        "InvalidPart"
    );
}

#[tokio::test]
async fn full_object_crc64nvme_checksum() {
    let (s, c) = Server::start_with_bucket("ck64").await;
    let created = ok!(create_upload_req(&c, "ck64", "obj")
        .checksum_algorithm(ChecksumAlgorithm::Crc64Nvme)
        .checksum_type(ChecksumType::FullObject));
    assert_eq!(created.checksum_type(), Some(&ChecksumType::FullObject));
    let id = created.upload_id().unwrap().to_string();
    let parts = [data(5 * MIB, 41), data(2 * MIB + 3, 42)];
    let crc = Some(ChecksumAlgorithm::Crc64Nvme);
    let outs = send_parts_with(&c, "ck64", "obj", &id, crc, &parts).await;
    for (n, (out, p)) in (1..).zip(outs.iter().zip(&parts)) {
        let sum = b64(&crc64nvme(p));
        assert_eq!(out.checksum_crc64_nvme(), Some(sum.as_str()), "part {n}");
    }
    let all: Vec<u8> = parts.concat();
    let want = b64(&crc64nvme(&all));
    let done = complete_upload(&c, "ck64", "obj", &id, &part_entries(&outs)).await;
    assert_eq!(done.checksum_crc64_nvme(), Some(want.as_str()));
    assert_eq!(done.checksum_type(), Some(&ChecksumType::FullObject));
    assert_eq!(
        done.e_tag(),
        Some(multipart_etag(&[&parts[0], &parts[1]]).as_str())
    );

    // The SDK validates a full-object checksum on GET, so a wrong value would fail here.
    let got = get_with_checksums(&c, "ck64", "obj").await;
    assert_eq!(got.checksum_crc64_nvme(), Some(want.as_str()));
    assert_eq!(got.checksum_type(), Some(&ChecksumType::FullObject));
    assert!(body_bytes(got).await == all);

    // Raw: the header is there as computed.
    let r = Raw::new(&s, "HEAD", "/ck64/obj")
        .header("x-amz-checksum-mode", "ENABLED")
        .send_signed(&s)
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("x-amz-checksum-crc64nvme"), Some(want.as_str()));
    assert_eq!(r.header("x-amz-checksum-type"), Some("FULL_OBJECT"));

    // FULL_OBJECT CRC32 too: the CRC32 of all the data, no suffix.
    let id = ok!(create_upload_req(&c, "ck64", "obj32")
        .checksum_algorithm(ChecksumAlgorithm::Crc32)
        .checksum_type(ChecksumType::FullObject))
    .upload_id()
    .unwrap()
    .to_string();
    let crc = Some(ChecksumAlgorithm::Crc32);
    let outs = send_parts_with(&c, "ck64", "obj32", &id, crc, &parts).await;
    let done = complete_upload(&c, "ck64", "obj32", &id, &part_entries(&outs)).await;
    let want32 = b64(&crc32(&all));
    assert_eq!(done.checksum_crc32(), Some(want32.as_str()));
    let head = head_with_checksums(&c, "ck64", "obj32").await;
    assert_eq!(head.checksum_crc32(), Some(want32.as_str()));
    assert_eq!(head.checksum_type(), Some(&ChecksumType::FullObject));

    // CRC64NVME cannot be COMPOSITE; SHA256 cannot be FULL_OBJECT.
    assert_fails!(
        create_upload_req(&c, "ck64", "x")
            .checksum_algorithm(ChecksumAlgorithm::Crc64Nvme)
            .checksum_type(ChecksumType::Composite),
        "InvalidRequest"
    );
    assert_fails!(
        create_upload_req(&c, "ck64", "x")
            .checksum_algorithm(ChecksumAlgorithm::Sha256)
            .checksum_type(ChecksumType::FullObject),
        "InvalidRequest"
    );
}
