//! HTTP request -> [`Op`]: routing by method, address and sub-resource, then reading the
//! headers, query and (for XML operations) the body into the operation's typed input.

use super::headers::{self as hdr, get};
use super::{address, copy_source, sse, xml_in, Request};
use crate::checksum::Algorithm;
use crate::error::{S3Error, S3Result};
use crate::op::*;
use bytes::Bytes;
use futures_util::StreamExt;
use http::Method;
use trailstack_core::BodyFrame;

/// Largest XML request body accepted.
const MAX_XML: usize = 1024 * 1024;
/// Largest CORS configuration S3 accepts (PutBucketCors: "limited to 64 KB in size").
const MAX_CORS: usize = 64 * 1024;

/// Bucket sub-resources S3 has that trailstack does not serve yet; they answer NotImplemented.
const UNSERVED_BUCKET: [&str; 11] = [
    "website",
    "notification",
    "replication",
    "accelerate",
    "requestPayment",
    "analytics",
    "metrics",
    "inventory",
    "intelligent-tiering",
    "metadataTable",
    "session",
];
/// Object sub-resources not served yet.
const UNSERVED_OBJECT: [&str; 4] = ["torrent", "restore", "select", "renameObject"];

struct Query(Vec<(String, String)>);

impl Query {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }
    fn string(&self, name: &str) -> String {
        self.get(name).unwrap_or_default().to_string()
    }
    /// A listing's `delimiter`; an empty one is none.
    fn delimiter(&self) -> Option<String> {
        self.get("delimiter")
            .filter(|d| !d.is_empty())
            .map(str::to_string)
    }
    fn number<T: std::str::FromStr>(&self, name: &str, default: T) -> S3Result<T> {
        match self.get(name) {
            None => Ok(default),
            Some(v) => v.parse().map_err(|_| S3Error::InvalidArgument {
                message: format!("Provided {name} not an integer or within integer range"),
                name: name.to_string(),
                value: v.to_string(),
            }),
        }
    }
}

async fn collect(req: &mut Request, limit: usize) -> S3Result<Bytes> {
    let mut out = Vec::new();
    while let Some(frame) = req.body.next().await {
        match frame {
            Ok(BodyFrame::Data(d)) => {
                if out.len() + d.len() > limit {
                    return Err(S3Error::MalformedXml);
                }
                out.extend_from_slice(&d);
            }
            Ok(BodyFrame::Trailers(_)) => {}
            Err(e) if e.kind == trailstack_core::BodyErrorKind::SignatureDoesNotMatch => {
                return Err(S3Error::ChunkSignatureDoesNotMatch)
            }
            Err(e) if e.kind == trailstack_core::BodyErrorKind::ContentSha256Mismatch => {
                let (client, computed) = e.message.split_once(' ').unwrap_or((&e.message, ""));
                return Err(S3Error::ContentSha256Mismatch {
                    client: client.into(),
                    computed: computed.into(),
                });
            }
            Err(e) => return Err(S3Error::IncompleteBody(e.message)),
        }
    }
    if let Some(md5) = get(&req.headers, "content-md5") {
        let mut m = crate::checksum::Md5::new();
        m.update(&out);
        match crate::checksum::unb64(&md5) {
            Some(d) if d.len() == 16 => {
                if d != m.finish() {
                    return Err(S3Error::BadDigest(
                        "The Content-MD5 you specified did not match what we received.".into(),
                    ));
                }
            }
            _ => {
                return Err(S3Error::InvalidDigest(
                    "The Content-MD5 you specified was not valid.".into(),
                ))
            }
        }
    }
    Ok(Bytes::from(out))
}

/// The integrity check some bucket settings require: `Content-MD5`, or (as the SDKs send now)
/// an `x-amz-checksum-*` header.
fn require_integrity(req: &Request) -> S3Result<()> {
    if get(&req.headers, "content-md5").is_none() && hdr::checksum(&req.headers)?.is_none() {
        return Err(S3Error::InvalidRequest(
            "Missing required header for this request: Content-MD5".into(),
        ));
    }
    Ok(())
}

fn payload(req: &mut Request) -> S3Result<Payload> {
    let body = std::mem::replace(&mut req.body, Box::pin(futures_util::stream::empty()));
    Ok(Payload {
        body,
        declared_len: hdr::declared_len(&req.headers)?,
        content_md5: get(&req.headers, "content-md5"),
        checksum: hdr::checksum(&req.headers)?,
    })
}

