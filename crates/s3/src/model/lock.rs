//! S3 Object Lock as stored and as enforced: a bucket's Object Lock configuration (its default
//! retention), an object version's retention and legal hold, and the rules AWS applies to them
//! (who may shorten or lift a retention, which deletes a lock refuses, what a new version gets
//! by default). Pure: the handlers load and save, these functions decide.
//!
//! <https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html>

use crate::error::{S3Error, S3Result};
use serde::{Deserialize, Serialize};

/// Most days (or years) a default retention may last: 100 years, as AWS documents.
pub const MAX_DAYS: u32 = 36_500;
/// Most years a default retention may last.
pub const MAX_YEARS: u32 = 100;

/// A retention mode.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub enum LockMode {
    /// GOVERNANCE: callers with `s3:BypassGovernanceRetention` who send
    /// `x-amz-bypass-governance-retention: true` may shorten, lift or delete through it.
    #[serde(rename = "GOVERNANCE")]
    Governance,
    /// COMPLIANCE: nobody shortens or lifts it, the account's root included, until it ends.
    #[serde(rename = "COMPLIANCE")]
    Compliance,
}

impl LockMode {
    /// The mode as S3 spells it on the wire (upper case only).
    pub fn parse(s: &str) -> Option<LockMode> {
        match s {
            "GOVERNANCE" => Some(LockMode::Governance),
            "COMPLIANCE" => Some(LockMode::Compliance),
            _ => None,
        }
    }

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            LockMode::Governance => "GOVERNANCE",
            LockMode::Compliance => "COMPLIANCE",
        }
    }
}

/// An object version's retention: its mode and the instant it ends.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct Retention {
    /// The mode.
    pub mode: LockMode,
    /// RetainUntilDate, in milliseconds since the epoch.
    pub until_ms: i64,
}

impl Retention {
    /// Whether it still protects the version at `now_ms`.
    pub fn active(&self, now_ms: i64) -> bool {
        self.until_ms > now_ms
    }
}

/// The Object Lock state of one object version, stored with it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct ObjectLock {
    /// Its retention, if one was ever set (an expired one is kept: AWS still reports it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention: Option<Retention>,
    /// Its legal hold: None when never set, else ON (true) or OFF (false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_hold: Option<bool>,
}

impl ObjectLock {
    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        self.retention.is_none() && self.legal_hold.is_none()
    }
}

/// The period of a bucket's default retention: Days or Years, never both.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub enum Period {
    /// Days.
    Days(u32),
    /// Years (calendar years).
    Years(u32),
}

/// A bucket's default retention rule.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct DefaultRetention {
    /// The mode new versions get.
    pub mode: LockMode,
    /// How long from their creation.
    pub period: Period,
}

impl DefaultRetention {
    /// The retention a version created at `now_ms` gets, where a day lasts `day_ms`
    /// milliseconds: 86 400 000 as in AWS, or the shortened day of `--lifecycle-day`, which
    /// makes a default retention of N days pass as N such days (and a year 365 of them).
    pub fn starting_at(&self, now_ms: i64, day_ms: i64) -> Retention {
        const DAY_MS: i64 = 86_400_000;
        let now = super::from_ms(now_ms);
        let until = match self.period {
            Period::Days(d) => now + time::Duration::milliseconds(i64::from(d) * day_ms),
            Period::Years(y) if day_ms != DAY_MS => {
                now + time::Duration::milliseconds(i64::from(y) * 365 * day_ms)
            }
            Period::Years(y) => {
                let year = now.year() + y as i32;
                // 29 February has no twin in most years: the day after 28 February, as a
                // year of days would land.
                now.replace_year(year).unwrap_or_else(|_| {
                    (now - time::Duration::days(1))
                        .replace_year(year)
                        .unwrap_or(now)
                        + time::Duration::days(1)
                })
            }
        };
        Retention {
            mode: self.mode,
            until_ms: super::to_ms(until),
        }
    }
}

/// A bucket's Object Lock configuration; its presence means Object Lock is enabled (which
/// cannot be undone).
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct BucketLock {
    /// The default retention of new versions, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<DefaultRetention>,
}

