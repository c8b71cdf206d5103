//! Whether a resource policy is "public" as S3 Block Public Access defines it: S3 starts by
//! assuming a policy is public, and counts it non-public only when every Allow statement is
//! pinned to known callers — by a fixed Principal (never `*`, never a `NotPrincipal`), or by a
//! condition on a key that names the caller or where its request comes from, with fixed values
//! (no wildcard, no policy variable) and, for `aws:SourceIp`, no range broader than a /8 (IPv4)
//! or /32 (IPv6). Deny statements never make a policy public. Pure: no service knowledge.
//!
//! <https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status>

use crate::model::{Effect, Policy, PrincipalElement, Statement};

impl Statement {
    /// Whether an Allow statement reaches only known callers.
    fn pinned(&self) -> bool {
        let fixed_principal = match &self.principal {
            PrincipalElement::Only(p) => !p.everyone,
            // Everyone but the named: public.
            PrincipalElement::AllBut(_) => false,
            // No principal element: the statement is about the policy's holder alone.
            PrincipalElement::Holder => true,
        };
        fixed_principal || self.conditions.iter().any(|c| c.pins_caller())
    }
}

impl Policy {
    /// Whether S3 Block Public Access counts this policy as public (`BlockPublicPolicy`
    /// refuses it, `RestrictPublicBuckets` confines it to the owner's account and services).
    pub fn is_public(&self) -> bool {
        self.statements
            .iter()
            .any(|st| st.effect == Effect::Allow && !st.pinned())
    }
}

#[cfg(test)]
mod tests {
    use crate::Policy;

    fn public(statement: &str) -> bool {
        let doc = format!(r#"{{"Version":"2012-10-17","Statement":[{statement}]}}"#);
        Policy::parse_resource(&doc)
            .unwrap_or_else(|e| panic!("{statement}: {e}"))
            .is_public()
    }

    const HEAD: &str = r#""Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*""#;

    #[test]
    #[rustfmt::skip]
    fn the_meaning_of_public() {
        let cases: &[(&str, bool)] = &[
            // AWS's own examples.
            (r#""Principal":"*""#, true),
            (r#""Principal":"*","Condition":{"StringLike":{"aws:SourceVpc":"vpc-*"}}"#, true),
            (r#""Principal":"*","Condition":{"StringEquals":{"aws:SourceVpc":"vpc-91237329"}}"#, false),
            // Principals.
            (r#""Principal":{"AWS":"*"}"#, true),
            (r#""Principal":{"AWS":"arn:aws:iam::444455556666:root"}"#, false),
            (r#""Principal":{"AWS":["444455556666","arn:aws:iam::444455556666:user/bob"]}"#, false),
            (r#""Principal":{"Service":"cloudtrail.amazonaws.com"}"#, false),
            (r#""Principal":{"CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}"#, false),
            (r#""NotPrincipal":{"AWS":"arn:aws:iam::444455556666:root"}"#, true),
            // Conditions that pin the caller, with fixed values.
            (r#""Principal":"*","Condition":{"StringEquals":{"aws:SourceAccount":"111122223333"}}"#, false),
            (r#""Principal":"*","Condition":{"ArnEquals":{"aws:SourceArn":"arn:aws:cloudtrail:us-east-1:111122223333:trail/t"}}"#, false),
            (r#""Principal":"*","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:cloudtrail:*:111122223333:trail/*"}}"#, true),
            (r#""Principal":"*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}"#, false),
            (r#""Principal":"*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"${aws:username}"}}"#, true),
            (r#""Principal":"*","Condition":{"StringEquals":{"aws:SourceVpce":["vpce-1","vpce-2*"]}}"#, true),
            (r#""Principal":"*","Condition":{"StringLike":{"aws:userid":"AROAEXAMPLEID:*"}}"#, false),
            (r#""Principal":"*","Condition":{"StringLike":{"aws:userid":"*"}}"#, true),
            // Tests that hold when the key is absent pin nobody.
            (r#""Principal":"*","Condition":{"StringNotEquals":{"aws:SourceAccount":"111122223333"}}"#, true),
            (r#""Principal":"*","Condition":{"StringEqualsIfExists":{"aws:SourceAccount":"111122223333"}}"#, true),
            (r#""Principal":"*","Condition":{"ForAllValues:StringEquals":{"aws:SourceAccount":"111122223333"}}"#, true),
            // Keys that say nothing of the caller.
            (r#""Principal":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}"#, true),
            (r#""Principal":"*","Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control"}}"#, true),
            // Source addresses: narrow ranges pin, wide ones do not.
            (r#""Principal":"*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#, false),
            (r#""Principal":"*","Condition":{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","2001:db8::/32"]}}"#, false),
            (r#""Principal":"*","Condition":{"IpAddress":{"aws:SourceIp":"0.0.0.0/1"}}"#, true),
            (r#""Principal":"*","Condition":{"IpAddress":{"aws:SourceIp":["203.0.113.0/24","2001::/16"]}}"#, true),
            (r#""Principal":"*","Condition":{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#, true),
            // One pinning condition among others is enough.
            (r#""Principal":"*","Condition":{"Bool":{"aws:SecureTransport":"true"},"StringEquals":{"aws:SourceAccount":"111122223333"}}"#, false),
        ];
        let wrong: Vec<_> = cases
            .iter()
            .filter(|(st, want)| public(&format!("{{{HEAD},{st}}}")) != *want)
            .collect();
        assert!(wrong.is_empty(), "misjudged: {wrong:#?}");
    }

    #[test]
    fn only_allow_statements_count() {
        let deny_all = r#"{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}"#;
        assert!(!public(deny_all));
        let pinned = format!(r#"{{{HEAD},"Principal":{{"AWS":"444455556666"}}}}"#);
        let open = format!(r#"{{{HEAD},"Principal":"*"}}"#);
        assert!(!public(&format!("{deny_all},{pinned}")));
        assert!(public(&format!("{pinned},{open}")));
    }
}
