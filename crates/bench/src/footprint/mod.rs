//! The footprint (issue 8): how much memory trailstack holds and how fast it starts, empty and
//! with many stored objects and events.
//!
//! One run, on a data dir of its own:
//!
//! 1. start-up on an empty data dir: each start on a new data dir (so it includes creating
//!    the schema and the root key), then restarts of one initialized but empty data dir;
//! 2. one server populated with `objects` 1 KiB PUTs and `events` management calls
//!    (GetBucketLocation, which the recorder keeps in the event history that LookupEvents
//!    reads), both on many connections through the closed-loop runner; its peak RSS (VmHWM)
//!    and its RSS once idle, and the data dir's size;
//! 3. restarts on that data dir: start-up, RSS right after start, and after a full listing
//!    of the bucket (which checks the count), GETs of listed keys and a LookupEvents;
//! 4. the `mixed-80-20` scenario on the last of those servers for `mixed_secs`, RSS sampled
//!    every `sample_every`, and whether it grew.
//!
//! Start-up is the time from just before the process is spawned to the first answer to a
//! signed ListBuckets (1 ms between tries; a refused connection fails at once), so it counts
//! exec, opening the store, binding the port and the request itself (which records an event
//! and waits for its fsync); the time to the port accepting a connection is reported beside
//! it. Each server is stopped with SIGTERM, as a user stops it, so the
//! next start sees what a clean shutdown leaves. Data files stay in the page cache between
//! starts: these are warm starts.
//!
//! Must not touch: server internals; it speaks HTTP, reads `/proc/PID/status` and sizes the
//! data dir's files.

use crate::body::{generated, BenchBody};
use crate::client::Client;
use crate::procstat;
use crate::runner::{self, Budget, Endpoint, Stop};
use crate::scenario::cloudtrail::ct_request;
use crate::scenario::s3::create_bucket;
use crate::scenario::{self, Scenario, Slot, Weight};
use crate::spec::{hash_of, Expect, Spec};
use crate::stats::{quantile, Sample};
use crate::target;
use bytes::Bytes;
use http::Method;
use serde_json::json;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The bucket the objects are stored in.
pub const BUCKET: &str = "footprint";
/// The scenario driven after the restarts.
pub const MIXED: &str = "mixed-80-20";
/// Bytes of each stored object.
pub const OBJECT: usize = 1024;
/// Requests per fill round: progress is logged and RSS read between rounds.
const FILL_ROUND: u64 = 100_000;
/// A request slower than this is an error.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// A server that does not answer within this after spawning has failed to start.
const START_LIMIT: Duration = Duration::from_secs(120);

/// What to measure, and how.
#[derive(Debug, Clone)]
pub struct Options {
    /// The trailstack binary.
    pub bin: PathBuf,
    /// Further `serve` arguments (`--delivery-interval 24h`).
    pub server_args: Vec<String>,
    /// Environment variables the server runs with.
    pub env: Vec<(String, String)>,
    /// Objects to store.
    pub objects: u64,
    /// Management events to store.
    pub events: u64,
    /// Connections of the fills and of the GET touch.
    pub connections: usize,
    /// Starts per start-up measurement (the median is reported).
    pub starts: usize,
    /// GETs after restarting on the populated data dir.
    pub touch_gets: u64,
    /// Seconds of `mixed-80-20` (0: skip it).
    pub mixed_secs: u64,
    /// Connections of `mixed-80-20`.
    pub mixed_connections: usize,
    /// Time between RSS samples during `mixed-80-20`.
    pub sample_every: Duration,
    /// Where to make the data dirs (default: the system temp dir).
    pub work_dir: Option<PathBuf>,
    /// Keep the populated data dir (its path is printed).
    pub keep: bool,
    /// The command line, for the report.
    pub command: String,
}

