//! The listening socket: accepting connections under a limit, telling TLS from plain HTTP on the
//! same port, bounding how long a client may stall, and draining on shutdown. It owns
//! connections, never requests: each request goes to [`edge::handle`].
//!
//! - A connection whose first byte is 0x16 (a TLS handshake record) is served TLS when TLS is
//!   configured; any other is plain HTTP/1.1.
//! - A client has `read_timeout` to send a request head (and the TLS handshake before it); an
//!   idle kept-alive connection is closed after the same time. Body reads and response writes
//!   fail after `read_timeout` without progress (see [`crate::body::RequestBody`],
//!   `WriteTimeout`), so a slow client holds a connection for a bounded time only.
//! - At most `max_connections` connections are served; each further one is answered
//!   `SlowDown`/`ThrottlingException` ([`edge::busy`]) and closed.
//! - On shutdown the listener closes, idle connections close, requests in flight are finished,
//!   and [`serve`] returns once every connection has ended.

use crate::edge::{self, Peer};
use crate::App;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};

/// The first byte of a TLS connection: a handshake record (RFC 8446 §5.1).
const TLS_HANDSHAKE: u8 = 0x16;

/// Most headers one request may carry. S3 bounds the header section at 8 KiB, which holds
/// more than hyper's default of 100 small `x-amz-meta-*` headers; beyond this count hyper
/// answers 431 itself.
const MAX_HEADERS: usize = 512;

/// Serves HTTP/1.1 (and HTTPS, when the configuration has TLS) on `listener` until `shutdown`
/// completes, then finishes the requests in flight and returns.
pub async fn serve(listener: TcpListener, app: Arc<App>, shutdown: impl Future<Output = ()>) {
    let max = app
        .config
        .max_connections
        .clamp(1, Semaphore::MAX_PERMITS.min(u32::MAX as usize));
    let slots = Arc::new(Semaphore::new(max));
    let (stop, stopping) = watch::channel(false);
    tokio::pin!(shutdown);
    loop {
        let (stream, remote) = tokio::select! {
            r = listener.accept() => match r {
                Ok(x) => x,
                Err(e) => {
                    // Out of file descriptors, most likely: give connections time to end.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let slot = slots.clone().try_acquire_owned().ok();
        tokio::spawn(connection(
            app.clone(),
            stream,
            remote,
            slot,
            stopping.clone(),
        ));
    }
    // New connections are refused from here on.
    drop(listener);
    let _ = stop.send(true);
    // Each admitted connection holds a slot until it ends: all slots back means every request
    // in flight has been answered.
    let _ = slots.acquire_many(max as u32).await;
}

/// Serves one connection. `slot` is None for a connection beyond the limit.
async fn connection(
    app: Arc<App>,
    stream: TcpStream,
    remote: SocketAddr,
    slot: Option<OwnedSemaphorePermit>,
    mut stopping: watch::Receiver<bool>,
) {
    let timeout = app.config.read_timeout;
    let Some(tls) = app.config.tls.clone() else {
        let io = WriteTimeout::new(stream, timeout);
        let peer = Peer {
            remote,
            secure: false,
        };
        return http(app, io, peer, slot, stopping).await;
    };
    // Before a request starts there is nothing to finish: shutdown simply drops the
    // connection. The peek and the handshake are bounded by the read timeout, as a request
    // head is.
    let mut first = [0u8; 1];
    let peeked = tokio::select! {
        r = tokio::time::timeout(timeout, stream.peek(&mut first)) => r,
        _ = stopping.changed() => return,
    };
    if !matches!(peeked, Ok(Ok(1))) {
        return;
    }
    if first[0] != TLS_HANDSHAKE {
        let io = WriteTimeout::new(stream, timeout);
        let peer = Peer {
            remote,
            secure: false,
        };
        return http(app, io, peer, slot, stopping).await;
    }
    let acceptor = tokio_rustls::TlsAcceptor::from(tls);
    let handshake = tokio::select! {
        r = tokio::time::timeout(timeout, acceptor.accept(WriteTimeout::new(stream, timeout))) => r,
        _ = stopping.changed() => return,
    };
    match handshake {
        Ok(Ok(io)) => {
            let peer = Peer {
                remote,
                secure: true,
            };
            http(app, io, peer, slot, stopping).await
        }
        Ok(Err(e)) => tracing::debug!("TLS handshake with {remote} failed: {e}"),
        Err(_) => tracing::debug!("TLS handshake with {remote} timed out"),
    }
}

/// Serves HTTP/1.1 over `io` until the client or the server closes it. On shutdown a
/// request in flight is finished and answered before the connection closes.
async fn http<I>(
    app: Arc<App>,
    io: I,
    peer: Peer,
    slot: Option<OwnedSemaphorePermit>,
    mut stopping: watch::Receiver<bool>,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let admitted = slot.is_some();
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(app.config.read_timeout)
        .max_headers(MAX_HEADERS)
        .keep_alive(admitted);
    let svc = service_fn(move |req| {
        let app = app.clone();
        async move {
            let resp = match admitted {
                true => edge::handle(&app, req, peer).await,
                false => edge::busy(&app, &req),
            };
            Ok::<_, std::convert::Infallible>(resp)
        }
    });
    let conn = builder.serve_connection(TokioIo::new(io), svc);
    tokio::pin!(conn);
    let ended = tokio::select! {
        r = conn.as_mut() => r,
        _ = stopping.changed() => {
            conn.as_mut().graceful_shutdown();
            conn.as_mut().await
        }
    };
    if let Err(e) = ended {
        tracing::debug!("connection from {} ended: {e}", peer.remote);
    }
    drop(slot);
}

/// A connection whose writes fail once the client has accepted no bytes for `timeout`: a
/// client that stops reading its response cannot hold the connection (and its slot) forever.
/// The clock runs only while a write waits on the client.
struct WriteTimeout<S> {
    inner: S,
    timeout: Duration,
    timer: Pin<Box<tokio::time::Sleep>>,
    waiting: bool,
}

impl<S> WriteTimeout<S> {
    fn new(inner: S, timeout: Duration) -> WriteTimeout<S> {
        WriteTimeout {
            inner,
            timeout,
            timer: Box::pin(tokio::time::sleep(timeout)),
            waiting: false,
        }
    }

    /// What a write, a vectored write or a flush of `inner` answered (`polled`), as this
    /// connection answers it: `Pending` keeps the clock running, anything else stops it.
    fn timed<T>(
        &mut self,
        cx: &mut Context<'_>,
        polled: Poll<std::io::Result<T>>,
    ) -> Poll<std::io::Result<T>> {
        match polled {
            Poll::Pending => self.pending(cx),
            ready => {
                self.waiting = false;
                ready
            }
        }
    }

    /// Turns a write's `Pending` into an error once it has waited `timeout`.
    fn pending<T>(&mut self, cx: &mut Context<'_>) -> Poll<std::io::Result<T>> {
        if !self.waiting {
            self.waiting = true;
            let deadline = tokio::time::Instant::now() + self.timeout;
            self.timer.as_mut().reset(deadline);
        }
        match self.timer.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the client accepted no response bytes within the read timeout",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for WriteTimeout<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for WriteTimeout<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let this = &mut *self;
        let polled = Pin::new(&mut this.inner).poll_write(cx, buf);
        this.timed(cx, polled)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let this = &mut *self;
        let polled = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        this.timed(cx, polled)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let this = &mut *self;
        let polled = Pin::new(&mut this.inner).poll_flush(cx);
        this.timed(cx, polled)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
