//! The outputs of S3 operations, as handlers return them and `wire` encodes them.

use super::*;
use crate::sse::SseRecord;
use trailstack_core::ResponseBody;

/// The outcome of an operation, to be encoded by `wire`.
#[derive(Debug)]
pub enum Output {
    /// 200/204 with no body and no extra headers.
    Empty { status: u16 },
    /// An empty answer that names the version it acted on (x-amz-version-id).
    VersionedEmpty {
        status: u16,
        version_id: Option<String>,
    },
    /// ListBuckets.
    Buckets {
        owner: Owner,
        buckets: Vec<(String, i64, String)>,
        continuation: Option<String>,
        prefix: String,
    },
    /// CreateBucket.
    Created { location: String },
    /// HeadBucket.
    BucketHead { region: String },
    /// GetBucketLocation (None = us-east-1).
    Location(Option<String>),
    /// A tag set.
    Tags {
        tags: Vec<(String, String)>,
        version_id: Option<String>,
    },
    /// GetBucketPolicy.
    Policy(String),
    /// An ACL.
    Acl { owner: Owner, grants: Vec<Grant> },
    /// GetBucketOwnershipControls.
    Ownership(String),
    /// GetPublicAccessBlock.
    PublicAccessBlock(PublicAccessBlock),
    /// GetBucketVersioning ("" when never enabled).
    Versioning(String),
    /// GetBucketEncryption.
    Encryption(BucketEncryption),
    /// GetBucketLifecycleConfiguration.
    Lifecycle(crate::lifecycle::LifecycleConfiguration),
    /// PutBucketLifecycleConfiguration: `x-amz-transition-default-minimum-object-size`.
    LifecycleSet { transition_minimum: String },
    /// GetBucketLogging (None: logging disabled).
    Logging(Option<crate::logging::LoggingConfig>),
    /// GetBucketCors.
    Cors(Vec<crate::cors::CorsRule>),
    /// GetBucketPolicyStatus: whether the bucket policy is public.
    PolicyStatus(bool),
    /// ListObjects/V2.
    ObjectList(ListObjectsOutput),
    /// ListObjectVersions.
    VersionList(ListVersionsOutput),
    /// ListMultipartUploads.
    UploadList(ListUploadsOutput),
    /// DeleteObjects.
    Deleted(DeleteObjectsOutput),
    /// PutObject, CompleteMultipartUpload, UploadPart: the stored version's write headers.
    Written(WriteOutput),
    /// PostObject.
    Posted {
        status: u16,
        redirect: Option<String>,
        bucket: String,
        key: String,
        write: WriteOutput,
    },
    /// GetObject / HeadObject.
    Object(Box<ObjectOutput>),
    /// DeleteObject.
    ObjectDeleted {
        version_id: Option<String>,
        delete_marker: bool,
    },
    /// CopyObject / UploadPartCopy.
    Copied {
        etag: String,
        last_modified_ms: i64,
        version_id: Option<String>,
        source_version_id: Option<String>,
        checksum: Option<StoredChecksum>,
        part: bool,
        sse: Option<SseRecord>,
        /// `x-amz-expiration` of the copy (CopyObject).
        expiration: Option<String>,
    },
    /// GetObjectAttributes.
    Attributes(Box<AttributesOutput>),
    /// CreateMultipartUpload.
    UploadCreated {
        bucket: String,
        key: String,
        upload_id: String,
        checksum: Option<Algorithm>,
        checksum_type: Option<String>,
        sse: Option<SseRecord>,
        /// `x-amz-abort-date` and `x-amz-abort-rule-id`, when a lifecycle rule aborts it.
        abort: Option<(String, String)>,
    },
    /// CompleteMultipartUpload.
    Completed {
        bucket: String,
        key: String,
        write: WriteOutput,
    },
    /// ListParts.
    PartList(Box<ListPartsOutput>),
    /// An Object Lock read.
    Lock(LockOutput),
}

/// What write operations report.
#[derive(Debug, Clone, Default)]
pub struct WriteOutput {
    /// ETag without quotes.
    pub etag: String,
    /// Version id, when the bucket is versioned.
    pub version_id: Option<String>,
    /// Checksum, if computed.
    pub checksum: Option<StoredChecksum>,
    /// Size in bytes.
    pub size: u64,
    /// The encryption of what was written.
    pub sse: Option<SseRecord>,
    /// `x-amz-expiration`, when a lifecycle rule expires what was written.
    pub expiration: Option<String>,
}

