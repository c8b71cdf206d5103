//! Shaping of representative S3 operations: names, categories, parameters, resources,
//! response elements and additional data.

use super::*;
use crate::op::{ListObjectsInput, NewObject, ObjectRef, Payload, WriteOutput};
use crate::sse::{BucketEncryption, Mode, Rule, SseRecord, SseRequest};
use std::collections::BTreeMap;

/// Alice of the test account, with the key, request id and host the expected records name.
fn caller() -> Caller {
    Caller {
        access_key: Some("AKIAEXAMPLE".into()),
        display_name: "alice".into(),
        source_ip: None,
        request_id: "REQ1".into(),
        host: "b.s3.us-east-1.amazonaws.com".into(),
        ..crate::testing::caller(Principal::User {
            name: "alice".into(),
        })
    }
}

fn obj() -> ObjectRef {
    ObjectRef::new("b", "k.txt")
}

fn put(sse: Option<SseRequest>) -> Op {
    let new = NewObject {
        sse,
        ..Default::default()
    };
    Op::put_object(
        obj(),
        Payload::whole(bytes::Bytes::from_static(b"hello")),
        new,
    )
}

fn kms_record() -> SseRecord {
    SseRecord {
        key_arn: Some("arn:aws:kms:us-east-1:111122223333:key/k1".into()),
        context: BTreeMap::from([("aws:s3:arn".into(), "arn:aws:s3:::b/k.txt".into())]),
        ..SseRecord::new(Mode::SseKms, Rule::RequestHeader)
    }
}

#[test]
fn put_object_with_sse_kms_is_a_data_write_naming_object_and_bucket() {
    let op = put(Some(SseRequest::Kms {
        key: Some("alias/mine".into()),
        context: BTreeMap::new(),
        bucket_key: false,
    }));
    let c = caller();
    let out = Output::Written(WriteOutput {
        etag: "e".into(),
        version_id: Some("v1".into()),
        checksum: None,
        size: 5,
        sse: Some(kms_record()),
        expiration: None,
    });
    let e = Pending::of(&op, &c).finish(&c, &Ok(out), OffsetDateTime::UNIX_EPOCH);
    assert_eq!(e.name, "PutObject");
    assert_eq!(e.category, EventCategory::Data);
    assert!(!e.read_only && !e.service_event);
    assert_eq!(
        e.request,
        Some(json!({
            "bucketName": "b",
            "Host": "b.s3.us-east-1.amazonaws.com",
            "key": "k.txt",
            "x-amz-server-side-encryption": "aws:kms",
            "x-amz-server-side-encryption-aws-kms-key-id": "alias/mine",
        }))
    );
    assert_eq!(
        e.response,
        Some(json!({
            "x-amz-server-side-encryption": "aws:kms",
            "x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:us-east-1:111122223333:key/k1",
            "x-amz-version-id": "v1",
        }))
    );
    let add = e.additional.unwrap();
    assert_eq!(add["SignatureVersion"], "SigV4");
    assert_eq!(add["AuthenticationMethod"], "AuthHeader");
    assert_eq!(add["CipherSuite"], CIPHER_SUITE);
    assert_eq!(add["bytesTransferredIn"], 5);
    assert_eq!(add["bytesTransferredOut"], 0);
    assert_eq!(add["x-amz-id-2"], json!(host_id("REQ1")));
    assert_eq!(e.resources.len(), 2);
    assert_eq!(e.resources[0].kind, "AWS::S3::Object");
    assert_eq!(e.resources[0].arn, "arn:aws:s3:::b/k.txt");
    assert_eq!(e.resources[0].account, None);
    assert_eq!(e.resources[1].kind, "AWS::S3::Bucket");
    assert_eq!(e.resources[1].arn, "arn:aws:s3:::b");
    assert_eq!(e.resources[1].account, Some(c.account.clone()));
    assert!(e.error.is_none());
}

#[test]
fn a_failed_read_carries_its_error_and_no_response() {
    let op = Op::GetObject(crate::op::GetObjectInput {
        obj: obj(),
        version_id: Some("v9".into()),
        ..Default::default()
    });
    let c = caller();
    let err = S3Error::NoSuchKey("k.txt".into());
    let e = Pending::of(&op, &c).finish(&c, &Err(err.clone()), OffsetDateTime::UNIX_EPOCH);
    assert_eq!(e.name, "GetObject");
    assert!(e.read_only);
    assert_eq!(e.error, Some(("NoSuchKey".into(), err.message())));
    assert_eq!(e.response, None);
    assert_eq!(e.request.unwrap()["versionId"], "v9");
}

