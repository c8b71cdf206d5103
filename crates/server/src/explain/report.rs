//! The report types of `trailstack explain`: the JSON an [`super::Explanation`] is made of,
//! one report per kind of target (object, bucket, KMS key) and the facts each composes. Field
//! names and meanings are the JSON format (README, "Explain"); [`super::FORMAT_VERSION`] changes
//! when one changes meaning or goes.

use super::lock;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The answer: the format version, the target asked about, and its report.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Explanation {
    /// [`super::FORMAT_VERSION`].
    pub format_version: u32,
    /// The target URI as asked.
    pub target: String,
    /// The principal the explanation was made for ("can it be read" is about them).
    pub asked_by: String,
    /// When it was asked with temporary credentials: the session and its policies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<SessionReport>,
    /// The report, tagged by `kind`.
    #[serde(flatten)]
    pub report: Report,
}

/// The session behind temporary (`ASIA…`) credentials and where its permissions come from.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionReport {
    /// The temporary access key.
    pub access_key: String,
    /// The role behind the session, path included; absent for a GetSessionToken session.
    pub role: Option<String>,
    /// The session's name (`RoleSessionName`); absent for a GetSessionToken session.
    pub session_name: Option<String>,
    /// When STS issued the credentials (ISO 8601, seconds).
    pub issued: String,
    /// When they stop working (ISO 8601, seconds).
    pub expires: String,
    /// The `SourceIdentity` set when the role was assumed.
    pub source_identity: Option<String>,
    /// The identity policies that allow what the session may do: the role's (for a
    /// GetSessionToken session, the user's and its groups').
    pub identity_policies: Vec<PolicyRef>,
    /// Whether session policies passed at AssumeRole narrow it to what they also allow.
    pub session_policies: bool,
    /// The permissions boundary (ARN) capping the identity policies.
    pub permissions_boundary: Option<String>,
}

/// An identity policy and what holds it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PolicyRef {
    /// `inline` or `managed`.
    pub kind: String,
    /// An inline policy's name, a managed policy's ARN.
    pub name: String,
    /// Its holder: `role/<name>`, `user/<name>` or `group/<name>`.
    pub holder: String,
}

/// One report, by `kind`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Report {
    /// `s3://bucket/key`.
    Object(Box<ObjectReport>),
    /// `s3://bucket`.
    Bucket(Box<BucketReport>),
    /// `kms://key`.
    Key(Box<KeyReport>),
}

/// An object: how it is stored and why, who wrote it, whether it can be read, who logs it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ObjectReport {
    /// Bucket name.
    pub bucket: String,
    /// Object key.
    pub key: String,
    /// The current version's id (`null` in unversioned buckets).
    pub version_id: String,
    /// Size in bytes.
    pub size: u64,
    /// ETag, without quotes.
    pub etag: String,
    /// When it was written (ISO 8601, seconds).
    pub last_modified: String,
    /// How its bytes are encrypted; absent for objects written before encryption at rest.
    pub encryption: Option<Encryption>,
    /// The rule that chose the encryption, as recorded when the object was written.
    pub rule: Option<RuleApplied>,
    /// Who wrote it; absent for objects written before writers were recorded.
    pub written_by: Option<WrittenBy>,
    /// Whether the asking principal can read it now.
    pub readable: Readability,
    /// The trails whose selectors take this object's data events.
    pub data_events: Vec<TrailCoverage>,
    /// For a file CloudTrail delivered: its trail, period and hash check.
    pub cloudtrail_file: Option<DeliveredFile>,
    /// Its Object Lock retention and legal hold, when either was set.
    pub object_lock: Option<lock::ObjectLockState>,
}

/// How an object's bytes are encrypted.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Encryption {
    /// `SSE-S3`, `SSE-KMS`, `DSSE-KMS` or `SSE-C`.
    pub mode: String,
    /// The `x-amz-server-side-encryption` value (`AES256`, `aws:kms`, `aws:kms:dsse`); absent
    /// for SSE-C.
    pub algorithm: Option<String>,
    /// The KMS key, for SSE-KMS and DSSE-KMS.
    pub key: Option<KeyRef>,
    /// Whether an S3 Bucket Key protects it.
    pub bucket_key: bool,
    /// The encryption context S3 sends to KMS for it.
    pub encryption_context: BTreeMap<String, String>,
}

/// A KMS key as a report names it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeyRef {
    /// The key ARN (or the key as configured, when KMS does not know it).
    pub arn: String,
    /// Its aliases.
    pub aliases: Vec<String>,
    /// Its state (`Enabled`, `Disabled`, `PendingDeletion`, `PendingImport`), or `NotFound`.
    pub state: String,
    /// `CUSTOMER` or `AWS`; absent when not found.
    pub manager: Option<String>,
}

/// The rule of ARCHITECTURE.md §5 that chose an encryption.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RuleApplied {
    /// `request_header`, `bucket_default`, `service_default`, `cloudtrail_log` or
    /// `cloudtrail_digest`.
    pub id: String,
    /// The rule in words (`bucket default`, `CloudTrail digest (always SSE-S3)`, …).
    pub text: String,
    /// Why the rule applies, in one sentence.
    pub because: String,
}

