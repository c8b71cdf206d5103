//! Who is calling: the authenticated principal, its account, and the request's context. Every
//! service call carries a [`Caller`]; internal calls name the service acting on a caller's behalf.

use crate::ids::AccountId;
use std::net::IpAddr;
use std::sync::Arc;
use time::OffsetDateTime;

/// The identity behind a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// The account's root user.
    Root,
    /// An IAM user of the account.
    User {
        /// The user name, e.g. `alice`.
        name: String,
    },
    /// A session of an IAM role obtained through STS AssumeRole:
    /// `arn:aws:sts::<account>:assumed-role/<role>/<session>`. [`Caller::session`] says more.
    AssumedRole {
        /// The role's name (without its path).
        role: String,
        /// The session's name (`RoleSessionName`).
        session: String,
    },
    /// An AWS service principal such as `cloudtrail.amazonaws.com`.
    Service(String),
    /// An unsigned request.
    Anonymous,
}

/// The signature scheme of a signed request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureVersion {
    /// S3's Signature Version 2 (`AWS AccessKeyId:Signature`, HMAC-SHA1).
    V2,
    /// Signature Version 4 (`AWS4-HMAC-SHA256`).
    V4,
}

impl SignatureVersion {
    /// As CloudTrail's `additionalEventData.SignatureVersion` shows it.
    pub fn cloudtrail_name(self) -> &'static str {
        match self {
            Self::V2 => "SigV2",
            Self::V4 => "SigV4",
        }
    }

    /// As the `s3:signatureversion` condition key reads it.
    pub fn condition_value(self) -> &'static str {
        match self {
            Self::V2 => "AWS",
            Self::V4 => "AWS4-HMAC-SHA256",
        }
    }
}

/// The caller of one operation.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The account the principal belongs to.
    pub account: AccountId,
    /// The principal.
    pub principal: Principal,
    /// The access key that signed the request, if any.
    pub access_key: Option<String>,
    /// The caller's canonical user id (S3 owner id).
    pub canonical_id: String,
    /// The caller's display name (S3 owner display name).
    pub display_name: String,
    /// The request's source address.
    pub source_ip: Option<IpAddr>,
    /// The request's `User-Agent`.
    pub user_agent: String,
    /// The request id returned to the client (`x-amz-request-id`).
    pub request_id: String,
    /// The region the request was addressed to (its SigV4 scope).
    pub region: String,
    /// Whether the request arrived over TLS.
    pub secure_transport: bool,
    /// The service acting on this caller's behalf, for internal calls.
    pub invoked_by: Option<String>,
    /// The request's `Host` header (S3 records it in `requestParameters`).
    pub host: String,
    /// How the request was signed, as CloudTrail's `AuthenticationMethod`: `AuthHeader` or
    /// `QueryString`; `None` for unsigned and internal calls.
    pub auth_method: Option<&'static str>,
    /// The signature version of a signed request; `None` for unsigned and internal calls.
    pub signature_version: Option<SignatureVersion>,
    /// For a service principal acting for a resource (CloudTrail delivering for a trail), that
    /// resource's ARN: policies read it as `aws:SourceArn` (and its account as
    /// `aws:SourceAccount`) to tell one trail's writes from another's.
    pub source_arn: Option<String>,
    /// The STS session the request was signed with (temporary `ASIA…` credentials): an
    /// assumed role's, or a user's or root's from GetSessionToken. `None` for long-term keys.
    pub session: Option<Arc<Session>>,
}

/// An STS session behind temporary credentials, as policies and CloudTrail see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// When STS issued the credentials.
    pub created: OffsetDateTime,
    /// When they stop working.
    pub expires: OffsetDateTime,
    /// Whether the session was obtained with MFA (`mfaAuthenticated`).
    pub mfa: bool,
    /// The role the session belongs to; `None` for a GetSessionToken session.
    pub issuer: Option<SessionIssuer>,
    /// `SourceIdentity` set at AssumeRole (`aws:SourceIdentity`), kept through role chaining.
    pub source_identity: Option<String>,
    /// Session tags (`aws:PrincipalTag/<key>`), in the order given.
    pub tags: Vec<(String, String)>,
    /// The keys of the tags that pass on to sessions this one assumes (role chaining).
    pub transitive_tag_keys: Vec<String>,
}

impl Session {
    /// A session of nothing but its lifetime: no MFA, no role, no source identity, no tags —
    /// what GetSessionToken issues.
    pub fn plain(created: OffsetDateTime, expires: OffsetDateTime) -> Session {
        Session {
            created,
            expires,
            mfa: false,
            issuer: None,
            source_identity: None,
            tags: Vec::new(),
            transitive_tag_keys: Vec::new(),
        }
    }
}

/// The role behind an assumed-role session (CloudTrail's `sessionIssuer`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionIssuer {
    /// The role's ARN, with its path: `arn:aws:iam::<account>:role/<path/><name>`.
    pub arn: String,
    /// The role's unique id (`AROA…`).
    pub id: String,
    /// The role's name.
    pub name: String,
}

