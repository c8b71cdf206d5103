//! The crash harness in cluster mode (ARCHITECTURE.md §3): three `trailstack serve` processes
//! on one PostgreSQL database and one root key, each with its own port and data dir, under the
//! harness's mixed traffic (`traffic.rs`) spread over them, while a probe (`probe.rs`) checks
//! read-after-write across nodes. Nodes are SIGKILLed at random moments — one, two or all
//! three; mid-request, mid-delivery, during start-up — and restarted while the others serve.
//! Between rounds every acknowledged write is read back through a node chosen at random
//! (`model.rs`); a delivery lease held by a killed node must pass to a live one once it has
//! expired; at the end every acknowledged write's record is delivered exactly once,
//! `aws cloudtrail validate-logs` accepts the trail's one digest chain (`trail.rs`), and the
//! probe's acknowledged KMS calls are each in the event history once. Runs for
//! `TRAILSTACK_CRASH_CLUSTER_SECS` (default 75) on PostgreSQL only (`.ci/with-postgres`), and
//! is skipped on SQLite, where a data dir belongs to one server.

use crate::kill9::{self, Run, IN_FLIGHT};
use crate::model::Depth;
use crate::probe::{self, Live};
use crate::server::{self, Proc, Rng};
use crate::traffic::Shared;
use std::ffi::OsStr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use trailstack_store::Db;

const NODES: usize = 3;
/// The nodes' delivery lease: short, so that deliveries a kill cut short are taken over
/// several times a run rather than once in 30 s.
const LEASE_TTL: &str = "4s";
/// How long after a dead node's delivery lease expired a live node must have taken it (their
/// timers try every second).
const TAKEOVER_SLACK_MS: i64 = 15_000;

/// One node: its data dir and log, and its process while it runs.
struct Node {
    data: PathBuf,
    log: PathBuf,
    proc: Option<Proc>,
    endpoint: String,
    /// Set before it is killed: its workers' failed calls are cut short, not findings.
    killing: Arc<AtomicBool>,
}

/// The three nodes over one database and one root key.
struct Cluster {
    url: String,
    key_file: PathBuf,
    nodes: Vec<Node>,
    live: Live,
}

impl Cluster {
    fn spawn(&self, i: usize) -> Proc {
        let n = &self.nodes[i];
        let env = [
            ("TRAILSTACK_DATABASE", OsStr::new(&self.url)),
            ("TRAILSTACK_ROOT_KEY_FILE", self.key_file.as_os_str()),
            ("TRAILSTACK_LEASE_TTL", OsStr::new(LEASE_TTL)),
        ];
        Proc::spawn_with(&n.data, &n.log, &env)
    }

    /// Starts `which` at once and waits for each: a node that cannot start beside the others,
    /// after a crash, is a finding.
    fn start(&mut self, which: &[usize], run: &Run) {
        let procs: Vec<(usize, Proc)> = which.iter().map(|&i| (i, self.spawn(i))).collect();
        for (i, mut p) in procs {
            match tokio::task::block_in_place(|| p.ready()) {
                Ok(endpoint) => {
                    self.live.up(i, &endpoint);
                    self.nodes[i].endpoint = endpoint;
                    self.nodes[i].proc = Some(p);
                }
                Err(e) => run.fail(&[&p], &format!("node {i} did not start: {e}")),
            }
        }
    }

    fn kill(&mut self, i: usize) {
        self.nodes[i].killing.store(true, Ordering::SeqCst);
        self.live.down(i);
        if let Some(p) = self.nodes[i].proc.take() {
            p.kill9();
        }
    }

    fn endpoint(&self, i: usize) -> &str {
        &self.nodes[i].endpoint
    }

    fn procs(&self) -> Vec<&Proc> {
        self.nodes.iter().filter_map(|n| n.proc.as_ref()).collect()
    }

    /// The workers' share of node `i`: its kill excuses their failures, no other's does.
    fn shared_on(&self, i: usize, shared: &Shared) -> Shared {
        Shared {
            killing: self.nodes[i].killing.clone(),
            ..shared.clone()
        }
    }
}

/// What the harness reads in the shared database: log files in flight, and who holds the
/// delivery lease until when.
struct Watch(Db);

impl Watch {
    fn in_flight(&self) -> bool {
        self.0
            .read(|c| c.query_one(IN_FLIGHT, &[], |r| r.get::<i64>(0)))
            .unwrap_or(0)
            > 0
    }

