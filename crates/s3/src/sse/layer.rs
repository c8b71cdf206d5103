//! The inner layer of DSSE-KMS: plaintext cut into [`CHUNK`]-byte chunks, each sealed on its
//! own (AES-256-GCM, via the store's `seal_inline`) under the object's second data key, bound to
//! the object, the chunk index and whether it is the last. The outer layer is the ordinary
//! encrypted blob (or inline value) holding these sealed chunks back to back, so a range read
//! opens only the inner chunks it needs. Format constants NEVER CHANGE.

use crate::error::{S3Error, S3Result};
use bytes::Bytes;
use futures_util::StreamExt;
use trailstack_store::{open_inline, seal_inline, BlobStream, DataKey};

/// Plaintext bytes per inner chunk.
pub const CHUNK: usize = 64 * 1024;
/// Bytes a sealed inner chunk adds (sealed-inline header 13, tag 16).
pub const OVERHEAD: usize = 13 + 16;
/// Stored size of a full inner chunk.
pub const SEALED: usize = CHUNK + OVERHEAD;

/// How many inner chunks `plain` bytes make (an empty value has one).
pub fn chunks(plain: u64) -> u64 {
    plain.div_ceil(CHUNK as u64).max(1)
}

/// The stored (inner-sealed) size of `plain` bytes.
pub fn sealed_len(plain: u64) -> u64 {
    plain + chunks(plain) * OVERHEAD as u64
}

fn chunk_aad(aad: &[u8], index: u64, last: bool) -> Vec<u8> {
    let mut a = Vec::with_capacity(aad.len() + 24);
    a.extend_from_slice(b"trailstack/s3/dsse-inner/v1");
    a.extend_from_slice(&(aad.len() as u64).to_be_bytes());
    a.extend_from_slice(aad);
    a.extend_from_slice(&index.to_be_bytes());
    a.push(u8::from(last));
    a
}

/// Seals a plaintext stream into inner chunks as it arrives. The last full chunk is held back
/// until more data (or the end) shows whether it is final.
pub struct InnerSealer {
    key: DataKey,
    aad: Vec<u8>,
    pending: Vec<u8>,
    index: u64,
}

impl InnerSealer {
    /// A sealer for one blob or inline value.
    pub fn new(key: DataKey, aad: Vec<u8>) -> InnerSealer {
        InnerSealer {
            key,
            aad,
            pending: Vec::new(),
            index: 0,
        }
    }

    /// Takes plaintext; returns the chunks it completes, sealed.
    pub fn push(&mut self, data: &[u8]) -> S3Result<Vec<u8>> {
        self.pending.extend_from_slice(data);
        let mut out = Vec::new();
        while self.pending.len() > CHUNK {
            let rest = self.pending.split_off(CHUNK);
            let chunk = std::mem::replace(&mut self.pending, rest);
            out.extend(seal_inline(
                &self.key,
                &chunk_aad(&self.aad, self.index, false),
                &chunk,
            )?);
            self.index += 1;
        }
        Ok(out)
    }

    /// Seals the final chunk.
    pub fn finish(self) -> S3Result<Vec<u8>> {
        Ok(seal_inline(
            &self.key,
            &chunk_aad(&self.aad, self.index, true),
            &self.pending,
        )?)
    }
}

/// The stored size of inner chunk `index` of a `plain`-byte value.
fn piece_len(plain: u64, index: u64) -> usize {
    if index + 1 < chunks(plain) {
        SEALED
    } else {
        (plain - index * CHUNK as u64) as usize + OVERHEAD
    }
}

fn open_piece(
    key: &DataKey,
    aad: &[u8],
    plain: u64,
    index: u64,
    piece: &[u8],
) -> S3Result<Vec<u8>> {
    let last = index + 1 == chunks(plain);
    Ok(open_inline(key, &chunk_aad(aad, index, last), piece)?)
}

/// Opens a whole inner-sealed value of `plain` bytes.
pub fn open_all(key: &DataKey, aad: &[u8], plain: u64, sealed: &[u8]) -> S3Result<Vec<u8>> {
    if sealed.len() as u64 != sealed_len(plain) {
        return Err(S3Error::Internal("inner layer has a bad length".into()));
    }
    let mut out = Vec::with_capacity(plain as usize);
    let mut at = 0;
    for i in 0..chunks(plain) {
        let n = piece_len(plain, i);
        out.extend(open_piece(key, aad, plain, i, &sealed[at..at + n])?);
        at += n;
    }
    Ok(out)
}

