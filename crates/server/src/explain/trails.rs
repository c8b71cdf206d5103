//! Trails as explanations show them: which selectors take an object's data events (matched by
//! CloudTrail's own selector code), and where a trail delivers with how its log and digest
//! files are stored there (ARCHITECTURE.md §5 rows, decided by S3's own rules).

use super::sse::{self, Keys, Write};
use super::{
    internal, ExplainError, SelectorMatch, TrailCoverage, TrailDelivery, TrailDeliveryInto,
    TrailName,
};
use crate::App;
use trailstack_cloudtrail::delivery::{format, log_file_sse, DIGEST_FILE_SSE};
use trailstack_cloudtrail::explain_queries::{describe_selector, object_coverage};
use trailstack_cloudtrail::model::trails::TrailRecord;
use trailstack_s3::sse::{SseRequest, Writer};

/// A trail's name and ARN, from its ARN (`…:trail/<name>`).
pub(super) fn name_of(arn: &str) -> TrailName {
    TrailName {
        name: arn
            .rsplit_once(":trail/")
            .map_or(arn, |(_, n)| n)
            .to_string(),
        arn: arn.to_string(),
    }
}

/// Where `trail` delivers and how its files are stored in that bucket as it is now.
pub(super) async fn delivery(
    app: &App,
    keys: &mut Keys<'_>,
    trail: &TrailRecord,
) -> Result<TrailDelivery, ExplainError> {
    let bucket = app
        .s3
        .bucket_record(&trail.config.bucket)
        .await
        .map_err(internal)?;
    let (account, region, default) = match &bucket {
        Some(b) => (
            b.account.as_str(),
            b.region.as_str(),
            b.meta.encryption.as_ref(),
        ),
        None => (trail.account.as_str(), trail.home_region.as_str(), None),
    };
    let log = Write {
        words: format!("CloudTrail log file, trail {}", trail.name),
        writer: Writer::CloudTrailLog,
        request: Some(SseRequest::stated(log_file_sse(
            &trail.arn,
            trail.config.kms_key_arn.as_deref(),
        ))),
    };
    let log_files = sse::stored_as(keys, account, region, default, bucket.is_some(), &log).await?;
    let digest_files = if trail.config.log_file_validation {
        let digest = Write {
            words: format!("CloudTrail digest file, trail {}", trail.name),
            writer: Writer::CloudTrailDigest,
            request: Some(SseRequest::stated(DIGEST_FILE_SSE)),
        };
        Some(sse::stored_as(keys, account, region, default, bucket.is_some(), &digest).await?)
    } else {
        None
    };
    Ok(TrailDelivery {
        bucket: trail.config.bucket.clone(),
        prefix: trail.config.prefix.clone(),
        log_location: format!(
            "s3://{}/{}",
            trail.config.bucket,
            format::log_prefix(trail.config.prefix.as_deref(), &trail.account)
        ),
        log_files,
        digest_files,
        latest_delivery_error: trail.status.latest_delivery_error.clone(),
    })
}

/// A trail delivering somewhere, with its delivery.
pub(super) async fn delivering(
    app: &App,
    keys: &mut Keys<'_>,
    trail: &TrailRecord,
) -> Result<TrailDeliveryInto, ExplainError> {
    Ok(TrailDeliveryInto {
        trail: name_of(&trail.arn),
        logging: trail.logging,
        delivery: delivery(app, keys, trail).await?,
    })
}

/// The trails of `account` that take data events of object `key` of `bucket` (in `region`)
/// made by `user_arn` — every object of the bucket when `key` is empty.
pub(super) async fn covering(
    app: &App,
    keys: &mut Keys<'_>,
    account: &str,
    region: &str,
    bucket: &str,
    key: &str,
    user_arn: &str,
) -> Result<Vec<TrailCoverage>, ExplainError> {
    let trails = app
        .cloudtrail
        .trails_of_account(account)
        .await
        .map_err(internal)?;
    let mut out = Vec::new();
    for t in trails.iter().filter(|t| t.visible_in(region)) {
        let c = object_coverage(&t.selectors, bucket, key, user_arn);
        if !c.any() {
            continue;
        }
        let selectors = c
            .selectors()
            .into_iter()
            .map(|i| SelectorMatch {
                index: i,
                description: describe_selector(&t.selectors, i),
                read: c.read.contains(&i),
                write: c.write.contains(&i),
            })
            .collect();
        out.push(TrailCoverage {
            trail: name_of(&t.arn),
            logging: t.logging,
            read: !c.read.is_empty(),
            write: !c.write.is_empty(),
            selectors,
            delivery: delivery(app, keys, t).await?,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_arns() {
        let n = name_of("arn:aws:cloudtrail:us-east-1:000000000000:trail/audit");
        assert_eq!(n.name, "audit");
        assert_eq!(name_of("odd").name, "odd");
    }
}
