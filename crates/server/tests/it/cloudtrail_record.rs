//! The recorder seen from the outside: object-level logging is a trail whose selectors name S3
//! objects, and it takes exactly what they name; S3's internal KMS calls are recorded as AWS
//! records them; failed calls carry their error; LookupEvents serves management events only.
//! Request ids, kill -9 and boto3 are in `cloudtrail_record_durability`.

use crate::common::*;
use aws_sdk_cloudtrail::types::{
    AdvancedEventSelector, AdvancedFieldSelector, EventSelector, LookupAttributeKey, ReadWriteType,
};
use aws_sdk_s3::operation::RequestId;
use aws_sdk_s3::types::ServerSideEncryption;
use serde_json::{json, Value};

/// The log bucket every trail here delivers to.
pub const LOGS: &str = "ct-rec-logs";

/// Creates the log bucket and a logging trail `name` with basic `selector`.
pub async fn data_trail(s: &Server, name: &str, selector: EventSelector) {
    trail_bucket(s, LOGS, &[name]).await;
    let ct = s.cloudtrail();
    ok!(ct.create_trail().name(name).s3_bucket_name(LOGS));
    ok!(ct
        .put_event_selectors()
        .trail_name(name)
        .event_selectors(selector));
    ct.start_logging().name(name).send().await.unwrap();
}

pub async fn put(c: &aws_sdk_s3::Client, bucket: &str, key: &str) -> String {
    ok!(put_req(c, bucket, key, b"hello"))
        .request_id()
        .unwrap()
        .to_string()
}

pub async fn get(c: &aws_sdk_s3::Client, bucket: &str, key: &str) -> String {
    get_out(c, bucket, key)
        .await
        .request_id()
        .unwrap()
        .to_string()
}

