//! What the fuzz targets share: an allocation guard ([`alloc_guard`]), the splitting of one
//! fuzz input into the fields of a request ([`Fields`]), and a real trailstack over a
//! throwaway data dir ([`harness`]) for the targets that drive whole services, and the SigV4
//! path of a request ([`sigv4`]).
//!
//! Must not touch: the product's code paths. Targets call the same public functions the server
//! calls (the edge's parsers, the services' `call`), never copies of them.

pub mod alloc_guard;
pub mod harness;
pub mod sigv4;

use std::borrow::Cow;

/// A fuzz input read as NUL-separated fields: each call takes the next field; the field taken
/// last by [`Fields::rest`] keeps its NUL bytes. Seeds are written by hand this way
/// (`printf 'GET\0/b/k\0...'`), so libFuzzer mutates requests rather than a binary encoding.
pub struct Fields<'a> {
    rest: &'a [u8],
}

impl<'a> Fields<'a> {
    /// The fields of `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Fields { rest: data }
    }

    /// The next field's bytes (empty once the input is used up).
    pub fn bytes(&mut self) -> &'a [u8] {
        match self.rest.iter().position(|&b| b == 0) {
            Some(i) => {
                let (field, tail) = self.rest.split_at(i);
                self.rest = &tail[1..];
                field
            }
            None => std::mem::take(&mut self.rest),
        }
    }

    /// The next field as text (invalid UTF-8 replaced, as the server's lossy header reads do).
    pub fn text(&mut self) -> Cow<'a, str> {
        String::from_utf8_lossy(self.bytes())
    }

    /// Everything after the fields taken so far.
    pub fn rest(self) -> &'a [u8] {
        self.rest
    }

    /// A JSON-protocol request, `operation \0 body`: the operation as text and the body.
    pub fn operation(data: &'a [u8]) -> (Cow<'a, str>, &'a [u8]) {
        let mut f = Fields::new(data);
        let operation = f.text();
        (operation, f.rest())
    }
}

/// Header lines `name: value` (one per line), as the pairs a request carries; lines without a
/// colon are skipped.
pub fn header_pairs(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect()
}

/// The pairs as an `http::HeaderMap`, keeping only what hyper itself would have accepted.
pub fn header_map(pairs: &[(String, String)]) -> http::HeaderMap {
    let mut map = http::HeaderMap::new();
    for (n, v) in pairs {
        if let (Ok(n), Ok(v)) = (
            http::HeaderName::from_bytes(n.as_bytes()),
            http::HeaderValue::from_str(v),
        ) {
            map.append(n, v);
        }
    }
    map
}

/// The request body as the services receive it from the edge: one data frame per piece.
pub fn body_stream(pieces: Vec<bytes::Bytes>) -> trailstack_core::BodyStream {
    Box::pin(futures_util::stream::iter(
        pieces
            .into_iter()
            .map(|b| Ok(trailstack_core::BodyFrame::Data(b))),
    ))
}

/// Runs a future that never waits on I/O (parsers over in-memory bodies) to completion.
/// Panics if it would wait: such a parser hangs on a body that is already complete.
pub fn run_ready<F: std::future::Future>(f: F) -> F::Output {
    use futures_util::FutureExt;
    match f.now_or_never() {
        Some(out) => out,
        None => panic!("a parser waited although its whole input was available"),
    }
}
