//! The closed loop: N workers, each with its own connection, send the scenario's next request
//! as soon as the previous answer is drained. A round is a warm-up phase (not recorded), then
//! a measured phase bracketed by CPU readings of the server and of this process.
//!
//! A scenario whose unit of work is a [`Sequence`] (a multipart upload) gets workers with
//! [`Scenario::lanes`] connections each: the worker runs the sequence's steps in order, the
//! requests of one step spread over its connections as a queue (a free connection takes the
//! next request, as the aws CLI's transfer threads do), and the whole sequence counts as one
//! request — its bytes, and one latency from its first request to its last answer.
//!
//! Must not touch: starting targets or formatting results.

use crate::conn::Conn;
use crate::procstat;
use crate::scenario::{Reply, Scenario, Sequence, Slot};
use crate::sign::Signer;
use crate::spec::Spec;
use crate::stats::Sample;
use crate::{ACCESS_KEY, REGION, SECRET_KEY};
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
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
    /// The worker's connections: the first sends single requests, all of them carry the
    /// concurrent requests of a sequence step.
    conns: Vec<Conn>,
    signer: Signer,
    seq: u64,
}

impl Worker {
    fn new(index: usize, addr: SocketAddr, lanes: usize) -> Worker {
        Worker {
            index,
            conns: (0..lanes.max(1)).map(|_| Conn::new(addr)).collect(),
            signer: Signer::new(ACCESS_KEY, SECRET_KEY, REGION),
            seq: 0,
        }
    }

    /// TCP connections opened so far on all its lanes.
    fn opened(&self) -> u64 {
        self.conns.iter().map(|c| c.opened).sum()
    }
}

/// A fresh connection in place of `conn`, which timed out with a request in flight; the count
/// of connections opened carries over.
fn replace(conn: &mut Conn, addr: SocketAddr) {
    let opened = conn.opened;
    *conn = Conn::new(addr);
    conn.opened = opened;
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
    let res = tokio::time::timeout(timeout, w.conns[0].send(req)).await;
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
            replace(&mut w.conns[0], ep.addr);
        }
    }
}

/// Runs `seq` to its end on `w`'s lanes, recording it in `t` as one request.
async fn sequence(
    w: &mut Worker,
    ep: &Endpoint,
    mut seq: Box<dyn Sequence>,
    timeout: Duration,
    t: &mut Tally,
) {
    let start = Instant::now();
    let mut bytes = 0;
    let mut replies = Vec::new();
    loop {
        let specs = match seq.next(&replies) {
            Ok(Some(specs)) => specs,
            Ok(None) => break,
            Err(e) => return t.fail(e),
        };
        match step(w, ep, specs, timeout).await {
            Ok((r, b)) => {
                replies = r;
                bytes += b;
            }
            Err(e) => return t.fail(e),
        }
    }
    t.ok += 1;
    t.bytes += bytes;
    t.latencies_us
        .push(u32::try_from(start.elapsed().as_micros()).unwrap_or(u32::MAX));
}

/// Sends one step's `specs` on up to all of `w`'s connections, each taking the next request
/// from a shared queue when its previous one is answered; stops at the first failure. Returns
/// the replies in the order of `specs` and the body bytes sent and received.
async fn step(
    w: &mut Worker,
    ep: &Endpoint,
    specs: Vec<Spec>,
    timeout: Duration,
) -> Result<(Vec<Reply>, u64), String> {
    let n = specs.len();
    let lanes = w.conns.len().min(n).max(1);
    let queue = Arc::new(Mutex::new(
        specs.into_iter().enumerate().collect::<VecDeque<_>>(),
    ));
    let failed = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::with_capacity(lanes);
    for mut conn in w.conns.drain(..lanes) {
        let (queue, failed, ep) = (queue.clone(), failed.clone(), ep.clone());
        let mut signer = w.signer.clone();
        tasks.push(tokio::spawn(async move {
            let mut got = Vec::new();
            let mut error = None;
            while !failed.load(Ordering::Relaxed) {
                let next = queue.lock().ok().and_then(|mut q| q.pop_front());
                let Some((i, spec)) = next else { break };
                match keep(&mut conn, &ep, spec, &mut signer, timeout).await {
                    Ok((reply, bytes)) => got.push((i, reply, bytes)),
                    Err(e) => {
                        failed.store(true, Ordering::Relaxed);
                        error = Some(e);
                        break;
                    }
                }
            }
            (conn, got, error)
        }));
    }
    let mut replies: Vec<Option<Reply>> = vec![None; n];
    let (mut bytes, mut error) = (0, None);
    let mut back = Vec::with_capacity(lanes);
    for task in tasks {
        match task.await {
            Ok((conn, got, e)) => {
                back.push(conn);
                for (i, reply, b) in got {
                    replies[i] = Some(reply);
                    bytes += b;
                }
                if error.is_none() {
                    error = e;
                }
            }
            Err(e) => {
                back.push(Conn::new(ep.addr));
                error.get_or_insert(format!("sequence lane: {e}"));
            }
        }
    }
    w.conns.splice(0..0, back);
    if let Some(e) = error {
        return Err(e);
    }
    let replies = replies.into_iter().collect::<Option<Vec<_>>>();
    replies
        .map(|r| (r, bytes))
        .ok_or_else(|| "a request of the step was never sent".into())
}

