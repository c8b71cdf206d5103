//! Object Lock in `explain`: an object version's retention and legal hold (and whether they
//! still stop its deletion), and a bucket's Object Lock configuration with the default
//! retention every new version — CloudTrail's log and digest files included — gets.

use serde::{Deserialize, Serialize};
use trailstack_s3::model::lock::{format_date, BucketLock, LockMode, ObjectLock, Period};

/// An object version's Object Lock state.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ObjectLockState {
    /// `GOVERNANCE` or `COMPLIANCE`, when the version has a retention.
    pub mode: Option<String>,
    /// Its retain-until date (ISO 8601, milliseconds).
    pub retain_until: Option<String>,
    /// Whether the retention still protects the version now.
    pub retention_active: bool,
    /// The legal hold: ON (true), OFF (false), or never set.
    pub legal_hold: Option<bool>,
    /// One line for people.
    pub summary: String,
}

/// A bucket's Object Lock configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BucketLockState {
    /// The default retention's mode, if the bucket has one.
    pub default_mode: Option<String>,
    /// Its period (`1 day`, `7 years`).
    pub default_period: Option<String>,
    /// One line for people.
    pub summary: String,
}

fn plural(n: u32, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// The report of a version's lock at `now_ms`.
pub fn object(l: &ObjectLock, now_ms: i64) -> ObjectLockState {
    let active = l.retention.is_some_and(|r| r.active(now_ms));
    let mut summary = match &l.retention {
        Some(r) if active => {
            let who = match r.mode {
                LockMode::Compliance => "nobody, the root included, can delete this version or shorten its retention",
                LockMode::Governance => "only callers with s3:BypassGovernanceRetention who send x-amz-bypass-governance-retention can delete this version or shorten its retention",
            };
            format!(
                "{} until {} ({who})",
                r.mode.as_str(),
                format_date(r.until_ms)
            )
        }
        Some(r) => format!(
            "{} until {} (ended)",
            r.mode.as_str(),
            format_date(r.until_ms)
        ),
        None => "no retention".to_string(),
    };
    match l.legal_hold {
        Some(true) => {
            summary.push_str("; legal hold ON (no deletion of this version until it is lifted)")
        }
        Some(false) => summary.push_str("; legal hold OFF"),
        None => {}
    }
    ObjectLockState {
        mode: l.retention.map(|r| r.mode.as_str().to_string()),
        retain_until: l.retention.map(|r| format_date(r.until_ms)),
        retention_active: active,
        legal_hold: l.legal_hold,
        summary,
    }
}

/// The report of a bucket's Object Lock configuration.
pub fn bucket(l: &BucketLock) -> BucketLockState {
    let (mode, period) = match &l.default {
        Some(d) => {
            let period = match d.period {
                Period::Days(n) => plural(n, "day"),
                Period::Years(n) => plural(n, "year"),
            };
            (Some(d.mode.as_str().to_string()), Some(period))
        }
        None => (None, None),
    };
    let summary = match (&mode, &period) {
        (Some(m), Some(p)) => format!(
            "enabled, default retention {m} for {p} (every new version, CloudTrail's log and digest files included)"
        ),
        _ => "enabled, no default retention".to_string(),
    };
    BucketLockState {
        default_mode: mode,
        default_period: period,
        summary,
    }
}
