//! Read-only queries for `trailstack explain`: where an identity's permissions come from — its
//! inline policies by name, its managed policies by ARN, those of the groups a user is in, its
//! permissions boundary — and whether a session is narrowed by session policies. Nothing here
//! is authorized or recorded as an IAM call: it serves trailstack's own authenticated admin
//! operation, and it changes nothing.

use crate::error::IamResult;
use crate::model;
use crate::op::{Owner, OwnerKind};
use crate::Iam;
use trailstack_store::Conn as Connection;

/// A limit that lists every policy of an entity (the query binds it as an SQLite integer).
const EVERY: usize = i64::MAX as usize;

/// One identity policy and what holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicySource {
    /// `inline` or `managed`.
    pub kind: &'static str,
    /// An inline policy's name, a managed policy's ARN.
    pub name: String,
    /// The user, role or group it belongs to: `role/<name>`, `user/<name>`, `group/<name>`.
    pub holder: String,
}

/// The policies an identity's permissions come from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicySources {
    /// Its identity policies, then (for a user) its groups'.
    pub identity: Vec<PolicySource>,
    /// Its permissions boundary's ARN.
    pub boundary: Option<String>,
}

/// The inline and managed policies of one owner.
fn owned(
    c: &Connection,
    account: &str,
    kind: OwnerKind,
    owner: &str,
) -> IamResult<Vec<PolicySource>> {
    let holder = format!("{}/{owner}", kind.as_str().to_ascii_lowercase());
    let holder_of = Owner::new(kind, owner);
    let mut out: Vec<PolicySource> =
        model::policies::list_inline(c, account, &holder_of, "", EVERY)?
            .into_iter()
            .map(|name| PolicySource {
                kind: "inline",
                name,
                holder: holder.clone(),
            })
            .collect();
    for (stored, path) in model::policies::attached(c, account, &holder_of, "", EVERY)? {
        out.push(PolicySource {
            kind: "managed",
            name: model::policies::stored_arn(account, stored, path),
            holder: holder.clone(),
        });
    }
    Ok(out)
}

impl Iam {
    /// Where the permissions of user or role `name` of `account` come from.
    pub fn policy_sources(
        &self,
        account: &str,
        kind: OwnerKind,
        name: &str,
    ) -> IamResult<PolicySources> {
        let (account, name) = (account.to_string(), name.to_string());
        self.read(move |c| {
            let mut identity = owned(c, &account, kind, &name)?;
            if kind == OwnerKind::User {
                for g in model::groups::of_user(c, &account, &name, "", EVERY)? {
                    identity.extend(owned(c, &account, OwnerKind::Group, &g.name)?);
                }
            }
            let boundary = match kind {
                OwnerKind::Group => None,
                _ => model::boundaries::get(c, &account, &Owner::new(kind, &name))?,
            };
            Ok(PolicySources { identity, boundary })
        })
    }

    /// Whether the session signing with `access_key` carries session policies (AssumeRole's
    /// `Policy` or `PolicyArns`).
    pub fn has_session_policy(&self, access_key: &str) -> bool {
        self.identities.session(access_key).is_some()
    }
}
