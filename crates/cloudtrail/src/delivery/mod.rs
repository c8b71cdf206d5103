//! Delivery: turns each trail's outbox into gzipped log files in S3 and, with log file validation,
//! into a chain of signed digest files (ARCHITECTURE.md §6, docs/aws/cloudtrail-delivery.md).
//! [`Delivery::tick`] does one round; the server's timers and `trailstack flush` call it, tests
//! call it with a stepped clock. Everything is written through the `ObjectWriter` port as
//! `cloudtrail.amazonaws.com`, so S3 authorizes, encrypts and records it like any PutObject.
//!
//! Nothing is lost or duplicated: a log file is noted (records, key) before it is put, and its
//! records leave the outbox only once the put succeeded. A failed or interrupted put is retried
//! with the same records under the same key, whose bytes are the same (deterministic gzip).

mod digest;
pub mod format;

use crate::model::{delivered_files, delivery_state, outbox, trails};
use crate::{millis, CloudTrail, CloudTrailError, CtResult, DeliveryStatus};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;
use trailstack_core::{AccountId, Caller, PutObjectRequest, WriterSse};
use trailstack_store::{Conn, StoreError};

/// Most records one log file holds (AWS caps files by size; this keeps them a few MB).
pub const MAX_RECORDS_PER_FILE: usize = 5_000;

/// The service principal CloudTrail writes as.
pub const CLOUDTRAIL_PRINCIPAL: &str = "cloudtrail.amazonaws.com";

/// The encryption CloudTrail states for the log files of trail `trail_arn`: SSE-KMS under the
/// trail's key with the trail in the encryption context, else SSE-S3 (ARCHITECTURE.md §5).
pub fn log_file_sse(trail_arn: &str, kms_key_arn: Option<&str>) -> WriterSse {
    match kms_key_arn {
        Some(key) => WriterSse::Kms {
            key_id: key.to_string(),
            context: BTreeMap::from([("aws:cloudtrail:arn".to_string(), trail_arn.to_string())]),
        },
        None => WriterSse::S3,
    }
}

/// The encryption CloudTrail states for digest files: always SSE-S3, whatever the trail's key.
pub const DIGEST_FILE_SSE: WriterSse = WriterSse::S3;

/// Where a new digest chain's first period starts: when logging started (digests cover
/// deliveries from then), in whole seconds as digest times are written.
fn chain_start(trail: &trails::TrailRecord, now_ms: i64) -> i64 {
    let ms = trail.status.start_logging_ms.unwrap_or(now_ms).min(now_ms);
    ms.div_euclid(1000) * 1000
}

/// What one tick did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// Log files written.
    pub log_files: usize,
    /// Records those files hold.
    pub records: usize,
    /// Digest files written.
    pub digests: usize,
    /// Failed puts (left for the next tick).
    pub failures: usize,
}

/// The key of a new log file of `trail` in `region` starting at outbox id `first_id`.
fn log_key(
    trail: &trails::TrailRecord,
    region: &str,
    first_id: i64,
    now: OffsetDateTime,
) -> String {
    format::log_key(
        trail.config.prefix.as_deref(),
        &trail.account,
        region,
        now,
        &format::unique_suffix(&format!("{}/{region}/{first_id}", trail.arn)),
    )
}

/// A log file's bytes, made before it is put.
struct Built {
    /// SHA-256 (hex) of the uncompressed file, for its digest.
    sha: String,
    /// The gzipped file.
    body: Vec<u8>,
    /// Records it holds.
    count: usize,
    /// Newest and oldest event times (epoch ms).
    newest: i64,
    oldest: i64,
    /// The trail as it was when the file was built.
    trail: trails::TrailRecord,
}

/// The delivery worker's state: the service and the digest period.
#[derive(Clone)]
pub struct Delivery {
    ct: CloudTrail,
    digest_interval: Duration,
    /// Held for a whole tick: the timer and `trailstack flush` may tick at once, and two
    /// ticks reading the same pending records would each deliver them.
    running: Arc<tokio::sync::Mutex<()>>,
}

