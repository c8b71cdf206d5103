//! Markdown: one table per scenario, the project's speed goals checked against the figures,
//! and the whole BENCHMARKS.md document with its method header.
//!
//! Must not touch: measuring; it formats what the plan produced.

use crate::plan::{Plan, Row, ScenarioResult};
use crate::runner::Stop;
use crate::scenario::Weight;
use crate::GIB;
use std::fmt::Write;

/// Where and how the figures were made.
#[derive(Debug, Clone)]
pub struct RunInfo {
    /// Cores, memory, kernel, load.
    pub machine: String,
    /// The exact command line.
    pub command: String,
    /// When (UTC).
    pub date: String,
    /// The plan that ran.
    pub plan: Plan,
}

/// A number with precision that suits its size.
fn num(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else if v >= 0.1 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

/// The throughput a scenario is compared on: req/s for small requests, MB/s for large.
fn throughput(row: &Row, weight: Weight) -> f64 {
    match weight {
        Weight::Small => row.median.rps,
        Weight::Large => row.median.mbps,
    }
}

/// trailstack's throughput divided by `target`'s in `r`.
pub fn ratio(r: &ScenarioResult, target: &str) -> Option<f64> {
    let ts = r.rows.iter().find(|x| x.target == "trailstack")?;
    let other = r.rows.iter().find(|x| x.target == target)?;
    let (a, b) = (throughput(ts, r.weight), throughput(other, r.weight));
    (a > 0.0 && b > 0.0).then(|| a / b)
}

/// One markdown table per scenario, with per-round throughput and first errors below.
pub fn tables(results: &[ScenarioResult], big_size: u64) -> String {
    let mut out = String::new();
    for r in results {
        let cpu_unit = match r.weight {
            Weight::Small => "CPU-s / 1k req",
            Weight::Large => "CPU-s / GiB",
        };
        let per_unit = |per_1k: f64| match r.weight {
            Weight::Small => per_1k,
            Weight::Large => per_1k / 1000.0 / (big_size as f64 / GIB as f64),
        };
        let _ = writeln!(out, "### {}\n\n{}.\n", r.name, r.description);
        let _ = writeln!(
            out,
            "| target | conns | req/s | MB/s | p50 ms | p99 ms | p99.9 ms | server {cpu_unit} | client {cpu_unit} | errors | trailstack ÷ target |"
        );
        let _ = writeln!(out, "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        for row in &r.rows {
            let m = &row.median;
            let ratio = ratio(r, row.target).map_or("—".into(), |x| format!("{x:.2}x"));
            let server = m
                .server_cpu_per_1k
                .map_or("n/a".into(), |c| num(per_unit(c)));
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                label(r, row.target),
                row.connections,
                num(m.rps),
                num(m.mbps),
                num(m.p50_ms),
                num(m.p99_ms),
                num(m.p999_ms),
                server,
                num(per_unit(m.client_cpu_per_1k)),
                m.errors,
                ratio
            );
        }
        out.push('\n');
        for row in &r.rows {
            let per_round: Vec<String> = row
                .rounds
                .iter()
                .map(|f| match r.weight {
                    Weight::Small => num(f.rps),
                    Weight::Large => format!("{} MB/s", num(f.mbps)),
                })
                .collect();
            let _ = write!(
                out,
                "- {}: rounds {}",
                label(r, row.target),
                per_round.join(", ")
            );
            if row.connections_opened > row.connections as u64 * row.rounds.len() as u64 {
                let _ = write!(
                    out,
                    "; {} TCP connections opened while measuring",
                    row.connections_opened
                );
            }
            if row
                .median
                .server_cpu_per_1k
                .is_some_and(|server| row.median.client_cpu_per_1k > server)
            {
                out.push_str(
                    "; the generator used more CPU than the server: bounded by the shared cores",
                );
            }
            if let Some(e) = &row.first_error {
                let _ = write!(
                    out,
                    "; first error: `{}`",
                    e.replace('`', "'").replace('\n', " ")
                );
            }
            out.push('\n');
        }
        pairs(&mut out, r, results);
        out.push('\n');
    }
    out
}

