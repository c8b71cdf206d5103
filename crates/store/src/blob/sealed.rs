//! Encrypted blobs (format 2, cipher 1), in a file or in database rows (`rows.rs`): the sink that
//! seals chunks as bytes arrive, and the reader that opens only the chunks a range covers. I/O
//! and AES run on tokio's blocking pool one batch of [`BATCH`] chunks per hop, so neither stalls the async workers; each side
//! keeps one batch in flight while the caller fills or drains the other, which bounds a stream's
//! memory to two batches (about 512 KiB) whatever the blob's size.

use super::chunked::{
    chunk_count, invalid, sealed_len, ChunkCipher, Container, DataKey, CHUNK_LEN, NONCE_BASE_LEN,
    SEALED_CHUNK_LEN, TAG_LEN,
};
use super::file_out::BlobFile;
use super::rows::Segments;
use super::{parse_prefix, parse_sealed_ext, sealed_header, Prefix, SEALED_HEADER_LEN};
use crate::StoreError;
use bytes::Bytes;
use futures_core::Stream;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::PathBuf;
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

/// Where sealed chunks go.
pub(super) enum Out {
    /// The temporary file.
    File(BlobFile),
    Rows(Segments),
}

impl Out {
    /// Appends sealed chunks `first..`, back to back in `bytes`.
    fn append(&mut self, first: u64, bytes: &[u8]) -> io::Result<()> {
        match self {
            Out::File(file) => file.append(bytes),
            Out::Rows(rows) => rows.put_blocking(first, bytes, SEALED_CHUNK_LEN),
        }
    }

    /// Writes the header and makes the blob durable.
    fn complete(&mut self, header: [u8; SEALED_HEADER_LEN as usize]) -> io::Result<()> {
        match self {
            Out::File(file) => file.complete(&header),
            Out::Rows(rows) => rows.put_header_blocking(header.to_vec()),
        }
    }
}

/// The output and cipher, handed to the blocking pool and back.
struct Sealer {
    out: Out,
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
            spawn_blocking(move || BlobFile::create(tmp_path, SEALED_HEADER_LEN as usize)).await,
        )?;
        Ok(SealingSink::to(Out::File(file), cipher))
    }

    /// A sink sealing into `out`, which is ready for the first chunk.
    pub(super) fn to(out: Out, cipher: ChunkCipher) -> SealingSink {
        SealingSink {
            fill: vec![0u8; BATCH_SEALED],
            filled: 0,
            next_chunk: 0,
            slot: Slot::Idle(Box::new(Sealer { out, cipher })),
        }
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
            sealer.out.append(first, &buf[..n])?;
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
                sealer.out.append(first, &buf[..n])?;
                let header = sealed_header(plain_len, sealer.cipher.nonce_base());
                sealer.out.complete(header)
            })
            .await,
        )
    }
}

/// Where a sealed blob's chunks are read from.
pub(super) enum Source {
    /// The blob file, positioned at the next chunk to read.
    File(File),
    Rows(Segments),
}

impl Source {
    /// Reads chunks `first..first + lens.len()`, of the sealed lengths `lens`, into `buf`.
    fn read(&mut self, first: u64, lens: &[usize], buf: &mut [u8]) -> io::Result<()> {
        match self {
            Source::File(file) => file.read_exact(buf).map_err(|e| match e.kind() {
                io::ErrorKind::UnexpectedEof => invalid("encrypted blob is truncated"),
                _ => e,
            }),
            Source::Rows(rows) => rows.read_into(first, lens, buf),
        }
    }
}

