//! S3 through [`S3::call`] on the engine the tests run on (SQLite, or PostgreSQL when
//! `TRAILSTACK_TEST_DATABASE` names one): the handlers' transactions, listings and multipart
//! uploads, lifecycle passes and access log delivery behave the same on both, objects large and
//! small read back whole.

use crate::op::{
    CompletedPart, ListObjectsInput, ListUploadsInput, ListVersionsInput, NewObject, ObjectRef, Op,
    Output, Payload,
};
use crate::testing::{caller, service};
use crate::S3;
use bytes::Bytes;
use trailstack_core::{Caller, Principal};

fn root() -> Caller {
    caller(Principal::Root)
}

fn obj(key: &str) -> ObjectRef {
    ObjectRef::new("bkt", key)
}

fn payload(body: Vec<u8>) -> Payload {
    Payload::whole(Bytes::from(body))
}

async fn call(s3: &S3, op: Op) -> Output {
    s3.call(&root(), op).await.unwrap()
}

async fn put(s3: &S3, key: &str, body: Vec<u8>) -> String {
    let op = Op::put_object(obj(key), payload(body), NewObject::default());
    match call(s3, op).await {
        Output::Written(w) => w.etag,
        other => panic!("PutObject: {other:?}"),
    }
}

async fn create_bucket(s3: &S3, name: &str) {
    let op = Op::CreateBucket {
        bucket: name.into(),
        location: None,
        acl: None,
        ownership: None,
        object_lock: false,
    };
    call(s3, op).await;
}

/// Every page of a ListObjectsV2 of `bucket` by `prefix` and `delimiter`, `max_keys` at a time:
/// the keys and common prefixes of each page.
async fn list_pages(
    s3: &S3,
    bucket: &str,
    prefix: &str,
    delimiter: Option<&str>,
    max_keys: usize,
) -> Vec<Vec<String>> {
    let mut pages = Vec::new();
    let mut token = None;
    loop {
        let input = ListObjectsInput {
            bucket: bucket.into(),
            v2: true,
            prefix: prefix.into(),
            delimiter: delimiter.map(str::to_string),
            max_keys,
            continuation_token: token.take(),
            ..Default::default()
        };
        let Output::ObjectList(out) = call(s3, Op::ListObjects(input)).await else {
            panic!("ListObjectsV2");
        };
        let mut page: Vec<String> = out.contents.iter().map(|o| o.key.clone()).collect();
        page.extend(out.common_prefixes);
        pages.push(page);
        if !out.truncated {
            return pages;
        }
        token = out.next;
    }
}

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31) ^ seed)
        .collect()
}

#[tokio::test]
async fn objects_list_in_byte_order_page_by_page_and_read_back_whole() {
    let (_dir, s3) = service();
    create_bucket(&s3, "bkt").await;
    let keys = [
        "a/2",
        "bkt",
        "aé",
        "a-",
        "a/1/x",
        "a",
        "a\u{10FFFF}",
        "A",
        "a0",
    ];
    for k in keys {
        put(&s3, k, k.as_bytes().to_vec()).await;
    }
    // Larger than what is kept inline in the metadata database: stored as a blob.
    let big = pattern(200 * 1024 + 7, 5);
    put(&s3, "a/big", big.clone()).await;
    assert_eq!(
        list_pages(&s3, "bkt", "a", None, 3).await,
        [
            vec!["a", "a-", "a/1/x"],
            vec!["a/2", "a/big", "a0"],
            vec!["aé", "a\u{10FFFF}"],
        ]
    );
    assert_eq!(
        list_pages(&s3, "bkt", "a/", Some("/"), 1000).await,
        [vec!["a/2", "a/big", "a/1/"]]
    );
    assert_eq!(
        list_pages(&s3, "bkt", "", Some("/"), 2).await.concat()[..2],
        ["A", "a"]
    );
    assert_eq!(s3.read_object(&root(), "bkt", "a/big").await.unwrap(), big);
    assert_eq!(
        s3.read_object(&root(), "bkt", "aé").await.unwrap(),
        "aé".as_bytes()
    );
    let deleted = Op::DeleteObject {
        obj: obj("a-"),
        version_id: None,
        bypass_governance: false,
    };
    call(&s3, deleted).await;
    assert_eq!(
        list_pages(&s3, "bkt", "a", None, 2).await.concat(),
        ["a", "a/1/x", "a/2", "a/big", "a0", "aé", "a\u{10FFFF}"]
    );
}

