//! `explain s3://bucket/key`: the encryption S3 recorded with the object and the rule that chose
//! it, who wrote it, whether the asking principal can read it now (the key's state in KMS, and
//! the key policy, grants and identity policies as KMS would decide a Decrypt through S3), the
//! trails that take its data events, and — for a file CloudTrail delivered — its trail, period
//! and hash against the digest that lists it.

use super::sse::{self, Keys};
use super::trails::{self, name_of};
use super::{
    internal, iso, DeliveredFile, Encryption, ExplainError, HashCheck, KeyRef, ObjectReport,
    Readability, WrittenBy,
};
use crate::App;
use trailstack_cloudtrail::delivery::format::delivered_sha256;
use trailstack_cloudtrail::model::delivered_files::Delivered;
use trailstack_core::{Caller, KeyService};
use trailstack_s3::model::objects::ObjectVersion;
use trailstack_s3::sse::{Mode, Rule, SseRecord};

/// The service S3 decrypts as, for the caller (`invokedBy`).
const S3_PRINCIPAL: &str = "s3.amazonaws.com";

/// Explains the current version of `bucket`/`key` for `caller`.
pub(super) async fn explain(
    app: &App,
    caller: &Caller,
    bucket: &str,
    key: &str,
) -> Result<ObjectReport, ExplainError> {
    let b = super::bucket::existing(app, bucket).await?;
    let v = match app.s3.object_record(bucket, key).await.map_err(internal)? {
        Some(v) if !v.delete_marker => v,
        Some(_) => {
            return Err(ExplainError::NotFound(format!(
                "s3://{bucket}/{key} is deleted (its current version is a delete marker)"
            )))
        }
        None => {
            return Err(ExplainError::NotFound(format!(
                "s3://{bucket}/{key} does not exist"
            )))
        }
    };
    let mut keys = Keys::new(app);
    let rec = v.meta.sse.as_ref();
    // A KMS object names its key by ARN, so any account and region resolve it.
    let key_ref = match rec.and_then(|r| r.key_arn.as_deref()) {
        Some(arn) => Some(keys.get(&b.account, &b.region, arn).await?),
        None => None,
    };
    let readable = readability(app, caller, rec, key_ref.as_ref()).await?;
    // The ARN CloudTrail records as `userIdentity.arn` (the session's, for a role session),
    // which advanced selectors may match.
    let user_arn = if caller.is_account_identity() {
        caller.arn()
    } else {
        String::new()
    };
    let data_events = trails::covering(
        app, &mut keys, &b.account, &b.region, bucket, key, &user_arn,
    )
    .await?;
    let delivered = match rec.map(|r| r.rule) {
        Some(Rule::CloudTrailLog | Rule::CloudTrailDigest) => app
            .cloudtrail
            .delivered_file(bucket, key)
            .await
            .map_err(internal)?,
        _ => None,
    };
    let cloudtrail_file = match delivered {
        Some(d) => Some(delivered_file(app, caller, d).await),
        None => None,
    };
    Ok(ObjectReport {
        bucket: bucket.to_string(),
        key: key.to_string(),
        version_id: v.version_id.clone(),
        size: v.size,
        etag: v.etag.clone(),
        last_modified: iso(v.last_modified_ms),
        encryption: rec.map(|r| encryption(r, key_ref)),
        rule: rec.map(|r| sse::rule(r.rule)),
        written_by: written_by(&v),
        readable,
        data_events,
        cloudtrail_file,
        object_lock: v.meta.lock.as_ref().map(|l| {
            let now = trailstack_core::Clock::now(&*app.clock);
            super::lock::object(l, trailstack_s3::model::to_ms(now))
        }),
    })
}

fn encryption(r: &SseRecord, key: Option<KeyRef>) -> Encryption {
    let mode = match r.mode {
        Mode::SseS3 => "SSE-S3",
        Mode::SseKms => "SSE-KMS",
        Mode::Dsse => "DSSE-KMS",
        Mode::SseC => "SSE-C",
    };
    Encryption {
        mode: mode.to_string(),
        algorithm: r.algorithm().map(str::to_string),
        key,
        bucket_key: r.bucket_key,
        encryption_context: r.context.clone(),
    }
}

