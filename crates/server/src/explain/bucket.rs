//! `explain s3://bucket`: the bucket's default encryption and Bucket Key, its policy as it
//! concerns writes, its "object-level logging" as the console shows it (the trails whose
//! selectors take data events of every object of the bucket), the trails that deliver into it,
//! and ARCHITECTURE.md §5 for it — each kind of write side by side with what S3 stores for it.

use super::sse::{self, Keys, Write};
use super::{internal, trails, AccessLogging, BucketReport, DefaultEncryption, ExplainError};
use crate::App;
use trailstack_s3::logging::KeyFormat;
use trailstack_s3::model::buckets::Bucket;
use trailstack_s3::sse::{Rule, SseRequest, Writer};

/// The user writes of ARCHITECTURE.md §5, with a stand-in key `K` for "a key the request names".
fn user_writes() -> [Write; 3] {
    [
        Write {
            words: "a user, no SSE header".into(),
            writer: Writer::User,
            request: None,
        },
        Write {
            words: "a user, AES256".into(),
            writer: Writer::User,
            request: Some(SseRequest::S3),
        },
        Write {
            words: "a user, aws:kms + key K".into(),
            writer: Writer::User,
            request: Some(SseRequest::Kms {
                key: Some("K".into()),
                context: Default::default(),
                bucket_key: false,
            }),
        },
    ]
}

/// The record of `bucket`, which must exist.
pub(super) async fn existing(
    app: &App,
    bucket: &str,
) -> Result<trailstack_s3::model::buckets::Bucket, ExplainError> {
    app.s3
        .bucket_record(bucket)
        .await
        .map_err(internal)?
        .ok_or_else(|| ExplainError::NotFound(format!("s3://{bucket} does not exist")))
}

/// Explains `bucket` (nothing in it depends on who asks).
pub(super) async fn explain(app: &App, bucket: &str) -> Result<BucketReport, ExplainError> {
    let b = existing(app, bucket).await?;
    let mut keys = Keys::new(app);
    let (account, region) = (b.account.as_str(), b.region.as_str());
    let default = b.meta.encryption.as_ref();
    let default_encryption = match default {
        Some(d) => {
            let kms = d.algorithm.starts_with("aws:kms");
            let key = if kms {
                let named = d.kms_key.as_deref().unwrap_or(sse::AWS_S3_ALIAS);
                Some(keys.get(account, region, named).await?)
            } else {
                None
            };
            DefaultEncryption {
                configured: true,
                mode: match d.algorithm.as_str() {
                    "aws:kms" => "SSE-KMS",
                    "aws:kms:dsse" => "DSSE-KMS",
                    _ => "SSE-S3",
                }
                .into(),
                configured_key: d.kms_key.clone(),
                key,
                bucket_key: d.bucket_key,
            }
        }
        None => DefaultEncryption {
            configured: false,
            mode: "SSE-S3".into(),
            configured_key: None,
            key: None,
            bucket_key: false,
        },
    };
    // Every object of the bucket, whoever writes it: a selector on one principal does not
    // make the bucket logged.
    let object_level_logging =
        trails::covering(app, &mut keys, account, region, bucket, "", "").await?;
    let server_access_logging = access_logging(app, &b).await?;
    let all = app.cloudtrail.all_trails().await.map_err(internal)?;
    let mut deliveries = Vec::new();
    for t in all.iter().filter(|t| t.config.bucket == bucket) {
        deliveries.push(trails::delivering(app, &mut keys, t).await?);
    }
    let mut encryption_rules = Vec::new();
    for w in &user_writes() {
        encryption_rules.push(sse::stored_as(&mut keys, account, region, default, true, w).await?);
    }
    for d in &deliveries {
        encryption_rules.push(d.delivery.log_files.clone());
        encryption_rules.extend(d.delivery.digest_files.clone());
    }
    Ok(BucketReport {
        bucket: b.name.clone(),
        account: b.account.clone(),
        region: b.region.clone(),
        bucket_defaults: b.meta.defaults.as_str().into(),
        default_encryption,
        policy: super::policy::summarize(b.meta.policy.as_deref()),
        object_level_logging,
        server_access_logging,
        deliveries,
        encryption_rules,
        object_lock: b.meta.object_lock.as_ref().map(super::lock::bucket),
    })
}

/// The bucket's server access logging: where its logs go, how they are stored (always
/// SSE-S3, by the rule every access log write runs), and whether the target takes them now.
async fn access_logging(app: &App, b: &Bucket) -> Result<Option<AccessLogging>, ExplainError> {
    let Some(l) = b.meta.logging.as_ref() else {
        return Ok(None);
    };
    let target = app
        .s3
        .bucket_record(&l.target_bucket)
        .await
        .map_err(internal)?;
    let problem = match &target {
        None => Some(format!("s3://{} does not exist", l.target_bucket)),
        Some(t) => t
            .meta
            .encryption
            .as_ref()
            .filter(|e| e.algorithm != "AES256")
            .map(|e| {
                format!(
                    "its default encryption is {}: S3 delivers access logs only into SSE-S3 buckets",
                    e.algorithm
                )
            }),
    };
    let (pending_records, last_error) =
        app.s3.access_log_backlog(&b.name).await.map_err(internal)?;
    let (key_format, partition_date_source) = match l.key_format {
        KeyFormat::SimplePrefix => ("SimplePrefix", None),
        KeyFormat::PartitionedPrefix(s) => ("PartitionedPrefix", Some(s.as_str().to_string())),
    };
    let (_, rule) = trailstack_s3::sse::decide(Writer::AccessLog, None, None);
    debug_assert_eq!(rule, Rule::AccessLog);
    Ok(Some(AccessLogging {
        target_bucket: l.target_bucket.clone(),
        target_prefix: l.target_prefix.clone(),
        key_format: key_format.into(),
        partition_date_source,
        stored_as: "SSE-S3".into(),
        rule: sse::rule(rule),
        deliverable: problem.is_none(),
        problem,
        pending_records,
        last_error,
    }))
}
