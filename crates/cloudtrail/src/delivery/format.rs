//! The bytes and names of what a trail delivers, as AWS writes them and `aws cloudtrail
//! validate-logs` reads them (docs/aws/cloudtrail-delivery.md §A, §B): log file and digest
//! object keys, the gzipped `{"Records":[...]}` body, the digest document, and the string a digest
//! signature covers. Pure: no storage, no clock.

use serde::Serialize;
use std::io::Write;
use time::OffsetDateTime;

/// `[prefix/]` as AWS joins a trail's S3KeyPrefix: with one `/`, nothing when unset.
fn prefixed(prefix: Option<&str>) -> String {
    match prefix {
        Some(p) if !p.is_empty() => format!("{p}/"),
        _ => String::new(),
    }
}

fn ymd_path(t: OffsetDateTime) -> String {
    format!("{:04}/{:02}/{:02}", t.year(), u8::from(t.month()), t.day())
}

/// `YYYYMMDDTHHMMSSZ`, the digest name's (and end time's) stamp.
pub fn stamp_seconds(t: OffsetDateTime) -> String {
    // The record's time format without its separators.
    crate::recorder::render::iso_seconds(t).replace(['-', ':'], "")
}

/// `[prefix/]AWSLogs/<account>/CloudTrail/`: where a trail's log files go.
pub fn log_prefix(prefix: Option<&str>, account: &str) -> String {
    format!("{}AWSLogs/{account}/CloudTrail/", prefixed(prefix))
}

/// The key of a log file delivered at `at`: `[prefix/]AWSLogs/<account>/CloudTrail/<region>/
/// YYYY/MM/DD/<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<unique>.json.gz`.
pub fn log_key(
    prefix: Option<&str>,
    account: &str,
    region: &str,
    at: OffsetDateTime,
    unique: &str,
) -> String {
    format!(
        "{}{region}/{}/{account}_CloudTrail_{region}_{:04}{:02}{:02}T{:02}{:02}Z_{unique}.json.gz",
        log_prefix(prefix, account),
        ymd_path(at),
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
    )
}

/// The key of the digest of `region` for trail `name` (homed in `home`) ending at `end`.
pub fn digest_key(
    prefix: Option<&str>,
    account: &str,
    region: &str,
    name: &str,
    home: &str,
    end: OffsetDateTime,
) -> String {
    format!(
        "{}AWSLogs/{account}/CloudTrail-Digest/{region}/{}/{account}_CloudTrail-Digest_{region}_{name}_{home}_{}.json.gz",
        prefixed(prefix),
        ymd_path(end),
        stamp_seconds(end),
    )
}

/// 16 characters of `[A-Za-z0-9]` derived from `seed` (a log file's first record id and trail),
/// so a delivery redone after a crash writes the same key with the same bytes.
pub fn unique_suffix(seed: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, seed.as_bytes());
    d.as_ref()[..16]
        .iter()
        .map(|b| ALPHABET[(*b as usize) % ALPHABET.len()] as char)
        .collect()
}

/// `{"Records":[...]}` from records stored as JSON text, without re-parsing them.
pub fn log_document(records: &[String]) -> Vec<u8> {
    let len: usize = records.iter().map(|r| r.len() + 1).sum();
    let mut out = Vec::with_capacity(len + 16);
    out.extend_from_slice(b"{\"Records\":[");
    for (i, r) in records.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(r.as_bytes());
    }
    out.extend_from_slice(b"]}");
    out
}

/// Gzip with a fixed header (no name, zero mtime): the same document always gives the same
/// bytes, which makes a redone delivery idempotent.
pub fn gzip(doc: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(
        Vec::with_capacity(doc.len() / 4 + 64),
        flate2::Compression::fast(),
    );
    // Writing into a Vec cannot fail.
    let _ = enc.write_all(doc);
    enc.finish().unwrap_or_default()
}

