//! [`Output`] and [`S3Error`] -> HTTP response: status, headers and XML bodies as S3 sends them.

use super::xml_out::{self, owner, timestamp, Xml};
use crate::checksum::Algorithm;
use crate::error::S3Error;
use crate::model::buckets::Grant;
use crate::model::objects::{ObjectVersion, StoredChecksum};
use crate::op::{ObjectOutput, Output, WriteOutput};
use crate::sse::{BucketEncryption, SseRecord};
use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode};
use trailstack_core::ResponseBody;

/// A response under construction.
struct Resp {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: ResponseBody,
}

impl Resp {
    fn new(status: u16) -> Resp {
        Resp {
            status,
            headers: Vec::new(),
            body: ResponseBody::Empty,
        }
    }

    fn xml(body: Bytes) -> Resp {
        Resp {
            status: 200,
            headers: vec![("content-type", "application/xml".into())],
            body: ResponseBody::Full(body),
        }
    }

    fn header(mut self, name: &'static str, value: impl Into<String>) -> Resp {
        self.headers.push((name, value.into()));
        self
    }

    fn opt(self, name: &'static str, value: Option<impl Into<String>>) -> Resp {
        match value {
            Some(v) => self.header(name, v),
            None => self,
        }
    }

    fn build(self, extra: Vec<(String, String)>) -> Response<ResponseBody> {
        let mut r = Response::new(self.body);
        *r.status_mut() =
            StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let h = r.headers_mut();
        for (k, v) in self.headers {
            if let Ok(v) = HeaderValue::from_str(&v) {
                h.append(k, v);
            }
        }
        for (k, v) in extra {
            if let (Ok(k), Ok(v)) = (
                http::HeaderName::from_bytes(k.as_bytes()),
                HeaderValue::from_str(&v),
            ) {
                h.append(k, v);
            }
        }
        r
    }
}

fn http_date(ms: i64) -> String {
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms.max(0) as u64);
    httpdate::fmt_http_date(t)
}

fn quoted(etag: &str) -> String {
    format!("\"{etag}\"")
}

fn checksum_headers(r: Resp, c: &Option<StoredChecksum>) -> Resp {
    match c
        .as_ref()
        .and_then(|c| Algorithm::parse(&c.algorithm).map(|a| (a, c)))
    {
        Some((a, c)) => r
            .header(a.header(), c.value.clone())
            .header("x-amz-checksum-type", c.kind.clone()),
        None => r,
    }
}

/// The encryption headers of a response about `rec` (reference §7); `context` adds the
/// encryption context (PUT, copy, CreateMultipartUpload).
fn sse_headers(mut r: Resp, rec: Option<&SseRecord>, context: bool) -> Resp {
    let Some(rec) = rec else {
        return r;
    };
    r = r.opt("x-amz-server-side-encryption", rec.algorithm());
    if rec.is_kms() {
        r = r.opt(
            "x-amz-server-side-encryption-aws-kms-key-id",
            rec.key_arn.clone(),
        );
        if context {
            r = r.opt("x-amz-server-side-encryption-context", rec.context_b64());
        }
        if rec.bucket_key {
            r = r.header("x-amz-server-side-encryption-bucket-key-enabled", "true");
        }
    }
    if let Some(md5) = &rec.customer_md5 {
        r = r
            .header("x-amz-server-side-encryption-customer-algorithm", "AES256")
            .header("x-amz-server-side-encryption-customer-key-md5", md5.clone());
    }
    r
}

fn write_headers(r: Resp, w: &WriteOutput) -> Resp {
    let r = r
        .header("etag", quoted(&w.etag))
        .opt("x-amz-version-id", w.version_id.clone())
        .opt("x-amz-expiration", w.expiration.clone());
    let r = sse_headers(r, w.sse.as_ref(), true);
    checksum_headers(r, &w.checksum)
}

fn encryption_xml(e: &BucketEncryption) -> Bytes {
    let mut x = Xml::new("ServerSideEncryptionConfiguration");
    x.open("Rule")
        .open("ApplyServerSideEncryptionByDefault")
        .elem("SSEAlgorithm", &e.algorithm)
        .opt("KMSMasterKeyID", e.kms_key.as_ref())
        .close("ApplyServerSideEncryptionByDefault")
        .elem("BucketKeyEnabled", e.bucket_key.to_string())
        .close("Rule");
    x.finish("ServerSideEncryptionConfiguration")
}

