//! The chunked AES-256-GCM scheme shared by encrypted blob files and by small values kept inline
//! in the metadata database: plaintext is cut into fixed [`CHUNK_LEN`] chunks, each sealed on its
//! own (ciphertext then 16-byte tag) so a range read opens only the chunks it covers.
//!
//! Chunk `i` of a value with the random 12-byte nonce base `N` is sealed under the nonce `N` with
//! its last 8 bytes XORed with `i` (big-endian), and with this AAD (canonical, length-prefixed):
//!
//! ```text
//! u64 BE chunk index | u8 final (1 for the value's last chunk, else 0) | u8 scheme (1)
//! | u8 container (0 = blob file, 1 = inline value)
//! | u64 BE len(blob id) | blob id (ASCII; empty for inline values)
//! | u64 BE len(context) | context (the caller's aad_context, e.g. the object identity)
//! ```
//!
//! The index stops reordering, the final flag stops truncation at a chunk boundary (an empty
//! value still has one empty final chunk), the blob id stops one blob file being swapped for
//! another sealed under the same key and context, and the context binds the value to its owner.
//!
//! Inline format (NEVER CHANGE version 1): version byte (1), 12-byte nonce base, then the sealed
//! chunks back to back (every chunk but the last holds exactly [`CHUNK_LEN`] plaintext bytes).

use crate::StoreError;
use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use std::io;
use std::sync::Arc;

/// Plaintext bytes per chunk. NEVER CHANGE: every encrypted blob and inline value ever written
/// is laid out with it (blob headers record it as a power of two, [`CHUNK_SHIFT`]).
pub const CHUNK_LEN: usize = 1 << CHUNK_SHIFT;
/// log2 of [`CHUNK_LEN`], as stored in an encrypted blob's header. NEVER CHANGE.
pub const CHUNK_SHIFT: u8 = 16;
/// Length of the AES-GCM tag after each chunk's ciphertext.
pub const TAG_LEN: usize = 16;
/// A full chunk as stored: ciphertext then tag.
pub(crate) const SEALED_CHUNK_LEN: usize = CHUNK_LEN + TAG_LEN;
/// The scheme's number; also the cipher byte of encrypted blob headers.
pub(crate) const SCHEME_AES256GCM_CHUNKED: u8 = 1;
/// Length of the random per-value nonce base.
pub(crate) const NONCE_BASE_LEN: usize = NONCE_LEN;

const INLINE_V1: u8 = 1;
const INLINE_HEADER_LEN: usize = 1 + NONCE_BASE_LEN;

/// Where a sealed value lives; part of every chunk's AAD so the two never substitute.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Container {
    /// A blob file under `blobs/`.
    File = 0,
    /// A value kept inline in the metadata database.
    Inline = 1,
}

/// A 256-bit AES-GCM data key (e.g. an SSE-S3 bucket key or a KMS data key). It keeps only
/// aws-lc's expanded key, which aws-lc wipes when the last clone is dropped; cloning is cheap.
#[derive(Clone)]
pub struct DataKey(Arc<LessSafeKey>);

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(..)")
    }
}

impl DataKey {
    /// A data key from its 32 bytes. The caller keeps (and should zeroize) its own copy.
    pub fn from_bytes(bytes: &[u8]) -> Result<DataKey, StoreError> {
        if bytes.len() != 32 {
            return Err(StoreError::Corrupt("a data key must be 32 bytes".into()));
        }
        let unbound = UnboundKey::new(&AES_256_GCM, bytes)
            .map_err(|_| StoreError::Corrupt("a data key must be 32 bytes".into()))?;
        Ok(DataKey(Arc::new(LessSafeKey::new(unbound))))
    }
}

/// An integrity failure: the error every tag mismatch, truncation or malformed sealed value
/// becomes, so callers can tell tampering from a failing disk.
pub(crate) fn invalid(what: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.into())
}

/// The number of chunks a value of `plain_len` bytes is cut into (an empty value has one).
pub(crate) fn chunk_count(plain_len: u64) -> u64 {
    plain_len.div_ceil(CHUNK_LEN as u64).max(1)
}

/// The stored size of the chunks of a `plain_len`-byte value, or `None` if it overflows.
pub(crate) fn sealed_len(plain_len: u64) -> Option<u64> {
    plain_len.checked_add(chunk_count(plain_len).checked_mul(TAG_LEN as u64)?)
}

