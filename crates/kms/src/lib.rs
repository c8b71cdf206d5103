//! The KMS service (AWS KMS JSON 1.1 API, `TrentService.*`): keys of every spec, aliases,
//! key policies, tags, lifecycle, rotation and real cryptography, with key material sealed at
//! rest by the root key. [`Kms::call`] is the single entry for HTTP requests (parsed by
//! [`wire`]) and for other services' internal calls; it reports every call to the
//! [`AuditSink`] (shaped in [`audit`]).

pub mod audit;
mod authz;
mod blob;
pub mod crypto;
pub mod error;
pub mod explain_queries;
mod handlers;
pub mod model;
pub mod op;
mod port;
mod schedule;
pub mod shapes;
#[cfg(test)]
mod test_support;
pub mod wire;

pub use error::{KmsError, KmsResult};
pub use op::{Op, OpKind, Operation, Output};

use std::sync::Arc;
use trailstack_core::{AuditSink, Caller, Clock, NoAudit};
use trailstack_policy::IdentityPolicies;
use trailstack_store::{Db, RootKey};

/// The change-notice topic of KMS's writes (ARCHITECTURE.md §3).
pub const CHANGES_TOPIC: &str = "kms.keys";

/// The KMS service.
#[derive(Clone)]
pub struct Kms {
    db: Arc<Db>,
    root: Arc<RootKey>,
    clock: Arc<dyn Clock>,
    region: String,
    /// Where every call is reported (CloudTrail's recorder).
    audit: Arc<dyn AuditSink>,
    /// The identity policies of the configured users.
    identities: Arc<IdentityPolicies>,
    /// Parsed key policies.
    key_policies: Arc<authz::KeyPolicies>,
    /// When housekeeping next has work.
    schedule: Arc<schedule::Schedule>,
}

impl Kms {
    /// A KMS service over `db`, sealing material with `root`; `region` is used when a caller
    /// names none.
    pub fn new(db: Arc<Db>, root: Arc<RootKey>, clock: Arc<dyn Clock>, region: &str) -> Kms {
        Kms {
            db,
            root,
            clock,
            region: region.to_string(),
            audit: Arc::new(NoAudit),
            identities: Arc::default(),
            key_policies: Arc::default(),
            schedule: Arc::default(),
        }
    }

    /// The same service authorizing users by `identities` (their inline policies), where
    /// key policies delegate to them; without it, users have only what key policies and
    /// grants give them by name.
    pub fn with_identities(mut self, identities: Arc<IdentityPolicies>) -> Self {
        self.identities = identities;
        self
    }

    /// The same service reporting every call to `sink`.
    pub fn with_audit(mut self, sink: Arc<dyn AuditSink>) -> Self {
        self.audit = sink;
        self
    }

    /// Runs one operation for `caller` and records it. A call whose record cannot be made
    /// durable fails with an internal error: it must not be acknowledged.
    pub async fn call(&self, caller: &Caller, op: Op) -> KmsResult<Output> {
        let pending = audit::Pending::start(self, caller, &op).await;
        let result = self.run(caller, op).await;
        let event = pending.finish(self, caller, &result).await;
        self.audit
            .record(event)
            .await
            .map_err(|e| KmsError::Internal(e.to_string()))?;
        result
    }

    /// Runs one operation as [`Kms::call`] does, answering with its typed output: how other
    /// services call KMS.
    pub async fn invoke<I: Operation>(&self, caller: &Caller, input: I) -> KmsResult<I::Output> {
        let out = self.call(caller, input.into_op()).await?;
        I::output(out).ok_or_else(|| KmsError::Internal("answered another operation".into()))
    }

    /// Runs one operation's handler, after the housekeeping the clock calls for.
    async fn run(&self, caller: &Caller, op: Op) -> KmsResult<Output> {
        handlers::housekeeping(self).await?;
        authz::check(self, caller, &op).await?;
        handlers::dispatch(self, caller, op).await
    }

    async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&trailstack_store::Conn) -> KmsResult<T> + Send + 'static,
    ) -> KmsResult<T> {
        // Every write may move a due time: other servers sharing the database forget theirs.
        let written = self
            .db
            .write(move |c| {
                let out = f(c)?;
                trailstack_store::changes::bump(c, CHANGES_TOPIC)?;
                Ok(out)
            })
            .await;
        self.schedule.written();
        written
    }

    /// Forgets when the next scheduled key change is due: another server sharing the database
    /// wrote keys (the change notice [`CHANGES_TOPIC`]).
    pub fn forget_schedule(&self) {
        self.schedule.written();
    }

    /// Runs a read bounded by a few rows (a key, its policy and grants) on this thread: a
    /// hand-off to the blocking pool and back would cost more than the read.
    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&trailstack_store::Conn) -> KmsResult<T> + Send + 'static,
    ) -> KmsResult<T> {
        self.db.read(f)
    }

    /// Runs a listing on a blocking thread, so that it never holds up the requests sharing
    /// this one.
    async fn scan<T: Send + 'static>(
        &self,
        f: impl FnOnce(&trailstack_store::Conn) -> KmsResult<T> + Send + 'static,
    ) -> KmsResult<T> {
        let db = self.db.clone();
        on_blocking_pool(move || db.read(f)).await
    }

    fn now_ms(&self) -> i64 {
        (self.clock.now().unix_timestamp_nanos() / 1_000_000) as i64
    }

    fn region_of(&self, caller: &Caller) -> String {
        if caller.region.is_empty() {
            self.region.clone()
        } else {
            caller.region.clone()
        }
    }
}

/// Runs `f` — a long scan, an RSA key generation — on the blocking pool, so that it never holds
/// up the requests sharing this thread.
async fn on_blocking_pool<T: Send + 'static>(
    f: impl FnOnce() -> KmsResult<T> + Send + 'static,
) -> KmsResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| KmsError::Internal(format!("join: {e}")))?
}
