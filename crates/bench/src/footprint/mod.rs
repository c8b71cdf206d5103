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

/// Memory figures of a process, from `/proc/PID/status`, in bytes (threads: a count).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Mem {
    /// `VmRSS`: resident now.
    pub rss: u64,
    /// `VmHWM`: the most ever resident.
    pub hwm: u64,
    /// `RssAnon`: resident heap, stacks and other private memory.
    pub anon: u64,
    /// `RssFile`: resident pages of mapped files (the binary's code and data).
    pub file: u64,
    /// `RssShmem`: resident shared memory.
    pub shmem: u64,
    /// `Threads`.
    pub threads: u64,
}

impl Mem {
    /// Parses `/proc/PID/status` text; `None` without `VmRSS`.
    pub fn parse(status: &str) -> Option<Mem> {
        let field = |name: &str| -> Option<u64> {
            let line = status.lines().find_map(|l| l.strip_prefix(name))?;
            line.trim_start_matches(':')
                .split_whitespace()
                .next()?
                .parse()
                .ok()
        };
        let kib = |name: &str| field(name).map(|k| k * 1024);
        Some(Mem {
            rss: kib("VmRSS")?,
            hwm: kib("VmHWM").unwrap_or(0),
            anon: kib("RssAnon").unwrap_or(0),
            file: kib("RssFile").unwrap_or(0),
            shmem: kib("RssShmem").unwrap_or(0),
            threads: field("Threads").unwrap_or(0),
        })
    }

    /// The figures of process `pid`.
    pub fn of(pid: u32) -> Result<Mem, String> {
        std::fs::read_to_string(format!("/proc/{pid}/status"))
            .ok()
            .and_then(|s| Mem::parse(&s))
            .ok_or_else(|| format!("no memory figures for pid {pid}"))
    }

    /// `RSS 62.1 MiB (anon 40.0, file 22.1, shmem 0.0; 9 threads)`.
    pub fn describe(&self) -> String {
        format!(
            "RSS {} (anon {:.1}, file {:.1}, shmem {:.1} MiB; {} threads)",
            mib(self.rss),
            as_mib(self.anon),
            as_mib(self.file),
            as_mib(self.shmem),
            self.threads
        )
    }
}

fn as_mib(bytes: u64) -> f64 {
    bytes as f64 / f64::from(1u32 << 20)
}

/// `61.2 MiB`.
pub fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", as_mib(bytes))
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

/// `1,000,000`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The median (nearest rank) of `v`.
pub fn median(v: &[Duration]) -> Duration {
    let mut us: Vec<u32> = v
        .iter()
        .map(|d| u32::try_from(d.as_micros()).unwrap_or(u32::MAX))
        .collect();
    us.sort_unstable();
    Duration::from_micros(u64::from(quantile(&us, 0.5)))
}

/// Sizes of a data dir, apparent bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DirSize {
    /// Every file.
    pub total: u64,
    /// `meta.sqlite`.
    pub db: u64,
    /// `meta.sqlite-wal`.
    pub wal: u64,
    /// Files under `blobs/`.
    pub blobs: u64,
    /// How many files are under `blobs/`.
    pub blob_files: u64,
}

impl DirSize {
    /// Sizes the data dir `dir`.
    pub fn of(dir: &Path) -> DirSize {
        fn walk(p: &Path, in_blobs: bool, out: &mut DirSize) {
            let Ok(entries) = std::fs::read_dir(p) else {
                return;
            };
            for e in entries.flatten() {
                let Ok(meta) = e.metadata() else { continue };
                let path = e.path();
                if meta.is_dir() {
                    walk(&path, in_blobs || e.file_name() == "blobs", out);
                } else {
                    out.total += meta.len();
                    if in_blobs {
                        out.blobs += meta.len();
                        out.blob_files += 1;
                    }
                }
            }
        }
        let mut out = DirSize::default();
        walk(dir, false, &mut out);
        let len = |name: &str| std::fs::metadata(dir.join(name)).map_or(0, |m| m.len());
        out.db = len("meta.sqlite");
        out.wal = len("meta.sqlite-wal");
        out
    }

