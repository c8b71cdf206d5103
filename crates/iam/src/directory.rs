//! The in-memory view of IAM that every request reads: the active access keys with their
//! secrets (for authentication), STS's temporary credentials with their sessions, and the
//! identity policies (their groups' included), unique ids, tags and boundaries of every user and
//! role and the session policies of every role session (for S3, KMS and CloudTrail to
//! authorize). It is rebuilt from the store inside the transaction of every
//! IAM change, so it never runs ahead of or behind what is committed (ARCHITECTURE.md §3).

use crate::model;
use crate::op::OwnerKind;
use std::collections::HashMap;
use std::sync::Arc;
use trailstack_core::{Principal, Session};
use trailstack_policy::{IdentityPolicies, Policy, PolicyKind, PrincipalRecord};
use trailstack_store::Conn;
use trailstack_store::RootKey;

/// The owner of an active access key.
#[derive(Clone)]
pub struct Credential {
    /// The secret access key.
    pub secret: String,
    /// The owner's account.
    pub account: String,
    /// The owning user's name (empty for a root's session).
    pub user: String,
    /// For temporary credentials, the session they belong to.
    pub session: Option<SessionCredential>,
}

/// What temporary credentials stand for, beside their secret.
#[derive(Clone, Debug)]
pub struct SessionCredential {
    /// The hex SHA-256 of the session token the request must carry.
    pub token_sha256: String,
    /// Who the session is: a role session, or the user or root that called GetSessionToken.
    pub principal: Principal,
    /// The session.
    pub session: Arc<Session>,
    /// Whether a role session assumed this one (role chaining).
    pub chained: bool,
}

/// Everything but the secret, which never goes into a log line.
impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credential")
            .field("account", &self.account)
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

/// One committed state of IAM, as requests read it.
#[derive(Debug, Default)]
pub struct Directory {
    /// Active access keys by id.
    pub keys: HashMap<String, Credential>,
}

/// The ARN policies name a principal by: `arn:aws:iam::<account>:user/<name>` (or `role/`), as
/// [`trailstack_core::Caller::arn`] renders the caller.
pub fn principal_arn(account: &str, kind: OwnerKind, name: &str) -> String {
    match kind {
        OwnerKind::User => format!("arn:aws:iam::{account}:user/{name}"),
        OwnerKind::Role => format!("arn:aws:iam::{account}:role/{name}"),
        OwnerKind::Group => format!("arn:aws:iam::{account}:group/{name}"),
    }
}

/// A policy that denies everything, standing in for a boundary or session policy that cannot
/// be read.
const DENY_ALL: &str =
    r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"*","Resource":"*"}}"#;

/// The owner kind as stored.
fn owner_kind(stored: &str) -> OwnerKind {
    if stored == OwnerKind::Role.as_str() {
        OwnerKind::Role
    } else if stored == OwnerKind::Group.as_str() {
        OwnerKind::Group
    } else {
        OwnerKind::User
    }
}

