//! `kill -9` during delivery: the real binary delivering every second while PutObjects run,
//! killed at random moments and restarted on the same data dir; after `trailstack flush` every
//! acknowledged call's record is in exactly one delivered log file and no record comes twice.

use crate::cloudtrail_delivery::{assert_delivered_once, log_files};
use crate::common::*;
use aws_sdk_cloudtrail::types::ReadWriteType;
use aws_sdk_s3::operation::RequestId;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const ROUNDS: usize = 6;
const WORKERS: usize = 6;

/// A `trailstack serve` process; its output goes to a file in the scratch dir.
struct Proc {
    child: Child,
    endpoint: String,
}

fn serve(data: &Path, log: &Path) -> Proc {
    let out = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .unwrap();
    let start = std::fs::metadata(log).map(|m| m.len()).unwrap_or(0) as usize;
    let child = Command::new(env!("CARGO_BIN_EXE_trailstack"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--delivery-interval",
            "1s",
        ])
        .args(["--digest-interval", "2s", "--data-dir"])
        .arg(data)
        .env("TRAILSTACK_LOG", "warn")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::from(out.try_clone().unwrap()))
        .stderr(Stdio::from(out))
        .spawn()
        .unwrap();
    let mut p = Proc {
        child,
        endpoint: String::new(),
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if let Some(i) = text[start.min(text.len())..].find("trailstack listening on http://") {
            let rest = &text[start + i + "trailstack listening on ".len()..];
            p.endpoint = rest.split_whitespace().next().unwrap().to_string();
            return p;
        }
        assert!(
            Instant::now() < deadline,
            "the server did not start: {text}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

impl Proc {
    /// SIGKILL (std's kill on Unix) and reaped: what dropping does.
    fn kill9(self) {}
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// How many log files a killed server left noted but not known stored.
fn in_flight(data: &Path) -> i64 {
    let c = trailstack_store::rusqlite::Connection::open(data.join("meta.sqlite")).unwrap();
    c.query_row(
        "SELECT COUNT(*) FROM ct_log_files WHERE delivered_ms IS NULL",
        [],
        |r| r.get(0),
    )
    .unwrap()
}

/// Waits (up to 5 s) until a log file is noted and not yet stored: a delivery is under way.
fn wait_for_delivery(data: &Path) -> bool {
    let c = trailstack_store::rusqlite::Connection::open(data.join("meta.sqlite")).unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
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
        std::thread::sleep(Duration::from_micros(200));
    }
    false
}

/// An S3 client that never retries (a retry would hide which call was acknowledged).
fn s3_at(endpoint: &str) -> aws_sdk_s3::Client {
    Via::new(endpoint).no_retries().s3()
}

/// A pseudo-random number in `lo..hi` (xorshift over the clock; the test needs no repeatability
/// beyond its output, which prints the delays it used).
fn random_between(state: &mut u64, lo: u64, hi: u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    lo + *state % (hi - lo)
}

/// PutObjects from `WORKERS` tasks until `stop`; acknowledged request ids go to `acked`.
fn start_writers(
    endpoint: &str,
    round: usize,
    stop: &Arc<AtomicBool>,
    acked: &Arc<Mutex<Vec<String>>>,
) -> Vec<tokio::task::JoinHandle<()>> {
    (0..WORKERS)
        .map(|w| {
            let (s3, stop, acked) = (s3_at(endpoint), stop.clone(), acked.clone());
            tokio::spawn(async move {
                let mut i = 0;
                while !stop.load(Ordering::SeqCst) {
                    let put = s3
                        .put_object()
                        .bucket("data")
                        .key(format!("r{round}/w{w}/{i}"))
                        .body(format!("{round} {w} {i}").into_bytes().into())
                        .send()
                        .await;
                    match put {
                        Ok(out) => acked
                            .lock()
                            .unwrap()
                            .push(out.request_id().unwrap().to_string()),
                        Err(_) => return, // the server is gone
                    }
                    i += 1;
                }
            })
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_during_delivery_loses_and_duplicates_no_record() {
    let scratch = tempfile::tempdir().unwrap();
    let data: PathBuf = scratch.path().join("data");
    let log = scratch.path().join("server.log");
    let mut p = serve(&data, &log);

    let s3 = s3_at(&p.endpoint);
    s3.create_bucket().bucket("logs").send().await.unwrap();
    put_policy(&s3, "logs", cloudtrail_bucket_policy("logs", &["crash"])).await;
    s3.create_bucket().bucket("data").send().await.unwrap();
    let ct = cloudtrail_at(&p.endpoint);
    ok!(ct
        .create_trail()
        .name("crash")
        .s3_bucket_name("logs")
        .enable_log_file_validation(true));
    ok!(ct
        .put_event_selectors()
        .trail_name("crash")
        .event_selectors(object_logging("data", ReadWriteType::WriteOnly)));
    ct.start_logging().name("crash").send().await.unwrap();

    let acked = Arc::new(Mutex::new(Vec::new()));
    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    let mut delays = Vec::new();
    let mut interrupted = 0;
    for round in 0..ROUNDS {
        let stop = Arc::new(AtomicBool::new(false));
        let writers = start_writers(&p.endpoint, round, &stop, &acked);
        // Long enough for one or more deliveries (every second), killed at a random moment;
        // every other round, at a random point of a delivery: once its log file is noted.
        let delay = random_between(&mut seed, 500, 2_500);
        tokio::time::sleep(Duration::from_millis(delay)).await;
        if round % 2 == 1 {
            let (d, after) = (data.clone(), random_between(&mut seed, 0, 30));
            let seen = tokio::task::spawn_blocking(move || wait_for_delivery(&d))
                .await
                .unwrap();
            std::thread::sleep(Duration::from_millis(after));
            delays.push(format!(
                "{delay}+delivery{}+{after}",
                if seen { "" } else { "?" }
            ));
        } else {
            delays.push(delay.to_string());
        }
        p.kill9();
        stop.store(true, Ordering::SeqCst);
        for w in writers {
            w.await.unwrap();
        }
        interrupted += in_flight(&data);
        p = serve(&data, &log);
    }
    // A last round without a kill, then everything pending is delivered now.
    let stop = Arc::new(AtomicBool::new(false));
    let writers = start_writers(&p.endpoint, ROUNDS, &stop, &acked);
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::SeqCst);
    for w in writers {
        w.await.unwrap();
    }
    crate::shared::flush(&p.endpoint);

    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() > 20,
        "too few acknowledged puts: {}",
        acked.len()
    );
    let files = log_files(&s3_at(&p.endpoint), "logs").await;
    let records: usize = files.iter().map(|f| f.records.len()).sum();
    assert_delivered_once(&files, &acked);
    assert!(records >= acked.len());
    println!(
        "kill -9 at {delays:?} ms ({interrupted} log files in flight): {} acknowledged puts, \
         {records} records in {} log files",
        acked.len(),
        files.len()
    );
    p.kill9();
}
