//! Object bytes in and out: receiving a request body into storage while computing its MD5 and
//! checksum (small bodies inline in the metadata row, larger ones in a blob file), and streaming
//! stored bytes back for a byte range across the segments of an object. Bytes are sealed at rest
//! with the object's [`Sealing`] (and, for DSSE-KMS, its inner layer); only objects written
//! before encryption at rest are read as plaintext.

use crate::checksum::{Algorithm, Hasher, Md5};
use crate::error::{S3Error, S3Result};
use crate::model::objects::{Segment, StoredChecksum};
use crate::op::Payload;
use bytes::Bytes;
use futures_util::StreamExt;
use trailstack_core::{BodyErrorKind, BodyFrame, ResponseBody};
use trailstack_store::{BlobId, BlobStore, BlobWriter, DataKey};

/// How an object's bytes are sealed at rest: its data key and the AAD binding them to it.
#[derive(Debug, Clone)]
pub struct Sealing {
    /// The object's data key.
    pub key: DataKey,
    /// The AAD context ([`crate::sse::object_aad`]).
    pub aad: Vec<u8>,
    /// DSSE-KMS: the second data key, sealing the inner layer ([`crate::sse::layer`]).
    pub inner: Option<DataKey>,
}

/// Stores bytes of a body being received: kept in `buf` while the whole may still be inline,
/// else written to a blob.
async fn stash(
    blobs: &BlobStore,
    enc: Option<&Sealing>,
    allow_inline: bool,
    buf: &mut Vec<u8>,
    writer: &mut Option<BlobWriter>,
    data: &[u8],
) -> S3Result<()> {
    match writer.as_mut() {
        Some(w) => w.write(data).await?,
        None if allow_inline && buf.len() + data.len() <= INLINE_LIMIT => {
            buf.extend_from_slice(data)
        }
        None => {
            let mut w = new_blob(blobs, enc).await?;
            w.write(buf).await?;
            w.write(data).await?;
            *buf = Vec::new();
            *writer = Some(w);
        }
    }
    Ok(())
}

async fn new_blob(blobs: &BlobStore, enc: Option<&Sealing>) -> S3Result<BlobWriter> {
    Ok(match enc {
        Some(e) => blobs.create_encrypted(&e.key, &e.aad).await?,
        None => blobs.create().await?,
    })
}

/// Past this many bytes a body's MD5 is computed on a blocking thread of its own while the
/// request's task stores the body (checksum, copy, handing batches to the sealing thread).
/// MD5 is serial and costs about 1.5 s of CPU per GiB here, as much as sealing and writing
/// together: on the request's task it held a large PUT to the speed of one core doing both.
/// Below this a thread's hand-offs cost more than they save.
const HASH_APART_AFTER: u64 = 1024 * 1024;
/// Largest piece of a frame queued for the MD5 thread; with [`HASH_QUEUE`] pieces queued at
/// most, the bytes it has not hashed yet stay under 8 MiB (plus the frame being sliced), so a
/// stream's memory stays flat whatever its size.
const HASH_PIECE: usize = 256 * 1024;
const HASH_QUEUE: usize = 32;

/// The MD5 of a body being received: on the request's task while the body is small, then on a
/// blocking thread fed the body's frames (shared, not copied) through a bounded queue.
enum Etag {
    Here(Md5),
    Apart {
        queue: tokio::sync::mpsc::Sender<Bytes>,
        digest: tokio::task::JoinHandle<[u8; 16]>,
    },
    /// Only between the two while the state moves.
    Moving,
}

