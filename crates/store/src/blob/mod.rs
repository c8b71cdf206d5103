//! Blobs: the bytes of objects (and parts), one per random id. On a server of its own, each is a
//! file on disk; on servers sharing a PostgreSQL database, the same bytes are kept in its rows
//! (`rows.rs`). A blob file is named by its random id
//! and never by the object key, so no key (`../`, unicode, 1024 bytes) can reach outside the data
//! dir. A blob is written to `tmp/`, fsynced, listed as loose in the metadata database, renamed
//! into `blobs/xx/`, and the directory fsynced before the caller commits the metadata that
//! references it: nothing half-written is ever visible, an acknowledged blob survives a crash,
//! and one that a crash left unreferenced is deleted at the next open (`journal.rs`).
//!
//! File formats (NEVER CHANGE a released version; add a new version byte instead). Both start
//! with magic `TSB\0`, a format version byte and a cipher byte.
//!
//! - Format 1, cipher 0 (plaintext): a 16-byte header — magic, version 1, cipher 0, 2 reserved
//!   bytes, payload length (u64 little-endian) — then the payload.
//! - Format 2, cipher 1 (chunked AES-256-GCM, see `chunked.rs`): a 32-byte header — magic,
//!   version 2, cipher 1, log2 of the chunk size (16), a zero byte, plaintext length (u64
//!   little-endian), the blob's random 12-byte nonce base, 4 zero bytes — then the sealed chunks
//!   back to back: chunk `i` is the ciphertext of plaintext bytes `i * 64 KiB ..` (64 KiB, fewer
//!   in the last chunk) followed by its 16-byte tag. An empty blob has one empty chunk (just a
//!   tag). The chunks' AAD binds their index, which is final, the blob id and the caller's
//!   context, so a file that was truncated, reordered, spliced or swapped does not open.

mod chunked;
mod file_out;
pub mod journal;
pub mod rows;
mod sealed;
#[cfg(test)]
mod tests_rows;
#[cfg(test)]
mod tests_sealed;

pub use chunked::{open_inline, seal_inline, DataKey, CHUNK_LEN, CHUNK_SHIFT, TAG_LEN};

use crate::{Db, StoreError};
use bytes::Bytes;
use chunked::{ChunkCipher, Container, NONCE_BASE_LEN, SCHEME_AES256GCM_CHUNKED};
use futures_core::Stream;
use rows::Segments;
use sealed::{Location, Out, SealingSink};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

const MAGIC: [u8; 4] = *b"TSB\0";
const FORMAT_V1: u8 = 1;
const FORMAT_V2: u8 = 2;
const CIPHER_NONE: u8 = 0;
/// Size of the header of a plaintext (format 1) blob file.
pub const HEADER_LEN: u64 = 16;
/// Size of the header of an encrypted (format 2) blob file.
pub const SEALED_HEADER_LEN: u64 = 32;
const READ_BUF: usize = 256 * 1024;

/// A stream of a blob's bytes; an integrity failure is an error of kind `InvalidData`.
pub type BlobStream = Pin<Box<dyn Stream<Item = std::io::Result<Bytes>> + Send>>;

/// What the first 16 bytes of a blob file say it is.
enum Prefix {
    /// Format 1, cipher 0: payload length.
    Plain(u64),
    /// Format 2, cipher 1: plaintext length; 16 more header bytes follow.
    Sealed(u64),
}

fn parse_prefix(h: &[u8; 16]) -> Result<Prefix, StoreError> {
    if h[..4] != MAGIC {
        return Err(StoreError::Corrupt("unknown blob format".into()));
    }
    let mut n = [0u8; 8];
    n.copy_from_slice(&h[8..16]);
    let len = u64::from_le_bytes(n);
    match (h[4], h[5]) {
        (FORMAT_V1, CIPHER_NONE) => Ok(Prefix::Plain(len)),
        (FORMAT_V2, SCHEME_AES256GCM_CHUNKED) if h[6] == CHUNK_SHIFT && h[7] == 0 => {
            Ok(Prefix::Sealed(len))
        }
        (FORMAT_V1 | FORMAT_V2, c) => Err(StoreError::Corrupt(format!("unknown blob cipher {c}"))),
        _ => Err(StoreError::Corrupt("unknown blob format".into())),
    }
}

