//! `explain kms://key`: the key's state and rotation as KMS holds them, the buckets whose
//! default encryption uses it, the trails that encrypt their log files with it, and its recent
//! uses from the event history (which name the object or trail in their encryption context).

use super::sse::{self, Keys, AWS_S3_ALIAS};
use super::{internal, iso, trails, BucketUse, ExplainError, KeyEvent, KeyReport, Rotation};
use crate::App;
use serde_json::Value;
use trailstack_cloudtrail::model::events::StoredEvent;
use trailstack_core::Caller;
use trailstack_kms::explain_queries::KeyFacts;
use trailstack_kms::KmsError;
use trailstack_s3::model::buckets::Bucket;

/// How many of the newest events a key report shows.
const RECENT_EVENTS: usize = 10;

/// Explains the key `key` (id, ARN, alias name or alias ARN, from `caller`'s account and
/// region).
pub(super) async fn explain(
    app: &App,
    caller: &Caller,
    key: &str,
) -> Result<KeyReport, ExplainError> {
    let facts = match app.kms.key_facts(caller, key).await {
        Ok(f) => f,
        Err(KmsError::NotFound(m)) => return Err(ExplainError::NotFound(m)),
        Err(e) => return Err(internal(e)),
    };
    let r = &facts.record;
    let arn = r.arn();
    let bucket_defaults = app
        .s3
        .buckets_with_kms_default()
        .await
        .map_err(internal)?
        .into_iter()
        .filter_map(|b| bucket_use(&facts, b))
        .collect();
    let mut keys = Keys::new(app);
    let mut trails_using = Vec::new();
    for t in app.cloudtrail.all_trails().await.map_err(internal)? {
        if t.config.kms_key_arn.as_deref() == Some(arn.as_str()) {
            trails_using.push(trails::delivering(app, &mut keys, &t).await?);
        }
    }
    let recent_events = app
        .cloudtrail
        .resource_history(&r.account, &r.region, &arn, RECENT_EVENTS)
        .await
        .map_err(internal)?
        .iter()
        .map(key_event)
        .collect();
    Ok(KeyReport {
        key: sse::key_ref(&facts),
        description: r.meta.description.clone(),
        spec: r.meta.key_spec.name().to_string(),
        created: iso(r.created_ms),
        rotation: Rotation {
            enabled: r.meta.rotation_enabled,
            period_days: r.meta.rotation_period_days,
            next: r.meta.next_rotation_ms.map(iso),
            last: r.meta.rotations.last().map(|x| iso(x.at_ms)),
        },
        deletion_date: r.meta.deletion_ms.map(iso),
        bucket_defaults,
        trails: trails_using,
        recent_events,
    })
}

/// How bucket `b` uses the key of `f`, if its default encryption names it: by ARN or alias
/// ARN from anywhere; by key id or alias name from the key's own account and region (where S3
/// resolves them); with no key id, when the key is that account's `aws/s3`.
fn bucket_use(f: &KeyFacts, b: Bucket) -> Option<BucketUse> {
    let e = b.meta.encryption?;
    let home = b.account == f.record.account && b.region == f.record.region;
    let alias_named = |name: &str| f.aliases.iter().any(|a| a.name == name);
    let uses = match e.kms_key.as_deref() {
        None => home && alias_named(AWS_S3_ALIAS),
        Some(k) if k.starts_with("arn:") => {
            k == f.record.arn() || f.aliases.iter().any(|a| a.arn() == k)
        }
        Some(k) => home && (k == f.record.key_id || alias_named(k)),
    };
    uses.then_some(BucketUse {
        bucket: b.name,
        configured_key: e.kms_key,
        bucket_key: e.bucket_key,
    })
}

/// One history event, read from its CloudTrail record.
fn key_event(e: &StoredEvent) -> KeyEvent {
    let record: Value = serde_json::from_str(&e.record_json).unwrap_or(Value::Null);
    let identity = &record["userIdentity"];
    let text = |v: &Value| v.as_str().map(str::to_string);
    // A service acting on its own (CloudTrail delivering) has no ARN: its name is the
    // history's user name.
    let principal = text(&identity["arn"])
        .or_else(|| e.username.clone())
        .or_else(|| text(&identity["invokedBy"]))
        .unwrap_or_default();
    let context = record["requestParameters"]["encryptionContext"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                .collect::<Vec<_>>()
                .join(", ")
        });
    KeyEvent {
        time: iso(e.event_time_ms),
        event_name: e.event_name.clone(),
        principal,
        invoked_by: text(&identity["invokedBy"]),
        context,
        error_code: text(&record["errorCode"]),
    }
}
