//! The soak test: many connections of mixed traffic against one trailstack for a long while,
//! checking that it keeps answering correctly and that its file descriptors and memory stay
//! flat. Each connection runs cycles of S3 (PUT, GET, HEAD, LIST, DELETE; SSE-KMS PUTs; now
//! and then a multipart upload), KMS (Encrypt, Decrypt of what it answered, GenerateDataKey)
//! and CloudTrail (LookupEvents) calls, while a trail logs every management event and delivers
//! every `--delivery-interval`.
//!
//! Errors: every request has one expected status. Some are errors on purpose (a GET after the
//! DELETE: 404; a Decrypt of garbage: 400; a GET in a bucket that does not exist: 404) and are
//! counted as provoked; any other outcome (wrong status, wrong body, timeout, lost connection)
//! is an error and fails the soak.
//!
//! Growth: RSS (`VmRSS`) and open descriptors (`/proc/PID/fd`) are read after a warm-up and at
//! the end, each time with every worker between cycles and every connection still open, so
//! the two readings see the same work in flight (none). The server runs with [`SERVER_ENV`],
//! so that RSS tracks what it holds rather than its allocator's arenas. The tolerance is
//! absolute, so a longer soak (600 s nightly) finds slower leaks.
//!
//! Must not touch: server internals; it speaks HTTP and reads `/proc`.

use crate::conn::Conn;
use crate::procstat;
use crate::runner::Endpoint;
use crate::scenario::cloudtrail::{
    bucket_policy, create_trail, ct_request, put_bucket_policy, start_logging,
};
use crate::scenario::kms::{create_key, field, json_request};
use crate::scenario::s3::create_bucket;
use crate::sign::Signer;
use crate::spec::{hash_of, Expect, Spec};
use crate::{body::generated, body::BenchBody, ACCESS_KEY, REGION, SECRET_KEY};
use base64::Engine;
use bytes::Bytes;
use http::{HeaderMap, Method};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The environment the soaked server runs with. glibc gives threads their own malloc arenas
/// (up to eight per core), each keeping its own high-water mark: under 256 connections the
/// server's RSS climbs for minutes (measured here: 67 -> 127 MiB in the first 60 s, levelling
/// off near 140 MiB) as ever more threads touch ever more arenas, which would mask a leak or
/// pass for one. With two arenas, RSS follows what the server holds (48 -> 61 MiB over 120 s).
pub const SERVER_ENV: &[(&str, &str)] = &[("MALLOC_ARENA_MAX", "2")];
/// The bucket the workers write to.
pub const BUCKET: &str = "soak";
/// The bucket the soak's trail delivers to.
pub const LOG_BUCKET: &str = "soak-logs";
/// The soak's trail.
pub const TRAIL: &str = "soak";
/// Bytes of each object and of each Encrypt's plaintext.
const OBJECT: usize = 1024;
/// A request slower than this is an error.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// How long and how hard to soak, and what growth is tolerated.
#[derive(Debug, Clone)]
pub struct Options {
    /// Measured duration (after the warm-up).
    pub duration: Duration,
    /// Warm-up before the first reading.
    pub warmup: Duration,
    /// Concurrent connections, one worker each.
    pub connections: usize,
    /// RSS growth tolerated, in MiB, on top of [`Options::rss_growth_percent`].
    pub rss_growth_mib: u64,
    /// RSS growth tolerated, in percent of the reading after warm-up.
    pub rss_growth_percent: u64,
    /// Open descriptors tolerated beyond the reading after warm-up.
    pub fd_slack: usize,
}

/// What a soak measured.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Requests answered in the measured phase.
    pub requests: u64,
    /// Unexpected outcomes in the measured phase.
    pub errors: u64,
    /// Expected error answers (provoked) in the measured phase.
    pub provoked: u64,
    /// The first unexpected outcomes, for the log.
    pub first_errors: Vec<String>,
    /// Length of the measured phase.
    pub elapsed: Duration,
    /// VmRSS after warm-up and at the end, in bytes.
    pub rss: (u64, u64),
    /// Open descriptors after warm-up and at the end.
    pub fds: (usize, usize),
    /// Errors of the warm-up (they fail the soak too).
    pub warmup_errors: u64,
}

