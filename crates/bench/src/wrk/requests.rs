//! What wrk sends for each case, and the state it needs on a target.
//!
//! S3 requests are presigned URLs (SigV4 query signing of `host` and `UNSIGNED-PAYLOAD`, valid
//! an hour), one per key: the 1,000 objects of `bench` for GET, a pool of fresh keys
//! per round for PUT (cycled, so past the pool's size a PUT overwrites), one URL for the
//! ListObjectsV2 of `bench-list`. KMS requests are one header-signed request replayed as is,
//! which SigV4 allows for 15 minutes: signed with a fixed `X-Amz-Date` and body just before
//! each run. No HEAD: wrk (4.1) takes a HEAD answer's `Content-Length` as a body still to
//! come and waits for it, so every HEAD times out; HEAD stays with the closed loop. The state comes from the closed-loop scenarios' own setup (buckets, objects, a
//! KMS key per operation, Decrypt's ciphertext), so both harnesses measure the same data.
//!
//! Before each run the first request of the set is sent once through the tool's own client
//! and its answer checked (status, body size), so a set every answer of which would be an
//! error is never measured; wrk itself then counts answers of 400 and above.
//!
//! Must not touch: running wrk or the figures.

use super::script::RequestSet;
use crate::body::BenchBody;
use crate::conn::Conn;
use crate::runner::{self, Endpoint};
use crate::scenario::s3::{self, BUCKET, KEYS, LIST_BUCKET, SMALL};
use crate::scenario::{self, Scenario, Slot};
use crate::sign::Signer;
use crate::spec::{Expect, Spec};
use crate::{ACCESS_KEY, REGION, SECRET_KEY};
use bytes::Bytes;
use http::Request;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;
use trailstack_sigv4::{presign_query, RequestParts, SigningParams};

/// Seconds a presigned URL stays valid.
const EXPIRES: u64 = 3600;

/// One measured request kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Case {
    /// GetObject of one of 1,000 objects of 1 KiB, presigned.
    Get1k,
    /// PutObject of 1 KiB, presigned, over a pool of keys.
    Put1k,
    /// ListObjectsV2 of a bucket of 1,000 keys, presigned.
    List1000,
    /// KMS Encrypt of 1 KiB, one signed request replayed.
    KmsEncrypt,
    /// KMS Decrypt of a 1 KiB ciphertext, replayed.
    KmsDecrypt,
    /// KMS GenerateDataKey (AES_256), replayed.
    KmsGenerateDataKey,
}

/// Every case, in report order.
pub const CASES: &[Case] = &[
    Case::Get1k,
    Case::Put1k,
    Case::List1000,
    Case::KmsEncrypt,
    Case::KmsDecrypt,
    Case::KmsGenerateDataKey,
];

impl Case {
    /// The name on the command line and in the report (that of the closed-loop scenario).
    pub fn name(self) -> &'static str {
        match self {
            Case::Get1k => "get-1k",
            Case::Put1k => "put-1k",
            Case::List1000 => "list-1000",
            Case::KmsEncrypt => "kms-encrypt-1k",
            Case::KmsDecrypt => "kms-decrypt",
            Case::KmsGenerateDataKey => "kms-generate-data-key",
        }
    }

    /// The case called `name`.
    pub fn from_name(name: &str) -> Option<Case> {
        CASES.iter().copied().find(|c| c.name() == name)
    }

    /// What one request is, for the report.
    pub fn describe(self, put_keys: usize) -> String {
        match self {
            Case::Get1k => "GetObject, 1 KiB, presigned, 1,000 keys in turn".into(),
            Case::Put1k => format!(
                "PutObject, 1 KiB, presigned, {} fresh keys per round in turn (then overwritten)",
                crate::stats::thousands(put_keys as u64)
            ),
            Case::List1000 => "ListObjectsV2 of 1,000 keys, presigned".into(),
            Case::KmsEncrypt => "KMS Encrypt of 1 KiB, one signed request replayed".into(),
            Case::KmsDecrypt => "KMS Decrypt of 1 KiB, one signed request replayed".into(),
            Case::KmsGenerateDataKey => {
                "KMS GenerateDataKey AES_256, one signed request replayed".into()
            }
        }
    }

    fn scenario(self) -> Arc<dyn Scenario> {
        scenario::by_name(self.name(), crate::GIB)
            .unwrap_or_else(|| panic!("{} is a scenario name", self.name()))
    }

    fn is_kms(self) -> bool {
        matches!(
            self,
            Case::KmsEncrypt | Case::KmsDecrypt | Case::KmsGenerateDataKey
        )
    }
}

