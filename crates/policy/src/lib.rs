//! The IAM policy language, pure: parse and validate policy documents (identity policies,
//! bucket policies, key policies) with AWS's error messages, evaluate them for one request, and
//! combine them into a decision the way AWS does for S3, CloudTrail and KMS. No I/O, no service
//! knowledge beyond the evaluation rules; the services build the [`RequestContext`] and map a
//! [`Decision`] to their own errors.
//!
//! ```
//! use trailstack_policy::{authorize, Conditions, Decision, Policy, PrincipalKind, RequestContext};
//!
//! let bucket = Policy::parse_resource(r#"{"Version":"2012-10-17","Statement":[{
//!     "Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},
//!     "Action":"s3:PutObject","Resource":"arn:aws:s3:::logs/AWSLogs/*",
//!     "Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control"}}}]}"#).unwrap();
//! let cond = Conditions::new().with("s3:x-amz-acl", "bucket-owner-full-control");
//! let req = RequestContext::new("cloudtrail.amazonaws.com", PrincipalKind::Service,
//!     "s3:PutObject", "arn:aws:s3:::logs/AWSLogs/111122223333/x.json.gz", &cond);
//! assert_eq!(authorize(&req, &[], Some(&bucket), "111122223333"), Decision::Allow);
//! ```

mod arn;
mod authorize;
mod condition;
mod context;
mod denial;
mod error;
mod eval;
mod global;
mod identities;
mod model;
mod parse;
mod principal;
mod principal_keys;
mod public;
mod simulate;
mod variables;
mod wildcard;
mod written;

#[cfg(test)]
mod tests_authorize;
#[cfg(test)]
mod tests_conditions;
#[cfg(test)]
mod tests_elements;
#[cfg(test)]
mod tests_fuzz;
#[cfg(test)]
mod tests_kms;
#[cfg(test)]
mod tests_parse;
#[cfg(test)]
mod tests_support;

pub use arn::arn_fields;
pub use authorize::{authorize, authorize_key, authorize_outcome, Decision};
pub use context::{Conditions, PrincipalKind, RequestContext};
pub use denial::{identity_denial, not_authorized};
pub use error::PolicyError;
pub use eval::{Match, Outcome};
pub use global::{add_caller_keys, GlobalKeys};
pub use identities::{IdentityPolicies, PrincipalRecord};
pub use model::{Effect, Policy, PolicyKind, Reads, Statement, Version};
pub use principal_keys::{session_tags, PrincipalFacts, Tags};
pub use simulate::{principal_kind_of, simulate};
pub use written::{read_written, WrittenCondition, WrittenStatement};

/// Checks that `doc` is a well-formed resource policy whose statement ids are unique (a KMS
/// key policy): the message on failure is the one KMS returns in
/// `MalformedPolicyDocumentException` (and S3 in `MalformedPolicy`).
pub fn validate_resource_policy(doc: &str) -> Result<(), String> {
    parse::parse_with(doc, PolicyKind::Resource, true)
        .map(|_| ())
        .map_err(|e| e.message)
}
