//! What the rules do to one key at one time: a pure function of the key's versions (newest
//! first), the bucket's versioning state and configuration, and the clock. The worker applies
//! the plan in the same transaction that read the versions.
//!
//! As in S3: the current version expires (removed in a bucket never versioned, hidden under a
//! delete marker otherwise) or transitions; a delete marker left alone (no noncurrent versions)
//! goes by `ExpiredObjectDeleteMarker` or once its age passes `Expiration` `Days`; noncurrent
//! versions expire or transition counted from when their successor was written, keeping the
//! `NewerNoncurrentVersions` newest. Each version takes at most one action per pass ("an object
//! is eligible for only one S3 Lifecycle action per day").

use super::{class_rank, Days, LifecycleConfiguration, Subject, MIN_SIZE_128K};
use crate::model::objects::ObjectVersion;

/// Smallest object transitioned under `all_storage_classes_128K`.
const MIN_TRANSITION_SIZE: u64 = 128 * 1024;

/// One thing to do to a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Delete this version (or delete marker) permanently.
    Remove { version_id: String, rule: String },
    /// Expire the current version by writing a delete marker over it.
    Marker { rule: String },
    /// Show this version in a colder storage class.
    Transition {
        version_id: String,
        class: String,
        rule: String,
    },
}

fn subject(v: &ObjectVersion) -> Subject<'_> {
    Subject {
        key: &v.key,
        tags: &v.meta.tags,
        size: v.size,
    }
}

/// The coldest transition among `(due, class, rule)` candidates that is due and colder than
/// the version's class.
fn coldest(
    v: &ObjectVersion,
    config: &LifecycleConfiguration,
    now_ms: i64,
    candidates: impl Iterator<Item = (i64, String, String)>,
) -> Option<Action> {
    if config.transition_minimum == MIN_SIZE_128K && v.size < MIN_TRANSITION_SIZE {
        return None;
    }
    let current = class_rank(v.meta.storage_class.as_deref());
    candidates
        .filter(|(due, class, _)| *due <= now_ms && class_rank(Some(class)) > current)
        .max_by_key(|(_, class, _)| class_rank(Some(class)))
        .map(|(_, class, rule)| Action::Transition {
            version_id: v.version_id.clone(),
            class,
            rule,
        })
}

fn current(
    v: &ObjectVersion,
    alone: bool,
    config: &LifecycleConfiguration,
    versioning: &str,
    now_ms: i64,
    days: Days,
) -> Option<Action> {
    if v.delete_marker {
        if !alone {
            return None;
        }
        let s = subject(v);
        let rule = config.rules.iter().find(|r| {
            r.enabled
                && r.filter.matches(s)
                && r.expiration.as_ref().is_some_and(|e| {
                    e.expired_object_delete_marker == Some(true)
                        || e.days
                            .is_some_and(|n| days.due(v.last_modified_ms, n) <= now_ms)
                        || e.date_ms.is_some_and(|d| d <= now_ms)
                })
        })?;
        return Some(Action::Remove {
            version_id: v.version_id.clone(),
            rule: rule.id.clone(),
        });
    }
    let expired = config
        .expiration(subject(v), v.last_modified_ms, days)
        .filter(|(due, _)| *due <= now_ms)
        .map(|(_, rule)| rule.id.clone());
    // "Permanent deletion takes precedence over transition. Transition takes precedence over
    // creation of delete markers."
    if let (Some(rule), true) = (&expired, versioning.is_empty()) {
        return Some(Action::Remove {
            version_id: v.version_id.clone(),
            rule: rule.clone(),
        });
    }
    let s = subject(v);
    let candidates = config
        .rules
        .iter()
        .filter(|r| r.enabled && r.filter.matches(s))
        .flat_map(|r| {
            r.transitions.iter().map(move |t| {
                let due = match (t.days, t.date_ms) {
                    (Some(n), _) => days.due(v.last_modified_ms, n),
                    (None, Some(d)) => d,
                    (None, None) => i64::MAX,
                };
                (due, t.storage_class.clone(), r.id.clone())
            })
        });
    coldest(v, config, now_ms, candidates).or(expired.map(|rule| Action::Marker { rule }))
}

/// `v`, noncurrent since `since_ms`, with `newer` noncurrent versions newer than it.
fn noncurrent(
    v: &ObjectVersion,
    since_ms: i64,
    newer: i64,
    config: &LifecycleConfiguration,
    now_ms: i64,
    days: Days,
) -> Option<Action> {
    let s = subject(v);
    let applies: Vec<_> = config
        .rules
        .iter()
        .filter(|r| r.enabled && r.filter.matches(s))
        .collect();
    let kept = |n: Option<i64>| n.is_some_and(|n| newer < n);
    let expired = applies.iter().find(|r| {
        r.noncurrent_expiration
            .as_ref()
            .is_some_and(|e| days.due(since_ms, e.days) <= now_ms && !kept(e.newer))
    });
    if let Some(r) = expired {
        return Some(Action::Remove {
            version_id: v.version_id.clone(),
            rule: r.id.clone(),
        });
    }
    if v.delete_marker {
        return None;
    }
    let candidates = applies.iter().flat_map(|r| {
        r.noncurrent_transitions
            .iter()
            .filter(move |t| !kept(t.newer))
            .map(move |t| {
                (
                    days.due(since_ms, t.days),
                    t.storage_class.clone(),
                    r.id.clone(),
                )
            })
    });
    coldest(v, config, now_ms, candidates)
}

/// The actions due on one key whose `versions` are given newest first.
pub fn plan(
    versions: &[ObjectVersion],
    config: &LifecycleConfiguration,
    versioning: &str,
    now_ms: i64,
    days: Days,
) -> Vec<Action> {
    let Some(first) = versions.first() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if first.is_latest {
        out.extend(current(
            first,
            versions.len() == 1,
            config,
            versioning,
            now_ms,
            days,
        ));
    }
    // The i-th noncurrent version (from 0, newest first) has i newer noncurrent versions.
    for (newer, pair) in versions.windows(2).enumerate() {
        let (successor, v) = (&pair[0], &pair[1]);
        out.extend(noncurrent(
            v,
            successor.last_modified_ms,
            newer as i64,
            config,
            now_ms,
            days,
        ));
    }
    out
}