/// An ACL as S3 shows it: group grants come before canonical-user grants, each kind in the
/// order it was set (clients such as ceph/s3-tests read a canned ACL's grants by position).
fn acl_xml(owner_: &crate::model::buckets::Owner, grants: &[Grant]) -> Bytes {
    let mut x = Xml::new("AccessControlPolicy");
    owner(&mut x, "Owner", owner_);
    x.open("AccessControlList");
    let groups = grants.iter().filter(|g| g.grantee_type == "Group");
    let others = grants.iter().filter(|g| g.grantee_type != "Group");
    for g in groups.chain(others) {
        xml_out::grant(&mut x, g);
    }
    x.close("AccessControlList");
    x.finish("AccessControlPolicy")
}

fn tags_xml(tags: &[(String, String)]) -> Bytes {
    let mut x = Xml::new("Tagging");
    x.open("TagSet");
    for (k, v) in tags {
        x.open("Tag").elem("Key", k).elem("Value", v).close("Tag");
    }
    x.close("TagSet");
    x.finish("Tagging")
}

fn object_headers(mut r: Resp, v: &ObjectVersion, show_version: bool) -> Resp {
    let m = &v.meta;
    r = r
        .header("etag", quoted(&v.etag))
        .header("last-modified", http_date(v.last_modified_ms))
        .header("accept-ranges", "bytes")
        .header(
            "content-type",
            m.content_type
                .clone()
                .unwrap_or_else(|| "binary/octet-stream".into()),
        )
        .opt("content-encoding", m.content_encoding.clone())
        .opt("content-disposition", m.content_disposition.clone())
        .opt("content-language", m.content_language.clone())
        .opt("cache-control", m.cache_control.clone())
        .opt("expires", m.expires.clone())
        .opt(
            "x-amz-website-redirect-location",
            m.website_redirect.clone(),
        )
        .opt("x-amz-storage-class", m.storage_class.clone());
    if show_version {
        r = r.header("x-amz-version-id", v.version_id.clone());
    }
    if !m.tags.is_empty() {
        r = r.header("x-amz-tagging-count", m.tags.len().to_string());
    }
    if let Some(l) = &m.lock {
        r.headers.extend(super::lock::response_headers(l));
    }
    sse_headers(r, m.sse.as_ref(), false)
}

fn object(o: ObjectOutput) -> Response<ResponseBody> {
    let v = &o.version;
    let mut r = object_headers(Resp::new(200), v, o.show_version);
    let len = match o.range {
        Some((a, b)) => {
            r.status = 206;
            r = r.header("content-range", format!("bytes {a}-{b}/{}", v.size));
            b - a + 1
        }
        None => v.size,
    };
    r = r
        .header("content-length", len.to_string())
        .opt("x-amz-mp-parts-count", o.parts_count.map(|n| n.to_string()))
        .opt("x-amz-expiration", o.expiration.clone());
    r = checksum_headers(r, &o.checksum);
    // response-* overrides replace the stored headers.
    r.headers
        .retain(|(k, _)| !o.overrides.iter().any(|(h, _)| h == k));
    for (h, val) in &o.overrides {
        r.headers.push((h, val.clone()));
    }
    r.body = o.body;
    let user: Vec<(String, String)> = v
        .meta
        .user
        .iter()
        .map(|(k, val)| (format!("x-amz-meta-{k}"), super::mime_words::encode(val)))
        .collect();
    r.build(user)
}

