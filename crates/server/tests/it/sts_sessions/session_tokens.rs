//! GetSessionToken and GetAccessKeyInfo.

use super::{allow, lookup, put_user_policy, user_arn, user_with_key, Creds, A, B, USERS};
use crate::common::{put_bytes, Server};
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
    let writes = allow(r#""s3:PutObject""#, "arn:aws:s3:::own/*");
    put_user_policy(&s, root, "erin", "s3", &writes).await;
    let erin = s.via().signing_as(&key, &secret);
    let out = erin.sts().get_session_token().send().await.unwrap();
    let c = out.credentials().unwrap();
    assert!(c.access_key_id().starts_with("ASIA"));
    let session = Creds::of(c);
    let temp = session.via(s.via());
    assert_eq!(session.caller_arn(s.via()).await, user_arn(A, "erin"));
    put_bytes(&temp.s3(), "own", "k", b"1").await;
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