impl Delivery {
    /// A worker delivering `ct`'s trails, writing a digest every `digest_interval` per chain.
    pub fn new(ct: CloudTrail, digest_interval: Duration) -> Delivery {
        Delivery {
            ct,
            digest_interval,
            running: Arc::new(tokio::sync::Mutex::new(())),
        }
    }

    /// One round at `now`: retries unfinished log files, delivers every pending record, then
    /// writes the digests that are due — or, with `close_periods` (`trailstack flush`), closes
    /// every chain's current period now.
    pub async fn tick(&self, now: OffsetDateTime, close_periods: bool) -> CtResult<Outcome> {
        let _one_tick_at_a_time = self.running.lock().await;
        let mut outcome = Outcome::default();
        let blocked = self.retry_in_flight(now, &mut outcome).await?;
        let groups = self.read(outbox::groups).await?;
        for g in groups {
            if blocked.contains(&(g.trail_arn.clone(), g.region.clone())) {
                continue;
            }
            self.deliver_group(&g.trail_arn, &g.region, now, &mut outcome)
                .await?;
        }
        self.digests(now, close_periods, &mut outcome).await?;
        self.write(delivery_state::prune).await?;
        Ok(outcome)
    }

    /// Puts the files noted but not known stored; returns the (trail, region) pairs whose file
    /// still fails, which get no new file until it succeeds (records stay in order).
    async fn retry_in_flight(
        &self,
        now: OffsetDateTime,
        outcome: &mut Outcome,
    ) -> CtResult<Vec<(String, String)>> {
        let mut blocked: Vec<(String, String)> = Vec::new();
        for f in self.read(delivery_state::in_flight).await? {
            let group = (f.trail_arn.clone(), f.region.clone());
            // A later file of a group whose earlier file failed waits for it.
            if blocked.contains(&group) {
                continue;
            }
            let stored = match self.build(&f).await? {
                Some(built) => self.store(&f, built, now, outcome).await?,
                None => false,
            };
            if !stored {
                blocked.push(group);
            }
        }
        Ok(blocked)
    }

    /// Delivers the pending records of one (trail, region), a file at a time, building the
    /// next file while the current one is put: on two cores, gzip and S3's encryption and
    /// fsyncs overlap.
    async fn deliver_group(
        &self,
        trail_arn: &str,
        region: &str,
        now: OffsetDateTime,
        outcome: &mut Outcome,
    ) -> CtResult<()> {
        let arn = trail_arn.to_string();
        let Some(trail) = self.read(move |c| trails::get(c, &arn)).await? else {
            // A deleted trail delivers nothing more.
            self.purge(trail_arn).await?;
            return Ok(());
        };
        let mut next = self.note_and_build(&trail, region, 0, now).await?;
        while let Some((file, built, full)) = next.take() {
            let Some(built) = built else {
                return Ok(());
            };
            let (stored, following) = tokio::join!(self.store(&file, built, now, outcome), async {
                if full {
                    self.note_and_build(&trail, region, file.last_id, now).await
                } else {
                    Ok(None)
                }
            });
            // A file noted while this one failed stays in flight for the next tick's retry.
            if !stored? {
                return Ok(());
            }
            next = following?;
        }
        Ok(())
    }

