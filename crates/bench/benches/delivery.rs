//! Delivery throughput: records per second the delivery worker turns into delivered, encrypted
//! log files (issue 7's target: 50,000 records/s on the 2-core machine).
//!
//! The real path, in process: `trailstack_server::App::open` on a fresh temp data dir (the
//! store, KMS, S3 and CloudTrail composed as the server composes them) served on a loopback
//! port, and set up over HTTP with the bench's own signed requests: a log bucket with the
//! bucket policy CloudTrail requires, a KMS key whose policy lets CloudTrail encrypt, a trail
//! with that key (so every log file is SSE-KMS), logging. Each run enqueues N S3 data event
//! records of about 1.2 KB into the trail's outbox in one transaction (as the recorder would,
//! but without the calls), then times one `Delivery::tick`: read the outbox, build and gzip
//! the files, put each through S3 as `cloudtrail.amazonaws.com` (policy check, SSE-KMS data
//! key, blob write, metadata commit), note the delivery and drop the records. The report is
//! the median of the runs; each run checks that every record was delivered.
//!
//! `cargo bench -p trailstack-bench --bench delivery [-- --records N --runs R]`

use std::sync::Arc;
use std::time::{Duration, Instant};
use trailstack_bench::client::Client;
use trailstack_bench::latency::encrypted_trail;
use trailstack_bench::runner::Endpoint;
use trailstack_bench::scenario::cloudtrail::{start_logging, trail_arn};
use trailstack_bench::REGION;
use trailstack_cloudtrail::model::outbox;
use trailstack_cloudtrail::CloudTrailError;
use trailstack_core::SystemClock;
use trailstack_server::config::Config;
use trailstack_server::App;

