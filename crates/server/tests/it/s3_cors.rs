//! Bucket CORS as browsers meet it: the configuration calls through the SDK (validated,
//! durable, recorded in CloudTrail as management events), preflight `OPTIONS` answered per rule
//! before and without any signature check (and never recorded), the `Access-Control-*`
//! headers on actual answers — signed, presigned, anonymous, errors included — and a browser's
//! SigV4-signed cross-origin PUT end to end.

use crate::common::*;
use aws_sdk_s3::types::{CorsConfiguration, CorsRule};

pub const ORIGIN: &str = "https://app.example";

pub fn rule(methods: &[&str], origins: &[&str]) -> aws_sdk_s3::types::builders::CorsRuleBuilder {
    let mut b = CorsRule::builder();
    for m in methods {
        b = b.allowed_methods(*m);
    }
    for o in origins {
        b = b.allowed_origins(*o);
    }
    b
}

pub async fn put_cors(c: &aws_sdk_s3::Client, bucket: &str, rules: Vec<CorsRule>) {
    ok!(c.put_bucket_cors().bucket(bucket).cors_configuration(
        CorsConfiguration::builder()
            .set_cors_rules(Some(rules))
            .build()
            .unwrap(),
    ));
}

pub fn options(s: &Server, path: &str, headers: &[(&str, &str)]) -> Raw {
    let mut r = Raw::new(s, "OPTIONS", path);
    for (k, v) in headers {
        r = r.header(k, v);
    }
    r
}

/// A preflight of `method` with the `request_headers` from `origin` to `path`.
pub fn preflight(s: &Server, path: &str, origin: &str, method: &str, request_headers: &str) -> Raw {
    options(
        s,
        path,
        &[
            ("origin", origin),
            ("access-control-request-method", method),
            ("access-control-request-headers", request_headers),
        ],
    )
}

#[tokio::test]
async fn the_configuration_round_trips_is_validated_and_survives_a_restart() {
    let (s, c) = Server::start_with_bucket("cors-conf").await;
    let err = err!(c.get_bucket_cors().bucket("cors-conf"));
    assert_eq!(
        (code(&err), status(&err)),
        ("NoSuchCORSConfiguration".into(), 404)
    );

    let first = rule(&["GET", "PUT"], &["*.get", "*.put"])
        .id("first")
        .allowed_headers("X-Amz-*")
        .expose_headers("ETag")
        .max_age_seconds(3000)
        .build()
        .unwrap();
    let second = rule(&["DELETE"], &["*"]).build().unwrap();
    put_cors(&c, "cors-conf", vec![first.clone(), second.clone()]).await;
    let got = ok!(c.get_bucket_cors().bucket("cors-conf"));
    assert_eq!(got.cors_rules(), [first.clone(), second.clone()]);

    // Bad rules, in S3's words.
    let refused = |r: CorsRule| {
        c.put_bucket_cors()
            .bucket("cors-conf")
            .cors_configuration(CorsConfiguration::builder().cors_rules(r).build().unwrap())
    };
    let err = refused(rule(&["PATCH"], &["*"]).build().unwrap())
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.as_service_error().and_then(|e| e.meta().message()),
        Some("Found unsupported HTTP method in CORS config. Unsupported method is PATCH")
    );
    assert_fails!(
        refused(rule(&["GET"], &["https://*.a*.example"]).build().unwrap()),
        "InvalidRequest"
    );
    assert_fails!(
        refused(
            rule(&["GET"], &["*"])
                .allowed_headers("x-*-*")
                .build()
                .unwrap(),
        ),
        "InvalidRequest"
    );
    let too_many = c.put_bucket_cors().bucket("cors-conf").cors_configuration(
        CorsConfiguration::builder()
            .set_cors_rules(Some(vec![second.clone(); 101]))
            .build()
            .unwrap(),
    );
    assert_eq!(code(&too_many.send().await.unwrap_err()), "MalformedXML");

    // The refusals left the configuration as it was, and it is durable.
    let dir = s.stop();
    let s = Server::start_in(dir).await;
    let c = s.s3();
    let got = ok!(c.get_bucket_cors().bucket("cors-conf"));
    assert_eq!(got.cors_rules(), [first, second]);

    ok!(c.delete_bucket_cors().bucket("cors-conf"));
    let err = c.get_bucket_cors().bucket("cors-conf").send().await;
    assert_eq!(code(&err.unwrap_err()), "NoSuchCORSConfiguration");
    // Deleting again is a success, as in S3.
    ok!(c.delete_bucket_cors().bucket("cors-conf"));
}

