//! Instructions per request (`trailstack-bench callgrind`): figures the machine's noise does
//! not move, and the profile that says what a path spends them on.
//!
//! trailstack (the release binary, which carries line tables) runs under
//! `valgrind --tool=callgrind` on a fresh data dir. The state of each case is made with the
//! closed loop's own setup, then a few unmeasured requests of every case warm what is built
//! lazily. For each case the counters are zeroed (`callgrind_control -z`), N requests are sent
//! one at a time on one keep-alive connection, header-signed as an SDK signs them, and the
//! counters dumped (`callgrind_control -d`); the dump's total, less the server's idle rate
//! (from a dump taken over a quiet interval) times the batch's wall time, divided by N is the
//! figure. A lone client on one connection: per-request run-time overhead (waking threads) is
//! not amortised as under load. The dump of each batch also gives the functions of highest
//! inclusive and self cost ([`profile`]).
//!
//! Must not touch: the server's code; it is run, not linked.

pub mod profile;
pub mod render;

use crate::conn::Conn;
use crate::runner::{self, Endpoint};
use crate::scenario::{self, Scenario, Slot, Weight};
use crate::sign::Signer;
use crate::target::{free_port, trailstack_command};
use crate::{ACCESS_KEY, REGION, SECRET_KEY};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// `trailstack-bench callgrind` options.
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// The trailstack binary (default: `trailstack` beside this binary).
    #[arg(long)]
    pub trailstack_bin: Option<PathBuf>,
    /// Scenarios measured, comma-separated: any small single-request scenario.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "get-1k,put-1k,kms-encrypt-1k,list-1000"
    )]
    pub cases: Vec<String>,
    /// Requests per case (list-1000 takes --list-requests).
    #[arg(long, default_value_t = 500)]
    pub requests: u64,
    /// Requests of list-1000 (each lists 1,000 keys).
    #[arg(long, default_value_t = 20)]
    pub list_requests: u64,
    /// Unmeasured requests of each case before any is measured.
    #[arg(long, default_value_t = 20)]
    pub warmup: u64,
    /// Seconds of the idle interval whose rate is subtracted.
    #[arg(long, default_value_t = 5.0)]
    pub idle_secs: f64,
    /// Functions listed per case, by inclusive and by self cost.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    /// Write the section into this document (BENCHMARKS.md), between its markers.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Keep each case's dump here as `callgrind.out.<case>`, for `callgrind_annotate` or
    /// KCachegrind.
    #[arg(long)]
    pub dumps: Option<PathBuf>,
}

/// One case's figures.
#[derive(Debug, Clone)]
pub struct CaseCost {
    /// The scenario name.
    pub name: &'static str,
    /// Requests measured.
    pub requests: u64,
    /// The batch dump's total instructions.
    pub total: u64,
    /// Instructions of the idle rate over the batch's wall time, subtracted.
    pub idle: u64,
    /// Wall time of the batch.
    pub secs: f64,
    /// Top functions by inclusive cost, plumbing left out.
    pub inclusive: Vec<profile::Cost>,
    /// Top functions by self cost.
    pub exclusive: Vec<profile::Cost>,
}

impl CaseCost {
    /// Instructions per request, idle subtracted.
    pub fn per_request(&self) -> u64 {
        self.total.saturating_sub(self.idle) / self.requests.max(1)
    }
}

/// The server under callgrind; killed when dropped.
struct Valgrind {
    child: Child,
    dir: tempfile::TempDir,
    addr: SocketAddr,
}

impl Drop for Valgrind {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Valgrind {
    fn start(bin: &Path) -> Result<Valgrind, String> {
        let dir = tempfile::Builder::new()
            .prefix("trailstack-bench-callgrind-")
            .tempdir()
            .map_err(|e| format!("temp dir: {e}"))?;
        let listen = format!("127.0.0.1:{}", free_port()?);
        let server = trailstack_command(
            bin,
            &listen,
            &dir.path().join("data"),
            &["--delivery-interval".into(), "24h".into()],
            &[],
        );
        let mut cmd = Command::new("valgrind");
        cmd.arg("--tool=callgrind")
            .arg(format!(
                "--callgrind-out-file={}",
                dir.path().join("callgrind.out").display()
            ))
            .arg(server.get_program())
            .args(server.get_args())
            .envs(server.get_envs().filter_map(|(k, v)| Some((k, v?))));
        let log = std::fs::File::create(dir.path().join("valgrind.log"))
            .map_err(|e| format!("log file: {e}"))?;
        let child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("starting valgrind (is it installed?): {e}"))?;
        let addr = listen.parse().map_err(|e| format!("{listen}: {e}"))?;
        let mut v = Valgrind { child, dir, addr };
        let start = Instant::now();
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            if let Ok(Some(status)) = v.child.try_wait() {
                return Err(format!("valgrind exited ({status}): {}", v.log_tail()));
            }
            if start.elapsed() > Duration::from_secs(300) {
                return Err("trailstack under callgrind did not listen within 300 s".into());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(v)
    }

    fn log_tail(&self) -> String {
        let text =
            std::fs::read_to_string(self.dir.path().join("valgrind.log")).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(8)..].join("\n")
    }

    fn endpoint(&self) -> Endpoint {
        Endpoint {
            addr: self.addr,
            host: Arc::from(self.addr.to_string()),
            pid: Some(self.child.id()),
        }
    }

