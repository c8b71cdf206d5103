//! What one measured round produced ([`Sample`]), its figures ([`Figures`]), the median of
//! figures over rounds, the ratios of paired rounds, and counts as the reports write them
//! ([`thousands`]).
//!
//! Must not touch: IO or timing; pure arithmetic over recorded numbers.

use std::time::Duration;

/// Raw results of one measured round against one target.
#[derive(Debug, Clone, Default)]
pub struct Sample {
    /// Successful requests.
    pub ok: u64,
    /// Failed requests (transport error, unexpected status or body length).
    pub errors: u64,
    /// The first failure, verbatim.
    pub first_error: Option<String>,
    /// Body bytes sent and received by successful requests.
    pub bytes: u64,
    /// Latency of each successful request, in microseconds.
    pub latencies_us: Vec<u32>,
    /// Wall time of the measured window.
    pub elapsed: Duration,
    /// Server CPU seconds (user + system) over the window, if its PID is known.
    pub server_cpu: Option<f64>,
    /// The generator's own CPU seconds over the window.
    pub client_cpu: f64,
    /// TCP connections opened during the window.
    pub connections_opened: u64,
}

/// The figures of a round (or the medians of several).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Figures {
    /// Successful requests per second.
    pub rps: f64,
    /// Body megabytes (10^6 bytes) per second.
    pub mbps: f64,
    /// Median latency, ms.
    pub p50_ms: f64,
    /// 99th percentile latency, ms.
    pub p99_ms: f64,
    /// 99.9th percentile latency, ms.
    pub p999_ms: f64,
    /// Server CPU seconds per 1,000 requests.
    pub server_cpu_per_1k: Option<f64>,
    /// Generator CPU seconds per 1,000 requests.
    pub client_cpu_per_1k: f64,
    /// Failed requests.
    pub errors: u64,
}

/// The `q`-quantile (0..=1) of sorted values, nearest rank.
pub fn quantile(sorted: &[u32], q: f64) -> u32 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

impl Sample {
    /// The figures of this round.
    pub fn figures(&self) -> Figures {
        let secs = self.elapsed.as_secs_f64().max(1e-9);
        let mut lat = self.latencies_us.clone();
        lat.sort_unstable();
        let ms = |q| f64::from(quantile(&lat, q)) / 1000.0;
        let per_1k = |cpu: f64| {
            if self.ok == 0 {
                0.0
            } else {
                cpu * 1000.0 / self.ok as f64
            }
        };
        Figures {
            rps: self.ok as f64 / secs,
            mbps: self.bytes as f64 / secs / 1e6,
            p50_ms: ms(0.5),
            p99_ms: ms(0.99),
            p999_ms: ms(0.999),
            server_cpu_per_1k: self.server_cpu.map(per_1k),
            client_cpu_per_1k: per_1k(self.client_cpu),
            errors: self.errors,
        }
    }
}

/// Median of `v` (mean of the middle two when even); 0 when empty.
pub fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Field-by-field medians of several rounds; errors are summed.
pub fn medians(rounds: &[Figures]) -> Figures {
    let m = |f: fn(&Figures) -> f64| median(&mut rounds.iter().map(f).collect::<Vec<_>>());
    let cpu: Vec<f64> = rounds.iter().filter_map(|r| r.server_cpu_per_1k).collect();
    Figures {
        rps: m(|r| r.rps),
        mbps: m(|r| r.mbps),
        p50_ms: m(|r| r.p50_ms),
        p99_ms: m(|r| r.p99_ms),
        p999_ms: m(|r| r.p999_ms),
        server_cpu_per_1k: (!cpu.is_empty()).then(|| median(&mut cpu.clone())),
        client_cpu_per_1k: m(|r| r.client_cpu_per_1k),
        errors: rounds.iter().map(|r| r.errors).sum(),
    }
}

/// Each pair's ratio `pick(own) / pick(base)`, pairing `own[i]` with `base[i]`; a pair with a
/// zero figure (a round that failed throughout) gives none.
pub fn paired_ratios(own: &[Figures], base: &[Figures], pick: fn(&Figures) -> f64) -> Vec<f64> {
    own.iter()
        .zip(base)
        .map(|(a, b)| (pick(a), pick(b)))
        .filter(|&(a, b)| a > 0.0 && b > 0.0)
        .map(|(a, b)| a / b)
        .collect()
}

/// Whether a goal is `met`, as the reports' goals tables write it.
pub fn yes(met: bool) -> &'static str {
    if met {
        "yes"
    } else {
        "no"
    }
}

/// `n` with `,` between thousands (`1,000,000`), as the reports write counts.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_nearest_rank() {
        let v: Vec<u32> = (1..=1000).collect();
        assert_eq!(quantile(&v, 0.5), 500);
        assert_eq!(quantile(&v, 0.99), 990);
        assert_eq!(quantile(&v, 0.999), 999);
        assert_eq!(quantile(&[], 0.5), 0);
        assert_eq!(quantile(&[7], 0.999), 7);
    }

    #[test]
    fn medians_of_rounds() {
        let r = |rps, cpu| Figures {
            rps,
            server_cpu_per_1k: cpu,
            errors: 1,
            ..Figures::default()
        };
        let m = medians(&[r(3.0, Some(1.0)), r(1.0, None), r(2.0, Some(3.0))]);
        assert_eq!(m.rps, 2.0);
        assert_eq!(m.server_cpu_per_1k, Some(2.0));
        assert_eq!(m.errors, 3);
    }

    #[test]
    fn figures_of_a_sample() {
        let s = Sample {
            ok: 2000,
            bytes: 2_000_000,
            latencies_us: vec![1000; 2000],
            elapsed: Duration::from_secs(2),
            server_cpu: Some(0.5),
            client_cpu: 0.25,
            ..Sample::default()
        };
        let f = s.figures();
        assert_eq!(f.rps, 1000.0);
        assert_eq!(f.mbps, 1.0);
        assert_eq!(f.p99_ms, 1.0);
        assert_eq!(f.server_cpu_per_1k, Some(0.25));
        assert_eq!(f.client_cpu_per_1k, 0.125);
    }

    #[test]
    fn pairs_give_one_ratio_each() {
        let f = |rps| Figures {
            rps,
            ..Figures::default()
        };
        let own = [f(90.0), f(45.0), f(100.0), f(10.0)];
        let base = [f(100.0), f(50.0), f(0.0)];
        let r = paired_ratios(&own, &base, |x| x.rps);
        assert_eq!(r, vec![0.9, 0.9]);
        // Drift between pairs cancels: each pair's own and base moved together.
        assert_eq!(median(&mut r.clone()), 0.9);
        assert!(paired_ratios(&[], &base, |x| x.rps).is_empty());
    }
}
