//! Blob files: the bytes of objects (and parts) on disk, one file per blob, named by a random id
//! and never by the object key, so no key (`../`, unicode, 1024 bytes) can reach outside the data
//! dir. A blob is written to `tmp/`, fsynced, renamed into `blobs/xx/`, and the directory fsynced
//! before the caller commits the metadata that references it: nothing half-written is ever
//! visible, and an acknowledged blob survives a crash.
//!
//! File format (NEVER CHANGE a released version; add a new version byte instead):
//! a 16-byte header — magic `TSB\0`, format version (1), cipher (0 = none; chunked AES-256-GCM
//! gets its own number), 2 reserved bytes, payload length (u64 little-endian) — then the payload.

use crate::StoreError;
use bytes::Bytes;
use futures_core::Stream;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

const MAGIC: [u8; 4] = *b"TSB\0";
const FORMAT_V1: u8 = 1;
const CIPHER_NONE: u8 = 0;
/// Size of the blob file header.
pub const HEADER_LEN: u64 = 16;
const READ_BUF: usize = 256 * 1024;

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

/// The blob directory of one data dir.
#[derive(Debug, Clone)]
pub struct BlobStore {
    blobs: PathBuf,
    tmp: PathBuf,
}

impl BlobStore {
    /// Opens the blob store under `data_dir`, creating its folders and discarding unfinished
    /// temporary files left by a crash.
    pub fn open(data_dir: &Path) -> Result<BlobStore, StoreError> {
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
        Ok(BlobStore { blobs, tmp })
    }

    fn path_of(&self, id: &BlobId) -> PathBuf {
        self.blobs.join(&id.0[..2]).join(&id.0)
    }

    /// Starts writing a new blob.
    pub async fn create(&self) -> Result<BlobWriter, StoreError> {
        let id = BlobId::fresh();
        let tmp_path = self.tmp.join(&id.0);
        let mut file = tokio::fs::File::create(&tmp_path).await?;
        file.write_all(&[0u8; HEADER_LEN as usize]).await?;
        Ok(BlobWriter {
            id,
            file: Some(file),
            tmp_path,
            final_path: PathBuf::new(),
            len: 0,
            blobs: self.blobs.clone(),
        })
    }

    /// Deletes a blob; a missing file is not an error (deletion is retried by GC after crashes).
    pub async fn delete(&self, id: &BlobId) -> Result<(), StoreError> {
        match tokio::fs::remove_file(self.path_of(id)).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        }
    }

    /// Streams `len` payload bytes of blob `id` starting at payload offset `start`.
    pub async fn read_range(
        &self,
        id: &BlobId,
        start: u64,
        len: u64,
    ) -> Result<Pin<Box<dyn Stream<Item = std::io::Result<Bytes>> + Send>>, StoreError> {
        let mut file = tokio::fs::File::open(self.path_of(id)).await?;
        let mut header = [0u8; HEADER_LEN as usize];
        file.read_exact(&mut header).await?;
        let payload_len = check_header(&header)?;
        if start.saturating_add(len) > payload_len {
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
}

fn check_header(h: &[u8; HEADER_LEN as usize]) -> Result<u64, StoreError> {
    if h[..4] != MAGIC || h[4] != FORMAT_V1 {
        return Err(StoreError::Corrupt("unknown blob format".into()));
    }
    if h[5] != CIPHER_NONE {
        return Err(StoreError::Corrupt(format!("unknown blob cipher {}", h[5])));
    }
    let mut n = [0u8; 8];
    n.copy_from_slice(&h[8..16]);
    Ok(u64::from_le_bytes(n))
}

/// A blob being written. Dropping it unfinished removes the temporary file.
pub struct BlobWriter {
    id: BlobId,
    file: Option<tokio::fs::File>,
    tmp_path: PathBuf,
    final_path: PathBuf,
    len: u64,
    blobs: PathBuf,
}

impl BlobWriter {
    /// The id the blob will have.
    pub fn id(&self) -> &BlobId {
        &self.id
    }

    /// Bytes written so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether nothing was written yet.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends payload bytes.
    pub async fn write(&mut self, data: &[u8]) -> Result<(), StoreError> {
        let file = self
            .file
            .as_mut()
            .ok_or_else(|| StoreError::Corrupt("blob already finished".into()))?;
        file.write_all(data).await?;
        self.len += data.len() as u64;
        Ok(())
    }

    /// Writes the header, fsyncs, and moves the blob into place. After this returns the blob is
    /// durable; the caller then commits the metadata that references it.
    pub async fn finish(mut self) -> Result<(BlobId, u64), StoreError> {
        let mut file = self
            .file
            .take()
            .ok_or_else(|| StoreError::Corrupt("blob already finished".into()))?;
        let mut header = [0u8; HEADER_LEN as usize];
        header[..4].copy_from_slice(&MAGIC);
        header[4] = FORMAT_V1;
        header[5] = CIPHER_NONE;
        header[8..16].copy_from_slice(&self.len.to_le_bytes());
        file.seek(std::io::SeekFrom::Start(0)).await?;
        file.write_all(&header).await?;
        file.sync_all().await?;
        drop(file);
        let dir = self.blobs.join(&self.id.0[..2]);
        tokio::fs::create_dir_all(&dir).await?;
        self.final_path = dir.join(&self.id.0);
        tokio::fs::rename(&self.tmp_path, &self.final_path).await?;
        let dir_for_sync = dir.clone();
        tokio::task::spawn_blocking(move || std::fs::File::open(&dir_for_sync)?.sync_all())
            .await
            .map_err(|e| StoreError::Io(std::io::Error::other(e)))??;
        Ok((self.id.clone(), self.len))
    }
}

impl Drop for BlobWriter {
    fn drop(&mut self) {
        if self.file.is_some() {
            let _ = std::fs::remove_file(&self.tmp_path);
        }
    }
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
        let store = BlobStore::open(dir.path()).unwrap();
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
        let store = BlobStore::open(dir.path()).unwrap();
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
