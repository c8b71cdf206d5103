//! The web console's assets, served at [`PREFIX`] on the same port as the APIs. The console is
//! plain HTML, CSS and JavaScript modules under `crates/server/console/`, compiled into the
//! binary with `include_bytes!`: nothing is built, fetched or read from disk at run time
//! (ARCHITECTURE.md §10). The console holds no privilege: every action it takes is an S3, KMS,
//! CloudTrail or `Trailstack.*` call that the browser signs with SigV4, authorized and recorded
//! like any other client's. This module only answers `GET`/`HEAD` for its files.

use crate::body::{self, HyperBody};
use bytes::Bytes;
use http::{HeaderValue, Method, Response, StatusCode};
use trailstack_core::ResponseBody;

/// Where the console is served. No bucket name can start with `_`, so in path-style
/// addressing this path names no bucket.
pub const PREFIX: &str = "/_trailstack/console/";

/// One embedded file: its path under [`PREFIX`], its content type, its bytes.
struct Asset {
    path: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

macro_rules! asset {
    ($path:literal, $type:expr) => {
        Asset {
            path: $path,
            content_type: $type,
            bytes: include_bytes!(concat!("../console/", $path)),
        }
    };
}

const HTML: &str = "text/html; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

/// Every file of the console. `""` is the page itself.
const ASSETS: &[Asset] = &[
    Asset {
        path: "",
        content_type: HTML,
        bytes: include_bytes!("../console/index.html"),
    },
    asset!("console.css", CSS),
    asset!("js/app.js", JS),
    asset!("js/dom.js", JS),
    asset!("js/session.js", JS),
    asset!("js/sigv4.js", JS),
    asset!("js/aws.js", JS),
    asset!("js/s3.js", JS),
    asset!("js/kms.js", JS),
    asset!("js/cloudtrail.js", JS),
    asset!("js/views/buckets.js", JS),
    asset!("js/views/bucket.js", JS),
    asset!("js/views/upload.js", JS),
    asset!("js/views/properties.js", JS),
    asset!("js/views/logging.js", JS),
    asset!("js/views/retention.js", JS),
    asset!("js/views/object.js", JS),
    asset!("js/views/keys.js", JS),
    asset!("js/views/key.js", JS),
    asset!("js/views/grants.js", JS),
    asset!("js/views/trails.js", JS),
    asset!("js/views/trail.js", JS),
    asset!("js/views/delivered.js", JS),
    asset!("js/views/validate.js", JS),
    asset!("js/views/events.js", JS),
    asset!("js/views/dataevents.js", JS),
    asset!("js/views/map.js", JS),
];

/// The content types the console's files are served with, by extension (for tests).
pub fn content_types() -> [(&'static str, &'static str); 3] {
    [(".html", HTML), (".js", JS), (".css", CSS)]
}

/// The console's file paths under [`PREFIX`] (`""` is the page), for tests.
pub fn paths() -> impl Iterator<Item = &'static str> {
    ASSETS.iter().map(|a| a.path)
}

/// Whether a request is the console's: `GET` or `HEAD` of a path under `/_trailstack/console`
/// that does not address a bucket by host name (in virtual-hosted style,
/// `bucket.host/_trailstack/...` is an object key and stays S3's).
pub fn is_console(method: &Method, path: &str, addresses_bucket_by_host: bool) -> bool {
    (method == Method::GET || method == Method::HEAD)
        && !addresses_bucket_by_host
        && (path == PREFIX.trim_end_matches('/') || path.starts_with(PREFIX))
}

/// The answer to a console request: the file, a redirect from the prefix without its slash
/// (so relative module paths resolve), or 404.
pub fn serve(method: &Method, path: &str) -> Response<HyperBody> {
    let Some(rest) = path.strip_prefix(PREFIX) else {
        let mut r = plain(StatusCode::MOVED_PERMANENTLY, "");
        r.headers_mut()
            .insert("location", HeaderValue::from_static(PREFIX));
        return r;
    };
    let Some(asset) = ASSETS.iter().find(|a| a.path == rest) else {
        return plain(StatusCode::NOT_FOUND, "Not found\n");
    };
    let full = if method == Method::HEAD {
        ResponseBody::Empty
    } else {
        ResponseBody::Full(Bytes::from_static(asset.bytes))
    };
    let mut r = Response::new(body::outgoing(full));
    let h = r.headers_mut();
    h.insert("content-type", HeaderValue::from_static(asset.content_type));
    h.insert("content-length", HeaderValue::from(asset.bytes.len()));
    secure(h);
    r
}

fn plain(status: StatusCode, text: &'static str) -> Response<HyperBody> {
    let mut r = Response::new(body::outgoing(ResponseBody::Full(Bytes::from_static(
        text.as_bytes(),
    ))));
    *r.status_mut() = status;
    r.headers_mut().insert(
        "content-type",
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    secure(r.headers_mut());
    r
}

/// Headers that keep the page to its own origin: scripts, styles and requests only from the
/// server itself, no framing (the page holds a secret key), no content sniffing, no caching of
/// a page that a new binary may change.
fn secure(h: &mut http::HeaderMap) {
    h.insert(
        "content-security-policy",
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; \
             connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
             frame-ancestors 'none'",
        ),
    );
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    h.insert("cache-control", HeaderValue::from_static("no-cache"));
}
