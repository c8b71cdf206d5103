//! `trail-latency`: how long from a call to its record in S3. Against a trailstack started
//! with a short `--delivery-interval` (the tool uses `1s`): a trail records the data events of
//! one bucket into a log bucket, encrypted with a KMS key whose policy lets CloudTrail use it.
//! Each sample sends a PutObject, keeps its `x-amz-request-id`, then lists the log bucket every
//! poll interval (10 ms) and reads each new log file until one holds a record with that
//! `requestID`; the sample is the time from sending the PutObject to reading that file.
//! Samples are spaced by a pseudo-random pause of up to one delivery interval, so calls fall
//! at every phase of the delivery timer.
//!
//! Must not touch: the closed loop; this is one request at a time.

use crate::client::{gunzip, Client};
use crate::runner::Endpoint;
use crate::scenario::cloudtrail::{
    bucket_policy, create_trail, data_selectors, delete_trail, key_policy, put_bucket_policy,
    start_logging, stop_logging,
};
use crate::scenario::kms::{field, json_request};
use crate::scenario::s3::create_bucket;
use crate::spec::{hash_of, Expect, Spec};
use crate::REGION;
use bytes::Bytes;
use http::Method;
use serde_json::json;
use std::collections::HashSet;
use std::time::{Duration, Instant};

/// The bucket whose PutObjects are timed.
pub const DATA_BUCKET: &str = "bench-latency";
/// The bucket the trail delivers to.
pub const LOG_BUCKET: &str = "bench-latency-logs";
/// The trail.
pub const TRAIL: &str = "bench-latency";

/// How to measure.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Samples to take.
    pub samples: usize,
    /// Pause between two listings of the log bucket.
    pub poll: Duration,
    /// Longest wait for one record.
    pub timeout: Duration,
    /// The server's delivery interval (the spread of the pauses between samples).
    pub interval: Duration,
}

/// One sample.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    /// From sending the PutObject to reading the log file with its record.
    pub latency: Duration,
    /// Listings made while waiting.
    pub polls: u32,
}

/// Makes the buckets, the key and the trail (logging); returns the key ARN.
pub async fn setup(c: &mut Client) -> Result<String, String> {
    c.send(create_bucket(DATA_BUCKET)).await?;
    let key_arn = encrypted_trail(c, LOG_BUCKET, TRAIL, "trailstack-bench trail-latency").await?;
    let data = format!("arn:aws:s3:::{DATA_BUCKET}/");
    c.send(data_selectors(TRAIL, &[&data], false)).await?;
    c.send(start_logging(TRAIL)).await?;
    Ok(key_arn)
}

/// Creates `bucket` with the policy CloudTrail needs and a key (described as `description`)
/// whose policy lets CloudTrail encrypt for `trail`, then creates `trail` anew, not yet
/// logging, delivering into `bucket` under that key; returns the key ARN.
pub async fn encrypted_trail(
    c: &mut Client,
    bucket: &str,
    trail: &str,
    description: &str,
) -> Result<String, String> {
    c.send(create_bucket(bucket)).await?;
    c.send(put_bucket_policy(
        bucket,
        &bucket_policy(REGION, bucket, trail),
    ))
    .await?;
    let body = json!({
        "KeySpec": "SYMMETRIC_DEFAULT",
        "KeyUsage": "ENCRYPT_DECRYPT",
        "Description": description,
        "Policy": key_policy(REGION, trail).to_string(),
    });
    let body = Bytes::from(body.to_string());
    let hash = hash_of(&body);
    let (_, key) = c
        .send(json_request("CreateKey", body, hash, Expect::OK))
        .await?;
    let key_arn = field(&key, &["KeyMetadata", "Arn"])?;
    c.send(delete_trail(trail)).await?;
    c.send(create_trail(trail, bucket, Some(&key_arn))).await?;
    Ok(key_arn)
}

/// A small deterministic pseudo-random sequence (xorshift), for the pauses.
struct Pauses(u64);

