//! Behavioural tests of request authentication: client signer -> verify round trips, wrong
//! secrets, clock skew, presigned expiry, malformed headers and queries, `authenticate`.

use time::Duration;

use crate::tests_vectors::{AK, NOW, SECRET};
use crate::*;

fn params() -> SigningParams<'static> {
    SigningParams {
        access_key: AK,
        secret_key: SECRET,
        region: "eu-west-3",
        service: "s3",
        time: NOW,
    }
}

const PATH: &str = "/bucket/some%20key/with%2Fslash!*'()";
const QUERY: &str = "versionId=3%2F4&acl&list-type=2&prefix=a+b";

/// Signs a PUT with the header signer; returns the headers including Authorization.
fn header_signed(payload: &str) -> Vec<(String, String)> {
    let base: Vec<(&str, &str)> = vec![
        ("Host", "localhost:4566"),
        ("X-Amz-Date", "20130524T000000Z"),
        ("x-amz-content-sha256", payload),
        ("X-Amz-Meta-Note", "  spaced    out  "),
        ("x-amz-meta-note", "second"),
    ];
    let req = RequestParts {
        method: "PUT",
        raw_path: PATH,
        raw_query: QUERY,
        headers: &base,
    };
    let sig = sign_request_header(&req, &params(), payload);
    let mut out: Vec<(String, String)> = base
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    out.push(("Authorization".into(), sig.authorization));
    out.push(("User-Agent".into(), "unsigned extra header".into()));
    out
}

fn check(
    headers: &[(String, String)],
    path: &str,
    secret: &str,
    now: time::OffsetDateTime,
) -> Result<Verified, SigError> {
    let hs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    parse_and_verify("PUT", path, QUERY, &hs, secret, now)
}

/// Parses the signature a request carries and verifies it with `secret` at `now`.
fn parse_and_verify(
    method: &str,
    raw_path: &str,
    raw_query: &str,
    headers: &[(&str, &str)],
    secret: &str,
    now: time::OffsetDateTime,
) -> Result<Verified, SigError> {
    let req = RequestParts {
        method,
        raw_path,
        raw_query,
        headers,
    };
    let signed = parse_request_auth(&req)?.expect("signed");
    let payload = payload_hash_for(&req, &signed).expect("a payload hash, declared or presigned");
    verify(&req, &signed, secret, &payload, now)
}

#[test]
fn header_round_trip_and_failures() {
    let headers = header_signed(UNSIGNED_PAYLOAD);
    check(&headers, PATH, SECRET, NOW).unwrap();
    // Same bytes, different (but equivalent) encoding of the path.
    check(
        &headers,
        "/bucket/some%20key/with%2fslash%21%2A%27%28%29",
        SECRET,
        NOW,
    )
    .unwrap();
    // Within the allowed skew either way.
    check(&headers, PATH, SECRET, NOW + Duration::minutes(15)).unwrap();
    check(&headers, PATH, SECRET, NOW - Duration::minutes(15)).unwrap();

    let err = check(&headers, PATH, "wrong", NOW).unwrap_err();
    let SigError::SignatureDoesNotMatch {
        string_to_sign,
        canonical_request,
        ..
    } = &err
    else {
        panic!("{err:?}");
    };
    assert!(string_to_sign
        .starts_with("AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/eu-west-3/s3/aws4_request\n"));
    assert!(canonical_request.starts_with("PUT\n/bucket/some%20key/with%2Fslash%21%2A%27%28%29\n"));
    assert!(canonical_request.contains("x-amz-meta-note:spaced out,second\n"));
    assert_eq!(err.s3_code(), "SignatureDoesNotMatch");
    assert_eq!(err.http_status(), 403);

    // A decoded slash is a different path.
    assert!(matches!(
        check(&headers, "/bucket/some%20key/with/slash!*'()", SECRET, NOW),
        Err(SigError::SignatureDoesNotMatch { .. })
    ));
    for now in [NOW + Duration::minutes(16), NOW - Duration::minutes(16)] {
        let err = check(&headers, PATH, SECRET, now).unwrap_err();
        assert!(
            matches!(err, SigError::RequestTimeTooSkewed { .. }),
            "{err:?}"
        );
        assert_eq!(err.s3_code(), "RequestTimeTooSkewed");
    }
    // Tampering with a signed header value.
    let mut tampered = headers.clone();
    tampered[3].1 = "changed".into();
    assert!(matches!(
        check(&tampered, PATH, SECRET, NOW),
        Err(SigError::SignatureDoesNotMatch { .. })
    ));
}

fn presigned(expires: u64) -> String {
    let headers = [("host", "localhost:4566")];
    let req = RequestParts {
        method: "GET",
        raw_path: PATH,
        raw_query: "response-content-type=text%2Fplain",
        headers: &headers,
    };
    presign_query(&req, &params(), expires)
}

fn check_presigned(query: &str, now: time::OffsetDateTime) -> Result<Verified, SigError> {
    let headers = [("Host", "localhost:4566"), ("User-Agent", "curl")];
    parse_and_verify("GET", PATH, query, &headers, SECRET, now)
}