/// Checks header bytes 16..32 of an encrypted blob and returns its nonce base.
fn parse_sealed_ext(h: &[u8; 16]) -> Result<[u8; NONCE_BASE_LEN], StoreError> {
    if h[NONCE_BASE_LEN..] != [0u8; 16 - NONCE_BASE_LEN] {
        return Err(StoreError::Corrupt("unknown blob format".into()));
    }
    let mut base = [0u8; NONCE_BASE_LEN];
    base.copy_from_slice(&h[..NONCE_BASE_LEN]);
    Ok(base)
}

/// The header of an encrypted blob of `plain_len` plaintext bytes.
fn sealed_header(plain_len: u64, nonce_base: &[u8; NONCE_BASE_LEN]) -> [u8; 32] {
    let mut h = [0u8; SEALED_HEADER_LEN as usize];
    h[..4].copy_from_slice(&MAGIC);
    h[4] = FORMAT_V2;
    h[5] = SCHEME_AES256GCM_CHUNKED;
    h[6] = CHUNK_SHIFT;
    h[8..16].copy_from_slice(&plain_len.to_le_bytes());
    h[16..16 + NONCE_BASE_LEN].copy_from_slice(nonce_base);
    h
}

/// The id of a stored blob (32 lower-case hex digits).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BlobId(String);

