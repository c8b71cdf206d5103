//! GetSessionToken and GetAccessKeyInfo.

use super::{allow, iam, lookup, user_with_key, Creds, A, B, USERS};
use crate::common::Server;
use aws_sdk_cloudtrail::types::LookupAttributeKey;
use aws_sdk_sts::error::ProvideErrorMetadata;

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
