//! `mixed-80-20`: traffic over many existing keys, 80% reads and 20% overwrites, as an
//! application's working set sees it. Setup writes the keys (1 KiB each, on the setup's
//! parallel connections); each request picks a key and an operation pseudo-randomly from its
//! slot ([`choose`]): the same run sends the same sequence to every target, and a key is
//! rarely hit twice in a row, so no cache of the last object helps.
//!
//! Keys live in `bench` under `mixed/`, 1 KiB like every small object there (the limit server
//! relies on it). The key count is a run parameter (`--mixed-keys`) because moto writes about
//! 150 objects a second: 100,000 keys take it some 11 minutes to set up.
//!
//! Must not touch: anything but request shapes.

use super::s3::{create_bucket, BUCKET, SMALL};
use super::{Scenario, Slot, Weight};
use crate::body::{generated, BenchBody};
use crate::spec::{hash_of, Expect, Spec};
use crate::stats::thousands;
use bytes::Bytes;
use http::Method;
use std::sync::Arc;

/// Keys of a full run.
pub const DEFAULT_KEYS: usize = 100_000;
/// Share of requests that are GETs; the rest are PUTs.
pub const GET_SHARE: f64 = 0.8;
/// [`GET_SHARE`] of the 32-bit range: a draw below it is a GET.
const GET_BELOW: u64 = (GET_SHARE * (1u64 << 32) as f64) as u64;

/// What a request does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// GetObject of the key.
    Get,
    /// PutObject of 1 KiB over the key.
    Put,
}

/// The splitmix64 finalizer: every input bit moves every output bit.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The key index (below `keys`) and operation of the request at `slot`: the high 32 bits of
/// one hash of the slot pick the key (multiply-shift, no modulo bias worth the name), the low
/// 32 bits the operation.
pub fn choose(slot: Slot, keys: usize) -> (usize, Op) {
    let h = mix(((slot.round as u64) << 48) ^ ((slot.worker as u64) << 32) ^ slot.seq);
    let key = ((h >> 32) * keys as u64) >> 32;
    let op = if (h & 0xFFFF_FFFF) < GET_BELOW {
        Op::Get
    } else {
        Op::Put
    };
    (key as usize, op)
}

/// The mixed scenario over `keys` keys.
pub struct MixedScenario {
    keys: usize,
    body: Bytes,
    hash: Arc<str>,
}

impl MixedScenario {
    /// Traffic over `keys` keys (at least one).
    pub fn new(keys: usize) -> Self {
        let body = Bytes::from(generated(SMALL, 1));
        let hash = hash_of(&body);
        MixedScenario {
            keys: keys.max(1),
            body,
            hash,
        }
    }

    fn path(i: usize) -> String {
        format!("/{BUCKET}/mixed/{i:06}")
    }

    fn put(&self, i: usize) -> Spec {
        Spec {
            body: BenchBody::full(self.body.clone()),
            payload_hash: self.hash.clone(),
            ..Spec::s3(Method::PUT, Self::path(i), "", Expect::OK)
        }
    }
}

impl Scenario for MixedScenario {
    fn name(&self) -> &'static str {
        "mixed-80-20"
    }

    fn describe(&self) -> String {
        format!(
            "Over {} existing objects of 1 KiB (written at setup), each request picks one key and \
             does GetObject with probability 0.8 or PutObject overwriting it with 1 KiB (payload \
             SHA-256 signed) with 0.2; key and operation pseudo-random from the request's round, \
             worker and sequence number, so every target gets the same sequence",
            thousands(self.keys as u64)
        )
    }

    fn weight(&self) -> Weight {
        Weight::Small
    }

    fn setup(&self) -> Vec<Vec<Spec>> {
        let puts = (0..self.keys).map(|i| self.put(i)).collect();
        vec![vec![create_bucket(BUCKET)], puts]
    }

    fn request(&self, slot: Slot) -> Spec {
        match choose(slot, self.keys) {
            (i, Op::Get) => Spec::s3(Method::GET, Self::path(i), "", Expect::body(SMALL as u64)),
            (i, Op::Put) => self.put(i),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slots() -> impl Iterator<Item = Slot> {
        (0..3).flat_map(|round| {
            (0..64).flat_map(move |worker| (0..1000).map(move |seq| Slot { round, worker, seq }))
        })
    }

    #[test]
    fn four_in_five_requests_are_gets() {
        let n = slots().count() as f64;
        let gets = slots().filter(|s| choose(*s, 1000).1 == Op::Get).count() as f64;
        assert!((gets / n - GET_SHARE).abs() < 0.005, "{}", gets / n);
    }

    #[test]
    fn keys_are_spread_evenly_and_in_range() {
        let keys = 100;
        let mut hits = vec![0usize; keys];
        for s in slots() {
            let (k, _) = choose(s, keys);
            hits[k] += 1;
        }
        let mean = slots().count() as f64 / keys as f64;
        for (k, h) in hits.iter().enumerate() {
            assert!(
                (*h as f64 - mean).abs() < mean * 0.1,
                "key {k}: {h} vs {mean}"
            );
        }
        assert!(slots().all(|s| choose(s, 100_000).0 < 100_000));
        assert!(slots().all(|s| choose(s, 1).0 == 0));
    }

    #[test]
    fn choices_depend_on_the_slot_only() {
        let s = Slot {
            round: 1,
            worker: 7,
            seq: 42,
        };
        assert_eq!(choose(s, 100_000), choose(s, 100_000));
        let workers: std::collections::HashSet<usize> = (0..64)
            .map(|worker| choose(Slot { worker, ..s }, 100_000).0)
            .collect();
        assert!(workers.len() > 60, "workers pick different keys");
        let rounds: std::collections::HashSet<usize> = (0..8)
            .map(|round| choose(Slot { round, ..s }, 100_000).0)
            .collect();
        assert_eq!(rounds.len(), 8, "rounds pick different keys");
    }

    #[test]
    fn requests_and_setup() {
        let sc = MixedScenario::new(1000);
        let setup = sc.setup();
        assert_eq!(setup[1].len(), 1000);
        assert_eq!(setup[1][999].path, "/bench/mixed/000999");
        let (mut get, mut put) = (0, 0);
        for seq in 0..200 {
            let r = sc.request(Slot {
                round: 0,
                worker: 0,
                seq,
            });
            assert!(r.path.starts_with("/bench/mixed/"));
            match r.method {
                Method::GET => {
                    get += 1;
                    assert_eq!(r.expect.body_len, Some(SMALL as u64));
                }
                Method::PUT => {
                    put += 1;
                    assert_eq!(r.body_len(), SMALL as u64);
                }
                m => panic!("{m}"),
            }
        }
        assert!(get > put * 2 && put > 0);
        assert!(sc.describe().contains("1,000 existing objects"));
    }
}