/// A retain-until date as S3 writes it (ISO 8601, milliseconds, UTC).
pub fn format_date(ms: i64) -> String {
    let t = super::from_ms(ms);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

/// A retain-until date as clients send it (ISO 8601 with an offset, fractions allowed), in
/// milliseconds since the epoch.
pub fn parse_date(s: &str) -> Option<i64> {
    let t = time::OffsetDateTime::parse(s.trim(), &time::format_description::well_known::Rfc3339)
        .ok()?;
    Some(super::to_ms(t))
}

/// The refusal of a change or delete the lock forbids, in AWS's words.
pub fn protected() -> S3Error {
    S3Error::AccessDenied("Access Denied because object protected by object lock.".into())
}

/// The refusal of Object Lock settings on a bucket without Object Lock.
pub fn missing_configuration() -> S3Error {
    S3Error::InvalidRequest("Bucket is missing Object Lock Configuration".into())
}

/// Validates a default retention rule's period as AWS does: positive, at most 100 years.
pub fn check_period(period: Period) -> S3Result<()> {
    let (name, n, max) = match period {
        Period::Days(n) => ("Days", n, MAX_DAYS),
        Period::Years(n) => ("Years", n, MAX_YEARS),
    };
    if n == 0 {
        return Err(S3Error::InvalidArgument {
            message: "Default retention period must be a positive integer value.".into(),
            name: name.into(),
            value: n.to_string(),
        });
    }
    if n > max {
        return Err(S3Error::InvalidArgument {
            message: format!(
                "Default retention period must not exceed {MAX_YEARS} years ({MAX_DAYS} days)."
            ),
            name: name.into(),
            value: n.to_string(),
        });
    }
    Ok(())
}

/// Checks that a new retention date lies in the future.
pub fn check_future(until_ms: i64, now_ms: i64) -> S3Result<()> {
    if until_ms <= now_ms {
        return Err(S3Error::InvalidArgument {
            message: "The retain until date must be in the future!".into(),
            name: "RetainUntilDate".into(),
            value: format_date(until_ms),
        });
    }
    Ok(())
}

/// Whether replacing retention `old` by `new` (None: removing it) at `now_ms` is allowed.
/// Extending in the same mode is always allowed; anything else on an active retention needs a
/// GOVERNANCE one and `bypass` (the header and `s3:BypassGovernanceRetention`); an active
/// COMPLIANCE retention can only be extended.
pub fn check_change(
    old: Option<&Retention>,
    new: Option<&Retention>,
    now_ms: i64,
    bypass: bool,
) -> S3Result<()> {
    let Some(old) = old.filter(|r| r.active(now_ms)) else {
        return Ok(());
    };
    let extends = new.is_some_and(|n| n.mode == old.mode && n.until_ms >= old.until_ms);
    match old.mode {
        _ if extends => Ok(()),
        LockMode::Governance if bypass => Ok(()),
        _ => Err(protected()),
    }
}

/// Whether a version with `lock` may be deleted (permanently, by version id) at `now_ms`: a
/// legal hold refuses it whatever the mode, an active COMPLIANCE retention always, an active
/// GOVERNANCE one unless `bypass`.
pub fn check_delete(lock: Option<&ObjectLock>, now_ms: i64, bypass: bool) -> S3Result<()> {
    let Some(lock) = lock else { return Ok(()) };
    if lock.legal_hold == Some(true) {
        return Err(protected());
    }
    match lock.retention.filter(|r| r.active(now_ms)) {
        None => Ok(()),
        Some(r) if r.mode == LockMode::Governance && bypass => Ok(()),
        Some(_) => Err(protected()),
    }
}

/// Settles the lock of a version about to be written into a bucket with Object Lock `bucket`
/// (None: without): lock settings are refused where Object Lock is off, and a version with no
/// retention of its own gets the bucket's default one, counted in days of `day_ms`.
pub fn settle_new(
    bucket: Option<&BucketLock>,
    lock: &mut Option<ObjectLock>,
    now_ms: i64,
    day_ms: i64,
) -> S3Result<()> {
    let Some(bucket) = bucket else {
        return match lock {
            Some(l) if !l.is_empty() => Err(missing_configuration()),
            _ => Ok(()),
        };
    };
    let has_retention = lock.as_ref().is_some_and(|l| l.retention.is_some());
    if let (false, Some(default)) = (has_retention, &bucket.default) {
        lock.get_or_insert_with(ObjectLock::default).retention =
            Some(default.starting_at(now_ms, day_ms));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400_000;

    fn r(mode: LockMode, until_ms: i64) -> Retention {
        Retention { mode, until_ms }
    }

    #[test]
    fn governance_needs_bypass_to_shorten_or_lift() {
        let old = r(LockMode::Governance, 10 * DAY);
        let shorter = r(LockMode::Governance, 5 * DAY);
        let longer = r(LockMode::Governance, 20 * DAY);
        assert!(check_change(Some(&old), Some(&longer), 0, false).is_ok());
        assert!(check_change(Some(&old), Some(&shorter), 0, false).is_err());
        assert!(check_change(Some(&old), Some(&shorter), 0, true).is_ok());
        assert!(check_change(Some(&old), None, 0, false).is_err());
        assert!(check_change(Some(&old), None, 0, true).is_ok());
        // Once it has ended, anything goes.
        assert!(check_change(Some(&old), None, 11 * DAY, false).is_ok());
    }

    #[test]
    fn compliance_only_extends() {
        let old = r(LockMode::Compliance, 10 * DAY);
        assert!(check_change(
            Some(&old),
            Some(&r(LockMode::Compliance, 11 * DAY)),
            0,
            false
        )
        .is_ok());
        assert!(
            check_change(Some(&old), Some(&r(LockMode::Compliance, 9 * DAY)), 0, true).is_err()
        );
        assert!(check_change(
            Some(&old),
            Some(&r(LockMode::Governance, 11 * DAY)),
            0,
            true
        )
        .is_err());
        assert!(check_change(Some(&old), None, 0, true).is_err());
    }

    #[test]
    fn deletes() {
        let gov = ObjectLock {
            retention: Some(r(LockMode::Governance, DAY)),
            legal_hold: None,
        };
        assert!(check_delete(Some(&gov), 0, false).is_err());
        assert!(check_delete(Some(&gov), 0, true).is_ok());
        assert!(check_delete(Some(&gov), DAY, false).is_ok());
        let held = ObjectLock {
            retention: None,
            legal_hold: Some(true),
        };
        assert!(check_delete(Some(&held), 0, true).is_err());
        let comp = ObjectLock {
            retention: Some(r(LockMode::Compliance, DAY)),
            legal_hold: Some(false),
        };
        assert!(check_delete(Some(&comp), 0, true).is_err());
        assert!(check_delete(None, 0, false).is_ok());
    }

    #[test]
    fn default_retention_and_missing_configuration() {
        let bucket = BucketLock {
            default: Some(DefaultRetention {
                mode: LockMode::Compliance,
                period: Period::Days(2),
            }),
        };
        let mut lock = None;
        settle_new(Some(&bucket), &mut lock, DAY, DAY).unwrap();
        assert_eq!(
            lock.unwrap().retention,
            Some(r(LockMode::Compliance, 3 * DAY))
        );
        let mut held = Some(ObjectLock {
            retention: None,
            legal_hold: Some(true),
        });
        assert!(settle_new(None, &mut held, 0, DAY).is_err());
        let mut none = None;
        assert!(settle_new(None, &mut none, 0, DAY).is_ok());
        // Leap day plus one year.
        let leap = time::macros::datetime!(2028-02-29 12:00 UTC);
        let years = DefaultRetention {
            mode: LockMode::Governance,
            period: Period::Years(1),
        };
        let until =
            super::super::from_ms(years.starting_at(super::super::to_ms(leap), DAY).until_ms);
        assert_eq!(until, time::macros::datetime!(2029-03-01 12:00 UTC));
        // A shortened day (`--lifecycle-day 10s`) measures Days and Years alike.
        let short = 10_000;
        let mut lock = None;
        settle_new(Some(&bucket), &mut lock, DAY, short).unwrap();
        assert_eq!(
            lock.unwrap().retention,
            Some(r(LockMode::Compliance, DAY + 2 * short))
        );
        assert_eq!(years.starting_at(0, short).until_ms, 365 * short);
        assert!(check_period(Period::Days(0)).is_err());
        assert!(check_period(Period::Years(101)).is_err());
        assert!(check_period(Period::Years(100)).is_ok());
        let ms = parse_date("2030-01-01T00:00:00.123456Z").unwrap();
        assert_eq!(format_date(ms), "2030-01-01T00:00:00.123Z");
        assert_eq!(parse_date("2030-01-01"), None);
    }
}
