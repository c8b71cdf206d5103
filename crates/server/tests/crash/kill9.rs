//! The crash harness: the real binary under concurrent mixed traffic (`traffic.rs`) with a trail
//! delivering every second, SIGKILLed at random moments — mid-request, mid-delivery, during its
//! own start-up — and restarted on the same data dir, `TRAILSTACK_CRASH_KILLS` times (default
//! 200) or until `TRAILSTACK_CRASH_SECS` (default 420) have passed. After every restart: no
//! orphan blob file and no dangling reference on disk (`disk.rs`), every acknowledged write
//! reads back byte-identical, every cut-short one is entirely there or not at all, listings
//! agree with the objects (`model.rs`). At the end: each acknowledged write's CloudTrail record
//! delivered exactly once and the digest chain valid (`trail.rs`). `TRAILSTACK_CRASH_SEED`
//! replays a run's random choices (timing still varies); the seed is printed first. The set-up,
//! the workers, the last round and the trail's check serve the cluster mode too (`cluster.rs`).

use crate::model::{Depth, Model, KMS, PLAIN, VERSIONED};
use crate::server::{self, Proc, Rng};
use crate::traffic::{self, Shared};
use crate::{disk, trail};
use aws_sdk_s3::types::{
    BucketVersioningStatus, ServerSideEncryption, ServerSideEncryptionByDefault,
    ServerSideEncryptionConfiguration, ServerSideEncryptionRule, VersioningConfiguration,
};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

const WORKERS: usize = 4;

pub fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The run's seed: `TRAILSTACK_CRASH_SEED`, else the time.
pub fn seed() -> u64 {
    env_u64(
        "TRAILSTACK_CRASH_SEED",
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64,
    )
}

/// The run: where it is, what it has done, and how to report a failure.
pub struct Run {
    pub seed: u64,
    pub data: PathBuf,
    pub kills: u64,
    pub cycle: u64,
}

impl Run {
    /// Fails the test, with the end of what each of `procs` wrote.
    pub fn fail(&self, procs: &[&Proc], what: &str) -> ! {
        let mut tails = String::new();
        for p in procs {
            let output = p.output();
            let tail = &output[output.len().saturating_sub(4000)..];
            tails.push_str(&format!("\nserver output:\n{tail}"));
        }
        panic!(
            "crash harness (seed {}, TRAILSTACK_CRASH_SEED={} replays it) failed after {} kills, \
             in cycle {}: {what}{tails}",
            self.seed, self.seed, self.kills, self.cycle
        );
    }
}

/// Starts the server and waits for it; a server that cannot start after a crash is a finding.
fn start(run: &Run, log: &Path) -> (Proc, String, SystemTime) {
    let started = SystemTime::now();
    let mut p = Proc::spawn(&run.data, log);
    match p.ready() {
        Ok(endpoint) => (p, endpoint, started),
        Err(e) => run.fail(&[&p], &format!("restart failed: {e}")),
    }
}

