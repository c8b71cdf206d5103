//! SigV4 presigned URLs: the raw query string (`X-Amz-Algorithm`, `X-Amz-Credential`,
//! `X-Amz-Date`, `X-Amz-Expires`, `X-Amz-SignedHeaders`, `X-Amz-Signature`, percent-encoded)
//! comes first in the input; then the raw path, the method, the headers and the body.
//!
//! Input: `query \0 path \0 method \0 header lines \0 body`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trailstack_fuzz::{header_pairs, sigv4, Fields};

fuzz_target!(|data: &[u8]| {
    let mut f = Fields::new(data);
    let query = f.text();
    let path = f.text();
    let method = f.text();
    let headers = header_pairs(&f.text());
    sigv4::exercise(&method, &path, &query, &headers, f.rest());
});
