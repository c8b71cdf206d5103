//! Types every trailstack service shares: validated identifiers, the calling identity, the clock,
//! and the byte streams that carry request and response bodies between the HTTP edge and a
//! service. No HTTP types, no storage, no service logic live here.

pub mod body;
pub mod caller;
pub mod clock;
pub mod ids;
pub mod keys;

pub use body::{BodyError, BodyErrorKind, BodyFrame, BodyStream, ResponseBody};
pub use caller::{Caller, Principal};
pub use clock::{Clock, FixedClock, SystemClock};
pub use ids::{AccountId, IdError};
pub use keys::{DataKey, KeyError, KeyFuture, KeyInfo, KeyRef, KeyService};