#[tokio::test]
async fn put_bucket_cors_needs_an_integrity_header() {
    let s = Server::start().await;
    s.with_bucket("cors-md5").await;
    let doc = "<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod><AllowedOrigin>*</AllowedOrigin></CORSRule></CORSConfiguration>";
    let r = Raw::new(&s, "PUT", "/cors-md5?cors")
        .body(doc)
        .send_signed(&s)
        .await;
    r.assert_error_message(
        400,
        "InvalidRequest",
        "Missing required header for this request: Content-MD5",
    );
    let md5 = {
        use base64::Engine;
        let d = md5_digest(doc.as_bytes());
        base64::engine::general_purpose::STANDARD.encode(d)
    };
    let r = Raw::new(&s, "PUT", "/cors-md5?cors")
        .header("content-md5", &md5)
        .body(doc)
        .send_signed(&s)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
}

pub fn md5_digest(data: &[u8]) -> [u8; 16] {
    let mut m = trailstack_s3::checksum::Md5::new();
    m.update(data);
    m.finish()
}

#[tokio::test]
async fn preflights_are_answered_per_rule_without_a_signature() {
    let (s, c) = Server::start_with_bucket("cors-pre").await;
    let obj = "/cors-pre/some/key";

    // No Origin: 400, configured or not.
    let r = options(&s, obj, &[]).send(&s).await;
    r.assert_error_message(
        400,
        "BadRequest",
        "Insufficient information. Origin request header needed.",
    );
    // No such bucket, then no configuration: 403 AccessForbidden.
    let r = options(&s, "/cors-none/k", &[("origin", ORIGIN)])
        .send(&s)
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(
        r.xml("Message").as_deref(),
        Some("CORSResponse: Bucket not found")
    );
    let r = options(
        &s,
        obj,
        &[("origin", ORIGIN), ("access-control-request-method", "PUT")],
    )
    .send(&s)
    .await;
    r.assert_error_message(
        403,
        "AccessForbidden",
        "CORSResponse: CORS is not enabled for this bucket.",
    );
    assert_eq!(r.xml("Method").as_deref(), Some("PUT"));
    assert_eq!(r.xml("ResourceType").as_deref(), Some("BUCKET"));
    assert_eq!(r.header("access-control-allow-origin"), None);

    put_cors(
        &c,
        "cors-pre",
        vec![
            rule(&["GET"], &["https://*.example"])
                .allowed_headers("x-amz-*")
                .max_age_seconds(600)
                .build()
                .unwrap(),
            rule(&["PUT"], &["*"]).build().unwrap(),
        ],
    )
    .await;

    // An Origin without a method to allow is a 400.
    let r = options(&s, obj, &[("origin", ORIGIN)]).send(&s).await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.xml("Message").as_deref(),
        Some("Invalid Access-Control-Request-Method: null")
    );

    // The first rule allows this GET with its x-amz-* headers, whatever their case.
    let r = preflight(&s, obj, ORIGIN, "GET", "X-Amz-Date, x-amz-content-sha256")
        .send(&s)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.body.is_empty());
    assert_eq!(r.header("access-control-allow-origin"), Some(ORIGIN));
    assert_eq!(r.header("access-control-allow-methods"), Some("GET"));
    assert_eq!(
        r.header("access-control-allow-headers"),
        Some("x-amz-date, x-amz-content-sha256")
    );
    assert_eq!(r.header("access-control-max-age"), Some("600"));
    assert_eq!(r.header("access-control-allow-credentials"), Some("true"));
    assert_eq!(
        r.header("vary"),
        Some("Origin, Access-Control-Request-Headers, Access-Control-Request-Method")
    );

    // A header no rule allows: 403, no CORS headers, the object named as the resource.
    let r = preflight(&s, obj, ORIGIN, "GET", "content-type")
        .send(&s)
        .await;
    assert_eq!(r.status, 403);
    assert!(r
        .xml("Message")
        .unwrap()
        .starts_with("CORSResponse: This CORS request is not allowed."));
    assert_eq!(r.xml("Method").as_deref(), Some("GET"));
    assert_eq!(r.xml("ResourceType").as_deref(), Some("OBJECT"));
    assert_eq!(r.header("access-control-allow-origin"), None);

    // Another origin: only the `*` rule's PUT, answered with `*` and no credentials.
    let other = [
        ("origin", "http://elsewhere"),
        ("access-control-request-method", "PUT"),
    ];
    let r = options(&s, "/cors-pre", &other).send(&s).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    assert_eq!(r.header("access-control-allow-credentials"), None);
    let r = options(
        &s,
        "/cors-pre",
        &[
            ("origin", "http://elsewhere"),
            ("access-control-request-method", "GET"),
        ],
    )
    .send(&s)
    .await;
    assert_eq!(r.status, 403);
    assert_eq!(r.xml("ResourceType").as_deref(), Some("BUCKET"));
    let r = options(
        &s,
        obj,
        &[
            ("origin", ORIGIN),
            ("access-control-request-method", "PATCH"),
        ],
    )
    .send(&s)
    .await;
    assert_eq!(r.status, 400);

    // The query of a presigned URL is not checked: browsers send preflights unsigned.
    let presigned = Raw::new(&s, "GET", obj).presigned(&Signer::now(), 300);
    let r = options(
        &s,
        &format!("{obj}?{}", presigned.query),
        &[("origin", ORIGIN), ("access-control-request-method", "GET")],
    )
    .send(&s)
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("access-control-allow-origin"), Some(ORIGIN));
}

