//! The warm-file limit: the file the limit server streams large GETs from, and the body that
//! streams it.
//!
//! At start the limit server writes one file of the large-object size into its own temp dir,
//! which sits beside trailstack's data dir under the same system temp dir (same disk), syncs it,
//! and reads it once whole so the page cache holds it. Each GET then opens the file and reads it
//! with plain 1 MiB `read`s on a blocking thread, a few chunks ahead of the socket, into buffers
//! reused once hyper has written them (as any server reading files does): what a bare server
//! reading a warm file can do, the reference for trailstack's large GETs (which also read from
//! that disk, and decrypt).
//!
//! Must not touch: any file but its own.

use crate::body::{shared_chunk, CHUNK};
use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{ready, Context, Poll};
use std::time::Instant;
use tokio::sync::mpsc;

/// Chunks read ahead of the socket per GET.
const READ_AHEAD: usize = 4;
/// Buffers kept for reuse: enough for a few GETs in flight.
const POOLED: usize = 32;

/// Read buffers handed back when hyper drops a chunk. Without it every 1 MiB chunk is a fresh
/// allocation the kernel must fault in and zero, measured here at about a fault per 24 KiB read.
#[derive(Debug, Clone, Default)]
struct Pool(Arc<Mutex<Vec<Vec<u8>>>>);

impl Pool {
    fn take(&self) -> Vec<u8> {
        let reused = self.0.lock().ok().and_then(|mut p| p.pop());
        let mut buf = reused.unwrap_or_else(|| Vec::with_capacity(CHUNK));
        buf.clear();
        buf
    }

    /// `buf` as a chunk that goes back to the pool when hyper is done with it.
    fn chunk(&self, buf: Vec<u8>) -> Bytes {
        Bytes::from_owner(Pooled {
            buf,
            pool: self.clone(),
        })
    }
}

/// A pooled buffer lent to a [`Bytes`].
struct Pooled {
    buf: Vec<u8>,
    pool: Pool,
}

impl AsRef<[u8]> for Pooled {
    fn as_ref(&self) -> &[u8] {
        &self.buf
    }
}

impl Drop for Pooled {
    fn drop(&mut self) {
        if let Ok(mut p) = self.pool.0.lock() {
            if p.len() < POOLED {
                p.push(std::mem::take(&mut self.buf));
            }
        }
    }
}

/// A file of known length, written and warmed at start.
#[derive(Debug, Clone)]
pub struct WarmFile {
    path: PathBuf,
    len: u64,
    pool: Pool,
}

impl WarmFile {
    /// Writes `len` bytes (the generator's 1 MiB chunk repeated) to `path`, syncs them, and
    /// reads them back once; returns the file and a line on how long that took.
    pub fn create(path: &Path, len: u64) -> io::Result<(WarmFile, String)> {
        let start = Instant::now();
        let mut f = File::create(path)?;
        let chunk = shared_chunk();
        let mut left = len;
        while left > 0 {
            let n = left.min(chunk.len() as u64) as usize;
            f.write_all(&chunk[..n])?;
            left -= n as u64;
        }
        // Synced now so that writeback of these pages never runs during a measured phase.
        f.sync_all()?;
        drop(f);
        let written = start.elapsed();
        let file = WarmFile {
            path: path.to_owned(),
            len,
            pool: Pool::default(),
        };
        let start = Instant::now();
        let mut reader = File::open(path)?;
        let mut read = 0u64;
        while let Some(c) = next_chunk(&mut reader, &file.pool)? {
            read += c.len() as u64;
        }
        if read != len {
            return Err(io::Error::other(format!(
                "{} holds {read} bytes, wrote {len}",
                path.display()
            )));
        }
        let secs = start.elapsed().as_secs_f64();
        let line = format!(
            "warm file {}: {} MiB written and synced in {:.2} s, warm-up read in {secs:.2} s ({:.0} MB/s)",
            path.display(),
            len >> 20,
            written.as_secs_f64(),
            len as f64 / 1e6 / secs.max(1e-9),
        );
        Ok((file, line))
    }

    /// The file's length.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the file is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// A body streaming the whole file, read on a blocking thread; must be called within a
    /// tokio runtime.
    pub fn body(&self) -> FileBody {
        let (tx, rx) = mpsc::channel(READ_AHEAD);
        let (path, pool) = (self.path.clone(), self.pool.clone());
        tokio::task::spawn_blocking(move || {
            let mut f = match File::open(&path) {
                Ok(f) => f,
                Err(e) => {
                    let _ = tx.blocking_send(Err(e));
                    return;
                }
            };
            loop {
                let next = match next_chunk(&mut f, &pool) {
                    Ok(Some(c)) => Ok(c),
                    Ok(None) => return,
                    Err(e) => Err(e),
                };
                let failed = next.is_err();
                // A closed channel means the client went away: stop reading.
                if tx.blocking_send(next).is_err() || failed {
                    return;
                }
            }
        });
        FileBody {
            rx,
            remaining: self.len,
        }
    }
}

/// The next chunk of up to [`CHUNK`] bytes from `f` in a buffer from `pool`, `None` at the end.
fn next_chunk(f: &mut File, pool: &Pool) -> io::Result<Option<Bytes>> {
    // `read_to_end` into spare capacity reads straight into it without zeroing it first.
    let mut buf = pool.take();
    f.take(CHUNK as u64).read_to_end(&mut buf)?;
    Ok((!buf.is_empty()).then(|| pool.chunk(buf)))
}

/// The body of a GET of the warm file: chunks as the reader thread hands them over.
pub struct FileBody {
    rx: mpsc::Receiver<io::Result<Bytes>>,
    remaining: u64,
}

impl Body for FileBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let this = self.get_mut();
        if this.remaining == 0 {
            return Poll::Ready(None);
        }
        Poll::Ready(match ready!(this.rx.poll_recv(cx)) {
            Some(Ok(chunk)) => {
                this.remaining = this.remaining.saturating_sub(chunk.len() as u64);
                Some(Ok(Frame::data(chunk)))
            }
            Some(Err(e)) => Some(Err(e)),
            None => Some(Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("warm file ended {} bytes early", this.remaining),
            ))),
        })
    }

    fn is_end_stream(&self) -> bool {
        self.remaining == 0
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body::BenchBody;
    use http_body_util::BodyExt;

    #[tokio::test]
    async fn streams_what_it_wrote() {
        let dir = tempfile::tempdir().unwrap();
        let len = 3 * CHUNK as u64 + 17;
        let (file, line) = WarmFile::create(&dir.path().join("big"), len).unwrap();
        assert!(line.contains("warm-up read"), "{line}");
        let body = file.body();
        assert_eq!(body.size_hint().exact(), Some(len));
        let got = body.collect().await.unwrap().to_bytes();
        let want = BenchBody::repeat(len).collect().await.unwrap().to_bytes();
        assert_eq!(got, want);
    }

    #[tokio::test]
    async fn a_vanished_file_is_an_error_not_a_short_body() {
        let dir = tempfile::tempdir().unwrap();
        let (file, _) = WarmFile::create(&dir.path().join("big"), 1000).unwrap();
        std::fs::remove_file(dir.path().join("big")).unwrap();
        assert!(file.body().collect().await.is_err());
    }
}
