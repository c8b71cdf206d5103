//! Read-only queries for `trailstack explain`: the trails of an account (or of every account),
//! which of a trail's selectors take data events on an object — decided by the same
//! [`selectors::matching`] the recorder runs on every event —, what delivery recorded about a
//! file it wrote ([`delivered_files`]), and the recent history of a resource. Nothing here changes
//! state or is recorded; the server composes the answers with S3's and KMS's.

use crate::model::delivered_files::{self, Delivered};
use crate::model::events::{self, Filter, Lookup, StoredEvent};
use crate::model::trails::{self, TrailRecord};
use crate::selectors::{self, EventFacts, TrailSelectors, S3_OBJECT};
use crate::{CloudTrail, CtResult};
use trailstack_core::{AuditResource, EventCategory};

/// Which selectors of a trail take the data events of an object: a read (`GetObject`) and a
/// write (`PutObject`), as positions in the trail's selector list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coverage {
    /// Selectors taking the read.
    pub read: Vec<usize>,
    /// Selectors taking the write.
    pub write: Vec<usize>,
}

impl Coverage {
    /// Whether the trail takes either.
    pub fn any(&self) -> bool {
        !self.read.is_empty() || !self.write.is_empty()
    }

    /// Every selector that takes one of them, in order, once.
    pub fn selectors(&self) -> Vec<usize> {
        let mut all: Vec<usize> = self.read.iter().chain(&self.write).copied().collect();
        all.sort_unstable();
        all.dedup();
        all
    }
}

/// Which of `selectors` take a read and a write of object `key` of `bucket` by the principal
/// `user_arn` (empty for a service) — the events S3 reports for GetObject and PutObject. An
/// empty `key` asks about every object of the bucket: selectors narrowed to a key prefix do not
/// take it.
pub fn object_coverage(
    selectors: &TrailSelectors,
    bucket: &str,
    key: &str,
    user_arn: &str,
) -> Coverage {
    let resources = [
        AuditResource {
            kind: S3_OBJECT.into(),
            prefix: false,
            arn: format!("arn:aws:s3:::{bucket}/{key}"),
            account: None,
        },
        AuditResource {
            kind: "AWS::S3::Bucket".into(),
            prefix: false,
            arn: format!("arn:aws:s3:::{bucket}"),
            account: None,
        },
    ];
    let facts = |read_only: bool, event_name: &'static str| EventFacts {
        category: EventCategory::Data,
        read_only,
        event_source: "s3.amazonaws.com",
        event_name,
        error_code: None,
        resources: &resources,
        event_type: "AwsApiCall",
        user_arn,
    };
    Coverage {
        read: selectors::matching(selectors, &facts(true, "GetObject")),
        write: selectors::matching(selectors, &facts(false, "PutObject")),
    }
}

/// Selector `index` of `selectors` in one line, in the API's own terms.
pub fn describe_selector(selectors: &TrailSelectors, index: usize) -> String {
    match selectors {
        TrailSelectors::Basic(list) => list.get(index).map_or_else(String::new, |s| {
            let mut parts = vec![format!("{:?}", s.read_write_type)];
            if s.include_management_events {
                parts.push("management events".into());
            }
            for d in &s.data_resources {
                parts.push(format!("{} {}", d.kind, d.values.join(", ")));
            }
            parts.join("; ")
        }),
        TrailSelectors::Advanced(list) => list.get(index).map_or_else(String::new, |s| {
            let conditions: Vec<String> = s
                .field_selectors
                .iter()
                .map(|f| {
                    let ops = [
                        ("=", &f.equals),
                        ("starts with", &f.starts_with),
                        ("ends with", &f.ends_with),
                        ("!=", &f.not_equals),
                        ("not starts with", &f.not_starts_with),
                        ("not ends with", &f.not_ends_with),
                    ];
                    let tests: Vec<String> = ops
                        .iter()
                        .filter_map(|(op, v)| v.as_ref().map(|v| format!("{op} {}", v.join("|"))))
                        .collect();
                    format!("{} {}", f.field, tests.join(", "))
                })
                .collect();
            match &s.name {
                Some(name) => format!("{name}: {}", conditions.join(" and ")),
                None => conditions.join(" and "),
            }
        }),
    }
}

