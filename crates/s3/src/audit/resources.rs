//! `resources` of S3 records: the object and bucket an operation names, as ARNs, read from a
//! borrowed [`Op`]. The object carries no account and the bucket its owner's, as AWS writes
//! them; a copy names its source as well.

use crate::op::{ObjectRef, Op};
use trailstack_core::{AuditResource, Caller};

fn bucket_resource(bucket: &str, caller: &Caller) -> AuditResource {
    AuditResource {
        kind: "AWS::S3::Bucket".into(),
        prefix: false,
        arn: format!("arn:aws:s3:::{bucket}"),
        // Only the owning account reaches a bucket today (no policies yet), so the owner is
        // the caller's account.
        account: Some(caller.account.clone()),
    }
}

fn object_resources(bucket: &str, key: &str, caller: &Caller, out: &mut Vec<AuditResource>) {
    out.push(AuditResource {
        kind: "AWS::S3::Object".into(),
        prefix: false,
        arn: format!("arn:aws:s3:::{bucket}/{key}"),
        account: None,
    });
    out.push(bucket_resource(bucket, caller));
}

/// The record's `resources`: the object (without account, as AWS writes it) and its bucket
/// (with the owner's account); a copy adds its source; a listing or DeleteObjects the prefix
/// of the objects it covers; ListBuckets names none.
pub fn resources(op: &Op, caller: &Caller) -> Vec<AuditResource> {
    let mut out = Vec::with_capacity(2);
    if let Some(obj) = op_object(op) {
        object_resources(&obj.bucket, &obj.key, caller, &mut out);
    } else if let Op::PostObject(i) = op {
        object_resources(&i.bucket, &i.key, caller, &mut out);
    } else if let Some(bucket) = op_bucket(op) {
        if let Some(prefix) = objects_covered(op) {
            out.push(AuditResource {
                kind: "AWS::S3::Object".into(),
                prefix: true,
                arn: format!("arn:aws:s3:::{bucket}/{prefix}"),
                account: None,
            });
        }
        out.push(bucket_resource(bucket, caller));
    }
    let source = match op {
        Op::CopyObject(i) => Some(&i.source),
        Op::UploadPartCopy(i) => Some(&i.source),
        _ => None,
    };
    if let Some(s) = source {
        object_resources(&s.obj.bucket, &s.obj.key, caller, &mut out);
    }
    out
}

/// The key prefix of the objects a bucket-level data event lists or deletes, which AWS records
/// as an `ARNPrefix` object resource before the bucket.
fn objects_covered(op: &Op) -> Option<&str> {
    match op {
        Op::ListObjects(i) => Some(&i.prefix),
        Op::ListObjectVersions(i) => Some(&i.prefix),
        Op::DeleteObjects { .. } => Some(""),
        _ => None,
    }
}

/// The object an object-level operation names.
fn op_object(op: &Op) -> Option<&ObjectRef> {
    Some(match op {
        Op::PutObject { obj, .. }
        | Op::DeleteObject { obj, .. }
        | Op::GetObjectTagging { obj, .. }
        | Op::PutObjectTagging { obj, .. }
        | Op::DeleteObjectTagging { obj, .. }
        | Op::GetObjectAttributes { obj, .. }
        | Op::GetObjectAcl { obj, .. }
        | Op::PutObjectAcl { obj, .. }
        | Op::CreateMultipartUpload { obj, .. }
        | Op::UploadPart { obj, .. }
        | Op::CompleteMultipartUpload { obj, .. }
        | Op::AbortMultipartUpload { obj, .. }
        | Op::ListParts { obj, .. } => obj,
        Op::GetObject(i) | Op::HeadObject(i) => &i.obj,
        Op::CopyObject(i) => &i.obj,
        Op::UploadPartCopy(i) => &i.obj,
        Op::ObjectLock(l) => l.object()?.0,
        _ => return None,
    })
}

/// The bucket a bucket-level operation names.
fn op_bucket(op: &Op) -> Option<&str> {
    Some(match op {
        Op::CreateBucket { bucket, .. }
        | Op::HeadBucket { bucket }
        | Op::DeleteBucket { bucket }
        | Op::GetBucketLocation { bucket }
        | Op::GetBucketTagging { bucket }
        | Op::PutBucketTagging { bucket, .. }
        | Op::DeleteBucketTagging { bucket }
        | Op::GetBucketPolicy { bucket }
        | Op::PutBucketPolicy { bucket, .. }
        | Op::DeleteBucketPolicy { bucket }
        | Op::GetBucketAcl { bucket }
        | Op::PutBucketAcl { bucket, .. }
        | Op::GetBucketOwnershipControls { bucket }
        | Op::PutBucketOwnershipControls { bucket, .. }
        | Op::DeleteBucketOwnershipControls { bucket }
        | Op::GetPublicAccessBlock { bucket }
        | Op::PutPublicAccessBlock { bucket, .. }
        | Op::DeletePublicAccessBlock { bucket }
        | Op::GetBucketVersioning { bucket }
        | Op::PutBucketVersioning { bucket, .. }
        | Op::GetBucketEncryption { bucket }
        | Op::PutBucketEncryption { bucket, .. }
        | Op::DeleteBucketEncryption { bucket }
        | Op::GetBucketLifecycleConfiguration { bucket }
        | Op::PutBucketLifecycleConfiguration { bucket, .. }
        | Op::DeleteBucketLifecycle { bucket }
        | Op::GetBucketLogging { bucket }
        | Op::PutBucketLogging { bucket, .. }
        | Op::GetBucketCors { bucket }
        | Op::PutBucketCors { bucket, .. }
        | Op::DeleteBucketCors { bucket }
        | Op::GetBucketPolicyStatus { bucket }
        | Op::DeleteObjects { bucket, .. } => bucket,
        Op::ListObjects(i) => &i.bucket,
        Op::ListObjectVersions(i) => &i.bucket,
        Op::ListMultipartUploads(i) => &i.bucket,
        Op::ObjectLock(l) => l.bucket(),
        _ => return None,
    })
}
