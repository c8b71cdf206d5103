//! Request and response bodies at the HTTP edge. Incoming bodies become a
//! [`BodyStream`] of verified data: `aws-chunked` framing is decoded and every chunk signature
//! checked before its bytes go on; a declared hex `x-amz-content-sha256` is checked at the end
//! (the service only commits after the last frame, so a mismatch stores nothing). A client
//! that leaves the server waiting for body bytes longer than the read timeout fails the
//! request ([`RequestBody`]).

use bytes::Bytes;
use futures_util::StreamExt;
use http_body_util::BodyExt;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use trailstack_core::{BodyError, BodyErrorKind, BodyFrame, BodyStream, ResponseBody};
use trailstack_sigv4::{ChunkError, ChunkEvent, ChunkMode, ChunkSigner, ChunkedDecoder};

/// Largest aws-chunked chunk accepted (SDKs send 64 KiB; the aws CLI up to 8 MiB).
const MAX_CHUNK: u64 = 16 * 1024 * 1024;

fn io_error(e: ReadError) -> BodyError {
    BodyError::new(BodyErrorKind::Io, e.to_string())
}

/// Why reading a request body failed.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The connection failed or the framing was broken.
    #[error(transparent)]
    Hyper(#[from] hyper::Error),
    /// The client sent nothing for the read timeout while the server waited for its body.
    #[error("no body bytes for {0:?}")]
    Idle(Duration),
}

/// A request body that fails with [`ReadError::Idle`] when the server has waited longer than
/// `idle` for its next bytes. The clock runs only while the reader waits on the client: time
/// the service spends between reads (writing to disk, calling KMS) never counts against it.
pub struct RequestBody {
    inner: Incoming,
    idle: Duration,
    timer: Pin<Box<tokio::time::Sleep>>,
    waiting: bool,
    asked: Option<Arc<AtomicBool>>,
}

impl RequestBody {
    /// `body`, failing after `idle` without bytes while it is read.
    pub fn new(body: Incoming, idle: Duration) -> RequestBody {
        RequestBody {
            inner: body,
            idle,
            timer: Box::pin(tokio::time::sleep(idle)),
            waiting: false,
            asked: None,
        }
    }

    /// A flag that turns true when the body is first read: the moment hyper sends the
    /// `100 Continue` a request that expects one is waiting for.
    pub fn watch_asked(&mut self) -> Arc<AtomicBool> {
        self.asked.get_or_insert_with(Default::default).clone()
    }
}

impl Body for RequestBody {
    type Data = Bytes;
    type Error = ReadError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, ReadError>>> {
        let this = &mut *self;
        if let Some(asked) = &this.asked {
            asked.store(true, Ordering::Relaxed);
        }
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(frame) => {
                this.waiting = false;
                Poll::Ready(frame.map(|f| f.map_err(ReadError::from)))
            }
            Poll::Pending => {
                if !this.waiting {
                    this.waiting = true;
                    let deadline = tokio::time::Instant::now() + this.idle;
                    this.timer.as_mut().reset(deadline);
                }
                match this.timer.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Some(Err(ReadError::Idle(this.idle)))),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

fn chunk_error(e: ChunkError) -> BodyError {
    match e {
        ChunkError::SignatureDoesNotMatch { .. } => {
            BodyError::new(BodyErrorKind::SignatureDoesNotMatch, e.to_string())
        }
        ChunkError::TooLarge { .. } => BodyError::new(BodyErrorKind::TooLarge, e.to_string()),
        other => BodyError::new(BodyErrorKind::Incomplete, other.to_string()),
    }
}

/// How the body is framed and protected, from `x-amz-content-sha256`.
pub enum Framing {
    /// Plain bytes, not hashed (UNSIGNED-PAYLOAD, presigned URLs, anonymous).
    Plain,
    /// Plain bytes whose SHA-256 must equal this hex value.
    Sha256(String),
    /// aws-chunked, in this mode, with the request's chunk signer for signed modes.
    Chunked(ChunkMode, Option<ChunkSigner>),
}

/// The incoming body as a stream of verified frames.
pub fn incoming(body: RequestBody, framing: Framing) -> BodyStream {
    match framing {
        Framing::Plain => Box::pin(async_stream::try_stream! {
            let mut body = body;
            while let Some(frame) = body.frame().await {
                if let Ok(data) = frame.map_err(io_error)?.into_data() {
                    if !data.is_empty() {
                        yield BodyFrame::Data(data);
                    }
                }
            }
        }),
        Framing::Sha256(expected) => Box::pin(async_stream::try_stream! {
            let mut body = body;
            let mut h = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
            let mut pending: Option<Bytes> = None;
            while let Some(frame) = body.frame().await {
                if let Ok(data) = frame.map_err(io_error)?.into_data() {
                    h.update(&data);
                    // Hold back the last piece until the hash is known, so a consumer never sees
                    // the end of a body that fails verification.
                    if let Some(prev) = pending.replace(data) {
                        yield BodyFrame::Data(prev);
                    }
                }
            }
            let got = hex::encode(h.finish());
            if !got.eq_ignore_ascii_case(&expected) {
                Err(BodyError::new(BodyErrorKind::ContentSha256Mismatch, format!("{expected} {got}")))?;
            }
            if let Some(last) = pending.filter(|d| !d.is_empty()) {
                yield BodyFrame::Data(last);
            }
        }),
        Framing::Chunked(mode, signer) => Box::pin(async_stream::try_stream! {
            let mut body = body;
            let mut dec = ChunkedDecoder::new(mode, signer, MAX_CHUNK).map_err(chunk_error)?;
            let mut done = false;
            while let Some(frame) = body.frame().await {
                if let Ok(data) = frame.map_err(io_error)?.into_data() {
                    for ev in dec.push(&data).map_err(chunk_error)? {
                        match ev {
                            ChunkEvent::Data(d) => yield BodyFrame::Data(d),
                            ChunkEvent::Trailers(t) => yield BodyFrame::Trailers(t),
                            ChunkEvent::End => done = true,
                        }
                    }
                }
            }
            if !done {
                for ev in dec.finish().map_err(chunk_error)? {
                    match ev {
                        ChunkEvent::Data(d) => yield BodyFrame::Data(d),
                        ChunkEvent::Trailers(t) => yield BodyFrame::Trailers(t),
                        ChunkEvent::End => {}
                    }
                }
            }
        }),
    }
}

/// The response body type given to hyper.
pub type HyperBody = http_body_util::combinators::UnsyncBoxBody<Bytes, std::io::Error>;

/// A service's response body as a hyper body.
pub fn outgoing(body: ResponseBody) -> HyperBody {
    match body {
        ResponseBody::Empty => http_body_util::Empty::new()
            .map_err(|never| match never {})
            .boxed_unsync(),
        ResponseBody::Full(b) => http_body_util::Full::new(b)
            .map_err(|never| match never {})
            .boxed_unsync(),
        ResponseBody::Stream(s, _) => BodyExt::boxed_unsync(http_body_util::StreamBody::new(
            s.map(|r| r.map(Frame::data)),
        )),
    }
}
