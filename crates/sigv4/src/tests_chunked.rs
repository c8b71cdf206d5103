//! Behavioural tests of the `aws-chunked` decoder: tampering, truncation, limits, the
//! unsigned-with-trailer format, lenient endings, byte-at-a-time feeding.

use crate::tests_vectors::{decode_all, documented_body, signer, CHUNK_SIGS};
use crate::*;

fn signed(mode: ChunkMode) -> ChunkedDecoder {
    ChunkedDecoder::new(mode, Some(signer()), 1 << 20).unwrap()
}

fn unsigned() -> ChunkedDecoder {
    ChunkedDecoder::new(ChunkMode::UnsignedWithTrailer, None, 16).unwrap()
}

fn payload() -> Vec<u8> {
    (0..20_000u32).map(|i| b'a' + (i % 26) as u8).collect()
}

#[test]
fn flipped_byte_is_rejected_before_emission() {
    let mut body = documented_body(CHUNK_SIGS, b"\r\n");
    let at = 100 + body.iter().position(|&b| b == b'a').unwrap();
    body[at] = b'b';
    let mut d = signed(ChunkMode::Signed);
    let mut emitted = 0;
    let mut error = None;
    for piece in body.chunks(1000) {
        match d.push(piece) {
            Ok(events) => emitted += events.len(),
            Err(e) => {
                error = Some(e);
                break;
            }
        }
    }
    assert_eq!(emitted, 0, "no data of the bad chunk may be emitted");
    let err = error.expect("error");
    assert!(
        matches!(err, ChunkError::SignatureDoesNotMatch { .. }),
        "{err:?}"
    );
    assert_eq!(
        (err.s3_code(), err.http_status()),
        ("SignatureDoesNotMatch", 403)
    );
    // The error is sticky.
    assert_eq!(d.push(b"x"), Err(err.clone()));
    assert_eq!(d.finish(), Err(err));
}

#[test]
fn wrong_chain_or_order_is_rejected() {
    // A wrong seed breaks the first chunk.
    let mut s = signer();
    s.seed_signature = CHUNK_SIGS[0].into();
    let d = ChunkedDecoder::new(ChunkMode::Signed, Some(s), 1 << 20).unwrap();
    let body = documented_body(CHUNK_SIGS, b"\r\n");
    assert!(matches!(
        decode_all(d, &body, 4096),
        Err(ChunkError::SignatureDoesNotMatch { .. })
    ));
    // A final chunk with the signature of another position.
    let body = documented_body([CHUNK_SIGS[0], CHUNK_SIGS[1], CHUNK_SIGS[1]], b"\r\n");
    let r = decode_all(signed(ChunkMode::Signed), &body, 4096);
    assert!(matches!(r, Err(ChunkError::SignatureDoesNotMatch { .. })));
}

#[test]
fn signed_trailer_round_trip_and_tamper() {
    let data = payload();
    let trailers = [("x-amz-checksum-crc32", "AAAAAA=="), ("X-Amz-Meta-T", "v")];
    let body = encode_signed_chunks(&signer(), &data, 8192, Some(&trailers));
    let (got, t) = decode_all(signed(ChunkMode::SignedWithTrailer), &body, 1).unwrap();
    assert_eq!(got, data);
    let t = t.unwrap();
    assert_eq!(t[0], ("x-amz-checksum-crc32".into(), "AAAAAA==".into()));
    assert_eq!(t[1].0, "x-amz-meta-t");

    let tampered = String::from_utf8_lossy(&body).replace("AAAAAA==", "AAAAAB==");
    let r = decode_all(
        signed(ChunkMode::SignedWithTrailer),
        tampered.as_bytes(),
        64,
    );
    assert!(
        matches!(r, Err(ChunkError::SignatureDoesNotMatch { .. })),
        "{r:?}"
    );
    // A signed trailer without its signature line.
    let text = String::from_utf8_lossy(&body).into_owned();
    let cut = text.find("x-amz-trailer-signature").unwrap();
    let stripped = format!("{}\r\n", &text[..cut]);
    let r = decode_all(
        signed(ChunkMode::SignedWithTrailer),
        stripped.as_bytes(),
        64,
    );
    assert!(matches!(r, Err(ChunkError::Malformed { .. })), "{r:?}");
}