/// Encodes a successful result.
pub fn encode(out: Output) -> Response<ResponseBody> {
    let r = match out {
        Output::Empty { status } => Resp::new(status),
        Output::VersionedEmpty { status, version_id } => {
            Resp::new(status).opt("x-amz-version-id", version_id)
        }
        Output::Buckets {
            owner: o,
            buckets,
            continuation,
            prefix,
        } => {
            let mut x = Xml::new("ListAllMyBucketsResult");
            x.open("Buckets");
            for (name, created, region) in &buckets {
                x.open("Bucket")
                    .elem("Name", name)
                    .elem("CreationDate", timestamp(*created))
                    .elem("BucketRegion", region)
                    .close("Bucket");
            }
            x.close("Buckets");
            owner(&mut x, "Owner", &o);
            x.opt("ContinuationToken", continuation.as_ref());
            if !prefix.is_empty() {
                x.elem("Prefix", &prefix);
            }
            Resp::xml(x.finish("ListAllMyBucketsResult"))
        }
        Output::Created { location } => Resp::new(200).header("location", location),
        Output::BucketHead { region } => Resp::new(200).header("x-amz-bucket-region", region),
        Output::Location(region) => {
            let mut x = Xml::new("LocationConstraint");
            if let Some(r) = region {
                x.raw(&xml_out::escape(&r));
            }
            Resp::xml(x.finish("LocationConstraint"))
        }
        Output::Tags { tags, version_id } => {
            Resp::xml(tags_xml(&tags)).opt("x-amz-version-id", version_id)
        }
        Output::Policy(p) => Resp {
            status: 200,
            headers: vec![("content-type", "application/json".into())],
            body: ResponseBody::Full(Bytes::from(p)),
        },
        Output::Acl { owner: o, grants } => Resp::xml(acl_xml(&o, &grants)),
        Output::Ownership(o) => {
            let mut x = Xml::new("OwnershipControls");
            x.open("Rule").elem("ObjectOwnership", o).close("Rule");
            Resp::xml(x.finish("OwnershipControls"))
        }
        Output::PublicAccessBlock(p) => {
            let mut x = Xml::new("PublicAccessBlockConfiguration");
            x.elem("BlockPublicAcls", p.block_public_acls.to_string())
                .elem("IgnorePublicAcls", p.ignore_public_acls.to_string())
                .elem("BlockPublicPolicy", p.block_public_policy.to_string())
                .elem(
                    "RestrictPublicBuckets",
                    p.restrict_public_buckets.to_string(),
                );
            Resp::xml(x.finish("PublicAccessBlockConfiguration"))
        }
        Output::Encryption(e) => Resp::xml(encryption_xml(&e)),
        Output::Lifecycle(c) => Resp::xml(super::lifecycle::document(&c)).header(
            "x-amz-transition-default-minimum-object-size",
            c.transition_minimum,
        ),
        Output::LifecycleSet { transition_minimum } => Resp::new(200).header(
            "x-amz-transition-default-minimum-object-size",
            transition_minimum,
        ),
        Output::Logging(c) => Resp::xml(super::xml_logging::encode(c.as_ref())),
        Output::Cors(rules) => Resp::xml(xml_out::cors(&rules)),
        Output::PolicyStatus(public) => {
            let mut x = Xml::new("PolicyStatus");
            x.elem("IsPublic", public.to_string());
            Resp::xml(x.finish("PolicyStatus"))
        }
        Output::Versioning(status) => {
            let mut x = Xml::new("VersioningConfiguration");
            if !status.is_empty() {
                x.elem("Status", status);
            }
            Resp::xml(x.finish("VersioningConfiguration"))
        }
        Output::ObjectList(l) => Resp::xml(xml_out::object_list(&l)),
        Output::VersionList(l) => Resp::xml(xml_out::version_list(&l)),
        Output::UploadList(l) => Resp::xml(xml_out::upload_list(&l)),
        Output::PartList(l) => Resp::xml(xml_out::part_list(&l))
            .opt("x-amz-abort-date", l.abort.as_ref().map(|a| a.0.clone()))
            .opt("x-amz-abort-rule-id", l.abort.as_ref().map(|a| a.1.clone())),
        Output::Lock(l) => Resp::xml(super::lock::encode(&l)),
        Output::Deleted(d) => {
            let mut x = Xml::new("DeleteResult");
            if !d.quiet {
                for (key, vid, marker, marker_vid) in &d.deleted {
                    x.open("Deleted")
                        .elem("Key", key)
                        .opt("VersionId", vid.as_ref());
                    if *marker {
                        x.elem("DeleteMarker", "true")
                            .opt("DeleteMarkerVersionId", marker_vid.as_ref());
                    }
                    x.close("Deleted");
                }
            }
            for (key, vid, code, msg) in &d.errors {
                x.open("Error")
                    .elem("Key", key)
                    .opt("VersionId", vid.as_ref())
                    .elem("Code", code)
                    .elem("Message", msg)
                    .close("Error");
            }
            Resp::xml(x.finish("DeleteResult"))
        }
        Output::Written(w) => write_headers(Resp::new(200), &w),
        Output::Posted {
            status,
            redirect,
            bucket,
            key,
            write,
        } => {
            let location = format!("/{bucket}/{}", xml_out::url_encode(&key));
            let r = write_headers(Resp::new(status), &write).header("location", location.clone());
            match (status, redirect) {
                (_, Some(url)) => {
                    let sep = if url.contains('?') { '&' } else { '?' };
                    let target = format!(
                        "{url}{sep}bucket={}&key={}&etag={}",
                        xml_out::url_encode(&bucket),
                        xml_out::url_encode(&key),
                        xml_out::url_encode(&quoted(&write.etag))
                    );
                    let mut r = r;
                    r.status = 303;
                    r.headers.retain(|(k, _)| *k != "location");
                    r.header("location", target)
                }
                (201, None) => {
                    let mut x = Xml::bare("PostResponse");
                    x.elem("Location", &location)
                        .elem("Bucket", &bucket)
                        .elem("Key", &key)
                        .elem("ETag", quoted(&write.etag));
                    let mut resp = Resp::xml(x.finish("PostResponse"));
                    resp.status = 201;
                    resp.headers.extend(r.headers);
                    resp
                }
                _ => r,
            }
        }
        Output::Object(o) => return object(*o),
        Output::ObjectDeleted {
            version_id,
            delete_marker,
        } => Resp::new(204)
            .opt("x-amz-version-id", version_id)
            .opt("x-amz-delete-marker", delete_marker.then_some("true")),
        Output::Copied {
            etag,
            last_modified_ms,
            version_id,
            source_version_id,
            checksum,
            part,
            sse,
            expiration,
        } => {
            let root = if part {
                "CopyPartResult"
            } else {
                "CopyObjectResult"
            };
            let mut x = Xml::new(root);
            x.elem("ETag", quoted(&etag))
                .elem("LastModified", timestamp(last_modified_ms));
            if let Some(c) = &checksum {
                if let Some(a) = Algorithm::parse(&c.algorithm) {
                    if !part {
                        x.elem("ChecksumType", &c.kind);
                    }
                    x.elem(a.xml_name(), &c.value);
                }
            }
            let r = Resp::xml(x.finish(root))
                .opt("x-amz-version-id", version_id)
                .opt("x-amz-copy-source-version-id", source_version_id)
                .opt("x-amz-expiration", expiration);
            sse_headers(r, sse.as_ref(), !part)
        }
        Output::Attributes(a) => {
            let v = &a.version;
            let want = |n: &str| a.attributes.iter().any(|x| x == n);
            let mut x = Xml::new("GetObjectAttributesResponse");
            if want("ETag") {
                x.elem("ETag", &v.etag);
            }
            if want("Checksum") {
                if let Some(c) = &v.meta.checksum {
                    if let Some(alg) = Algorithm::parse(&c.algorithm) {
                        x.open("Checksum")
                            .elem(alg.xml_name(), &c.value)
                            .elem("ChecksumType", &c.kind)
                            .close("Checksum");
                    }
                }
            }
            if want("ObjectParts") && v.meta.parts_count.is_some() {
                // TotalPartsCount goes on the wire as <PartsCount> (its xmlName in the S3 model).
                x.open("ObjectParts")
                    .elem("PartsCount", v.meta.parts_count.unwrap_or(0).to_string())
                    .elem("PartNumberMarker", a.part_marker.to_string())
                    .elem(
                        "NextPartNumberMarker",
                        a.parts.last().map_or(0, |p| p.0).to_string(),
                    )
                    .elem("MaxParts", a.max_parts.to_string())
                    .elem("IsTruncated", a.parts_truncated.to_string());
                for (n, size, c) in &a.parts {
                    x.open("Part")
                        .elem("PartNumber", n.to_string())
                        .elem("Size", size.to_string());
                    if let Some(c) = c {
                        if let Some(alg) = Algorithm::parse(&c.algorithm) {
                            x.elem(alg.xml_name(), &c.value);
                        }
                    }
                    x.close("Part");
                }
                x.close("ObjectParts");
            }
            if want("StorageClass") {
                x.elem(
                    "StorageClass",
                    v.meta.storage_class.as_deref().unwrap_or("STANDARD"),
                );
            }
            if want("ObjectSize") {
                x.elem("ObjectSize", v.size.to_string());
            }
            let r = Resp::xml(x.finish("GetObjectAttributesResponse"))
                .header("last-modified", http_date(v.last_modified_ms));
            if a.show_version {
                r.header("x-amz-version-id", v.version_id.clone())
            } else {
                r
            }
        }
        Output::UploadCreated {
            bucket,
            key,
            upload_id,
            checksum,
            checksum_type,
            sse,
            abort,
        } => {
            let mut x = Xml::new("InitiateMultipartUploadResult");
            x.elem("Bucket", bucket)
                .elem("Key", key)
                .elem("UploadId", upload_id);
            let r = Resp::xml(x.finish("InitiateMultipartUploadResult"));
            sse_headers(r, sse.as_ref(), true)
                .opt(
                    "x-amz-checksum-algorithm",
                    checksum.map(|a| a.name().to_string()),
                )
                .opt("x-amz-checksum-type", checksum_type)
                .opt("x-amz-abort-date", abort.as_ref().map(|a| a.0.clone()))
                .opt("x-amz-abort-rule-id", abort.map(|a| a.1))
        }
        Output::Completed { bucket, key, write } => {
            let mut x = Xml::new("CompleteMultipartUploadResult");
            x.elem(
                "Location",
                format!("/{bucket}/{}", xml_out::url_encode(&key)),
            )
            .elem("Bucket", &bucket)
            .elem("Key", &key)
            .elem("ETag", quoted(&write.etag));
            if let Some(c) = &write.checksum {
                if let Some(a) = Algorithm::parse(&c.algorithm) {
                    x.elem(a.xml_name(), &c.value).elem("ChecksumType", &c.kind);
                }
            }
            sse_headers(
                Resp::xml(x.finish("CompleteMultipartUploadResult")),
                write.sse.as_ref(),
                false,
            )
            .opt("x-amz-version-id", write.version_id)
            .opt("x-amz-expiration", write.expiration)
        }
    };
    r.build(Vec::new())
}