fn written_by(v: &ObjectVersion) -> Option<WrittenBy> {
    v.meta.written_by.as_ref().map(|w| WrittenBy {
        principal: w.principal.clone(),
        account: w.account.clone(),
        invoked_by: w.invoked_by.clone(),
        on_behalf_of: w.source_arn.clone(),
        request_id: w.request_id.clone(),
        time: iso(v.last_modified_ms),
    })
}

/// Whether `caller` can read an object encrypted as `rec` now: what stops a GetObject before
/// any byte is decrypted — the key's state, then whether KMS would let the caller decrypt
/// through S3 with the object's encryption context.
async fn readability(
    app: &App,
    caller: &Caller,
    rec: Option<&SseRecord>,
    key: Option<&KeyRef>,
) -> Result<Readability, ExplainError> {
    let who = caller.arn();
    let cannot = |why: &str, decrypt_allowed| Readability {
        can_read: false,
        summary: format!("cannot be read: {why}"),
        decrypt_allowed,
    };
    let Some(rec) = rec else {
        return Ok(Readability {
            can_read: true,
            summary: format!("can be read by {who} (stored before encryption at rest)"),
            decrypt_allowed: None,
        });
    };
    match (rec.mode, key) {
        (Mode::SseC, _) => Ok(Readability {
            can_read: false,
            summary: "can be read only with the customer-provided key (SSE-C)".into(),
            decrypt_allowed: None,
        }),
        (Mode::SseS3, _) => Ok(Readability {
            can_read: true,
            summary: format!("can be read by {who} (SSE-S3: no KMS key involved)"),
            decrypt_allowed: None,
        }),
        (_, None) => Ok(cannot("no KMS key recorded", None)),
        (_, Some(k)) => match k.state.as_str() {
            "Enabled" => {
                let as_s3 = caller.on_behalf_of(S3_PRINCIPAL);
                let key = trailstack_core::KeyRef::Named(k.arn.clone());
                let allowed = app
                    .kms
                    .allows(&as_s3, "kms:Decrypt", &key, &rec.context)
                    .await
                    .map_err(internal)?;
                Ok(if allowed {
                    Readability {
                        can_read: true,
                        summary: format!("can be read by {who}"),
                        decrypt_allowed: Some(true),
                    }
                } else {
                    cannot(
                        &format!("{who} may not use the key (kms:Decrypt through S3)"),
                        Some(false),
                    )
                })
            }
            "Disabled" => Ok(cannot("key disabled", None)),
            "PendingDeletion" => Ok(cannot("key pending deletion", None)),
            "PendingImport" => Ok(cannot("key material not imported", None)),
            "NotFound" => Ok(cannot("key not found", None)),
            other => Ok(cannot(&format!("key {other}"), None)),
        },
    }
}

/// A delivered file as delivery recorded it, and its hash now: the file is read as `caller`
/// (through GetObject, like `aws cloudtrail validate-logs`) and its document hashed.
async fn delivered_file(app: &App, caller: &Caller, d: Delivered) -> DeliveredFile {
    let computed = match app.s3.read_object(caller, &d.bucket, &d.key).await {
        Ok(bytes) => delivered_sha256(&bytes).map_err(|e| format!("not gzip: {e}")),
        Err(e) => Err(format!("{}: {e}", e.code())),
    };
    let listed_by = d
        .listed_by
        .as_ref()
        .map(|(bucket, key)| format!("s3://{bucket}/{key}"));
    let against = match &listed_by {
        Some(digest) => format!("the digest that lists it ({digest})"),
        None => "the value recorded at delivery (no digest lists it yet)".to_string(),
    };
    let hash = match computed {
        Ok(h) if h == d.sha256 => HashCheck {
            recorded: d.sha256.clone(),
            computed: Some(h),
            status: "matches".into(),
            summary: format!("SHA-256 matches {against}"),
        },
        Ok(h) => HashCheck {
            recorded: d.sha256.clone(),
            computed: Some(h),
            status: "differs".into(),
            summary: format!("SHA-256 differs from {against}: the file changed"),
        },
        Err(why) => HashCheck {
            recorded: d.sha256.clone(),
            computed: None,
            status: "not_checked".into(),
            summary: format!("not checked: the file cannot be read ({why})"),
        },
    };
    DeliveredFile {
        file_type: if d.digest { "digest" } else { "log" }.to_string(),
        trail: name_of(&d.trail_arn),
        region: d.region.clone(),
        period_start: iso(d.start_ms),
        period_end: iso(d.end_ms),
        entries: d.entries,
        listed_by,
        hash,
    }
}