/// A target made ready: the KMS request of each KMS case, bound to that target's key.
#[derive(Debug, Clone, Default)]
pub struct Prepared {
    kms: HashMap<Case, Spec>,
}

/// Creates what `cases` need on `ep`: the closed-loop scenarios' setup, and their KMS keys.
pub async fn prepare(ep: &Endpoint, cases: &[Case]) -> Result<Prepared, String> {
    let mut out = Prepared::default();
    for &case in cases {
        let sc = case.scenario();
        runner::setup(&sc, ep, 8).await?;
        if case.is_kms() {
            let bound = runner::prepare(&sc, ep).await?;
            let slot = Slot {
                round: 0,
                worker: 0,
                seq: 0,
            };
            out.kms.insert(case, bound.request(slot));
        }
    }
    Ok(out)
}

/// `path?query` presigned for `method` on `host`, signed at `time`.
pub fn presign(method: &str, path: &str, query: &str, host: &str, time: OffsetDateTime) -> String {
    let headers = [("host", host)];
    let req = RequestParts {
        method,
        raw_path: path,
        raw_query: query,
        headers: &headers,
    };
    let params = SigningParams {
        access_key: ACCESS_KEY,
        secret_key: SECRET_KEY,
        region: REGION,
        service: "s3",
        time,
    };
    format!("{path}?{}", presign_query(&req, &params, EXPIRES))
}

/// The request set of `case` against `ep` for `round` (`put_keys` fresh keys for PUT),
/// signed now, and what its answers must look like.
pub fn request_set(
    case: Case,
    prepared: &Prepared,
    ep: &Endpoint,
    round: usize,
    put_keys: usize,
) -> Result<(RequestSet, Expect), String> {
    let host = &*ep.host;
    let now = OffsetDateTime::now_utc();
    let presigned = |method: &'static str, paths: Vec<String>, query: &str, body, expect| {
        let targets = paths
            .iter()
            .map(|p| presign(method, p, query, host, now))
            .collect();
        let headers = vec![("Host".to_owned(), host.to_owned())];
        Ok((
            RequestSet {
                method,
                targets,
                headers,
                body,
            },
            expect,
        ))
    };
    match case {
        Case::Get1k => {
            let objects = (0..KEYS).map(|i| format!("/{BUCKET}/obj/{i:04}")).collect();
            presigned("GET", objects, "", None, Expect::body(SMALL as u64))
        }
        Case::Put1k => {
            let keys = (0..put_keys.max(1))
                .map(|i| format!("/{BUCKET}/wrk/r{round}/{i:05}"))
                .collect();
            let body = Bytes::from(crate::body::generated(SMALL, 1));
            presigned("PUT", keys, "", Some(body), Expect::OK)
        }
        Case::List1000 => presigned(
            "GET",
            vec![format!("/{LIST_BUCKET}")],
            "list-type=2",
            None,
            Expect {
                min_body: (s3::KEYS * 40) as u64,
                ..Expect::OK
            },
        ),
        kms => {
            let spec = prepared
                .kms
                .get(&kms)
                .cloned()
                .ok_or_else(|| format!("{} was not prepared", kms.name()))?;
            Ok(replayed(spec, host))
        }
    }
}

