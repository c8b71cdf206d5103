//! The security promises of SECURITY.md, checked from the outside: the data dir is 0700 and the
//! root key 0600, and the binary refuses to start on a root key others can read; no secret
//! (secret access keys, SSE-C keys, KMS plaintexts and data keys, object plaintext, the root
//! key, the TLS key) reaches the trace log, an error response, a CloudTrail record (the outbox,
//! LookupEvents, delivered log files) or, for what must be encrypted at rest, any file of the
//! data dir; the admin operations need valid credentials; request ids are unique.

use crate::binary::{self, s3_at, Binary};
use crate::common::*;
use aws_sdk_s3::operation::RequestId;
use base64::Engine;
use std::collections::HashSet;
use std::io::Read;
use std::path::Path;
use trailstack_server::admin_client::Credentials;

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[cfg(unix)]
#[tokio::test]
async fn security_data_dir_0700_root_key_0600_and_a_readable_key_refused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // A data dir that already exists, open to everyone, is closed at start.
    std::fs::create_dir(&data).unwrap();
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    let b = Binary::start(&data, &dir.path().join("log"), &[], &[]);
    drop(b);
    assert_eq!(mode(&data), 0o700);
    let key = data.join("root.key");
    assert_eq!(mode(&key), 0o600);

    for open in [0o644, 0o640, 0o604] {
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(open)).unwrap();
        let (status, out) = binary::refused(&data, &[]);
        assert_eq!(status.code(), Some(1), "{out}");
        assert!(
            out.contains("root.key") && out.contains("readable by other users"),
            "{out}"
        );
        assert!(out.contains("chmod 600"), "{out}");
    }
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    drop(Binary::start(&data, &dir.path().join("log"), &[], &[]));
}

/// A signed `Trailstack.*` admin call with `access_key`/`secret`, or unsigned.
async fn admin(s: &Server, target: &str, auth: Option<(&str, &str)>) -> RawResponse {
    let req = Raw::new(s, "POST", "/")
        .header("x-amz-target", target)
        .header("content-type", "application/x-amz-json-1.1")
        .body(br#"{"Target":"s3://nope"}"#.to_vec());
    let req = match auth {
        Some((access_key, secret)) => {
            let signer = Signer {
                access_key,
                secret,
                time: time::OffsetDateTime::now_utc(),
            };
            req.sign_with(&signer, None).0
        }
        None => req,
    };
    req.send(s).await
}

#[tokio::test]
async fn security_admin_operations_require_valid_credentials() {
    let s = Server::start().await;
    for target in ["Trailstack.Flush", "Trailstack.Explain"] {
        let r = admin(&s, target, None).await;
        assert_eq!(r.status, 400);
        assert!(
            r.text().contains("MissingAuthenticationTokenException"),
            "{target}: {}",
            r.text()
        );
        let r = admin(&s, target, Some(("test", "not-the-secret"))).await;
        assert!(
            r.text().contains("InvalidSignatureException"),
            "{target}: {}",
            r.text()
        );
        let r = admin(&s, target, Some(("AKNOBODY", "x"))).await;
        assert!(
            r.text().contains("UnrecognizedClientException"),
            "{target}: {}",
            r.text()
        );
    }
    // The command-line client signs; with the right secret the flush runs.
    let endpoint = s.endpoint.clone();
    let flushed = tokio::task::spawn_blocking(move || {
        let creds = |secret: &str| Credentials {
            access_key: "test".into(),
            secret_key: secret.into(),
            region: "us-east-1".into(),
            session_token: None,
        };
        let refused = trailstack_server::flush::flush(&endpoint, &creds("wrong"));
        (
            refused,
            trailstack_server::flush::flush(&endpoint, &creds("test")),
        )
    })
    .await
    .unwrap();
    assert!(
        flushed
            .0
            .unwrap_err()
            .starts_with("InvalidSignatureException"),
        "a flush with a wrong secret ran"
    );
    flushed.1.unwrap();
}

#[tokio::test]
async fn security_request_ids_are_unique() {
    let s = Server::start().await;
    s.with_bucket("ids").await;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..16 {
        let c = s.s3();
        tasks.spawn(async move {
            let mut ids = Vec::new();
            for _ in 0..60 {
                let out = c.head_bucket().bucket("ids").send().await.unwrap();
                ids.push(out.request_id().unwrap().to_string());
                let e = c.head_bucket().bucket("none").send().await.unwrap_err();
                ids.push(e.request_id().unwrap().to_string());
            }
            ids
        });
    }
    let mut seen = HashSet::new();
    while let Some(ids) = tasks.join_next().await {
        for id in ids.unwrap() {
            assert!(seen.insert(id.clone()), "request id {id} given twice");
        }
    }
    assert_eq!(seen.len(), 16 * 120);

    // Two servers on the same fixed clock (a restart under a test clock) share no id.
    let at = time::OffsetDateTime::from_unix_timestamp(1_750_000_000).unwrap();
    let mut per_server = Vec::new();
    for _ in 0..2 {
        let clock = std::sync::Arc::new(trailstack_core::FixedClock::new(at));
        let s = Server::start_clocked(tempfile::tempdir().unwrap(), clock, |_| {}).await;
        per_server.push(
            (0..50)
                .map(|_| s.app.next_request_id())
                .collect::<HashSet<_>>(),
        );
    }
    assert!(per_server[0].is_disjoint(&per_server[1]));
}

/// One secret and its name, searched for raw, in base64 and in hex.
struct Secret {
    name: &'static str,
    bytes: Vec<u8>,
}

impl Secret {
    fn new(name: &'static str, bytes: impl Into<Vec<u8>>) -> Secret {
        Secret {
            name,
            bytes: bytes.into(),
        }
    }

    fn forms(&self) -> Vec<Vec<u8>> {
        let b64 = base64::engine::general_purpose::STANDARD;
        vec![
            self.bytes.clone(),
            b64.encode(&self.bytes).into_bytes(),
            hex::encode(&self.bytes).into_bytes(),
            hex::encode_upper(&self.bytes).into_bytes(),
        ]
    }
}

/// Fails if any form of any of `secrets` occurs in `haystack` (`what` names it).
fn assert_clean(what: &str, haystack: &[u8], secrets: &[Secret]) {
    for s in secrets {
        for form in s.forms() {
            assert!(
                !haystack.windows(form.len()).any(|w| w == form.as_slice()),
                "{} found in {what}",
                s.name
            );
        }
    }
}

/// Every file under `dir`, with its path.
fn files(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push((path.clone(), std::fs::read(&path).unwrap()));
        }
    }
    out
}

