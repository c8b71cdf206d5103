//! Bucket records and their queries.

use crate::error::{S3Error, S3Result};
use serde::{Deserialize, Serialize};
use trailstack_store::sql::Result as StoreResult;
use trailstack_store::{Conn as Connection, Row};

/// The owner of a bucket or object, as S3 shows it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Default)]
pub struct Owner {
    /// Canonical user id.
    pub id: String,
    /// Display name.
    pub display_name: String,
}

/// One grant of an access control list.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Grant {
    /// `CanonicalUser` or `Group`.
    pub grantee_type: String,
    /// Canonical id (CanonicalUser) or group URI (Group).
    pub grantee: String,
    /// Display name, for canonical users.
    pub display_name: Option<String>,
    /// FULL_CONTROL, READ, WRITE, READ_ACP, WRITE_ACP.
    pub permission: String,
}

/// The Block Public Access settings of a bucket.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
pub struct PublicAccessBlock {
    /// BlockPublicAcls.
    pub block_public_acls: bool,
    /// IgnorePublicAcls.
    pub ignore_public_acls: bool,
    /// BlockPublicPolicy.
    pub block_public_policy: bool,
    /// RestrictPublicBuckets.
    pub restrict_public_buckets: bool,
}

/// The defaults a new bucket gets: AWS's since April 2023 (ACLs disabled by
/// `BucketOwnerEnforced`, Block Public Access on, SSE-S3 default encryption reported), or the
/// ones before (no ownership controls, so ACLs apply as with `ObjectWriter`; no Block Public
/// Access configuration; no default encryption reported). Objects are encrypted at rest either
/// way: only what the API reports differs.
/// <https://docs.aws.amazon.com/AmazonS3/latest/userguide/create-bucket-faq.html>
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum BucketDefaults {
    /// AWS's defaults since April 2023.
    #[default]
    Current,
    /// AWS's defaults before April 2023, for suites and scripts written against them.
    Legacy,
}

impl BucketDefaults {
    /// `current` or `legacy`, as configured and stored.
    pub fn as_str(self) -> &'static str {
        match self {
            BucketDefaults::Current => "current",
            BucketDefaults::Legacy => "legacy",
        }
    }

    fn is_current(&self) -> bool {
        *self == BucketDefaults::Current
    }
}

impl std::str::FromStr for BucketDefaults {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "current" => Ok(BucketDefaults::Current),
            "legacy" => Ok(BucketDefaults::Legacy),
            _ => Err(format!(
                "bucket defaults {s:?}: expected current (AWS since April 2023) or legacy (before)"
            )),
        }
    }
}

/// The mutable settings of a bucket, stored as JSON.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct BucketMeta {
    /// Record schema version.
    #[serde(default)]
    pub v: u32,
    /// The bucket owner.
    pub owner: Owner,
    /// The ACL grants.
    pub acl: Vec<Grant>,
    /// The bucket policy document, as given.
    pub policy: Option<String>,
    /// ObjectOwnership: BucketOwnerEnforced (default), BucketOwnerPreferred, ObjectWriter.
    pub ownership: Option<String>,
    /// Block Public Access configuration (new buckets block all, as in AWS since April 2023).
    pub public_access_block: Option<PublicAccessBlock>,
    /// Bucket tags.
    pub tags: Option<Vec<(String, String)>>,
    /// Default encryption (PutBucketEncryption); None means the SSE-S3 service default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption: Option<crate::sse::BucketEncryption>,
    /// The defaults the bucket was created with (absent in records older than the setting,
    /// which were all created with the current ones). Fixed at creation, so restarting with
    /// another setting changes no existing bucket.
    #[serde(default, skip_serializing_if = "BucketDefaults::is_current")]
    pub defaults: BucketDefaults,
    /// Lifecycle configuration (PutBucketLifecycleConfiguration).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifecycle: Option<crate::lifecycle::LifecycleConfiguration>,
    /// Server access logging (PutBucketLogging); None: not logged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logging: Option<crate::logging::LoggingConfig>,
    /// CORS rules (PutBucketCors); None when the bucket has no configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cors: Option<Vec<crate::cors::CorsRule>>,
    /// Object Lock (enabled when present, which cannot be undone) and its default retention.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_lock: Option<super::lock::BucketLock>,
}

/// A bucket.
#[derive(Debug, Clone)]
pub struct Bucket {
    /// The bucket name.
    pub name: String,
    /// The owning account.
    pub account: String,
    /// The bucket's region.
    pub region: String,
    /// Creation time.
    pub created_ms: i64,
    /// `""` (never enabled), `Enabled` or `Suspended`.
    pub versioning: String,
    /// Settings.
    pub meta: BucketMeta,
}

