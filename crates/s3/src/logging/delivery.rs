//! Delivery of access log records as log objects in their target buckets. [`AccessLogDelivery::tick`]
//! does one round: it notes a log object for every group of pending records, then puts every
//! noted object as `logging.s3.amazonaws.com` through [`S3::call`] — authorized by the target's
//! bucket policy (or, with ACLs enabled, the log delivery group's grant), always SSE-S3, and
//! recorded in CloudTrail like any PutObject. The server's timer, `trailstack flush` and tests
//! (with a stepped clock) call it.
//!
//! AWS delivers access logs only into targets whose default encryption is SSE-S3 and that
//! have no Object Lock default retention: such a target gets nothing, and its records wait
//! (shown by `trailstack explain`) until the target changes or logging points elsewhere.
//! Records whose target bucket was deleted are dropped.

use super::outbox::{self, Group, NotedFile};
use super::{KeyFormat, PartitionDateSource, LOGGING_PRINCIPAL};
use crate::error::{S3Error, S3Result};
use crate::model::{buckets, from_ms, objects, to_ms};
use crate::op::{NewObject, ObjectRef, Op, Output, Payload};
use crate::sse::Writer;
use crate::S3;
use bytes::Bytes;
use std::sync::Arc;
use time::OffsetDateTime;
use trailstack_core::{AccountId, Caller};

/// Most records one log object holds.
pub const MAX_RECORDS_PER_OBJECT: usize = 10_000;

/// What one round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// Log objects written.
    pub objects: usize,
    /// Records they hold.
    pub records: usize,
    /// Log objects not written this round (retried on the next).
    pub failures: usize,
    /// Log objects given up because their target bucket no longer exists.
    pub dropped: usize,
}

/// What became of one noted log object.
enum Delivered {
    /// Written, holding this many records.
    Records(usize),
    /// Its target bucket is gone: its records were dropped.
    Dropped,
}

/// The access log delivery worker.
#[derive(Clone)]
pub struct AccessLogDelivery {
    s3: S3,
    /// Held for a whole round: the timer and `trailstack flush` may run one at once, and two
    /// rounds noting the same records would deliver them twice.
    running: Arc<tokio::sync::Mutex<()>>,
}

/// A log object key: `[prefix]YYYY-mm-DD-HH-MM-SS-UniqueString`, or partitioned
/// `[prefix]account/region/bucket/YYYY/MM/DD/YYYY-mm-DD-HH-MM-SS-UniqueString` with the date of
/// `partition` (the records' time or the delivery's).
pub fn object_key(
    prefix: &str,
    format: KeyFormat,
    source: (&str, &str, &str),
    delivery: OffsetDateTime,
    partition: OffsetDateTime,
    unique: &str,
) -> String {
    let stamp = format!(
        "{:04}-{:02}-{:02}-{:02}-{:02}-{:02}-{unique}",
        delivery.year(),
        u8::from(delivery.month()),
        delivery.day(),
        delivery.hour(),
        delivery.minute(),
        delivery.second()
    );
    match format {
        KeyFormat::SimplePrefix => format!("{prefix}{stamp}"),
        KeyFormat::PartitionedPrefix(_) => {
            let (account, region, bucket) = source;
            format!(
                "{prefix}{account}/{region}/{bucket}/{:04}/{:02}/{:02}/{stamp}",
                partition.year(),
                u8::from(partition.month()),
                partition.day()
            )
        }
    }
}

/// The UniqueString of a log object: 16 hex digits fixed by its first record, so that a
/// retried delivery writes the same key.
fn unique_string(g: &Group, first_id: i64) -> String {
    let seed = format!(
        "{}/{}/{}/{first_id}",
        g.source_bucket, g.target_bucket, g.target_prefix
    );
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, seed.as_bytes());
    hex::encode_upper(&d.as_ref()[..8])
}

impl AccessLogDelivery {
    /// A worker delivering `s3`'s access log records.
    pub fn new(s3: S3) -> AccessLogDelivery {
        AccessLogDelivery {
            s3,
            running: Arc::new(tokio::sync::Mutex::new(())),
        }
    }

