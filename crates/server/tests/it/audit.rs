//! What S3 and KMS report to the audit sink: one event per call, HTTP-shaped or internal,
//! success or failure, as CloudTrail shapes it. The services are built directly over a fresh
//! store (no server) with a sink that keeps every event, and driven through `call`, the entry
//! HTTP requests use.

use bytes::Bytes;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use trailstack_core::{
    AccountId, AuditError, AuditEvent, AuditFuture, AuditSink, Caller, EventCategory, Principal,
    SystemClock,
};
use trailstack_kms::Kms;
use trailstack_s3::op::{GetObjectInput, NewObject, ObjectRef, Op, Payload};
use trailstack_s3::sse::SseRequest;
use trailstack_s3::S3;
use trailstack_store::{BlobStore, Db, RootKey};

/// Keeps every event; fails every record when `fail` is set.
#[derive(Default)]
struct Sink {
    events: Mutex<Vec<AuditEvent>>,
    fail: bool,
}

impl AuditSink for Sink {
    fn record(&self, event: AuditEvent) -> AuditFuture<'_> {
        Box::pin(async move {
            if self.fail {
                return Err(AuditError("outbox unavailable".into()));
            }
            self.events.lock().unwrap().push(event);
            Ok(())
        })
    }
}

impl Sink {
    fn events(&self) -> Vec<AuditEvent> {
        self.events.lock().unwrap().clone()
    }

    /// The only event named `name`.
    fn one(&self, name: &str) -> AuditEvent {
        let found: Vec<_> = self
            .events()
            .into_iter()
            .filter(|e| e.name == name)
            .collect();
        assert_eq!(found.len(), 1, "events named {name}: {found:?}");
        found.into_iter().next().unwrap()
    }
}

/// S3 and KMS over one fresh store, both reporting to `sink`.
struct Services {
    s3: S3,
    kms: Kms,
    _dir: tempfile::TempDir,
}

fn services(sink: Arc<Sink>) -> Services {
    let dir = tempfile::tempdir().unwrap();
    let migrations: Vec<_> = trailstack_s3::model::MIGRATIONS
        .iter()
        .chain(trailstack_kms::model::MIGRATIONS)
        .chain(trailstack_store::journal::MIGRATIONS)
        .copied()
        .collect();
    let db = Arc::new(Db::open(&dir.path().join("meta.sqlite"), &migrations).unwrap());
    let root = Arc::new(RootKey::load_or_create(dir.path()).unwrap());
    let blobs = BlobStore::open(dir.path(), db.clone()).unwrap();
    let clock = Arc::new(SystemClock);
    // Alice may do everything: these tests are about records, not permissions.
    let mut ids = trailstack_policy::IdentityPolicies::new();
    ids.attach_document(
        "arn:aws:iam::111122223333:user/alice",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
    )
    .unwrap();
    let ids = Arc::new(ids);
    let kms = Kms::new(db.clone(), root.clone(), clock.clone(), "us-east-1")
        .with_identities(ids.clone())
        .with_audit(sink.clone());
    let s3 = S3::new(db, blobs, clock, "us-east-1", Arc::new(kms.clone()), root)
        .with_identities(ids)
        .with_audit(sink);
    Services { s3, kms, _dir: dir }
}

/// Alice of account 111122223333, signing with SigV4 over TLS.
fn alice() -> Caller {
    let account = AccountId::parse("111122223333").unwrap();
    let principal = Principal::User {
        name: "alice".into(),
    };
    Caller {
        access_key: Some("AKIAALICE".into()),
        canonical_id: "alice-canonical".into(),
        display_name: "alice".into(),
        source_ip: Some("203.0.113.5".parse().unwrap()),
        user_agent: "audit-test".into(),
        secure_transport: true,
        host: "s3.us-east-1.amazonaws.com".into(),
        auth_method: Some("AuthHeader"),
        signature_version: Some(trailstack_core::SignatureVersion::V4),
        ..Caller::new(account, principal, "us-east-1", "REQ".into())
    }
}

async fn kms(s: &Services, op: &str, body: Value) -> Result<Value, String> {
    let parsed =
        trailstack_kms::wire::parse(&format!("TrentService.{op}"), body.to_string().as_bytes())
            .map_err(|e| e.code().to_string())?;
    s.kms
        .call(&alice(), parsed)
        .await
        .map(|out| out.to_json().expect("KMS output serializes"))
        .map_err(|e| e.code().to_string())
}

/// Creates a key with the CreateKey `body`; its ARN and id.
async fn create_key(s: &Services, body: Value) -> (String, String) {
    let key = kms(s, "CreateKey", body).await.unwrap();
    let meta = &key["KeyMetadata"];
    let text = |field: &str| meta[field].as_str().unwrap().to_string();
    (text("Arn"), text("KeyId"))
}

/// Points `alias` at the key `target` names.
async fn create_alias(s: &Services, alias: &str, target: &str) {
    let body = json!({"AliasName": alias, "TargetKeyId": target});
    kms(s, "CreateAlias", body).await.unwrap();
}

