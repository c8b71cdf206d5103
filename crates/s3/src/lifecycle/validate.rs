//! The validation of PutBucketLifecycleConfiguration's document (as `raw.rs` reads it) into a
//! [`LifecycleConfiguration`] with S3's errors: `MalformedXML` where the document breaks the
//! schema (a bad `Status`, two predicates directly in a `Filter`, a rule with neither `Filter`
//! nor `Prefix`), `InvalidArgument` for bad values (IDs, days, dates, transitions) and
//! `InvalidRequest` for combinations S3 refuses (tags with delete-marker or upload actions, no
//! action, mixed legacy and V2 rules). Messages are those S3 answers.

pub use super::raw::RawConfiguration;
use super::raw::{RawExpiration, RawFilter, RawNoncurrent, RawRule, RawTag, RawTransition};
use super::{
    class_rank, Expiration, Filter, LifecycleConfiguration, NoncurrentExpiration,
    NoncurrentTransition, Rule, Transition, MIN_SIZE_128K, MIN_SIZE_VARIES, TRANSITION_CLASSES,
};
use crate::error::{S3Error, S3Result};

/// Most rules a configuration holds.
pub const MAX_RULES: usize = 1000;
/// Longest rule ID.
pub const MAX_ID: usize = 255;
/// Largest object size a filter may name (as S3 words its bound).
const MAX_SIZE: u64 = 1_099_511_627_776_000;

fn invalid_argument(message: impl Into<String>, name: &str, value: impl Into<String>) -> S3Error {
    S3Error::InvalidArgument {
        message: message.into(),
        name: name.into(),
        value: value.into(),
    }
}

fn number(text: &str) -> S3Result<i64> {
    text.trim().parse().map_err(|_| S3Error::MalformedXml)
}

fn opt_number(text: &Option<String>) -> S3Result<Option<i64>> {
    text.as_deref().map(number).transpose()
}

fn size(text: &Option<String>, name: &str) -> S3Result<Option<u64>> {
    let Some(n) = opt_number(text)? else {
        return Ok(None);
    };
    let low = if name == "ObjectSizeLessThan" { 1 } else { 0 };
    if n < low || n as u64 > MAX_SIZE {
        return Err(S3Error::InvalidRequest(format!(
            "'{name}' should be between {low} and {MAX_SIZE}."
        )));
    }
    Ok(Some(n as u64))
}

/// A lifecycle `Date`: ISO 8601 (`2026-01-01T00:00:00Z`, with or without fractions or an
/// offset, or a bare date), which must be a midnight UTC.
fn date(text: &str) -> S3Result<i64> {
    use time::format_description::well_known::Rfc3339;
    let text = text.trim();
    let at = match time::OffsetDateTime::parse(text, &Rfc3339) {
        Ok(t) => t,
        Err(_) => {
            let day = time::macros::format_description!("[year]-[month]-[day]");
            time::Date::parse(text, &day)
                .map_err(|_| S3Error::MalformedXml)?
                .midnight()
                .assume_utc()
        }
    };
    let ms = crate::model::to_ms(at);
    if ms.rem_euclid(86_400_000) != 0 {
        return Err(invalid_argument(
            "'Date' must be at midnight GMT",
            "Date",
            text,
        ));
    }
    Ok(ms)
}

/// An ID S3 makes for a rule sent without one: base64 of a random UUID, 48 characters.
fn generated_id() -> String {
    use base64::Engine;
    let uuid = uuid::Uuid::new_v4().hyphenated().to_string();
    base64::engine::general_purpose::STANDARD.encode(uuid)
}

fn tag(t: RawTag) -> S3Result<(String, String)> {
    match t.key {
        Some(k) if !k.is_empty() => Ok((k, t.value.unwrap_or_default())),
        _ => Err(S3Error::MalformedXml),
    }
}

