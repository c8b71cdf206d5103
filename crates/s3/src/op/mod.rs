//! The S3 operations trailstack serves, as typed inputs and outputs. `wire::parse` turns an
//! HTTP request into an [`Op`] once, at the edge; handlers take these inputs and return these
//! outputs, and never see HTTP.

use crate::checksum::Algorithm;
use crate::model::buckets::{Grant, Owner, PublicAccessBlock};
use crate::model::objects::{ObjectMeta, ObjectVersion, StoredChecksum};
use crate::model::uploads::{Part, Upload};
use crate::sse::{BucketEncryption, CustomerKey, SseRequest};
use trailstack_core::BodyStream;

mod list;
mod lock;
mod output;
pub use list::*;
pub use lock::*;
pub use output::*;

/// Names an object: bucket and key.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ObjectRef {
    /// Bucket name.
    pub bucket: String,
    /// Object key.
    pub key: String,
}

impl ObjectRef {
    /// `bucket`/`key`.
    pub fn new(bucket: impl Into<String>, key: impl Into<String>) -> ObjectRef {
        ObjectRef {
            bucket: bucket.into(),
            key: key.into(),
        }
    }
}

/// A request body together with what the client declared about it.
pub struct Payload {
    /// The body, de-framed and signature-checked.
    pub body: BodyStream,
    /// The length the client declared (Content-Length or x-amz-decoded-content-length).
    pub declared_len: Option<u64>,
    /// Content-MD5 (base64), to check.
    pub content_md5: Option<String>,
    /// The checksum algorithm asked for, and the value sent in a header (None if it comes as a
    /// trailer or is to be computed only).
    pub checksum: Option<(Algorithm, Option<String>)>,
}

impl Payload {
    /// A body already whole in memory, as one frame of its declared length with no MD5 or
    /// checksum to check: what S3 writes on its own behalf (access logs, files a service
    /// delivers through the port) and what tests send.
    pub fn whole(bytes: bytes::Bytes) -> Payload {
        let len = bytes.len() as u64;
        Payload {
            body: Box::pin(futures_util::stream::once(async move {
                Ok(trailstack_core::BodyFrame::Data(bytes))
            })),
            declared_len: Some(len),
            content_md5: None,
            checksum: None,
        }
    }
}

impl std::fmt::Debug for Payload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upload")
            .field("declared_len", &self.declared_len)
            .finish()
    }
}

/// A browser form upload whose policy and signature have been checked.
#[derive(Debug)]
pub struct PostInput {
    /// Bucket name.
    pub bucket: String,
    /// Object key (with `${filename}` substituted).
    pub key: String,
    /// The file.
    pub upload: Payload,
    /// Content headers, metadata, tags and ACL from the form.
    pub new: NewObject,
    /// success_action_status: 200, 201 or 204.
    pub success_status: u16,
    /// success_action_redirect.
    pub redirect: Option<String>,
    /// The policy's content-length-range.
    pub length_range: Option<(u64, u64)>,
}

/// HTTP preconditions of reads and copies.
#[derive(Debug, Clone, Default)]
pub struct Conditions {
    /// If-Match ETags.
    pub if_match: Option<String>,
    /// If-None-Match ETags.
    pub if_none_match: Option<String>,
    /// If-Modified-Since.
    pub if_modified_since: Option<time::OffsetDateTime>,
    /// If-Unmodified-Since.
    pub if_unmodified_since: Option<time::OffsetDateTime>,
}

/// A byte range of a GET, as in the Range header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeSpec {
    /// `bytes=a-b` or `bytes=a-` (end None).
    FromTo(u64, Option<u64>),
    /// `bytes=-n`: the last n bytes.
    Suffix(u64),
}