impl CloudTrail {
    /// Every trail of `account`, in every region, ordered by ARN.
    pub async fn trails_of_account(&self, account: &str) -> CtResult<Vec<TrailRecord>> {
        let account = account.to_string();
        self.read(move |c| Ok(trails::of_account(c, &account)?))
            .await
    }

    /// Every trail of every account, ordered by ARN.
    pub async fn all_trails(&self) -> CtResult<Vec<TrailRecord>> {
        self.read(|c| Ok(trails::all(c)?)).await
    }

    /// What delivery recorded about the file `bucket`/`key`, if CloudTrail delivered one there.
    pub async fn delivered_file(&self, bucket: &str, key: &str) -> CtResult<Option<Delivered>> {
        let (bucket, key) = (bucket.to_string(), key.to_string());
        self.read(move |c| Ok(delivered_files::get(c, &bucket, &key)?))
            .await
    }

    /// The newest `limit` events of the event history of `account` in `region` that name the
    /// resource `name` (a key ARN, a bucket name), newest first.
    pub async fn resource_history(
        &self,
        account: &str,
        region: &str,
        name: &str,
        limit: usize,
    ) -> CtResult<Vec<StoredEvent>> {
        let q = Lookup {
            account: account.to_string(),
            region: region.to_string(),
            filter: Filter::ResourceName(name.to_string()),
            start_ms: 0,
            end_ms: i64::MAX,
            after: None,
            limit,
        };
        self.read_history(move |c| Ok(events::lookup(c, &q)?.0))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::selectors::{
        AdvancedEventSelector, AdvancedFieldSelector, DataResource, EventSelector, ReadWriteType,
    };

    fn basic(rw: ReadWriteType, values: &[&str]) -> EventSelector {
        EventSelector {
            read_write_type: rw,
            include_management_events: true,
            data_resources: vec![DataResource {
                kind: S3_OBJECT.into(),
                values: values.iter().map(|v| v.to_string()).collect(),
            }],
            exclude_management_event_sources: vec![],
        }
    }

    #[test]
    fn coverage_names_the_selectors_of_reads_and_writes() {
        let sel = TrailSelectors::Basic(vec![
            EventSelector::default_management(),
            basic(ReadWriteType::WriteOnly, &["arn:aws:s3:::data/"]),
            basic(ReadWriteType::ReadOnly, &["arn:aws:s3:::data/reports/"]),
        ]);
        let c = object_coverage(&sel, "data", "reports/q1.csv", "");
        assert_eq!(c.write, vec![1]);
        assert_eq!(c.read, vec![2]);
        assert_eq!(c.selectors(), vec![1, 2]);
        // The whole bucket: the prefix selector does not cover it.
        let whole = object_coverage(&sel, "data", "", "");
        assert_eq!((whole.read.len(), whole.write), (0, vec![1]));
        assert!(!object_coverage(&sel, "other", "x", "").any());
        assert_eq!(
            describe_selector(&sel, 1),
            "WriteOnly; management events; AWS::S3::Object arn:aws:s3:::data/"
        );
    }

    #[test]
    fn advanced_selectors_are_matched_and_described() {
        let field =
            |name: &str, equals: Option<&str>, starts: Option<&str>| AdvancedFieldSelector {
                field: name.into(),
                equals: equals.map(|v| vec![v.to_string()]),
                starts_with: starts.map(|v| vec![v.to_string()]),
                ..Default::default()
            };
        let sel = TrailSelectors::Advanced(vec![AdvancedEventSelector {
            name: Some("data writes".into()),
            field_selectors: vec![
                field("eventCategory", Some("Data"), None),
                field("resources.type", Some(S3_OBJECT), None),
                field("readOnly", Some("false"), None),
                field("resources.ARN", None, Some("arn:aws:s3:::data/")),
            ],
        }]);
        let c = object_coverage(&sel, "data", "a", "");
        assert_eq!((c.read.len(), c.write), (0, vec![0]));
        assert_eq!(
            describe_selector(&sel, 0),
            "data writes: eventCategory = Data and resources.type = AWS::S3::Object and \
             readOnly = false and resources.ARN starts with arn:aws:s3:::data/"
        );
    }
}
