//! Table tests of selector matching and validation.

use super::validate::{self, DataResourceInput, EventSelectorInput};
use super::*;
use trailstack_core::AuditResource;

fn res(kind: &str, arn: &str) -> AuditResource {
    AuditResource {
        kind: kind.into(),
        prefix: false,
        arn: arn.into(),
        account: None,
    }
}

/// A sample event: (name, category, read_only, source, resources).
struct Ev {
    name: &'static str,
    category: EventCategory,
    read_only: bool,
    source: &'static str,
    resources: Vec<AuditResource>,
    error: Option<&'static str>,
}

impl Ev {
    fn facts(&self) -> EventFacts<'_> {
        EventFacts {
            category: self.category,
            read_only: self.read_only,
            event_source: self.source,
            event_name: self.name,
            error_code: self.error,
            resources: &self.resources,
            event_type: "AwsApiCall",
            user_arn: "arn:aws:iam::123456789012:user/alice",
        }
    }
}

fn object(name: &'static str, read_only: bool, bucket: &str, key: &str) -> Ev {
    Ev {
        name,
        category: EventCategory::Data,
        read_only,
        source: "s3.amazonaws.com",
        resources: vec![
            res("AWS::S3::Object", &format!("arn:aws:s3:::{bucket}/{key}")),
            res("AWS::S3::Bucket", &format!("arn:aws:s3:::{bucket}")),
        ],
        error: None,
    }
}

fn events() -> Vec<Ev> {
    vec![
        // 0: PutObject into bk1/logs/a.txt
        object("PutObject", false, "bk1", "logs/a.txt"),
        // 1: GetObject of bk1/data/x
        object("GetObject", true, "bk1", "data/x"),
        // 2: PutObject into bk2/k
        object("PutObject", false, "bk2", "k"),
        // 3: CreateBucket bk1 (management, write)
        Ev {
            name: "CreateBucket",
            category: EventCategory::Management,
            read_only: false,
            source: "s3.amazonaws.com",
            resources: vec![res("AWS::S3::Bucket", "arn:aws:s3:::bk1")],
            error: None,
        },
        // 4: KMS GenerateDataKey (management, read)
        Ev {
            name: "GenerateDataKey",
            category: EventCategory::Management,
            read_only: true,
            source: "kms.amazonaws.com",
            resources: vec![res(
                "AWS::KMS::Key",
                "arn:aws:kms:us-east-1:123456789012:key/k1",
            )],
            error: None,
        },
        // 5: ListObjects of bk1 (data event naming only the bucket)
        Ev {
            name: "ListObjects",
            category: EventCategory::Data,
            read_only: true,
            source: "s3.amazonaws.com",
            resources: vec![res("AWS::S3::Bucket", "arn:aws:s3:::bk1")],
            error: None,
        },
        // 6: GetObject of bk1/logs/missing failing with NoSuchKey
        Ev {
            error: Some("NoSuchKey"),
            ..object("GetObject", true, "bk1", "logs/missing")
        },
    ]
}

fn basic(json: &str) -> TrailSelectors {
    let input: Vec<EventSelectorInput> = serde_json::from_str(json).unwrap();
    validate::basic(&input).unwrap()
}

fn advanced(json: &str) -> TrailSelectors {
    let input: Vec<AdvancedEventSelector> = serde_json::from_str(json).unwrap();
    validate::advanced(&input).unwrap()
}

/// Which of `events()` the selectors take, as indexes.
fn taken(s: &TrailSelectors) -> Vec<usize> {
    events()
        .iter()
        .enumerate()
        .filter(|(_, e)| selects(s, &e.facts()))
        .map(|(i, _)| i)
        .collect()
}

