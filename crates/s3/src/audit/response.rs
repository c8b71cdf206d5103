//! `responseElements` of S3 records and the byte counts of `additionalEventData`, read from a
//! handler's [`Output`]. S3 logs the response headers of object writes (encryption, version
//! id, delete marker) and `null` for reads and bucket settings.

use crate::op::{Output, WriteOutput};
use crate::sse::SseRecord;
use serde_json::{json, Map, Value};
use trailstack_core::ResponseBody;

/// The encryption headers a write answered with, as in `wire::response`.
fn sse(m: &mut Map<String, Value>, rec: Option<&SseRecord>) {
    let Some(rec) = rec else { return };
    if let Some(alg) = rec.algorithm() {
        m.insert("x-amz-server-side-encryption".into(), json!(alg));
    }
    if rec.is_kms() {
        if let Some(arn) = &rec.key_arn {
            m.insert(
                "x-amz-server-side-encryption-aws-kms-key-id".into(),
                json!(arn),
            );
        }
        if let Some(ctx) = rec.context_b64() {
            m.insert("x-amz-server-side-encryption-context".into(), json!(ctx));
        }
        if rec.bucket_key {
            m.insert(
                "x-amz-server-side-encryption-bucket-key-enabled".into(),
                json!("true"),
            );
        }
    }
    if let Some(md5) = &rec.customer_md5 {
        m.insert(
            "x-amz-server-side-encryption-customer-algorithm".into(),
            json!("AES256"),
        );
        m.insert(
            "x-amz-server-side-encryption-customer-key-MD5".into(),
            json!(md5),
        );
    }
}

fn version(m: &mut Map<String, Value>, v: Option<&String>) {
    if let Some(v) = v {
        m.insert("x-amz-version-id".into(), json!(v));
    }
}

fn written(m: &mut Map<String, Value>, w: &WriteOutput) {
    sse(m, w.sse.as_ref());
    version(m, w.version_id.as_ref());
}

/// The record's `responseElements`: `None` (rendered `null`) unless the call wrote an object.
pub fn elements(out: &Output) -> Option<Value> {
    let mut m = Map::new();
    match out {
        Output::Written(w)
        | Output::Posted { write: w, .. }
        | Output::Completed { write: w, .. } => written(&mut m, w),
        Output::Copied {
            version_id, sse: s, ..
        } => {
            sse(&mut m, s.as_ref());
            version(&mut m, version_id.as_ref());
        }
        Output::UploadCreated {
            bucket,
            key,
            upload_id,
            sse: s,
            ..
        } => {
            sse(&mut m, s.as_ref());
            m.insert(
                "CreateMultipartUploadResult".into(),
                json!({
                    "xmlns": "http://s3.amazonaws.com/doc/2006-03-01/",
                    "Bucket": bucket,
                    "Key": key,
                    "UploadId": upload_id,
                }),
            );
        }
        Output::ObjectDeleted {
            version_id,
            delete_marker,
        } => {
            version(&mut m, version_id.as_ref());
            if *delete_marker {
                m.insert("x-amz-delete-marker".into(), json!("true"));
            }
        }
        _ => {}
    }
    (!m.is_empty()).then_some(Value::Object(m))
}

/// The bytes of object data a response carries (`bytesTransferredOut`): a GET's body length,
/// which for a stream is the length it announces. XML documents are encoded after the call
/// and are not counted.
pub fn bytes_out(out: &Output) -> u64 {
    match out {
        Output::Object(o) => match &o.body {
            ResponseBody::Empty => 0,
            ResponseBody::Full(b) => b.len() as u64,
            ResponseBody::Stream(_, n) => *n,
        },
        _ => 0,
    }
}

/// The bytes of object data a write stored (`bytesTransferredIn`).
pub fn bytes_in(out: &Output) -> Option<u64> {
    match out {
        Output::Written(w) | Output::Posted { write: w, .. } => Some(w.size),
        _ => None,
    }
}