    /// One round at `now`: notes a log object for every pending group, then delivers every
    /// noted object (including those an earlier round or a crash left undelivered).
    pub async fn tick(&self, now: OffsetDateTime) -> S3Result<Outcome> {
        let _one_round_at_a_time = self.running.lock().await;
        let groups = self.s3.scan(|c| Ok(outbox::groups(c)?)).await?;
        for g in groups {
            self.note_all(&g, now).await?;
        }
        let mut outcome = Outcome::default();
        for f in self.s3.scan(|c| Ok(outbox::noted(c)?)).await? {
            match self.deliver(&f, now).await {
                Ok(Delivered::Records(n)) => {
                    outcome.objects += 1;
                    outcome.records += n;
                }
                Ok(Delivered::Dropped) => outcome.dropped += 1,
                Err(e) => {
                    outcome.failures += 1;
                    let (id, msg) = (f.id, e.to_string());
                    tracing::warn!(
                        "access log delivery into s3://{}/{} failed: {msg}",
                        f.group.target_bucket,
                        f.target_key
                    );
                    self.s3
                        .write(move |c| Ok(outbox::failed(c, id, &msg)?))
                        .await?;
                }
            }
        }
        Ok(outcome)
    }

    /// Notes log objects for the records of `g` not yet in one.
    async fn note_all(&self, g: &Group, now: OffsetDateTime) -> S3Result<()> {
        let source = self
            .s3
            .read({
                let name = g.source_bucket.clone();
                move |c| buckets::get(c, &name)
            })
            .await?;
        let (account, region) = source
            .map(|b| (b.account, b.region))
            .unwrap_or_else(|| (String::new(), self.s3.region.clone()));
        let format = KeyFormat::from_column(&g.key_format);
        let g = g.clone();
        let now_ms = to_ms(now);
        self.s3
            .write(move |c| {
                loop {
                    let after = outbox::noted_upto(c, &g)?;
                    let recs = outbox::pending(c, &g, after, MAX_RECORDS_PER_OBJECT)?;
                    let Some(&(first, first_ms, _)) = recs.first() else {
                        return Ok(());
                    };
                    // Partitioned by the records' time: one object per day of records.
                    let day = |ms: i64| from_ms(ms).date();
                    let last = match format {
                        KeyFormat::PartitionedPrefix(PartitionDateSource::EventTime) => recs
                            .iter()
                            .take_while(|(_, ms, _)| day(*ms) == day(first_ms))
                            .last()
                            .map_or(first, |r| r.0),
                        _ => recs.last().map_or(first, |r| r.0),
                    };
                    let partition = match format {
                        KeyFormat::PartitionedPrefix(PartitionDateSource::EventTime) => {
                            from_ms(first_ms)
                        }
                        _ => now,
                    };
                    let key = object_key(
                        &g.target_prefix,
                        format,
                        (&account, &region, &g.source_bucket),
                        now,
                        partition,
                        &unique_string(&g, first),
                    );
                    outbox::note(c, &g, &key, first, last, now_ms)?;
                }
            })
            .await
    }

