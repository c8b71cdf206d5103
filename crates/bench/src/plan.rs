//! The plan of a run — scenarios, targets, connections, budgets, rounds — and its execution:
//! for each scenario, setup on every target (which may bind the scenario to that target's
//! answers, e.g. a KMS key id), then rounds alternating between targets (order
//! reversed every other round, A B C C B A ...), so slow drifts of a shared machine hit every
//! target alike, then the scenario's teardown on every target. Results are per-round figures and their medians.
//!
//! A paired scenario ([`Scenario::paired`]) runs each of its rounds twice on a target, back to
//! back — once in the base condition, once in its own, entered by the requests the scenario
//! gives, base first in even rounds and last in odd ones (A B, B A, ...) — so the two figures of
//! a pair were measured seconds apart and their ratio is free of the drift between scenarios.
//!
//! Must not touch: formatting (see `report`) or process management (see `target`).

use crate::runner::{self, Budget};
use crate::scenario::{self, Params, Weight};
use crate::stats::{medians, paired_ratios, Figures};
use crate::target::Target;

/// What to run.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Scenario names, in order.
    pub scenarios: Vec<String>,
    /// Connections (workers) for small-request scenarios.
    pub connections: usize,
    /// Connections for moto's small-request scenarios, if fewer than `connections`.
    pub moto_connections: Option<usize>,
    /// Connections for large-object scenarios.
    pub big_connections: usize,
    /// Budget of one small-request round.
    pub small: Budget,
    /// Budget of one large-object round.
    pub big: Budget,
    /// Rounds per target of small-request scenarios.
    pub rounds: usize,
    /// Rounds per target of large-object scenarios.
    pub big_rounds: usize,
    /// Size of the large objects.
    pub big_size: u64,
    /// Connections used to run setup.
    pub setup_parallel: usize,
    /// Keys of `mixed-80-20`.
    pub mixed_keys: usize,
    /// Concurrent part uploads (connections) of one `multipart-1g` upload.
    pub part_connections: usize,
}

/// One target's results in one scenario.
#[derive(Debug, Clone)]
pub struct Row {
    /// Target name.
    pub target: &'static str,
    /// Connections used (workers times the scenario's lanes).
    pub connections: usize,
    /// Figures of each round.
    pub rounds: Vec<Figures>,
    /// Medians over rounds.
    pub median: Figures,
    /// Of a paired scenario, the figures of each round in the base condition, in step with
    /// `rounds` (the i-th of each made a pair); empty otherwise.
    pub base_rounds: Vec<Figures>,
    /// TCP connections opened during measured phases, all rounds.
    pub connections_opened: u64,
    /// The first failure seen (setup or request), verbatim.
    pub first_error: Option<String>,
}

/// One scenario's results.
#[derive(Debug, Clone)]
pub struct ScenarioResult {
    /// Scenario name.
    pub name: &'static str,
    /// What a request does.
    pub description: String,
    /// Small or large.
    pub weight: Weight,
    /// How the report names the limit reference's row (see `Scenario::limit_label`).
    pub limit_label: &'static str,
    /// Of a paired scenario, how the report names its own condition and the base one.
    pub conditions: Option<(&'static str, &'static str)>,
    /// One row per target, in target order.
    pub rows: Vec<Row>,
}

impl Row {
    /// Of a paired scenario, each pair's throughput in its own condition divided by the
    /// base condition's (req/s, or MB/s for large objects), in round order.
    pub fn pair_ratios(&self, weight: Weight) -> Vec<f64> {
        let pick = match weight {
            Weight::Small => |f: &Figures| f.rps,
            Weight::Large => |f: &Figures| f.mbps,
        };
        paired_ratios(&self.rounds, &self.base_rounds, pick)
    }
}

impl Plan {
    /// The settings scenarios are built with.
    pub fn params(&self) -> Params {
        Params {
            big_size: self.big_size,
            mixed_keys: self.mixed_keys,
            part_connections: self.part_connections,
        }
    }

    /// Workers (each with the scenario's lanes of connections) on `target`.
    fn workers_for(&self, target: &str, weight: Weight) -> usize {
        match weight {
            Weight::Large => self.big_connections,
            Weight::Small if target == "moto" => self.moto_connections.unwrap_or(self.connections),
            Weight::Small => self.connections,
        }
    }

