//! Browser form uploads (POST Object): the `multipart/form-data` reader, which runs before any
//! signature is checked, then the POST policy (base64 JSON: expiration, exact, `starts-with`
//! and `content-length-range` conditions) and the operation built from the form.
//!
//! Input: `content-type \0 body`; the body arrives in two frames split at its middle. No
//! panic; the file, read to its end or first error, streams no more bytes than the body holds.
#![no_main]

use bytes::Bytes;
use futures_util::StreamExt;
use libfuzzer_sys::fuzz_target;
use time::macros::datetime;
use trailstack_core::BodyFrame;
use trailstack_fuzz::{body_stream, run_ready, Fields};
use trailstack_s3::wire::post;

fuzz_target!(|data: &[u8]| {
    let mut f = Fields::new(data);
    let content_type = f.text().into_owned();
    let body = f.rest();
    let (a, b) = body.split_at(body.len() / 2);
    let stream = body_stream(vec![Bytes::copy_from_slice(a), Bytes::copy_from_slice(b)]);
    let Ok(form) = run_ready(post::read_form(stream, &content_type)) else {
        return;
    };
    let policy = form.field("policy").unwrap_or_default().to_string();
    let range = post::check_policy(&policy, &form, "bucket", datetime!(2025-06-01 0:00 UTC));
    let Ok(trailstack_s3::Op::PostObject(input)) =
        post::into_op("bucket".into(), form, range.unwrap_or(None))
    else {
        return;
    };
    // Read as S3 reads a body: to its end or its first error.
    let mut file_stream = input.upload.body;
    let mut file = 0usize;
    while let Some(Ok(frame)) = run_ready(file_stream.next()) {
        if let BodyFrame::Data(d) = frame {
            file += d.len();
        }
        assert!(
            file <= body.len(),
            "the file streamed more bytes than the body holds"
        );
    }
});