    /// Puts one noted log object and removes its records.
    async fn deliver(&self, f: &NotedFile, now: OffsetDateTime) -> S3Result<Delivered> {
        let lines = self
            .s3
            .scan({
                let (g, first, last) = (f.group.clone(), f.first_id, f.last_id);
                move |c| Ok(outbox::lines(c, &g, first, last)?)
            })
            .await?;
        let mut body = lines.join("\n");
        body.push('\n');
        let (target, source, existing) = self
            .s3
            .read({
                let (t, s, k) = (
                    f.group.target_bucket.clone(),
                    f.group.source_bucket.clone(),
                    f.target_key.clone(),
                );
                move |c| {
                    let target = buckets::get(c, &t)?;
                    let existing = objects::latest(c, &t, &k)?;
                    Ok((target, buckets::get(c, &s)?, existing))
                }
            })
            .await?;
        let Some(target) = target else {
            // S3 delivers on a best-effort basis: records for a target that no longer exists
            // are lost, not kept for a bucket someone may create under that name later.
            tracing::warn!(
                "access log target s3://{} no longer exists: a log object of records from s3://{} dropped",
                f.group.target_bucket,
                f.group.source_bucket
            );
            let f = f.clone();
            self.s3
                .write(move |c| Ok(outbox::delivered(c, &f)?))
                .await?;
            return Ok(Delivered::Dropped);
        };
        if target.meta.object_lock.is_some_and(|l| l.default.is_some()) {
            return Err(S3Error::InvalidRequest(
                "the target bucket has an Object Lock default retention: S3 does not deliver server access logs into such buckets".into(),
            ));
        }
        if let Some(e) = target
            .meta
            .encryption
            .as_ref()
            .filter(|e| e.algorithm != "AES256")
        {
            return Err(S3Error::InvalidRequest(format!(
                "the target bucket's default encryption is {}: S3 delivers server access logs only into buckets whose default encryption is SSE-S3",
                e.algorithm
            )));
        }
        let mut md5 = crate::checksum::Md5::new();
        md5.update(body.as_bytes());
        let etag = hex::encode(md5.finish());
        // Put before a crash that came ahead of the removal of its records: already there.
        let already = existing.is_some_and(|o| !o.delete_marker && o.etag == etag);
        if !already {
            self.put(f, &target, source.as_ref(), body, now).await?;
        }
        let f = f.clone();
        let n = self
            .s3
            .write(move |c| Ok(outbox::delivered(c, &f)?))
            .await?;
        Ok(Delivered::Records(n))
    }

    async fn put(
        &self,
        f: &NotedFile,
        target: &buckets::Bucket,
        source: Option<&buckets::Bucket>,
        body: String,
        _now: OffsetDateTime,
    ) -> S3Result<()> {
        let account = AccountId::parse(&target.account)
            .map_err(|e| S3Error::Internal(format!("target bucket account: {e}")))?;
        let request_id = uuid::Uuid::new_v4().simple().to_string().to_uppercase();
        let mut caller = Caller::service(account, LOGGING_PRINCIPAL, &target.region, request_id)
            .for_source(&format!("arn:aws:s3:::{}", f.group.source_bucket));
        caller.canonical_id = target.meta.owner.id.clone();
        caller.display_name = target.meta.owner.display_name.clone();
        // Grants of the configuration the records were made under (ACL-enabled targets only).
        let grants = source
            .and_then(|s| s.meta.logging.as_ref())
            .filter(|l| l.target_bucket == target.name)
            .map(|l| l.target_grants.clone())
            .unwrap_or_default();
        let mut new = NewObject {
            grants,
            writer: Writer::AccessLog,
            ..NewObject::default()
        };
        new.meta.content_type = Some("text/plain".into());
        let obj = ObjectRef::new(&target.name, &f.target_key);
        let op = Op::put_object(obj, Payload::whole(Bytes::from(body)), new);
        match self.s3.call(&caller, op).await? {
            Output::Written(_) => Ok(()),
            other => Err(S3Error::Internal(format!(
                "unexpected PutObject output {other:?}"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_both_formats() {
        let t = time::macros::datetime!(2026-01-02 03:04:05 UTC);
        let p = time::macros::datetime!(2026-01-01 23:00:00 UTC);
        let src = ("111122223333", "us-east-1", "src");
        assert_eq!(
            object_key(
                "log/",
                KeyFormat::SimplePrefix,
                src,
                t,
                t,
                "ABCDEF0123456789"
            ),
            "log/2026-01-02-03-04-05-ABCDEF0123456789"
        );
        assert_eq!(
            object_key(
                "log/",
                KeyFormat::PartitionedPrefix(PartitionDateSource::EventTime),
                src,
                t,
                p,
                "U"
            ),
            "log/111122223333/us-east-1/src/2026/01/01/2026-01-02-03-04-05-U"
        );
    }
}
