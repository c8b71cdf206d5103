//! Table tests of [`crate::authorize`]: identity and resource policies within one account and
//! across accounts, the root user, service principals, anonymous callers, and the set-ups the
//! identity-and-access issue names (SSE-KMS-only bucket, prefix-limited user, log archive
//! bucket only CloudTrail may write to).

use crate::tests_support::{alice, anonymous, bob, root, row, run_auth, service, user, A, B};
use crate::{authorize, Decision};

use Decision::{Allow, ExplicitDeny as XDeny, ImplicitDeny as IDeny};

const ALLOW_S3: &str = r#"{"Effect":"Allow","Action":"s3:*","Resource":"*"}"#;
const ALLOW_GET: &str =
    r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"}"#;
const DENY_GET: &str = r#"{"Effect":"Deny","Action":"s3:GetObject","Resource":"*"}"#;
const ALLOW_PUT: &str = r#"{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"}"#;
const RES_ALLOW_ALICE: &str = r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"}"#;
const RES_ALLOW_EVERYONE: &str = r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"}"#;
const RES_ALLOW_A: &str = r#"{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"}"#;
const RES_ALLOW_B: &str = r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"}"#;
const RES_ALLOW_BOB: &str = r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:user/bob"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"}"#;
const RES_DENY_EVERYONE: &str =
    r#"{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"*"}"#;

fn run(rows: &[crate::tests_support::AuthRow]) -> usize {
    run_auth(rows, |req, identity, resource| {
        authorize(req, identity, resource, A)
    })
}

