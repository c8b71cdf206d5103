//! S3 as the `ObjectWriter` port CloudTrail delivers through: a log or digest file becomes a
//! PutObject entering [`S3::call`] like any HTTP request — authorized, encrypted by the rules of
//! design.md §5 for CloudTrail's writes, and recorded — and bucket facts come from the bucket
//! table. No CloudTrail types live here.

use crate::model::buckets;
use crate::op::{NewObject, ObjectRef, Op, Output, Payload};
use crate::sse::{SseRequest, Writer};
use crate::S3;
use bytes::Bytes;
use trailstack_core::{
    AccountId, BodyFrame, BucketInfo, Caller, ObjectError, ObjectFuture, ObjectWriter,
    PutObjectRequest, PutObjectResult,
};

/// CloudTrail's digest files: always SSE-S3 whatever the trail says (design.md §5). Their keys
/// are the only place the writer's kind shows, so it is read from the path AWS gives them.
fn writer_for(key: &str) -> Writer {
    if key.contains("/CloudTrail-Digest/") {
        Writer::CloudTrailDigest
    } else {
        Writer::CloudTrailLog
    }
}

impl ObjectWriter for S3 {
    fn put_object<'a>(
        &'a self,
        caller: &'a Caller,
        request: PutObjectRequest,
    ) -> ObjectFuture<'a, PutObjectResult> {
        Box::pin(async move {
            let mut new = NewObject {
                meta: Default::default(),
                acl: request.acl,
                grants: Vec::new(),
                sse: Some(SseRequest::stated(request.sse)),
                sse_rejected: None,
                writer: writer_for(&request.key),
            };
            new.meta.content_type = request.content_type;
            new.meta.content_encoding = request.content_encoding;
            new.meta.user = request.metadata.into_iter().collect();
            let len = request.body.len() as u64;
            let body = Bytes::from(request.body);
            let upload = Payload {
                body: Box::pin(futures_util::stream::once(async move {
                    Ok(BodyFrame::Data(body))
                })),
                declared_len: Some(len),
                content_md5: None,
                checksum: None,
            };
            let op = Op::PutObject {
                obj: ObjectRef {
                    bucket: request.bucket,
                    key: request.key,
                },
                upload,
                new,
                if_none_match: None,
                if_match: None,
            };
            match self.call(caller, op).await {
                Ok(Output::Written(w)) => Ok(PutObjectResult {
                    etag: format!("\"{}\"", w.etag),
                    version_id: w.version_id,
                    sse: w
                        .sse
                        .as_ref()
                        .and_then(|r| r.algorithm())
                        .unwrap_or("AES256")
                        .to_string(),
                    kms_key_arn: w.sse.and_then(|r| r.key_arn),
                }),
                Ok(other) => Err(ObjectError {
                    code: "InternalError".into(),
                    message: format!("unexpected PutObject output {other:?}"),
                }),
                Err(e) => Err(ObjectError {
                    code: e.code().to_string(),
                    message: e.to_string(),
                }),
            }
        })
    }

    fn bucket_info<'a>(&'a self, bucket: &'a str) -> ObjectFuture<'a, Option<BucketInfo>> {
        Box::pin(async move {
            let name = bucket.to_string();
            let found = self
                .read(move |c| buckets::get(c, &name))
                .await
                .map_err(|e| ObjectError {
                    code: e.code().to_string(),
                    message: e.to_string(),
                })?;
            let Some(b) = found else { return Ok(None) };
            let owner = AccountId::parse(&b.account).map_err(|e| ObjectError {
                code: "InternalError".into(),
                message: e.to_string(),
            })?;
            Ok(Some(BucketInfo {
                owner,
                region: b.region,
                policy: b.meta.policy,
            }))
        })
    }
}
