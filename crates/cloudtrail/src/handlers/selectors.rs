//! PutEventSelectors and GetEventSelectors, basic and advanced. A put replaces the whole set
//! (applying one kind removes the other) and changes the routing table, so it goes through
//! `write_trails`. Validation and matching live in `crate::selectors`.

use super::{find, Access, Scope};
use crate::error::{CloudTrailError, CtResult};
use crate::model::trails::{self as model, TrailRecord};
use crate::op::{Output, PutEventSelectorsInput, TrailNameInput};
use crate::selectors::{validate, TrailSelectors};
use crate::CloudTrail;
use trailstack_core::Caller;

/// The EventSelectors / AdvancedEventSelectors output of `arn` with `selectors`.
fn output(arn: String, selectors: TrailSelectors) -> Output {
    match selectors {
        TrailSelectors::Basic(b) => Output::EventSelectors {
            trail_arn: arn,
            event_selectors: Some(b),
            advanced_event_selectors: None,
        },
        TrailSelectors::Advanced(a) => Output::EventSelectors {
            trail_arn: arn,
            event_selectors: None,
            advanced_event_selectors: Some(a),
        },
    }
}

/// The trail a `TrailName` member names; event data stores are not served.
pub fn trail_name(i: &TrailNameInput) -> CtResult<String> {
    match (&i.trail_name, &i.event_data_store) {
        (Some(n), _) => Ok(n.clone()),
        (None, Some(_)) => Err(CloudTrailError::NotImplemented(
            "trailstack does not serve CloudTrail Lake event data stores.".into(),
        )),
        (None, None) => Err(CloudTrailError::InvalidParameter(
            "You must specify a trail name or ARN.".into(),
        )),
    }
}

/// PutEventSelectors.
pub async fn put(ct: &CloudTrail, caller: &Caller, i: PutEventSelectorsInput) -> CtResult<Output> {
    let selectors = match (&i.event_selectors, &i.advanced_event_selectors) {
        (Some(b), None) => validate::basic(b)?,
        (None, Some(a)) => validate::advanced(a)?,
        _ => {
            return Err(CloudTrailError::InvalidParameterCombination(
                "Specify either EventSelectors or AdvancedEventSelectors, but not both.".into(),
            ))
        }
    };
    let scope = Scope::of(ct, caller);
    let stored = selectors.clone();
    let arn = ct
        .write_trails(move |c| {
            let mut t = find(c, &scope, &i.trail_name, Access::Mutate)?;
            t.selectors = stored;
            t.custom_selectors = true;
            model::update(c, &t)?;
            Ok(t.arn)
        })
        .await?;
    Ok(output(arn, selectors))
}

/// GetEventSelectors: a trail never given selectors answers the default management selector.
pub async fn get(ct: &CloudTrail, caller: &Caller, i: TrailNameInput) -> CtResult<Output> {
    let t = read_named(ct, caller, &i).await?;
    Ok(output(t.arn, t.selectors))
}

/// The trail a `TrailName` member names, as `caller` may read it.
pub async fn read_named(
    ct: &CloudTrail,
    caller: &Caller,
    i: &TrailNameInput,
) -> CtResult<TrailRecord> {
    let name = trail_name(i)?;
    let scope = Scope::of(ct, caller);
    ct.read(move |c| find(c, &scope, &name, Access::Read)).await
}