/// Sends `spec` on `conn` and keeps its answer; `Err` (naming the request and quoting the
/// answer) when it does not meet the spec's expectation. Returns the reply and the body bytes
/// sent and received.
async fn keep(
    conn: &mut Conn,
    ep: &Endpoint,
    spec: Spec,
    signer: &mut Signer,
    timeout: Duration,
) -> Result<(Reply, u64), String> {
    let expect = spec.expect;
    let sent = spec.body_len();
    let what = format!("{} {}?{}", spec.method, spec.path, spec.query);
    let req = spec.into_request(&ep.host, signer);
    let (a, headers, body) = match tokio::time::timeout(timeout, conn.send_full(req)).await {
        Ok(res) => res.map_err(|e| format!("{what}: {e}"))?,
        Err(_) => {
            replace(conn, ep.addr);
            return Err(format!("{what}: no answer within {timeout:?}"));
        }
    };
    expect.check(a.status, a.body_len).map_err(|e| {
        format!(
            "{what}: {e}: {}",
            String::from_utf8_lossy(&body[..body.len().min(300)])
        )
    })?;
    let reply = Reply {
        status: a.status,
        headers,
        body,
    };
    Ok((reply, sent + a.body_len))
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
                match scenario.sequence(slot) {
                    Some(seq) => sequence(&mut w, &ep, seq, timeout, &mut t).await,
                    None => one(&mut w, &ep, scenario.request(slot), timeout, &mut t).await,
                }
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

/// One round: `workers` workers (each with the scenario's [`Scenario::lanes`] connections),
/// warm-up, then the measured phase.
pub async fn round(
    scenario: &Arc<dyn Scenario>,
    ep: &Endpoint,
    workers: usize,
    round: usize,
    budget: Budget,
) -> Sample {
    let lanes = scenario.lanes();
    let workers = (0..workers)
        .map(|index| Worker::new(index, ep.addr, lanes))
        .collect();
    let timeout = budget.request_timeout;
    let (workers, _) = phase(workers, scenario, ep, round, budget.warmup, timeout).await;
    let opened0: u64 = workers.iter().map(Worker::opened).sum();
    let server0 = ep.pid.and_then(procstat::cpu_seconds);
    let client0 = procstat::own_cpu_seconds();
    let start = Instant::now();
    let (workers, t) = phase(workers, scenario, ep, round, budget.measure, timeout).await;
    let elapsed = start.elapsed();
    let client_cpu = procstat::own_cpu_seconds() - client0;
    let server1 = ep.pid.and_then(procstat::cpu_seconds);
    let opened1: u64 = workers.iter().map(Worker::opened).sum();
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

/// Sends `specs` one at a time, in order: the requests that enter a condition of a paired
/// scenario (see [`crate::scenario::Paired`]); `Err` on any failure.
pub async fn switch(
    scenario: &Arc<dyn Scenario>,
    specs: Vec<Spec>,
    ep: &Endpoint,
) -> Result<(), String> {
    stages(scenario, vec![specs], ep, 1, "switch").await
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
                let mut w = Worker::new(index, ep.addr, 1);
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
        let what = spec.what();
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