/// Creates the CMK, the data buckets and the trail; returns the CMK's ARN.
pub async fn set_up(endpoint: &str) -> String {
    let s3 = server::s3(endpoint);
    let cmk = server::kms(endpoint)
        .create_key()
        .description("crash harness")
        .send()
        .await
        .unwrap()
        .key_metadata
        .unwrap()
        .arn
        .unwrap();
    for b in [PLAIN, KMS, VERSIONED] {
        s3.create_bucket().bucket(b).send().await.unwrap();
    }
    s3.put_bucket_versioning()
        .bucket(VERSIONED)
        .versioning_configuration(
            VersioningConfiguration::builder()
                .status(BucketVersioningStatus::Enabled)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let by_default = ServerSideEncryptionByDefault::builder()
        .sse_algorithm(ServerSideEncryption::AwsKms)
        .kms_master_key_id(&cmk)
        .build()
        .unwrap();
    s3.put_bucket_encryption()
        .bucket(VERSIONED)
        .server_side_encryption_configuration(
            ServerSideEncryptionConfiguration::builder()
                .rules(
                    ServerSideEncryptionRule::builder()
                        .apply_server_side_encryption_by_default(by_default)
                        .build(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    trail::create(&s3, &server::cloudtrail(endpoint)).await;
    cmk
}

/// Waits (up to `limit`) until a log file is noted and not yet stored: a delivery is under way.
fn wait_for_delivery(data: &Path, limit: Duration) -> bool {
    let c = trailstack_store::rusqlite::Connection::open(data.join("meta.sqlite")).unwrap();
    server::poll_until(limit, || {
        c.query_row(IN_FLIGHT, [], |r| r.get::<_, i64>(0))
            .unwrap_or(0)
            > 0
    })
}

/// Counts the log files noted and not yet stored.
pub const IN_FLIGHT: &str = "SELECT COUNT(*) FROM ct_log_files WHERE delivered_ms IS NULL";

/// Starts the traffic workers, each on the endpoint `node` picks for it, under what it shares.
pub fn start_workers(
    rng: &mut Rng,
    mut node: impl FnMut(&mut Rng) -> (String, Shared),
) -> Vec<tokio::task::JoinHandle<Option<String>>> {
    (0..WORKERS)
        .map(|w| {
            let (endpoint, shared) = node(rng);
            let rng = Rng::new(rng.next());
            tokio::spawn(traffic::run(server::s3(&endpoint), shared, w, rng))
        })
        .collect()
}

pub async fn join(workers: Vec<tokio::task::JoinHandle<Option<String>>>) -> Option<String> {
    let mut failure = None;
    for w in workers {
        match tokio::time::timeout(Duration::from_secs(120), w).await {
            Ok(Ok(f)) => failure = failure.or(f),
            Ok(Err(e)) => failure = failure.or(Some(format!("worker panicked: {e}"))),
            Err(_) => failure = failure.or(Some("a worker hung for 120 s".into())),
        }
    }
    failure
}

/// A start time for validate-logs: a few minutes before now, in the CLI's format.
pub fn cli_time(before: Duration) -> String {
    trailstack_cloudtrail::recorder::render::iso_seconds(time::OffsetDateTime::now_utc() - before)
}

/// What every run shares: the model, no kill yet, and the CMK set up through `endpoint`.
pub async fn shared(endpoint: &str) -> Shared {
    Shared {
        model: Arc::new(Mutex::new(Model::default())),
        killing: Arc::new(AtomicBool::new(false)),
        stop: Arc::new(AtomicBool::new(false)),
        cmk_arn: set_up(endpoint).await,
    }
}

/// The last round, with nothing killed any more: everything read back through the first of
/// `endpoints`, traffic spread over them left to finish, then everything read back again
/// through the last.
pub async fn last_round(
    shared: &Shared,
    endpoints: &[String],
    rng: &mut Rng,
) -> Result<(), String> {
    let (first, last) = (&endpoints[0], &endpoints[endpoints.len() - 1]);
    shared.verify(first, Depth::Full, rng).await?;
    shared.killing.store(false, Ordering::SeqCst);
    let workers = start_workers(rng, |rng| {
        let i = rng.between(0, endpoints.len() as u64) as usize;
        (endpoints[i].clone(), shared.clone())
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    shared.stop.store(true, Ordering::SeqCst);
    if let Some(f) = join(workers).await {
        return Err(f);
    }
    shared.verify(last, Depth::Full, rng).await
}

/// Every pending record delivered through `endpoint` (`trailstack flush`), then the trail's
/// files checked: each acknowledged write delivered once, and validate-logs run from `from`.
/// Returns (log files, records, validate-logs' summary).
pub async fn check_trail(
    endpoint: &str,
    acked_writes: &[String],
    from: &str,
    scratch: &Path,
) -> (usize, usize, String) {
    crate::shared::flush(endpoint);
    let s3 = server::s3(endpoint);
    let (files, records) = trail::check_delivered_once(&s3, acked_writes).await;
    (
        files,
        records,
        trail::validate_logs(endpoint, from, scratch),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_under_mixed_traffic_loses_nothing_acknowledged() {
    let seed = seed();
    let target = env_u64("TRAILSTACK_CRASH_KILLS", 200);
    let budget = Duration::from_secs(env_u64("TRAILSTACK_CRASH_SECS", 420));
    println!("crash harness: seed {seed}, {target} kills, at most {budget:?}");
    let began = Instant::now();
    let validate_from = cli_time(Duration::from_secs(300));
    let scratch = tempfile::tempdir().unwrap();
    let log = scratch.path().join("server.log");
    let mut run = Run {
        seed,
        data: scratch.path().join("data"),
        kills: 0,
        cycle: 0,
    };
    let mut rng = Rng::new(seed);

    let (p, endpoint, _) = start(&run, &log);
    let shared = shared(&endpoint).await;
    let mut proc = Some(p);
    let mut endpoint = Some(endpoint);
    let (mut startup_kills, mut delivery_kills, mut max_blobs) = (0u64, 0u64, 0usize);

    while run.kills < target && began.elapsed() < budget {
        run.cycle += 1;
        // Now and then, a kill during start-up: while it opens the store and collects garbage.
        if proc.is_none() && rng.chance(8) {
            let mut p = Proc::spawn(&run.data, &log);
            tokio::time::sleep(Duration::from_millis(rng.between(0, 25))).await;
            if p.running() {
                startup_kills += 1;
            }
            p.kill9();
            run.kills += 1;
            continue;
        }
        let (p, ep) = match (proc.take(), endpoint.take()) {
            (Some(p), Some(ep)) => (p, ep),
            _ => {
                let (p, ep, started) = start(&run, &log);
                match disk::check(&run.data, started) {
                    Ok(n) => max_blobs = max_blobs.max(n),
                    Err(e) => run.fail(&[&p], &e),
                }
                if let Err(e) = shared.verify(&ep, Depth::Sample, &mut rng).await {
                    run.fail(&[&p], &e);
                }
                (p, ep)
            }
        };
        shared.killing.store(false, Ordering::SeqCst);
        let workers = start_workers(&mut rng, |_| (ep.clone(), shared.clone()));
        tokio::time::sleep(Duration::from_millis(rng.between(30, 900))).await;
        if rng.chance(25) {
            // At a random point of a delivery: once its log file is noted, before or while
            // it is stored.
            let data = run.data.clone();
            let seen = tokio::task::spawn_blocking(move || {
                wait_for_delivery(&data, Duration::from_millis(2500))
            })
            .await
            .unwrap();
            tokio::time::sleep(Duration::from_millis(rng.between(0, 15))).await;
            delivery_kills += u64::from(seen);
        }
        shared.killing.store(true, Ordering::SeqCst);
        p.kill9();
        run.kills += 1;
        if let Some(f) = join(workers).await {
            run.fail(&[], &f);
        }
    }

    // The last start: everything read back, a last round of traffic left to finish, every
    // pending record delivered, then the trail's files checked.
    run.cycle += 1;
    let (p, ep, started) = start(&run, &log);
    if let Err(e) = disk::check(&run.data, started) {
        run.fail(&[&p], &e);
    }
    if let Err(e) = last_round(&shared, std::slice::from_ref(&ep), &mut rng).await {
        run.fail(&[&p], &e);
    }
    let acked = shared.model.lock().unwrap().acked_writes.clone();
    let (files, records, validated) =
        check_trail(&ep, &acked, &validate_from, scratch.path()).await;
    let reads = shared.model.lock().unwrap().reads;
    let kill_loop = began.elapsed();
    println!(
        "crash harness: {} kills survived ({startup_kills} during start-up, {delivery_kills} \
         during a delivery) in {} cycles, {:.0} s; {} acknowledged writes, each delivered once \
         among {records} records in {files} log files; {} objects read back; up to {max_blobs} \
         blob files; validate-logs: {validated}{}",
        run.kills,
        run.cycle,
        kill_loop.as_secs_f64(),
        acked.len(),
        reads,
        if run.kills < target {
            format!(" (stopped by the {budget:?} bound before {target} kills)")
        } else {
            String::new()
        }
    );
    drop(p);
}
