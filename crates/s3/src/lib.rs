//! The S3 service: buckets, objects, listing, multipart uploads and versioning over a
//! [`trailstack_store`] database and blob store. [`S3::call`] is the single entry for HTTP
//! requests (parsed by [`wire`]) and for other services' internal calls; it reports every call
//! to the [`AuditSink`] (shaped in [`audit`]).

pub mod accounts;
mod acl;
pub mod audit;
mod authz;
pub mod checksum;
pub mod cors;
mod data;
pub mod error;
pub mod explain_queries;
mod handlers;
pub mod lifecycle;
pub mod logging;
pub mod model;
pub mod op;
mod port;
#[cfg(test)]
mod service_tests;
pub mod sse;
#[cfg(test)]
mod testing;
pub mod wire;

pub use error::{S3Error, S3Result};
pub use op::{Op, Output};

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use trailstack_core::{AuditSink, Caller, Clock, KeyService, NoAudit, Principal};
use trailstack_policy::IdentityPolicies;
use trailstack_store::{BlobStore, Db, RootKey};

pub use model::buckets::CHANGES_TOPIC;

/// A handler's future, boxed: each handler's state lives on the heap in its own size, where an
/// unboxed `dispatch` would be as large as the largest handler (tens of kilobytes) and be copied
/// whole on every call.
type Handling<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = S3Result<Output>> + Send + 'a>>;

/// The S3 service.
#[derive(Clone)]
pub struct S3 {
    db: Arc<Db>,
    blobs: BlobStore,
    clock: Arc<dyn Clock>,
    region: String,
    /// KMS, for SSE-KMS data keys.
    keys: Arc<dyn KeyService>,
    /// The root key, sealing SSE-S3 data keys.
    root: Arc<RootKey>,
    /// Refuse SSE-KMS and SSE-C requests over plain HTTP, as AWS does.
    require_tls_for_sse: bool,
    /// S3 Bucket Keys in use.
    bucket_keys: Arc<sse::bucket_key::Cache>,
    /// Where every call is reported (CloudTrail's recorder).
    audit: Arc<dyn AuditSink>,
    /// The identity policies of the configured users.
    identities: Arc<IdentityPolicies>,
    /// The accounts ACL grants may name.
    accounts: Arc<accounts::Accounts>,
    /// Bucket owners and parsed bucket policies, for authorization.
    bucket_policies: Arc<authz::cache::BucketPolicies>,
    /// The defaults new buckets get.
    bucket_defaults: model::buckets::BucketDefaults,
    /// The length of a lifecycle day (24 hours unless shortened for tests and demos).
    lifecycle_days: lifecycle::Days,
    /// Bumped after every committed lifecycle configuration change, so the lifecycle worker
    /// looks again before the next midnight.
    lifecycle_generation: Arc<std::sync::atomic::AtomicU64>,
}

impl S3 {
    /// An S3 service over `db` and `blobs`, whose default region is `region`, encrypting
    /// objects with data keys from `keys` (SSE-KMS) or sealed by `root` (SSE-S3).
    pub fn new(
        db: Arc<Db>,
        blobs: BlobStore,
        clock: Arc<dyn Clock>,
        region: &str,
        keys: Arc<dyn KeyService>,
        root: Arc<RootKey>,
    ) -> S3 {
        S3 {
            db,
            blobs,
            clock,
            region: region.to_string(),
            keys,
            root,
            require_tls_for_sse: false,
            bucket_keys: Arc::default(),
            audit: Arc::new(NoAudit),
            identities: Arc::default(),
            accounts: Arc::default(),
            bucket_policies: Arc::default(),
            bucket_defaults: Default::default(),
            lifecycle_days: lifecycle::Days::default(),
            lifecycle_generation: Arc::default(),
        }
    }

    /// The same service with a lifecycle "day" of `day` instead of 24 hours (tests and demos;
    /// Ceph's `rgw_lc_debug_interval` does the same).
    pub fn with_lifecycle_day(mut self, day: std::time::Duration) -> Self {
        self.lifecycle_days = lifecycle::Days::of(day);
        self
    }