async fn create_bucket(s: &Services, bucket: &str) {
    s.s3.call(
        &alice(),
        Op::CreateBucket {
            bucket: bucket.into(),
            location: None,
            acl: None,
            ownership: None,
            object_lock: false,
        },
    )
    .await
    .unwrap();
}

fn put(bucket: &str, key: &str, data: &'static [u8], sse: Option<SseRequest>) -> Op {
    let new = NewObject {
        sse,
        ..Default::default()
    };
    let upload = Payload::whole(Bytes::from_static(data));
    Op::put_object(ObjectRef::new(bucket, key), upload, new)
}

fn get(bucket: &str, key: &str) -> Op {
    Op::GetObject(GetObjectInput {
        obj: ObjectRef {
            bucket: bucket.into(),
            key: key.into(),
        },
        ..Default::default()
    })
}

#[tokio::test]
async fn sse_kms_put_records_the_data_event_and_the_kms_call_s3_made() {
    let sink = Arc::new(Sink::default());
    let s = services(sink.clone());
    create_bucket(&s, "logs").await;
    let (arn, key_id) = create_key(&s, json!({})).await;

    let sse = SseRequest::Kms {
        key: Some(key_id.clone()),
        context: BTreeMap::new(),
        bucket_key: false,
    };
    s.s3.call(&alice(), put("logs", "k", b"hello", Some(sse)))
        .await
        .unwrap();

    let put = sink.one("PutObject");
    assert_eq!(put.source, "s3.amazonaws.com");
    assert_eq!(put.category, EventCategory::Data);
    assert!(!put.read_only && put.error.is_none());
    let request = put.request.clone().unwrap();
    assert_eq!(request["bucketName"], "logs");
    assert_eq!(request["key"], "k");
    assert_eq!(request["x-amz-server-side-encryption"], "aws:kms");
    let response = put.response.clone().unwrap();
    assert_eq!(response["x-amz-server-side-encryption"], "aws:kms");
    assert_eq!(
        response["x-amz-server-side-encryption-aws-kms-key-id"],
        json!(arn)
    );
    assert_eq!(put.additional.clone().unwrap()["bytesTransferredIn"], 5);
    let arns: Vec<_> = put.resources.iter().map(|r| r.arn.as_str()).collect();
    assert_eq!(arns, ["arn:aws:s3:::logs/k", "arn:aws:s3:::logs"]);

    let gdk = sink.one("GenerateDataKey");
    assert_eq!(gdk.source, "kms.amazonaws.com");
    assert_eq!(gdk.category, EventCategory::Management);
    assert!(gdk.read_only && !gdk.service_event);
    assert_eq!(gdk.caller.invoked_by.as_deref(), Some("s3.amazonaws.com"));
    assert_eq!(gdk.caller.principal, alice().principal);
    let request = gdk.request.clone().unwrap();
    assert_eq!(
        request["encryptionContext"],
        json!({"aws:s3:arn": "arn:aws:s3:::logs/k"})
    );
    assert_eq!(request["keySpec"], "AES_256");
    assert_eq!(gdk.response, None);
    assert_eq!(gdk.resources.len(), 1);
    assert_eq!(gdk.resources[0].kind, "AWS::KMS::Key");
    assert_eq!(gdk.resources[0].arn, arn);
    assert_eq!(gdk.resource_account, None);
    let text = format!("{gdk:?}");
    assert!(!text.contains("Plaintext") && !text.contains("CiphertextBlob"));

    // The KMS call completes, and is recorded, inside the S3 call.
    let names: Vec<_> = sink.events().into_iter().map(|e| e.name).collect();
    let gdk_at = names.iter().position(|n| n == "GenerateDataKey").unwrap();
    let put_at = names.iter().position(|n| n == "PutObject").unwrap();
    assert!(gdk_at < put_at, "{names:?}");

    // Reading it back makes S3 call Decrypt, which AWS logs with the key's ARN.
    s.s3.call(&alice(), get("logs", "k")).await.unwrap();
    let decrypt = sink.one("Decrypt");
    assert_eq!(
        decrypt.caller.invoked_by.as_deref(),
        Some("s3.amazonaws.com")
    );
    let request = decrypt.request.unwrap();
    assert_eq!(request["keyId"], json!(arn));
    assert_eq!(request["encryptionAlgorithm"], "SYMMETRIC_DEFAULT");
    let get = sink.one("GetObject");
    assert_eq!(get.additional.unwrap()["bytesTransferredOut"], 5);
    assert_eq!(get.response, None);
}

#[tokio::test]
async fn a_get_of_a_missing_key_records_no_such_key() {
    let sink = Arc::new(Sink::default());
    let s = services(sink.clone());
    create_bucket(&s, "logs").await;
    let err = s.s3.call(&alice(), get("logs", "nope")).await.unwrap_err();
    assert_eq!(err.code(), "NoSuchKey");
    let e = sink.one("GetObject");
    assert_eq!(e.error.as_ref().map(|(c, _)| c.as_str()), Some("NoSuchKey"));
    assert_eq!(e.category, EventCategory::Data);
    assert!(e.read_only);
    assert_eq!(e.request.unwrap()["key"], "nope");
}