/// A `<Filter>`: at most one predicate directly, two or more inside `And`.
fn filter(raw: RawFilter) -> S3Result<Filter> {
    let direct = [
        raw.prefix.is_some(),
        raw.tag.is_some(),
        raw.object_size_greater_than.is_some(),
        raw.object_size_less_than.is_some(),
        raw.and.is_some(),
    ];
    if direct.iter().filter(|b| **b).count() > 1 {
        return Err(S3Error::MalformedXml);
    }
    let mut f = Filter {
        prefix: raw.prefix,
        tags: raw.tag.map(tag).transpose()?.into_iter().collect(),
        greater_than: size(&raw.object_size_greater_than, "ObjectSizeGreaterThan")?,
        less_than: size(&raw.object_size_less_than, "ObjectSizeLessThan")?,
        ..Filter::default()
    };
    if let Some(and) = raw.and {
        let count = usize::from(and.prefix.is_some())
            + and.tags.len()
            + usize::from(and.object_size_greater_than.is_some())
            + usize::from(and.object_size_less_than.is_some());
        if count < 2 {
            return Err(S3Error::MalformedXml);
        }
        f.and = true;
        f.prefix = and.prefix;
        f.tags = and.tags.into_iter().map(tag).collect::<S3Result<_>>()?;
        f.greater_than = size(&and.object_size_greater_than, "ObjectSizeGreaterThan")?;
        f.less_than = size(&and.object_size_less_than, "ObjectSizeLessThan")?;
        let mut keys: Vec<&str> = f.tags.iter().map(|(k, _)| k.as_str()).collect();
        keys.sort_unstable();
        if keys.windows(2).any(|w| w[0] == w[1]) {
            return Err(S3Error::InvalidRequest(
                "Duplicate Tag Keys are not allowed.".into(),
            ));
        }
    }
    if let (Some(gt), Some(lt)) = (f.greater_than, f.less_than) {
        if lt <= gt {
            return Err(S3Error::InvalidRequest(
                "'ObjectSizeLessThan' has to be a value greater than 'ObjectSizeGreaterThan'."
                    .into(),
            ));
        }
    }
    Ok(f)
}

fn storage_class(raw: Option<String>) -> S3Result<String> {
    match raw {
        Some(c) if TRANSITION_CLASSES.contains(&c.trim()) => Ok(c.trim().to_string()),
        _ => Err(S3Error::MalformedXml),
    }
}

fn expiration(raw: RawExpiration, f: &Filter) -> S3Result<Expiration> {
    let e = Expiration {
        days: opt_number(&raw.days)?,
        date_ms: raw.date.as_deref().map(date).transpose()?,
        expired_object_delete_marker: match raw.expired_object_delete_marker.as_deref() {
            None => None,
            Some(b) => Some(
                b.trim()
                    .parse::<bool>()
                    .map_err(|_| S3Error::MalformedXml)?,
            ),
        },
    };
    let given = [
        e.days.is_some(),
        e.date_ms.is_some(),
        e.expired_object_delete_marker.is_some(),
    ];
    if given.iter().filter(|b| **b).count() != 1 {
        return Err(S3Error::MalformedXml);
    }
    if let Some(d) = e.days.filter(|d| *d <= 0) {
        return Err(invalid_argument(
            "'Days' for Expiration action must be a positive integer",
            "Days",
            d.to_string(),
        ));
    }
    if e.expired_object_delete_marker.is_some() {
        prefix_only("ExpiredObjectDeleteMarker", f)?;
    }
    Ok(e)
}

/// S3's refusal of `action` in a rule whose filter has tags or object sizes: delete markers and
/// uploads have neither, so the action may only be filtered by prefix.
fn prefix_only(action: &str, f: &Filter) -> S3Result<()> {
    let with = if f.has_tags() {
        "Tags"
    } else if f.has_size() {
        "Object Size"
    } else {
        return Ok(());
    };
    Err(S3Error::InvalidRequest(format!(
        "{action} cannot be specified with {with}."
    )))
}

