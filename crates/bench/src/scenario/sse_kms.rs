//! The S3 SSE-KMS scenarios: PutObject of 1 KiB to a fresh key, encrypted under a KMS key made
//! once per target at setup, without and with S3 Bucket Keys.
//!
//! Setup creates the bucket ([`Scenario::setup`]) and the key through the KMS API
//! ([`Scenario::exchange`], CreateKey); [`Scenario::bind`] then carries the key's ARN into the
//! `x-amz-server-side-encryption-aws-kms-key-id` header of every request. Without Bucket Keys
//! each object gets its own data key from KMS; with them S3 may reuse a bucket-level key, so the
//! pair shows what Bucket Keys save.
//!
//! Must not touch: anything but request shapes.

use super::kms::{create_key, field};
use super::s3::{create_bucket, BUCKET, SMALL};
use super::{Scenario, Slot, Weight};
use crate::body::{generated, BenchBody};
use crate::spec::{hash_of, Expect, Spec};
use bytes::Bytes;
use http::Method;
use std::sync::Arc;

/// The key id used before a target's real one is known (and by `every_name_resolves`).
const PLACEHOLDER_KEY: &str = "alias/trailstack-bench";

/// Which SSE-KMS scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// PutObject 1 KiB with `aws:kms` and the setup key.
    Put1k,
    /// The same with `x-amz-server-side-encryption-bucket-key-enabled: true`.
    Put1kBucketKey,
}

impl Kind {
    /// The kind called `name`.
    pub fn from_name(name: &str) -> Option<Kind> {
        match name {
            "put-1k-kms" => Some(Kind::Put1k),
            "put-1k-kms-bucket-key" => Some(Kind::Put1kBucketKey),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Put1k => "put-1k-kms",
            Kind::Put1kBucketKey => "put-1k-kms-bucket-key",
        }
    }

    /// Where its objects go, apart from the other's, so neither overwrites the other's keys.
    fn prefix(self) -> &'static str {
        match self {
            Kind::Put1k => "kms",
            Kind::Put1kBucketKey => "kms-bucket-key",
        }
    }
}

/// An SSE-KMS PUT scenario bound to one KMS key.
pub struct SseKmsScenario {
    kind: Kind,
    key_id: String,
    body: Bytes,
    hash: Arc<str>,
}

impl SseKmsScenario {
    /// The scenario `kind` encrypting under `key_id`.
    pub fn new(kind: Kind, key_id: &str) -> Self {
        let body = Bytes::from(generated(SMALL, 1));
        let hash = hash_of(&body);
        SseKmsScenario {
            kind,
            key_id: key_id.to_owned(),
            body,
            hash,
        }
    }

    /// The unbound scenario `kind` (placeholder key), as [`super::by_name`] returns it.
    pub fn new_dyn(kind: Kind) -> Arc<dyn Scenario> {
        Arc::new(Self::new(kind, PLACEHOLDER_KEY))
    }
}

impl Scenario for SseKmsScenario {
    fn name(&self) -> &'static str {
        self.kind.name()
    }

    fn describe(&self) -> String {
        let what = "PutObject, 1 KiB, a new key each request, payload SHA-256 signed, with \
                    `x-amz-server-side-encryption: aws:kms` and the ARN of a symmetric KMS key \
                    made at setup";
        match self.kind {
            Kind::Put1k => format!("{what}, without Bucket Keys (a data key per object)"),
            Kind::Put1kBucketKey => format!(
                "{what}, with `x-amz-server-side-encryption-bucket-key-enabled: true` \
                 (S3 Bucket Keys)"
            ),
        }
    }

    fn weight(&self) -> Weight {
        Weight::Small
    }

    fn setup(&self) -> Vec<Vec<Spec>> {
        vec![vec![create_bucket(BUCKET)]]
    }

    fn exchange(&self, answers: &[Bytes]) -> Option<Spec> {
        answers
            .is_empty()
            .then(|| create_key("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", self.kind.name()))
    }

    fn bind(&self, answers: &[Bytes]) -> Result<Option<Arc<dyn Scenario>>, String> {
        let first = answers.first().ok_or("no CreateKey answer")?;
        let arn = field(first, &["KeyMetadata", "Arn"])?;
        Ok(Some(Arc::new(Self::new(self.kind, &arn))))
    }

    fn request(&self, slot: Slot) -> Spec {
        let mut headers = vec![
            ("x-amz-server-side-encryption", "aws:kms".to_owned()),
            (
                "x-amz-server-side-encryption-aws-kms-key-id",
                self.key_id.clone(),
            ),
        ];
        if self.kind == Kind::Put1kBucketKey {
            headers.push((
                "x-amz-server-side-encryption-bucket-key-enabled",
                "true".to_owned(),
            ));
        }
        let path = format!(
            "/{BUCKET}/{}/r{}/w{}/{}",
            self.kind.prefix(),
            slot.round,
            slot.worker,
            slot.seq
        );
        Spec {
            headers,
            body: BenchBody::full(self.body.clone()),
            payload_hash: self.hash.clone(),
            ..Spec::s3(Method::PUT, path, "", Expect::OK)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binds_the_key_arn_into_every_put() {
        let sc = SseKmsScenario::new(Kind::Put1kBucketKey, PLACEHOLDER_KEY);
        let create = sc.exchange(&[]).unwrap();
        assert!(create
            .headers
            .contains(&("x-amz-target", "TrentService.CreateKey".into())));
        let answer = Bytes::from_static(br#"{"KeyMetadata":{"KeyId":"k-1","Arn":"arn:k-1"}}"#);
        assert!(sc.exchange(std::slice::from_ref(&answer)).is_none());
        let bound = sc.bind(&[answer]).unwrap().unwrap();
        let req = bound.request(Slot {
            round: 1,
            worker: 2,
            seq: 3,
        });
        assert_eq!(req.method, Method::PUT);
        assert_eq!(req.path, "/bench/kms-bucket-key/r1/w2/3");
        assert_eq!(req.body_len(), SMALL as u64);
        for h in [
            ("x-amz-server-side-encryption", "aws:kms"),
            ("x-amz-server-side-encryption-aws-kms-key-id", "arn:k-1"),
            ("x-amz-server-side-encryption-bucket-key-enabled", "true"),
        ] {
            assert!(req.headers.contains(&(h.0, h.1.into())), "{h:?}");
        }
        let plain = SseKmsScenario::new(Kind::Put1k, "arn:k-1").request(Slot {
            round: 0,
            worker: 0,
            seq: 0,
        });
        assert_eq!(plain.headers.len(), 2);
        assert!(sc.bind(&[Bytes::from_static(b"{}")]).is_err());
    }
}
