//! S3 as the `ObjectWriter` port CloudTrail delivers through: a log or digest file becomes a
//! PutObject entering [`S3::call`] like any HTTP request — authorized, encrypted by the rules of
//! ARCHITECTURE.md §5 for CloudTrail's writes, and recorded — and bucket facts come from the bucket
//! table. No CloudTrail types live here.

use crate::logging::record::{encode_key, AccessRecord};
use crate::model::buckets;
use crate::op::{NewObject, ObjectRef, Op, Output, Payload};
use crate::sse::{SseRequest, Writer};
use crate::S3;
use bytes::Bytes;
use trailstack_core::{
    AccountId, BucketInfo, Caller, ObjectError, ObjectFuture, ObjectWriter, Principal,
    PutObjectRequest, PutObjectResult,
};

/// CloudTrail's digest files: always SSE-S3 whatever the trail says (ARCHITECTURE.md §5). Their keys
/// are the only place the writer's kind shows, so it is read from the path AWS gives them.
fn writer_for(key: &str) -> Writer {
    if key.contains("/CloudTrail-Digest/") {
        Writer::CloudTrailDigest
    } else {
        Writer::CloudTrailLog
    }
}

/// The access log record of a file a service delivered through [`ObjectWriter`]: a signed
/// `REST.PUT.OBJECT` whose requester is the service (`svc:cloudtrail.amazonaws.com`).
fn delivery_record(
    caller: &Caller,
    obj: ObjectRef,
    len: u64,
    (time, started): (time::OffsetDateTime, std::time::Instant),
    result: &crate::S3Result<Output>,
) -> AccessRecord {
    let elapsed = started.elapsed().as_millis() as u64;
    let (status, error_code, version_id) = match result {
        Ok(Output::Written(w)) => (200, None, w.version_id.clone()),
        Ok(_) => (200, None, None),
        Err(e) => (e.status(), Some(e.code().to_string()), None),
    };
    let service = match &caller.principal {
        Principal::Service(s) => format!("svc:{s}"),
        _ => caller.arn(),
    };
    AccessRecord {
        request_uri: Some(format!(
            "PUT /{}/{} HTTP/1.1",
            obj.bucket,
            encode_key(&obj.key)
        )),
        host_header: Some(format!("{}.s3.{}.amazonaws.com", obj.bucket, caller.region)),
        bucket: obj.bucket,
        key: Some(obj.key),
        time: Some(time),
        requester: Some(service),
        request_id: caller.request_id.clone(),
        operation: "REST.PUT.OBJECT".into(),
        status: Some(status),
        error_code,
        object_size: Some(len),
        total_ms: Some(elapsed),
        turnaround_ms: Some(elapsed),
        user_agent: Some(caller.user_agent.clone()),
        version_id,
        signature_version: Some("SigV4"),
        auth_type: Some("AuthHeader"),
        ..AccessRecord::default()
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
            let upload = Payload::whole(Bytes::from(request.body));
            let obj = ObjectRef::new(request.bucket, request.key);
            let op = Op::put_object(obj.clone(), upload, new);
            let started = (self.clock.now(), std::time::Instant::now());
            let result = self.call(caller, op).await;
            // A delivery is a request on the bucket like any other: its access log has it.
            let record = delivery_record(caller, obj, len, started, &result);
            if let Err(e) = self.record_access(record).await {
                return Err(ObjectError {
                    code: e.code().to_string(),
                    message: e.to_string(),
                });
            }
            match result {
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