fn checksum_algorithm(req: &Request) -> S3Result<Option<Algorithm>> {
    match get(&req.headers, "x-amz-checksum-algorithm") {
        None => Ok(None),
        Some(a) => Algorithm::parse(&a).map(Some).ok_or_else(|| S3Error::InvalidRequest(
            "Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]".into(),
        )),
    }
}

fn acl_input(req: &Request, body: &[u8]) -> S3Result<AclInput> {
    let canned = get(&req.headers, "x-amz-acl");
    let grants = super::grants::from_headers(&req.headers)?;
    super::grants::not_both(canned.as_deref(), &grants)?;
    if let Some(c) = canned {
        return Ok(AclInput::Canned(c));
    }
    if !grants.is_empty() {
        return Ok(AclInput::Grants {
            owner: None,
            grants,
        });
    }
    let (owner, grants) = xml_in::acl(body)?;
    Ok(AclInput::Grants { owner, grants })
}

/// CreateBucket. Grant headers are refused: the bucket's ACL beyond a canned one is set with
/// PutBucketAcl. (Kept out of [`parse`], whose future is already large.)
fn create_bucket(req: &Request, bucket: String, body: &[u8]) -> S3Result<Op> {
    if !super::grants::from_headers(&req.headers)?.is_empty() {
        return Err(S3Error::NotImplemented(
            "x-amz-grant-* headers on CreateBucket (set them with PutBucketAcl)".into(),
        ));
    }
    Ok(Op::CreateBucket {
        bucket,
        location: xml_in::location_constraint(body)?,
        acl: get(&req.headers, "x-amz-acl"),
        ownership: get(&req.headers, "x-amz-object-ownership"),
        object_lock: super::lock::enabled_at_creation(&req.headers),
    })
}

/// Turns a request into an operation. `host` is the Host header, for virtual-hosted addressing.
pub async fn parse(mut req: Request, host: &str) -> S3Result<Op> {
    if !super::path_is_utf8(&req.raw_path) {
        return Err(S3Error::InvalidUri);
    }
    let (bucket, key) = address(host, &req.raw_path);
    let q = Query(std::mem::take(&mut req.query));
    let m = req.method.clone();
    let Some(bucket) = bucket else {
        return match m {
            Method::GET => Ok(Op::ListBuckets {
                prefix: q.string("prefix"),
                max_buckets: q
                    .get("max-buckets")
                    .map(|_| q.number("max-buckets", 0usize))
                    .transpose()?,
                continuation: q.get("continuation-token").map(str::to_string),
                region: q.get("bucket-region").map(str::to_string),
            }),
            _ => Err(S3Error::NotImplemented(format!("{m} /"))),
        };
    };
    match key {
        None => bucket_op(req, q, bucket).await,
        Some(key) => object_op(req, q, ObjectRef { bucket, key }).await,
    }
}