    /// The same service authorizing users by `identities` (their inline policies); without
    /// it, users have only what bucket policies give them.
    pub fn with_identities(mut self, identities: Arc<IdentityPolicies>) -> Self {
        self.identities = identities;
        self
    }

    /// The same service letting ACL grants name `accounts` (without it, no canonical-user
    /// grant is accepted).
    pub fn with_accounts(mut self, accounts: Arc<accounts::Accounts>) -> Self {
        self.accounts = accounts;
        self
    }

    /// Forgets what is cached of every bucket's authorization facts: another server sharing the
    /// database changed a bucket (the change notice `authz::cache::CHANGES_TOPIC`).
    pub fn forget_cached_buckets(&self) {
        self.bucket_policies.clear();
    }

    /// The same service reporting every call to `sink`.
    pub fn with_audit(mut self, sink: Arc<dyn AuditSink>) -> Self {
        self.audit = sink;
        self
    }

    /// The same service giving new buckets `defaults` (AWS's current ones unless told).
    pub fn with_bucket_defaults(mut self, defaults: model::buckets::BucketDefaults) -> Self {
        self.bucket_defaults = defaults;
        self
    }

    /// Whether SSE-KMS, DSSE-KMS and SSE-C requests over plain HTTP are refused (AWS's 400).
    pub fn require_tls_for_sse(mut self, on: bool) -> S3 {
        self.require_tls_for_sse = on;
        self
    }

    /// Runs one operation for `caller` and records it. A call whose record cannot be made
    /// durable fails with an internal error: it must not be acknowledged.
    pub async fn call(&self, caller: &Caller, op: Op) -> S3Result<Output> {
        let acl_required = AtomicBool::new(false);
        self.run(caller, op, &op::ExpectedOwners::default(), &acl_required)
            .await
    }

    /// [`S3::call`] for a request that states which accounts own the buckets it names, also
    /// saying whether only an ACL grant allowed it (the access log's "ACL Required").
    pub async fn call_noting_acl(
        &self,
        caller: &Caller,
        op: Op,
        expected: &op::ExpectedOwners,
    ) -> (S3Result<Output>, bool) {
        let acl_required = AtomicBool::new(false);
        let result = self.run(caller, op, expected, &acl_required).await;
        (result, acl_required.into_inner())
    }

    async fn run(
        &self,
        caller: &Caller,
        op: Op,
        expected: &op::ExpectedOwners,
        acl_required: &AtomicBool,
    ) -> S3Result<Output> {
        let anonymous_record;
        let recorded = if caller.principal == Principal::Anonymous {
            anonymous_record = authz::anonymous_record(self, caller, &op).await?;
            anonymous_record.as_ref()
        } else {
            Some(caller)
        };
        let pending = recorded.map(|c| audit::Pending::of(&op, c));
        let read_of_key = authz::read_of_key(&op);
        let changes_bucket = authz::changes_bucket(&op);
        let at_commit = audit::at_commit::applies(&op);
        // Boxed: the handler futures are large, and the two ways of awaiting them below would
        // otherwise both be laid out in this future.
        let key_read = authz::key_read(&op);
        let rejected_sse = authz::new_object(&op)
            .and_then(|n| n.sse_rejected.as_ref())
            .map(|r| r.error.clone());
        let work = Box::pin(async {
            match authz::check(self, caller, &op, expected).await {
                // Refused headers are answered only once the caller may make the request.
                Ok(found) => {
                    acl_required.store(found.acl_required, Ordering::Relaxed);
                    match rejected_sse {
                        Some(e) => Err(e),
                        None => self.dispatch(caller, op, found.refused).await,
                    }
                }
                Err(denied) => Err(authz::refused_read(self, key_read, denied).await),
            }
        });
        // A pending record the handler's final write took is recorded by that write.
        let (result, pending) = match (pending, recorded) {
            (Some(pending), Some(recorded)) if at_commit => {
                let (clock, sink) = (self.clock.clone(), self.audit.clone());
                audit::at_commit::scope(pending, recorded, clock, sink, work).await
            }
            (pending, _) => (work.await, pending),
        };
        if let Some(bucket) = changes_bucket {
            self.bucket_policies.invalidate(&bucket);
        }
        let result = match (result, read_of_key) {
            // Boxed: only failed reads take it, and inline it would be half this future's size.
            (Err(e), Some(bucket)) => {
                Err(Box::pin(authz::hide_missing_key(self, caller, bucket, e)).await)
            }
            (r, _) => r,
        };
        if let (Some(pending), Some(recorded)) = (pending, recorded) {
            let event = pending.finish(recorded, &result, self.clock.now());
            self.audit
                .record(event)
                .await
                .map_err(|e| S3Error::Internal(e.to_string()))?;
        }
        result
    }

