//! `trailstack explain` through the wire, as the command line calls it (`explain::client`,
//! SigV4-signed `Trailstack.Explain`): the rule of every row of ARCHITECTURE.md §5 in the JSON
//! report, the seed scenario's human report (a snapshot under `snapshots/`, also shown in the
//! README), a disabled key making an object unreadable, and the admin endpoint refusing bad
//! credentials. The server runs on a fixed clock and the SDK clients sign with it, so times in
//! the report are stable; key ids and request ids, which are random, are masked.

use crate::common::*;
use aws_sdk_s3::operation::RequestId;
use aws_sdk_s3::types::ServerSideEncryption as Sse;
use serde_json::Value;
use trailstack_core::Clock;
use trailstack_server::admin_client::Credentials;
use trailstack_server::explain::{client, render, Explanation, Report, Target};

/// The seed scenario's clock: 2025-06-01T12:00:00Z.
const T0_SECS: i64 = 1_748_779_200;

/// A server on the seed scenario's clock, with the users of the TOML configuration `users` if
/// any.
async fn seeded(users: Option<&str>) -> Clocked {
    Clocked::start_at(T0_SECS, users).await
}

impl Clocked {
    /// The explanation of `target`, asked through the wire as `access_key` with `secret`.
    async fn ask(
        &self,
        target: &str,
        access_key: &str,
        secret: &str,
    ) -> Result<Explanation, String> {
        let endpoint = self.s.endpoint.clone();
        let target = Target::parse(target).unwrap();
        let credentials = Credentials {
            access_key: access_key.into(),
            secret_key: secret.into(),
            region: "us-east-1".into(),
            session_token: None,
        };
        let now = self.clock.now();
        tokio::task::spawn_blocking(move || client::explain(&endpoint, &credentials, &target, now))
            .await
            .unwrap()
    }

    /// The explanation of `target` with the default credentials.
    async fn explain(&self, target: &str) -> Explanation {
        self.ask(target, "test", "test").await.unwrap()
    }

    /// The JSON report of `target`, as `--json` prints it.
    async fn json(&self, target: &str) -> Value {
        serde_json::to_value(self.explain(target).await).unwrap()
    }

    /// Moves the clock on by `minutes` and runs a delivery tick that also closes digest
    /// periods (what `trailstack flush` does).
    async fn flush_after(&self, minutes: i64) {
        self.clock.advance(time::Duration::minutes(minutes));
        let o = self
            .s
            .app
            .delivery
            .tick(self.clock.now(), true)
            .await
            .unwrap();
        assert_eq!(o.failures, 0, "{o:?}");
    }

    /// A new symmetric key with `alias` (and `policy`, else the default); its ARN.
    async fn key(&self, alias: &str, policy: Option<String>) -> String {
        let kms = self.kms();
        let arn = ok!(kms.create_key().set_policy(policy))
            .key_metadata
            .unwrap()
            .arn
            .unwrap();
        ok!(kms.create_alias().alias_name(alias).target_key_id(&arn));
        arn
    }

    /// Creates `bucket` with default encryption SSE-KMS under `key` (None: `aws/s3`), or none
    /// when `kms` is false, and the CloudTrail bucket policy for `trails` if any.
    async fn bucket(&self, bucket: &str, kms: bool, key: Option<&str>, trails: &[&str]) {
        let s3 = self.s3();
        s3.create_bucket().bucket(bucket).send().await.unwrap();
        if kms {
            set_default_encryption(&s3, bucket, Sse::AwsKms, key, !trails.is_empty()).await;
        }
        if !trails.is_empty() {
            put_policy(&s3, bucket, cloudtrail_bucket_policy(bucket, trails)).await;
        }
    }

    /// The key `alias/cmk1` and the bucket `bkt` whose default is SSE-KMS under it; CMK1.
    async fn cmk1_bucket(&self) -> String {
        let cmk1 = self.key("alias/cmk1", None).await;
        self.bucket("bkt", true, Some(&cmk1), &[]).await;
        cmk1
    }

