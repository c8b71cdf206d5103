//! Encrypted blob files (format 2, cipher 1): the sink that seals chunks as bytes arrive, and the
//! reader that opens only the chunks a range covers. File I/O and AES run on tokio's blocking
//! pool one batch of [`BATCH`] chunks per hop, so neither stalls the async workers; each side
//! keeps one batch in flight while the caller fills or drains the other, which bounds a stream's
//! memory to two batches (about 512 KiB) whatever the blob's size.

use super::chunked::{
    chunk_count, invalid, sealed_len, ChunkCipher, Container, DataKey, CHUNK_LEN, NONCE_BASE_LEN,
    SEALED_CHUNK_LEN, TAG_LEN,
};
use super::{parse_prefix, parse_sealed_ext, sealed_header, Prefix, SEALED_HEADER_LEN};
use crate::StoreError;
use bytes::Bytes;
use futures_core::Stream;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use tokio::task::{spawn_blocking, JoinHandle};

/// Chunks per file read or write: large I/O for throughput, small enough to bound memory.
pub(super) const BATCH: usize = 4;
const BATCH_PLAIN: usize = BATCH * CHUNK_LEN;
const BATCH_SEALED: usize = BATCH * SEALED_CHUNK_LEN;

/// A stream of blob bytes.
pub(super) type ByteStream = Pin<Box<dyn Stream<Item = io::Result<Bytes>> + Send>>;

fn joined<T>(r: Result<io::Result<T>, tokio::task::JoinError>) -> io::Result<T> {
    r.map_err(io::Error::other)?
}

/// The file and cipher, handed to the blocking pool and back.
struct Sealer {
    file: File,
    cipher: ChunkCipher,
}

enum Slot {
    Idle(Box<Sealer>),
    Busy(JoinHandle<io::Result<(Sealer, Vec<u8>)>>),
    Failed,
}

/// The encrypting half of a [`super::BlobWriter`].
pub(super) struct SealingSink {
    /// Plaintext waiting to be sealed, in chunk slots with room for each tag.
    fill: Vec<u8>,
    /// Plaintext bytes in `fill`.
    filled: usize,
    /// Index of the chunk in `fill`'s first slot.
    next_chunk: u64,
    slot: Slot,
}

impl SealingSink {
    /// Creates the temporary file with room for the header.
    pub(super) async fn create(tmp_path: PathBuf, cipher: ChunkCipher) -> io::Result<SealingSink> {
        let file = joined(
            spawn_blocking(move || {
                let mut file = File::create(&tmp_path)?;
                if let Err(e) = file.write_all(&[0u8; SEALED_HEADER_LEN as usize]) {
                    let _ = std::fs::remove_file(&tmp_path);
                    return Err(e);
                }
                Ok(file)
            })
            .await,
        )?;
        Ok(SealingSink {
            fill: vec![0u8; BATCH_SEALED],
            filled: 0,
            next_chunk: 0,
            slot: Slot::Idle(Box::new(Sealer { file, cipher })),
        })
    }

    /// Buffers plaintext, sealing and writing full batches once more bytes follow them (so the
    /// final chunk is known to be final when it is sealed).
    pub(super) async fn write(&mut self, mut data: &[u8]) -> io::Result<()> {
        while !data.is_empty() {
            if self.filled == BATCH_PLAIN {
                self.flush().await?;
            }
            let in_chunk = self.filled % CHUNK_LEN;
            let at = (self.filled / CHUNK_LEN) * SEALED_CHUNK_LEN + in_chunk;
            let n = (CHUNK_LEN - in_chunk).min(data.len());
            let (now, later) = data.split_at(n);
            self.fill
                .get_mut(at..at + n)
                .ok_or_else(|| io::Error::other("chunk buffer overrun"))?
                .copy_from_slice(now);
            self.filled += n;
            data = later;
        }
        Ok(())
    }

