//! LookupEvents over 1,000,000 stored management events (issue 6's target: under 50 ms,
//! median).
//!
//! Fills a fresh store with N events through `model::events::insert_event` in transactions of
//! 50,000: one account and region, 100 event names over S3, KMS and CloudTrail, 50 users each
//! with its access key, 1,000 resource names (buckets, keys, trails; one event in ten names a
//! second resource), spread over 90 days, each with a record of about 1 KB. Then, for each
//! lookup attribute (and none), without and with a time range (7 days, ending 30 days ago),
//! MaxResults 50, times the first page and the page its NextToken leads to, through two paths:
//!
//! - `call`: `CloudTrail::call` with `Op::LookupEvents` parsed by `wire::parse` and the answer
//!   rendered by `wire::render` — everything but HTTP and SigV4, including the call recording
//!   itself into the history (one durable write);
//! - `query`: `model::events::lookup` alone, on a read connection.
//!
//! Each case runs `--iters` times (default 25) with the attribute value rotating over its
//! domain; median and p90 are printed in ms. The store is in the page cache (it was just
//! written), as on a machine that serves LookupEvents.
//!
//! `cargo bench -p trailstack-cloudtrail --bench lookup [-- --events N --iters K]`

use std::sync::Arc;
use std::time::{Duration, Instant};
use time::macros::datetime;
use trailstack_cloudtrail::model::events::{self, Filter, HistoryResource, HistoryRow, Lookup};
use trailstack_cloudtrail::{wire, CloudTrail, CloudTrailError};
use trailstack_core::{
    AccountId, BucketInfo, Caller, FixedClock, KeyService, ObjectFuture, ObjectWriter, Principal,
};
use trailstack_store::{Db, RootKey};

const ACCOUNT: &str = "000000000000";
const REGION: &str = "us-east-1";
const DAY_MS: i64 = 24 * 3600 * 1000;
const USERS: usize = 50;
const RESOURCES: usize = 1000;

/// KMS is not reached by LookupEvents: every call is refused (the trait's defaults).
struct NoKeys;

impl KeyService for NoKeys {}

/// S3 is not reached by LookupEvents: no bucket exists, and writes are refused (the trait's
/// default).
struct NoObjects;

impl ObjectWriter for NoObjects {
    fn bucket_info<'a>(&'a self, _: &'a str) -> ObjectFuture<'a, Option<BucketInfo>> {
        Box::pin(async { Ok(None) })
    }
}

