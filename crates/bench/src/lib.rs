//! trailstack-bench: a native closed-loop load generator for trailstack and its peers.
//!
//! Owns: signing S3 requests itself ([`sign`]), streaming generated bodies ([`body`]), one
//! HTTP/1.1 connection per worker ([`conn`]), the scenarios ([`scenario`]), the closed-loop
//! driver ([`runner`]), the targets it starts and watches ([`target`], [`procstat`]), the
//! do-nothing limit server with its warm file for large GETs ([`limit`]), the round-robin plan
//! ([`plan`]) and the markdown report ([`report`]); outside the closed loop, one request at a
//! time ([`client`]), the call-to-record latency of a trail ([`latency`]); the soak test of
//! long mixed traffic with its memory and descriptor checks ([`soak`]); the memory and
//! start-up of a server holding many objects and events ([`footprint`]).
//!
//! Must not touch: any server internals. Targets are black boxes reached over HTTP; the only
//! things read from them besides responses are their CPU time, resident memory and open
//! descriptors in `/proc/PID`, and the soak reads the server's log for panics.

pub mod body;
pub mod client;
pub mod conn;
pub mod footprint;
pub mod latency;
pub mod limit;
pub mod plan;
pub mod procstat;
pub mod report;
pub mod runner;
pub mod scenario;
pub mod sign;
pub mod soak;
pub mod spec;
pub mod stats;
pub mod target;

/// Access key id every target is driven with.
pub const ACCESS_KEY: &str = "test";
/// Secret access key every target is driven with.
pub const SECRET_KEY: &str = "test";
/// Region of the credential scope.
pub const REGION: &str = "us-east-1";
/// One GiB, the default size of the large-object scenarios.
pub const GIB: u64 = 1 << 30;