#[test]
fn basic_selectors_match_as_aws_documents() {
    let cases: &[(&str, &str, &[usize])] = &[
        ("default", r#"[{}]"#, &[3, 4]),
        (
            "write only management",
            r#"[{"ReadWriteType":"WriteOnly"}]"#,
            &[3],
        ),
        (
            "read only management",
            r#"[{"ReadWriteType":"ReadOnly"}]"#,
            &[4],
        ),
        (
            "kms excluded",
            r#"[{"ExcludeManagementEventSources":["kms.amazonaws.com"]}]"#,
            &[3],
        ),
        (
            "object-level logging of bk1, no management",
            r#"[{"IncludeManagementEvents":false,"DataResources":[{"Type":"AWS::S3::Object","Values":["arn:aws:s3:::bk1/"]}]}]"#,
            &[0, 1, 5, 6],
        ),
        (
            "object-level logging of bk1, write only",
            r#"[{"ReadWriteType":"WriteOnly","IncludeManagementEvents":false,"DataResources":[{"Type":"AWS::S3::Object","Values":["arn:aws:s3:::bk1/"]}]}]"#,
            &[0],
        ),
        (
            "prefix logs/ of bk1",
            r#"[{"IncludeManagementEvents":false,"DataResources":[{"Type":"AWS::S3::Object","Values":["arn:aws:s3:::bk1/logs/"]}]}]"#,
            &[0, 6],
        ),
        (
            "all buckets",
            r#"[{"IncludeManagementEvents":false,"DataResources":[{"Type":"AWS::S3::Object","Values":["arn:aws:s3"]}]}]"#,
            &[0, 1, 2, 5, 6],
        ),
        (
            "management plus bk2 in a second selector",
            r#"[{},{"IncludeManagementEvents":false,"DataResources":[{"Type":"AWS::S3::Object","Values":["arn:aws:s3:::bk2/"]}]}]"#,
            &[2, 3, 4],
        ),
        (
            "lambda data resources take no S3 event",
            r#"[{"IncludeManagementEvents":false,"DataResources":[{"Type":"AWS::Lambda::Function","Values":["arn:aws:lambda"]}]}]"#,
            &[],
        ),
        (
            "bk10 is not bk1",
            r#"[{"IncludeManagementEvents":false,"DataResources":[{"Type":"AWS::S3::Object","Values":["arn:aws:s3:::bk10/"]}]}]"#,
            &[],
        ),
    ];
    for (name, json, want) in cases {
        assert_eq!(taken(&basic(json)), *want, "{name}");
    }
}

#[test]
fn advanced_selectors_match_as_aws_documents() {
    let cases: &[(&str, &str, &[usize])] = &[
        (
            "all management",
            r#"[{"FieldSelectors":[{"Field":"eventCategory","Equals":["Management"]}]}]"#,
            &[3, 4],
        ),
        (
            "management without kms",
            r#"[{"FieldSelectors":[{"Field":"eventCategory","Equals":["Management"]},{"Field":"eventSource","NotEquals":["kms.amazonaws.com"]}]}]"#,
            &[3],
        ),
        (
            "read-only management",
            r#"[{"FieldSelectors":[{"Field":"eventCategory","Equals":["Management"]},{"Field":"readOnly","Equals":["true"]}]}]"#,
            &[4],
        ),
        (
            "all S3 objects",
            r#"[{"FieldSelectors":[{"Field":"eventCategory","Equals":["Data"]},{"Field":"resources.type","Equals":["AWS::S3::Object"]}]}]"#,
            &[0, 1, 2, 5, 6],
        ),
        (
            "objects of bk1 by ARN prefix",
            r#"[{"FieldSelectors":[{"Field":"eventCategory","Equals":["Data"]},{"Field":"resources.type","Equals":["AWS::S3::Object"]},{"Field":"resources.ARN","StartsWith":["arn:aws:s3:::bk1/"]}]}]"#,
            &[0, 1, 5, 6],
        ),
        (
            "PutObject under bk1/logs/ only",
            r#"[{"FieldSelectors":[{"Field":"eventCategory","Equals":["Data"]},{"Field":"resources.type","Equals":["AWS::S3::Object"]},{"Field":"eventName","Equals":["PutObject"]},{"Field":"resources.ARN","StartsWith":["arn:aws:s3:::bk1/logs/"]}]}]"#,
            &[0],
        ),
        (
            "objects except bk1 (negative operator excludes)",
            r#"[{"FieldSelectors":[{"Field":"eventCategory","Equals":["Data"]},{"Field":"resources.type","Equals":["AWS::S3::Object"]},{"Field":"resources.ARN","NotStartsWith":["arn:aws:s3:::bk1/"]}]}]"#,
            &[2],
        ),
        (
            "suffix and exact ARN are OR-ed values, AND-ed operators",
            r#"[{"FieldSelectors":[{"Field":"eventCategory","Equals":["Data"]},{"Field":"resources.type","Equals":["AWS::S3::Object"]},{"Field":"resources.ARN","EndsWith":[".txt","/x"],"NotEquals":["arn:aws:s3:::bk1/data/x"]}]}]"#,
            &[0],
        ),
        (
            "write data events of any bucket, excluding names ending Object? no: NotEndsWith Bucket",
            r#"[{"FieldSelectors":[{"Field":"eventCategory","Equals":["Data"]},{"Field":"resources.type","Equals":["AWS::S3::Object"]},{"Field":"readOnly","Equals":["false"]},{"Field":"eventName","NotEndsWith":["Bucket"]}]}]"#,
            &[0, 2],
        ),
        (
            "OR across selectors",
            r#"[{"FieldSelectors":[{"Field":"eventCategory","Equals":["Management"]},{"Field":"readOnly","Equals":["false"]}]},
                {"FieldSelectors":[{"Field":"eventCategory","Equals":["Data"]},{"Field":"resources.type","Equals":["AWS::S3::Object"]},{"Field":"resources.ARN","StartsWith":["arn:aws:s3:::bk2/"]}]}]"#,
            &[2, 3],
        ),
        (
            "errorCode and userIdentity.arn",
            r#"[{"FieldSelectors":[{"Field":"eventCategory","Equals":["Data"]},{"Field":"resources.type","Equals":["AWS::S3::Object"]},{"Field":"errorCode","Equals":["NoSuchKey"]},{"Field":"userIdentity.arn","StartsWith":["arn:aws:iam::123456789012:user/"]}]}]"#,
            &[6],
        ),
        (
            "eventType and eventSource",
            r#"[{"FieldSelectors":[{"Field":"eventCategory","Equals":["Data"]},{"Field":"resources.type","Equals":["AWS::S3::Object"]},{"Field":"eventType","Equals":["AwsServiceEvent"]}]}]"#,
            &[],
        ),
        (
            "a resource type the events lack",
            r#"[{"FieldSelectors":[{"Field":"eventCategory","Equals":["Data"]},{"Field":"resources.type","Equals":["AWS::DynamoDB::Table"]}]}]"#,
            &[],
        ),
    ];
    for (name, json, want) in cases {
        assert_eq!(taken(&advanced(json)), *want, "{name}");
    }
}

