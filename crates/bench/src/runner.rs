//! The closed loop: N workers, each with its own connection, send the scenario's next request
//! as soon as the previous answer is drained. A round is a warm-up phase (not recorded), then
//! a measured phase bracketed by CPU readings of the server and of this process.
//!
//! Must not touch: starting targets or formatting results.

use crate::conn::Conn;
use crate::procstat;
use crate::scenario::{Scenario, Slot};
use crate::sign::Signer;
use crate::spec::Spec;
use crate::stats::Sample;
use crate::{ACCESS_KEY, REGION, SECRET_KEY};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// When a phase ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// After this long (requests in flight are completed and counted).
    Time(Duration),
    /// After this many requests in all.
    Count(u64),
}

/// The phases of one round and the per-request time limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Warm-up, not recorded.
    pub warmup: Stop,
    /// The measured phase.
    pub measure: Stop,
    /// A request slower than this fails.
    pub request_timeout: Duration,
}

/// Where to send: socket address, `Host` header, and the server's PID if known.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// Socket address.
    pub addr: SocketAddr,
    /// The `Host` header (`ip:port`).
    pub host: Arc<str>,
    /// The server process, for CPU accounting.
    pub pid: Option<u32>,
}

struct Worker {
    index: usize,
    conn: Conn,
    signer: Signer,
    seq: u64,
}

#[derive(Default)]
struct Tally {
    ok: u64,
    errors: u64,
    first_error: Option<String>,
    bytes: u64,
    latencies_us: Vec<u32>,
}

impl Tally {
    fn fail(&mut self, e: String) {
        self.errors += 1;
        self.first_error.get_or_insert(e);
    }
}

