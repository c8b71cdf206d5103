//! The crash harness: the real binary under concurrent mixed traffic (`traffic.rs`) with a trail
//! delivering every second, SIGKILLed at random moments — mid-request, mid-delivery, during its
//! own start-up — and restarted on the same data dir, `TRAILSTACK_CRASH_KILLS` times (default
//! 200) or until `TRAILSTACK_CRASH_SECS` (default 420) have passed. After every restart: no
//! orphan blob file and no dangling reference on disk (`disk.rs`), every acknowledged write
//! reads back byte-identical, every cut-short one is entirely there or not at all, listings
//! agree with the objects (`model.rs`). At the end: each acknowledged write's CloudTrail record
//! delivered exactly once and the digest chain valid (`trail.rs`). `TRAILSTACK_CRASH_SEED`
//! replays a run's random choices (timing still varies); the seed is printed first.

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

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The run: where it is, what it has done, and how to report a failure.
struct Run {
    seed: u64,
    data: PathBuf,
    kills: u64,
    cycle: u64,
}

impl Run {
    fn fail(&self, proc: Option<&Proc>, what: &str) -> ! {
        let output = proc.map(Proc::output).unwrap_or_default();
        let tail = &output[output.len().saturating_sub(4000)..];
        panic!(
            "crash harness (seed {}, TRAILSTACK_CRASH_SEED={} replays it) failed after {} kills, \
             in cycle {}: {what}\nserver output:\n{tail}",
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
        Err(e) => run.fail(Some(&p), &format!("restart failed: {e}")),
    }
}

/// Creates the CMK, the data buckets and the trail.
async fn set_up(endpoint: &str) -> String {
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
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        let n: i64 = c
            .query_row(
                "SELECT COUNT(*) FROM ct_log_files WHERE delivered_ms IS NULL",
                [],
                |r| r.get(0),
            )
            .unwrap_or(0);
        if n > 0 {
            return true;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    false
}

fn start_workers(
    endpoint: &str,
    shared: &Shared,
    rng: &mut Rng,
) -> Vec<tokio::task::JoinHandle<Option<String>>> {
    (0..WORKERS)
        .map(|w| {
            let (s3, shared, rng) = (server::s3(endpoint), shared.clone(), Rng::new(rng.next()));
            tokio::spawn(traffic::run(s3, shared, w, rng))
        })
        .collect()
}

async fn join(workers: Vec<tokio::task::JoinHandle<Option<String>>>) -> Option<String> {
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
fn cli_time(before: Duration) -> String {
    trailstack_cloudtrail::recorder::render::iso_seconds(time::OffsetDateTime::now_utc() - before)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_under_mixed_traffic_loses_nothing_acknowledged() {
    let seed = env_u64(
        "TRAILSTACK_CRASH_SEED",
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64,
    );
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
    let shared = Shared {
        model: Arc::new(Mutex::new(Model::default())),
        killing: Arc::new(AtomicBool::new(false)),
        stop: Arc::new(AtomicBool::new(false)),
        cmk_arn: set_up(&endpoint).await,
    };
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
                    Err(e) => run.fail(Some(&p), &e),
                }
                let mut model = std::mem::take(&mut *shared.model.lock().unwrap());
                let verified = model
                    .verify(&server::s3(&ep), &shared.cmk_arn, Depth::Sample, &mut rng)
                    .await;
                *shared.model.lock().unwrap() = model;
                if let Err(e) = verified {
                    run.fail(Some(&p), &e);
                }
                (p, ep)
            }
        };
        shared.killing.store(false, Ordering::SeqCst);
        let workers = start_workers(&ep, &shared, &mut rng);
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
            run.fail(None, &f);
        }
    }

    // The last start: everything read back, a last round of traffic left to finish, every
    // pending record delivered, then the trail's files checked.
    run.cycle += 1;
    let (p, ep, started) = start(&run, &log);
    if let Err(e) = disk::check(&run.data, started) {
        run.fail(Some(&p), &e);
    }
    let s3 = server::s3(&ep);
    let mut model = std::mem::take(&mut *shared.model.lock().unwrap());
    if let Err(e) = model
        .verify(&s3, &shared.cmk_arn, Depth::Full, &mut rng)
        .await
    {
        run.fail(Some(&p), &e);
    }
    *shared.model.lock().unwrap() = model;
    shared.killing.store(false, Ordering::SeqCst);
    let workers = start_workers(&ep, &shared, &mut rng);
    tokio::time::sleep(Duration::from_millis(500)).await;
    shared.stop.store(true, Ordering::SeqCst);
    if let Some(f) = join(workers).await {
        run.fail(Some(&p), &f);
    }
    let mut model = std::mem::take(&mut *shared.model.lock().unwrap());
    if let Err(e) = model
        .verify(&s3, &shared.cmk_arn, Depth::Full, &mut rng)
        .await
    {
        run.fail(Some(&p), &e);
    }
    server::flush(&ep);
    let (files, records) = trail::check_delivered_once(&s3, &model.acked_writes).await;
    let validated = trail::validate_logs(&ep, &validate_from, scratch.path());
    let kill_loop = began.elapsed();
    println!(
        "crash harness: {} kills survived ({startup_kills} during start-up, {delivery_kills} \
         during a delivery) in {} cycles, {:.0} s; {} acknowledged writes, each delivered once \
         among {records} records in {files} log files; {} objects read back; up to {max_blobs} \
         blob files; validate-logs: {validated}{}",
        run.kills,
        run.cycle,
        kill_loop.as_secs_f64(),
        model.acked_writes.len(),
        model.reads,
        if run.kills < target {
            format!(" (stopped by the {budget:?} bound before {target} kills)")
        } else {
            String::new()
        }
    );
    drop(p);
}
