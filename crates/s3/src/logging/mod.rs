//! S3 server access logging: a bucket's logging configuration (Put/GetBucketLogging), the
//! access log records of the requests made on it in AWS's space-delimited format
//! ([`record`]), the durable outbox they wait in ([`outbox`]), and their delivery as log
//! objects into the target bucket ([`delivery`]).
//!
//! This is not CloudTrail's object-level logging: records are made for every request on a
//! logged bucket, errors included, by the HTTP edge once the status and sizes are known, and
//! delivered as plain text objects written by `logging.s3.amazonaws.com`, always SSE-S3.

pub mod delivery;
pub mod outbox;
pub mod record;

use crate::model::buckets::Grant;
use serde::{Deserialize, Serialize};

/// The service principal that writes access log objects.
pub const LOGGING_PRINCIPAL: &str = "logging.s3.amazonaws.com";

/// The ACL group S3's log delivery writes as, for targets whose ACLs are enabled.
pub const LOG_DELIVERY_GROUP: &str = "http://acs.amazonaws.com/groups/s3/LogDelivery";

/// Where the date in a partitioned log object key comes from.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub enum PartitionDateSource {
    /// The time of the logged requests.
    EventTime,
    /// The time the log object is delivered.
    DeliveryTime,
}

impl PartitionDateSource {
    /// The name AWS gives it.
    pub fn as_str(self) -> &'static str {
        match self {
            PartitionDateSource::EventTime => "EventTime",
            PartitionDateSource::DeliveryTime => "DeliveryTime",
        }
    }
}

/// TargetObjectKeyFormat: how log object keys are formed.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
pub enum KeyFormat {
    /// `[prefix]YYYY-mm-DD-HH-MM-SS-UniqueString` (the default).
    #[default]
    SimplePrefix,
    /// `[prefix]account/region/bucket/YYYY/MM/DD/YYYY-mm-DD-HH-MM-SS-UniqueString`.
    PartitionedPrefix(PartitionDateSource),
}

impl KeyFormat {
    /// As stored in the outbox with each record.
    pub fn column(self) -> &'static str {
        match self {
            KeyFormat::SimplePrefix => "SimplePrefix",
            KeyFormat::PartitionedPrefix(PartitionDateSource::EventTime) => "EventTime",
            KeyFormat::PartitionedPrefix(PartitionDateSource::DeliveryTime) => "DeliveryTime",
        }
    }

    /// The inverse of [`KeyFormat::column`].
    pub fn from_column(s: &str) -> KeyFormat {
        match s {
            "EventTime" => KeyFormat::PartitionedPrefix(PartitionDateSource::EventTime),
            "DeliveryTime" => KeyFormat::PartitionedPrefix(PartitionDateSource::DeliveryTime),
            _ => KeyFormat::SimplePrefix,
        }
    }
}

/// A bucket's LoggingEnabled configuration.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct LoggingConfig {
    /// TargetBucket.
    pub target_bucket: String,
    /// TargetPrefix (may be empty).
    pub target_prefix: String,
    /// TargetGrants: who else may read the log objects (ACL-enabled targets only).
    #[serde(default)]
    pub target_grants: Vec<Grant>,
    /// TargetObjectKeyFormat.
    #[serde(default)]
    pub key_format: KeyFormat,
}

impl LoggingConfig {
    /// The outbox group of records of bucket `source` logged under this configuration.
    fn group(&self, source: &str) -> outbox::Group {
        outbox::Group {
            source_bucket: source.to_string(),
            target_bucket: self.target_bucket.clone(),
            target_prefix: self.target_prefix.clone(),
            key_format: self.key_format.column().to_string(),
        }
    }
}

