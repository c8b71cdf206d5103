//! Who calls, as the principal condition keys describe it: [`PrincipalFacts`] names the kind of
//! principal with what AWS derives each key from, and [`PrincipalFacts::add_to`] puts AWS's
//! values of `aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:PrincipalType`, `aws:userid`,
//! `aws:username`, `aws:PrincipalServiceName` and `aws:PrincipalTag/<key>` in a request's
//! context (docs/aws/iam-authorization.md §4).

use crate::context::{Conditions, PrincipalKind};
use crate::identities::PrincipalRecord;
use crate::model::Reads;

/// A principal's tags, key and value (an IAM user's, a role's, a session's).
pub type Tags = [(String, String)];

/// The caller, with what the principal keys are made of.
#[derive(Debug, Clone, Copy)]
pub enum PrincipalFacts<'a> {
    /// An account's root user.
    Root {
        /// The account.
        account: &'a str,
    },
    /// An IAM user.
    User {
        /// The user's ARN, path included.
        arn: &'a str,
        /// The user's account.
        account: &'a str,
        /// The user name.
        name: &'a str,
        /// The user's unique id (`AIDA…`).
        id: &'a str,
        /// The user's tags.
        tags: &'a Tags,
    },
    /// A session of an assumed role (AssumeRole's temporary credentials).
    AssumedRole {
        /// The role's ARN (not the session's `assumed-role/…` ARN: AWS compares the role).
        role_arn: &'a str,
        /// The role's account.
        account: &'a str,
        /// The role's unique id (`AROA…`).
        role_id: &'a str,
        /// The session name the caller chose (`RoleSessionName`).
        session_name: &'a str,
        /// The role's tags with the session's tags over them (a session tag wins over a role
        /// tag of the same key): [`session_tags`].
        tags: &'a Tags,
        /// The session's source identity (`aws:SourceIdentity`), kept through role chaining.
        source_identity: Option<&'a str>,
    },
    /// An AWS service principal, e.g. `cloudtrail.amazonaws.com`.
    Service {
        /// The service's name.
        name: &'a str,
    },
    /// An unsigned request.
    Anonymous,
}

impl<'a> PrincipalFacts<'a> {
    /// An IAM user as IAM knows it (`record`: its unique id and tags; none for a user IAM
    /// does not hold, whose `aws:userid` is then absent).
    pub fn user(
        arn: &'a str,
        account: &'a str,
        name: &'a str,
        record: Option<&'a PrincipalRecord>,
    ) -> Self {
        PrincipalFacts::User {
            arn,
            account,
            name,
            id: record.map_or("", |r| r.id.as_str()),
            tags: record.map_or(&[], |r| r.tags.as_slice()),
        }
    }

    /// The kind of principal, as evaluation tells them apart.
    pub fn kind(&self) -> PrincipalKind {
        match self {
            PrincipalFacts::Root { .. } => PrincipalKind::Root,
            PrincipalFacts::User { .. } => PrincipalKind::User,
            PrincipalFacts::AssumedRole { .. } => PrincipalKind::AssumedRole,
            PrincipalFacts::Service { .. } => PrincipalKind::Service,
            PrincipalFacts::Anonymous => PrincipalKind::Anonymous,
        }
    }

    /// `aws:PrincipalType`: absent for service principals.
    fn principal_type(&self) -> Option<&'static str> {
        match self {
            PrincipalFacts::Root { .. } => Some("Account"),
            PrincipalFacts::User { .. } => Some("User"),
            PrincipalFacts::AssumedRole { .. } => Some("AssumedRole"),
            PrincipalFacts::Anonymous => Some("Anonymous"),
            PrincipalFacts::Service { .. } => None,
        }
    }

    /// Adds the principal keys to `c`: those `reads` says a policy reads, or every one for
    /// `None`.
    pub fn add_to(&self, c: &mut Conditions, reads: Option<&Reads>) {
        let wanted = |key: &str| reads.is_none_or(|r| r.key(key));
        if let Some(t) = self
            .principal_type()
            .filter(|_| wanted("aws:PrincipalType"))
        {
            c.insert("aws:PrincipalType", t);
        }
        let (arn, account, userid, username, tags) = match *self {
            PrincipalFacts::Root { account } => {
                let arn = format!("arn:aws:iam::{account}:root");
                (
                    Some(arn),
                    Some(account),
                    Some(account.to_string()),
                    None,
                    None,
                )
            }
            PrincipalFacts::User {
                arn,
                account,
                name,
                id,
                tags,
            } => (
                Some(arn.to_string()),
                Some(account),
                (!id.is_empty()).then(|| id.to_string()),
                Some(name),
                Some(tags),
            ),
            PrincipalFacts::AssumedRole {
                role_arn,
                account,
                role_id,
                session_name,
                tags,
                source_identity,
            } => {
                if let Some(s) = source_identity.filter(|_| wanted("aws:SourceIdentity")) {
                    c.insert("aws:SourceIdentity", s);
                }
                (
                    Some(role_arn.to_string()),
                    Some(account),
                    Some(format!("{role_id}:{session_name}")),
                    None,
                    Some(tags),
                )
            }
            PrincipalFacts::Service { name } => {
                if wanted("aws:PrincipalServiceName") {
                    c.insert("aws:PrincipalServiceName", name);
                }
                return;
            }
            PrincipalFacts::Anonymous => (None, None, Some("anonymous".to_string()), None, None),
        };
        for (key, value) in [
            ("aws:PrincipalArn", arn),
            ("aws:PrincipalAccount", account.map(str::to_string)),
            ("aws:userid", userid),
            ("aws:username", username.map(str::to_string)),
        ] {
            if let Some(v) = value.filter(|_| wanted(key)) {
                c.insert(key, v);
            }
        }
        let tags = tags.unwrap_or_default();
        if !tags.is_empty() && reads.is_none_or(|r| r.prefix("aws:PrincipalTag/")) {
            for (k, v) in tags {
                c.insert(&format!("aws:PrincipalTag/{k}"), v.as_str());
            }
        }
    }
}

