//! STS sessions through the AWS SDK for Rust: AssumeRole across accounts and within one (trust
//! policy with the caller's identity policy, as AWS combines them), the temporary credentials
//! on S3, KMS, CloudTrail and STS (session token required, expiry by the server's clock with
//! each protocol's error), session policies, durations and role chaining, the AssumedRole
//! identity in CloudTrail records and LookupEvents, and sessions surviving a restart.

use crate::common::{code, xml_value, Clocked, Server, Via};
use aws_sdk_cloudtrail::types::{LookupAttribute, LookupAttributeKey};
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

/// `v` percent-encoded for a form.
fn encode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// An IAM call signed by `key`/`secret` that must succeed; its response body.
async fn iam(
    s: &Server,
    (key, secret): (&str, &str),
    action: &str,
    params: &[(&str, &str)],
) -> String {
    let mut form = format!("Action={action}&Version=2010-05-08");
    for (k, v) in params {
        form.push_str(&format!("&{k}={}", encode(v)));
    }
    let r = crate::iam::query_post(s, "iam", key, secret, &form).await;
    assert_eq!(r.status, 200, "{action}: {}", r.text());
    r.text()
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
}

/// The events of the account `via` signs for whose `key` attribute is `value`.
async fn lookup(via: &Via, key: LookupAttributeKey, value: &str) -> Vec<Value> {
    let out = via
        .cloudtrail()
        .lookup_events()
        .lookup_attributes(
            LookupAttribute::builder()
                .attribute_key(key)
                .attribute_value(value)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    out.events()
        .iter()
        .map(|e| serde_json::from_str(e.cloud_trail_event().unwrap()).unwrap())
        .collect()
}

/// The acceptance scenario of issue 21 in the SDK for Rust: a role of account A trusts a user
/// of account B; the session writes into a bucket whose SSE-KMS key policy admits only the
/// role, where the user's own keys are refused; records name the AssumedRole; expired
/// credentials are refused by every protocol with its own error.
#[tokio::test]
async fn a_cross_account_session_acts_as_the_role_and_expires() {
    let t0 = time::OffsetDateTime::now_utc().unix_timestamp();
    let c = Clocked::start_at(t0, Some(USERS)).await;
    let s = &c.s;
    let root_a = ("test", "test");
    let root_b = ("AKIAROOTBEXAMPLE0001", "root-b");
    let role_arn = format!("arn:aws:iam::{A}:role/team/auditor");
    let (bob_key, bob_secret) = user_with_key(s, root_b, "bob").await;
    iam(
        s,
        root_b,
        "PutUserPolicy",
        &[
            ("UserName", "bob"),
            ("PolicyName", "assume"),
            (
                "PolicyDocument",
                &allow(
                    r#"["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"]"#,
                    &role_arn,
                ),
            ),
        ],
    )
    .await;
    let role = iam(
        s,
        root_a,
        "CreateRole",
        &[
            ("RoleName", "auditor"),
            ("Path", "/team/"),
            (
                "AssumeRolePolicyDocument",
                &trust(&format!("arn:aws:iam::{B}:user/bob")),
            ),
        ],
    )
    .await;
    let role_id = xml_value(&role, "RoleId").unwrap();
    iam(
        s,
        root_a,
        "PutRolePolicy",
        &[
            ("RoleName", "auditor"),
            ("PolicyName", "write"),
            (
                "PolicyDocument",
                &allow(
                    r#"["s3:PutObject","s3:GetObject"]"#,
                    "arn:aws:s3:::evidence/*",
                ),
            ),
        ],
    )
    .await;
    // The key admits its account's root (to administer it) and the role; nobody else.
    let kms = c.kms();
    let key_policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[
            {{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{A}:root"}},"Action":"kms:*","Resource":"*"}},
            {{"Effect":"Allow","Principal":{{"AWS":"{role_arn}"}},"Action":["kms:GenerateDataKey","kms:Decrypt"],"Resource":"*"}}]}}"#
    );
    let key_id = kms
        .create_key()
        .policy(key_policy)
        .send()
        .await
        .unwrap()
        .key_metadata()
        .unwrap()
        .key_id()
        .to_string();
    let s3 = c.s3();
    s3.create_bucket().bucket("evidence").send().await.unwrap();
    let rule = aws_sdk_s3::types::ServerSideEncryptionRule::builder()
        .apply_server_side_encryption_by_default(
            aws_sdk_s3::types::ServerSideEncryptionByDefault::builder()
                .sse_algorithm(aws_sdk_s3::types::ServerSideEncryption::AwsKms)
                .kms_master_key_id(&key_id)
                .build()
                .unwrap(),
        )
        .build();
    s3.put_bucket_encryption()
        .bucket("evidence")
        .server_side_encryption_configuration(
            aws_sdk_s3::types::ServerSideEncryptionConfiguration::builder()
                .rules(rule)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();

    let bob = c.via().signing_as(&bob_key, &bob_secret);
    let out = bob
        .sts()
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("audit-1")
        .source_identity("bob")
        .send()
        .await
        .unwrap();
    let session = Creds::of(out.credentials().unwrap());
    assert!(
        session.key.starts_with("ASIA") && session.key.len() == 20,
        "{}",
        session.key
    );
    assert_eq!(session.secret.len(), 40);
    let expiration = out.credentials().unwrap().expiration().secs();
    assert_eq!(expiration, t0 + 3600);
    let user = out.assumed_role_user().unwrap();
    let session_arn = format!("arn:aws:sts::{A}:assumed-role/auditor/audit-1");
    assert_eq!(user.arn(), session_arn);
    assert_eq!(user.assumed_role_id(), format!("{role_id}:audit-1"));
    assert_eq!(out.source_identity(), Some("bob"));

    let as_role = session.via(c.via());
    let me = as_role.sts().get_caller_identity().send().await.unwrap();
    assert_eq!(me.arn(), Some(session_arn.as_str()));
    assert_eq!(me.account(), Some(A));
    let principal_id = format!("{role_id}:audit-1");
    assert_eq!(me.user_id(), Some(principal_id.as_str()));

    as_role
        .s3()
        .put_object()
        .bucket("evidence")
        .key("report.txt")
        .body(b"findings".to_vec().into())
        .send()
        .await
        .unwrap();
    let head = s3
        .head_object()
        .bucket("evidence")
        .key("report.txt")
        .send()
        .await
        .unwrap();
    assert!(head.ssekms_key_id().unwrap().ends_with(&key_id));
    // The user's own keys: not the role, so neither the bucket nor the key admit them.
    let denied = bob
        .s3()
        .put_object()
        .bucket("evidence")
        .key("report.txt")
        .body(b"x".to_vec().into())
        .send()
        .await;
    assert_eq!(code(&denied.unwrap_err()), "AccessDenied");

    // The session token is part of the credentials: without it the key is unknown, with
    // another session's it is invalid.
    let no_token = c.via().signing_as(&session.key, &session.secret).s3();
    let r = no_token
        .get_object()
        .bucket("evidence")
        .key("report.txt")
        .send()
        .await;
    assert_eq!(code(&r.unwrap_err()), "InvalidAccessKeyId");
    let wrong = c
        .via()
        .session(&session.key, &session.secret, "not-the-token")
        .s3();
    let r = wrong
        .get_object()
        .bucket("evidence")
        .key("report.txt")
        .send()
        .await;
    assert_eq!(code(&r.unwrap_err()), "InvalidToken");

    // The KMS call S3 made for the session is recorded as the AssumedRole, with its issuer.
    let events = lookup(&c.via(), LookupAttributeKey::AccessKeyId, &session.key).await;
    let gdk = events
        .iter()
        .find(|e| e["eventName"] == "GenerateDataKey")
        .expect("GenerateDataKey recorded");
    let id = &gdk["userIdentity"];
    assert_eq!(id["type"], "AssumedRole");
    assert_eq!(id["principalId"], principal_id);
    assert_eq!(id["arn"], session_arn);
    assert_eq!(id["accountId"], A);
    assert_eq!(id["accessKeyId"], session.key);
    assert_eq!(id["invokedBy"], "s3.amazonaws.com");
    let issuer = &id["sessionContext"]["sessionIssuer"];
    assert_eq!(issuer["type"], "Role");
    assert_eq!(issuer["principalId"], role_id);
    assert_eq!(issuer["arn"], role_arn);
    assert_eq!(issuer["accountId"], A);
    assert_eq!(issuer["userName"], "auditor");
    let attributes = &id["sessionContext"]["attributes"];
    assert_eq!(attributes["mfaAuthenticated"], "false");
    assert_eq!(
        attributes["creationDate"],
        trailstack_cloudtrail::recorder::render::iso_seconds(
            time::OffsetDateTime::from_unix_timestamp(t0).unwrap()
        )
    );
    assert_eq!(id["sessionContext"]["sourceIdentity"], "bob");
    // LookupEvents finds the session's calls by its session name too.
    let by_name = lookup(&c.via(), LookupAttributeKey::Username, "audit-1").await;
    assert!(by_name
        .iter()
        .any(|e| e["eventName"] == "GetCallerIdentity"));

    // AssumeRole itself: bob's call, in his account and in the role's, sharing an event id.
    let in_b = lookup(
        &c.via().signing_as(root_b.0, root_b.1),
        LookupAttributeKey::EventName,
        "AssumeRole",
    )
    .await;
    let in_a = lookup(&c.via(), LookupAttributeKey::EventName, "AssumeRole").await;
    assert_eq!((in_a.len(), in_b.len()), (1, 1));
    let rec = &in_a[0];
    assert_eq!(rec["eventSource"], "sts.amazonaws.com");
    assert_eq!(rec["userIdentity"]["type"], "IAMUser");
    assert_eq!(
        rec["userIdentity"]["arn"],
        format!("arn:aws:iam::{B}:user/bob")
    );
    assert_eq!(rec["recipientAccountId"], A);
    assert_eq!(rec["sharedEventID"], in_b[0]["sharedEventID"]);
    assert_eq!(rec["requestParameters"]["roleArn"], role_arn);
    assert_eq!(rec["requestParameters"]["roleSessionName"], "audit-1");
    assert_eq!(
        rec["responseElements"]["credentials"]["accessKeyId"],
        session.key
    );
    assert_eq!(
        rec["responseElements"]["assumedRoleUser"]["arn"],
        session_arn
    );
    assert_eq!(rec["resources"][0]["type"], "AWS::IAM::Role");
    assert_eq!(rec["resources"][0]["ARN"], role_arn);
    assert_eq!(rec["resources"][0]["accountId"], A);

    // An hour later the credentials have expired, whatever the protocol.
    c.clock.advance(time::Duration::hours(1));
    let r = as_role
        .s3()
        .get_object()
        .bucket("evidence")
        .key("report.txt")
        .send()
        .await;
    assert_eq!(code(&r.unwrap_err()), "ExpiredToken");
    let r = as_role.kms().list_keys().send().await.unwrap_err();
    assert_eq!(r.code(), Some("ExpiredTokenException"));
    let r = as_role
        .sts()
        .get_caller_identity()
        .send()
        .await
        .unwrap_err();
    assert_eq!(r.code(), Some("ExpiredToken"));
    assert_eq!(
        r.message(),
        Some("The security token included in the request is expired")
    );
    let r = as_role
        .cloudtrail()
        .describe_trails()
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_sdk_cloudtrail::error::ProvideErrorMetadata::code(&r),
        Some("ExpiredTokenException")
    );
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

/// Within one account a trust policy naming the user suffices; one naming only the account
/// needs the user's identity policy too; the root may not assume roles; the session gets its
/// role's permissions, narrowed by session policies; durations and role chaining keep AWS's
/// limits; `sts:ExternalId` is checked.
#[tokio::test]
async fn trust_session_policies_durations_and_chaining() {
    let s = Server::start().await;
    let root = ("test", "test");
    s.with_bucket("work").await;
    let (alice_key, alice_secret) = user_with_key(&s, root, "alice").await;
    let (carol_key, carol_secret) = user_with_key(&s, root, "carol").await;
    let alice = s.via().signing_as(&alice_key, &alice_secret);
    let carol = s.via().signing_as(&carol_key, &carol_secret);
    let writer_arn = format!("arn:aws:iam::{A}:role/writer");
    iam(
        &s,
        root,
        "CreateRole",
        &[
            ("RoleName", "writer"),
            (
                "AssumeRolePolicyDocument",
                &trust(&format!("arn:aws:iam::{A}:user/alice")),
            ),
            ("MaxSessionDuration", "7200"),
        ],
    )
    .await;
    iam(
        &s,
        root,
        "PutRolePolicy",
        &[
            ("RoleName", "writer"),
            ("PolicyName", "s3"),
            (
                "PolicyDocument",
                &allow(r#"["s3:PutObject","s3:GetObject","sts:AssumeRole"]"#, "*"),
            ),
        ],
    )
    .await;
    let by_account = format!("arn:aws:iam::{A}:role/by-account");
    iam(
        &s,
        root,
        "CreateRole",
        &[
            ("RoleName", "by-account"),
            (
                "AssumeRolePolicyDocument",
                &trust(&format!("arn:aws:iam::{A}:root")),
            ),
        ],
    )
    .await;

    // Alice is named by writer's trust policy: no identity policy needed.
    let session = assume(&alice, &writer_arn, "w1", |b| b).await.unwrap();
    let w1 = session.via(s.via());
    w1.s3()
        .put_object()
        .bucket("work")
        .key("a")
        .body(b"1".to_vec().into())
        .send()
        .await
        .unwrap();
    // The account's root may not assume a role; carol is not trusted by writer.
    let (c, m) = assume(&s.via(), &writer_arn, "rr", |b| b)
        .await
        .unwrap_err();
    assert_eq!(
        (c.as_str(), m.as_str()),
        ("AccessDenied", "Roles may not be assumed by root accounts.")
    );
    let (c, m) = assume(&carol, &writer_arn, "cc", |b| b).await.unwrap_err();
    assert_eq!(c, "AccessDenied");
    assert_eq!(
        m,
        format!("User: arn:aws:iam::{A}:user/carol is not authorized to perform: sts:AssumeRole on resource: {writer_arn}")
    );
    // A trust policy naming the account delegates to the account's identity policies.
    assert_eq!(
        assume(&carol, &by_account, "cc", |b| b)
            .await
            .unwrap_err()
            .0,
        "AccessDenied"
    );
    iam(
        &s,
        root,
        "PutUserPolicy",
        &[
            ("UserName", "carol"),
            ("PolicyName", "assume"),
            ("PolicyDocument", &allow(r#""sts:AssumeRole""#, &by_account)),
        ],
    )
    .await;
    assert!(assume(&carol, &by_account, "cc", |b| b).await.is_ok());
    // A missing role is refused like an untrusted one.
    let missing = format!("arn:aws:iam::{A}:role/nobody");
    assert_eq!(
        assume(&alice, &missing, "xx", |b| b).await.unwrap_err().0,
        "AccessDenied"
    );

    // A session policy narrows the role: only GetObject is left.
    let narrowed = assume(&alice, &writer_arn, "w2", |b| {
        b.policy(allow(r#""s3:GetObject""#, "arn:aws:s3:::work/*"))
    })
    .await
    .unwrap();
    let w2 = narrowed.via(s.via()).s3();
    w2.get_object()
        .bucket("work")
        .key("a")
        .send()
        .await
        .unwrap();
    let r = w2
        .put_object()
        .bucket("work")
        .key("b")
        .body(b"2".to_vec().into())
        .send()
        .await;
    assert_eq!(code(&r.unwrap_err()), "AccessDenied");

    // Durations: within 900 s and the role's maximum.
    let (c, m) = assume(&alice, &writer_arn, "dd", |b| b.duration_seconds(7201))
        .await
        .unwrap_err();
    assert_eq!(c, "ValidationError");
    assert_eq!(
        m,
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
    );
    let (c, m) = assume(&alice, &writer_arn, "dd", |b| b.duration_seconds(899))
        .await
        .unwrap_err();
    assert_eq!(c, "ValidationError");
    assert_eq!(m, "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900");
    assert!(
        assume(&alice, &writer_arn, "dd", |b| b.duration_seconds(7200))
            .await
            .is_ok()
    );
    let (c, _) = assume(&alice, &writer_arn, "a b", |b| b).await.unwrap_err();
    assert_eq!(c, "ValidationError");

    // Role chaining: the session assumes a role trusting the account; at most an hour.
    let (c, m) = assume(&w1, &by_account, "chain", |b| b.duration_seconds(3601))
        .await
        .unwrap_err();
    assert_eq!(c, "ValidationError");
    assert_eq!(m, "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.");
    let chained = assume(&w1, &by_account, "chain", |b| b).await.unwrap();
    let me = chained
        .via(s.via())
        .sts()
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert_eq!(
        me.arn(),
        Some(format!("arn:aws:sts::{A}:assumed-role/by-account/chain").as_str())
    );

    // sts:ExternalId, as a third party's role asks for it.
    let guarded = format!("arn:aws:iam::{A}:role/guarded");
    iam(
        &s,
        root,
        "CreateRole",
        &[
            ("RoleName", "guarded"),
            (
                "AssumeRolePolicyDocument",
                &format!(
                    r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{A}:user/alice"}},"Action":"sts:AssumeRole","Condition":{{"StringEquals":{{"sts:ExternalId":"ext-42"}}}}}}]}}"#
                ),
            ),
        ],
    )
    .await;
    assert_eq!(
        assume(&alice, &guarded, "gg", |b| b).await.unwrap_err().0,
        "AccessDenied"
    );
    assert_eq!(
        assume(&alice, &guarded, "gg", |b| b.external_id("ext-1"))
            .await
            .unwrap_err()
            .0,
        "AccessDenied"
    );
    assert!(assume(&alice, &guarded, "gg", |b| b.external_id("ext-42"))
        .await
        .is_ok());
}

/// A session's credentials are durable: after a restart on the same data dir they still sign,
/// with the same identity.
#[tokio::test]
async fn sessions_survive_a_restart() {
    let s = Server::start().await;
    let root = ("test", "test");
    let (key, secret) = user_with_key(&s, root, "dana").await;
    let role_arn = format!("arn:aws:iam::{A}:role/keeper");
    iam(
        &s,
        root,
        "CreateRole",
        &[
            ("RoleName", "keeper"),
            (
                "AssumeRolePolicyDocument",
                &trust(&format!("arn:aws:iam::{A}:user/dana")),
            ),
        ],
    )
    .await;
    let dana = s.via().signing_as(&key, &secret);
    let session = assume(&dana, &role_arn, "kept", |b| b).await.unwrap();
    let dir = s.stop();
    let s = Server::start_in(dir).await;
    let me = session
        .via(s.via())
        .sts()
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert_eq!(
        me.arn(),
        Some(format!("arn:aws:sts::{A}:assumed-role/keeper/kept").as_str())
    );
}

/// GetSessionToken gives a user (or root) credentials with its own permissions, recorded as
/// the user with a session context; such credentials cannot ask for another; GetAccessKeyInfo
/// names the account of long-term and temporary keys.
#[tokio::test]
async fn session_tokens_and_access_key_info() {
    let s = Server::start_as(USERS).await;
    let root = ("test", "test");
    s.with_bucket("own").await;
    let (key, secret) = user_with_key(&s, root, "erin").await;
    iam(
        &s,
        root,
        "PutUserPolicy",
        &[
            ("UserName", "erin"),
            ("PolicyName", "s3"),
            (
                "PolicyDocument",
                &allow(r#""s3:PutObject""#, "arn:aws:s3:::own/*"),
            ),
        ],
    )
    .await;
    let erin = s.via().signing_as(&key, &secret);
    let out = erin.sts().get_session_token().send().await.unwrap();
    let c = out.credentials().unwrap();
    assert!(c.access_key_id().starts_with("ASIA"));
    let session = Creds::of(c);
    let temp = session.via(s.via());
    let me = temp.sts().get_caller_identity().send().await.unwrap();
    assert_eq!(
        me.arn(),
        Some(format!("arn:aws:iam::{A}:user/erin").as_str())
    );
    temp.s3()
        .put_object()
        .bucket("own")
        .key("k")
        .body(b"1".to_vec().into())
        .send()
        .await
        .unwrap();
    let again = temp.sts().get_session_token().send().await.unwrap_err();
    assert_eq!(again.code(), Some("AccessDenied"));
    assert_eq!(
        again.message(),
        Some("Cannot call GetSessionToken with session credentials")
    );
    // A root's session lasts at most an hour, whatever it asks.
    let rooted = s
        .via()
        .sts()
        .get_session_token()
        .duration_seconds(7200)
        .send()
        .await
        .unwrap();
    let expires = rooted.credentials().unwrap().expiration().secs();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    assert!(
        (now + 3590..=now + 3610).contains(&expires),
        "{expires} vs {now}"
    );

    let info = |k: &str| {
        let sts = s.via().sts();
        let k = k.to_string();
        async move { sts.get_access_key_info().access_key_id(k).send().await }
    };
    assert_eq!(info(&key).await.unwrap().account(), Some(A));
    assert_eq!(info(&session.key).await.unwrap().account(), Some(A));
    assert_eq!(
        info("AKIAROOTBEXAMPLE0001").await.unwrap().account(),
        Some(B)
    );
    assert_eq!(
        info("AKIAUNKNOWNUNKNOWN").await.unwrap_err().code(),
        Some("InvalidParameterValue")
    );

    let events = lookup(&s.via(), LookupAttributeKey::AccessKeyId, &session.key).await;
    let call = events
        .iter()
        .find(|e| e["eventName"] == "GetCallerIdentity")
        .unwrap();
    let id = &call["userIdentity"];
    assert_eq!(id["type"], "IAMUser");
    assert_eq!(id["userName"], "erin");
    assert_eq!(id["accessKeyId"], session.key);
    assert_eq!(id["sessionContext"]["sessionIssuer"], serde_json::json!({}));
    assert_eq!(
        id["sessionContext"]["attributes"]["mfaAuthenticated"],
        "false"
    );
}

/// The AWS SDK for Rust's own AssumeRole credential provider (aws-config) gets a role
/// session from this server and an S3 client signs with it, session token included, as
/// against AWS.
#[tokio::test]
async fn the_sdk_assume_role_provider_works() {
    use aws_config::sts::AssumeRoleProvider;
    let s = Server::start().await;
    let root = ("test", "test");
    s.with_bucket("provided").await;
    let (key, secret) = user_with_key(&s, root, "frank").await;
    let role_arn = format!("arn:aws:iam::{A}:role/provided");
    iam(
        &s,
        root,
        "CreateRole",
        &[
            ("RoleName", "provided"),
            (
                "AssumeRolePolicyDocument",
                &trust(&format!("arn:aws:iam::{A}:user/frank")),
            ),
        ],
    )
    .await;
    iam(
        &s,
        root,
        "PutRolePolicy",
        &[
            ("RoleName", "provided"),
            ("PolicyName", "s3"),
            (
                "PolicyDocument",
                &allow(r#""s3:PutObject""#, "arn:aws:s3:::provided/*"),
            ),
        ],
    )
    .await;
    let base = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(&s.endpoint)
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_credential_types::Credentials::new(
            &key, &secret, None, None, "frank",
        ))
        .load()
        .await;
    let provider = AssumeRoleProvider::builder(&role_arn)
        .session_name("from-sdk")
        .configure(&base)
        .build()
        .await;
    let conf = aws_sdk_s3::config::Builder::from(&base)
        .credentials_provider(provider)
        .force_path_style(true)
        .build();
    aws_sdk_s3::Client::from_conf(conf)
        .put_object()
        .bucket("provided")
        .key("k")
        .body(b"1".to_vec().into())
        .send()
        .await
        .unwrap();
    let assumed = lookup(&s.via(), LookupAttributeKey::EventName, "AssumeRole").await;
    assert_eq!(assumed.len(), 1);
    assert_eq!(
        assumed[0]["requestParameters"]["roleSessionName"],
        "from-sdk"
    );
    assert_eq!(assumed[0]["userIdentity"]["userName"], "frank");
}