    /// Runs every scenario on every target; `progress` gets one line per round.
    pub async fn execute(
        &self,
        targets: &mut [Target],
        progress: &dyn Fn(&str),
    ) -> Result<Vec<ScenarioResult>, String> {
        let mut results = Vec::new();
        let params = self.params();
        for name in &self.scenarios {
            let sc =
                scenario::build(name, &params).ok_or_else(|| format!("unknown scenario {name}"))?;
            let weight = sc.weight();
            let (budget, rounds) = match weight {
                Weight::Small => (self.small, self.rounds),
                Weight::Large => (self.big, self.big_rounds),
            };
            let conditions = sc.paired().map(|p| (p.label, p.base_label));
            let mut rows: Vec<Row> = targets
                .iter()
                .map(|t| Row {
                    target: t.name,
                    connections: self.workers_for(t.name, weight) * sc.lanes(),
                    rounds: Vec::new(),
                    median: Figures::default(),
                    base_rounds: Vec::new(),
                    connections_opened: 0,
                    first_error: None,
                })
                .collect();
            let mut usable = vec![true; targets.len()];
            let mut bound = vec![sc.clone(); targets.len()];
            for (i, t) in targets.iter().enumerate() {
                progress(&format!("{name}: setup on {}", t.name));
                let ready = match runner::setup(&sc, &t.endpoint, self.setup_parallel).await {
                    Ok(()) => runner::prepare(&sc, &t.endpoint).await,
                    Err(e) => Err(e),
                };
                match ready {
                    Ok(s) => bound[i] = s,
                    Err(e) => {
                        progress(&format!("{name}: {e}"));
                        rows[i].first_error = Some(e);
                        usable[i] = false;
                    }
                }
            }
            for round in 0..rounds {
                let mut order: Vec<usize> = (0..targets.len()).collect();
                if round % 2 == 1 {
                    order.reverse();
                }
                for i in order {
                    // Base condition first in even rounds, last in odd ones.
                    let base_first = [false, true];
                    let conditions: &[bool] = match (conditions, round % 2) {
                        (None, _) => &[true],
                        (Some(_), 0) => &base_first,
                        (Some(_), _) => &[true, false],
                    };
                    for &own in conditions {
                        if !usable[i] {
                            continue;
                        }
                        if let Some(status) = targets[i].exited() {
                            let e = format!(
                                "{} exited ({status}): {}",
                                targets[i].name,
                                targets[i].log_tail()
                            );
                            progress(&e);
                            rows[i].first_error.get_or_insert(e);
                            usable[i] = false;
                            continue;
                        }
                        let sc = &bound[i];
                        let ep = &targets[i].endpoint;
                        // A pair's two rounds write to keys of their own: round 2r and 2r+1.
                        let mut round_no = round;
                        let mut what = String::new();
                        if let Some(p) = sc.paired() {
                            let (enter, label) = if own {
                                (p.enter, p.label)
                            } else {
                                (p.enter_base, p.base_label)
                            };
                            if let Err(e) = runner::switch(sc, enter, ep).await {
                                progress(&format!("{name}: {e}"));
                                rows[i].first_error.get_or_insert(e);
                                usable[i] = false;
                                continue;
                            }
                            round_no = 2 * round + usize::from(own);
                            what = format!(" ({label})");
                        }
                        let workers = self.workers_for(targets[i].name, weight);
                        let s = runner::round(sc, ep, workers, round_no, budget).await;
                        let f = s.figures();
                        progress(&format!(
                            "{name}: round {}/{rounds} {:<10} {:>9.2} req/s {:>8.1} MB/s p50 {:.2} ms p99 {:.2} ms errors {}{what}{}",
                            round + 1,
                            targets[i].name,
                            f.rps,
                            f.mbps,
                            f.p50_ms,
                            f.p99_ms,
                            f.errors,
                            s.first_error.as_deref().map(|e| format!(" (first: {e})")).unwrap_or_default()
                        ));
                        if own {
                            rows[i].rounds.push(f);
                        } else {
                            rows[i].base_rounds.push(f);
                        }
                        rows[i].connections_opened += s.connections_opened;
                        if rows[i].first_error.is_none() {
                            rows[i].first_error = s.first_error;
                        }
                    }
                }
            }
            for (i, t) in targets.iter().enumerate() {
                if !usable[i] {
                    continue;
                }
                if let Err(e) = runner::teardown(&bound[i], &t.endpoint).await {
                    progress(&format!("{name}: {e}"));
                    rows[i].first_error.get_or_insert(e);
                }
            }
            for r in &mut rows {
                r.median = medians(&r.rounds);
            }
            results.push(ScenarioResult {
                name: sc.name(),
                description: sc.describe(),
                weight,
                limit_label: sc.limit_label(),
                conditions,
                rows,
            });
        }
        Ok(results)
    }
}

impl Plan {
    /// The `--smoke` plan: every scenario about 1 s, 4 connections, one round, 16 MiB large
    /// objects (one part in `multipart-1g`), 1,000 keys in `mixed-80-20`. Used by CI so the
    /// harness never rots.
    pub fn smoke() -> Plan {
        use std::time::Duration;
        let stop = |ms| runner::Stop::Time(Duration::from_millis(ms));
        Plan {
            scenarios: scenario::NAMES.iter().map(|s| s.to_string()).collect(),
            connections: 4,
            moto_connections: None,
            big_connections: 1,
            small: Budget {
                warmup: stop(200),
                measure: stop(800),
                request_timeout: Duration::from_secs(30),
            },
            big: Budget {
                warmup: runner::Stop::Count(1),
                measure: runner::Stop::Count(2),
                request_timeout: Duration::from_secs(120),
            },
            rounds: 1,
            big_rounds: 1,
            big_size: 16 << 20,
            setup_parallel: 8,
            mixed_keys: 1000,
            part_connections: scenario::multipart::DEFAULT_PART_CONNECTIONS,
        }
    }
}