async fn bucket_op(mut req: Request, q: Query, bucket: String) -> S3Result<Op> {
    if let Some(sub) = UNSERVED_BUCKET.iter().find(|s| q.has(s)) {
        return Err(S3Error::NotImplemented(format!("{} ?{sub}", req.method)));
    }
    if q.has("logging") && !matches!(req.method, Method::GET | Method::PUT) {
        return Err(S3Error::NotImplemented(format!("{} ?logging", req.method)));
    }
    let b = bucket;
    if q.has("object-lock") {
        let body = collect(&mut req, MAX_XML).await?;
        return super::lock::bucket_op(&req.method, &req.headers, b, &body);
    }
    Ok(match req.method {
        Method::GET if q.has("acl") => Op::GetBucketAcl { bucket: b },
        Method::GET if q.has("location") => Op::GetBucketLocation { bucket: b },
        Method::GET if q.has("tagging") => Op::GetBucketTagging { bucket: b },
        Method::GET if q.has("policy") => Op::GetBucketPolicy { bucket: b },
        Method::GET if q.has("versioning") => Op::GetBucketVersioning { bucket: b },
        Method::GET if q.has("encryption") => Op::GetBucketEncryption { bucket: b },
        Method::GET if q.has("logging") => Op::GetBucketLogging { bucket: b },
        Method::GET if q.has("ownershipControls") => Op::GetBucketOwnershipControls { bucket: b },
        Method::GET if q.has("publicAccessBlock") => Op::GetPublicAccessBlock { bucket: b },
        Method::GET if q.has("lifecycle") => Op::GetBucketLifecycleConfiguration { bucket: b },
        Method::GET if q.has("cors") => Op::GetBucketCors { bucket: b },
        Method::GET if q.has("policyStatus") => Op::GetBucketPolicyStatus { bucket: b },
        Method::GET if q.has("versions") => Op::ListObjectVersions(ListVersionsInput {
            bucket: b,
            prefix: q.string("prefix"),
            delimiter: q.delimiter(),
            max_keys: q.number("max-keys", 1000usize)?,
            key_marker: q.string("key-marker"),
            version_id_marker: q.string("version-id-marker"),
            encode_url: encoding(&q)?,
        }),
        Method::GET if q.has("uploads") => Op::ListMultipartUploads(ListUploadsInput {
            bucket: b,
            prefix: q.string("prefix"),
            delimiter: q.delimiter(),
            max_uploads: q.number("max-uploads", 1000usize)?,
            key_marker: q.string("key-marker"),
            upload_id_marker: q.string("upload-id-marker"),
            encode_url: encoding(&q)?,
        }),
        Method::GET => {
            let v2 = q.get("list-type") == Some("2");
            if let Some(lt) = q.get("list-type").filter(|t| *t != "2") {
                return Err(S3Error::InvalidArgument {
                    message: "Invalid List Type".into(),
                    name: "list-type".into(),
                    value: lt.into(),
                });
            }
            Op::ListObjects(ListObjectsInput {
                bucket: b,
                v2,
                prefix: q.string("prefix"),
                delimiter: q.delimiter(),
                max_keys: q.number("max-keys", 1000usize)?,
                start_after: if v2 {
                    q.string("start-after")
                } else {
                    q.string("marker")
                },
                continuation_token: q.get("continuation-token").map(str::to_string),
                encode_url: encoding(&q)?,
                fetch_owner: !v2 || q.get("fetch-owner") == Some("true"),
            })
        }
        Method::HEAD => Op::HeadBucket { bucket: b },
        Method::PUT => {
            let body = collect(&mut req, MAX_XML).await?;
            if q.has("acl") {
                Op::PutBucketAcl {
                    bucket: b,
                    acl: acl_input(&req, &body)?,
                }
            } else if q.has("tagging") {
                Op::PutBucketTagging {
                    bucket: b,
                    tags: xml_in::tagging(&body)?,
                }
            } else if q.has("policy") {
                let policy = String::from_utf8(body.to_vec()).map_err(|_| {
                    S3Error::MalformedPolicy(
                        "Policies must be valid JSON and the first byte must be '{'".into(),
                    )
                })?;
                Op::PutBucketPolicy { bucket: b, policy }
            } else if q.has("encryption") {
                require_integrity(&req)?;
                Op::PutBucketEncryption {
                    bucket: b,
                    config: xml_in::encryption(&body)?,
                }
            } else if q.has("lifecycle") {
                super::lifecycle::put(&req.headers, b, &body)?
            } else if q.has("logging") {
                Op::PutBucketLogging {
                    bucket: b,
                    config: super::xml_logging::parse(&body)?,
                }
            } else if q.has("cors") {
                require_integrity(&req)?;
                if body.len() > MAX_CORS {
                    return Err(S3Error::MalformedXml);
                }
                Op::PutBucketCors {
                    bucket: b,
                    rules: xml_in::cors(&body)?,
                }
            } else if q.has("versioning") {
                Op::PutBucketVersioning {
                    bucket: b,
                    status: xml_in::versioning(&body)?,
                }
            } else if q.has("ownershipControls") {
                Op::PutBucketOwnershipControls {
                    bucket: b,
                    ownership: xml_in::ownership(&body)?,
                }
            } else if q.has("publicAccessBlock") {
                Op::PutPublicAccessBlock {
                    bucket: b,
                    config: xml_in::public_access_block(&body)?,
                }
            } else {
                create_bucket(&req, b, &body)?
            }
        }
        Method::DELETE if q.has("tagging") => Op::DeleteBucketTagging { bucket: b },
        Method::DELETE if q.has("policy") => Op::DeleteBucketPolicy { bucket: b },
        Method::DELETE if q.has("encryption") => Op::DeleteBucketEncryption { bucket: b },
        Method::DELETE if q.has("lifecycle") => Op::DeleteBucketLifecycle { bucket: b },
        Method::DELETE if q.has("ownershipControls") => {
            Op::DeleteBucketOwnershipControls { bucket: b }
        }
        Method::DELETE if q.has("publicAccessBlock") => Op::DeletePublicAccessBlock { bucket: b },
        Method::DELETE if q.has("cors") => Op::DeleteBucketCors { bucket: b },
        Method::DELETE => Op::DeleteBucket { bucket: b },
        Method::POST if q.has("delete") => {
            let body = collect(&mut req, MAX_XML * 4).await?;
            let (quiet, objects) = xml_in::delete(&body)?;
            Op::DeleteObjects {
                bucket: b,
                quiet,
                objects,
                bypass_governance: super::lock::bypass(&req.headers),
            }
        }
        m => return Err(S3Error::NotImplemented(format!("{m} on a bucket"))),
    })
}

