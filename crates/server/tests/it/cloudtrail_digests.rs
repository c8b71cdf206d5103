//! Digest files: each hour's digest chains to the one before, is signed with the account's
//! CloudTrail key, lists the log files delivered, and stopping a trail writes a final digest that
//! names the records whose delivery failed.

use crate::cloudtrail_delivery::*;
use crate::common::*;
use aws_sdk_cloudtrail::primitives::DateTime;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use time::{Duration, OffsetDateTime};
use trailstack_cloudtrail::delivery::Outcome;

/// A digest read back: key, uncompressed bytes, parsed document, metadata.
pub struct DigestFile {
    pub key: String,
    pub raw: Vec<u8>,
    pub doc: Value,
    pub meta: HashMap<String, String>,
}

pub async fn digest_files(s3: &aws_sdk_s3::Client, bucket: &str) -> Vec<DigestFile> {
    let mut out = Vec::new();
    for key in keys_under(s3, bucket, DIGEST_PREFIX).await {
        let o = get_out(s3, bucket, &key).await;
        assert_eq!(
            o.server_side_encryption().map(|e| e.as_str()),
            Some("AES256"),
            "digests are SSE-S3"
        );
        let meta = o.metadata().cloned().unwrap_or_default();
        let raw = gunzip(&body_bytes(o).await);
        let doc = serde_json::from_slice(&raw).unwrap();
        out.push(DigestFile {
            key,
            raw,
            doc,
            meta,
        });
    }
    out
}

/// Verifies a digest's signature (docs/aws/cloudtrail-delivery.md §B.4) with the public keys
/// CloudTrail lists.
pub fn verify(d: &DigestFile, keys: &BTreeMap<String, Vec<u8>>) {
    assert_eq!(
        d.meta.get("signature-algorithm").map(String::as_str),
        Some("SHA256withRSA")
    );
    let sig = hex::decode(d.meta.get("signature").expect("signature metadata")).unwrap();
    let fp = d.doc["digestPublicKeyFingerprint"].as_str().unwrap();
    let der = keys
        .get(fp)
        .unwrap_or_else(|| panic!("no listed public key {fp}"));
    let to_sign = format!(
        "{}\n{}/{}\n{}\n{}",
        d.doc["digestEndTime"].as_str().unwrap(),
        d.doc["digestS3Bucket"].as_str().unwrap(),
        d.doc["digestS3Object"].as_str().unwrap(),
        sha256_hex(&d.raw),
        d.doc["previousDigestSignature"].as_str().unwrap_or("null"),
    );
    aws_lc_rs::signature::UnparsedPublicKey::new(
        &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
        der,
    )
    .verify(to_sign.as_bytes(), &sig)
    .unwrap_or_else(|_| panic!("signature of {} does not verify", d.key));
    assert_eq!(d.doc["digestS3Object"], d.key.as_str());
}

pub fn assert_chained(prev: &DigestFile, next: &DigestFile) {
    assert_eq!(
        next.doc["previousDigestS3Bucket"],
        prev.doc["digestS3Bucket"]
    );
    assert_eq!(next.doc["previousDigestS3Object"], prev.key.as_str());
    assert_eq!(
        next.doc["previousDigestHashValue"],
        sha256_hex(&prev.raw).as_str()
    );
    assert_eq!(next.doc["previousDigestHashAlgorithm"], "SHA-256");
    assert_eq!(
        next.doc["previousDigestSignature"],
        prev.meta["signature"].as_str()
    );
    assert_eq!(next.doc["digestStartTime"], prev.doc["digestEndTime"]);
}

pub fn assert_chain_start(d: &DigestFile) {
    for f in [
        "previousDigestS3Bucket",
        "previousDigestS3Object",
        "previousDigestHashValue",
        "previousDigestHashAlgorithm",
        "previousDigestSignature",
    ] {
        assert!(d.doc[f].is_null(), "{f} of {} must be null", d.key);
    }
}

