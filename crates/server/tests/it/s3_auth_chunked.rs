//! Streaming bodies: signed aws-chunked bodies (each chunk's signature checked, trailers
//! included) and unsigned bodies with trailing checksums.

use crate::common::*;
use crate::s3_auth::*;
use trailstack_sigv4::{
    encode_signed_chunks, encode_unsigned_chunks, STREAMING_PAYLOAD, STREAMING_PAYLOAD_TRAILER,
    STREAMING_UNSIGNED_PAYLOAD_TRAILER,
};

/// A PUT with aws-chunked headers for `data_len` decoded bytes (body and signing to add).
pub fn chunked_put(s: &Server, path: &str, data_len: usize, trailer: Option<&str>) -> Raw {
    let mut r = Raw::new(s, "PUT", path)
        .header("content-encoding", "aws-chunked")
        .header("x-amz-decoded-content-length", &data_len.to_string());
    if let Some(t) = trailer {
        r = r.header("x-amz-trailer", t);
    }
    r
}

#[tokio::test]
async fn signed_aws_chunked_bodies() {
    let (s, c) = Server::start_with_bucket("chunks").await;
    let data = data(200_000, 7);

    // Build, sign, then frame the body with the request's seed signature.
    let signed_put = |key: &str, flip: Option<usize>, trailers: Option<Vec<(&str, String)>>| {
        let signer = Signer::now();
        let mode = if trailers.is_some() {
            STREAMING_PAYLOAD_TRAILER
        } else {
            STREAMING_PAYLOAD
        };
        let trailer_name = trailers.as_ref().map(|t| t[0].0);
        let chunk = 64 * 1024;
        // The framed length does not depend on signatures (all 64 hex chars).
        let probe_signer = signer.chunk_signer(&"0".repeat(64));
        let tr: Option<Vec<(&str, &str)>> = trailers
            .as_ref()
            .map(|t| t.iter().map(|(k, v)| (*k, v.as_str())).collect());
        let framed_len = encode_signed_chunks(&probe_signer, &data, chunk, tr.as_deref()).len();
        let req = chunked_put(&s, &format!("/chunks/{key}"), data.len(), trailer_name)
            .header("content-length", &framed_len.to_string());
        let (req, seed) = req.sign_with(&signer, Some(mode));
        let mut body =
            encode_signed_chunks(&signer.chunk_signer(&seed), &data, chunk, tr.as_deref());
        assert_eq!(body.len(), framed_len);
        if let Some(at) = flip {
            // The data byte `at` sits after the first chunk header line.
            let header_len = body.iter().position(|&b| b == b'\n').unwrap() + 1;
            let chunk_n = at / chunk;
            let pos = at + header_len * (chunk_n + 1) + chunk_n * 2;
            body[pos] ^= 0x01;
        }
        req.body(body)
    };

    let r = signed_put("good", None, None).send(&s).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let md5 = {
        use md5::Digest;
        hex::encode(md5::Md5::digest(&data))
    };
    assert_eq!(r.header("etag"), Some(format!("\"{md5}\"").as_str()));
    let got = get_out(&c, "chunks", "good").await;
    assert_eq!(got.content_length(), Some(data.len() as i64));
    assert!(body_bytes(got).await == data);
    let (tmp, blobs_before) = tmp_and_blob_files(&s);
    assert_eq!(tmp, 0);

    // One flipped data byte (in the third chunk, after two chunks were accepted).
    let r = signed_put("bad", Some(150_000), None).send(&s).await;
    assert_error(&r, 403, "SignatureDoesNotMatch");
    assert_eq!(head_status(&s, "/chunks/bad").await, 404);
    assert_eq!(tmp_and_blob_files(&s), (0, blobs_before));
    // And in the first chunk.
    let r = signed_put("bad", Some(10), None).send(&s).await;
    assert_error(&r, 403, "SignatureDoesNotMatch");
    assert_eq!(head_status(&s, "/chunks/bad").await, 404);
    assert_eq!(tmp_and_blob_files(&s), (0, blobs_before));

    // Signed chunks with a signed checksum trailer.
    let crc = crc32_b64(&data);
    let r = signed_put(
        "trailer",
        None,
        Some(vec![("x-amz-checksum-crc32", crc.clone())]),
    )
    .send(&s)
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("x-amz-checksum-crc32"), Some(crc.as_str()));
    let got = get_with_checksums(&c, "chunks", "trailer").await;
    assert_eq!(got.checksum_crc32(), Some(crc.as_str()));
    assert!(body_bytes(got).await == data);
    // The signed trailer with a wrong (but correctly signed) checksum.
    let r = signed_put(
        "trailer-bad",
        None,
        Some(vec![("x-amz-checksum-crc32", crc32_b64(b"other"))]),
    )
    .send(&s)
    .await;
    assert_error(&r, 400, "BadDigest");
    assert_eq!(head_status(&s, "/chunks/trailer-bad").await, 404);
    // A flipped byte with a trailer.
    let r = signed_put(
        "trailer-flip",
        Some(70_000),
        Some(vec![("x-amz-checksum-crc32", crc.clone())]),
    )
    .send(&s)
    .await;
    assert_error(&r, 403, "SignatureDoesNotMatch");
    assert_eq!(head_status(&s, "/chunks/trailer-flip").await, 404);
    let (tmp, _) = tmp_and_blob_files(&s);
    assert_eq!(tmp, 0);

    // A decoded length that does not match the chunks.
    let signer = Signer::now();
    let small = b"twelve bytes";
    let framed_len =
        encode_signed_chunks(&signer.chunk_signer(&"0".repeat(64)), small, 64, None).len();
    let (req, seed) = chunked_put(&s, "/chunks/short", small.len() + 5, None)
        .header("content-length", &framed_len.to_string())
        .sign_with(&signer, Some(STREAMING_PAYLOAD));
    let body = encode_signed_chunks(&signer.chunk_signer(&seed), small, 64, None);
    let r = req.body(body).send(&s).await;
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(head_status(&s, "/chunks/short").await, 404);
    // A chunked body cut short.
    let (req, seed) = chunked_put(&s, "/chunks/cut", data.len(), None)
        .header("content-length", &(framed_len).to_string())
        .sign_with(&signer, Some(STREAMING_PAYLOAD));
    let mut body = encode_signed_chunks(&signer.chunk_signer(&seed), &data, 64 * 1024, None);
    body.truncate(framed_len);
    let r = req.body(body).send(&s).await;
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(head_status(&s, "/chunks/cut").await, 404);
    assert_eq!(tmp_and_blob_files(&s).0, 0);
}