    /// Runs one operation's handler; `refused`: the keys of a DeleteObjects the caller may
    /// not delete.
    fn dispatch<'a>(&'a self, caller: &'a Caller, op: Op, refused: authz::Refused) -> Handling<'a> {
        use handlers::*;
        match op {
            Op::ListBuckets {
                prefix,
                max_buckets,
                continuation,
                region,
            } => Box::pin(bucket::list_buckets(
                self,
                caller,
                prefix,
                max_buckets,
                continuation,
                region,
            )),
            Op::CreateBucket {
                bucket,
                location,
                acl,
                ownership,
                object_lock,
            } => Box::pin(bucket::create(
                self,
                caller,
                bucket,
                location,
                acl,
                ownership,
                object_lock,
            )),
            Op::HeadBucket { bucket } => Box::pin(bucket::head(self, caller, bucket)),
            Op::DeleteBucket { bucket } => Box::pin(bucket::delete(self, caller, bucket)),
            Op::GetBucketLocation { bucket } => Box::pin(bucket::location(self, caller, bucket)),
            Op::GetBucketTagging { bucket } => {
                Box::pin(settings::get_tagging(self, caller, bucket))
            }
            Op::PutBucketTagging { bucket, tags } => {
                Box::pin(settings::put_tagging(self, caller, bucket, Some(tags)))
            }
            Op::DeleteBucketTagging { bucket } => {
                Box::pin(settings::put_tagging(self, caller, bucket, None))
            }
            Op::GetBucketPolicy { bucket } => Box::pin(settings::get_policy(self, caller, bucket)),
            Op::PutBucketPolicy { bucket, policy } => {
                Box::pin(settings::put_policy(self, caller, bucket, Some(policy)))
            }
            Op::DeleteBucketPolicy { bucket } => {
                Box::pin(settings::put_policy(self, caller, bucket, None))
            }
            Op::GetBucketAcl { bucket } => Box::pin(settings::get_acl(self, caller, bucket)),
            Op::PutBucketAcl { bucket, acl } => {
                Box::pin(settings::put_acl(self, caller, bucket, acl))
            }
            Op::GetBucketOwnershipControls { bucket } => {
                Box::pin(settings::get_ownership(self, caller, bucket))
            }
            Op::PutBucketOwnershipControls { bucket, ownership } => Box::pin(
                settings::put_ownership(self, caller, bucket, Some(ownership)),
            ),
            Op::DeleteBucketOwnershipControls { bucket } => {
                Box::pin(settings::put_ownership(self, caller, bucket, None))
            }
            Op::GetPublicAccessBlock { bucket } => {
                Box::pin(settings::get_pab(self, caller, bucket))
            }
            Op::PutPublicAccessBlock { bucket, config } => {
                Box::pin(settings::put_pab(self, caller, bucket, Some(config)))
            }
            Op::DeletePublicAccessBlock { bucket } => {
                Box::pin(settings::put_pab(self, caller, bucket, None))
            }
            Op::GetBucketEncryption { bucket } => Box::pin(encryption::get(self, caller, bucket)),
            Op::PutBucketEncryption { bucket, config } => {
                Box::pin(encryption::put(self, caller, bucket, Some(config)))
            }
            Op::DeleteBucketEncryption { bucket } => {
                Box::pin(encryption::put(self, caller, bucket, None))
            }
            Op::GetBucketVersioning { bucket } => {
                Box::pin(settings::get_versioning(self, caller, bucket))
            }
            Op::PutBucketVersioning { bucket, status } => {
                Box::pin(settings::put_versioning(self, caller, bucket, status))
            }
            Op::GetBucketLifecycleConfiguration { bucket } => {
                Box::pin(handlers::lifecycle::get(self, caller, bucket))
            }
            Op::PutBucketLifecycleConfiguration { bucket, config } => {
                Box::pin(handlers::lifecycle::put(self, caller, bucket, Some(config)))
            }
            Op::DeleteBucketLifecycle { bucket } => {
                Box::pin(handlers::lifecycle::put(self, caller, bucket, None))
            }
            Op::GetBucketLogging { bucket } => {
                Box::pin(handlers::logging::get(self, caller, bucket))
            }
            Op::PutBucketLogging { bucket, config } => {
                Box::pin(handlers::logging::put(self, caller, bucket, config))
            }
            Op::GetBucketCors { bucket } => Box::pin(handlers::cors::get(self, caller, bucket)),
            Op::PutBucketCors { bucket, rules } => {
                Box::pin(handlers::cors::put(self, caller, bucket, Some(rules)))
            }
            Op::DeleteBucketCors { bucket } => {
                Box::pin(handlers::cors::put(self, caller, bucket, None))
            }
            Op::GetBucketPolicyStatus { bucket } => {
                Box::pin(settings::get_policy_status(self, caller, bucket))
            }
            Op::ListObjects(input) => Box::pin(list::list_objects(self, caller, input)),
            Op::ListObjectVersions(input) => Box::pin(list::list_versions(self, caller, input)),
            Op::ListMultipartUploads(input) => {
                Box::pin(multipart::list_uploads(self, caller, input))
            }
            Op::DeleteObjects {
                bucket,
                quiet,
                objects,
                bypass_governance,
            } => {
                let input = delete::DeleteObjectsInput {
                    bucket,
                    quiet,
                    keys: objects,
                    bypass_governance,
                };
                Box::pin(delete::delete_objects(self, caller, input, refused))
            }
            Op::PutObject {
                obj,
                upload,
                new,
                if_none_match,
                if_match,
            } => Box::pin(object::put(
                self,
                caller,
                obj,
                upload,
                new,
                if_none_match,
                if_match,
            )),
            Op::PostObject(input) => Box::pin(object::post(self, caller, input)),
            Op::GetObject(input) => Box::pin(object_read::get(self, caller, input, false)),
            Op::HeadObject(input) => Box::pin(object_read::get(self, caller, input, true)),
            Op::DeleteObject {
                obj,
                version_id,
                bypass_governance,
            } => Box::pin(delete::delete_object(
                self,
                caller,
                obj,
                version_id,
                bypass_governance,
            )),
            Op::CopyObject(input) => Box::pin(copy::copy_object(self, caller, input)),
            Op::GetObjectTagging { obj, version_id } => {
                Box::pin(tagging::get(self, caller, obj, version_id))
            }
            Op::PutObjectTagging {
                obj,
                version_id,
                tags,
            } => Box::pin(tagging::put(self, caller, obj, version_id, Some(tags))),
            Op::DeleteObjectTagging { obj, version_id } => {
                Box::pin(tagging::put(self, caller, obj, version_id, None))
            }
            Op::GetObjectAttributes {
                obj,
                version_id,
                attributes,
                max_parts,
                part_marker,
                customer,
            } => Box::pin(object_read::attributes(
                self,
                caller,
                (obj, version_id, customer),
                attributes,
                (max_parts, part_marker),
            )),
            Op::GetObjectAcl { obj, version_id } => {
                Box::pin(object_acl::get(self, caller, obj, version_id))
            }
            Op::PutObjectAcl {
                obj,
                version_id,
                acl,
            } => Box::pin(object_acl::put(self, caller, obj, version_id, acl)),
            Op::CreateMultipartUpload {
                obj,
                new,
                checksum,
                checksum_type,
            } => Box::pin(multipart::create(
                self,
                caller,
                obj,
                new,
                checksum,
                checksum_type,
            )),
            Op::UploadPart {
                obj,
                upload_id,
                part_number,
                upload,
                customer,
            } => Box::pin(multipart::upload_part(
                self,
                caller,
                obj,
                upload_id,
                part_number,
                upload,
                customer,
            )),
            Op::UploadPartCopy(input) => Box::pin(copy::upload_part_copy(self, caller, input)),
            Op::CompleteMultipartUpload {
                obj,
                upload_id,
                parts,
                if_none_match,
                if_match,
                checksum,
                customer,
            } => {
                let conditions = (if_none_match, if_match);
                let (parts, checks) = ((parts, checksum, customer), conditions);
                Box::pin(multipart::complete(
                    self, caller, obj, upload_id, parts, checks,
                ))
            }
            Op::AbortMultipartUpload { obj, upload_id } => {
                Box::pin(multipart::abort(self, caller, obj, upload_id))
            }
            Op::ListParts {
                obj,
                upload_id,
                max_parts,
                part_marker,
            } => Box::pin(multipart::list_parts(
                self,
                caller,
                obj,
                upload_id,
                max_parts,
                part_marker,
            )),
            Op::ObjectLock(l) => Box::pin(lock::call(self, caller, l)),
        }
    }