/// The outer byte range `(start, len)` holding the inner chunks that cover plaintext bytes
/// `from..from + n` of a `plain`-byte value, and the index of its first chunk.
pub fn outer_range(plain: u64, from: u64, n: u64) -> (u64, u64, u64) {
    let first = from / CHUNK as u64;
    let last = (from + n.max(1) - 1) / CHUNK as u64;
    let start = first * SEALED as u64;
    let end: u64 = start
        + (first..=last)
            .map(|i| piece_len(plain, i) as u64)
            .sum::<u64>();
    (start, end - start, first)
}

/// Opens the inner chunks streamed by `outer` (starting at chunk `first`) and yields plaintext
/// bytes `from..from + n` of the value.
pub fn open_stream(
    outer: BlobStream,
    key: DataKey,
    aad: Vec<u8>,
    plain: u64,
    first: u64,
    from: u64,
    n: u64,
) -> BlobStream {
    struct St {
        outer: BlobStream,
        buf: Vec<u8>,
        index: u64,
        skip: usize,
        left: u64,
    }
    let st = St {
        outer,
        buf: Vec::new(),
        index: first,
        skip: (from - first * CHUNK as u64) as usize,
        left: n,
    };
    Box::pin(futures_util::stream::unfold(st, move |mut st| {
        let (key, aad) = (key.clone(), aad.clone());
        async move {
            if st.left == 0 {
                return None;
            }
            let need = piece_len(plain, st.index);
            while st.buf.len() < need {
                match st.outer.next().await {
                    Some(Ok(b)) => st.buf.extend_from_slice(&b),
                    Some(Err(e)) => return Some((Err(e), St { left: 0, ..st })),
                    None => {
                        let e = std::io::Error::new(
                            std::io::ErrorKind::InvalidData,
                            "inner layer cut short",
                        );
                        return Some((Err(e), St { left: 0, ..st }));
                    }
                }
            }
            let rest = st.buf.split_off(need);
            let piece = std::mem::replace(&mut st.buf, rest);
            let text = match open_piece(&key, &aad, plain, st.index, &piece) {
                Ok(t) => t,
                Err(e) => {
                    let e = std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string());
                    return Some((Err(e), St { left: 0, ..st }));
                }
            };
            let from = st.skip.min(text.len());
            let take = ((text.len() - from) as u64).min(st.left) as usize;
            st.skip = 0;
            st.left -= take as u64;
            st.index += 1;
            Some((Ok(Bytes::copy_from_slice(&text[from..from + take])), st))
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seal(key: &DataKey, data: &[u8], step: usize) -> Vec<u8> {
        let mut s = InnerSealer::new(key.clone(), b"obj".to_vec());
        let mut out = Vec::new();
        for piece in data.chunks(step.max(1)) {
            out.extend(s.push(piece).unwrap());
        }
        out.extend(s.finish().unwrap());
        out
    }

    #[tokio::test]
    async fn seals_opens_and_ranges() {
        let key = DataKey::from_bytes(&[3; 32]).unwrap();
        for size in [0usize, 1, CHUNK, CHUNK + 1, 3 * CHUNK + 5] {
            let data: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
            let sealed = seal(&key, &data, 10_000);
            assert_eq!(sealed.len() as u64, sealed_len(size as u64), "size {size}");
            assert_eq!(open_all(&key, b"obj", size as u64, &sealed).unwrap(), data);
            assert!(open_all(&key, b"other", size as u64, &sealed).is_err());
            if size < 2 {
                continue;
            }
            for (from, n) in [(0u64, 1u64), (CHUNK as u64 - 1, 2), (1, size as u64 - 1)] {
                if from + n > size as u64 {
                    continue;
                }
                let (start, len, first) = outer_range(size as u64, from, n);
                let slice = sealed[start as usize..(start + len) as usize].to_vec();
                let outer: BlobStream = Box::pin(futures_util::stream::iter(
                    slice
                        .chunks(7000)
                        .map(|c| Ok(Bytes::copy_from_slice(c)))
                        .collect::<Vec<_>>(),
                ));
                let got: Vec<u8> = open_stream(
                    outer,
                    key.clone(),
                    b"obj".to_vec(),
                    size as u64,
                    first,
                    from,
                    n,
                )
                .map(|b| b.unwrap().to_vec())
                .concat()
                .await;
                assert_eq!(
                    got,
                    &data[from as usize..(from + n) as usize],
                    "{size} {from} {n}"
                );
            }
        }
    }
}