fn basic_err(json: &str) -> String {
    let input: Vec<EventSelectorInput> = serde_json::from_str(json).unwrap();
    let e = validate::basic(&input).unwrap_err();
    assert_eq!(e.code(), "InvalidEventSelectorsException");
    e.message()
}

fn advanced_err(json: &str) -> String {
    let input: Vec<AdvancedEventSelector> = serde_json::from_str(json).unwrap();
    let e = validate::advanced(&input).unwrap_err();
    assert_eq!(e.code(), "InvalidEventSelectorsException");
    e.message()
}

#[test]
fn basic_validation_messages_and_limits() {
    assert!(basic_err("[]").contains("(1 to 5)"));
    assert!(basic_err("[{},{},{},{},{},{}]").contains("(1 to 5)"));
    assert!(basic_err(r#"[{"ReadWriteType":"read-only"}]"#).contains("read-only for ReadWriteType"));
    assert_eq!(
        basic_err(r#"[{"DataResources":[{"Type":"AWS::S3::Bucket","Values":["arn:aws:s3:::bkt/"]}]}]"#),
        "Value AWS::S3::Bucket for DataResources.Type is invalid. Valid values are: AWS::DynamoDB::Table, AWS::Lambda::Function, AWS::S3::Object"
    );
    for bad in [
        "arn:aws:s3:::*/*",
        "arn:aws:s3:::bk1",
        "bk1/",
        "arn:aws:s3:::/",
    ] {
        let json =
            format!(r#"[{{"DataResources":[{{"Type":"AWS::S3::Object","Values":["{bad}"]}}]}}]"#);
        assert_eq!(
            basic_err(&json),
            format!("Value {bad} for DataResources.Values is invalid.")
        );
    }
    assert!(
        basic_err(r#"[{"ExcludeManagementEventSources":["s3.amazonaws.com"]}]"#)
            .contains("ExcludeManagementEventSources")
    );
    let values = |n: usize| -> Vec<EventSelectorInput> {
        vec![EventSelectorInput {
            data_resources: Some(vec![DataResourceInput {
                kind: Some("AWS::S3::Object".into()),
                values: Some(
                    (0..n)
                        .map(|i| format!("arn:aws:s3:::bucket-{i}/"))
                        .chain(["arn:aws:s3".into()])
                        .collect(),
                ),
            }]),
            ..Default::default()
        }]
    };
    assert!(
        validate::basic(&values(250)).is_ok(),
        "250 values plus the all-buckets value"
    );
    assert_eq!(
        validate::basic(&values(251)).unwrap_err().message(),
        "Specify a valid number of DataResources.Values (0 to 250) for all your selectors."
    );
    // Defaults are filled in.
    let TrailSelectors::Basic(b) = basic(r#"[{}]"#) else {
        panic!()
    };
    assert_eq!(b, vec![EventSelector::default_management()]);
}

#[test]
fn advanced_validation_rules() {
    let cat = r#"{"Field":"eventCategory","Equals":["Data"]}"#;
    let typ = r#"{"Field":"resources.type","Equals":["AWS::S3::Object"]}"#;
    let cases: &[(&str, String, &str)] = &[
        ("empty", "[]".into(), "at least one advanced"),
        ("no category", r#"[{"FieldSelectors":[{"Field":"readOnly","Equals":["true"]}]}]"#.into(), "eventCategory is required"),
        ("bad category", r#"[{"FieldSelectors":[{"Field":"eventCategory","Equals":["Nope"]}]}]"#.into(), "eventCategory is invalid"),
        ("category not Equals", r#"[{"FieldSelectors":[{"Field":"eventCategory","StartsWith":["Data"]}]}]"#.into(), "only the Equals"),
        ("data without type", format!(r#"[{{"FieldSelectors":[{cat}]}}]"#), "resources.type is required"),
        ("two types", format!(r#"[{{"FieldSelectors":[{cat},{{"Field":"resources.type","Equals":["A","B"]}}]}}]"#), "exactly one value"),
        ("readOnly value", format!(r#"[{{"FieldSelectors":[{cat},{typ},{{"Field":"readOnly","Equals":["yes"]}}]}}]"#), "true or false"),
        ("unknown field", format!(r#"[{{"FieldSelectors":[{cat},{typ},{{"Field":"bogus","Equals":["x"]}}]}}]"#), "bogus is not supported"),
        ("management eventName", r#"[{"FieldSelectors":[{"Field":"eventCategory","Equals":["Management"]},{"Field":"eventName","Equals":["X"]}]}]"#.into(), "not supported for Management"),
        ("management eventSource Equals", r#"[{"FieldSelectors":[{"Field":"eventCategory","Equals":["Management"]},{"Field":"eventSource","Equals":["kms.amazonaws.com"]}]}]"#.into(), "only NotEquals"),
        ("no operator", format!(r#"[{{"FieldSelectors":[{cat},{typ},{{"Field":"eventName"}}]}}]"#), "at least one operator"),
        ("empty operator", format!(r#"[{{"FieldSelectors":[{cat},{typ},{{"Field":"eventName","Equals":[]}}]}}]"#), "at least one value"),
        ("empty value", format!(r#"[{{"FieldSelectors":[{cat},{typ},{{"Field":"eventName","Equals":[""]}}]}}]"#), "between 1 and 2048"),
        ("duplicate field", format!(r#"[{{"FieldSelectors":[{cat},{typ},{typ}]}}]"#), "more than once"),
        ("network without source", r#"[{"FieldSelectors":[{"Field":"eventCategory","Equals":["NetworkActivity"]}]}]"#.into(), "eventSource is required"),
    ];
    for (name, json, want) in cases {
        let m = advanced_err(json);
        assert!(m.contains(want), "{name}: {m}");
    }
    let many: Vec<String> = (0..499).map(|i| format!("\"e{i}\"")).collect();
    let json = |n: usize| {
        format!(
            r#"[{{"FieldSelectors":[{cat},{typ},{{"Field":"eventName","Equals":[{}]}}]}}]"#,
            many[..n].join(",")
        )
    };
    // eventCategory and resources.type values count too: 2 + 498 = 500.
    assert!(validate::advanced(
        &serde_json::from_str::<Vec<AdvancedEventSelector>>(&json(498)).unwrap()
    )
    .is_ok());
    assert!(advanced_err(&json(499)).contains("limit of 500"));
}

#[test]
fn selectors_round_trip_through_json() {
    for s in [
        basic(
            r#"[{"ReadWriteType":"ReadOnly","DataResources":[{"Type":"AWS::S3::Object","Values":["arn:aws:s3:::bkt/"]}]}]"#,
        ),
        advanced(
            r#"[{"Name":"n","FieldSelectors":[{"Field":"eventCategory","Equals":["Management"]}]}]"#,
        ),
    ] {
        let text = serde_json::to_string(&s).unwrap();
        assert_eq!(serde_json::from_str::<TrailSelectors>(&text).unwrap(), s);
    }
    let wire = serde_json::to_value(EventSelector::default_management()).unwrap();
    assert_eq!(
        wire,
        serde_json::json!({"ReadWriteType":"All","IncludeManagementEvents":true,"DataResources":[],"ExcludeManagementEventSources":[]})
    );
}
