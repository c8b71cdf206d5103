//! Reading callgrind's output: the instruction total of a dump (its `totals:` line), and the
//! functions of highest inclusive and self cost from `callgrind_annotate`, leaving out the
//! frames every request runs under (thread start, the tokio scheduler, hyper's connection
//! task), which say nothing about what a path costs.
//!
//! Must not touch: running valgrind or the server.

use std::path::Path;
use std::process::Command;

/// One function's cost in a dump.
#[derive(Debug, Clone, PartialEq)]
pub struct Cost {
    /// Instructions (inclusive or self, as asked).
    pub ir: u64,
    /// The function, without its file and object.
    pub function: String,
}

/// The instruction total of a callgrind dump's text (`totals:`, else `summary:`).
pub fn totals(dump: &str) -> Option<u64> {
    let pick = |prefix: &str| {
        dump.lines()
            .find_map(|l| l.strip_prefix(prefix))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
    };
    pick("totals:").or_else(|| pick("summary:"))
}

/// Frames that enclose every request whatever it does: run-time, scheduler and connection
/// plumbing, and closures that only forward.
const PLUMBING: &[&str] = &[
    "start_thread",
    "clone",
    "clone3",
    "__libc_start",
    "main",
    "std::rt::",
    "std::sys::",
    "std::thread::",
    "<std::sys::",
    "<std::thread::",
    "std::panic",
    "std::panicking",
    "core::ops::function::",
    "tokio::runtime::",
    "tokio::task::",
    "<tokio::runtime::",
    "<core::pin::Pin<",
    "<core::future::",
    "<alloc::boxed::Box<",
    "<std::panic::",
    "<hyper::proto::h1::dispatch::",
    "hyper::proto::h1::dispatch::",
    "<hyper_util::",
    "<hyper::server::conn::",
    "<futures_util::",
    "<tracing::instrument::",
    "__rust_try",
    "0x",
];

/// Whether `function` is plumbing every request runs under (see [`PLUMBING`]).
pub fn is_plumbing(function: &str) -> bool {
    PLUMBING.iter().any(|p| function.starts_with(p)) || function == "???"
}

/// `file:function [object]` as `callgrind_annotate` prints it, as the function alone.
fn function_of(spec: &str) -> String {
    let spec = spec.trim();
    let spec = match spec.rfind(" [") {
        Some(i) if spec.ends_with(']') => &spec[..i],
        _ => spec,
    };
    // The file never holds a ':'; the function's own `::` come after it.
    match spec.find(':') {
        Some(i) if !spec[i..].starts_with("::") => spec[i + 1..].to_owned(),
        _ => spec.to_owned(),
    }
}

/// The cost lines of `callgrind_annotate` output (`1,234 (5.6%)  file:function [object]`),
/// program totals left out, in the order printed.
pub fn parse_annotate(text: &str) -> Vec<Cost> {
    text.lines()
        .filter_map(|l| {
            let l = l.trim_start();
            let (n, rest) = l.split_once(' ')?;
            let ir: u64 = n.replace(',', "").parse().ok()?;
            let rest = rest.trim_start();
            let rest = if rest.starts_with('(') {
                rest.split_once(')')?.1
            } else {
                rest
            };
            let rest = rest.trim();
            (!rest.is_empty() && rest != "PROGRAM TOTALS" && !rest.starts_with("*")).then(|| Cost {
                ir,
                function: function_of(rest),
            })
        })
        .collect()
}

/// The `top` functions of `dump` (whose total is `total`) by inclusive cost and by self
/// cost, plumbing left out. Frames still on a thread's stack when the counters were zeroed
/// show their inclusive cost as their own in valgrind 3.19's listing: self costs of nearly
/// the whole total are left out too.
pub fn top(dump: &Path, top: usize, total: u64) -> Result<(Vec<Cost>, Vec<Cost>), String> {
    let run = |inclusive: bool| -> Result<Vec<Cost>, String> {
        let out = Command::new("callgrind_annotate")
            .arg(format!(
                "--inclusive={}",
                if inclusive { "yes" } else { "no" }
            ))
            .arg("--threshold=100")
            .arg(dump)
            .output()
            .map_err(|e| format!("running callgrind_annotate: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "callgrind_annotate {}: {}",
                dump.display(),
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        let mut costs = parse_annotate(&String::from_utf8_lossy(&out.stdout));
        costs.retain(|c| {
            !is_plumbing(&c.function) && (inclusive || (c.ir as f64) < 0.95 * total as f64)
        });
        costs.dedup_by(|a, b| a.function == b.function);
        costs.truncate(top);
        Ok(costs)
    };
    Ok((run(true)?, run(false)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_total_of_a_dump() {
        let dump = "version: 1\nevents: Ir\nfn=(1) x\n3 10\ntotals: 123456\n";
        assert_eq!(totals(dump), Some(123_456));
        assert_eq!(totals("summary: 77\n"), Some(77));
        assert_eq!(totals("events: Ir\n"), None);
    }

    #[test]
    fn reads_annotate_lines() {
        let text = "\
--------------------------------------------------------------------------------
Ir
--------------------------------------------------------------------------------
1,000,000 (100.0%)  PROGRAM TOTALS

--------------------------------------------------------------------------------
Ir                 file:function
--------------------------------------------------------------------------------
990,000 (99.00%)  ???:start_thread [/usr/lib/x86_64-linux-gnu/libc.so.6]
400,000 (40.00%)  crates/sigv4/src/verify.rs:trailstack_sigv4::verify::verify [/t/trailstack]
120,000 (12.00%)  ???:<hyper::proto::h1::dispatch::Dispatcher<D,Bs,I,T>>::poll_loop [/t/trailstack]
 50,000 ( 5.00%)  ???:memcpy [/usr/lib/x86_64-linux-gnu/libc.so.6]
";
        let costs = parse_annotate(text);
        assert_eq!(costs.len(), 4);
        assert_eq!(costs[1].ir, 400_000);
        assert_eq!(costs[1].function, "trailstack_sigv4::verify::verify");
        assert_eq!(costs[3].function, "memcpy");
        let kept: Vec<&str> = costs
            .iter()
            .filter(|c| !is_plumbing(&c.function))
            .map(|c| c.function.as_str())
            .collect();
        assert_eq!(kept, ["trailstack_sigv4::verify::verify", "memcpy"]);
    }
}