/// (event name, event source, resource type) of the 100 names.
fn names() -> Vec<(String, &'static str, &'static str)> {
    let s3 = [
        "CreateBucket",
        "DeleteBucket",
        "PutBucketPolicy",
        "GetBucketPolicy",
        "DeleteBucketPolicy",
        "PutBucketEncryption",
        "GetBucketEncryption",
        "PutBucketVersioning",
        "GetBucketVersioning",
        "PutBucketTagging",
        "GetBucketTagging",
        "PutBucketAcl",
        "GetBucketAcl",
        "ListBuckets",
        "GetBucketLocation",
        "PutBucketLifecycle",
        "GetBucketLifecycle",
        "PutBucketCors",
        "GetBucketCors",
        "PutBucketNotification",
        "GetBucketNotification",
        "PutBucketLogging",
        "GetBucketLogging",
        "PutPublicAccessBlock",
        "GetPublicAccessBlock",
        "PutBucketOwnershipControls",
        "GetBucketOwnershipControls",
        "PutObjectLockConfiguration",
        "GetObjectLockConfiguration",
        "PutBucketReplication",
        "GetBucketReplication",
        "DeleteBucketTagging",
        "DeleteBucketEncryption",
        "DeleteBucketCors",
        "DeleteBucketLifecycle",
        "PutBucketWebsite",
        "GetBucketWebsite",
        "DeleteBucketWebsite",
        "HeadBucket",
        "GetBucketPolicyStatus",
    ];
    let kms = [
        "CreateKey",
        "DescribeKey",
        "ListKeys",
        "EnableKey",
        "DisableKey",
        "ScheduleKeyDeletion",
        "CancelKeyDeletion",
        "CreateAlias",
        "DeleteAlias",
        "ListAliases",
        "UpdateAlias",
        "PutKeyPolicy",
        "GetKeyPolicy",
        "ListKeyPolicies",
        "CreateGrant",
        "ListGrants",
        "RetireGrant",
        "RevokeGrant",
        "EnableKeyRotation",
        "DisableKeyRotation",
        "GetKeyRotationStatus",
        "TagResource",
        "UntagResource",
        "ListResourceTags",
        "UpdateKeyDescription",
        "Encrypt",
        "Decrypt",
        "GenerateDataKey",
        "GenerateDataKeyWithoutPlaintext",
        "ReEncrypt",
        "Sign",
        "Verify",
        "GetPublicKey",
        "GenerateRandom",
        "GenerateMac",
        "VerifyMac",
        "GenerateDataKeyPair",
        "ListRetirableGrants",
        "RotateKeyOnDemand",
        "ListKeyRotations",
    ];
    let ct = [
        "CreateTrail",
        "UpdateTrail",
        "DeleteTrail",
        "GetTrail",
        "DescribeTrails",
        "ListTrails",
        "GetTrailStatus",
        "StartLogging",
        "StopLogging",
        "PutEventSelectors",
        "GetEventSelectors",
        "PutInsightSelectors",
        "GetInsightSelectors",
        "AddTags",
        "RemoveTags",
        "ListTags",
        "LookupEvents",
        "ListPublicKeys",
        "GetEventDataStore",
        "ListEventDataStores",
    ];
    let mut out = Vec::new();
    out.extend(
        s3.iter()
            .map(|n| (n.to_string(), "s3.amazonaws.com", "AWS::S3::Bucket")),
    );
    out.extend(
        kms.iter()
            .map(|n| (n.to_string(), "kms.amazonaws.com", "AWS::KMS::Key")),
    );
    out.extend(ct.iter().map(|n| {
        (
            n.to_string(),
            "cloudtrail.amazonaws.com",
            "AWS::CloudTrail::Trail",
        )
    }));
    assert_eq!(out.len(), 100);
    out
}

fn read_only(name: &str) -> bool {
    ["Get", "List", "Describe", "Lookup", "Head"]
        .iter()
        .any(|p| name.starts_with(p))
}

fn user(u: usize) -> String {
    format!("user-{u:02}")
}

fn access_key(u: usize) -> String {
    format!("AKIA{:016}", 4_000_000_000u64 + u as u64)
}

fn resource_name(kind: &str, r: usize) -> String {
    match kind {
        "AWS::S3::Bucket" => format!("bucket-{r:04}"),
        "AWS::KMS::Key" => {
            format!("arn:aws:kms:{REGION}:{ACCOUNT}:key/0b0b1e6a-0c3e-4a53-9d3a-{r:012}")
        }
        _ => format!("arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/trail-{r:04}"),
    }
}

fn event_id(i: usize) -> String {
    format!("6f2c{:04x}-1d3e-4b5a-9c7d-{:012x}", i % 0xffff, i)
}

/// A cheap deterministic mix of `i`.
fn mix(i: usize, salt: u64) -> usize {
    let mut x = (i as u64)
        .wrapping_add(salt)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x ^= x >> 31;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    (x ^ (x >> 29)) as usize
}