    /// Notes the next log file of (trail, region) holding records after id `after`, and builds
    /// it; with whether it is full (more records may follow). None when nothing is pending.
    async fn note_and_build(
        &self,
        trail: &trails::TrailRecord,
        region: &str,
        after: i64,
        now: OffsetDateTime,
    ) -> CtResult<Option<(delivery_state::LogFile, Option<Built>, bool)>> {
        let (arn, r) = (trail.arn.clone(), region.to_string());
        let run = self
            .read(move |c| outbox::next_run(c, &arn, &r, after, MAX_RECORDS_PER_FILE))
            .await?;
        let Some((first_id, last_id, count)) = run else {
            return Ok(None);
        };
        let key = log_key(trail, region, first_id, now);
        let (arn, r, bucket, k) = (
            trail.arn.clone(),
            region.to_string(),
            trail.config.bucket.clone(),
            key.clone(),
        );
        let id = self
            .write(move |c| delivery_state::start_file(c, &arn, &r, &bucket, &k, first_id, last_id))
            .await?;
        let file = delivery_state::LogFile {
            id,
            trail_arn: trail.arn.clone(),
            region: region.to_string(),
            bucket: trail.config.bucket.clone(),
            key,
            first_id,
            last_id,
            delivered_ms: None,
            sha256: None,
            newest_ms: None,
            oldest_ms: None,
        };
        let built = self.build(&file).await?;
        Ok(Some((file, built, count == MAX_RECORDS_PER_FILE)))
    }

    /// A noted file of a trail whose bucket or prefix changed since (UpdateTrail during an
    /// outage) goes where the trail now delivers: its records were never delivered.
    async fn relocate(
        &self,
        f: &delivery_state::LogFile,
        trail: &trails::TrailRecord,
        now: OffsetDateTime,
    ) -> CtResult<delivery_state::LogFile> {
        let wanted_prefix = format::log_prefix(trail.config.prefix.as_deref(), &trail.account);
        if f.bucket == trail.config.bucket && f.key.starts_with(&wanted_prefix) {
            return Ok(f.clone());
        }
        let mut moved = f.clone();
        moved.bucket = trail.config.bucket.clone();
        moved.key = log_key(trail, &f.region, f.first_id, now);
        let (id, bucket, key) = (moved.id, moved.bucket.clone(), moved.key.clone());
        self.write(move |c| delivery_state::move_file(c, id, &bucket, &key))
            .await?;
        Ok(moved)
    }

    /// Reads a noted file's records and makes its bytes; None when its trail is gone (its
    /// records are then dropped).
    async fn build(&self, f: &delivery_state::LogFile) -> CtResult<Option<Built>> {
        let (arn, r, first, last) = (f.trail_arn.clone(), f.region.clone(), f.first_id, f.last_id);
        let records = self
            .read(move |c| delivery_state::records(c, &arn, &r, first, last))
            .await?;
        let arn = f.trail_arn.clone();
        let Some(trail) = self.read(move |c| trails::get(c, &arn)).await? else {
            self.purge(&f.trail_arn).await?;
            return Ok(None);
        };
        let built = tokio::task::spawn_blocking(move || {
            let newest = records.iter().map(|p| p.event_time_ms).max().unwrap_or(0);
            let oldest = records.iter().map(|p| p.event_time_ms).min().unwrap_or(0);
            let count = records.len();
            let texts: Vec<String> = records.into_iter().map(|p| p.record_json).collect();
            let doc = format::log_document(&texts);
            Built {
                sha: format::sha256_hex(&doc),
                body: format::gzip(&doc),
                count,
                newest,
                oldest,
                trail,
            }
        })
        .await
        .map_err(|e| CloudTrailError::Internal(format!("building a log file: {e}")))?;
        Ok(Some(built))
    }

    /// Drops the pending records and noted files of a trail that no longer exists.
    async fn purge(&self, trail_arn: &str) -> CtResult<()> {
        let arn = trail_arn.to_string();
        self.write(move |c| {
            outbox::purge_trail(c, &arn)?;
            delivery_state::drop_trail(c, &arn)?;
            Ok(())
        })
        .await
    }

