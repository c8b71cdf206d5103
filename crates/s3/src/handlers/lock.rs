//! Object Lock handlers: a bucket's Object Lock configuration, and the retention and legal hold
//! of object versions, changed as `model::lock` allows.

use super::object_read::find_version;
use super::{modify_bucket, owned_bucket, read_bucket};
use crate::error::{S3Error, S3Result};
use crate::model::buckets::Bucket;
use crate::model::lock::{self, BucketLock, ObjectLock, Retention};
use crate::model::objects::{self, ObjectVersion};
use crate::op::{LockOp, LockOutput, ObjectRef, Output};
use crate::S3;
use trailstack_core::Caller;
use trailstack_store::Conn as Connection;

/// Runs one Object Lock operation.
pub async fn call(s3: &S3, caller: &Caller, op: LockOp) -> S3Result<Output> {
    match op {
        LockOp::PutConfiguration { bucket, config } => {
            put_configuration(s3, caller, bucket, config).await
        }
        LockOp::GetConfiguration { bucket } => {
            let b = read_bucket(s3, caller, bucket).await?;
            match b.meta.object_lock {
                Some(l) => Ok(Output::Lock(LockOutput::Configuration(l))),
                None => Err(S3Error::ObjectLockConfigurationNotFound(b.name)),
            }
        }
        LockOp::PutRetention {
            obj,
            version_id,
            retention,
            bypass_governance,
        } => {
            let now = s3.now_ms();
            if let Some(r) = &retention {
                lock::check_future(r.until_ms, now)?;
            }
            let vid = version_id.as_deref();
            let bypass =
                super::delete::may_bypass(s3, caller, bypass_governance, &obj, vid).await?;
            change(s3, caller, obj, version_id, move |l| {
                lock::check_change(l.retention.as_ref(), retention.as_ref(), now, bypass)?;
                l.retention = retention;
                Ok(())
            })
            .await
        }
        LockOp::PutLegalHold {
            obj,
            version_id,
            on,
        } => {
            change(s3, caller, obj, version_id, move |l| {
                l.legal_hold = Some(on);
                Ok(())
            })
            .await
        }
        LockOp::GetRetention { obj, version_id } => {
            let v = read(s3, caller, obj, version_id).await?;
            match v.meta.lock.and_then(|l| l.retention) {
                Some(r) => Ok(Output::Lock(LockOutput::Retention(r))),
                None => Err(S3Error::NoSuchObjectLockConfiguration),
            }
        }
        LockOp::GetLegalHold { obj, version_id } => {
            let v = read(s3, caller, obj, version_id).await?;
            match v.meta.lock.and_then(|l| l.legal_hold) {
                Some(on) => Ok(Output::Lock(LockOutput::LegalHold(on))),
                None => Err(S3Error::NoSuchObjectLockConfiguration),
            }
        }
    }
}

/// PutObjectLockConfiguration: enables Object Lock on a versioned bucket (AWS allows it after
/// creation once versioning is Enabled) and sets or clears its default retention.
async fn put_configuration(
    s3: &S3,
    caller: &Caller,
    name: String,
    config: BucketLock,
) -> S3Result<Output> {
    modify_bucket(s3, caller, name, move |b| {
        if b.meta.object_lock.is_none() && b.versioning != "Enabled" {
            return Err(S3Error::InvalidBucketState(
                "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration"
                    .into(),
            ));
        }
        b.meta.object_lock = Some(config);
        Ok(())
    })
    .await?;
    Ok(Output::Empty { status: 200 })
}

/// The version a retention or legal-hold call names, in a bucket with Object Lock.
fn locked_version(
    c: &Connection,
    caller: &Caller,
    obj: &ObjectRef,
    version_id: Option<&str>,
    method: &str,
) -> S3Result<(Bucket, ObjectVersion)> {
    let b = owned_bucket(c, caller, &obj.bucket)?;
    if b.meta.object_lock.is_none() {
        return Err(lock::missing_configuration());
    }
    let v = find_version(c, &obj.bucket, &obj.key, version_id, method)?;
    Ok((b, v))
}

async fn read(
    s3: &S3,
    caller: &Caller,
    obj: ObjectRef,
    version_id: Option<String>,
) -> S3Result<ObjectVersion> {
    let caller = caller.clone();
    let (_, v) = s3
        .read(move |c| locked_version(c, &caller, &obj, version_id.as_deref(), "GET"))
        .await?;
    Ok(v)
}

/// Changes a version's lock with `f` in one transaction.
async fn change(
    s3: &S3,
    caller: &Caller,
    obj: ObjectRef,
    version_id: Option<String>,
    f: impl FnOnce(&mut ObjectLock) -> S3Result<()> + Send + 'static,
) -> S3Result<Output> {
    let caller = caller.clone();
    s3.write(move |tx| {
        let (_, mut v) = locked_version(tx, &caller, &obj, version_id.as_deref(), "PUT")?;
        let mut l = v.meta.lock.take().unwrap_or_default();
        f(&mut l)?;
        v.meta.lock = (!l.is_empty()).then_some(l);
        objects::update_meta(tx, &v)
    })
    .await?;
    Ok(Output::Empty { status: 200 })
}

/// The retention a new version written at `now_ms` with `requested` lock headers ends up
/// with in bucket `b` (refusing lock headers where Object Lock is off); see
/// [`lock::settle_new`]. Default retention counts days of `day_ms`: S3's lifecycle day, which
/// `--lifecycle-day` shortens for both, so a locked log archive can be seen to expire.
pub fn settle(
    b: &Bucket,
    requested: &mut Option<ObjectLock>,
    now_ms: i64,
    day_ms: i64,
) -> S3Result<()> {
    lock::settle_new(b.meta.object_lock.as_ref(), requested, now_ms, day_ms)
}

/// Whether a retention date asked for in a write's headers lies in the future.
pub fn check_requested(requested: Option<&ObjectLock>, now_ms: i64) -> S3Result<()> {
    match requested.and_then(|l| l.retention.as_ref()) {
        Some(Retention { until_ms, .. }) => lock::check_future(*until_ms, now_ms),
        None => Ok(()),
    }
}

/// Removes from `version` what `caller` may not read of its lock: S3 answers the
/// `x-amz-object-lock-*` headers of a GET or HEAD only to callers allowed
/// `s3:GetObjectRetention` (mode, retain-until date) and `s3:GetObjectLegalHold` (legal hold).
pub async fn hide_unreadable(
    s3: &S3,
    caller: &Caller,
    version: &mut ObjectVersion,
) -> S3Result<()> {
    let Some(l) = version.meta.lock.as_mut() else {
        return Ok(());
    };
    let (bucket, key) = (version.bucket.as_str(), Some(version.key.as_str()));
    let vid = Some(version.version_id.as_str());
    if l.retention.is_some()
        && !crate::authz::permits(s3, caller, "s3:GetObjectRetention", bucket, key, vid).await?
    {
        l.retention = None;
    }
    if l.legal_hold.is_some()
        && !crate::authz::permits(s3, caller, "s3:GetObjectLegalHold", bucket, key, vid).await?
    {
        l.legal_hold = None;
    }
    Ok(())
}
