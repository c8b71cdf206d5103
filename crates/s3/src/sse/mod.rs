//! Server-side encryption: which encryption a new object gets ([`decide`], a pure function of
//! the writer, the request's SSE headers and the bucket default), and the record of that choice
//! and its reason stored with every object ([`SseRecord`]). Key handling (root key, KMS, customer
//! keys) lives in [`keys`]; the bytes themselves are sealed by the store's blob API. Nothing here
//! touches HTTP. Rules: ARCHITECTURE.md §5 and docs/aws/s3-encryption.md §2.

pub mod bucket_key;
pub mod keys;
pub mod layer;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Who writes an object: the rules differ for CloudTrail's own deliveries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Writer {
    /// A user request.
    #[default]
    User,
    /// A user's browser form upload (POST Object): its signature is over the form's policy,
    /// not over a request, so SSE-KMS does not need it to be SigV4.
    Form,
    /// CloudTrail delivering a log file (always states the trail's choice).
    CloudTrailLog,
    /// CloudTrail delivering a digest file (always SSE-S3).
    CloudTrailDigest,
    /// S3 delivering a server access log object (always SSE-S3).
    AccessLog,
}

/// Why an object is encrypted the way it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Rule {
    /// The request's SSE headers chose it.
    RequestHeader,
    /// The bucket's default encryption chose it.
    BucketDefault,
    /// Nothing was asked and no default was set: SSE-S3.
    ServiceDefault,
    /// A CloudTrail log file, encrypted as its trail says.
    CloudTrailLog,
    /// A CloudTrail digest file, always SSE-S3.
    CloudTrailDigest,
    /// A server access log object, always SSE-S3.
    AccessLog,
}

impl Rule {
    /// The rule in words, as `trailstack explain` says it.
    pub fn describe(self) -> &'static str {
        match self {
            Rule::RequestHeader => "request header",
            Rule::BucketDefault => "bucket default",
            Rule::ServiceDefault => "service default",
            Rule::CloudTrailLog => "CloudTrail log file with the trail's key",
            Rule::CloudTrailDigest => "CloudTrail digest (always SSE-S3)",
            Rule::AccessLog => "server access log (always SSE-S3)",
        }
    }
}

/// A customer-provided key (SSE-C), checked against its MD5 at parse time. Never stored.
#[derive(Clone, PartialEq, Eq)]
pub struct CustomerKey {
    /// The 32 key bytes.
    pub key: zeroize::Zeroizing<Vec<u8>>,
    /// base64 MD5 of the key, as the client sent it.
    pub md5: String,
}

impl std::fmt::Debug for CustomerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CustomerKey(md5 {})", self.md5)
    }
}

/// The encryption a write asks for (request headers), or a bucket default expands to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SseRequest {
    /// `AES256`.
    S3,
    /// `aws:kms`: key (id, ARN, alias or alias ARN; None = `aws/s3`), user context, Bucket Key.
    Kms {
        /// The key as given.
        key: Option<String>,
        /// The user's encryption context (without `aws:s3:arn`).
        context: BTreeMap<String, String>,
        /// x-amz-server-side-encryption-bucket-key-enabled.
        bucket_key: bool,
    },
    /// `aws:kms:dsse`: key as for SSE-KMS, user context.
    Dsse {
        /// The key as given.
        key: Option<String>,
        /// The user's encryption context (without `aws:s3:arn`).
        context: BTreeMap<String, String>,
    },
    /// SSE-C.
    Customer(CustomerKey),
}

impl SseRequest {
    /// Whether AWS requires TLS for this mode (all but SSE-S3).
    pub fn needs_tls(&self) -> bool {
        !matches!(self, SseRequest::S3)
    }

    /// What a writer through the `ObjectWriter` port (CloudTrail) asks for, as request
    /// headers would ask for it.
    pub fn stated(sse: trailstack_core::WriterSse) -> SseRequest {
        match sse {
            trailstack_core::WriterSse::S3 => SseRequest::S3,
            trailstack_core::WriterSse::Kms { key_id, context } => SseRequest::Kms {
                key: Some(key_id),
                context,
                bucket_key: false,
            },
        }
    }
}

/// A bucket's default encryption (ServerSideEncryptionConfiguration, one rule).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BucketEncryption {
    /// `AES256`, `aws:kms` or `aws:kms:dsse`.
    pub algorithm: String,
    /// KMSMasterKeyID, as given.
    pub kms_key: Option<String>,
    /// BucketKeyEnabled.
    pub bucket_key: bool,
}

impl BucketEncryption {
    /// What a bucket never configured reports: SSE-S3, no Bucket Key.
    pub fn service_default() -> BucketEncryption {
        BucketEncryption {
            algorithm: "AES256".into(),
            kms_key: None,
            bucket_key: false,
        }
    }

