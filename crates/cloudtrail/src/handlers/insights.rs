//! PutInsightSelectors and GetInsightSelectors for trails: validated and stored. trailstack
//! produces no Insights events; the selectors are kept so tools that set and read them work.

use super::selectors::{read_named, trail_name};
use super::{find, Access, Scope};
use crate::error::{CloudTrailError, CtResult};
use crate::model::trails as model;
use crate::op::{InsightSelector, Output, PutInsightSelectorsInput, TrailNameInput};
use crate::selectors::{EventSelector, ReadWriteType, TrailSelectors};
use crate::CloudTrail;
use trailstack_core::Caller;

const TYPES: [&str; 2] = ["ApiCallRateInsight", "ApiErrorRateInsight"];
const CATEGORIES: [&str; 2] = ["Management", "Data"];

fn invalid(m: impl Into<String>) -> CloudTrailError {
    CloudTrailError::InvalidInsightSelectors(m.into())
}

/// Whether the trail logs management events that are read (`read`) or written (`!read`).
fn logs_management(s: &TrailSelectors, read: bool) -> bool {
    match s {
        TrailSelectors::Basic(list) => list.iter().any(|e: &EventSelector| {
            e.include_management_events
                && match e.read_write_type {
                    ReadWriteType::All => true,
                    ReadWriteType::ReadOnly => read,
                    ReadWriteType::WriteOnly => !read,
                }
        }),
        TrailSelectors::Advanced(list) => list.iter().any(|a| {
            let field = |n: &str| a.field_selectors.iter().find(|f| f.field == n);
            let management = field("eventCategory")
                .and_then(|f| f.equals.as_ref())
                .is_some_and(|v| v.iter().any(|c| c == "Management"));
            let ro = field("readOnly")
                .and_then(|f| f.equals.as_ref())
                .and_then(|v| v.first());
            management && ro.is_none_or(|v| v == if read { "true" } else { "false" })
        }),
    }
}

/// Checks the selectors against the rules and the trail's event selectors.
fn check(list: &[InsightSelector], selectors: &TrailSelectors) -> CtResult<()> {
    for (i, s) in list.iter().enumerate() {
        let kind = s.insight_type.as_deref().unwrap_or_default();
        if !TYPES.contains(&kind) {
            return Err(invalid(format!(
                "Value {kind} for InsightType is invalid. Valid values are: {}",
                TYPES.join(", ")
            )));
        }
        if list[..i].iter().any(|o| o.insight_type == s.insight_type) {
            return Err(invalid(format!(
                "InsightType {kind} is specified more than once."
            )));
        }
        for c in s.event_categories.iter().flatten() {
            if !CATEGORIES.contains(&c.as_str()) {
                return Err(invalid(format!(
                    "Value {c} for EventCategories is invalid. Valid values are: {}",
                    CATEGORIES.join(", ")
                )));
            }
        }
        let logged = match kind {
            "ApiCallRateInsight" => logs_management(selectors, false),
            _ => logs_management(selectors, false) || logs_management(selectors, true),
        };
        if !logged {
            return Err(invalid(format!(
                "{kind} requires the trail to log {} management events.",
                if kind == "ApiCallRateInsight" {
                    "write"
                } else {
                    "read or write"
                }
            )));
        }
    }
    Ok(())
}

/// PutInsightSelectors; `[]` turns Insights off.
pub async fn put(
    ct: &CloudTrail,
    caller: &Caller,
    i: PutInsightSelectorsInput,
) -> CtResult<Output> {
    let name = trail_name(&TrailNameInput {
        trail_name: i.trail_name.clone(),
        event_data_store: i.event_data_store.clone(),
    })?;
    let scope = Scope::of(ct, caller);
    let list = i.insight_selectors;
    let stored = list.clone();
    let arn = ct
        .write_trails(move |c| {
            let mut t = find(c, &scope, &name, Access::Mutate)?;
            check(&stored, &t.selectors)?;
            t.insights = Some(stored);
            model::update(c, &t)?;
            Ok(t.arn)
        })
        .await?;
    Ok(Output::InsightSelectors {
        trail_arn: arn,
        insight_selectors: list,
    })
}

/// GetInsightSelectors; `InsightNotEnabledException` when never set.
pub async fn get(ct: &CloudTrail, caller: &Caller, i: TrailNameInput) -> CtResult<Output> {
    let t = read_named(ct, caller, &i).await?;
    match t.insights {
        Some(list) => Ok(Output::InsightSelectors {
            trail_arn: t.arn,
            insight_selectors: list,
        }),
        None => Err(CloudTrailError::InsightNotEnabled(format!(
            "Trail {} does not have Insights enabled.",
            t.arn
        ))),
    }
}
