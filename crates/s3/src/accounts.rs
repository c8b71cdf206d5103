//! The accounts S3 knows by canonical user id: whom an ACL grant may name, and the display
//! name S3 shows for each. A grant to an id no account has is refused, as S3 refuses it.

use crate::error::{S3Error, S3Result};
use crate::model::buckets::{Grant, Owner};
use std::collections::HashMap;

/// The known accounts, by canonical user id.
#[derive(Debug, Default)]
pub struct Accounts {
    by_canonical_id: HashMap<String, String>,
}

impl Accounts {
    /// No account known.
    pub fn new() -> Self {
        Accounts::default()
    }

    /// Adds the account with canonical id `id`, shown as `display_name`.
    pub fn add(&mut self, id: &str, display_name: &str) {
        self.by_canonical_id
            .insert(id.to_string(), display_name.to_string());
    }

    /// The account with canonical id `id`, if any.
    pub fn owner(&self, id: &str) -> Option<Owner> {
        self.by_canonical_id.get(id).map(|name| Owner {
            id: id.to_string(),
            display_name: name.clone(),
        })
    }

    /// `grants` with each canonical-user grantee checked and given its display name (a
    /// display name a request states is not trusted); an unknown id is S3's `InvalidArgument`
    /// "Invalid id".
    pub fn resolve(&self, grants: Vec<Grant>) -> S3Result<Vec<Grant>> {
        grants
            .into_iter()
            .map(|mut g| {
                if g.grantee_type == "CanonicalUser" {
                    let owner = self
                        .owner(&g.grantee)
                        .ok_or_else(|| S3Error::InvalidArgument {
                            message: "Invalid id".into(),
                            name: "CanonicalUser/ID".into(),
                            value: g.grantee.clone(),
                        })?;
                    g.display_name = Some(owner.display_name);
                }
                Ok(g)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(kind: &str, who: &str) -> Grant {
        Grant {
            grantee_type: kind.into(),
            grantee: who.into(),
            display_name: Some("claimed".into()),
            permission: "READ".into(),
        }
    }

    #[test]
    fn grants_name_known_accounts_only() {
        let mut a = Accounts::new();
        a.add("abc", "alice");
        let g = a.resolve(vec![grant("CanonicalUser", "abc")]).unwrap();
        assert_eq!(g[0].display_name.as_deref(), Some("alice"));
        let uri = "http://acs.amazonaws.com/groups/global/AllUsers";
        assert_eq!(a.resolve(vec![grant("Group", uri)]).unwrap().len(), 1);
        assert!(matches!(
            a.resolve(vec![grant("CanonicalUser", "_foo")]),
            Err(S3Error::InvalidArgument { name, .. }) if name == "CanonicalUser/ID"
        ));
    }
}