/// Sends one spec on `w`, recording the outcome in `t`.
async fn one(w: &mut Worker, ep: &Endpoint, spec: Spec, timeout: Duration, t: &mut Tally) {
    let expect = spec.expect;
    let sent = spec.body_len();
    let req = spec.into_request(&ep.host, &mut w.signer);
    let start = Instant::now();
    let res = tokio::time::timeout(timeout, w.conn.send(req)).await;
    let latency = start.elapsed();
    match res {
        Ok(Ok(a)) => match expect.check(a.status, a.body_len) {
            Ok(()) => {
                t.ok += 1;
                t.bytes += sent + a.body_len;
                t.latencies_us
                    .push(u32::try_from(latency.as_micros()).unwrap_or(u32::MAX));
            }
            Err(e) => t.fail(e),
        },
        Ok(Err(e)) => {
            t.fail(e);
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        Err(_) => {
            t.fail(format!("no answer within {timeout:?}"));
            let opened = w.conn.opened;
            w.conn = Conn::new(ep.addr);
            w.conn.opened = opened;
        }
    }
}

/// Runs every worker until `stop`; returns the workers and their merged tally.
async fn phase(
    workers: Vec<Worker>,
    scenario: &Arc<dyn Scenario>,
    ep: &Endpoint,
    round: usize,
    stop: Stop,
    timeout: Duration,
) -> (Vec<Worker>, Tally) {
    let deadline = match stop {
        Stop::Time(d) => Some(Instant::now() + d),
        Stop::Count(_) => None,
    };
    let budget = match stop {
        Stop::Count(n) => n,
        Stop::Time(_) => u64::MAX,
    };
    let issued = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::with_capacity(workers.len());
    for mut w in workers {
        let (scenario, ep, issued) = (scenario.clone(), ep.clone(), issued.clone());
        tasks.push(tokio::spawn(async move {
            let mut t = Tally::default();
            loop {
                if deadline.is_some_and(|d| Instant::now() >= d)
                    || issued.fetch_add(1, Ordering::Relaxed) >= budget
                {
                    break;
                }
                let slot = Slot {
                    round,
                    worker: w.index,
                    seq: w.seq,
                };
                w.seq += 1;
                one(&mut w, &ep, scenario.request(slot), timeout, &mut t).await;
            }
            (w, t)
        }));
    }
    let mut back = Vec::new();
    let mut all = Tally::default();
    for task in tasks {
        let (w, t) = task
            .await
            .unwrap_or_else(|e| panic!("worker panicked: {e}"));
        back.push(w);
        all.ok += t.ok;
        all.bytes += t.bytes;
        all.errors += t.errors;
        all.latencies_us.extend(t.latencies_us);
        if all.first_error.is_none() {
            all.first_error = t.first_error;
        }
    }
    (back, all)
}

/// One round: `connections` workers, warm-up, then the measured phase.
pub async fn round(
    scenario: &Arc<dyn Scenario>,
    ep: &Endpoint,
    connections: usize,
    round: usize,
    budget: Budget,
) -> Sample {
    let workers = (0..connections)
        .map(|index| Worker {
            index,
            conn: Conn::new(ep.addr),
            signer: Signer::new(ACCESS_KEY, SECRET_KEY, REGION),
            seq: 0,
        })
        .collect();
    let timeout = budget.request_timeout;
    let (workers, _) = phase(workers, scenario, ep, round, budget.warmup, timeout).await;
    let opened0: u64 = workers.iter().map(|w| w.conn.opened).sum();
    let server0 = ep.pid.and_then(procstat::cpu_seconds);
    let client0 = procstat::own_cpu_seconds();
    let start = Instant::now();
    let (workers, t) = phase(workers, scenario, ep, round, budget.measure, timeout).await;
    let elapsed = start.elapsed();
    let client_cpu = procstat::own_cpu_seconds() - client0;
    let server1 = ep.pid.and_then(procstat::cpu_seconds);
    let opened1: u64 = workers.iter().map(|w| w.conn.opened).sum();
    Sample {
        ok: t.ok,
        errors: t.errors,
        first_error: t.first_error,
        bytes: t.bytes,
        latencies_us: t.latencies_us,
        elapsed,
        server_cpu: server0.zip(server1).map(|(a, b)| b - a),
        client_cpu,
        connections_opened: opened1 - opened0,
    }
}

/// Runs the scenario's setup stages on up to `parallel` connections; `Err` on any failure.
pub async fn setup(
    scenario: &Arc<dyn Scenario>,
    ep: &Endpoint,
    parallel: usize,
) -> Result<(), String> {
    stages(scenario, scenario.setup(), ep, parallel, "setup").await
}

/// Runs the scenario's teardown stages (see [`Scenario::teardown`]); `Err` on any failure.
pub async fn teardown(scenario: &Arc<dyn Scenario>, ep: &Endpoint) -> Result<(), String> {
    stages(scenario, scenario.teardown(), ep, 1, "teardown").await
}

/// Runs `stages` in order, the requests of one stage on up to `parallel` connections.
async fn stages(
    scenario: &Arc<dyn Scenario>,
    stages: Vec<Vec<Spec>>,
    ep: &Endpoint,
    parallel: usize,
    what: &str,
) -> Result<(), String> {
    for stage in stages {
        let n = parallel.clamp(1, stage.len().max(1));
        let mut lanes: Vec<Vec<Spec>> = vec![Vec::new(); n];
        for (i, spec) in stage.into_iter().enumerate() {
            lanes[i % n].push(spec);
        }
        let mut tasks = Vec::new();
        for (index, lane) in lanes.into_iter().enumerate() {
            let ep = ep.clone();
            tasks.push(tokio::spawn(async move {
                let mut w = Worker {
                    index,
                    conn: Conn::new(ep.addr),
                    signer: Signer::new(ACCESS_KEY, SECRET_KEY, REGION),
                    seq: 0,
                };
                let mut t = Tally::default();
                for spec in lane {
                    one(&mut w, &ep, spec, Duration::from_secs(1800), &mut t).await;
                }
                t
            }));
        }
        for task in tasks {
            let t = task.await.map_err(|e| format!("{what} worker: {e}"))?;
            if let Some(e) = t.first_error {
                return Err(format!("{what} of {}: {e}", scenario.name()));
            }
        }
    }
    Ok(())
}

/// Sends the scenario's [`Scenario::exchange`] requests one at a time on one connection and
/// returns the scenario bound to this target's answers (see [`Scenario::bind`]).
pub async fn prepare(
    scenario: &Arc<dyn Scenario>,
    ep: &Endpoint,
) -> Result<Arc<dyn Scenario>, String> {
    let mut conn = Conn::new(ep.addr);
    let mut signer = Signer::new(ACCESS_KEY, SECRET_KEY, REGION);
    let mut answers = Vec::new();
    while let Some(spec) = scenario.exchange(&answers) {
        let expect = spec.expect;
        let what = spec
            .headers
            .iter()
            .find(|(n, _)| *n == "x-amz-target")
            .map_or_else(
                || format!("{} {}", spec.method, spec.path),
                |(_, v)| v.clone(),
            );
        let req = spec.into_request(&ep.host, &mut signer);
        let (a, body) = tokio::time::timeout(Duration::from_secs(120), conn.send_keep(req))
            .await
            .map_err(|_| format!("setup of {}: {what}: no answer", scenario.name()))?
            .map_err(|e| format!("setup of {}: {what}: {e}", scenario.name()))?;
        expect.check(a.status, a.body_len).map_err(|e| {
            format!(
                "setup of {}: {what}: {e}: {}",
                scenario.name(),
                String::from_utf8_lossy(&body[..body.len().min(300)])
            )
        })?;
        answers.push(body);
    }
    match scenario.bind(&answers) {
        Ok(Some(bound)) => Ok(bound),
        Ok(None) => Ok(scenario.clone()),
        Err(e) => Err(format!("setup of {}: {e}", scenario.name())),
    }
}
