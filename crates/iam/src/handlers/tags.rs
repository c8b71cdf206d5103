//! The tags of users and roles: TagUser, UntagUser, ListUserTags, TagRole, UntagRole,
//! ListRoleTags, and the checks the `Tags` of CreateUser and CreateRole pass too. A principal's
//! tags are its `aws:PrincipalTag/<key>` condition keys from the next request on.
//!
//! AWS facts: docs/aws/iam-sts.md §6.

use super::changed;
use super::checks::read_page;
use super::owners::exists;
use crate::error::{IamError, IamResult};
use crate::model::tags;
use crate::op::{IamOutput, Owner, OwnerKind, Page, Tag};
use crate::Iam;
use trailstack_store::Conn;

/// Most tags a user or role may have.
pub const TAGS_PER_ENTITY: usize = 50;

/// AWS's `ValidationError` sentence for one constraint.
fn invalid(value: &str, field: &str, constraint: &str) -> IamError {
    IamError::Validation(format!(
        "1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: {constraint}"
    ))
}

/// Whether `c` may appear in a tag: letters, digits, spaces and `_.:/=+-@`.
fn tag_char(c: char) -> bool {
    c.is_alphanumeric() || c.is_whitespace() || "_.:/=+-@".contains(c)
}

/// A tag key: 1–128 characters of [`tag_char`], not in AWS's reserved `aws:` space.
fn key(k: &str, field: &str) -> IamResult<()> {
    if k.is_empty() || k.chars().count() > 128 {
        return Err(invalid(
            k,
            field,
            "Member must have length less than or equal to 128",
        ));
    }
    if !k.chars().all(tag_char) {
        return Err(invalid(
            k,
            field,
            "Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+",
        ));
    }
    if k.to_ascii_lowercase().starts_with("aws:") {
        return Err(IamError::InvalidInput(format!(
            "The tag key {k} uses the prefix aws:, which is reserved for AWS use."
        )));
    }
    Ok(())
}

/// Fails when member `field` lists more tags or tag keys (`n` of `what`) than an entity may
/// hold.
fn at_most_50(n: usize, what: &str, field: &str) -> IamResult<()> {
    if n > TAGS_PER_ENTITY {
        return Err(invalid(
            &format!("{n} {what}"),
            field,
            "Member must have length less than or equal to 50",
        ));
    }
    Ok(())
}

/// The tags of a TagUser, TagRole, CreateUser or CreateRole: each key and value within AWS's
/// constraints, at most 50, no key twice (case aside).
pub fn check(tags: &[Tag]) -> IamResult<()> {
    at_most_50(tags.len(), "tags", "tags")?;
    for (i, t) in tags.iter().enumerate() {
        key(&t.key, &format!("tags.{}.member.key", i + 1))?;
        let field = format!("tags.{}.member.value", i + 1);
        if t.value.chars().count() > 256 {
            return Err(invalid(
                &t.value,
                &field,
                "Member must have length less than or equal to 256",
            ));
        }
        if !t.value.chars().all(tag_char) {
            return Err(invalid(
                &t.value,
                &field,
                "Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*",
            ));
        }
        let folded = t.key.to_lowercase();
        if tags[..i].iter().any(|o| o.key.to_lowercase() == folded) {
            return Err(IamError::InvalidInput(
                "Duplicate tag keys found. Please note that Tag keys are case insensitive.".into(),
            ));
        }
    }
    Ok(())
}

/// Adds `new` to the owner's tags (replacing those of the same key), within the quota.
pub fn add(c: &Conn, account: &str, o: &Owner, new: &[Tag]) -> IamResult<()> {
    let have = tags::list(c, account, o, "", TAGS_PER_ENTITY + 1)?;
    let added = new
        .iter()
        .filter(|t| {
            let folded = t.key.to_lowercase();
            !have.iter().any(|h| h.key.to_lowercase() == folded)
        })
        .count();
    if have.len() + added > TAGS_PER_ENTITY {
        let quota = match o.kind {
            OwnerKind::Role => "TagsPerRole",
            OwnerKind::User | OwnerKind::Group => "TagsPerUser",
        };
        return Err(IamError::LimitExceeded(format!(
            "Cannot exceed quota for {quota}: {TAGS_PER_ENTITY}"
        )));
    }
    tags::put(c, account, o, new)?;
    Ok(())
}

pub async fn tag(iam: &Iam, account: String, owner: Owner, new: Vec<Tag>) -> IamResult<IamOutput> {
    check(&new)?;
    changed(iam, move |c| {
        exists(c, &account, &owner)?;
        add(c, &account, &owner, &new)
    })
    .await
}

pub async fn untag(
    iam: &Iam,
    account: String,
    owner: Owner,
    keys: Vec<String>,
) -> IamResult<IamOutput> {
    at_most_50(keys.len(), "keys", "tagKeys")?;
    for (i, k) in keys.iter().enumerate() {
        key(k, &format!("tagKeys.{}.member", i + 1))?;
    }
    changed(iam, move |c| {
        exists(c, &account, &owner)?;
        tags::remove(c, &account, &owner, &keys)?;
        Ok(())
    })
    .await
}

pub async fn list(iam: &Iam, account: String, owner: Owner, page: Page) -> IamResult<IamOutput> {
    let (found, next) = read_page(
        iam,
        &page,
        |t: &Tag| t.key.clone(),
        |c, after, n| {
            exists(c, &account, &owner)?;
            Ok(tags::list(c, &account, &owner, after, n)?)
        },
    )?;
    Ok(IamOutput::Tags(found, next))
}
