//! Bucket lifecycle configuration: Get/Put/DeleteBucketLifecycle(Configuration). The
//! configuration, validated at the edge, is kept with the bucket's settings; the lifecycle
//! worker (`crate::lifecycle::worker`) runs it.

use super::{modify_bucket, read_setting};
use crate::error::{S3Error, S3Result};
use crate::lifecycle::LifecycleConfiguration;
use crate::model::buckets::BucketMeta;
use crate::op::Output;
use crate::S3;
use std::sync::atomic::Ordering;
use trailstack_core::Caller;

/// GetBucketLifecycleConfiguration.
pub async fn get(s3: &S3, caller: &Caller, name: String) -> S3Result<Output> {
    let lifecycle = |m: BucketMeta| m.lifecycle.map(Output::Lifecycle);
    read_setting(
        s3,
        caller,
        name,
        lifecycle,
        S3Error::NoSuchLifecycleConfiguration,
    )
    .await
}

/// PutBucketLifecycleConfiguration (`Some`, replacing any configuration) and
/// DeleteBucketLifecycle (`None`; 204 whether or not there was one).
pub async fn put(
    s3: &S3,
    caller: &Caller,
    name: String,
    config: Option<LifecycleConfiguration>,
) -> S3Result<Output> {
    let out = match &config {
        Some(c) => Output::LifecycleSet {
            transition_minimum: c.transition_minimum.clone(),
        },
        None => Output::Empty { status: 204 },
    };
    let config = config.map(|mut c| {
        // A new stamp: the worker sees the rules changed and passes over the bucket again.
        c.stamp = uuid::Uuid::new_v4().as_u64_pair().0 as i64;
        c
    });
    modify_bucket(s3, caller, name, move |b| {
        b.meta.lifecycle = config;
        Ok(())
    })
    .await?;
    s3.lifecycle_generation.fetch_add(1, Ordering::SeqCst);
    Ok(out)
}