    /// `callgrind_control ARG PID`.
    fn control(&self, arg: &str) -> Result<(), String> {
        let out = Command::new("callgrind_control")
            .arg(arg)
            .arg(self.child.id().to_string())
            .output()
            .map_err(|e| format!("running callgrind_control: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "callgrind_control {arg}: {} {}",
                String::from_utf8_lossy(&out.stdout).trim(),
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    }

    /// The dump files written so far.
    fn dumps(&self) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .map(|d| {
                d.filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| {
                        p.file_name()
                            .is_some_and(|n| n.to_string_lossy().starts_with("callgrind.out"))
                    })
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    }

    /// Dumps the counters and returns the new dump file.
    fn dump(&self) -> Result<PathBuf, String> {
        let before = self.dumps();
        self.control("-d")?;
        self.dumps()
            .into_iter()
            .find(|p| !before.contains(p))
            .ok_or_else(|| "callgrind_control -d wrote no dump".to_string())
    }
}

/// Sends `n` requests of `sc` one at a time, numbered from `*seq`; `Err` on a wrong answer.
async fn send(
    sc: &Arc<dyn Scenario>,
    ep: &Endpoint,
    conn: &mut Conn,
    n: u64,
    seq: &mut u64,
) -> Result<(), String> {
    let mut signer = Signer::new(ACCESS_KEY, SECRET_KEY, REGION);
    for _ in 0..n {
        let spec = sc.request(Slot {
            round: 0,
            worker: 0,
            seq: *seq,
        });
        *seq += 1;
        let expect = spec.expect;
        let req = spec.into_request(&ep.host, &mut signer);
        let a = tokio::time::timeout(Duration::from_secs(300), conn.send(req))
            .await
            .map_err(|_| format!("{}: no answer", sc.name()))??;
        expect
            .check(a.status, a.body_len)
            .map_err(|e| format!("{}: {e}", sc.name()))?;
    }
    Ok(())
}

/// Measures every case; `progress` gets a line per step.
pub async fn measure(args: &Args, progress: &dyn Fn(&str)) -> Result<(Vec<CaseCost>, f64), String> {
    let me = std::env::current_exe().map_err(|e| format!("own path: {e}"))?;
    let bin = args
        .trailstack_bin
        .clone()
        .unwrap_or_else(|| me.with_file_name("trailstack"));
    let mut cases = Vec::new();
    for name in &args.cases {
        let sc = scenario::by_name(name, 1 << 20)
            .filter(|s| s.weight() == Weight::Small && s.paired().is_none())
            .ok_or_else(|| format!("{name}: not a small single-request scenario"))?;
        cases.push(sc);
    }
    progress("starting trailstack under callgrind");
    let vg = Valgrind::start(&bin)?;
    let ep = vg.endpoint();
    let mut bound = Vec::new();
    for sc in &cases {
        progress(&format!("{}: setup", sc.name()));
        runner::setup(sc, &ep, 8).await?;
        bound.push(runner::prepare(sc, &ep).await?);
    }
    let mut conn = Conn::new(ep.addr);
    let mut seq = 0;
    for sc in &bound {
        send(sc, &ep, &mut conn, args.warmup, &mut seq).await?;
    }
    progress("idle interval");
    // Timed as a batch is: from the zeroing's return to the dump's call.
    vg.control("-z")?;
    let idle_start = Instant::now();
    tokio::time::sleep(Duration::from_secs_f64(args.idle_secs)).await;
    let idle_secs = idle_start.elapsed().as_secs_f64();
    let idle_total = read_totals(&vg.dump()?)?;
    let idle_rate = idle_total as f64 / idle_secs;
    let mut out = Vec::new();
    for sc in &bound {
        let n = if sc.name() == "list-1000" {
            args.list_requests
        } else {
            args.requests
        };
        vg.control("-z")?;
        let start = Instant::now();
        send(sc, &ep, &mut conn, n, &mut seq).await?;
        let secs = start.elapsed().as_secs_f64();
        let dump = vg.dump()?;
        let total = read_totals(&dump)?;
        let (inclusive, exclusive) = profile::top(&dump, args.top, total)?;
        if let Some(keep) = &args.dumps {
            let to = keep.join(format!("callgrind.out.{}", sc.name()));
            std::fs::create_dir_all(keep)
                .and_then(|_| std::fs::copy(&dump, &to))
                .map_err(|e| format!("keeping {}: {e}", to.display()))?;
        }
        let c = CaseCost {
            name: sc.name(),
            requests: n,
            total,
            idle: (idle_rate * secs) as u64,
            secs,
            inclusive,
            exclusive,
        };
        progress(&format!(
            "{}: {} requests in {secs:.1} s, {} instructions per request ({} idle subtracted)",
            c.name,
            n,
            crate::stats::thousands(c.per_request()),
            crate::stats::thousands(c.idle),
        ));
        out.push(c);
    }
    Ok((out, idle_rate))
}

fn read_totals(dump: &Path) -> Result<u64, String> {
    let text =
        std::fs::read_to_string(dump).map_err(|e| format!("reading {}: {e}", dump.display()))?;
    profile::totals(&text).ok_or_else(|| format!("{}: no totals line", dump.display()))
}

/// `git rev-parse --short HEAD` of the working directory, if any.
pub fn commit() -> String {
    Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_else(|| "unknown".into())
}

/// `trailstack-bench callgrind`: measures, prints the section, and writes it into `--out`.
pub async fn command(args: Args, command_line: String) -> Result<bool, String> {
    let date = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let (costs, idle_rate) = measure(&args, &|l| eprintln!("{l}")).await?;
    let info = render::Info {
        date,
        command: command_line,
        commit: commit(),
        idle_rate,
        warmup: args.warmup,
    };
    let section = render::section(&costs, &info);
    if let Some(path) = &args.out {
        let existing = std::fs::read_to_string(path).unwrap_or_default();
        let doc = crate::docblock::splice(&existing, render::BEGIN, render::END, &section);
        std::fs::write(path, doc).map_err(|e| format!("writing {}: {e}", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    println!("{section}");
    Ok(true)
}