/// Queues `record` in the caller's transaction `c` if `bucket` (as read in that transaction)
/// has logging enabled: for S3's own actions made inside a write, such as a lifecycle
/// expiration (`AccessRecord::internal(.., "S3.EXPIRE.OBJECT", ..)`), whose record then
/// commits, or not, with the action itself.
pub fn record_in(
    c: &trailstack_store::Conn,
    bucket: &crate::model::buckets::Bucket,
    record: &record::AccessRecord,
    now_ms: i64,
) -> crate::S3Result<()> {
    let Some(config) = bucket.meta.logging.as_ref() else {
        return Ok(());
    };
    let group = config.group(&bucket.name);
    let event_ms = record.time.map_or(now_ms, crate::model::to_ms);
    Ok(outbox::enqueue(
        c,
        &group,
        event_ms,
        &record.line(&bucket.meta.owner.id),
    )?)
}

impl crate::S3 {
    /// Makes the access log record of one request (or one action of S3's own, such as a
    /// lifecycle expiration: [`record::AccessRecord::internal`]) on `record.bucket`, if the
    /// bucket's access is logged; a bucket without logging, or no bucket, makes none. Inside a
    /// durable scope (an HTTP request) the record is on disk before the response goes out.
    pub async fn record_access(&self, record: record::AccessRecord) -> crate::S3Result<()> {
        let Some(auth) = self.bucket_policies.get(self, &record.bucket).await? else {
            return Ok(());
        };
        let Some(config) = auth.logging.as_ref() else {
            return Ok(());
        };
        let group = config.group(&record.bucket);
        let event_ms = crate::model::to_ms(record.time.unwrap_or_else(|| self.clock.now()));
        let line = record.line(&auth.owner_id);
        self.write(move |c| Ok(outbox::enqueue(c, &group, event_ms, &line)?))
            .await
    }

    /// Whether requests on `bucket` are logged (an existing bucket with logging enabled).
    pub async fn access_logged(&self, bucket: &str) -> bool {
        matches!(self.bucket_policies.get(self, bucket).await, Ok(Some(a)) if a.logging.is_some())
    }

    /// Records of `bucket` waiting for delivery, and why the last delivery failed, if it did.
    pub async fn access_log_backlog(&self, bucket: &str) -> crate::S3Result<(i64, Option<String>)> {
        let name = bucket.to_string();
        self.read(move |c| Ok(outbox::backlog(c, &name)?)).await
    }
}

#[cfg(test)]
mod tests {
    use super::record::AccessRecord;
    use super::*;
    use crate::model::buckets::{Bucket, BucketMeta};

    fn bucket(logging: Option<LoggingConfig>) -> Bucket {
        Bucket {
            name: "src".into(),
            account: "111122223333".into(),
            region: "us-east-1".into(),
            created_ms: 0,
            versioning: String::new(),
            meta: BucketMeta {
                logging,
                ..Default::default()
            },
        }
    }

    #[tokio::test]
    async fn actions_of_s3_itself_are_queued_only_for_logged_buckets() {
        let (_dir, db) = trailstack_store::testing::open(outbox::MIGRATIONS);
        let t = time::macros::datetime!(2026-01-02 00:00:00 UTC);
        let rec = AccessRecord::internal(
            "src",
            t,
            "S3.EXPIRE.OBJECT",
            "old.log",
            Some("v1".into()),
            Some(10),
            "REQ".into(),
        );
        let config = LoggingConfig {
            target_bucket: "logs".into(),
            target_prefix: "p/".into(),
            target_grants: Vec::new(),
            key_format: KeyFormat::SimplePrefix,
        };
        let pending = db
            .write(move |c| {
                record_in(c, &bucket(None), &rec, 0)?;
                assert!(outbox::groups(c)?.is_empty());
                record_in(c, &bucket(Some(config)), &rec, 0)?;
                let groups = outbox::groups(c)?;
                assert_eq!(groups.len(), 1);
                Ok::<_, crate::S3Error>(outbox::pending(c, &groups[0], 0, 10)?)
            })
            .await
            .unwrap();
        assert_eq!(pending.len(), 1);
        assert!(
            pending[0]
                .2
                .contains(" AmazonS3 REQ S3.EXPIRE.OBJECT old.log \"-\" "),
            "{}",
            pending[0].2
        );
    }
}
