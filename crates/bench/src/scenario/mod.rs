//! Scenarios: what a worker sends, request after request, and what must exist first.
//!
//! A scenario is a [`Scenario`] value found by name in [`by_name`]. S3 ones live in [`s3`], KMS
//! ones in [`kms`], S3 with SSE-KMS in [`sse_kms`], S3 recorded by a CloudTrail trail in
//! [`cloudtrail`] (with the CloudTrail request shapes the other CloudTrail measurements share),
//! all built on the same [`Spec`] (which carries the SigV4 service and extra headers such as
//! `x-amz-target`).
//!
//! Setup comes in two parts: [`Scenario::setup`], requests known in advance (buckets, objects),
//! and [`Scenario::exchange`] / [`Scenario::bind`], requests that depend on earlier answers (a
//! KMS key id, a ciphertext) and the per-target scenario built from those answers.
//! [`Scenario::teardown`] undoes what would change later scenarios (a trail still logging).
//!
//! Must not touch: timing, connections or statistics (the runner's job).

pub mod cloudtrail;
pub mod kms;
pub mod s3;
pub mod sse_kms;

use crate::spec::Spec;
use bytes::Bytes;
use std::sync::Arc;

/// Which budget a scenario runs under: many small requests for a time, or a few large ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    /// Small requests: many connections, a fixed duration, throughput in requests/s.
    Small,
    /// Large objects: few connections, a fixed number of requests, throughput in MB/s.
    Large,
}

/// Where a request falls: which round, which worker, the worker's n-th request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    /// Round number (0-based); lets writes go to fresh keys each round.
    pub round: usize,
    /// Worker (connection) index.
    pub worker: usize,
    /// The worker's request counter, warm-up included.
    pub seq: u64,
}

/// A benchmark scenario.
pub trait Scenario: Send + Sync {
    /// The name on the command line and in the report.
    fn name(&self) -> &'static str;
    /// One line on what a request does, for the report.
    fn describe(&self) -> String;
    /// Small or large.
    fn weight(&self) -> Weight;
    /// How the report names the limit reference's row: what the limit server does for this
    /// scenario when that differs from answering canned bytes. Default: `limit`.
    fn limit_label(&self) -> &'static str {
        "limit"
    }
    /// What must exist before measuring: stages run in order, the requests of one stage
    /// concurrently. Run once per target; must tolerate existing state.
    fn setup(&self) -> Vec<Vec<Spec>>;
    /// The request a worker sends at `slot`.
    fn request(&self, slot: Slot) -> Spec;
    /// Setup requests that depend on earlier answers, sent one at a time after [`setup`]:
    /// given the bodies of this target's answers so far, the next request, or `None` when
    /// done. Default: none.
    ///
    /// [`setup`]: Scenario::setup
    fn exchange(&self, _answers: &[Bytes]) -> Option<Spec> {
        None
    }
    /// The scenario to measure one target with, built from that target's [`exchange`] answers;
    /// `Ok(None)` means this one as it is. Default: `Ok(None)`.
    ///
    /// [`exchange`]: Scenario::exchange
    fn bind(&self, _answers: &[Bytes]) -> Result<Option<Arc<dyn Scenario>>, String> {
        Ok(None)
    }
    /// Requests sent after the scenario's last round on a target, stages in order, to leave
    /// nothing that changes the scenarios measured after it. Default: none.
    fn teardown(&self) -> Vec<Vec<Spec>> {
        Vec::new()
    }
}

/// Every scenario name, in report order.
pub const NAMES: &[&str] = &[
    "put-1k",
    "put-1k-trail",
    "get-1k",
    "head-1k",
    "list-1000",
    "put-1g",
    "get-1g",
    "kms-encrypt-1k",
    "kms-decrypt",
    "kms-generate-data-key",
    "kms-sign-rsa2048",
    "kms-sign-p256",
    "put-1k-kms",
    "put-1k-kms-bucket-key",
];

/// The scenario called `name`; `big_size` is the object size of the `-1g` scenarios.
pub fn by_name(name: &str, big_size: u64) -> Option<Arc<dyn Scenario>> {
    let s = match name {
        "put-1k" => s3::S3Scenario::new(s3::Kind::Put1k, big_size),
        "get-1k" => s3::S3Scenario::new(s3::Kind::Get1k, big_size),
        "head-1k" => s3::S3Scenario::new(s3::Kind::Head1k, big_size),
        "list-1000" => s3::S3Scenario::new(s3::Kind::List1000, big_size),
        "put-1g" => s3::S3Scenario::new(s3::Kind::PutBig, big_size),
        "get-1g" => s3::S3Scenario::new(s3::Kind::GetBig, big_size),
        "put-1k-trail" => return Some(cloudtrail::PutTrailScenario::new_dyn()),
        other => {
            return sse_kms::Kind::from_name(other)
                .map(sse_kms::SseKmsScenario::new_dyn)
                .or_else(|| kms::Kind::from_name(other).map(kms::KmsScenario::new_dyn))
        }
    };
    Some(Arc::new(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_resolves() {
        for n in NAMES {
            let s = by_name(n, 1 << 20).unwrap();
            assert_eq!(s.name(), *n);
            let _ = s.request(Slot {
                round: 0,
                worker: 1,
                seq: 2,
            });
        }
        assert!(by_name("nope", 1).is_none());
    }
}