impl Pauses {
    fn next(&mut self, max: Duration) -> Duration {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        max.mul_f64((self.0 % 10_000) as f64 / 10_000.0)
    }
}

/// Takes the samples on `ep`, after [`setup`]; `progress` gets one line per sample.
pub async fn run(
    ep: &Endpoint,
    opts: Options,
    progress: &dyn Fn(&str),
) -> Result<Vec<Sample>, String> {
    let mut c = Client::new(ep);
    let key_arn = setup(&mut c).await?;
    progress(&format!(
        "trail {TRAIL} logging, log files under SSE-KMS {key_arn}"
    ));
    let mut probe = Client::new(ep);
    let mut seen: HashSet<String> = probe
        .list(LOG_BUCKET)
        .await?
        .into_iter()
        .map(|l| l.key)
        .collect();
    let mut pauses = Pauses(0x9E37_79B9_7F4A_7C15);
    let body = Bytes::from_static(&[b'x'; 1024]);
    let hash = hash_of(&body);
    let mut samples = Vec::new();
    for i in 0..opts.samples {
        tokio::time::sleep(pauses.next(opts.interval)).await;
        let put = Spec {
            body: crate::body::BenchBody::full(body.clone()),
            payload_hash: hash.clone(),
            ..Spec::s3(
                Method::PUT,
                format!("/{DATA_BUCKET}/sample/{i}"),
                "",
                Expect::OK,
            )
        };
        let start = Instant::now();
        let (headers, _) = c.send(put).await?;
        let id = headers
            .get("x-amz-request-id")
            .and_then(|v| v.to_str().ok())
            .ok_or("PutObject answered without x-amz-request-id")?
            .to_owned();
        let mut polls = 0;
        let found = loop {
            if start.elapsed() > opts.timeout {
                return Err(format!(
                    "sample {i}: no record with requestID {id} within {:?}",
                    opts.timeout
                ));
            }
            polls += 1;
            let mut hit = false;
            for l in probe.list(LOG_BUCKET).await? {
                if seen.contains(&l.key) {
                    continue;
                }
                let (_, gz) = probe.get(LOG_BUCKET, &l.key).await?;
                let text = gunzip(&gz)?;
                seen.insert(l.key);
                hit |= holds_request(&text, &id)?;
            }
            if hit {
                break start.elapsed();
            }
            tokio::time::sleep(opts.poll).await;
        };
        progress(&format!(
            "sample {}/{}: {:.0} ms ({polls} listings)",
            i + 1,
            opts.samples,
            found.as_secs_f64() * 1e3
        ));
        samples.push(Sample {
            latency: found,
            polls,
        });
    }
    c.send(stop_logging(TRAIL)).await?;
    Ok(samples)
}

/// Whether the log document `text` (`{"Records":[...]}`) holds a record of request `id`.
fn holds_request(text: &[u8], id: &str) -> Result<bool, String> {
    let doc: serde_json::Value =
        serde_json::from_slice(text).map_err(|e| format!("log file is not JSON: {e}"))?;
    let records = doc["Records"]
        .as_array()
        .ok_or("log file without Records")?;
    Ok(records.iter().any(|r| r["requestID"] == id))
}

/// The `q` quantile (0..=1, nearest rank) of `v`, which is sorted.
pub fn quantile(v: &[Duration], q: f64) -> Duration {
    if v.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
    v[rank - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_by_nearest_rank() {
        let v: Vec<Duration> = (1..=20).map(Duration::from_millis).collect();
        assert_eq!(quantile(&v, 0.5), Duration::from_millis(10));
        assert_eq!(quantile(&v, 0.9), Duration::from_millis(18));
        assert_eq!(quantile(&[], 0.5), Duration::ZERO);
        let doc = br#"{"Records":[{"requestID":"A1"},{"requestID":"B2"}]}"#;
        assert!(holds_request(doc, "B2").unwrap());
        assert!(!holds_request(doc, "C3").unwrap());
        let mut p = Pauses(1);
        assert!((0..100).all(|_| p.next(Duration::from_secs(1)) < Duration::from_secs(1)));
    }
}