#[tokio::test]
async fn actual_answers_carry_the_headers_of_the_rule_that_allows_them() {
    let (s, c) = Server::start_with_bucket("cors-act").await;
    put_bytes(&c, "cors-act", "k", b"hello").await;
    let get = |path: &str| Raw::new(&s, "GET", path);
    // No configuration: no CORS headers.
    let r = get("/cors-act/k")
        .header("origin", ORIGIN)
        .send_signed(&s)
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("access-control-allow-origin"), None);

    put_cors(
        &c,
        "cors-act",
        vec![rule(&["GET", "HEAD"], &[ORIGIN])
            .expose_headers("ETag")
            .expose_headers("x-amz-request-id")
            .build()
            .unwrap()],
    )
    .await;
    let cors_of = |r: &RawResponse| {
        (
            r.header("access-control-allow-origin").map(str::to_string),
            r.header("access-control-allow-methods").map(str::to_string),
        )
    };
    let allowed = (Some(ORIGIN.to_string()), Some("GET, HEAD".to_string()));

    // Signed.
    let r = get("/cors-act/k")
        .header("origin", ORIGIN)
        .send_signed(&s)
        .await;
    assert_eq!((r.status, cors_of(&r)), (200, allowed.clone()));
    assert_eq!(r.body, b"hello");
    assert_eq!(
        r.header("access-control-expose-headers"),
        Some("ETag, x-amz-request-id")
    );
    assert_eq!(r.header("access-control-allow-credentials"), Some("true"));
    assert!(r.header("vary").is_some());
    // Presigned.
    let r = get("/cors-act/k")
        .presigned(&Signer::now(), 300)
        .header("origin", ORIGIN)
        .send(&s)
        .await;
    assert_eq!((r.status, cors_of(&r)), (200, allowed.clone()));
    // Errors too: a missing key, an anonymous caller refused, a bad signature.
    let r = get("/cors-act/missing")
        .header("origin", ORIGIN)
        .send_signed(&s)
        .await;
    assert_eq!((r.status, cors_of(&r)), (404, allowed.clone()));
    let r = get("/cors-act/k").header("origin", ORIGIN).send(&s).await;
    assert_eq!((r.status, cors_of(&r)), (403, allowed.clone()));
    let r = get("/cors-act/k")
        .sign_with(
            &Signer {
                secret: "wrong",
                ..Signer::now()
            },
            None,
        )
        .0
        .header("origin", ORIGIN)
        .send(&s)
        .await;
    assert_eq!((r.status, cors_of(&r)), (403, allowed.clone()));

    // No rule allows this origin, or this method: served without CORS headers.
    let r = get("/cors-act/k")
        .header("origin", "https://evil.example")
        .send_signed(&s)
        .await;
    assert_eq!((r.status, cors_of(&r)), (200, (None, None)));
    assert_eq!(r.header("vary"), None);
    let r = Raw::new(&s, "PUT", "/cors-act/k2")
        .header("origin", ORIGIN)
        .body("x")
        .send_signed(&s)
        .await;
    assert_eq!((r.status, cors_of(&r)), (200, (None, None)));
    // An Access-Control-Request-Method header decides, as in S3.
    let r = get("/cors-act/k")
        .header("origin", ORIGIN)
        .header("access-control-request-method", "PUT")
        .send_signed(&s)
        .await;
    assert_eq!((r.status, cors_of(&r)), (200, (None, None)));
    // Without an Origin a request is not cross-origin.
    let r = get("/cors-act/k").signed().send(&s).await;
    assert_eq!(cors_of(&r), (None, None));
}

