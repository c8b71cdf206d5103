//! Raw HTTP/1.1 requests for what SDKs won't send: building, signing (header or presigned) and
//! reading the response off the wire, heads written and read by hand on a kept-alive
//! connection, and XML values picked out of a body.

use super::{host_of, Server};

/// A response read off the wire by [`Raw::send`].
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RawResponse {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The text of the first `<tag>` element in the body (not unescaped).
    pub fn xml(&self, tag: &str) -> Option<String> {
        xml_value(&self.text(), tag)
    }

    /// Asserts the answer is the XML error `code` with HTTP `status`.
    pub fn assert_code(&self, status: u16, code: &str) {
        assert_eq!(
            (self.status, self.xml("Code").as_deref()),
            (status, Some(code)),
            "{}",
            self.text()
        );
    }

    /// Asserts the answer is the XML error `code` with HTTP `status` and `message`.
    pub fn assert_error_message(&self, status: u16, code: &str, message: &str) {
        self.assert_code(status, code);
        assert_eq!(self.xml("Message").as_deref(), Some(message));
    }
}

/// The text of the first `<tag>` element of `doc` (not unescaped).
pub fn xml_value(doc: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let start = doc.find(&open)? + open.len();
    let end = start + doc[start..].find(&close)?;
    Some(doc[start..end].to_string())
}

/// The texts of every `<tag>` element of `doc`, in order (not unescaped).
pub fn xml_values(doc: &str, tag: &str) -> Vec<String> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let mut out = Vec::new();
    let mut rest = doc;
    while let Some(i) = rest.find(&open) {
        let after = &rest[i + open.len()..];
        let Some(j) = after.find(&close) else { break };
        out.push(after[..j].to_string());
        rest = &after[j + close.len()..];
    }
    out
}

/// A raw HTTP/1.1 request, for what SDKs won't send. Headers go out exactly as given.
#[derive(Debug, Clone)]
pub struct Raw {
    pub method: String,
    /// Path as sent (already percent-encoded).
    pub path: String,
    /// Query as sent (already encoded), without '?'.
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Wait for `100 Continue` before sending the body.
    pub expect_continue: bool,
}

/// Signing credentials and time for [`Raw::sign`].
pub struct Signer<'a> {
    pub access_key: &'a str,
    pub secret: &'a str,
    pub time: time::OffsetDateTime,
}

impl Signer<'_> {
    /// The default test credentials, signing now.
    pub fn now() -> Signer<'static> {
        Signer::at(time::OffsetDateTime::now_utc())
    }

    /// The default test credentials, signing at `time`.
    pub fn at(time: time::OffsetDateTime) -> Signer<'static> {
        Signer {
            access_key: "test",
            secret: "test",
            time,
        }
    }

    pub fn params(&self) -> trailstack_sigv4::SigningParams<'_> {
        trailstack_sigv4::SigningParams {
            access_key: self.access_key,
            secret_key: self.secret,
            region: "us-east-1",
            service: "s3",
            time: self.time,
        }
    }

    /// The chunk signer of a request whose seed signature is `seed`.
    pub fn chunk_signer(&self, seed: &str) -> trailstack_sigv4::ChunkSigner {
        let amz = trailstack_sigv4::format_amz_date(self.time);
        let scope = trailstack_sigv4::Scope {
            date: amz[..8].to_string(),
            region: "us-east-1".into(),
            service: "s3".into(),
        };
        trailstack_sigv4::ChunkSigner {
            signing_key: trailstack_sigv4::derive_signing_key(self.secret, &scope),
            amz_date_raw: amz,
            scope,
            seed_signature: seed.to_string(),
        }
    }
}

impl Raw {
    /// A request for `path_and_query` (raw, encoded) to server `s`, with its Host header.
    pub fn new(s: &Server, method: &str, path_and_query: &str) -> Raw {
        let (path, query) = path_and_query
            .split_once('?')
            .unwrap_or((path_and_query, ""));
        Raw {
            method: method.into(),
            path: path.into(),
            query: query.into(),
            headers: vec![("host".into(), host_of(s))],
            body: Vec::new(),
            expect_continue: false,
        }
    }

    /// Adds (or replaces) a header.
    pub fn header(mut self, name: &str, value: &str) -> Raw {
        self.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
        self.headers.push((name.to_ascii_lowercase(), value.into()));
        self
    }

    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Raw {
        self.body = body.into();
        self
    }

    /// Signs with an Authorization header over every header present, adding x-amz-date and
    /// x-amz-content-sha256 (`payload_hash`, or the body's SHA-256 when None). Returns the
    /// request and its signature (the seed of a signed aws-chunked body).
    pub fn sign_with(self, signer: &Signer, payload_hash: Option<&str>) -> (Raw, String) {
        let hash = payload_hash
            .map(str::to_string)
            .unwrap_or_else(|| trailstack_sigv4::sha256_hex(&self.body));
        let mut r = self
            .header(
                "x-amz-date",
                &trailstack_sigv4::format_amz_date(signer.time),
            )
            .header("x-amz-content-sha256", &hash);
        let sig = r.signature(&signer.params(), &hash);
        r = r.header("authorization", &sig.authorization);
        (r, sig.signature)
    }

