//! trailstack-bench: a native closed-loop load generator for trailstack and its peers.
//!
//! Owns: signing S3 requests itself ([`sign`]), streaming generated bodies ([`body`]), one
//! HTTP/1.1 connection per worker ([`conn`]), the scenarios ([`scenario`]), the closed-loop
//! driver ([`runner`]), the targets it starts and watches ([`target`], [`procstat`]), the
//! do-nothing limit server with its warm file for large GETs ([`limit`]), the round-robin plan
//! ([`plan`]) and the markdown report ([`report`]); outside the closed loop, one request at a
//! time ([`client`]), the call-to-record latency of a trail ([`latency`]); the soak test of
//! long mixed traffic with its memory and descriptor checks ([`soak`]); the memory and
//! start-up of a server holding many objects and events ([`footprint`]); small requests driven
//! by wrk, whose per-request cost is low enough that the limit reference is the server's
//! ([`wrk`]); instructions per request counted under callgrind ([`callgrind`]); the sections
//! of BENCHMARKS.md those two write ([`docblock`]); and, talking to PostgreSQL alone, object
//! data as `BYTEA` rows against large objects ([`pg_blob`]).
//!
//! Must not touch: any server internals. Targets are black boxes reached over HTTP; the only
//! things read from them besides responses are their CPU time, resident memory and open
//! descriptors in `/proc/PID`, and the soak reads the server's log for panics; `callgrind` runs
//! the server under valgrind and reads the profile valgrind writes.

pub mod body;
pub mod callgrind;
pub mod client;
pub mod conn;
pub mod docblock;
pub mod footprint;
pub mod latency;
pub mod limit;
pub mod pg_blob;
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
pub mod wrk;

/// Access key id every target is driven with.
pub const ACCESS_KEY: &str = "test";
/// Secret access key every target is driven with.
pub const SECRET_KEY: &str = "test";
/// Region of the credential scope.
pub const REGION: &str = "us-east-1";
/// One GiB, the default size of the large-object scenarios.
pub const GIB: u64 = 1 << 30;
