//! Read-only queries for `trailstack explain`: a bucket's record, an object's current version
//! (with the encryption decision and writer recorded when it was written), the buckets whose
//! default encryption names a KMS key, and a whole object's bytes read as a caller would read
//! them. Nothing here changes state or knows about the other services; the server composes
//! the answers.

use crate::error::{S3Error, S3Result};
use crate::model::buckets::{self, Bucket};
use crate::model::objects::{self, ObjectVersion};
use crate::op::{GetObjectInput, ObjectRef, Op, Output};
use crate::S3;
use futures_util::StreamExt;
use trailstack_core::{Caller, ResponseBody};

/// Largest object [`S3::read_object`] reads into memory: CloudTrail log and digest files are a
/// few MB at most.
pub const MAX_READ: u64 = 64 * 1024 * 1024;

impl S3 {
    /// The bucket `name`, if it exists.
    pub async fn bucket_record(&self, name: &str) -> S3Result<Option<Bucket>> {
        let name = name.to_string();
        self.read(move |c| buckets::get(c, &name)).await
    }

    /// The current version of `bucket`/`key` (possibly a delete marker), if any.
    pub async fn object_record(&self, bucket: &str, key: &str) -> S3Result<Option<ObjectVersion>> {
        let (bucket, key) = (bucket.to_string(), key.to_string());
        self.read(move |c| objects::latest(c, &bucket, &key)).await
    }

    /// Every bucket whose default encryption is SSE-KMS or DSSE-KMS, in name order.
    pub async fn buckets_with_kms_default(&self) -> S3Result<Vec<Bucket>> {
        let all = self.scan(buckets::all).await?;
        Ok(all
            .into_iter()
            .filter(|b| {
                b.meta
                    .encryption
                    .as_ref()
                    .is_some_and(|e| e.algorithm.starts_with("aws:kms"))
            })
            .collect())
    }

    /// The whole current version of `bucket`/`key`, read by `caller` through GetObject — so
    /// authorized, decrypted and recorded like any read (as `aws cloudtrail validate-logs`
    /// reads log files). Objects larger than [`MAX_READ`] are refused.
    pub async fn read_object(&self, caller: &Caller, bucket: &str, key: &str) -> S3Result<Vec<u8>> {
        let input = GetObjectInput {
            obj: ObjectRef {
                bucket: bucket.to_string(),
                key: key.to_string(),
            },
            version_id: None,
            range: None,
            range_raw: String::new(),
            part_number: None,
            conditions: Default::default(),
            overrides: Vec::new(),
            checksum_mode: false,
            customer: None,
        };
        let Output::Object(out) = self.call(caller, Op::GetObject(input)).await? else {
            return Err(S3Error::Internal(
                "GetObject answered without an object".into(),
            ));
        };
        if out.version.size > MAX_READ {
            return Err(S3Error::EntityTooLarge {
                size: out.version.size,
                max: MAX_READ,
            });
        }
        match out.body {
            ResponseBody::Empty => Ok(Vec::new()),
            ResponseBody::Full(b) => Ok(b.to_vec()),
            ResponseBody::Stream(mut s, len) => {
                let mut bytes = Vec::with_capacity(len as usize);
                while let Some(chunk) = s.next().await {
                    let chunk = chunk.map_err(|e| S3Error::Internal(format!("reading: {e}")))?;
                    bytes.extend_from_slice(&chunk);
                }
                Ok(bytes)
            }
        }
    }
}
