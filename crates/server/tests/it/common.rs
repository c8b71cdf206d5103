//! The test server and clients.

use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use std::path::PathBuf;
use std::sync::Arc;
use trailstack_core::SystemClock;
use trailstack_server::config::Config;
use trailstack_server::{serve, App};

/// A running in-process server.
pub struct Server {
    pub endpoint: String,
    /// The services behind the port, for calls tests make in-process (ports, ticks).
    pub app: Arc<App>,
    pub dir: tempfile::TempDir,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Server {
    /// Starts a server over a fresh data dir.
    pub async fn start() -> Server {
        let dir = tempfile::tempdir().unwrap();
        Self::start_in(dir).await
    }

    /// Starts a server over `dir` (for restart tests).
    pub async fn start_in(dir: tempfile::TempDir) -> Server {
        Self::start_configured(dir, |_| {}).await
    }

    /// Starts a server over a fresh data dir with its configuration adjusted by `adjust`.
    pub async fn start_configured(
        dir: tempfile::TempDir,
        adjust: impl FnOnce(&mut Config),
    ) -> Server {
        Self::start_clocked(dir, Arc::new(SystemClock), adjust).await
    }

    /// Starts a server over `dir` whose services read `clock`, with its configuration
    /// adjusted by `adjust`.
    pub async fn start_clocked(
        dir: tempfile::TempDir,
        clock: Arc<dyn trailstack_core::Clock>,
        adjust: impl FnOnce(&mut Config),
    ) -> Server {
        let mut config = Config::load(
            None,
            Some("127.0.0.1:0".into()),
            Some(dir.path().join("data")),
            None,
        )
        .unwrap();
        adjust(&mut config);
        let app = Arc::new(App::open(config, clock).unwrap());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(serve(listener, app.clone(), async move {
            let _ = rx.await;
        }));
        Server {
            endpoint: format!("http://{addr}"),
            app,
            dir,
            stop: Some(tx),
        }
    }

    /// Stops the server and returns its data dir.
    pub fn stop(mut self) -> tempfile::TempDir {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        let dir = tempfile::tempdir().unwrap();
        std::mem::replace(&mut self.dir, dir)
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// An S3 client with the default credentials.
    pub fn s3(&self) -> aws_sdk_s3::Client {
        self.s3_with("test", "test")
    }

    /// An S3 client with the given credentials.
    pub fn s3_with(&self, key: &str, secret: &str) -> aws_sdk_s3::Client {
        let conf = aws_sdk_s3::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .endpoint_url(&self.endpoint)
            .force_path_style(true)
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new(key, secret, None, None, "test"))
            .build();
        aws_sdk_s3::Client::from_conf(conf)
    }

    /// A client with a bucket already created.
    pub async fn with_bucket(&self, name: &str) -> aws_sdk_s3::Client {
        let c = self.s3();
        c.create_bucket().bucket(name).send().await.unwrap();
        c
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

/// The AWS error code of an SDK error.
pub fn code<E: aws_sdk_s3::error::ProvideErrorMetadata, R>(
    e: &aws_sdk_s3::error::SdkError<E, R>,
) -> String {
    e.as_service_error()
        .and_then(|s| s.code())
        .unwrap_or("<none>")
        .to_string()
}

/// The HTTP status of an SDK error.
pub fn status<E>(
    e: &aws_sdk_s3::error::SdkError<E, aws_sdk_s3::config::http::HttpResponse>,
) -> u16 {
    e.raw_response().map(|r| r.status().as_u16()).unwrap_or(0)
}

/// Collects a GetObject body.
pub async fn body_bytes(out: aws_sdk_s3::operation::get_object::GetObjectOutput) -> Vec<u8> {
    out.body.collect().await.unwrap().into_bytes().to_vec()
}

/// Deterministic pseudo-random bytes.
pub fn data(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// `host:port` of a running server.
pub fn host_of(s: &Server) -> String {
    s.endpoint.trim_start_matches("http://").to_string()
}

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
        Signer {
            access_key: "test",
            secret: "test",
            time: time::OffsetDateTime::now_utc(),
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
        let sig = {
            let refs: Vec<(&str, &str)> = r
                .headers
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let parts = trailstack_sigv4::RequestParts {
                method: &r.method,
                raw_path: &r.path,
                raw_query: &r.query,
                headers: &refs,
            };
            trailstack_sigv4::sign_request_header(&parts, &signer.params(), &hash)
        };
        r = r.header("authorization", &sig.authorization);
        (r, sig.signature)
    }

    /// Signs with the default credentials, now, over the body's SHA-256.
    pub fn signed(self) -> Raw {
        self.sign_with(&Signer::now(), None).0
    }

    /// Presigns (query auth) for `expires` seconds.
    pub fn presigned(mut self, signer: &Signer, expires: u64) -> Raw {
        let refs: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let parts = trailstack_sigv4::RequestParts {
            method: &self.method,
            raw_path: &self.path,
            raw_query: &self.query,
            headers: &refs,
        };
        let q = trailstack_sigv4::presign_query(&parts, &signer.params(), expires);
        self.query = q;
        self
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

impl Server {
    /// A KMS client with the default credentials.
    pub fn kms(&self) -> aws_sdk_kms::Client {
        let conf = aws_sdk_kms::Config::builder()
            .behavior_version(aws_sdk_kms::config::BehaviorVersion::latest())
            .endpoint_url(&self.endpoint)
            .region(aws_sdk_kms::config::Region::new("us-east-1"))
            .credentials_provider(aws_sdk_kms::config::Credentials::new(
                "test", "test", None, None, "test",
            ))
            .build();
        aws_sdk_kms::Client::from_conf(conf)
    }
}

/// The AWS error code of a KMS SDK error.
pub fn kms_code<E: aws_sdk_kms::error::ProvideErrorMetadata, R>(
    e: &aws_sdk_kms::error::SdkError<E, R>,
) -> String {
    e.as_service_error()
        .and_then(|s| s.code())
        .unwrap_or("<none>")
        .to_string()
}

impl Server {
    /// A CloudTrail client with the default credentials.
    pub fn cloudtrail(&self) -> aws_sdk_cloudtrail::Client {
        cloudtrail_at(&self.endpoint)
    }
}

/// A CloudTrail client for the server at `endpoint`, with the default credentials.
pub fn cloudtrail_at(endpoint: &str) -> aws_sdk_cloudtrail::Client {
    let conf = aws_sdk_cloudtrail::Config::builder()
        .behavior_version(aws_sdk_cloudtrail::config::BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(aws_sdk_cloudtrail::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_cloudtrail::config::Credentials::new(
            "test", "test", None, None, "test",
        ))
        .build();
    aws_sdk_cloudtrail::Client::from_conf(conf)
}

/// The AWS error code of a CloudTrail SDK error.
pub fn ct_code<E: aws_sdk_cloudtrail::error::ProvideErrorMetadata, R>(
    e: &aws_sdk_cloudtrail::error::SdkError<E, R>,
) -> String {
    e.as_service_error()
        .and_then(|s| s.code())
        .unwrap_or("<none>")
        .to_string()
}

/// The account of the default credentials.
pub const ACCOUNT: &str = "000000000000";

/// The ARN of trail `name` homed in us-east-1 of the default account.
pub fn trail_arn(name: &str) -> String {
    format!("arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/{name}")
}

/// The bucket policy CloudTrail requires (docs/aws/cloudtrail-delivery.md §C.2) for the trails
/// `trails` delivering to `bucket` without a prefix.
pub fn cloudtrail_bucket_policy(bucket: &str, trails: &[&str]) -> String {
    let arns: Vec<String> = trails.iter().map(|t| trail_arn(t)).collect();
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "AWSCloudTrailAclCheck20150319", "Effect": "Allow",
             "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "s3:GetBucketAcl", "Resource": format!("arn:aws:s3:::{bucket}"),
             "Condition": {"StringEquals": {"aws:SourceArn": arns}}},
            {"Sid": "AWSCloudTrailWrite20150319", "Effect": "Allow",
             "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "s3:PutObject",
             "Resource": format!("arn:aws:s3:::{bucket}/*AWSLogs/{ACCOUNT}/*"),
             "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control",
                                            "aws:SourceArn": arns}}}
        ]
    })
    .to_string()
}