    /// Puts `key` into `bucket` with `sse` headers (None: no header); the request id.
    async fn put(&self, bucket: &str, key: &str, sse: Option<(Sse, Option<&str>)>) -> String {
        let (alg, kms_key) = match sse {
            Some((a, k)) => (Some(a), k.map(str::to_string)),
            None => (None, None),
        };
        let out = ok!(self
            .s3()
            .put_object()
            .bucket(bucket)
            .key(key)
            .body(format!("contents of {key}\n").into_bytes().into())
            .set_server_side_encryption(alg)
            .set_ssekms_key_id(kms_key));
        out.request_id().unwrap().to_string()
    }

    /// The keys of `bucket` under `prefix`.
    async fn keys_under(&self, bucket: &str, prefix: &str) -> Vec<String> {
        let out = ok!(self.s3().list_objects_v2().bucket(bucket).prefix(prefix));
        out.contents()
            .iter()
            .filter_map(|o| o.key().map(str::to_string))
            .collect()
    }
}

/// What the seed scenario made.
struct Seed {
    cmk1: String,
    cmk2: String,
    put_request: String,
    log_key: String,
    digest_key: String,
}

/// The seed scenario: bucket `logs` (default SSE-KMS CMK1 with a bucket key, CloudTrail's
/// policy) receives trail `audit` (key CMK2, digests on), which logs the object writes of
/// bucket `data` (default SSE-KMS CMK1); one object is put into `data`, then five minutes on
/// its log file and the digest are delivered.
async fn seed(c: &Clocked) -> Seed {
    let cmk1 = c.key("alias/cmk1", None).await;
    let cmk2 = c
        .key("alias/cmk2", Some(cloudtrail_key_policy(&["audit"])))
        .await;
    c.bucket("logs", true, Some(&cmk1), &["audit"]).await;
    c.bucket("data", true, Some(&cmk1), &[]).await;
    start_data_trail(&c.cloudtrail(), "audit", "logs", "data", Some(&cmk2), true).await;
    let put_request = c.put("data", "reports/q1.csv", None).await;
    c.flush_after(5).await;
    let log_key = c
        .keys_under("logs", "AWSLogs/000000000000/CloudTrail/")
        .await;
    let digest_key = c
        .keys_under("logs", "AWSLogs/000000000000/CloudTrail-Digest/")
        .await;
    assert_eq!((log_key.len(), digest_key.len()), (1, 1));
    Seed {
        cmk1,
        cmk2,
        put_request,
        log_key: log_key[0].clone(),
        digest_key: digest_key[0].clone(),
    }
}

/// The id part of a key ARN.
fn key_id(arn: &str) -> &str {
    arn.rsplit_once("key/").unwrap().1
}

/// Asserts the object's rule and stored encryption: (rule id, mode, key ARN).
fn assert_rule(v: &Value, rule: &str, mode: &str, key: Option<&str>) {
    assert_eq!(v["kind"], "object", "{v:#}");
    assert_eq!(v["rule"]["id"], rule, "{v:#}");
    assert_eq!(v["encryption"]["mode"], mode, "{v:#}");
    assert_eq!(v["encryption"]["key"]["arn"].as_str(), key, "{v:#}");
}

#[tokio::test]
async fn explain_row_user_no_header_no_default_is_service_default() {
    let c = seeded(None).await;
    c.bucket("plain", false, None, &[]).await;
    c.put("plain", "a", None).await;
    let v = c.json("s3://plain/a").await;
    assert_rule(&v, "service_default", "SSE-S3", None);
    assert_eq!(v["encryption"]["algorithm"], "AES256");
    assert_eq!(v["readable"]["can_read"], true);
}

#[tokio::test]
async fn explain_row_user_no_header_default_cmk1_is_bucket_default() {
    let c = seeded(None).await;
    let cmk1 = c.cmk1_bucket().await;
    c.put("bkt", "a", None).await;
    let v = c.json("s3://bkt/a").await;
    assert_rule(&v, "bucket_default", "SSE-KMS", Some(&cmk1));
    assert_eq!(v["encryption"]["key"]["aliases"][0], "alias/cmk1");
    assert_eq!(
        v["encryption"]["encryption_context"]["aws:s3:arn"],
        "arn:aws:s3:::bkt/a"
    );
}

