//! The identity policies of the principals: a lookup from a principal ARN to the policies
//! attached to it, and to what else IAM knows of it that decides requests (its unique id and
//! tags for the principal keys, its permissions boundary), which S3, KMS and CloudTrail consult
//! on every request. The set is live: the
//! identity service installs a new one whenever IAM changes ([`IdentityPolicies::replace`]), and
//! every service holding it sees the change at its next request. Owns only the lookup and the
//! merge of one principal's documents; who the caller is and which resource policy applies is
//! the services' business.

use crate::model::{Policy, PolicyKind};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

type ByArn = HashMap<String, Arc<Policy>>;

/// What IAM knows of one principal besides its identity policies.
#[derive(Debug, Clone, Default)]
pub struct PrincipalRecord {
    /// Its unique id (`AIDA…` for a user, `AROA…` for a role): `aws:userid`.
    pub id: String,
    /// Its tags: `aws:PrincipalTag/<key>`.
    pub tags: Vec<(String, String)>,
    /// Its permissions boundary, if it has one.
    pub boundary: Option<Arc<Policy>>,
    /// The ARN of that boundary (`iam:PermissionsBoundary`).
    pub boundary_arn: Option<String>,
}

/// One committed state: the merged policies and the records, by principal ARN, and the
/// session policies of role sessions.
#[derive(Debug, Clone, Default)]
struct Snapshot {
    policies: ByArn,
    records: HashMap<String, Arc<PrincipalRecord>>,
    /// The session policies of role sessions, by the session's access key id.
    sessions: ByArn,
}

/// Principal ARN -> its identity policies, merged into one [`Policy`] per principal.
///
/// Merging is exact for identity evaluation: AWS folds a principal's policies as "any Deny
/// denies, else any Allow allows", which is also how one policy folds its statements. Each
/// statement keeps the grammar of its own document (policy variables compile at parse time),
/// so a 2008 document merged with a 2012 one still reads `${...}` literally.
#[derive(Debug, Default)]
pub struct IdentityPolicies {
    by_arn: RwLock<Arc<Snapshot>>,
}

impl IdentityPolicies {
    /// No principal has policies.
    pub fn new() -> Self {
        IdentityPolicies::default()
    }

