//! Filling the data dir and reading it back: the fill and touch scenarios, driven by the
//! closed-loop runner.

use super::*;

/// What a fill scenario sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FillKind {
    /// PutObject of 1 KiB to a fresh key.
    Objects,
    /// GetBucketLocation: one management event in the history.
    Events,
}

/// The requests that populate the data dir, driven by the closed-loop runner.
pub(super) struct Fill {
    kind: FillKind,
    body: Bytes,
    hash: Arc<str>,
}

impl Fill {
    pub(super) fn new_dyn(kind: FillKind) -> Arc<dyn Scenario> {
        let body = Bytes::from(generated(OBJECT, 11));
        Arc::new(Fill {
            kind,
            hash: hash_of(&body),
            body,
        })
    }
}

impl Scenario for Fill {
    fn name(&self) -> &'static str {
        match self.kind {
            FillKind::Objects => "footprint-objects",
            FillKind::Events => "footprint-events",
        }
    }

    fn describe(&self) -> String {
        match self.kind {
            FillKind::Objects => format!("PutObject, {OBJECT} bytes, a fresh key each request"),
            FillKind::Events => "GetBucketLocation, recorded in the event history".into(),
        }
    }

    fn weight(&self) -> Weight {
        Weight::Small
    }

    fn setup(&self) -> Vec<Vec<Spec>> {
        Vec::new()
    }

    fn request(&self, slot: Slot) -> Spec {
        match self.kind {
            FillKind::Objects => Spec {
                body: BenchBody::full(self.body.clone()),
                payload_hash: self.hash.clone(),
                ..Spec::s3(
                    Method::PUT,
                    format!(
                        "/{BUCKET}/r{:02}/w{:03}/{:07}",
                        slot.round, slot.worker, slot.seq
                    ),
                    "",
                    Expect::OK,
                )
            },
            FillKind::Events => {
                Spec::s3(Method::GET, format!("/{BUCKET}"), "location=", Expect::OK)
            }
        }
    }
}

/// GETs of stored keys, spread over all of them.
pub(super) struct Touch {
    pub(super) keys: Arc<Vec<String>>,
}

impl Scenario for Touch {
    fn name(&self) -> &'static str {
        "footprint-get"
    }

    fn describe(&self) -> String {
        format!("GetObject of one of {} stored keys", self.keys.len())
    }

    fn weight(&self) -> Weight {
        Weight::Small
    }

    fn setup(&self) -> Vec<Vec<Spec>> {
        Vec::new()
    }

    fn request(&self, slot: Slot) -> Spec {
        let n = self.keys.len().max(1) as u64;
        let i = (slot.seq.wrapping_mul(1_000_003) + slot.worker as u64 * 7919) % n;
        let key = self.keys.get(i as usize).map_or("", String::as_str);
        Spec::s3(
            Method::GET,
            format!("/{BUCKET}/{}", crate::client::encode_path(key)),
            "",
            Expect::body(OBJECT as u64),
        )
    }
}

/// One closed-loop round of exactly `count` requests (or for `time`), no warm-up.
pub(super) async fn drive(
    s: &Arc<dyn Scenario>,
    ep: &Endpoint,
    conns: usize,
    round: usize,
    stop: Stop,
) -> Sample {
    let budget = Budget {
        warmup: Stop::Count(0),
        measure: stop,
        request_timeout: REQUEST_TIMEOUT,
    };
    runner::round(s, ep, conns, round, budget).await
}

/// Sends `total` requests of `kind` in rounds of [`FILL_ROUND`]; returns the elapsed time.
pub(super) async fn fill(
    server: &Server,
    kind: FillKind,
    total: u64,
    conns: usize,
    log: &dyn Fn(&str),
) -> Result<Duration, String> {
    let s = Fill::new_dyn(kind);
    let mut done = 0u64;
    let mut elapsed = Duration::ZERO;
    let mut round = 0;
    while done < total {
        let n = (total - done).min(FILL_ROUND);
        let sample = drive(&s, &server.ep, conns, round, Stop::Count(n)).await;
        if sample.errors > 0 {
            return Err(format!(
                "{}: {} errors; first: {}",
                s.name(),
                sample.errors,
                sample.first_error.unwrap_or_default()
            ));
        }
        done += sample.ok;
        elapsed += sample.elapsed;
        round += 1;
        log(&format!(
            "footprint: {} {}/{} ({:.0}/s), server {}",
            s.name(),
            thousands(done),
            thousands(total),
            sample.ok as f64 / sample.elapsed.as_secs_f64().max(1e-9),
            server.mem()?.describe()
        ));
    }
    Ok(elapsed)
}