impl Caller {
    /// The principal's ARN as AWS renders it in policies and errors.
    pub fn arn(&self) -> String {
        match &self.principal {
            Principal::Root => format!("arn:aws:iam::{}:root", self.account),
            Principal::User { name } => format!("arn:aws:iam::{}:user/{}", self.account, name),
            Principal::AssumedRole { role, session } => {
                format!(
                    "arn:aws:sts::{}:assumed-role/{role}/{session}",
                    self.account
                )
            }
            Principal::Service(s) => s.clone(),
            Principal::Anonymous => "*".to_string(),
        }
    }

    /// The principal's unique id as STS and CloudTrail show it: the account id for a root, the
    /// user's `AIDA…` id, `AROA…:<session>` for a role session; `None` for services and
    /// anonymous callers.
    pub fn principal_id(&self) -> Option<String> {
        let account = self.account.as_str();
        match &self.principal {
            Principal::Root => Some(account.to_string()),
            Principal::User { name } => Some(user_principal_id(account, name)),
            Principal::AssumedRole { role, session } => {
                let role_id = match self.session.as_ref().and_then(|s| s.issuer.as_ref()) {
                    Some(issuer) => issuer.id.clone(),
                    None => unique_id("AROA", account, role),
                };
                Some(format!("{role_id}:{session}"))
            }
            Principal::Service(_) | Principal::Anonymous => None,
        }
    }

    /// Whether the caller is an identity of an account (a root, a user or a role session)
    /// rather than a service or an anonymous caller.
    pub fn is_account_identity(&self) -> bool {
        matches!(
            self.principal,
            Principal::Root | Principal::User { .. } | Principal::AssumedRole { .. }
        )
    }

    /// The ARN the caller's identity policies are attached to: a user's own, a role session's
    /// role (`arn:aws:iam::<account>:role/<name>`, without its path, as IAM keys them).
    pub fn identity_arn(&self) -> String {
        match &self.principal {
            Principal::AssumedRole { role, .. } => {
                format!("arn:aws:iam::{}:role/{role}", self.account)
            }
            _ => self.arn(),
        }
    }

    /// The ARN of the role behind a role session.
    pub fn role_arn(&self) -> Option<&str> {
        self.session
            .as_ref()
            .and_then(|s| s.issuer.as_ref())
            .map(|i| i.arn.as_str())
    }

    /// `principal` of `account` calling in `region`, with nothing else known of the request:
    /// no key, session, address, agent, host or signature, not over TLS, on no one's behalf.
    /// Callers made otherwise than from an HTTP request start from it and set what they know.
    pub fn new(
        account: AccountId,
        principal: Principal,
        region: &str,
        request_id: String,
    ) -> Caller {
        Caller {
            account,
            principal,
            access_key: None,
            canonical_id: String::new(),
            display_name: String::new(),
            source_ip: None,
            user_agent: String::new(),
            request_id,
            region: region.to_string(),
            secure_transport: false,
            invoked_by: None,
            host: String::new(),
            auth_method: None,
            signature_version: None,
            source_arn: None,
            session: None,
        }
    }

    /// A service principal (e.g. `cloudtrail.amazonaws.com`) acting in `account`'s name, for
    /// calls a service makes on its own (deliveries, checks).
    pub fn service(account: AccountId, service: &str, region: &str, request_id: String) -> Caller {
        let principal = Principal::Service(service.to_string());
        Caller {
            user_agent: service.to_string(),
            secure_transport: true,
            invoked_by: Some(service.to_string()),
            ..Caller::new(account, principal, region, request_id)
        }
    }

    /// The same service caller acting for the resource `arn` (`aws:SourceArn`), e.g. the trail
    /// whose files CloudTrail delivers.
    pub fn for_source(self, arn: &str) -> Caller {
        Caller {
            source_arn: Some(arn.to_string()),
            ..self
        }
    }

    /// The same caller with `service` acting on its behalf.
    pub fn on_behalf_of(&self, service: &str) -> Caller {
        Caller {
            invoked_by: Some(service.to_string()),
            ..self.clone()
        }
    }
}

/// A stable `AIDA…` principal id for an IAM user, derived from its account and name (AWS assigns
/// random ones; a stable one keeps records and `GetCallerIdentity` comparable across restarts).
pub fn user_principal_id(account: &str, name: &str) -> String {
    unique_id("AIDA", account, name)
}

/// A 21-character IAM unique id: `prefix` (`AIDA` user, `AROA` role, `ANPA` managed policy)
/// and 17 base-32 characters derived from the account and the entity's name.
pub fn unique_id(prefix: &str, account: &str, name: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let digest = aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        format!("{account}/{name}").as_bytes(),
    );
    let tail: String = digest.as_ref()[..17]
        .iter()
        .map(|b| ALPHABET[(*b as usize) % 32] as char)
        .collect();
    format!("{prefix}{tail}")
}
