//! The `AuditSink` port: every service reports each call it served — HTTP or internal, success
//! or failure — as an [`AuditEvent`]. The CloudTrail recorder implements the sink; the services
//! know nothing of trails, selectors or log files. An event carries what only the service knows
//! (operation name, parameters shaped as AWS shapes them, resources, outcome); the recorder adds
//! identity rendering, ids and routing.

use crate::caller::{Caller, Principal};
use crate::ids::AccountId;
use serde_json::Value;
use std::future::Future;
use std::pin::Pin;
use time::OffsetDateTime;

/// Whether a call is a management event or a data event (CloudTrail's `eventCategory`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventCategory {
    /// Control-plane calls: bucket settings, every KMS call, every CloudTrail call.
    Management,
    /// Object-level S3 calls; logged only by trails that select them.
    Data,
}

impl EventCategory {
    /// The name CloudTrail writes: `Management` or `Data`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventCategory::Management => "Management",
            EventCategory::Data => "Data",
        }
    }
}

/// A resource the call touched (`resources` of the record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditResource {
    /// e.g. `AWS::S3::Object`, `AWS::S3::Bucket`, `AWS::KMS::Key`, `AWS::CloudTrail::Trail`.
    pub kind: String,
    /// The resource ARN, or with `prefix` the ARN prefix of the resources covered.
    pub arn: String,
    /// `arn` names every resource it prefixes, written `ARNPrefix`: the objects a ListObjects
    /// or DeleteObjects call covers, as AWS records them.
    pub prefix: bool,
    /// The owning account, when AWS writes it.
    pub account: Option<AccountId>,
}

/// One served call, as the service saw it.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    /// Who called, on whose behalf, from where; `caller.request_id` is the record's `requestID`.
    pub caller: Caller,
    /// When the call completed.
    pub time: OffsetDateTime,
    /// e.g. `s3.amazonaws.com`.
    pub source: &'static str,
    /// The API action as CloudTrail names it (e.g. `PutBucketLifecycle`).
    pub name: String,
    /// Whether the call only reads.
    pub read_only: bool,
    /// Management or data event.
    pub category: EventCategory,
    /// `AwsServiceEvent` instead of `AwsApiCall` (calls a service makes on its own account,
    /// e.g. CloudTrail's deliveries).
    pub service_event: bool,
    /// `requestParameters`, `None` rendering as `null`.
    pub request: Option<Value>,
    /// `responseElements`, `None` rendering as `null`.
    pub response: Option<Value>,
    /// `additionalEventData`, omitted when `None`.
    pub additional: Option<Value>,
    /// `resources`.
    pub resources: Vec<AuditResource>,
    /// `errorCode` and `errorMessage` for a failed call.
    pub error: Option<(String, String)>,
    /// The account owning the resource, when it differs from the caller's: the event is then
    /// delivered to both accounts with a `sharedEventID`.
    pub resource_account: Option<AccountId>,
}

impl AuditEvent {
    /// A management event: `caller`'s call of `source`'s action `name`, completed at `time`,
    /// an `AwsServiceEvent` when the caller is a service principal. Its request, outcome and
    /// resources are the service's to fill in.
    pub fn management(
        caller: Caller,
        time: OffsetDateTime,
        source: &'static str,
        name: &str,
        read_only: bool,
    ) -> AuditEvent {
        AuditEvent {
            service_event: matches!(caller.principal, Principal::Service(_)),
            caller,
            time,
            source,
            name: name.to_string(),
            read_only,
            category: EventCategory::Management,
            request: None,
            response: None,
            additional: None,
            resources: Vec::new(),
            error: None,
            resource_account: None,
        }
    }
}

/// The recorder's failure: the call's record could not be made durable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditError(pub String);

impl std::fmt::Display for AuditError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "audit: {}", self.0)
    }
}

/// A boxed future of the port.
pub type AuditFuture<'a> = Pin<Box<dyn Future<Output = Result<(), AuditError>> + Send + 'a>>;

/// Builds a call's event once the call's last write has run; `None` when there is nothing to
/// record this way (the write never ran), and the service then records the call itself.
pub type DeferredEvent = Box<dyn FnOnce() -> Option<AuditEvent> + Send>;

/// Where every service reports each call it served.
pub trait AuditSink: Send + Sync {
    /// Records `event` durably in the event history and the outbox of every trail that selects
    /// it. Returns once the record is committed; the HTTP edge answers the client only after it.
    fn record(&self, event: AuditEvent) -> AuditFuture<'_>;

    /// Records the event `make` builds, queued right behind the write the caller has just
    /// submitted (and not yet awaited) to the same database, so the record usually commits in
    /// the transaction of the call's effect instead of a second one. `make` runs only after
    /// that write has run. The caller awaits its write before this future.
    fn record_after_write(&self, make: DeferredEvent) -> AuditFuture<'_> {
        Box::pin(async move {
            match make() {
                Some(event) => self.record(event).await,
                None => Ok(()),
            }
        })
    }
}

/// A sink that drops every event; for services used alone (unit tests, benchmarks of one
/// service).
#[derive(Debug, Default, Clone, Copy)]
pub struct NoAudit;

impl AuditSink for NoAudit {
    fn record(&self, _event: AuditEvent) -> AuditFuture<'_> {
        Box::pin(async { Ok(()) })
    }
}
