//! Due times, filters and plans, checked against the examples of the S3 user guide.

use super::plan::{plan, Action};
use super::*;
use crate::model::objects::{ObjectMeta, ObjectVersion};

const DAY: i64 = 86_400_000;

fn ms(s: &str) -> i64 {
    use time::format_description::well_known::Rfc3339;
    crate::model::to_ms(time::OffsetDateTime::parse(s, &Rfc3339).unwrap())
}

fn rule(id: &str, prefix: &str) -> Rule {
    Rule {
        id: id.into(),
        enabled: true,
        filter: Filter {
            prefix: Some(prefix.into()),
            ..Filter::default()
        },
        expiration: None,
        transitions: Vec::new(),
        noncurrent_expiration: None,
        noncurrent_transitions: Vec::new(),
        abort_days: None,
    }
}

fn config(rules: Vec<Rule>) -> LifecycleConfiguration {
    LifecycleConfiguration {
        rules,
        transition_minimum: MIN_SIZE_VARIES.into(),
        stamp: 1,
    }
}

fn version(key: &str, id: &str, at: i64, marker: bool, latest: bool) -> ObjectVersion {
    ObjectVersion {
        bucket: "b".into(),
        key: key.into(),
        version_id: id.into(),
        seq: 0,
        is_latest: latest,
        delete_marker: marker,
        size: if marker { 0 } else { 10 },
        etag: String::new(),
        last_modified_ms: at,
        meta: ObjectMeta::default(),
        inline: None,
    }
}

#[test]
fn due_rounds_up_to_the_next_midnight_utc() {
    let d = Days::default();
    // "created on 1/15/2014 at 10:30 AM UTC and you specify 3 days ... 1/19/2014 00:00 UTC"
    assert_eq!(
        d.due(ms("2014-01-15T10:30:00Z"), 3),
        ms("2014-01-19T00:00:00Z")
    );
    // "created at 00:05 UTC on January 2 ... eligible ... at 00:00 UTC on January 4"
    assert_eq!(
        d.due(ms("2024-01-02T00:05:00Z"), 1),
        ms("2024-01-04T00:00:00Z")
    );
    let short = Days::of(std::time::Duration::from_secs(10));
    assert_eq!(short.due(12_345, 1), 30_000);
    assert_eq!(short.midnight(29_999), 20_000);
}

#[test]
fn filters_match_prefix_every_tag_and_exclusive_sizes() {
    let f = Filter {
        prefix: Some("logs/".into()),
        tags: vec![("k".into(), "v".into())],
        greater_than: Some(10),
        less_than: Some(100),
        ..Filter::default()
    };
    let tags = vec![("k".to_string(), "v".to_string()), ("o".into(), "x".into())];
    let s = |key, size| Subject {
        key,
        tags: &tags,
        size,
    };
    assert!(f.matches(s("logs/a", 50)));
    assert!(!f.matches(s("other/a", 50)));
    assert!(!f.matches(s("logs/a", 10)));
    assert!(!f.matches(s("logs/a", 100)));
    assert!(!f.matches(Subject {
        key: "logs/a",
        tags: &[],
        size: 50
    }));
}

#[test]
fn the_earliest_expiration_wins_and_names_its_rule() {
    let mut long = rule("long", "");
    long.expiration = Some(Expiration {
        days: Some(30),
        ..Expiration::default()
    });
    let mut short = rule("short", "a/");
    short.expiration = Some(Expiration {
        days: Some(2),
        ..Expiration::default()
    });
    let c = config(vec![long, short]);
    let created = ms("2012-12-20T10:00:00Z");
    let s = Subject {
        key: "a/x",
        tags: &[],
        size: 1,
    };
    let (at, r) = c.expiration(s, created, Days::default()).unwrap();
    assert_eq!(r.id, "short");
    assert_eq!(
        expiration_header(at, r),
        "expiry-date=\"Sun, 23 Dec 2012 00:00:00 GMT\", rule-id=\"short\""
    );
}

