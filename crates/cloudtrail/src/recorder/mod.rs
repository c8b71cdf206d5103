//! The recorder: CloudTrail's implementation of the `AuditSink` port. Every call S3, KMS and
//! CloudTrail serve arrives here as an `AuditEvent`; it becomes one record per recipient
//! account (two, with a `sharedEventID`, when a caller uses another account's resource), goes
//! into the event history when it is a management event (appended to its arrivals, indexed
//! in batches and before every lookup: `model::event_arrivals`), and into the outbox of every logging
//! trail whose selectors take it — in one write, which the request's durable scope makes
//! durable before the client is answered. A data event no trail takes costs nothing.
//! A deferred event (`record_after_write`) is routed and written on the database's writer,
//! queued behind the call's own write, so the effect and its record share one commit.

pub mod render;

use crate::model::event_arrivals;
use crate::model::events::{HistoryResource, HistoryRow};
use crate::model::outbox;
use crate::selectors::{selects, EventFacts};
use crate::{CloudTrail, TrailRoute};
use render::{render, RecordIds};
use trailstack_core::{
    AuditError, AuditEvent, AuditFuture, AuditSink, Caller, DeferredEvent, EventCategory, Principal,
};
use trailstack_store::Conn;
use trailstack_store::StoreError;

/// One record to store: for the history of its account, and for the outboxes of trails.
struct Stored {
    history: Option<HistoryRow>,
    outboxes: Vec<String>,
    region: String,
    time_ms: i64,
    json: String,
}

impl AuditSink for CloudTrail {
    fn record(&self, event: AuditEvent) -> AuditFuture<'_> {
        Box::pin(async move {
            let stored = route(&self.routes(), &event);
            if stored.is_empty() {
                return Ok(());
            }
            self.db
                .write(move |c| store(c, &stored))
                .await
                .map_err(|e| AuditError(e.to_string()))
        })
    }

    fn record_after_write(&self, make: DeferredEvent) -> AuditFuture<'_> {
        let routes = self.routes();
        let written = self.db.submit(move |c| match make() {
            Some(event) => store(c, &route(&routes, &event)),
            None => Ok(()),
        });
        Box::pin(async move { written.await.map_err(|e| AuditError(e.to_string())) })
    }
}

/// Arrivals indexed together: a batch's index pages are written once for all of its events.
const INDEX_EVERY: i64 = 256;

/// Writes the records of one event. Its history row is appended to the arrivals; every
/// `INDEX_EVERY`th arrival moves the oldest arrivals into the history's indexes
/// (`model::event_arrivals`), in this write.
fn store(c: &Conn, stored: &[Stored]) -> Result<(), StoreError> {
    for s in stored {
        if let Some(h) = &s.history {
            if event_arrivals::append(c, h)? % INDEX_EVERY == 0 {
                event_arrivals::index(c, 2 * INDEX_EVERY as usize)?;
            }
        }
        for trail in &s.outboxes {
            outbox::enqueue(c, trail, &s.region, s.time_ms, &s.json)?;
        }
    }
    Ok(())
}

/// The records `event` makes and where each goes, given the trails now logging.
fn route(routes: &[TrailRoute], event: &AuditEvent) -> Vec<Stored> {
    let caller = &event.caller;
    let region = caller.region.clone();
    let management = event.category == EventCategory::Management;
    let user_arn = if caller.is_account_identity() {
        caller.arn()
    } else {
        String::new()
    };
    let facts = EventFacts {
        category: event.category,
        read_only: event.read_only,
        event_source: event.source,
        event_name: &event.name,
        error_code: event.error.as_ref().map(|(code, _)| code.as_str()),
        resources: &event.resources,
        event_type: if event.service_event {
            "AwsServiceEvent"
        } else {
            "AwsApiCall"
        },
        user_arn: &user_arn,
    };
    let mut recipients = vec![caller.account.as_str().to_string()];
    if let Some(owner) = &event.resource_account {
        if owner != &caller.account {
            recipients.push(owner.as_str().to_string());
        }
    }
    let shared = (recipients.len() > 1).then(|| uuid::Uuid::new_v4().to_string());
    let time_ms = (event.time.unix_timestamp_nanos() / 1_000_000) as i64;
    let mut out = Vec::new();
    for recipient in recipients {
        let outboxes: Vec<String> = routes
            .iter()
            .filter(|r| r.covers(&recipient, &region) && selects(&r.selectors, &facts))
            .map(|r| r.arn.clone())
            .collect();
        if !management && outboxes.is_empty() {
            continue;
        }
        let event_id = uuid::Uuid::new_v4().to_string();
        let ids = RecordIds {
            event_id: &event_id,
            recipient: &recipient,
            shared_event_id: shared.as_deref(),
        };
        let json = render(event, &ids);
        let history = management.then(|| HistoryRow {
            account: recipient.clone(),
            region: region.clone(),
            event_time_ms: time_ms,
            event_id: event_id.clone(),
            event_name: event.name.clone(),
            read_only: event.read_only,
            username: lookup_username(caller),
            access_key_id: caller.access_key.clone(),
            event_source: event.source.to_string(),
            resources: event
                .resources
                .iter()
                .map(|r| HistoryResource {
                    resource_type: r.kind.clone(),
                    resource_name: lookup_resource_name(&r.kind, &r.arn),
                })
                .collect(),
            record_json: json.clone(),
        });
        out.push(Stored {
            history,
            outboxes,
            region: region.clone(),
            time_ms,
            json,
        });
    }
    out
}

/// The `Username` LookupEvents shows: the IAM user's name, a role session's name, `root`, or
/// the service.
fn lookup_username(caller: &Caller) -> Option<String> {
    match &caller.principal {
        Principal::User { name } => Some(name.clone()),
        Principal::AssumedRole { session, .. } => Some(session.clone()),
        Principal::Root => Some("root".to_string()),
        Principal::Service(s) => Some(s.clone()),
        Principal::Anonymous => None,
    }
}

/// The `ResourceName` LookupEvents shows: a bucket's name, otherwise the ARN.
fn lookup_resource_name(kind: &str, arn: &str) -> String {
    match (kind, arn.strip_prefix("arn:aws:s3:::")) {
        ("AWS::S3::Bucket", Some(name)) => name.to_string(),
        _ => arn.to_string(),
    }
}