/// Lower-case hex SHA-256.
pub fn sha256_hex(b: &[u8]) -> String {
    hex::encode(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, b).as_ref())
}

/// The hex SHA-256 of a delivered file's document — the value a digest lists for it — from
/// the file's gzipped bytes as stored.
pub fn delivered_sha256(gz: &[u8]) -> std::io::Result<String> {
    let mut doc = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(gz), &mut doc)?;
    Ok(sha256_hex(&doc))
}

/// One log file listed in a digest.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct DigestLogFile {
    /// Bucket of the log file.
    pub s3_bucket: String,
    /// Key of the log file.
    pub s3_object: String,
    /// SHA-256 of the uncompressed log file.
    pub hash_value: String,
    /// Always `SHA-256`.
    pub hash_algorithm: &'static str,
    /// Newest event time in the file.
    pub newest_event_time: String,
    /// Oldest event time in the file.
    pub oldest_event_time: String,
}

/// The previous digest of a chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviousDigest {
    /// Its bucket.
    pub bucket: String,
    /// Its key.
    pub key: String,
    /// SHA-256 of its uncompressed bytes.
    pub hash: String,
    /// Its hex signature.
    pub signature: String,
}

/// A digest document; field order is the one AWS writes.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Digest {
    /// The trail's account.
    pub aws_account_id: String,
    /// Start of the covered delivery window.
    pub digest_start_time: String,
    /// End of the covered delivery window.
    pub digest_end_time: String,
    /// Bucket this digest is written to.
    pub digest_s3_bucket: String,
    /// Key of this digest.
    pub digest_s3_object: String,
    /// MD5 fingerprint of the signing public key.
    pub digest_public_key_fingerprint: String,
    /// Always `SHA256withRSA`.
    pub digest_signature_algorithm: &'static str,
    /// Newest event over the listed files, `null` when none.
    pub newest_event_time: Option<String>,
    /// Oldest event over the listed files, `null` when none.
    pub oldest_event_time: Option<String>,
    /// The chain: `null` at its start.
    pub previous_digest_s3_bucket: Option<String>,
    /// The chain: `null` at its start.
    pub previous_digest_s3_object: Option<String>,
    /// The chain: `null` at its start.
    pub previous_digest_hash_value: Option<String>,
    /// `SHA-256`, or `null` at the start of a chain.
    pub previous_digest_hash_algorithm: Option<&'static str>,
    /// The chain: `null` at its start.
    pub previous_digest_signature: Option<String>,
    /// The log files delivered in the window.
    pub log_files: Vec<DigestLogFile>,
}

impl Digest {
    /// Links this digest to `previous` (or marks it the start of a chain).
    pub fn chain(&mut self, previous: Option<&PreviousDigest>) {
        self.previous_digest_s3_bucket = previous.map(|p| p.bucket.clone());
        self.previous_digest_s3_object = previous.map(|p| p.key.clone());
        self.previous_digest_hash_value = previous.map(|p| p.hash.clone());
        self.previous_digest_hash_algorithm = previous.map(|_| "SHA-256");
        self.previous_digest_signature = previous.map(|p| p.signature.clone());
    }