#[tokio::test]
async fn explain_row_user_no_header_default_without_key_id_is_aws_s3() {
    let c = seeded(None).await;
    c.bucket("bkt", true, None, &[]).await;
    c.put("bkt", "a", None).await;
    let v = c.json("s3://bkt/a").await;
    assert_eq!(v["rule"]["id"], "bucket_default", "{v:#}");
    assert_eq!(v["encryption"]["mode"], "SSE-KMS");
    assert_eq!(
        v["encryption"]["key"]["aliases"][0], "alias/aws/s3",
        "{v:#}"
    );
    assert_eq!(v["encryption"]["key"]["manager"], "AWS");
}

#[tokio::test]
async fn explain_row_user_aes256_over_cmk1_is_request_header() {
    let c = seeded(None).await;
    c.cmk1_bucket().await;
    c.put("bkt", "a", Some((Sse::Aes256, None))).await;
    let v = c.json("s3://bkt/a").await;
    assert_rule(&v, "request_header", "SSE-S3", None);
}

#[tokio::test]
async fn explain_row_user_kms_key_k_is_request_header() {
    let c = seeded(None).await;
    let cmk1 = c.key("alias/cmk1", None).await;
    let k = c.key("alias/k", None).await;
    c.bucket("bkt", true, Some(&cmk1), &[]).await;
    c.put("bkt", "a", Some((Sse::AwsKms, Some("alias/k"))))
        .await;
    let v = c.json("s3://bkt/a").await;
    assert_rule(&v, "request_header", "SSE-KMS", Some(&k));
}

#[tokio::test]
async fn explain_row_cloudtrail_log_without_trail_key_is_sse_s3() {
    let c = seeded(None).await;
    let cmk1 = c.key("alias/cmk1", None).await;
    c.bucket("logs", true, Some(&cmk1), &["plain"]).await;
    c.bucket("data", false, None, &[]).await;
    start_data_trail(&c.cloudtrail(), "plain", "logs", "data", None, true).await;
    c.put("data", "a", None).await;
    c.flush_after(5).await;
    let log = &c
        .keys_under("logs", "AWSLogs/000000000000/CloudTrail/")
        .await[0];
    let v = c.json(&format!("s3://logs/{log}")).await;
    assert_rule(&v, "cloudtrail_log", "SSE-S3", None);
    assert_eq!(v["written_by"]["principal"], "cloudtrail.amazonaws.com");
    assert_eq!(v["written_by"]["on_behalf_of"], trail_arn("plain"));
    assert_eq!(v["cloudtrail_file"]["file_type"], "log");
    assert_eq!(v["cloudtrail_file"]["hash"]["status"], "matches", "{v:#}");
}

#[tokio::test]
async fn explain_row_cloudtrail_log_with_trail_key_cmk2_over_cmk1() {
    let c = seeded(None).await;
    let s = seed(&c).await;
    let v = c.json(&format!("s3://logs/{}", s.log_key)).await;
    assert_rule(&v, "cloudtrail_log", "SSE-KMS", Some(&s.cmk2));
    assert_eq!(
        v["encryption"]["encryption_context"]["aws:cloudtrail:arn"],
        trail_arn("audit")
    );
    let f = &v["cloudtrail_file"];
    assert_eq!(f["trail"]["name"], "audit");
    assert_eq!(f["entries"], 1, "{f:#}");
    assert_eq!(f["listed_by"], format!("s3://logs/{}", s.digest_key));
    assert_eq!(f["hash"]["status"], "matches", "{f:#}");
    // The bucket's report says the same of the trail's log files, in §5's words.
    let b = c.json("s3://logs").await;
    let log_row = &b["encryption_rules"][3];
    assert_eq!(log_row["written_by"], "CloudTrail log file, trail audit");
    assert_eq!(log_row["rule"]["id"], "cloudtrail_log");
    assert_eq!(log_row["key_arn"].as_str(), Some(s.cmk2.as_str()));
}

