//! What the handlers of users, roles and groups share: finding one (the owners of inline and
//! attached policies, tags and boundaries) with IAM's words for a missing one, what a user or
//! role keeps beside its record (tags, permissions boundary) from creation to deletion, and the
//! policies that must be gone before one is deleted.
//!
//! AWS facts: docs/aws/iam-sts.md §5.

use crate::error::{IamError, IamResult};
use crate::model::{boundaries, entities, groups, policies, tags};
use crate::op::{Owner, OwnerKind, Tag};
use trailstack_store::Conn;

/// IAM's error for a user, role or group that `account` does not hold.
pub fn not_found(kind: OwnerKind, name: &str) -> IamError {
    IamError::NoSuchEntity(format!(
        "The {} with name {name} cannot be found.",
        kind.as_str().to_ascii_lowercase()
    ))
}

/// Fails unless the owner exists in `account`.
pub fn exists(c: &Conn, account: &str, o: &Owner) -> IamResult<()> {
    let found = match o.kind {
        OwnerKind::User => entities::get_user(c, account, &o.name)?.is_some(),
        OwnerKind::Role => entities::get_role(c, account, &o.name)?.is_some(),
        OwnerKind::Group => groups::get(c, account, &o.name)?.is_some(),
    };
    if found {
        Ok(())
    } else {
        Err(not_found(o.kind, &o.name))
    }
}

/// Fails unless `account` holds the user `name`.
pub fn user_exists(c: &Conn, account: &str, name: &str) -> IamResult<()> {
    entities::get_user(c, account, name)?.ok_or_else(|| not_found(OwnerKind::User, name))?;
    Ok(())
}

/// After inserting a user or role (`inserted`: whether the name was free), stores the tags
/// and permissions boundary it was created with.
pub fn created(
    c: &Conn,
    account: &str,
    owner: Owner,
    inserted: bool,
    tags: &[Tag],
    boundary: Option<&str>,
) -> IamResult<()> {
    if !inserted {
        return Err(IamError::EntityAlreadyExists(format!(
            "{} with name {} already exists.",
            owner.kind.as_str(),
            owner.name
        )));
    }
    tags::put(c, account, &owner, tags)?;
    if let Some(arn) = boundary {
        super::boundaries::set(c, account, &owner, arn)?;
    }
    Ok(())
}

/// The tags and permissions boundary of a user or role, as Get answers them.
pub fn tags_and_boundary(
    c: &Conn,
    account: &str,
    kind: OwnerKind,
    name: &str,
) -> IamResult<(Vec<Tag>, Option<String>)> {
    let owner = Owner::new(kind, name);
    Ok((
        tags::list(c, account, &owner, "", super::tags::TAGS_PER_ENTITY)?,
        boundaries::get(c, account, &owner)?,
    ))
}

/// Refuses to delete a user, role or group that still has inline or attached policies.
pub fn check_no_policies(c: &Conn, account: &str, kind: OwnerKind, name: &str) -> IamResult<()> {
    let (inline, attached) = policies::owned_counts(c, account, &Owner::new(kind, name))?;
    if inline > 0 {
        return Err(IamError::DeleteConflict(
            "Cannot delete entity, must delete policies first.".into(),
        ));
    }
    if attached > 0 {
        return Err(IamError::DeleteConflict(
            "Cannot delete entity, must detach all policies first.".into(),
        ));
    }
    Ok(())
}

/// After deleting a user or role: its tags and permissions boundary.
pub fn deleted(c: &Conn, account: &str, kind: OwnerKind, name: &str) -> IamResult<()> {
    let owner = Owner::new(kind, name);
    tags::clear(c, account, &owner)?;
    boundaries::delete(c, account, &owner)?;
    Ok(())
}
