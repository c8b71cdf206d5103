//! The acceptance scenario of issue 21: a role of account A assumed by a user of account B,
//! used on S3, KMS, CloudTrail and STS until its credentials expire.

use super::{
    allow, create_role, lookup, put_role_policy, put_user_policy, trust, user_arn, user_with_key,
    Creds, A, B, USERS,
};
use crate::common::{
    code, get_err, head_of, ok, put_bytes, put_err, set_default_encryption, xml_value, Clocked,
};
use aws_sdk_cloudtrail::types::LookupAttributeKey;
use aws_sdk_s3::types::ServerSideEncryption;
use aws_sdk_sts::error::ProvideErrorMetadata;

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
    let assume_actions = r#"["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"]"#;
    let may_assume = allow(assume_actions, &role_arn);
    put_user_policy(s, root_b, "bob", "assume", &may_assume).await;
    let trusts_bob = trust(&user_arn(B, "bob"));
    let role = create_role(s, root_a, "auditor", &trusts_bob, &[("Path", "/team/")]).await;
    let role_id = xml_value(&role, "RoleId").unwrap();
    let write = allow(
        r#"["s3:PutObject","s3:GetObject"]"#,
        "arn:aws:s3:::evidence/*",
    );
    put_role_policy(s, root_a, "auditor", "write", &write).await;
    // The key admits its account's root (to administer it) and the role; nobody else.
    let kms = c.kms();
    let key_policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[
            {{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{A}:root"}},"Action":"kms:*","Resource":"*"}},
            {{"Effect":"Allow","Principal":{{"AWS":"{role_arn}"}},"Action":["kms:GenerateDataKey","kms:Decrypt"],"Resource":"*"}}]}}"#
    );
    let key_id = ok!(kms.create_key().policy(key_policy))
        .key_metadata
        .unwrap()
        .key_id;
    let s3 = c.s3();
    ok!(s3.create_bucket().bucket("evidence"));
    set_default_encryption(
        &s3,
        "evidence",
        ServerSideEncryption::AwsKms,
        Some(&key_id),
        false,
    )
    .await;

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

    put_bytes(&as_role.s3(), "evidence", "report.txt", b"findings").await;
    let head = head_of(&s3, "evidence", "report.txt").await;
    assert!(head.ssekms_key_id().unwrap().ends_with(&key_id));
    // The user's own keys: not the role, so neither the bucket nor the key admit them.
    let denied = put_err(&bob.s3(), "evidence", "report.txt", b"x").await;
    assert_eq!(code(&denied), "AccessDenied");

    // The session token is part of the credentials: without it the key is unknown, with
    // another session's it is invalid.
    let no_token = c.via().signing_as(&session.key, &session.secret).s3();
    let r = get_err(&no_token, "evidence", "report.txt").await;
    assert_eq!(code(&r), "InvalidAccessKeyId");
    let wrong = c
        .via()
        .session(&session.key, &session.secret, "not-the-token")
        .s3();
    let r = get_err(&wrong, "evidence", "report.txt").await;
    assert_eq!(code(&r), "InvalidToken");

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
    assert_eq!(rec["userIdentity"]["arn"], user_arn(B, "bob"));
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
    let r = get_err(&as_role.s3(), "evidence", "report.txt").await;
    assert_eq!(code(&r), "ExpiredToken");
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
