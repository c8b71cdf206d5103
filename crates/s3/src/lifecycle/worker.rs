//! The lifecycle worker: [`Lifecycle::tick`] runs every bucket's rules as of a time, the way
//! S3 runs them once a day. A tick does nothing (and reads nothing) unless a lifecycle
//! midnight has passed or a configuration changed since the last complete tick; then it makes
//! one pass over each bucket that has rules and no complete pass for that midnight and
//! configuration: incomplete multipart uploads first, then the keys in order, a page of keys
//! per transaction. Each page plans (`plan.rs`) and applies its actions in the transaction
//! that read the versions, and records how far the pass got in the same commit, so a pass cut
//! short by a crash resumes after the last committed page, and a page run twice finds nothing
//! left to do. Expirations are not API calls: nothing is reported to CloudTrail; a bucket with
//! server access logging gets a record of each action (`S3.EXPIRE.OBJECT`,
//! `S3.CREATE.DELETEMARKER`, `S3.TRANSITION*.OBJECT`, `S3.DELETE.UPLOAD`), queued in the
//! action's own transaction.

use super::plan::{plan, Action};
use super::LifecycleConfiguration;
use crate::error::S3Result;
use crate::logging::record::AccessRecord;
use crate::model::buckets::{self, Bucket};
use crate::model::objects::{self, ObjectMeta, ObjectVersion};
use crate::model::{from_ms, to_ms, uploads};
use crate::S3;
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Mutex;
use trailstack_store::Conn as Connection;
use trailstack_store::Migration;

/// The worker's table: per bucket, the midnight and configuration of its last pass, and where
/// an unfinished pass stopped (`cursor`, the last key done; NULL once the pass is complete).
pub const MIGRATIONS: &[Migration] = &[Migration {
    component: "s3-lifecycle",
    version: 1,
    sql: "
CREATE TABLE s3_lifecycle_passes (
    bucket TEXT PRIMARY KEY,
    stamp INTEGER NOT NULL,
    midnight_ms INTEGER NOT NULL,
    cursor BLOB
);
",
}];

/// Keys (or uploads) per transaction.
const PAGE: usize = 100;

/// What one tick did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    /// Bucket passes run.
    pub passes: usize,
    /// Versions and delete markers deleted permanently.
    pub removed: usize,
    /// Delete markers written over expired current versions.
    pub markers: usize,
    /// Versions moved to a colder storage class.
    pub transitioned: usize,
    /// Multipart uploads aborted.
    pub aborted: usize,
}

/// The lifecycle worker of one S3 service.
pub struct Lifecycle {
    s3: S3,
    /// The lifecycle midnight and configuration generation of the last complete tick.
    seen: Mutex<Option<(i64, u64)>>,
}

struct PassRow {
    stamp: i64,
    midnight_ms: i64,
    cursor: Option<Vec<u8>>,
}

fn pass_rows(c: &Connection) -> S3Result<HashMap<String, PassRow>> {
    let rows = c.query(
        "SELECT bucket, stamp, midnight_ms, cursor FROM s3_lifecycle_passes",
        &[],
        |r| {
            Ok((
                r.get::<String>(0)?,
                PassRow {
                    stamp: r.get(1)?,
                    midnight_ms: r.get(2)?,
                    cursor: r.get(3)?,
                },
            ))
        },
    )?;
    Ok(rows.into_iter().collect())
}

fn save_pass(
    c: &Connection,
    bucket: &str,
    stamp: i64,
    midnight_ms: i64,
    cursor: Option<&[u8]>,
) -> S3Result<()> {
    c.execute(
        "INSERT INTO s3_lifecycle_passes (bucket, stamp, midnight_ms, cursor) VALUES ($1, $2, $3, $4)
         ON CONFLICT (bucket) DO UPDATE SET stamp = excluded.stamp, midnight_ms = excluded.midnight_ms, cursor = excluded.cursor",
        &[&bucket, &stamp, &midnight_ms, &cursor],
    )?;
    Ok(())
}

