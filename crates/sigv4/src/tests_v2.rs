//! SigV2 against known answers: the examples of AWS's guide and a request signed by botocore's
//! `HmacV1Auth`, then the failures (wrong secret, skew, expiry, malformed header and query).

use time::macros::datetime;
use time::Duration;

use crate::v2::*;
use crate::{AuthLocation, RequestParts, SigError};

const AK: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const DATE: &str = "Tue, 27 Mar 2007 19:36:42 +0000";

fn req<'a>(
    method: &'a str,
    path: &'a str,
    query: &'a str,
    headers: &'a [(&'a str, &'a str)],
) -> RequestParts<'a> {
    RequestParts {
        method,
        raw_path: path,
        raw_query: query,
        headers,
    }
}

#[test]
fn aws_guide_header_example_verifies_virtual_hosted() {
    let auth = format!("AWS {AK}:bWq2s1WEIj+Ydj0vQ697zp+IXMU=");
    let headers = [
        ("Host", "johnsmith.s3.amazonaws.com"),
        ("Date", DATE),
        ("Authorization", auth.as_str()),
    ];
    let r = req("GET", "/photos/puppy.jpg", "", &headers);
    assert!(is_v2(&r));
    let signed = parse_v2(&r).unwrap();
    assert_eq!(signed.access_key, AK);
    assert_eq!(signed.location, AuthLocation::Header);
    assert_eq!(signed.time, datetime!(2007-03-27 19:36:42 UTC));
    let now = datetime!(2007-03-27 19:40:00 UTC);
    verify_v2(&r, &signed, SECRET, Some("johnsmith"), now).unwrap();
    // The same request read path-style names no bucket: another resource, another signature.
    assert!(matches!(
        verify_v2(&r, &signed, SECRET, None, now),
        Err(SigError::SignatureDoesNotMatch { .. })
    ));
}

#[test]
fn aws_guide_query_example_verifies_until_it_expires() {
    let headers = [("Host", "johnsmith.s3.amazonaws.com")];
    let q = format!(
        "AWSAccessKeyId={AK}&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D&Expires=1175139620"
    );
    let r = req("GET", "/photos/puppy.jpg", &q, &headers);
    assert!(is_v2(&r));
    let signed = parse_v2(&r).unwrap();
    assert_eq!(signed.location, AuthLocation::Query);
    assert_eq!(signed.date_line, "1175139620");
    let expires = datetime!(2007-03-29 03:40:20 UTC);
    assert_eq!(signed.time, expires);
    verify_v2(&r, &signed, SECRET, Some("johnsmith"), expires).unwrap();
    let late = verify_v2(
        &r,
        &signed,
        SECRET,
        Some("johnsmith"),
        expires + Duration::seconds(1),
    );
    assert!(matches!(late, Err(SigError::Expired { .. })), "{late:?}");
    assert_eq!(late.unwrap_err().to_string(), "Request has expired");
}

#[test]
fn botocore_signed_request_with_amz_headers_and_subresources_verifies() {
    // Signed by botocore's HmacV1Auth (the signer of boto3's `signature_version="s3"`).
    let headers = [
        ("Host", "127.0.0.1:4566"),
        ("Content-Type", "text/plain"),
        ("Content-MD5", "XrY7u+Ae7tCTyyK7j1rNww=="),
        ("X-Amz-Meta-B", " two "),
        ("x-amz-meta-a", "one"),
        ("X-Amz-Acl", "private"),
        ("Date", "Tue, 27 Mar 2007 21:15:45 +0000"),
        (
            "Authorization",
            "AWS AKIAIOSFODNN7EXAMPLE:GMFSi2ma7f3PKcwAtYT4QgIupss=",
        ),
    ];
    let r = req(
        "PUT",
        "/bucket/a%20key",
        "versionId=x%2By&acl&prefix=p",
        &headers,
    );
    let signed = parse_v2(&r).unwrap();
    let resource = canonical_resource(None, r.raw_path, r.raw_query, false);
    assert_eq!(resource, "/bucket/a%20key?acl&versionId=x+y");
    assert_eq!(
        string_to_sign_v2(&r, &signed, &resource),
        "PUT\nXrY7u+Ae7tCTyyK7j1rNww==\ntext/plain\nTue, 27 Mar 2007 21:15:45 +0000\n\
         x-amz-acl:private\nx-amz-meta-a:one\nx-amz-meta-b:two\n/bucket/a%20key?acl&versionId=x+y"
    );
    let now = datetime!(2007-03-27 21:20:00 UTC);
    verify_v2(&r, &signed, SECRET, None, now).unwrap();
}

