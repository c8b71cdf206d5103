//! Handler tests through `CloudTrail::call`, with in-memory KMS and S3 ports: one module per
//! operation family, sharing the fixtures here.

mod features;
mod lookup;
mod records;
mod trails;

use crate::wire::parse;
use crate::{CloudTrail, CloudTrailError};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use time::macros::datetime;
use trailstack_core::*;
use trailstack_store::RootKey;

pub(super) const ACCOUNT: &str = "123456789012";
pub(super) const KEY_ARN: &str =
    "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

/// CloudTrail's bucket policy (docs/aws/cloudtrail-delivery.md §C.2) for every trail of the
/// account.
const LOGS_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:GetBucketAcl",
  "Resource":"arn:aws:s3:::logs"},
 {"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject",
  "Resource":"arn:aws:s3:::logs/*AWSLogs/123456789012/*",
  "Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control"},
               "StringLike":{"aws:SourceArn":"arn:aws:cloudtrail:*:123456789012:trail/*"}}}]}"#;

#[derive(Default)]
struct Keys(Mutex<HashMap<String, KeyInfo>>);

/// The keys CloudTrail's trail handlers check, by alias; the data-key calls, which they never
/// make, are refused (the trait's defaults).
impl KeyService for Keys {
    fn describe_key<'a>(&'a self, caller: &'a Caller, key: &'a KeyRef) -> KeyFuture<'a, KeyInfo> {
        Box::pin(async move {
            assert_eq!(
                caller.invoked_by.as_deref(),
                Some("cloudtrail.amazonaws.com")
            );
            let KeyRef::Named(id) = key else {
                panic!("managed key asked")
            };
            self.0.lock().unwrap().get(id).cloned().ok_or(KeyError {
                code: "NotFoundException".into(),
                message: format!("Key '{id}' does not exist"),
            })
        })
    }
    /// The keys' policies let CloudTrail use customer managed keys for its own trails.
    fn allows<'a>(
        &'a self,
        caller: &'a Caller,
        _: &'a str,
        _: &'a KeyRef,
        context: &'a BTreeMap<String, String>,
    ) -> KeyFuture<'a, bool> {
        Box::pin(async move {
            let own_trail = context
                .get("aws:cloudtrail:arn")
                .is_none_or(|arn| Some(arn) == caller.source_arn.as_ref());
            Ok(
                caller.principal == Principal::Service("cloudtrail.amazonaws.com".into())
                    && own_trail,
            )
        })
    }
}

#[derive(Default)]
struct Buckets(Mutex<HashMap<String, BucketInfo>>);

/// The buckets CloudTrail's trail handlers check; they deliver nothing, so writes are refused
/// (the trait's default).
impl ObjectWriter for Buckets {
    fn bucket_info<'a>(&'a self, bucket: &'a str) -> ObjectFuture<'a, Option<BucketInfo>> {
        Box::pin(async move { Ok(self.0.lock().unwrap().get(bucket).cloned()) })
    }
}

pub(super) struct World {
    pub(super) ct: CloudTrail,
    pub(super) db: Arc<trailstack_store::Db>,
    pub(super) clock: Arc<FixedClock>,
    _dir: tempfile::TempDir,
}

fn key(state: KeyState, manager: KeyManager) -> KeyInfo {
    KeyInfo {
        arn: KEY_ARN.into(),
        state,
        symmetric_encryption: true,
        manager,
    }
}

pub(super) fn world() -> World {
    let (dir, db) = crate::model::test_db();
    let db = Arc::new(db);
    let clock = Arc::new(FixedClock::new(datetime!(2026-01-10 12:00 UTC)));
    let keys = Keys::default();
    {
        let mut k = keys.0.lock().unwrap();
        k.insert(
            "alias/trail".into(),
            key(KeyState::Enabled, KeyManager::Customer),
        );
        k.insert(
            "alias/off".into(),
            key(KeyState::Disabled, KeyManager::Customer),
        );
        k.insert(
            "alias/aws/s3".into(),
            key(KeyState::Enabled, KeyManager::Aws),
        );
    }
    let buckets = Buckets::default();
    {
        let mut b = buckets.0.lock().unwrap();
        let info = |policy: Option<&str>| BucketInfo {
            owner: AccountId::parse(ACCOUNT).unwrap(),
            region: "us-east-1".into(),
            policy: policy.map(str::to_string),
        };
        b.insert("logs".into(), info(Some(LOGS_POLICY)));
        b.insert("nopolicy".into(), info(None));
    }
    let ct = CloudTrail::new(
        db.clone(),
        clock.clone(),
        "us-east-1",
        Arc::new(keys),
        Arc::new(buckets),
        Arc::new(RootKey::from_bytes(&[9u8; 32]).unwrap()),
    )
    .with_identities(Arc::new(alice_may_use_cloudtrail()));
    World {
        ct,
        db,
        clock,
        _dir: dir,
    }
}

/// The caller's identity policy: every CloudTrail action (authorization has its own tests).
fn alice_may_use_cloudtrail() -> trailstack_policy::IdentityPolicies {
    let mut ids = trailstack_policy::IdentityPolicies::new();
    ids.attach_document(
        &format!("arn:aws:iam::{ACCOUNT}:user/alice"),
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"cloudtrail:*","Resource":"*"}}"#,
    )
    .unwrap();
    ids
}

fn caller(region: &str) -> Caller {
    let alice = Principal::User {
        name: "alice".into(),
    };
    Caller {
        access_key: Some("AKIAEXAMPLE".into()),
        user_agent: "test".into(),
        ..Caller::new(
            AccountId::parse(ACCOUNT).unwrap(),
            alice,
            region,
            "r".into(),
        )
    }
}

impl World {
    pub(super) async fn call(
        &self,
        region: &str,
        op: &str,
        body: &str,
    ) -> Result<serde_json::Value, CloudTrailError> {
        let op = parse(op, body.as_bytes())?;
        let out = self.ct.call(&caller(region), op).await?;
        Ok(serde_json::from_slice(&crate::wire::render(&out)).unwrap())
    }

    /// The answer of a call that must succeed.
    pub(super) async fn ok(&self, region: &str, op: &str, body: &str) -> serde_json::Value {
        let out = self.call(region, op, body).await;
        out.unwrap_or_else(|e| panic!("{op} {body}: {} {}", e.code(), e.message()))
    }

    /// The error of a call that must fail.
    pub(super) async fn fails(&self, region: &str, op: &str, body: &str) -> CloudTrailError {
        let out = self.call(region, op, body).await;
        out.expect_err(&format!("{op} {body} succeeded"))
    }

    pub(super) async fn code(&self, region: &str, op: &str, body: &str) -> String {
        self.fails(region, op, body).await.code().to_string()
    }

    pub(super) async fn create(
        &self,
        region: &str,
        name: &str,
        extra: &str,
    ) -> Result<serde_json::Value, CloudTrailError> {
        let body = format!(r#"{{"Name":"{name}","S3BucketName":"logs"{extra}}}"#);
        self.call(region, "CreateTrail", &body).await
    }

    /// UpdateTrail of trail `name` with the `members` beside its name (each after a comma).
    pub(super) async fn update(
        &self,
        region: &str,
        name: &str,
        members: &str,
    ) -> Result<serde_json::Value, CloudTrailError> {
        let body = format!(r#"{{"Name":"{name}"{members}}}"#);
        self.call(region, "UpdateTrail", &body).await
    }
}
