//! A one-call check for what-if questions asked outside a request, such as CloudTrail's
//! CreateTrail and UpdateTrail checks ("would `cloudtrail.amazonaws.com` be allowed
//! `s3:PutObject` on this prefix with `bucket-owner-full-control`?"). It parses the resource
//! policy on each call, so it is for checks, never for the request path.

use crate::authorize::{authorize, Decision};
use crate::context::{Conditions, PrincipalKind, RequestContext};
use crate::model::Policy;

/// The kind of principal an ARN or name denotes: `*` is anonymous, `arn:...:root` a root user,
/// another IAM ARN a user, anything else (`cloudtrail.amazonaws.com`) a service.
pub fn principal_kind_of(principal: &str) -> PrincipalKind {
    if principal == "*" {
        PrincipalKind::Anonymous
    } else if principal.starts_with("arn:") {
        if principal.ends_with(":root") {
            PrincipalKind::Root
        } else if principal.contains(":assumed-role/") {
            PrincipalKind::AssumedRole
        } else {
            PrincipalKind::User
        }
    } else {
        PrincipalKind::Service
    }
}

/// Decides whether `principal` (an IAM ARN, a service name such as
/// `cloudtrail.amazonaws.com`, or `*`) may perform `action` on `resource` with `conditions`,
/// given the resource's policy document (bucket policy) and owning account, with no identity
/// policies — which is how AWS judges a service principal. A document that does not parse
/// allows nothing, as a policy AWS would have refused cannot be in place.
pub fn simulate(
    principal: &str,
    action: &str,
    resource: &str,
    conditions: &Conditions,
    resource_policy_doc: Option<&str>,
    resource_account: &str,
) -> Decision {
    let policy = match resource_policy_doc.map(Policy::parse_resource) {
        Some(Ok(p)) => Some(p),
        Some(Err(_)) => return Decision::ImplicitDeny,
        None => None,
    };
    let req = RequestContext::new(
        principal,
        principal_kind_of(principal),
        action,
        resource,
        conditions,
    );
    authorize(&req, &[], policy.as_ref(), resource_account)
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: &str = r#"{"Version":"2012-10-17","Statement":[
        {"Sid":"AWSCloudTrailAclCheck20150319","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},
         "Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::logs",
         "Condition":{"StringEquals":{"aws:SourceArn":"arn:aws:cloudtrail:us-east-1:111122223333:trail/main"}}},
        {"Sid":"AWSCloudTrailWrite20150319","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},
         "Action":"s3:PutObject","Resource":"arn:aws:s3:::logs/AWSLogs/111122223333/*",
         "Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control",
                                      "aws:SourceArn":"arn:aws:cloudtrail:us-east-1:111122223333:trail/main"}}}]}"#;
    const TRAIL: &str = "arn:aws:cloudtrail:us-east-1:111122223333:trail/main";

    #[test]
    fn cloudtrail_bucket_checks() {
        let acl = Conditions::new().with("aws:SourceArn", TRAIL);
        let put = acl
            .clone()
            .with("s3:x-amz-acl", "bucket-owner-full-control");
        let ct = "cloudtrail.amazonaws.com";
        let key = "arn:aws:s3:::logs/AWSLogs/111122223333/CloudTrail/x.json.gz";
        let a = "111122223333";
        let run = |action, resource, c: &Conditions, doc| simulate(ct, action, resource, c, doc, a);
        assert_eq!(
            run("s3:GetBucketAcl", "arn:aws:s3:::logs", &acl, Some(POLICY)),
            Decision::Allow
        );
        assert_eq!(
            run("s3:PutObject", key, &put, Some(POLICY)),
            Decision::Allow
        );
        assert_eq!(
            run("s3:PutObject", key, &acl, Some(POLICY)),
            Decision::ImplicitDeny
        );
        assert_eq!(
            run(
                "s3:PutObject",
                "arn:aws:s3:::logs/other/x",
                &put,
                Some(POLICY)
            ),
            Decision::ImplicitDeny
        );
        assert_eq!(run("s3:PutObject", key, &put, None), Decision::ImplicitDeny);
        assert_eq!(
            run("s3:PutObject", key, &put, Some("{")),
            Decision::ImplicitDeny
        );
    }

    #[test]
    fn kinds() {
        assert_eq!(principal_kind_of("*"), PrincipalKind::Anonymous);
        assert_eq!(
            principal_kind_of("arn:aws:iam::111122223333:root"),
            PrincipalKind::Root
        );
        assert_eq!(
            principal_kind_of("arn:aws:iam::111122223333:user/alice"),
            PrincipalKind::User
        );
        assert_eq!(
            principal_kind_of("s3.amazonaws.com"),
            PrincipalKind::Service
        );
        // The root of the owning account needs no policy.
        let c = Conditions::new();
        assert_eq!(
            simulate(
                "arn:aws:iam::111122223333:root",
                "s3:PutObject",
                "arn:aws:s3:::b/k",
                &c,
                None,
                "111122223333"
            ),
            Decision::Allow
        );
    }
}