#[tokio::test]
async fn explain_row_cloudtrail_digest_is_always_sse_s3() {
    let c = seeded(None).await;
    let s = seed(&c).await;
    let v = c.json(&format!("s3://logs/{}", s.digest_key)).await;
    assert_rule(&v, "cloudtrail_digest", "SSE-S3", None);
    let f = &v["cloudtrail_file"];
    assert_eq!(f["file_type"], "digest");
    assert_eq!(f["entries"], 1, "it lists the one log file: {f:#}");
    assert_eq!(f["period_start"], "2025-06-01T12:00:00Z");
    assert_eq!(f["period_end"], "2025-06-01T12:05:00Z");
    assert_eq!(f["hash"]["status"], "matches", "{f:#}");
    assert_eq!(f["listed_by"], Value::Null, "no later digest yet");
    let b = c.json("s3://logs").await;
    assert_eq!(b["encryption_rules"][4]["rule"]["id"], "cloudtrail_digest");
    assert_eq!(b["encryption_rules"][4]["stored_as"], "SSE-S3");
}

/// Replaces what is random in a report with stable names: key ids, request ids, and the size
/// of CloudTrail's gzipped files (their records carry random event ids).
fn masked(mut e: Explanation, s: &Seed) -> String {
    let mut size = None;
    if let Report::Object(o) = &mut e.report {
        if let Some(w) = &mut o.written_by {
            w.request_id = if w.request_id == s.put_request {
                "<PutObject request id>".into()
            } else {
                "<delivery request id>".into()
            };
        }
        if o.cloudtrail_file.is_some() {
            size = Some(format!("{} bytes", o.size));
        }
    }
    let mut text = render::render(&e, false)
        .replace(key_id(&s.cmk1), "<CMK1 key id>")
        .replace(key_id(&s.cmk2), "<CMK2 key id>");
    if let Some(size) = size {
        text = text.replace(&size, "<n> bytes");
    }
    text
}

#[tokio::test]
async fn explain_seed_scenario_human_report_matches_the_snapshot() {
    let c = seeded(None).await;
    let s = seed(&c).await;
    let targets = [
        "s3://logs".to_string(),
        "s3://data".to_string(),
        "s3://data/reports/q1.csv".to_string(),
        format!("s3://logs/{}", s.log_key),
        format!("s3://logs/{}", s.digest_key),
        "kms://alias/cmk1".to_string(),
        "kms://alias/cmk2".to_string(),
    ];
    let mut got = String::new();
    for t in &targets {
        let e = c.explain(t).await;
        got.push_str(&format!("$ trailstack explain {t}\n"));
        got.push_str(&masked(e, &s));
        got.push('\n');
    }
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/it/snapshots/explain_seed_scenario.txt");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &got).unwrap();
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        got == want,
        "the report differs from {} (UPDATE_SNAPSHOTS=1 rewrites it):\n{got}",
        path.display()
    );
    // The README shows the same report.
    let readme = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
    let readme = std::fs::read_to_string(readme).unwrap();
    assert!(
        readme.contains(&format!("```text\n{}\n```", got.trim_end())),
        "README.md's \"The seed scenario\" must show the snapshot"
    );
}

#[tokio::test]
async fn explain_object_records_its_writer() {
    let c = seeded(None).await;
    let s = seed(&c).await;
    let v = c.json("s3://data/reports/q1.csv").await;
    let w = &v["written_by"];
    assert_eq!(w["principal"], format!("arn:aws:iam::{ACCOUNT}:root"));
    assert_eq!(w["request_id"].as_str(), Some(s.put_request.as_str()));
    assert_eq!(w["invoked_by"], Value::Null);
    assert_eq!(w["time"], "2025-06-01T12:00:00Z");
    let events = &v["data_events"];
    assert_eq!(events[0]["trail"]["name"], "audit", "{v:#}");
    assert_eq!(
        (events[0]["read"].clone(), events[0]["write"].clone()),
        (false.into(), true.into())
    );
    assert_eq!(v["format_version"], 1);
}

