//! STS through the AWS SDK for Rust: GetCallerIdentity for an account's root and for an IAM
//! user, its CloudTrail record, and the query protocol's errors (unknown key, wrong secret,
//! unknown action) as STS writes them.

use crate::common::{err, lookup_by, ok, RawResponse, Server};
use aws_sdk_cloudtrail::types::LookupAttributeKey;
use aws_sdk_sts::error::ProvideErrorMetadata;
use serde_json::Value;
use trailstack_server::config::Config;

const CONFIG: &str = r#"
[[users]]
access_key = "AKROOT1"
secret_key = "root-1"
account_id = "111111111111"

[[users]]
access_key = "AKALICE"
secret_key = "alice"
account_id = "111111111111"
user_name = "alice"
"#;

/// A server knowing the default root and the user `alice` of account 111111111111.
async fn start() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sts.toml");
    std::fs::write(&file, CONFIG).unwrap();
    let loaded = Config::load(Some(&file), None, None, None).unwrap();
    Server::start_configured(dir, move |c| c.identities = loaded.identities).await
}

fn sts(s: &Server, key: &str, secret: &str) -> aws_sdk_sts::Client {
    s.via().signing_as(key, secret).sts()
}

#[tokio::test]
async fn get_caller_identity_names_roots_and_users_and_is_recorded() {
    let s = start().await;
    let root = ok!(sts(&s, "test", "test").get_caller_identity());
    assert_eq!(root.account(), Some("000000000000"));
    assert_eq!(root.arn(), Some("arn:aws:iam::000000000000:root"));
    assert_eq!(root.user_id(), Some("000000000000"));

    let alice = ok!(sts(&s, "AKALICE", "alice").get_caller_identity());
    assert_eq!(alice.account(), Some("111111111111"));
    assert_eq!(alice.arn(), Some("arn:aws:iam::111111111111:user/alice"));
    let user_id = alice.user_id().unwrap();
    assert!(
        user_id.starts_with("AIDA") && user_id.len() == 21,
        "{user_id}"
    );

    // The calls are read-only management events of sts.amazonaws.com, each in its caller's
    // account, and the user's principalId is the UserId STS answered.
    let records = get_caller_identity_records(&s, "test", "test").await;
    let root_record = &records[0];
    assert_eq!(root_record["eventSource"], "sts.amazonaws.com");
    assert_eq!(root_record["eventName"], "GetCallerIdentity");
    assert_eq!(root_record["awsRegion"], "us-east-1");
    assert_eq!(root_record["readOnly"], true);
    assert_eq!(root_record["managementEvent"], true);
    assert_eq!(root_record["eventType"], "AwsApiCall");
    assert_eq!(root_record["requestParameters"], Value::Null);
    assert_eq!(root_record["responseElements"], Value::Null);
    assert_eq!(root_record["userIdentity"]["type"], "Root");
    assert_eq!(root_record["userIdentity"]["accessKeyId"], "test");
    let records = get_caller_identity_records(&s, "AKROOT1", "root-1").await;
    assert_eq!(records.len(), 1);
    let identity = &records[0]["userIdentity"];
    assert_eq!(identity["type"], "IAMUser");
    assert_eq!(identity["principalId"], user_id);
    assert_eq!(identity["userName"], "alice");
    assert_eq!(identity["accessKeyId"], "AKALICE");
}

/// The GetCallerIdentity records in the event history of the account of `key`.
async fn get_caller_identity_records(s: &Server, key: &str, secret: &str) -> Vec<Value> {
    let ct = s.cloudtrail_with(key, secret);
    lookup_by(&ct, LookupAttributeKey::EventName, "GetCallerIdentity").await
}

/// A raw POST of `form` to STS, signed by the default root for service `sts`.
async fn sts_post(s: &Server, form: &str) -> RawResponse {
    crate::common::query_post(s, "sts", "test", "test", form).await
}

#[tokio::test]
async fn errors_are_sts_errors() {
    let s = start().await;
    let unknown = err!(sts(&s, "AKNOBODY", "x").get_caller_identity());
    assert_eq!(unknown.code(), Some("InvalidClientTokenId"));
    assert_eq!(
        unknown.message(),
        Some("The security token included in the request is invalid.")
    );
    assert_eq!(unknown.raw_response().unwrap().status().as_u16(), 403);

    let wrong = err!(sts(&s, "AKALICE", "not-alice").get_caller_identity());
    assert_eq!(wrong.code(), Some("SignatureDoesNotMatch"));
    assert_eq!(wrong.raw_response().unwrap().status().as_u16(), 403);

    // An action STS does not have, signed for sts: InvalidAction in STS's XML.
    let resp = sts_post(&s, "Action=AssumeNothing&Version=2011-06-15").await;
    assert_eq!(resp.status, 400);
    assert!(resp
        .text()
        .starts_with("<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"));
    assert_eq!(resp.xml("Type").as_deref(), Some("Sender"));
    assert_eq!(resp.xml("Code").as_deref(), Some("InvalidAction"));
    assert_eq!(
        resp.xml("Message").as_deref(),
        Some("Could not find operation AssumeNothing for version 2011-06-15")
    );
    assert!(resp.xml("RequestId").is_some());
}
