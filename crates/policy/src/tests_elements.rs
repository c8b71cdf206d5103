//! Table tests of the statement elements through [`crate::Policy::evaluate`]: Action /
//! NotAction, Resource / NotResource, Principal / NotPrincipal, policy variables in Resource,
//! Version 2008-10-17, and explicit Deny winning inside one policy.

use crate::tests_support::{
    alice, anonymous, bob, root, run_eval, service, user, A, A_CANONICAL, B,
};
use crate::{Match, Policy};

use Match::{Allow, Deny, NotApplicable as NA};

#[test]
#[rustfmt::skip]
fn actions_and_resources() {
    let n = run_eval(&[
        ("exact action", r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}"#, alice(), Allow),
        ("action case-insensitive", r#"{"Effect":"Allow","Action":"S3:getobject","Resource":"*"}"#, alice(), Allow),
        ("other action", r#"{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"}"#, alice(), NA),
        ("action prefix wildcard", r#"{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}"#, alice(), Allow),
        ("action ? wildcard", r#"{"Effect":"Allow","Action":"s3:?etObject","Resource":"*"}"#, alice(), Allow),
        ("service wildcard", r#"{"Effect":"Allow","Action":"s3:*","Resource":"*"}"#, alice(), Allow),
        ("other service", r#"{"Effect":"Allow","Action":"kms:*","Resource":"*"}"#, alice(), NA),
        ("everything", r#"{"Effect":"Allow","Action":"*","Resource":"*"}"#, alice().act("kms:Decrypt"), Allow),
        ("action list", r#"{"Effect":"Allow","Action":["s3:PutObject","s3:GetObject"],"Resource":"*"}"#, alice(), Allow),
        ("NotAction excludes", r#"{"Effect":"Allow","NotAction":"s3:GetObject","Resource":"*"}"#, alice(), NA),
        ("NotAction covers the rest", r#"{"Effect":"Allow","NotAction":"s3:Delete*","Resource":"*"}"#, alice(), Allow),
        ("NotAction with Deny", r#"[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","NotAction":["s3:Get*","s3:List*"],"Resource":"*"}]"#, alice().act("s3:DeleteObject"), Deny),
        ("exact resource", r#"{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::bucket/key"}"#, alice(), Allow),
        ("resource is case-sensitive", r#"{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::bucket/KEY"}"#, alice(), NA),
        ("resource prefix", r#"{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::bucket/*"}"#, alice(), Allow),
        ("bucket ARN is not its objects", r#"{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::bucket"}"#, alice(), NA),
        ("resource ? wildcard", r#"{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::bucket/ke?"}"#, alice(), Allow),
        ("resource list", r#"{"Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::other/*","arn:aws:s3:::bucket/*"]}"#, alice(), Allow),
        ("NotResource excludes", r#"{"Effect":"Allow","Action":"s3:*","NotResource":"arn:aws:s3:::bucket/*"}"#, alice(), NA),
        ("NotResource covers the rest", r#"{"Effect":"Allow","Action":"s3:*","NotResource":"arn:aws:s3:::secret/*"}"#, alice(), Allow),
        ("NotResource with Deny", r#"[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Deny","Action":"s3:*","NotResource":"arn:aws:s3:::safe/*"}]"#, alice(), Deny),
    ]);
    assert_eq!(n, 21);
}

#[test]
#[rustfmt::skip]
fn principals() {
    let p = |principal: &str| {
        format!(
            r#"{{"Effect":"Allow","Principal":{principal},"Action":"s3:GetObject","Resource":"*"}}"#
        )
    };
    let np = |principal: &str| {
        format!(
            r#"[{{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}},{{"Effect":"Deny","NotPrincipal":{principal},"Action":"*","Resource":"*"}}]"#
        )
    };
    let alice_arn = format!(r#"{{"AWS":"arn:aws:iam::{A}:user/alice"}}"#);
    let alice_and_a =
        format!(r#"{{"AWS":["arn:aws:iam::{A}:user/alice","arn:aws:iam::{A}:root"]}}"#);
    run_eval(&[
        ("star", p(r#""*""#), alice(), Allow),
        ("star admits anonymous", p(r#""*""#), anonymous(), Allow),
        ("AWS star admits anonymous", p(r#"{"AWS":"*"}"#), anonymous(), Allow),
        ("star admits services", p(r#""*""#), service("cloudtrail.amazonaws.com"), Allow),
        ("user ARN", p(&alice_arn), alice(), Allow),
        ("user ARN, other user", p(&alice_arn), user(A, "carol"), NA),
        ("user ARN, not the root", p(&alice_arn), root(A), NA),
        ("account id names its users", p(&format!(r#"{{"AWS":"{A}"}}"#)), alice(), Allow),
        ("account root ARN names its users", p(&format!(r#"{{"AWS":"arn:aws:iam::{A}:root"}}"#)), alice(), Allow),
        ("account names its root", p(&format!(r#"{{"AWS":"{A}"}}"#)), root(A), Allow),
        ("account, other account", p(&format!(r#"{{"AWS":"{A}"}}"#)), bob(), NA),
        ("account list", p(&format!(r#"{{"AWS":["{A}","{B}"]}}"#)), bob(), Allow),
        ("service", p(r#"{"Service":"cloudtrail.amazonaws.com"}"#), service("cloudtrail.amazonaws.com"), Allow),
        ("service, other service", p(r#"{"Service":"cloudtrail.amazonaws.com"}"#), service("s3.amazonaws.com"), NA),
        ("service list", p(r#"{"Service":["s3.amazonaws.com","cloudtrail.amazonaws.com"]}"#), service("cloudtrail.amazonaws.com"), Allow),
        ("service names no user", p(r#"{"Service":"cloudtrail.amazonaws.com"}"#), alice(), NA),
        ("account names no service", p(&format!(r#"{{"AWS":"{A}"}}"#)), service("cloudtrail.amazonaws.com"), NA),
        ("account names nobody anonymous", p(&format!(r#"{{"AWS":"{A}"}}"#)), anonymous(), NA),
        ("canonical user names the account", p(&format!(r#"{{"CanonicalUser":"{A_CANONICAL}"}}"#)), root(A).canonical(A_CANONICAL), Allow),
        ("canonical user, other id", p(r#"{"CanonicalUser":"abc"}"#), root(A).canonical(A_CANONICAL), NA),
        ("mixed kinds", p(&format!( r#"{{"AWS":"{B}","Service":"cloudtrail.amazonaws.com"}}"# )), service("cloudtrail.amazonaws.com"), Allow),
        ("no Principal in an identity policy: the holder", r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}"#.to_string(), bob(), Allow),
        // NotPrincipal, as AWS documents it with Deny: exempting a user needs the user and its
        // account; the account alone exempts only the root.
        ("NotPrincipal user and account exempt the user", np(&alice_and_a), alice(), Allow),
        ("NotPrincipal user only: account still denied", np(&alice_arn), alice(), Deny),
        ("NotPrincipal denies other users of the account", np(&alice_and_a), user(A, "carol"), Deny),
        ("NotPrincipal account exempts the root", np(&format!(r#"{{"AWS":"{A}"}}"#)), root(A), Allow),
        ("NotPrincipal denies other accounts", np(&alice_and_a), bob(), Deny),
        ("NotPrincipal service exempt", np(r#"{"Service":"cloudtrail.amazonaws.com"}"#), service("cloudtrail.amazonaws.com"), Allow),
        ("NotPrincipal denies anonymous", np(&alice_and_a), anonymous(), Deny),
        ("NotPrincipal star exempts everyone", np(r#"{"AWS":"*"}"#), anonymous(), Allow),
    ]);
}

#[test]
#[rustfmt::skip]
fn variables_in_resources_and_deny_precedence() {
    let home = r#"{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::bucket/home/${aws:username}/*"}"#;
    run_eval(&[
        ("own home", home, alice().res("arn:aws:s3:::bucket/home/alice/f"), Allow),
        ("someone else's home", home, alice().res("arn:aws:s3:::bucket/home/bob/f"), NA),
        ("root has no user name", home, root(A).res("arn:aws:s3:::bucket/home/alice/f"), NA),
        ("account variable", r#"{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::logs/AWSLogs/${aws:PrincipalAccount}/*"}"#, alice().res("arn:aws:s3:::logs/AWSLogs/111122223333/x"), Allow),
        ("escaped star is literal", r#"{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::bucket/${*}"}"#, alice().res("arn:aws:s3:::bucket/x"), NA),
        ("escaped star matches a star", r#"{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::bucket/${*}"}"#, alice().res("arn:aws:s3:::bucket/*"), Allow),
        ("unknown variable: no match", r#"{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::bucket/${aws:nope}"}"#, alice().res("arn:aws:s3:::bucket/"), NA),
        ("deny wins over allow", r#"[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Deny","Action":"s3:GetObject","Resource":"*"}]"#, alice(), Deny),
        ("deny wins whatever the order", r#"[{"Effect":"Deny","Action":"s3:GetObject","Resource":"*"},{"Effect":"Allow","Action":"s3:*","Resource":"*"}]"#, alice(), Deny),
        ("deny not applying", r#"[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Deny","Action":"s3:PutObject","Resource":"*"}]"#, alice(), Allow),
        ("conditional deny not met", r#"[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]"#, alice().cond("aws:SecureTransport", "true"), Allow),
        ("conditional deny met", r#"[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]"#, alice().cond("aws:SecureTransport", "false"), Deny),
        ("single statement object", r#"{"Effect":"Deny","Action":"s3:*","Resource":"*"}"#, alice(), Deny),
    ]);
}

#[test]
#[rustfmt::skip]
fn version_2008_reads_variables_literally() {
    let doc = r#"{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::bucket/${aws:username}"}}"#;
    let p = Policy::parse(doc).unwrap();
    assert_eq!(p.version(), Some(crate::Version::V2008_10_17));
    assert_eq!(
        p.evaluate(&alice().res("arn:aws:s3:::bucket/alice").ctx()),
        NA
    );
    assert_eq!(
        p.evaluate(&alice().res("arn:aws:s3:::bucket/${aws:username}").ctx()),
        Allow
    );
    // No Version at all is read the same way.
    let doc = r#"{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::bucket/${aws:username}"}}"#;
    let p = Policy::parse(doc).unwrap();
    assert_eq!(
        p.evaluate(&alice().res("arn:aws:s3:::bucket/alice").ctx()),
        NA
    );
}

#[test]
#[rustfmt::skip]
fn outcome_tells_delegation_from_direct_allow() {
    let p = Policy::parse(&crate::tests_support::doc(&format!(
        r#"{{"Effect":"Allow","Principal":{{"AWS":"{A}"}},"Action":"s3:*","Resource":"*"}}"#
    )))
    .unwrap();
    let o = p.outcome(&alice().ctx());
    assert!(o.allow_via_account && !o.allow_direct && !o.deny);
    let o = p.outcome(&root(A).ctx());
    assert!(o.allow_direct);
    assert_eq!(
        p.matching_statements(&alice().ctx()),
        vec!["#0".to_string()]
    );
}
