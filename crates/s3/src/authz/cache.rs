//! What authorization needs to know of a bucket — its owning account, its parsed policy, its
//! ACL when ACLs are enabled, and its Block Public Access settings — kept in memory so that no
//! request reads the bucket row or parses a policy before its handler runs. Entries are
//! dropped when this process changes them (CreateBucket, DeleteBucket, Put/DeleteBucketPolicy,
//! PutBucketAcl, ownership controls, public access block: see `authz::changes_bucket`); a
//! generation counter keeps a load that raced with such a change from re-inserting what it
//! read before the change.
//!
//! Servers sharing a PostgreSQL database learn of each other's changes through the store's
//! change notices (`model::buckets::CHANGES_TOPIC`, ARCHITECTURE.md §3), and drop every entry.

use crate::acl;
use crate::error::S3Result;
use crate::model::buckets::{self, Grant, PublicAccessBlock};
use crate::S3;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use trailstack_policy::Policy;

/// Past this many buckets the cache starts over rather than tracking recency: reloading a
/// bucket costs one indexed read.
const MAX_ENTRIES: usize = 10_000;

/// A bucket as authorization sees it.
#[derive(Debug)]
pub struct BucketAuth {
    /// The owning account.
    pub account: String,
    /// The owner's canonical id (an object owned by another id belongs to another account).
    pub owner_id: String,
    /// The bucket policy, parsed.
    pub policy: Option<Arc<Policy>>,
    /// Whether Block Public Access counts the policy as public.
    pub policy_public: bool,
    /// The bucket ACL when ACLs take part in decisions (any ObjectOwnership but
    /// BucketOwnerEnforced); `None` when they are disabled.
    pub acl: Option<Vec<Grant>>,
    /// The bucket's Block Public Access settings (all off when none are stored).
    pub public_access_block: PublicAccessBlock,
    /// Server access logging, read by the record every request on the bucket makes.
    pub logging: Option<crate::logging::LoggingConfig>,
}

/// The cache, shared by the clones of one [`S3`].
#[derive(Debug, Default)]
pub struct BucketPolicies {
    entries: RwLock<HashMap<String, Arc<BucketAuth>>>,
    generation: AtomicU64,
}

impl BucketPolicies {
    /// Forgets every bucket: another server changed one.
    pub fn clear(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut map) = self.entries.write() {
            map.clear();
        }
    }

    /// Forgets `bucket`; call after committing any change to its existence or policy.
    pub fn invalidate(&self, bucket: &str) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut map) = self.entries.write() {
            map.remove(bucket);
        }
    }

    fn cached(&self, bucket: &str) -> Option<Arc<BucketAuth>> {
        self.entries.read().ok()?.get(bucket).cloned()
    }

    /// The bucket's owner and policy, or `None` when there is no such bucket (the handler then
    /// answers `NoSuchBucket`).
    pub async fn get(&self, s3: &S3, bucket: &str) -> S3Result<Option<Arc<BucketAuth>>> {
        if let Some(hit) = self.cached(bucket) {
            return Ok(Some(hit));
        }
        let before = self.generation.load(Ordering::SeqCst);
        let name = bucket.to_string();
        let Some(b) = s3.read(move |c| buckets::get(c, &name)).await? else {
            return Ok(None);
        };
        let policy = b.meta.policy.as_deref().and_then(|doc| {
            // Stored policies were validated by PutBucketPolicy; one that no longer parses
            // (a stricter parser after an upgrade) allows nothing rather than failing requests.
            Policy::parse_resource(doc)
                .map_err(|e| tracing::warn!("bucket {bucket}: stored policy ignored: {e}"))
                .ok()
                .map(Arc::new)
        });
        let auth = Arc::new(BucketAuth {
            policy_public: policy.as_deref().is_some_and(Policy::is_public),
            acl: acl::acls_enabled(&b).then(|| b.meta.acl.clone()),
            public_access_block: acl::public_access_block(&b),
            logging: b.meta.logging,
            owner_id: b.meta.owner.id,
            account: b.account,
            policy,
        });
        if let Ok(mut map) = self.entries.write() {
            if self.generation.load(Ordering::SeqCst) == before {
                if map.len() >= MAX_ENTRIES {
                    map.clear();
                }
                map.insert(bucket.to_string(), auth.clone());
            }
        }
        Ok(Some(auth))
    }
}