/// The caller of the write that made an object version.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WrittenBy {
    /// The principal's ARN, or the service principal (`cloudtrail.amazonaws.com`).
    pub principal: String,
    /// The principal's account.
    pub account: String,
    /// The service that made the call for the principal (`invokedBy`).
    pub invoked_by: Option<String>,
    /// The resource a service acted for (`aws:SourceArn`; for CloudTrail, the trail).
    pub on_behalf_of: Option<String>,
    /// The write's request id.
    pub request_id: String,
    /// When (ISO 8601, seconds).
    pub time: String,
}

/// Whether the asking principal can read an object now.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Readability {
    /// True when nothing in its encryption stops the read.
    pub can_read: bool,
    /// One line: `can be read by …` or `cannot be read: key disabled`.
    pub summary: String,
    /// KMS objects: whether the key policy, grants and identity policies let the principal
    /// decrypt through S3 (absent when the key's state already stops the read).
    pub decrypt_allowed: Option<bool>,
}

/// A trail whose selectors take data events of an object (or of every object of a bucket).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrailCoverage {
    /// The trail.
    pub trail: TrailName,
    /// Whether the trail is logging (a stopped trail records nothing).
    pub logging: bool,
    /// Whether reads (GetObject) are taken.
    pub read: bool,
    /// Whether writes (PutObject) are taken.
    pub write: bool,
    /// The selectors that take them.
    pub selectors: Vec<SelectorMatch>,
    /// Where the trail's files go and how they are stored.
    pub delivery: TrailDelivery,
}

/// A trail's name and ARN.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrailName {
    /// Name.
    pub name: String,
    /// ARN.
    pub arn: String,
}

/// One selector that takes an object's events.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SelectorMatch {
    /// Its position in the trail's selectors (basic or advanced).
    pub index: usize,
    /// The selector in one line.
    pub description: String,
    /// Whether it takes the read.
    pub read: bool,
    /// Whether it takes the write.
    pub write: bool,
}

/// Where a trail delivers and how its files are stored there.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrailDelivery {
    /// Bucket.
    pub bucket: String,
    /// Key prefix, if any.
    pub prefix: Option<String>,
    /// Where log files go: `s3://bucket/[prefix/]AWSLogs/<account>/CloudTrail/`.
    pub log_location: String,
    /// How log files are stored, and why.
    pub log_files: StoredAs,
    /// How digest files are stored, when log file validation is on.
    pub digest_files: Option<StoredAs>,
    /// The error of the last log delivery, if it failed.
    pub latest_delivery_error: Option<String>,
}

/// One row of ARCHITECTURE.md §5 for one bucket: who writes, what they ask for, what is stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredAs {
    /// The writer, in the table's words (`a user, no SSE header`, `CloudTrail digest file`).
    pub written_by: String,
    /// What the write asks for (`—`, `SSE-S3`, `SSE-KMS, <key>, context aws:cloudtrail:arn`).
    pub asks_for: String,
    /// The bucket's default encryption, in the same words.
    pub bucket_default: String,
    /// The rule that decides.
    pub rule: RuleApplied,
    /// What is stored (`SSE-S3`, `SSE-KMS, <key>`).
    pub stored_as: String,
    /// The KMS key ARN stored objects get, for SSE-KMS.
    pub key_arn: Option<String>,
}

/// A file CloudTrail delivered, as delivery recorded it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeliveredFile {
    /// `log` or `digest`.
    pub file_type: String,
    /// The trail that delivered it (which may since have been deleted).
    pub trail: TrailName,
    /// The region it covers.
    pub region: String,
    /// Log file: oldest event; digest: period start (ISO 8601).
    pub period_start: String,
    /// Log file: newest event; digest: period end (ISO 8601).
    pub period_end: String,
    /// Log file: records; digest: log files listed.
    pub entries: i64,
    /// The digest that lists it: for a log file, the digest of its period; for a digest,
    /// the next one of the chain. Absent until written (or without log file validation).
    pub listed_by: Option<String>,
    /// The hash check.
    pub hash: HashCheck,
}

/// The SHA-256 of a delivered file's document now, against the value delivery recorded (the
/// value the listing digest carries).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HashCheck {
    /// Hex SHA-256 recorded at delivery (and listed by the digest).
    pub recorded: String,
    /// Hex SHA-256 of the stored file's uncompressed document, read now; absent when it
    /// could not be read.
    pub computed: Option<String>,
    /// `matches`, `differs` or `not_checked`.
    pub status: String,
    /// One line for people.
    pub summary: String,
}

