//! Bucket CORS configuration: GetBucketCors, PutBucketCors (validated by
//! [`crate::cors::validate`]) and DeleteBucketCors. Evaluating requests against the rules is
//! [`crate::cors`]'s.

use super::{put_setting, read_setting};
use crate::cors::{self, CorsRule};
use crate::error::{S3Error, S3Result};
use crate::model::buckets::BucketMeta;
use crate::op::Output;
use crate::S3;
use trailstack_core::Caller;

/// GetBucketCors: the rules as given, or `NoSuchCORSConfiguration`.
pub async fn get(s3: &S3, caller: &Caller, name: String) -> S3Result<Output> {
    let cors = |m: BucketMeta| m.cors.map(Output::Cors);
    read_setting(s3, caller, name, cors, S3Error::NoSuchCorsConfiguration).await
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
    put_setting(s3, caller, name, rules, |b, rules| {
        b.meta.cors = rules;
        Ok(())
    })
    .await
}
