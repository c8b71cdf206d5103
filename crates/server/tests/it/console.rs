//! The web console's route: every file under `crates/server/console` is served from the binary
//! at `/_trailstack/console/` with its content type and the headers that keep the page to its
//! own origin, nothing in them points outside the server, and a virtual-hosted bucket keeps its
//! `_trailstack/...` keys. Also: CloudTrail records the `X-Amz-User-Agent` the console (like
//! any SDK in a browser) names itself with.

use crate::common::*;
use std::path::Path;
use trailstack_server::console;

#[tokio::test]
async fn every_console_file_is_served_with_its_type_and_refers_to_nothing_outside() {
    let s = Server::start().await;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("console");
    let mut on_disk = Vec::new();
    files_under(&root, &mut on_disk);
    let mut want: Vec<String> = on_disk
        .iter()
        .map(|p| {
            p.strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .map(|p| if p == "index.html" { String::new() } else { p })
        .collect();
    want.sort();
    let mut served: Vec<String> = console::paths().map(str::to_string).collect();
    served.sort();
    assert_eq!(
        served, want,
        "every file of crates/server/console, and only those, is served"
    );

    for path in console::paths() {
        let r = Raw::new(&s, "GET", &format!("{}{path}", console::PREFIX))
            .send(&s)
            .await;
        assert_eq!(r.status, 200, "{path}: {}", r.text());
        let ext = if path.is_empty() {
            ".html"
        } else {
            &path[path.rfind('.').unwrap()..]
        };
        let (_, want_type) = console::content_types()
            .into_iter()
            .find(|(e, _)| *e == ext)
            .unwrap_or_else(|| panic!("{path}: no content type for {ext}"));
        assert_eq!(r.header("content-type"), Some(want_type), "{path}");
        assert_eq!(
            r.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        let csp = r.header("content-security-policy").unwrap();
        assert!(
            csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"),
            "{csp}"
        );
        // SVG's namespace name is an identifier that browsers never fetch.
        let text = r.text().replace("\"http://www.w3.org/2000/svg\"", "");
        for scheme in ["http://", "https://", "//cdn", "@import"] {
            assert!(
                !text.contains(scheme),
                "{path} refers outside the server: {scheme}"
            );
        }
    }
    let page = Raw::new(&s, "GET", console::PREFIX).send(&s).await.text();
    assert!(
        page.contains(r#"<script type="module" src="js/app.js"></script>"#),
        "{page}"
    );

    let head = Raw::new(&s, "HEAD", console::PREFIX).send(&s).await;
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    let bare = Raw::new(&s, "GET", "/_trailstack/console").send(&s).await;
    assert_eq!(bare.status, 301);
    assert_eq!(bare.header("location"), Some(console::PREFIX));
    let missing = Raw::new(&s, "GET", "/_trailstack/console/js/nothing.js")
        .send(&s)
        .await;
    assert_eq!(missing.status, 404);
}

#[tokio::test]
async fn a_virtual_hosted_bucket_keeps_its_trailstack_keys() {
    let s = Server::start().await;
    let c = s.s3();
    c.create_bucket().bucket("vhost-keys").send().await.unwrap();
    let port = host_of(&s).rsplit_once(':').unwrap().1.to_string();
    let host = format!("vhost-keys.s3.localhost:{port}");
    let put = Raw::new(&s, "PUT", "/_trailstack/console/")
        .header("host", &host)
        .body("an object, not the console")
        .send_signed(&s)
        .await;
    assert_eq!(put.status, 200, "{}", put.text());
    let got = get_out(&c, "vhost-keys", "_trailstack/console/").await;
    assert_eq!(body_bytes(got).await, b"an object, not the console");
    let get = Raw::new(&s, "GET", "/_trailstack/console/")
        .header("host", &host)
        .send_signed(&s)
        .await;
    assert_eq!(get.text(), "an object, not the console");
}

#[tokio::test]
async fn cloudtrail_records_the_x_amz_user_agent_of_browser_clients() {
    let s = Server::start().await;
    let made = Raw::new(&s, "PUT", "/ua-bucket")
        .header("user-agent", "Mozilla/5.0 (X11; Linux x86_64) Chrome/120")
        .header("x-amz-user-agent", "trailstack-console/1.0")
        .send_signed(&s)
        .await;
    assert_eq!(made.status, 200, "{}", made.text());
    let record = &records_named(&s, "CreateBucket").await[0];
    // S3 records a user agent in brackets (docs/aws/cloudtrail-api.md §4).
    assert_eq!(record["userAgent"], "[trailstack-console/1.0]");
}
