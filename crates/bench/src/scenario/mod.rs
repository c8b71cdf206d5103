//! Scenarios: what a worker sends, request after request, and what must exist first.
//!
//! A scenario is a [`Scenario`] value found by name in [`by_name`] (or [`build`], with the
//! run's [`Params`]). S3 ones live in [`s3`], the S3 multipart upload in [`multipart`], the
//! mixed GET/PUT traffic over many keys in [`mixed`], KMS ones in [`kms`], S3 with SSE-KMS in
//! [`sse_kms`], S3 recorded by a CloudTrail trail in [`cloudtrail`] (with the CloudTrail
//! request shapes the other CloudTrail measurements share), all built on the same [`Spec`]
//! (which carries the SigV4 service and extra headers such as `x-amz-target`).
//!
//! A unit of measured work is one request ([`Scenario::request`]), or, for work whose later
//! requests depend on earlier answers (a multipart upload: its UploadId, its parts' ETags), a
//! [`Sequence`] of steps ([`Scenario::sequence`]) that the runner drives on the worker's
//! [`Scenario::lanes`] connections and counts as one unit. A scenario may also be measured
//! against itself under a base condition, round by round on the same target ([`Paired`]), so
//! that a small difference between the two is not swamped by the drift of a shared machine.
//!
//! Setup comes in two parts: [`Scenario::setup`], requests known in advance (buckets, objects),
//! and [`Scenario::exchange`] / [`Scenario::bind`], requests that depend on earlier answers (a
//! KMS key id, a ciphertext) and the per-target scenario built from those answers.
//! [`Scenario::teardown`] undoes what would change later scenarios (a trail still logging).
//!
//! Must not touch: timing, connections or statistics (the runner's job).

pub mod cloudtrail;
pub mod kms;
pub mod mixed;
pub mod multipart;
pub mod s3;
pub mod sse_kms;

use crate::spec::Spec;
use bytes::Bytes;
use http::HeaderMap;
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

/// The answer to one request of a [`Sequence`] step: what its next steps may depend on.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The HTTP status (already checked against the request's [`crate::spec::Expect`]).
    pub status: u16,
    /// The response headers (an UploadPart's `ETag`).
    pub headers: HeaderMap,
    /// The response body (a CreateMultipartUpload's `UploadId`).
    pub body: Bytes,
}

/// One unit of measured work made of several requests, as a state machine: each call gets the
/// replies to the previous step's requests, in the order they were given, and returns the
/// next step's requests (sent concurrently, on up to [`Scenario::lanes`] connections), `None`
/// when the unit is done, or `Err` when an answer is wrong (a 200 whose body is an error).
pub trait Sequence: Send {
    /// The next step, given the replies to the previous one (empty at the start).
    fn next(&mut self, replies: &[Reply]) -> Result<Option<Vec<Spec>>, String>;
}

/// A scenario measured against itself under a base condition on the same target: before each
/// round the plan sends the requests that enter one condition, and it runs the two conditions'
/// rounds back to back, in alternating order (base first in even rounds, the scenario's own
/// first in odd ones), so drift hits both alike and each pair gives one ratio.
#[derive(Debug, Clone)]
pub struct Paired {
    /// How the report names the scenario's own condition ("trail logging").
    pub label: &'static str,
    /// How the report names the base condition ("trail stopped").
    pub base_label: &'static str,
    /// Sent, one at a time, before each round in the scenario's own condition.
    pub enter: Vec<Spec>,
    /// Sent, one at a time, before each round in the base condition.
    pub enter_base: Vec<Spec>,
}

/// Run-wide settings some scenarios are built with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Params {
    /// Object size of the large scenarios (`-1g`, `multipart-1g`).
    pub big_size: u64,
    /// Keys of `mixed-80-20`.
    pub mixed_keys: usize,
    /// Concurrent part uploads (connections) of one `multipart-1g` upload.
    pub part_connections: usize,
}

impl Params {
    /// The defaults of a full run, with large objects of `big_size`.
    pub fn with_big_size(big_size: u64) -> Params {
        Params {
            big_size,
            mixed_keys: mixed::DEFAULT_KEYS,
            part_connections: multipart::DEFAULT_PART_CONNECTIONS,
        }
    }
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
    /// The request a worker sends at `slot` (for a scenario with a [`sequence`], its first
    /// step's first request, which the runner does not send alone).
    ///
    /// [`sequence`]: Scenario::sequence
    fn request(&self, slot: Slot) -> Spec;
    /// The unit of work at `slot` when it is several dependent requests; the runner then
    /// drives it instead of sending [`request`](Scenario::request). Default: `None`.
    fn sequence(&self, _slot: Slot) -> Option<Box<dyn Sequence>> {
        None
    }
    /// Connections each worker holds, for the concurrent requests of a [`Sequence`] step.
    /// Default: 1.
    fn lanes(&self) -> usize {
        1
    }
    /// The base condition this scenario is measured against, round by round. Default: none.
    fn paired(&self) -> Option<Paired> {
        None
    }
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
    "multipart-1g",
    "mixed-80-20",
];

/// The scenario called `name`, with the defaults of [`Params::with_big_size`].
pub fn by_name(name: &str, big_size: u64) -> Option<Arc<dyn Scenario>> {
    build(name, &Params::with_big_size(big_size))
}

/// The scenario called `name`, built with the run's `params`.
pub fn build(name: &str, params: &Params) -> Option<Arc<dyn Scenario>> {
    let big_size = params.big_size;
    let s = match name {
        "put-1k" => s3::S3Scenario::new(s3::Kind::Put1k, big_size),
        "get-1k" => s3::S3Scenario::new(s3::Kind::Get1k, big_size),
        "head-1k" => s3::S3Scenario::new(s3::Kind::Head1k, big_size),
        "list-1000" => s3::S3Scenario::new(s3::Kind::List1000, big_size),
        "put-1g" => s3::S3Scenario::new(s3::Kind::PutBig, big_size),
        "get-1g" => s3::S3Scenario::new(s3::Kind::GetBig, big_size),
        "put-1k-trail" => return Some(cloudtrail::PutTrailScenario::new_dyn()),
        "multipart-1g" => {
            return Some(Arc::new(multipart::MultipartScenario::new(
                big_size,
                params.part_connections,
            )))
        }
        "mixed-80-20" => return Some(Arc::new(mixed::MixedScenario::new(params.mixed_keys))),
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