    fn as_request(&self) -> SseRequest {
        match self.algorithm.as_str() {
            "aws:kms" => SseRequest::Kms {
                key: self.kms_key.clone(),
                context: BTreeMap::new(),
                bucket_key: self.bucket_key,
            },
            "aws:kms:dsse" => SseRequest::Dsse {
                key: self.kms_key.clone(),
                context: BTreeMap::new(),
            },
            _ => SseRequest::S3,
        }
    }
}

/// Decides how a new object is encrypted, and why: the request's SSE headers win; else the
/// bucket default; else SSE-S3. CloudTrail always states its choice, so for its writes the
/// bucket default never applies (a digest is SSE-S3 whatever it asks).
pub fn decide(
    writer: Writer,
    request: Option<&SseRequest>,
    bucket_default: Option<&BucketEncryption>,
) -> (SseRequest, Rule) {
    match (writer, request, bucket_default) {
        (Writer::CloudTrailDigest, _, _) => (SseRequest::S3, Rule::CloudTrailDigest),
        (Writer::AccessLog, _, _) => (SseRequest::S3, Rule::AccessLog),
        (Writer::CloudTrailLog, r, _) => {
            (r.cloned().unwrap_or(SseRequest::S3), Rule::CloudTrailLog)
        }
        (Writer::User | Writer::Form, Some(r), _) => (r.clone(), Rule::RequestHeader),
        (Writer::User | Writer::Form, None, Some(d)) => (d.as_request(), Rule::BucketDefault),
        (Writer::User | Writer::Form, None, None) => (SseRequest::S3, Rule::ServiceDefault),
    }
}

/// How an object's bytes are encrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Mode {
    /// SSE-S3: data key sealed by the root key.
    #[serde(rename = "AES256")]
    SseS3,
    /// SSE-KMS: data key encrypted by a KMS key.
    #[serde(rename = "aws:kms")]
    SseKms,
    /// DSSE-KMS: two layers, each under its own KMS data key.
    #[serde(rename = "aws:kms:dsse")]
    Dsse,
    /// SSE-C: the customer's key.
    #[serde(rename = "SSE-C")]
    SseC,
}

/// The encryption of a stored object (or of an upload in progress), saved with its metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SseRecord {
    /// The mode.
    pub mode: Mode,
    /// Why this mode was chosen.
    pub rule: Rule,
    /// The wrapped data key (base64): sealed by the root key (SSE-S3) or a KMS ciphertext
    /// blob (SSE-KMS); empty for SSE-C.
    #[serde(default)]
    pub wrapped_key: String,
    /// SSE-KMS: the KMS key ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_arn: Option<String>,
    /// SSE-KMS: the full encryption context (user pairs and `aws:s3:arn`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub context: BTreeMap<String, String>,
    /// SSE-KMS: whether the user supplied a context (then PUT responses echo it).
    #[serde(default)]
    pub user_context: bool,
    /// SSE-KMS: BucketKeyEnabled.
    #[serde(default)]
    pub bucket_key: bool,
    /// SSE-KMS with a Bucket Key: hex salt from which the object key is derived from the bucket
    /// key (`wrapped_key` then holds the bucket key, `context` names the bucket).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket_key_salt: Option<String>,
    /// DSSE-KMS: the inner layer's data key, encrypted by KMS (base64).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inner_wrapped_key: Option<String>,
    /// SSE-C: base64 MD5 of the customer key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_md5: Option<String>,
    /// SSE-C: hex salt and HMAC-SHA256(salt, key), to check later reads' keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_check: Option<(String, String)>,
}

impl SseRecord {
    /// A record of `mode` chosen by `rule`, with no key material yet.
    pub fn new(mode: Mode, rule: Rule) -> SseRecord {
        SseRecord {
            mode,
            rule,
            wrapped_key: String::new(),
            key_arn: None,
            context: BTreeMap::new(),
            user_context: false,
            bucket_key: false,
            bucket_key_salt: None,
            inner_wrapped_key: None,
            customer_md5: None,
            customer_check: None,
        }
    }

    /// The `x-amz-server-side-encryption` value (None for SSE-C).
    pub fn algorithm(&self) -> Option<&'static str> {
        match self.mode {
            Mode::SseS3 => Some("AES256"),
            Mode::SseKms => Some("aws:kms"),
            Mode::Dsse => Some("aws:kms:dsse"),
            Mode::SseC => None,
        }
    }

    /// Whether the data keys come from KMS (SSE-KMS or DSSE-KMS).
    pub fn is_kms(&self) -> bool {
        matches!(self.mode, Mode::SseKms | Mode::Dsse)
    }

    /// The context header value: base64 of the JSON context.
    pub fn context_b64(&self) -> Option<String> {
        use base64::Engine;
        (self.is_kms() && self.user_context).then(|| {
            let json = serde_json::to_string(&self.context).unwrap_or_default();
            base64::engine::general_purpose::STANDARD.encode(json)
        })
    }
}