    /// The document's bytes (what is hashed, signed and gzipped).
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// What a digest's signature covers: end time, `bucket/key`, the hex SHA-256 of the uncompressed
/// digest and the previous signature (the word `null` at a chain's start), one per line.
pub fn string_to_sign(digest: &Digest, digest_sha256_hex: &str) -> String {
    format!(
        "{}\n{}/{}\n{}\n{}",
        digest.digest_end_time,
        digest.digest_s3_bucket,
        digest.digest_s3_object,
        digest_sha256_hex,
        digest
            .previous_digest_signature
            .as_deref()
            .unwrap_or("null")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn keys_follow_the_documented_layout() {
        let at = datetime!(2015-08-01 02:10:59 UTC);
        let k = log_key(None, "111122223333", "us-east-2", at, "Mu0KsOhtH1ar15ZZ");
        assert_eq!(k, "AWSLogs/111122223333/CloudTrail/us-east-2/2015/08/01/111122223333_CloudTrail_us-east-2_20150801T0210Z_Mu0KsOhtH1ar15ZZ.json.gz");
        let k = log_key(Some("my-prefix"), "1", "us-west-2", at, "x");
        assert!(k.starts_with("my-prefix/AWSLogs/1/CloudTrail/us-west-2/"));
        let end = datetime!(2015-08-17 15:01:31 UTC);
        let d = digest_key(
            None,
            "111122223333",
            "us-east-2",
            "your-trail-name",
            "us-east-2",
            end,
        );
        assert_eq!(d, "AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2015/08/17/111122223333_CloudTrail-Digest_us-east-2_your-trail-name_us-east-2_20150817T150131Z.json.gz");
        // validate-logs reads the date from these fixed positions.
        assert_eq!(&d[d.len() - 24..d.len() - 8], "20150817T150131Z");
    }

    #[test]
    fn suffixes_are_stable_alphanumeric_and_distinct() {
        let a = unique_suffix("trail/1");
        assert_eq!(a.len(), 16);
        assert!(a.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_eq!(a, unique_suffix("trail/1"));
        assert_ne!(a, unique_suffix("trail/2"));
    }

    #[test]
    fn documents_and_gzip_are_deterministic() {
        let recs = vec!["{\"a\":1}".to_string(), "{\"b\":2}".to_string()];
        let doc = log_document(&recs);
        assert_eq!(doc, b"{\"Records\":[{\"a\":1},{\"b\":2}]}");
        let v: serde_json::Value = serde_json::from_slice(&log_document(&[])).unwrap();
        assert_eq!(v["Records"].as_array().unwrap().len(), 0);
        assert_eq!(gzip(&doc), gzip(&doc));
        let mut out = Vec::new();
        use std::io::Read;
        flate2::read::GzDecoder::new(&gzip(&doc)[..])
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, doc);
        assert_eq!(delivered_sha256(&gzip(&doc)).unwrap(), sha256_hex(&doc));
        assert!(delivered_sha256(b"not gzip").is_err());
    }

    #[test]
    fn a_starting_digest_has_null_links_and_signs_the_word_null() {
        let mut d = Digest {
            aws_account_id: "1".into(),
            digest_start_time: "2015-08-17T14:01:31Z".into(),
            digest_end_time: "2015-08-17T15:01:31Z".into(),
            digest_s3_bucket: "b".into(),
            digest_s3_object: "k".into(),
            digest_public_key_fingerprint: "fp".into(),
            digest_signature_algorithm: "SHA256withRSA",
            newest_event_time: None,
            oldest_event_time: None,
            previous_digest_s3_bucket: None,
            previous_digest_s3_object: None,
            previous_digest_hash_value: None,
            previous_digest_hash_algorithm: None,
            previous_digest_signature: None,
            log_files: vec![],
        };
        d.chain(None);
        let v: serde_json::Value = serde_json::from_slice(&d.to_bytes()).unwrap();
        for f in [
            "previousDigestS3Bucket",
            "previousDigestS3Object",
            "previousDigestHashValue",
            "previousDigestHashAlgorithm",
            "previousDigestSignature",
            "newestEventTime",
        ] {
            assert!(v[f].is_null(), "{f}");
        }
        assert_eq!(
            string_to_sign(&d, "abc"),
            "2015-08-17T15:01:31Z\nb/k\nabc\nnull"
        );
        d.chain(Some(&PreviousDigest {
            bucket: "b".into(),
            key: "k0".into(),
            hash: "h".into(),
            signature: "s".into(),
        }));
        assert!(string_to_sign(&d, "abc").ends_with("\ns"));
        let v: serde_json::Value = serde_json::from_slice(&d.to_bytes()).unwrap();
        assert_eq!(v["previousDigestHashAlgorithm"], "SHA-256");
    }
}