fn transitions(raw: Vec<RawTransition>, f: &Filter) -> S3Result<Vec<Transition>> {
    let mut out: Vec<Transition> = Vec::new();
    for t in raw {
        let t = Transition {
            days: opt_number(&t.days)?,
            date_ms: t.date.as_deref().map(date).transpose()?,
            storage_class: storage_class(t.storage_class)?,
        };
        if t.days.is_some() == t.date_ms.is_some() {
            return Err(S3Error::MalformedXml);
        }
        if let Some(d) = t.days {
            if d < 0 {
                return Err(invalid_argument(
                    "'Days' in Transition action must be nonnegative",
                    "Days",
                    d.to_string(),
                ));
            }
            if d < 30 && matches!(t.storage_class.as_str(), "STANDARD_IA" | "ONEZONE_IA") {
                return Err(invalid_argument(
                    format!("'Days' in Transition action must be greater than or equal to 30 for storageClass '{}'", t.storage_class),
                    "Days",
                    d.to_string(),
                ));
            }
        }
        if out.iter().any(|o| o.storage_class == t.storage_class) {
            return Err(invalid_argument(
                format!("'StorageClass' must be different for 'Transition' actions in same 'Rule' with filter '{}'", f.describe()),
                "StorageClass",
                t.storage_class,
            ));
        }
        out.push(t);
    }
    if out.iter().any(|t| t.days.is_some()) && out.iter().any(|t| t.date_ms.is_some()) {
        return Err(mixed(f));
    }
    // Later transitions go further down the waterfall.
    let mut by_time: Vec<&Transition> = out.iter().collect();
    by_time.sort_by_key(|t| {
        (
            t.days.or(t.date_ms).unwrap_or(0),
            class_rank(Some(&t.storage_class)),
        )
    });
    for w in by_time.windows(2) {
        if class_rank(Some(&w[1].storage_class)) <= class_rank(Some(&w[0].storage_class)) {
            return Err(invalid_argument(
                format!(
                    "'StorageClass' '{}' in a later Transition action must be a colder storage class than '{}' for filter '{}'",
                    w[1].storage_class, w[0].storage_class, f.describe()
                ),
                "StorageClass",
                w[1].storage_class.clone(),
            ));
        }
    }
    Ok(out)
}

fn mixed(f: &Filter) -> S3Error {
    invalid_argument(
        format!(
            "Found mixed 'Date' and 'Days' based Expiration and Transition actions in lifecycle rule for filter '{}'",
            f.describe()
        ),
        "Date",
        "",
    )
}

/// `NoncurrentDays` and `NewerNoncurrentVersions` of a noncurrent action named `action`.
fn noncurrent_days(
    raw: &RawNoncurrent,
    action: &str,
    zero_ok: bool,
) -> S3Result<(i64, Option<i64>)> {
    let days = number(
        raw.noncurrent_days
            .as_deref()
            .ok_or(S3Error::MalformedXml)?,
    )?;
    if days < 0 || (!zero_ok && days == 0) {
        let message = if zero_ok {
            format!("'NoncurrentDays' in {action} action must be nonnegative")
        } else {
            format!("'NoncurrentDays' for {action} action must be a positive integer")
        };
        return Err(invalid_argument(
            message,
            "NoncurrentDays",
            days.to_string(),
        ));
    }
    let newer = opt_number(&raw.newer_noncurrent_versions)?;
    if let Some(n) = newer.filter(|n| *n <= 0) {
        return Err(invalid_argument(
            format!("'NewerNoncurrentVersions' for {action} action must be a positive integer"),
            "NewerNoncurrentVersions",
            n.to_string(),
        ));
    }
    Ok((days, newer))
}

