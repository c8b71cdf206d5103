//! LookupEvents: one lookup attribute, an inclusive time range within the last 90 days, pages
//! of up to 50 events newest first, and a NextToken bound to the parameters it was issued for.
//! Only management events of the caller's account and region are in the history; Insights
//! events are never produced here, so `EventCategory: insight` finds nothing.

use super::{from_seconds, seconds, Scope};
use crate::error::{CloudTrailError, CtResult};
use crate::model::events::{self, Filter, Lookup, RETENTION_MS};
use crate::op::{EventView, LookupEventsInput, Output, ResourceView};
use crate::CloudTrail;
use base64::Engine;
use serde::{Deserialize, Serialize};
use trailstack_core::Caller;

/// Largest and default page.
const MAX_RESULTS: i64 = 50;

/// What a NextToken carries: where the page ended and a hash of the parameters it belongs to.
#[derive(Serialize, Deserialize)]
struct Token {
    t: i64,
    s: i64,
    h: String,
}

fn filter(i: &LookupEventsInput) -> CtResult<Filter> {
    let attrs = i.lookup_attributes.as_deref().unwrap_or_default();
    let bad = |m: String| Err(CloudTrailError::InvalidLookupAttributes(m));
    let a = match attrs {
        [] => return Ok(Filter::None),
        [a] => a,
        _ => return bad("You can only specify one lookup attribute.".into()),
    };
    let v = a.attribute_value.clone();
    if v.is_empty() || v.chars().count() > 2000 {
        return bad("The value of a lookup attribute must be 1 to 2000 characters.".into());
    }
    Ok(match a.attribute_key.as_str() {
        "EventId" => Filter::EventId(v),
        "EventName" => Filter::EventName(v),
        "ReadOnly" => match v.as_str() {
            "true" => Filter::ReadOnly(true),
            "false" => Filter::ReadOnly(false),
            _ => {
                return bad(format!(
                    "Value {v} for ReadOnly is invalid. Valid values are: true, false"
                ))
            }
        },
        "Username" => Filter::Username(v),
        "ResourceType" => Filter::ResourceType(v),
        "ResourceName" => Filter::ResourceName(v),
        "EventSource" => Filter::EventSource(v),
        "AccessKeyId" => Filter::AccessKeyId(v),
        other => {
            return bad(format!(
                "Value {other} for AttributeKey is invalid. Valid values are: EventId, EventName, \
                 ReadOnly, Username, ResourceType, ResourceName, EventSource, AccessKeyId"
            ))
        }
    })
}

/// The hash a token is bound to: the scope and every parameter but MaxResults and NextToken.
fn params_hash(scope: &Scope, f: &Filter, i: &LookupEventsInput) -> String {
    let text = serde_json::json!([
        scope.account,
        scope.region,
        f,
        i.start_time,
        i.end_time,
        i.event_category
    ])
    .to_string();
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, text.as_bytes());
    hex::encode(&d.as_ref()[..12])
}

fn invalid_token() -> CloudTrailError {
    CloudTrailError::InvalidNextToken("Invalid NextToken.".into())
}

/// LookupEvents.
pub async fn lookup(ct: &CloudTrail, caller: &Caller, i: LookupEventsInput) -> CtResult<Output> {
    let scope = Scope::of(ct, caller);
    let f = filter(&i)?;
    let insights = match i.event_category.as_deref() {
        None => false,
        Some("insight") => true,
        Some(other) => {
            return Err(CloudTrailError::InvalidEventCategory(format!(
                "Value {other} for EventCategory is invalid. Valid value is: insight"
            )))
        }
    };
    let limit = i.max_results.unwrap_or(MAX_RESULTS);
    if !(1..=MAX_RESULTS).contains(&limit) {
        return Err(CloudTrailError::InvalidMaxResults(format!(
            "MaxResults must be between 1 and {MAX_RESULTS}."
        )));
    }
    let now = ct.now_ms();
    let end_ms = i.end_time.map(from_seconds).unwrap_or(now);
    let start_ms = i.start_time.map(from_seconds).unwrap_or(now - RETENTION_MS);
    if start_ms > end_ms {
        return Err(CloudTrailError::InvalidTimeRange(
            "Start time must be before end time.".into(),
        ));
    }
    let hash = params_hash(&scope, &f, &i);
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let after = match &i.next_token {
        None => None,
        Some(t) => {
            let token: Token = b64
                .decode(t)
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok())
                .ok_or_else(invalid_token)?;
            if token.h != hash {
                return Err(invalid_token());
            }
            Some((token.t, token.s))
        }
    };
    if insights {
        return Ok(Output::Events {
            events: Vec::new(),
            next_token: None,
        });
    }
    let q = Lookup {
        account: scope.account.clone(),
        region: scope.region.clone(),
        filter: f,
        // Events older than the retention are gone even if expiry has not run yet.
        start_ms: start_ms.max(now - RETENTION_MS),
        end_ms,
        after,
        limit: limit as usize,
    };
    let (rows, more) = ct.read_history(move |c| Ok(events::lookup(c, &q)?)).await?;
    let next_token = match (more, rows.last()) {
        (true, Some(last)) => {
            let token = Token {
                t: last.event_time_ms,
                s: last.seq,
                h: hash,
            };
            Some(b64.encode(serde_json::to_vec(&token).unwrap_or_default()))
        }
        _ => None,
    };
    let events = rows
        .into_iter()
        .map(|e| EventView {
            event_id: e.event_id,
            event_name: e.event_name,
            read_only: e.read_only.to_string(),
            access_key_id: e.access_key_id,
            event_time: seconds(e.event_time_ms),
            event_source: e.event_source,
            username: e.username,
            resources: e
                .resources
                .into_iter()
                .map(|r| ResourceView {
                    resource_type: r.resource_type,
                    resource_name: r.resource_name,
                })
                .collect(),
            cloud_trail_event: e.record_json,
        })
        .collect();
    Ok(Output::Events { events, next_token })
}