    /// Runs a write transaction (group-committed with concurrent writes).
    async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&trailstack_store::Conn) -> S3Result<T> + Send + 'static,
    ) -> S3Result<T> {
        self.db.write(f).await
    }

    /// Runs a read bounded by a few rows (a bucket, an object version, an upload) on this
    /// thread: a hand-off to the blocking pool and back would cost more than the read.
    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&trailstack_store::Conn) -> S3Result<T> + Send + 'static,
    ) -> S3Result<T> {
        self.db.read(f)
    }

    /// Runs a read whose cost grows with the data (a listing, the parts of an upload) on a
    /// blocking thread, so that it never holds up the requests sharing this one.
    async fn scan<T: Send + 'static>(
        &self,
        f: impl FnOnce(&trailstack_store::Conn) -> S3Result<T> + Send + 'static,
    ) -> S3Result<T> {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || db.read(f))
            .await
            .map_err(|e| S3Error::Internal(format!("join: {e}")))?
    }

    /// Deletes blobs no longer referenced after a commit (or never referenced: a failed write's
    /// own). A failure leaves an orphan file, never a dangling reference, so it is logged and not
    /// reported to the client; the next start collects it (trailstack_store::journal).
    async fn drop_blobs(&self, ids: Vec<String>) {
        // Inside a durable scope the commit that released these blobs may not be fsynced yet;
        // deleting them first could leave a crash-restored version pointing at nothing.
        if let Err(e) = self.db.settle().await {
            tracing::warn!("keeping {} blobs: commit not durable: {e}", ids.len());
            return;
        }
        let ids = ids
            .iter()
            .filter_map(|id| trailstack_store::BlobId::parse(id).ok())
            .collect();
        match self.blobs.delete(ids).await {
            Ok(kept) if !kept.is_empty() => {
                // A commit that references them is visible though it failed (its fsync did):
                // deleting them could leave it dangling.
                tracing::warn!("keeping {} blobs still referenced", kept.len());
            }
            Ok(_) => {}
            Err(e) => tracing::warn!("could not delete blobs: {e}"),
        }
    }

    fn now_ms(&self) -> i64 {
        model::to_ms(self.clock.now())
    }
}
