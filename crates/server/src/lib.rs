//! The trailstack binary's library: configuration, the composition root that builds every
//! service over one store ([`App::open`]), the HTTP server ([`serve`]), the delivery worker
//! ([`spawn_delivery`]) and the S3 Lifecycle worker ([`spawn_lifecycle`]). `main.rs` is only the command line; tests start the same [`App`]
//! in-process on port 0.

pub mod admin_client;
pub mod backend;
pub mod body;
pub mod config;
pub mod console;
pub mod detect;
pub mod edge;
pub mod explain;
pub mod flush;
pub mod listener;
pub mod tls;

pub use listener::serve;

use config::{Config, Database};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use trailstack_cloudtrail::delivery::Delivery;
use trailstack_cloudtrail::CloudTrail;
use trailstack_core::{AuditEvent, AuditFuture, AuditSink, Clock};
use trailstack_iam::Iam;
use trailstack_kms::Kms;
use trailstack_s3::lifecycle::worker::Lifecycle;
use trailstack_s3::logging::delivery::AccessLogDelivery;
use trailstack_s3::S3;
use trailstack_store::changes::Watcher;
use trailstack_store::lease::Wait;
use trailstack_store::{BlobStore, Db, Leases};

/// Everything the server runs: configuration, clock and services.
pub struct App {
    /// The configuration.
    pub config: Arc<Config>,
    /// The clock every service reads.
    pub clock: Arc<dyn Clock>,
    /// S3.
    pub s3: S3,
    /// KMS.
    pub kms: Kms,
    /// CloudTrail (also the recorder every service reports to).
    pub cloudtrail: CloudTrail,
    /// IAM and STS (also the directory of access keys and identity policies).
    pub iam: Iam,
    /// The worker delivering trails' log and digest files.
    pub delivery: Delivery,
    /// The worker running buckets' lifecycle rules.
    pub lifecycle: Lifecycle,
    /// The worker delivering S3 server access logs.
    pub access_logs: AccessLogDelivery,
    /// The metadata store every service writes to; requests run in its durable scopes.
    pub db: Arc<Db>,
    /// This server's leases, which make background work run once across the servers sharing
    /// a database.
    pub leases: Leases,
    /// The change notices from other servers sharing the database, and what each one drops.
    pub changes: Watcher,
    request_seq: AtomicU64,
    request_base: u64,
}

/// Creates `dir` (and its parents) and makes it readable by its owner only (0700).
pub(crate) fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