fn forget(c: &Connection, bucket: &str) -> S3Result<()> {
    c.execute(
        "DELETE FROM s3_lifecycle_passes WHERE bucket = $1",
        &[&bucket],
    )?;
    Ok(())
}

/// The bucket and its configuration, if it still has the one a pass started with.
fn configured(
    c: &Connection,
    bucket: &str,
    stamp: i64,
) -> S3Result<Option<(Bucket, LifecycleConfiguration)>> {
    Ok(buckets::get(c, bucket)?.and_then(|b| {
        let config = b.meta.lifecycle.clone().filter(|l| l.stamp == stamp)?;
        Some((b, config))
    }))
}

/// The server access log operation S3 logs for a transition to `class`.
fn transition_operation(class: &str) -> &'static str {
    match class {
        "STANDARD_IA" => "S3.TRANSITION_SIA.OBJECT",
        "ONEZONE_IA" => "S3.TRANSITION_ZIA.OBJECT",
        "INTELLIGENT_TIERING" => "S3.TRANSITION_INT.OBJECT",
        "GLACIER_IR" => "S3.TRANSITION_GIR.OBJECT",
        "DEEP_ARCHIVE" => "S3.TRANSITION_GDA.OBJECT",
        _ => "S3.TRANSITION.OBJECT",
    }
}

/// Queues the server access log record of a lifecycle action (`S3.EXPIRE.OBJECT`, ...) in the
/// transaction that takes it, if the bucket's access is logged: a committed action is logged
/// exactly once.
fn log_action(
    c: &Connection,
    bucket: &Bucket,
    operation: &str,
    key: &str,
    version_id: &str,
    size: Option<u64>,
    now_ms: i64,
) -> S3Result<()> {
    if bucket.meta.logging.is_none() {
        return Ok(());
    }
    let request_id = uuid::Uuid::new_v4().simple().to_string()[..16].to_uppercase();
    let record = AccessRecord::internal(
        &bucket.name,
        from_ms(now_ms),
        operation,
        key,
        (version_id != "null").then(|| version_id.to_string()),
        size,
        request_id,
    );
    crate::logging::record_in(c, bucket, &record, now_ms)
}

/// Applies one action to a key whose versions (newest first) are `versions`; returns the blobs
/// no longer referenced. A delete marker S3 Lifecycle writes is dated the midnight it acts at.
fn apply(
    c: &Connection,
    bucket: &Bucket,
    versions: &[ObjectVersion],
    action: &Action,
    (now_ms, midnight): (i64, i64),
    report: &mut Report,
) -> S3Result<Vec<String>> {
    let key = &versions[0].key;
    let mut blobs = Vec::new();
    match action {
        Action::Remove { version_id, .. } => {
            // A version Object Lock protects (retention not ended, or a legal hold) stays, as
            // AWS's lifecycle leaves it; a later pass removes it once the lock allows.
            let locked = versions.iter().any(|v| {
                &v.version_id == version_id
                    && crate::model::lock::check_delete(v.meta.lock.as_ref(), now_ms, false)
                        .is_err()
            });
            if locked {
                return Ok(blobs);
            }
            if let Some(old) = objects::remove_version(c, &bucket.name, key, version_id)? {
                blobs.extend(old.blobs().map(str::to_string));
                report.removed += 1;
                let size = (!old.delete_marker).then_some(old.size);
                log_action(c, bucket, "S3.EXPIRE.OBJECT", key, version_id, size, now_ms)?;
            }
        }
        Action::Marker { .. } => {
            let mut marker = ObjectVersion {
                delete_marker: true,
                ..ObjectVersion::new_current(
                    bucket.name.clone(),
                    key.clone(),
                    0,
                    String::new(),
                    midnight,
                    ObjectMeta {
                        v: 1,
                        owner: bucket.meta.owner.clone(),
                        ..Default::default()
                    },
                    None,
                )
            };
            if let Some(old) = objects::put(c, &mut marker, &bucket.versioning)? {
                blobs.extend(old.blobs().map(str::to_string));
            }
            report.markers += 1;
            let current = &versions[0];
            log_action(
                c,
                bucket,
                "S3.CREATE.DELETEMARKER",
                key,
                &current.version_id,
                Some(current.size),
                now_ms,
            )?;
        }
        Action::Transition {
            version_id, class, ..
        } => {
            if let Some(v) = versions.iter().find(|v| &v.version_id == version_id) {
                let mut v = v.clone();
                v.meta.storage_class = Some(class.clone());
                objects::update_meta(c, &v)?;
                report.transitioned += 1;
                let operation = transition_operation(class);
                log_action(c, bucket, operation, key, version_id, Some(v.size), now_ms)?;
            }
        }
    }
    Ok(blobs)
}