impl Report {
    /// RSS growth allowed by `opts` from the warm-up reading.
    pub fn rss_allowance(&self, opts: &Options) -> u64 {
        (opts.rss_growth_mib << 20) + self.rss.0 * opts.rss_growth_percent / 100
    }

    /// Why the soak failed, if it did.
    pub fn failures(&self, opts: &Options) -> Vec<String> {
        let mut out = Vec::new();
        if self.errors + self.warmup_errors > 0 {
            out.push(format!(
                "{} unexpected outcomes ({} in warm-up); first: {}",
                self.errors + self.warmup_errors,
                self.warmup_errors,
                self.first_errors.join(" | ")
            ));
        }
        if self.requests == 0 {
            out.push("no request was answered".into());
        }
        if self.rss.1 > self.rss.0 + self.rss_allowance(opts) {
            out.push(format!(
                "RSS grew from {} to {} (allowed: +{})",
                mib(self.rss.0),
                mib(self.rss.1),
                mib(self.rss_allowance(opts))
            ));
        }
        if self.fds.1 > self.fds.0 + opts.fd_slack {
            out.push(format!(
                "open descriptors grew from {} to {} (allowed: +{})",
                self.fds.0, self.fds.1, opts.fd_slack
            ));
        }
        out
    }

    /// The one-line summary.
    pub fn summary(&self, opts: &Options) -> String {
        let secs = self.elapsed.as_secs_f64();
        format!(
            "soak: {:.0} s, {} connections: {} requests ({:.0}/s), {} errors, {} provoked \
             errors answered as expected; RSS {} -> {} (allowed +{}); open fds {} -> {} \
             (allowed +{})",
            secs,
            opts.connections,
            self.requests,
            self.requests as f64 / secs.max(1e-9),
            self.errors + self.warmup_errors,
            self.provoked,
            mib(self.rss.0),
            mib(self.rss.1),
            mib(self.rss_allowance(opts)),
            self.fds.0,
            self.fds.1,
            opts.fd_slack
        )
    }
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / f64::from(1u32 << 20))
}

/// Outcomes of one worker's requests.
#[derive(Default)]
struct Tally {
    requests: u64,
    errors: u64,
    provoked: u64,
    first_errors: Vec<String>,
}

impl Tally {
    fn fail(&mut self, e: String) {
        self.errors += 1;
        if self.first_errors.len() < 3 {
            self.first_errors.push(e);
        }
    }

    fn merge(&mut self, other: Tally) {
        self.requests += other.requests;
        self.errors += other.errors;
        self.provoked += other.provoked;
        for e in other.first_errors {
            if self.first_errors.len() < 5 {
                self.first_errors.push(e);
            }
        }
    }
}

/// One connection and what its cycles need.
struct Worker {
    index: usize,
    addr: std::net::SocketAddr,
    conn: Conn,
    signer: Signer,
    host: Arc<str>,
    cycle: u64,
    body: Bytes,
    body_hash: Arc<str>,
    key_arn: Arc<str>,
}