impl App {
    /// Opens the data dir (creating it 0700) and builds the services over it.
    pub fn open(config: Config, clock: Arc<dyn Clock>) -> Result<App, String> {
        let dir = &config.data_dir;
        create_private_dir(dir).map_err(|e| format!("data dir {}: {e}", dir.display()))?;
        let migrations: Vec<_> = trailstack_s3::model::MIGRATIONS
            .iter()
            .chain(trailstack_kms::model::MIGRATIONS)
            .chain(trailstack_cloudtrail::model::MIGRATIONS)
            .chain(trailstack_iam::model::MIGRATIONS)
            .chain(trailstack_store::journal::MIGRATIONS)
            .chain(trailstack_s3::lifecycle::worker::MIGRATIONS)
            .chain(trailstack_s3::logging::outbox::MIGRATIONS)
            .copied()
            .collect();
        let root = Arc::new(
            config
                .root_key
                .load(dir)
                .map_err(|e| format!("root key: {e}"))?,
        );
        let (db, blobs) = match &config.database {
            Database::Embedded => {
                let db = Arc::new(
                    Db::open(&dir.join("meta.sqlite"), &migrations)
                        .map_err(|e| format!("opening metadata store: {e}"))?,
                );
                // Before anything is served: deletes the blobs a crash left unreferenced.
                let blobs = BlobStore::open(dir, db.clone())
                    .map_err(|e| format!("opening blob store: {e}"))?;
                (db, blobs)
            }
            Database::Postgres { url, readers } => {
                let db = Arc::new(
                    Db::connect(url, &migrations, *readers)
                        .map_err(|e| format!("connecting to PostgreSQL: {e}"))?,
                );
                (db.clone(), BlobStore::in_database(db))
            }
        };
        // The recorder is CloudTrail, which itself needs KMS and S3: services get a sink that
        // is bound to CloudTrail once all three exist (ARCHITECTURE.md §1: the runtime cycle runs
        // through ports, never through crate dependencies).
        let recorder = Arc::new(Recorder::default());
        let audit: Arc<dyn AuditSink> = recorder.clone();
        let iam = Iam::new(db.clone(), root.clone(), clock.clone())
            .map_err(|e| format!("reading IAM: {}", e.message()))?
            .with_roots(config.root_keys())
            .with_audit(audit.clone());
        seed(&iam, config.seed_users())?;
        let identities = iam.identities();
        let kms = Kms::new(db.clone(), root.clone(), clock.clone(), &config.region)
            .with_identities(identities.clone())
            .with_audit(audit.clone());
        let keys: Arc<dyn trailstack_core::KeyService> = Arc::new(kms.clone());
        let s3 = S3::new(
            db.clone(),
            blobs,
            clock.clone(),
            &config.region,
            keys.clone(),
            root.clone(),
        )
        .require_tls_for_sse(config.require_tls_for_sse)
        .with_bucket_defaults(config.bucket_defaults)
        .with_lifecycle_day(config.lifecycle_day)
        .with_identities(identities.clone())
        .with_accounts(config.s3_accounts())
        .with_audit(audit);
        let objects: Arc<dyn trailstack_core::ObjectWriter> = Arc::new(s3.clone());
        let cloudtrail = CloudTrail::new(
            db.clone(),
            clock.clone(),
            &config.region,
            keys,
            objects,
            root,
        )
        .with_identities(identities);
        recorder.bind(Arc::new(cloudtrail.clone()));
        let changes = watch_changes(&db, &s3, &kms, &cloudtrail, &iam)?;
        let delivery = Delivery::new(cloudtrail.clone(), config.digest_interval);
        let lifecycle = Lifecycle::new(s3.clone());
        let access_logs = AccessLogDelivery::new(s3.clone());
        // Random, not the clock's time: servers started at the same (test clock) time must
        // not hand out the same ids.
        let mut base = [0u8; 8];
        aws_lc_rs::rand::fill(&mut base).map_err(|_| "no randomness for request ids")?;
        let request_base = u64::from_le_bytes(base);
        let leases = Leases::random(db.clone()).with_ttl(config.lease_ttl);
        Ok(App {
            config: Arc::new(config),
            clock,
            s3,
            kms,
            cloudtrail,
            iam,
            delivery,
            lifecycle,
            access_logs,
            leases,
            changes,
            db,
            request_seq: AtomicU64::new(0),
            request_base,
        })
    }

    /// Runs `work` under lease `name`, so that it runs on one server at a time of those sharing
    /// the database (on a server of its own, always here). With [`Wait::No`] it is skipped
    /// while another server holds the lease; `None` then, or if the lease cannot be read.
    pub async fn exclusive<T>(
        &self,
        name: &str,
        wait: Wait,
        work: impl std::future::Future<Output = T>,
    ) -> Option<T> {
        let clock = self.clock.clone();
        let now_ms = move || (clock.now().unix_timestamp_nanos() / 1_000_000) as i64;
        match self.leases.run(name, now_ms, wait, work).await {
            Ok(out) => out,
            Err(e) => {
                tracing::error!("lease {name}: {e}");
                None
            }
        }
    }

    /// A request id: unique within this process (a counter from a random start, spread by a
    /// multiplication by an odd constant, which maps distinct numbers to distinct ids) and,
    /// with overwhelming odds, across restarts.
    pub fn next_request_id(&self) -> String {
        let n = self.request_seq.fetch_add(1, Ordering::Relaxed);
        format!(
            "{:016X}",
            self.request_base
                .wrapping_add(n)
                .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        )
    }
}

