//! Matching of one advanced event selector against an event: every field condition must hold.
//! Conditions on `resources.ARN` apply to the resources of the selector's `resources.type`: the
//! selector holds when one such resource satisfies all of them.

use super::{AdvancedEventSelector, AdvancedFieldSelector, EventFacts};
use trailstack_core::EventCategory;

/// Whether `s` selects the event.
pub(super) fn matches(s: &AdvancedEventSelector, facts: &EventFacts) -> bool {
    let mut resource_type: Option<&str> = None;
    let mut arn_conditions = false;
    for f in &s.field_selectors {
        let value: &str = match f.field.as_str() {
            "eventCategory" => match facts.category {
                EventCategory::Management => "Management",
                EventCategory::Data => "Data",
            },
            "readOnly" => {
                if facts.read_only {
                    "true"
                } else {
                    "false"
                }
            }
            "eventSource" => facts.event_source,
            "eventName" => facts.event_name,
            "eventType" => facts.event_type,
            "errorCode" => facts.error_code.unwrap_or(""),
            "userIdentity.arn" => facts.user_arn,
            // trailstack has no console, so no session comes from one.
            "sessionCredentialFromConsole" => "false",
            // Nothing reaches trailstack through a VPC endpoint.
            "vpcEndpointId" => "",
            "resources.type" => {
                // The type picks the resources the ARN conditions look at; it holds when the
                // event touched one resource of the type (checked below).
                resource_type = f
                    .equals
                    .as_ref()
                    .and_then(|v| v.first())
                    .map(String::as_str);
                continue;
            }
            "resources.ARN" => {
                arn_conditions = true;
                continue;
            }
            // A field this version does not know never holds, so an unknown condition cannot
            // widen what a trail takes.
            _ => return false,
        };
        if !holds(f, value) {
            return false;
        }
    }
    match resource_type {
        Some(kind) => facts.any_resource_arn(kind, |arn| {
            !arn_conditions
                || s.field_selectors
                    .iter()
                    .filter(|f| f.field == "resources.ARN")
                    .all(|f| holds(f, arn))
        }),
        // Management selectors name no resource type; ARN conditions without a type cannot
        // be evaluated and do not hold.
        None => !arn_conditions,
    }
}

/// Whether `value` satisfies every operator of `f`: positive operators need one of their
/// values to match, negative operators need none to.
pub(super) fn holds(f: &AdvancedFieldSelector, value: &str) -> bool {
    fn any(list: &Option<Vec<String>>, test: impl Fn(&str) -> bool) -> Option<bool> {
        list.as_ref().map(|l| l.iter().any(|v| test(v)))
    }
    let positive = [
        any(&f.equals, |v| value == v),
        any(&f.starts_with, |v| value.starts_with(v)),
        any(&f.ends_with, |v| value.ends_with(v)),
    ];
    let negative = [
        any(&f.not_equals, |v| value == v),
        any(&f.not_starts_with, |v| value.starts_with(v)),
        any(&f.not_ends_with, |v| value.ends_with(v)),
    ];
    positive.iter().all(|r| r.unwrap_or(true)) && negative.iter().all(|r| !r.unwrap_or(false))
}
