//! STS sessions through the AWS SDK for Rust: AssumeRole across accounts and within one (trust
//! policy with the caller's identity policy, as AWS combines them), the temporary credentials
//! on S3, KMS, CloudTrail and STS (session token required, expiry by the server's clock with
//! each protocol's error), session policies, durations and role chaining, the AssumedRole
//! identity in CloudTrail records and LookupEvents, and sessions surviving a restart.
//!
//! This module holds the shared set-up (accounts, IAM calls, policies, AssumeRole); the
//! scenarios live in the files named by what they cover.

mod cross_account;
mod restart;
mod sdk_provider;
mod session_tokens;
mod trust_and_chaining;

use crate::common::{iam_call, lookup_by, ok, xml_value, Server, Via};
use aws_sdk_cloudtrail::types::LookupAttributeKey;
use aws_sdk_sts::error::ProvideErrorMetadata;
use serde_json::Value;

/// Account A (the default `test` root, 000000000000) holds the role and the bucket; account B's
/// root (222222222222) makes the user that assumes it.
const USERS: &str = r#"
[[users]]
access_key = "AKIAROOTBEXAMPLE0001"
secret_key = "root-b"
account_id = "222222222222"
"#;

const A: &str = "000000000000";
const B: &str = "222222222222";

/// An IAM call signed by `key`/`secret` that must succeed; its response body.
async fn iam(s: &Server, keys: (&str, &str), action: &str, params: &[(&str, &str)]) -> String {
    let r = iam_call(s, keys, action, params).await;
    assert_eq!(r.status, 200, "{action}: {}", r.text());
    r.text()
}

/// Creates role `name` in the account `root` signs for, trusted by the policy `trust_doc`,
/// with the further CreateRole parameters `more`; the response body.
async fn create_role(
    s: &Server,
    root: (&str, &str),
    name: &str,
    trust_doc: &str,
    more: &[(&str, &str)],
) -> String {
    let mut params = vec![("RoleName", name), ("AssumeRolePolicyDocument", trust_doc)];
    params.extend_from_slice(more);
    iam(s, root, "CreateRole", &params).await
}

/// Gives `role` the inline policy `doc`, named `policy`.
async fn put_role_policy(s: &Server, root: (&str, &str), role: &str, policy: &str, doc: &str) {
    put_inline_policy(s, root, ("PutRolePolicy", "RoleName", role), policy, doc).await;
}

/// Gives `user` the inline policy `doc`, named `policy`.
async fn put_user_policy(s: &Server, root: (&str, &str), user: &str, policy: &str, doc: &str) {
    put_inline_policy(s, root, ("PutUserPolicy", "UserName", user), policy, doc).await;
}

/// `action` (PutRolePolicy, PutUserPolicy) giving the identity its `name_param` names the
/// inline policy `doc`, named `policy`.
async fn put_inline_policy(
    s: &Server,
    root: (&str, &str),
    (action, name_param, name): (&str, &str, &str),
    policy: &str,
    doc: &str,
) {
    let params = [
        (name_param, name),
        ("PolicyName", policy),
        ("PolicyDocument", doc),
    ];
    iam(s, root, action, &params).await;
}

/// The ARN of IAM user `name` of `account`.
fn user_arn(account: &str, name: &str) -> String {
    format!("arn:aws:iam::{account}:user/{name}")
}

/// A user of `account` (made by `root`) with a key: (key id, secret).
async fn user_with_key(s: &Server, root: (&str, &str), name: &str) -> (String, String) {
    iam(s, root, "CreateUser", &[("UserName", name)]).await;
    let k = iam(s, root, "CreateAccessKey", &[("UserName", name)]).await;
    (
        xml_value(&k, "AccessKeyId").unwrap(),
        xml_value(&k, "SecretAccessKey").unwrap(),
    )
}

fn trust(principal: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"{principal}"}},"Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"]}}]}}"#
    )
}

fn allow(actions: &str, resource: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":{actions},"Resource":"{resource}"}}]}}"#
    )
}

/// Temporary credentials from an AssumeRole answer.
#[derive(Debug)]
struct Creds {
    key: String,
    secret: String,
    token: String,
}

impl Creds {
    fn of(c: &aws_sdk_sts::types::Credentials) -> Creds {
        Creds {
            key: c.access_key_id().to_string(),
            secret: c.secret_access_key().to_string(),
            token: c.session_token().to_string(),
        }
    }

    fn via(&self, base: Via) -> Via {
        base.session(&self.key, &self.secret, &self.token)
    }

    /// The ARN GetCallerIdentity names for these credentials, on the server `base` reaches.
    async fn caller_arn(&self, base: Via) -> String {
        let me = ok!(self.via(base).sts().get_caller_identity());
        me.arn().unwrap().to_string()
    }
}

/// The events of the account `via` signs for whose `key` attribute is `value`.
async fn lookup(via: &Via, key: LookupAttributeKey, value: &str) -> Vec<Value> {
    lookup_by(&via.cloudtrail(), key, value).await
}

/// AssumeRole through the SDK by `via`; the error code on failure.
async fn assume(
    via: &Via,
    role_arn: &str,
    name: &str,
    adjust: impl FnOnce(
        aws_sdk_sts::operation::assume_role::builders::AssumeRoleFluentBuilder,
    ) -> aws_sdk_sts::operation::assume_role::builders::AssumeRoleFluentBuilder,
) -> Result<Creds, (String, String)> {
    let b = via
        .sts()
        .assume_role()
        .role_arn(role_arn)
        .role_session_name(name);
    match adjust(b).send().await {
        Ok(out) => Ok(Creds::of(out.credentials().unwrap())),
        Err(e) => Err((
            e.code().unwrap_or("<none>").to_string(),
            e.message().unwrap_or("").to_string(),
        )),
    }
}