/// Runs the whole measurement; returns the report (also when the mixed part failed).
pub async fn run(o: &Options, log: &dyn Fn(&str)) -> Result<Report, String> {
    let machine = procstat::machine();
    let mut b = tempfile::Builder::new();
    b.prefix("trailstack-footprint-");
    let dir = match &o.work_dir {
        Some(p) => b.tempdir_in(p),
        None => b.tempdir(),
    }
    .map_err(|e| format!("temp dir: {e}"))?;
    let log_path = dir.path().join("server.log");
    let starts = o.starts.max(1);
    let mut r = Report {
        machine,
        ..Report::default()
    };

    // 1. Empty: each start on a new data dir, then restarts of one.
    for i in 0..starts {
        let data = dir.path().join(format!("fresh-{i}"));
        let (s, t) = Server::start(o, &data, &log_path).await?;
        if i == 0 {
            r.fresh.first_mem = s.settled_mem().await?;
        }
        r.fresh.push(t);
        s.stop().await?;
        let _ = std::fs::remove_dir_all(&data);
    }
    log(&format!("footprint: fresh starts {}", r.fresh.describe()));
    let data = dir.path().join("data");
    let (s, _) = Server::start(o, &data, &log_path).await?;
    s.stop().await?;
    for i in 0..starts {
        let (s, t) = Server::start(o, &data, &log_path).await?;
        if i == 0 {
            r.empty.first_mem = s.settled_mem().await?;
        }
        r.empty.push(t);
        s.stop().await?;
    }
    log(&format!("footprint: empty restarts {}", r.empty.describe()));

    // 2. Populate.
    let (server, _) = Server::start(o, &data, &log_path).await?;
    r.idle_empty = server.settled_mem().await?;
    Client::new(&server.ep).send(create_bucket(BUCKET)).await?;
    let objects = fill(&server, FillKind::Objects, o.objects, o.connections, log).await?;
    let events = fill(&server, FillKind::Events, o.events, o.connections, log).await?;
    r.fill_times = (objects, events);
    r.populated = server.settled_mem().await?;
    log(&format!(
        "footprint: populated, peak {} now {}",
        mib(r.populated.hwm),
        r.populated.describe()
    ));
    r.stop_time = server.stop().await?;
    r.dir = DirSize::of(&data);
    log(&format!(
        "footprint: stopped in {}; data dir {}",
        ms(r.stop_time),
        r.dir.describe()
    ));

    // 3. Restarts on the populated data dir; the last one stays up.
    let mut server = None;
    for i in 0..starts {
        let (s, t) = Server::start(o, &data, &log_path).await?;
        r.full.push(t);
        if i == 0 {
            r.full.first_mem = s.settled_mem().await?;
        }
        if i + 1 < starts {
            s.stop().await?;
        } else {
            server = Some(s);
        }
    }
    let server = server.ok_or("no server")?;
    log(&format!(
        "footprint: populated restarts {}",
        r.full.describe()
    ));
    let t0 = Instant::now();
    let keys = Client::new(&server.ep).list(BUCKET).await?;
    r.listed = (keys.len() as u64, t0.elapsed());
    if r.listed.0 != o.objects {
        return Err(format!(
            "the listing found {} keys, {} were stored",
            r.listed.0, o.objects
        ));
    }
    let keys: Vec<String> = keys.into_iter().map(|l| l.key).collect();
    if !keys.is_empty() && o.touch_gets > 0 {
        let touch: Arc<dyn Scenario> = Arc::new(Touch {
            keys: Arc::new(keys),
        });
        r.touch = drive(
            &touch,
            &server.ep,
            o.connections,
            0,
            Stop::Count(o.touch_gets),
        )
        .await;
        if r.touch.errors > 0 {
            return Err(format!(
                "GETs of stored keys: {} errors; first: {}",
                r.touch.errors,
                r.touch.first_error.clone().unwrap_or_default()
            ));
        }
    }
    let lookup = json!({"LookupAttributes": [{"AttributeKey": "EventName",
                        "AttributeValue": "GetBucketLocation"}], "MaxResults": 50});
    let (_, body) = Client::new(&server.ep)
        .send(ct_request("LookupEvents", &lookup, Expect::OK))
        .await?;
    let found = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v["Events"].as_array().map(Vec::len))
        .unwrap_or(0);
    if o.events > 0 && found == 0 {
        return Err("LookupEvents found no GetBucketLocation event".into());
    }
    r.touched = server.settled_mem().await?;
    log(&format!(
        "footprint: after listing {} keys in {}, {} GETs and a LookupEvents: {}",
        thousands(r.listed.0),
        ms(r.listed.1),
        thousands(r.touch.ok),
        r.touched.describe()
    ));

    // 4. The mixed workload.
    r.mixed = if o.mixed_secs == 0 {
        None
    } else {
        Some(mixed(&server, o, log).await)
    };
    if let Some(Err(e)) = &r.mixed {
        log(&format!("footprint: mixed workload: {e}"));
    }
    r.last = server.mem()?;
    server.stop().await?;
    r.dir_end = DirSize::of(&data);
    r.load_end = procstat::load_average();
    if o.keep {
        let kept = dir.keep();
        log(&format!("footprint: kept {}", kept.join("data").display()));
    }
    Ok(r)
}

