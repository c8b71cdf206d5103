//! S3 Bucket Keys: one KMS data key per bucket, KMS key and principal, reused for a limited
//! time, from which each object's key is derived locally (HKDF-SHA256 over a random per-object
//! salt, bound to the object's identity). While a bucket key is cached, SSE-KMS writes and reads
//! make no KMS call. The cache lives in memory only; its entries expire by the service [`Clock`].
//!
//! [`Clock`]: trailstack_core::Clock

use std::collections::HashMap;
use std::sync::Mutex;
use time::{Duration, OffsetDateTime};
use zeroize::Zeroizing;

/// How long a bucket key is reused before KMS is asked again.
pub const TTL: Duration = Duration::minutes(5);
/// The HKDF info prefix of object keys derived from a bucket key (NEVER CHANGE).
const DERIVE_INFO: &[u8] = b"trailstack/s3/bucket-key/object-key/v1";

/// A bucket key in clear, with what KMS said about it.
#[derive(Clone)]
pub struct BucketKey {
    /// The plaintext bucket key.
    pub plaintext: Zeroizing<Vec<u8>>,
    /// Its KMS ciphertext, stored with each object.
    pub ciphertext: Vec<u8>,
    /// The KMS key ARN.
    pub key_arn: String,
}

struct Entry {
    key: BucketKey,
    expires: OffsetDateTime,
}

/// A cache map from (principal, bucket, lookup key) to its entry.
type Map<K> = Mutex<HashMap<(String, String, K), Entry>>;

/// Cached bucket keys: by (principal, bucket, requested key) for writes and by (principal,
/// bucket, ciphertext) for reads.
#[derive(Default)]
pub struct Cache {
    by_request: Map<String>,
    by_ciphertext: Map<Vec<u8>>,
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BucketKeyCache(..)")
    }
}

fn fresh<K: std::hash::Hash + Eq>(
    map: &Mutex<HashMap<K, Entry>>,
    k: &K,
    now: OffsetDateTime,
) -> Option<BucketKey> {
    let mut m = map.lock().ok()?;
    m.retain(|_, e| e.expires > now);
    m.get(k).map(|e| e.key.clone())
}

impl Cache {
    /// The bucket key `principal` got for `requested` in `bucket`, if still fresh.
    pub fn for_write(
        &self,
        principal: &str,
        bucket: &str,
        requested: &str,
        now: OffsetDateTime,
    ) -> Option<BucketKey> {
        let k = (
            principal.to_string(),
            bucket.to_string(),
            requested.to_string(),
        );
        fresh(&self.by_request, &k, now)
    }

    /// The plaintext of the bucket key `ciphertext`, if `principal` had it recently.
    pub fn for_read(
        &self,
        principal: &str,
        bucket: &str,
        ciphertext: &[u8],
        now: OffsetDateTime,
    ) -> Option<BucketKey> {
        let k = (
            principal.to_string(),
            bucket.to_string(),
            ciphertext.to_vec(),
        );
        fresh(&self.by_ciphertext, &k, now)
    }

    /// Remembers a bucket key (from GenerateDataKey when `requested` is set, else Decrypt).
    pub fn remember(
        &self,
        principal: &str,
        bucket: &str,
        requested: Option<&str>,
        key: &BucketKey,
        now: OffsetDateTime,
    ) {
        let expires = now + TTL;
        if let Some(r) = requested {
            if let Ok(mut m) = self.by_request.lock() {
                let k = (principal.to_string(), bucket.to_string(), r.to_string());
                m.insert(
                    k,
                    Entry {
                        key: key.clone(),
                        expires,
                    },
                );
            }
        }
        if let Ok(mut m) = self.by_ciphertext.lock() {
            let k = (
                principal.to_string(),
                bucket.to_string(),
                key.ciphertext.clone(),
            );
            m.insert(
                k,
                Entry {
                    key: key.clone(),
                    expires,
                },
            );
        }
    }
}

struct Len32;

impl aws_lc_rs::hkdf::KeyType for Len32 {
    fn len(&self) -> usize {
        32
    }
}

/// The object key derived from `bucket_key` with the object's `salt` and `aad` (its identity).
pub fn derive(bucket_key: &[u8], salt: &[u8], aad: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    use aws_lc_rs::hkdf::{Salt, HKDF_SHA256};
    let prk = Salt::new(HKDF_SHA256, salt).extract(bucket_key);
    let info = [DERIVE_INFO, aad];
    let okm = prk.expand(&info, Len32).ok()?;
    let mut out = Zeroizing::new(vec![0u8; 32]);
    okm.fill(&mut out).ok()?;
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derivation_depends_on_every_input() {
        let a = derive(&[1; 32], &[2; 32], b"x").unwrap();
        assert_eq!(a.len(), 32);
        assert_eq!(a, derive(&[1; 32], &[2; 32], b"x").unwrap());
        assert_ne!(a, derive(&[9; 32], &[2; 32], b"x").unwrap());
        assert_ne!(a, derive(&[1; 32], &[3; 32], b"x").unwrap());
        assert_ne!(a, derive(&[1; 32], &[2; 32], b"y").unwrap());
    }

    #[test]
    fn entries_expire() {
        let c = Cache::default();
        let t = OffsetDateTime::UNIX_EPOCH;
        let k = BucketKey {
            plaintext: Zeroizing::new(vec![1; 32]),
            ciphertext: vec![7; 10],
            key_arn: "arn".into(),
        };
        c.remember("p", "b", Some("K"), &k, t);
        assert!(c
            .for_write("p", "b", "K", t + Duration::minutes(4))
            .is_some());
        assert!(c.for_read("p", "b", &[7; 10], t).is_some());
        assert!(c.for_write("q", "b", "K", t).is_none());
        assert!(c.for_write("p", "b", "K", t + TTL).is_none());
        assert!(c.for_read("p", "b", &[7; 10], t + TTL).is_none());
    }
}
