//! Markdown: one table per scenario, the project's speed goals checked against the figures,
//! and the whole BENCHMARKS.md document with its method header.
//!
//! Must not touch: measuring; it formats what the plan produced.

use crate::plan::{Plan, Row, ScenarioResult};
use crate::runner::Stop;
use crate::scenario::Weight;
use crate::stats::{median, medians, yes, Figures};
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
            let figure = |f: &Figures| match r.weight {
                Weight::Small => num(f.rps),
                Weight::Large => format!("{} MB/s", num(f.mbps)),
            };
            let per_round: Vec<String> = row.rounds.iter().map(figure).collect();
            let _ = write!(
                out,
                "- {}: rounds {}",
                label(r, row.target),
                per_round.join(", ")
            );
            if let Some((own, base)) = r.conditions {
                let base_rounds: Vec<String> = row.base_rounds.iter().map(figure).collect();
                let ratios: Vec<String> = row
                    .pair_ratios(r.weight)
                    .iter()
                    .map(|x| format!("{x:.2}x"))
                    .collect();
                let _ = write!(
                    out,
                    " ({own}); {base} {} (median {}); {own} ÷ {base} per pair {}",
                    base_rounds.join(", "),
                    figure(&medians(&row.base_rounds)),
                    ratios.join(", ")
                );
            }
            let measured = (row.rounds.len() + row.base_rounds.len()) as u64;
            if row.connections_opened > row.connections as u64 * measured {
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
        paired(&mut out, r);
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
const PAIRS: &[(&str, &str, &str)] = &[(
    "put-1k-kms-bucket-key",
    "put-1k-kms",
    "with Bucket Keys ÷ without (req/s)",
)];

/// After `r`'s table, its ratio to its base scenario per target, if it has one and the base ran.
fn pairs(out: &mut String, r: &ScenarioResult, results: &[ScenarioResult]) {
    for &(name, base, what) in PAIRS.iter().filter(|p| p.0 == r.name) {
        let Some(b) = results.iter().find(|x| x.name == base) else {
            continue;
        };
        let label = format!("{what}, `{name}` ÷ `{base}`");
        ratio_line(out, &label, r, |row| {
            let other = b.rows.iter().find(|x| x.target == row.target)?;
            let (a, z) = (throughput(row, r.weight), throughput(other, b.weight));
            (a > 0.0 && z > 0.0).then(|| format!("{:.2}x", a / z))
        });
    }
}

/// The line `- label: target ratio, ...` of `r`'s targets that have a `ratio`; none if no
/// target has one.
fn ratio_line(
    out: &mut String,
    label: &str,
    r: &ScenarioResult,
    ratio: impl Fn(&Row) -> Option<String>,
) {
    let per_target: Vec<String> = r
        .rows
        .iter()
        .filter_map(|row| Some(format!("{} {}", row.target, ratio(row)?)))
        .collect();
    if !per_target.is_empty() {
        let _ = writeln!(out, "- {label}: {}", per_target.join(", "));
    }
}

/// Of a paired scenario (see [`crate::scenario::Paired`]), the median of `row`'s per-pair
/// ratios and the number of pairs.
pub fn paired_median(r: &ScenarioResult, row: &Row) -> Option<(f64, usize)> {
    r.conditions?;
    let mut ratios = row.pair_ratios(r.weight);
    (!ratios.is_empty()).then(|| (median(&mut ratios), ratios.len()))
}

/// After a paired scenario's table, each target's median of per-round pair ratios.
fn paired(out: &mut String, r: &ScenarioResult) {
    let Some((own, base)) = r.conditions else {
        return;
    };
    let label = format!(
        "{own} ÷ {base}, median of the per-round pairs measured back to back on one target"
    );
    ratio_line(out, &label, r, |row| {
        let (m, n) = paired_median(r, row)?;
        Some(format!("{m:.2}x ({})", count(n, "pair")))
    });
}

/// One of the project's speed goals, on trailstack's figures.
enum Goal {
    /// trailstack's throughput in `scenario` divided by `peer`'s is at least `least`.
    Peer {
        scenario: &'static str,
        peer: &'static str,
        least: f64,
        text: &'static str,
    },
    /// In the paired `scenario`, the median of trailstack's per-pair ratios (own condition ÷
    /// base) is at least `least`.
    Paired {
        scenario: &'static str,
        least: f64,
        text: &'static str,
    },
    /// trailstack's p99 latency in `scenario` on `connections` connections is below `below_ms`.
    P99 {
        scenario: &'static str,
        connections: usize,
        below_ms: f64,
        text: &'static str,
    },
}

/// The goals of issue 8 ("Benchmarks"), in report order.
const GOALS: &[Goal] = &[
    Goal::Peer {
        scenario: "get-1k",
        peer: "limit",
        least: 0.40,
        text: "GET 1 KiB ≥ 40% of the limit reference",
    },
    Goal::Peer {
        scenario: "get-1k",
        peer: "moto",
        least: 100.0,
        text: "GET 1 KiB ≥ 100x moto",
    },
    Goal::Peer {
        scenario: "head-1k",
        peer: "limit",
        least: 0.40,
        text: "HEAD 1 KiB ≥ 40% of the limit reference",
    },
    Goal::Peer {
        scenario: "head-1k",
        peer: "moto",
        least: 100.0,
        text: "HEAD 1 KiB ≥ 100x moto",
    },
    Goal::Peer {
        scenario: "put-1k",
        peer: "limit",
        least: 0.15,
        text: "PUT 1 KiB ≥ 15% of the limit reference",
    },
    Goal::Peer {
        scenario: "put-1k",
        peer: "moto",
        least: 50.0,
        text: "PUT 1 KiB ≥ 50x moto",
    },
    Goal::Peer {
        scenario: "kms-encrypt-1k",
        peer: "limit",
        least: 0.40,
        text: "KMS Encrypt 1 KiB ≥ 40% of the limit reference",
    },
    Goal::Peer {
        scenario: "kms-encrypt-1k",
        peer: "moto",
        least: 100.0,
        text: "KMS Encrypt 1 KiB ≥ 100x moto",
    },
    Goal::Peer {
        scenario: "kms-decrypt",
        peer: "limit",
        least: 0.40,
        text: "KMS Decrypt ≥ 40% of the limit reference",
    },
    Goal::Peer {
        scenario: "kms-decrypt",
        peer: "moto",
        least: 100.0,
        text: "KMS Decrypt ≥ 100x moto",
    },
    Goal::Peer {
        scenario: "kms-generate-data-key",
        peer: "limit",
        least: 0.40,
        text: "KMS GenerateDataKey ≥ 40% of the limit reference",
    },
    Goal::Peer {
        scenario: "kms-generate-data-key",
        peer: "moto",
        least: 100.0,
        text: "KMS GenerateDataKey ≥ 100x moto",
    },
    Goal::Peer {
        scenario: "get-1g",
        peer: "limit",
        least: 0.50,
        text: "GET 1 GiB SSE-S3 ≥ 50% of the warm-file limit",
    },
    Goal::P99 {
        scenario: "get-1k",
        connections: 64,
        below_ms: 5.0,
        text: "GET 1 KiB p99 latency on 64 connections < 5 ms",
    },
    Goal::Paired {
        scenario: "put-1k-trail",
        least: 0.85,
        text: "PUT 1 KiB with a trail logging all data events within 15% of without",
    },
];

/// `n` `thing`s, plural when not one.
fn count(n: usize, thing: &str) -> String {
    if n == 1 {
        format!("1 {thing}")
    } else {
        format!("{n} {thing}s")
    }
}

/// The measured figure of `goal` and whether it is met (`—` when it cannot be judged).
fn judge(goal: &Goal, results: &[ScenarioResult]) -> (String, &'static str) {
    let not_measured = || ("not measured".to_string(), "—");
    let scenario = match goal {
        Goal::Peer { scenario, .. }
        | Goal::Paired { scenario, .. }
        | Goal::P99 { scenario, .. } => *scenario,
    };
    let Some(r) = results.iter().find(|r| r.name == scenario) else {
        return not_measured();
    };
    let trailstack = r.rows.iter().find(|x| x.target == "trailstack");
    match *goal {
        Goal::Peer { peer, least, .. } => match ratio(r, peer) {
            None => not_measured(),
            Some(x) if least >= 1.0 => (format!("{x:.1}x"), yes(x >= least)),
            Some(x) => (format!("{:.0}%", x * 100.0), yes(x >= least)),
        },
        Goal::Paired { least, .. } => match trailstack.and_then(|row| paired_median(r, row)) {
            None => not_measured(),
            Some((x, n)) => (
                format!(
                    "{:.0}% (median of {} measured back to back)",
                    x * 100.0,
                    count(n, "pair")
                ),
                yes(x >= least),
            ),
        },
        Goal::P99 {
            connections,
            below_ms,
            ..
        } => match trailstack.filter(|row| !row.rounds.is_empty()) {
            None => not_measured(),
            Some(row) if row.connections != connections => (
                format!(
                    "{} ms on {} connections",
                    num(row.median.p99_ms),
                    row.connections
                ),
                "—",
            ),
            Some(row) => (
                format!("{} ms", num(row.median.p99_ms)),
                yes(row.median.p99_ms < below_ms),
            ),
        },
    }
}

/// The project's speed goals, each with its measured figure and whether it is met.
pub fn goals(results: &[ScenarioResult]) -> String {
    let mut out = String::from("| goal | measured | met |\n|---|--:|---|\n");
    for goal in GOALS {
        let text = match goal {
            Goal::Peer { text, .. } | Goal::Paired { text, .. } | Goal::P99 { text, .. } => text,
        };
        let (measured, met) = judge(goal, results);
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
         Large objects: {} MiB each, {} connection(s) ({} per upload in `multipart-1g`, which sends \
         that many parts at once), warm-up {}, measured {}, {} rounds per target. `mixed-80-20` \
         over {} keys.",
        p.connections,
        p.moto_connections.unwrap_or(p.connections),
        stop_text(p.small.warmup),
        stop_text(p.small.measure),
        p.rounds,
        p.big_size >> 20,
        p.big_connections,
        p.part_connections,
        stop_text(p.big.warmup),
        stop_text(p.big.measure),
        p.big_rounds,
        crate::stats::thousands(p.mixed_keys as u64),
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
service `cloudtrail`. A multipart upload (`multipart-1g`) counts as one request: its worker holds \
a few connections, sends CreateMultipartUpload, then the parts on all of them at once (a free \
connection takes the next part), then CompleteMultipartUpload with the parts' ETags.
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
rounds alternate between targets (A B C, then C B A, ...) and every figure is the median over rounds. \
A paired scenario (`put-1k-trail`: trail logging, trail stopped) runs each round twice on a target, \
back to back, in alternating order (stopped then logging, then logging then stopped, ...); its \
ratio is the median of the per-pair ratios, so drift between scenarios minutes apart does not enter it.
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
        "Generated by `trailstack-bench report` (crates/bench) down to the line that says it is \
         not; do not edit that part by hand. The sections between `wrk:` and `callgrind:` \
         markers are written by `trailstack-bench wrk --out BENCHMARKS.md` (small requests \
         driven by wrk, whose rows give the honest ratios to the limit) and `trailstack-bench \
         callgrind --out BENCHMARKS.md` (instructions per request), and `report` keeps them. \
         Figures from other commands (cargo benches, profiles) follow the line, each with its \
         command, and are kept when it is regenerated:\n\n\
         ```\ncargo build --release -p trailstack-server -p trailstack-bench\n\
         target/release/trailstack-bench wrk --out BENCHMARKS.md\n\
         target/release/trailstack-bench callgrind --out BENCHMARKS.md\n\
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

/// The line after which BENCHMARKS.md holds figures from other commands (cargo benches,
/// profiles), each section with the command that produced it; `report` keeps that part.
pub const KEPT_MARKER: &str =
    "<!-- Not generated: figures from other commands follow, each with its command. -->";

/// `generated` followed by the marker and what follows it in `existing` (empty if none).
pub fn with_kept_part(mut generated: String, existing: &str) -> String {
    let kept = existing
        .find(KEPT_MARKER)
        .map(|i| &existing[i + KEPT_MARKER.len()..])
        .unwrap_or("\n");
    if !generated.ends_with('\n') {
        generated.push('\n');
    }
    generated.push('\n');
    generated.push_str(KEPT_MARKER);
    generated.push_str(kept);
    generated
}

#[cfg(test)]
mod tests;
