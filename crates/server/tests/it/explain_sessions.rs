//! `trailstack explain` asked with a role session's temporary credentials (the command line
//! reads `AWS_SESSION_TOKEN` and sends it as `X-Amz-Security-Token`): the report names the
//! role behind the session, the session's name, issue and expiry, and the policies its rights
//! come from — the role's inline and managed policies, the session policy, the boundary (for a
//! GetSessionToken session, the user's and its groups') — and judges "can it be read" by them.

use crate::common::*;
use aws_sdk_s3::types::ServerSideEncryption as Sse;
use serde_json::json;
use trailstack_core::Clock;
use trailstack_server::admin_client::Credentials;
use trailstack_server::explain::{client, render, Target};

/// 2025-06-01T12:00:00Z.
const T0: i64 = 1_748_779_200;

fn doc(actions: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":{actions},"Resource":"*"}}]}}"#
    )
}

#[tokio::test]
async fn explain_names_the_role_behind_a_session() {
    let c = Clocked::start_at(T0, None).await;
    let iam = c.via().iam();
    iam.create_user().user_name("ivy").send().await.unwrap();
    let key = access_key(&iam, "ivy").await;
    let trust = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{ACCOUNT}:user/ivy"}},"Action":["sts:AssumeRole","sts:SetSourceIdentity"]}}]}}"#
    );
    iam.create_role()
        .role_name("reader")
        .path("/team/")
        .assume_role_policy_document(trust)
        .send()
        .await
        .unwrap();
    put_role_policy(&iam, "reader", "read", doc(r#""s3:GetObject""#)).await;
    let decrypt_arn = managed_policy(&iam, "decrypt", doc(r#""kms:Decrypt""#)).await;
    iam.attach_role_policy()
        .role_name("reader")
        .policy_arn(&decrypt_arn)
        .send()
        .await
        .unwrap();
    let bound_arn = managed_policy(&iam, "bound", doc(r#"["s3:*","kms:*"]"#)).await;
    iam.put_role_permissions_boundary()
        .role_name("reader")
        .permissions_boundary(&bound_arn)
        .send()
        .await
        .unwrap();

    // The object is SSE-KMS under a key whose default policy delegates to IAM.
    let kms = c.kms();
    let key_arn = ok!(kms.create_key()).key_metadata.unwrap().arn.unwrap();
    let s3 = c.s3();
    s3.create_bucket().bucket("bkt").send().await.unwrap();
    set_default_encryption(&s3, "bkt", Sse::AwsKms, Some(&key_arn), false).await;
    put_bytes(&s3, "bkt", "a", b"secret").await;

    let out = c
        .via()
        .signing_with(&key)
        .sts()
        .assume_role()
        .role_arn(format!("arn:aws:iam::{ACCOUNT}:role/team/reader"))
        .role_session_name("audit")
        .source_identity("ivy")
        .policy(doc(r#"["s3:GetObject","kms:Decrypt"]"#))
        .send()
        .await
        .unwrap();
    let creds = out.credentials().unwrap();
    // The client blocks on its socket, so it runs off the thread serving the requests.
    let ask = |access_key: &str, secret_key: &str, session_token: Option<String>| {
        let credentials = Credentials {
            access_key: access_key.into(),
            secret_key: secret_key.into(),
            region: "us-east-1".into(),
            session_token,
        };
        let endpoint = c.s.endpoint.clone();
        let now = c.clock.now();
        async move {
            let target = Target::parse("s3://bkt/a").unwrap();
            tokio::task::spawn_blocking(move || {
                client::explain(&endpoint, &credentials, &target, now)
            })
            .await
            .unwrap()
        }
    };
    // Without its token the temporary key is unknown, as for any other call.
    let (id, secret) = (creds.access_key_id(), creds.secret_access_key());
    let refused = ask(id, secret, None).await.unwrap_err();
    assert!(
        refused.starts_with("UnrecognizedClientException"),
        "{refused}"
    );

    let e = ask(id, secret, Some(creds.session_token().into()))
        .await
        .unwrap();
    let v = serde_json::to_value(&e).unwrap();
    let session_arn = format!("arn:aws:sts::{ACCOUNT}:assumed-role/reader/audit");
    assert_eq!(v["asked_by"], session_arn);
    assert_eq!(v["readable"]["can_read"], true, "{v:#}");
    let s = &v["session"];
    assert_eq!(
        s["role"],
        format!("arn:aws:iam::{ACCOUNT}:role/team/reader")
    );
    assert_eq!(s["session_name"], "audit");
    assert_eq!(s["access_key"], creds.access_key_id());
    assert_eq!(s["issued"], "2025-06-01T12:00:00Z");
    assert_eq!(s["expires"], "2025-06-01T13:00:00Z");
    assert_eq!(s["source_identity"], "ivy");
    assert_eq!(
        s["identity_policies"],
        json!([
            {"kind": "inline", "name": "read", "holder": "role/reader"},
            {"kind": "managed", "name": decrypt_arn, "holder": "role/reader"},
        ])
    );
    assert_eq!(s["session_policies"], true);
    assert_eq!(s["permissions_boundary"], bound_arn.as_str());

    let text = render::render(&e, false);
    for line in [
        format!("\n  asked as          {session_arn}\n"),
        format!("session audit of role arn:aws:iam::{ACCOUNT}:role/team/reader\n"),
        "expires 2025-06-01T13:00:00Z, source identity ivy\n".to_string(),
        "\n  permissions       inline policy read of role/reader\n".to_string(),
        format!("managed policy {decrypt_arn} of role/reader\n"),
        "session policies: only what they also allow\n".to_string(),
        format!("permissions boundary {bound_arn}: only what it also allows\n"),
    ] {
        assert!(text.contains(&line), "{line:?} not in:\n{text}");
    }

    // A GetSessionToken session of ivy: no role; her rights are her groups' policies.
    iam.create_group()
        .group_name("auditors")
        .send()
        .await
        .unwrap();
    iam.add_user_to_group()
        .group_name("auditors")
        .user_name("ivy")
        .send()
        .await
        .unwrap();
    put_group_policy(&iam, "auditors", "audit", doc(r#""s3:GetObject""#)).await;
    let user = c.via().signing_with(&key).sts();
    let own = ok!(user.get_session_token());
    let own = own.credentials().unwrap();
    let (id, secret) = (own.access_key_id(), own.secret_access_key());
    let e = ask(id, secret, Some(own.session_token().into()))
        .await
        .unwrap();
    let v = serde_json::to_value(&e).unwrap();
    assert_eq!(v["asked_by"], format!("arn:aws:iam::{ACCOUNT}:user/ivy"));
    let s = &v["session"];
    assert_eq!(
        (&s["role"], &s["session_name"]),
        (&json!(null), &json!(null))
    );
    assert_eq!(
        s["identity_policies"],
        json!([{"kind": "inline", "name": "audit", "holder": "group/auditors"}])
    );
    assert_eq!(s["session_policies"], false);
    assert!(render::render(&e, false).contains("a GetSessionToken session\n"));

    // Asked with long-term keys, the report has no session.
    let e = ask("test", "test", None).await.unwrap();
    assert!(e.session.is_none());
    let v = serde_json::to_value(&e).unwrap();
    assert!(v.get("session").is_none(), "{v:#}");
}