/// Settings a new object takes from its request: content headers, user metadata, tags, ACL.
#[derive(Debug, Clone, Default)]
pub struct NewObject {
    /// Content headers, user metadata, storage class, tags (segments and checksum unset).
    pub meta: ObjectMeta,
    /// Canned ACL, if any.
    pub acl: Option<String>,
    /// Grants of the `x-amz-grant-*` headers (never with a canned ACL).
    pub grants: Vec<Grant>,
    /// Server-side encryption asked for by the request's headers.
    pub sse: Option<SseRequest>,
    /// Encryption headers S3 refuses: the refusal comes after the permission check, which
    /// sees the values as sent (a policy denying a wrong algorithm answers 403, not 400).
    pub sse_rejected: Option<crate::wire::sse::RejectedSse>,
    /// Who writes it: a user (every HTTP request) or CloudTrail delivering a file through
    /// `ObjectWriter`, whose stated encryption the bucket default never overrides.
    pub writer: crate::sse::Writer,
}

/// Keys (with optional version ids) named in a DeleteObjects request.
pub type DeleteList = Vec<(String, Option<String>)>;

impl Op {
    /// An unconditional PutObject of `upload` as `obj`, stored as `new` says.
    pub fn put_object(obj: ObjectRef, upload: Payload, new: NewObject) -> Op {
        Op::PutObject {
            obj,
            upload,
            new,
            if_none_match: None,
            if_match: None,
        }
    }
}

