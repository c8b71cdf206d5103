//! The wrk mode (`trailstack-bench wrk`): small requests measured with wrk, a C load generator
//! cheap enough per request that the server, not the generator, is what it measures, so the
//! limit reference is the bare server's limit and not the generator's.
//!
//! Each target (trailstack, moto, the limit server, started as the closed loop starts them) is
//! made ready once ([`requests::prepare`]); then for each case and round, targets in
//! alternating order, the request set is signed afresh ([`requests::request_set`]), checked
//! with one request ([`requests::probe`]), written as a Lua script ([`script`]), and wrk runs
//! a warm-up and then the measured run (`-t THREADS -c CONNS -d SECS --latency`), its output
//! parsed ([`output`]). Server CPU is read from `/proc/PID/stat` around the measured run,
//! wrk's own CPU by the script itself; a row where wrk used more CPU than the server, or at
//! least 90% of the cores of its threads, is marked generator-bound and gives no ratio
//! ([`render`]).
//!
//! Must not touch: the closed-loop runner's figures; the two harnesses share only the targets
//! and the scenarios' setup.

pub mod output;
pub mod render;
pub mod requests;
pub mod script;

use crate::procstat;
use crate::runner::Endpoint;
use crate::target::{Target, TargetKind};
use output::WrkRun;
use requests::{Case, CASES};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// `trailstack-bench wrk` options.
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// Targets to start: trailstack, moto, limit.
    #[arg(long, value_delimiter = ',', default_value = "trailstack,moto,limit")]
    pub targets: Vec<String>,
    /// Cases, comma-separated (default: all): get-1k, put-1k, list-1000, kms-encrypt-1k,
    /// kms-decrypt, kms-generate-data-key.
    #[arg(long, value_delimiter = ',')]
    pub cases: Vec<String>,
    /// The trailstack binary (default: `trailstack` beside this binary).
    #[arg(long)]
    pub trailstack_bin: Option<PathBuf>,
    /// wrk threads (`-t`).
    #[arg(long, default_value_t = 2)]
    pub threads: usize,
    /// wrk connections (`-c`).
    #[arg(long, default_value_t = 64)]
    pub connections: usize,
    /// Measured seconds per run (`-d`).
    #[arg(long, default_value_t = 5)]
    pub duration: u64,
    /// Seconds of the unrecorded wrk run before each measured one (0: none).
    #[arg(long, default_value_t = 1)]
    pub warmup: u64,
    /// Measured runs per case and target; figures are their medians.
    #[arg(long, default_value_t = 3)]
    pub rounds: usize,
    /// Fresh keys per round of put-1k (each presigned; cycled once all are written).
    #[arg(long, default_value_t = 16384)]
    pub put_keys: usize,
    /// wrk's `--timeout` per request, seconds (moto's listings take many seconds each).
    #[arg(long, default_value_t = 30)]
    pub timeout: u64,
    /// Write the section into this document (BENCHMARKS.md), between its markers.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// One measured wrk run against one target.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Round {
    /// What wrk reported.
    pub run: WrkRun,
    /// Server CPU seconds across the run, if its PID is known.
    pub server_cpu: Option<f64>,
}

/// One target's runs of one case.
#[derive(Debug, Clone)]
pub struct Row {
    /// The target's name.
    pub target: &'static str,
    /// Measured runs, in order.
    pub rounds: Vec<Round>,
    /// The first failure (setup, probe, wrk), verbatim.
    pub first_error: Option<String>,
}

/// One case's rows, in target order.
#[derive(Debug, Clone)]
pub struct CaseResult {
    /// The case.
    pub case: Case,
    /// One row per target.
    pub rows: Vec<Row>,
}

/// Whether wrk can be run; `Err` says how to install it.
pub fn check_installed() -> Result<(), String> {
    match Command::new("wrk").arg("--version").output() {
        Ok(_) => Ok(()),
        Err(e) => Err(format!(
            "wrk is not installed or not on PATH ({e}); the wrk mode needs it: \
             `apt-get install -y wrk` (Debian)"
        )),
    }
}

