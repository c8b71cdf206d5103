//! S3 calls many tests share: objects written, read, headed, copied and deleted (and the
//! requests for them, for a test to add headers to), bucket policies, versioning and default
//! encryption set, a multipart upload created, its parts uploaded and completed, ACL grantees
//! and grants, and a listing's common prefixes.

use super::{body_bytes, err, ok};
use aws_sdk_s3::error::SdkError;
use aws_sdk_s3::operation::complete_multipart_upload::builders::CompleteMultipartUploadFluentBuilder;
use aws_sdk_s3::operation::complete_multipart_upload::CompleteMultipartUploadOutput;
use aws_sdk_s3::operation::copy_object::builders::CopyObjectFluentBuilder;
use aws_sdk_s3::operation::create_bucket::builders::CreateBucketFluentBuilder;
use aws_sdk_s3::operation::create_multipart_upload::builders::CreateMultipartUploadFluentBuilder;
use aws_sdk_s3::operation::delete_object::DeleteObjectOutput;
use aws_sdk_s3::operation::get_object::builders::GetObjectFluentBuilder;
use aws_sdk_s3::operation::get_object::{GetObjectError, GetObjectOutput};
use aws_sdk_s3::operation::get_object_attributes::builders::GetObjectAttributesFluentBuilder;
use aws_sdk_s3::operation::head_object::builders::HeadObjectFluentBuilder;
use aws_sdk_s3::operation::head_object::{HeadObjectError, HeadObjectOutput};
use aws_sdk_s3::operation::put_object::builders::PutObjectFluentBuilder;
use aws_sdk_s3::operation::put_object::PutObjectError;
use aws_sdk_s3::operation::upload_part::UploadPartOutput;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    BucketVersioningStatus, ChecksumAlgorithm, ChecksumMode, CompletedMultipartUpload,
    CompletedPart, Grant, Grantee, ObjectAttributes, ObjectOwnership, OwnershipControls,
    OwnershipControlsRule, Permission, ServerSideEncryption, ServerSideEncryptionByDefault,
    ServerSideEncryptionConfiguration, ServerSideEncryptionRule, Type, VersioningConfiguration,
};
use aws_sdk_s3::Client;

/// Writes `body` to `bucket`/`key`; returns the new version's id, if the bucket made one.
pub async fn put_bytes(
    c: &Client,
    bucket: impl Into<String>,
    key: impl Into<String>,
    body: &[u8],
) -> Option<String> {
    ok!(put_req(c, bucket, key, body)).version_id
}

/// A PutObject request of `body` to `bucket`/`key`, for a test to add headers to and send.
pub fn put_req(
    c: &Client,
    bucket: impl Into<String>,
    key: impl Into<String>,
    body: &[u8],
) -> PutObjectFluentBuilder {
    c.put_object()
        .bucket(bucket)
        .key(key)
        .body(ByteStream::from(body.to_vec()))
}

/// A CreateBucket request of `bucket`, for a test to add headers to and send.
pub fn bucket_req(c: &Client, bucket: impl Into<String>) -> CreateBucketFluentBuilder {
    c.create_bucket().bucket(bucket)
}

/// A GetObject request of `bucket`/`key`, for a test to add headers to and send.
pub fn get_req(
    c: &Client,
    bucket: impl Into<String>,
    key: impl Into<String>,
) -> GetObjectFluentBuilder {
    c.get_object().bucket(bucket).key(key)
}

/// A HeadObject request of `bucket`/`key`, for a test to add headers to and send.
pub fn head_req(
    c: &Client,
    bucket: impl Into<String>,
    key: impl Into<String>,
) -> HeadObjectFluentBuilder {
    c.head_object().bucket(bucket).key(key)
}

/// A CopyObject request of `source` (`bucket/key`) to `bucket`/`key`, for a test to add
/// headers to and send.
pub fn copy_req(
    c: &Client,
    bucket: impl Into<String>,
    key: impl Into<String>,
    source: impl Into<String>,
) -> CopyObjectFluentBuilder {
    c.copy_object().bucket(bucket).key(key).copy_source(source)
}

/// A CreateMultipartUpload request of `bucket`/`key`, for a test to add headers to and send.
pub fn create_upload_req(
    c: &Client,
    bucket: impl Into<String>,
    key: impl Into<String>,
) -> CreateMultipartUploadFluentBuilder {
    c.create_multipart_upload().bucket(bucket).key(key)
}

/// A GetObjectAttributes request of `bucket`/`key` asking for `attributes`, for a test to add
/// headers to and send.
pub fn attributes_req(
    c: &Client,
    bucket: impl Into<String>,
    key: impl Into<String>,
    attributes: &[ObjectAttributes],
) -> GetObjectAttributesFluentBuilder {
    c.get_object_attributes()
        .bucket(bucket)
        .key(key)
        .set_object_attributes(Some(attributes.to_vec()))
}