const LOG_BUCKET: &str = "delivery-logs";
const TRAIL: &str = "delivery-bench";

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A PutObject data event as CloudTrail writes it over plain HTTP (no tlsDetails; about 1.2 KB), the `i`-th of the bench.
fn record(i: usize, time: &str) -> String {
    let id = format!("{:016X}", 0x5EED_0000_0000_0000u64 + i as u64);
    serde_json::json!({
        "eventVersion": "1.11",
        "userIdentity": {
            "type": "IAMUser",
            "principalId": "AIDAEXAMPLEUSER000001",
            "arn": "arn:aws:iam::000000000000:user/alice",
            "accountId": "000000000000",
            "accessKeyId": "AKIAEXAMPLEKEY000001",
            "userName": "alice",
        },
        "eventTime": time,
        "eventSource": "s3.amazonaws.com",
        "eventName": "PutObject",
        "awsRegion": "us-east-1",
        "sourceIPAddress": "127.0.0.1",
        "userAgent": "aws-cli/2.17.0 md/awscrt#0.20.11 ua/2.0 os/linux#6.8 lang/python#3.11.9",
        "requestParameters": {
            "bucketName": "data-bucket",
            "Host": "127.0.0.1:4566",
            "key": format!("uploads/2026/11/28/object-{i:08}.json"),
            "x-amz-server-side-encryption": "aws:kms",
        },
        "responseElements": {
            "x-amz-server-side-encryption": "aws:kms",
            "x-amz-server-side-encryption-aws-kms-key-id":
                "arn:aws:kms:us-east-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        },
        "additionalEventData": {
            "SignatureVersion": "SigV4",
            "bytesTransferredIn": 1024,
            "AuthenticationMethod": "AuthHeader",
            "bytesTransferredOut": 0,
        },
        "requestID": id,
        "eventID": format!("0b0b1e6a-0c3e-4a53-9d3a-{:012x}", i),
        "readOnly": false,
        "resources": [
            {"type": "AWS::S3::Object",
             "ARN": format!("arn:aws:s3:::data-bucket/uploads/2026/11/28/object-{i:08}.json")},
            {"accountId": "000000000000", "type": "AWS::S3::Bucket",
             "ARN": "arn:aws:s3:::data-bucket"},
        ],
        "eventType": "AwsApiCall",
        "managementEvent": false,
        "recipientAccountId": "000000000000",
        "eventCategory": "Data",
    })
    .to_string()
}

fn load() -> String {
    let mut f = [0.0f64; 3];
    if let Ok(t) = std::fs::read_to_string("/proc/loadavg") {
        for (i, v) in t.split_whitespace().take(3).enumerate() {
            f[i] = v.parse().unwrap_or(0.0);
        }
    }
    format!("{:.2} {:.2} {:.2}", f[0], f[1], f[2])
}

async fn setup(c: &mut Client) -> Result<String, String> {
    let key_arn = encrypted_trail(c, LOG_BUCKET, TRAIL, "trailstack-bench delivery").await?;
    c.send(start_logging(TRAIL)).await?;
    Ok(key_arn)
}

struct Run {
    enqueue: Duration,
    tick: Duration,
    records: usize,
    files: usize,
    bytes: u64,
    json_bytes: u64,
}

async fn bench() -> Result<(), String> {
    let records = arg("--records", 200_000);
    let runs = arg("--runs", 3);
    let dir = tempfile::Builder::new()
        .prefix("trailstack-delivery-bench-")
        .tempdir()
        .map_err(|e| e.to_string())?;
    let config = Config::load(None, None, Some(dir.path().join("data")), None)?;
    let app = Arc::new(App::open(config, Arc::new(SystemClock))?);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    tokio::spawn(trailstack_server::serve(
        listener,
        app.clone(),
        std::future::pending(),
    ));
    let ep = Endpoint {
        addr,
        host: Arc::from(addr.to_string()),
        pid: None,
    };
    let mut c = Client::new(&ep);
    let key_arn = setup(&mut c).await?;
    let arn = trail_arn(REGION, TRAIL);
    // The setup's own management events go out first, so a run times its records only.
    let first = app
        .delivery
        .tick(time::OffsetDateTime::now_utc(), false)
        .await
        .map_err(|e| e.to_string())?;
    eprintln!(
        "setup delivered: {} records in {} files",
        first.records, first.log_files
    );
    let sample = record(0, "2026-11-28T16:08:43Z");
    println!(
        "Delivery throughput: {records} records of {} bytes each (an S3 PutObject data event), \
         one trail, one region, log files SSE-KMS under {key_arn}; {runs} runs",
        sample.len()
    );
    let mut results = Vec::new();
    for run in 0..runs {
        let before: u64 = c.list(LOG_BUCKET).await?.iter().map(|l| l.size).sum();
        let now = time::OffsetDateTime::now_utc();
        let stamp = now
            .format(&time::format_description::well_known::Rfc3339)
            .map_err(|e| e.to_string())?;
        let now_ms = (now.unix_timestamp_nanos() / 1_000_000) as i64;
        let base = run * records;
        let texts: Vec<String> = (0..records).map(|i| record(base + i, &stamp)).collect();
        let json_bytes: u64 = texts.iter().map(|t| t.len() as u64).sum();
        let (a, r) = (arn.clone(), REGION.to_string());
        let t0 = Instant::now();
        app.db
            .write(move |conn| {
                for t in &texts {
                    outbox::enqueue(conn, &a, &r, now_ms, t)?;
                }
                Ok::<_, CloudTrailError>(())
            })
            .await
            .map_err(|e| e.to_string())?;
        let enqueue = t0.elapsed();
        let load_before = load();
        let t1 = Instant::now();
        let out = app
            .delivery
            .tick(time::OffsetDateTime::now_utc(), false)
            .await
            .map_err(|e| e.to_string())?;
        let tick = t1.elapsed();
        if out.records < records || out.failures > 0 {
            return Err(format!(
                "run {run}: delivered {} of {records} records, {} failures",
                out.records, out.failures
            ));
        }
        let listed = c.list(LOG_BUCKET).await?;
        let after: u64 = listed.iter().map(|l| l.size).sum();
        // One delivered file is read back: SSE-KMS with the trail key, a gzip of the records.
        let newest = listed
            .iter()
            .filter(|l| l.key.contains("/CloudTrail/"))
            .max_by_key(|l| l.size)
            .ok_or("no log file listed")?;
        let (h, gz) = c.get(LOG_BUCKET, &newest.key).await?;
        let sse = h
            .get("x-amz-server-side-encryption-aws-kms-key-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if sse != key_arn {
            return Err(format!(
                "log file {} not under the trail key: {h:?}",
                newest.key
            ));
        }
        let doc = trailstack_bench::client::gunzip(&gz)?;
        if !String::from_utf8_lossy(&doc).starts_with("{\"Records\":[") {
            return Err(format!("log file {} is not a log document", newest.key));
        }
        let r = Run {
            enqueue,
            tick,
            records: out.records,
            files: out.log_files,
            bytes: after - before,
            json_bytes,
        };
        println!(
            "run {}/{runs}: enqueue {:.2} s; tick {:.2} s: {} records in {} files, {:.1} MB \
             gzipped+encrypted ({:.1} MB JSON), {:.0} records/s, load average before tick {}",
            run + 1,
            r.enqueue.as_secs_f64(),
            r.tick.as_secs_f64(),
            r.records,
            r.files,
            r.bytes as f64 / 1e6,
            r.json_bytes as f64 / 1e6,
            r.records as f64 / r.tick.as_secs_f64(),
            load_before
        );
        results.push(r);
    }
    results.sort_by_key(|r| r.tick);
    let m = &results[results.len() / 2];
    println!(
        "median run: {:.0} records/s ({} records, {} files, {:.1} MB written, {:.2} s); \
         load average now {}",
        m.records as f64 / m.tick.as_secs_f64(),
        m.records,
        m.files,
        m.bytes as f64 / 1e6,
        m.tick.as_secs_f64(),
        load()
    );
    Ok(())
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("runtime: {e}"));
    if let Err(e) = rt.block_on(bench()) {
        eprintln!("delivery bench: {e}");
        std::process::exit(1);
    }
}
