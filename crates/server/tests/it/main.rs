//! Integration tests: each test starts trailstack in-process on port 0 over a fresh data dir and
//! drives it with the real AWS SDK for Rust (and a raw HTTP client for what SDKs won't send).

mod audit;
mod binary;
mod cloudtrail_delivery;
mod cloudtrail_delivery_crash;
mod cloudtrail_record;
mod cloudtrail_trails;
mod common;
mod explain;
mod http_edge;
mod kms_keys;
mod kms_more;
mod limits;
mod policy;
mod s3_access_log;
mod s3_acl;
mod s3_auth;
mod s3_bucket;
mod s3_bucket_defaults;
mod s3_cors;
mod s3_details;
mod s3_lifecycle;
mod s3_list;
mod s3_multipart;
mod s3_multipart_completion;
mod s3_object;
mod s3_post;
mod s3_sigv2;
mod s3_sse;
mod s3_versioning;
mod security;
mod shutdown;
mod slow_clients;
mod tls;
