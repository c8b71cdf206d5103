//! The `ObjectWriter` port: what CloudTrail needs from S3 — to look at a trail's bucket (does it
//! exist, who owns it, what its policy says) and to write log and digest files into it — without
//! depending on the S3 crate. The server wires S3 in; its implementation enters S3 through the
//! same audited entry point as an HTTP request, as the `cloudtrail.amazonaws.com` principal.

use crate::caller::Caller;
use crate::ids::AccountId;
use crate::ports::{PortError, PortFuture};
use std::collections::BTreeMap;

/// The encryption a writer states for its object. CloudTrail always states one, so a bucket's
/// default encryption never applies to what it writes (ARCHITECTURE.md §5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriterSse {
    /// SSE-S3 (`AES256`).
    S3,
    /// SSE-KMS under `key_id` (id, ARN or alias), with `context` added to the object ARN context.
    Kms {
        /// The KMS key.
        key_id: String,
        /// Extra encryption context, e.g. `aws:cloudtrail:arn`.
        context: BTreeMap<String, String>,
    },
}

/// One object to store.
#[derive(Debug, Clone)]
pub struct PutObjectRequest {
    /// Bucket name.
    pub bucket: String,
    /// Object key.
    pub key: String,
    /// The whole body (log and digest files are small and gzipped).
    pub body: Vec<u8>,
    /// `Content-Type`.
    pub content_type: Option<String>,
    /// `Content-Encoding`.
    pub content_encoding: Option<String>,
    /// The canned ACL, e.g. `bucket-owner-full-control`.
    pub acl: Option<String>,
    /// The stated encryption.
    pub sse: WriterSse,
    /// User metadata (`x-amz-meta-*` names without the prefix).
    pub metadata: BTreeMap<String, String>,
}

/// What S3 stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PutObjectResult {
    /// The ETag, quoted.
    pub etag: String,
    /// The version id, when the bucket is versioned.
    pub version_id: Option<String>,
    /// `AES256`, `aws:kms` or `aws:kms:dsse`.
    pub sse: String,
    /// The KMS key ARN for SSE-KMS.
    pub kms_key_arn: Option<String>,
}

/// What CloudTrail's checks need to know about a bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketInfo {
    /// The owning account.
    pub owner: AccountId,
    /// The bucket's region.
    pub region: String,
    /// The bucket policy document, if any.
    pub policy: Option<String>,
}

/// What CloudTrail needs from S3.
pub trait ObjectWriter: Send + Sync {
    /// PutObject for `caller` (CloudTrail's service principal acting for the trail's account).
    /// The default refuses, as KeyService's methods do: the server's S3 port writes, the
    /// stand-ins of CloudTrail's tests and benchmarks that never deliver need not.
    fn put_object<'a>(
        &'a self,
        caller: &'a Caller,
        request: PutObjectRequest,
    ) -> PortFuture<'a, PutObjectResult> {
        let _ = (caller, request);
        Box::pin(async {
            Err(PortError {
                code: "NotImplemented".into(),
                message: "this object writer writes nothing".into(),
            })
        })
    }

    /// The bucket's owner, region and policy; `None` when the bucket does not exist.
    fn bucket_info<'a>(&'a self, bucket: &'a str) -> PortFuture<'a, Option<BucketInfo>>;
}
