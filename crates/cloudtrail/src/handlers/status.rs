//! GetTrailStatus, StartLogging, StopLogging. Logging changes the routing table, so they go
//! through `write_trails`. Delivery fields are written by the delivery worker
//! (`CloudTrail::record_delivery`).

use super::{find, iso, seconds, Access, Scope};
use crate::error::CtResult;
use crate::model::trails as model;
use crate::op::{NameInput, Output, TrailStatusView};
use crate::CloudTrail;
use trailstack_core::Caller;

/// GetTrailStatus. A new trail answers `IsLogging: false` with its time fields absent and the
/// deprecated string fields empty.
pub async fn get(ct: &CloudTrail, caller: &Caller, i: NameInput) -> CtResult<Output> {
    let scope = Scope::of(ct, caller);
    let t = ct
        .read(move |c| find(c, &scope, &i.name, Access::Read))
        .await?;
    let s = &t.status;
    let text = |v: Option<i64>| v.map(iso).unwrap_or_default();
    Ok(Output::Status(TrailStatusView {
        is_logging: t.logging,
        latest_delivery_error: s.latest_delivery_error.clone(),
        latest_delivery_time: s.latest_delivery_ms.map(seconds),
        start_logging_time: s.start_logging_ms.map(seconds),
        stop_logging_time: s.stop_logging_ms.map(seconds),
        latest_digest_delivery_time: s.latest_digest_delivery_ms.map(seconds),
        latest_digest_delivery_error: s.latest_digest_delivery_error.clone(),
        latest_delivery_attempt_time: text(s.latest_delivery_attempt_ms),
        latest_notification_attempt_time: String::new(),
        latest_notification_attempt_succeeded: String::new(),
        latest_delivery_attempt_succeeded: text(s.latest_delivery_ms),
        time_logging_started: text(s.start_logging_ms),
        time_logging_stopped: text(s.stop_logging_ms),
    }))
}

/// StartLogging (`on`) or StopLogging; idempotent: an unchanged state keeps its time.
pub async fn set_logging(
    ct: &CloudTrail,
    caller: &Caller,
    i: NameInput,
    on: bool,
) -> CtResult<Output> {
    let scope = Scope::of(ct, caller);
    let now = ct.now_ms();
    ct.write_trails(move |c| {
        let mut t = find(c, &scope, &i.name, Access::Mutate)?;
        if t.logging != on {
            t.logging = on;
            if on {
                t.status.start_logging_ms = Some(now);
            } else {
                t.status.stop_logging_ms = Some(now);
            }
            model::update(c, &t)?;
        }
        Ok(())
    })
    .await?;
    Ok(Output::Empty {})
}