/// The `i`-th event of `n`, at a time increasing with `i` over the 90 days before `now_ms`.
fn event(i: usize, n: usize, now_ms: i64, names: &[(String, &str, &str)]) -> HistoryRow {
    let span = 90 * DAY_MS - 60_000;
    let t = now_ms - span + (span as i128 * i as i128 / n as i128) as i64;
    let (name, source, rtype) = &names[mix(i, 1) % names.len()];
    let u = mix(i, 2) % USERS;
    let r = mix(i, 3) % RESOURCES;
    let mut resources = vec![HistoryResource {
        resource_type: rtype.to_string(),
        resource_name: resource_name(rtype, r),
    }];
    if i.is_multiple_of(10) {
        resources.push(HistoryResource {
            resource_type: rtype.to_string(),
            resource_name: resource_name(rtype, (r + 1) % RESOURCES),
        });
    }
    let time = time::OffsetDateTime::from_unix_timestamp_nanos(t as i128 * 1_000_000)
        .map(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default()
        })
        .unwrap_or_default();
    let record = format!(
        r#"{{"eventVersion":"1.11","userIdentity":{{"type":"IAMUser","principalId":"AIDA{u:016}","arn":"arn:aws:iam::{ACCOUNT}:user/{user}","accountId":"{ACCOUNT}","accessKeyId":"{key}","userName":"{user}"}},"eventTime":"{time}","eventSource":"{source}","eventName":"{name}","awsRegion":"{REGION}","sourceIPAddress":"127.0.0.1","userAgent":"aws-cli/2.17.0 md/awscrt#0.20.11 ua/2.0 os/linux#6.8 md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 command/{name}","requestParameters":{{"name":"{res}"}},"responseElements":null,"requestID":"{i:016X}","eventID":"{id}","readOnly":{ro},"resources":[{{"accountId":"{ACCOUNT}","type":"{rtype}","ARN":"{res}"}}],"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"{ACCOUNT}","eventCategory":"Management","tlsDetails":{{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"127.0.0.1:4566"}}}}"#,
        user = user(u),
        key = access_key(u),
        res = resources[0].resource_name,
        id = event_id(i),
        ro = read_only(name),
    );
    HistoryRow {
        account: ACCOUNT.into(),
        region: REGION.into(),
        event_time_ms: t,
        event_id: event_id(i),
        event_name: name.clone(),
        read_only: read_only(name),
        username: Some(user(u)),
        access_key_id: Some(access_key(u)),
        event_source: source.to_string(),
        resources,
        record_json: record,
    }
}

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|t| t.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// The attribute of a case, and its value at iteration `k` (rotating over the domain).
#[derive(Clone, Copy)]
enum Kind {
    None,
    EventName,
    Username,
    ResourceName,
    ResourceType,
    EventSource,
    ReadOnly,
    AccessKeyId,
    EventId,
}

const KINDS: [Kind; 9] = [
    Kind::None,
    Kind::EventName,
    Kind::Username,
    Kind::ResourceName,
    Kind::ResourceType,
    Kind::EventSource,
    Kind::ReadOnly,
    Kind::AccessKeyId,
    Kind::EventId,
];

impl Kind {
    fn key(self) -> &'static str {
        match self {
            Kind::None => "(none)",
            Kind::EventName => "EventName",
            Kind::Username => "Username",
            Kind::ResourceName => "ResourceName",
            Kind::ResourceType => "ResourceType",
            Kind::EventSource => "EventSource",
            Kind::ReadOnly => "ReadOnly",
            Kind::AccessKeyId => "AccessKeyId",
            Kind::EventId => "EventId",
        }
    }

    /// The value at iteration `k`; `event_in_range` picks an event id inside the range.
    fn value(self, k: usize, names: &[(String, &str, &str)], event_in_range: usize) -> String {
        let types = ["AWS::S3::Bucket", "AWS::KMS::Key", "AWS::CloudTrail::Trail"];
        let sources = [
            "s3.amazonaws.com",
            "kms.amazonaws.com",
            "cloudtrail.amazonaws.com",
        ];
        match self {
            Kind::None => String::new(),
            Kind::EventName => names[mix(k, 7) % names.len()].0.clone(),
            Kind::Username => user(k % USERS),
            Kind::ResourceName => resource_name(types[k % 3], mix(k, 8) % RESOURCES),
            Kind::ResourceType => types[k % 3].into(),
            Kind::EventSource => sources[k % 3].into(),
            Kind::ReadOnly => k.is_multiple_of(2).to_string(),
            Kind::AccessKeyId => access_key(k % USERS),
            Kind::EventId => event_id(event_in_range),
        }
    }

    fn filter(self, v: String) -> Filter {
        match self {
            Kind::None => Filter::None,
            Kind::EventName => Filter::EventName(v),
            Kind::Username => Filter::Username(v),
            Kind::ResourceName => Filter::ResourceName(v),
            Kind::ResourceType => Filter::ResourceType(v),
            Kind::EventSource => Filter::EventSource(v),
            Kind::ReadOnly => Filter::ReadOnly(v == "true"),
            Kind::AccessKeyId => Filter::AccessKeyId(v),
            Kind::EventId => Filter::EventId(v),
        }
    }
}

