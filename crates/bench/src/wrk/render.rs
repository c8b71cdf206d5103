//! The wrk section of BENCHMARKS.md: how it was measured, the goals it can judge, one table
//! row per case and target (medians of the rounds, with server and generator CPU per request
//! and the generator-bound mark), the ratios that are honest to take, and placing the
//! section between its markers in the document.
//!
//! Must not touch: measuring; it formats what [`super::measure`] produced.

use super::output::WrkRun;
use super::requests::Case;
use super::{CaseResult, Row};
use crate::stats::{median, thousands, yes};
use std::fmt::Write;

/// The line that opens the section in BENCHMARKS.md.
pub const BEGIN: &str =
    "<!-- wrk: begin. Written by `trailstack-bench wrk --out BENCHMARKS.md`; kept by `report`. -->";
/// The line that closes it.
pub const END: &str = "<!-- wrk: end -->";

/// Where and how the section's figures were made.
#[derive(Debug, Clone)]
pub struct Info {
    /// When (UTC).
    pub date: String,
    /// Cores, memory, kernel, load at start.
    pub machine: String,
    /// Load average when the last run ended.
    pub load_at_end: String,
    /// The exact command line.
    pub command: String,
    /// The commit of the working directory the command ran in.
    pub commit: String,
    /// wrk threads.
    pub threads: usize,
    /// wrk connections.
    pub connections: usize,
    /// Measured seconds per run.
    pub duration: u64,
    /// Warm-up seconds before each run.
    pub warmup: u64,
    /// Runs per case and target.
    pub rounds: usize,
    /// Fresh keys per round of put-1k.
    pub put_keys: usize,
}

/// `cpu` seconds per completed request of `run`, in microseconds.
pub fn per_request_us(cpu: f64, run: &WrkRun) -> f64 {
    if run.requests == 0 {
        0.0
    } else {
        cpu * 1e6 / run.requests as f64
    }
}

/// The medians of a row's rounds.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Medians {
    /// Requests per second.
    pub rps: f64,
    /// Median latency, ms.
    pub p50_ms: f64,
    /// 99th percentile latency, ms.
    pub p99_ms: f64,
    /// Server CPU per request, µs (`None` without a PID).
    pub server_us: Option<f64>,
    /// wrk CPU per request, µs.
    pub wrk_us: f64,
    /// wrk CPU seconds per second of its run: cores it kept busy.
    pub wrk_cores: f64,
    /// Answers of 400 and above, all rounds.
    pub non_2xx: u64,
    /// Socket errors, all rounds.
    pub socket_errors: u64,
}

impl Info {
    /// The header of a run with `args`: made on `machine` at `date` by `command` at `commit`,
    /// the load average `load_at_end` when it ended.
    pub fn of_run(
        args: &super::Args,
        date: String,
        machine: String,
        load_at_end: String,
        command: String,
        commit: String,
    ) -> Info {
        Info {
            date,
            machine,
            load_at_end,
            command,
            commit,
            threads: args.threads,
            connections: args.connections,
            duration: args.duration,
            warmup: args.warmup,
            rounds: args.rounds,
            put_keys: args.put_keys,
        }
    }
}

impl Row {
    /// The medians of this row's rounds.
    pub fn medians(&self) -> Medians {
        let m = |f: &dyn Fn(&super::Round) -> f64| {
            median(&mut self.rounds.iter().map(f).collect::<Vec<_>>())
        };
        let has_pid = self.rounds.iter().all(|r| r.server_cpu.is_some());
        Medians {
            rps: m(&|r| r.run.rps),
            p50_ms: m(&|r| r.run.p50_ms),
            p99_ms: m(&|r| r.run.p99_ms),
            server_us: (has_pid && !self.rounds.is_empty())
                .then(|| m(&|r| per_request_us(r.server_cpu.unwrap_or(0.0), &r.run))),
            wrk_us: m(&|r| per_request_us(r.run.wrk_cpu, &r.run)),
            wrk_cores: m(&|r| r.run.wrk_cpu / r.run.secs.max(1e-9)),
            non_2xx: self.rounds.iter().map(|r| r.run.non_2xx).sum(),
            socket_errors: self.rounds.iter().map(|r| r.run.socket_errors).sum(),
        }
    }

    /// Whether wrk, not the server, bounded this row: it used more CPU per request than the
    /// server, or kept at least 90% of its threads' cores busy.
    pub fn generator_bound(&self, threads: usize) -> bool {
        let m = self.medians();
        m.server_us.is_some_and(|s| m.wrk_us > s) || m.wrk_cores >= 0.9 * threads as f64
    }