impl Worker {
    /// Sends `spec`; an answer with status `want` (and, for a GET of an object, the object's
    /// length) is a success, or a provoked error when `want` is an error status.
    async fn call(&mut self, spec: Spec, want: u16, t: &mut Tally) -> Option<(HeaderMap, Bytes)> {
        let what = format!(
            "{} {}{}{}",
            spec.method,
            spec.path,
            if spec.query.is_empty() { "" } else { "?" },
            spec.query
        );
        let target = spec
            .headers
            .iter()
            .find(|(n, _)| *n == "x-amz-target")
            .map(|(_, v)| v.clone());
        let want_len = spec.expect.body_len;
        let req = spec.into_request(&self.host, &mut self.signer);
        t.requests += 1;
        let sent = tokio::time::timeout(REQUEST_TIMEOUT, self.conn.send_full(req)).await;
        let what = target.unwrap_or(what);
        match sent {
            Ok(Ok((a, headers, body))) if a.status == want => {
                if want_len.is_some_and(|n| n != a.body_len) {
                    t.fail(format!(
                        "{what}: {} body bytes, expected {want_len:?}",
                        a.body_len
                    ));
                    return None;
                }
                if want >= 400 {
                    t.provoked += 1;
                }
                Some((headers, body))
            }
            Ok(Ok((a, _, body))) => {
                let text = String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned();
                t.fail(format!(
                    "{what}: HTTP {}, expected {want}: {text}",
                    a.status
                ));
                None
            }
            Ok(Err(e)) => {
                t.fail(format!("{what}: {e}"));
                None
            }
            Err(_) => {
                t.fail(format!("{what}: no answer within {REQUEST_TIMEOUT:?}"));
                let opened = self.conn.opened;
                self.conn = Conn::new(self.addr);
                self.conn.opened = opened;
                None
            }
        }
    }

    fn put(&self, path: &str, query: &str, sse_kms: bool) -> Spec {
        let mut headers = Vec::new();
        if sse_kms {
            headers.push(("x-amz-server-side-encryption", "aws:kms".to_owned()));
            headers.push((
                "x-amz-server-side-encryption-aws-kms-key-id",
                self.key_arn.to_string(),
            ));
        }
        Spec {
            headers,
            body: BenchBody::full(self.body.clone()),
            payload_hash: self.body_hash.clone(),
            ..Spec::s3(Method::PUT, path.to_owned(), query, Expect::OK)
        }
    }

    /// One cycle: about a dozen requests over the three services.
    async fn cycle(&mut self, t: &mut Tally) {
        let n = self.cycle;
        self.cycle += 1;
        let w = self.index;
        let path = format!("/{BUCKET}/w{w}/k{}", n % 4);
        let get =
            |path: &str, query: &str| Spec::s3(Method::GET, path.to_owned(), query, Expect::OK);
        let object = Expect::body(OBJECT as u64);

        self.call(self.put(&path, "", n % 4 == 2), 200, t).await;
        if n % 8 == 5 {
            self.multipart(&path, t).await;
        }
        self.call(
            Spec {
                expect: object,
                ..get(&path, "")
            },
            200,
            t,
        )
        .await;
        self.call(Spec::s3(Method::HEAD, path.clone(), "", Expect::OK), 200, t)
            .await;
        let list = format!("list-type=2&max-keys=10&prefix=w{w}%2F");
        self.call(get(&format!("/{BUCKET}"), &list), 200, t).await;
        self.kms(n, t).await;
        self.call(
            Spec::s3(Method::DELETE, path.clone(), "", Expect::OK),
            204,
            t,
        )
        .await;
        self.call(get(&path, ""), 404, t).await;
        if n % 16 == 3 {
            let lookup = json!({"LookupAttributes": [{"AttributeKey": "EventName",
                                "AttributeValue": "Encrypt"}], "MaxResults": 5});
            self.call(ct_request("LookupEvents", &lookup, Expect::OK), 200, t)
                .await;
        }
        if n % 16 == 11 {
            self.call(get("/soak-no-such-bucket/k", ""), 404, t).await;
        }
    }

