//! Encryption at rest as handlers use it: the bucket default encryption API
//! (Put/Get/DeleteBucketEncryption), and the two steps every write and read of object bytes
//! takes — [`seal_new`] (decide and make the data key of a new object) and [`open_stored`]
//! (recover the data key of a stored object or upload). Key material is handled in `sse::keys`.

use super::{put_setting, read_bucket};
use crate::data::Sealing;
use crate::error::{S3Error, S3Result};
use crate::model::buckets::{Bucket, BucketDefaults};
use crate::op::Output;
use crate::sse::{self, keys, BucketEncryption, CustomerKey, SseRecord, SseRequest, Writer};
use crate::S3;
use trailstack_core::Caller;

/// Decides how a new object `key` in `bucket` is encrypted (for users: request headers, else
/// the bucket default, else SSE-S3; for CloudTrail: what it states) and makes its data key.
pub(crate) async fn seal_new(
    s3: &S3,
    caller: &Caller,
    writer: Writer,
    request: Option<&SseRequest>,
    bucket: &Bucket,
    key: &str,
) -> S3Result<(SseRecord, Sealing)> {
    let (chosen, rule) = sse::decide(writer, request, bucket.meta.encryption.as_ref());
    let (rec, data_key, inner) =
        keys::for_write(s3, caller, writer, &chosen, rule, &bucket.name, key).await?;
    Ok((
        rec,
        Sealing {
            key: data_key,
            aad: sse::object_aad(&bucket.name, key),
            inner,
        },
    ))
}

/// The sealing of stored bytes of `bucket`/`key` encrypted as `rec` (None: plaintext bytes
/// written before encryption at rest). SSE-KMS calls KMS Decrypt; SSE-C checks `customer`.
pub(crate) async fn open_stored(
    s3: &S3,
    caller: &Caller,
    rec: Option<&SseRecord>,
    customer: Option<&CustomerKey>,
    bucket: &str,
    key: &str,
) -> S3Result<Option<Sealing>> {
    Ok(keys::for_read(s3, caller, rec, customer, bucket, key)
        .await?
        .map(|(data_key, inner)| Sealing {
            key: data_key,
            aad: sse::object_aad(bucket, key),
            inner,
        }))
}

/// GetBucketEncryption: the configured default, else the SSE-S3 service default — which a
/// bucket created with the legacy defaults does not report (its objects are still SSE-S3).
pub async fn get(s3: &S3, caller: &Caller, bucket: String) -> S3Result<Output> {
    let b = read_bucket(s3, caller, bucket).await?;
    match (b.meta.encryption, b.meta.defaults) {
        (Some(e), _) => Ok(Output::Encryption(e)),
        (None, BucketDefaults::Legacy) => {
            Err(S3Error::ServerSideEncryptionConfigurationNotFound(b.name))
        }
        (None, BucketDefaults::Current) => {
            Ok(Output::Encryption(BucketEncryption::service_default()))
        }
    }
}

/// PutBucketEncryption (`Some`) and DeleteBucketEncryption (`None`). The KMS key is not
/// checked here, as in AWS: a bad key fails later writes.
pub async fn put(
    s3: &S3,
    caller: &Caller,
    bucket: String,
    config: Option<BucketEncryption>,
) -> S3Result<Output> {
    if let Some(c) = &config {
        if !["AES256", "aws:kms", "aws:kms:dsse"].contains(&c.algorithm.as_str()) {
            return Err(S3Error::MalformedXml);
        }
        if c.kms_key.is_some() && c.algorithm == "AES256" {
            return Err(S3Error::InvalidArgument {
                message: "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse".into(),
                name: "ApplyServerSideEncryptionByDefault".into(),
                value: String::new(),
            });
        }
    }
    put_setting(s3, caller, bucket, config, |b, config| {
        b.meta.encryption = config;
        Ok(())
    })
    .await
}