/// A CompleteMultipartUpload request of upload `id` of `bucket`/`key`, for a test to add the
/// parts to and send.
pub fn complete_req(
    c: &Client,
    bucket: impl Into<String>,
    key: impl Into<String>,
    id: impl Into<String>,
) -> CompleteMultipartUploadFluentBuilder {
    c.complete_multipart_upload()
        .bucket(bucket)
        .key(key)
        .upload_id(id)
}

/// The error PutObject of `body` to `bucket`/`key` answers.
pub async fn put_err(
    c: &Client,
    bucket: impl Into<String>,
    key: impl Into<String>,
    body: &[u8],
) -> SdkError<PutObjectError> {
    err!(put_req(c, bucket, key, body))
}

/// The bytes of `bucket`/`key`.
pub async fn get_bytes(c: &Client, bucket: impl Into<String>, key: impl Into<String>) -> Vec<u8> {
    body_bytes(get_out(c, bucket, key).await).await
}

/// Sets `bucket`'s versioning to `status`.
pub async fn set_versioning(c: &Client, bucket: &str, status: BucketVersioningStatus) {
    ok!(c
        .put_bucket_versioning()
        .bucket(bucket)
        .versioning_configuration(VersioningConfiguration::builder().status(status).build()));
}

/// Creates `bucket` with versioning enabled.
pub async fn versioned_bucket(c: &Client, bucket: &str) {
    c.create_bucket().bucket(bucket).send().await.unwrap();
    set_versioning(c, bucket, BucketVersioningStatus::Enabled).await;
}

/// Starts a multipart upload of `bucket`/`key`; returns its upload id.
pub async fn create_upload(c: &Client, bucket: &str, key: &str) -> String {
    ok!(create_upload_req(c, bucket, key)).upload_id.unwrap()
}

/// Uploads `body` as part `n` of upload `id`; returns the part's ETag.
pub async fn upload_part(
    c: &Client,
    bucket: &str,
    key: &str,
    id: &str,
    n: i32,
    body: &[u8],
) -> String {
    ok!(c
        .upload_part()
        .bucket(bucket)
        .key(key)
        .upload_id(id)
        .part_number(n)
        .body(ByteStream::from(body.to_vec())))
    .e_tag
    .unwrap()
}

/// The CompleteMultipartUpload body naming `parts` (number, ETag).
pub fn completed(parts: &[(i32, &str)]) -> CompletedMultipartUpload {
    CompletedMultipartUpload::builder()
        .set_parts(Some(
            parts
                .iter()
                .map(|(n, e)| CompletedPart::builder().part_number(*n).e_tag(*e).build())
                .collect(),
        ))
        .build()
}

/// Sends `bodies` as the parts of upload `id`, numbered from 1; returns the parts as
/// CompleteMultipartUpload names them.
pub async fn send_parts(
    c: &Client,
    bucket: &str,
    key: &str,
    id: &str,
    bodies: &[Vec<u8>],
) -> Vec<CompletedPart> {
    part_entries(&send_parts_with(c, bucket, key, id, None, bodies).await)
}

/// Sends `bodies` as the parts of upload `id`, numbered from 1, each with the checksum of
/// `algorithm` if any; returns each part's answer.
pub async fn send_parts_with(
    c: &Client,
    bucket: &str,
    key: &str,
    id: &str,
    algorithm: Option<ChecksumAlgorithm>,
    bodies: &[Vec<u8>],
) -> Vec<UploadPartOutput> {
    let mut outs = Vec::new();
    for (n, body) in (1..).zip(bodies) {
        outs.push(ok!(c
            .upload_part()
            .bucket(bucket)
            .key(key)
            .upload_id(id)
            .part_number(n)
            .set_checksum_algorithm(algorithm.clone())
            .body(ByteStream::from(body.clone()))));
    }
    outs
}

/// The parts CompleteMultipartUpload names for the answers `outs` to parts 1, 2, ...
pub fn part_entries(outs: &[UploadPartOutput]) -> Vec<CompletedPart> {
    (1..)
        .zip(outs)
        .map(|(n, out)| {
            CompletedPart::builder()
                .part_number(n)
                .e_tag(out.e_tag().unwrap())
                .build()
        })
        .collect()
}

/// Starts an upload of `bucket`/`key` and sends `bodies` as its parts; returns the upload id
/// and the parts.
pub async fn upload_parts(
    c: &Client,
    bucket: &str,
    key: &str,
    bodies: &[Vec<u8>],
) -> (String, Vec<CompletedPart>) {
    let id = create_upload(c, bucket, key).await;
    let parts = send_parts(c, bucket, key, &id, bodies).await;
    (id, parts)
}

/// The CompleteMultipartUpload body listing `parts`.
pub fn part_list(parts: &[CompletedPart]) -> CompletedMultipartUpload {
    CompletedMultipartUpload::builder()
        .set_parts(Some(parts.to_vec()))
        .build()
}