/// What each service drops when another server sharing the database changes what it keeps in
/// memory (ARCHITECTURE.md §3). The versions are read once here, before anything is served:
/// the services' copies were loaded just before, so only later changes count.
fn watch_changes(
    db: &Db,
    s3: &S3,
    kms: &Kms,
    cloudtrail: &CloudTrail,
    iam: &Iam,
) -> Result<Watcher, String> {
    let changes = Watcher::new();
    let iam = iam.clone();
    changes.on(trailstack_iam::CHANGES_TOPIC, move || {
        let reloaded = tokio::runtime::Handle::current().block_on(iam.reload());
        if let Err(e) = reloaded {
            tracing::error!("iam: reloading the directory: {}", e.message());
        }
    });
    let s3 = s3.clone();
    changes.on(trailstack_s3::CHANGES_TOPIC, move || {
        s3.forget_cached_buckets()
    });
    let kms = kms.clone();
    changes.on(trailstack_kms::CHANGES_TOPIC, move || kms.forget_schedule());
    let ct = cloudtrail.clone();
    // Callbacks run on the blocking pool (`Watcher::spawn`), where waiting for the writer is
    // fine: the routes are in place when the check returns.
    changes.on(trailstack_cloudtrail::CHANGES_TOPIC, move || {
        let reloaded = tokio::runtime::Handle::current().block_on(ct.reload_routes());
        if let Err(e) = reloaded {
            tracing::error!("cloudtrail: reloading trails: {e}");
        }
    });
    changes
        .check(db)
        .map_err(|e| format!("reading change notices: {e}"))?;
    Ok(changes)
}

/// Seeds IAM with the configuration file's users before anything is served. `App::open` is
/// synchronous (the binary and the tests call it inside and outside a runtime): the write runs
/// on a thread of its own with a runtime of its own.
fn seed(iam: &Iam, users: Vec<trailstack_iam::SeedUser>) -> Result<(), String> {
    if users.is_empty() {
        return Ok(());
    }
    let iam = iam.clone();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .map_err(|e| format!("seeding IAM: {e}"))?;
        rt.block_on(iam.seed(users))
            .map_err(|e| format!("seeding IAM: {}", e.message()))
    })
    .join()
    .map_err(|_| "seeding IAM: the thread panicked".to_string())?
}

/// The lease of CloudTrail's log and digest delivery: one chain of digests per trail needs one
/// deliverer at a time.
pub const CLOUDTRAIL_DELIVERY: &str = "cloudtrail-delivery";
/// The lease of S3 server access log delivery.
pub const ACCESS_LOG_DELIVERY: &str = "s3-access-log-delivery";
/// The lease of the collection of blob rows no commit claimed.
pub const BLOB_COLLECTION: &str = "store-blob-collection";
/// The lease of S3 Lifecycle passes.
pub const LIFECYCLE: &str = "s3-lifecycle";

/// A running background worker (delivery, lifecycle): its task and the signal that stops it.
pub struct Worker {
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl Worker {
    /// Spawns `run`, handing it the receiver that says when to stop.
    fn spawn<F>(run: impl FnOnce(tokio::sync::oneshot::Receiver<()>) -> F) -> Worker
    where
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        let (stop, stopped) = tokio::sync::oneshot::channel();
        let task = tokio::spawn(run(stopped));
        Worker { stop, task }
    }

    /// Stops the worker and waits for it. What happens to work under way is the worker's rule:
    /// a delivery under way is finished, a lifecycle pass is cut short (it resumes after its
    /// last committed page at the next start).
    pub async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}

/// A timer ticking every `period`; a late tick delays the next ones instead of bunching them.
fn timer(period: std::time::Duration) -> tokio::time::Interval {
    let mut timer = tokio::time::interval(period);
    timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    timer
}

