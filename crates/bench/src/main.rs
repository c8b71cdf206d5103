//! The `trailstack-bench` command line: `run` prints the tables, `report` also writes
//! BENCHMARKS.md, `trail-latency` times a call to its CloudTrail record in S3, `soak` runs
//! long mixed traffic and checks the server stays correct and flat, `limit-server` is the
//! do-nothing reference server the tool starts itself, `wrk` measures small requests with
//! wrk, `callgrind` counts instructions per request.

use clap::{Args, Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::time::Duration;
use trailstack_bench::limit::{self, warm::WarmFile};
use trailstack_bench::plan::Plan;
use trailstack_bench::report::{self, RunInfo};
use trailstack_bench::runner::{Budget, Stop};
use trailstack_bench::target::{Target, TargetKind};
use trailstack_bench::{
    callgrind, footprint, latency, pg_blob, procstat, scenario, soak, wrk, GIB,
};

#[derive(Parser)]
#[command(
    name = "trailstack-bench",
    about = "Closed-loop load generator: trailstack vs moto vs a do-nothing limit server"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the benchmark and print markdown tables.
    Run(Opts),
    /// Run the benchmark and write the whole BENCHMARKS.md document.
    Report {
        /// Where to write the document.
        #[arg(long, default_value = "BENCHMARKS.md")]
        out: PathBuf,
        #[command(flatten)]
        opts: Opts,
    },
    /// Time from a PutObject to its CloudTrail record in S3, on a trailstack started with a
    /// short delivery interval: median and p90 over the samples.
    TrailLatency {
        /// The trailstack binary (default: `trailstack` beside this binary).
        #[arg(long)]
        trailstack_bin: Option<PathBuf>,
        /// Measure this running trailstack (http://host:port) instead of starting one; it
        /// must deliver at --delivery-interval.
        #[arg(long)]
        endpoint: Option<String>,
        /// The `--delivery-interval` trailstack is started with.
        #[arg(long, default_value = "1s")]
        delivery_interval: String,
        /// Samples.
        #[arg(long, default_value_t = 20)]
        samples: usize,
        /// Milliseconds between two listings of the log bucket.
        #[arg(long, default_value_t = 10)]
        poll_ms: u64,
    },
    /// Soak: mixed S3, KMS and CloudTrail traffic on many connections against a trailstack it
    /// starts; fails on any unexpected answer, a panic in the server's log, or growth of the
    /// server's RSS or open descriptors between the warm-up and the end.
    Soak {
        /// The trailstack binary (default: `trailstack` beside this binary).
        #[arg(long)]
        trailstack_bin: Option<PathBuf>,
        /// Measured seconds (60 in CI; 600 for a nightly run).
        #[arg(long, default_value_t = 60.0)]
        duration: f64,
        /// Warm-up seconds before the first memory and descriptor reading.
        #[arg(long, default_value_t = 10.0)]
        warmup: f64,
        /// Concurrent connections.
        #[arg(long, default_value_t = 256)]
        connections: usize,
        /// The `--delivery-interval` trailstack is started with: short, so that the soak's
        /// trail delivers log files while it runs.
        #[arg(long, default_value = "10s")]
        delivery_interval: String,
        /// RSS growth tolerated in MiB, added to --rss-growth-percent. An absolute bound, so
        /// a longer soak finds slower leaks.
        #[arg(long, default_value_t = 32)]
        rss_growth_mib: u64,
        /// RSS growth tolerated, in percent of the reading after warm-up.
        #[arg(long, default_value_t = 25)]
        rss_growth_percent: u64,
        /// Open descriptors tolerated beyond the reading after warm-up.
        #[arg(long, default_value_t = 16)]
        fd_slack: usize,
    },
    /// Memory and start-up of a trailstack holding many objects and events (issue 8): start-up
    /// empty and populated, peak and idle RSS, RSS under the mixed-80-20 workload.
    Footprint(footprint::Args),
    /// Small requests measured with wrk (presigned S3 URLs, replayed signed KMS requests)
    /// against trailstack, moto and the limit server, with generator and server CPU per row.
    Wrk(wrk::Args),
    /// Instructions per request of trailstack under valgrind's callgrind, with the functions
    /// of highest inclusive cost.
    Callgrind(callgrind::Args),
    /// Object data in PostgreSQL as BYTEA rows (the store's) against large objects: write
    /// and read MiB/s and the space each takes.
    PgBlob(pg_blob::Args),
    /// Serve canned S3-like answers without doing any work (the limit reference).
    LimitServer {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: String,
        /// Size of the large objects served under `big/`.
        #[arg(long, default_value_t = GIB)]
        big_size: u64,
        /// The file written at start and streamed, warm, to GETs under `big/`; put it on the
        /// disk of the data dir it is compared with.
        #[arg(long)]
        big_file: PathBuf,
    },
}