#[tokio::test]
async fn unsigned_trailer_bodies() {
    let (s, c) = Server::start_with_bucket("utrail").await;
    let data = data(100_000, 9);
    let put = |key: &str, crc: &str| {
        let body = encode_unsigned_chunks(&data, 8192, &[("x-amz-checksum-crc32", crc)]);
        chunked_put(
            &s,
            &format!("/utrail/{key}"),
            data.len(),
            Some("x-amz-checksum-crc32"),
        )
        .header("content-length", &body.len().to_string())
        .body(body)
        .sign_with(&Signer::now(), Some(STREAMING_UNSIGNED_PAYLOAD_TRAILER))
        .0
    };
    let crc = crc32_b64(&data);
    let r = put("ok", &crc).send(&s).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("x-amz-checksum-crc32"), Some(crc.as_str()));
    let got = get_with_checksums(&c, "utrail", "ok").await;
    assert_eq!(got.checksum_crc32(), Some(crc.as_str()));
    assert!(body_bytes(got).await == data);
    let attrs = ok!(attributes_req(
        &c,
        "utrail",
        "ok",
        &[aws_sdk_s3::types::ObjectAttributes::Checksum]
    ));
    assert_eq!(
        attrs.checksum().and_then(|c| c.checksum_crc32()),
        Some(crc.as_str())
    );
    let (_, blobs_before) = tmp_and_blob_files(&s);

    // A wrong trailer value: BadDigest, nothing stored, nothing left behind.
    let r = put("wrong", &crc32_b64(b"not the data")).send(&s).await;
    assert_error(&r, 400, "BadDigest");
    assert_eq!(head_status(&s, "/utrail/wrong").await, 404);
    assert_eq!(tmp_and_blob_files(&s), (0, blobs_before));
    // Overwriting an existing key with a bad upload keeps the old object.
    let r = put("ok", &crc32_b64(b"nope")).send(&s).await;
    assert_error(&r, 400, "BadDigest");
    let got = get_out(&c, "utrail", "ok").await;
    assert!(body_bytes(got).await == data);
}