#[test]
fn presigned_round_trip_and_expiry() {
    let q = presigned(3600);
    check_presigned(&q, NOW).unwrap();
    check_presigned(&q, NOW + Duration::seconds(3600)).unwrap();
    let err = check_presigned(&q, NOW + Duration::seconds(3601)).unwrap_err();
    assert!(matches!(err, SigError::Expired { .. }), "{err:?}");
    assert_eq!(
        (err.s3_code(), err.to_string().as_str()),
        ("AccessDenied", "Request has expired")
    );
    let err = check_presigned(&q, NOW - Duration::minutes(16)).unwrap_err();
    assert!(matches!(err, SigError::NotYetValid { .. }), "{err:?}");
    // A URL valid for no time at all is well formed, and expired when used.
    let err = check_presigned(&presigned(0), NOW + Duration::seconds(1)).unwrap_err();
    assert!(matches!(err, SigError::Expired { .. }), "{err:?}");
    assert_eq!(err.http_status(), 403);
    // Presigned URLs are not subject to the 15-minute skew once valid.
    check_presigned(&presigned(604_800), NOW + Duration::days(6)).unwrap();
    // Tampered parameter.
    let tampered = q.replace("text%2Fplain", "text%2Fhtml");
    assert!(matches!(
        check_presigned(&tampered, NOW),
        Err(SigError::SignatureDoesNotMatch { .. })
    ));
}

#[test]
fn presigned_parameter_errors() {
    let q = presigned(60);
    let cases = [
        q.replace("X-Amz-Expires=60", "X-Amz-Expires=604801"),
        q.replace("X-Amz-Expires=60", "X-Amz-Expires=-1"),
        q.replace("X-Amz-Expires=60", "X-Amz-Expires=soon"),
        q.replace("X-Amz-Date=20130524T000000Z", "X-Amz-Date=2013-05-24"),
        q.replace("X-Amz-Date=20130524T000000Z", "X-Amz-Date=20130525T000000Z"),
        q.replace(
            "X-Amz-Algorithm=AWS4-HMAC-SHA256",
            "X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256",
        ),
        q.replace("&X-Amz-SignedHeaders=host", ""),
        q.replace("aws4_request", "aws5_request"),
        format!("{q}&X-Amz-Signature=00"),
    ];
    for case in &cases {
        let err = check_presigned(case, NOW).unwrap_err();
        assert_eq!(
            err.s3_code(),
            "AuthorizationQueryParametersError",
            "{case}: {err:?}"
        );
        assert_eq!(err.http_status(), 400);
    }
    let err =
        check_presigned(&q.replace("X-Amz-Expires=60", "X-Amz-Expires=604801"), NOW).unwrap_err();
    assert_eq!(
        err.to_string(),
        "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires \
         must be less than 604800 seconds"
    );
    let err = check_presigned(&q.replace("X-Amz-Expires=60", "X-Amz-Expires=-7"), NOW).unwrap_err();
    assert_eq!(err.to_string(), "X-Amz-Expires must be non-negative");
}

fn parse_with(headers: &[(&str, &str)], query: &str) -> Result<Option<SignedRequest>, SigError> {
    parse_request_auth(&RequestParts {
        method: "GET",
        raw_path: "/",
        raw_query: query,
        headers,
    })
}