#[derive(Args)]
struct Opts {
    /// Targets to start: trailstack, moto, limit.
    #[arg(long, value_delimiter = ',', default_value = "trailstack,moto,limit")]
    targets: Vec<String>,
    /// Also measure this running S3 endpoint (http://host:port), without CPU accounting.
    #[arg(long)]
    endpoint: Option<String>,
    /// Scenarios, comma-separated (default: all).
    #[arg(long, value_delimiter = ',')]
    scenarios: Vec<String>,
    /// The trailstack binary (default: `trailstack` beside this binary).
    #[arg(long)]
    trailstack_bin: Option<PathBuf>,
    /// The `--delivery-interval` trailstack is started with: long, so that trail delivery
    /// never runs while measuring.
    #[arg(long, default_value = "24h")]
    delivery_interval: String,
    /// Connections for small-request scenarios.
    #[arg(long, default_value_t = 64)]
    connections: usize,
    /// Connections for moto's small-request scenarios (default: --connections).
    #[arg(long)]
    moto_connections: Option<usize>,
    /// Connections for large-object scenarios.
    #[arg(long, default_value_t = 1)]
    big_connections: usize,
    /// Measured seconds per small-request round.
    #[arg(long, default_value_t = 5.0)]
    duration: f64,
    /// Warm-up seconds before each small-request round.
    #[arg(long, default_value_t = 1.0)]
    warmup: f64,
    /// Rounds per target, small requests.
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Rounds per target, large objects.
    #[arg(long, default_value_t = 2)]
    big_rounds: usize,
    /// Measured requests per large-object round.
    #[arg(long, default_value_t = 2)]
    big_requests: u64,
    /// Warm-up requests before each large-object round.
    #[arg(long, default_value_t = 0)]
    big_warmup: u64,
    /// Size of the large objects in MiB.
    #[arg(long, default_value_t = 1024)]
    big_mib: u64,
    /// Keys `mixed-80-20` reads and overwrites, written at setup (moto writes about 150 a
    /// second: 100,000 take it some 11 minutes).
    #[arg(long, default_value_t = scenario::mixed::DEFAULT_KEYS)]
    mixed_keys: usize,
    /// Parts of one `multipart-1g` upload sent at once, each on its own connection.
    #[arg(long, default_value_t = scenario::multipart::DEFAULT_PART_CONNECTIONS)]
    part_connections: usize,
    /// About 1 s per scenario against trailstack only, 16 MiB large objects, 1,000 keys in
    /// mixed-80-20; exits 1 on any error. Overrides the budget options and --mixed-keys.
    #[arg(long)]
    smoke: bool,
}

impl Opts {
    fn plan(&self) -> Result<Plan, String> {
        let mut plan = if self.smoke {
            Plan::smoke()
        } else {
            let secs = Duration::from_secs_f64;
            Plan {
                scenarios: scenario::NAMES.iter().map(|s| s.to_string()).collect(),
                connections: self.connections,
                moto_connections: self.moto_connections,
                big_connections: self.big_connections,
                small: Budget {
                    warmup: Stop::Time(secs(self.warmup)),
                    measure: Stop::Time(secs(self.duration)),
                    request_timeout: Duration::from_secs(60),
                },
                big: Budget {
                    warmup: Stop::Count(self.big_warmup),
                    measure: Stop::Count(self.big_requests),
                    request_timeout: Duration::from_secs(1800),
                },
                rounds: self.rounds,
                big_rounds: self.big_rounds,
                big_size: self.big_mib << 20,
                setup_parallel: 8,
                mixed_keys: self.mixed_keys,
                part_connections: self.part_connections,
            }
        };
        if !self.scenarios.is_empty() {
            for s in &self.scenarios {
                if scenario::by_name(s, 1).is_none() {
                    return Err(format!(
                        "unknown scenario {s}; known: {}",
                        scenario::NAMES.join(", ")
                    ));
                }
            }
            plan.scenarios = self.scenarios.clone();
        }
        Ok(plan)
    }