/// Seals and opens the chunks of one value: key, nonce base and the fixed part of the AAD.
pub(crate) struct ChunkCipher {
    key: DataKey,
    nonce_base: [u8; NONCE_BASE_LEN],
    /// The AAD; its first 9 bytes (index, final flag) are rewritten for each chunk.
    aad: Vec<u8>,
}

impl ChunkCipher {
    /// A cipher for the value with `nonce_base`, stored in `container` (as blob `blob_id`, empty
    /// for inline values) and bound to `context`.
    pub(crate) fn new(
        key: &DataKey,
        container: Container,
        nonce_base: [u8; NONCE_BASE_LEN],
        blob_id: &[u8],
        context: &[u8],
    ) -> ChunkCipher {
        let mut aad = Vec::with_capacity(27 + blob_id.len() + context.len());
        aad.extend_from_slice(&[0u8; 9]);
        aad.push(SCHEME_AES256GCM_CHUNKED);
        aad.push(container as u8);
        aad.extend_from_slice(&(blob_id.len() as u64).to_be_bytes());
        aad.extend_from_slice(blob_id);
        aad.extend_from_slice(&(context.len() as u64).to_be_bytes());
        aad.extend_from_slice(context);
        ChunkCipher {
            key: key.clone(),
            nonce_base,
            aad,
        }
    }

    /// A fresh random nonce base.
    pub(crate) fn random_nonce_base() -> io::Result<[u8; NONCE_BASE_LEN]> {
        let mut base = [0u8; NONCE_BASE_LEN];
        aws_lc_rs::rand::fill(&mut base).map_err(|_| io::Error::other("no randomness"))?;
        Ok(base)
    }

    /// The nonce base (stored in the blob header or inline prefix).
    pub(crate) fn nonce_base(&self) -> &[u8; NONCE_BASE_LEN] {
        &self.nonce_base
    }

    /// Sets the AAD for chunk `index` and returns its nonce.
    fn prepare(&mut self, index: u64, last: bool) -> Nonce {
        let idx = index.to_be_bytes();
        let mut nonce = self.nonce_base;
        for (n, i) in nonce[NONCE_BASE_LEN - 8..].iter_mut().zip(idx) {
            *n ^= i;
        }
        if let Some(head) = self.aad.get_mut(..9) {
            head[..8].copy_from_slice(&idx);
            head[8] = u8::from(last);
        }
        Nonce::assume_unique_for_key(nonce)
    }

    /// Opens chunk `index` (ciphertext then tag) in place, returning its plaintext. On failure the
    /// bytes are garbage and must not be used.
    pub(crate) fn open<'a>(
        &mut self,
        index: u64,
        last: bool,
        chunk: &'a mut [u8],
    ) -> io::Result<&'a mut [u8]> {
        let nonce = self.prepare(index, last);
        self.key
            .0
            .open_in_place(nonce, Aad::from(&self.aad[..]), chunk)
            .map_err(|_| invalid(format!("chunk {index} does not verify")))
    }

    /// Seals the chunks of a buffer laid out in slots of [`SEALED_CHUNK_LEN`] bytes, each slot
    /// holding its plaintext first and room for its tag after; `plain_len` plaintext bytes fill
    /// the slots in order (all full but the last). The chunks get indices `first..`; when `ends`
    /// is set the last one is the value's final chunk (an empty final chunk if `plain_len` is 0).
    /// Returns how many bytes at the start of `buf` now hold the sealed chunks, back to back.
    pub(crate) fn seal_slots(
        &mut self,
        buf: &mut [u8],
        plain_len: usize,
        first: u64,
        ends: bool,
    ) -> io::Result<usize> {
        let count = match plain_len.div_ceil(CHUNK_LEN) {
            0 if ends => 1,
            n => n,
        };
        let mut sealed = 0;
        for j in 0..count {
            let pt = (plain_len - j * CHUNK_LEN).min(CHUNK_LEN);
            let at = j * SEALED_CHUNK_LEN;
            let slot = buf
                .get_mut(at..at + pt + TAG_LEN)
                .ok_or_else(|| io::Error::other("chunk buffer too small"))?;
            let (text, tag_room) = slot.split_at_mut(pt);
            let nonce = self.prepare(first + j as u64, ends && j + 1 == count);
            let tag = self
                .key
                .0
                .seal_in_place_separate_tag(nonce, Aad::from(&self.aad[..]), text)
                .map_err(|_| io::Error::other("sealing a chunk failed"))?;
            tag_room.copy_from_slice(tag.as_ref());
            sealed = at + pt + TAG_LEN;
        }
        Ok(sealed)
    }
}