impl Etag {
    /// Adds `data`, once `received` bytes have arrived in all.
    async fn update(&mut self, data: &Bytes, received: u64) -> S3Result<()> {
        if let Etag::Here(md5) = self {
            if received <= HASH_APART_AFTER {
                md5.update(data);
                return Ok(());
            }
            let Etag::Here(mut md5) = std::mem::replace(self, Etag::Moving) else {
                return Err(S3Error::Internal("MD5 state lost".into()));
            };
            let (queue, mut rx) = tokio::sync::mpsc::channel::<Bytes>(HASH_QUEUE);
            let digest = tokio::task::spawn_blocking(move || {
                while let Some(piece) = rx.blocking_recv() {
                    md5.update(&piece);
                }
                md5.finish()
            });
            *self = Etag::Apart { queue, digest };
        }
        let Etag::Apart { queue, .. } = self else {
            return Err(S3Error::Internal("MD5 state lost".into()));
        };
        let mut at = 0;
        while at < data.len() {
            let end = (at + HASH_PIECE).min(data.len());
            queue
                .send(data.slice(at..end))
                .await
                .map_err(|_| S3Error::Internal("MD5 thread stopped".into()))?;
            at = end;
        }
        Ok(())
    }

    async fn finish(self) -> S3Result<[u8; 16]> {
        match self {
            Etag::Here(md5) => Ok(md5.finish()),
            Etag::Apart { queue, digest } => {
                drop(queue);
                digest
                    .await
                    .map_err(|e| S3Error::Internal(format!("MD5 thread: {e}")))
            }
            Etag::Moving => Err(S3Error::Internal("MD5 state lost".into())),
        }
    }
}

/// Bodies up to this size are kept in the metadata row: one durable commit instead of a file,
/// its fsync and a directory fsync.
pub const INLINE_LIMIT: usize = 16 * 1024;
/// The largest object a single PUT may upload (5 GiB).
pub const MAX_PUT: u64 = 5 * 1024 * 1024 * 1024;

/// A received body, durable on disk (or ready to be committed inline).
#[derive(Debug)]
pub struct Received {
    /// The bytes, when small enough to be stored in the metadata row.
    pub inline: Option<Vec<u8>>,
    /// The blob holding the bytes otherwise.
    pub segment: Option<Segment>,
    /// Total size.
    pub size: u64,
    /// MD5 of the bytes.
    pub md5: [u8; 16],
    /// The checksum (the one asked for, else CRC64NVME as S3 computes by default).
    pub checksum: StoredChecksum,
}

impl Received {
    /// The segments of an object made of this body alone.
    pub fn segments(&self) -> Vec<Segment> {
        self.segment.iter().cloned().collect()
    }
}

fn body_error(kind: BodyErrorKind, message: String) -> S3Error {
    match kind {
        BodyErrorKind::SignatureDoesNotMatch => S3Error::ChunkSignatureDoesNotMatch,
        BodyErrorKind::ContentSha256Mismatch => {
            let (client, computed) = message.split_once(' ').unwrap_or((&message, ""));
            S3Error::ContentSha256Mismatch {
                client: client.to_string(),
                computed: computed.to_string(),
            }
        }
        BodyErrorKind::Incomplete => S3Error::IncompleteBody(message),
        BodyErrorKind::TooLarge => S3Error::EntityTooLarge {
            size: 0,
            max: MAX_PUT,
        },
        BodyErrorKind::Io => S3Error::RequestTimeout,
    }
}