#[tokio::test]
async fn create_bucket_is_a_management_write() {
    let sink = Arc::new(Sink::default());
    let s = services(sink.clone());
    create_bucket(&s, "logs").await;
    let e = sink.one("CreateBucket");
    assert_eq!(e.category, EventCategory::Management);
    assert!(!e.read_only && e.error.is_none() && !e.service_event);
    assert_eq!(
        e.request,
        Some(json!({"bucketName": "logs", "Host": "s3.us-east-1.amazonaws.com"}))
    );
    assert_eq!(e.response, None);
    assert_eq!(e.resources.len(), 1);
    assert_eq!(e.resources[0].arn, "arn:aws:s3:::logs");
    assert_eq!(
        e.resources[0].account.as_ref().map(|a| a.as_str()),
        Some("111122223333")
    );
    let add = e.additional.unwrap();
    assert_eq!(add["SignatureVersion"], "SigV4");
    assert_eq!(add["AuthenticationMethod"], "AuthHeader");
}

#[tokio::test]
async fn kms_encrypt_records_no_plaintext_and_names_the_key_behind_an_alias() {
    let sink = Arc::new(Sink::default());
    let s = services(sink.clone());
    let (arn, key_id) = create_key(&s, json!({"Description": "app"})).await;
    create_alias(&s, "alias/app", &key_id).await;
    let plaintext = b"the very secret plaintext";
    let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, plaintext);
    let out = kms(
        &s,
        "Encrypt",
        json!({"KeyId": "alias/app", "Plaintext": b64, "EncryptionContext": {"a": "1"}}),
    )
    .await
    .unwrap();

    let create = sink.one("CreateKey");
    assert!(!create.read_only);
    let meta = &create.response.unwrap()["keyMetadata"];
    assert_eq!(meta["arn"], json!(arn));
    assert_eq!(meta["aWSAccountId"], "111122223333");
    assert!(meta["creationDate"].is_string());

    let alias = sink.one("CreateAlias");
    let kinds: Vec<_> = alias.resources.iter().map(|r| r.kind.as_str()).collect();
    assert_eq!(kinds, ["AWS::KMS::Key", "AWS::KMS::Alias"]);
    assert_eq!(alias.resources[0].arn, arn);

    let enc = sink.one("Encrypt");
    assert!(enc.read_only);
    assert_eq!(enc.category, EventCategory::Management);
    assert_eq!(enc.caller.invoked_by, None);
    assert_eq!(
        enc.request.clone(),
        Some(json!({"keyId": "alias/app", "encryptionContext": {"a": "1"}}))
    );
    assert_eq!(enc.response, None);
    assert_eq!(enc.resources[0].arn, arn);
    let text = format!("{enc:?}");
    let blob = out["CiphertextBlob"].as_str().unwrap();
    assert!(!text.contains("very secret") && !text.contains(&b64) && !text.contains(blob));

    // A failure names the key too, and carries KMS's code.
    kms(&s, "DisableKey", json!({"KeyId": key_id}))
        .await
        .unwrap();
    let code = kms(
        &s,
        "Encrypt",
        json!({"KeyId": "alias/app", "Plaintext": b64}),
    )
    .await
    .unwrap_err();
    assert_eq!(code, "DisabledException");
    let failed: Vec<_> = sink
        .events()
        .into_iter()
        .filter(|e| e.name == "Encrypt" && e.error.is_some())
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].error.as_ref().unwrap().0, "DisabledException");
    assert_eq!(failed[0].resources[0].arn, arn);
    assert!(!sink.one("DisableKey").read_only);
}

#[tokio::test]
async fn delete_alias_names_the_key_it_pointed_to() {
    let sink = Arc::new(Sink::default());
    let s = services(sink.clone());
    let (arn, _) = create_key(&s, json!({})).await;
    create_alias(&s, "alias/gone", &arn).await;
    kms(&s, "DeleteAlias", json!({"AliasName": "alias/gone"}))
        .await
        .unwrap();
    let e = sink.one("DeleteAlias");
    assert_eq!(e.resources[0].arn, arn);
    assert_eq!(
        e.resources[1].arn,
        "arn:aws:kms:us-east-1:111122223333:alias/gone"
    );
}

#[tokio::test]
async fn a_call_whose_record_is_lost_fails() {
    let sink = Arc::new(Sink {
        fail: true,
        ..Default::default()
    });
    let s = services(sink.clone());
    let err =
        s.s3.call(
            &alice(),
            Op::CreateBucket {
                bucket: "logs".into(),
                location: None,
                acl: None,
                ownership: None,
                object_lock: false,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), "InternalError");
    assert_eq!(
        kms(&s, "ListKeys", json!({})).await.unwrap_err(),
        "KMSInternalException"
    );
}
