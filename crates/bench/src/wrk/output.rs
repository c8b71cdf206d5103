//! Reading what one wrk run printed: requests per second, the latency distribution's p50 and
//! p99 (`--latency`), the request count and duration, non-2xx answers and socket errors, and
//! the two `/proc/self/stat` lines the generated script's `done()` prints, from which the
//! generator's own CPU time is taken.
//!
//! Must not touch: running wrk; this is pure parsing of its text.

use crate::procstat;

/// Prefix of the script's line holding `/proc/self/stat` as read when the script was loaded.
pub const STAT_BEGIN: &str = "trailstack-bench-stat-begin: ";
/// Prefix of the script's line holding `/proc/self/stat` as read in `done()`.
pub const STAT_END: &str = "trailstack-bench-stat-end: ";

/// The figures of one wrk run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WrkRun {
    /// Completed requests.
    pub requests: u64,
    /// The measured duration wrk reports, seconds.
    pub secs: f64,
    /// `Requests/sec`.
    pub rps: f64,
    /// Median latency, ms.
    pub p50_ms: f64,
    /// 99th percentile latency, ms.
    pub p99_ms: f64,
    /// Answers with a status of 400 or more (wrk's "Non-2xx or 3xx responses").
    pub non_2xx: u64,
    /// Connect, read, write and timeout errors, summed.
    pub socket_errors: u64,
    /// wrk's own CPU seconds (utime + stime of all its threads) from loading the script to
    /// `done()`.
    pub wrk_cpu: f64,
}

/// A latency as wrk prints it (`812.00us`, `1.23ms`, `2.01s`, `1.50m`) in milliseconds.
pub fn latency_ms(text: &str) -> Option<f64> {
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (n, unit) = text.split_at(split);
    let n: f64 = n.parse().ok()?;
    Some(match unit {
        "us" => n / 1e3,
        "ms" => n,
        "s" => n * 1e3,
        "m" => n * 60e3,
        "h" => n * 3600e3,
        _ => return None,
    })
}

/// The numbers after `name` in `line`, as in `Socket errors: connect 0, read 3, ...`.
fn counts_after(line: &str, name: &str) -> u64 {
    line.split_once(name)
        .map(|(_, rest)| {
            rest.split([',', ' '])
                .filter_map(|w| w.parse::<u64>().ok())
                .sum()
        })
        .unwrap_or(0)
}

/// Parses wrk's standard output; `Err` names what was missing.
pub fn parse(stdout: &str) -> Result<WrkRun, String> {
    let mut run = WrkRun::default();
    let (mut rps, mut p50, mut p99, mut count) = (None, None, None, None);
    let (mut begin, mut end) = (None, None);
    for line in stdout.lines() {
        let t = line.trim();
        if let Some(v) = t.strip_prefix("Requests/sec:") {
            rps = v.trim().parse::<f64>().ok();
        } else if let Some(v) = t.strip_prefix("50%") {
            p50 = latency_ms(v.trim());
        } else if let Some(v) = t.strip_prefix("99%") {
            p99 = latency_ms(v.trim());
        } else if t.starts_with("Socket errors:") {
            run.socket_errors = counts_after(t, ":");
        } else if let Some(v) = t.strip_prefix("Non-2xx or 3xx responses:") {
            run.non_2xx = v.trim().parse().unwrap_or(0);
        } else if let Some((n, rest)) = t.split_once(" requests in ") {
            count = n.trim().parse::<u64>().ok();
            let dur = rest.split(',').next().unwrap_or("");
            run.secs = latency_ms(dur.trim()).map_or(0.0, |ms| ms / 1e3);
        } else if let Some(v) = line.strip_prefix(STAT_BEGIN) {
            begin = procstat::parse_cpu_seconds(v);
        } else if let Some(v) = line.strip_prefix(STAT_END) {
            end = procstat::parse_cpu_seconds(v);
        }
    }
    let missing = |what: &str| format!("wrk printed no {what}: {}", tail(stdout));
    run.rps = rps.ok_or_else(|| missing("Requests/sec"))?;
    run.requests = count.ok_or_else(|| missing("request count"))?;
    // wrk prints no distribution when nothing completed.
    run.p50_ms = p50.unwrap_or(0.0);
    run.p99_ms = p99.unwrap_or(0.0);
    let (begin, end) = begin.zip(end).ok_or_else(|| missing("CPU lines"))?;
    run.wrk_cpu = (end - begin).max(0.0);
    Ok(run)
}

/// The last lines of `text`, for error messages.
fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(6)..].join(" | ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "Running 5s test @ http://127.0.0.1:4000/
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.23ms  400.00us   9.10ms   80.00%
    Req/Sec    25.00k     1.00k   27.00k    70.00%
  Latency Distribution
     50%  812.00us
     75%    1.10ms
     90%    1.50ms
     99%    2.01s
  123456 requests in 5.00s, 12.34MB read
  Socket errors: connect 0, read 3, write 1, timeout 2
  Non-2xx or 3xx responses: 7
Requests/sec:  24691.20
Transfer/sec:      2.47MB
trailstack-bench-stat-begin: 9 (wrk) R 1 1 1 0 -1 0 0 0 0 0 10 5 0 0 20 0 1 0 1
trailstack-bench-stat-end: 9 (wrk) R 1 1 1 0 -1 0 0 0 0 0 310 105 0 0 20 0 3 0 1
";

    #[test]
    fn reads_a_whole_run() {
        let r = parse(SAMPLE).unwrap();
        assert_eq!(r.requests, 123_456);
        assert!((r.secs - 5.0).abs() < 1e-9);
        assert!((r.rps - 24_691.2).abs() < 1e-6);
        assert!((r.p50_ms - 0.812).abs() < 1e-9);
        assert!((r.p99_ms - 2010.0).abs() < 1e-9);
        assert_eq!((r.non_2xx, r.socket_errors), (7, 6));
        // 400 ticks between the two lines (utime 300, stime 100).
        assert!(r.wrk_cpu > 0.0);
    }

    #[test]
    fn says_what_is_missing() {
        let e = parse("unable to connect to 127.0.0.1:1 Connection refused").unwrap_err();
        assert!(e.contains("Requests/sec"), "{e}");
        let no_cpu = SAMPLE.replace(STAT_END, "x");
        assert!(parse(&no_cpu).unwrap_err().contains("CPU lines"));
    }

    #[test]
    fn reads_latency_units() {
        assert_eq!(latency_ms("500.00us"), Some(0.5));
        assert_eq!(latency_ms("1.50m"), Some(90_000.0));
        assert_eq!(latency_ms("7"), None);
        assert_eq!(latency_ms("3.00xs"), None);
    }
}