#[tokio::test]
async fn a_browser_puts_an_object_cross_origin_with_sigv4() {
    let (s, c) = Server::start_with_bucket("cors-web").await;
    put_cors(
        &c,
        "cors-web",
        vec![rule(
            &["GET", "PUT", "HEAD", "POST", "DELETE"],
            &["http://localhost:*"],
        )
        .allowed_headers("*")
        .expose_headers("ETag")
        .build()
        .unwrap()],
    )
    .await;
    let console = "http://localhost:5173";
    // The preflight names the headers the signed request will carry, lowercased and sorted.
    let r = preflight(
        &s,
        "/cors-web/hello.txt",
        console,
        "PUT",
        "authorization,content-type,x-amz-content-sha256,x-amz-date",
    )
    .send(&s)
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("access-control-allow-origin"), Some(console));
    assert_eq!(
        r.header("access-control-allow-headers"),
        Some("authorization, content-type, x-amz-content-sha256, x-amz-date")
    );
    // The actual request: signed over its own headers; the browser adds Origin unsigned.
    let r = Raw::new(&s, "PUT", "/cors-web/hello.txt")
        .header("content-type", "text/plain")
        .body("hi from the browser")
        .signed()
        .header("origin", console)
        .send(&s)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("access-control-allow-origin"), Some(console));
    assert_eq!(r.header("access-control-expose-headers"), Some("ETag"));
    assert!(r.header("etag").is_some());
    assert_eq!(
        get_bytes(&c, "cors-web", "hello.txt").await,
        b"hi from the browser"
    );
}

#[tokio::test]
async fn cors_and_policy_status_calls_are_management_events_and_preflights_are_not_recorded() {
    let (s, c) = Server::start_with_bucket("cors-ct").await;
    put_cors(
        &c,
        "cors-ct",
        vec![rule(&["GET"], &[ORIGIN])
            .max_age_seconds(60)
            .build()
            .unwrap()],
    )
    .await;
    c.get_bucket_cors().bucket("cors-ct").send().await.unwrap();
    ok!(c.delete_bucket_cors().bucket("cors-ct"));
    let _ = c.get_bucket_policy_status().bucket("cors-ct").send().await;
    let r = options(
        &s,
        "/cors-ct/k",
        &[("origin", ORIGIN), ("access-control-request-method", "GET")],
    )
    .send(&s)
    .await;
    assert_eq!(r.status, 403);

    let put = records_named(&s, "PutBucketCors").await;
    assert_eq!(put.len(), 1);
    let e = &put[0];
    assert_eq!(e["eventSource"], "s3.amazonaws.com");
    assert_eq!(e["eventCategory"], "Management");
    assert_eq!(e["managementEvent"], true);
    assert_eq!(e["readOnly"], false);
    let p = &e["requestParameters"];
    assert_eq!(p["bucketName"], "cors-ct");
    assert_eq!(p["cors"], "");
    assert_eq!(p["CORSConfiguration"]["CORSRule"]["AllowedOrigin"], ORIGIN);
    assert_eq!(p["CORSConfiguration"]["CORSRule"]["MaxAgeSeconds"], 60);
    let get = records_named(&s, "GetBucketCors").await;
    assert_eq!(get.len(), 1);
    assert_eq!(get[0]["readOnly"], true);
    assert_eq!(records_named(&s, "DeleteBucketCors").await.len(), 1);
    let status = records_named(&s, "GetBucketPolicyStatus").await;
    assert_eq!(status.len(), 1);
    assert_eq!(status[0]["errorCode"], "NoSuchBucketPolicy");
    assert_eq!(status[0]["requestParameters"]["policyStatus"], "");
    for name in ["OPTIONS", "PreflightRequest", "OptionsObject"] {
        assert!(records_named(&s, name).await.is_empty(), "{name}");
    }
}