/// `spec` signed once, as wrk replays it: its headers (`Host` spelled as wrk expects, no
/// `Content-Length`, which wrk adds) and body.
fn replayed(spec: Spec, host: &str) -> (RequestSet, Expect) {
    let expect = spec.expect;
    let mut signer = Signer::new(ACCESS_KEY, SECRET_KEY, REGION);
    let req = spec.into_request(host, &mut signer);
    let method = if req.method() == http::Method::POST {
        "POST"
    } else {
        "GET"
    };
    let target = req.uri().to_string();
    let headers = req
        .headers()
        .iter()
        .filter(|(n, _)| *n != http::header::CONTENT_LENGTH)
        .map(|(n, v)| {
            let name = if n == http::header::HOST {
                "Host".to_owned()
            } else {
                n.as_str().to_owned()
            };
            (name, String::from_utf8_lossy(v.as_bytes()).into_owned())
        })
        .collect();
    let body = match req.into_body() {
        BenchBody::Full(Some(b)) => Some(b),
        _ => None,
    };
    let set = RequestSet {
        method,
        targets: vec![target],
        headers,
        body,
    };
    (set, expect)
}

/// Sends the set's first request once and checks the answer against `expect`.
pub async fn probe(ep: &Endpoint, set: &RequestSet, expect: Expect) -> Result<(), String> {
    let target = set.targets.first().ok_or("an empty request set")?;
    let mut b = Request::builder().method(set.method).uri(target.as_str());
    for (n, v) in &set.headers {
        b = b.header(n.as_str(), v.as_str());
    }
    let body = match &set.body {
        Some(bytes) => {
            b = b.header("content-length", bytes.len());
            BenchBody::full(bytes.clone())
        }
        None => BenchBody::Empty,
    };
    let req = b.body(body).map_err(|e| format!("probe request: {e}"))?;
    let mut conn = Conn::new(ep.addr);
    let (a, answer) = tokio::time::timeout(Duration::from_secs(120), conn.send_keep(req))
        .await
        .map_err(|_| format!("{} {target}: no answer", set.method))??;
    expect.check(a.status, a.body_len).map_err(|e| {
        format!(
            "{} {target}: {e}: {}",
            set.method,
            String::from_utf8_lossy(&answer[..answer.len().min(300)])
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presigned_urls_carry_the_signature() {
        let t = time::macros::datetime!(2024-05-06 07:08:09 UTC);
        let url = presign("GET", "/bench-list", "list-type=2", "127.0.0.1:9", t);
        assert!(url.starts_with("/bench-list?list-type=2&X-Amz-Algorithm=AWS4-HMAC-SHA256"));
        assert!(url.contains("X-Amz-Date=20240506T070809Z"));
        assert!(url.contains("X-Amz-SignedHeaders=host"));
        assert!(url.contains("&X-Amz-Signature="));
    }

    #[test]
    fn names_round_trip() {
        for c in CASES {
            assert_eq!(Case::from_name(c.name()), Some(*c));
            assert!(scenario::by_name(c.name(), 1).is_some());
        }
        assert_eq!(Case::from_name("put-1g"), None);
    }

    #[test]
    fn a_replayed_request_keeps_its_signed_headers() {
        let spec = crate::scenario::kms::create_key("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", "t");
        let (set, _) = replayed(spec, "127.0.0.1:9");
        assert_eq!(set.method, "POST");
        assert_eq!(set.targets, vec!["/".to_owned()]);
        let names: Vec<&str> = set.headers.iter().map(|(n, _)| n.as_str()).collect();
        for want in ["Host", "x-amz-date", "x-amz-target", "authorization"] {
            assert!(names.contains(&want), "{names:?}");
        }
        assert!(!names.contains(&"content-length"));
        assert!(set.body.is_some_and(|b| !b.is_empty()));
    }
}