/// A bucket: its default encryption and policy, who logs its objects, which trails deliver
/// into it, and ARCHITECTURE.md §5 for it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BucketReport {
    /// Bucket name.
    pub bucket: String,
    /// Owning account.
    pub account: String,
    /// Region.
    pub region: String,
    /// The defaults the bucket was created with: `current` (AWS's since April 2023) or
    /// `legacy` (before: GetBucketEncryption reports no default, objects are SSE-S3 anyway).
    pub bucket_defaults: String,
    /// Default encryption.
    pub default_encryption: DefaultEncryption,
    /// The bucket policy, as it concerns writing objects.
    pub policy: PolicySummary,
    /// The trails whose selectors take data events of every object of the bucket (what the
    /// console shows as the bucket's "object-level logging").
    pub object_level_logging: Vec<TrailCoverage>,
    /// S3 server access logging of the bucket's requests; None when it is off.
    #[serde(default)]
    pub server_access_logging: Option<AccessLogging>,
    /// The trails delivering into the bucket.
    pub deliveries: Vec<TrailDeliveryInto>,
    /// ARCHITECTURE.md §5 for this bucket: each kind of write and how it is stored.
    pub encryption_rules: Vec<StoredAs>,
    /// Its Object Lock configuration, when Object Lock is enabled.
    pub object_lock: Option<lock::BucketLockState>,
}

/// Where a bucket's server access logs go and how they are stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessLogging {
    /// TargetBucket.
    pub target_bucket: String,
    /// TargetPrefix.
    pub target_prefix: String,
    /// `SimplePrefix` or `PartitionedPrefix`.
    pub key_format: String,
    /// `EventTime` or `DeliveryTime` for partitioned keys.
    pub partition_date_source: Option<String>,
    /// How log objects are stored: always `SSE-S3`.
    pub stored_as: String,
    /// The rule that decides it.
    pub rule: RuleApplied,
    /// Whether the target can take them now (exists, default encryption SSE-S3).
    pub deliverable: bool,
    /// Why not, when it cannot.
    pub problem: Option<String>,
    /// Records waiting for delivery.
    pub pending_records: i64,
    /// Why the last delivery failed, if it did.
    pub last_error: Option<String>,
}

/// A bucket's default encryption.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DefaultEncryption {
    /// Whether PutBucketEncryption set it (else the SSE-S3 service default applies).
    pub configured: bool,
    /// `SSE-S3`, `SSE-KMS` or `DSSE-KMS`.
    pub mode: String,
    /// The configured `KMSMasterKeyID`, as given.
    pub configured_key: Option<String>,
    /// The key it resolves to; for SSE-KMS without a key id, `aws/s3`.
    pub key: Option<KeyRef>,
    /// BucketKeyEnabled.
    pub bucket_key: bool,
}

/// A bucket policy, as it concerns writing objects.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PolicySummary {
    /// Whether the bucket has a policy.
    pub present: bool,
    /// Its statements about `s3:PutObject`.
    pub writes: Vec<PolicyStatement>,
}

/// One policy statement about writing objects.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PolicyStatement {
    /// Sid.
    pub sid: Option<String>,
    /// `Allow` or `Deny`.
    pub effect: String,
    /// Who (`*`, ARNs, service principals); `NotPrincipal` entries start with `not `.
    pub principals: Vec<String>,
    /// The objects (Resource).
    pub resources: Vec<String>,
    /// What it requires: one `key operator value(s)` line per condition.
    pub conditions: Vec<String>,
}

/// A trail delivering into a bucket.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrailDeliveryInto {
    /// The trail.
    pub trail: TrailName,
    /// Whether it is logging.
    pub logging: bool,
    /// Where and how.
    pub delivery: TrailDelivery,
}

/// A KMS key: its state, who encrypts with it, and its recent history.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeyReport {
    /// The key.
    pub key: KeyRef,
    /// Description.
    pub description: String,
    /// KeySpec.
    pub spec: String,
    /// Created (ISO 8601).
    pub created: String,
    /// Automatic rotation.
    pub rotation: Rotation,
    /// Scheduled deletion date, if any.
    pub deletion_date: Option<String>,
    /// The buckets whose default encryption uses it.
    pub bucket_defaults: Vec<BucketUse>,
    /// The trails that encrypt their log files with it.
    pub trails: Vec<TrailDeliveryInto>,
    /// The newest events of the event history naming it, newest first.
    pub recent_events: Vec<KeyEvent>,
}

/// A key's automatic rotation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Rotation {
    /// Whether automatic rotation is on.
    pub enabled: bool,
    /// RotationPeriodInDays.
    pub period_days: Option<u32>,
    /// The next automatic rotation (ISO 8601).
    pub next: Option<String>,
    /// The last rotation (ISO 8601).
    pub last: Option<String>,
}

/// A bucket whose default encryption uses a key.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BucketUse {
    /// Bucket name.
    pub bucket: String,
    /// The `KMSMasterKeyID` as configured (absent: `aws/s3` by default).
    pub configured_key: Option<String>,
    /// BucketKeyEnabled.
    pub bucket_key: bool,
}

/// One event of a key's history.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeyEvent {
    /// eventTime (ISO 8601).
    pub time: String,
    /// eventName.
    pub event_name: String,
    /// userIdentity.arn (or the service principal).
    pub principal: String,
    /// userIdentity.invokedBy.
    pub invoked_by: Option<String>,
    /// The encryption context of the call, `k=v` joined by `, ` (it names the object or trail).
    pub context: Option<String>,
    /// errorCode, for a failed call.
    pub error_code: Option<String>,
}
