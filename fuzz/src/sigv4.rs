//! The SigV4 path of every request, as the edge runs it: find the signature (header or
//! presigned query), look up the secret, choose the payload hash, verify, and for a verified
//! `aws-chunked` request decode the body with the request's chunk signer. Shared by the
//! `sigv4_header` and `sigv4_query` targets, which differ in which field libFuzzer mutates
//! first.
//!
//! The clock stands at the time of the AWS documentation's examples, whose requests (the
//! seeds) therefore verify, so mutations start from requests that reach every check.

use time::macros::datetime;
use time::OffsetDateTime;
use trailstack_sigv4::{
    authenticate, canonical_query, canonical_uri, parse_request_auth, payload_hash_for, sha256_hex,
    ChunkEvent, ChunkMode, ChunkedDecoder, RequestParts, SecretLookup,
};

/// The time of the AWS documentation's signing examples.
pub const NOW: OffsetDateTime = datetime!(2013-05-24 0:00 UTC);
/// The access key of the AWS documentation's examples.
pub const DOC_ACCESS_KEY: &str = "AKIAIOSFODNN7EXAMPLE";
const DOC_SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

struct Secrets;

impl SecretLookup for Secrets {
    fn secret_for(&self, access_key: &str) -> Option<String> {
        match access_key {
            DOC_ACCESS_KEY => Some(DOC_SECRET.into()),
            "test" => Some("test".into()),
            _ => None,
        }
    }
}

/// Authenticates the request and, when it verifies with an `aws-chunked` payload, decodes
/// `body` with its chunk signer. Panics only on a broken invariant.
pub fn exercise(method: &str, path: &str, query: &str, headers: &[(String, String)], body: &[u8]) {
    let refs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let req = RequestParts {
        method,
        raw_path: path,
        raw_query: query,
        headers: &refs,
    };
    let _ = canonical_uri(path);
    let _ = canonical_query(query, true);
    // S3 routes SigV2 requests to its own verifier; it must not panic on any of them either.
    if trailstack_sigv4::v2::is_v2(&req) {
        let _ = trailstack_sigv4::v2::canonical_resource(Some("b"), path, query, true);
        if let Ok(signed) = trailstack_sigv4::v2::authenticate_v2(&req, &Secrets, None, NOW) {
            assert!(
                Secrets.secret_for(&signed.access_key).is_some(),
                "a SigV2 request of unknown key {:?} verified",
                signed.access_key
            );
        }
    }
    if let Ok(Some(signed)) = parse_request_auth(&req) {
        assert!(!signed.access_key.is_empty(), "empty access key accepted");
        assert!(
            signed.scope.date.len() == 8 && signed.scope.date.bytes().all(|b| b.is_ascii_digit()),
            "bad scope date accepted: {:?}",
            signed.scope.date
        );
        assert!(
            signed
                .expires_secs
                .is_none_or(|s| (1..=604_800).contains(&s)),
            "X-Amz-Expires out of range accepted: {:?}",
            signed.expires_secs
        );
        let _ = payload_hash_for(&req, &signed);
    }
    let body_hash = sha256_hex(body);
    let Ok(Some(auth)) = authenticate(&req, &Secrets, Some(&body_hash), NOW) else {
        return;
    };
    assert!(
        Secrets.secret_for(&auth.signed.access_key).is_some(),
        "a request of unknown key {:?} verified",
        auth.signed.access_key
    );
    if let Some(mode) = ChunkMode::from_content_sha256(&auth.payload_hash) {
        let signer = (mode != ChunkMode::UnsignedWithTrailer).then(|| auth.verified.chunk_signer());
        let Ok(mut decoder) = ChunkedDecoder::new(mode, signer, 16 << 20) else {
            return;
        };
        let mut data = 0usize;
        for e in decoder.push(body).into_iter().flatten() {
            if let ChunkEvent::Data(d) = e {
                data += d.len();
            }
        }
        let _ = decoder.finish();
        assert!(data <= body.len(), "decoded more bytes than the body holds");
    }
}