/// One S3 operation with its input.
#[derive(Debug)]
pub enum Op {
    /// GET / (ListBuckets).
    ListBuckets {
        prefix: String,
        max_buckets: Option<usize>,
        continuation: Option<String>,
        region: Option<String>,
    },
    /// PUT /bucket.
    CreateBucket {
        bucket: String,
        location: Option<String>,
        acl: Option<String>,
        ownership: Option<String>,
        /// x-amz-bucket-object-lock-enabled: true.
        object_lock: bool,
    },
    /// HEAD /bucket.
    HeadBucket { bucket: String },
    /// DELETE /bucket.
    DeleteBucket { bucket: String },
    /// GET /bucket?location.
    GetBucketLocation { bucket: String },
    /// GET /bucket?tagging.
    GetBucketTagging { bucket: String },
    /// PUT /bucket?tagging.
    PutBucketTagging {
        bucket: String,
        tags: Vec<(String, String)>,
    },
    /// DELETE /bucket?tagging.
    DeleteBucketTagging { bucket: String },
    /// GET /bucket?policy.
    GetBucketPolicy { bucket: String },
    /// PUT /bucket?policy.
    PutBucketPolicy { bucket: String, policy: String },
    /// DELETE /bucket?policy.
    DeleteBucketPolicy { bucket: String },
    /// GET /bucket?acl.
    GetBucketAcl { bucket: String },
    /// PUT /bucket?acl (canned ACL header or AccessControlPolicy body).
    PutBucketAcl { bucket: String, acl: AclInput },
    /// GET /bucket?ownershipControls.
    GetBucketOwnershipControls { bucket: String },
    /// PUT /bucket?ownershipControls.
    PutBucketOwnershipControls { bucket: String, ownership: String },
    /// DELETE /bucket?ownershipControls.
    DeleteBucketOwnershipControls { bucket: String },
    /// GET /bucket?publicAccessBlock.
    GetPublicAccessBlock { bucket: String },
    /// PUT /bucket?publicAccessBlock.
    PutPublicAccessBlock {
        bucket: String,
        config: PublicAccessBlock,
    },
    /// DELETE /bucket?publicAccessBlock.
    DeletePublicAccessBlock { bucket: String },
    /// GET /bucket?versioning.
    GetBucketVersioning { bucket: String },
    /// GET /bucket?encryption.
    GetBucketEncryption { bucket: String },
    /// PUT /bucket?encryption.
    PutBucketEncryption {
        bucket: String,
        config: BucketEncryption,
    },
    /// DELETE /bucket?encryption.
    DeleteBucketEncryption { bucket: String },
    /// PUT /bucket?versioning.
    PutBucketVersioning { bucket: String, status: String },
    /// GET /bucket?lifecycle.
    GetBucketLifecycleConfiguration { bucket: String },
    /// PUT /bucket?lifecycle (validated).
    PutBucketLifecycleConfiguration {
        bucket: String,
        config: crate::lifecycle::LifecycleConfiguration,
    },
    /// DELETE /bucket?lifecycle.
    DeleteBucketLifecycle { bucket: String },
    /// GET /bucket?logging.
    GetBucketLogging { bucket: String },
    /// PUT /bucket?logging (None: an empty BucketLoggingStatus, which disables logging).
    PutBucketLogging {
        bucket: String,
        config: Option<crate::logging::LoggingConfig>,
    },
    /// GET /bucket?cors.
    GetBucketCors { bucket: String },
    /// PUT /bucket?cors.
    PutBucketCors {
        bucket: String,
        rules: Vec<crate::cors::CorsRule>,
    },
    /// DELETE /bucket?cors.
    DeleteBucketCors { bucket: String },
    /// GET /bucket?policyStatus.
    GetBucketPolicyStatus { bucket: String },
    /// GET /bucket (v1) or /bucket?list-type=2.
    ListObjects(ListObjectsInput),
    /// GET /bucket?versions.
    ListObjectVersions(ListVersionsInput),
    /// GET /bucket?uploads.
    ListMultipartUploads(ListUploadsInput),
    /// POST /bucket?delete.
    DeleteObjects {
        bucket: String,
        quiet: bool,
        objects: DeleteList,
        /// x-amz-bypass-governance-retention: true.
        bypass_governance: bool,
    },
    /// PUT /bucket/key.
    PutObject {
        obj: ObjectRef,
        upload: Payload,
        new: NewObject,
        if_none_match: Option<String>,
        if_match: Option<String>,
    },
    /// POST /bucket with a multipart/form-data body (browser upload).
    PostObject(PostInput),
    /// GET /bucket/key.
    GetObject(GetObjectInput),
    /// HEAD /bucket/key.
    HeadObject(GetObjectInput),
    /// DELETE /bucket/key.
    DeleteObject {
        obj: ObjectRef,
        version_id: Option<String>,
        /// x-amz-bypass-governance-retention: true.
        bypass_governance: bool,
    },
    /// PUT /bucket/key with x-amz-copy-source.
    CopyObject(CopyObjectInput),
    /// GET /bucket/key?tagging.
    GetObjectTagging {
        obj: ObjectRef,
        version_id: Option<String>,
    },
    /// PUT /bucket/key?tagging.
    PutObjectTagging {
        obj: ObjectRef,
        version_id: Option<String>,
        tags: Vec<(String, String)>,
    },
    /// DELETE /bucket/key?tagging.
    DeleteObjectTagging {
        obj: ObjectRef,
        version_id: Option<String>,
    },
    /// GET /bucket/key?attributes.
    GetObjectAttributes {
        obj: ObjectRef,
        version_id: Option<String>,
        attributes: Vec<String>,
        max_parts: Option<u32>,
        part_marker: u32,
        /// The SSE-C key an SSE-C object's attributes are read with.
        customer: Option<CustomerKey>,
    },
    /// GET /bucket/key?acl.
    GetObjectAcl {
        obj: ObjectRef,
        version_id: Option<String>,
    },
    /// PUT /bucket/key?acl.
    PutObjectAcl {
        obj: ObjectRef,
        version_id: Option<String>,
        acl: AclInput,
    },
    /// POST /bucket/key?uploads.
    CreateMultipartUpload {
        obj: ObjectRef,
        new: NewObject,
        checksum: Option<Algorithm>,
        checksum_type: Option<String>,
    },
    /// PUT /bucket/key?partNumber&uploadId.
    UploadPart {
        obj: ObjectRef,
        upload_id: String,
        part_number: u32,
        upload: Payload,
        customer: Option<CustomerKey>,
    },
    /// PUT /bucket/key?partNumber&uploadId with x-amz-copy-source.
    UploadPartCopy(PartCopyInput),
    /// POST /bucket/key?uploadId.
    CompleteMultipartUpload {
        obj: ObjectRef,
        upload_id: String,
        parts: Vec<CompletedPart>,
        if_none_match: Option<String>,
        if_match: Option<String>,
        /// The whole object's checksum the client computed (`x-amz-checksum-*`), to verify.
        checksum: Option<(Algorithm, String)>,
        /// The SSE-C key of an SSE-C upload, when sent.
        customer: Option<CustomerKey>,
    },
    /// DELETE /bucket/key?uploadId.
    AbortMultipartUpload { obj: ObjectRef, upload_id: String },
    /// GET /bucket/key?uploadId.
    ListParts {
        obj: ObjectRef,
        upload_id: String,
        max_parts: usize,
        part_marker: u32,
    },
    /// Object Lock: bucket configuration, object retention and legal hold.
    ObjectLock(LockOp),
}