    /// `2.1 GiB (meta.sqlite 2.0 GiB, WAL 4.0 MiB, 0 blob files)`.
    pub fn describe(&self) -> String {
        let gib = |b: u64| {
            if b >= 1 << 30 {
                format!("{:.2} GiB", b as f64 / f64::from(1u32 << 30))
            } else {
                mib(b)
            }
        };
        format!(
            "{} (meta.sqlite {}, WAL {}, {} blob files {})",
            gib(self.total),
            gib(self.db),
            gib(self.wal),
            thousands(self.blob_files),
            gib(self.blobs)
        )
    }
}

/// The times of one start, from spawning the process.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StartTime {
    /// To its port accepting a connection.
    pub listening: Duration,
    /// To its first answer.
    pub answered: Duration,
}

/// Start-up times of a series of starts.
#[derive(Debug, Clone, Default)]
pub struct Starts {
    /// Each start to its first answer, in order.
    pub samples: Vec<Duration>,
    /// Each start to its port accepting a connection, in order.
    pub listening: Vec<Duration>,
    /// Memory 0.5 s after the first start answered.
    pub first_mem: Mem,
}

impl Starts {
    fn push(&mut self, t: StartTime) {
        self.samples.push(t.answered);
        self.listening.push(t.listening);
    }

    fn describe(&self) -> String {
        format!(
            "**{}**, listening after {} (first answers: min {}, max {}; in order: {})",
            ms(median(&self.samples)),
            ms(median(&self.listening)),
            ms(self.samples.iter().min().copied().unwrap_or_default()),
            ms(self.samples.iter().max().copied().unwrap_or_default()),
            self.samples
                .iter()
                .map(|d| format!("{:.1}", d.as_secs_f64() * 1e3))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

/// RSS sampled during the mixed workload.
#[derive(Debug, Clone, Default)]
pub struct Mixed {
    /// Seconds since the start of the traffic, and the memory then.
    pub samples: Vec<(f64, Mem)>,
    /// The traffic: requests, errors, rate.
    pub sample: Sample,
    /// Memory a moment after the traffic stopped.
    pub after: Mem,
    /// Keys the scenario set up, and what setting them up took.
    pub setup: Duration,
}

impl Mixed {
    /// The baseline reading: the first at or after 60 s (the first of a shorter run), so the
    /// warm-up of the allocator is not counted as growth.
    pub fn baseline(&self) -> Option<(f64, Mem)> {
        self.samples
            .iter()
            .find(|(t, _)| *t >= 60.0)
            .or_else(|| self.samples.first())
            .copied()
    }

    /// RSS growth from the baseline to the last reading, in bytes (negative: shrank).
    pub fn growth(&self) -> i64 {
        match (self.baseline(), self.samples.last()) {
            (Some((_, a)), Some((_, b))) => b.rss as i64 - a.rss as i64,
            _ => 0,
        }
    }

    /// Least-squares slope of RSS over the samples from the baseline on, MiB per minute.
    pub fn slope_mib_per_min(&self) -> f64 {
        let from = self.baseline().map_or(0.0, |(t, _)| t);
        let pts: Vec<(f64, f64)> = self
            .samples
            .iter()
            .filter(|(t, _)| *t >= from)
            .map(|(t, m)| (*t / 60.0, as_mib(m.rss)))
            .collect();
        let n = pts.len() as f64;
        if pts.len() < 2 {
            return 0.0;
        }
        let (sx, sy) = pts.iter().fold((0.0, 0.0), |(a, b), (x, y)| (a + x, b + y));
        let (mx, my) = (sx / n, sy / n);
        let (num, den) = pts.iter().fold((0.0, 0.0), |(a, b), (x, y)| {
            (a + (x - mx) * (y - my), b + (x - mx) * (x - mx))
        });
        if den == 0.0 {
            0.0
        } else {
            num / den
        }
    }

    /// Whether RSS grew: the last reading more than 10% (and 4 MiB) above the baseline.
    pub fn grew(&self) -> bool {
        let base = self.baseline().map_or(0, |(_, m)| m.rss);
        self.growth() > ((base / 10).max(4 << 20)) as i64
    }
}

/// Everything one run measured.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// The machine and its load at the start.
    pub machine: String,
    /// Load averages at the end.
    pub load_end: String,
    /// Starts, each on a new data dir.
    pub fresh: Starts,
    /// Restarts of an initialized empty data dir.
    pub empty: Starts,
    /// Idle memory of the populating server before it stored anything.
    pub idle_empty: Mem,
    /// Time to store the objects, and the events.
    pub fill_times: (Duration, Duration),
    /// Peak (VmHWM) and idle memory of the populating server at the end.
    pub populated: Mem,
    /// The data dir after the populating server stopped.
    pub dir: DirSize,
    /// How long the populating server took to stop.
    pub stop_time: Duration,
    /// Restarts on the populated data dir.
    pub full: Starts,
    /// Keys the full listing found, and how long it took.
    pub listed: (u64, Duration),
    /// The GET touch.
    pub touch: Sample,
    /// Memory after the listing, the GETs and a LookupEvents.
    pub touched: Mem,
    /// The mixed workload, if asked for: its figures or why it failed.
    pub mixed: Option<Result<Mixed, String>>,
    /// Memory at the end of the run, its peak being the whole life of the last server.
    pub last: Mem,
    /// The data dir at the end.
    pub dir_end: DirSize,
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

mod populate;
mod render;
mod server;

use populate::{drive, fill, FillKind, Touch};
use server::Server;

#[cfg(test)]
mod tests {
    use super::populate::Fill;
    use super::*;

    #[test]
    fn parses_status() {
        let status = "Name:\ttrailstack\nVmHWM:\t  90000 kB\nVmRSS:\t   61440 kB\n\
                      RssAnon:\t   40960 kB\nRssFile:\t   20480 kB\nRssShmem:\t       0 kB\n\
                      Threads:\t9\n";
        let m = Mem::parse(status).unwrap();
        assert_eq!(m.rss, 60 << 20);
        assert_eq!(m.hwm, 90000 * 1024);
        assert_eq!((m.anon, m.file, m.shmem), (40 << 20, 20 << 20, 0));
        assert_eq!(m.threads, 9);
        assert!(m
            .describe()
            .starts_with("RSS 60.0 MiB (anon 40.0, file 20.0"));
        assert!(Mem::parse("Name:\tx\n").is_none());
        assert!(Mem::of(std::process::id()).is_ok_and(|m| m.rss > 0 && m.hwm >= m.rss));
    }

    #[test]
    fn medians_and_numbers() {
        let d = |ms| Duration::from_millis(ms);
        assert_eq!(median(&[d(30), d(10), d(20), d(50), d(40)]), d(30));
        assert_eq!(median(&[]), Duration::ZERO);
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
    }

    #[test]
    fn judges_growth_after_the_first_minute() {
        let m = |rss: u64| Mem {
            rss: rss << 20,
            ..Mem::default()
        };
        let flat = Mixed {
            samples: vec![(10.0, m(50)), (60.0, m(80)), (120.0, m(82)), (180.0, m(81))],
            ..Mixed::default()
        };
        assert_eq!(flat.baseline().map(|(t, _)| t), Some(60.0));
        assert!(!flat.grew());
        assert!(flat.slope_mib_per_min().abs() < 1.0);
        let growing = Mixed {
            samples: vec![(60.0, m(80)), (120.0, m(90)), (180.0, m(100))],
            ..Mixed::default()
        };
        assert!(growing.grew());
        assert!((growing.slope_mib_per_min() - 10.0).abs() < 1e-9);
    }

    #[test]
    fn fills_use_fresh_keys_and_management_calls() {
        let s = Fill::new_dyn(FillKind::Objects);
        let slot = |worker, seq| Slot {
            round: 1,
            worker,
            seq,
        };
        assert_ne!(s.request(slot(1, 2)).path, s.request(slot(2, 1)).path);
        assert_eq!(s.request(slot(3, 4)).body_len(), OBJECT as u64);
        let e = Fill::new_dyn(FillKind::Events).request(slot(0, 0));
        assert_eq!(
            (e.path.as_str(), e.query.as_str()),
            ("/footprint", "location=")
        );
    }
}
