//! How S3 reports each call to the [`AuditSink`](trailstack_core::AuditSink): the event name,
//! category and read-only flag CloudTrail gives each operation, and the record's parameters,
//! response elements and `additionalEventData`, shaped as AWS shapes them. [`Pending`] takes
//! what it needs from a borrowed [`Op`] before the handler consumes it; [`Pending::finish`]
//! adds the outcome. Rendering identities, ids and routing is the recorder's business.
//!
//! Sources: S3 user guide, "Amazon S3 CloudTrail events" (bucket-level actions are management
//! events; object-level actions, ListObjects/ListObjectVersions, HeadBucket and DeleteObjects
//! are data events) <https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-s3-info.html>.

pub mod at_commit;
mod lifecycle;
mod lock;
mod request;
mod resources;
mod response;

use crate::error::S3Error;
use crate::op::{Op, Output};
use base64::Engine;
use serde_json::{json, Map, Value};
use time::OffsetDateTime;
use trailstack_core::{AuditEvent, AuditResource, Caller, EventCategory, Principal};

/// The cipher suite recorded for TLS requests (TLS 1.3's mandatory suite).
const CIPHER_SUITE: &str = "TLS_AES_128_GCM_SHA256";

/// What an S3 record says about the request, taken before the handler runs.
pub struct Pending {
    name: &'static str,
    read_only: bool,
    category: EventCategory,
    request: Value,
    resources: Vec<AuditResource>,
    /// The body length the client declared, for writes that fail before storing anything.
    declared_in: Option<u64>,
}

impl Pending {
    /// The static facts of `op` for `caller`.
    pub fn of(op: &Op, caller: &Caller) -> Pending {
        let name = event_name(op);
        Pending {
            name,
            read_only: read_only(name),
            category: category(op),
            request: request::parameters(op, caller),
            resources: resources::resources(op, caller),
            declared_in: match op {
                Op::PutObject { upload, .. } | Op::UploadPart { upload, .. } => upload.declared_len,
                Op::PostObject(i) => i.upload.declared_len,
                _ => None,
            },
        }
    }

    /// The event of the call that ended with `result` at `time`.
    pub fn finish(
        self,
        caller: &Caller,
        result: &Result<Output, S3Error>,
        time: OffsetDateTime,
    ) -> AuditEvent {
        let (response, bytes_in, bytes_out, error) = match result {
            Ok(out) => (
                (!self.read_only).then(|| response::elements(out)).flatten(),
                response::bytes_in(out).or(self.declared_in),
                response::bytes_out(out),
                None,
            ),
            Err(e) => (
                None,
                self.declared_in,
                0,
                Some((e.code().to_string(), e.message())),
            ),
        };
        AuditEvent {
            caller: caller.clone(),
            time,
            source: "s3.amazonaws.com",
            name: self.name.to_string(),
            read_only: self.read_only,
            category: self.category,
            service_event: matches!(caller.principal, Principal::Service(_)),
            request: Some(self.request),
            response,
            additional: Some(additional(caller, bytes_in.unwrap_or(0), bytes_out)),
            resources: self.resources,
            error,
            resource_account: None,
        }
    }
}

/// `additionalEventData`: how the request was signed and carried, the bytes moved, and the
/// response's host id.
fn additional(caller: &Caller, bytes_in: u64, bytes_out: u64) -> Value {
    let mut m = Map::new();
    if let (Some(method), Some(version)) = (caller.auth_method, caller.signature_version) {
        m.insert("SignatureVersion".into(), json!(version.cloudtrail_name()));
        m.insert("AuthenticationMethod".into(), json!(method));
    }
    if caller.secure_transport {
        m.insert("CipherSuite".into(), json!(CIPHER_SUITE));
    }
    m.insert("bytesTransferredIn".into(), json!(bytes_in));
    m.insert("bytesTransferredOut".into(), json!(bytes_out));
    m.insert("x-amz-id-2".into(), json!(host_id(&caller.request_id)));
    Value::Object(m)
}

/// The `x-amz-id-2` (host id) of a request: derived from its request id, so the HTTP edge can
/// send the same value as a header.
pub fn host_id(request_id: &str) -> String {
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA384, request_id.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(d.as_ref())
}

/// The eventName CloudTrail gives `op`. It differs from the API name where S3 kept its older
/// REST names: Block Public Access on a bucket is `*BucketPublicAccessBlock`, and
/// ListObjectsV2 is logged as `ListObjects` with `list-type: 2` in its parameters.
pub fn event_name(op: &Op) -> &'static str {
    match op {
        Op::GetPublicAccessBlock { .. } => "GetBucketPublicAccessBlock",
        Op::PutPublicAccessBlock { .. } => "PutBucketPublicAccessBlock",
        Op::DeletePublicAccessBlock { .. } => "DeleteBucketPublicAccessBlock",
        Op::ListObjects(_) => "ListObjects",
        Op::GetBucketLifecycleConfiguration { .. } => "GetBucketLifecycle",
        Op::PutBucketLifecycleConfiguration { .. } => "PutBucketLifecycle",
        other => other.name(),
    }
}

/// Reads are the Get, Head and List calls.
fn read_only(name: &str) -> bool {
    ["Get", "Head", "List"].iter().any(|p| name.starts_with(p))
}

/// Object-level calls are data events, and so are the bucket-level calls that list or delete
/// objects (ListObjects, ListObjectVersions, DeleteObjects) and HeadBucket; ListBuckets,
/// ListMultipartUploads and every bucket setting are management events.
fn category(op: &Op) -> EventCategory {
    match op {
        Op::ListBuckets { .. }
        | Op::CreateBucket { .. }
        | Op::DeleteBucket { .. }
        | Op::GetBucketLocation { .. }
        | Op::GetBucketTagging { .. }
        | Op::PutBucketTagging { .. }
        | Op::DeleteBucketTagging { .. }
        | Op::GetBucketPolicy { .. }
        | Op::PutBucketPolicy { .. }
        | Op::DeleteBucketPolicy { .. }
        | Op::GetBucketAcl { .. }
        | Op::PutBucketAcl { .. }
        | Op::GetBucketOwnershipControls { .. }
        | Op::PutBucketOwnershipControls { .. }
        | Op::DeleteBucketOwnershipControls { .. }
        | Op::GetPublicAccessBlock { .. }
        | Op::PutPublicAccessBlock { .. }
        | Op::DeletePublicAccessBlock { .. }
        | Op::GetBucketVersioning { .. }
        | Op::PutBucketVersioning { .. }
        | Op::GetBucketEncryption { .. }
        | Op::PutBucketEncryption { .. }
        | Op::DeleteBucketEncryption { .. }
        | Op::GetBucketLifecycleConfiguration { .. }
        | Op::PutBucketLifecycleConfiguration { .. }
        | Op::DeleteBucketLifecycle { .. }
        | Op::GetBucketLogging { .. }
        | Op::PutBucketLogging { .. }
        | Op::GetBucketCors { .. }
        | Op::PutBucketCors { .. }
        | Op::DeleteBucketCors { .. }
        | Op::GetBucketPolicyStatus { .. }
        | Op::ListMultipartUploads(_) => EventCategory::Management,
        Op::ObjectLock(l) if l.object().is_none() => EventCategory::Management,
        _ => EventCategory::Data,
    }
}

#[cfg(test)]
mod tests;