fn encoding(q: &Query) -> S3Result<bool> {
    match q.get("encoding-type") {
        None => Ok(false),
        Some("url") => Ok(true),
        Some(other) => Err(S3Error::InvalidArgument {
            message: "Invalid Encoding Method specified in Request".into(),
            name: "encoding-type".into(),
            value: other.into(),
        }),
    }
}

fn version_id(q: &Query) -> Option<String> {
    q.get("versionId").map(str::to_string)
}

async fn object_op(mut req: Request, q: Query, obj: ObjectRef) -> S3Result<Op> {
    if let Some(sub) = UNSERVED_OBJECT.iter().find(|s| q.has(s)) {
        return Err(S3Error::NotImplemented(format!("{} ?{sub}", req.method)));
    }
    if q.has("retention") || q.has("legal-hold") {
        let body = collect(&mut req, MAX_XML).await?;
        let (m, h) = (&req.method, &req.headers);
        return super::lock::object_op(m, h, obj, version_id(&q), q.has("retention"), &body);
    }
    Ok(match req.method {
        Method::GET if q.has("tagging") => Op::GetObjectTagging {
            obj,
            version_id: version_id(&q),
        },
        Method::GET if q.has("acl") => Op::GetObjectAcl {
            obj,
            version_id: version_id(&q),
        },
        Method::GET if q.has("attributes") => Op::GetObjectAttributes {
            obj,
            version_id: version_id(&q),
            attributes: req
                .headers
                .get_all("x-amz-object-attributes")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
            max_parts: get(&req.headers, "x-amz-max-parts").and_then(|v| v.parse().ok()),
            part_marker: get(&req.headers, "x-amz-part-number-marker")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0),
            customer: sse::customer(&req.headers, sse::CUSTOMER)?,
        },
        Method::GET if q.has("uploadId") => Op::ListParts {
            obj,
            upload_id: q.string("uploadId"),
            max_parts: q.number("max-parts", 1000usize)?,
            part_marker: q.number("part-number-marker", 0u32)?,
        },
        Method::GET | Method::HEAD => {
            const OVERRIDES: [(&str, &str); 6] = [
                ("response-content-type", "content-type"),
                ("response-content-language", "content-language"),
                ("response-expires", "expires"),
                ("response-cache-control", "cache-control"),
                ("response-content-disposition", "content-disposition"),
                ("response-content-encoding", "content-encoding"),
            ];
            let input = GetObjectInput {
                obj,
                version_id: version_id(&q),
                range: hdr::range(&req.headers),
                range_raw: get(&req.headers, "range").unwrap_or_default(),
                part_number: q
                    .get("partNumber")
                    .map(|_| q.number("partNumber", 0u32))
                    .transpose()?,
                conditions: hdr::conditions(&req.headers, ""),
                overrides: OVERRIDES
                    .iter()
                    .filter_map(|(p, h)| q.get(p).map(|v| (*h, v.to_string())))
                    .collect(),
                checksum_mode: get(&req.headers, "x-amz-checksum-mode")
                    .is_some_and(|v| v.eq_ignore_ascii_case("ENABLED")),
                customer: sse::customer(&req.headers, sse::CUSTOMER)?,
            };
            sse::check_read(&req.headers)?;
            if req.method == Method::HEAD {
                Op::HeadObject(input)
            } else {
                Op::GetObject(input)
            }
        }
        Method::PUT if q.has("tagging") => {
            let body = collect(&mut req, MAX_XML).await?;
            Op::PutObjectTagging {
                obj,
                version_id: version_id(&q),
                tags: xml_in::tagging(&body)?,
            }
        }
        Method::PUT if q.has("acl") => {
            let body = collect(&mut req, MAX_XML).await?;
            Op::PutObjectAcl {
                obj,
                version_id: version_id(&q),
                acl: acl_input(&req, &body)?,
            }
        }
        Method::PUT if q.has("uploadId") || q.has("partNumber") => {
            let upload_id = q.string("uploadId");
            let part_number = q.number("partNumber", 0u32)?;
            match copy_source::copy_source(&req)? {
                Some(source) => Op::UploadPartCopy(PartCopyInput {
                    obj,
                    upload_id,
                    part_number,
                    source,
                    range: copy_source::copy_range(&req)?,
                    customer: sse::customer(&req.headers, sse::CUSTOMER)?,
                }),
                None => Op::UploadPart {
                    obj,
                    upload_id,
                    part_number,
                    customer: sse::customer(&req.headers, sse::CUSTOMER)?,
                    upload: payload(&mut req)?,
                },
            }
        }
        Method::PUT => match copy_source::copy_source(&req)? {
            Some(source) => {
                let h = &req.headers;
                let directive = |name: &str| -> S3Result<bool> {
                    match get(h, name).as_deref() {
                        None | Some("COPY") => Ok(false),
                        Some("REPLACE") => Ok(true),
                        Some(v) => Err(S3Error::InvalidArgument {
                            message: format!("Unknown {name}"),
                            name: name.into(),
                            value: v.into(),
                        }),
                    }
                };
                let new = hdr::new_object(h)?;
                let changes_object = new.meta.storage_class.is_some()
                    || get(h, "x-amz-storage-class").is_some()
                    || new.meta.website_redirect.is_some()
                    || new.sse.is_some();
                Op::CopyObject(CopyObjectInput {
                    obj,
                    source,
                    replace_metadata: directive("x-amz-metadata-directive")?,
                    metadata_directive_given: get(h, "x-amz-metadata-directive").is_some(),
                    replace_tags: directive("x-amz-tagging-directive")?,
                    new,
                    changes_object,
                    checksum: checksum_algorithm(&req)?,
                    if_none_match: get(h, "if-none-match"),
                    if_match: get(h, "if-match"),
                })
            }
            None => {
                if req.headers.get("content-length").is_none()
                    && req.headers.get("x-amz-decoded-content-length").is_none()
                    && req.headers.get("transfer-encoding").is_none()
                {
                    return Err(S3Error::MissingContentLength);
                }
                let new = hdr::new_object(&req.headers)?;
                Op::PutObject {
                    if_none_match: get(&req.headers, "if-none-match"),
                    if_match: get(&req.headers, "if-match"),
                    upload: payload(&mut req)?,
                    obj,
                    new,
                }
            }
        },
        Method::DELETE if q.has("tagging") => Op::DeleteObjectTagging {
            obj,
            version_id: version_id(&q),
        },
        Method::DELETE if q.has("uploadId") => Op::AbortMultipartUpload {
            obj,
            upload_id: q.string("uploadId"),
        },
        Method::DELETE => Op::DeleteObject {
            obj,
            version_id: version_id(&q),
            bypass_governance: super::lock::bypass(&req.headers),
        },
        Method::POST if q.has("uploads") => Op::CreateMultipartUpload {
            new: hdr::new_object(&req.headers)?,
            checksum: checksum_algorithm(&req)?,
            checksum_type: get(&req.headers, "x-amz-checksum-type"),
            obj,
        },
        Method::POST if q.has("uploadId") => {
            let body = collect(&mut req, MAX_XML * 4).await?;
            Op::CompleteMultipartUpload {
                obj,
                upload_id: q.string("uploadId"),
                parts: xml_in::complete(&body)?,
                if_none_match: get(&req.headers, "if-none-match"),
                if_match: get(&req.headers, "if-match"),
                // Taken as sent: a composite value carries its `-N` suffix.
                checksum: Algorithm::ALL
                    .into_iter()
                    .find_map(|a| get(&req.headers, a.header()).map(|v| (a, v))),
                customer: sse::customer(&req.headers, sse::CUSTOMER)?,
            }
        }
        m => return Err(S3Error::NotImplemented(format!("{m} on an object"))),
    })
}