    fn lease(&self) -> Option<(String, i64)> {
        let sql = "SELECT holder, expires_ms FROM store_leases WHERE name = $1";
        let name = trailstack_server::CLOUDTRAIL_DELIVERY.to_string();
        self.0
            .read(|c| c.query_opt(sql, &[&name], |r| Ok((r.get(0)?, r.get(1)?))))
            .ok()
            .flatten()
    }
}

fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// Nodes to kill: one most often, sometimes two, now and then all three.
fn victims(rng: &mut Rng) -> Vec<usize> {
    let n = match rng.between(0, 100) {
        0..65 => 1,
        65..93 => 2,
        _ => NODES,
    };
    let mut all: Vec<usize> = (0..NODES).collect();
    let mut out = Vec::new();
    while out.len() < n {
        out.push(all.swap_remove(rng.between(0, all.len() as u64) as usize));
    }
    out
}

/// What the run counts.
#[derive(Default)]
struct Counts {
    startup_kills: u64,
    delivery_kills: u64,
    /// Delivery leases a killed node held, taken by a live node after they expired.
    takeovers: u64,
}

/// The delivery lease a killed node holds (holder, expiry): once it has expired a live node
/// must take it. Returns what is still pending.
fn takeover(
    watch: &Watch,
    stalled: Option<(String, i64)>,
    counts: &mut Counts,
) -> Result<Option<(String, i64)>, String> {
    let Some((holder, expires)) = stalled else {
        return Ok(None);
    };
    let now = now_ms();
    if watch.lease().as_ref() == Some(&(holder.clone(), expires)) {
        if now > expires + TAKEOVER_SLACK_MS {
            return Err(format!(
                "the delivery lease of a killed node ({holder}) expired {} ms ago and no live \
                 node has taken it",
                now - expires
            ));
        }
        return Ok(Some((holder, expires)));
    }
    // Changed before it expired: its holder was alive after all, and has let it go.
    counts.takeovers += u64::from(now >= expires);
    Ok(None)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cluster_nodes_sigkilled_under_mixed_traffic_lose_nothing_acknowledged() {
    let scratch = tempfile::tempdir().unwrap();
    let Some(url) = trailstack_store::testing::server_database(scratch.path()) else {
        println!(
            "skipped: the cluster crash harness runs on PostgreSQL only (TRAILSTACK_TEST_DATABASE, \
             .ci/with-postgres)"
        );
        return;
    };
    let seed = kill9::seed();
    let budget = Duration::from_secs(kill9::env_u64("TRAILSTACK_CRASH_CLUSTER_SECS", 75));
    println!("cluster crash harness: seed {seed}, {NODES} nodes, {budget:?}");
    let began = Instant::now();
    let validate_from = kill9::cli_time(Duration::from_secs(300));
    let mut rng = Rng::new(seed);
    let key_file = scratch.path().join("root.key");
    let key: String = (0..4).map(|_| format!("{:016x}", rng.next())).collect();
    std::fs::write(&key_file, key).unwrap();
    let mut run = Run {
        seed,
        data: scratch.path().to_path_buf(),
        kills: 0,
        cycle: 0,
    };
    let nodes = (0..NODES)
        .map(|i| Node {
            data: scratch.path().join(format!("node{i}")),
            log: scratch.path().join(format!("node{i}.log")),
            proc: None,
            endpoint: String::new(),
            killing: Arc::default(),
        })
        .collect();
    let mut cluster = Cluster {
        url: url.clone(),
        key_file,
        nodes,
        live: Live::new(NODES),
    };
    // The set-up goes through the first node; the others, started after it, load the trail
    // from the database rather than learning of it from a change notice.
    cluster.start(&[0], &run);
    let shared = kill9::shared(cluster.endpoint(0)).await;
    probe::set_up(cluster.endpoint(0)).await;
    cluster.start(&[1, 2], &run);
    let watch = Watch(Db::connect(&url, &[], 1).expect("the cluster's database"));
    let probe_stop = Arc::new(AtomicBool::new(false));
    let probing = tokio::spawn(probe::run(
        cluster.live.clone(),
        shared.cmk_arn.clone(),
        probe_stop.clone(),
        Rng::new(rng.next()),
    ));
    let mut counts = Counts::default();
    let mut stalled = None;

    while began.elapsed() < budget {
        run.cycle += 1;
        // Every node up, no call in flight: what was acknowledged reads back through any node.
        let reader = rng.between(0, NODES as u64) as usize;
        if let Err(e) = shared
            .verify(cluster.endpoint(reader), Depth::Sample, &mut rng)
            .await
        {
            run.fail(
                &cluster.procs(),
                &format!("read through node {reader}: {e}"),
            );
        }
        stalled = takeover(&watch, stalled, &mut counts)
            .unwrap_or_else(|e| run.fail(&cluster.procs(), &e));
        for n in &cluster.nodes {
            n.killing.store(false, Ordering::SeqCst);
        }
        let workers = kill9::start_workers(&mut rng, |rng| {
            let i = rng.between(0, NODES as u64) as usize;
            (
                cluster.endpoint(i).to_string(),
                cluster.shared_on(i, &shared),
            )
        });
        tokio::time::sleep(Duration::from_millis(rng.between(30, 900))).await;
        let mut lease = None;
        if stalled.is_none() && rng.chance(25) {
            // At a random point of a delivery, on whichever node holds the lease.
            let seen = tokio::task::block_in_place(|| {
                server::poll_until(Duration::from_millis(2500), || watch.in_flight())
            });
            if seen {
                counts.delivery_kills += 1;
                lease = watch.lease();
            }
            tokio::time::sleep(Duration::from_millis(rng.between(0, 15))).await;
        }
        let killed = victims(&mut rng);
        for &i in &killed {
            cluster.kill(i);
            run.kills += 1;
        }
        // A holder alive lets its lease go within moments of its delivery's end; one that
        // keeps it was killed.
        if let Some(held) = lease {
            let gone = tokio::task::block_in_place(|| {
                server::poll_until(Duration::from_millis(1500), || {
                    watch.lease().as_ref() != Some(&held)
                })
            });
            stalled = (!gone).then_some(held);
        }
        // The others serve while the victims are down and while they start again.
        tokio::time::sleep(Duration::from_millis(rng.between(0, 300))).await;
        for &i in &killed {
            if rng.chance(10) {
                let mut p = cluster.spawn(i);
                tokio::time::sleep(Duration::from_millis(rng.between(0, 150))).await;
                counts.startup_kills += u64::from(p.running());
                p.kill9();
                run.kills += 1;
            }
        }
        cluster.start(&killed, &run);
        tokio::time::sleep(Duration::from_millis(rng.between(0, 300))).await;
        shared.stop.store(true, Ordering::SeqCst);
        if let Some(f) = kill9::join(workers).await {
            run.fail(&cluster.procs(), &f);
        }
        shared.stop.store(false, Ordering::SeqCst);
    }

    // The last round, nothing killed: read back through one node, traffic over all three,
    // read back through another; a lease a killed node still holds taken over; every pending
    // record delivered through a third; the trail's files checked.
    run.cycle += 1;
    let endpoints: Vec<String> = (0..NODES)
        .map(|i| cluster.endpoint(i).to_string())
        .collect();
    if let Err(e) = kill9::last_round(&shared, &endpoints, &mut rng).await {
        run.fail(&cluster.procs(), &e);
    }
    probe_stop.store(true, Ordering::SeqCst);
    let probed = probing
        .await
        .unwrap()
        .unwrap_or_else(|e| run.fail(&cluster.procs(), &e));
    let history = probe::check_history(&endpoints[2], &probed.encrypts)
        .await
        .unwrap_or_else(|e| run.fail(&cluster.procs(), &e));
    while stalled.is_some() {
        stalled = takeover(&watch, stalled, &mut counts)
            .unwrap_or_else(|e| run.fail(&cluster.procs(), &e));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let acked = shared.model.lock().unwrap().acked_writes.clone();
    let (files, records, validated) =
        kill9::check_trail(&endpoints[1], &acked, &validate_from, scratch.path()).await;
    let reads = shared.model.lock().unwrap().reads;
    println!(
        "cluster crash harness: {} kills survived ({} during start-up, {} during a delivery; \
         {} delivery leases of killed nodes taken over) in {} cycles, {:.0} s; {} acknowledged \
         writes, each delivered once among {records} records in {files} log files; {reads} \
         objects read back; {} cross-node probes, their {} Encrypt calls each in the event \
         history once (of {history}); validate-logs: {validated}",
        run.kills,
        counts.startup_kills,
        counts.delivery_kills,
        counts.takeovers,
        run.cycle,
        began.elapsed().as_secs_f64(),
        acked.len(),
        probed.rounds,
        probed.encrypts.len(),
    );
}
