//! The S3 REST request parser (`trailstack_s3::wire::parse`): addressing (path or
//! virtual-hosted style), sub-resource routing, every header the operations read (ranges,
//! conditions, SSE and SSE-C, grants, checksums, copy sources, tagging) and the XML bodies.
//! Unsigned requests reach it before any authorization, so it sees whatever a client sends.
//!
//! Input: `method \0 host \0 raw path \0 raw query \0 header lines \0 body`; the query is split
//! by S3's own `parse_query`, the body arrives in two frames split at its middle.
#![no_main]

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use trailstack_fuzz::{body_stream, header_map, header_pairs, run_ready, Fields};

fuzz_target!(|data: &[u8]| {
    let mut f = Fields::new(data);
    let Ok(method) = http::Method::from_bytes(f.bytes()) else {
        return;
    };
    let host = f.text();
    let raw_path = f.text().into_owned();
    let query = trailstack_s3::wire::parse_query(&f.text());
    let headers = header_map(&header_pairs(&f.text()));
    let body = f.rest();
    let (a, b) = body.split_at(body.len() / 2);
    let req = trailstack_s3::wire::Request {
        method,
        raw_path,
        query,
        headers,
        body: body_stream(vec![Bytes::copy_from_slice(a), Bytes::copy_from_slice(b)]),
    };
    let _ = run_ready(trailstack_s3::wire::parse(req, &host));
});