fn quantiles(v: &mut [Duration]) -> (f64, f64) {
    v.sort();
    let at = |q: f64| {
        let rank = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
        v[rank - 1].as_secs_f64() * 1e3
    };
    (at(0.5), at(0.9))
}

fn caller() -> Caller {
    let account = AccountId::parse(ACCOUNT).unwrap_or_else(|e| panic!("account: {e}"));
    // The account root, as with the default `test` key: no identity policy needed.
    Caller {
        access_key: Some("AKIABENCH".into()),
        user_agent: "trailstack-lookup-bench".into(),
        secure_transport: true,
        ..Caller::new(account, Principal::Root, REGION, "bench-request".into())
    }
}

/// One LookupEvents call as a client makes it (JSON body parsed, handled, answer rendered):
/// the answer and how long it took.
async fn timed_lookup(
    ct: &CloudTrail,
    caller: &Caller,
    body: &serde_json::Value,
) -> Result<(Vec<u8>, Duration), String> {
    let t = Instant::now();
    let op = wire::parse("LookupEvents", body.to_string().as_bytes()).map_err(|e| e.to_string())?;
    let out = ct.call(caller, op).await.map_err(|e| e.to_string())?;
    let answer = wire::render(&out);
    Ok((answer, t.elapsed()))
}