    /// Waits for the batch in flight, if any; returns the sealer and the buffer it used.
    async fn take_sealer(&mut self) -> io::Result<(Sealer, Option<Vec<u8>>)> {
        match std::mem::replace(&mut self.slot, Slot::Failed) {
            Slot::Idle(s) => Ok((*s, None)),
            Slot::Busy(job) => {
                let (s, buf) = joined(job.await)?;
                Ok((s, Some(buf)))
            }
            Slot::Failed => Err(io::Error::other("blob writer failed earlier")),
        }
    }

    /// Seals the full batch in `fill` (none of it final) and writes it in the background.
    async fn flush(&mut self) -> io::Result<()> {
        let (mut sealer, spare) = self.take_sealer().await?;
        let spare = spare.unwrap_or_else(|| vec![0u8; BATCH_SEALED]);
        let mut buf = std::mem::replace(&mut self.fill, spare);
        let (first, filled) = (self.next_chunk, self.filled);
        self.next_chunk += BATCH as u64;
        self.filled = 0;
        self.slot = Slot::Busy(spawn_blocking(move || {
            let n = sealer.cipher.seal_slots(&mut buf, filled, first, false)?;
            sealer.file.write_all(&buf[..n])?;
            Ok((sealer, buf))
        }));
        Ok(())
    }

    /// Seals the rest with its final chunk, writes the header for `plain_len` bytes and fsyncs.
    pub(super) async fn finish(mut self, plain_len: u64) -> io::Result<()> {
        let (mut sealer, _) = self.take_sealer().await?;
        let mut buf = std::mem::take(&mut self.fill);
        let (first, filled) = (self.next_chunk, self.filled);
        joined(
            spawn_blocking(move || {
                let n = sealer.cipher.seal_slots(&mut buf, filled, first, true)?;
                sealer.file.write_all(&buf[..n])?;
                let header = sealed_header(plain_len, sealer.cipher.nonce_base());
                sealer.file.seek(SeekFrom::Start(0))?;
                sealer.file.write_all(&header)?;
                sealer.file.sync_all()
            })
            .await,
        )
    }
}

/// Where a decrypting read is, on the blocking pool between batches.
struct Reader {
    file: File,
    cipher: ChunkCipher,
    plain_len: u64,
    /// Chunks in the blob.
    chunks: u64,
    /// Next chunk to read, and one past the last chunk the range needs.
    next: u64,
    end: u64,
    /// The plaintext range wanted.
    start: u64,
    stop: u64,
}

impl Reader {
    /// Reads and opens the next batch of chunks, returning the wanted part of each chunk's
    /// plaintext (slices of one buffer). Nothing is returned from a batch that fails to verify.
    fn read_batch(&mut self) -> io::Result<Vec<Bytes>> {
        let count = self.end.saturating_sub(self.next).min(BATCH as u64);
        let plain_len = self.plain_len;
        let chunk_plain = move |i: u64| {
            plain_len
                .saturating_sub(i.saturating_mul(CHUNK_LEN as u64))
                .min(CHUNK_LEN as u64) as usize
        };
        let total: usize = (self.next..self.next + count)
            .map(|i| chunk_plain(i) + TAG_LEN)
            .sum();
        let mut buf = vec![0u8; total];
        self.file.read_exact(&mut buf).map_err(|e| match e.kind() {
            io::ErrorKind::UnexpectedEof => invalid("encrypted blob is truncated"),
            _ => e,
        })?;
        let mut spans = Vec::with_capacity(BATCH);
        let mut at = 0usize;
        for i in self.next..self.next + count {
            let pt = chunk_plain(i);
            let sealed = buf
                .get_mut(at..at + pt + TAG_LEN)
                .ok_or_else(|| io::Error::other("chunk buffer overrun"))?;
            self.cipher.open(i, i + 1 == self.chunks, sealed)?;
            let base = i.saturating_mul(CHUNK_LEN as u64);
            let lo = self.start.saturating_sub(base).min(pt as u64) as usize;
            let hi = self.stop.saturating_sub(base).min(pt as u64) as usize;
            if hi > lo {
                spans.push((at + lo, at + hi));
            }
            at += pt + TAG_LEN;
        }
        self.next += count;
        let whole = Bytes::from(buf);
        Ok(spans.into_iter().map(|(a, b)| whole.slice(a..b)).collect())
    }