#[tokio::test]
async fn explain_disabled_key_makes_the_object_unreadable() {
    let c = seeded(None).await;
    let cmk1 = c.cmk1_bucket().await;
    c.put("bkt", "a", None).await;
    let before = c.json("s3://bkt/a").await;
    assert_eq!(before["readable"]["can_read"], true, "{before:#}");
    assert_eq!(before["readable"]["decrypt_allowed"], true);
    c.kms().disable_key().key_id(&cmk1).send().await.unwrap();
    let e = c.explain("s3://bkt/a").await;
    let v = serde_json::to_value(&e).unwrap();
    assert_eq!(v["readable"]["can_read"], false);
    assert_eq!(v["readable"]["summary"], "cannot be read: key disabled");
    assert_eq!(v["encryption"]["key"]["state"], "Disabled");
    assert!(render::render(&e, false).contains("cannot be read: key disabled"));
    // And S3 agrees.
    assert_fails!(get_req(&c.s3(), "bkt", "a"), "KMS.DisabledException");
}

#[tokio::test]
async fn explain_needs_valid_credentials_and_an_existing_target() {
    let c = seeded(None).await;
    let refused = c.ask("s3://nope", "test", "wrong").await.unwrap_err();
    assert!(
        refused.starts_with("InvalidSignatureException"),
        "{refused}"
    );
    let unknown = c.ask("s3://nope", "AKNOBODY", "x").await.unwrap_err();
    assert!(
        unknown.starts_with("UnrecognizedClientException"),
        "{unknown}"
    );
    let missing = c.ask("s3://nope", "test", "test").await.unwrap_err();
    assert!(
        missing.starts_with("ResourceNotFoundException"),
        "{missing}"
    );
    let no_key = c.ask("kms://alias/none", "test", "test").await.unwrap_err();
    assert!(no_key.starts_with("ResourceNotFoundException"), "{no_key}");
}

/// Two users of the default account: `eve` may read objects but not use KMS keys, `finn` may
/// do both.
fn users() -> String {
    let eve = allow_all(&["s3:GetObject"]);
    let finn = allow_all(&["s3:GetObject", "kms:Decrypt"]);
    iam_user("AKEVE", "eve", ACCOUNT, "eve", &[&eve])
        + &iam_user("AKFINN", "finn", ACCOUNT, "finn", &[&finn])
}

#[tokio::test]
async fn explain_readability_follows_the_askers_kms_permissions() {
    let c = seeded(Some(&users())).await;
    c.cmk1_bucket().await;
    c.put("bkt", "a", None).await;
    let eve = c.ask("s3://bkt/a", "AKEVE", "eve").await.unwrap();
    let v = serde_json::to_value(&eve).unwrap();
    assert_eq!(v["asked_by"], format!("arn:aws:iam::{ACCOUNT}:user/eve"));
    assert_eq!(v["readable"]["can_read"], false, "{v:#}");
    assert_eq!(v["readable"]["decrypt_allowed"], false);
    assert_eq!(
        v["readable"]["summary"],
        format!("cannot be read: arn:aws:iam::{ACCOUNT}:user/eve may not use the key (kms:Decrypt through S3)")
    );
    let finn = c.ask("s3://bkt/a", "AKFINN", "finn").await.unwrap();
    let v = serde_json::to_value(&finn).unwrap();
    assert_eq!(v["readable"]["can_read"], true, "{v:#}");
    // An SSE-S3 object involves no key: anyone's read is up to S3's permissions alone.
    c.put("bkt", "plain", Some((Sse::Aes256, None))).await;
    let v = serde_json::to_value(c.ask("s3://bkt/plain", "AKEVE", "eve").await.unwrap()).unwrap();
    assert_eq!(v["readable"]["can_read"], true);
    assert_eq!(v["readable"]["decrypt_allowed"], Value::Null);
}
