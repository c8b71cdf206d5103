//! The IAM policy grammar and its evaluation: bucket policies and key policies come from
//! clients (PutBucketPolicy, CreateKey, PutKeyPolicy), identity policies from the config file.
//! A document that parses is evaluated against a request whose principal, action, resource
//! and condition keys also come from the input, through every entry the services use.
//!
//! Input: `policy document \0 principal ARN \0 action \0 resource \0 condition lines`
//! (`key=value`, a key repeated for several values). No panic; evaluation is deterministic and
//! an explicit Deny from the resource policy always wins.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trailstack_fuzz::Fields;
use trailstack_policy::{
    authorize, authorize_key, principal_kind_of, simulate, Conditions, Decision, Policy,
    PolicyKind, RequestContext,
};

const ACCOUNT: &str = "111122223333";

fuzz_target!(|data: &[u8]| {
    let mut f = Fields::new(data);
    let doc = f.text().into_owned();
    let principal = f.text().into_owned();
    let action = f.text().into_owned();
    let resource = f.text().into_owned();
    let mut conditions = Conditions::new();
    for line in f.text().lines() {
        let (k, v) = line.split_once('=').unwrap_or((line, ""));
        conditions.append(k, v);
    }
    let kind = principal_kind_of(&principal);
    let req = RequestContext::new(&principal, kind, &action, &resource, &conditions);
    for policy_kind in [PolicyKind::Any, PolicyKind::Identity, PolicyKind::Resource] {
        let Ok(p) = Policy::parse_as(&doc, policy_kind) else {
            continue;
        };
        let verdict = p.evaluate(&req);
        assert_eq!(verdict, p.evaluate(&req), "evaluation is not deterministic");
        let outcome = p.outcome(&req);
        let _ = p.matching_statements(&req);
        let _ = p.is_public();
        let _ = p.reads(&resource);
        let _ = p.reads_prefix(&resource);
        let decision = authorize(&req, &[&p], Some(&p), ACCOUNT);
        if outcome.deny {
            assert_eq!(
                decision,
                Decision::ExplicitDeny,
                "a resource Deny did not win"
            );
        }
        let _ = authorize_key(&req, &p, &[&p], ACCOUNT, true);
    }
    let _ = simulate(
        &principal,
        &action,
        &resource,
        &conditions,
        Some(&doc),
        ACCOUNT,
    );
});