const COLUMNS: &str = "name, account, region, created_ms, versioning, meta";

fn row_to_bucket(r: &Row<'_>) -> StoreResult<(Bucket, String)> {
    Ok((
        Bucket {
            name: r.get(0)?,
            account: r.get(1)?,
            region: r.get(2)?,
            created_ms: r.get(3)?,
            versioning: r.get(4)?,
            meta: BucketMeta::default(),
        },
        r.get(5)?,
    ))
}

/// Buckets' settings as last decoded: read by every call on a bucket, and rarely changed.
static DECODED: std::sync::LazyLock<trailstack_store::DecodeMemo<BucketMeta>> =
    std::sync::LazyLock::new(|| trailstack_store::DecodeMemo::new(1024));

fn decode(pair: (Bucket, String)) -> S3Result<Bucket> {
    let (mut b, meta) = pair;
    b.meta = DECODED.decode(&b.name, &meta, |text| {
        serde_json::from_str(text).map_err(|e| S3Error::Internal(format!("bucket record: {e}")))
    })?;
    Ok(b)
}

/// The bucket named `name`, if any.
pub fn get(c: &Connection, name: &str) -> S3Result<Option<Bucket>> {
    // Written out rather than formatted from COLUMNS: every call on a bucket reads it.
    let row = c.query_opt(
        "SELECT name, account, region, created_ms, versioning, meta FROM s3_buckets WHERE name = $1",
        &[&name],
        row_to_bucket,
    )?;
    row.map(decode).transpose()
}

/// The bucket named `name`, or NoSuchBucket.
pub fn require(c: &Connection, name: &str) -> S3Result<Bucket> {
    get(c, name)?.ok_or_else(|| S3Error::NoSuchBucket(name.to_string()))
}

/// The change-notice topic of bucket records (ARCHITECTURE.md §3): every write below bumps it in
/// its own transaction, so servers sharing the database drop what they cached of the bucket.
pub const CHANGES_TOPIC: &str = "s3.buckets";

fn changed(c: &Connection) -> S3Result<()> {
    Ok(trailstack_store::changes::bump(c, CHANGES_TOPIC)?)
}

/// Inserts a new bucket.
pub fn insert(c: &Connection, b: &Bucket) -> S3Result<()> {
    changed(c)?;
    c.execute(
        "INSERT INTO s3_buckets (name, account, region, created_ms, versioning, meta) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            &b.name,
            &b.account,
            &b.region,
            &b.created_ms,
            &b.versioning,
            &encode_meta(&b.meta)?,
        ],
    )?;
    Ok(())
}

fn encode_meta(m: &BucketMeta) -> S3Result<String> {
    serde_json::to_string(m).map_err(|e| S3Error::Internal(e.to_string()))
}

/// Saves a bucket's versioning state and settings.
pub fn update(c: &Connection, b: &Bucket) -> S3Result<()> {
    changed(c)?;
    c.execute(
        "UPDATE s3_buckets SET versioning = $1, meta = $2 WHERE name = $3",
        &[&b.versioning, &encode_meta(&b.meta)?, &b.name],
    )?;
    Ok(())
}

/// Deletes a bucket record.
pub fn delete(c: &Connection, name: &str) -> S3Result<()> {
    changed(c)?;
    c.execute("DELETE FROM s3_buckets WHERE name = $1", &[&name])?;
    Ok(())
}

/// Buckets of `account` whose names start with `prefix` and sort after `after`, in name order
/// (byte order on both engines: names are compared as SQLite compares text, and as the
/// PostgreSQL schema's `COLLATE "C"` columns do).
pub fn list(
    c: &Connection,
    account: &str,
    prefix: &str,
    after: &str,
    limit: usize,
) -> S3Result<Vec<Bucket>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM s3_buckets \
         WHERE account = $1 AND name > $2 AND substr(name, 1, length($3)) = $3 \
         ORDER BY name LIMIT $4"
    );
    let rows = c.query(&sql, &[&account, &after, &prefix, &limit], row_to_bucket)?;
    rows.into_iter().map(decode).collect()
}

/// Every bucket of every account, in name order.
pub fn all(c: &Connection) -> S3Result<Vec<Bucket>> {
    let sql = format!("SELECT {COLUMNS} FROM s3_buckets ORDER BY name");
    let rows = c.query(&sql, &[], row_to_bucket)?;
    rows.into_iter().map(decode).collect()
}

/// Number of buckets `account` owns.
pub fn count(c: &Connection, account: &str) -> S3Result<u64> {
    Ok(c.query_one(
        "SELECT COUNT(*) FROM s3_buckets WHERE account = $1",
        &[&account],
        |r| r.get(0),
    )?)
}
