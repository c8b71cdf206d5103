//! Chunk and trailer signatures of `aws-chunked` bodies (the strings to sign and the
//! signing), plus a client-side encoder that produces signed or unsigned `aws-chunked`
//! bodies for tests and the benchmark tool.
//!
//! Chunk string to sign: `AWS4-HMAC-SHA256-PAYLOAD\n<amz date>\n<scope>\n<previous
//! signature>\n<hex sha256("")>\n<hex sha256(chunk data)>`. Trailer string to sign:
//! `AWS4-HMAC-SHA256-TRAILER\n<amz date>\n<scope>\n<previous signature>\n<hex
//! sha256(trailer lines as "name:value\n")>`.
//! <https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html>

use crate::{sha256_hex, sign, Scope, SigningKey, EMPTY_SHA256};

/// What is needed to check (or produce) the chunk signature chain of one request.
#[derive(Debug, Clone)]
pub struct ChunkSigner {
    /// The request's derived signing key.
    pub signing_key: SigningKey,
    /// The request time as in its string to sign (`20130524T000000Z`).
    pub amz_date_raw: String,
    /// The request's credential scope.
    pub scope: Scope,
    /// The request's own signature, which starts the chain.
    pub seed_signature: String,
}

impl ChunkSigner {
    /// The string to sign of a chunk whose data hashes to `data_sha256_hex`.
    pub fn chunk_string_to_sign(&self, previous_signature: &str, data_sha256_hex: &str) -> String {
        format!(
            "AWS4-HMAC-SHA256-PAYLOAD\n{}\n{}\n{previous_signature}\n{EMPTY_SHA256}\n{data_sha256_hex}",
            self.amz_date_raw,
            self.scope.credential_scope()
        )
    }

    /// The string to sign of the trailer, `canonical_trailers` being [`canonical_trailers`].
    pub fn trailer_string_to_sign(
        &self,
        previous_signature: &str,
        canonical_trailers: &str,
    ) -> String {
        format!(
            "AWS4-HMAC-SHA256-TRAILER\n{}\n{}\n{previous_signature}\n{}",
            self.amz_date_raw,
            self.scope.credential_scope(),
            sha256_hex(canonical_trailers.as_bytes())
        )
    }

    /// Signs a string to sign with this request's key.
    pub fn sign(&self, string_to_sign: &str) -> String {
        sign(&self.signing_key, string_to_sign)
    }
}

/// The trailer lines as signed: `name:value\n` for each, in order, names lowercased and
/// values trimmed (SDKs send them that way already).
pub fn canonical_trailers<N: AsRef<str>, V: AsRef<str>>(trailers: &[(N, V)]) -> String {
    let mut out = String::new();
    for (name, value) in trailers {
        out.push_str(&name.as_ref().trim().to_ascii_lowercase());
        out.push(':');
        out.push_str(value.as_ref().trim());
        out.push('\n');
    }
    out
}

/// The trailer lines as sent: `name:value\r\n` for each, as given.
fn wire_trailers(trailers: &[(&str, &str)]) -> String {
    trailers
        .iter()
        .map(|(n, v)| format!("{n}:{v}\r\n"))
        .collect()
}

/// Encodes `data` as a signed `aws-chunked` body in chunks of `chunk_size` bytes (at least
/// 1), chaining signatures from `signer.seed_signature`. With `trailers` it produces the
/// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER` format (trailer lines, then
/// `x-amz-trailer-signature`, then an empty line); without, the plain signed format.
pub fn encode_signed_chunks(
    signer: &ChunkSigner,
    data: &[u8],
    chunk_size: usize,
    trailers: Option<&[(&str, &str)]>,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 256);
    let mut previous = signer.seed_signature.clone();
    let pieces = data
        .chunks(chunk_size.max(1))
        .chain(std::iter::once(&[][..]));
    for piece in pieces {
        let sts = signer.chunk_string_to_sign(&previous, &sha256_hex(piece));
        previous = signer.sign(&sts);
        out.extend_from_slice(
            format!("{:x};chunk-signature={previous}\r\n", piece.len()).as_bytes(),
        );
        out.extend_from_slice(piece);
        if !piece.is_empty() {
            out.extend_from_slice(b"\r\n");
        }
    }
    match trailers {
        None => out.extend_from_slice(b"\r\n"),
        Some(trailers) => {
            let canonical = canonical_trailers(trailers);
            let sig = signer.sign(&signer.trailer_string_to_sign(&previous, &canonical));
            out.extend_from_slice(wire_trailers(trailers).as_bytes());
            out.extend_from_slice(format!("x-amz-trailer-signature:{sig}\r\n\r\n").as_bytes());
        }
    }
    out
}

/// Encodes `data` as an unsigned `aws-chunked` body with trailers
/// (`STREAMING-UNSIGNED-PAYLOAD-TRAILER`): `<hex size>\r\n<data>\r\n` ... `0\r\n`, the
/// trailer lines, an empty line.
pub fn encode_unsigned_chunks(
    data: &[u8],
    chunk_size: usize,
    trailers: &[(&str, &str)],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 128);
    for piece in data.chunks(chunk_size.max(1)) {
        out.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
        out.extend_from_slice(piece);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n");
    out.extend_from_slice(wire_trailers(trailers).as_bytes());
    out.extend_from_slice(b"\r\n");
    out
}