/// Completes upload `id` of `bucket`/`key` with `parts`.
pub async fn complete_upload(
    c: &Client,
    bucket: &str,
    key: &str,
    id: &str,
    parts: &[CompletedPart],
) -> CompleteMultipartUploadOutput {
    ok!(complete_req(c, bucket, key, id).multipart_upload(part_list(parts)))
}

/// HeadObject of `bucket`/`key`.
pub async fn head_of(
    c: &Client,
    bucket: impl Into<String>,
    key: impl Into<String>,
) -> HeadObjectOutput {
    ok!(head_req(c, bucket, key))
}

/// The error HeadObject of `bucket`/`key` answers.
pub async fn head_err(
    c: &Client,
    bucket: impl Into<String>,
    key: impl Into<String>,
) -> SdkError<HeadObjectError> {
    err!(head_req(c, bucket, key))
}

/// GetObject of `bucket`/`key`.
pub async fn get_out(
    c: &Client,
    bucket: impl Into<String>,
    key: impl Into<String>,
) -> GetObjectOutput {
    ok!(get_req(c, bucket, key))
}

/// GetObject of `bucket`/`key` asking for the stored checksums (`x-amz-checksum-mode: ENABLED`).
pub async fn get_with_checksums(
    c: &Client,
    bucket: impl Into<String>,
    key: impl Into<String>,
) -> GetObjectOutput {
    ok!(get_req(c, bucket, key).checksum_mode(ChecksumMode::Enabled))
}

/// HeadObject of `bucket`/`key` asking for the stored checksums.
pub async fn head_with_checksums(
    c: &Client,
    bucket: impl Into<String>,
    key: impl Into<String>,
) -> HeadObjectOutput {
    ok!(head_req(c, bucket, key).checksum_mode(ChecksumMode::Enabled))
}

/// The error GetObject of `bucket`/`key` answers.
pub async fn get_err(
    c: &Client,
    bucket: impl Into<String>,
    key: impl Into<String>,
) -> SdkError<GetObjectError> {
    err!(get_req(c, bucket, key))
}

/// Sets `bucket`'s policy to `doc`.
pub async fn put_policy(c: &Client, bucket: impl Into<String>, doc: impl Into<String>) {
    ok!(c.put_bucket_policy().bucket(bucket).policy(doc));
}

/// Deletes `bucket`/`key` (its current version, in a versioned bucket).
pub async fn delete_key(
    c: &Client,
    bucket: impl Into<String>,
    key: impl Into<String>,
) -> DeleteObjectOutput {
    ok!(c.delete_object().bucket(bucket).key(key))
}

/// Sets `bucket`'s default encryption to `algorithm` under `key` (None: the algorithm's own
/// default key), with an S3 Bucket Key if `bucket_key`.
pub async fn set_default_encryption(
    c: &Client,
    bucket: &str,
    algorithm: ServerSideEncryption,
    key: Option<&str>,
    bucket_key: bool,
) {
    let by_default = ServerSideEncryptionByDefault::builder()
        .sse_algorithm(algorithm)
        .set_kms_master_key_id(key.map(str::to_string))
        .build()
        .unwrap();
    let rule = ServerSideEncryptionRule::builder()
        .apply_server_side_encryption_by_default(by_default)
        .bucket_key_enabled(bucket_key)
        .build();
    ok!(c
        .put_bucket_encryption()
        .bucket(bucket)
        .server_side_encryption_configuration(
            ServerSideEncryptionConfiguration::builder()
                .rules(rule)
                .build()
                .unwrap(),
        ));
}

/// The ownership controls of one rule, `object_ownership`.
pub fn ownership(object_ownership: ObjectOwnership) -> OwnershipControls {
    let rule = OwnershipControlsRule::builder()
        .object_ownership(object_ownership)
        .build()
        .unwrap();
    OwnershipControls::builder().rules(rule).build().unwrap()
}

/// The canonical user `id` as an ACL grantee.
pub fn user_grantee(id: &str) -> Grantee {
    Grantee::builder()
        .r#type(Type::CanonicalUser)
        .id(id)
        .build()
        .unwrap()
}

/// The group `uri` (AllUsers, AuthenticatedUsers, LogDelivery) as an ACL grantee.
pub fn group_grantee(uri: &str) -> Grantee {
    Grantee::builder()
        .r#type(Type::Group)
        .uri(uri)
        .build()
        .unwrap()
}

/// An ACL grant of `permission` to the canonical user `id`.
pub fn user_grant(id: &str, permission: Permission) -> Grant {
    Grant::builder()
        .grantee(user_grantee(id))
        .permission(permission)
        .build()
}

/// The prefixes of a listing's CommonPrefixes, in order.
pub fn prefixes_of(common: &[aws_sdk_s3::types::CommonPrefix]) -> Vec<&str> {
    common.iter().map(|p| p.prefix().unwrap()).collect()
}
