//! Blobs kept in the metadata database, for servers that share no disk (several nodes on one
//! PostgreSQL, ARCHITECTURE.md §3). A blob keeps the byte layout of its file (format 1 or 2,
//! `mod.rs`), cut into rows of `store_blob_segments`: segment -1 is the header, segment `i` the
//! `i`-th chunk — 64 KiB of payload, followed by its tag when sealed — so a range read fetches
//! only the rows it covers, and an encrypted blob reaches the database sealed.
//!
//! Rows are 64 KiB `BYTEA` values rather than PostgreSQL large objects: large objects live
//! outside the tables (a deleted row leaves its object behind unless something unlinks it) and
//! need their own API, while a row is deleted, replicated and backed up with the metadata that
//! references it.
//!
//! The loose-blob journal (`journal.rs`) covers these blobs too, with one difference: rows are
//! visible as soon as they commit, so a writer lists its blob before the first segment and
//! refreshes the listing's time (`listed_at`) with every segment it writes. What a crash leaves
//! is then a listed blob whose listing has gone stale, and [`collect_garbage`] deletes only those
//! idle for [`GRACE_SECS`]: a node starting up never deletes a blob another node is writing.

use super::chunked::{invalid, CHUNK_LEN};
use super::{parse_prefix, BlobStream, Prefix};
use crate::{Conn, Db, StoreError};
use bytes::Bytes;
use std::io;
use std::sync::Arc;

/// The segment holding a blob's header.
const HEADER_SEQ: i64 = -1;
/// Segments fetched or written per database round trip.
const BATCH: u64 = 4;
/// How long a listed blob must have been left alone before it counts as a crash's leftover.
/// A live writer touches its listing with every 256 KiB; S3 drops a client idle for far less.
pub const GRACE_SECS: i64 = 15 * 60;

/// The seconds since the Unix epoch: a listing's time is compared across nodes, so it is the
/// wall clock, not a process's monotonic one.
pub(super) fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// The rows of one blob, written and read from the blocking pool (reads and, through the
/// runtime `handle`, writes that wait for their commit).
#[derive(Clone)]
pub(super) struct Segments {
    db: Arc<Db>,
    id: String,
    handle: tokio::runtime::Handle,
}

impl Segments {
    /// Must be called on the runtime.
    pub(super) fn new(db: Arc<Db>, id: String) -> Segments {
        Segments {
            db,
            id,
            handle: tokio::runtime::Handle::current(),
        }
    }

    /// Writes `bytes` as segments from `first` on, each `len` long (the last may be shorter),
    /// and refreshes the blob's listing, in one transaction; returns when it is committed.
    pub(super) async fn put(&self, first: u64, bytes: &[u8], len: usize) -> io::Result<()> {
        let pieces: Vec<Vec<u8>> = bytes.chunks(len).map(<[u8]>::to_vec).collect();
        let first = seq(first)?;
        self.write(move |c, id| {
            for (i, piece) in pieces.iter().enumerate() {
                put_segment(c, id, first + i as i64, piece)?;
            }
            Ok(())
        })
        .await
    }

    /// [`Segments::put`] from a thread of the blocking pool.
    pub(super) fn put_blocking(&self, first: u64, bytes: &[u8], len: usize) -> io::Result<()> {
        self.handle.block_on(self.put(first, bytes, len))
    }

    /// Writes the header, which completes the blob.
    pub(super) async fn put_header(&self, header: Vec<u8>) -> io::Result<()> {
        self.write(move |c, id| put_segment(c, id, HEADER_SEQ, &header))
            .await
    }

    /// [`Segments::put_header`] from a thread of the blocking pool.
    pub(super) fn put_header_blocking(&self, header: Vec<u8>) -> io::Result<()> {
        self.handle.block_on(self.put_header(header))
    }

    async fn write(
        &self,
        f: impl FnOnce(&Conn, &str) -> Result<(), StoreError> + Send + 'static,
    ) -> io::Result<()> {
        let (id, now) = (self.id.clone(), now_secs());
        self.db
            .write(move |c| {
                list(c, &id, now)?;
                f(c, &id)
            })
            .await
            .map_err(into_io)
    }