/// A role session's principal tags: the role's, with the session's tags over those of the same
/// key (keys compared without regard to case, as AWS compares tag keys).
pub fn session_tags(role: &Tags, session: &Tags) -> Vec<(String, String)> {
    let mut tags: Vec<(String, String)> = role
        .iter()
        .filter(|(k, _)| !session.iter().any(|(s, _)| s.eq_ignore_ascii_case(k)))
        .cloned()
        .collect();
    tags.extend(session.iter().cloned());
    tags
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(p: PrincipalFacts) -> Conditions {
        let mut c = Conditions::new();
        p.add_to(&mut c, None);
        c
    }

    fn one<'a>(c: &'a Conditions, key: &str) -> Option<&'a str> {
        c.get(key).map(|v| v[0].as_str())
    }

    #[test]
    fn root_user_and_session_values() {
        let c = keys(PrincipalFacts::Root {
            account: "111122223333",
        });
        assert_eq!(
            one(&c, "aws:PrincipalArn"),
            Some("arn:aws:iam::111122223333:root")
        );
        assert_eq!(one(&c, "aws:userid"), Some("111122223333"));
        assert_eq!(one(&c, "aws:PrincipalType"), Some("Account"));
        assert_eq!(one(&c, "aws:username"), None);
        let tags = [("team".to_string(), "red".to_string())];
        let c = keys(PrincipalFacts::User {
            arn: "arn:aws:iam::111122223333:user/ops/alice",
            account: "111122223333",
            name: "alice",
            id: "AIDAEXAMPLE",
            tags: &tags,
        });
        assert_eq!(
            one(&c, "aws:PrincipalArn"),
            Some("arn:aws:iam::111122223333:user/ops/alice")
        );
        assert_eq!(one(&c, "aws:PrincipalAccount"), Some("111122223333"));
        assert_eq!(one(&c, "aws:userid"), Some("AIDAEXAMPLE"));
        assert_eq!(one(&c, "aws:username"), Some("alice"));
        assert_eq!(one(&c, "aws:PrincipalType"), Some("User"));
        assert_eq!(one(&c, "aws:PrincipalTag/team"), Some("red"));
        let c = keys(PrincipalFacts::AssumedRole {
            role_arn: "arn:aws:iam::111122223333:role/auditor",
            account: "111122223333",
            role_id: "AROAEXAMPLE",
            session_name: "s1",
            tags: &tags,
            source_identity: Some("alice"),
        });
        assert_eq!(
            one(&c, "aws:PrincipalArn"),
            Some("arn:aws:iam::111122223333:role/auditor")
        );
        assert_eq!(one(&c, "aws:userid"), Some("AROAEXAMPLE:s1"));
        assert_eq!(one(&c, "aws:username"), None);
        assert_eq!(one(&c, "aws:PrincipalType"), Some("AssumedRole"));
        assert_eq!(one(&c, "aws:PrincipalTag/team"), Some("red"));
        assert_eq!(one(&c, "aws:SourceIdentity"), Some("alice"));
    }

    #[test]
    fn session_tags_override_role_tags() {
        let role = [
            ("Team".to_string(), "red".to_string()),
            ("cost".to_string(), "1".to_string()),
        ];
        let session = [("team".to_string(), "blue".to_string())];
        assert_eq!(
            session_tags(&role, &session),
            [
                ("cost".to_string(), "1".to_string()),
                ("team".to_string(), "blue".to_string())
            ]
        );
    }

    #[test]
    fn services_and_anonymous_callers() {
        let c = keys(PrincipalFacts::Service {
            name: "cloudtrail.amazonaws.com",
        });
        assert_eq!(
            one(&c, "aws:PrincipalServiceName"),
            Some("cloudtrail.amazonaws.com")
        );
        assert_eq!(one(&c, "aws:PrincipalArn"), None);
        assert_eq!(one(&c, "aws:PrincipalType"), None);
        let c = keys(PrincipalFacts::Anonymous);
        assert_eq!(one(&c, "aws:PrincipalArn"), None);
        assert_eq!(one(&c, "aws:PrincipalAccount"), None);
        assert_eq!(one(&c, "aws:userid"), Some("anonymous"));
        assert_eq!(one(&c, "aws:PrincipalType"), Some("Anonymous"));
    }
}
