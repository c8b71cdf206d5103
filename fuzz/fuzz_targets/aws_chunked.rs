//! The `aws-chunked` body decoder (every streaming upload: signed chunks, signed trailers,
//! unsigned chunks with trailers), fed in pieces the way a socket delivers them.
//!
//! Input: a control byte, then the body. Control bits 0-1: the mode (signed, signed with
//! trailer, unsigned with trailer); bit 2: build the body instead of taking it raw; bit 3: a
//! small chunk limit (64 bytes) instead of the server's 16 MiB; bits 4-7 seed the piece sizes.
//!
//! Raw bodies: no panic, the decoder emits no more bytes than it was given, an error repeats,
//! and a body that finishes ends exactly once. Built bodies (`chunk size \0 trailer lines \0
//! data \0 mutations`): the body is encoded with the real signer (so signatures verify), then
//! each mutation (3 bytes: position, operation) flips, drops or inserts a byte. Unmutated, it
//! must decode to exactly its data and trailers; mutated, a signed body that still decodes
//! must yield the original data, since every byte is covered by a signature.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trailstack_fuzz::Fields;
use trailstack_sigv4::{
    derive_signing_key, encode_signed_chunks, encode_unsigned_chunks, ChunkEvent, ChunkMode,
    ChunkSigner, ChunkedDecoder, Scope,
};

fn signer() -> ChunkSigner {
    let scope = Scope {
        date: "20130524".into(),
        region: "us-east-1".into(),
        service: "s3".into(),
    };
    ChunkSigner {
        signing_key: derive_signing_key("test", &scope),
        amz_date_raw: "20130524T000000Z".into(),
        scope,
        seed_signature: "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9".into(),
    }
}

/// What a decoding produced.
#[derive(Default)]
struct Decoded {
    data: Vec<u8>,
    trailers: Option<Vec<(String, String)>>,
    ends: usize,
    finished: bool,
}

/// Feeds `body` in pieces whose sizes come from `seed`; checks the decoder's invariants.
fn decode(mode: ChunkMode, max_chunk: u64, body: &[u8], seed: u64) -> Decoded {
    let signer = (mode != ChunkMode::UnsignedWithTrailer).then(signer);
    let mut d = ChunkedDecoder::new(mode, signer, max_chunk).expect("a signer is given");
    let mut out = Decoded::default();
    let take = |events: Vec<ChunkEvent>, out: &mut Decoded| {
        for e in events {
            match e {
                ChunkEvent::Data(b) => out.data.extend_from_slice(&b),
                ChunkEvent::Trailers(t) => {
                    assert!(out.trailers.replace(t).is_none(), "trailers emitted twice");
                }
                ChunkEvent::End => out.ends += 1,
            }
        }
    };
    let mut rng = seed | 1;
    let mut rest = body;
    while !rest.is_empty() {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let n = 1 + (rng % 97) as usize;
        let (piece, tail) = rest.split_at(n.min(rest.len()));
        rest = tail;
        match d.push(piece) {
            Ok(events) => take(events, &mut out),
            Err(first) => {
                assert_eq!(
                    d.push(b"\r\n").err(),
                    Some(first.clone()),
                    "error did not repeat"
                );
                assert_eq!(
                    d.finish().err(),
                    Some(first),
                    "error did not repeat at finish"
                );
                return out;
            }
        }
    }
    if let Ok(events) = d.finish() {
        take(events, &mut out);
        out.finished = true;
        assert_eq!(out.ends, 1, "a finished body must end exactly once");
    }
    assert!(out.ends <= 1, "body ended twice");
    assert!(
        out.data.len() <= body.len(),
        "decoded more bytes than given"
    );
    out
}

/// Trailers that survive the wire unchanged: lower-case token names, trimmed printable values.
fn clean(trailers: &[(&str, &str)]) -> bool {
    trailers.len() <= 64
        && trailers.iter().all(|(n, v)| {
            !n.is_empty()
                && *n != "x-amz-trailer-signature"
                && n.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && v.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
                && v.trim() == *v
        })
}

fuzz_target!(|input: &[u8]| {
    let Some((&control, rest)) = input.split_first() else {
        return;
    };
    let mode = match control & 3 {
        0 => ChunkMode::Signed,
        1 => ChunkMode::SignedWithTrailer,
        _ => ChunkMode::UnsignedWithTrailer,
    };
    let max_chunk: u64 = if control & 8 != 0 { 64 } else { 16 << 20 };
    let seed = u64::from(control >> 4) << 32 | rest.len() as u64;
    if control & 4 == 0 {
        decode(mode, max_chunk, rest, seed);
        return;
    }
    let mut f = Fields::new(rest);
    let size_field = f.bytes();
    let chunk_size = 1 + size_field
        .iter()
        .take(3)
        .fold(0usize, |n, &b| n << 8 | usize::from(b))
        % 70_000;
    let trailer_text = f.text();
    let trailers: Vec<(&str, &str)> = trailer_text
        .lines()
        .filter_map(|l| l.split_once(':'))
        .collect();
    let data = f.bytes();
    let mutations = f.rest();
    let mut body = match mode {
        ChunkMode::Signed => encode_signed_chunks(&signer(), data, chunk_size, None),
        ChunkMode::SignedWithTrailer => {
            encode_signed_chunks(&signer(), data, chunk_size, Some(&trailers))
        }
        ChunkMode::UnsignedWithTrailer => encode_unsigned_chunks(data, chunk_size, &trailers),
    };
    for m in mutations.chunks_exact(3) {
        if body.is_empty() {
            break;
        }
        let at = usize::from(u16::from_le_bytes([m[0], m[1]])) % body.len();
        match m[2] % 3 {
            0 => body[at] ^= 1 << (m[2] >> 5),
            1 => {
                body.remove(at);
            }
            _ => body.insert(at, m[2]),
        }
    }
    let got = decode(mode, max_chunk, &body, seed);
    let mutated = mutations.len() >= 3;
    let expected_trailers: Vec<(String, String)> = trailers
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    if !mutated && clean(&trailers) && chunk_size as u64 <= max_chunk {
        assert!(got.finished, "a well-formed body did not decode");
        assert_eq!(got.data, data, "a well-formed body decoded to other data");
        if mode != ChunkMode::Signed {
            assert_eq!(
                got.trailers.as_deref(),
                Some(&expected_trailers[..]),
                "trailers changed on the way"
            );
        }
    }
    if mutated && got.finished && mode != ChunkMode::UnsignedWithTrailer {
        assert_eq!(
            got.data, data,
            "a tampered signed body decoded to other data"
        );
        if mode == ChunkMode::SignedWithTrailer && clean(&trailers) {
            assert_eq!(
                got.trailers.as_deref(),
                Some(&expected_trailers[..]),
                "tampered signed trailers accepted"
            );
        }
    }
});
