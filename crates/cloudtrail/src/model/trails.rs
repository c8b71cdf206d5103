//! Trail rows: settings, selectors, insight selectors, logging state, delivery status and tags,
//! one row per trail (shadows are not stored: a multi-region trail is one row seen from every
//! region). Also the routing table the recorder reads ([`logging_trails`]) and the delivery
//! status the delivery worker writes ([`record_delivery`]).

use super::corrupt;
use crate::op::{InsightSelector, Tag};
use crate::selectors::TrailSelectors;
use serde::{Deserialize, Serialize};
use trailstack_store::sql::{decode, Param, Result};
use trailstack_store::Conn;

/// A trail's delivery settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrailConfig {
    /// S3BucketName.
    pub bucket: String,
    /// S3KeyPrefix.
    pub prefix: Option<String>,
    /// IncludeGlobalServiceEvents.
    pub include_global: bool,
    /// LogFileValidationEnabled.
    pub log_file_validation: bool,
    /// KmsKeyId, always the full key ARN.
    pub kms_key_arn: Option<String>,
    /// IsOrganizationTrail.
    pub organization: bool,
}

/// Logging and delivery state, as GetTrailStatus reports it. Times in epoch milliseconds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrailStatus {
    /// Last StartLogging.
    pub start_logging_ms: Option<i64>,
    /// Last StopLogging.
    pub stop_logging_ms: Option<i64>,
    /// Last successful log file delivery.
    pub latest_delivery_ms: Option<i64>,
    /// The error of the last log delivery attempt, if it failed.
    pub latest_delivery_error: Option<String>,
    /// Last log delivery attempt, successful or not.
    pub latest_delivery_attempt_ms: Option<i64>,
    /// Last successful digest delivery.
    pub latest_digest_delivery_ms: Option<i64>,
    /// The error of the last digest delivery attempt, if it failed.
    pub latest_digest_delivery_error: Option<String>,
}

/// One trail.
#[derive(Debug, Clone, PartialEq)]
pub struct TrailRecord {
    /// `arn:aws:cloudtrail:<home>:<account>:trail/<name>`.
    pub arn: String,
    /// Owning account.
    pub account: String,
    /// Region it was created in.
    pub home_region: String,
    /// Trail name.
    pub name: String,
    /// IsMultiRegionTrail.
    pub multi_region: bool,
    /// IsLogging.
    pub logging: bool,
    /// Creation time.
    pub created_ms: i64,
    /// Delivery settings.
    pub config: TrailConfig,
    /// Event selectors.
    pub selectors: TrailSelectors,
    /// HasCustomEventSelectors: PutEventSelectors was called.
    pub custom_selectors: bool,
    /// Insight selectors; `None` when never set.
    pub insights: Option<Vec<InsightSelector>>,
    /// Logging and delivery state.
    pub status: TrailStatus,
    /// Tags.
    pub tags: Vec<Tag>,
}

impl TrailRecord {
    /// Whether the trail is visible (as itself or as a shadow) in `region`.
    pub fn visible_in(&self, region: &str) -> bool {
        self.multi_region || self.home_region == region
    }
}

/// What the recorder and the delivery worker need to know of a logging trail.
#[derive(Debug, Clone, PartialEq)]
pub struct TrailRoute {
    /// Trail ARN.
    pub arn: String,
    /// Trail name.
    pub name: String,
    /// Owning account.
    pub account: String,
    /// Home region.
    pub home_region: String,
    /// Whether it takes events of every region.
    pub multi_region: bool,
    /// IncludeGlobalServiceEvents.
    pub include_global_service_events: bool,
    /// Delivery bucket.
    pub bucket: String,
    /// Delivery key prefix.
    pub prefix: Option<String>,
    /// Key ARN for SSE-KMS log files.
    pub kms_key_arn: Option<String>,
    /// Whether digests are written.
    pub log_file_validation: bool,
    /// Which events it takes.
    pub selectors: TrailSelectors,
}

impl TrailRoute {
    /// Whether the trail takes events of `account` made in `region` (before its selectors
    /// are asked).
    pub fn covers(&self, account: &str, region: &str) -> bool {
        self.account == account && (self.multi_region || self.home_region == region)
    }
}

const COLUMNS: &str = "arn, account, home_region, name, multi_region, logging, created_ms, \
                       config, selectors, custom_selectors, insights, status, tags";

