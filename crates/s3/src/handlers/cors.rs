//! Bucket CORS configuration: GetBucketCors, PutBucketCors (validated by
//! [`crate::cors::validate`]) and DeleteBucketCors. Evaluating requests against the rules is
//! [`crate::cors`]'s.

use super::{modify_bucket, read_bucket};
use crate::cors::{self, CorsRule};
use crate::error::{S3Error, S3Result};
use crate::op::Output;
use crate::S3;
use trailstack_core::Caller;

/// GetBucketCors: the rules as given, or `NoSuchCORSConfiguration`.
pub async fn get(s3: &S3, caller: &Caller, name: String) -> S3Result<Output> {
    let b = read_bucket(s3, caller, name).await?;
    b.meta
        .cors
        .map(Output::Cors)
        .ok_or(S3Error::NoSuchCorsConfiguration(b.name))
}

/// PutBucketCors (Some: replaces the configuration, 200) and DeleteBucketCors (None: 204,
/// whether or not there was one).
pub async fn put(
    s3: &S3,
    caller: &Caller,
    name: String,
    rules: Option<Vec<CorsRule>>,
) -> S3Result<Output> {
    if let Some(r) = &rules {
        cors::validate(r)?;
    }
    let status = if rules.is_some() { 200 } else { 204 };
    modify_bucket(s3, caller, name, move |b| {
        b.meta.cors = rules;
        Ok(())
    })
    .await?;
    Ok(Output::Empty { status })
}