/// The ETag of a single-part object: the MD5 of its bytes for SSE-S3 (and unencrypted data);
/// for SSE-KMS and SSE-C, as in S3, not the MD5 of the data (here the MD5 of that MD5 and the
/// object's wrapped key or SSE-C salt, so it still changes with the content).
pub fn single_part_etag(md5: &[u8; 16], rec: &SseRecord) -> String {
    if rec.mode == Mode::SseS3 {
        return hex::encode(md5);
    }
    let mut m = crate::checksum::Md5::new();
    m.update(md5);
    m.update(rec.wrapped_key.as_bytes());
    if let Some((salt, _)) = &rec.customer_check {
        m.update(salt.as_bytes());
    }
    hex::encode(m.finish())
}

/// The AAD binding an object's sealed bytes to its bucket and key (length-prefixed).
pub fn object_aad(bucket: &str, key: &str) -> Vec<u8> {
    let mut aad = Vec::with_capacity(32 + bucket.len() + key.len());
    aad.extend_from_slice(b"trailstack/s3/object/v1");
    for part in [bucket.as_bytes(), key.as_bytes()] {
        aad.extend_from_slice(&(part.len() as u64).to_be_bytes());
        aad.extend_from_slice(part);
    }
    aad
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kms(key: Option<&str>) -> SseRequest {
        SseRequest::Kms {
            key: key.map(str::to_string),
            context: BTreeMap::new(),
            bucket_key: false,
        }
    }

    fn default_kms(key: Option<&str>) -> BucketEncryption {
        BucketEncryption {
            algorithm: "aws:kms".into(),
            kms_key: key.map(str::to_string),
            bucket_key: false,
        }
    }

    type Row = (
        Writer,
        Option<SseRequest>,
        Option<BucketEncryption>,
        SseRequest,
        Rule,
    );

    /// ARCHITECTURE.md §5's table, one row per line.
    #[test]
    fn design_table() {
        let cmk1 = default_kms(Some("CMK1"));
        let rows: Vec<Row> = vec![
            (
                Writer::User,
                None,
                None,
                SseRequest::S3,
                Rule::ServiceDefault,
            ),
            (
                Writer::User,
                None,
                Some(cmk1.clone()),
                kms(Some("CMK1")),
                Rule::BucketDefault,
            ),
            (
                Writer::User,
                None,
                Some(default_kms(None)),
                kms(None),
                Rule::BucketDefault,
            ),
            (
                Writer::User,
                Some(SseRequest::S3),
                Some(cmk1.clone()),
                SseRequest::S3,
                Rule::RequestHeader,
            ),
            (
                Writer::User,
                Some(kms(Some("K"))),
                Some(cmk1.clone()),
                kms(Some("K")),
                Rule::RequestHeader,
            ),
            (
                Writer::User,
                Some(kms(Some("K"))),
                None,
                kms(Some("K")),
                Rule::RequestHeader,
            ),
            (
                Writer::CloudTrailLog,
                Some(SseRequest::S3),
                Some(cmk1.clone()),
                SseRequest::S3,
                Rule::CloudTrailLog,
            ),
            (
                Writer::CloudTrailLog,
                Some(kms(Some("CMK2"))),
                Some(cmk1.clone()),
                kms(Some("CMK2")),
                Rule::CloudTrailLog,
            ),
            (
                Writer::CloudTrailDigest,
                Some(SseRequest::S3),
                Some(cmk1.clone()),
                SseRequest::S3,
                Rule::CloudTrailDigest,
            ),
            (
                Writer::CloudTrailDigest,
                None,
                Some(cmk1),
                SseRequest::S3,
                Rule::CloudTrailDigest,
            ),
        ];
        for (i, (w, req, def, want, rule)) in rows.into_iter().enumerate() {
            assert_eq!(
                decide(w, req.as_ref(), def.as_ref()),
                (want, rule),
                "row {i}"
            );
        }
    }

    #[test]
    fn bucket_default_keeps_bucket_key_and_service_default_is_aes256() {
        let mut d = default_kms(Some("K"));
        d.bucket_key = true;
        let (r, _) = decide(Writer::User, None, Some(&d));
        assert!(matches!(
            r,
            SseRequest::Kms {
                bucket_key: true,
                ..
            }
        ));
        assert_eq!(BucketEncryption::service_default().algorithm, "AES256");
        assert_eq!(Rule::ServiceDefault.describe(), "service default");
    }

    #[test]
    fn aad_is_length_prefixed() {
        assert_ne!(object_aad("ab", "c"), object_aad("a", "bc"));
    }
}