    fn current(&self) -> Arc<Snapshot> {
        // Replaced whole, never left half-written: a poisoned lock still holds a whole set.
        self.by_arn
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn current_mut(&mut self) -> &mut Snapshot {
        Arc::make_mut(self.by_arn.get_mut().unwrap_or_else(|e| e.into_inner()))
    }

    /// Records what IAM knows of `principal_arn` besides its policies.
    pub fn set_record(&mut self, principal_arn: &str, record: PrincipalRecord) {
        self.current_mut()
            .records
            .insert(principal_arn.to_string(), Arc::new(record));
    }

    /// What IAM knows of `principal_arn` besides its policies, if it knows the principal.
    pub fn record(&self, principal_arn: &str) -> Option<Arc<PrincipalRecord>> {
        self.current().records.get(principal_arn).cloned()
    }

    /// Attaches `policy` to `principal_arn` (e.g. `arn:aws:iam::111122223333:user/alice`), in
    /// addition to the policies it already has.
    pub fn attach(&mut self, principal_arn: &str, policy: Policy) {
        let by_arn = &mut self.current_mut().policies;
        match by_arn.get_mut(principal_arn) {
            Some(existing) => {
                let merged = Arc::make_mut(existing);
                merged.statements.extend(policy.statements);
                *merged = std::mem::replace(merged, Policy::empty()).index_keys();
            }
            None => {
                let merged = Policy { id: None, ..policy };
                by_arn.insert(principal_arn.to_string(), Arc::new(merged));
            }
        }
    }

    /// Parses `doc` as an identity policy and attaches it to `principal_arn`; the error is
    /// AWS's `MalformedPolicyDocument` sentence.
    pub fn attach_document(
        &mut self,
        principal_arn: &str,
        doc: &str,
    ) -> Result<(), crate::PolicyError> {
        let p = Policy::parse_as(doc, PolicyKind::Identity)?;
        self.attach(principal_arn, p);
        Ok(())
    }

    /// Sets the session policies of the session whose access key is `access_key` (AssumeRole's
    /// `Policy` and the documents of its `PolicyArns`), merged into one policy: together they
    /// allow what any of them allows. The error is AWS's `MalformedPolicyDocument` sentence.
    pub fn attach_session(
        &mut self,
        access_key: &str,
        docs: &[String],
    ) -> Result<(), crate::PolicyError> {
        let mut merged = Policy::empty();
        for doc in docs {
            let p = Policy::parse_as(doc, PolicyKind::Identity)?;
            merged.statements.extend(p.statements);
        }
        self.current_mut()
            .sessions
            .insert(access_key.to_string(), Arc::new(merged.index_keys()));
        Ok(())
    }

    /// The session policy of the session signing with `access_key`, if it has one.
    pub fn session(&self, access_key: &str) -> Option<Arc<Policy>> {
        self.current().sessions.get(access_key).cloned()
    }

    /// Replaces every principal's policies by those of `next`, for every holder of this set at
    /// once.
    pub fn replace(&self, next: IdentityPolicies) {
        let next = next.current();
        *self.by_arn.write().unwrap_or_else(|e| e.into_inner()) = next;
    }

    /// The merged identity policy of `principal_arn`, if it has any.
    pub fn get(&self, principal_arn: &str) -> Option<Arc<Policy>> {
        self.current().policies.get(principal_arn).cloned()
    }

    /// Whether no principal has a policy (the common single-user set-up).
    pub fn is_empty(&self) -> bool {
        self.current().policies.is_empty()
    }

    /// How many principals have policies.
    pub fn len(&self) -> usize {
        self.current().policies.len()
    }
}

impl Policy {
    /// A policy with no statement (a placeholder while merging).
    fn empty() -> Policy {
        Policy {
            version: None,
            id: None,
            statements: Vec::new(),
            keys: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{authorize, Conditions, Decision, PrincipalKind, RequestContext};

    const ALICE: &str = "arn:aws:iam::111122223333:user/alice";

    fn decide(ids: &IdentityPolicies, action: &str) -> Decision {
        let c = Conditions::new();
        let req = RequestContext::new(ALICE, PrincipalKind::User, action, "arn:aws:s3:::b/k", &c);
        let p = ids.get(ALICE);
        let id: Vec<&Policy> = p.as_deref().into_iter().collect();
        authorize(&req, &id, None, "111122223333")
    }

    #[test]
    fn merged_policies_fold_like_separate_ones() {
        let mut ids = IdentityPolicies::new();
        assert!(ids.is_empty());
        ids.attach_document(
            ALICE,
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#,
        )
        .unwrap();
        assert_eq!(decide(&ids, "s3:DeleteObject"), Decision::Allow);
        ids.attach_document(
            ALICE,
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"}}"#,
        )
        .unwrap();
        assert_eq!(ids.len(), 1);
        assert_eq!(decide(&ids, "s3:DeleteObject"), Decision::ExplicitDeny);
        assert_eq!(decide(&ids, "s3:GetObject"), Decision::Allow);
        assert!(ids.get("arn:aws:iam::111122223333:user/bob").is_none());
    }

    #[test]
    fn identity_documents_refuse_principals() {
        let mut ids = IdentityPolicies::new();
        let err = ids
            .attach_document(
                ALICE,
                r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}}"#,
            )
            .unwrap_err();
        assert!(!err.message.is_empty());
    }

    #[test]
    fn keys_read_by_conditions_and_variables() {
        let p = Policy::parse_resource(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"s3:ExistingObjectTag/team":"red"}}}}"#,
        )
        .unwrap();
        assert!(p.reads_prefix("s3:existingobjecttag/"));
        assert!(p.reads_prefix("S3:ExistingObjectTag/"));
        assert!(p.reads("s3:ExistingObjectTag/team"));
        assert!(!p.reads_prefix("s3:RequestObjectTag/"));
        assert!(!p.reads("aws:SourceIp"));
        let v = Policy::parse_resource(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b/${aws:username}/*","Condition":{"StringLike":{"s3:prefix":"${aws:PrincipalTag/team}/*"},"ArnLike":{"aws:SourceArn":"arn:aws:cloudtrail:*:${aws:SourceAccount}:trail/*"}}}}"#,
        )
        .unwrap();
        for key in [
            "aws:username",
            "s3:prefix",
            "aws:PrincipalTag/team",
            "aws:SourceArn",
            "aws:SourceAccount",
        ] {
            assert!(v.reads(key), "{key}");
        }
        assert!(!v.reads("aws:SourceIp"));
        // Merged identity policies read what each part reads.
        let mut ids = IdentityPolicies::new();
        ids.attach_document(ALICE, r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}}"#).unwrap();
        ids.attach_document(ALICE, r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}}"#).unwrap();
        let merged = ids.get(ALICE).unwrap();
        let live = IdentityPolicies::new();
        live.replace(ids);
        assert!(
            live.get(ALICE).is_some() && live.get("arn:aws:iam::111122223333:user/bob").is_none()
        );
        assert!(merged.reads("aws:securetransport") && merged.reads("aws:sourceip"));
    }
}