/// A key policy with the account's root statement and the statements CloudTrail requires
/// (docs/aws/cloudtrail-delivery.md §C.3) for the trails `trails`.
pub fn cloudtrail_key_policy(trails: &[&str]) -> String {
    let arns: Vec<String> = trails.iter().map(|t| trail_arn(t)).collect();
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
             "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")},
             "Action": "kms:*", "Resource": "*"},
            {"Sid": "Allow CloudTrail to encrypt logs", "Effect": "Allow",
             "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "kms:GenerateDataKey*", "Resource": "*",
             "Condition": {
                 "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn":
                                [format!("arn:aws:cloudtrail:*:{ACCOUNT}:trail/*")]},
                 "StringEquals": {"aws:SourceArn": arns}}},
            {"Sid": "Allow CloudTrail access", "Effect": "Allow",
             "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "kms:DescribeKey", "Resource": "*",
             "Condition": {"StringEquals": {"aws:SourceArn": arns}}}
        ]
    })
    .to_string()
}

/// Creates `bucket` with the bucket policy CloudTrail requires for `trails`.
pub async fn trail_bucket(s: &Server, bucket: &str, trails: &[&str]) {
    let c = s.with_bucket(bucket).await;
    c.put_bucket_policy()
        .bucket(bucket)
        .policy(cloudtrail_bucket_policy(bucket, trails))
        .send()
        .await
        .unwrap();
}

/// The records waiting in `trail`'s outbox for us-east-1, oldest first.
pub fn outbox(s: &Server, trail: &str) -> Vec<serde_json::Value> {
    let arn = trail_arn(trail);
    s.app
        .db
        .read(|c| trailstack_cloudtrail::model::outbox::pending(c, &arn, "us-east-1", 10_000))
        .unwrap()
        .into_iter()
        .map(|p| serde_json::from_str(&p.record_json).unwrap())
        .collect()
}