    /// The SigV4 signature of the request as it stands (every header present signed) by
    /// `params`, over the payload hash `hash`.
    pub fn signature(
        &self,
        params: &trailstack_sigv4::SigningParams,
        hash: &str,
    ) -> trailstack_sigv4::HeaderSignature {
        trailstack_sigv4::sign_request_header(&self.parts(&self.header_refs()), params, hash)
    }

    fn header_refs(&self) -> Vec<(&str, &str)> {
        self.headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }

    fn parts<'a>(
        &'a self,
        headers: &'a [(&'a str, &'a str)],
    ) -> trailstack_sigv4::RequestParts<'a> {
        trailstack_sigv4::RequestParts {
            method: &self.method,
            raw_path: &self.path,
            raw_query: &self.query,
            headers,
        }
    }

    /// Signs with the default credentials, now, over the body's SHA-256.
    pub fn signed(self) -> Raw {
        self.sign_with(&Signer::now(), None).0
    }

    /// Presigns (query auth) for `expires` seconds.
    pub fn presigned(mut self, signer: &Signer, expires: u64) -> Raw {
        let refs = self.header_refs();
        let q = trailstack_sigv4::presign_query(&self.parts(&refs), &signer.params(), expires);
        self.query = q;
        self
    }

    /// Signs with the default credentials, now, and sends.
    pub async fn send_signed(self, s: &Server) -> RawResponse {
        self.signed().send(s).await
    }

    /// Sends the request on a fresh connection (closed after the response) and reads the
    /// response. Adds Content-Length unless a length or Transfer-Encoding header is present.
    pub async fn send(&self, s: &Server) -> RawResponse {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut stream = tokio::net::TcpStream::connect(host_of(s)).await.unwrap();
        let target = if self.query.is_empty() {
            self.path.clone()
        } else {
            format!("{}?{}", self.path, self.query)
        };
        let mut head = format!("{} {target} HTTP/1.1\r\n", self.method);
        let has = |n: &str| self.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(n));
        for (k, v) in &self.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        if !has("content-length") && !has("transfer-encoding") {
            head.push_str(&format!("content-length: {}\r\n", self.body.len()));
        }
        head.push_str("connection: close\r\n\r\n");
        stream.write_all(head.as_bytes()).await.unwrap();
        let mut buf = Vec::new();
        if self.expect_continue {
            // Read the interim response before sending the body.
            let mut tmp = [0u8; 1024];
            loop {
                let n = stream.read(&mut tmp).await.unwrap();
                assert!(n > 0, "closed before 100 Continue");
                buf.extend_from_slice(&tmp[..n]);
                if let Some(end) = find(&buf, b"\r\n\r\n") {
                    let interim = String::from_utf8_lossy(&buf[..end]).into_owned();
                    assert!(interim.starts_with("HTTP/1.1 100"), "{interim}");
                    buf.drain(..end + 4);
                    break;
                }
            }
        }
        // The server may answer before reading the whole body; ignore write errors.
        let _ = stream.write_all(&self.body).await;
        let _ = stream.flush().await;
        let mut tmp = vec![0u8; 64 * 1024];
        loop {
            match stream.read(&mut tmp).await {
                Ok(0) => break,
                Ok(n) => buf.extend_from_slice(&tmp[..n]),
                // A reset after the response arrived (the server closed with body unread).
                Err(_) if !buf.is_empty() => break,
                Err(e) => panic!("reading response: {e}"),
            }
        }
        parse_response(&buf, self.method == "HEAD")
    }
}

/// Writes the head of `req` on a kept-alive `stream` as it is (no `connection: close`, no
/// Content-Length added), for tests that drive one connection by hand.
pub async fn write_head(stream: &mut tokio::net::TcpStream, req: &Raw) {
    use tokio::io::AsyncWriteExt;
    let mut head = format!("{} {} HTTP/1.1\r\n", req.method, req.path);
    for (k, v) in &req.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
}

/// Reads one response head (up to its blank line) from `stream`, leaving any body unread.
pub async fn read_head(stream: &mut tokio::net::TcpStream) -> String {
    use tokio::io::AsyncReadExt;
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        let n = stream.read(&mut byte).await.unwrap();
        assert_eq!(n, 1, "connection closed inside a response head: {head:?}");
        head.push(byte[0]);
    }
    String::from_utf8(head).unwrap()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn parse_response(buf: &[u8], head: bool) -> RawResponse {
    let end = find(buf, b"\r\n\r\n").expect("response head");
    let text = String::from_utf8_lossy(&buf[..end]).into_owned();
    let mut lines = text.split("\r\n");
    let status_line = lines.next().unwrap();
    let status = status_line.split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let rest = &buf[end + 4..];
    let chunked = headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.eq_ignore_ascii_case("chunked"));
    let body = if head {
        Vec::new()
    } else if chunked {
        let mut out = Vec::new();
        let mut r = rest;
        while let Some(i) = find(r, b"\r\n") {
            let size_line = String::from_utf8_lossy(&r[..i]).into_owned();
            let size =
                usize::from_str_radix(size_line.split(';').next().unwrap().trim(), 16).unwrap();
            if size == 0 {
                break;
            }
            out.extend_from_slice(&r[i + 2..i + 2 + size]);
            r = &r[i + 2 + size + 2..];
        }
        out
    } else {
        rest.to_vec()
    };
    RawResponse {
        status,
        headers,
        body,
    }
}