/// Sets up and drives `mixed-80-20` on `server`, sampling its memory.
async fn mixed(server: &Server, o: &Options, log: &dyn Fn(&str)) -> Result<Mixed, String> {
    let s = scenario::by_name(MIXED, crate::GIB)
        .ok_or_else(|| format!("this build has no scenario {MIXED}"))?;
    let t0 = Instant::now();
    runner::setup(&s, &server.ep, o.connections).await?;
    let s = runner::prepare(&s, &server.ep).await?;
    let setup = t0.elapsed();
    log(&format!(
        "footprint: {MIXED} set up in {:.1} s ({}); driving it for {} s on {} connections",
        setup.as_secs_f64(),
        server.mem()?.describe(),
        o.mixed_secs,
        o.mixed_connections
    ));
    let (stop_tx, mut stop_rx) = tokio::sync::oneshot::channel::<()>();
    let pid = server.pid;
    let every = o.sample_every;
    let sampler = tokio::spawn(async move {
        let start = Instant::now();
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        let mut out = Vec::new();
        loop {
            tokio::select! {
                _ = tick.tick() => {
                    if let Ok(m) = Mem::of(pid) {
                        let t = start.elapsed().as_secs_f64();
                        eprintln!("footprint: {MIXED} at {t:.0} s: {}", m.describe());
                        out.push((t, m));
                    }
                }
                _ = &mut stop_rx => return out,
            }
        }
    });
    let sample = drive(
        &s,
        &server.ep,
        o.mixed_connections,
        0,
        Stop::Time(Duration::from_secs(o.mixed_secs)),
    )
    .await;
    let _ = stop_tx.send(());
    let samples = sampler
        .await
        .map_err(|e| format!("the RSS sampler failed: {e}"))?;
    let after = server.settled_mem().await?;
    if sample.errors > 0 {
        return Err(format!(
            "{MIXED}: {} errors; first: {}",
            sample.errors,
            sample.first_error.unwrap_or_default()
        ));
    }
    Ok(Mixed {
        samples,
        sample,
        after,
        setup,
    })
}

/// The `footprint` subcommand's options.
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// The trailstack binary (default: `trailstack` beside this binary).
    #[arg(long)]
    pub trailstack_bin: Option<PathBuf>,
    /// Objects of 1 KiB to store.
    #[arg(long, default_value_t = 1_000_000)]
    pub objects: u64,
    /// Management events (GetBucketLocation calls) to store.
    #[arg(long, default_value_t = 1_000_000)]
    pub events: u64,
    /// Connections storing objects and events, and reading them back.
    #[arg(long, default_value_t = 64)]
    pub connections: usize,
    /// Starts per start-up measurement (the median is reported).
    #[arg(long, default_value_t = 5)]
    pub starts: usize,
    /// GETs of stored objects after the restart.
    #[arg(long, default_value_t = 20_000)]
    pub touch_gets: u64,
    /// Seconds of the mixed-80-20 workload after the restart (0: skip).
    #[arg(long, default_value_t = 600)]
    pub mixed_secs: u64,
    /// Connections of the mixed-80-20 workload.
    #[arg(long, default_value_t = 64)]
    pub mixed_connections: usize,
    /// Seconds between RSS samples during the mixed workload.
    #[arg(long, default_value_t = 10)]
    pub sample_secs: u64,
    /// The `--delivery-interval` trailstack is started with.
    #[arg(long, default_value = "24h")]
    pub delivery_interval: String,
    /// An environment variable for the server, KEY=VALUE (repeatable), e.g.
    /// MALLOC_ARENA_MAX=2.
    #[arg(long = "server-env")]
    pub server_env: Vec<String>,
    /// Where to make the data dirs (default: the system temp dir).
    #[arg(long)]
    pub work_dir: Option<PathBuf>,
    /// Keep the populated data dir.
    #[arg(long)]
    pub keep: bool,
}

/// Runs `trailstack-bench footprint` (`command` is its command line, for the report) and
/// prints the markdown section.
pub async fn command(args: Args, command: String) -> Result<bool, String> {
    let me = std::env::current_exe().map_err(|e| format!("own path: {e}"))?;
    let bin = args
        .trailstack_bin
        .unwrap_or_else(|| me.with_file_name("trailstack"));
    let bin = std::fs::canonicalize(&bin).map_err(|e| format!("{}: {e}", bin.display()))?;
    let mut env = Vec::new();
    for kv in &args.server_env {
        let (k, v) = kv
            .split_once('=')
            .ok_or_else(|| format!("--server-env {kv}: expected KEY=VALUE"))?;
        env.push((k.to_owned(), v.to_owned()));
    }
    let o = Options {
        bin,
        server_args: vec!["--delivery-interval".into(), args.delivery_interval],
        env,
        objects: args.objects,
        events: args.events,
        connections: args.connections.max(1),
        starts: args.starts,
        touch_gets: args.touch_gets,
        mixed_secs: args.mixed_secs,
        mixed_connections: args.mixed_connections.max(1),
        sample_every: Duration::from_secs(args.sample_secs.max(1)),
        work_dir: args.work_dir,
        keep: args.keep,
        command,
    };
    let report = run(&o, &|l| eprintln!("{l}")).await?;
    println!("{}", report.markdown(&o));
    Ok(!matches!(report.mixed, Some(Err(_))))
}

mod figures;
mod populate;
mod render;
mod server;

use populate::{drive, fill, FillKind, Touch};
use server::Server;

pub use figures::*;

#[cfg(test)]
mod tests;
