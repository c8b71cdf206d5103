//! SigV4 with the `Authorization` header: the header, `x-amz-date` and `x-amz-content-sha256`
//! come first in the input so that most mutations land on them; then the other headers, the
//! method, the raw path and query, and the body (decoded as `aws-chunked` when the request
//! verifies with a streaming payload hash).
//!
//! Input: `authorization \0 x-amz-date \0 x-amz-content-sha256 \0 header lines \0 method \0
//! path \0 query \0 body`; an empty first three fields leave that header out.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trailstack_fuzz::{header_pairs, sigv4, Fields};

fuzz_target!(|data: &[u8]| {
    let mut f = Fields::new(data);
    let mut headers = Vec::new();
    for name in ["authorization", "x-amz-date", "x-amz-content-sha256"] {
        let value = f.text();
        if !value.is_empty() {
            headers.push((name.to_string(), value.into_owned()));
        }
    }
    headers.extend(header_pairs(&f.text()));
    let method = f.text();
    let path = f.text();
    let query = f.text();
    sigv4::exercise(&method, &path, &query, &headers, f.rest());
});