#[test]
fn list_objects_v2_is_logged_as_list_objects_with_its_query() {
    let op = Op::ListObjects(ListObjectsInput {
        bucket: "b".into(),
        v2: true,
        prefix: "logs/".into(),
        delimiter: Some("/".into()),
        max_keys: 1000,
        encode_url: true,
        ..Default::default()
    });
    let c = caller();
    let p = Pending::of(&op, &c);
    assert_eq!(p.name, "ListObjects");
    assert_eq!(p.category, EventCategory::Data);
    assert!(p.read_only);
    assert_eq!(
        p.request,
        json!({
            "bucketName": "b",
            "Host": "b.s3.us-east-1.amazonaws.com",
            "list-type": "2",
            "prefix": "logs/",
            "delimiter": "/",
            "encoding-type": "url",
        })
    );
    // As AWS writes it: the objects listed by ARN prefix, then the bucket.
    let listed: Vec<_> = p
        .resources
        .iter()
        .map(|r| (r.kind.as_str(), r.prefix, r.arn.as_str()))
        .collect();
    assert_eq!(
        listed,
        [
            ("AWS::S3::Object", true, "arn:aws:s3:::b/logs/"),
            ("AWS::S3::Bucket", false, "arn:aws:s3:::b"),
        ]
    );
}

#[test]
fn bucket_settings_are_management_events_with_their_subresource() {
    let c = caller();
    let op = Op::PutBucketEncryption {
        bucket: "b".into(),
        config: BucketEncryption {
            algorithm: "aws:kms".into(),
            kms_key: Some("alias/k".into()),
            bucket_key: true,
        },
    };
    let e = Pending::of(&op, &c).finish(
        &c,
        &Ok(Output::Empty { status: 200 }),
        OffsetDateTime::UNIX_EPOCH,
    );
    assert_eq!(e.category, EventCategory::Management);
    assert!(!e.read_only);
    assert_eq!(e.response, None);
    let r = e.request.unwrap();
    assert_eq!(r["encryption"], "");
    assert_eq!(
        r["ServerSideEncryptionConfiguration"]["Rule"]["ApplyServerSideEncryptionByDefault"]
            ["KMSMasterKeyID"],
        "alias/k"
    );
    assert_eq!(
        r["ServerSideEncryptionConfiguration"]["Rule"]["BucketKeyEnabled"],
        true
    );

    let pab = Op::GetPublicAccessBlock { bucket: "b".into() };
    let p = Pending::of(&pab, &c);
    assert_eq!(p.name, "GetBucketPublicAccessBlock");
    assert_eq!(p.request["publicAccessBlock"], "");

    let create = Op::CreateBucket {
        bucket: "b".into(),
        location: Some("eu-west-1".into()),
        acl: None,
        ownership: None,
        object_lock: false,
    };
    let p = Pending::of(&create, &c);
    assert_eq!(p.category, EventCategory::Management);
    assert!(!p.read_only);
    assert_eq!(
        p.request["CreateBucketConfiguration"]["LocationConstraint"],
        "eu-west-1"
    );
}

#[test]
fn delete_objects_never_logs_the_keys() {
    let op = Op::DeleteObjects {
        bucket: "b".into(),
        quiet: false,
        bypass_governance: false,
        objects: vec![("secret-name".into(), None)],
    };
    let p = Pending::of(&op, &caller());
    assert_eq!(p.category, EventCategory::Data);
    assert!(!p.request.to_string().contains("secret-name"));
    assert_eq!(p.request["delete"], "");
}

#[test]
fn a_partly_refused_delete_objects_is_one_successful_record_without_keys() {
    let c = caller();
    let op = Op::DeleteObjects {
        bucket: "b".into(),
        quiet: false,
        bypass_governance: false,
        objects: vec![("gone".into(), None), ("refused-name".into(), None)],
    };
    let out = Output::Deleted(crate::op::DeleteObjectsOutput {
        deleted: vec![("gone".into(), None, false, None)],
        errors: vec![(
            "refused-name".into(),
            None,
            "AccessDenied".into(),
            "Access Denied".into(),
        )],
        quiet: false,
    });
    let e = Pending::of(&op, &c).finish(&c, &Ok(out), OffsetDateTime::UNIX_EPOCH);
    assert_eq!(e.name, "DeleteObjects");
    assert_eq!(
        e.error, None,
        "per-key refusals are the response's, not the call's"
    );
    assert_eq!(e.response, None);
    let record = serde_json::to_string(&(&e.request, &e.response, &e.additional)).unwrap();
    assert!(!record.contains("refused-name") && !record.contains("gone"));
}