/// What one page of a pass did, and where the next starts (None: the pass is complete).
struct Page {
    next: Option<Vec<u8>>,
    blobs: Vec<String>,
    report: Report,
}

impl Lifecycle {
    /// The worker of `s3`.
    pub fn new(s3: S3) -> Lifecycle {
        Lifecycle {
            s3,
            seen: Mutex::new(None),
        }
    }

    /// How often `serve` ticks: a twentieth of a lifecycle day, between 100 ms and a minute,
    /// so that actions start soon after their midnight even with a day of a few seconds.
    pub fn interval(&self) -> std::time::Duration {
        let ms = (self.s3.lifecycle_days.day_ms / 20).clamp(100, 60_000);
        std::time::Duration::from_millis(ms as u64)
    }

    /// Runs every bucket's rules as of `now`.
    pub async fn tick(&self, now: time::OffsetDateTime) -> S3Result<Report> {
        let days = self.s3.lifecycle_days;
        let now_ms = to_ms(now);
        let midnight = days.midnight(now_ms);
        // Read before the buckets: a configuration committed after this read bumps it again.
        let generation = self.s3.lifecycle_generation.load(Ordering::SeqCst);
        if *self.seen.lock().unwrap_or_else(|e| e.into_inner()) == Some((midnight, generation)) {
            return Ok(Report::default());
        }
        let (with_rules, rows) = self
            .s3
            .scan(|c| {
                let with_rules: Vec<(String, i64)> = buckets::all(c)?
                    .into_iter()
                    .filter_map(|b| Some((b.name, b.meta.lifecycle?.stamp)))
                    .collect();
                Ok((with_rules, pass_rows(c)?))
            })
            .await?;
        let mut report = Report::default();
        for (bucket, stamp) in &with_rules {
            let resume = match rows.get(bucket) {
                Some(r) if r.stamp == *stamp && r.midnight_ms == midnight => match &r.cursor {
                    None => continue,
                    Some(c) => Some(c.clone()),
                },
                _ => None,
            };
            self.pass(bucket, *stamp, midnight, now_ms, resume, &mut report)
                .await?;
        }
        let stale: Vec<String> = rows
            .into_keys()
            .filter(|b| !with_rules.iter().any(|(n, _)| n == b))
            .collect();
        if !stale.is_empty() {
            self.s3
                .write(move |tx| stale.iter().try_for_each(|b| forget(tx, b)))
                .await?;
        }
        *self.seen.lock().unwrap_or_else(|e| e.into_inner()) = Some((midnight, generation));
        Ok(report)
    }