#[tokio::test]
async fn a_multipart_upload_completes_and_versions_stack_newest_first() {
    let (_dir, s3) = service();
    create_bucket(&s3, "bkt").await;
    let versioning = Op::PutBucketVersioning {
        bucket: "bkt".into(),
        status: "Enabled".into(),
    };
    call(&s3, versioning).await;
    let created = Op::CreateMultipartUpload {
        obj: obj("m"),
        new: NewObject::default(),
        checksum: None,
        checksum_type: None,
    };
    let Output::UploadCreated { upload_id, .. } = call(&s3, created).await else {
        panic!("CreateMultipartUpload");
    };
    let parts = [pattern(5 << 20, 1), pattern(1000, 2)];
    let mut completed = Vec::new();
    for (i, body) in parts.iter().enumerate() {
        let op = Op::UploadPart {
            obj: obj("m"),
            upload_id: upload_id.clone(),
            part_number: i as u32 + 1,
            upload: payload(body.clone()),
            customer: None,
        };
        let Output::Written(w) = call(&s3, op).await else {
            panic!("UploadPart");
        };
        completed.push(CompletedPart {
            part_number: i as u32 + 1,
            etag: w.etag,
            checksum: None,
        });
    }
    let listing = Op::ListMultipartUploads(ListUploadsInput {
        bucket: "bkt".into(),
        max_uploads: 1000,
        ..Default::default()
    });
    let Output::UploadList(uploads) = call(&s3, listing).await else {
        panic!("ListMultipartUploads");
    };
    assert_eq!(uploads.uploads.len(), 1);
    assert_eq!(uploads.uploads[0].upload_id, upload_id);
    let complete = Op::CompleteMultipartUpload {
        obj: obj("m"),
        upload_id,
        parts: completed,
        if_none_match: None,
        if_match: None,
        checksum: None,
        customer: None,
    };
    let Output::Completed { write, .. } = call(&s3, complete).await else {
        panic!("CompleteMultipartUpload");
    };
    assert!(write.etag.ends_with("-2"), "{}", write.etag);
    assert_eq!(
        s3.read_object(&root(), "bkt", "m").await.unwrap(),
        parts.concat()
    );
    put(&s3, "m", b"second".to_vec()).await;
    put(&s3, "m", b"third".to_vec()).await;
    let versions = Op::ListObjectVersions(ListVersionsInput {
        bucket: "bkt".into(),
        max_keys: 1000,
        ..Default::default()
    });
    let Output::VersionList(out) = call(&s3, versions).await else {
        panic!("ListObjectVersions");
    };
    let sizes: Vec<(u64, bool)> = out.versions.iter().map(|v| (v.size, v.is_latest)).collect();
    assert_eq!(sizes, [(5, true), (6, false), ((5 << 20) + 1000, false)]);
    assert_eq!(s3.read_object(&root(), "bkt", "m").await.unwrap(), b"third");
}

#[tokio::test]
async fn the_lifecycle_worker_expires_by_prefix_and_records_its_pass() {
    use crate::lifecycle::{Expiration, Filter, LifecycleConfiguration, Rule, MIN_SIZE_VARIES};
    let (_dir, s3) = service();
    create_bucket(&s3, "bkt").await;
    for k in ["logs/1", "logs/2", "logs0", "keep"] {
        put(&s3, k, k.as_bytes().to_vec()).await;
    }
    let rule = Rule {
        id: "expire-logs".into(),
        enabled: true,
        filter: Filter {
            prefix: Some("logs/".into()),
            ..Filter::default()
        },
        expiration: Some(Expiration {
            days: Some(1),
            date_ms: None,
            expired_object_delete_marker: None,
        }),
        transitions: Vec::new(),
        noncurrent_expiration: None,
        noncurrent_transitions: Vec::new(),
        abort_days: None,
    };
    let config = LifecycleConfiguration {
        rules: vec![rule],
        transition_minimum: MIN_SIZE_VARIES.into(),
        stamp: 0,
    };
    let put_config = Op::PutBucketLifecycleConfiguration {
        bucket: "bkt".into(),
        config,
    };
    call(&s3, put_config).await;
    let worker = crate::lifecycle::worker::Lifecycle::new(s3.clone());
    let later = time::OffsetDateTime::now_utc() + time::Duration::days(3);
    let report = worker.tick(later).await.unwrap();
    assert_eq!((report.passes, report.removed), (1, 2));
    // The pass is recorded complete: the same midnight finds nothing to do.
    let again = worker.tick(later).await.unwrap();
    assert_eq!(again.passes, 0);
    assert_eq!(
        list_pages(&s3, "bkt", "", None, 10).await.concat(),
        ["keep", "logs0"]
    );
}

#[tokio::test]
async fn access_logs_are_queued_with_the_request_and_delivered_once() {
    use crate::logging::record::AccessRecord;
    use crate::logging::{delivery::AccessLogDelivery, KeyFormat, LoggingConfig};
    let (_dir, s3) = service();
    create_bucket(&s3, "bkt").await;
    create_bucket(&s3, "logs-bkt").await;
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"logging.s3.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::logs-bkt/*"}]}"#;
    let put_policy = Op::PutBucketPolicy {
        bucket: "logs-bkt".into(),
        policy: policy.into(),
    };
    call(&s3, put_policy).await;
    let logging = Op::PutBucketLogging {
        bucket: "bkt".into(),
        config: Some(LoggingConfig {
            target_bucket: "logs-bkt".into(),
            target_prefix: "access/".into(),
            target_grants: Vec::new(),
            key_format: KeyFormat::SimplePrefix,
        }),
    };
    call(&s3, logging).await;
    let now = time::OffsetDateTime::now_utc();
    for key in ["one", "two"] {
        let record = AccessRecord::internal(
            "bkt",
            now,
            "S3.EXPIRE.OBJECT",
            key,
            None,
            Some(1),
            format!("REQ-{key}"),
        );
        s3.record_access(record).await.unwrap();
    }
    assert_eq!(s3.access_log_backlog("bkt").await.unwrap(), (2, None));
    let delivery = AccessLogDelivery::new(s3.clone());
    let outcome = delivery.tick(now).await.unwrap();
    assert_eq!((outcome.objects, outcome.records), (1, 2));
    assert_eq!(delivery.tick(now).await.unwrap().objects, 0);
    assert_eq!(s3.access_log_backlog("bkt").await.unwrap(), (0, None));
    let delivered = list_pages(&s3, "logs-bkt", "access/", None, 10)
        .await
        .concat();
    assert_eq!(delivered.len(), 1);
    let body = s3
        .read_object(&root(), "logs-bkt", &delivered[0])
        .await
        .unwrap();
    let text = String::from_utf8(body).unwrap();
    assert!(text.contains("REQ-one S3.EXPIRE.OBJECT one"), "{text}");
    assert!(text.contains("REQ-two S3.EXPIRE.OBJECT two"), "{text}");
}