#[test]
fn lenient_endings() {
    let data = payload();
    let trailers = [("x-amz-checksum-crc32c", "sOO8/Q==")];
    let full = encode_signed_chunks(&signer(), &data, 4096, Some(&trailers));
    let text = String::from_utf8_lossy(&full).into_owned();
    let variants = [
        // Without the closing empty line.
        text.strip_suffix("\r\n").unwrap().to_owned(),
        // Without the last line terminator at all.
        text.strip_suffix("\r\n\r\n").unwrap().to_owned(),
        // Bare LF line ends in the trailer.
        text.replace("==\r\n", "==\n"),
        // A blank line between the final chunk and the trailers.
        text.replacen("\r\nx-amz-checksum", "\r\n\r\nx-amz-checksum", 1),
        // Extra CRLF after the end.
        format!("{text}\r\n\r\n"),
    ];
    for v in &variants {
        for step in [1, 5, v.len()] {
            let (got, t) = decode_all(signed(ChunkMode::SignedWithTrailer), v.as_bytes(), step)
                .unwrap_or_else(|e| panic!("{v:?}: {e:?}"));
            assert_eq!(got, data);
            assert_eq!(t.unwrap().len(), 1);
        }
    }
    // Signed without trailer: the final CRLF may be missing.
    let body = documented_body(CHUNK_SIGS, b"");
    decode_all(signed(ChunkMode::Signed), &body, 999).unwrap();
}

#[test]
fn unsigned_with_trailer() {
    let data = payload();
    let body = encode_unsigned_chunks(&data, 3000, &[("x-amz-checksum-crc32", "s3SFCQ==")]);
    for step in [1, 2, 3, 4096, body.len()] {
        let (got, t) = decode_all(unsigned(), &body, step).unwrap();
        assert_eq!(
            got, data,
            "unsigned chunks stream, max_chunk_size does not apply"
        );
        assert_eq!(
            t.unwrap(),
            vec![("x-amz-checksum-crc32".into(), "s3SFCQ==".into())]
        );
    }
    // The quirky ending seen in the wild: trailer line ended by LF, then two CRLFs.
    let quirky = b"5\r\nhello\r\n0\r\nx-amz-checksum-crc32:s3SFCQ==\n\r\n\r\n";
    let (got, t) = decode_all(unsigned(), quirky, 1).unwrap();
    assert_eq!((got.as_slice(), t.unwrap().len()), (&b"hello"[..], 1));
    // No trailers at all.
    let (got, t) = decode_all(unsigned(), b"3\r\nabc\r\n0\r\n\r\n", 1).unwrap();
    assert_eq!((got.as_slice(), t), (&b"abc"[..], Some(vec![])));
}

#[test]
fn truncation_and_framing_errors() {
    let body = documented_body(CHUNK_SIGS, b"\r\n");
    for cut in [0, 10, 90, 5000, 65536 + 80, body.len() - 90] {
        let mut d = signed(ChunkMode::Signed);
        let pushed = d.push(&body[..cut]);
        assert!(pushed.is_ok(), "cut {cut}: {pushed:?}");
        assert_eq!(d.finish(), Err(ChunkError::Incomplete), "cut {cut}");
    }
    let cases: [&[u8]; 8] = [
        b"zz\r\nabc\r\n0\r\n\r\n",
        b"\r\n",
        b"3\r\nabcX\r\n0\r\n\r\n",
        b"3\r\nabc\rX0\r\n\r\n",
        b"11111111111111111\r\n",
        b"3\r\nabc\r\n0\r\nno-colon\r\n\r\n",
        b"3\r\nabc\r\n0\r\n:v\r\n\r\n",
        b"3\r\nabc\r\n0\r\n\r\n\r\ngarbage",
    ];
    for case in cases {
        let r = decode_all(unsigned(), case, 1);
        assert!(
            matches!(r, Err(ChunkError::Malformed { .. })),
            "{:?}: {r:?}",
            String::from_utf8_lossy(case)
        );
    }
    let long_line = vec![b'1'; 5000];
    assert!(matches!(
        unsigned().push(&long_line),
        Err(ChunkError::Malformed { .. })
    ));
    // Signed chunks need a signature.
    let r = decode_all(signed(ChunkMode::Signed), b"3\r\nabc\r\n0\r\n\r\n", 1);
    assert!(matches!(r, Err(ChunkError::Malformed { .. })));
}

#[test]
fn chunk_size_limit_and_signer_required() {
    let mut d = ChunkedDecoder::new(ChunkMode::Signed, Some(signer()), 1024).unwrap();
    let err = d.push(b"401;chunk-signature=00\r\n").unwrap_err();
    assert_eq!(
        err,
        ChunkError::TooLarge {
            size: 1025,
            max: 1024
        }
    );
    let mut d = ChunkedDecoder::new(ChunkMode::Signed, Some(signer()), u64::MAX).unwrap();
    assert!(
        d.push(b"ffffffffffffffff;chunk-signature=00\r\n").is_ok(),
        "no allocation up front"
    );
    assert_eq!(d.finish(), Err(ChunkError::Incomplete));
    let err = ChunkedDecoder::new(ChunkMode::SignedWithTrailer, None, 10).unwrap_err();
    assert_eq!(err, ChunkError::SignerRequired);
    assert_eq!(
        ChunkMode::from_content_sha256(STREAMING_PAYLOAD),
        Some(ChunkMode::Signed)
    );
    assert_eq!(ChunkMode::from_content_sha256(UNSIGNED_PAYLOAD), None);
}
