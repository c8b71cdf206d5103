//! Table tests of parsing and validation: the documents AWS accepts, and for those it refuses
//! the message S3 (`MalformedPolicy`) and KMS (`MalformedPolicyDocumentException`) return.

use crate::tests_support::doc;
use crate::{validate_resource_policy, Effect, Policy, PolicyKind, Version};

/// A resource-policy statement with `extra` fields spliced in.
fn st(extra: &str) -> String {
    format!(r#"{{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"{extra}}}"#)
}

#[test]
#[rustfmt::skip]
fn resource_policy_errors() {
    let cases: Vec<(&str, String, &str)> = vec![
        ("not JSON", "{not json".into(), "Policies must be valid JSON and the first byte must be '{'"),
        ("not an object", "[]".into(), "Policies must be valid JSON and the first byte must be '{'"),
        ("bad version", r#"{"Version":"2020-01-01","Statement":[]}"#.into(), "The policy must contain a valid version string"),
        ("numeric version", r#"{"Version":2012,"Statement":[]}"#.into(), "The policy must contain a valid version string"),
        ("unknown top-level field", r#"{"Version":"2012-10-17","Statment":[]}"#.into(), "Unknown field Statment"),
        ("no Statement", r#"{"Version":"2012-10-17"}"#.into(), "Missing required field Statement"),
        ("empty Statement", r#"{"Statement":[]}"#.into(), "Could not parse the policy: Statement is empty!"),
        ("statement not an object", doc(r#"["x"]"#), "Statement must be an object"),
        ("unknown statement field", doc(&st(r#","Foo":1"#)), "Unknown field Foo"),
        ("bad Effect", doc(r#"{"Effect":"Maybe","Principal":"*","Action":"s3:*","Resource":"*"}"#), "Invalid effect: Maybe"),
        ("Effect case matters", doc(r#"{"Effect":"allow","Principal":"*","Action":"s3:*","Resource":"*"}"#), "Invalid effect: allow"),
        ("no Effect", doc(r#"{"Principal":"*","Action":"s3:*","Resource":"*"}"#), "Missing required field Effect"),
        ("no Principal", doc(r#"{"Effect":"Allow","Action":"s3:*","Resource":"*"}"#), "Missing required field Principal"),
        ("no Action", doc(r#"{"Effect":"Allow","Principal":"*","Resource":"*"}"#), "Missing required field Action"),
        ("no Resource", doc(r#"{"Effect":"Allow","Principal":"*","Action":"s3:*"}"#), "Missing required field Resource"),
        ("action without service", doc(r#"{"Effect":"Allow","Principal":"*","Action":"get","Resource":"*"}"#), "Policy has invalid action"),
        ("action empty name", doc(r#"{"Effect":"Allow","Principal":"*","Action":"s3:","Resource":"*"}"#), "Policy has invalid action"),
        ("action not a string", doc(r#"{"Effect":"Allow","Principal":"*","Action":[1],"Resource":"*"}"#), "Policy has invalid action"),
        ("empty action list", doc(r#"{"Effect":"Allow","Principal":"*","Action":[],"Resource":"*"}"#), "Policy has invalid action"),
        ("resource not an ARN", doc(r#"{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"bucket"}"#), "Policy has invalid resource"),
        ("both Action and NotAction", doc(&st(r#","NotAction":"s3:*""#)), "Statement cannot contain both Action and NotAction"),
        ("both Principal and NotPrincipal", doc(&st(r#","NotPrincipal":"*""#)), "Statement cannot contain both Principal and NotPrincipal"),
        ("principal bare string", doc(r#"{"Effect":"Allow","Principal":"111122223333","Action":"s3:*","Resource":"*"}"#), "Invalid principal in policy"),
        ("principal partial wildcard", doc( r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/*"},"Action":"s3:*","Resource":"*"}"#, ), "Invalid principal in policy"),
        ("principal not an ARN", doc(r#"{"Effect":"Allow","Principal":{"AWS":"alice"},"Action":"s3:*","Resource":"*"}"#), "Invalid principal in policy"),
        ("principal short account", doc(r#"{"Effect":"Allow","Principal":{"AWS":"12345"},"Action":"s3:*","Resource":"*"}"#), "Invalid principal in policy"),
        ("principal Federated", doc( r#"{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"s3:*","Resource":"*"}"#, ), "Invalid principal in policy"),
        ("principal empty object", doc(r#"{"Effect":"Allow","Principal":{},"Action":"s3:*","Resource":"*"}"#), "Invalid principal in policy"),
        ("Condition not an object", doc(&st(r#","Condition":[]"#)), "Invalid Condition"),
        ("unknown operator", doc(&st(r#","Condition":{"Foo":{"k":"v"}}"#)), "Invalid Condition type : Foo"),
        ("operator typo", doc(&st(r#","Condition":{"StringEqualz":{"k":"v"}}"#)), "Invalid Condition type : StringEqualz"),
        ("operator block not an object", doc(&st(r#","Condition":{"StringEquals":"v"}"#)), "Invalid Condition block for operator StringEquals"),
        ("condition value object", doc(&st(r#","Condition":{"StringEquals":{"k":{"a":1}}}"#)), "Invalid Condition value for StringEquals : k"),
        ("condition value null", doc(&st(r#","Condition":{"StringEquals":{"k":null}}"#)), "Invalid Condition value for StringEquals : k"),
        ("bad number", doc(&st( r#","Condition":{"NumericLessThan":{"s3:max-keys":"ten"}}"#, )), "Invalid Condition value for NumericLessThan : s3:max-keys : ten"),
        ("bad date", doc(&st( r#","Condition":{"DateLessThan":{"aws:CurrentTime":"soon"}}"#, )), "Invalid Condition value for DateLessThan : aws:CurrentTime : soon"),
        ("bad CIDR", doc(&st( r#","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/40"}}"#, )), "Invalid Condition value for IpAddress : aws:SourceIp : 10.0.0.0/40"),
        ("bad base64", doc(&st(r#","Condition":{"BinaryEquals":{"k":"%%%"}}"#)), "Invalid Condition value for BinaryEquals : k : %%%"),
        ("bad Null", doc(&st(r#","Condition":{"Null":{"k":"maybe"}}"#)), "Invalid Condition value for Null : k : maybe"),
        ("duplicate Sid", doc(&format!( r#"[{},{}]"#, st(r#","Sid":"A""#), st(r#","Sid":"A""#) )), "Statement IDs (SID) in a single policy must be unique"),
        ("Sid not a string", doc(&st(r#","Sid":1"#)), "Invalid Sid: it must be a string"),
    ];
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|(name, d, want)| match validate_resource_policy(d) {
            Err(got) if got == *want => None,
            other => Some(format!("{name}: got {other:?}, want {want:?}")),
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
#[rustfmt::skip]
fn accepted_documents() {
    let ok = [
        // What crates/s3's integration test puts.
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::settings/*"}]}"#.to_string(),
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::b"}]}"#.to_string(),
        // No Version, single statement object, NotPrincipal / NotAction / NotResource.
        r#"{"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":["111122223333","arn:aws:iam::111122223333:user/a"]},"NotAction":"s3:Get*","NotResource":"arn:aws:s3:::b/*"}}"#.to_string(),
        // Every principal kind, numbers and booleans as condition values, every operator family.
        doc(r#"{"Sid":"","Effect":"Allow","Principal":{"AWS":"*","Service":["s3.amazonaws.com"],"CanonicalUser":"79a59df900b949e5"},"Action":["s3:*","kms:Gen?rateDataKey*","*"],"Resource":["*","arn:aws:s3:::b/${aws:username}/*"],"Condition":{"NumericLessThanEquals":{"s3:max-keys":10},"Bool":{"aws:SecureTransport":true},"DateGreaterThan":{"aws:CurrentTime":"2020-01-01"},"IpAddress":{"aws:SourceIp":["10.0.0.0/8","::1"]},"BinaryEquals":{"k":"aGk="},"ArnLike":{"aws:SourceArn":"arn:aws:cloudtrail:*:*:trail/*"},"Null":{"x":true},"ForAllValues:StringLike":{"aws:TagKeys":["a*"]}}}"#),
        // STS session ARNs and other partitions.
        doc(r#"{"Effect":"Allow","Principal":{"AWS":["arn:aws:sts::111122223333:assumed-role/r/s","arn:aws-cn:iam::111122223333:role/x"]},"Action":"s3:*","Resource":"*"}"#),
        // The policy crates/kms gives AWS managed keys (aws/s3).
        r#"{"Version":"2012-10-17","Id":"auto-s3-2","Statement":[{"Sid":"Allow access through S3 for all principals in the account that are authorized to use S3","Effect":"Allow","Principal":{"AWS":"*"},"Action":["kms:Encrypt","kms:Decrypt","kms:ReEncrypt*","kms:GenerateDataKey*","kms:DescribeKey"],"Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"111122223333","kms:ViaService":"s3.us-east-1.amazonaws.com"}}},{"Sid":"Allow direct access to key metadata to the account","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":["kms:Describe*","kms:Get*","kms:List*"],"Resource":"*"}]}"#.to_string(),
        // Two empty Sids are not duplicates.
        doc(&format!("[{},{}]", st(r#","Sid":"""#), st(r#","Sid":"""#))),
    ];
    for d in &ok {
        assert_eq!(validate_resource_policy(d), Ok(()), "{d}");
    }
}

#[test]
fn bucket_policies_may_repeat_a_statement_id() {
    let d = doc(&format!(
        "[{},{}]",
        st(r#","Sid":"A""#),
        st(r#","Sid":"A""#)
    ));
    let p = Policy::parse_resource(&d).unwrap();
    assert_eq!(p.statements.len(), 2, "both statements are kept");
    assert!(validate_resource_policy(&d).is_err(), "KMS refuses them");
}

#[test]
#[rustfmt::skip]
fn policy_kinds() {
    let with_principal = doc(&st(""));
    let without = doc(r#"{"Effect":"Allow","Action":"s3:*","Resource":"*"}"#);
    let not_principal =
        doc(r#"{"Effect":"Deny","NotPrincipal":"*","Action":"s3:*","Resource":"*"}"#);
    assert!(Policy::parse_resource(&with_principal).is_ok());
    assert!(Policy::parse_identity(&without).is_ok());
    assert!(Policy::parse(&with_principal).is_ok());
    assert!(Policy::parse(&without).is_ok());
    assert_eq!(
        Policy::parse_identity(&with_principal).unwrap_err().message,
        "Has prohibited field Principal"
    );
    assert_eq!(
        Policy::parse_as(&not_principal, PolicyKind::Identity)
            .unwrap_err()
            .to_string(),
        "Has prohibited field NotPrincipal"
    );
    assert_eq!(
        Policy::parse_resource(&without).unwrap_err().message,
        "Missing required field Principal"
    );
}

#[test]
#[rustfmt::skip]
fn accessors() {
    let p = Policy::parse(
        r#"{"Version":"2012-10-17","Id":"key-default-1","Statement":[{"Sid":"S1","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"Bool":{"a":"true","b":"false"}}},{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
    )
    .unwrap();
    assert_eq!(p.version(), Some(Version::V2012_10_17));
    assert_eq!(p.version().map(Version::as_str), Some("2012-10-17"));
    assert_eq!(p.id(), Some("key-default-1"));
    let [a, b] = p.statements() else {
        panic!("two statements")
    };
    assert_eq!(
        (a.sid(), a.effect(), a.has_principal(), a.condition_count()),
        (Some("S1"), Effect::Deny, true, 2)
    );
    assert_eq!(
        (b.sid(), b.effect(), b.has_principal(), b.condition_count()),
        (None, Effect::Allow, false, 0)
    );
}