fn rule(raw: RawRule, v2: bool) -> S3Result<Rule> {
    let enabled = match raw.status.as_deref().map(str::trim) {
        Some("Enabled") => true,
        Some("Disabled") => false,
        _ => return Err(S3Error::MalformedXml),
    };
    let id = match raw.id {
        Some(id) if id.chars().count() > MAX_ID => {
            return Err(invalid_argument(
                "ID length should not exceed allowed limit of 255",
                "ID",
                id,
            ))
        }
        Some(id) if !id.is_empty() => id,
        _ => generated_id(),
    };
    let filter = match (raw.prefix, raw.filter) {
        (Some(prefix), None) => Filter {
            legacy: true,
            prefix: Some(prefix),
            ..Filter::default()
        },
        (None, Some(f)) => filter(f)?,
        _ => return Err(S3Error::MalformedXml),
    };
    let expiration = raw.expiration.map(|e| expiration(e, &filter)).transpose()?;
    let transitions = transitions(raw.transitions, &filter)?;
    let noncurrent_expiration = match &raw.noncurrent_version_expiration {
        None => None,
        Some(n) => {
            let (days, newer) = noncurrent_days(n, "NoncurrentVersionExpiration", false)?;
            Some(NoncurrentExpiration { days, newer })
        }
    };
    let mut noncurrent_transitions: Vec<NoncurrentTransition> = Vec::new();
    for n in &raw.noncurrent_transitions {
        let (days, newer) = noncurrent_days(n, "NoncurrentVersionTransition", true)?;
        let storage_class = storage_class(n.storage_class.clone())?;
        if days < 30 && matches!(storage_class.as_str(), "STANDARD_IA" | "ONEZONE_IA") {
            return Err(invalid_argument(
                format!("'NoncurrentDays' in NoncurrentVersionTransition action must be greater than or equal to 30 for storageClass '{storage_class}'"),
                "NoncurrentDays",
                days.to_string(),
            ));
        }
        if noncurrent_transitions
            .iter()
            .any(|o| o.storage_class == storage_class)
        {
            return Err(invalid_argument(
                format!("'StorageClass' must be different for 'NoncurrentVersionTransition' actions in same 'Rule' with filter '{}'", filter.describe()),
                "StorageClass",
                storage_class,
            ));
        }
        noncurrent_transitions.push(NoncurrentTransition {
            days,
            newer,
            storage_class,
        });
    }
    let uses_newer = noncurrent_expiration
        .as_ref()
        .is_some_and(|n| n.newer.is_some())
        || noncurrent_transitions.iter().any(|n| n.newer.is_some());
    if uses_newer && !v2 {
        return Err(S3Error::InvalidRequest(
            "NewerNoncurrentVersions element can only be used in Lifecycle V2.".into(),
        ));
    }
    let abort_days = match raw.abort_incomplete_multipart_upload {
        None => None,
        Some(a) => {
            let days = number(
                a.days_after_initiation
                    .as_deref()
                    .ok_or(S3Error::MalformedXml)?,
            )?;
            if days <= 0 {
                return Err(invalid_argument(
                    "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer",
                    "DaysAfterInitiation",
                    days.to_string(),
                ));
            }
            prefix_only("AbortIncompleteMultipartUpload", &filter)?;
            Some(days)
        }
    };
    let r = Rule {
        id,
        enabled,
        filter,
        expiration,
        transitions,
        noncurrent_expiration,
        noncurrent_transitions,
        abort_days,
    };
    check_actions(&r)?;
    Ok(r)
}

/// A rule's actions taken together: at least one, and expirations after transitions.
fn check_actions(r: &Rule) -> S3Result<()> {
    if r.expiration.is_none()
        && r.transitions.is_empty()
        && r.noncurrent_expiration.is_none()
        && r.noncurrent_transitions.is_empty()
        && r.abort_days.is_none()
    {
        return Err(S3Error::InvalidRequest(
            "At least one action needs to be specified in a rule".into(),
        ));
    }
    if let Some(e) = &r.expiration {
        let by_days = r.transitions.iter().any(|t| t.days.is_some());
        let by_date = r.transitions.iter().any(|t| t.date_ms.is_some());
        if (e.days.is_some() && by_date) || (e.date_ms.is_some() && by_days) {
            return Err(mixed(&r.filter));
        }
        let last = r.transitions.iter().filter_map(|t| t.days).max();
        if let (Some(d), Some(t)) = (e.days, last) {
            if d <= t {
                return Err(invalid_argument(
                    format!("'Days' in the Expiration action for filter '{}' must be greater than 'Days' in the Transition action", r.filter.describe()),
                    "Days",
                    d.to_string(),
                ));
            }
        }
        let last = r.transitions.iter().filter_map(|t| t.date_ms).max();
        if let (Some(d), Some(t)) = (e.date_ms, last) {
            if d <= t {
                return Err(invalid_argument(
                    format!("'Date' in the Expiration action for filter '{}' must be later than 'Date' in the Transition action", r.filter.describe()),
                    "Date",
                    "",
                ));
            }
        }
    }
    if let Some(n) = &r.noncurrent_expiration {
        if let Some(t) = r.noncurrent_transitions.iter().map(|t| t.days).max() {
            if n.days <= t {
                return Err(invalid_argument(
                    format!("'NoncurrentDays' in the NoncurrentVersionExpiration action for filter '{}' must be greater than 'NoncurrentDays' in the NoncurrentVersionTransition action", r.filter.describe()),
                    "NoncurrentDays",
                    n.days.to_string(),
                ));
            }
        }
    }
    Ok(())
}