#[test]
fn tags_render_one_as_an_object_and_several_as_an_array() {
    let c = caller();
    let one = Op::PutBucketTagging {
        bucket: "b".into(),
        tags: vec![("a".into(), "1".into())],
    };
    let p = Pending::of(&one, &c);
    assert_eq!(
        p.request["Tagging"]["TagSet"]["Tag"],
        json!({"Key": "a", "Value": "1"})
    );
    let two = Op::PutBucketTagging {
        bucket: "b".into(),
        tags: vec![("a".into(), "1".into()), ("b".into(), "2".into())],
    };
    let p = Pending::of(&two, &c);
    assert!(p.request["Tagging"]["TagSet"]["Tag"].is_array());
}

#[test]
fn a_service_writing_on_its_own_is_a_service_event_without_signature_data() {
    let c = Caller::service(
        trailstack_core::AccountId::parse("111122223333").unwrap(),
        "cloudtrail.amazonaws.com",
        "us-east-1",
        "REQ2".into(),
    );
    let e = Pending::of(&put(Some(SseRequest::S3)), &c).finish(
        &c,
        &Err(S3Error::NoSuchBucket("b".into())),
        OffsetDateTime::UNIX_EPOCH,
    );
    assert!(e.service_event);
    let r = e.request.unwrap();
    assert!(r.get("Host").is_none());
    assert_eq!(r["x-amz-server-side-encryption"], "AES256");
    let add = e.additional.unwrap();
    assert!(add.get("SignatureVersion").is_none());
    assert_eq!(add["bytesTransferredIn"], 5);
}

#[test]
fn the_host_id_is_stable_per_request() {
    assert_eq!(host_id("A"), host_id("A"));
    assert_ne!(host_id("A"), host_id("B"));
    assert_eq!(host_id("A").len(), 64);
}

#[test]
fn object_lock_configuration_calls_are_management_and_retention_calls_data_events() {
    use crate::model::lock::{BucketLock, DefaultRetention, LockMode, Period, Retention};
    use crate::op::LockOp;
    let c = caller();
    let conf = Op::ObjectLock(LockOp::PutConfiguration {
        bucket: "b".into(),
        config: BucketLock {
            default: Some(DefaultRetention {
                mode: LockMode::Compliance,
                period: Period::Days(1),
            }),
        },
    });
    let p = Pending::of(&conf, &c);
    assert_eq!(p.name, "PutObjectLockConfiguration");
    assert_eq!(p.category, EventCategory::Management);
    assert!(!p.read_only);
    assert_eq!(p.request["object-lock"], "");
    assert_eq!(
        p.request["ObjectLockConfiguration"]["Rule"]["DefaultRetention"]["Days"],
        1
    );
    let get = Op::ObjectLock(LockOp::GetConfiguration { bucket: "b".into() });
    let p = Pending::of(&get, &c);
    assert_eq!(
        (p.name, p.category, p.read_only),
        (
            "GetObjectLockConfiguration",
            EventCategory::Management,
            true
        )
    );

    let put = Op::ObjectLock(LockOp::PutRetention {
        obj: obj(),
        version_id: Some("v1".into()),
        retention: Some(Retention {
            mode: LockMode::Governance,
            until_ms: 1_893_456_000_000,
        }),
        bypass_governance: true,
    });
    let p = Pending::of(&put, &c);
    assert_eq!(
        (p.name, p.category, p.read_only),
        ("PutObjectRetention", EventCategory::Data, false)
    );
    assert_eq!(p.request["key"], "k.txt");
    assert_eq!(p.request["versionId"], "v1");
    assert_eq!(
        p.request["Retention"]["RetainUntilDate"],
        "2030-01-01T00:00:00.000Z"
    );
    assert_eq!(p.request["x-amz-bypass-governance-retention"], "true");
    assert_eq!(p.resources[0].arn, "arn:aws:s3:::b/k.txt");
    for (op, name) in [
        (
            LockOp::GetRetention {
                obj: obj(),
                version_id: None,
            },
            "GetObjectRetention",
        ),
        (
            LockOp::PutLegalHold {
                obj: obj(),
                version_id: None,
                on: true,
            },
            "PutObjectLegalHold",
        ),
        (
            LockOp::GetLegalHold {
                obj: obj(),
                version_id: None,
            },
            "GetObjectLegalHold",
        ),
    ] {
        let p = Pending::of(&Op::ObjectLock(op), &c);
        assert_eq!((p.name, p.category), (name, EventCategory::Data));
    }
}