trailstack_store::from_row! {
    TrailRecord {
        arn, account, home_region, name, multi_region, logging, created_ms,
        config: String => |s| from_json(&s, "trail config"),
        selectors: String => |s| from_json(&s, "trail selectors"),
        custom_selectors,
        insights: Option<String> => |s| s.map(|s| from_json(&s, "trail insights")).transpose(),
        status: String => |s| from_json(&s, "trail status"),
        tags: String => |s| from_json(&s, "trail tags"),
    }
}

/// A structured column as [`to_json`] stored it; `what` names it if it does not parse.
fn from_json<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| corrupt(what, e))
}

fn to_json<T: Serialize>(v: &T) -> String {
    // Serializing these plain structs cannot fail (no maps with non-string keys).
    serde_json::to_string(v).unwrap_or_default()
}

/// Inserts a new trail.
pub fn insert(c: &Conn, t: &TrailRecord) -> Result<()> {
    with_mutable(t, |mutable| {
        let mut params: Vec<&dyn Param> = vec![&t.arn, &t.account, &t.home_region, &t.name];
        params.extend_from_slice(mutable);
        params.push(&t.created_ms);
        c.execute(
            &format!(
                "INSERT INTO ct_trails (arn, account, home_region, name, {MUTABLE}, created_ms) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
            ),
            &params,
        )
    })?;
    Ok(())
}

/// Replaces a trail's mutable columns.
pub fn update(c: &Conn, t: &TrailRecord) -> Result<()> {
    with_mutable(t, |mutable| {
        let mut params = mutable.to_vec();
        params.push(&t.arn);
        c.execute(
            "UPDATE ct_trails SET multi_region = $1, logging = $2, config = $3, selectors = $4, \
             custom_selectors = $5, insights = $6, status = $7, tags = $8 WHERE arn = $9",
            &params,
        )
    })?;
    Ok(())
}

/// The columns an update replaces, in the order [`with_mutable`] gives their values.
const MUTABLE: &str =
    "multi_region, logging, config, selectors, custom_selectors, insights, status, tags";

/// Runs `f` with the values of `t`'s [`MUTABLE`] columns as stored (the structured ones as
/// JSON).
fn with_mutable<T>(t: &TrailRecord, f: impl FnOnce(&[&dyn Param]) -> T) -> T {
    let (config, selectors, status, tags) = (
        to_json(&t.config),
        to_json(&t.selectors),
        to_json(&t.status),
        to_json(&t.tags),
    );
    let insights = t.insights.as_ref().map(to_json);
    f(&[
        &t.multi_region,
        &t.logging,
        &config,
        &selectors,
        &t.custom_selectors,
        &insights,
        &status,
        &tags,
    ])
}

/// Deletes a trail; true if it existed.
pub fn delete(c: &Conn, arn: &str) -> Result<bool> {
    Ok(c.execute("DELETE FROM ct_trails WHERE arn = $1", &[&arn])? > 0)
}

/// The trail with `arn`.
pub fn get(c: &Conn, arn: &str) -> Result<Option<TrailRecord>> {
    c.query_opt(
        &format!("SELECT {COLUMNS} FROM ct_trails WHERE arn = $1"),
        &[&arn],
        decode,
    )
}

/// Every trail of `account`, in every region, ordered by ARN.
pub fn of_account(c: &Conn, account: &str) -> Result<Vec<TrailRecord>> {
    c.query(
        &format!("SELECT {COLUMNS} FROM ct_trails WHERE account = $1 ORDER BY arn"),
        &[&account],
        decode,
    )
}

/// Every trail of every account, ordered by ARN.
pub fn all(c: &Conn) -> Result<Vec<TrailRecord>> {
    c.query(
        &format!("SELECT {COLUMNS} FROM ct_trails ORDER BY arn"),
        &[],
        decode,
    )
}

/// The trails that are logging: the routing table of the recorder.
pub fn logging_trails(c: &Conn) -> Result<Vec<TrailRoute>> {
    c.query(
        &format!("SELECT {COLUMNS} FROM ct_trails WHERE logging = 1 ORDER BY arn"),
        &[],
        |r| {
            let t: TrailRecord = r.decode()?;
            Ok(TrailRoute {
                arn: t.arn,
                name: t.name,
                account: t.account,
                home_region: t.home_region,
                multi_region: t.multi_region,
                include_global_service_events: t.config.include_global,
                bucket: t.config.bucket,
                prefix: t.config.prefix,
                kms_key_arn: t.config.kms_key_arn,
                log_file_validation: t.config.log_file_validation,
                selectors: t.selectors,
            })
        },
    )
}