    /// The req/s a ratio may be taken of: none when the row failed, had error answers, or
    /// was bounded by the generator.
    pub fn usable_rps(&self, threads: usize) -> Option<f64> {
        let m = self.medians();
        (self.first_error.is_none()
            && !self.rounds.is_empty()
            && m.non_2xx == 0
            && m.rps > 0.0
            && !self.generator_bound(threads))
        .then_some(m.rps)
    }
}

/// A number with precision that suits its size.
fn num(v: f64) -> String {
    if v >= 100.0 {
        thousands(v.round() as u64)
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

fn row_of<'a>(c: &'a CaseResult, target: &str) -> Option<&'a Row> {
    c.rows.iter().find(|r| r.target == target)
}

/// trailstack's usable req/s over `target`'s, or why there is none.
pub fn ratio(c: &CaseResult, target: &str, threads: usize) -> Result<f64, String> {
    let ts = row_of(c, "trailstack").ok_or("trailstack not measured")?;
    let other = row_of(c, target).ok_or_else(|| format!("{target} not measured"))?;
    let a = ts
        .usable_rps(threads)
        .ok_or("trailstack row not usable (see its note)")?;
    let b = other
        .usable_rps(threads)
        .ok_or_else(|| format!("{target} row not usable (see its note)"))?;
    Ok(a / b)
}

/// The goals of issue 22 this section can judge: (case, text, least trailstack ÷ limit).
const GOALS: &[(Case, &str, f64)] = &[
    (Case::Get1k, "GET 1 KiB ≥ 40% of the limit", 0.40),
    (Case::Put1k, "PUT 1 KiB (durable) ≥ 15% of the limit", 0.15),
    (Case::KmsEncrypt, "KMS Encrypt ≥ 40% of the limit", 0.40),
    (Case::KmsDecrypt, "KMS Decrypt ≥ 40% of the limit", 0.40),
    (
        Case::KmsGenerateDataKey,
        "KMS GenerateDataKey ≥ 40% of the limit",
        0.40,
    ),
];

/// ListObjectsV2 of 1,000 keys per second when issue 22 was filed; its goal is ten times it.
const LIST_BEFORE: f64 = 162.0;

fn goals(results: &[CaseResult], threads: usize, connections: usize) -> String {
    let mut out = String::from("| goal | measured | met |\n|---|--:|---|\n");
    let find = |case| results.iter().find(|c| c.case == case);
    for &(case, text, least) in GOALS {
        let Some(c) = find(case) else { continue };
        let (measured, met) = match ratio(c, "limit", threads) {
            Ok(r) => (format!("{:.0}%", r * 100.0), yes(r >= least)),
            Err(why) => (format!("— ({why})"), "not judged"),
        };
        goal_row(&mut out, text, &measured, met);
    }
    // The goals on trailstack's own figures rather than on a ratio to the limit.
    let trailstack = |case| {
        let row = find(case).and_then(|c| row_of(c, "trailstack"));
        row.map(|ts| ts.medians())
    };
    if let Some(m) = trailstack(Case::Get1k) {
        let text = format!("GET 1 KiB p99 < 5 ms at {connections} connections");
        let measured = format!("{} ms", num(m.p99_ms));
        goal_row(&mut out, &text, &measured, yes(m.p99_ms < 5.0));
    }
    if let Some(m) = trailstack(Case::List1000) {
        let text = format!("ListObjectsV2 of 1,000 keys ≥ 10x {LIST_BEFORE:.0}/s");
        let measured = format!("{}/s ({:.1}x)", num(m.rps), m.rps / LIST_BEFORE);
        goal_row(&mut out, &text, &measured, yes(m.rps >= 10.0 * LIST_BEFORE));
    }
    out
}

/// One row of the goals table.
fn goal_row(out: &mut String, text: &str, measured: &str, met: &str) {
    let _ = writeln!(out, "| {text} | {measured} | {met} |");
}

const METHOD: &str = "\
Measured with [wrk](https://github.com/wg/wrk) (Debian's package), a C generator that costs a few \
microseconds of CPU per request, instead of the closed loop below, whose per-request signing made \
it, not the server, the bound of the limit reference. Each target is made ready with the closed \
loop's own setup (buckets, 1,000 objects of 1 KiB, a bucket of 1,000 keys, a KMS key per \
operation, a ciphertext). S3 requests are presigned URLs (SigV4 query signing, `UNSIGNED-PAYLOAD`), \
one per key, formatted once per wrk thread and sent in turn; a KMS request is signed once with a \
fixed `X-Amz-Date` and body and replayed, which SigV4 allows for 15 minutes; every set is signed \
afresh before each run and its first request checked once with the tool's own client. \
Each run is `wrk -t THREADS -c CONNS -d SECS --latency` after an unrecorded warm-up run; runs \
alternate between targets (A B C, then C B A, ...) and each figure is the median of the runs. \
Server CPU is utime + stime of the server process from `/proc/PID/stat` across the run; wrk's CPU \
is its own `/proc/self/stat`, read by the script when loaded and at `done()`. **A row where wrk \
used more CPU per request than the server, or kept ≥ 90% of its threads' cores busy, is marked \
generator-bound and gives no ratio**, nor does a row with error answers. Both share the machine's \
two cores, so a server's req/s is bounded by its CPU per request plus wrk's. HEAD is not measured \
here: wrk 4.1 waits for the body a HEAD answer's `Content-Length` announces, so every HEAD times \
out.";