    /// The header's bytes; a blob without one was never finished.
    pub(super) fn header(&self) -> io::Result<Vec<u8>> {
        self.db
            .read(|c| {
                c.query_opt(
                    "SELECT bytes FROM store_blob_segments WHERE blob_id = $1 AND seq = $2",
                    &[&self.id, &HEADER_SEQ],
                    |r| r.get::<Vec<u8>>(0),
                )
            })
            .map_err(into_io)?
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such blob"))
    }

    /// How many chunk segments the blob has.
    pub(super) fn count(&self) -> io::Result<u64> {
        let n: i64 = self
            .db
            .read(|c| {
                c.query_one(
                    "SELECT COUNT(*) FROM store_blob_segments WHERE blob_id = $1 AND seq >= 0",
                    &[&self.id],
                    |r| r.get(0),
                )
            })
            .map_err(into_io)?;
        Ok(n as u64)
    }

    /// Segments `first..first + lens.len()` back to back into `out`, each of the length `lens`
    /// says: a missing or mis-sized segment is damage, reported as `InvalidData`.
    pub(super) fn read_into(&self, first: u64, lens: &[usize], out: &mut [u8]) -> io::Result<()> {
        let from = seq(first)?;
        let to = from + lens.len() as i64;
        let rows: Vec<(i64, Vec<u8>)> = self
            .db
            .read(|c| {
                c.query(
                    "SELECT seq, bytes FROM store_blob_segments \
                     WHERE blob_id = $1 AND seq >= $2 AND seq < $3 ORDER BY seq",
                    &[&self.id, &from, &to],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
            })
            .map_err(into_io)?;
        if rows.len() != lens.len() {
            return Err(invalid("blob is missing segments"));
        }
        let mut at = 0;
        for (i, ((s, bytes), &len)) in rows.iter().zip(lens).enumerate() {
            if *s != from + i as i64 || bytes.len() != len {
                return Err(invalid("blob segment is damaged"));
            }
            out.get_mut(at..at + len)
                .ok_or_else(|| io::Error::other("segment buffer overrun"))?
                .copy_from_slice(bytes);
            at += len;
        }
        Ok(())
    }

    /// Deletes the blob's rows if it is still listed, and its listing; an unfinished blob
    /// dropped by its writer goes this way.
    pub(super) async fn discard(self) {
        let id = self.id;
        let _ = self
            .db
            .write(move |c| remove_if_listed(c, &id).map(drop))
            .await;
    }
}

fn seq(chunk: u64) -> io::Result<i64> {
    i64::try_from(chunk).map_err(|_| io::Error::other("blob too large"))
}

fn into_io(e: StoreError) -> io::Error {
    match e {
        StoreError::Io(e) => e,
        other => io::Error::other(other.to_string()),
    }
}

fn put_segment(c: &Conn, id: &str, seq: i64, bytes: &[u8]) -> Result<(), StoreError> {
    c.execute(
        "INSERT INTO store_blob_segments (blob_id, seq, bytes) VALUES ($1, $2, $3)",
        &[&id, &seq, &bytes],
    )?;
    Ok(())
}

/// Lists blob `id` as loose as of `now` (or refreshes its listing).
fn list(c: &Conn, id: &str, now: i64) -> Result<(), StoreError> {
    c.execute(
        "INSERT INTO store_loose_blobs (id, listed_at) VALUES ($1, $2) \
         ON CONFLICT (id) DO UPDATE SET listed_at = excluded.listed_at",
        &[&id, &now],
    )?;
    Ok(())
}

/// Deletes blob `id`'s rows and listing if it is listed; returns whether it was.
pub(super) fn remove_if_listed(c: &Conn, id: &str) -> Result<bool, StoreError> {
    let listed = c.execute("DELETE FROM store_loose_blobs WHERE id = $1", &[&id])? > 0;
    if listed {
        c.execute("DELETE FROM store_blob_segments WHERE blob_id = $1", &[&id])?;
    }
    Ok(listed)
}

/// Deletes the listed blobs no writer has touched for [`GRACE_SECS`] before `now`: the ones no
/// commit claimed because a crash came first, and the ones a commit released. Returns how many.
/// Queued when called, so a caller that cannot wait may drop the future.
pub fn collect_garbage(
    db: &Db,
    now: i64,
) -> impl std::future::Future<Output = Result<usize, StoreError>> + Send + 'static {
    let cutoff = now - GRACE_SECS;
    db.submit(move |c| {
        let ids: Vec<String> = c.query(
            "SELECT id FROM store_loose_blobs WHERE listed_at <= $1",
            &[&cutoff],
            |r| r.get(0),
        )?;
        for id in &ids {
            c.execute("DELETE FROM store_blob_segments WHERE blob_id = $1", &[id])?;
            c.execute("DELETE FROM store_loose_blobs WHERE id = $1", &[id])?;
        }
        Ok(ids.len())
    })
}

