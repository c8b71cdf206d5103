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
            (Err(e), Some(bucket)) => Err(authz::hide_missing_key(self, caller, bucket, e).await),
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
    async fn dispatch(&self, caller: &Caller, op: Op, refused: authz::Refused) -> S3Result<Output> {
        use handlers::*;
        match op {
            Op::ListBuckets {
                prefix,
                max_buckets,
                continuation,
                region,
            } => {
                bucket::list_buckets(self, caller, prefix, max_buckets, continuation, region).await
            }
            Op::CreateBucket {
                bucket,
                location,
                acl,
                ownership,
                object_lock,
            } => bucket::create(self, caller, bucket, location, acl, ownership, object_lock).await,
            Op::HeadBucket { bucket } => bucket::head(self, caller, bucket).await,
            Op::DeleteBucket { bucket } => bucket::delete(self, caller, bucket).await,
            Op::GetBucketLocation { bucket } => bucket::location(self, caller, bucket).await,
            Op::GetBucketTagging { bucket } => settings::get_tagging(self, caller, bucket).await,
            Op::PutBucketTagging { bucket, tags } => {
                settings::put_tagging(self, caller, bucket, Some(tags)).await
            }
            Op::DeleteBucketTagging { bucket } => {
                settings::put_tagging(self, caller, bucket, None).await
            }
            Op::GetBucketPolicy { bucket } => settings::get_policy(self, caller, bucket).await,
            Op::PutBucketPolicy { bucket, policy } => {
                settings::put_policy(self, caller, bucket, Some(policy)).await
            }
            Op::DeleteBucketPolicy { bucket } => {
                settings::put_policy(self, caller, bucket, None).await
            }
            Op::GetBucketAcl { bucket } => settings::get_acl(self, caller, bucket).await,
            Op::PutBucketAcl { bucket, acl } => settings::put_acl(self, caller, bucket, acl).await,
            Op::GetBucketOwnershipControls { bucket } => {
                settings::get_ownership(self, caller, bucket).await
            }
            Op::PutBucketOwnershipControls { bucket, ownership } => {
                settings::put_ownership(self, caller, bucket, Some(ownership)).await
            }
            Op::DeleteBucketOwnershipControls { bucket } => {
                settings::put_ownership(self, caller, bucket, None).await
            }
            Op::GetPublicAccessBlock { bucket } => settings::get_pab(self, caller, bucket).await,
            Op::PutPublicAccessBlock { bucket, config } => {
                settings::put_pab(self, caller, bucket, Some(config)).await
            }
            Op::DeletePublicAccessBlock { bucket } => {
                settings::put_pab(self, caller, bucket, None).await
            }
            Op::GetBucketEncryption { bucket } => encryption::get(self, caller, bucket).await,
            Op::PutBucketEncryption { bucket, config } => {
                encryption::put(self, caller, bucket, Some(config)).await
            }
            Op::DeleteBucketEncryption { bucket } => {
                encryption::put(self, caller, bucket, None).await
            }
            Op::GetBucketVersioning { bucket } => {
                settings::get_versioning(self, caller, bucket).await
            }
            Op::PutBucketVersioning { bucket, status } => {
                settings::put_versioning(self, caller, bucket, status).await
            }
            Op::GetBucketLifecycleConfiguration { bucket } => {
                handlers::lifecycle::get(self, caller, bucket).await
            }
            Op::PutBucketLifecycleConfiguration { bucket, config } => {
                handlers::lifecycle::put(self, caller, bucket, Some(config)).await
            }
            Op::DeleteBucketLifecycle { bucket } => {
                handlers::lifecycle::put(self, caller, bucket, None).await
            }
            Op::GetBucketLogging { bucket } => handlers::logging::get(self, caller, bucket).await,
            Op::PutBucketLogging { bucket, config } => {
                handlers::logging::put(self, caller, bucket, config).await
            }
            Op::GetBucketCors { bucket } => handlers::cors::get(self, caller, bucket).await,
            Op::PutBucketCors { bucket, rules } => {
                handlers::cors::put(self, caller, bucket, Some(rules)).await
            }
            Op::DeleteBucketCors { bucket } => {
                handlers::cors::put(self, caller, bucket, None).await
            }
            Op::GetBucketPolicyStatus { bucket } => {
                settings::get_policy_status(self, caller, bucket).await
            }
            Op::ListObjects(input) => list::list_objects(self, caller, input).await,
            Op::ListObjectVersions(input) => list::list_versions(self, caller, input).await,
            Op::ListMultipartUploads(input) => multipart::list_uploads(self, caller, input).await,
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
                delete::delete_objects(self, caller, input, refused).await
            }
            Op::PutObject {
                obj,
                upload,
                new,
                if_none_match,
                if_match,
            } => object::put(self, caller, obj, upload, new, if_none_match, if_match).await,
            Op::PostObject(input) => object::post(self, caller, input).await,
            Op::GetObject(input) => object_read::get(self, caller, input, false).await,
            Op::HeadObject(input) => object_read::get(self, caller, input, true).await,
            Op::DeleteObject {
                obj,
                version_id,
                bypass_governance,
            } => delete::delete_object(self, caller, obj, version_id, bypass_governance).await,
            Op::CopyObject(input) => copy::copy_object(self, caller, input).await,
            Op::GetObjectTagging { obj, version_id } => {
                tagging::get(self, caller, obj, version_id).await
            }
            Op::PutObjectTagging {
                obj,
                version_id,
                tags,
            } => tagging::put(self, caller, obj, version_id, Some(tags)).await,
            Op::DeleteObjectTagging { obj, version_id } => {
                tagging::put(self, caller, obj, version_id, None).await
            }
            Op::GetObjectAttributes {
                obj,
                version_id,
                attributes,
                max_parts,
                part_marker,
                customer,
            } => {
                object_read::attributes(
                    self,
                    caller,
                    (obj, version_id, customer),
                    attributes,
                    (max_parts, part_marker),
                )
                .await
            }
            Op::GetObjectAcl { obj, version_id } => {
                object_acl::get(self, caller, obj, version_id).await
            }
            Op::PutObjectAcl {
                obj,
                version_id,
                acl,
            } => object_acl::put(self, caller, obj, version_id, acl).await,
            Op::CreateMultipartUpload {
                obj,
                new,
                checksum,
                checksum_type,
            } => multipart::create(self, caller, obj, new, checksum, checksum_type).await,
            Op::UploadPart {
                obj,
                upload_id,
                part_number,
                upload,
                customer,
            } => {
                multipart::upload_part(self, caller, obj, upload_id, part_number, upload, customer)
                    .await
            }
            Op::UploadPartCopy(input) => copy::upload_part_copy(self, caller, input).await,
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
                multipart::complete(self, caller, obj, upload_id, parts, checks).await
            }
            Op::AbortMultipartUpload { obj, upload_id } => {
                multipart::abort(self, caller, obj, upload_id).await
            }
            Op::ListParts {
                obj,
                upload_id,
                max_parts,
                part_marker,
            } => multipart::list_parts(self, caller, obj, upload_id, max_parts, part_marker).await,
            Op::ObjectLock(l) => lock::call(self, caller, l).await,
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
