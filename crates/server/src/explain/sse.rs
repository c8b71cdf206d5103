//! ARCHITECTURE.md §5 in words, for one bucket: what a write asks for, what the bucket's default
//! is, what gets stored, and the rule between them. The decision itself is S3's [`decide`] — the
//! function every write runs — so a row cannot say something a write would not do. KMS keys are
//! named by their first alias (else their id) through [`Keys`], which asks KMS once per key.

use super::{internal, ExplainError, KeyRef, RuleApplied, StoredAs};
use crate::App;
use std::collections::HashMap;
use trailstack_core::{AccountId, Caller};
use trailstack_kms::explain_queries::KeyFacts;
use trailstack_kms::KmsError;
use trailstack_s3::sse::{decide, BucketEncryption, Rule, SseRequest, Writer};

/// The rule's id in the JSON report (stable, independent of how S3 stores it).
pub(super) fn rule_id(rule: Rule) -> &'static str {
    match rule {
        Rule::RequestHeader => "request_header",
        Rule::BucketDefault => "bucket_default",
        Rule::ServiceDefault => "service_default",
        Rule::CloudTrailLog => "cloudtrail_log",
        Rule::CloudTrailDigest => "cloudtrail_digest",
        Rule::AccessLog => "access_log",
    }
}

/// Why `rule` applies, in one sentence.
fn because(rule: Rule) -> &'static str {
    match rule {
        Rule::RequestHeader => "the request's SSE headers win over the bucket default",
        Rule::BucketDefault => "the request sent no SSE header, so the bucket default applies",
        Rule::ServiceDefault => {
            "no SSE header and no bucket default: S3 encrypts every new object with SSE-S3"
        }
        Rule::CloudTrailLog => {
            "CloudTrail states the trail's encryption, so the bucket default never applies"
        }
        Rule::CloudTrailDigest => "digest files are SSE-S3 whatever the bucket or the trail say",
        Rule::AccessLog => {
            "S3 writes server access logs with SSE-S3 and delivers them only into buckets whose default is SSE-S3"
        }
    }
}

/// The rule as a report carries it.
pub(super) fn rule(rule: Rule) -> RuleApplied {
    RuleApplied {
        id: rule_id(rule).to_string(),
        text: rule.describe().to_string(),
        because: because(rule).to_string(),
    }
}

/// The KMS keys a report names, resolved once each, as seen from an account and region (a
/// bucket default's alias resolves in the bucket owner's account, as S3 resolves it).
pub(super) struct Keys<'a> {
    app: &'a App,
    known: HashMap<(String, String, String), KeyRef>,
}

impl<'a> Keys<'a> {
    pub(super) fn new(app: &'a App) -> Keys<'a> {
        Keys {
            app,
            known: HashMap::new(),
        }
    }

    /// The key `key` (id, ARN, alias) names in `account`/`region`; state `NotFound` when KMS
    /// has no such key.
    pub(super) async fn get(
        &mut self,
        account: &str,
        region: &str,
        key: &str,
    ) -> Result<KeyRef, ExplainError> {
        let id = (account.to_string(), region.to_string(), key.to_string());
        if let Some(k) = self.known.get(&id) {
            return Ok(k.clone());
        }
        let k = match self.facts(account, region, key).await? {
            Some(f) => key_ref(&f),
            None => KeyRef {
                arn: key.to_string(),
                aliases: Vec::new(),
                state: "NotFound".into(),
                manager: None,
            },
        };
        self.known.insert(id, k.clone());
        Ok(k)
    }

    /// KMS's record of `key` in `account`/`region`, if it exists.
    pub(super) async fn facts(
        &self,
        account: &str,
        region: &str,
        key: &str,
    ) -> Result<Option<KeyFacts>, ExplainError> {
        let account = AccountId::parse(account).map_err(internal)?;
        // Only the account and region of this caller matter: they scope ids and aliases.
        let seen_from = Caller::service(account, "s3.amazonaws.com", region, String::new());
        match self.app.kms.key_facts(&seen_from, key).await {
            Ok(f) => Ok(Some(f)),
            Err(KmsError::NotFound(_)) => Ok(None),
            Err(e) => Err(internal(e)),
        }
    }

    /// The key a request or default names; `aws/s3` (the AWS managed key) when none.
    async fn named(
        &mut self,
        account: &str,
        region: &str,
        key: Option<&str>,
    ) -> Result<KeyRef, ExplainError> {
        self.get(account, region, key.unwrap_or(AWS_S3_ALIAS)).await
    }
}

/// The alias of the AWS managed key S3 uses when SSE-KMS names no key.
pub(super) const AWS_S3_ALIAS: &str = "alias/aws/s3";

/// A key as a report names it, from KMS's record.
pub(super) fn key_ref(f: &KeyFacts) -> KeyRef {
    KeyRef {
        arn: f.record.arn(),
        aliases: f.aliases.iter().map(|a| a.name.clone()).collect(),
        state: f.record.meta.key_state.name().to_string(),
        manager: Some(f.record.meta.key_manager.name().to_string()),
    }
}

/// A key in a few words: its first alias, else its id; what was configured when KMS does not
/// know it.
pub(super) fn label(k: &KeyRef) -> String {
    match (k.aliases.first(), k.arn.rsplit_once(":key/")) {
        (Some(alias), _) => alias.clone(),
        (None, Some((_, id))) => id.to_string(),
        (None, None) => k.arn.clone(),
    }
}

/// The mode's name as ARCHITECTURE.md §5 writes it.
fn mode(req: &SseRequest) -> &'static str {
    match req {
        SseRequest::S3 => "SSE-S3",
        SseRequest::Kms { .. } => "SSE-KMS",
        SseRequest::Dsse { .. } => "DSSE-KMS",
        SseRequest::Customer(_) => "SSE-C",
    }
}