#[test]
fn header_parse_errors() {
    let cred = "Credential=AK/20130524/us-east-1/s3/aws4_request";
    let good = format!("AWS4-HMAC-SHA256 {cred}, SignedHeaders=host;x-amz-date, Signature=ab");
    let date = ("x-amz-date", "20130524T000000Z");
    assert!(parse_with(&[("Authorization", &good), date], "")
        .unwrap()
        .is_some());
    assert_eq!(parse_with(&[("host", "h")], "a=b").unwrap(), None);

    let malformed = [
        format!("AWS4-HMAC-SHA256 {cred}, SignedHeaders=host"),
        format!("AWS4-HMAC-SHA256 {cred}, Signature=ab"),
        "AWS4-HMAC-SHA256 SignedHeaders=host, Signature=ab".to_owned(),
        "AWS4-HMAC-SHA256 Credential=AK/2013/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=ab".to_owned(),
        format!("AWS4-HMAC-SHA256 {cred}, SignedHeaders=host;;x, Signature=ab"),
        format!("AWS4-HMAC-SHA256 {cred}, {cred}, SignedHeaders=host, Signature=ab"),
        format!("AWS4-HMAC-SHA256 {cred}, Foo=1, SignedHeaders=host, Signature=ab"),
        format!("AWS4-HMAC-SHA256 {cred} SignedHeaders=host, Signature=ab"),
        "AWS4-HMAC-SHA256".to_owned(),
    ];
    for value in &malformed {
        let err = parse_with(&[("Authorization", value), date], "").unwrap_err();
        assert_eq!(
            err.s3_code(),
            "AuthorizationHeaderMalformed",
            "{value}: {err:?}"
        );
        assert!(err
            .to_string()
            .starts_with("The authorization header is malformed; "));
    }
    let err = parse_with(
        &[("Authorization", &good), ("x-amz-date", "20130525T000000Z")],
        "",
    );
    assert_eq!(err.unwrap_err().s3_code(), "AuthorizationHeaderMalformed");

    for value in [
        "AWS AK:c2ln",
        "Bearer x",
        "AWS4-ECDSA-P256-SHA256 Credential=x",
    ] {
        let err = parse_with(&[("Authorization", value), date], "").unwrap_err();
        assert!(
            matches!(err, SigError::UnsupportedAlgorithm { .. }),
            "{value}: {err:?}"
        );
    }
    // A blank Authorization header is none: the request is anonymous.
    for blank in ["", "  "] {
        assert_eq!(parse_with(&[("Authorization", blank), date], ""), Ok(None));
    }
    assert_eq!(
        parse_with(&[("Authorization", &good)], ""),
        Err(SigError::MissingDate)
    );
    let err = parse_with(&[("Authorization", &good), ("X-Amz-Date", "yesterday")], "");
    assert!(matches!(err, Err(SigError::InvalidDate { .. })));
    // The Date header works when X-Amz-Date is absent; its time goes into the string to sign.
    let signed = parse_with(
        &[
            ("Authorization", &good),
            ("Date", "Fri, 24 May 2013 00:00:00 GMT"),
        ],
        "",
    )
    .unwrap()
    .unwrap();
    assert_eq!(signed.amz_date_raw, "20130524T000000Z");

    let both = parse_with(&[("Authorization", &good), date], "X-Amz-Signature=x");
    assert_eq!(both, Err(SigError::ConflictingAuth));
    let v2 = parse_with(&[], "AWSAccessKeyId=AK&Expires=1&Signature=x").unwrap_err();
    assert_eq!(v2.s3_code(), "InvalidArgument");
}

#[test]
fn host_must_be_signed() {
    let headers = [("x-amz-date", "20130524T000000Z"), ("Host", "h")];
    let only_date = [headers[0]];
    let req = RequestParts {
        method: "GET",
        raw_path: "/",
        raw_query: "",
        headers: &only_date,
    };
    let sig = sign_request_header(&req, &params(), EMPTY_SHA256);
    let full = [
        headers[0],
        headers[1],
        ("Authorization", sig.authorization.as_str()),
    ];
    let req = RequestParts {
        headers: &full,
        ..req
    };
    let signed = parse_request_auth(&req).unwrap().unwrap();
    let err = verify(&req, &signed, SECRET, EMPTY_SHA256, NOW).unwrap_err();
    assert_eq!(err, SigError::HostNotSigned);
    assert_eq!(err.s3_code(), "AccessDenied");
}

struct Keys;
impl SecretLookup for Keys {
    fn secret_for(&self, access_key: &str) -> Option<String> {
        (access_key == AK).then(|| SECRET.to_owned())
    }
}

#[test]
fn authenticate_end_to_end() {
    let run = |headers: &[(&str, &str)], body: Option<&str>| {
        authenticate(
            &RequestParts {
                method: "POST",
                raw_path: "/",
                raw_query: "",
                headers,
            },
            &Keys,
            body,
            NOW,
        )
    };
    assert!(run(&[("host", "h")], None).unwrap().is_none());
    // KMS style: no x-amz-content-sha256, the body hash is supplied.
    let body_hash = sha256_hex(b"{}");
    let base = [("host", "kms.local"), ("x-amz-date", "20130524T000000Z")];
    let req = RequestParts {
        method: "POST",
        raw_path: "/",
        raw_query: "",
        headers: &base,
    };
    let kms = SigningParams {
        service: "kms",
        ..params()
    };
    let sig = sign_request_header(&req, &kms, &body_hash);
    let with_auth = [
        base[0],
        base[1],
        ("authorization", sig.authorization.as_str()),
    ];
    let ok = run(&with_auth, Some(&body_hash)).unwrap().unwrap();
    assert_eq!(ok.signed.scope.service, "kms");
    assert_eq!(ok.payload_hash, body_hash);
    assert_eq!(
        run(&with_auth, None).unwrap_err(),
        SigError::MissingContentSha256
    );
    assert!(matches!(
        run(&with_auth, Some(EMPTY_SHA256)),
        Err(SigError::SignatureDoesNotMatch { .. })
    ));

    let bad_hash = [
        base[0],
        base[1],
        ("x-amz-content-sha256", "nope"),
        with_auth[2],
    ];
    assert!(matches!(
        run(&bad_hash, None),
        Err(SigError::InvalidContentSha256 { .. })
    ));
    let other_key = sig.authorization.replace(AK, "AKIDUNKNOWN");
    let unknown = [base[0], base[1], ("authorization", other_key.as_str())];
    assert!(matches!(
        run(&unknown, None),
        Err(SigError::InvalidAccessKeyId { .. })
    ));
}
