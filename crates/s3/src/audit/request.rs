//! `requestParameters` of S3 records, read from a borrowed [`Op`] before the handler
//! consumes it. S3 logs what the request named: `bucketName`, `Host`, `key`, the query
//! parameters (subresource markers such as `"acl": ""` included) and a few headers, with XML
//! bodies turned into JSON (a single repeated element as an object, several as an array, and
//! the document's `xmlns`). Keys of DeleteObjects are never logged, as in AWS. Samples:
//! <https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-understanding-s3-entries.html>.
//!
//! Nothing here reads bodies or clones payloads: only names, settings and small documents.

use crate::cors::CorsRule;
use crate::model::buckets::{Grant, Owner};
use crate::op::{AclInput, CopySource, NewObject, ObjectRef, Op};
use crate::sse::{BucketEncryption, SseRequest};
use serde_json::{json, Map, Value};
use trailstack_core::Caller;

/// The namespace S3 documents carry, which CloudTrail keeps as `xmlns`.
pub(super) const XMLNS: &str = "http://s3.amazonaws.com/doc/2006-03-01/";

/// A JSON object under construction.
pub(super) struct Params(Map<String, Value>);

impl Params {
    /// `bucketName` and `Host` (the latter only when the request had one: internal calls
    /// have none).
    fn bucket(bucket: &str, caller: &Caller) -> Params {
        let mut p = Params(Map::new());
        p.set("bucketName", bucket);
        p.host(caller);
        p
    }

    fn object(obj: &ObjectRef, caller: &Caller) -> Params {
        let mut p = Params::bucket(&obj.bucket, caller);
        p.set("key", obj.key.as_str());
        p
    }

    fn host(&mut self, caller: &Caller) {
        if !caller.host.is_empty() {
            self.set("Host", caller.host.as_str());
        }
    }

    pub(super) fn set(&mut self, name: &str, value: impl Into<Value>) -> &mut Params {
        self.0.insert(name.to_string(), value.into());
        self
    }

    /// A subresource marker (`?acl` is logged as `"acl": ""`).
    pub(super) fn marker(&mut self, name: &str) -> &mut Params {
        self.set(name, "")
    }

    pub(super) fn opt(&mut self, name: &str, value: Option<impl Into<Value>>) -> &mut Params {
        if let Some(v) = value {
            self.set(name, v);
        }
        self
    }

    /// A query parameter sent only when it differs from its default (query values are
    /// strings in the record).
    fn unless(&mut self, name: &str, value: &str, default: &str) -> &mut Params {
        if value != default {
            self.set(name, value);
        }
        self
    }

    fn done(self) -> Value {
        Value::Object(self.0)
    }
}

/// XML's repeated elements as CloudTrail renders them: one as an object, several as an array.
pub(super) fn repeated(items: Vec<Value>) -> Value {
    match <[Value; 1]>::try_from(items) {
        Ok([one]) => one,
        Err(items) => Value::Array(items),
    }
}

fn tagging(tags: &[(String, String)]) -> Value {
    let tags = tags
        .iter()
        .map(|(k, v)| json!({"Key": k, "Value": v}))
        .collect();
    json!({"xmlns": XMLNS, "TagSet": {"Tag": repeated(tags)}})
}

fn grant(g: &Grant) -> Value {
    let grantee = if g.grantee_type == "Group" {
        json!({"xsi:type": "Group", "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance", "URI": g.grantee})
    } else {
        json!({"xsi:type": g.grantee_type, "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance", "ID": g.grantee})
    };
    json!({"Grantee": grantee, "Permission": g.permission})
}

/// PutBucketAcl / PutObjectAcl: the canned ACL header or the AccessControlPolicy document.
fn acl(p: &mut Params, acl: &AclInput) {
    p.marker("acl");
    match acl {
        AclInput::Canned(c) => {
            p.set("x-amz-acl", c.as_str());
        }
        AclInput::Grants { owner, grants } => {
            let mut doc = json!({
                "xmlns": XMLNS,
                "AccessControlList": {"Grant": repeated(grants.iter().map(grant).collect())},
            });
            if let Some(Owner { id, .. }) = owner {
                doc["Owner"] = json!({ "ID": id });
            }
            p.set("AccessControlPolicy", doc);
        }
    }
}