/// Where a decrypting read is, on the blocking pool between batches.
struct Reader {
    source: Source,
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
        let lens: Vec<usize> = (self.next..self.next + count)
            .map(|i| chunk_plain(i) + TAG_LEN)
            .collect();
        let mut buf = vec![0u8; lens.iter().sum()];
        self.source.read(self.next, &lens, &mut buf)?;
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

/// Where an encrypted blob is stored.
pub(super) enum Location {
    File(PathBuf),
    Rows(Segments),
}

/// What a sealed blob's 32-byte header says: its plaintext length and nonce base.
fn parse_header(head: &[u8]) -> Result<(u64, [u8; NONCE_BASE_LEN]), StoreError> {
    let truncated = || StoreError::from(invalid("blob header is truncated"));
    let prefix: &[u8; 16] = head
        .get(..16)
        .ok_or_else(truncated)?
        .try_into()
        .map_err(io::Error::other)?;
    let plain_len = match parse_prefix(prefix)? {
        Prefix::Sealed(len) => len,
        Prefix::Plain(_) => {
            return Err(StoreError::Corrupt(
                "blob is not encrypted (cipher 0); read it with read_range".into(),
            ))
        }
    };
    let ext: &[u8; 16] = head
        .get(16..32)
        .ok_or_else(truncated)?
        .try_into()
        .map_err(io::Error::other)?;
    Ok((plain_len, parse_sealed_ext(ext)?))
}

/// Opens an encrypted blob and checks its header and size; returns its source positioned at
/// chunk `first`, its plaintext length and its nonce base (`first` is given the length).
fn open(
    location: Location,
    first: impl FnOnce(u64) -> u64,
) -> Result<(Source, u64, u64, [u8; NONCE_BASE_LEN]), StoreError> {
    let damaged = || StoreError::from(invalid("encrypted blob is truncated or has extra bytes"));
    match location {
        Location::File(path) => {
            let mut file = File::open(path)?;
            let mut head = Vec::with_capacity(SEALED_HEADER_LEN as usize);
            (&mut file).take(SEALED_HEADER_LEN).read_to_end(&mut head)?;
            let (plain_len, nonce_base) = parse_header(&head)?;
            let expected = sealed_len(plain_len).and_then(|n| n.checked_add(SEALED_HEADER_LEN));
            if expected != Some(file.metadata()?.len()) {
                return Err(damaged());
            }
            let first = first(plain_len);
            file.seek(SeekFrom::Start(
                SEALED_HEADER_LEN + first * SEALED_CHUNK_LEN as u64,
            ))?;
            Ok((Source::File(file), first, plain_len, nonce_base))
        }
        Location::Rows(rows) => {
            let (plain_len, nonce_base) = parse_header(&rows.header()?)?;
            if rows.count()? != chunk_count(plain_len) {
                return Err(damaged());
            }
            Ok((Source::Rows(rows), first(plain_len), plain_len, nonce_base))
        }
    }
}

/// Streams plaintext bytes `start..start + len` of the encrypted blob at `location`, opening only
/// the chunks that cover them. The first batch is read and verified before this returns, so a
/// wrong key, a wrong context or a damaged first chunk fail here rather than mid-stream.
pub(super) async fn read_range(
    location: Location,
    key: &DataKey,
    blob_id: String,
    aad_context: &[u8],
    start: u64,
    len: u64,
) -> Result<ByteStream, StoreError> {
    let key = key.clone();
    let context = aad_context.to_vec();
    let opened = spawn_blocking(move || -> Result<(Reader, Vec<Bytes>), StoreError> {
        let chunk = CHUNK_LEN as u64;
        let first_of = |plain_len: u64| match len {
            0 => 0,
            _ => (start / chunk).min(chunk_count(plain_len)),
        };
        let (source, first, plain_len, nonce_base) = open(location, first_of)?;
        let stop = start
            .checked_add(len)
            .filter(|&s| s <= plain_len)
            .ok_or_else(|| StoreError::Corrupt(format!("blob {blob_id} shorter than expected")))?;
        // An empty read of an empty blob still verifies its one (empty, final) chunk.
        let end = match (len, plain_len) {
            (0, 0) => 1,
            (0, _) => 0,
            _ => (stop - 1) / chunk + 1,
        };
        let cipher = ChunkCipher::new(
            &key,
            Container::File,
            nonce_base,
            blob_id.as_bytes(),
            &context,
        );
        let mut reader = Reader {
            source,
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
