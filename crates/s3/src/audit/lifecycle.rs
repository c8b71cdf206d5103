//! The `LifecycleConfiguration` of a PutBucketLifecycle record: the document as CloudTrail
//! turns S3's XML into JSON (a single repeated element as an object, several as an array,
//! numbers and booleans as values, the `xmlns` kept).

use super::request::{repeated, XMLNS};
use crate::lifecycle::{Filter, LifecycleConfiguration, Rule};
use crate::wire::timestamp;
use serde_json::{json, Map, Value};

fn predicates(f: &Filter) -> Map<String, Value> {
    let mut m = Map::new();
    if let Some(p) = &f.prefix {
        m.insert("Prefix".into(), json!(p));
    }
    if !f.tags.is_empty() {
        let tags = f
            .tags
            .iter()
            .map(|(k, v)| json!({"Key": k, "Value": v}))
            .collect();
        m.insert("Tag".into(), repeated(tags));
    }
    if let Some(n) = f.greater_than {
        m.insert("ObjectSizeGreaterThan".into(), json!(n));
    }
    if let Some(n) = f.less_than {
        m.insert("ObjectSizeLessThan".into(), json!(n));
    }
    m
}

fn rule(r: &Rule) -> Value {
    let mut m = Map::new();
    m.insert("ID".into(), json!(r.id));
    if r.filter.legacy {
        m.insert("Prefix".into(), json!(r.filter.prefix()));
    } else if r.filter.and {
        m.insert("Filter".into(), json!({"And": predicates(&r.filter)}));
    } else {
        m.insert("Filter".into(), Value::Object(predicates(&r.filter)));
    }
    m.insert(
        "Status".into(),
        json!(if r.enabled { "Enabled" } else { "Disabled" }),
    );
    if let Some(e) = &r.expiration {
        let mut x = Map::new();
        if let Some(d) = e.days {
            x.insert("Days".into(), json!(d));
        }
        if let Some(d) = e.date_ms {
            x.insert("Date".into(), json!(timestamp(d)));
        }
        if let Some(b) = e.expired_object_delete_marker {
            x.insert("ExpiredObjectDeleteMarker".into(), json!(b));
        }
        m.insert("Expiration".into(), Value::Object(x));
    }
    if !r.transitions.is_empty() {
        let t = r
            .transitions
            .iter()
            .map(|t| {
                let mut x = Map::new();
                if let Some(d) = t.days {
                    x.insert("Days".into(), json!(d));
                }
                if let Some(d) = t.date_ms {
                    x.insert("Date".into(), json!(timestamp(d)));
                }
                x.insert("StorageClass".into(), json!(t.storage_class));
                Value::Object(x)
            })
            .collect();
        m.insert("Transition".into(), repeated(t));
    }
    if !r.noncurrent_transitions.is_empty() {
        let t = r
            .noncurrent_transitions
            .iter()
            .map(|t| {
                let mut x = json!({"NoncurrentDays": t.days, "StorageClass": t.storage_class});
                if let Some(n) = t.newer {
                    x["NewerNoncurrentVersions"] = json!(n);
                }
                x
            })
            .collect();
        m.insert("NoncurrentVersionTransition".into(), repeated(t));
    }
    if let Some(n) = &r.noncurrent_expiration {
        let mut x = json!({"NoncurrentDays": n.days});
        if let Some(k) = n.newer {
            x["NewerNoncurrentVersions"] = json!(k);
        }
        m.insert("NoncurrentVersionExpiration".into(), x);
    }
    if let Some(d) = r.abort_days {
        m.insert(
            "AbortIncompleteMultipartUpload".into(),
            json!({"DaysAfterInitiation": d}),
        );
    }
    Value::Object(m)
}

/// The document as logged.
pub fn configuration(c: &LifecycleConfiguration) -> Value {
    json!({"xmlns": XMLNS, "Rule": repeated(c.rules.iter().map(rule).collect())})
}