fn encryption_config(e: &BucketEncryption) -> Value {
    let mut by_default = json!({ "SSEAlgorithm": e.algorithm });
    if let Some(k) = &e.kms_key {
        by_default["KMSMasterKeyID"] = json!(k);
    }
    json!({
        "xmlns": XMLNS,
        "Rule": {"ApplyServerSideEncryptionByDefault": by_default, "BucketKeyEnabled": e.bucket_key},
    })
}

/// A BucketLoggingStatus as CloudTrail shows it (the request's XML as JSON).
fn logging_status(config: Option<&crate::logging::LoggingConfig>) -> Value {
    let mut status = json!({ "xmlns": XMLNS });
    if let Some(c) = config {
        status["LoggingEnabled"] = json!({
            "TargetBucket": c.target_bucket,
            "TargetPrefix": c.target_prefix,
        });
    }
    status
}

/// A CORSConfiguration as CloudTrail renders XML: each rule's repeated elements under their
/// element names, the optional ones only when set.
fn cors_config(rules: &[CorsRule]) -> Value {
    let strings = |v: &[String]| repeated(v.iter().map(|s| json!(s)).collect());
    let rules = rules
        .iter()
        .map(|r| {
            let mut m = Map::new();
            if let Some(id) = &r.id {
                m.insert("ID".into(), json!(id));
            }
            if !r.allowed_headers.is_empty() {
                m.insert("AllowedHeader".into(), strings(&r.allowed_headers));
            }
            m.insert("AllowedMethod".into(), strings(&r.allowed_methods));
            m.insert("AllowedOrigin".into(), strings(&r.allowed_origins));
            if !r.expose_headers.is_empty() {
                m.insert("ExposeHeader".into(), strings(&r.expose_headers));
            }
            if let Some(age) = r.max_age_seconds {
                m.insert("MaxAgeSeconds".into(), json!(age));
            }
            Value::Object(m)
        })
        .collect();
    json!({"xmlns": XMLNS, "CORSRule": repeated(rules)})
}

/// The SSE, ACL and storage-class headers of a write.
fn write_headers(p: &mut Params, new: &NewObject) {
    match &new.sse {
        Some(SseRequest::S3) => {
            p.set("x-amz-server-side-encryption", "AES256");
        }
        Some(SseRequest::Kms {
            key, bucket_key, ..
        }) => {
            p.set("x-amz-server-side-encryption", "aws:kms")
                .opt("x-amz-server-side-encryption-aws-kms-key-id", key.clone());
            if *bucket_key {
                p.set("x-amz-server-side-encryption-bucket-key-enabled", "true");
            }
        }
        Some(SseRequest::Dsse { key, .. }) => {
            p.set("x-amz-server-side-encryption", "aws:kms:dsse")
                .opt("x-amz-server-side-encryption-aws-kms-key-id", key.clone());
        }
        Some(SseRequest::Customer(c)) => {
            p.set("x-amz-server-side-encryption-customer-algorithm", "AES256")
                .set(
                    "x-amz-server-side-encryption-customer-key-MD5",
                    c.md5.as_str(),
                );
        }
        None => {}
    }
    p.opt("x-amz-acl", new.acl.clone())
        .opt("x-amz-storage-class", new.meta.storage_class.clone());
}

fn copy_source(p: &mut Params, s: &CopySource) {
    let mut src = format!("{}/{}", s.obj.bucket, s.obj.key);
    if let Some(v) = &s.version_id {
        src.push_str("?versionId=");
        src.push_str(v);
    }
    p.set("x-amz-copy-source", src);
}