impl Op {
    /// The AWS operation name, as CloudTrail and errors name it.
    pub fn name(&self) -> &'static str {
        match self {
            Op::ListBuckets { .. } => "ListBuckets",
            Op::CreateBucket { .. } => "CreateBucket",
            Op::HeadBucket { .. } => "HeadBucket",
            Op::DeleteBucket { .. } => "DeleteBucket",
            Op::GetBucketLocation { .. } => "GetBucketLocation",
            Op::GetBucketTagging { .. } => "GetBucketTagging",
            Op::PutBucketTagging { .. } => "PutBucketTagging",
            Op::DeleteBucketTagging { .. } => "DeleteBucketTagging",
            Op::GetBucketPolicy { .. } => "GetBucketPolicy",
            Op::PutBucketPolicy { .. } => "PutBucketPolicy",
            Op::DeleteBucketPolicy { .. } => "DeleteBucketPolicy",
            Op::GetBucketAcl { .. } => "GetBucketAcl",
            Op::PutBucketAcl { .. } => "PutBucketAcl",
            Op::GetBucketOwnershipControls { .. } => "GetBucketOwnershipControls",
            Op::PutBucketOwnershipControls { .. } => "PutBucketOwnershipControls",
            Op::DeleteBucketOwnershipControls { .. } => "DeleteBucketOwnershipControls",
            Op::GetPublicAccessBlock { .. } => "GetPublicAccessBlock",
            Op::PutPublicAccessBlock { .. } => "PutPublicAccessBlock",
            Op::DeletePublicAccessBlock { .. } => "DeletePublicAccessBlock",
            Op::GetBucketVersioning { .. } => "GetBucketVersioning",
            Op::GetBucketEncryption { .. } => "GetBucketEncryption",
            Op::PutBucketEncryption { .. } => "PutBucketEncryption",
            Op::DeleteBucketEncryption { .. } => "DeleteBucketEncryption",
            Op::PutBucketVersioning { .. } => "PutBucketVersioning",
            Op::GetBucketLifecycleConfiguration { .. } => "GetBucketLifecycleConfiguration",
            Op::PutBucketLifecycleConfiguration { .. } => "PutBucketLifecycleConfiguration",
            Op::DeleteBucketLifecycle { .. } => "DeleteBucketLifecycle",
            Op::GetBucketLogging { .. } => "GetBucketLogging",
            Op::PutBucketLogging { .. } => "PutBucketLogging",
            Op::GetBucketCors { .. } => "GetBucketCors",
            Op::PutBucketCors { .. } => "PutBucketCors",
            Op::DeleteBucketCors { .. } => "DeleteBucketCors",
            Op::GetBucketPolicyStatus { .. } => "GetBucketPolicyStatus",
            Op::ListObjects(i) if i.v2 => "ListObjectsV2",
            Op::ListObjects(_) => "ListObjects",
            Op::ListObjectVersions(_) => "ListObjectVersions",
            Op::ListMultipartUploads(_) => "ListMultipartUploads",
            Op::DeleteObjects { .. } => "DeleteObjects",
            Op::PutObject { .. } => "PutObject",
            Op::PostObject(_) => "PostObject",
            Op::GetObject(_) => "GetObject",
            Op::HeadObject(_) => "HeadObject",
            Op::DeleteObject { .. } => "DeleteObject",
            Op::CopyObject(_) => "CopyObject",
            Op::GetObjectTagging { .. } => "GetObjectTagging",
            Op::PutObjectTagging { .. } => "PutObjectTagging",
            Op::DeleteObjectTagging { .. } => "DeleteObjectTagging",
            Op::GetObjectAttributes { .. } => "GetObjectAttributes",
            Op::GetObjectAcl { .. } => "GetObjectAcl",
            Op::PutObjectAcl { .. } => "PutObjectAcl",
            Op::CreateMultipartUpload { .. } => "CreateMultipartUpload",
            Op::UploadPart { .. } => "UploadPart",
            Op::UploadPartCopy(_) => "UploadPartCopy",
            Op::CompleteMultipartUpload { .. } => "CompleteMultipartUpload",
            Op::AbortMultipartUpload { .. } => "AbortMultipartUpload",
            Op::ListParts { .. } => "ListParts",
            Op::ObjectLock(l) => l.name(),
        }
    }
}