    /// Create, one part, complete: the object is then `OBJECT` bytes again.
    async fn multipart(&mut self, path: &str, t: &mut Tally) {
        let create = Spec::s3(Method::POST, path.to_owned(), "uploads=", Expect::OK);
        let Some((_, body)) = self.call(create, 200, t).await else {
            return;
        };
        let text = String::from_utf8_lossy(&body);
        let Some(upload) = between(&text, "<UploadId>", "</UploadId>") else {
            t.fail(format!(
                "CreateMultipartUpload answered no UploadId: {text}"
            ));
            return;
        };
        let upload = crate::client::encode(upload);
        let part = self.put(path, &format!("partNumber=1&uploadId={upload}"), false);
        let Some((headers, _)) = self.call(part, 200, t).await else {
            return;
        };
        let etag = headers
            .get("etag")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let xml = format!(
            "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{etag}</ETag>\
             </Part></CompleteMultipartUpload>"
        );
        let xml = Bytes::from(xml);
        let complete = Spec {
            payload_hash: hash_of(&xml),
            body: BenchBody::full(xml),
            ..Spec::s3(
                Method::POST,
                path.to_owned(),
                &format!("uploadId={upload}"),
                Expect::OK,
            )
        };
        self.call(complete, 200, t).await;
    }

    /// Encrypt, Decrypt of the answer (its plaintext checked), now and then GenerateDataKey
    /// and a Decrypt of garbage.
    async fn kms(&mut self, n: u64, t: &mut Tally) {
        let plain = base64::engine::general_purpose::STANDARD.encode(&self.body[..256]);
        let context = json!({ "soak": format!("w{}", self.index) });
        let encrypt = json!({ "KeyId": &*self.key_arn, "Plaintext": plain,
                              "EncryptionContext": context });
        if let Some((_, body)) = self.call(kms_call("Encrypt", &encrypt), 200, t).await {
            match field(&body, &["CiphertextBlob"]) {
                Ok(blob) => {
                    let decrypt = json!({ "CiphertextBlob": blob, "EncryptionContext": context });
                    if let Some((_, back)) = self.call(kms_call("Decrypt", &decrypt), 200, t).await
                    {
                        if field(&back, &["Plaintext"]).as_deref() != Ok(plain.as_str()) {
                            t.fail("Decrypt gave back other bytes than were encrypted".into());
                        }
                    }
                }
                Err(e) => t.fail(format!("Encrypt: {e}")),
            }
        }
        if n % 4 == 1 {
            let gdk = json!({ "KeyId": &*self.key_arn, "KeySpec": "AES_256" });
            self.call(kms_call("GenerateDataKey", &gdk), 200, t).await;
        }
        if n % 8 == 7 {
            let garbage =
                json!({ "CiphertextBlob": "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=" });
            self.call(kms_call("Decrypt", &garbage), 400, t).await;
        }
    }
}

/// A KMS request of `op` with a JSON `body`.
fn kms_call(op: &str, body: &serde_json::Value) -> Spec {
    let body = Bytes::from(body.to_string());
    json_request(op, body.clone(), hash_of(&body), Expect::OK)
}

fn between<'a>(text: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = text.find(open)? + open.len();
    let len = text[start..].find(close)?;
    Some(&text[start..start + len])
}

/// Creates the buckets, the KMS key, and the trail (logging); returns the key's ARN.
async fn setup(ep: &Endpoint) -> Result<String, String> {
    let mut c = crate::client::Client::new(ep);
    c.send(create_bucket(BUCKET)).await?;
    c.send(create_bucket(LOG_BUCKET)).await?;
    c.send(put_bucket_policy(
        LOG_BUCKET,
        &bucket_policy(REGION, LOG_BUCKET, TRAIL),
    ))
    .await?;
    c.send(create_trail(TRAIL, LOG_BUCKET, None)).await?;
    c.send(start_logging(TRAIL)).await?;
    let (_, answer) = c
        .send(create_key("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", "soak"))
        .await?;
    field(&answer, &["KeyMetadata", "Arn"])
}

/// Runs every worker's cycles until `until`; returns the workers and their merged tally.
async fn phase(workers: Vec<Worker>, until: Instant) -> (Vec<Worker>, Tally) {
    let tasks: Vec<_> = workers
        .into_iter()
        .map(|mut w| {
            tokio::spawn(async move {
                let mut t = Tally::default();
                while Instant::now() < until {
                    w.cycle(&mut t).await;
                }
                (w, t)
            })
        })
        .collect();
    let mut back = Vec::with_capacity(tasks.len());
    let mut all = Tally::default();
    for task in tasks {
        match task.await {
            Ok((w, t)) => {
                back.push(w);
                all.merge(t);
            }
            Err(e) => all.fail(format!("a worker failed: {e}")),
        }
    }
    (back, all)
}

