//! The encryption headers tests add to S3 requests: a customer key (SSE-C) on every request
//! that may carry one, and a KMS key (SSE-KMS) on the writes that may name one.

use super::{b64, data};
use aws_sdk_s3::operation::{
    complete_multipart_upload::builders::CompleteMultipartUploadFluentBuilder,
    copy_object::builders::CopyObjectFluentBuilder,
    create_multipart_upload::builders::CreateMultipartUploadFluentBuilder,
    get_object::builders::GetObjectFluentBuilder,
    get_object_attributes::builders::GetObjectAttributesFluentBuilder,
    head_object::builders::HeadObjectFluentBuilder, put_object::builders::PutObjectFluentBuilder,
    upload_part::builders::UploadPartFluentBuilder,
};
use aws_sdk_s3::types::ServerSideEncryption;

/// An SSE-C key as requests carry it: the base64 of its 32 bytes and the base64 MD5 of them.
#[derive(Debug, Clone)]
pub struct CustomerKey {
    pub raw: Vec<u8>,
    pub key: String,
    pub md5: String,
}

impl CustomerKey {
    /// The key of the bytes `raw`.
    pub fn of(raw: &[u8]) -> CustomerKey {
        use md5::Digest;
        CustomerKey {
            raw: raw.to_vec(),
            key: b64(raw),
            md5: b64(&md5::Md5::digest(raw)),
        }
    }

    /// A key of 32 pseudo-random bytes from `seed`.
    pub fn seeded(seed: u64) -> CustomerKey {
        CustomerKey::of(&data(32, seed))
    }

    /// This key sent with the MD5 of `other`: a digest that does not match.
    pub fn with_md5_of(&self, other: &CustomerKey) -> CustomerKey {
        CustomerKey {
            md5: other.md5.clone(),
            ..self.clone()
        }
    }
}

/// A request that may carry SSE-C headers.
pub trait CustomerKeyed {
    /// Adds the SSE-C headers of `k`: algorithm AES256, the key and its MD5.
    fn customer_key(self, k: &CustomerKey) -> Self;
}

/// A write that may name a KMS key.
pub trait KmsKeyed {
    /// Asks for SSE-KMS under `key_id`.
    fn kms_key(self, key_id: &str) -> Self;
}

macro_rules! customer_keyed {
    ($($builder:ty),*) => {$(
        impl CustomerKeyed for $builder {
            fn customer_key(self, k: &CustomerKey) -> Self {
                self.sse_customer_algorithm("AES256")
                    .sse_customer_key(&k.key)
                    .sse_customer_key_md5(&k.md5)
            }
        }
    )*};
}

customer_keyed!(
    PutObjectFluentBuilder,
    GetObjectFluentBuilder,
    HeadObjectFluentBuilder,
    CopyObjectFluentBuilder,
    CreateMultipartUploadFluentBuilder,
    UploadPartFluentBuilder,
    CompleteMultipartUploadFluentBuilder,
    GetObjectAttributesFluentBuilder
);

macro_rules! kms_keyed {
    ($($builder:ty),*) => {$(
        impl KmsKeyed for $builder {
            fn kms_key(self, key_id: &str) -> Self {
                self.server_side_encryption(ServerSideEncryption::AwsKms)
                    .ssekms_key_id(key_id)
            }
        }
    )*};
}

kms_keyed!(
    PutObjectFluentBuilder,
    CopyObjectFluentBuilder,
    CreateMultipartUploadFluentBuilder
);
