//! Table tests of every condition operator, the `...IfExists` forms, `Null`, the
//! `ForAnyValue:` / `ForAllValues:` qualifiers, absent keys, keys AWS derives from the
//! principal, and variables in condition values. Each row: a Condition element on an Allow for
//! everyone, a request, and whether the condition holds (Allow) or not (NotApplicable).

use crate::tests_support::{alice, anonymous, root, run_conditions, A};

const ACL_PRIVATE: &str = r#"{"StringEquals":{"s3:x-amz-acl":"private"}}"#;

#[test]
#[rustfmt::skip]
fn string_operators() {
    let acl = |v: &str| alice().cond("s3:x-amz-acl", v);
    let n = run_conditions(&[
        ("StringEquals equal", ACL_PRIVATE, acl("private"), true),
        ("StringEquals is case-sensitive", ACL_PRIVATE, acl("Private"), false),
        ("StringEquals absent key", ACL_PRIVATE, alice(), false),
        ("StringEquals key any case", r#"{"StringEquals":{"S3:X-AMZ-ACL":"private"}}"#, acl("private"), true),
        ("StringEquals values are OR", r#"{"StringEquals":{"s3:x-amz-acl":["public-read","private"]}}"#, acl("private"), true),
        ("StringEquals keys are AND (both)", r#"{"StringEquals":{"s3:x-amz-acl":"private","s3:prefix":"p/"}}"#, acl("private").cond("s3:prefix", "p/"), true),
        ("StringEquals keys are AND (one fails)", r#"{"StringEquals":{"s3:x-amz-acl":"private","s3:prefix":"p/"}}"#, acl("private").cond("s3:prefix", "q/"), false),
        ("StringEquals has no wildcards", r#"{"StringEquals":{"s3:x-amz-acl":"pri*"}}"#, acl("private"), false),
        ("StringEquals star is literal", r#"{"StringEquals":{"s3:x-amz-acl":"pri*"}}"#, acl("pri*"), true),
        ("StringEquals number coerced", r#"{"StringEquals":{"s3:max-keys":10}}"#, alice().cond("s3:max-keys", "10"), true),
        ("StringNotEquals differs", r#"{"StringNotEquals":{"s3:x-amz-acl":"public-read"}}"#, acl("private"), true),
        ("StringNotEquals equal", r#"{"StringNotEquals":{"s3:x-amz-acl":"private"}}"#, acl("private"), false),
        ("StringNotEquals absent key holds", r#"{"StringNotEquals":{"s3:x-amz-acl":"private"}}"#, alice(), true),
        ("StringNotEquals any listed value fails it", r#"{"StringNotEquals":{"s3:x-amz-acl":["a","private"]}}"#, acl("private"), false),
        ("StringEqualsIgnoreCase", r#"{"StringEqualsIgnoreCase":{"s3:x-amz-acl":"PRIVATE"}}"#, acl("private"), true),
        ("StringEqualsIgnoreCase differs", r#"{"StringEqualsIgnoreCase":{"s3:x-amz-acl":"PUBLIC"}}"#, acl("private"), false),
        ("StringNotEqualsIgnoreCase same", r#"{"StringNotEqualsIgnoreCase":{"s3:x-amz-acl":"PRIVATE"}}"#, acl("private"), false),
        ("StringNotEqualsIgnoreCase absent", r#"{"StringNotEqualsIgnoreCase":{"s3:x-amz-acl":"PRIVATE"}}"#, alice(), true),
        ("StringLike star", r#"{"StringLike":{"s3:prefix":"home/*"}}"#, alice().cond("s3:prefix", "home/alice/"), true),
        ("StringLike question mark", r#"{"StringLike":{"s3:prefix":"home/?"}}"#, alice().cond("s3:prefix", "home/ab"), false),
        ("StringLike is case-sensitive", r#"{"StringLike":{"s3:prefix":"Home/*"}}"#, alice().cond("s3:prefix", "home/x"), false),
        ("StringNotLike matching", r#"{"StringNotLike":{"s3:prefix":"home/*"}}"#, alice().cond("s3:prefix", "home/x"), false),
        ("StringNotLike other", r#"{"StringNotLike":{"s3:prefix":"home/*"}}"#, alice().cond("s3:prefix", "tmp/x"), true),
        ("StringNotLike absent", r#"{"StringNotLike":{"s3:prefix":"home/*"}}"#, alice(), true),
        ("StringEqualsIfExists absent", r#"{"StringEqualsIfExists":{"s3:x-amz-acl":"private"}}"#, alice(), true),
        ("StringEqualsIfExists present, differs", r#"{"StringEqualsIfExists":{"s3:x-amz-acl":"private"}}"#, acl("public-read"), false),
        ("StringLikeIfExists present, matches", r#"{"StringLikeIfExists":{"s3:x-amz-acl":"p*"}}"#, acl("private"), true),
        ("StringNotEqualsIfExists present, equal", r#"{"StringNotEqualsIfExists":{"s3:x-amz-acl":"private"}}"#, acl("private"), false),
    ]);
    assert_eq!(n, 28);
}

#[test]
#[rustfmt::skip]
fn numeric_and_date_operators() {
    let keys = |v: &str| alice().cond("s3:max-keys", v);
    let at = |t: &str| alice().cond("aws:CurrentTime", t);
    run_conditions(&[
        ("NumericLessThan below", r#"{"NumericLessThan":{"s3:max-keys":"100"}}"#, keys("10"), true),
        ("NumericLessThan equal", r#"{"NumericLessThan":{"s3:max-keys":"100"}}"#, keys("100"), false),
        ("NumericLessThanEquals equal", r#"{"NumericLessThanEquals":{"s3:max-keys":100}}"#, keys("100"), true),
        ("NumericGreaterThan above", r#"{"NumericGreaterThan":{"s3:max-keys":"5"}}"#, keys("10"), true),
        ("NumericGreaterThan below", r#"{"NumericGreaterThan":{"s3:max-keys":"50"}}"#, keys("10"), false),
        ("NumericGreaterThanEquals equal", r#"{"NumericGreaterThanEquals":{"s3:max-keys":"10"}}"#, keys("10"), true),
        ("NumericEquals integer and decimal", r#"{"NumericEquals":{"s3:max-keys":"10"}}"#, keys("10.0"), true),
        ("NumericEquals values are OR", r#"{"NumericEquals":{"s3:max-keys":[1,2,10]}}"#, keys("10"), true),
        ("NumericNotEquals differs", r#"{"NumericNotEquals":{"s3:max-keys":"10"}}"#, keys("11"), true),
        ("NumericNotEquals absent", r#"{"NumericNotEquals":{"s3:max-keys":"10"}}"#, alice(), true),
        ("Numeric request not a number", r#"{"NumericLessThan":{"s3:max-keys":"100"}}"#, keys("ten"), false),
        ("NumericLessThanIfExists absent", r#"{"NumericLessThanIfExists":{"s3:max-keys":"100"}}"#, alice(), true),
        ("NumericLessThan absent", r#"{"NumericLessThan":{"s3:max-keys":"100"}}"#, alice(), false),
        ("DateGreaterThan after", r#"{"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}"#, at("2024-06-01T12:00:00Z"), true),
        ("DateLessThan after", r#"{"DateLessThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}"#, at("2024-06-01T12:00:00Z"), false),
        ("DateEquals epoch vs ISO", r#"{"DateEquals":{"aws:CurrentTime":"1577836800"}}"#, at("2020-01-01T00:00:00Z"), true),
        ("DateEquals offsets", r#"{"DateEquals":{"aws:CurrentTime":"2020-01-01T01:00:00+01:00"}}"#, at("2020-01-01T00:00:00Z"), true),
        ("DateLessThanEquals equal", r#"{"DateLessThanEquals":{"aws:CurrentTime":"2020-01-01"}}"#, at("2020-01-01T00:00:00Z"), true),
        ("DateGreaterThanEquals before", r#"{"DateGreaterThanEquals":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}"#, at("2019-12-31T23:59:59Z"), false),
        ("DateNotEquals absent", r#"{"DateNotEquals":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}"#, alice(), true),
        ("DateNotEquals same", r#"{"DateNotEquals":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}"#, at("1577836800"), false),
        ("Date request not a date", r#"{"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}"#, at("tomorrow"), false),
        ("DateLessThanIfExists absent", r#"{"DateLessThanIfExists":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}"#, alice(), true),
    ]);
}

#[test]
#[rustfmt::skip]
fn bool_binary_ip_operators() {
    let tls = |v: &str| alice().cond("aws:SecureTransport", v);
    let ip = |v: &str| alice().cond("aws:SourceIp", v);
    let mut bin = alice();
    bin.conds.insert_binary("aws:SomeBinary", b"hi");
    run_conditions(&[
        ("Bool false", r#"{"Bool":{"aws:SecureTransport":"false"}}"#, tls("false"), true),
        ("Bool mismatch", r#"{"Bool":{"aws:SecureTransport":"false"}}"#, tls("true"), false),
        ("Bool JSON boolean", r#"{"Bool":{"aws:SecureTransport":false}}"#, tls("false"), true),
        ("Bool ignores case", r#"{"Bool":{"aws:SecureTransport":"True"}}"#, tls("true"), true),
        ("Bool absent", r#"{"Bool":{"aws:SecureTransport":"false"}}"#, alice(), false),
        ("BoolIfExists absent", r#"{"BoolIfExists":{"aws:SecureTransport":"false"}}"#, alice(), true),
        ("BinaryEquals same bytes", r#"{"BinaryEquals":{"aws:SomeBinary":"aGk="}}"#, bin.clone(), true),
        ("BinaryEquals other bytes", r#"{"BinaryEquals":{"aws:SomeBinary":"aGo="}}"#, bin, false),
        ("IpAddress inside", r#"{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#, ip("203.0.113.5"), true),
        ("IpAddress outside", r#"{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#, ip("198.51.100.5"), false),
        ("IpAddress absent", r#"{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#, alice(), false),
        ("IpAddress v6 in a list", r#"{"IpAddress":{"aws:SourceIp":["203.0.113.0/24","2001:db8::/32"]}}"#, ip("2001:db8::7"), true),
        ("IpAddress bare address", r#"{"IpAddress":{"aws:SourceIp":"10.0.0.1"}}"#, ip("10.0.0.1"), true),
        ("NotIpAddress outside", r#"{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#, ip("198.51.100.5"), true),
        ("NotIpAddress inside", r#"{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#, ip("203.0.113.5"), false),
        ("NotIpAddress absent", r#"{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#, alice(), true),
        ("IpAddressIfExists absent", r#"{"IpAddressIfExists":{"aws:SourceIp":"203.0.113.0/24"}}"#, alice(), true),
    ]);
}

#[test]
#[rustfmt::skip]
fn arn_operators() {
    let src = |v: &str| alice().cond("aws:SourceArn", v);
    let trail = "arn:aws:cloudtrail:us-east-1:111122223333:trail/main";
    run_conditions(&[
        ("ArnLike wildcard region and name", r#"{"ArnLike":{"aws:SourceArn":"arn:aws:cloudtrail:*:111122223333:trail/*"}}"#, src(trail), true),
        ("ArnLike other account", r#"{"ArnLike":{"aws:SourceArn":"arn:aws:cloudtrail:*:444455556666:trail/*"}}"#, src(trail), false),
        ("ArnEquals exact", r#"{"ArnEquals":{"aws:SourceArn":"arn:aws:cloudtrail:us-east-1:111122223333:trail/main"}}"#, src(trail), true),
        ("ArnEquals takes wildcards too", r#"{"ArnEquals":{"aws:SourceArn":"arn:aws:cloudtrail:us-*:111122223333:trail/m?in"}}"#, src(trail), true),
        ("ArnNotEquals other", r#"{"ArnNotEquals":{"aws:SourceArn":"arn:aws:cloudtrail:us-east-1:111122223333:trail/other"}}"#, src(trail), true),
        ("ArnNotLike matching", r#"{"ArnNotLike":{"aws:SourceArn":"arn:aws:cloudtrail:*:*:trail/*"}}"#, src(trail), false),
        ("ArnNotLike absent", r#"{"ArnNotLike":{"aws:SourceArn":"arn:aws:cloudtrail:*:*:trail/*"}}"#, alice(), true),
        ("ArnLike star stays in its component", r#"{"ArnLike":{"aws:SourceArn":"arn:aws:iam::*:root"}}"#, src("arn:aws:iam::1:2:root"), false),
        ("ArnLike resource part keeps colons", r#"{"ArnLike":{"aws:SourceArn":"arn:aws:logs:*:*:log-group:*"}}"#, src("arn:aws:logs:us-east-1:1:log-group:g:stream"), true),
        ("ArnLike request is no ARN", r#"{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::*"}}"#, src("bucket"), false),
        ("ArnLike bare star", r#"{"ArnLike":{"aws:SourceArn":"*"}}"#, src("anything"), true),
        ("ArnEquals with a variable", r#"{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::${aws:PrincipalAccount}:user/alice"}}"#, alice(), true),
        ("ArnLikeIfExists absent", r#"{"ArnLikeIfExists":{"aws:SourceArn":"arn:aws:s3:::*"}}"#, alice(), true),
    ]);
}

#[test]
#[rustfmt::skip]
fn null_and_set_qualifiers() {
    let keys = |v: &[&str]| alice().conds("kms:EncryptionContextKeys", v);
    run_conditions(&[
        ("Null true, absent", r#"{"Null":{"s3:x-amz-server-side-encryption":"true"}}"#, alice(), true),
        ("Null true, present", r#"{"Null":{"s3:x-amz-server-side-encryption":"true"}}"#, alice().cond("s3:x-amz-server-side-encryption", "aws:kms"), false),
        ("Null false, present", r#"{"Null":{"s3:x-amz-server-side-encryption":false}}"#, alice().cond("s3:x-amz-server-side-encryption", "aws:kms"), true),
        ("Null false, absent", r#"{"Null":{"s3:x-amz-server-side-encryption":"false"}}"#, alice(), false),
        ("Null true, empty multivalued key", r#"{"Null":{"kms:EncryptionContextKeys":"true"}}"#, keys(&[]), true),
        ("ForAnyValue one common", r#"{"ForAnyValue:StringEquals":{"kms:EncryptionContextKeys":["a","b"]}}"#, keys(&["b", "c"]), true),
        ("ForAnyValue none common", r#"{"ForAnyValue:StringEquals":{"kms:EncryptionContextKeys":["a","b"]}}"#, keys(&["c", "d"]), false),
        ("ForAnyValue absent", r#"{"ForAnyValue:StringEquals":{"kms:EncryptionContextKeys":["a"]}}"#, alice(), false),
        ("ForAnyValue negated absent", r#"{"ForAnyValue:StringNotEquals":{"kms:EncryptionContextKeys":["a"]}}"#, alice(), false),
        ("ForAnyValue IfExists absent", r#"{"ForAnyValue:StringEqualsIfExists":{"kms:EncryptionContextKeys":["a"]}}"#, alice(), true),
        ("ForAllValues subset", r#"{"ForAllValues:StringEquals":{"kms:EncryptionContextKeys":["a","b","c"]}}"#, keys(&["a", "b"]), true),
        ("ForAllValues not subset", r#"{"ForAllValues:StringEquals":{"kms:EncryptionContextKeys":["a","b"]}}"#, keys(&["a", "z"]), false),
        ("ForAllValues absent holds", r#"{"ForAllValues:StringEquals":{"kms:EncryptionContextKeys":["a"]}}"#, alice(), true),
        ("ForAnyValue:StringNotEquals one differs", r#"{"ForAnyValue:StringNotEquals":{"kms:EncryptionContextKeys":["a"]}}"#, keys(&["a", "x"]), true),
        ("ForAllValues:StringNotEquals none listed", r#"{"ForAllValues:StringNotEquals":{"kms:EncryptionContextKeys":["a"]}}"#, keys(&["x", "y"]), true),
        ("ForAllValues:StringNotEquals one listed", r#"{"ForAllValues:StringNotEquals":{"kms:EncryptionContextKeys":["a"]}}"#, keys(&["a", "x"]), false),
        ("ForAnyValue:StringLike", r#"{"ForAnyValue:StringLike":{"aws:TagKeys":["team-*"]}}"#, alice().conds("aws:TagKeys", &["env", "team-a"]), true),
        ("ForAllValues:StringLike", r#"{"ForAllValues:StringLike":{"aws:TagKeys":["team-*"]}}"#, alice().conds("aws:TagKeys", &["env", "team-a"]), false),
        ("unqualified positive on many values: any", r#"{"StringEquals":{"aws:CalledVia":"athena.amazonaws.com"}}"#, alice().conds("aws:CalledVia", &["x", "athena.amazonaws.com"]), true),
        ("unqualified negated on many values: none", r#"{"StringNotEquals":{"aws:CalledVia":"athena.amazonaws.com"}}"#, alice().conds("aws:CalledVia", &["x", "athena.amazonaws.com"]), false),
        ("ForAnyValue:NumericLessThan", r#"{"ForAnyValue:NumericLessThan":{"k":"5"}}"#, alice().conds("k", &["9", "3"]), true),
        ("ForAllValues:NumericLessThan", r#"{"ForAllValues:NumericLessThan":{"k":"5"}}"#, alice().conds("k", &["9", "3"]), false),
    ]);
}

#[test]
#[rustfmt::skip]
fn combined_derived_and_service_keys() {
    run_conditions(&[
        ("operators are AND (both hold)", r#"{"StringEquals":{"s3:x-amz-acl":"private"},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"#, alice().cond("s3:x-amz-acl", "private").cond("aws:SourceIp", "10.1.1.1"), true),
        ("operators are AND (one fails)", r#"{"StringEquals":{"s3:x-amz-acl":"private"},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"#, alice().cond("s3:x-amz-acl", "private").cond("aws:SourceIp", "11.1.1.1"), false),
        ("empty Condition holds", "{}", alice(), true),
        ("derived aws:PrincipalArn", r#"{"StringEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:user/alice"}}"#, alice(), true),
        ("derived aws:PrincipalAccount", &format!(r#"{{"StringEquals":{{"aws:PrincipalAccount":"{A}"}}}}"#), alice(), true),
        ("derived aws:username", r#"{"StringLike":{"aws:username":"al*"}}"#, alice(), true),
        ("derived aws:PrincipalType", r#"{"StringEquals":{"aws:PrincipalType":"Account"}}"#, root(A), true),
        ("anonymous has no aws:PrincipalArn", r#"{"Null":{"aws:PrincipalArn":"true"}}"#, anonymous(), true),
        ("supplied key overrides derived", r#"{"StringEquals":{"aws:username":"carol"}}"#, alice().cond("aws:username", "carol"), true),
        ("variable in a condition value", r#"{"StringLike":{"s3:prefix":["home/${aws:username}/*"]}}"#, alice().cond("s3:prefix", "home/alice/docs"), true),
        ("variable for someone else", r#"{"StringLike":{"s3:prefix":["home/${aws:username}/*"]}}"#, alice().cond("s3:prefix", "home/bob/docs"), false),
        ("unresolved variable matches nothing", r#"{"StringEquals":{"s3:prefix":"${aws:nope}"}}"#, alice().cond("s3:prefix", "${aws:nope}"), false),
        ("variable default", r#"{"StringEquals":{"s3:prefix":"${aws:nope, 'none'}"}}"#, alice().cond("s3:prefix", "none"), true),
        ("encryption context key with colons", r#"{"StringLike":{"kms:EncryptionContext:aws:cloudtrail:arn":"arn:aws:cloudtrail:*:111122223333:trail/*"}}"#, alice().cond( "kms:EncryptionContext:aws:cloudtrail:arn", "arn:aws:cloudtrail:us-east-1:111122223333:trail/t", ), true),
        ("object tag key", r#"{"StringEquals":{"s3:ExistingObjectTag/classification":"public"}}"#, alice().cond("s3:ExistingObjectTag/classification", "public"), true),
        ("kms:ViaService and kms:CallerAccount", r#"{"StringEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com","kms:CallerAccount":"111122223333"}}"#, alice().cond("kms:ViaService", "s3.us-east-1.amazonaws.com").cond("kms:CallerAccount", A), true),
    ]);
}
