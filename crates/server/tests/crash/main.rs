//! Crash consistency of the real `trailstack` binary: SIGKILLed at random moments under
//! concurrent mixed traffic and restarted on the same data dir, many times over
//! (`kill9.rs`), and as three nodes on one PostgreSQL database killed and restarted while the
//! others serve (`cluster.rs`); the blobs a crash leaves unreferenced are collected at the next
//! start (`gc.rs`); a full disk ends in errors, never in corruption (`disk_full.rs`). Its own test
//! binary, apart from `it`, because these tests run processes and take minutes.

mod body;
mod cluster;
mod disk;
mod disk_full;
mod fsync_failure;
mod gc;
mod kill9;
mod model;
mod probe;
mod server;
#[path = "../shared/mod.rs"]
mod shared;
mod traffic;
mod trail;