/// The cases named in `names` (all when empty).
pub fn cases(names: &[String]) -> Result<Vec<Case>, String> {
    if names.is_empty() {
        return Ok(CASES.to_vec());
    }
    names
        .iter()
        .map(|n| {
            Case::from_name(n).ok_or_else(|| {
                let known: Vec<&str> = CASES.iter().map(|c| c.name()).collect();
                format!("unknown case {n}; known: {}", known.join(", "))
            })
        })
        .collect()
}

/// The targets named in `args`, as the closed loop starts them (the limit server with a
/// small warm file: the wrk mode sends no large GET).
fn target_kinds(args: &Args) -> Result<Vec<TargetKind>, String> {
    let me = std::env::current_exe().map_err(|e| format!("own path: {e}"))?;
    args.targets
        .iter()
        .filter(|n| !n.is_empty())
        .map(|n| match n.as_str() {
            "trailstack" => Ok(TargetKind::Trailstack {
                bin: args
                    .trailstack_bin
                    .clone()
                    .unwrap_or_else(|| me.with_file_name("trailstack")),
                args: vec!["--delivery-interval".into(), "24h".into()],
                env: Vec::new(),
            }),
            "moto" => Ok(TargetKind::Moto),
            "limit" => Ok(TargetKind::Limit {
                bin: me.clone(),
                big_size: 1 << 20,
            }),
            other => Err(format!(
                "unknown target {other}; known: trailstack, moto, limit"
            )),
        })
        .collect()
}