/// `(eventName, first resource ARN)` of each record.
pub fn names_and_arns(records: &[Value]) -> Vec<(String, String)> {
    records
        .iter()
        .map(|r| {
            (
                r["eventName"].as_str().unwrap().to_string(),
                r["resources"][0]["ARN"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn object_level_logging_takes_the_buckets_object_calls_and_nothing_else() {
    let s = Server::start().await;
    let selector = object_logging("ct-rec-data", ReadWriteType::All);
    data_trail(&s, "objects", selector).await;
    let c = s.with_bucket("ct-rec-data").await;
    s.with_bucket("ct-rec-other").await;
    let put_id = put(&c, "ct-rec-data", "k").await;
    let get_id = get(&c, "ct-rec-data", "k").await;
    put(&c, "ct-rec-other", "k").await;
    get(&c, "ct-rec-other", "k").await;
    c.list_buckets().send().await.unwrap();
    s.kms().create_key().send().await.unwrap();

    let records = outbox(&s, "objects");
    assert_eq!(
        names_and_arns(&records),
        owned_pairs(&[
            ("PutObject", "arn:aws:s3:::ct-rec-data/k"),
            ("GetObject", "arn:aws:s3:::ct-rec-data/k"),
        ])
    );
    let (p, g) = (&records[0], &records[1]);
    assert_eq!(p["requestID"], put_id.as_str());
    assert_eq!(g["requestID"], get_id.as_str());
    assert_eq!(p["eventCategory"], "Data");
    assert_eq!(p["managementEvent"], false);
    assert_eq!(p["readOnly"], false);
    assert_eq!(g["readOnly"], true);
    assert_eq!(p["eventSource"], "s3.amazonaws.com");
    assert_eq!(p["requestParameters"]["bucketName"], "ct-rec-data");
    assert_eq!(p["requestParameters"]["key"], "k");
    assert_eq!(p["userIdentity"]["type"], "Root");
    assert_eq!(p["recipientAccountId"], ACCOUNT);
}

#[tokio::test]
async fn write_only_object_logging_drops_reads() {
    let s = Server::start().await;
    let selector = object_logging("ct-rec-data", ReadWriteType::WriteOnly);
    data_trail(&s, "writes", selector).await;
    let c = s.with_bucket("ct-rec-data").await;
    put(&c, "ct-rec-data", "k").await;
    get(&c, "ct-rec-data", "k").await;
    head_of(&c, "ct-rec-data", "k").await;
    delete_key(&c, "ct-rec-data", "k").await;
    assert_eq!(
        names_and_arns(&outbox(&s, "writes")),
        owned_pairs(&[
            ("PutObject", "arn:aws:s3:::ct-rec-data/k"),
            ("DeleteObject", "arn:aws:s3:::ct-rec-data/k"),
        ])
    );
}

#[tokio::test]
async fn an_advanced_selector_takes_exactly_what_it_names() {
    let s = Server::start().await;
    trail_bucket(&s, LOGS, &["puts"]).await;
    let ct = s.cloudtrail();
    ok!(ct.create_trail().name("puts").s3_bucket_name(LOGS));
    let field = |f: &str| AdvancedFieldSelector::builder().field(f);
    let selector = AdvancedEventSelector::builder()
        .name("log puts")
        .field_selectors(field("eventCategory").equals("Data").build().unwrap())
        .field_selectors(
            field("resources.type")
                .equals("AWS::S3::Object")
                .build()
                .unwrap(),
        )
        .field_selectors(field("eventName").equals("PutObject").build().unwrap())
        .field_selectors(
            field("resources.ARN")
                .starts_with("arn:aws:s3:::ct-rec-data/logs/")
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    ok!(ct
        .put_event_selectors()
        .trail_name("puts")
        .advanced_event_selectors(selector));
    ct.start_logging().name("puts").send().await.unwrap();

    let c = s.with_bucket("ct-rec-data").await;
    put(&c, "ct-rec-data", "logs/a").await;
    put(&c, "ct-rec-data", "other/b").await;
    get(&c, "ct-rec-data", "logs/a").await;
    s.with_bucket("ct-rec-data-logs").await;
    put(&c, "ct-rec-data-logs", "logs/c").await;
    put(&c, "ct-rec-data", "logs/d/e").await;
    assert_eq!(
        names_and_arns(&outbox(&s, "puts")),
        owned_pairs(&[
            ("PutObject", "arn:aws:s3:::ct-rec-data/logs/a"),
            ("PutObject", "arn:aws:s3:::ct-rec-data/logs/d/e"),
        ])
    );
}

#[tokio::test]
async fn an_sse_kms_put_records_the_generate_data_key_s3_made() {
    let (s, c) = Server::start_with_bucket("ct-rec-sse").await;
    let key = ok!(s.kms().create_key()).key_metadata.unwrap();
    let key_arn = key.arn().unwrap().to_string();
    let out = ok!(put_req(&c, "ct-rec-sse", "secret.txt", b"hello")
        .server_side_encryption(ServerSideEncryption::AwsKms)
        .ssekms_key_id(key.key_id()));
    let put_id = out.request_id().unwrap().to_string();

    let gdk = lookup(&s, LookupAttributeKey::EventName, "GenerateDataKey").await;
    assert_eq!(gdk.len(), 1, "{gdk:?}");
    let r = &gdk[0];
    assert_eq!(r["eventSource"], "kms.amazonaws.com");
    assert_eq!(r["userIdentity"]["invokedBy"], "s3.amazonaws.com");
    assert_eq!(r["userIdentity"]["type"], "Root");
    assert_eq!(r["sourceIPAddress"], "s3.amazonaws.com");
    assert_eq!(r["userAgent"], "s3.amazonaws.com");
    assert_eq!(
        r["requestParameters"]["encryptionContext"],
        json!({"aws:s3:arn": "arn:aws:s3:::ct-rec-sse/secret.txt"})
    );
    assert_eq!(r["requestParameters"]["keySpec"], "AES_256");
    assert_eq!(r["responseElements"], Value::Null);
    assert_eq!(r["readOnly"], true);
    assert_eq!(r["managementEvent"], true);
    assert_eq!(r["eventCategory"], "Management");
    assert_eq!(
        r["resources"],
        json!([{"accountId": ACCOUNT, "type": "AWS::KMS::Key", "ARN": key_arn}])
    );
    // The internal call belongs to the S3 request the client made.
    assert_eq!(r["requestID"], put_id.as_str());
    let by_key = lookup(&s, LookupAttributeKey::ResourceName, &key_arn).await;
    let names: Vec<_> = by_key.iter().map(|r| r["eventName"].clone()).collect();
    assert_eq!(names, [json!("GenerateDataKey"), json!("CreateKey")]);
}

#[tokio::test]
async fn failed_calls_are_recorded_with_their_error() {
    let s = Server::start().await;
    let selector = object_logging("ct-rec-data", ReadWriteType::All);
    data_trail(&s, "errors", selector).await;
    let c = s.with_bucket("ct-rec-data").await;
    let e = get_err(&c, "ct-rec-data", "missing").await;
    assert_eq!(code(&e), "NoSuchKey");
    let records = outbox(&s, "errors");
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(records[0]["eventName"], "GetObject");
    assert_eq!(records[0]["errorCode"], "NoSuchKey");
    assert_eq!(
        records[0]["errorMessage"],
        "The specified key does not exist."
    );
    assert_eq!(
        records[0]["requestID"],
        e.raw_response()
            .unwrap()
            .headers()
            .get("x-amz-request-id")
            .unwrap()
    );

    // KMS: a Decrypt with a disabled key.
    let kms = s.kms();
    let key = new_key(&kms).await;
    let blob = ok!(kms
        .encrypt()
        .key_id(key.key_id())
        .plaintext(aws_sdk_kms::primitives::Blob::new(b"x".to_vec())))
    .ciphertext_blob
    .unwrap();
    kms.disable_key().key_id(key.key_id()).send().await.unwrap();
    assert_fails!(kms.decrypt().ciphertext_blob(blob), "DisabledException");
    let decrypts = lookup(&s, LookupAttributeKey::EventName, "Decrypt").await;
    assert_eq!(decrypts.len(), 1);
    assert_eq!(decrypts[0]["errorCode"], "DisabledException");
    assert!(decrypts[0]["errorMessage"]
        .as_str()
        .unwrap()
        .contains("disabled"));
    assert_eq!(decrypts[0]["resources"][0]["ARN"], key.arn().unwrap());

    // CloudTrail: its own failures too.
    assert_fails!(
        s.cloudtrail().get_trail_status().name("ghost"),
        "TrailNotFoundException"
    );
    let statuses = lookup(&s, LookupAttributeKey::EventName, "GetTrailStatus").await;
    assert_eq!(statuses[0]["errorCode"], "TrailNotFoundException");
    assert_eq!(statuses[0]["eventSource"], "cloudtrail.amazonaws.com");
}

#[tokio::test]
async fn lookup_events_finds_management_events_pages_and_validates() {
    let s = Server::start().await;
    let c = s.s3();
    for b in ["ct-look-a", "ct-look-b", "ct-look-c"] {
        c.create_bucket().bucket(b).send().await.unwrap();
    }
    // Data events stay out of the history, even when a trail takes them.
    let selector = object_logging("ct-look-a", ReadWriteType::All);
    data_trail(&s, "all-data", selector).await;
    put(&c, "ct-look-a", "k").await;
    assert_eq!(outbox(&s, "all-data").len(), 1);
    assert!(lookup(&s, LookupAttributeKey::EventName, "PutObject")
        .await
        .is_empty());

    let by_name = lookup(&s, LookupAttributeKey::ResourceName, "ct-look-b").await;
    let names: Vec<_> = by_name.iter().map(|r| r["eventName"].clone()).collect();
    assert_eq!(names, [json!("CreateBucket")]);
    assert_eq!(by_name[0]["requestParameters"]["bucketName"], "ct-look-b");

    // Three CreateBucket events of this test (the log bucket's makes four), one a page,
    // newest first.
    let ct = s.cloudtrail();
    let mut token = None;
    let mut seen = Vec::new();
    loop {
        let page = ok!(ct
            .lookup_events()
            .lookup_attributes(attribute(LookupAttributeKey::EventName, "CreateBucket"))
            .max_results(1)
            .set_next_token(token));
        assert!(page.events().len() <= 1);
        for e in page.events() {
            let bucket = e
                .resources()
                .iter()
                .find(|r| r.resource_type() == Some("AWS::S3::Bucket"))
                .and_then(|r| r.resource_name())
                .unwrap();
            seen.push(bucket.to_string());
            assert_eq!(e.event_name(), Some("CreateBucket"));
            assert_eq!(e.read_only(), Some("false"));
            assert_eq!(e.event_source(), Some("s3.amazonaws.com"));
        }
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(seen, [LOGS, "ct-look-c", "ct-look-b", "ct-look-a"]);

    // One attribute at most, MaxResults 1–50, start before end.
    assert_fails!(
        ct.lookup_events()
            .lookup_attributes(attribute(LookupAttributeKey::EventName, "CreateBucket"))
            .lookup_attributes(attribute(LookupAttributeKey::ReadOnly, "false")),
        "InvalidLookupAttributesException"
    );
    assert_fails!(
        ct.lookup_events().max_results(51),
        "InvalidMaxResultsException"
    );
    let now = aws_sdk_cloudtrail::primitives::DateTime::from_secs(1_767_225_600);
    let earlier = aws_sdk_cloudtrail::primitives::DateTime::from_secs(1_767_225_000);
    assert_fails!(
        ct.lookup_events().start_time(now).end_time(earlier),
        "InvalidTimeRangeException"
    );
}