fn kms_at(endpoint: &str, key: &str, secret: &str) -> aws_sdk_kms::Client {
    Via::new(endpoint)
        .signing_as(key, secret)
        .no_retries()
        .kms()
}

/// The body of an SDK error's HTTP response (S3's and KMS's errors are the same type).
fn error_body<E>(
    e: &aws_sdk_s3::error::SdkError<E, aws_sdk_s3::config::http::HttpResponse>,
) -> Vec<u8> {
    e.raw_response()
        .and_then(|r| r.body().bytes())
        .unwrap_or_default()
        .to_vec()
}

const ALICE_KEY: &str = "AKIAALICESECRETTEST";
const ALICE_SECRET: &str = "alice-secret-access-key-4b1d0c6e9f";
const OBJECT_PLAINTEXT: &[u8] = b"object plaintext that is only ever stored encrypted 7c1e";
const KMS_PLAINTEXT: &[u8] = b"kms plaintext the audit trail must never show 93aa";

#[tokio::test]
async fn secrets_never_reach_logs_errors_cloudtrail_or_the_disk() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let log = dir.path().join("trace.log");
    let config = dir.path().join("users.toml");
    std::fs::write(
        &config,
        format!(
            "[[users]]\naccess_key = \"{ALICE_KEY}\"\nsecret_key = \"{ALICE_SECRET}\"\naccount_id = \"{ACCOUNT}\"\nuser_name = \"alice\"\npolicies = ['{{\"Version\": \"2012-10-17\", \"Statement\": [{{\"Effect\": \"Allow\", \"Action\": [\"s3:*\", \"kms:*\"], \"Resource\": \"*\"}}]}}']\n"
        ),
    )
    .unwrap();
    let config_arg = config.to_str().unwrap().to_string();
    let mut b = Binary::start(
        &data_dir,
        &log,
        &["--config", &config_arg, "--tls-self-signed"],
        &[("TRAILSTACK_LOG", "trace")],
    );
    let endpoint = b.endpoint.clone();
    let (cert, tls_key) = trailstack_server::tls::self_signed_paths(&data_dir);
    let https = endpoint.replace("http://", "https://");
    let root_tls = crate::tls::s3_https(&https, &std::fs::read(&cert).unwrap());
    let root = s3_at(&endpoint, "test", "test");
    let alice = s3_at(&endpoint, ALICE_KEY, ALICE_SECRET);
    let kms = kms_at(&endpoint, "test", "test");
    let mut errors: Vec<(String, Vec<u8>)> = Vec::new();

    // A trail taking the data events of bucket `data`, delivering into `vault`.
    for bucket in ["vault", "data"] {
        root.create_bucket().bucket(bucket).send().await.unwrap();
    }
    put_policy(
        &root,
        "vault",
        cloudtrail_bucket_policy("vault", &["audit"]),
    )
    .await;
    let ct = cloudtrail_at(&endpoint);
    ok!(ct.create_trail().name("audit").s3_bucket_name("vault"));
    ok!(ct
        .put_event_selectors()
        .trail_name("audit")
        .event_selectors(
            aws_sdk_cloudtrail::types::EventSelector::builder()
                .read_write_type(aws_sdk_cloudtrail::types::ReadWriteType::All)
                .include_management_events(true)
                .data_resources(
                    aws_sdk_cloudtrail::types::DataResource::builder()
                        .r#type("AWS::S3::Object")
                        .values("arn:aws:s3:::data/")
                        .build(),
                )
                .build(),
        ));
    ct.start_logging().name("audit").send().await.unwrap();

    // SSE-C over TLS with a known customer key; a wrong key; a key whose MD5 does not match.
    let customer_key = b"customer-key-32-bytes-0123456789".to_vec();
    let other_key = b"another-customer-key-32-bytes-xy".to_vec();
    let b64 = base64::engine::general_purpose::STANDARD;
    let key = CustomerKey::of(&customer_key);
    ok!(put_req(&root_tls, "data", "sse-c", OBJECT_PLAINTEXT).customer_key(&key));
    let got = ok!(get_req(&root_tls, "data", "sse-c").customer_key(&key));
    assert_eq!(body_bytes(got).await, OBJECT_PLAINTEXT);
    let other = CustomerKey::of(&other_key);
    let e = err!(get_req(&root_tls, "data", "sse-c").customer_key(&other));
    assert_eq!(code(&e), "AccessDenied");
    errors.push(("SSE-C GET with the wrong key".into(), error_body(&e)));
    let e =
        err!(put_req(&root_tls, "data", "bad-md5", b"x").customer_key(&key.with_md5_of(&other)));
    assert_eq!(code(&e), "InvalidArgument");
    errors.push(("SSE-C PUT with a wrong MD5".into(), error_body(&e)));

    // SSE-KMS and KMS with a known plaintext; a data key whose plaintext the client gets.
    let cmk = kms.create_key().send().await.unwrap();
    let cmk = cmk.key_metadata().unwrap().key_id().to_string();
    ok!(put_req(&alice, "data", "sse-kms", OBJECT_PLAINTEXT)
        .server_side_encryption(aws_sdk_s3::types::ServerSideEncryption::AwsKms)
        .ssekms_key_id(&cmk));
    assert_eq!(get_bytes(&alice, "data", "sse-kms").await, OBJECT_PLAINTEXT);
    let sealed = ok!(kms
        .encrypt()
        .key_id(&cmk)
        .plaintext(aws_smithy_types::Blob::new(KMS_PLAINTEXT)));
    let opened = decrypt(&kms, sealed.ciphertext_blob().unwrap().clone()).await;
    assert_eq!(opened.plaintext().unwrap().as_ref(), KMS_PLAINTEXT);
    let data_key = ok!(kms
        .generate_data_key()
        .key_id(&cmk)
        .key_spec(aws_sdk_kms::types::DataKeySpec::Aes256));
    let data_key = data_key.plaintext().unwrap().as_ref().to_vec();
    let e = err!(kms
        .decrypt()
        .ciphertext_blob(aws_smithy_types::Blob::new(KMS_PLAINTEXT)));
    errors.push(("KMS Decrypt of garbage".into(), error_body(&e)));

    // Failing signatures: alice's key signed with a wrong secret, on S3 (an SSE-C PUT, whose
    // canonical request S3 echoes) and on KMS.
    let forger = s3_at(&endpoint, ALICE_KEY, "not-alices-secret");
    let e = err!(put_req(&forger, "data", "forged", OBJECT_PLAINTEXT).customer_key(&key));
    assert_eq!(code(&e), "SignatureDoesNotMatch");
    errors.push(("S3 SignatureDoesNotMatch".into(), error_body(&e)));
    let e = kms_at(&endpoint, ALICE_KEY, "not-alices-secret")
        .encrypt()
        .key_id(&cmk)
        .plaintext(aws_smithy_types::Blob::new(KMS_PLAINTEXT))
        .send()
        .await
        .unwrap_err();
    errors.push(("KMS InvalidSignatureException".into(), error_body(&e)));

    // Deliver the trail's log files, and read every record back.
    let flush_endpoint = endpoint.clone();
    tokio::task::spawn_blocking(move || {
        let creds = Credentials {
            access_key: "test".into(),
            secret_key: "test".into(),
            region: "us-east-1".into(),
            session_token: None,
        };
        trailstack_server::flush::flush(&flush_endpoint, &creds).unwrap()
    })
    .await
    .unwrap();
    let mut records = Vec::new();
    let listed = ok!(root.list_objects_v2().bucket("vault").prefix("AWSLogs/"));
    let mut delivered = 0;
    for o in listed.contents() {
        let key = o.key().unwrap();
        if !key.contains("/CloudTrail/") {
            continue;
        }
        let got = get_out(&root, "vault", key).await;
        let gz = body_bytes(got).await;
        let mut text = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut text)
            .unwrap();
        records.extend_from_slice(&text);
        delivered += 1;
    }
    assert!(delivered > 0, "no log file delivered");
    let text = String::from_utf8_lossy(&records).into_owned();
    for event in ["PutObject", "GetObject", "Encrypt", "GenerateDataKey"] {
        assert!(
            text.contains(&format!("\"eventName\":\"{event}\"")),
            "no {event} record delivered"
        );
    }
    let mut token = None;
    loop {
        let page = ok!(ct.lookup_events().set_next_token(token));
        for e in page.events() {
            records.extend_from_slice(e.cloud_trail_event().unwrap_or_default().as_bytes());
        }
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }

    b.signal("TERM");
    assert!(b.wait_exit(std::time::Duration::from_secs(60)).success());
    let trace = std::fs::read(&log).unwrap();
    assert!(
        String::from_utf8_lossy(&trace).contains("TRACE"),
        "no trace output to search"
    );

    // What must never be shown anywhere...
    let at_rest = || {
        vec![
            Secret::new("alice's secret access key", ALICE_SECRET),
            Secret::new("the SSE-C key", customer_key.clone()),
            Secret::new("the other SSE-C key", other_key.clone()),
            Secret::new("the KMS plaintext", KMS_PLAINTEXT),
            Secret::new("the KMS data key", data_key.clone()),
            Secret::new("the object plaintext", OBJECT_PLAINTEXT),
        ]
    };
    let mut shown = at_rest();
    shown.push(Secret::new(
        "the root key",
        std::fs::read(data_dir.join("root.key")).unwrap(),
    ));
    let tls_pem = std::fs::read_to_string(&tls_key).unwrap();
    let tls_der: String = tls_pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    shown.push(Secret::new(
        "the TLS private key",
        b64.decode(tls_der).unwrap(),
    ));
    assert_clean("the trace log", &trace, &shown);
    for (what, body) in &errors {
        assert!(!body.is_empty(), "{what}: no error body");
        assert_clean(&format!("the error body of {what}"), body, &shown);
    }
    assert_clean("CloudTrail records", &records, &shown);
    // ...and what must be encrypted at rest (the outbox of CloudTrail records is in the
    // metadata store; the root key and the TLS key are the data dir's own).
    for (path, bytes) in files(&data_dir) {
        assert_clean(&path.display().to_string(), &bytes, &at_rest());
    }
}