/// RSS and open descriptors of `pid`, read once the server has settled (its post-request
/// bookkeeping done).
async fn reading(pid: u32) -> Result<(u64, usize), String> {
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss = procstat::rss_bytes(pid).ok_or_else(|| format!("no VmRSS for pid {pid}"))?;
    let fds = procstat::open_fds(pid).ok_or_else(|| format!("no /proc/{pid}/fd"))?;
    Ok((rss, fds))
}

/// Soaks the trailstack at `ep` (process `pid`), printing progress with `log`.
pub async fn run(
    ep: &Endpoint,
    pid: u32,
    opts: &Options,
    log: &dyn Fn(&str),
) -> Result<Report, String> {
    let key_arn: Arc<str> = Arc::from(setup(ep).await?);
    let workers: Vec<Worker> = (0..opts.connections)
        .map(|index| {
            let body = Bytes::from(generated(OBJECT, index as u64 + 1));
            Worker {
                index,
                addr: ep.addr,
                conn: Conn::new(ep.addr),
                signer: Signer::new(ACCESS_KEY, SECRET_KEY, REGION),
                host: ep.host.clone(),
                cycle: 0,
                body_hash: hash_of(&body),
                body,
                key_arn: key_arn.clone(),
            }
        })
        .collect();
    log(&format!(
        "soak: warming up for {:?} on {} connections",
        opts.warmup, opts.connections
    ));
    let (workers, warm) = phase(workers, Instant::now() + opts.warmup).await;
    let (rss0, fds0) = reading(pid).await?;
    log(&format!(
        "soak: after warm-up ({} requests): RSS {}, {fds0} open fds; measuring for {:?}",
        warm.requests,
        mib(rss0),
        opts.duration
    ));
    let start = Instant::now();
    let (workers, t) = phase(workers, start + opts.duration).await;
    let elapsed = start.elapsed();
    let (rss1, fds1) = reading(pid).await?;
    drop(workers);
    let mut first_errors = warm.first_errors;
    first_errors.extend(t.first_errors);
    first_errors.truncate(5);
    Ok(Report {
        requests: t.requests,
        errors: t.errors,
        provoked: t.provoked,
        first_errors,
        elapsed,
        rss: (rss0, rss1),
        fds: (fds0, fds1),
        warmup_errors: warm.errors,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> Options {
        Options {
            duration: Duration::from_secs(60),
            warmup: Duration::from_secs(10),
            connections: 256,
            rss_growth_mib: 64,
            rss_growth_percent: 25,
            fd_slack: 16,
        }
    }

    #[test]
    fn judges_growth_and_errors() {
        let ok = Report {
            requests: 1000,
            rss: (100 << 20, 150 << 20),
            fds: (300, 310),
            elapsed: Duration::from_secs(60),
            ..Report::default()
        };
        assert!(
            ok.failures(&opts()).is_empty(),
            "{:?}",
            ok.failures(&opts())
        );
        assert!(ok.summary(&opts()).contains("1000 requests"));
        let grown = Report {
            rss: (100 << 20, 190 << 20),
            fds: (300, 317),
            errors: 1,
            first_errors: vec!["GET /soak/w0/k0: HTTP 500".into()],
            ..ok
        };
        let f = grown.failures(&opts());
        assert_eq!(f.len(), 3, "{f:?}");
        assert!(f[0].contains("HTTP 500"));
    }

    #[test]
    fn finds_the_upload_id() {
        let xml = "<InitiateMultipartUploadResult><UploadId>a+b/c</UploadId></InitiateMultipartUploadResult>";
        assert_eq!(between(xml, "<UploadId>", "</UploadId>"), Some("a+b/c"));
        assert_eq!(between(xml, "<Nope>", "</Nope>"), None);
    }
}