#[tokio::test]
async fn digests_chain_sign_and_stop_with_a_final_digest() {
    let s = Server::start().await;
    data_trail(&s, "digests", "logs", "data", None, true).await;
    let t0 = OffsetDateTime::now_utc();
    let sent = puts(&s, "data", "d", 2).await;
    let s3 = s.s3();

    // +61 min: the log file is delivered after the first period ended; its digest is empty.
    let a = tick(&s, t0 + Duration::minutes(61), false).await;
    assert_eq!((a.log_files, a.records, a.digests), (1, 2, 1), "{a:?}");
    // +2h01: no delivery; the second digest lists that log file.
    let b = tick(&s, t0 + Duration::minutes(121), false).await;
    assert_eq!((b.log_files, b.digests), (0, 1), "{b:?}");
    let logs = log_files(&s3, "logs").await;
    assert_eq!(logs.len(), 1);
    assert_delivered_once(&logs, &sent);
    let d = digest_files(&s3, "logs").await;
    assert_eq!(d.len(), 2);
    let (first, second) = (&d[0], &d[1]);
    assert_chain_start(first);
    assert_eq!(first.doc["logFiles"], serde_json::json!([]));
    assert!(first.doc["newestEventTime"].is_null() && first.doc["oldestEventTime"].is_null());
    assert_chained(first, second);
    let listed = second.doc["logFiles"].as_array().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["s3Bucket"], "logs");
    assert_eq!(listed[0]["s3Object"], logs[0].key.as_str());
    assert_eq!(
        listed[0]["hashValue"],
        sha256_hex(&gunzip(&logs[0].gz)).as_str()
    );
    assert_eq!(listed[0]["hashAlgorithm"], "SHA-256");
    assert_eq!(second.doc["newestEventTime"], listed[0]["newestEventTime"]);
    // Periods are an hour apart, and the names carry the end time.
    for x in &d {
        let end = x.doc["digestEndTime"]
            .as_str()
            .unwrap()
            .replace(['-', ':'], "");
        assert!(x.key.ends_with(&format!("_{end}.json.gz")), "{}", x.key);
        assert!(x
            .key
            .contains("/000000000000_CloudTrail-Digest_us-east-1_digests_us-east-1_"));
    }

    // StopLogging: the next tick writes a final digest, then nothing more.
    let ct = s.cloudtrail();
    ct.stop_logging().name("digests").send().await.unwrap();
    let c = tick(&s, t0 + Duration::minutes(150), false).await;
    assert_eq!(c.digests, 1, "{c:?}");
    assert_eq!(
        tick(&s, t0 + Duration::minutes(300), false).await.digests,
        0
    );
    assert_eq!(tick(&s, t0 + Duration::minutes(301), true).await.digests, 0);
    let d = digest_files(&s3, "logs").await;
    assert_eq!(d.len(), 3);
    assert_chained(&d[1], &d[2]);
    assert_eq!(
        d[2].doc["digestEndTime"],
        iso(t0 + Duration::minutes(150)).as_str()
    );

    // StartLogging again: a new chain, whose first digest has null links.
    ct.start_logging().name("digests").send().await.unwrap();
    let e = tick(&s, t0 + Duration::minutes(302), true).await;
    assert_eq!(e.digests, 1, "{e:?}");
    let d = digest_files(&s3, "logs").await;
    assert_eq!(d.len(), 4);
    let newest = d
        .iter()
        .find(|x| x.doc["digestEndTime"] == iso(t0 + Duration::minutes(302)).as_str())
        .expect("the new chain's digest");
    assert_chain_start(newest);

    // Every digest verifies with a key ListPublicKeys returns.
    let listed = ok!(ct
        .list_public_keys()
        .start_time(DateTime::from_secs(t0.unix_timestamp() - 3600))
        .end_time(DateTime::from_secs(t0.unix_timestamp() + 6 * 3600)));
    let keys: BTreeMap<String, Vec<u8>> = listed
        .public_key_list()
        .iter()
        .map(|k| {
            (
                k.fingerprint().unwrap().to_string(),
                k.value().unwrap().as_ref().to_vec(),
            )
        })
        .collect();
    assert!(!keys.is_empty());
    for x in &d {
        verify(x, &keys);
    }
}

#[tokio::test]
async fn records_whose_delivery_failed_at_stop_logging_are_in_the_final_digest() {
    let s = Server::start().await;
    let key = trail_key(&s, "stopped").await;
    data_trail(&s, "stopped", "logs", "data", Some(&key), true).await;
    let t0 = OffsetDateTime::now_utc();
    // A first tick opens the digest chain.
    assert_eq!(
        tick(&s, t0 + Duration::minutes(1), false).await,
        Outcome::default()
    );
    let sent = puts(&s, "data", "s", 3).await;
    let kms = s.kms();
    kms.disable_key().key_id(&key).send().await.unwrap();
    ok!(s.cloudtrail().stop_logging().name("stopped"));
    let failed = tick(&s, t0 + Duration::minutes(5), false).await;
    assert_eq!((failed.log_files, failed.failures), (0, 1), "{failed:?}");
    kms.enable_key().key_id(&key).send().await.unwrap();
    let ok = tick(&s, t0 + Duration::minutes(10), false).await;
    assert_eq!((ok.log_files, ok.records), (1, 3), "{ok:?}");
    assert_eq!(tick(&s, t0 + Duration::minutes(90), false).await.digests, 0);
    let s3 = s.s3();
    let files = log_files(&s3, "logs").await;
    assert_delivered_once(&files, &sent);
    // One chain, ended by one final digest, which lists the late file.
    let d = digest_files(&s3, "logs").await;
    assert_eq!(
        d.len(),
        1,
        "{:?}",
        d.iter().map(|x| &x.key).collect::<Vec<_>>()
    );
    assert_chain_start(&d[0]);
    let listed: Vec<_> = d[0].doc["logFiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["s3Object"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(listed, vec![files[0].key.clone()]);
}
