//! Table tests of [`crate::authorize_key`]: the key policy as the authority, delegation to
//! IAM policies through the account principal, grants, cross-account use, service principals
//! with encryption-context conditions, and no implicit rights for the root user.

use crate::tests_support::{alice, bob, doc, root, row, run_auth, service, user, AuthRow, A, B};
use crate::{authorize_key, Decision, Policy};

use Decision::{Allow, ExplicitDeny as XDeny, ImplicitDeny as IDeny};

/// The statement of KMS's default key policy for account A.
const DEFAULT_A: &str = r#"{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}"#;
const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const IAM_DECRYPT: &str = r#"{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}"#;
const IAM_KMS_ALL: &str = r#"{"Effect":"Allow","Action":"kms:*","Resource":"*"}"#;
const IAM_DENY_DECRYPT: &str = r#"{"Effect":"Deny","Action":"kms:Decrypt","Resource":"*"}"#;
const ALICE_DECRYPT: &str = r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"kms:Decrypt","Resource":"*"}"#;

fn decrypt(r: crate::tests_support::Req) -> crate::tests_support::Req {
    r.act("kms:Decrypt").res(KEY)
}

fn run(rows: &[AuthRow], grant: bool) -> usize {
    run_auth(rows, |req, identity, key| {
        let key = key.expect("every KMS row has a key policy");
        authorize_key(req, key, identity, A, grant)
    })
}