/// Seals a small value to be kept inline in the metadata database, bound to `aad_context`, with
/// the chunk scheme of encrypted blobs (so any size works). The result is self-describing:
/// version byte, nonce base, sealed chunks.
pub fn seal_inline(
    key: &DataKey,
    aad_context: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, StoreError> {
    let body_len = usize::try_from(sealed_len(plaintext.len() as u64).unwrap_or(u64::MAX))
        .map_err(|_| StoreError::Corrupt("value too large to seal".into()))?;
    let mut cipher = ChunkCipher::new(
        key,
        Container::Inline,
        ChunkCipher::random_nonce_base()?,
        &[],
        aad_context,
    );
    let mut out = vec![0u8; INLINE_HEADER_LEN + body_len];
    out[0] = INLINE_V1;
    out[1..INLINE_HEADER_LEN].copy_from_slice(cipher.nonce_base());
    let body = &mut out[INLINE_HEADER_LEN..];
    for (j, piece) in plaintext.chunks(CHUNK_LEN).enumerate() {
        let at = j * SEALED_CHUNK_LEN;
        body[at..at + piece.len()].copy_from_slice(piece);
    }
    let n = cipher.seal_slots(body, plaintext.len(), 0, true)?;
    out.truncate(INLINE_HEADER_LEN + n);
    Ok(out)
}

/// Opens a value sealed by [`seal_inline`] with the same key and `aad_context`. Any tampering,
/// truncation, wrong key or wrong context fails with an I/O error of kind `InvalidData`.
pub fn open_inline(
    key: &DataKey,
    aad_context: &[u8],
    sealed: &[u8],
) -> Result<Vec<u8>, StoreError> {
    let (version, rest) = sealed
        .split_first()
        .ok_or_else(|| invalid("empty sealed value"))?;
    if *version != INLINE_V1 || rest.len() < NONCE_BASE_LEN + TAG_LEN {
        return Err(invalid("not a sealed inline value").into());
    }
    let (base, body) = rest.split_at(NONCE_BASE_LEN);
    let mut nonce_base = [0u8; NONCE_BASE_LEN];
    nonce_base.copy_from_slice(base);
    let count = body.len().div_ceil(SEALED_CHUNK_LEN);
    let last_len = body.len() - (count - 1) * SEALED_CHUNK_LEN;
    // Every chunk holds a tag; only a lone chunk may be empty (the empty value).
    if last_len < TAG_LEN || (count > 1 && last_len == TAG_LEN) {
        return Err(invalid("sealed inline value has a bad length").into());
    }
    let mut cipher = ChunkCipher::new(key, Container::Inline, nonce_base, &[], aad_context);
    let mut buf = body.to_vec();
    let mut plain_len = 0;
    for j in 0..count {
        let from = j * SEALED_CHUNK_LEN;
        let to = (from + SEALED_CHUNK_LEN).min(buf.len());
        let text_len = cipher
            .open(j as u64, j + 1 == count, &mut buf[from..to])?
            .len();
        // Close the gaps the tags leave; the first chunk is already in place.
        if j > 0 {
            buf.copy_within(from..from + text_len, j * CHUNK_LEN);
        }
        plain_len = j * CHUNK_LEN + text_len;
    }
    buf.truncate(plain_len);
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(b: u8) -> DataKey {
        DataKey::from_bytes(&[b; 32]).unwrap()
    }

    fn invalid_data(r: Result<Vec<u8>, StoreError>) -> bool {
        matches!(r, Err(StoreError::Io(e)) if e.kind() == io::ErrorKind::InvalidData)
    }

    fn data(n: usize) -> Vec<u8> {
        (0..n).map(|i| (i * 31 % 253) as u8).collect()
    }

    #[test]
    fn inline_round_trips() {
        let k = key(1);
        for n in [
            0,
            1,
            100,
            CHUNK_LEN - 1,
            CHUNK_LEN,
            CHUNK_LEN + 1,
            3 * CHUNK_LEN + 17,
        ] {
            let plain = data(n);
            let sealed = seal_inline(&k, b"ctx", &plain).unwrap();
            let chunks = n.div_ceil(CHUNK_LEN).max(1);
            assert_eq!(sealed.len(), 13 + n + TAG_LEN * chunks, "size {n}");
            assert_eq!(open_inline(&k, b"ctx", &sealed).unwrap(), plain, "size {n}");
            assert_ne!(
                seal_inline(&k, b"ctx", &plain).unwrap(),
                sealed,
                "fresh nonce"
            );
            assert!(invalid_data(open_inline(&key(2), b"ctx", &sealed)));
            assert!(invalid_data(open_inline(&k, b"ctx2", &sealed)));
            assert!(invalid_data(open_inline(&k, b"", &sealed)));
        }
        let marker = b"PLAINTEXT-MARKER".repeat(64);
        let sealed = seal_inline(&k, b"ctx", &marker).unwrap();
        assert!(!sealed.windows(6).any(|w| w == b"MARKER"));
    }

    #[test]
    fn inline_tampering_fails() {
        let k = key(3);
        let sealed = seal_inline(&k, b"ctx", &data(100)).unwrap();
        for at in 0..sealed.len() {
            let mut bad = sealed.clone();
            bad[at] ^= 0x01;
            assert!(invalid_data(open_inline(&k, b"ctx", &bad)), "byte {at}");
        }
        for cut in 0..sealed.len() {
            assert!(
                invalid_data(open_inline(&k, b"ctx", &sealed[..cut])),
                "cut {cut}"
            );
        }
        let mut longer = sealed.clone();
        longer.push(0);
        assert!(invalid_data(open_inline(&k, b"ctx", &longer)));

        // Several chunks: drop the last (at a chunk boundary), swap two, flip one in each.
        let plain = data(3 * CHUNK_LEN + 17);
        let sealed = seal_inline(&k, b"ctx", &plain).unwrap();
        let at = |j: usize| 13 + j * SEALED_CHUNK_LEN;
        for cut in [at(1), at(2), at(3), at(3) + TAG_LEN, sealed.len() - 1] {
            assert!(
                invalid_data(open_inline(&k, b"ctx", &sealed[..cut])),
                "cut {cut}"
            );
        }
        let mut swapped = sealed.clone();
        swapped[at(0)..at(1)].copy_from_slice(&sealed[at(1)..at(2)]);
        swapped[at(1)..at(2)].copy_from_slice(&sealed[at(0)..at(1)]);
        assert!(invalid_data(open_inline(&k, b"ctx", &swapped)));
        for j in 0..4 {
            let mut bad = sealed.clone();
            bad[at(j) + 7] ^= 0x80;
            assert!(invalid_data(open_inline(&k, b"ctx", &bad)), "chunk {j}");
        }
    }

    #[test]
    fn inline_and_blob_chunks_do_not_substitute() {
        let k = key(4);
        let base = [7u8; NONCE_BASE_LEN];
        let mut as_blob = ChunkCipher::new(&k, Container::File, base, b"", b"ctx");
        let mut buf = vec![0u8; SEALED_CHUNK_LEN];
        buf[..5].copy_from_slice(b"hello");
        let n = as_blob.seal_slots(&mut buf, 5, 0, true).unwrap();
        let mut forged = vec![INLINE_V1];
        forged.extend_from_slice(&base);
        forged.extend_from_slice(&buf[..n]);
        assert!(invalid_data(open_inline(&k, b"ctx", &forged)));
        // The same construction with the inline container opens, so only the container differs.
        let mut as_inline = ChunkCipher::new(&k, Container::Inline, base, b"", b"ctx");
        buf[..5].copy_from_slice(b"hello");
        as_inline.seal_slots(&mut buf, 5, 0, true).unwrap();
        forged.truncate(13);
        forged.extend_from_slice(&buf[..n]);
        assert_eq!(open_inline(&k, b"ctx", &forged).unwrap(), b"hello");
    }

    #[test]
    fn nonces_differ_per_chunk_and_keys_must_be_32_bytes() {
        let k = key(5);
        let mut c = ChunkCipher::new(&k, Container::File, [0u8; 12], b"id", b"");
        let n0 = *c.prepare(0, false).as_ref();
        let n1 = *c.prepare(1, false).as_ref();
        let big = *c.prepare(0x0102_0304_0506_0708, true).as_ref();
        assert_eq!(n0, [0u8; 12]);
        assert_eq!(n1[11], 1);
        assert_eq!(big[4..], [1, 2, 3, 4, 5, 6, 7, 8]);
        assert!(DataKey::from_bytes(&[0u8; 16]).is_err());
        assert!(DataKey::from_bytes(&[0u8; 33]).is_err());
    }
}
