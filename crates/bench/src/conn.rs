//! One HTTP/1.1 client connection per worker, on hyper's low-level `client::conn::http1`.
//! Reconnects when the server closes (moto's server may answer `Connection: close`), and
//! retries a request once when hyper hands it back unsent on a connection found closed.
//!
//! Must not touch: signing or timing; it sends what it is given and reports status and body
//! length (and, for setup and latency probes, the body and headers).

use crate::body::BenchBody;
use bytes::Bytes;
use http::{HeaderMap, Request, Version};
use http_body_util::BodyExt;
use hyper::client::conn::http1::{self, SendRequest};
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpStream;

/// How a response ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// Body bytes received (drained and discarded).
    pub body_len: u64,
}

/// A client connection that reconnects on demand.
pub struct Conn {
    addr: SocketAddr,
    sender: Option<SendRequest<BenchBody>>,
    /// TCP connections opened so far.
    pub opened: u64,
}

impl Conn {
    /// A connection to `addr`, opened at the first request.
    pub fn new(addr: SocketAddr) -> Self {
        Conn {
            addr,
            sender: None,
            opened: 0,
        }
    }

    async fn open(&mut self) -> Result<(), String> {
        let stream = tokio::time::timeout(Duration::from_secs(10), TcpStream::connect(self.addr))
            .await
            .map_err(|_| format!("connect to {} timed out", self.addr))?
            .map_err(|e| format!("connect to {}: {e}", self.addr))?;
        let _ = stream.set_nodelay(true);
        let (sender, conn) = http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| format!("handshake: {e}"))?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        self.opened += 1;
        self.sender = Some(sender);
        Ok(())
    }

    /// A sender ready for the next request, opening a connection if there is none usable.
    async fn ready(&mut self) -> Result<&mut SendRequest<BenchBody>, String> {
        if let Some(s) = self.sender.as_mut() {
            if s.is_closed() || s.ready().await.is_err() {
                self.sender = None;
            }
        }
        if self.sender.is_none() {
            self.open().await?;
        }
        self.sender
            .as_mut()
            .ok_or_else(|| "no connection".to_string())
    }

    /// Sends `req`, drains the response body, and returns status and body length.
    pub async fn send(&mut self, req: Request<BenchBody>) -> Result<Answer, String> {
        self.exchange(req, None).await
    }

    /// Sends `req` and returns status, body length and the body itself (for setup requests
    /// whose answers later requests need, such as a KMS key id).
    pub async fn send_keep(&mut self, req: Request<BenchBody>) -> Result<(Answer, Bytes), String> {
        let (a, _, body) = self.send_full(req).await?;
        Ok((a, body))
    }

    /// Sends `req` and returns status, body length, the response headers and the body (for
    /// measurements that need an answer's request id).
    pub async fn send_full(
        &mut self,
        req: Request<BenchBody>,
    ) -> Result<(Answer, HeaderMap, Bytes), String> {
        let mut kept = (HeaderMap::new(), Vec::new());
        let a = self.exchange(req, Some(&mut kept)).await?;
        Ok((a, kept.0, Bytes::from(kept.1)))
    }

    async fn exchange(
        &mut self,
        mut req: Request<BenchBody>,
        mut keep: Option<&mut (HeaderMap, Vec<u8>)>,
    ) -> Result<Answer, String> {
        for attempt in 0..2 {
            let sender = self.ready().await?;
            match sender.try_send_request(req).await {
                Ok(resp) => {
                    let closing = closes(&resp);
                    let status = resp.status().as_u16();
                    if let Some(k) = keep.as_deref_mut() {
                        k.0 = resp.headers().clone();
                    }
                    let mut body = resp.into_body();
                    let mut body_len = 0u64;
                    while let Some(frame) = body.frame().await {
                        let frame = frame.map_err(|e| {
                            self.sender = None;
                            format!("reading body: {e}")
                        })?;
                        if let Some(d) = frame.data_ref() {
                            body_len += d.len() as u64;
                            if let Some(k) = keep.as_deref_mut() {
                                k.1.extend_from_slice(d);
                            }
                        }
                    }
                    if closing {
                        self.sender = None;
                    }
                    return Ok(Answer { status, body_len });
                }
                Err(mut e) => {
                    self.sender = None;
                    match e.take_message() {
                        Some(back) if attempt == 0 => req = back,
                        _ => return Err(format!("request: {}", e.into_error())),
                    }
                }
            }
        }
        Err("request: connection closed twice".into())
    }
}

/// Whether the server will close the connection after this response.
fn closes<B>(resp: &http::Response<B>) -> bool {
    let conn = resp
        .headers()
        .get(http::header::CONNECTION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_ascii_lowercase);
    match conn.as_deref() {
        Some(v) if v.contains("close") => true,
        Some(v) if v.contains("keep-alive") => false,
        _ => resp.version() == Version::HTTP_10,
    }
}