#[test]
#[rustfmt::skip]
fn key_policy_is_authoritative() {
    let n = run(
        &[
            row("default policy: root of the account", &[], Some(DEFAULT_A), decrypt(root(A)), Allow),
            row("default policy: user with IAM allow", &[IAM_DECRYPT], Some(DEFAULT_A), decrypt(alice()), Allow),
            row("default policy: user without IAM allow", &[], Some(DEFAULT_A), decrypt(alice()), IDeny),
            row("default policy: IAM allows another action", &[IAM_DECRYPT], Some(DEFAULT_A), alice().act("kms:Encrypt").res(KEY), IDeny),
            row("default policy: IAM deny", &[IAM_KMS_ALL, IAM_DENY_DECRYPT], Some(DEFAULT_A), decrypt(alice()), XDeny),
            row("key policy names the user: no IAM needed", &[], Some(ALICE_DECRYPT), decrypt(alice()), Allow),
            row("no delegation: IAM allow has no effect", &[IAM_KMS_ALL], Some(ALICE_DECRYPT), decrypt(user(A, "carol")), IDeny),
            row("no delegation: IAM deny still denies", &[IAM_DENY_DECRYPT], Some(ALICE_DECRYPT), decrypt(alice()), XDeny),
            row("no implicit right for the root", &[], Some(ALICE_DECRYPT), decrypt(root(A)), IDeny),
            row("key policy Deny wins", &[IAM_KMS_ALL], Some(&format!( r#"[{DEFAULT_A},{{"Effect":"Deny","Principal":"*","Action":"kms:Decrypt","Resource":"*"}}]"# )), decrypt(alice()), XDeny),
            row("key policy Deny binds the root too", &[], Some(&format!( r#"[{DEFAULT_A},{{"Effect":"Deny","Principal":{{"AWS":"{A}"}},"Action":"kms:ScheduleKeyDeletion","Resource":"*"}}]"# )), root(A).act("kms:ScheduleKeyDeletion").res(KEY), XDeny),
            row("key policy names the user for another action", &[IAM_KMS_ALL], Some(ALICE_DECRYPT), alice().act("kms:Encrypt").res(KEY), IDeny),
        ],
        false,
    );
    assert_eq!(n, 12);
}

#[test]
#[rustfmt::skip]
fn grants() {
    run(
        &[
            row("grant alone allows", &[], Some(ALICE_DECRYPT), decrypt(user(A, "carol")), Allow),
            row("grant to another account's user", &[], Some(DEFAULT_A), decrypt(bob()), Allow),
            row("grant, key policy Deny", &[], Some(&format!( r#"[{DEFAULT_A},{{"Effect":"Deny","Principal":"*","Action":"kms:Decrypt","Resource":"*"}}]"# )), decrypt(alice()), XDeny),
            row("grant, IAM Deny", &[IAM_DENY_DECRYPT], Some(DEFAULT_A), decrypt(alice()), XDeny),
            row("grant for a service", &[], Some(DEFAULT_A), decrypt(service("cloudtrail.amazonaws.com")), Allow),
        ],
        true,
    );
}

#[test]
#[rustfmt::skip]
fn cross_account_keys() {
    let to_b = format!(
        r#"[{DEFAULT_A},{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{B}:root"}},"Action":["kms:Decrypt","kms:DescribeKey"],"Resource":"*"}}]"#
    );
    let to_bob = format!(
        r#"[{DEFAULT_A},{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{B}:user/bob"}},"Action":"kms:Decrypt","Resource":"*"}}]"#
    );
    let iam_key = format!(r#"{{"Effect":"Allow","Action":"kms:Decrypt","Resource":"{KEY}"}}"#);
    run(
        &[
            row("key names the account, IAM allows", &[iam_key.as_str()], Some(&to_b), decrypt(bob()), Allow),
            row("key names the account, no IAM", &[], Some(&to_b), decrypt(bob()), IDeny),
            row("key names the user, no IAM", &[], Some(&to_bob), decrypt(bob()), IDeny),
            row("key names the user, IAM allows", &[IAM_DECRYPT], Some(&to_bob), decrypt(bob()), Allow),
            row("key names the account, action not shared", &[IAM_KMS_ALL], Some(&to_b), bob().act("kms:Encrypt").res(KEY), IDeny),
            row("key does not name the account", &[IAM_KMS_ALL], Some(DEFAULT_A), decrypt(bob()), IDeny),
            row("other root, key names its account", &[], Some(&to_b), decrypt(root(B)), Allow),
            row("other root, key names another", &[], Some(DEFAULT_A), decrypt(root(B)), IDeny),
        ],
        false,
    );
}

#[test]
#[rustfmt::skip]
fn services_and_managed_keys() {
    let trail_key = format!(
        r#"[{DEFAULT_A},{{"Sid":"CloudTrail encrypts logs","Effect":"Allow","Principal":{{"Service":"cloudtrail.amazonaws.com"}},"Action":"kms:GenerateDataKey*","Resource":"*","Condition":{{"StringLike":{{"kms:EncryptionContext:aws:cloudtrail:arn":"arn:aws:cloudtrail:*:{A}:trail/*"}},"StringEquals":{{"aws:SourceArn":"arn:aws:cloudtrail:us-east-1:{A}:trail/main"}}}}}},{{"Sid":"Security team decrypts","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{A}:user/security"}},"Action":"kms:Decrypt","Resource":"*","Condition":{{"Null":{{"kms:EncryptionContext:aws:cloudtrail:arn":"false"}}}}}}]"#
    );
    let ct = |ctx: &str, source: &str| {
        service("cloudtrail.amazonaws.com")
            .act("kms:GenerateDataKey")
            .res(KEY)
            .cond("kms:EncryptionContext:aws:cloudtrail:arn", ctx)
            .cond("aws:SourceArn", source)
    };
    let main = format!("arn:aws:cloudtrail:us-east-1:{A}:trail/main");
    let other = format!("arn:aws:cloudtrail:us-east-1:{B}:trail/x");
    let managed = format!(
        r#"{{"Effect":"Allow","Principal":{{"AWS":"*"}},"Action":["kms:Encrypt","kms:Decrypt","kms:GenerateDataKey*"],"Resource":"*","Condition":{{"StringEquals":{{"kms:CallerAccount":"{A}","kms:ViaService":"s3.us-east-1.amazonaws.com"}}}}}}"#
    );
    let via_s3 = |r: crate::tests_support::Req| {
        r.cond("kms:CallerAccount", A)
            .cond("kms:ViaService", "s3.us-east-1.amazonaws.com")
    };
    run(
        &[
            row("CloudTrail with its trail context", &[], Some(&trail_key), ct(&main, &main), Allow),
            row("CloudTrail for another account's trail", &[], Some(&trail_key), ct(&other, &main), IDeny),
            row("CloudTrail from another trail", &[], Some(&trail_key), ct(&main, &other), IDeny),
            row("CloudTrail may not decrypt", &[], Some(&trail_key), decrypt(service("cloudtrail.amazonaws.com")), IDeny),
            row("security team decrypts logs", &[], Some(&trail_key), decrypt(user(A, "security")).cond("kms:EncryptionContext:aws:cloudtrail:arn", &main), Allow),
            row("security team, no log context", &[], Some(&trail_key), decrypt(user(A, "security")), IDeny),
            row("another user needs IAM", &[], Some(&trail_key), decrypt(alice()).cond("kms:EncryptionContext:aws:cloudtrail:arn", &main), IDeny),
            row("managed key through S3", &[], Some(&managed), via_s3(decrypt(alice())), Allow),
            row("managed key directly", &[], Some(&managed), decrypt(alice()).cond("kms:CallerAccount", A), IDeny),
            row("managed key, other account through S3", &[IAM_KMS_ALL], Some(&managed), decrypt(bob()).cond("kms:CallerAccount", B).cond("kms:ViaService", "s3.us-east-1.amazonaws.com"), IDeny),
        ],
        false,
    );
}

#[test]
#[rustfmt::skip]
fn the_default_key_policy_of_the_kms_crate_parses() {
    // The exact document crates/kms gives keys created without a policy.
    let p = Policy::parse_resource(&doc(DEFAULT_A)).unwrap();
    assert_eq!(p.statements()[0].sid(), Some("Enable IAM User Permissions"));
}