impl BlobId {
    /// Accepts only ids this store could have made, so a stored id can never name another path.
    pub fn parse(s: &str) -> Result<BlobId, StoreError> {
        if s.len() == 32
            && s.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        {
            Ok(BlobId(s.to_string()))
        } else {
            Err(StoreError::Corrupt(format!("bad blob id {s:?}")))
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn fresh() -> BlobId {
        BlobId(uuid::Uuid::new_v4().simple().to_string())
    }
}

/// Where the blobs are kept, with the metadata database whose loose-blob journal
/// (`journal.rs`) tracks them.
#[derive(Debug, Clone)]
pub struct BlobStore {
    medium: Medium,
    db: Arc<Db>,
}

#[derive(Debug, Clone)]
enum Medium {
    /// Files under a data dir's `blobs/`, written in its `tmp/`.
    Files { blobs: PathBuf, tmp: PathBuf },
    /// Rows of the metadata database (`rows.rs`).
    Rows,
}

impl BlobStore {
    /// Opens the blob store under `data_dir`, creating its folders, discarding unfinished
    /// temporary files and deleting the blobs a crash left unreferenced. `db` must hold the
    /// tables of [`journal::MIGRATIONS`]. Nothing else may be writing to the data dir: a blob
    /// being written is unreferenced until its commit.
    pub fn open(data_dir: &Path, db: Arc<Db>) -> Result<BlobStore, StoreError> {
        let blobs = data_dir.join("blobs");
        let tmp = data_dir.join("tmp");
        std::fs::create_dir_all(&blobs)?;
        std::fs::create_dir_all(&tmp)?;
        for entry in std::fs::read_dir(&tmp)? {
            let entry = entry?;
            if entry.file_type()?.is_file() {
                std::fs::remove_file(entry.path())?;
            }
        }
        journal::collect_garbage(&db, &blobs)?;
        Ok(BlobStore {
            medium: Medium::Files { blobs, tmp },
            db,
        })
    }

    /// A blob store keeping blobs in `db`'s rows, for servers that share the database and no
    /// disk. Starts deleting what crashed writers left (in the background: rows in use by a live
    /// writer are never touched, see `rows.rs`). `db` must hold the tables of
    /// [`journal::MIGRATIONS`].
    pub fn in_database(db: Arc<Db>) -> BlobStore {
        drop(rows::collect_garbage(&db, rows::now_secs()));
        BlobStore {
            medium: Medium::Rows,
            db,
        }
    }

    fn location(&self, id: &BlobId) -> Location {
        match &self.medium {
            Medium::Files { blobs, .. } => Location::File(blobs.join(&id.0[..2]).join(&id.0)),
            Medium::Rows => Location::Rows(Segments::new(self.db.clone(), id.0.clone())),
        }
    }

    /// Starts writing a new plaintext (format 1) blob. Kept for data written before encryption
    /// at rest; new objects should use [`BlobStore::create_encrypted`].
    pub async fn create(&self) -> Result<BlobWriter, StoreError> {
        let id = BlobId::fresh();
        match &self.medium {
            Medium::Files { tmp, .. } => {
                let tmp_path = tmp.join(&id.0);
                let mut file = tokio::fs::File::create(&tmp_path).await?;
                file.write_all(&[0u8; HEADER_LEN as usize]).await?;
                Ok(self.writer(id, Some(tmp_path), Sink::Plain(file)))
            }
            Medium::Rows => {
                let rows = Segments::new(self.db.clone(), id.0.clone());
                Ok(self.writer(id, None, Sink::PlainRows(rows::PlainSink::new(rows))))
            }
        }
    }

    /// Starts writing a new blob encrypted at rest with `key`: chunked AES-256-GCM, each chunk
    /// bound to the blob id and to `aad_context` (e.g. the object's identity), which the reader
    /// must present again. [`BlobWriter::write`] seals whole chunks as they fill, so memory stays
    /// bounded whatever the blob's size.
    pub async fn create_encrypted(
        &self,
        key: &DataKey,
        aad_context: &[u8],
    ) -> Result<BlobWriter, StoreError> {
        let id = BlobId::fresh();
        let cipher = ChunkCipher::new(
            key,
            Container::File,
            ChunkCipher::random_nonce_base()?,
            id.0.as_bytes(),
            aad_context,
        );
        let (tmp_path, sink) = match &self.medium {
            Medium::Files { tmp, .. } => {
                let tmp_path = tmp.join(&id.0);
                let sink = SealingSink::create(tmp_path.clone(), cipher).await?;
                (Some(tmp_path), sink)
            }
            Medium::Rows => {
                let rows = Segments::new(self.db.clone(), id.0.clone());
                (None, SealingSink::to(Out::Rows(rows), cipher))
            }
        };
        Ok(self.writer(id, tmp_path, Sink::Sealed(Box::new(sink))))
    }

    fn writer(&self, id: BlobId, tmp_path: Option<PathBuf>, sink: Sink) -> BlobWriter {
        BlobWriter {
            id,
            sink: Some(sink),
            tmp_path,
            len: 0,
            medium: self.medium.clone(),
            db: self.db.clone(),
            done: false,
        }
    }

    /// Deletes blobs that committed metadata no longer references (their release durable: see
    /// `journal.rs`); a missing file is not an error. Only blobs the journal lists as loose are
    /// deleted: the others are returned, still referenced by a commit that is visible (an
    /// fsync failed after it, or a caller erred), and left for the next open to judge. The
    /// journal rows go in the background, once the unlinks are durable.
    pub async fn delete(&self, ids: Vec<BlobId>) -> Result<Vec<BlobId>, StoreError> {
        if ids.is_empty() {
            return Ok(ids);
        }
        let blobs = match &self.medium {
            Medium::Files { blobs, .. } => blobs.clone(),
            Medium::Rows => {
                // The listing, the rows and the listing's removal in one transaction.
                let all: Vec<String> = ids.iter().map(|id| id.0.clone()).collect();
                let gone = self
                    .db
                    .write(move |c| {
                        let mut gone = Vec::new();
                        for id in all {
                            if rows::remove_if_listed(c, &id)? {
                                gone.push(id);
                            }
                        }
                        Ok::<_, StoreError>(gone)
                    })
                    .await?;
                return Ok(ids.into_iter().filter(|id| !gone.contains(&id.0)).collect());
            }
        };
        let (db, dir) = (self.db.clone(), blobs.clone());
        let all: Vec<String> = ids.iter().map(|id| id.0.clone()).collect();
        let loose = tokio::task::spawn_blocking(move || -> Result<_, StoreError> {
            let loose = db.read(|c| journal::listed(c, &all))?;
            journal::unlink(&dir, &loose)?;
            Ok(loose)
        })
        .await
        .map_err(|e| StoreError::Io(std::io::Error::other(e)))??;
        let kept = ids
            .into_iter()
            .filter(|id| !loose.contains(&id.0))
            .collect();
        if loose.is_empty() {
            return Ok(kept);
        }
        // Spawned: outside the caller's durable scope, so no request waits for this bookkeeping.
        // Rows whose unlink could not be made durable stay, for the next open to retry.
        let db = self.db.clone();
        tokio::spawn(async move {
            let synced = tokio::task::spawn_blocking(move || {
                journal::sync_dirs(&blobs, &loose).map(|()| loose)
            })
            .await;
            if let Ok(Ok(loose)) = synced {
                let _ = db.write(move |c| journal::forget(c, &loose)).await;
            }
        });
        Ok(kept)
    }

    /// Streams `len` payload bytes of plaintext blob `id` starting at payload offset `start`.
    /// Fails on an encrypted blob (use [`BlobStore::read_range_decrypted`]).
    pub async fn read_range(
        &self,
        id: &BlobId,
        start: u64,
        len: u64,
    ) -> Result<BlobStream, StoreError> {
        let path = match self.location(id) {
            Location::File(path) => path,
            Location::Rows(rows) => return rows::read_plain(rows, start, len).await,
        };
        let mut file = tokio::fs::File::open(path).await?;
        let mut header = [0u8; HEADER_LEN as usize];
        file.read_exact(&mut header).await?;
        let payload_len = match parse_prefix(&header)? {
            Prefix::Plain(len) => len,
            Prefix::Sealed(_) => {
                return Err(StoreError::Corrupt(format!(
                    "blob {} is encrypted; read it with read_range_decrypted",
                    id.0
                )))
            }
        };
        if start.checked_add(len).is_none_or(|end| end > payload_len) {
            return Err(StoreError::Corrupt(format!(
                "blob {} shorter than expected",
                id.0
            )));
        }
        file.seek(std::io::SeekFrom::Start(HEADER_LEN + start))
            .await?;
        Ok(Box::pin(async_stream::try_stream! {
            let mut left = len;
            while left > 0 {
                let want = left.min(READ_BUF as u64) as usize;
                let mut buf = vec![0u8; want];
                file.read_exact(&mut buf).await?;
                left -= want as u64;
                yield Bytes::from(buf);
            }
        }))
    }

    /// Streams plaintext bytes `start..start + len` of encrypted blob `id`, reading and opening
    /// only the chunks that cover them. `key` and `aad_context` must be those it was created
    /// with. A chunk that does not verify (tampering, truncation, swapped chunks or files, wrong
    /// key or context) is an error of kind `InvalidData` — as `StoreError::Io` here for the
    /// first chunks, which are checked before this returns, or as a stream item later — and no
    /// byte of an unverified chunk is ever yielded. Fails on a plaintext blob.
    pub async fn read_range_decrypted(
        &self,
        id: &BlobId,
        key: &DataKey,
        aad_context: &[u8],
        start: u64,
        len: u64,
    ) -> Result<BlobStream, StoreError> {
        sealed::read_range(
            self.location(id),
            key,
            id.0.clone(),
            aad_context,
            start,
            len,
        )
        .await
    }
}

enum Sink {
    Plain(tokio::fs::File),
    PlainRows(rows::PlainSink),
    Sealed(Box<SealingSink>),
}

/// A blob being written (plaintext or encrypted). Dropping it unfinished, or a failed
/// [`BlobWriter::finish`], removes the temporary file (or, in rows, the rows written so far).
pub struct BlobWriter {
    id: BlobId,
    sink: Option<Sink>,
    /// The temporary file, for a blob written to a file.
    tmp_path: Option<PathBuf>,
    len: u64,
    medium: Medium,
    db: Arc<Db>,
    /// Whether the blob is complete: its file renamed into place, or its header row written.
    done: bool,
}

impl BlobWriter {
    /// The id the blob will have.
    pub fn id(&self) -> &BlobId {
        &self.id
    }

    /// Payload (plaintext) bytes written so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether nothing was written yet.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends payload bytes (sealing whole chunks as they fill, for an encrypted blob).
    pub async fn write(&mut self, data: &[u8]) -> Result<(), StoreError> {
        match self.sink.as_mut() {
            Some(Sink::Plain(file)) => file.write_all(data).await?,
            Some(Sink::PlainRows(sink)) => sink.write(data).await?,
            Some(Sink::Sealed(sink)) => sink.write(data).await?,
            None => return Err(StoreError::Corrupt("blob already finished".into())),
        }
        self.len += data.len() as u64;
        Ok(())
    }

    /// Seals the last chunk (if encrypted), writes the header, fsyncs, lists the blob as loose,
    /// and moves it into place. After this returns the blob is durable; the caller then commits
    /// the metadata that references it, [`journal::claim`]ing it in the same transaction.
    /// Returns the id and the payload (plaintext) length.
    pub async fn finish(mut self) -> Result<(BlobId, u64), StoreError> {
        let blobs = match &self.medium {
            Medium::Files { blobs, .. } => blobs.clone(),
            Medium::Rows => {
                // Every segment written listed the blob already; the header completes it.
                match self.sink.take() {
                    Some(Sink::PlainRows(sink)) => {
                        sink.finish(self.plain_header().to_vec()).await?
                    }
                    Some(Sink::Sealed(sink)) => sink.finish(self.len).await?,
                    _ => return Err(StoreError::Corrupt("blob already finished".into())),
                }
                self.done = true;
                return Ok((self.id.clone(), self.len));
            }
        };
        // Queued now, so its commit and fsync run while the blob's own fsync does.
        let id = self.id.0.clone();
        let listed = self.db.submit(move |c| journal::release(c, [id.as_str()]));
        match self.sink.take() {
            Some(Sink::Plain(mut file)) => {
                file.seek(std::io::SeekFrom::Start(0)).await?;
                file.write_all(&self.plain_header()).await?;
                file.sync_all().await?;
            }
            Some(Sink::Sealed(sink)) => sink.finish(self.len).await?,
            _ => return Err(StoreError::Corrupt("blob already finished".into())),
        }
        // Inside a durable scope the listing returns at commit: it must be durable before the
        // file can be found in `blobs/`, or a crash could leave it there unlisted.
        listed.await?;
        self.db.settle().await?;
        let dir = blobs.join(&self.id.0[..2]);
        tokio::fs::create_dir_all(&dir).await?;
        if let Some(tmp_path) = &self.tmp_path {
            tokio::fs::rename(tmp_path, dir.join(&self.id.0)).await?;
        }
        self.done = true;
        tokio::task::spawn_blocking(move || std::fs::File::open(&dir)?.sync_all())
            .await
            .map_err(|e| StoreError::Io(std::io::Error::other(e)))??;
        Ok((self.id.clone(), self.len))
    }

    /// The header of a plaintext (format 1) blob of the length written.
    fn plain_header(&self) -> [u8; HEADER_LEN as usize] {
        let mut header = [0u8; HEADER_LEN as usize];
        header[..4].copy_from_slice(&MAGIC);
        header[4] = FORMAT_V1;
        header[5] = CIPHER_NONE;
        header[8..16].copy_from_slice(&self.len.to_le_bytes());
        header
    }
}

impl Drop for BlobWriter {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        if let Some(tmp_path) = &self.tmp_path {
            let _ = std::fs::remove_file(tmp_path);
        } else if let Ok(rt) = tokio::runtime::Handle::try_current() {
            // Rows already written are listed: if this does not run, garbage collection will.
            rt.spawn(Segments::new(self.db.clone(), self.id.0.clone()).discard());
        }
    }
}

/// A blob store over `dir` with its own metadata database, for tests.
#[cfg(test)]
pub(crate) fn test_store(dir: &Path) -> BlobStore {
    let db = Db::open(&dir.join("meta.sqlite"), journal::MIGRATIONS).unwrap();
    BlobStore::open(dir, Arc::new(db)).unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn collect(mut s: Pin<Box<dyn Stream<Item = std::io::Result<Bytes>> + Send>>) -> Vec<u8> {
        let mut out = Vec::new();
        while let Some(b) = std::future::poll_fn(|cx| s.as_mut().poll_next(cx)).await {
            out.extend_from_slice(&b.unwrap());
        }
        out
    }

    #[tokio::test]
    async fn write_finish_read_ranges() {
        let dir = tempfile::tempdir().unwrap();
        let store = test_store(dir.path());
        let mut w = store.create().await.unwrap();
        let data: Vec<u8> = (0..700_000u32).map(|i| (i % 251) as u8).collect();
        w.write(&data[..1000]).await.unwrap();
        w.write(&data[1000..]).await.unwrap();
        let (id, len) = w.finish().await.unwrap();
        assert_eq!(len, data.len() as u64);
        assert_eq!(
            collect(store.read_range(&id, 0, len).await.unwrap()).await,
            data
        );
        assert_eq!(
            collect(store.read_range(&id, 300_000, 10).await.unwrap()).await,
            data[300_000..300_010]
        );
        assert!(store.read_range(&id, 699_999, 2).await.is_err());
    }

    #[tokio::test]
    async fn unfinished_blob_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = test_store(dir.path());
        let mut w = store.create().await.unwrap();
        w.write(b"partial").await.unwrap();
        drop(w);
        assert_eq!(
            std::fs::read_dir(dir.path().join("tmp")).unwrap().count(),
            0
        );
    }

    #[test]
    fn blob_ids_cannot_name_paths() {
        assert!(BlobId::parse("../../etc/passwd").is_err());
        assert!(BlobId::parse(&"a".repeat(32)).is_ok());
    }
}
