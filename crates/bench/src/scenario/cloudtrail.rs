//! The CloudTrail scenarios and the request shapes every CloudTrail measurement shares.
//!
//! `put-1k-trail` is put-1k (PutObject 1 KiB, a fresh key each request) into a bucket whose
//! data events a trail records — every S3 data event, `arn:aws:s3` — measured as a pair
//! ([`Scenario::paired`]): each round runs twice on the same target, back to back, once with
//! the trail logging (StartLogging first) and once with it stopped (StopLogging first), so
//! the ratio of the two shows what recording costs a call, free of the drift that swamps a
//! comparison with put-1k measured minutes apart. A stopped trail takes no event: trailstack
//! routes events only to logging trails, so the stopped rounds cost what no trail costs.
//! Setup ([`Scenario::setup`]) makes the log bucket with the bucket policy CloudTrail requires
//! (docs/aws/cloudtrail-delivery.md §C.2) and the data bucket; [`Scenario::exchange`] then
//! deletes a trail left by an earlier run (TrailNotFound is fine), creates the trail, puts its
//! event selectors and starts logging, one request at a time so an error shows its answer.
//! [`Scenario::teardown`] stops logging, so scenarios measured after it are not recorded.
//!
//! CloudTrail requests are `POST /` with `X-Amz-Target:
//! com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.<Op>`, a JSON 1.1 body and the
//! SigV4 service `cloudtrail` ([`ct_request`]).
//!
//! Must not touch: anything but request shapes.

use super::kms::target_request;
use super::s3::{create_bucket, SMALL};
use super::{Paired, Scenario, Slot, Weight};
use crate::body::{generated, BenchBody};
use crate::spec::{hash_of, Expect, Spec};
use bytes::Bytes;
use http::Method;
use serde_json::{json, Value};
use std::sync::Arc;

/// The `X-Amz-Target` prefix of CloudTrail operations.
pub const TARGET_PREFIX: &str = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.";
/// trailstack's default account (access key `test`): the account in the policies below.
/// Other targets ignore it (moto does not evaluate them; the limit server answers canned).
pub const ACCOUNT: &str = "000000000000";
/// The bucket put-1k-trail writes to.
pub const DATA_BUCKET: &str = "bench-trail";
/// The bucket its trail delivers to.
pub const LOG_BUCKET: &str = "bench-trail-logs";
/// Its trail.
pub const TRAIL: &str = "bench-trail";

/// A CloudTrail request: `POST /`, `X-Amz-Target: <prefix><op>`, JSON body signed by its hash.
pub fn ct_request(op: &str, body: &Value, expect: Expect) -> Spec {
    let body = Bytes::from(body.to_string());
    let hash = hash_of(&body);
    target_request(
        "cloudtrail",
        format!("{TARGET_PREFIX}{op}"),
        body,
        hash,
        expect,
    )
}

/// The ARN of trail `name` of [`ACCOUNT`] in `region`.
pub fn trail_arn(region: &str, name: &str) -> String {
    trailstack_fixtures::trail_arn(region, ACCOUNT, name)
}

/// The bucket policy CloudTrail requires to deliver trail `trail` into `bucket` (§C.2).
pub fn bucket_policy(region: &str, bucket: &str, trail: &str) -> Value {
    let trails = [trail_arn(region, trail)];
    trailstack_fixtures::cloudtrail_bucket_policy(bucket, "", ACCOUNT, &trails)
}

/// The key policy CloudTrail requires to encrypt trail `trail`'s log files (§C.3), with the
/// account root's `kms:*`.
pub fn key_policy(region: &str, trail: &str) -> Value {
    trailstack_fixtures::cloudtrail_key_policy(ACCOUNT, &[trail_arn(region, trail)])
}

/// PutBucketPolicy of `policy` on `bucket`.
pub fn put_bucket_policy(bucket: &str, policy: &Value) -> Spec {
    let body = Bytes::from(policy.to_string());
    Spec {
        payload_hash: hash_of(&body),
        body: BenchBody::full(body),
        ..Spec::s3(Method::PUT, format!("/{bucket}"), "policy=", Expect::OK)
    }
}

/// DeleteTrail of `name`; TrailNotFound (400) is fine: it clears what an earlier run left.
pub fn delete_trail(name: &str) -> Spec {
    let expect = Expect {
        also_ok: Some(400),
        ..Expect::OK
    };
    ct_request("DeleteTrail", &json!({ "Name": name }), expect)
}

/// CreateTrail of `name` delivering to `bucket`, encrypted with `kms_key` if given.
pub fn create_trail(name: &str, bucket: &str, kms_key: Option<&str>) -> Spec {
    let mut body = json!({ "Name": name, "S3BucketName": bucket });
    if let Some(k) = kms_key {
        body["KmsKeyId"] = json!(k);
    }
    ct_request("CreateTrail", &body, Expect::OK)
}

/// PutEventSelectors: management events and every S3 data event of the buckets in `values`
/// (`arn:aws:s3` for all buckets, `arn:aws:s3:::B/` for one), read and write, and management
/// events if `management`.
pub fn data_selectors(name: &str, values: &[&str], management: bool) -> Spec {
    let body = json!({
        "TrailName": name,
        "EventSelectors": [{
            "ReadWriteType": "All",
            "IncludeManagementEvents": management,
            "DataResources": [{ "Type": "AWS::S3::Object", "Values": values }],
        }],
    });
    ct_request("PutEventSelectors", &body, Expect::OK)
}

