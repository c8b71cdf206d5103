//! The callgrind section of BENCHMARKS.md: instructions per request for each case, and for
//! each the functions of highest inclusive and self cost, per request.
//!
//! Must not touch: measuring; it formats what [`super::measure`] produced.

use super::CaseCost;
use crate::stats::thousands;
use std::fmt::Write;

/// The line that opens the section in BENCHMARKS.md.
pub const BEGIN: &str =
    "<!-- callgrind: begin. Written by `trailstack-bench callgrind --out BENCHMARKS.md`; kept by `report`. -->";
/// The line that closes it.
pub const END: &str = "<!-- callgrind: end -->";

/// Where and how the figures were made.
#[derive(Debug, Clone)]
pub struct Info {
    /// When (UTC).
    pub date: String,
    /// The exact command line.
    pub command: String,
    /// The commit of the working directory the command ran in.
    pub commit: String,
    /// Instructions per second of the idle server.
    pub idle_rate: f64,
    /// Unmeasured requests of each case before measuring.
    pub warmup: u64,
}

/// `ir` instructions of a batch of `n` requests, per request, in thousands.
fn k_per_request(ir: u64, n: u64) -> String {
    format!("{:.1} k", ir as f64 / n.max(1) as f64 / 1e3)
}

/// Function names cut to something a table can hold: generic arguments and hashes dropped.
pub fn short(function: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    let mut chars = function.chars().peekable();
    // Keep a leading `<` (trait impls read `<T as Trait>::f`), drop nested generics.
    if chars.peek() == Some(&'<') {
        out.push('<');
        chars.next();
    }
    for c in chars {
        match c {
            '<' => depth += 1,
            '>' if depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    let out = out.replace('|', "/");
    match out.rfind("::h") {
        Some(i) if out[i + 3..].len() == 16 => out[..i].to_owned(),
        _ => out,
    }
}

/// The section, markers included.
pub fn section(costs: &[CaseCost], info: &Info) -> String {
    let mut out = format!(
        "{BEGIN}\n\n## Instructions per request (callgrind)\n\n\
         What the machine's noise does not move. trailstack's release build (line tables on) \
         ran under `valgrind --tool=callgrind` on a fresh data dir; each case's state was made \
         with the closed loop's setup and {} unmeasured requests of every case were sent first. \
         Then for each case: counters zeroed (`callgrind_control -z`), N requests sent one at a \
         time on one keep-alive connection (header-signed, as an SDK sends them), counters \
         dumped (`callgrind_control -d`); the figure is the dump's total, less the idle \
         server's rate ({} instructions/s, measured the same way over a quiet interval) times \
         the batch's wall time, over N. One client on one connection: per-request run-time \
         overhead (waking threads) is not amortised as it is under load.\n\n\
         - Date: {}; working tree at {}\n- Command: `{}`\n\n\
         | request | N | instructions per request | idle subtracted, per request | batch wall s |\n\
         |---|--:|--:|--:|--:|\n",
        info.warmup,
        thousands(info.idle_rate as u64),
        info.date,
        info.commit,
        info.command,
    );
    for c in costs {
        let _ = writeln!(
            out,
            "| {} | {} | **{}** | {} | {:.1} |",
            c.name,
            c.requests,
            thousands(c.per_request()),
            thousands(c.idle / c.requests.max(1)),
            c.secs
        );
    }
    out.push_str(
        "\nWhere they go, per request (inclusive: the function and all it calls, the frames \
         every request runs under — thread start, tokio's scheduler, hyper's connection task — \
         left out; self: the function's own instructions):\n",
    );
    for c in costs {
        let _ = write!(
            out,
            "\n**{}** ({} per request)\n\n| inclusive | function | self | function |\n|--:|---|--:|---|\n",
            c.name,
            thousands(c.per_request())
        );
        let rows = c.inclusive.len().max(c.exclusive.len());
        for i in 0..rows {
            let cell = |v: Option<&super::profile::Cost>| match v {
                Some(x) => (
                    k_per_request(x.ir, c.requests),
                    format!("`{}`", short(&x.function)),
                ),
                None => (String::new(), String::new()),
            };
            let (a, b) = cell(c.inclusive.get(i));
            let (x, y) = cell(c.exclusive.get(i));
            let _ = writeln!(out, "| {a} | {b} | {x} | {y} |");
        }
    }
    out.push('\n');
    out.push_str(END);
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::super::profile::Cost;
    use super::*;

    #[test]
    fn shortens_rust_names() {
        assert_eq!(
            short("<trailstack_s3::Service<C> as core::ops::Fn<(A,)>>::call"),
            "<trailstack_s3::Service as core::ops::Fn>::call"
        );
        assert_eq!(short("memcpy"), "memcpy");
        assert_eq!(short("a::b::h0123456789abcdef"), "a::b");
    }

    #[test]
    fn the_section_lists_figures_and_profiles() {
        let costs = vec![CaseCost {
            name: "get-1k",
            requests: 100,
            total: 25_000_000,
            idle: 1_000_000,
            secs: 2.0,
            inclusive: vec![Cost {
                ir: 6_400_000,
                function: "trailstack_sigv4::verify::verify".into(),
            }],
            exclusive: vec![
                Cost {
                    ir: 3_000_000,
                    function: "memcpy".into(),
                },
                Cost {
                    ir: 2_000_000,
                    function: "malloc".into(),
                },
            ],
        }];
        let info = Info {
            date: "d".into(),
            command: "c".into(),
            commit: "abc".into(),
            idle_rate: 500_000.0,
            warmup: 20,
        };
        let s = section(&costs, &info);
        assert!(
            s.contains("| get-1k | 100 | **240,000** | 10,000 | 2.0 |"),
            "{s}"
        );
        assert!(s.contains("| 64.0 k | `trailstack_sigv4::verify::verify` | 30.0 k | `memcpy` |"));
        assert!(s.contains("|  |  | 20.0 k | `malloc` |"));
        assert!(s.starts_with(BEGIN) && s.trim_end().ends_with(END));
    }
}