#[test]
#[rustfmt::skip]
fn same_account() {
    let n = run(&[
        row("identity allows", &[ALLOW_S3], None, alice(), Allow),
        row("nothing allows", &[], None, alice(), IDeny),
        row("identity allows, resource denies", &[ALLOW_S3], Some(RES_DENY_EVERYONE), alice(), XDeny),
        row("resource allows, identity denies", &[DENY_GET], Some(RES_ALLOW_ALICE), alice(), XDeny),
        row("resource names the user: enough", &[], Some(RES_ALLOW_ALICE), alice(), Allow),
        row("resource allows everyone: enough", &[], Some(RES_ALLOW_EVERYONE), alice(), Allow),
        row("resource names the account: delegation only", &[], Some(RES_ALLOW_A), alice(), IDeny),
        row("resource names the account, identity allows", &[ALLOW_GET], Some(RES_ALLOW_A), alice(), Allow),
        row("identity allows another action", &[ALLOW_PUT], None, alice(), IDeny),
        row("identity allows another resource", &[ALLOW_GET], None, alice().res("arn:aws:s3:::other/k"), IDeny),
        row("one identity policy denies", &[ALLOW_S3, DENY_GET], None, alice(), XDeny),
        row("second identity policy allows", &[ALLOW_PUT, ALLOW_GET], None, alice(), Allow),
        row("resource allows another user", &[], Some(RES_ALLOW_ALICE), user(A, "carol"), IDeny),
        row("root: all rights in its account", &[], None, root(A), Allow),
        row("root: resource Deny still wins", &[], Some(RES_DENY_EVERYONE), root(A), XDeny),
        row("root: Deny naming the account", &[], Some( r#"{"Effect":"Deny","Principal":{"AWS":"111122223333"},"Action":"s3:*","Resource":"*"}"#, ), root(A), XDeny),
        row("root: conditional Deny not met", &[], Some( r#"{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}"#, ), root(A).cond("aws:SecureTransport", "true"), Allow),
        row("root: conditional Deny met", &[], Some( r#"{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}"#, ), root(A).cond("aws:SecureTransport", "false"), XDeny),
    ]);
    assert_eq!(n, 18);
}

#[test]
#[rustfmt::skip]
fn cross_account() {
    run(&[
        row("identity alone is not enough", &[ALLOW_S3], None, bob(), IDeny),
        row("both allow (account named)", &[ALLOW_S3], Some(RES_ALLOW_B), bob(), Allow),
        row("both allow (user named)", &[ALLOW_GET], Some(RES_ALLOW_BOB), bob(), Allow),
        row("resource alone is not enough (user named)", &[], Some(RES_ALLOW_BOB), bob(), IDeny),
        row("resource alone is not enough (account named)", &[], Some(RES_ALLOW_B), bob(), IDeny),
        row("public resource needs the identity allow too", &[], Some(RES_ALLOW_EVERYONE), bob(), IDeny),
        row("public resource and identity allow", &[ALLOW_GET], Some(RES_ALLOW_EVERYONE), bob(), Allow),
        row("resource names the owner only", &[ALLOW_S3], Some(RES_ALLOW_A), bob(), IDeny),
        row("resource allows, identity denies", &[ALLOW_S3, DENY_GET], Some(RES_ALLOW_B), bob(), XDeny),
        row("resource denies the account", &[ALLOW_S3], Some(&format!( r#"[{RES_ALLOW_B},{{"Effect":"Deny","Principal":{{"AWS":"{B}"}},"Action":"s3:GetObject","Resource":"*"}}]"# )), bob(), XDeny),
        row("other root: resource names its account", &[], Some(RES_ALLOW_B), root(B), Allow),
        row("other root: resource names another", &[], Some(RES_ALLOW_A), root(B), IDeny),
        row("other root: no resource policy", &[], None, root(B), IDeny),
        row("other user of the named account", &[ALLOW_GET], Some(RES_ALLOW_BOB), user(B, "dave"), IDeny),
    ]);
}

#[test]
#[rustfmt::skip]
fn services_and_anonymous() {
    let ct = || service("cloudtrail.amazonaws.com");
    let acl = r#"{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::bucket/AWSLogs/111122223333/*","Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control","aws:SourceAccount":"111122223333"}}}"#;
    let get_acl = r#"{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::bucket"}"#;
    let both = format!("[{get_acl},{acl}]");
    let put = |res: &str, acl: &str, src: &str| {
        ct().act("s3:PutObject")
            .res(res)
            .cond("s3:x-amz-acl", acl)
            .cond("aws:SourceAccount", src)
    };
    let insecure_deny = format!(
        r#"[{RES_ALLOW_EVERYONE},{{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{{"Bool":{{"aws:SecureTransport":"false"}}}}}}]"#
    );
    run(&[
        ("log bucket: GetBucketAcl", both.as_str(), ct().act("s3:GetBucketAcl").res("arn:aws:s3:::bucket"), Allow),
        ("log bucket: PutObject with the ACL", both.as_str(), put( "arn:aws:s3:::bucket/AWSLogs/111122223333/CloudTrail/x.json.gz", "bucket-owner-full-control", A, ), Allow),
        ("log bucket: PutObject without the ACL", both.as_str(), put("arn:aws:s3:::bucket/AWSLogs/111122223333/x", "private", A), IDeny),
        ("log bucket: another account's prefix", both.as_str(), put( "arn:aws:s3:::bucket/AWSLogs/444455556666/x", "bucket-owner-full-control", A, ), IDeny),
        ("log bucket: confused deputy (other source)", both.as_str(), put( "arn:aws:s3:::bucket/AWSLogs/111122223333/x", "bucket-owner-full-control", B, ), IDeny),
        ("log bucket: another service", both.as_str(), service("s3.amazonaws.com").act("s3:GetBucketAcl").res("arn:aws:s3:::bucket"), IDeny),
        ("log bucket: users gain nothing from it", both.as_str(), alice().act("s3:GetBucketAcl").res("arn:aws:s3:::bucket"), IDeny),
        ("service: account principal does not name it", RES_ALLOW_A, ct(), IDeny),
        ("anonymous: public read", RES_ALLOW_EVERYONE, anonymous(), Allow),
        ("anonymous: account principal does not name it", RES_ALLOW_A, anonymous(), IDeny),
        ("anonymous: public read over plain HTTP denied", insecure_deny.as_str(), anonymous().cond("aws:SecureTransport", "false"), XDeny),
        ("anonymous: public read over TLS", insecure_deny.as_str(), anonymous().cond("aws:SecureTransport", "true"), Allow),
    ]
    .map(|(name, res, req, want)| row(name, &[], Some(res), req, want)));
    // Identity policies handed in for a service or anonymous caller count for nothing.
    run(&[
        row("service: no resource policy", &[], None, ct(), IDeny),
        row("service: identity policies ignored", &[ALLOW_S3], None, ct(), IDeny),
        row("anonymous: no resource policy", &[], None, anonymous(), IDeny),
        row("anonymous: identity policies ignored", &[ALLOW_S3], None, anonymous(), IDeny),
    ]);
}

#[test]
#[rustfmt::skip]
fn issue_scenarios() {
    // A bucket that refuses uploads without SSE-KMS.
    let kms_only = r#"{"Sid":"DenyUnencrypted","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::bucket/*","Condition":{"StringNotEquals":{"s3:x-amz-server-side-encryption":"aws:kms"}}}"#;
    let put = || alice().act("s3:PutObject");
    // A user limited to reading one prefix.
    let reports =
        r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/reports/*"}"#;
    let list_own = r#"{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::bucket","Condition":{"StringLike":{"s3:prefix":["home/${aws:username}/*"]}}}"#;
    run(&[
        row("SSE-KMS only: plain upload", &[ALLOW_S3], Some(kms_only), put(), XDeny),
        row("SSE-KMS only: SSE-S3 upload", &[ALLOW_S3], Some(kms_only), put().cond("s3:x-amz-server-side-encryption", "AES256"), XDeny),
        row("SSE-KMS only: SSE-KMS upload", &[ALLOW_S3], Some(kms_only), put().cond("s3:x-amz-server-side-encryption", "aws:kms"), Allow),
        row("SSE-KMS only: reads unaffected", &[ALLOW_S3], Some(kms_only), alice(), Allow),
        row("prefix user: inside", &[reports], None, alice().res("arn:aws:s3:::bucket/reports/q1.csv"), Allow),
        row("prefix user: outside", &[reports], None, alice().res("arn:aws:s3:::bucket/private/x"), IDeny),
        row("prefix user: other bucket", &[reports], None, alice().res("arn:aws:s3:::other/reports/q1.csv"), IDeny),
        row("prefix user: cannot write", &[reports], None, alice().act("s3:PutObject").res("arn:aws:s3:::bucket/reports/x"), IDeny),
        row("home listing: own prefix", &[list_own], None, alice().act("s3:ListBucket").res("arn:aws:s3:::bucket").cond("s3:prefix", "home/alice/"), Allow),
        row("home listing: another's prefix", &[list_own], None, alice().act("s3:ListBucket").res("arn:aws:s3:::bucket").cond("s3:prefix", "home/bob/"), IDeny),
        row("home listing: no prefix", &[list_own], None, alice().act("s3:ListBucket").res("arn:aws:s3:::bucket"), IDeny),
    ]);
}

#[test]
#[rustfmt::skip]
fn permissions_boundaries() {
    let boundary = crate::Policy::parse_identity(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},
            {"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/secret"}]}"#,
    )
    .unwrap();
    let bounded = |rows: &[crate::tests_support::AuthRow]| {
        run_auth(rows, |req, identity, resource| {
            let mut req = *req;
            req.boundary = Some(&boundary);
            authorize(&req, identity, resource, A)
        })
    };
    let n = bounded(&[
        row("identity and boundary allow", &[ALLOW_S3], None, alice(), Allow),
        row("identity allows beyond the boundary", &[ALLOW_PUT], None, alice().act("s3:PutObject"), IDeny),
        row("boundary alone grants nothing", &[], None, alice(), IDeny),
        row("explicit deny in the boundary", &[ALLOW_S3], None, alice().res("arn:aws:s3:::bucket/secret"), XDeny),
        row("resource names the user: not capped", &[], Some(r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"s3:PutObject","Resource":"*"}"#), alice().act("s3:PutObject"), Allow),
        row("resource names the account: capped", &[ALLOW_S3], Some(r#"{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:PutObject","Resource":"*"}"#), alice().act("s3:PutObject"), IDeny),
        row("across accounts: capped", &[ALLOW_S3], Some(r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:user/bob"},"Action":"s3:PutObject","Resource":"*"}"#), bob().act("s3:PutObject"), IDeny),
        row("across accounts within the boundary", &[ALLOW_S3], Some(RES_ALLOW_BOB), bob(), Allow),
    ]);
    assert_eq!(n, 8);
}
