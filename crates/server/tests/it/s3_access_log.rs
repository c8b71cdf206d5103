//! S3 server access logging through the real SDK: Put/GetBucketLogging and the checks S3
//! makes of the target, records of requests (errors included) in AWS's format delivered into
//! the target bucket under AWS's key names, SSE-S3 whatever the request, and partitioned keys.
//! Delivery that waits, survives a restart or is flushed is in `s3_access_log_delivery`.

use crate::common::{
    assert_fails, assert_outcome, code, get_bytes, get_err, group_grantee, head_of, ok, ownership,
    put_policy, put_req, Server,
};
use aws_sdk_s3::operation::RequestId;
use aws_sdk_s3::types::{
    BucketCannedAcl, BucketLoggingStatus, LoggingEnabled, ObjectOwnership, PartitionDateSource,
    PartitionedPrefix, ServerSideEncryption, TargetObjectKeyFormat,
};
use std::sync::Arc;
use trailstack_core::{Clock, FixedClock};

/// Now, in whole seconds: the clock tests step (requests are signed with the real time).
pub fn t0() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap()
}

/// `YYYY-mm-DD-HH-MM-SS`, as log object keys carry times.
pub fn stamp(t: time::OffsetDateTime) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]-[hour]-[minute]-[second]");
    t.format(&format).unwrap()
}

pub(crate) fn logging(target: &str, prefix: &str) -> LoggingEnabled {
    LoggingEnabled::builder()
        .target_bucket(target)
        .target_prefix(prefix)
        .build()
        .unwrap()
}

pub(crate) fn status_of(enabled: Option<LoggingEnabled>) -> BucketLoggingStatus {
    BucketLoggingStatus::builder()
        .set_logging_enabled(enabled)
        .build()
}

/// The bucket policy AWS documents for server access log delivery into `target` from
/// `source` (same account, 000000000000).
pub(crate) fn log_policy(target: &str, source: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"S3ServerAccessLogsPolicy","Effect":"Allow",
        "Principal":{{"Service":"logging.s3.amazonaws.com"}},"Action":"s3:PutObject",
        "Resource":"arn:aws:s3:::{target}/*",
        "Condition":{{"ArnLike":{{"aws:SourceArn":"arn:aws:s3:::{source}"}},
        "StringEquals":{{"aws:SourceAccount":"000000000000"}}}}}}]}}"#
    )
}

/// A server on a stepped clock with `src` logged into `logs` under `prefix`.
pub(crate) async fn logged(
    prefix: &str,
    format: Option<TargetObjectKeyFormat>,
) -> (Server, Arc<FixedClock>) {
    let clock = Arc::new(FixedClock::new(t0()));
    let s = Server::start_clocked(tempfile::tempdir().unwrap(), clock.clone(), |_| {}).await;
    let c = s.with_bucket("src").await;
    c.create_bucket().bucket("logs").send().await.unwrap();
    put_policy(&c, "logs", log_policy("logs", "src")).await;
    let mut enabled = logging("logs", prefix);
    enabled.target_object_key_format = format;
    ok!(c
        .put_bucket_logging()
        .bucket("src")
        .bucket_logging_status(status_of(Some(enabled))));
    (s, clock)
}

/// `trailstack explain target`, through the signed admin operation.
pub async fn explain(
    s: &Server,
    clock: &FixedClock,
    target: &str,
) -> trailstack_server::explain::Explanation {
    let target = trailstack_server::explain::Target::parse(target).unwrap();
    let (endpoint, now) = (s.endpoint.clone(), clock.now());
    let credentials = trailstack_server::admin_client::Credentials {
        access_key: "test".into(),
        secret_key: "test".into(),
        region: "us-east-1".into(),
        session_token: None,
    };
    tokio::task::spawn_blocking(move || {
        trailstack_server::explain::client::explain(&endpoint, &credentials, &target, now)
    })
    .await
    .unwrap()
    .unwrap()
}

/// Keys of `bucket`, in order.
pub async fn keys(c: &aws_sdk_s3::Client, bucket: &str) -> Vec<String> {
    ok!(c.list_objects_v2().bucket(bucket))
        .contents()
        .iter()
        .filter_map(|o| o.key().map(str::to_string))
        .collect()
}

/// Splits a record line as AWS's format defines it: fields separated by spaces, `[time]` and
/// `"quoted"` fields (with `\"` escapes) kept whole.
pub fn fields(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = line.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c == ' ' {
            chars.next();
            continue;
        }
        let mut f = String::new();
        match c {
            '[' => {
                chars.next();
                for c in chars.by_ref() {
                    if c == ']' {
                        break;
                    }
                    f.push(c);
                }
            }
            '"' => {
                chars.next();
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => f.extend(chars.next()),
                        '"' => break,
                        c => f.push(c),
                    }
                }
            }
            _ => {
                while let Some(&c) = chars.peek() {
                    if c == ' ' {
                        break;
                    }
                    f.push(c);
                    chars.next();
                }
            }
        }
        out.push(f);
    }
    out
}