/// The accounts a request expects to own the buckets it names (`x-amz-expected-bucket-owner`,
/// and `x-amz-source-expected-bucket-owner` for a copy's source); a bucket another account
/// owns fails the request with `403 AccessDenied`.
#[derive(Debug, Clone, Default)]
pub struct ExpectedOwners {
    /// The account expected to own the bucket the request acts on.
    pub bucket: Option<String>,
    /// The account expected to own a copy's source bucket.
    pub source: Option<String>,
}

/// An ACL to set: a canned ACL or explicit grants.
#[derive(Debug, Clone)]
pub enum AclInput {
    /// `x-amz-acl` canned ACL.
    Canned(String),
    /// An AccessControlPolicy document.
    Grants {
        owner: Option<Owner>,
        grants: Vec<Grant>,
    },
}

/// GetObject and HeadObject.
#[derive(Debug, Clone, Default)]
pub struct GetObjectInput {
    /// The object.
    pub obj: ObjectRef,
    /// versionId.
    pub version_id: Option<String>,
    /// Range header.
    pub range: Option<RangeSpec>,
    /// The raw Range header, for error messages.
    pub range_raw: String,
    /// partNumber.
    pub part_number: Option<u32>,
    /// Preconditions.
    pub conditions: Conditions,
    /// response-* overrides: (header name, value).
    pub overrides: Vec<(&'static str, String)>,
    /// x-amz-checksum-mode: ENABLED.
    pub checksum_mode: bool,
    /// SSE-C key headers.
    pub customer: Option<CustomerKey>,
}

/// The source of a copy.
#[derive(Debug, Clone)]
pub struct CopySource {
    /// Source object.
    pub obj: ObjectRef,
    /// Source version.
    pub version_id: Option<String>,
    /// x-amz-copy-source-if-* conditions.
    pub conditions: Conditions,
    /// x-amz-copy-source-server-side-encryption-customer-* (an SSE-C source's key).
    pub customer: Option<CustomerKey>,
}

/// UploadPartCopy.
#[derive(Debug)]
pub struct PartCopyInput {
    /// The upload's object.
    pub obj: ObjectRef,
    /// uploadId.
    pub upload_id: String,
    /// partNumber.
    pub part_number: u32,
    /// The source.
    pub source: CopySource,
    /// x-amz-copy-source-range: (first, last).
    pub range: Option<(u64, u64)>,
    /// SSE-C key of the upload, for an SSE-C upload.
    pub customer: Option<CustomerKey>,
}

/// CopyObject.
#[derive(Debug)]
pub struct CopyObjectInput {
    /// Destination.
    pub obj: ObjectRef,
    /// Source.
    pub source: CopySource,
    /// x-amz-metadata-directive: REPLACE.
    pub replace_metadata: bool,
    /// The request named a metadata directive: only then does the policy key
    /// `s3:x-amz-metadata-directive` exist.
    pub metadata_directive_given: bool,
    /// x-amz-tagging-directive: REPLACE.
    pub replace_tags: bool,
    /// Metadata and tags from the request (used when replacing).
    pub new: NewObject,
    /// Whether the request changes anything a same-object copy may change (storage class,
    /// website redirect, encryption).
    pub changes_object: bool,
    /// x-amz-checksum-algorithm for the copy.
    pub checksum: Option<Algorithm>,
    /// If-None-Match on the destination key (a conditional write: `*` only).
    pub if_none_match: Option<String>,
    /// If-Match on the destination key (a conditional write).
    pub if_match: Option<String>,
}

/// A part named in CompleteMultipartUpload.
#[derive(Debug, Clone)]
pub struct CompletedPart {
    /// PartNumber.
    pub part_number: u32,
    /// ETag (quotes stripped).
    pub etag: String,
    /// Checksum the client gives for the part, if any.
    pub checksum: Option<(Algorithm, String)>,
}
