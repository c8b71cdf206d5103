//! The CloudTrail service (AWS CloudTrail JSON 1.1 API, `CloudTrail_20131101.*`): trails and
//! their shadows, event and insight selectors, logging state, tags, the event history
//! (LookupEvents) and the digest signing keys (ListPublicKeys), plus what the recorder and the
//! delivery worker need: the routing table of logging trails ([`CloudTrail::routes`]), the
//! outbox and history tables ([`model`]), the pure selector matching ([`selectors`]), delivery
//! status ([`CloudTrail::record_delivery`]) and signing keys ([`CloudTrail::signing_key`]).
//! [`CloudTrail::call`] is the single entry for HTTP requests (parsed by [`wire`]); it records
//! every call it serves through the recorder, like S3 and KMS (shaped in [`audit`]), after
//! authorizing it against the caller's identity policies (the `authz` module).

pub mod audit;
mod authz;
pub mod delivery;
pub mod error;
pub mod explain_queries;
mod handlers;
pub mod model;
pub mod op;
pub mod recorder;
pub mod selectors;
pub mod wire;

pub use error::{CloudTrailError, CtResult};
pub use handlers::checks;
pub use model::signing::SigningKey;
pub use model::trails::{DeliveryStatus, TrailRoute};
pub use op::{Op, Output};

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use time::OffsetDateTime;
use trailstack_core::{AuditSink, Caller, Clock, KeyService, ObjectWriter};
use trailstack_policy::IdentityPolicies;
use trailstack_store::{Conn, Db, RootKey};

/// The change-notice topic of trail changes (ARCHITECTURE.md §3).
pub const CHANGES_TOPIC: &str = "cloudtrail.trails";

/// The routing table and the order of the write that produced it, so a slower refresh never
/// replaces a newer table.
struct RouteCache {
    seq: u64,
    routes: Arc<Vec<TrailRoute>>,
}

/// The CloudTrail service.
#[derive(Clone)]
pub struct CloudTrail {
    db: Arc<Db>,
    clock: Arc<dyn Clock>,
    region: String,
    keys: Arc<dyn KeyService>,
    objects: Arc<dyn ObjectWriter>,
    root: Arc<RootKey>,
    routes: Arc<Mutex<RouteCache>>,
    route_seq: Arc<AtomicU64>,
    signing: Arc<Mutex<HashMap<String, Arc<SigningKey>>>>,
    identities: Arc<IdentityPolicies>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // The guarded values are replaced whole, never left half-updated, so a poisoned lock is
    // still consistent.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl CloudTrail {
    /// A CloudTrail service over `db`; `region` is used when a caller names none. `keys` and
    /// `objects` reach KMS and S3 for the checks of CreateTrail/UpdateTrail; `root` seals the
    /// digest signing keys. Reads the routing table once, so the store must be migrated.
    pub fn new(
        db: Arc<Db>,
        clock: Arc<dyn Clock>,
        region: &str,
        keys: Arc<dyn KeyService>,
        objects: Arc<dyn ObjectWriter>,
        root: Arc<RootKey>,
    ) -> CloudTrail {
        let routes = db.read(model::trails::logging_trails).unwrap_or_else(|e| {
            tracing::error!("cloudtrail: reading the logging trails failed: {e}");
            Vec::new()
        });
        CloudTrail {
            db,
            clock,
            region: region.to_string(),
            keys,
            objects,
            root,
            routes: Arc::new(Mutex::new(RouteCache {
                seq: 0,
                routes: Arc::new(routes),
            })),
            route_seq: Arc::new(AtomicU64::new(0)),
            signing: Arc::new(Mutex::new(HashMap::new())),
            identities: Arc::new(IdentityPolicies::new()),
        }
    }

    /// The same service authorizing users by `identities` (their inline policies); without
    /// it, users may do nothing (the account's root and service principals may do anything).
    pub fn with_identities(mut self, identities: Arc<IdentityPolicies>) -> Self {
        self.identities = identities;
        self
    }

    /// Authorizes one operation for `caller`, runs it and records it (CloudTrail records its
    /// own calls as management events, denials included). A call whose record cannot be made
    /// durable fails with an internal error: it must not be acknowledged.
    pub async fn call(&self, caller: &Caller, op: Op) -> CtResult<Output> {
        let pending = audit::Pending::start(self, caller, &op).await;
        let result = match authz::check(self, caller, &op).await {
            Ok(()) => handlers::dispatch(self, caller, op).await,
            Err(e) => Err(e),
        };
        let event = pending.finish(self, caller, &result);
        self.record(event)
            .await
            .map_err(|e| CloudTrailError::Internal(e.to_string()))?;
        result
    }

