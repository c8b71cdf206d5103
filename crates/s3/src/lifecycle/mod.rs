//! S3 Lifecycle: a bucket's lifecycle configuration as stored (validated once, in
//! [`validate`]), which objects and uploads a rule applies to, and when an action falls due.
//! The [`worker`] runs the rules by the server's clock; requests use the same functions for
//! the `x-amz-expiration` and `x-amz-abort-date` headers, so what a header promises is what
//! the worker does.
//!
//! Due times are AWS's: the creation time (or, for a noncurrent version, the time its successor
//! was created) plus N days, rounded up to the next midnight UTC; a `Date` is itself a
//! midnight. A "day" is normally 24 hours; `--lifecycle-day` shortens it for tests and demos
//! (as Ceph's `rgw_lc_debug_interval` does), and midnights are then the multiples of that day.

pub mod plan;
mod raw;
pub mod validate;
pub mod worker;

use serde::{Deserialize, Serialize};

/// AWS's default `x-amz-transition-default-minimum-object-size`: objects under 128 KiB are
/// never transitioned.
pub const MIN_SIZE_128K: &str = "all_storage_classes_128K";
/// The other value: each storage class's own minimum (none here).
pub const MIN_SIZE_VARIES: &str = "varies_by_storage_class";

/// A bucket's lifecycle configuration, as given (rule IDs S3 generated included).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct LifecycleConfiguration {
    /// The rules, in the order given.
    pub rules: Vec<Rule>,
    /// `x-amz-transition-default-minimum-object-size`.
    pub transition_minimum: String,
    /// Changes with every PutBucketLifecycleConfiguration, so the worker knows a bucket's
    /// rules changed since its last pass.
    #[serde(default)]
    pub stamp: i64,
}

/// One rule.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Rule {
    /// `ID` (generated when the request had none).
    pub id: String,
    /// `Status` Enabled (true) or Disabled.
    pub enabled: bool,
    /// Which objects the rule applies to.
    pub filter: Filter,
    /// `Expiration`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration: Option<Expiration>,
    /// `Transition` elements.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transitions: Vec<Transition>,
    /// `NoncurrentVersionExpiration`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noncurrent_expiration: Option<NoncurrentExpiration>,
    /// `NoncurrentVersionTransition` elements.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub noncurrent_transitions: Vec<NoncurrentTransition>,
    /// `AbortIncompleteMultipartUpload` `DaysAfterInitiation`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abort_days: Option<i64>,
}

/// A rule's filter: the legacy rule-level `Prefix`, or a `Filter` with at most one predicate
/// directly (several only inside `And`). Absent predicates match everything.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Filter {
    /// Written as a rule-level `<Prefix>` (the deprecated form).
    pub legacy: bool,
    /// Written inside `<And>`.
    pub and: bool,
    /// `Prefix`.
    pub prefix: Option<String>,
    /// `Tag` elements: key and value.
    pub tags: Vec<(String, String)>,
    /// `ObjectSizeGreaterThan` (exclusive).
    pub greater_than: Option<u64>,
    /// `ObjectSizeLessThan` (exclusive).
    pub less_than: Option<u64>,
}

/// `Expiration`: exactly one of the three.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Expiration {
    /// `Days`.
    pub days: Option<i64>,
    /// `Date`, as milliseconds since the epoch (a midnight UTC).
    pub date_ms: Option<i64>,
    /// `ExpiredObjectDeleteMarker`.
    pub expired_object_delete_marker: Option<bool>,
}

/// `Transition`: Days or Date, to a storage class.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Transition {
    /// `Days`.
    pub days: Option<i64>,
    /// `Date` (a midnight UTC), in milliseconds.
    pub date_ms: Option<i64>,
    /// `StorageClass`.
    pub storage_class: String,
}

/// `NoncurrentVersionExpiration`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct NoncurrentExpiration {
    /// `NoncurrentDays`.
    pub days: i64,
    /// `NewerNoncurrentVersions`: how many newer noncurrent versions are kept.
    pub newer: Option<i64>,
}

/// `NoncurrentVersionTransition`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct NoncurrentTransition {
    /// `NoncurrentDays`.
    pub days: i64,
    /// `NewerNoncurrentVersions`.
    pub newer: Option<i64>,
    /// `StorageClass`.
    pub storage_class: String,
}

/// The storage classes a transition may name, in the order S3 moves objects down them (its
/// "waterfall"): an object only ever moves to a later one.
pub const TRANSITION_CLASSES: [&str; 6] = [
    "STANDARD_IA",
    "INTELLIGENT_TIERING",
    "ONEZONE_IA",
    "GLACIER_IR",
    "GLACIER",
    "DEEP_ARCHIVE",
];

/// Where `class` stands in the waterfall: STANDARD (and any class not in it) first.
pub fn class_rank(class: Option<&str>) -> usize {
    class
        .and_then(|c| TRANSITION_CLASSES.iter().position(|t| *t == c))
        .map_or(0, |i| i + 1)
}

/// What a rule's filter is tested against.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    /// The key.
    pub key: &'a str,
    /// The version's tags.
    pub tags: &'a [(String, String)],
    /// Its size (0 for a delete marker or an upload).
    pub size: u64,
}

impl Filter {
    /// The prefix the rule names ("" for none).
    pub fn prefix(&self) -> &str {
        self.prefix.as_deref().unwrap_or("")
    }

    /// Whether the filter names tags (actions on delete markers and uploads refuse them).
    pub fn has_tags(&self) -> bool {
        !self.tags.is_empty()
    }

