//! TLS on the same port as plain HTTP (`--tls-self-signed`): the AWS SDK for Rust and boto3
//! trust the generated certificate and do SSE-C over HTTPS, which `--require-tls-for-sse`
//! refuses over plain HTTP; a request over TLS is `aws:SecureTransport` for policies and
//! carries `tlsDetails` in its CloudTrail record.

use crate::common::*;
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode, TlsContext, TrustStore};
use serde_json::json;

/// A server serving TLS with the self-signed certificate of its data dir, refusing SSE-C
/// and SSE-KMS over plain HTTP; the certificate's PEM.
async fn tls_server() -> (Server, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start_configured(dir, |c| {
        let (config, _) = trailstack_server::tls::self_signed(&c.data_dir).unwrap();
        c.tls = Some(config);
        c.require_tls_for_sse = true;
    })
    .await;
    let (cert, _) = trailstack_server::tls::self_signed_paths(&s.data_dir());
    let pem = std::fs::read(cert).unwrap();
    (s, pem)
}

/// `https://<host>:<port>` of the server.
fn https(s: &Server, host: &str) -> String {
    let port = host_of(s).rsplit(':').next().unwrap().to_string();
    format!("https://{host}:{port}")
}

/// An S3 client over HTTPS to `endpoint` that trusts only `pem`.
pub fn s3_https(endpoint: &str, pem: &[u8]) -> aws_sdk_s3::Client {
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc))
        .tls_context(
            TlsContext::builder()
                .with_trust_store(TrustStore::empty().with_pem_certificate(pem.to_vec()))
                .build()
                .unwrap(),
        )
        .build_https();
    aws_sdk_s3::Client::from_conf(Via::new(endpoint).s3_config().http_client(http).build())
}

#[tokio::test]
async fn tls_sse_c_put_and_get_through_the_rust_sdk() {
    let (s, pem) = tls_server().await;
    let body = data(300_000, 1);
    let key = CustomerKey::seeded(2);
    for host in ["localhost", "127.0.0.1"] {
        let c = s3_https(&https(&s, host), &pem);
        let bucket = format!("tls-{}", host.replace('.', "-"));
        c.create_bucket().bucket(&bucket).send().await.unwrap();
        let put = ok!(put_req(&c, &bucket, "secret", &body).customer_key(&key));
        assert_eq!(put.sse_customer_key_md5(), Some(key.md5.as_str()));
        let got = ok!(get_req(&c, &bucket, "secret").customer_key(&key));
        assert_eq!(body_bytes(got).await, body);
    }

    // Plain HTTP on the same port still serves, but not SSE-C.
    let plain = s.s3();
    plain.list_buckets().send().await.unwrap();
    assert_outcome!(
        put_req(&plain, "tls-localhost", "over-http", b"x").customer_key(&key),
        "InvalidRequest 400"
    );
}

#[tokio::test]
async fn tls_an_untrusted_certificate_is_refused_by_the_client() {
    let (s, _) = tls_server().await;
    // Another data dir's certificate: the client must not trust this server.
    let other = tempfile::tempdir().unwrap();
    let (_, wrong) = trailstack_server::tls::self_signed(other.path()).unwrap();
    let c = s3_https(&https(&s, "localhost"), &std::fs::read(wrong).unwrap());
    let e = c.list_buckets().send().await.unwrap_err();
    assert!(
        e.raw_response().is_none(),
        "a response over an untrusted connection: {e:?}"
    );
}

#[tokio::test]
async fn tls_requests_are_secure_transport_for_policies_and_cloudtrail() {
    let (s, pem) = tls_server().await;
    let secure = s3_https(&https(&s, "localhost"), &pem);
    let plain = s.s3();
    ok!(secure.create_bucket().bucket("tls-only"));
    ok!(plain.create_bucket().bucket("any-transport"));
    let policy = json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::tls-only/*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}
        }]
    });
    put_policy(&secure, "tls-only", policy.to_string()).await;
    put_bytes(&secure, "tls-only", "k", b"v").await;
    let e = get_err(&plain, "tls-only", "k").await;
    assert_eq!(code(&e), "AccessDenied");
    assert_eq!(get_bytes(&secure, "tls-only", "k").await, b"v");

    let created = records_named(&s, "CreateBucket").await;
    let by_bucket = |b: &str| {
        created
            .iter()
            .find(|r| r["requestParameters"]["bucketName"] == b)
            .unwrap_or_else(|| panic!("no CreateBucket of {b}: {created:?}"))
            .clone()
    };
    let over_tls = by_bucket("tls-only");
    assert_eq!(
        over_tls["tlsDetails"],
        json!({"tlsVersion": trailstack_server::tls::TLS_VERSION,
               "cipherSuite": trailstack_server::tls::CIPHER_SUITE,
               "clientProvidedHostHeader": https(&s, "localhost").trim_start_matches("https://")})
    );
    assert!(by_bucket("any-transport").get("tlsDetails").is_none());
}

#[tokio::test]
async fn tls_boto3_trusts_the_self_signed_certificate() {
    let (s, _) = tls_server().await;
    let (cert, _) = trailstack_server::tls::self_signed_paths(&s.data_dir());
    let key = CustomerKey::seeded(3);
    let input = json!({
        "endpoint": https(&s, "localhost"),
        "cert": cert,
        "bucket": "boto-tls",
        "key_b64": key.key,
    });
    let out = tokio::task::spawn_blocking(move || crate::common::py("tls_boto3.py", input))
        .await
        .unwrap();
    assert_eq!(out["body"], "sse-c over https");
    assert_eq!(out["md5"], key.md5);
    assert_eq!(out["unverified"], "refused");
    assert_eq!(out["plain_http"], "InvalidRequest");
}