/// The plaintext (format 1) writer: payload cut into chunk-sized segments, written a batch at a
/// time.
pub(super) struct PlainSink {
    segments: Segments,
    pending: Vec<u8>,
    next: u64,
}

impl PlainSink {
    pub(super) fn new(segments: Segments) -> PlainSink {
        PlainSink {
            segments,
            pending: Vec::new(),
            next: 0,
        }
    }

    pub(super) async fn write(&mut self, data: &[u8]) -> io::Result<()> {
        self.pending.extend_from_slice(data);
        let batch = BATCH as usize * CHUNK_LEN;
        while self.pending.len() >= batch {
            let rest = self.pending.split_off(batch);
            let full = std::mem::replace(&mut self.pending, rest);
            self.segments.put(self.next, &full, CHUNK_LEN).await?;
            self.next += BATCH;
        }
        Ok(())
    }

    /// Writes what is left, then `header`.
    pub(super) async fn finish(self, header: Vec<u8>) -> io::Result<()> {
        if !self.pending.is_empty() {
            self.segments
                .put(self.next, &self.pending, CHUNK_LEN)
                .await?;
        }
        self.segments.put_header(header).await
    }
}

/// Streams `len` payload bytes of plaintext blob `segments` from payload offset `start`.
pub(super) async fn read_plain(
    segments: Segments,
    start: u64,
    len: u64,
) -> Result<BlobStream, StoreError> {
    let head = segments.clone();
    let header = tokio::task::spawn_blocking(move || head.header())
        .await
        .map_err(|e| StoreError::Io(io::Error::other(e)))??;
    let header: [u8; 16] = header
        .get(..16)
        .and_then(|h| h.try_into().ok())
        .ok_or_else(|| StoreError::Io(invalid("blob header is truncated")))?;
    let payload_len = match parse_prefix(&header)? {
        Prefix::Plain(len) => len,
        Prefix::Sealed(_) => {
            return Err(StoreError::Corrupt(
                "blob is encrypted; read it with read_range_decrypted".into(),
            ))
        }
    };
    let stop = start
        .checked_add(len)
        .filter(|&s| s <= payload_len)
        .ok_or_else(|| StoreError::Corrupt("blob shorter than expected".into()))?;
    let chunk = CHUNK_LEN as u64;
    let seg_len = move |i: u64| payload_len.saturating_sub(i * chunk).min(chunk) as usize;
    let (mut next, end) = match len {
        0 => (0, 0),
        _ => (start / chunk, (stop - 1) / chunk + 1),
    };
    Ok(Box::pin(async_stream::try_stream! {
        while next < end {
            let count = (end - next).min(BATCH);
            let lens: Vec<usize> = (next..next + count).map(seg_len).collect();
            let s = segments.clone();
            let first = next;
            let buf = tokio::task::spawn_blocking(move || {
                let mut buf = vec![0u8; lens.iter().sum()];
                s.read_into(first, &lens, &mut buf).map(|()| buf)
            })
            .await
            .map_err(io::Error::other)??;
            let base = first * chunk;
            let lo = start.saturating_sub(base) as usize;
            let hi = (stop - base).min(buf.len() as u64) as usize;
            next += count;
            yield Bytes::from(buf).slice(lo..hi);
        }
    }))
}
