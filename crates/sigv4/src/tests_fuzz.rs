//! Pseudo-random robustness tests: garbage and mutated inputs must never panic, and a signed
//! `aws-chunked` body that still decodes after mutation must yield the original data.

use crate::tests_vectors::{signer, NOW, SECRET};
use crate::*;

/// xorshift64*: deterministic, dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % (n.max(1) as u64)) as usize
    }
    fn bytes(&mut self, max_len: usize) -> Vec<u8> {
        let len = self.below(max_len + 1);
        (0..len).map(|_| self.next() as u8).collect()
    }
    /// A string made of fragments that matter to the parsers, plus random characters.
    fn tokens(&mut self, n: usize) -> String {
        const PIECES: [&str; 24] = [
            "AWS4-HMAC-SHA256",
            " ",
            ",",
            "=",
            "/",
            ";",
            "&",
            "%",
            "%2F",
            "%zz",
            "+",
            "Credential",
            "SignedHeaders",
            "Signature",
            "aws4_request",
            "20130524",
            "20130524T000000Z",
            "X-Amz-Date",
            "X-Amz-Expires",
            "X-Amz-Algorithm",
            "X-Amz-Credential",
            "X-Amz-SignedHeaders",
            "é",
            "\u{0}",
        ];
        let mut s = String::new();
        for _ in 0..self.below(n) {
            if self.below(4) == 0 {
                s.push(char::from_u32(self.next() as u32 % 0x11_0000).unwrap_or('?'));
            } else {
                s.push_str(PIECES[self.below(PIECES.len())]);
            }
        }
        s
    }
}

fn new_decoder(mode: ChunkMode) -> ChunkedDecoder {
    let signer = (mode != ChunkMode::UnsignedWithTrailer).then(signer);
    ChunkedDecoder::new(mode, signer, 4096).unwrap_or_else(|e| panic!("{e:?}"))
}

const MODES: [ChunkMode; 3] = [
    ChunkMode::Signed,
    ChunkMode::SignedWithTrailer,
    ChunkMode::UnsignedWithTrailer,
];

/// Feeds `body` in random pieces; returns the decoded data if the whole body was accepted.
fn feed(rng: &mut Rng, mode: ChunkMode, body: &[u8]) -> Option<Vec<u8>> {
    let mut d = new_decoder(mode);
    let mut data = Vec::new();
    let mut rest = body;
    let mut ended = false;
    while !rest.is_empty() {
        let (piece, tail) = rest.split_at(1 + rng.below(rest.len().min(300)).min(rest.len() - 1));
        rest = tail;
        for e in d.push(piece).ok()? {
            match e {
                ChunkEvent::Data(b) => data.extend_from_slice(&b),
                ChunkEvent::End => ended = true,
                ChunkEvent::Trailers(_) => {}
            }
        }
    }
    for e in d.finish().ok()? {
        ended |= e == ChunkEvent::End;
    }
    assert!(ended, "finish succeeded without End");
    Some(data)
}

#[test]
fn decoder_survives_garbage() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..3000 {
        let mut body = rng.bytes(200);
        if rng.below(2) == 0 {
            // Make it look more like a chunked body.
            let prefix = [
                "5\r\n",
                "0\r\n",
                "a;chunk-signature=",
                "0;chunk-signature=x\r\n",
            ];
            body.splice(0..0, prefix[rng.below(prefix.len())].bytes());
        }
        for mode in MODES {
            let _ = feed(&mut rng, mode, &body);
        }
    }
}

#[test]
fn mutated_signed_bodies_never_yield_other_data() {
    let mut rng = Rng(42);
    let data: Vec<u8> = (0..3000u32).map(|i| b'0' + (i % 10) as u8).collect();
    let trailers = [("x-amz-checksum-crc32", "AAAAAA==")];
    let bodies = [
        (
            ChunkMode::Signed,
            encode_signed_chunks(&signer(), &data, 1000, None),
        ),
        (
            ChunkMode::SignedWithTrailer,
            encode_signed_chunks(&signer(), &data, 1000, Some(&trailers)),
        ),
    ];
    for (mode, body) in &bodies {
        assert_eq!(feed(&mut rng, *mode, body).as_deref(), Some(&data[..]));
        for _ in 0..1500 {
            let mut m = body.clone();
            let at = rng.below(m.len());
            match rng.below(3) {
                0 => m[at] ^= 1 << rng.below(8),
                1 => m.truncate(at),
                _ => m.insert(at, rng.next() as u8),
            }
            if let Some(got) = feed(&mut rng, *mode, &m) {
                assert_eq!(got, data, "a mutated body decoded to other data");
            }
        }
    }
}

#[test]
fn parsers_survive_garbage() {
    let mut rng = Rng(7);
    for _ in 0..5000 {
        let auth = rng.tokens(30);
        let date = rng.tokens(4);
        let path = rng.tokens(12);
        let query = rng.tokens(20);
        let headers = [
            ("Authorization", auth.as_str()),
            ("host", "h"),
            ("x-amz-date", date.as_str()),
            ("X-Amz-Content-Sha256", date.as_str()),
        ];
        let with_auth = rng.below(2) == 0;
        let req = RequestParts {
            method: "GET",
            raw_path: &path,
            raw_query: &query,
            headers: if with_auth { &headers } else { &headers[1..] },
        };
        let _ = canonical_uri(&path);
        let _ = canonical_query(&query, true);
        let _ = parse_amz_date(&date);
        if let Ok(Some(signed)) = parse_request_auth(&req) {
            let payload = payload_hash_for(&req, &signed).unwrap_or_default();
            assert!(verify(&req, &signed, SECRET, &payload, NOW).is_err());
        }
    }
}
