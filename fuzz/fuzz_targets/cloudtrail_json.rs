//! CloudTrail JSON 1.1 requests (`X-Amz-Target: ...CloudTrail_20131101.<Op>` and a JSON
//! body), parsed by the service's wire layer and, when they parse, run by the real CloudTrail
//! service: trail names and ARNs, bucket and key checks, basic and advanced event selectors,
//! insight selectors, tags, and LookupEvents' attributes, time ranges and paging tokens.
//!
//! Fixtures: bucket `fuzz-trail-logs` with CloudTrail's bucket policy, and trail `fuzz`
//! delivering into it. DeleteTrail is left out so that the trail stays for the operations
//! that need one.
//!
//! Input: `operation \0 JSON body`. No panic; every answer renders as JSON.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use trailstack_fuzz::harness::{content_length, Harness};
use trailstack_fuzz::Fields;

const BUCKET: &str = "fuzz-trail-logs";

fn harness() -> &'static Harness {
    static READY: OnceLock<()> = OnceLock::new();
    let h = Harness::get();
    READY.get_or_init(|| {
        h.bucket(BUCKET);
        let account = "000000000000";
        let trails = [trailstack_fixtures::trail_arn("us-east-1", account, "fuzz")];
        let policy =
            trailstack_fixtures::cloudtrail_bucket_policy(BUCKET, "", account, &trails).to_string();
        h.s3(
            http::Method::PUT,
            &format!("/{BUCKET}"),
            "policy",
            content_length(policy.len()),
            policy.as_bytes(),
        )
        .unwrap_or_else(|e| panic!("setup: PutBucketPolicy: {e:?}"));
        let create = format!(r#"{{"Name":"fuzz","S3BucketName":"{BUCKET}"}}"#);
        h.cloudtrail("CreateTrail", create.as_bytes())
            .unwrap_or_else(|e| panic!("setup: CreateTrail: {e:?}"));
        h.cloudtrail("StartLogging", br#"{"Name":"fuzz"}"#)
            .unwrap_or_else(|e| panic!("setup: StartLogging: {e:?}"));
    });
    h
}

fuzz_target!(|data: &[u8]| {
    let (target, body) = Fields::operation(data);
    let Ok(op) = trailstack_cloudtrail::wire::parse(&target, body) else {
        return;
    };
    if matches!(op, trailstack_cloudtrail::Op::DeleteTrail(_)) {
        return;
    }
    let h = harness();
    match h.block_on(h.app.cloudtrail.call(&h.root, op)) {
        Ok(out) => {
            let json = trailstack_cloudtrail::wire::render(&out);
            assert!(
                serde_json::from_slice::<serde_json::Value>(&json).is_ok(),
                "an answer is not JSON"
            );
        }
        Err(e) => {
            let (status, _) = trailstack_cloudtrail::wire::render_error(&e);
            assert!((400..600).contains(&status), "error status {status}");
        }
    }
});
