//! The file an encrypted blob is written to. Its bytes go through the page cache, so a GET of
//! a fresh object reads them from memory; but the kernel starts writing dirty pages back only
//! past a share of memory far larger than an object, so the fsync that makes a blob durable
//! had all of it to write, after the last byte arrived (about a second per GiB here; see
//! BENCHMARKS.md, "Closing the distance, part 4"). Every [`WRITEBACK_EVERY`] bytes a
//! background `fdatasync` on a second handle now sets the disk writing what is there while
//! the upload goes on, and the final fsync waits only for the last stretch.
//!
//! The background syncs only start writeback early; durability is still the final
//! `sync_all`'s. A background sync that fails fails the blob, as the final one would (a
//! failed writeback is reported once per handle, and the error must not be lost).

use std::fs::File;
use std::io::{self, Seek, SeekFrom, Write};
use std::path::PathBuf;
use std::thread::JoinHandle;

/// Bytes written between two background syncs.
const WRITEBACK_EVERY: u64 = 64 << 20;

/// An encrypted blob's temporary file, filled in order after room for its header.
pub(super) struct BlobFile {
    file: File,
    /// Bytes written since the last background sync started.
    unsynced: u64,
    syncing: Option<JoinHandle<io::Result<()>>>,
}

impl BlobFile {
    /// Creates the file at `path`, leaving `header_len` zero bytes for the header.
    pub(super) fn create(path: PathBuf, header_len: usize) -> io::Result<BlobFile> {
        let mut file = File::create(&path)?;
        if let Err(e) = file.write_all(&vec![0u8; header_len]) {
            let _ = std::fs::remove_file(&path);
            return Err(e);
        }
        Ok(BlobFile {
            file,
            unsynced: 0,
            syncing: None,
        })
    }

    /// Appends `bytes` after those written so far.
    pub(super) fn append(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.file.write_all(bytes)?;
        self.unsynced += bytes.len() as u64;
        let idle = self.syncing.as_ref().is_none_or(|s| s.is_finished());
        if self.unsynced >= WRITEBACK_EVERY && idle {
            self.reap()?;
            let handle = self.file.try_clone()?;
            // Without a thread the writeback just waits for the final fsync, as it did before.
            self.syncing = std::thread::Builder::new()
                .name("trailstack-blob-sync".into())
                .spawn(move || handle.sync_data())
                .ok();
            self.unsynced = 0;
        }
        Ok(())
    }

    /// Waits for the background sync, if any, and returns its failure.
    fn reap(&mut self) -> io::Result<()> {
        match self.syncing.take() {
            Some(s) => s
                .join()
                .map_err(|_| io::Error::other("blob sync thread panicked"))?,
            None => Ok(()),
        }
    }

    /// Writes `header` at offset 0 and makes the file durable.
    pub(super) fn complete(&mut self, header: &[u8]) -> io::Result<()> {
        self.file.seek(SeekFrom::Start(0))?;
        self.file.write_all(header)?;
        self.reap()?;
        self.file.sync_all()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(n: usize) -> Vec<u8> {
        (0..n).map(|i| (i * 7 % 251) as u8).collect()
    }

    /// Whether or not background syncs ran, the file holds the header then the bytes
    /// appended, in order, and nothing more.
    #[test]
    fn the_file_holds_the_header_then_every_byte_appended() {
        let dir = tempfile::tempdir().unwrap();
        let big = 2 * WRITEBACK_EVERY as usize + 4_321;
        for (k, &size) in [0, 100, big].iter().enumerate() {
            let path = dir.path().join(format!("b{k}"));
            let mut f = BlobFile::create(path.clone(), 32).unwrap();
            let body = data(size);
            // Uneven pieces, as sealed batches arrive.
            for piece in body.chunks(262_208) {
                f.append(piece).unwrap();
            }
            f.complete(&[0xAB; 32]).unwrap();
            let got = std::fs::read(&path).unwrap();
            assert_eq!(got.len(), 32 + size, "size {size}");
            assert!(got[..32].iter().all(|&b| b == 0xAB), "size {size}");
            assert!(got[32..] == body[..], "size {size}");
        }
    }
}
