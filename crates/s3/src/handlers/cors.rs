//! Bucket CORS configuration: GetBucketCors, PutBucketCors (validated by
//! [`crate::cors::validate`]) and DeleteBucketCors. Evaluating requests against the rules is
//! [`crate::cors`]'s.

use super::owned_bucket;
use crate::cors::{self, CorsRule};
use crate::error::{S3Error, S3Result};
use crate::model::buckets;
use crate::op::Output;
use crate::S3;
use trailstack_core::Caller;

/// GetBucketCors: the rules as given, or `NoSuchCORSConfiguration`.
pub async fn get(s3: &S3, caller: &Caller, name: String) -> S3Result<Output> {
    let caller = caller.clone();
    let b = s3.read(move |c| owned_bucket(c, &caller, &name)).await?;
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
    let caller = caller.clone();
    s3.write(move |tx| {
        let mut b = owned_bucket(tx, &caller, &name)?;
        b.meta.cors = rules;
        buckets::update(tx, &b)
    })
    .await?;
    Ok(Output::Empty { status })
}
