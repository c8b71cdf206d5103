//! Recording a call in the transaction of its effect. For an operation whose outcome is the
//! outcome of one final write (PutObject), [`S3::call`](crate::S3::call) hands the call's
//! pending record to that write: the handler queues its write and, right behind it, the
//! recorder's, which builds the event from what the write did. Effect and record then commit
//! together, in one writer batch instead of two, which is most of what a trail costs a PUT.

use super::Pending;
use crate::error::S3Error;
use crate::op::{Op, Output};
use std::cell::RefCell;
use std::future::Future;
use std::sync::{Arc, Mutex};
use trailstack_core::{AuditSink, Caller, Clock, DeferredEvent};

tokio::task_local! {
    static AT_COMMIT: RefCell<Option<AtCommit>>;
}

/// The outcome of the final write, filled in by the write itself for the record behind it.
pub type Outcome = Arc<Mutex<Option<Result<Output, S3Error>>>>;

/// A call's record, waiting for the call's final write.
pub struct AtCommit {
    pending: Pending,
    caller: Caller,
    clock: Arc<dyn Clock>,
    sink: Arc<dyn AuditSink>,
}

/// Whether `op`'s record is made by its final write.
pub fn applies(op: &Op) -> bool {
    matches!(op, Op::PutObject { .. })
}

/// Runs `work` (authorization and the handler) with the record available to the handler's
/// final write. Gives back the pending record when no write took it, for the caller to record.
pub async fn scope<F: Future>(
    pending: Pending,
    caller: &Caller,
    clock: Arc<dyn Clock>,
    sink: Arc<dyn AuditSink>,
    work: F,
) -> (F::Output, Option<Pending>) {
    let at = AtCommit {
        pending,
        caller: caller.clone(),
        clock,
        sink,
    };
    let cell = RefCell::new(Some(at));
    AT_COMMIT
        .scope(cell, async {
            let out = work.await;
            let left = AT_COMMIT.with(|c| c.borrow_mut().take());
            (out, left.map(|at| at.pending))
        })
        .await
}

/// Takes the call's record, if the write about to be queued is to make it.
pub fn take() -> Option<AtCommit> {
    AT_COMMIT.try_with(|c| c.borrow_mut().take()).ok().flatten()
}

impl AtCommit {
    /// The sink to queue the record with.
    pub fn sink(&self) -> Arc<dyn AuditSink> {
        self.sink.clone()
    }

    /// The event, built from `outcome` once the write has filled it in.
    pub fn deferred(self, outcome: Outcome) -> DeferredEvent {
        Box::new(move || {
            let result = outcome.lock().unwrap_or_else(|e| e.into_inner()).take()?;
            Some(self.pending.finish(&self.caller, &result, self.clock.now()))
        })
    }
}
