//! The limit reference: a bare hyper HTTP/1.1 server that answers every request with a canned
//! S3-like response and does no work — no signature check, no storage, no cryptography.
//! Uploads are drained and discarded; a bucket GET returns a fixed ListObjectsV2 page of 1,000
//! keys, the same size as a real one; a multipart upload gets a canned
//! InitiateMultipartUploadResult, an ETag per part and a canned CompleteMultipartUploadResult
//! and discards the parts; KMS requests (`X-Amz-Target: TrentService.<Op>`) get a
//! canned JSON answer of the size AWS would send ([`kms`]); other JSON 1.1 requests
//! (CloudTrail's `X-Amz-Target`) get `{}`. Large objects (keys under `big/`)
//! are the one exception to "no work": a GET streams a real file from disk, warm in the page
//! cache ([`warm`]), so large GETs are compared with reading a warm file.
//!
//! It shows what this machine, this client and hyper can do at best, so trailstack's figures
//! can be read as a fraction of it. Must not touch: anything on disk but its warm file.

pub mod kms;
pub mod warm;

use crate::body::BenchBody;
use crate::scenario::s3::{KEYS, SMALL};
use bytes::Bytes;
use http::{HeaderMap, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Either};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use kms::Kms;
use std::convert::Infallible;
use std::fmt::Write;
use std::sync::Arc;
use tokio::net::TcpListener;
use warm::{FileBody, WarmFile};

const ETAG: &str = "\"0f343b0931126a20f133d67c2b018a3b\"";
/// The UploadId of every multipart upload, as long as AWS's.
const UPLOAD_ID: &str = "VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZC5iZW5jaC1saW1pdC1zZXJ2ZXItY2FubmVkLXVwbG9hZC1pZA";
const LAST_MODIFIED: &str = "Mon, 06 May 2024 07:08:09 GMT";

/// What the limit server answers with: a canned body, or the warm file.
pub type LimitBody = Either<BenchBody, FileBody>;

/// The canned answers.
pub struct Canned {
    small: Bytes,
    list: Bytes,
    big: WarmFile,
    kms: Kms,
}

impl Canned {
    /// Canned answers; large GETs stream `big`.
    pub fn new(big: WarmFile) -> Self {
        Canned {
            small: Bytes::from(crate::body::generated(SMALL, 1)),
            list: Bytes::from(list_page()),
            big,
            kms: Kms::new(),
        }
    }
}

/// A ListObjectsV2 page of 1,000 keys, as S3 would write it.
fn list_page() -> String {
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>bench-list</Name><Prefix></Prefix><KeyCount>1000</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>",
    );
    for i in 0..KEYS {
        let _ = write!(
            x,
            "<Contents><Key>key/{i:04}</Key><LastModified>2024-05-06T07:08:09.000Z</LastModified><ETag>&quot;0f343b0931126a20f133d67c2b018a3b&quot;</ETag><Size>{SMALL}</Size><StorageClass>STANDARD</StorageClass></Contents>"
        );
    }
    x.push_str("</ListBucketResult>");
    x
}

/// A response with `body` of `len` bytes and the headers every answer carries.
pub(crate) fn response<B>(status: StatusCode, body: B, len: u64) -> Response<B> {
    let mut r = Response::new(body);
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert(
        "x-amz-request-id",
        http::HeaderValue::from_static("0000000000000000"),
    );
    h.insert(
        "server",
        http::HeaderValue::from_static("trailstack-bench-limit"),
    );
    h.insert(http::header::CONTENT_LENGTH, http::HeaderValue::from(len));
    r
}

fn object(canned: &Canned, key: &str, head: bool) -> Response<LimitBody> {
    let (body, len) = match (key.starts_with("big/"), head) {
        (true, false) => (Either::Right(canned.big.body()), canned.big.len()),
        (true, true) => (Either::Left(BenchBody::Empty), canned.big.len()),
        (false, false) => (
            Either::Left(BenchBody::full(canned.small.clone())),
            canned.small.len() as u64,
        ),
        (false, true) => (Either::Left(BenchBody::Empty), canned.small.len() as u64),
    };
    let mut r = response(StatusCode::OK, body, len);
    let h = r.headers_mut();
    h.insert(http::header::ETAG, http::HeaderValue::from_static(ETAG));
    h.insert(
        http::header::LAST_MODIFIED,
        http::HeaderValue::from_static(LAST_MODIFIED),
    );
    h.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("binary/octet-stream"),
    );
    r
}

/// The answer to a PUT (and to anything else not matched): an ETag, and the request's
/// encryption headers echoed as S3 does, so an SSE-KMS answer has its real size.
fn put(request: &HeaderMap) -> Response<BenchBody> {
    let mut r = response(StatusCode::OK, BenchBody::Empty, 0);
    let h = r.headers_mut();
    h.insert(http::header::ETAG, http::HeaderValue::from_static(ETAG));
    for name in [
        "x-amz-server-side-encryption",
        "x-amz-server-side-encryption-aws-kms-key-id",
        "x-amz-server-side-encryption-bucket-key-enabled",
    ] {
        if let Some(v) = request.get(name) {
            h.insert(name, v.clone());
        }
    }
    r
}