#[test]
fn current_versions_expire_by_versioning_state() {
    let mut r = rule("r", "");
    r.expiration = Some(Expiration {
        days: Some(1),
        ..Expiration::default()
    });
    let c = config(vec![r]);
    let v = [version("k", "null", 0, false, true)];
    let d = Days::default();
    assert!(plan(&v, &c, "", DAY, d).is_empty());
    assert_eq!(
        plan(&v, &c, "", 2 * DAY, d),
        vec![Action::Remove {
            version_id: "null".into(),
            rule: "r".into()
        }]
    );
    assert_eq!(
        plan(&v, &c, "Enabled", 2 * DAY, d),
        vec![Action::Marker { rule: "r".into() }]
    );
    // A delete marker over a version is left alone; a lone one old enough goes.
    let hidden = [
        version("k", "m", 0, true, true),
        version("k", "v", 0, false, false),
    ];
    assert!(plan(&hidden, &c, "Enabled", 2 * DAY, d)
        .iter()
        .all(|a| !matches!(a, Action::Remove { version_id, .. } if version_id == "m")));
    let lone = [version("k", "m", 0, true, true)];
    assert_eq!(plan(&lone, &c, "Enabled", 2 * DAY, d).len(), 1);
}

#[test]
fn noncurrent_versions_count_from_their_successor_and_keep_the_newest() {
    let mut r = rule("r", "");
    r.noncurrent_expiration = Some(NoncurrentExpiration {
        days: 1,
        newer: Some(2),
    });
    let c = config(vec![r]);
    // Newest first: the current version and four noncurrent ones, each superseded at hour 1.
    let vs: Vec<_> = (0..5)
        .map(|i| version("k", &format!("v{i}"), 3_600_000, false, i == 0))
        .collect();
    let d = Days::default();
    assert!(plan(&vs, &c, "Enabled", DAY, d).is_empty());
    let removed: Vec<_> = plan(&vs, &c, "Enabled", 2 * DAY, d)
        .into_iter()
        .map(|a| match a {
            Action::Remove { version_id, .. } => version_id,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(removed, vec!["v3", "v4"]);
}

#[test]
fn transitions_move_down_the_waterfall_only() {
    let mut r = rule("r", "");
    r.transitions = vec![
        Transition {
            days: Some(30),
            date_ms: None,
            storage_class: "STANDARD_IA".into(),
        },
        Transition {
            days: Some(60),
            date_ms: None,
            storage_class: "GLACIER".into(),
        },
    ];
    let c = config(vec![r]);
    let v = [version("k", "null", 0, false, true)];
    let d = Days::default();
    let at = |n: i64| plan(&v, &c, "", n * DAY, d);
    assert!(at(30).is_empty());
    assert!(matches!(&at(31)[..], [Action::Transition { class, .. }] if class == "STANDARD_IA"));
    assert!(matches!(&at(61)[..], [Action::Transition { class, .. }] if class == "GLACIER"));
    let mut deep = v[0].clone();
    deep.meta.storage_class = Some("DEEP_ARCHIVE".into());
    assert!(plan(&[deep], &c, "", 61 * DAY, d).is_empty());
    // Under the default minimum size, small objects stay.
    let mut small = c.clone();
    small.transition_minimum = MIN_SIZE_128K.into();
    assert!(plan(&v, &small, "", 61 * DAY, d).is_empty());
}

#[test]
fn uploads_abort_by_prefix() {
    let mut r = rule("abort", "tmp/");
    r.abort_days = Some(2);
    let c = config(vec![r]);
    let d = Days::default();
    assert_eq!(
        c.abort("tmp/x", ms("2024-01-01T12:00:00Z"), d)
            .map(|(at, _)| at),
        Some(ms("2024-01-04T00:00:00Z"))
    );
    assert!(c.abort("keep/x", 0, d).is_none());
}

#[test]
fn deletion_beats_transition_which_beats_a_delete_marker() {
    let mut r = rule("r", "");
    r.expiration = Some(Expiration {
        days: Some(1),
        ..Expiration::default()
    });
    r.transitions = vec![Transition {
        days: Some(0),
        date_ms: None,
        storage_class: "GLACIER".into(),
    }];
    let c = config(vec![r]);
    let v = [version("k", "v", 0, false, true)];
    let d = Days::default();
    assert!(matches!(
        &plan(&v, &c, "", 2 * DAY, d)[..],
        [Action::Remove { .. }]
    ));
    assert!(matches!(
        &plan(&v, &c, "Enabled", 2 * DAY, d)[..],
        [Action::Transition { .. }]
    ));
    let mut cold = v[0].clone();
    cold.meta.storage_class = Some("GLACIER".into());
    assert_eq!(
        plan(&[cold], &c, "Enabled", 2 * DAY, d),
        vec![Action::Marker { rule: "r".into() }]
    );
}