/// Two legacy rules whose prefixes overlap may not take the same kind of action.
fn check_overlaps(rules: &[Rule]) -> S3Result<()> {
    let kinds = |r: &Rule| -> Vec<&'static str> {
        let mut k = Vec::new();
        if r.expiration.is_some() {
            k.push("Expiration");
        }
        if !r.transitions.is_empty() {
            k.push("Transition");
        }
        if r.noncurrent_expiration.is_some() {
            k.push("NoncurrentVersionExpiration");
        }
        if !r.noncurrent_transitions.is_empty() {
            k.push("NoncurrentVersionTransition");
        }
        if r.abort_days.is_some() {
            k.push("AbortIncompleteMultipartUpload");
        }
        k
    };
    for (i, a) in rules.iter().enumerate() {
        for b in &rules[i + 1..] {
            let (pa, pb) = (a.filter.prefix(), b.filter.prefix());
            if !(pa.starts_with(pb) || pb.starts_with(pa)) {
                continue;
            }
            let kb = kinds(b);
            if let Some(kind) = kinds(a).into_iter().find(|k| kb.contains(k)) {
                return Err(S3Error::InvalidRequest(format!(
                    "Found overlapping prefixes '{pa}' and '{pb}' for same action type '{kind}'"
                )));
            }
        }
    }
    Ok(())
}

/// Validates a parsed document; `minimum` is the `x-amz-transition-default-minimum-object-size`
/// header, if sent.
pub fn configuration(
    raw: RawConfiguration,
    minimum: Option<&str>,
) -> S3Result<LifecycleConfiguration> {
    let transition_minimum = match minimum {
        None => MIN_SIZE_128K.to_string(),
        Some(m) if m == MIN_SIZE_128K || m == MIN_SIZE_VARIES => m.to_string(),
        Some(m) => {
            return Err(S3Error::InvalidRequest(format!(
                "Invalid TransitionDefaultMinimumObjectSize found: {m}"
            )))
        }
    };
    if raw.rules.is_empty() {
        return Err(S3Error::MalformedXml);
    }
    if raw.rules.len() > MAX_RULES {
        return Err(S3Error::InvalidRequest(
            "The number of lifecycle rules must not exceed the allowed limit of 1000 rules.".into(),
        ));
    }
    // The first rule decides whether this is a V2 (Filter) or a legacy (Prefix) document.
    let v2 = raw.rules[0].filter.is_some() || raw.rules[0].prefix.is_none();
    for r in &raw.rules {
        if v2 && r.prefix.is_some() && r.filter.is_none() {
            return Err(S3Error::InvalidRequest(
                "Base level prefix cannot be used in Lifecycle V2, prefixes are only supported in the Filter.".into(),
            ));
        }
        if !v2 && r.filter.is_some() && r.prefix.is_none() {
            return Err(S3Error::InvalidRequest(
                "Filter element can only be used in Lifecycle V2.".into(),
            ));
        }
    }
    let rules = raw
        .rules
        .into_iter()
        .map(|r| rule(r, v2))
        .collect::<S3Result<Vec<_>>>()?;
    let mut ids: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
    ids.sort_unstable();
    if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
        return Err(invalid_argument(
            "Rule ID must be unique. Found same ID for more than one rule",
            "ID",
            w[0],
        ));
    }
    if !v2 {
        check_overlaps(&rules)?;
    }
    Ok(LifecycleConfiguration {
        rules,
        transition_minimum,
        stamp: 0,
    })
}