/// The outcome of one delivery attempt, reported by the delivery worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryStatus {
    /// A digest file (true) or a log file (false).
    pub digest: bool,
    /// When the attempt was made (epoch ms).
    pub attempt_ms: i64,
    /// `None` on success, else the error GetTrailStatus shows (e.g. `NoSuchBucket`).
    pub error: Option<String>,
}

/// Records a delivery attempt in the trail's status; false if the trail no longer exists.
/// A success clears the previous error, so GetTrailStatus shows the current condition.
pub fn record_delivery(c: &Conn, arn: &str, d: &DeliveryStatus) -> Result<bool> {
    let Some(mut t) = get(c, arn)? else {
        return Ok(false);
    };
    let s = &mut t.status;
    if d.digest {
        match &d.error {
            None => {
                s.latest_digest_delivery_ms = Some(d.attempt_ms);
                s.latest_digest_delivery_error = None;
            }
            Some(e) => s.latest_digest_delivery_error = Some(e.clone()),
        }
    } else {
        s.latest_delivery_attempt_ms = Some(d.attempt_ms);
        match &d.error {
            None => {
                s.latest_delivery_ms = Some(d.attempt_ms);
                s.latest_delivery_error = None;
            }
            Some(e) => s.latest_delivery_error = Some(e.clone()),
        }
    }
    c.execute(
        "UPDATE ct_trails SET status = $1 WHERE arn = $2",
        &[&to_json(&t.status), &arn],
    )?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::test_db;
    use trailstack_store::StoreError;

    pub(crate) fn record(name: &str, region: &str, multi: bool, logging: bool) -> TrailRecord {
        TrailRecord {
            arn: crate::handlers::names::trail_arn(region, "123456789012", name),
            account: "123456789012".into(),
            home_region: region.into(),
            name: name.into(),
            multi_region: multi,
            logging,
            created_ms: 1,
            config: TrailConfig {
                bucket: "b".into(),
                include_global: true,
                ..Default::default()
            },
            selectors: TrailSelectors::default(),
            custom_selectors: false,
            insights: None,
            status: TrailStatus::default(),
            tags: vec![],
        }
    }

    #[tokio::test]
    async fn trails_round_trip_and_route_only_when_logging() {
        let (_d, db) = test_db();
        db.write(|c| {
            insert(c, &record("a", "us-east-1", false, true))?;
            insert(c, &record("b", "us-west-2", true, false))?;
            Ok::<_, StoreError>(())
        })
        .await
        .unwrap();
        let (all, routes) = db
            .read(|c| Ok::<_, StoreError>((of_account(c, "123456789012")?, logging_trails(c)?)))
            .unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0], record("a", "us-east-1", false, true));
        assert_eq!(routes.len(), 1);
        assert!(routes[0].covers("123456789012", "us-east-1"));
        assert!(!routes[0].covers("123456789012", "eu-west-1"));
        assert!(all[1].visible_in("eu-west-1"));
    }

    #[tokio::test]
    async fn delivery_status_tracks_last_attempt_and_clears_errors() {
        let (_d, db) = test_db();
        let t = record("a", "us-east-1", false, true);
        let arn = t.arn.clone();
        let status = db
            .write(move |c| {
                insert(c, &t)?;
                let fail = DeliveryStatus {
                    digest: false,
                    attempt_ms: 10,
                    error: Some("NoSuchBucket".into()),
                };
                assert!(record_delivery(c, &arn, &fail)?);
                let first = get(c, &arn)?.unwrap().status;
                let ok = DeliveryStatus {
                    digest: false,
                    attempt_ms: 20,
                    error: None,
                };
                record_delivery(c, &arn, &ok)?;
                let digest = DeliveryStatus {
                    digest: true,
                    attempt_ms: 30,
                    error: None,
                };
                record_delivery(c, &arn, &digest)?;
                assert!(!record_delivery(c, "nope", &ok)?);
                Ok::<_, StoreError>((first, get(c, &arn)?.unwrap().status))
            })
            .await
            .unwrap();
        assert_eq!(
            status.0.latest_delivery_error.as_deref(),
            Some("NoSuchBucket")
        );
        assert_eq!(status.0.latest_delivery_ms, None);
        assert_eq!(status.1.latest_delivery_ms, Some(20));
        assert_eq!(status.1.latest_delivery_error, None);
        assert_eq!(status.1.latest_digest_delivery_ms, Some(30));
    }
}