    /// Puts one built log file; true when it is stored and its records delivered.
    async fn store(
        &self,
        f: &delivery_state::LogFile,
        built: Built,
        now: OffsetDateTime,
        outcome: &mut Outcome,
    ) -> CtResult<bool> {
        let Built {
            sha,
            body,
            count,
            newest,
            oldest,
            trail,
        } = built;
        let moved = self.relocate(f, &trail, now).await?;
        let f = &moved;
        let sse = log_file_sse(&trail.arn, trail.config.kms_key_arn.as_deref());
        let request = PutObjectRequest {
            bucket: f.bucket.clone(),
            key: f.key.clone(),
            body,
            content_type: Some("application/json".into()),
            content_encoding: None,
            acl: Some("bucket-owner-full-control".into()),
            sse,
            metadata: BTreeMap::new(),
        };
        let caller = self.caller(&trail.account, &f.region, &trail.arn)?;
        let attempt_ms = millis(now);
        match self.ct.objects.put_object(&caller, request).await {
            Ok(_) => {
                let file = f.clone();
                let chain = trail
                    .config
                    .log_file_validation
                    .then(|| delivery_state::Chain {
                        trail_arn: trail.arn.clone(),
                        region: f.region.clone(),
                        account: trail.account.clone(),
                        name: trail.name.clone(),
                        home_region: trail.home_region.clone(),
                        bucket: trail.config.bucket.clone(),
                        prefix: trail.config.prefix.clone(),
                        period_start_ms: chain_start(&trail, attempt_ms),
                        previous: None,
                    });
                let status = DeliveryStatus {
                    digest: false,
                    attempt_ms,
                    error: None,
                };
                // Digest times have whole seconds: a file delivered in the second a
                // digest period closes belongs to that period.
                let delivered_ms = attempt_ms.div_euclid(1000) * 1000;
                let record = delivered_files::Delivered {
                    bucket: f.bucket.clone(),
                    key: f.key.clone(),
                    digest: false,
                    trail_arn: trail.arn.clone(),
                    region: f.region.clone(),
                    delivered_ms,
                    sha256: sha.clone(),
                    start_ms: oldest,
                    end_ms: newest,
                    entries: count as i64,
                    listed_by: None,
                };
                self.write(move |c| {
                    delivery_state::finish_file(c, &file, delivered_ms, &sha, newest, oldest)?;
                    delivered_files::record(c, &record)?;
                    if let Some(ch) = &chain {
                        delivery_state::open_chain(c, ch)?;
                    }
                    trails::record_delivery(c, &file.trail_arn, &status)?;
                    Ok(())
                })
                .await?;
                outcome.log_files += 1;
                outcome.records += count;
                Ok(true)
            }
            Err(e) => {
                tracing::info!("delivery of {} to {} failed: {e}", f.key, f.bucket);
                self.failed(&trail.arn, false, attempt_ms, e.code, outcome)
                    .await
            }
        }
    }

    /// Records a failed put of a log file or a digest (`digest`) on the trail's status, where
    /// GetTrailStatus shows `code`, and counts it; false: nothing was delivered.
    async fn failed(
        &self,
        trail_arn: &str,
        digest: bool,
        attempt_ms: i64,
        code: String,
        outcome: &mut Outcome,
    ) -> CtResult<bool> {
        let status = DeliveryStatus {
            digest,
            attempt_ms,
            error: Some(code),
        };
        self.ct.record_delivery(trail_arn, status).await?;
        outcome.failures += 1;
        Ok(false)
    }

    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Conn) -> Result<T, StoreError> + Send + 'static,
    ) -> CtResult<T> {
        self.ct.read(move |c| Ok(f(c)?)).await
    }

    async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Conn) -> Result<T, StoreError> + Send + 'static,
    ) -> CtResult<T> {
        self.ct
            .db
            .write(move |c| f(c).map_err(CloudTrailError::from))
            .await
    }

    /// CloudTrail as it writes a trail's files: the service principal, for the trail's
    /// account, with the trail as `aws:SourceArn`.
    fn caller(&self, account: &str, region: &str, trail_arn: &str) -> CtResult<Caller> {
        let account =
            AccountId::parse(account).map_err(|e| CloudTrailError::Internal(e.to_string()))?;
        let request_id = uuid::Uuid::new_v4().simple().to_string().to_uppercase();
        Ok(
            Caller::service(account, CLOUDTRAIL_PRINCIPAL, region, request_id)
                .for_source(trail_arn),
        )
    }
}
