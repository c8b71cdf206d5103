//! Types every trailstack service shares: validated identifiers, the calling identity, the clock,
//! the byte streams that carry request and response bodies between the HTTP edge and a service,
//! and the ports through which services reach each other (`KeyService`, `ObjectWriter`,
//! `AuditSink`). No HTTP types, no storage, no service logic live here.

pub mod audit;
pub mod body;
pub mod caller;
pub mod clock;
pub mod ids;
pub mod keys;
pub mod objects;
pub mod ports;

pub use audit::{
    AuditError, AuditEvent, AuditFuture, AuditResource, AuditSink, DeferredEvent, EventCategory,
    NoAudit,
};
pub use body::{BodyError, BodyErrorKind, BodyFrame, BodyStream, ResponseBody};
pub use caller::{
    unique_id, user_principal_id, Caller, Principal, Session, SessionIssuer, SignatureVersion,
};
pub use clock::{Clock, FixedClock, SystemClock};
pub use ids::{AccountId, IdError};
pub use keys::{DataKey, KeyInfo, KeyManager, KeyRef, KeyService, KeyState};
pub use objects::{BucketInfo, ObjectWriter, PutObjectRequest, PutObjectResult, WriterSse};
pub use ports::{PortError, PortFuture};
// Each port's callers know the shared failure and future by the port's names: a KMS failure
// (S3 prefixes its code with `KMS.`), an S3 failure (e.g. `NoSuchBucket`, `AccessDenied`).
pub use ports::{PortError as KeyError, PortFuture as KeyFuture};
pub use ports::{PortError as ObjectError, PortFuture as ObjectFuture};