async fn bench() -> Result<(), String> {
    let n = arg("--events", 1_000_000);
    let iters = arg("--iters", 25);
    let dir = tempfile::Builder::new()
        .prefix("trailstack-lookup-bench-")
        .tempdir()
        .map_err(|e| e.to_string())?;
    let db = Arc::new(
        Db::open(
            &dir.path().join("meta.sqlite"),
            trailstack_cloudtrail::model::MIGRATIONS,
        )
        .map_err(|e| e.to_string())?,
    );
    let now = datetime!(2026-11-28 12:00 UTC);
    let now_ms = (now.unix_timestamp_nanos() / 1_000_000) as i64;
    let names = Arc::new(names());
    println!(
        "LookupEvents over {n} management events (one account and region, 100 event names, \
         {USERS} users, {RESOURCES} resource names, 90 days); load average at start {}",
        load()
    );
    let t0 = Instant::now();
    let batch = 50_000;
    let mut size = 0usize;
    for start in (0..n).step_by(batch) {
        let names = names.clone();
        let end = (start + batch).min(n);
        size += db
            .write(move |c| {
                let mut bytes = 0;
                for i in start..end {
                    let e = event(i, n, now_ms, &names);
                    bytes += e.record_json.len();
                    events::insert_event(c, &e)?;
                }
                Ok::<_, CloudTrailError>(bytes)
            })
            .await
            .map_err(|e| e.to_string())?;
    }
    let fill = t0.elapsed();
    let file = std::fs::metadata(dir.path().join("meta.sqlite"))
        .map(|m| m.len())
        .unwrap_or(0);
    println!(
        "filled in {:.1} s ({:.0} events/s), records {:.0} B on average, store {:.0} MB; \
         load average {}",
        fill.as_secs_f64(),
        n as f64 / fill.as_secs_f64(),
        size as f64 / n as f64,
        file as f64 / 1e6,
        load()
    );
    let clock = Arc::new(FixedClock::new(now));
    let ct = CloudTrail::new(
        db.clone(),
        clock,
        REGION,
        Arc::new(NoKeys),
        Arc::new(NoObjects),
        Arc::new(RootKey::from_bytes(&[7u8; 32]).map_err(|e| e.to_string())?),
    );
    let caller = caller();
    // The range: 7 days ending 30 days before now.
    let range_end = now_ms - 30 * DAY_MS;
    let range_start = range_end - 7 * DAY_MS;
    let span = 90 * DAY_MS - 60_000;
    let index_at = |t: i64| ((t - (now_ms - span)) as i128 * n as i128 / span as i128) as usize;
    let (first_in, last_in) = (index_at(range_start) + 1, index_at(range_end) - 1);
    println!(
        "\n| attribute | time range | path | page 1 median ms | page 1 p90 ms | page 2 median ms | page 2 p90 ms | events on page 1 |"
    );
    println!("|---|---|---|--:|--:|--:|--:|--:|");
    for kind in KINDS {
        for ranged in [false, true] {
            let mut call = (Vec::new(), Vec::new());
            let mut query = (Vec::new(), Vec::new());
            let mut found = Vec::new();
            for k in 0..iters {
                let pick = if ranged {
                    first_in + mix(k, 9) % (last_in - first_in)
                } else {
                    mix(k, 9) % n
                };
                let v = kind.value(k, &names, pick);
                // Through the handler.
                let mut body = serde_json::json!({ "MaxResults": 50 });
                if !matches!(kind, Kind::None) {
                    body["LookupAttributes"] =
                        serde_json::json!([{ "AttributeKey": kind.key(), "AttributeValue": v }]);
                }
                if ranged {
                    body["StartTime"] = serde_json::json!(range_start / 1000);
                    body["EndTime"] = serde_json::json!(range_end / 1000);
                }
                let (page1, took) = timed_lookup(&ct, &caller, &body).await?;
                call.0.push(took);
                let answer: serde_json::Value =
                    serde_json::from_slice(&page1).map_err(|e| e.to_string())?;
                found.push(answer["Events"].as_array().map_or(0, Vec::len));
                if let Some(token) = answer["NextToken"].as_str() {
                    body["NextToken"] = serde_json::json!(token);
                    call.1.push(timed_lookup(&ct, &caller, &body).await?.1);
                }
                // The query alone.
                let mut q = Lookup {
                    account: ACCOUNT.into(),
                    region: REGION.into(),
                    filter: kind.filter(v),
                    start_ms: if ranged {
                        range_start
                    } else {
                        now_ms - events::RETENTION_MS
                    },
                    end_ms: if ranged { range_end } else { now_ms },
                    after: None,
                    limit: 50,
                };
                let t = Instant::now();
                let (rows, more) = db
                    .read(|c| Ok::<_, CloudTrailError>(events::lookup(c, &q)?))
                    .map_err(|e| e.to_string())?;
                query.0.push(t.elapsed());
                if let (true, Some(last)) = (more, rows.last()) {
                    q.after = Some((last.event_time_ms, last.seq));
                    let t = Instant::now();
                    db.read(|c| Ok::<_, CloudTrailError>(events::lookup(c, &q)?))
                        .map_err(|e| e.to_string())?;
                    query.1.push(t.elapsed());
                }
            }
            found.sort();
            let shown = found[found.len() / 2];
            let range = if ranged { "7 days" } else { "none (90 days)" };
            for (path, (mut p1, mut p2)) in [("call", call), ("query", query)] {
                let (a, b) = quantiles(&mut p1);
                let page2 = if p2.is_empty() {
                    "— | —".to_string()
                } else {
                    let (c, d) = quantiles(&mut p2);
                    format!("{c:.2} | {d:.2}")
                };
                println!(
                    "| {} | {range} | {path} | {a:.2} | {b:.2} | {page2} | {shown} |",
                    kind.key()
                );
            }
        }
    }
    println!(
        "\n{iters} iterations per case; load average at end {}",
        load()
    );
    Ok(())
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("runtime: {e}"));
    if let Err(e) = rt.block_on(bench()) {
        eprintln!("lookup bench: {e}");
        std::process::exit(1);
    }
}