    /// Whether the filter names an object size.
    pub fn has_size(&self) -> bool {
        self.greater_than.is_some() || self.less_than.is_some()
    }

    /// Whether `s` matches: the prefix, every tag (key and value exactly; other tags may be
    /// there too) and both size bounds (exclusive).
    pub fn matches(&self, s: Subject<'_>) -> bool {
        s.key.starts_with(self.prefix())
            && self
                .tags
                .iter()
                .all(|(k, v)| s.tags.iter().any(|(ok, ov)| ok == k && ov == v))
            && self.greater_than.is_none_or(|n| s.size > n)
            && self.less_than.is_none_or(|n| s.size < n)
    }

    /// How S3's messages describe the filter: `(prefix=logs/)`.
    pub fn describe(&self) -> String {
        format!("(prefix={})", self.prefix())
    }
}

/// The length of a lifecycle day and the due times it gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Days {
    /// One day in milliseconds (86 400 000 unless shortened).
    pub day_ms: i64,
}

impl Default for Days {
    fn default() -> Self {
        Days { day_ms: 86_400_000 }
    }
}

impl Days {
    /// A day of `d` (at least one millisecond).
    pub fn of(d: std::time::Duration) -> Days {
        Days {
            day_ms: (d.as_millis() as i64).max(1),
        }
    }

    /// The midnight at or before `ms`.
    pub fn midnight(&self, ms: i64) -> i64 {
        ms.div_euclid(self.day_ms) * self.day_ms
    }

    /// When an action of `n` days counted from `from_ms` falls due: `from + n days`, rounded
    /// up to the next midnight.
    pub fn due(&self, from_ms: i64, n: i64) -> i64 {
        let at = from_ms.saturating_add(n.saturating_mul(self.day_ms));
        self.midnight(at).saturating_add(self.day_ms)
    }
}

impl Rule {
    /// When this rule expires the current version `s` created at `created_ms`, if it has a
    /// Days or Date expiration and applies to it.
    pub fn expiry(&self, s: Subject<'_>, created_ms: i64, days: Days) -> Option<i64> {
        if !self.enabled || !self.filter.matches(s) {
            return None;
        }
        let e = self.expiration.as_ref()?;
        match (e.days, e.date_ms) {
            (Some(n), _) => Some(days.due(created_ms, n)),
            (None, Some(d)) => Some(d),
            (None, None) => None,
        }
    }

    /// When this rule aborts an upload of `key` initiated at `initiated_ms`.
    pub fn abort_due(&self, key: &str, initiated_ms: i64, days: Days) -> Option<i64> {
        let n = self.abort_days?;
        let applies = self.enabled
            && self.filter.matches(Subject {
                key,
                tags: &[],
                size: 0,
            });
        applies.then(|| days.due(initiated_ms, n))
    }
}

impl LifecycleConfiguration {
    /// The rule that expires the current version `s` first, and when: the earliest due time
    /// wins ("the shorter expiration policy is honored"), the first listed among equals. This
    /// is the `x-amz-expiration` header of PUT, GET and HEAD.
    pub fn expiration(&self, s: Subject<'_>, created_ms: i64, days: Days) -> Option<(i64, &Rule)> {
        self.earliest(|r| r.expiry(s, created_ms, days))
    }

    /// The rule that aborts an upload first, and when (`x-amz-abort-date`, `-rule-id`).
    pub fn abort(&self, key: &str, initiated_ms: i64, days: Days) -> Option<(i64, &Rule)> {
        self.earliest(|r| r.abort_due(key, initiated_ms, days))
    }

    /// The rule whose `due` time comes first, and that time; the first listed among equals.
    fn earliest(&self, due: impl Fn(&Rule) -> Option<i64>) -> Option<(i64, &Rule)> {
        let mut best: Option<(i64, &Rule)> = None;
        for r in &self.rules {
            if let Some(at) = due(r) {
                if best.is_none_or(|(b, _)| at < b) {
                    best = Some((at, r));
                }
            }
        }
        best
    }
}

/// `x-amz-expiration` for the current version `v` of a key of `bucket`, if a rule expires it.
pub fn expiration_of(
    bucket: &crate::model::buckets::Bucket,
    v: &crate::model::objects::ObjectVersion,
    days: Days,
) -> Option<String> {
    let config = bucket.meta.lifecycle.as_ref()?;
    if v.delete_marker {
        return None;
    }
    let s = Subject {
        key: &v.key,
        tags: &v.meta.tags,
        size: v.size,
    };
    let (at, rule) = config.expiration(s, v.last_modified_ms, days)?;
    Some(expiration_header(at, rule))
}

/// `x-amz-abort-date` (an HTTP-date) and `x-amz-abort-rule-id` for an upload of `key`.
pub fn abort_of(
    bucket: &crate::model::buckets::Bucket,
    key: &str,
    initiated_ms: i64,
    days: Days,
) -> Option<(String, String)> {
    let config = bucket.meta.lifecycle.as_ref()?;
    let (at, rule) = config.abort(key, initiated_ms, days)?;
    Some((http_date(at), rule.id.clone()))
}

/// The HTTP-date S3 writes in lifecycle headers (`Fri, 23 Dec 2012 00:00:00 GMT`).
pub fn http_date(ms: i64) -> String {
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms.max(0) as u64);
    httpdate::fmt_http_date(t)
}

/// The `x-amz-expiration` value for an expiry: `expiry-date="…", rule-id="…"`.
pub fn expiration_header(at_ms: i64, rule: &Rule) -> String {
    format!(
        "expiry-date=\"{}\", rule-id=\"{}\"",
        http_date(at_ms),
        rule.id
    )
}

#[cfg(test)]
mod tests;