/// The answers to CreateMultipartUpload (`POST ?uploads`) and CompleteMultipartUpload
/// (`POST ?uploadId=`) of `key` in `bucket`, made with `format!` and nothing else; UploadPart
/// is a PUT like any other.
fn multipart(bucket: &str, key: &str, complete: bool) -> Response<BenchBody> {
    const HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    const NS: &str = "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"";
    let xml = if complete {
        format!(
            "{HEAD}<CompleteMultipartUploadResult {NS}><Location>http://{bucket}.s3.amazonaws.com/{key}</Location>\
             <Bucket>{bucket}</Bucket><Key>{key}</Key><ETag>&quot;3858f62230ac3c915f300c664312c11f-64&quot;</ETag>\
             </CompleteMultipartUploadResult>"
        )
    } else {
        format!(
            "{HEAD}<InitiateMultipartUploadResult {NS}><Bucket>{bucket}</Bucket><Key>{key}</Key>\
             <UploadId>{UPLOAD_ID}</UploadId></InitiateMultipartUploadResult>"
        )
    };
    let len = xml.len() as u64;
    let mut r = response(StatusCode::OK, BenchBody::full(Bytes::from(xml)), len);
    r.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/xml"),
    );
    r
}

/// Whether the query string `q` has the parameter `name` (with or without a value).
fn has_param(q: &str, name: &str) -> bool {
    q.split('&')
        .any(|p| p.split_once('=').map_or(p, |(n, _)| n) == name)
}

/// The canned answer to `req`; uploads are drained first.
pub async fn answer(canned: &Canned, req: Request<Incoming>) -> Response<LimitBody> {
    let (parts, mut body) = req.into_parts();
    let kms_op = parts
        .headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("TrentService."));
    if let Some(op) = kms_op {
        let mut got = Vec::new();
        while let Some(Ok(frame)) = body.frame().await {
            if let Some(d) = frame.data_ref() {
                got.extend_from_slice(d);
            }
        }
        return canned.kms.answer(op, &got).map(Either::Left);
    }
    while let Some(Ok(_)) = body.frame().await {}
    if parts.headers.contains_key("x-amz-target") {
        // CloudTrail (and any other JSON 1.1 service): an empty JSON object.
        let mut r = response(
            StatusCode::OK,
            BenchBody::full(Bytes::from_static(b"{}")),
            2,
        );
        r.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static(crate::scenario::kms::CONTENT_TYPE),
        );
        return r.map(Either::Left);
    }
    let path = parts.uri.path().trim_start_matches('/');
    let (bucket, key) = match path.split_once('/') {
        Some((b, k)) => (b, Some(k).filter(|k| !k.is_empty())),
        None => (path, None),
    };
    let query = parts.uri.query().unwrap_or("");
    let canned_answer = match (&parts.method, key) {
        (&Method::POST, Some(k)) if has_param(query, "uploads") => multipart(bucket, k, false),
        (&Method::POST, Some(k)) if has_param(query, "uploadId") => multipart(bucket, k, true),
        (&Method::GET, None) => {
            let mut r = response(
                StatusCode::OK,
                BenchBody::full(canned.list.clone()),
                canned.list.len() as u64,
            );
            r.headers_mut().insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("application/xml"),
            );
            r
        }
        (&Method::GET, Some(k)) => return object(canned, k, false),
        (&Method::HEAD, Some(k)) => return object(canned, k, true),
        (&Method::DELETE, _) => response(StatusCode::NO_CONTENT, BenchBody::Empty, 0),
        _ => put(&parts.headers),
    };
    canned_answer.map(Either::Left)
}

/// Serves `canned` on `listener` forever.
pub async fn serve(listener: TcpListener, canned: Canned) {
    let canned = Arc::new(canned);
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        let canned = canned.clone();
        tokio::spawn(async move {
            let svc = service_fn(move |req| {
                let canned = canned.clone();
                async move { Ok::<_, Infallible>(answer(&canned, req).await) }
            });
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), svc)
                .await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_page_is_realistic() {
        let page = list_page();
        assert_eq!(page.matches("<Contents>").count(), KEYS);
        assert!(page.len() > KEYS * 150);
    }

    #[test]
    fn multipart_answers_name_the_upload() {
        assert!(has_param("uploads=", "uploads"));
        assert!(has_param("uploads", "uploads"));
        assert!(has_param("partNumber=1&uploadId=x", "uploadId"));
        assert!(!has_param("list-type=2", "uploads"));
        let created = multipart("bench", "big/k", false);
        let BenchBody::Full(Some(body)) = created.body() else {
            panic!("a body")
        };
        let xml = String::from_utf8_lossy(body);
        assert_eq!(
            crate::client::element(&xml, "UploadId").as_deref(),
            Some(UPLOAD_ID)
        );
        let done = multipart("bench", "big/k", true);
        let BenchBody::Full(Some(body)) = done.body() else {
            panic!("a body")
        };
        assert!(String::from_utf8_lossy(body).contains("<CompleteMultipartUploadResult"));
        assert_eq!(
            done.headers()[http::header::CONTENT_LENGTH],
            body.len().to_string()
        );
    }

    #[test]
    fn a_put_echoes_its_encryption_headers() {
        let mut req = HeaderMap::new();
        req.insert("x-amz-server-side-encryption", "aws:kms".parse().unwrap());
        req.insert(
            "x-amz-server-side-encryption-aws-kms-key-id",
            "arn:k".parse().unwrap(),
        );
        let r = put(&req);
        assert_eq!(r.headers()["x-amz-server-side-encryption"], "aws:kms");
        assert_eq!(
            r.headers()["x-amz-server-side-encryption-aws-kms-key-id"],
            "arn:k"
        );
        assert!(r
            .headers()
            .get("x-amz-server-side-encryption-bucket-key-enabled")
            .is_none());
        assert!(r.headers().contains_key(http::header::ETAG));
    }
}