/// Encodes an error as S3's XML `<Error>` (HEAD responses carry no body).
pub fn encode_error(
    err: &S3Error,
    request_id: &str,
    resource: &str,
    head: bool,
) -> Response<ResponseBody> {
    let mut r = Resp::new(err.status());
    match err {
        S3Error::DeleteMarker { version_id, .. } => {
            r = r
                .header("x-amz-delete-marker", "true")
                .header("x-amz-version-id", version_id.clone());
        }
        S3Error::DeleteMarkerVersion { version_id, .. } => {
            r = r
                .header("x-amz-delete-marker", "true")
                .header("x-amz-version-id", version_id.clone());
        }
        S3Error::MethodNotAllowed { .. } => r = r.header("allow", "GET, PUT, HEAD, DELETE, POST"),
        S3Error::NotModified {
            etag,
            last_modified_ms,
        } => {
            r = r
                .header("etag", format!("\"{etag}\""))
                .header("last-modified", http_date(*last_modified_ms));
        }
        _ => {}
    }
    if head || matches!(err, S3Error::NotModified { .. }) {
        return r.build(Vec::new());
    }
    let mut x = Xml::bare("Error");
    x.elem("Code", err.code()).elem("Message", err.message());
    for (k, v) in err.details() {
        x.elem(k, v);
    }
    x.elem("Resource", resource).elem("RequestId", request_id);
    let mut resp = Resp::xml(x.finish("Error"));
    resp.status = r.status;
    resp.headers.extend(r.headers);
    resp.build(Vec::new())
}
