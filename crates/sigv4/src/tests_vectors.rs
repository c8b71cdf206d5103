//! Known-answer tests from the AWS S3 documentation (secret
//! `wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`, 20130524T000000Z, us-east-1, examplebucket):
//! "Signature Calculations for the Authorization Header: Transferring Payload in a Single
//! Chunk", "... Multiple Chunks (Chunked Upload)", "... trailing headers", and
//! "Authenticating Requests: Using Query Parameters".
//! <https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html>

use time::macros::datetime;
use time::OffsetDateTime;

use crate::*;

pub(crate) const AK: &str = "AKIAIOSFODNN7EXAMPLE";
pub(crate) const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
pub(crate) const NOW: OffsetDateTime = datetime!(2013-05-24 0:00 UTC);
const HOST: &str = "examplebucket.s3.amazonaws.com";
/// The documentation's signer: its key, region and time, for S3.
const PARAMS: SigningParams<'static> = SigningParams {
    access_key: AK,
    secret_key: SECRET,
    region: "us-east-1",
    service: "s3",
    time: NOW,
};

pub(crate) fn scope() -> Scope {
    Scope {
        date: "20130524".into(),
        region: "us-east-1".into(),
        service: "s3".into(),
    }
}

/// Verifies a header-signed request whose signature is `sig`, returning what verify gives.
fn check_header(
    method: &str,
    path: &str,
    query: &str,
    headers: &[(&str, &str)],
    payload: &str,
    sig: &str,
) -> Verified {
    let names: Vec<String> = {
        let mut v: Vec<String> = headers
            .iter()
            .map(|(n, _)| n.to_ascii_lowercase())
            .collect();
        v.sort();
        v
    };
    let auth = format!(
        "AWS4-HMAC-SHA256 Credential={AK}/20130524/us-east-1/s3/aws4_request,SignedHeaders={},Signature={sig}",
        names.join(";")
    );
    let mut all = headers.to_vec();
    all.push(("Authorization", &auth));
    let req = RequestParts {
        method,
        raw_path: path,
        raw_query: query,
        headers: &all,
    };
    let signed = parse_request_auth(&req).unwrap().unwrap();
    assert_eq!(signed.signed_headers, names);
    // The client-side signer reproduces the documented signature too.
    let client = sign_request_header(&RequestParts { headers, ..req }, &PARAMS, payload);
    assert_eq!(client.signature, sig);
    verify(&req, &signed, SECRET, payload, NOW).unwrap()
}

#[test]
fn get_object_with_range() {
    let canonical = canonical_request(
        &RequestParts {
            method: "GET",
            raw_path: "/test.txt",
            raw_query: "",
            headers: &[
                ("Host", HOST),
                ("Range", "bytes=0-9"),
                ("x-amz-content-sha256", EMPTY_SHA256),
                ("x-amz-date", "20130524T000000Z"),
            ],
        },
        &["host", "range", "x-amz-content-sha256", "x-amz-date"].map(String::from),
        EMPTY_SHA256,
        false,
    );
    let sts = string_to_sign("20130524T000000Z", &scope(), &canonical);
    assert_eq!(
        sts,
        "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n\
         7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972"
    );
    check_header(
        "GET",
        "/test.txt",
        "",
        &[
            ("Host", HOST),
            ("Range", "bytes=0-9"),
            ("x-amz-content-sha256", EMPTY_SHA256),
            ("x-amz-date", "20130524T000000Z"),
        ],
        EMPTY_SHA256,
        "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
    );
}

#[test]
fn put_object() {
    let body_hash = sha256_hex(b"Welcome to Amazon S3.");
    assert_eq!(
        body_hash,
        "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"
    );
    let headers = [
        ("Date", "Fri, 24 May 2013 00:00:00 GMT"),
        ("Host", HOST),
        ("x-amz-content-sha256", body_hash.as_str()),
        ("x-amz-date", "20130524T000000Z"),
        ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
    ];
    let sig = "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd";
    check_header("PUT", "/test%24file.text", "", &headers, &body_hash, sig);
    // A client that left '$' unencoded verifies alike.
    check_header("PUT", "/test$file.text", "", &headers, &body_hash, sig);
}

fn bucket_get(query: &str, sig: &str) {
    let headers = [
        ("Host", HOST),
        ("x-amz-content-sha256", EMPTY_SHA256),
        ("x-amz-date", "20130524T000000Z"),
    ];
    check_header("GET", "/", query, &headers, EMPTY_SHA256, sig);
}

#[test]
fn get_bucket_lifecycle() {
    bucket_get(
        "lifecycle",
        "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543",
    );
}

#[test]
fn list_objects() {
    let sig = "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7";
    bucket_get("max-keys=2&prefix=J", sig);
    bucket_get("prefix=J&max-keys=2", sig);
}

#[test]
fn presigned_get() {
    let query = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";
    let headers = [("Host", HOST)];
    let req = RequestParts {
        method: "GET",
        raw_path: "/test.txt",
        raw_query: query,
        headers: &headers,
    };
    let signed = parse_request_auth(&req).unwrap().unwrap();
    assert_eq!(signed.location, AuthLocation::Query);
    assert_eq!(signed.expires_secs, Some(86400));
    assert_eq!(
        payload_hash_for(&req, &signed).as_deref(),
        Some(UNSIGNED_PAYLOAD)
    );
    verify(
        &req,
        &signed,
        SECRET,
        UNSIGNED_PAYLOAD,
        NOW + time::Duration::hours(23),
    )
    .unwrap();
    // Our presigner produces the same URL.
    let ours = presign_query(
        &RequestParts {
            raw_query: "",
            ..req
        },
        &PARAMS,
        86400,
    );
    assert_eq!(ours, query);
}