/// GetObject / HeadObject result.
#[derive(Debug)]
pub struct ObjectOutput {
    /// The version read.
    pub version: ObjectVersion,
    /// Whether the bucket has (or had) versioning, so x-amz-version-id is returned.
    pub show_version: bool,
    /// 206 partial content: (start, end inclusive).
    pub range: Option<(u64, u64)>,
    /// For partNumber reads: the number of parts.
    pub parts_count: Option<u32>,
    /// The bytes (Empty for HEAD).
    pub body: ResponseBody,
    /// response-* overrides.
    pub overrides: Vec<(&'static str, String)>,
    /// Return checksum headers.
    pub checksum: Option<StoredChecksum>,
    /// `x-amz-expiration` (reads of the current version only).
    pub expiration: Option<String>,
}

/// ListObjects/V2 result.
#[derive(Debug, Default)]
pub struct ListObjectsOutput {
    /// The input echoed.
    pub input: ListObjectsInput,
    /// Objects.
    pub contents: Vec<crate::model::listing::ListedObject>,
    /// CommonPrefixes.
    pub common_prefixes: Vec<String>,
    /// IsTruncated.
    pub truncated: bool,
    /// v1 NextMarker (only with a delimiter) / v2 NextContinuationToken.
    pub next: Option<String>,
}

/// ListObjectVersions result.
#[derive(Debug, Default)]
pub struct ListVersionsOutput {
    /// The input echoed.
    pub input: ListVersionsInput,
    /// Versions and delete markers, in listing order.
    pub versions: Vec<ObjectVersion>,
    /// CommonPrefixes.
    pub common_prefixes: Vec<String>,
    /// IsTruncated.
    pub truncated: bool,
    /// NextKeyMarker, NextVersionIdMarker.
    pub next: Option<(String, String)>,
}

/// ListMultipartUploads result.
#[derive(Debug, Default)]
pub struct ListUploadsOutput {
    /// The input echoed.
    pub input: ListUploadsInput,
    /// Uploads.
    pub uploads: Vec<Upload>,
    /// CommonPrefixes.
    pub common_prefixes: Vec<String>,
    /// IsTruncated.
    pub truncated: bool,
    /// NextKeyMarker, NextUploadIdMarker.
    pub next: Option<(String, String)>,
}

/// ListParts result.
#[derive(Debug)]
pub struct ListPartsOutput {
    /// The upload.
    pub upload: Upload,
    /// Parts.
    pub parts: Vec<Part>,
    /// PartNumberMarker.
    pub marker: u32,
    /// MaxParts.
    pub max_parts: usize,
    /// IsTruncated.
    pub truncated: bool,
    /// NextPartNumberMarker.
    pub next_marker: Option<u32>,
    /// `x-amz-abort-date` and `x-amz-abort-rule-id`, when a lifecycle rule aborts the upload.
    pub abort: Option<(String, String)>,
}

/// DeleteObjects result.
#[derive(Debug, Default)]
pub struct DeleteObjectsOutput {
    /// Deleted entries: key, version id, delete marker?, delete marker version id.
    pub deleted: Vec<(String, Option<String>, bool, Option<String>)>,
    /// Errors: key, version id, code, message.
    pub errors: Vec<(String, Option<String>, String, String)>,
    /// Quiet mode: only errors are reported.
    pub quiet: bool,
}

/// GetObjectAttributes result.
#[derive(Debug)]
pub struct AttributesOutput {
    /// The version.
    pub version: ObjectVersion,
    /// Whether to report x-amz-version-id.
    pub show_version: bool,
    /// Attributes asked for.
    pub attributes: Vec<String>,
    /// Parts page: parts (number, size, checksum), marker, next marker, max, truncated.
    pub parts: Vec<(u32, u64, Option<StoredChecksum>)>,
    /// PartNumberMarker.
    pub part_marker: u32,
    /// MaxParts.
    pub max_parts: u32,
    /// Whether more parts follow.
    pub parts_truncated: bool,
}