/// StartLogging of `name`.
pub fn start_logging(name: &str) -> Spec {
    ct_request("StartLogging", &json!({ "Name": name }), Expect::OK)
}

/// StopLogging of `name`.
pub fn stop_logging(name: &str) -> Spec {
    ct_request("StopLogging", &json!({ "Name": name }), Expect::OK)
}

/// PutObject 1 KiB into a bucket every data event of which a logging trail records.
pub struct PutTrailScenario {
    body: Bytes,
    hash: Arc<str>,
}

impl PutTrailScenario {
    /// The scenario, as [`super::by_name`] returns it.
    pub fn new_dyn() -> Arc<dyn Scenario> {
        let body = Bytes::from(generated(SMALL, 1));
        let hash = hash_of(&body);
        Arc::new(PutTrailScenario { body, hash })
    }
}

impl Scenario for PutTrailScenario {
    fn name(&self) -> &'static str {
        "put-1k-trail"
    }

    fn describe(&self) -> String {
        "PutObject, 1 KiB, a new key each request, payload SHA-256 signed, as put-1k, into a bucket \
         a trail records: the trail (made at setup with CreateTrail, PutEventSelectors \
         `ReadWriteType All, IncludeManagementEvents true, DataResources AWS::S3::Object \
         arn:aws:s3`, and stopped after the scenario) takes every S3 data event and delivers to \
         another bucket with the bucket policy CloudTrail requires. Each round runs twice on the \
         same target, back to back: after StartLogging (trail logging, the figures in the table) \
         and after StopLogging (trail stopped: no trail takes the events), stopped first in even \
         rounds and last in odd ones; logging ÷ stopped is taken per pair and the median of the \
         pairs is reported. trailstack writes each call's record into the trail's durable outbox \
         in the call's own transaction; it is started with `--delivery-interval 24h`, so delivery \
         never runs while measuring (its cost is measured apart). moto accepts the trail but \
         records nothing and the limit reference answers canned, so their pairs show what \
         noise alone does to the ratio"
            .into()
    }

    fn weight(&self) -> Weight {
        Weight::Small
    }

    fn setup(&self) -> Vec<Vec<Spec>> {
        let policy = bucket_policy(crate::REGION, LOG_BUCKET, TRAIL);
        vec![
            vec![create_bucket(LOG_BUCKET), create_bucket(DATA_BUCKET)],
            vec![put_bucket_policy(LOG_BUCKET, &policy)],
        ]
    }

    fn exchange(&self, answers: &[Bytes]) -> Option<Spec> {
        Some(match answers.len() {
            0 => delete_trail(TRAIL),
            1 => create_trail(TRAIL, LOG_BUCKET, None),
            2 => data_selectors(TRAIL, &["arn:aws:s3"], true),
            3 => start_logging(TRAIL),
            _ => return None,
        })
    }

    fn teardown(&self) -> Vec<Vec<Spec>> {
        vec![vec![stop_logging(TRAIL)]]
    }

    fn paired(&self) -> Option<Paired> {
        Some(Paired {
            label: "trail logging",
            base_label: "trail stopped",
            enter: vec![start_logging(TRAIL)],
            enter_base: vec![stop_logging(TRAIL)],
        })
    }

    fn request(&self, slot: Slot) -> Spec {
        let path = format!(
            "/{DATA_BUCKET}/put/r{}/w{}/{}",
            slot.round, slot.worker, slot.seq
        );
        Spec {
            body: BenchBody::full(self.body.clone()),
            payload_hash: self.hash.clone(),
            ..Spec::s3(Method::PUT, path, "", Expect::OK)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(s: &Spec) -> &str {
        &s.headers
            .iter()
            .find(|(n, _)| *n == "x-amz-target")
            .unwrap()
            .1
    }

    #[test]
    fn sets_up_a_logging_data_trail() {
        let sc = PutTrailScenario::new_dyn();
        let setup = sc.setup();
        assert_eq!(setup[1][0].query, "policy=");
        let mut answers = Vec::new();
        let mut ops = Vec::new();
        while let Some(s) = sc.exchange(&answers) {
            assert_eq!(s.service, "cloudtrail");
            ops.push(target(&s).trim_start_matches(TARGET_PREFIX).to_owned());
            answers.push(Bytes::from_static(b"{}"));
        }
        assert_eq!(
            ops,
            [
                "DeleteTrail",
                "CreateTrail",
                "PutEventSelectors",
                "StartLogging"
            ]
        );
        let stop = &sc.teardown()[0][0];
        assert!(target(stop).ends_with("StopLogging"));
        let pair = sc.paired().unwrap();
        assert!(target(&pair.enter[0]).ends_with("StartLogging"));
        assert!(target(&pair.enter_base[0]).ends_with("StopLogging"));
        let req = sc.request(Slot {
            round: 1,
            worker: 2,
            seq: 3,
        });
        assert_eq!(req.path, "/bench-trail/put/r1/w2/3");
        assert_eq!(req.body_len(), SMALL as u64);
    }

    #[test]
    fn policies_name_the_trail() {
        let p = bucket_policy("us-east-1", "logs", "t").to_string();
        assert!(p.contains("arn:aws:s3:::logs/AWSLogs/000000000000/*"));
        assert!(p.contains("arn:aws:cloudtrail:us-east-1:000000000000:trail/t"));
        assert!(key_policy("us-east-1", "t")
            .to_string()
            .contains("kms:GenerateDataKey*"));
    }
}