/// Reads the directory and the identity policies as `c` sees the store.
pub fn load(c: &Conn, root: &RootKey) -> Result<(Directory, IdentityPolicies), crate::IamError> {
    let mut keys = HashMap::new();
    for k in model::keys::all(c)? {
        if !k.key.active {
            continue;
        }
        let secret = root.open(&model::keys::purpose(&k.key.id), &k.sealed)?;
        let secret = String::from_utf8_lossy(&secret).into_owned();
        keys.insert(
            k.key.id.clone(),
            Credential {
                secret,
                account: k.account,
                user: k.key.user,
                session: None,
            },
        );
    }
    let mut policies = IdentityPolicies::new();
    let mut tags: HashMap<String, Vec<(String, String)>> = HashMap::new();
    for (account, kind, owner, t) in model::tags::all(c)? {
        tags.entry(principal_arn(&account, owner_kind(&kind), &owner))
            .or_default()
            .push((t.key, t.value));
    }
    let users = model::entities::all_users(c)?;
    let users = users
        .into_iter()
        .map(|(a, u)| (a, OwnerKind::User, u.name, u.id));
    let roles = model::entities::all_roles(c)?;
    let roles = roles
        .into_iter()
        .map(|(a, r)| (a, OwnerKind::Role, r.name, r.id));
    let mut bounds = HashMap::new();
    let mut rows = model::boundaries::all_documents(c)?;
    for (account, kind, owner, arn) in model::boundaries::all_aws(c)? {
        if let Some(p) = crate::aws_policies::get(&arn) {
            rows.push((account, kind, owner, arn, p.document.to_string()));
        }
    }
    for (account, kind, owner, policy_arn, doc) in rows {
        let arn = principal_arn(&account, owner_kind(&kind), &owner);
        match Policy::parse_as(&doc, PolicyKind::Identity) {
            Ok(p) => {
                bounds.insert(arn, (Arc::new(p), policy_arn));
            }
            // A boundary that no longer parses (a stricter release) must not leave its entity
            // unbounded: it denies everything until it is replaced.
            Err(e) => {
                tracing::error!(
                    "iam: {owner}'s permissions boundary unreadable: {}",
                    e.message
                );
                let deny = Policy::parse_as(DENY_ALL, PolicyKind::Identity)
                    .map_err(|e| crate::IamError::Internal(e.message))?;
                bounds.insert(arn, (Arc::new(deny), policy_arn));
            }
        }
    }
    for (account, kind, name, id) in users.chain(roles) {
        let arn = principal_arn(&account, kind, &name);
        let tags = tags.remove(&arn).unwrap_or_default();
        let (boundary, boundary_arn) = bounds.remove(&arn).unzip();
        policies.set_record(
            &arn,
            PrincipalRecord {
                id,
                tags,
                boundary,
                boundary_arn,
            },
        );
    }
    for s in model::sessions::all(c)? {
        let secret = root.open(&model::sessions::purpose(&s.access_key), &s.sealed)?;
        let secret = String::from_utf8_lossy(&secret).into_owned();
        if !s.policies.is_empty() {
            if let Err(e) = policies.attach_session(&s.access_key, &s.policies) {
                // Checked when the session was made; a stricter release denies rather than
                // widen the session.
                tracing::error!(
                    "iam: session policy of {} unreadable: {}",
                    s.access_key,
                    e.message
                );
                policies
                    .attach_session(&s.access_key, &[DENY_ALL.to_string()])
                    .map_err(|e| crate::IamError::Internal(e.message))?;
            }
        }
        let user = match &s.principal {
            Principal::User { name } => name.clone(),
            _ => String::new(),
        };
        keys.insert(
            s.access_key.clone(),
            Credential {
                secret,
                account: s.account,
                user,
                session: Some(SessionCredential {
                    token_sha256: s.token_sha256,
                    principal: s.principal,
                    session: Arc::new(s.session),
                    chained: s.chained,
                }),
            },
        );
    }
    let inline = model::policies::all_inline(c)?;
    let mut attached = model::policies::all_attached_documents(c)?;
    for (account, kind, owner, arn) in model::policies::all_aws_attachments(c)? {
        if let Some(p) = crate::aws_policies::get(&arn) {
            attached.push((account, kind, owner, p.document.to_string()));
        }
    }
    // A group's policies are its users' policies: each is attached to every member.
    let mut members: HashMap<(String, String), Vec<String>> = HashMap::new();
    for (account, group, user) in model::groups::all_members(c)? {
        members.entry((account, group)).or_default().push(user);
    }
    for (account, kind, owner, doc) in inline.into_iter().chain(attached) {
        let holders = match owner_kind(&kind) {
            OwnerKind::Group => members
                .get(&(account.clone(), owner.clone()))
                .map(|users| {
                    users
                        .iter()
                        .map(|u| principal_arn(&account, OwnerKind::User, u))
                        .collect()
                })
                .unwrap_or_default(),
            kind => vec![principal_arn(&account, kind, &owner)],
        };
        for holder in holders {
            // Every stored document was validated when it was put; one that no longer parses
            // (a stricter release) is left out rather than stopping every request.
            if let Err(e) = policies.attach_document(&holder, &doc) {
                tracing::error!("iam: {owner}'s policy left out: {}", e.message);
            }
        }
    }
    Ok((Directory { keys }, policies))
}