/// Runs the delivery worker: CloudTrail's tick every delivery interval and the S3 access
/// logs' every access log interval, until [`Worker::stop`]. A failed tick is logged;
/// its records stay pending for the next one.
pub fn spawn_delivery(app: Arc<App>) -> Worker {
    Worker::spawn(|mut stopped| async move {
        let mut trails = timer(app.config.delivery_interval);
        trails.tick().await;
        let mut access = timer(app.config.access_log_interval);
        access.tick().await;
        loop {
            // Only the wait is interrupted: a tick, once started, runs to its end.
            tokio::select! {
                _ = trails.tick() => {
                    let tick = app.delivery.tick(app.clock.now(), false);
                    if let Some(Err(e)) = app.exclusive(CLOUDTRAIL_DELIVERY, Wait::No, tick).await {
                        tracing::error!("delivery: {e}");
                    }
                }
                _ = access.tick() => {
                    let tick = app.access_logs.tick(app.clock.now());
                    if let Some(Err(e)) = app.exclusive(ACCESS_LOG_DELIVERY, Wait::No, tick).await {
                        tracing::error!("access log delivery: {e}");
                    }
                }
                _ = &mut stopped => return,
            }
        }
    })
}

/// Reads the change notices of other servers sharing the database a few times a second, until
/// the task is aborted. Only a server on PostgreSQL has others.
pub fn spawn_change_watcher(app: &App) -> Option<tokio::task::JoinHandle<()>> {
    matches!(app.config.database, Database::Postgres { .. })
        .then(|| app.changes.spawn(app.db.clone()))
}

/// How often servers on PostgreSQL look for blob rows no commit claimed.
const BLOB_GC_EVERY: std::time::Duration = std::time::Duration::from_secs(300);

/// On PostgreSQL, collects the blob rows crashed writers left (`store/src/blob/rows.rs`) every
/// five minutes, on one server at a time. A server on SQLite collects its blob files at start.
pub fn spawn_blob_collector(app: Arc<App>) -> Option<Worker> {
    if !matches!(app.config.database, Database::Postgres { .. }) {
        return None;
    }
    Some(Worker::spawn(|mut stopped| async move {
        let mut ticks = timer(BLOB_GC_EVERY);
        loop {
            tokio::select! {
                _ = ticks.tick() => {}
                _ = &mut stopped => return,
            }
            let now = app.clock.now().unix_timestamp();
            let collect = trailstack_store::blob::rows::collect_garbage(&app.db, now);
            if let Some(Err(e)) = app.exclusive(BLOB_COLLECTION, Wait::No, collect).await {
                tracing::error!("collecting blob rows: {e}");
            }
        }
    }))
}

/// Runs the lifecycle worker: a tick every twentieth of a lifecycle day (at most every minute),
/// until [`Worker::stop`]. A tick with nothing due costs nothing; a failed one is logged and
/// tried again at the next.
pub fn spawn_lifecycle(app: Arc<App>) -> Worker {
    Worker::spawn(|mut stopped| async move {
        let mut ticks = timer(app.lifecycle.interval());
        loop {
            tokio::select! {
                _ = ticks.tick() => {}
                _ = &mut stopped => return,
            }
            tokio::select! {
                r = app.exclusive(LIFECYCLE, Wait::No, app.lifecycle.tick(app.clock.now())) => {
                    if let Some(Err(e)) = r {
                        tracing::error!("lifecycle: {e}");
                    }
                }
                _ = &mut stopped => return,
            }
        }
    })
}

/// The audit sink services are built with, before the recorder exists: events go to the
/// recorder once bound. Nothing is served before `App::open` binds it.
#[derive(Default)]
struct Recorder(std::sync::OnceLock<Arc<dyn AuditSink>>);

impl Recorder {
    fn bind(&self, sink: Arc<dyn AuditSink>) {
        let _ = self.0.set(sink);
    }
}

impl AuditSink for Recorder {
    fn record(&self, event: AuditEvent) -> AuditFuture<'_> {
        match self.0.get() {
            Some(sink) => sink.record(event),
            None => {
                Box::pin(async { Err(trailstack_core::AuditError("recorder not bound".into())) })
            }
        }
    }

    fn record_after_write(&self, make: trailstack_core::DeferredEvent) -> AuditFuture<'_> {
        match self.0.get() {
            Some(sink) => sink.record_after_write(make),
            None => {
                Box::pin(async { Err(trailstack_core::AuditError("recorder not bound".into())) })
            }
        }
    }
}