    /// The logging trails, as of the last committed trail change. Cheap: the recorder calls
    /// it for every event.
    pub fn routes(&self) -> Arc<Vec<TrailRoute>> {
        lock(&self.routes).routes.clone()
    }

    /// Records the outcome of a log or digest delivery for GetTrailStatus. Returns false when
    /// the trail no longer exists.
    pub async fn record_delivery(&self, trail_arn: &str, status: DeliveryStatus) -> CtResult<bool> {
        let arn = trail_arn.to_string();
        self.db
            .write(move |c| Ok(model::trails::record_delivery(c, &arn, &status)?))
            .await
    }

    /// The key that signs digests of `region` at `now`, created on first need (and when the
    /// current one expires). Returns its fingerprint and the key.
    pub async fn signing_key(
        &self,
        region: &str,
        now: OffsetDateTime,
    ) -> CtResult<(String, Arc<SigningKey>)> {
        let now_ms = millis(now);
        if let Some(k) = lock(&self.signing).get(region) {
            if k.valid_from_ms <= now_ms && now_ms < k.valid_to_ms {
                return Ok((k.fingerprint.clone(), k.clone()));
            }
        }
        let (root, r) = (self.root.clone(), region.to_string());
        let key = self
            .db
            .write(move |c| {
                Ok::<_, CloudTrailError>(model::signing::current(c, &root, &r, now_ms)?)
            })
            .await?;
        let key = Arc::new(key);
        lock(&self.signing).insert(region.to_string(), key.clone());
        Ok((key.fingerprint.clone(), key))
    }

    /// Runs a write that changes trails, and installs the routing table as that write left
    /// it. The table is read inside the same transaction, and writes run one after another
    /// on the writer, so their sequence numbers order the tables.
    async fn write_trails<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Conn) -> CtResult<T> + Send + 'static,
    ) -> CtResult<T> {
        self.install_routes(f, true).await
    }

    /// [`CloudTrail::write_trails`]; with `notify`, other servers sharing the database are told.
    async fn install_routes<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Conn) -> CtResult<T> + Send + 'static,
        notify: bool,
    ) -> CtResult<T> {
        let seq = self.route_seq.clone();
        let result = self
            .db
            .write(move |c| {
                let v = f(c)?;
                if notify {
                    trailstack_store::changes::bump(c, CHANGES_TOPIC)?;
                }
                let routes = model::trails::logging_trails(c)?;
                Ok::<_, CloudTrailError>((v, routes, seq.fetch_add(1, Ordering::SeqCst) + 1))
            })
            .await;
        match result {
            Ok((v, routes, n)) => {
                let mut cache = lock(&self.routes);
                if n > cache.seq {
                    *cache = RouteCache {
                        seq: n,
                        routes: Arc::new(routes),
                    };
                }
                Ok(v)
            }
            Err(e) => {
                // A failed commit may have left the cache ahead of the store: reload it.
                if let Ok(routes) = self.read(|c| Ok(model::trails::logging_trails(c)?)).await {
                    let n = self.route_seq.fetch_add(1, Ordering::SeqCst) + 1;
                    *lock(&self.routes) = RouteCache {
                        seq: n,
                        routes: Arc::new(routes),
                    };
                }
                Err(e)
            }
        }
    }

    /// Reads the routing table again: another server sharing the database changed trails (the
    /// change notice [`CHANGES_TOPIC`]). Read on the writer, so it is ordered with this
    /// server's own trail writes.
    pub async fn reload_routes(&self) -> CtResult<()> {
        self.install_routes(|_| Ok(()), false).await
    }

    /// Reads the event history once the events recorded so far are in its indexes, so that a
    /// lookup sees every call recorded before it (`model::event_arrivals`).
    async fn read_history<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Conn) -> CtResult<T> + Send + 'static,
    ) -> CtResult<T> {
        self.db
            .write(|c| Ok::<_, CloudTrailError>(model::event_arrivals::index(c, usize::MAX)?))
            .await?;
        self.read(f).await
    }

    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Conn) -> CtResult<T> + Send + 'static,
    ) -> CtResult<T> {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || db.read(f))
            .await
            .map_err(|e| CloudTrailError::Internal(format!("join: {e}")))?
    }

    fn now_ms(&self) -> i64 {
        millis(self.clock.now())
    }

    fn region_of(&self, caller: &Caller) -> String {
        if caller.region.is_empty() {
            self.region.clone()
        } else {
            caller.region.clone()
        }
    }
}

fn millis(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}