/// Runs wrk once with `script` against `ep` for `secs`; the parsed output and the server's
/// CPU across it.
pub fn run_wrk(
    ep: &Endpoint,
    args: &Args,
    script: &Path,
    secs: u64,
) -> Result<(WrkRun, Option<f64>), String> {
    let server0 = ep.pid.and_then(procstat::cpu_seconds);
    let out = Command::new("wrk")
        .arg(format!("-t{}", args.threads))
        .arg(format!("-c{}", args.connections))
        .arg(format!("-d{secs}s"))
        .arg("--timeout")
        .arg(format!("{}s", args.timeout))
        .arg("--latency")
        .arg("-s")
        .arg(script)
        .arg(format!("http://{}", ep.addr))
        .output()
        .map_err(|e| format!("running wrk: {e}"))?;
    let server1 = ep.pid.and_then(procstat::cpu_seconds);
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!(
            "wrk failed ({}): {} {}",
            out.status,
            stdout.trim(),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let run = output::parse(&stdout)?;
    Ok((run, server0.zip(server1).map(|(a, b)| b - a)))
}

/// One measured round of `case` on `target`: sign, probe, warm up, measure.
async fn one_round(
    case: Case,
    target: &Target,
    prepared: &requests::Prepared,
    args: &Args,
    round: usize,
    dir: &Path,
) -> Result<Round, String> {
    let ep = &target.endpoint;
    let (set, expect) = requests::request_set(case, prepared, ep, round, args.put_keys)?;
    requests::probe(ep, &set, expect).await?;
    let targets_path = dir.join(format!("{}-{}.targets", case.name(), target.name));
    let script_path = dir.join(format!("{}-{}.lua", case.name(), target.name));
    let write = |p: &Path, text: String| {
        std::fs::write(p, text).map_err(|e| format!("writing {}: {e}", p.display()))
    };
    write(&targets_path, script::targets_file(&set))?;
    write(
        &script_path,
        script::script(&set, args.threads, &targets_path),
    )?;
    let (ep, args, script_path) = (ep.clone(), args.clone(), script_path.clone());
    tokio::task::spawn_blocking(move || {
        if args.warmup > 0 {
            run_wrk(&ep, &args, &script_path, args.warmup)?;
        }
        let (run, server_cpu) = run_wrk(&ep, &args, &script_path, args.duration.max(1))?;
        Ok(Round { run, server_cpu })
    })
    .await
    .map_err(|e| format!("wrk thread: {e}"))?
}

/// Starts the targets, prepares them and measures every case; `progress` gets a line per run.
pub async fn measure(args: &Args, progress: &dyn Fn(&str)) -> Result<Vec<CaseResult>, String> {
    check_installed()?;
    let mut targets = Vec::new();
    for kind in target_kinds(args)? {
        progress(&format!("starting {}", kind.name()));
        targets.push(Target::start(&kind)?);
    }
    measure_targets(args, &targets, progress).await
}

/// Prepares `targets` (already running) and measures every case of `args` on them.
pub async fn measure_targets(
    args: &Args,
    targets: &[Target],
    progress: &dyn Fn(&str),
) -> Result<Vec<CaseResult>, String> {
    check_installed()?;
    let cases = cases(&args.cases)?;
    let dir = tempfile::Builder::new()
        .prefix("trailstack-bench-wrk-")
        .tempdir()
        .map_err(|e| format!("temp dir: {e}"))?;
    let mut prepared = Vec::new();
    for t in targets {
        progress(&format!("preparing {}", t.name));
        let started = Instant::now();
        let p = requests::prepare(&t.endpoint, &cases).await;
        progress(&format!(
            "prepared {} in {:.1} s",
            t.name,
            started.elapsed().as_secs_f64()
        ));
        prepared.push(p);
    }
    let mut results = Vec::new();
    for &case in &cases {
        let mut rows: Vec<Row> = targets
            .iter()
            .zip(&prepared)
            .map(|(t, p)| Row {
                target: t.name,
                rounds: Vec::new(),
                first_error: p.as_ref().err().cloned(),
            })
            .collect();
        for round in 0..args.rounds {
            let mut order: Vec<usize> = (0..targets.len()).collect();
            if round % 2 == 1 {
                order.reverse();
            }
            for i in order {
                let Ok(p) = &prepared[i] else { continue };
                if rows[i].first_error.is_some() {
                    continue;
                }
                match one_round(case, &targets[i], p, args, round, dir.path()).await {
                    Ok(r) => {
                        progress(&format!(
                            "{}: round {}/{} {:<10} {:>9.0} req/s p50 {:.2} ms p99 {:.2} ms \
                             server {:.1} µs/req wrk {:.1} µs/req non-2xx {} socket errors {}",
                            case.name(),
                            round + 1,
                            args.rounds,
                            targets[i].name,
                            r.run.rps,
                            r.run.p50_ms,
                            r.run.p99_ms,
                            render::per_request_us(r.server_cpu.unwrap_or(0.0), &r.run),
                            render::per_request_us(r.run.wrk_cpu, &r.run),
                            r.run.non_2xx,
                            r.run.socket_errors,
                        ));
                        rows[i].rounds.push(r);
                    }
                    Err(e) => {
                        progress(&format!("{}: {}: {e}", case.name(), targets[i].name));
                        rows[i].first_error = Some(e);
                    }
                }
            }
        }
        results.push(CaseResult { case, rows });
    }
    Ok(results)
}

/// `trailstack-bench wrk`: measures, prints the section, and writes it into `--out`.
pub async fn command(args: Args, command_line: String) -> Result<bool, String> {
    let machine = procstat::machine();
    let date = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let results = measure(&args, &|l| eprintln!("{l}")).await?;
    let load_at_end = procstat::load_average();
    let commit = crate::callgrind::commit();
    let info = render::Info::of_run(&args, date, machine, load_at_end, command_line, commit);
    let section = render::section(&results, &info);
    if let Some(path) = &args.out {
        let existing = std::fs::read_to_string(path).unwrap_or_default();
        let doc = render::splice(&existing, &section);
        std::fs::write(path, doc).map_err(|e| format!("writing {}: {e}", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    println!("{section}");
    let clean = results
        .iter()
        .all(|c| c.rows.iter().all(|r| r.first_error.is_none()));
    Ok(clean)
}