/// Reads `payload` to its end into storage (sealed with `enc`, plaintext only when None),
/// verifying length, Content-MD5 and checksum. Nothing is left behind when it fails.
/// `allow_inline` is false for parts, whose bytes must live in blobs that the completed object
/// will reference.
pub async fn receive(
    blobs: &BlobStore,
    payload: Payload,
    max: u64,
    allow_inline: bool,
    enc: Option<&Sealing>,
) -> S3Result<Received> {
    let Payload {
        mut body,
        declared_len,
        content_md5,
        checksum,
    } = payload;
    if let Some(n) = declared_len {
        if n > max {
            return Err(S3Error::EntityTooLarge { size: n, max });
        }
    }
    let expected_md5 = match content_md5 {
        Some(s) => match crate::checksum::unb64(&s) {
            Some(d) if d.len() == 16 => Some(d),
            _ => {
                return Err(S3Error::InvalidDigest(
                    "The Content-MD5 you specified was not valid.".into(),
                ))
            }
        },
        None => None,
    };
    let alg = checksum
        .as_ref()
        .map(|(a, _)| *a)
        .unwrap_or(Algorithm::Crc64Nvme);
    let mut expected_sum = checksum.and_then(|(_, v)| v);
    let mut hasher = Hasher::new(alg);
    let mut md5 = Etag::Here(Md5::new());
    let mut buf: Vec<u8> = Vec::new();
    let mut writer: Option<BlobWriter> = None;
    let mut size = 0u64;
    let mut inner = enc.and_then(|e| {
        e.inner
            .as_ref()
            .map(|k| crate::sse::layer::InnerSealer::new(k.clone(), e.aad.clone()))
    });
    while let Some(frame) = body.next().await {
        match frame.map_err(|e| body_error(e.kind, e.message))? {
            BodyFrame::Data(data) => {
                size += data.len() as u64;
                if size > max {
                    return Err(S3Error::EntityTooLarge { size, max });
                }
                md5.update(&data, size).await?;
                hasher.update(&data);
                let sealed;
                let data: &[u8] = match inner.as_mut() {
                    Some(s) => {
                        sealed = s.push(&data)?;
                        &sealed
                    }
                    None => &data,
                };
                stash(blobs, enc, allow_inline, &mut buf, &mut writer, data).await?;
            }
            BodyFrame::Trailers(trailers) => {
                if let Some((_, v)) = trailers.iter().find(|(k, _)| k == alg.header()) {
                    expected_sum = Some(v.clone());
                }
            }
        }
    }
    if let Some(n) = declared_len {
        if n != size {
            return Err(S3Error::IncompleteBody(
                "You did not provide the number of bytes specified by the Content-Length HTTP header".into(),
            ));
        }
    }
    if let Some(s) = inner {
        let tail = s.finish()?;
        stash(blobs, enc, allow_inline, &mut buf, &mut writer, &tail).await?;
    }
    let md5 = md5.finish().await?;
    if let Some(e) = expected_md5 {
        if e != md5 {
            return Err(S3Error::BadDigest(
                "The Content-MD5 you specified did not match what we received.".into(),
            ));
        }
    }
    let value = hasher.finish();
    if let Some(e) = expected_sum {
        if e.trim() != value {
            return Err(S3Error::BadDigest(format!(
                "The {} you specified did not match the calculated checksum.",
                alg.name()
            )));
        }
    }
    let checksum = StoredChecksum {
        algorithm: alg.name().to_string(),
        value,
        kind: "FULL_OBJECT".to_string(),
    };
    // Parts must live in blobs the completed object will reference, so a small part that was
    // buffered in memory still goes to a blob.
    let writer = match writer {
        None if !allow_inline => {
            let mut w = new_blob(blobs, enc).await?;
            w.write(&buf).await?;
            Some(w)
        }
        w => w,
    };
    match writer {
        Some(w) => {
            let (id, _) = w.finish().await?;
            Ok(Received {
                inline: None,
                segment: Some(Segment {
                    blob: id.as_str().to_string(),
                    size,
                    checksum: None,
                }),
                size,
                md5,
                checksum,
            })
        }
        None => Ok(Received {
            inline: Some(match enc {
                Some(e) => trailstack_store::seal_inline(&e.key, &e.aad, &buf)?,
                None => buf,
            }),
            segment: None,
            size,
            md5,
            checksum,
        }),
    }
}

/// A stored object's bytes as a request body, so copies go through [`receive`] like uploads.
pub fn as_body(body: ResponseBody) -> trailstack_core::BodyStream {
    use trailstack_core::BodyError;
    match body {
        ResponseBody::Empty => Box::pin(futures_util::stream::empty()),
        ResponseBody::Full(b) => {
            Box::pin(futures_util::stream::once(
                async move { Ok(BodyFrame::Data(b)) },
            ))
        }
        ResponseBody::Stream(s, _) => Box::pin(s.map(|r| {
            r.map(BodyFrame::Data)
                .map_err(|e| BodyError::new(BodyErrorKind::Io, e.to_string()))
        })),
    }
}