/// The records of every log object in `logs`, as fields.
pub(crate) async fn records(c: &aws_sdk_s3::Client) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for k in keys(c, "logs").await {
        let body = get_bytes(c, "logs", &k).await;
        for line in String::from_utf8(body).unwrap().lines() {
            let f = fields(line);
            assert_eq!(f.len(), 26, "{line}");
            out.push(f);
        }
    }
    out
}

#[tokio::test]
async fn put_and_get_bucket_logging_round_trip_and_check_the_target() {
    let (_s, c) = Server::start_with_bucket("al-src").await;
    c.create_bucket().bucket("al-logs").send().await.unwrap();
    let got = ok!(c.get_bucket_logging().bucket("al-src"));
    assert!(got.logging_enabled().is_none());

    assert_outcome!(
        c.put_bucket_logging()
            .bucket("al-src")
            .bucket_logging_status(status_of(Some(logging("al-nowhere", "p/")))),
        "InvalidTargetBucketForLogging 400"
    );
    assert_fails!(
        c.put_bucket_logging()
            .bucket("al-missing")
            .bucket_logging_status(status_of(Some(logging("al-logs", "p/")))),
        "NoSuchBucket"
    );

    // TargetGrants need the target's ACLs (new buckets are BucketOwnerEnforced).
    let mut with_grants = logging("al-logs", "p/");
    with_grants.target_grants = Some(vec![aws_sdk_s3::types::TargetGrant::builder()
        .grantee(group_grantee(
            "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
        ))
        .permission(aws_sdk_s3::types::BucketLogsPermission::Read)
        .build()]);
    assert_fails!(
        c.put_bucket_logging()
            .bucket("al-src")
            .bucket_logging_status(status_of(Some(with_grants.clone()))),
        "AccessControlListNotSupported"
    );

    // With ACLs enabled, the log delivery group must be able to write (or a policy exist).
    ok!(c
        .put_bucket_ownership_controls()
        .bucket("al-logs")
        .ownership_controls(ownership(ObjectOwnership::BucketOwnerPreferred),));
    assert_fails!(
        c.put_bucket_logging()
            .bucket("al-src")
            .bucket_logging_status(status_of(Some(with_grants.clone()))),
        "InvalidTargetBucketForLogging"
    );
    ok!(c
        .put_bucket_acl()
        .bucket("al-logs")
        .acl(BucketCannedAcl::from("log-delivery-write")));
    ok!(c
        .put_bucket_logging()
        .bucket("al-src")
        .bucket_logging_status(status_of(Some(with_grants))));
    let got = ok!(c.get_bucket_logging().bucket("al-src"));
    let le = got.logging_enabled().unwrap();
    assert_eq!((le.target_bucket(), le.target_prefix()), ("al-logs", "p/"));
    assert_eq!(
        le.target_grants()[0].permission(),
        Some(&aws_sdk_s3::types::BucketLogsPermission::Read)
    );
    assert!(le
        .target_object_key_format()
        .unwrap()
        .simple_prefix()
        .is_some());

    let mut partitioned = logging("al-logs", "q/");
    partitioned.target_object_key_format = Some(
        TargetObjectKeyFormat::builder()
            .partitioned_prefix(
                PartitionedPrefix::builder()
                    .partition_date_source(PartitionDateSource::EventTime)
                    .build(),
            )
            .build(),
    );
    ok!(c
        .put_bucket_logging()
        .bucket("al-src")
        .bucket_logging_status(status_of(Some(partitioned))));
    let got = ok!(c.get_bucket_logging().bucket("al-src"));
    let format = got
        .logging_enabled()
        .unwrap()
        .target_object_key_format()
        .unwrap();
    assert_eq!(
        format.partitioned_prefix().unwrap().partition_date_source(),
        Some(&PartitionDateSource::EventTime)
    );

    // An empty BucketLoggingStatus disables logging.
    ok!(c
        .put_bucket_logging()
        .bucket("al-src")
        .bucket_logging_status(status_of(None)));
    let got = ok!(c.get_bucket_logging().bucket("al-src"));
    assert!(got.logging_enabled().is_none());
}

