//! What the `it` and `crash` test binaries share, each including this file by path (test
//! binaries cannot use each other): `trailstack flush` run as the real binary, and the checks
//! that delivered CloudTrail records come once.

use std::collections::HashMap;
use std::fmt::Debug;
use std::hash::Hash;
use std::process::Command;

/// `trailstack flush` against `endpoint` as the default account: delivers every pending
/// record and closes the digest periods.
pub fn flush(endpoint: &str) {
    let out = Command::new(env!("CARGO_BIN_EXE_trailstack"))
        .args(["flush", "--endpoint", endpoint, "--region", "us-east-1"])
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "trailstack flush: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Asserts that no entry of `counts` (how often each eventID or request was delivered) came
/// more than once; `what` names the entries in the failure.
pub fn assert_none_twice<K: Debug + Eq + Hash>(counts: &HashMap<K, usize>, what: &str) {
    let twice: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        twice.is_empty(),
        "{what} delivered more than once: {twice:?}"
    );
}