    fn targets(&self, big_size: u64) -> Result<Vec<TargetKind>, String> {
        let me = std::env::current_exe().map_err(|e| format!("own path: {e}"))?;
        let names: Vec<String> = if self.smoke && self.endpoint.is_none() {
            vec!["trailstack".into()]
        } else if self.smoke {
            Vec::new()
        } else {
            self.targets.clone()
        };
        let mut kinds = Vec::new();
        for n in names.iter().filter(|n| !n.is_empty()) {
            kinds.push(match n.as_str() {
                "trailstack" => TargetKind::Trailstack {
                    bin: self
                        .trailstack_bin
                        .clone()
                        .unwrap_or_else(|| me.with_file_name("trailstack")),
                    args: vec!["--delivery-interval".into(), self.delivery_interval.clone()],
                    env: Vec::new(),
                },
                "moto" => TargetKind::Moto,
                "limit" => TargetKind::Limit {
                    bin: me.clone(),
                    big_size,
                },
                other => {
                    return Err(format!(
                        "unknown target {other}; known: trailstack, moto, limit"
                    ))
                }
            });
        }
        if let Some(url) = &self.endpoint {
            kinds.push(TargetKind::Url(url.clone()));
        }
        Ok(kinds)
    }
}

fn command_line() -> String {
    std::env::args()
        .map(|a| {
            if a.is_empty() || a.contains(' ') {
                format!("'{a}'")
            } else {
                a
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

async fn bench(opts: Opts, out: Option<PathBuf>) -> Result<bool, String> {
    let plan = opts.plan()?;
    let machine = procstat::machine();
    let mut targets = Vec::new();
    for kind in opts.targets(plan.big_size)? {
        eprintln!("starting {}", kind.name());
        targets.push(Target::start(&kind)?);
    }
    let date = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let results = plan.execute(&mut targets, &|l| eprintln!("{l}")).await?;
    let clean = results.iter().all(|r| {
        r.rows
            .iter()
            .all(|row| row.first_error.is_none() && row.median.rps > 0.0)
    });
    let info = RunInfo {
        machine,
        command: command_line(),
        date,
        plan,
    };
    let text = match &out {
        Some(path) => {
            let kept = std::fs::read_to_string(path).unwrap_or_default();
            let doc = report::with_kept_part(report::document(&results, &info), &kept);
            let doc = wrk::render::carry(&kept, doc);
            let (begin, end) = (callgrind::render::BEGIN, callgrind::render::END);
            let doc = trailstack_bench::docblock::carry(&kept, doc, begin, end);
            std::fs::write(path, &doc).map_err(|e| format!("writing {}: {e}", path.display()))?;
            eprintln!("wrote {}", path.display());
            doc
        }
        None => format!(
            "Machine: {}\n\nCommand: `{}`\n\n{}\n\n{}\n{}",
            info.machine,
            info.command,
            report::parameters(&info),
            report::goals(&results),
            report::tables(&results, info.plan.big_size)
        ),
    };
    println!("{text}");
    Ok(clean || !opts.smoke)
}

/// `trail-latency`: starts trailstack (or reaches `endpoint`), takes the samples, prints them
/// and their median and p90.
async fn trail_latency(
    bin: Option<PathBuf>,
    endpoint: Option<String>,
    delivery_interval: String,
    samples: usize,
    poll_ms: u64,
) -> Result<bool, String> {
    let interval = parse_secs(&delivery_interval)?;
    let kind = match endpoint {
        Some(url) => TargetKind::Url(url),
        None => {
            let me = std::env::current_exe().map_err(|e| format!("own path: {e}"))?;
            TargetKind::Trailstack {
                bin: bin.unwrap_or_else(|| me.with_file_name("trailstack")),
                args: vec!["--delivery-interval".into(), delivery_interval.clone()],
                env: Vec::new(),
            }
        }
    };
    let machine = procstat::machine();
    let target = Target::start(&kind)?;
    let opts = latency::Options {
        samples,
        poll: Duration::from_millis(poll_ms),
        timeout: interval * 10 + Duration::from_secs(30),
        interval,
    };
    let got = latency::run(&target.endpoint, opts, &|l| eprintln!("{l}")).await?;
    let mut v: Vec<Duration> = got.iter().map(|s| s.latency).collect();
    v.sort();
    let ms = |d: Duration| format!("{:.0}", d.as_secs_f64() * 1e3);
    let polls: u32 = got.iter().map(|s| s.polls).sum();
    println!(
        "Machine: {machine}

Command: `{}`
",
        command_line()
    );
    println!(
        "Call to record in S3 (PutObject sent -> log file holding its requestID read), \
         `--delivery-interval {delivery_interval}`, listing every {poll_ms} ms, {} samples, \
         {polls} listings: median {} ms, p90 {} ms, min {} ms, max {} ms",
        v.len(),
        ms(latency::quantile(&v, 0.5)),
        ms(latency::quantile(&v, 0.9)),
        ms(v.first().copied().unwrap_or_default()),
        ms(v.last().copied().unwrap_or_default()),
    );
    println!(
        "
Samples (ms, in order taken): {}",
        got.iter()
            .map(|s| ms(s.latency))
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(true)
}

/// `soak`: starts trailstack, soaks it, prints the one-line summary and every failure.
async fn soak(
    bin: Option<PathBuf>,
    delivery_interval: String,
    opts: soak::Options,
) -> Result<bool, String> {
    let me = std::env::current_exe().map_err(|e| format!("own path: {e}"))?;
    let bin = bin.unwrap_or_else(|| me.with_file_name("trailstack"));
    // Absolute: the server starts in its own temp dir.
    let bin = std::fs::canonicalize(&bin).map_err(|e| format!("{}: {e}", bin.display()))?;
    let kind = TargetKind::Trailstack {
        bin,
        args: vec!["--delivery-interval".into(), delivery_interval],
        env: soak::SERVER_ENV
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    };
    let mut target = Target::start(&kind)?;
    let pid = target.endpoint.pid.ok_or("trailstack has no pid")?;
    let report = soak::run(&target.endpoint, pid, &opts, &|l| eprintln!("{l}")).await?;
    let mut failures = report.failures(&opts);
    if let Some(status) = target.exited() {
        failures.push(format!(
            "trailstack exited ({status}): {}",
            target.log_tail()
        ));
    }
    let log = target.log();
    let panics: Vec<&str> = log.lines().filter(|l| l.contains("panicked")).collect();
    if !panics.is_empty() {
        failures.push(format!("trailstack panicked: {}", panics.join(" | ")));
    }
    for f in &failures {
        eprintln!("soak: FAILED: {f}");
    }
    println!("{}", report.summary(&opts));
    Ok(failures.is_empty())
}

/// `1s`, `500ms`, `2m` as a duration (the server's interval syntax, for the tool's own use).
fn parse_secs(s: &str) -> Result<Duration, String> {
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (n, unit) = s.split_at(split);
    let n: u64 = n.parse().map_err(|_| format!("interval {s:?}"))?;
    Ok(match unit {
        "ms" => Duration::from_millis(n),
        "s" | "" => Duration::from_secs(n),
        "m" => Duration::from_secs(n * 60),
        "h" => Duration::from_secs(n * 3600),
        _ => return Err(format!("interval {s:?}: unit must be ms, s, m or h")),
    })
}

/// Writes and warms the big file, then listens: the tool sees the port open only once the
/// file is ready, so writing it never overlaps another target's measurement.
async fn limit_server(listen: &str, big_size: u64, big_file: &Path) -> Result<bool, String> {
    let (file, line) = WarmFile::create(big_file, big_size)
        .map_err(|e| format!("writing {}: {e}", big_file.display()))?;
    eprintln!("{line}");
    let l = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    if let Ok(a) = l.local_addr() {
        eprintln!("limit server listening on http://{a}");
    }
    limit::serve(l, limit::Canned::new(file)).await;
    Ok(true)
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Run(opts) => bench(opts, None).await,
        Command::Report { out, opts } => bench(opts, Some(out)).await,
        Command::TrailLatency {
            trailstack_bin,
            endpoint,
            delivery_interval,
            samples,
            poll_ms,
        } => {
            trail_latency(
                trailstack_bin,
                endpoint,
                delivery_interval,
                samples,
                poll_ms,
            )
            .await
        }
        Command::Footprint(args) => footprint::command(args, command_line()).await,
        Command::Wrk(args) => wrk::command(args, command_line()).await,
        Command::Callgrind(args) => callgrind::command(args, command_line()).await,
        Command::PgBlob(args) => pg_blob::run(args).await.map(|()| true),
        Command::LimitServer {
            listen,
            big_size,
            big_file,
        } => limit_server(&listen, big_size, &big_file).await,
        Command::Soak {
            trailstack_bin,
            duration,
            warmup,
            connections,
            delivery_interval,
            rss_growth_mib,
            rss_growth_percent,
            fd_slack,
        } => {
            let opts = soak::Options {
                duration: Duration::from_secs_f64(duration),
                warmup: Duration::from_secs_f64(warmup),
                connections,
                rss_growth_mib,
                rss_growth_percent,
                fd_slack,
            };
            soak(trailstack_bin, delivery_interval, opts).await
        }
    };
    match outcome {
        Ok(true) => {}
        Ok(false) => {
            eprintln!("trailstack-bench: the run had errors");
            std::process::exit(1);
        }
        Err(e) => {
            eprintln!("trailstack-bench: {e}");
            std::process::exit(1);
        }
    }
}
