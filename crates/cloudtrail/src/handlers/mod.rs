//! CloudTrail operation handlers, one file per family, and what they share: finding a trail by
//! name or ARN as seen from the caller's region (shadows included), the home-region rule for
//! mutations, and the Trail shape.

pub mod checks;
mod insights;
mod lookup;
pub mod names;
mod public_keys;
mod selectors;
mod status;
mod tags;
mod trails;

use crate::error::{CloudTrailError, CtResult};
use crate::model::trails::{self as trail_model, TrailRecord};
use crate::op::{Op, Output, TrailView};
use crate::CloudTrail;
use names::NameOrArn;
use trailstack_core::Caller;
use trailstack_store::Conn;

/// Routes an operation to its handler.
pub async fn dispatch(ct: &CloudTrail, caller: &Caller, op: Op) -> CtResult<Output> {
    match op {
        Op::CreateTrail(i) => trails::create(ct, caller, i).await,
        Op::UpdateTrail(i) => trails::update(ct, caller, i).await,
        Op::DeleteTrail(i) => trails::delete(ct, caller, i).await,
        Op::GetTrail(i) => trails::get(ct, caller, i).await,
        Op::DescribeTrails(i) => trails::describe(ct, caller, i).await,
        Op::ListTrails(i) => trails::list(ct, caller, i).await,
        Op::GetTrailStatus(i) => status::get(ct, caller, i).await,
        Op::StartLogging(i) => status::set_logging(ct, caller, i, true).await,
        Op::StopLogging(i) => status::set_logging(ct, caller, i, false).await,
        Op::AddTags(i) => tags::add(ct, caller, i).await,
        Op::RemoveTags(i) => tags::remove(ct, caller, i).await,
        Op::ListTags(i) => tags::list(ct, caller, i).await,
        Op::PutEventSelectors(i) => selectors::put(ct, caller, i).await,
        Op::GetEventSelectors(i) => selectors::get(ct, caller, i).await,
        Op::PutInsightSelectors(i) => insights::put(ct, caller, i).await,
        Op::GetInsightSelectors(i) => insights::get(ct, caller, i).await,
        Op::LookupEvents(i) => lookup::lookup(ct, caller, i).await,
        Op::ListPublicKeys(i) => public_keys::list(ct, caller, i).await,
        Op::Unsupported(name) => Err(CloudTrailError::NotImplemented(format!(
            "trailstack does not serve CloudTrail {name}."
        ))),
    }
}

/// What the caller means to do with a trail it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Read it: shadows and, by ARN, trails of other regions are fine.
    Read,
    /// Change it: only from its home region.
    Mutate,
}

/// Where a call happens: the caller's account and region.
#[derive(Debug, Clone)]
pub struct Scope {
    /// Account id.
    pub account: String,
    /// Region the caller addressed.
    pub region: String,
}

impl Scope {
    /// The scope of `caller`.
    pub fn of(ct: &CloudTrail, caller: &Caller) -> Scope {
        Scope {
            account: caller.account.to_string(),
            region: ct.region_of(caller),
        }
    }
}

/// `TrailNotFoundException` as AWS words it.
pub fn not_found(name_or_arn: &str, account: &str) -> CloudTrailError {
    CloudTrailError::TrailNotFound(format!(
        "Unknown trail: {name_or_arn} for the user: {account}"
    ))
}

/// Finds the trail `name_or_arn` names for `scope`, applying the home-region rule to
/// mutations.
pub fn find(c: &Conn, scope: &Scope, name_or_arn: &str, access: Access) -> CtResult<TrailRecord> {
    let trail = match names::name_or_arn(name_or_arn)? {
        NameOrArn::Arn(a) => {
            if a.account != scope.account {
                return Err(not_found(name_or_arn, &scope.account));
            }
            trail_model::get(c, name_or_arn)?
        }
        NameOrArn::Name(n) => trail_model::of_account(c, &scope.account)?
            .into_iter()
            .find(|t| t.name == n && t.visible_in(&scope.region)),
    }
    .ok_or_else(|| not_found(name_or_arn, &scope.account))?;
    if access == Access::Mutate && trail.home_region != scope.region {
        return Err(CloudTrailError::InvalidHomeRegion(format!(
            "The trail {} can only be changed in its home region, {}; this request was made in {}.",
            trail.arn, trail.home_region, scope.region
        )));
    }
    Ok(trail)
}

/// The Trail shape; `full` adds what GetTrail/DescribeTrails list (HomeRegion and the
/// selector flags) to what CreateTrail/UpdateTrail return.
pub fn view(t: &TrailRecord, full: bool) -> TrailView {
    TrailView {
        name: t.name.clone(),
        s3_bucket_name: t.config.bucket.clone(),
        s3_key_prefix: t.config.prefix.clone(),
        include_global_service_events: t.config.include_global,
        is_multi_region_trail: t.multi_region,
        home_region: full.then(|| t.home_region.clone()),
        trail_arn: t.arn.clone(),
        log_file_validation_enabled: t.config.log_file_validation,
        kms_key_id: t.config.kms_key_arn.clone(),
        has_custom_event_selectors: full.then_some(t.custom_selectors),
        has_insight_selectors: full.then(|| t.insights.as_ref().is_some_and(|i| !i.is_empty())),
        is_organization_trail: t.config.organization,
    }
}

/// Epoch seconds, as the wire carries times.
pub fn seconds(ms: i64) -> f64 {
    ms as f64 / 1000.0
}

/// Epoch milliseconds of a wire time in seconds.
pub fn from_seconds(s: f64) -> i64 {
    (s * 1000.0).round() as i64
}

/// `YYYY-MM-DDTHH:MM:SSZ` of epoch ms, for GetTrailStatus's deprecated string fields.
pub fn iso(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .map(crate::recorder::render::iso_seconds)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;