/// A target's name in `r`'s table: the limit reference says what it did, if it did more than
/// answer canned bytes.
fn label(r: &ScenarioResult, target: &'static str) -> &'static str {
    if target == "limit" {
        r.limit_label
    } else {
        target
    }
}

/// Scenarios reported as a ratio to another one, per target: (scenario, base, what the ratio
/// means). Not goals, just the comparison the pair exists for.
const PAIRS: &[(&str, &str, &str)] = &[
    (
        "put-1k-kms-bucket-key",
        "put-1k-kms",
        "with Bucket Keys ÷ without (req/s)",
    ),
    (
        "put-1k-trail",
        "put-1k",
        "with a trail logging all data events ÷ without (req/s)",
    ),
];

/// `target`'s throughput in scenario `name` divided by its throughput in `base`, same run.
pub fn scenario_ratio(
    results: &[ScenarioResult],
    name: &str,
    base: &str,
    target: &str,
) -> Option<f64> {
    let pick = |n: &str| {
        let r = results.iter().find(|x| x.name == n)?;
        let row = r.rows.iter().find(|x| x.target == target)?;
        Some(throughput(row, r.weight))
    };
    let (a, b) = (pick(name)?, pick(base)?);
    (a > 0.0 && b > 0.0).then(|| a / b)
}

/// Goals on trailstack's figure in one scenario relative to its own in another, same run:
/// (scenario, base, least ratio, text).
const SCENARIO_GOALS: &[(&str, &str, f64, &str)] = &[(
    "put-1k-trail",
    "put-1k",
    0.85,
    "PUT 1 KiB with a trail logging all data events within 15% of without",
)];

/// After `r`'s table, its ratio to its base scenario per target, if it has one and the base ran.
fn pairs(out: &mut String, r: &ScenarioResult, results: &[ScenarioResult]) {
    for &(name, base, what) in PAIRS.iter().filter(|p| p.0 == r.name) {
        let Some(b) = results.iter().find(|x| x.name == base) else {
            continue;
        };
        let per_target: Vec<String> = r
            .rows
            .iter()
            .filter_map(|row| {
                let other = b.rows.iter().find(|x| x.target == row.target)?;
                let (a, z) = (throughput(row, r.weight), throughput(other, b.weight));
                (a > 0.0 && z > 0.0).then(|| format!("{} {:.2}x", row.target, a / z))
            })
            .collect();
        if !per_target.is_empty() {
            let _ = writeln!(
                out,
                "- {what}, `{name}` ÷ `{base}`: {}",
                per_target.join(", ")
            );
        }
    }
}

/// The project's speed goals, each with its measured ratio and whether it is met.
pub fn goals(results: &[ScenarioResult]) -> String {
    let goals: &[(&str, &str, f64, &str)] = &[
        ("put-1k", "moto", 20.0, "PUT 1 KiB ≥ 20x moto"),
        ("get-1k", "moto", 20.0, "GET 1 KiB ≥ 20x moto"),
        (
            "get-1k",
            "limit",
            0.40,
            "GET 1 KiB ≥ 40% of the limit reference",
        ),
        (
            "head-1k",
            "limit",
            0.40,
            "HEAD 1 KiB ≥ 40% of the limit reference",
        ),
        (
            "put-1k",
            "limit",
            0.15,
            "PUT 1 KiB ≥ 15% of the limit reference",
        ),
        (
            "kms-encrypt-1k",
            "moto",
            20.0,
            "KMS Encrypt 1 KiB ≥ 20x moto",
        ),
        ("kms-decrypt", "moto", 20.0, "KMS Decrypt ≥ 20x moto"),
        (
            "kms-generate-data-key",
            "moto",
            20.0,
            "KMS GenerateDataKey ≥ 20x moto",
        ),
        (
            "kms-encrypt-1k",
            "limit",
            0.40,
            "KMS Encrypt 1 KiB ≥ 40% of the limit reference",
        ),
        (
            "kms-decrypt",
            "limit",
            0.40,
            "KMS Decrypt ≥ 40% of the limit reference",
        ),
        (
            "kms-generate-data-key",
            "limit",
            0.40,
            "KMS GenerateDataKey ≥ 40% of the limit reference",
        ),
        (
            "get-1g",
            "limit",
            0.50,
            "GET 1 GiB SSE-S3 ≥ 50% of the warm-file limit",
        ),
    ];
    let mut out = String::from("| goal | measured | met |\n|---|--:|---|\n");
    for &(scenario, peer, want, text) in goals {
        let got = results
            .iter()
            .find(|r| r.name == scenario)
            .and_then(|r| ratio(r, peer));
        let (measured, met) = match got {
            None => ("not measured".to_string(), "—"),
            Some(x) if want >= 1.0 => (format!("{x:.2}x"), if x >= want { "yes" } else { "no" }),
            Some(x) => (
                format!("{:.0}%", x * 100.0),
                if x >= want { "yes" } else { "no" },
            ),
        };
        let _ = writeln!(out, "| {text} | {measured} | {met} |");
    }
    for &(scenario, base, want, text) in SCENARIO_GOALS {
        let (measured, met) = match scenario_ratio(results, scenario, base, "trailstack") {
            None => ("not measured".to_string(), "—"),
            Some(x) => (
                format!("{:.0}% (`{scenario}` ÷ `{base}`)", x * 100.0),
                if x >= want { "yes" } else { "no" },
            ),
        };
        let _ = writeln!(out, "| {text} | {measured} | {met} |");
    }
    out
}

fn stop_text(s: Stop) -> String {
    match s {
        Stop::Time(d) => format!("{} s", d.as_secs_f64()),
        Stop::Count(n) => format!("{n} requests"),
    }
}

/// The run's parameters in one paragraph.
pub fn parameters(info: &RunInfo) -> String {
    let p = &info.plan;
    format!(
        "Small requests: {} connections ({} for moto), warm-up {}, measured {}, {} rounds per target. \
         Large objects: {} MiB each, {} connection(s), warm-up {}, measured {}, {} rounds per target.",
        p.connections,
        p.moto_connections.unwrap_or(p.connections),
        stop_text(p.small.warmup),
        stop_text(p.small.measure),
        p.rounds,
        p.big_size >> 20,
        p.big_connections,
        stop_text(p.big.warmup),
        stop_text(p.big.measure),
        p.big_rounds,
    )
}

const METHOD: &str = "\
- **Closed loop.** Each of N workers owns one HTTP/1.1 keep-alive connection and sends its next \
request as soon as the previous response has been read to the end. Every request is SigV4-signed \
by the generator itself (payload SHA-256 precomputed once for 1 KiB bodies and for each KMS JSON \
body, `UNSIGNED-PAYLOAD` for large ones, which are streamed from a repeated 1 MiB buffer, never held \
whole). KMS requests are `POST /` with `X-Amz-Target: TrentService.<Op>` and a JSON 1.1 body; the \
key (and for Decrypt the ciphertext) is made once per target at setup (CreateKey, Encrypt), as is \
the KMS key of the SSE-KMS PUT scenarios. CloudTrail requests (setup of `put-1k-trail`) are \
`POST /` with `X-Amz-Target: com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.<Op>`, SigV4 \
service `cloudtrail`.
- **Same run, same machine.** trailstack (the release binary on a fresh temp data dir, with \
`--delivery-interval 24h` so that trail delivery never runs while measuring), moto \
(`moto_server`, the peer) and the **limit reference** (`trailstack-bench limit-server`: a bare hyper \
server that answers canned S3-like responses and canned KMS JSON of realistic size without any \
work — no signature check, no storage, no cryptography — and discards uploads) are separate \
processes started by the tool. For large GETs the limit reference is a **warm file**: at start it \
writes a file of the object's size into its own temp dir, beside trailstack's data dir under the \
same system temp dir (same disk), syncs it and reads it once, then streams it to each GET with \
plain 1 MiB reads from the page cache; its row is labelled `limit (warm file)`.
- **Alternating rounds, medians.** Each round is a warm-up (not recorded) and a measured phase; \
rounds alternate between targets (A B C, then C B A, ...) and every figure is the median over rounds.
- **CPU.** Server CPU is utime + stime of the server process from `/proc/PID/stat` across the \
measured phase, per 1,000 requests (per GiB for large objects); client CPU is the same for the \
generator.
- **Noise.** This is a shared 2-core machine: the generator and the server compete for the same \
two cores, and other work may run at the same time. Absolute figures move from run to run; compare \
the ratios between targets measured in the same run. The limit reference shows what this client, \
hyper and this machine allow at best.\n";

/// The whole BENCHMARKS.md.
pub fn document(results: &[ScenarioResult], info: &RunInfo) -> String {
    let mut out = String::from("# Benchmarks\n\n");
    out.push_str(
        "Generated by `trailstack-bench report` (crates/bench); do not edit by hand. To regenerate:\n\n\
         ```\ncargo build --release -p trailstack-server -p trailstack-bench\n\
         target/release/trailstack-bench report --out BENCHMARKS.md\n```\n\n## Method\n\n",
    );
    out.push_str(METHOD);
    let _ = write!(
        out,
        "\n## This run\n\n- Date: {}\n- Machine: {}\n- Command: `{}`\n- {}\n\n## Goals\n\n{}\n## Results\n\n{}",
        info.date,
        info.machine,
        info.command,
        parameters(info),
        goals(results),
        tables(results, info.plan.big_size)
    );
    out
}