#[tokio::test]
async fn records_of_requests_arrive_in_aws_format_under_simple_keys_as_sse_s3() {
    let (s, clock) = logged("log/", None).await;
    let c = s.s3();
    let put = ok!(put_req(&c, "src", "dir/a b.txt", b"hello world"));
    let got = get_bytes(&c, "src", "dir/a b.txt").await;
    assert_eq!(got, b"hello world");
    let e = get_err(&c, "src", "missing").await;
    assert_eq!(code(&e), "NoSuchKey");
    c.list_objects_v2().bucket("src").send().await.unwrap();
    // Requests on other buckets are not in this log.
    c.list_objects_v2().bucket("logs").send().await.unwrap();

    let made = clock.now();
    clock.advance(time::Duration::minutes(5));
    let out = s.app.access_logs.tick(clock.now()).await.unwrap();
    assert_eq!((out.objects, out.failures), (1, 0));
    let ks = keys(&c, "logs").await;
    assert_eq!(ks.len(), 1);
    let key = &ks[0];
    let prefix = format!("log/{}-", stamp(clock.now()));
    assert!(key.starts_with(&prefix), "{key}");
    assert_eq!(key.len(), prefix.len() + 16, "{key}");
    assert!(
        key[prefix.len()..].chars().all(|c| c.is_ascii_hexdigit()),
        "{key}"
    );
    let head = head_of(&c, "logs", key).await;
    assert_eq!(
        head.server_side_encryption(),
        Some(&ServerSideEncryption::Aes256)
    );

    let recs = records(&c).await;
    let ops: Vec<(&str, &str, &str)> = recs
        .iter()
        .map(|f| (f[6].as_str(), f[7].as_str(), f[9].as_str()))
        .collect();
    assert_eq!(
        ops,
        [
            ("REST.PUT.LOGGING_STATUS", "-", "200"),
            ("REST.PUT.OBJECT", "dir/a%20b.txt", "200"),
            ("REST.GET.OBJECT", "dir/a%20b.txt", "200"),
            ("REST.GET.OBJECT", "missing", "404"),
            ("REST.GET.BUCKET", "-", "200"),
        ]
    );
    let owner = trailstack_server::config::canonical_id_for("000000000000");
    // The request that enabled logging is the first one logged.
    for f in &recs {
        assert_eq!(f[0], owner);
        assert_eq!(f[1], "src");
        assert_eq!(f[2], trailstack_s3::logging::record::log_time(made));
        assert_eq!(f[3], "127.0.0.1");
        assert_eq!(f[4], "arn:aws:iam::000000000000:root");
        assert_eq!(f[16].split('/').next(), Some("aws-sdk-rust"));
        assert_eq!(
            (f[19].as_str(), f[20].as_str(), f[21].as_str()),
            ("SigV4", "-", "AuthHeader")
        );
        assert_eq!(
            (f[23].as_str(), f[24].as_str(), f[25].as_str()),
            ("-", "-", "-")
        );
    }
    let put_id = put.request_id().unwrap().to_string();
    let (put, get, missing) = (&recs[1], &recs[2], &recs[3]);
    assert_eq!(put[5], put_id);
    assert!(put[8].starts_with("PUT /src/dir/a%20b.txt"), "{}", put[8]);
    assert!(put[8].ends_with(" HTTP/1.1"), "{}", put[8]);
    assert_eq!((put[10].as_str(), put[12].as_str()), ("-", "11"));
    assert_eq!((get[11].as_str(), get[12].as_str()), ("11", "11"));
    assert_eq!(missing[10], "NoSuchKey");
    assert_ne!(missing[11], "-");
    assert_ne!(put[5], get[5]);

    // Delivered records are gone: the next round writes nothing.
    let out = s.app.access_logs.tick(clock.now()).await.unwrap();
    assert_eq!(out.objects, 0);
}

#[tokio::test]
async fn partitioned_keys_name_account_region_bucket_and_the_event_day() {
    let format = TargetObjectKeyFormat::builder()
        .partitioned_prefix(
            PartitionedPrefix::builder()
                .partition_date_source(PartitionDateSource::EventTime)
                .build(),
        )
        .build();
    let (s, clock) = logged("p/", Some(format)).await;
    let c = s.s3();
    c.head_bucket().bucket("src").send().await.unwrap();
    // Delivered the next day: the partition is the day of the events.
    let events = clock.now();
    let delivery = events + time::Duration::days(1);
    s.app.access_logs.tick(delivery).await.unwrap();
    let ks = keys(&c, "logs").await;
    assert_eq!(ks.len(), 1);
    let expected = format!(
        "p/000000000000/us-east-1/src/{:04}/{:02}/{:02}/{}-",
        events.year(),
        u8::from(events.month()),
        events.day(),
        stamp(delivery)
    );
    assert!(ks[0].starts_with(&expected), "{} {expected}", ks[0]);
    let recs = records(&c).await;
    assert_eq!(recs.len(), 2);
    assert_eq!(
        (recs[1][6].as_str(), recs[1][11].as_str()),
        ("REST.HEAD.BUCKET", "-")
    );
}