#[test]
fn x_amz_date_replaces_date_and_empties_the_date_line() {
    let sts = "GET\n\n\n\nx-amz-date:Tue, 27 Mar 2007 19:36:42 +0000\n/b/k";
    let auth = format!("AWS {AK}:{}", sign_v2(SECRET, sts));
    let headers = [
        ("Date", "Mon, 01 Jan 2001 00:00:00 GMT"),
        ("x-amz-date", DATE),
        ("Authorization", auth.as_str()),
    ];
    let r = req("GET", "/b/k", "", &headers);
    let signed = parse_v2(&r).unwrap();
    assert_eq!(signed.date_line, "");
    assert_eq!(signed.time, datetime!(2007-03-27 19:36:42 UTC));
    verify_v2(
        &r,
        &signed,
        SECRET,
        None,
        datetime!(2007-03-27 19:30:00 UTC),
    )
    .unwrap();
}

#[test]
fn newer_subresources_are_accepted_signed_or_not() {
    let date = "Tue, 27 Mar 2007 19:36:42 GMT";
    let now = datetime!(2007-03-27 19:36:42 UTC);
    for resource in ["/b/k?retention", "/b/k"] {
        let sts = format!("PUT\n\n\n{date}\n{resource}");
        let auth = format!("AWS {AK}:{}", sign_v2(SECRET, &sts));
        let headers = [("Date", date), ("Authorization", auth.as_str())];
        let r = req("PUT", "/b/k", "retention", &headers);
        let signed = parse_v2(&r).unwrap();
        verify_v2(&r, &signed, SECRET, None, now).unwrap();
    }
}

#[test]
fn failures_name_what_aws_names() {
    let now = datetime!(2007-03-27 19:36:42 UTC);
    let headers = [
        ("Date", DATE),
        ("Authorization", "AWS AKIAIOSFODNN7EXAMPLE:AAAA"),
    ];
    let r = req("GET", "/b/k", "", &headers);
    let signed = parse_v2(&r).unwrap();
    let Err(SigError::SignatureDoesNotMatch {
        string_to_sign,
        signature_provided,
        canonical_request,
    }) = verify_v2(&r, &signed, SECRET, None, now)
    else {
        panic!("signature accepted");
    };
    assert_eq!(string_to_sign, format!("GET\n\n\n{DATE}\n/b/k"));
    assert_eq!(signature_provided, "AAAA");
    assert!(canonical_request.is_empty());

    let skewed = verify_v2(&r, &signed, SECRET, None, now + Duration::minutes(16));
    assert!(matches!(skewed, Err(SigError::RequestTimeTooSkewed { .. })));
    assert!(
        verify_v2(&r, &signed, SECRET, None, now + Duration::minutes(14))
            .is_err_and(|e| matches!(e, SigError::SignatureDoesNotMatch { .. }))
    );

    for bad in ["AWS HAHAHA", "AWS :sig", "AWS key:", "AWS", "AWS a:b:c"] {
        let headers = [("Date", DATE), ("Authorization", bad)];
        let r = req("GET", "/b/k", "", &headers);
        assert!(is_v2(&r), "{bad}");
        let e = parse_v2(&r).unwrap_err();
        assert_eq!(
            (e.s3_code(), e.http_status()),
            ("InvalidArgument", 400),
            "{bad}"
        );
    }

    for (date, want) in [
        ("Bad Date", "AccessDenied"),
        ("", "AccessDenied"),
        ("Tue, 07 Jul 1950 21:53:04 GMT", "AccessDenied"),
        ("Tue, 07 Jul 2010 21:53:04 GMT", "RequestTimeTooSkewed"),
        ("Tue, 07 Jul 9999 21:53:04 GMT", "RequestTimeTooSkewed"),
    ] {
        let headers = [
            ("Date", DATE),
            ("x-amz-date", date),
            ("Authorization", "AWS AKIAIOSFODNN7EXAMPLE:AAAA"),
        ];
        let r = req("PUT", "/b/k", "", &headers);
        let e = parse_v2(&r)
            .and_then(|s| verify_v2(&r, &s, SECRET, None, now))
            .unwrap_err();
        assert_eq!(e.s3_code(), want, "{date}");
        assert_eq!(e.http_status(), 403, "{date}");
    }
    let headers = [("Authorization", "AWS AKIAIOSFODNN7EXAMPLE:AAAA")];
    assert_eq!(
        parse_v2(&req("GET", "/", "", &headers)),
        Err(SigError::MissingDate)
    );
}