/// Streams bytes `start..=end` of an object stored inline or in `segments`, opening them with
/// `enc` (None: a plaintext object written before encryption at rest).
pub async fn read(
    blobs: &BlobStore,
    inline: Option<&[u8]>,
    segments: &[Segment],
    start: u64,
    end: u64,
    enc: Option<&Sealing>,
) -> S3Result<ResponseBody> {
    if end < start {
        return Ok(ResponseBody::Empty);
    }
    let len = end - start + 1;
    if let Some(stored) = inline {
        let opened;
        let data = match enc {
            Some(e) => {
                let outer = trailstack_store::open_inline(&e.key, &e.aad, stored)?;
                opened = match &e.inner {
                    // Inline values are under one inner chunk.
                    Some(k) => {
                        let plain = outer.len().saturating_sub(crate::sse::layer::OVERHEAD);
                        crate::sse::layer::open_all(k, &e.aad, plain as u64, &outer)?
                    }
                    None => outer,
                };
                &opened[..]
            }
            None => stored,
        };
        let s = usize::try_from(start).unwrap_or(usize::MAX).min(data.len());
        let e = usize::try_from(end + 1)
            .unwrap_or(usize::MAX)
            .min(data.len());
        return Ok(ResponseBody::Full(Bytes::copy_from_slice(&data[s..e])));
    }
    // Resolve which segment ranges to read before streaming, so a missing blob fails the request
    // with an error status instead of cutting a 200 short.
    let mut pieces = Vec::new();
    let mut offset = 0u64;
    for seg in segments {
        let seg_end = offset + seg.size;
        if seg_end > start && offset <= end {
            let from = start.saturating_sub(offset);
            let to = (end + 1).min(seg_end) - offset;
            pieces.push((BlobId::parse(&seg.blob)?, seg.size, from, to - from));
        }
        offset = seg_end;
    }
    let mut streams = Vec::with_capacity(pieces.len());
    if let Some((id, plain, from, n)) = pieces.first() {
        streams.push(read_piece(blobs, enc, id, *plain, *from, *n).await?);
    }
    let blobs = blobs.clone();
    let enc = enc.cloned();
    let rest = pieces.into_iter().skip(1);
    let first = futures_util::stream::iter(streams).flatten();
    let later = futures_util::stream::iter(rest)
        .then(move |(id, plain, from, n)| {
            let blobs = blobs.clone();
            let enc = enc.clone();
            async move {
                match read_piece(&blobs, enc.as_ref(), &id, plain, from, n).await {
                    Ok(s) => s,
                    Err(e) => Box::pin(futures_util::stream::once(async move {
                        Err(std::io::Error::other(e))
                    })),
                }
            }
        })
        .flatten();
    Ok(ResponseBody::Stream(Box::pin(first.chain(later)), len))
}

/// Streams plaintext bytes `from..from + n` of blob `id`, which holds `plain` bytes.
async fn read_piece(
    blobs: &BlobStore,
    enc: Option<&Sealing>,
    id: &BlobId,
    plain: u64,
    from: u64,
    n: u64,
) -> S3Result<trailstack_store::BlobStream> {
    if let Some((e, inner)) = enc.and_then(|e| e.inner.as_ref().map(|k| (e, k))) {
        use crate::sse::layer;
        let (start, len, first) = layer::outer_range(plain, from, n);
        let outer = blobs
            .read_range_decrypted(id, &e.key, &e.aad, start, len)
            .await?;
        return Ok(layer::open_stream(
            outer,
            inner.clone(),
            e.aad.clone(),
            plain,
            first,
            from,
            n,
        ));
    }
    Ok(match enc {
        Some(e) => {
            blobs
                .read_range_decrypted(id, &e.key, &e.aad, from, n)
                .await?
        }
        None => blobs.read_range(id, from, n).await?,
    })
}