/// The record's `requestParameters` for `op`.
pub fn parameters(op: &Op, caller: &Caller) -> Value {
    let b = |bucket: &String| Params::bucket(bucket, caller);
    let o = |obj: &ObjectRef| Params::object(obj, caller);
    let p = match op {
        Op::ListBuckets {
            prefix,
            max_buckets,
            continuation,
            region,
        } => {
            let mut p = Params(Map::new());
            p.host(caller);
            p.unless("prefix", prefix, "")
                .opt("max-buckets", max_buckets.map(|n| n.to_string()))
                .opt("continuation-token", continuation.clone())
                .opt("bucket-region", region.clone());
            p
        }
        Op::CreateBucket {
            bucket,
            location,
            acl,
            ownership,
            object_lock,
        } => {
            let mut p = b(bucket);
            p.opt("x-amz-acl", acl.clone())
                .opt("x-amz-object-ownership", ownership.clone());
            if *object_lock {
                p.set("x-amz-bucket-object-lock-enabled", "true");
            }
            if let Some(l) = location {
                p.set(
                    "CreateBucketConfiguration",
                    json!({"LocationConstraint": l, "xmlns": XMLNS}),
                );
            }
            p
        }
        Op::HeadBucket { bucket } | Op::DeleteBucket { bucket } => b(bucket),
        Op::GetBucketLocation { bucket } => {
            let mut p = b(bucket);
            p.marker("location");
            p
        }
        Op::GetBucketTagging { bucket } | Op::DeleteBucketTagging { bucket } => {
            let mut p = b(bucket);
            p.marker("tagging");
            p
        }
        Op::PutBucketTagging { bucket, tags } => {
            let mut p = b(bucket);
            p.marker("tagging").set("Tagging", tagging(tags));
            p
        }
        Op::GetBucketPolicy { bucket } | Op::DeleteBucketPolicy { bucket } => {
            let mut p = b(bucket);
            p.marker("policy");
            p
        }
        Op::PutBucketPolicy { bucket, policy } => {
            let mut p = b(bucket);
            let doc = serde_json::from_str(policy).unwrap_or_else(|_| json!(policy));
            p.marker("policy").set("bucketPolicy", doc);
            p
        }
        Op::GetBucketAcl { bucket } => {
            let mut p = b(bucket);
            p.marker("acl");
            p
        }
        Op::PutBucketAcl { bucket, acl: a } => {
            let mut p = b(bucket);
            acl(&mut p, a);
            p
        }
        Op::GetBucketOwnershipControls { bucket }
        | Op::DeleteBucketOwnershipControls { bucket } => {
            let mut p = b(bucket);
            p.marker("ownershipControls");
            p
        }
        Op::PutBucketOwnershipControls { bucket, ownership } => {
            let mut p = b(bucket);
            p.marker("ownershipControls").set(
                "OwnershipControls",
                json!({"xmlns": XMLNS, "Rule": {"ObjectOwnership": ownership}}),
            );
            p
        }
        Op::GetPublicAccessBlock { bucket } | Op::DeletePublicAccessBlock { bucket } => {
            let mut p = b(bucket);
            p.marker("publicAccessBlock");
            p
        }
        Op::PutPublicAccessBlock { bucket, config: c } => {
            let mut p = b(bucket);
            p.marker("publicAccessBlock").set(
                "PublicAccessBlockConfiguration",
                json!({
                    "xmlns": XMLNS,
                    "BlockPublicAcls": c.block_public_acls,
                    "IgnorePublicAcls": c.ignore_public_acls,
                    "BlockPublicPolicy": c.block_public_policy,
                    "RestrictPublicBuckets": c.restrict_public_buckets,
                }),
            );
            p
        }
        Op::GetBucketVersioning { bucket } => {
            let mut p = b(bucket);
            p.marker("versioning");
            p
        }
        Op::PutBucketVersioning { bucket, status } => {
            let mut p = b(bucket);
            p.marker("versioning").set(
                "VersioningConfiguration",
                json!({"Status": status, "xmlns": XMLNS}),
            );
            p
        }
        Op::GetBucketLifecycleConfiguration { bucket } | Op::DeleteBucketLifecycle { bucket } => {
            let mut p = b(bucket);
            p.marker("lifecycle");
            p
        }
        Op::PutBucketLifecycleConfiguration { bucket, config } => {
            let mut p = b(bucket);
            p.marker("lifecycle").set(
                "LifecycleConfiguration",
                super::lifecycle::configuration(config),
            );
            p
        }
        Op::GetBucketEncryption { bucket } | Op::DeleteBucketEncryption { bucket } => {
            let mut p = b(bucket);
            p.marker("encryption");
            p
        }
        Op::PutBucketEncryption { bucket, config } => {
            let mut p = b(bucket);
            p.marker("encryption").set(
                "ServerSideEncryptionConfiguration",
                encryption_config(config),
            );
            p
        }
        Op::GetBucketLogging { bucket } => {
            let mut p = b(bucket);
            p.marker("logging");
            p
        }
        Op::PutBucketLogging { bucket, config } => {
            let mut p = b(bucket);
            p.marker("logging")
                .set("BucketLoggingStatus", logging_status(config.as_ref()));
            p
        }
        Op::GetBucketCors { bucket } | Op::DeleteBucketCors { bucket } => {
            let mut p = b(bucket);
            p.marker("cors");
            p
        }
        Op::PutBucketCors { bucket, rules } => {
            let mut p = b(bucket);
            p.marker("cors")
                .set("CORSConfiguration", cors_config(rules));
            p
        }
        Op::GetBucketPolicyStatus { bucket } => {
            let mut p = b(bucket);
            p.marker("policyStatus");
            p
        }
        Op::ListObjects(i) => {
            let mut p = b(&i.bucket);
            if i.v2 {
                p.set("list-type", "2")
                    .unless("start-after", &i.start_after, "")
                    .opt("continuation-token", i.continuation_token.clone());
                if i.fetch_owner {
                    p.set("fetch-owner", "true");
                }
            } else {
                p.unless("marker", &i.start_after, "");
            }
            p.unless("prefix", &i.prefix, "")
                .opt("delimiter", i.delimiter.clone())
                .unless("max-keys", &i.max_keys.to_string(), "1000");
            if i.encode_url {
                p.set("encoding-type", "url");
            }
            p
        }
        Op::ListObjectVersions(i) => {
            let mut p = b(&i.bucket);
            p.marker("versions")
                .unless("prefix", &i.prefix, "")
                .opt("delimiter", i.delimiter.clone())
                .unless("max-keys", &i.max_keys.to_string(), "1000")
                .unless("key-marker", &i.key_marker, "")
                .unless("version-id-marker", &i.version_id_marker, "");
            if i.encode_url {
                p.set("encoding-type", "url");
            }
            p
        }
        Op::ListMultipartUploads(i) => {
            let mut p = b(&i.bucket);
            p.marker("uploads")
                .unless("prefix", &i.prefix, "")
                .opt("delimiter", i.delimiter.clone())
                .unless("max-uploads", &i.max_uploads.to_string(), "1000")
                .unless("key-marker", &i.key_marker, "")
                .unless("upload-id-marker", &i.upload_id_marker, "");
            if i.encode_url {
                p.set("encoding-type", "url");
            }
            p
        }
        // AWS never logs the keys a DeleteObjects request names.
        Op::DeleteObjects { bucket, .. } => {
            let mut p = b(bucket);
            p.marker("delete");
            p
        }
        Op::PutObject { obj, new, .. } | Op::CreateMultipartUpload { obj, new, .. } => {
            let mut p = o(obj);
            if matches!(op, Op::CreateMultipartUpload { .. }) {
                p.marker("uploads");
            }
            write_headers(&mut p, new);
            p
        }
        Op::PostObject(i) => {
            let mut p = Params::object(
                &ObjectRef {
                    bucket: i.bucket.clone(),
                    key: i.key.clone(),
                },
                caller,
            );
            write_headers(&mut p, &i.new);
            p
        }
        Op::GetObject(i) | Op::HeadObject(i) => {
            let mut p = o(&i.obj);
            p.opt("versionId", i.version_id.clone())
                .opt("partNumber", i.part_number.map(|n| n.to_string()));
            for (header, value) in &i.overrides {
                p.set(&format!("response-{header}"), value.as_str());
            }
            p
        }
        Op::DeleteObject {
            obj,
            version_id,
            bypass_governance,
        } => {
            let mut p = o(obj);
            p.opt("versionId", version_id.clone());
            if *bypass_governance {
                p.set("x-amz-bypass-governance-retention", "true");
            }
            p
        }
        Op::CopyObject(i) => {
            let mut p = o(&i.obj);
            copy_source(&mut p, &i.source);
            if i.replace_metadata {
                p.set("x-amz-metadata-directive", "REPLACE");
            }
            if i.replace_tags {
                p.set("x-amz-tagging-directive", "REPLACE");
            }
            write_headers(&mut p, &i.new);
            p
        }
        Op::GetObjectTagging { obj, version_id } | Op::DeleteObjectTagging { obj, version_id } => {
            let mut p = o(obj);
            p.marker("tagging").opt("versionId", version_id.clone());
            p
        }
        Op::PutObjectTagging {
            obj,
            version_id,
            tags,
        } => {
            let mut p = o(obj);
            p.marker("tagging")
                .opt("versionId", version_id.clone())
                .set("Tagging", tagging(tags));
            p
        }
        Op::GetObjectAttributes {
            obj, version_id, ..
        } => {
            let mut p = o(obj);
            p.marker("attributes").opt("versionId", version_id.clone());
            p
        }
        Op::GetObjectAcl { obj, version_id } => {
            let mut p = o(obj);
            p.marker("acl").opt("versionId", version_id.clone());
            p
        }
        Op::PutObjectAcl {
            obj,
            version_id,
            acl: a,
        } => {
            let mut p = o(obj);
            acl(&mut p, a);
            p.opt("versionId", version_id.clone());
            p
        }
        Op::UploadPart {
            obj,
            upload_id,
            part_number,
            ..
        } => {
            let mut p = o(obj);
            p.set("partNumber", part_number.to_string())
                .set("uploadId", upload_id.as_str());
            p
        }
        Op::UploadPartCopy(i) => {
            let mut p = o(&i.obj);
            p.set("partNumber", i.part_number.to_string())
                .set("uploadId", i.upload_id.as_str());
            copy_source(&mut p, &i.source);
            p.opt(
                "x-amz-copy-source-range",
                i.range.map(|(a, z)| format!("bytes={a}-{z}")),
            );
            p
        }
        Op::CompleteMultipartUpload {
            obj,
            upload_id,
            parts,
            ..
        } => {
            let mut p = o(obj);
            let parts = parts
                .iter()
                .map(|part| json!({"ETag": format!("\"{}\"", part.etag), "PartNumber": part.part_number}))
                .collect();
            p.set("uploadId", upload_id.as_str()).set(
                "CompleteMultipartUpload",
                json!({"xmlns": XMLNS, "Part": repeated(parts)}),
            );
            p
        }
        Op::AbortMultipartUpload { obj, upload_id } => {
            let mut p = o(obj);
            p.set("uploadId", upload_id.as_str());
            p
        }
        Op::ListParts {
            obj,
            upload_id,
            max_parts,
            part_marker,
        } => {
            let mut p = o(obj);
            p.set("uploadId", upload_id.as_str())
                .unless("max-parts", &max_parts.to_string(), "1000")
                .unless("part-number-marker", &part_marker.to_string(), "0");
            p
        }
        Op::ObjectLock(l) => {
            let mut p = match l.object() {
                Some((obj, _)) => o(obj),
                None => Params::bucket(l.bucket(), caller),
            };
            super::lock::parameters(&mut p, l);
            p
        }
    };
    p.done()
}