    /// One bucket's pass, from the start or after `resume`.
    async fn pass(
        &self,
        bucket: &str,
        stamp: i64,
        midnight: i64,
        now_ms: i64,
        resume: Option<Vec<u8>>,
        report: &mut Report,
    ) -> S3Result<()> {
        if resume.is_none() {
            report.aborted += self.abort_uploads(bucket, stamp, now_ms).await?;
        }
        let days = self.s3.lifecycle_days;
        let mut cursor = resume.unwrap_or_default();
        loop {
            let b = bucket.to_string();
            let page = self
                .s3
                .write(move |tx| {
                    let Some((bucket, config)) = configured(tx, &b, stamp)? else {
                        return Ok(Page {
                            next: None,
                            blobs: Vec::new(),
                            report: Report::default(),
                        });
                    };
                    let keys = objects::keys_after(tx, &b, &cursor, PAGE)?;
                    let mut page = Page {
                        next: None,
                        blobs: Vec::new(),
                        report: Report::default(),
                    };
                    for key in &keys {
                        let versions = objects::versions_of(tx, &b, key)?;
                        for action in plan(&versions, &config, &bucket.versioning, now_ms, days) {
                            let freed = apply(
                                tx,
                                &bucket,
                                &versions,
                                &action,
                                (now_ms, midnight),
                                &mut page.report,
                            )?;
                            page.blobs.extend(freed);
                        }
                    }
                    page.next = keys.last().filter(|_| keys.len() == PAGE).cloned();
                    save_pass(tx, &b, stamp, midnight, page.next.as_deref())?;
                    Ok(page)
                })
                .await?;
            self.s3.drop_blobs(page.blobs).await;
            report.removed += page.report.removed;
            report.markers += page.report.markers;
            report.transitioned += page.report.transitioned;
            match page.next {
                Some(next) => cursor = next,
                None => break,
            }
        }
        report.passes += 1;
        Ok(())
    }

    /// Aborts the bucket's uploads whose `AbortIncompleteMultipartUpload` is due.
    async fn abort_uploads(&self, bucket: &str, stamp: i64, now_ms: i64) -> S3Result<usize> {
        let days = self.s3.lifecycle_days;
        let (mut key_marker, mut id_marker) = (Vec::<u8>::new(), String::new());
        let mut aborted = 0;
        loop {
            let (b, km, im) = (bucket.to_string(), key_marker.clone(), id_marker.clone());
            let (due, last) = self
                .s3
                .scan(move |c| {
                    let Some((_, config)) = configured(c, &b, stamp)? else {
                        return Ok((Vec::new(), None));
                    };
                    let page = uploads::list(c, &b, b"", &km, &im, PAGE)?;
                    let last = (page.len() == PAGE)
                        .then(|| page.last().map(|u| (u.key.clone(), u.upload_id.clone())))
                        .flatten();
                    let due: Vec<(String, String)> = page
                        .into_iter()
                        .filter(|u| {
                            config
                                .abort(&u.key, u.initiated_ms, days)
                                .is_some_and(|(at, _)| at <= now_ms)
                        })
                        .map(|u| (u.upload_id, u.key))
                        .collect();
                    Ok((due, last))
                })
                .await?;
            if !due.is_empty() {
                let b = bucket.to_string();
                let (parts, n) = self
                    .s3
                    .write(move |tx| {
                        let Some((bucket, _)) = configured(tx, &b, stamp)? else {
                            return Ok((Vec::new(), 0));
                        };
                        let (mut blobs, mut n) = (Vec::new(), 0);
                        for (id, key) in &due {
                            if uploads::require(tx, &b, key, id).is_err() {
                                continue;
                            }
                            blobs.extend(uploads::remove(tx, id)?.into_iter().map(|p| p.meta.blob));
                            log_action(tx, &bucket, "S3.DELETE.UPLOAD", key, "null", None, now_ms)?;
                            n += 1;
                        }
                        Ok((blobs, n))
                    })
                    .await?;
                aborted += n;
                self.s3.drop_blobs(parts).await;
            }
            match last {
                Some((k, id)) => (key_marker, id_marker) = (k.into_bytes(), id),
                None => return Ok(aborted),
            }
        }
    }
}