fn chunk_headers(sha: &'static str, trailer: bool) -> Vec<(&'static str, &'static str)> {
    let mut h = vec![
        ("Host", "s3.amazonaws.com"),
        ("x-amz-date", "20130524T000000Z"),
        ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
        ("x-amz-content-sha256", sha),
        ("Content-Encoding", "aws-chunked"),
        ("x-amz-decoded-content-length", "66560"),
    ];
    if trailer {
        h.push(("x-amz-trailer", "x-amz-checksum-crc32c"));
    } else {
        h.push(("Content-Length", "66824"));
    }
    h
}

/// The documented 64 KiB + 1 KiB + 0 body, with `sigs` as chunk signatures and `tail`
/// after the final chunk header.
pub(crate) fn documented_body(sigs: [&str; 3], tail: &[u8]) -> Vec<u8> {
    let mut body = format!("10000;chunk-signature={}\r\n", sigs[0]).into_bytes();
    body.extend(std::iter::repeat_n(b'a', 65536));
    body.extend(format!("\r\n400;chunk-signature={}\r\n", sigs[1]).bytes());
    body.extend(std::iter::repeat_n(b'a', 1024));
    body.extend(format!("\r\n0;chunk-signature={}\r\n", sigs[2]).bytes());
    body.extend_from_slice(tail);
    body
}

pub(crate) const CHUNK_SIGS: [&str; 3] = [
    "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
    "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
    "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
];
pub(crate) const SEED: &str = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";

/// The chunk signer of the documented example: its key, date and seed signature.
pub(crate) fn signer() -> ChunkSigner {
    ChunkSigner {
        signing_key: derive_signing_key(SECRET, &scope()),
        amz_date_raw: "20130524T000000Z".into(),
        scope: scope(),
        seed_signature: SEED.into(),
    }
}

/// Decoded data and the trailers (if a `Trailers` event came).
pub(crate) type Decoded = (Vec<u8>, Option<Vec<(String, String)>>);

pub(crate) fn decode_all(
    mut d: ChunkedDecoder,
    body: &[u8],
    step: usize,
) -> Result<Decoded, ChunkError> {
    let (mut data, mut trailers, mut ended) = (Vec::new(), None, false);
    let mut events = Vec::new();
    for piece in body.chunks(step.max(1)) {
        events.extend(d.push(piece)?);
    }
    events.extend(d.finish()?);
    for e in events {
        assert!(!ended, "event after End");
        match e {
            ChunkEvent::Data(b) => data.extend_from_slice(&b),
            ChunkEvent::Trailers(t) => trailers = Some(t),
            ChunkEvent::End => ended = true,
        }
    }
    assert!(ended, "no End event");
    Ok((data, trailers))
}

/// Verifies the documented chunked PUT whose payload hash is `sha` (with the trailer header
/// if `trailer`) against its seed signature `seed`.
fn check_chunked_upload(sha: &'static str, trailer: bool, seed: &str) -> Verified {
    let headers = chunk_headers(sha, trailer);
    let path = "/examplebucket/chunkObject.txt";
    check_header("PUT", path, "", &headers, sha, seed)
}

#[test]
fn chunked_upload_seed_and_chunks() {
    let verified = check_chunked_upload(STREAMING_PAYLOAD, false, SEED);
    assert_eq!(verified.seed_signature, SEED);
    let body = documented_body(CHUNK_SIGS, b"\r\n");
    assert_eq!(body.len(), 66824, "Content-Length of the documented body");
    let signer = verified.chunk_signer();
    for step in [body.len(), 65536, 4096, 7, 1] {
        let d = ChunkedDecoder::new(ChunkMode::Signed, Some(signer.clone()), 1 << 20).unwrap();
        let (data, trailers) = decode_all(d, &body, step).unwrap();
        assert_eq!(data, vec![b'a'; 66560]);
        assert_eq!(trailers, None);
    }
    // Our encoder produces the documented body byte for byte.
    assert_eq!(
        encode_signed_chunks(&signer, &[b'a'; 66560], 65536, None),
        body
    );
}

const TRAILER_SEED: &str = "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e";
const TRAILER_CHUNK_SIGS: [&str; 3] = [
    "b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2",
    "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7",
    "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992",
];
const TRAILER_TAIL: &[u8] = b"x-amz-checksum-crc32c:sOO8/Q==\r\nx-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n\r\n";

#[test]
fn chunked_upload_with_trailer() {
    let verified = check_chunked_upload(STREAMING_PAYLOAD_TRAILER, true, TRAILER_SEED);
    let signer = verified.chunk_signer();
    let body = documented_body(TRAILER_CHUNK_SIGS, TRAILER_TAIL);
    for step in [body.len(), 1000, 1] {
        let d = ChunkedDecoder::new(ChunkMode::SignedWithTrailer, Some(signer.clone()), 1 << 17)
            .unwrap();
        let (data, trailers) = decode_all(d, &body, step).unwrap();
        assert_eq!(data.len(), 66560);
        let want = vec![("x-amz-checksum-crc32c".to_owned(), "sOO8/Q==".to_owned())];
        assert_eq!(trailers, Some(want));
    }
    let ours = encode_signed_chunks(
        &signer,
        &[b'a'; 66560],
        65536,
        Some(&[("x-amz-checksum-crc32c", "sOO8/Q==")]),
    );
    assert_eq!(ours, body);
}