/// The KMS key a request names, if it is a KMS mode: `Some(None)` for "no key id".
fn kms_key(req: &SseRequest) -> Option<Option<&str>> {
    match req {
        SseRequest::Kms { key, .. } | SseRequest::Dsse { key, .. } => Some(key.as_deref()),
        _ => None,
    }
}

/// A mode and its key in words (`SSE-S3`, `SSE-KMS, alias/cmk1`).
async fn words(
    keys: &mut Keys<'_>,
    account: &str,
    region: &str,
    req: &SseRequest,
) -> Result<(String, Option<KeyRef>), ExplainError> {
    match kms_key(req) {
        Some(key) => {
            let k = keys.named(account, region, key).await?;
            Ok((format!("{}, {}", mode(req), label(&k)), Some(k)))
        }
        None => Ok((mode(req).to_string(), None)),
    }
}

/// A bucket's default encryption in the table's words.
pub(super) fn default_words(default: Option<&BucketEncryption>, keys: Option<&KeyRef>) -> String {
    match (default, keys) {
        (None, _) => "none set".into(),
        (Some(d), _) if d.algorithm == "AES256" => "SSE-S3".into(),
        (Some(d), key) => {
            let mode = if d.algorithm == "aws:kms:dsse" {
                "DSSE-KMS"
            } else {
                "SSE-KMS"
            };
            match (&d.kms_key, key) {
                (Some(_), Some(k)) => format!("{mode}, key {}", label(k)),
                _ => format!("{mode}, no key id"),
            }
        }
    }
}

/// One writer of the table: its words, its kind and what it asks for.
pub(super) struct Write {
    /// e.g. `a user, no SSE header`.
    pub(super) words: String,
    /// Whose rules apply.
    pub(super) writer: Writer,
    /// The encryption it states, if any.
    pub(super) request: Option<SseRequest>,
}

/// The row of ARCHITECTURE.md §5 for `write` into a bucket of `account`/`region` whose default is
/// `default` (None: none set; `exists` false: the bucket is missing).
pub(super) async fn stored_as(
    keys: &mut Keys<'_>,
    account: &str,
    region: &str,
    default: Option<&BucketEncryption>,
    exists: bool,
    write: &Write,
) -> Result<StoredAs, ExplainError> {
    let asks_for = match &write.request {
        None => "—".to_string(),
        Some(r) => {
            let (w, _) = words(keys, account, region, r).await?;
            match r {
                SseRequest::Kms { context, .. } if !context.is_empty() => {
                    let names: Vec<&str> = context.keys().map(String::as_str).collect();
                    format!("{w}, context {}", names.join(", "))
                }
                _ => w,
            }
        }
    };
    let default_key = match default.filter(|d| d.algorithm.starts_with("aws:kms")) {
        Some(d) => Some(keys.named(account, region, d.kms_key.as_deref()).await?),
        None => None,
    };
    let bucket_default = if exists {
        default_words(default, default_key.as_ref())
    } else {
        "no such bucket".into()
    };
    let (stored, rule_used) = decide(write.writer, write.request.as_ref(), default);
    let (stored_words, key) = words(keys, account, region, &stored).await?;
    Ok(StoredAs {
        written_by: write.words.clone(),
        asks_for,
        bucket_default,
        rule: rule(rule_used),
        stored_as: stored_words,
        key_arn: key.map(|k| k.arn),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(aliases: &[&str]) -> KeyRef {
        KeyRef {
            arn: "arn:aws:kms:us-east-1:000000000000:key/1234".into(),
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
            state: "Enabled".into(),
            manager: Some("CUSTOMER".into()),
        }
    }

    #[test]
    fn keys_are_named_by_alias_else_id() {
        assert_eq!(label(&key(&["alias/cmk1", "alias/b"])), "alias/cmk1");
        assert_eq!(label(&key(&[])), "1234");
        let unknown = KeyRef {
            arn: "K".into(),
            aliases: vec![],
            state: "NotFound".into(),
            manager: None,
        };
        assert_eq!(label(&unknown), "K");
    }

    #[test]
    fn defaults_read_as_the_table_writes_them() {
        let kms = |k: Option<&str>| BucketEncryption {
            algorithm: "aws:kms".into(),
            kms_key: k.map(str::to_string),
            bucket_key: false,
        };
        assert_eq!(default_words(None, None), "none set");
        assert_eq!(
            default_words(Some(&BucketEncryption::service_default()), None),
            "SSE-S3"
        );
        assert_eq!(
            default_words(Some(&kms(Some("x"))), Some(&key(&["alias/cmk1"]))),
            "SSE-KMS, key alias/cmk1"
        );
        assert_eq!(
            default_words(Some(&kms(None)), Some(&key(&["alias/aws/s3"]))),
            "SSE-KMS, no key id"
        );
    }

    #[test]
    fn every_rule_has_a_stable_id() {
        let all = [
            Rule::RequestHeader,
            Rule::BucketDefault,
            Rule::ServiceDefault,
            Rule::CloudTrailLog,
            Rule::CloudTrailDigest,
            Rule::AccessLog,
        ];
        let ids: Vec<&str> = all.iter().map(|r| rule_id(*r)).collect();
        assert_eq!(
            ids,
            [
                "request_header",
                "bucket_default",
                "service_default",
                "cloudtrail_log",
                "cloudtrail_digest",
                "access_log"
            ]
        );
    }
}
