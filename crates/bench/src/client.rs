//! One signed request at a time, answers checked and kept, for work outside the closed loop:
//! the setup of the trail measurements, the probes of `trail-latency`, and the delivery
//! benchmark's checks. Also the few S3 answers they read (ListObjectsV2 keys and sizes, an
//! element of an XML answer such as a multipart UploadId) and the gunzip of a log file.
//!
//! Must not touch: timing of the closed loop (see `runner`).

use crate::conn::Conn;
use crate::runner::Endpoint;
use crate::sign::Signer;
use crate::spec::{Expect, Spec};
use crate::{ACCESS_KEY, REGION, SECRET_KEY};
use bytes::Bytes;
use http::{HeaderMap, Method};
use std::io::Read;
use std::time::Duration;

/// A client on one connection.
pub struct Client {
    ep: Endpoint,
    conn: Conn,
    signer: Signer,
}

/// One object of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// The key.
    pub key: String,
    /// Its size in bytes.
    pub size: u64,
}

impl Client {
    /// A client of `ep`, signing as the bench's access key.
    pub fn new(ep: &Endpoint) -> Client {
        Client {
            ep: ep.clone(),
            conn: Conn::new(ep.addr),
            signer: Signer::new(ACCESS_KEY, SECRET_KEY, REGION),
        }
    }

    /// Sends `spec` and returns the answer's headers and body; `Err` (quoting the answer) when
    /// it does not meet the spec's [`Expect`].
    pub async fn send(&mut self, spec: Spec) -> Result<(HeaderMap, Bytes), String> {
        let expect = spec.expect;
        let what = spec.what();
        let req = spec.into_request(&self.ep.host, &mut self.signer);
        let (a, headers, body) =
            tokio::time::timeout(Duration::from_secs(600), self.conn.send_full(req))
                .await
                .map_err(|_| format!("{what}: no answer"))?
                .map_err(|e| format!("{what}: {e}"))?;
        expect.check(a.status, a.body_len).map_err(|e| {
            format!(
                "{what}: {e}: {}",
                String::from_utf8_lossy(&body[..body.len().min(400)])
            )
        })?;
        Ok((headers, body))
    }

    /// Every object of `bucket` (ListObjectsV2, all pages).
    pub async fn list(&mut self, bucket: &str) -> Result<Vec<Listed>, String> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let query = match &token {
                None => "list-type=2".to_owned(),
                Some(t) => format!("continuation-token={}&list-type=2", encode(t)),
            };
            let spec = Spec::s3(Method::GET, format!("/{bucket}"), &query, Expect::OK);
            let (_, body) = self.send(spec).await?;
            let text = String::from_utf8_lossy(&body);
            for c in elements(&text, "Contents") {
                let key = elements(c, "Key").next().unwrap_or_default();
                let size = elements(c, "Size").next().unwrap_or("0");
                out.push(Listed {
                    key: unescape(key),
                    size: size.parse().unwrap_or(0),
                });
            }
            token = elements(&text, "NextContinuationToken")
                .next()
                .map(str::to_owned);
            if token.is_none() {
                return Ok(out);
            }
        }
    }

    /// GetObject of `bucket/key` with its headers.
    pub async fn get(&mut self, bucket: &str, key: &str) -> Result<(HeaderMap, Bytes), String> {
        let path = format!("/{bucket}/{}", encode_path(key));
        self.send(Spec::s3(Method::GET, path, "", Expect::OK)).await
    }
}

/// The text of the first `<name>…</name>` in `xml`, entities undone (an answer's UploadId).
pub fn element(xml: &str, name: &str) -> Option<String> {
    elements(xml, name).next().map(unescape)
}

/// The texts of every `<name>…</name>` in `xml`, in order (no nesting of the same name).
fn elements<'a>(xml: &'a str, name: &str) -> impl Iterator<Item = &'a str> + 'a {
    let (open, close) = (format!("<{name}>"), format!("</{name}>"));
    let mut rest = xml;
    std::iter::from_fn(move || {
        let start = rest.find(&open)? + open.len();
        let len = rest[start..].find(&close)?;
        let found = &rest[start..start + len];
        rest = &rest[start + len + close.len()..];
        Some(found)
    })
}

/// The XML entities S3 writes in keys, undone.
fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Percent-encoding of everything but unreserved characters (a query value).
pub fn encode(s: &str) -> String {
    trailstack_sigv4::uri_encode(s.as_bytes())
}

/// Percent-encoding of a key as a path: `/` kept.
pub fn encode_path(key: &str) -> String {
    key.split('/').map(encode).collect::<Vec<_>>().join("/")
}

/// The gunzipped `body`.
pub fn gunzip(body: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(body)
        .read_to_end(&mut out)
        .map_err(|e| format!("gunzip: {e}"))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_listing() {
        let xml = "<ListBucketResult><Contents><Key>a&amp;b</Key><Size>12</Size></Contents>\
                   <Contents><Key>c/d</Key><Size>3</Size></Contents>\
                   <NextContinuationToken>x+y=</NextContinuationToken></ListBucketResult>";
        let keys: Vec<&str> = elements(xml, "Contents")
            .flat_map(|c| elements(c, "Key"))
            .collect();
        assert_eq!(keys, ["a&amp;b", "c/d"]);
        assert_eq!(unescape(keys[0]), "a&b");
        assert_eq!(element(xml, "Key").as_deref(), Some("a&b"));
        assert_eq!(element(xml, "UploadId"), None);
        assert_eq!(encode("x+y="), "x%2By%3D");
        assert_eq!(encode_path("a b/c"), "a%20b/c");
    }
}