    fn done(&self) -> bool {
        self.next >= self.end
    }
}

/// Opens an encrypted blob file and checks its header and size; returns the file positioned
/// after the header, the plaintext length and the nonce base.
fn open_file(path: &Path) -> Result<(File, u64, [u8; NONCE_BASE_LEN]), StoreError> {
    let mut file = File::open(path)?;
    let truncated = |e: io::Error| match e.kind() {
        io::ErrorKind::UnexpectedEof => StoreError::Io(invalid("blob header is truncated")),
        _ => StoreError::Io(e),
    };
    let mut head = [0u8; 16];
    file.read_exact(&mut head).map_err(truncated)?;
    let plain_len = match parse_prefix(&head)? {
        Prefix::Sealed(len) => len,
        Prefix::Plain(_) => {
            return Err(StoreError::Corrupt(
                "blob is not encrypted (cipher 0); read it with read_range".into(),
            ))
        }
    };
    file.read_exact(&mut head).map_err(truncated)?;
    let nonce_base = parse_sealed_ext(&head)?;
    let expected = sealed_len(plain_len).and_then(|n| n.checked_add(SEALED_HEADER_LEN));
    if expected != Some(file.metadata()?.len()) {
        return Err(invalid("encrypted blob is truncated or has extra bytes").into());
    }
    Ok((file, plain_len, nonce_base))
}

/// Streams plaintext bytes `start..start + len` of the encrypted blob at `path`, opening only the
/// chunks that cover them. The first batch is read and verified before this returns, so a wrong
/// key, a wrong context or a damaged first chunk fail here rather than mid-stream.
pub(super) async fn read_range(
    path: PathBuf,
    key: &DataKey,
    blob_id: String,
    aad_context: &[u8],
    start: u64,
    len: u64,
) -> Result<ByteStream, StoreError> {
    let key = key.clone();
    let context = aad_context.to_vec();
    let opened = spawn_blocking(move || -> Result<(Reader, Vec<Bytes>), StoreError> {
        let (mut file, plain_len, nonce_base) = open_file(&path)?;
        let stop = start
            .checked_add(len)
            .filter(|&s| s <= plain_len)
            .ok_or_else(|| StoreError::Corrupt(format!("blob {blob_id} shorter than expected")))?;
        let chunk = CHUNK_LEN as u64;
        // An empty read of an empty blob still verifies its one (empty, final) chunk.
        let (first, end) = match (len, plain_len) {
            (0, 0) => (0, 1),
            (0, _) => (0, 0),
            _ => (start / chunk, (stop - 1) / chunk + 1),
        };
        file.seek(SeekFrom::Start(
            SEALED_HEADER_LEN + first * SEALED_CHUNK_LEN as u64,
        ))?;
        let cipher = ChunkCipher::new(
            &key,
            Container::File,
            nonce_base,
            blob_id.as_bytes(),
            &context,
        );
        let mut reader = Reader {
            file,
            cipher,
            plain_len,
            chunks: chunk_count(plain_len),
            next: first,
            end,
            start,
            stop,
        };
        let batch = reader.read_batch()?;
        Ok((reader, batch))
    })
    .await
    .map_err(|e| StoreError::Io(io::Error::other(e)))?;
    let (reader, mut batch) = opened?;
    Ok(Box::pin(async_stream::try_stream! {
        let mut reader = Some(reader);
        loop {
            // Read the next batch while the caller consumes this one.
            let job = match reader.take() {
                Some(mut r) if !r.done() => Some(spawn_blocking(move || {
                    let b = r.read_batch()?;
                    Ok((r, b))
                })),
                _ => None,
            };
            for piece in std::mem::take(&mut batch) {
                yield piece;
            }
            let Some(job) = job else { break };
            let (r, b) = joined(job.await)?;
            reader = Some(r);
            batch = b;
        }
    }))
}