/// The section, markers included.
pub fn section(results: &[CaseResult], info: &Info) -> String {
    let mut out = format!("{BEGIN}\n\n## Small requests measured with wrk\n\n{METHOD}\n\n");
    let _ = write!(
        out,
        "- Date: {}; working tree at {}\n- Machine: {}; load average at the end {}\n- Command: `{}`\n\
         - wrk: {} threads, {} connections, warm-up {} s, measured {} s, {} runs per case and \
         target; put-1k over {} keys per round.\n\n### Goals (issue 22), judged on these rows\n\n",
        info.date,
        info.commit,
        info.machine,
        info.load_at_end,
        info.command,
        info.threads,
        info.connections,
        info.warmup,
        info.duration,
        info.rounds,
        thousands(info.put_keys as u64),
    );
    out.push_str(&goals(results, info.threads, info.connections));
    out.push_str(
        "\n### Rows\n\n| request | target | req/s | p50 ms | p99 ms | server CPU µs/req | \
         wrk CPU µs/req | wrk cores | non-2xx | socket errors | note | runs (req/s) |\n\
         |---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|---|\n",
    );
    for c in results {
        for row in &c.rows {
            let m = row.medians();
            let note = match &row.first_error {
                Some(e) => format!("failed: {}", e.replace('|', "/")),
                None if m.rps <= 0.0 => "no request completed".into(),
                None if row.generator_bound(info.threads) => "**generator-bound**".into(),
                None if m.non_2xx > 0 => "error answers".into(),
                None => String::new(),
            };
            let runs: Vec<String> = row.rounds.iter().map(|r| num(r.run.rps)).collect();
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {:.2} | {} | {} | {note} | {} |",
                c.case.name(),
                row.target,
                num(m.rps),
                num(m.p50_ms),
                num(m.p99_ms),
                m.server_us.map_or("—".into(), num),
                num(m.wrk_us),
                m.wrk_cores,
                m.non_2xx,
                m.socket_errors,
                runs.join(", "),
            );
        }
    }
    out.push_str(
        "\n### Ratios\n\nThroughput ratios only between rows that are not generator-bound. \
         The last column compares cost rather than throughput: the limit server's CPU per request \
         over trailstack's, which the generator does not bound (it is inflated by a loaded \
         machine alike for both).\n\n\
         | request | what | trailstack ÷ limit | trailstack ÷ moto | server CPU per request, limit ÷ trailstack |\n\
         |---|---|--:|--:|--:|\n",
    );
    for c in results {
        let cell = |t| match ratio(c, t, info.threads) {
            Ok(r) if r >= 10.0 => format!("{r:.0}x"),
            Ok(r) => format!("{:.0}%", r * 100.0),
            Err(why) => format!("— ({why})"),
        };
        let cpu = |t| {
            row_of(c, t)
                .and_then(|r| r.medians().server_us)
                .filter(|us| *us > 0.0)
        };
        let cost = match (cpu("limit"), cpu("trailstack")) {
            (Some(l), Some(t)) if l < t / 100.0 => format!("{:.1}%", l / t * 100.0),
            (Some(l), Some(t)) => format!("{:.0}%", l / t * 100.0),
            _ => "—".into(),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {cost} |",
            c.case.name(),
            c.case.describe(info.put_keys),
            cell("limit"),
            cell("moto")
        );
    }
    out.push('\n');
    out.push_str(END);
    out.push('\n');
    out
}

/// `existing` with its wrk section replaced by `section` (placed before the first `## `
/// heading when it has none).
pub fn splice(existing: &str, section: &str) -> String {
    crate::docblock::splice(existing, BEGIN, END, section)
}

/// The wrk section of `old`, if it has one, carried into `new` (a document `report` has just
/// generated, which has none).
pub fn carry(old: &str, new: String) -> String {
    crate::docblock::carry(old, new, BEGIN, END)
}

#[cfg(test)]
mod tests;