#[test]
fn presigned_query_errors() {
    for q in [
        "AWSAccessKeyId=AK&Signature=x",
        "Signature=x&Expires=1",
        "AWSAccessKeyId=AK&Expires=1",
    ] {
        let r = req("GET", "/b/k", q, &[]);
        assert!(is_v2(&r), "{q}");
        assert_eq!(parse_v2(&r), Err(SigError::V2QueryIncomplete), "{q}");
    }
    let r = req(
        "GET",
        "/b/k",
        "AWSAccessKeyId=AK&Signature=x&Expires=soon",
        &[],
    );
    let e = parse_v2(&r).unwrap_err();
    assert_eq!((e.s3_code(), e.http_status()), ("AccessDenied", 403));
    assert_eq!(
        e.to_string(),
        "Invalid date (should be seconds since epoch): soon"
    );
    let both = [("Authorization", "AWS AK:sig"), ("Date", DATE)];
    let r = req(
        "GET",
        "/b/k",
        "AWSAccessKeyId=AK&Signature=x&Expires=1",
        &both,
    );
    assert_eq!(parse_v2(&r), Err(SigError::ConflictingAuth));
    // SigV4's query parameters are SigV4's, even beside a stray Signature.
    let r = req("GET", "/b/k", "X-Amz-Signature=a&Signature=x", &[]);
    assert!(!is_v2(&r));
    let v4 = [("Authorization", "AWS4-HMAC-SHA256 Credential=a")];
    assert!(!is_v2(&req("GET", "/", "", &v4)));
    assert!(!is_v2(&req("GET", "/", "acl", &[])));
}

#[test]
fn presigned_amz_and_content_type_parameters_are_signed_as_headers() {
    // botocore's HmacV1QueryAuth moves x-amz-* headers and Content-Type into the query.
    let sts = "PUT\n\ntext/plain\n1175139620\nx-amz-acl:public-read\n/b/k";
    let sig = crate::uri_encode(sign_v2(SECRET, sts).as_bytes());
    let q = format!(
        "AWSAccessKeyId={AK}&Signature={sig}&Expires=1175139620&x-amz-acl=public-read&content-type=text%2Fplain"
    );
    let r = req("PUT", "/b/k", &q, &[]);
    let signed = parse_v2(&r).unwrap();
    verify_v2(&r, &signed, SECRET, None, datetime!(2007-03-27 00:00 UTC)).unwrap();
}

#[test]
fn a_path_style_bucket_is_signed_with_or_without_its_slash() {
    // botocore signs `/bucket/` for the path-style `PUT /bucket` of CreateBucket.
    let date = "Mon, 07 Dec 2026 04:16:29 GMT";
    let now = datetime!(2026-12-07 04:16:29 UTC);
    for (path, resource) in [("/dbg", "/dbg/"), ("/dbg/", "/dbg"), ("/dbg", "/dbg")] {
        let auth = format!(
            "AWS {AK}:{}",
            sign_v2(SECRET, &format!("PUT\n\n\n{date}\n{resource}"))
        );
        let headers = [("Date", date), ("Authorization", auth.as_str())];
        let r = req("PUT", path, "", &headers);
        let signed = parse_v2(&r).unwrap();
        verify_v2(&r, &signed, SECRET, None, now).unwrap();
    }
    // An object's path has one spelling only.
    let auth = format!(
        "AWS {AK}:{}",
        sign_v2(SECRET, &format!("PUT\n\n\n{date}\n/dbg/k/"))
    );
    let headers = [("Date", date), ("Authorization", auth.as_str())];
    let r = req("PUT", "/dbg/k", "", &headers);
    let signed = parse_v2(&r).unwrap();
    assert!(verify_v2(&r, &signed, SECRET, None, now).is_err());
}
